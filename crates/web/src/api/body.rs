//! Typed request parts of the API: [`ApiJson`] for JSON bodies and [`PathId`] for ids in the
//! path. Each input type is one Rust struct with `deny_unknown_fields`, decoded by serde and
//! described by the same struct's `ToSchema` in the OpenAPI document, so the document says
//! exactly what the handler accepts.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

use super::italian_serde;
use crate::error::{ApiError, ProblemField};

/// A JSON body decoded into `T`: `Content-Type: application/json` (or
/// `application/merge-patch+json`) required (415); broken JSON is a 400 that says where; a
/// wrong field — unknown, missing, of the wrong type or out of range — a 422 naming it in
/// Italian.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let ct = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        let media = ct.split(';').next().unwrap_or("").trim();
        if media != "application/json" && media != "application/merge-patch+json" {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "il corpo della richiesta deve essere JSON (Content-Type: application/json)",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            let status = e.status();
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(status, "il corpo della richiesta è troppo grande")
            } else {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "il corpo della richiesta non è leggibile",
                )
            }
        })?;
        decode(&bytes).map(ApiJson)
    }
}

/// `bytes` as `T`, refused as [`ApiJson`] says.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let broken = |e: &serde_json::Error| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            format!(
                "JSON non valido alla riga {}, colonna {}",
                e.line(),
                e.column()
            ),
        )
    };
    // A struct would also read from an array: only an object is a body.
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first.is_some_and(|b| *b != b'{') {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "il corpo JSON deve essere un oggetto",
        ));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        // serde_json calls a wrong kind of value for an enum (a number for `category`) a
        // syntax error; the text is well-formed JSON, so it is a wrong field.
        if (inner.is_syntax() || inner.is_eof())
            && serde_json::from_slice::<serde_json::Value>(bytes).is_err()
        {
            return broken(&inner);
        }
        if inner.is_syntax() {
            return ApiError::fields(vec![ProblemField {
                field: if path == "." { "body".into() } else { path },
                message: "valore non ammesso per questo campo".into(),
                line: None,
            }]);
        }
        field_error(path, &inner.to_string())
    })?;
    de.end().map_err(|e| broken(&e))?;
    Ok(value)
}

/// A JSON value already read as `T`, refused as [`ApiJson`] refuses a wrong field (for a
/// handler that picks the type from the body, as the membership-fee rule does).
pub fn decode_value<T: DeserializeOwned>(v: serde_json::Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(v)
        .map_err(|e| field_error(e.path().to_string(), &e.into_inner().to_string()))
}

/// A 422 naming the field at `path` with serde's `reason` in Italian.
fn field_error(path: String, reason: &str) -> ApiError {
    // serde adds " at line L column C" to data errors read from text.
    let reason = reason.rsplit_once(" at line ").map_or(reason, |(r, _)| r);
    ApiError::fields(vec![ProblemField {
        field: if path == "." { "body".into() } else { path },
        message: italian_serde(reason),
        line: None,
    }])
}

/// For a field of a change (PATCH): absent is `None` (left as it is), `null` is `Some(None)`
/// (cleared), a value is `Some(Some(v))`. Use with `#[serde(default, deserialize_with =
/// "present")]`.
pub fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A JSON string or number taken as the text a form would carry, for inputs whose model
/// checks every field at once from text (an entity: a wrong population and a wrong tax code
/// are both reported). Anything else is a type error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scalar(pub String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(v.to_owned()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Scalar, E> {
                // "1.5" would read as 15 in the Italian form parser (the dot groups thousands):
                // a number with a fraction is never a value of these fields.
                Err(E::invalid_value(
                    serde::de::Unexpected::Float(v),
                    &"an integer or a string",
                ))
            }
        }
        d.deserialize_any(V)
    }
}

/// The id in a path (`/api/v1/entities/{id}`): an id that is not a number names nothing, so it
/// is a 404 like an id that does not exist.
pub struct PathId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::not_found())?;
        super::parse_id(&raw).map(PathId)
    }
}

/// Two ids in a path (`/api/v1/tickets/{ticket_id}/attachments/{attachment_id}`).
pub struct PathIds(pub i64, pub i64);

impl<S: Send + Sync> FromRequestParts<S> for PathIds {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path((a, b)) = Path::<(String, String)>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::not_found())?;
        Ok(PathIds(super::parse_id(&a)?, super::parse_id(&b)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct In {
        name: String,
        #[serde(default)]
        count: Option<u32>,
        #[serde(default, deserialize_with = "present")]
        notes: Option<Option<String>>,
    }

    fn refusal(body: &str) -> (u16, String, Vec<String>) {
        let e = decode::<In>(body.as_bytes()).unwrap_err();
        (
            e.status.as_u16(),
            e.detail,
            e.errors
                .iter()
                .map(|f| format!("{}={}", f.field, f.message))
                .collect(),
        )
    }

    #[test]
    fn each_wrong_field_is_named_in_italian() {
        let ok: In = decode(br#"{"name": "x", "notes": null}"#).unwrap();
        assert_eq!(
            (ok.name.as_str(), ok.count, ok.notes),
            ("x", None, Some(None))
        );
        let ok: In = decode(br#"{"name": "x"}"#).unwrap();
        assert_eq!(ok.notes, None);
        assert_eq!(
            refusal(r#"{"name": "x", "colour": 1}"#).2,
            vec!["colour=campo sconosciuto «colour»"]
        );
        assert_eq!(
            refusal(r#"{}"#).2,
            vec!["body=manca il campo obbligatorio «name»"]
        );
        assert_eq!(
            refusal(r#"{"name": "x", "count": -1}"#).2,
            vec!["count=numero fuori dall'intervallo ammesso"]
        );
        assert_eq!(
            refusal(r#"{"name": 3}"#).2,
            vec!["name=tipo non valido: serve un testo"]
        );
        let (s, d, _) = refusal("{\"name\": ");
        assert_eq!(s, 400);
        assert!(d.starts_with("JSON non valido alla riga 1"), "{d}");
        assert_eq!(refusal("[1]").0, 400);
        assert_eq!(refusal(r#"{"name": "x"} {}"#).0, 400);
    }
}
