//! The JSON API under `/api/v1/`.

pub mod agreements;
pub mod backups;
pub mod catalog;
pub mod entities;
pub mod misc;
pub mod openapi;
pub mod phases;
pub mod services;
pub mod tickets;

use axum::http::{header, HeaderMap, StatusCode};
use serde_json::{Map, Value};

use crate::error::{ApiError, ProblemField};

/// The body as a JSON object, or a problem saying what is wrong with it.
pub fn json_object(headers: &HeaderMap, body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !ct.starts_with("application/json") && !ct.starts_with("application/merge-patch+json") {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "il corpo della richiesta deve essere JSON (Content-Type: application/json)",
        ));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "il corpo JSON deve essere un oggetto",
        )),
        Err(e) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("JSON non valido: {e}"),
        )),
    }
}

/// A JSON value as the text a form would carry. `null` clears a field.
pub fn as_text(field: &str, v: &Value) -> Result<String, ProblemField> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Null => Ok(String::new()),
        _ => Err(ProblemField {
            field: field.to_owned(),
            message: "deve essere un testo, un numero o null".into(),
            line: None,
        }),
    }
}

/// Path ids that are not numbers name nothing: 404, like an id that does not exist.
/// An optional text field of a JSON body: absent is empty, not text is a field error.
pub fn text_field(obj: &Map<String, Value>, k: &str) -> Result<String, ApiError> {
    obj.get(k)
        .map(|v| as_text(k, v).map_err(|e| ApiError::fields(vec![e])))
        .transpose()
        .map(Option::unwrap_or_default)
}

pub fn parse_id(s: &str) -> Result<i64, ApiError> {
    s.parse::<i64>().map_err(|_| ApiError::not_found())
}

pub fn query<T: serde::de::DeserializeOwned>(raw: Option<&str>) -> Result<T, ApiError> {
    serde_urlencoded::from_str(raw.unwrap_or("")).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("parametri della richiesta non validi: {e}"),
        )
    })
}

/// 422 with a detail that says what is wrong.
pub fn unprocessable(detail: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, detail)
}

/// Takes `version` out of a body (an integer, or absent).
pub fn take_version(obj: &mut Map<String, Value>) -> Result<Option<i64>, ApiError> {
    match obj.remove("version") {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_i64()
            .map(Some)
            .ok_or_else(|| unprocessable("version: deve essere un numero intero")),
    }
}

/// A body object as `T`, or a 422 naming the wrong field in Italian.
pub fn from_object<T: serde::de::DeserializeOwned>(obj: Map<String, Value>) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(Value::Object(obj)).map_err(|e| {
        let field = e.path().to_string();
        let message = italian_serde(&e.inner().to_string());
        ApiError::fields(vec![ProblemField {
            field: if field == "." { "body".into() } else { field },
            message,
            line: None,
        }])
    })
}

/// serde's English reason for a wrong value, in words an Italian user can act on.
pub fn italian_serde(reason: &str) -> String {
    let quoted = |r: &str| r.split('`').nth(1).unwrap_or("").to_owned();
    if let Some(rest) = reason.strip_prefix("unknown field ") {
        return format!("campo sconosciuto «{}»", quoted(rest));
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
    if reason.starts_with("invalid value: integer") || reason.contains("out of range for") {
        return "numero fuori dall'intervallo ammesso".into();
    }
    if let Some(rest) = reason.strip_prefix("invalid type: ") {
        let expected = rest.split(", expected ").nth(1).unwrap_or("");
        let what = if expected.contains("integer")
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
