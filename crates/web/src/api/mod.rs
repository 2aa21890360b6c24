//! The JSON API under `/api/v1/`.

pub mod body;
pub mod openapi;

use axum::http::StatusCode;

use crate::error::ApiError;

/// Ids that are not numbers name nothing: 404, like an id that does not exist.
pub fn parse_id(s: &str) -> Result<i64, ApiError> {
    s.parse::<i64>().map_err(|_| ApiError::not_found())
}

pub fn query<T: serde::de::DeserializeOwned>(raw: Option<&str>) -> Result<T, ApiError> {
    let pairs = form_urlencoded::parse(raw.unwrap_or("").as_bytes());
    serde_path_to_error::deserialize(serde_urlencoded::Deserializer::new(pairs)).map_err(|e| {
        let name = e.path().to_string();
        let reason = italian_serde(&e.inner().to_string());
        let detail = if name == "." {
            format!("parametri della richiesta non validi: {reason}")
        } else {
            format!("parametro «{name}» non valido: {reason}")
        };
        ApiError::new(StatusCode::BAD_REQUEST, detail)
    })
}

/// 422 with a detail that says what is wrong.
pub fn unprocessable(detail: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, detail)
}

/// serde's English reason for a wrong value, in words an Italian user can act on.
pub fn italian_serde(reason: &str) -> String {
    let quoted = |r: &str| r.split('`').nth(1).unwrap_or("").to_owned();
    if let Some(rest) = reason.strip_prefix("unknown field ") {
        return format!("campo sconosciuto «{}»", quoted(rest));
    }
    if let Some(rest) = reason.strip_prefix("duplicate field ") {
        return format!("campo «{}» ripetuto", quoted(rest));
    }
    if reason.starts_with("invalid digit") || reason.starts_with("cannot parse integer") {
        return "serve un numero intero".into();
    }
    if reason.contains("was not `true` or `false`") {
        return "serve true o false".into();
    }
    if reason.starts_with("missing field") {
        return format!("manca il campo obbligatorio «{}»", quoted(reason));
    }
    // chrono's date and time parsing errors.
    if [
        "input is out of range",
        "premature end of input",
        "input contains invalid characters",
        "trailing input",
        "input is not enough for unique date and time",
        "no possible date and time matching input",
        "bad or unsupported format string",
    ]
    .iter()
    .any(|r| reason.starts_with(r))
    {
        return "data non valida: usare AAAA-MM-GG con un giorno che esiste (es. 2026-03-01)"
            .into();
    }
    if reason.starts_with("invalid value: floating point") {
        return "serve un numero intero, senza decimali".into();
    }
    if reason.starts_with("invalid value: integer") || reason.contains("out of range for") {
        return "numero fuori dall'intervallo ammesso".into();
    }
    if let Some(rest) = reason.strip_prefix("invalid type: ") {
        let expected = rest.split(", expected ").nth(1).unwrap_or("");
        let what = if expected.contains("enum") {
            "uno dei valori ammessi"
        } else if expected.contains("integer")
            || expected.starts_with('u')
            || expected.starts_with('i')
        {
            "un numero intero"
        } else if expected.contains("bool") {
            "true o false"
        } else if expected.contains("string") || expected.contains("date") {
            "un testo"
        } else if expected.contains("sequence") {
            "un elenco"
        } else if expected.contains("map") || expected.contains("struct") {
            "un oggetto"
        } else {
            "un valore di altro tipo"
        };
        return format!("tipo non valido: serve {what}");
    }
    if let Some(rest) = reason.strip_prefix("unknown variant ") {
        return format!("valore «{}» non ammesso", quoted(rest));
    }
    format!("valore non valido ({reason})")
}

#[cfg(test)]
mod tests {
    use super::italian_serde;

    #[test]
    fn serde_reasons_become_italian() {
        assert_eq!(
            italian_serde("input is out of range"),
            "data non valida: usare AAAA-MM-GG con un giorno che esiste (es. 2026-03-01)"
        );
        assert_eq!(
            italian_serde("unknown field `colour`, expected one of `a`, `b`"),
            "campo sconosciuto «colour»"
        );
        assert_eq!(
            italian_serde("missing field `start_date`"),
            "manca il campo obbligatorio «start_date»"
        );
        assert_eq!(
            italian_serde("invalid type: string \"tre\", expected u32"),
            "tipo non valido: serve un numero intero"
        );
        assert_eq!(
            italian_serde("invalid value: integer `-1`, expected u32"),
            "numero fuori dall'intervallo ammesso"
        );
    }
}
