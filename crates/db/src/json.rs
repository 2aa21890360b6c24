//! Reading many rows at once as one JSON value built by the database.
//!
//! sqlx's SQLite driver hands each row from its worker thread to the async side separately,
//! and every row and value is copied again into the `Any` driver's types: about 8 µs a row
//! under load on a 2-core machine (bench/http.sh). A list page of 50 rows paid more for that
//! than for everything else. Aggregated by the database, the page crosses as one text value
//! and is decoded by serde_json.

use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::Backend;

/// Wraps `select` (whose result has `columns`) so that it returns one row, one text column:
/// a JSON array of rows in `order`, each row a JSON array of the columns' values
/// (integers as numbers, text as strings, NULL as null).
pub fn aggregate(backend: Backend, select: &str, columns: &str, order: &str) -> String {
    match backend {
        Backend::Sqlite => format!(
            "SELECT COALESCE(json_group_array(json_array({columns}) ORDER BY {order}), '[]') \
             FROM ({select}) AS t"
        ),
        Backend::Postgres => format!(
            "SELECT COALESCE(json_agg(json_build_array({columns}) ORDER BY {order}), '[]'::json)::text \
             FROM ({select}) AS t"
        ),
    }
}

/// The rows of an [`aggregate`] result.
pub fn rows(text: &str) -> Result<Vec<Vec<Value>>, sqlx::Error> {
    serde_json::from_str(text).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

/// One row's values in the same form, for code that decodes both ways. Bytes (the file
/// store's chunks) become `{"b64": "…"}`, which [`blob`] reads back.
pub fn values(row: &AnyRow) -> Result<Vec<Value>, sqlx::Error> {
    use base64::Engine;
    (0..row.len())
        .map(|i| {
            if let Ok(v) = row.try_get::<Option<i64>, _>(i) {
                return Ok(v.map_or(Value::Null, Value::from));
            }
            if let Ok(v) = row.try_get::<Option<String>, _>(i) {
                return Ok(v.map_or(Value::Null, Value::from));
            }
            let v: Option<Vec<u8>> = row.try_get(i)?;
            Ok(v.map_or(Value::Null, |b| {
                serde_json::json!({ "b64": base64::engine::general_purpose::STANDARD.encode(b) })
            }))
        })
        .collect()
}

/// The bytes of a `{"b64": "…"}` value written by [`values`]; `None` for anything else.
pub fn blob(v: &Value) -> Option<Vec<u8>> {
    use base64::Engine;
    let obj = v.as_object().filter(|o| o.len() == 1)?;
    base64::engine::general_purpose::STANDARD
        .decode(obj.get("b64")?.as_str()?)
        .ok()
}
