//! Facts about an incoming request that checks read: gathered by the server, judged here.

use serde_json::{Map, Value};

/// How deep a JSON body may nest before it is refused (serde_json stops at 128 anyway).
pub const MAX_JSON_DEPTH: usize = 32;

/// The HTTP-level facts of a request.
#[derive(Debug, Clone, Default)]
pub struct RequestFacts {
    pub method: String,
    pub path: String,
    pub content_type: Option<String>,
    pub authorization: Option<String>,
    pub body: Vec<u8>,
    /// Set when the body exceeded the limit: the limit that applied.
    pub body_over_limit: Option<usize>,
}

impl RequestFacts {
    /// The media type without parameters, lower-cased (`application/json; charset=utf-8` →
    /// `application/json`).
    pub fn media_type(&self) -> Option<String> {
        self.content_type.as_deref().map(|ct| {
            ct.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
    }

    /// The bearer token of an `Authorization: Bearer` header (RFC 6750 §2.1).
    pub fn bearer_token(&self) -> Option<&str> {
        let auth = self.authorization.as_deref()?;
        let (scheme, token) = auth.split_once(' ')?;
        let token = token.trim();
        (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
    }
}

/// Parses a request body that must be one JSON object (RFC 7591 §3.1).
pub fn parse_json_object(body: &[u8]) -> Result<Map<String, Value>, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err("the request body is empty; a JSON object is required".into());
    }
    if std::str::from_utf8(body).is_err() {
        return Err("the request body is not valid UTF-8".into());
    }
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        if e.to_string().contains("recursion limit") {
            format!("the JSON body nests deeper than {MAX_JSON_DEPTH} levels")
        } else {
            format!("the request body is not valid JSON ({e})")
        }
    })?;
    if depth(&value) > MAX_JSON_DEPTH {
        return Err(format!(
            "the JSON body nests deeper than {MAX_JSON_DEPTH} levels"
        ));
    }
    match value {
        Value::Object(map) => Ok(map),
        other => Err(format!(
            "the request body must be a JSON object, not {}",
            json_type_name(&other)
        )),
    }
}

/// `object`, `array`, `string`, `number`, `boolean` or `null`.
pub fn json_type_name(v: &Value) -> &'static str {
    match v {
        Value::Object(_) => "an object",
        Value::Array(_) => "an array",
        Value::String(_) => "a string",
        Value::Number(_) => "a number",
        Value::Bool(_) => "a boolean",
        Value::Null => "null",
    }
}

fn depth(v: &Value) -> usize {
    match v {
        Value::Object(m) => 1 + m.values().map(depth).max().unwrap_or(0),
        Value::Array(a) => 1 + a.iter().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// Parses an `application/x-www-form-urlencoded` body (RFC 6749 §4.4.2). A parameter sent
/// twice is an error (RFC 6749 §3.2: "Request and response parameters MUST NOT be included
/// more than once").
pub fn parse_form(body: &[u8]) -> Result<Map<String, Value>, String> {
    let mut map = Map::new();
    for (k, v) in url::form_urlencoded::parse(body) {
        if map.contains_key(k.as_ref()) {
            return Err(format!("parameter `{k}` is repeated"));
        }
        map.insert(k.into_owned(), Value::String(v.into_owned()));
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_everything_but_one_object() {
        assert!(parse_json_object(br#"{"a":1}"#).is_ok());
        assert!(parse_json_object(b"[1]").unwrap_err().contains("an array"));
        assert!(parse_json_object(b"null").unwrap_err().contains("null"));
        assert!(parse_json_object(b"").unwrap_err().contains("empty"));
        assert!(parse_json_object(b"{\"a\":")
            .unwrap_err()
            .contains("not valid JSON"));
        assert!(parse_json_object(b"{\"a\":\"\xff\"}")
            .unwrap_err()
            .contains("UTF-8"));
        let deep = format!("{}{}", "[".repeat(40), "]".repeat(40));
        let deep_obj = format!("{{\"a\":{deep}}}");
        assert!(parse_json_object(deep_obj.as_bytes())
            .unwrap_err()
            .contains("deeper"));
        let very_deep = format!("{{\"a\":{}{}}}", "[".repeat(500), "]".repeat(500));
        assert!(parse_json_object(very_deep.as_bytes())
            .unwrap_err()
            .contains("deeper"));
    }

    #[test]
    fn media_type_and_bearer() {
        let r = RequestFacts {
            content_type: Some("Application/JSON; charset=utf-8".into()),
            authorization: Some("Bearer abc".into()),
            ..Default::default()
        };
        assert_eq!(r.media_type().as_deref(), Some("application/json"));
        assert_eq!(r.bearer_token(), Some("abc"));
        let r = RequestFacts {
            authorization: Some("Basic abc".into()),
            ..Default::default()
        };
        assert_eq!(r.bearer_token(), None);
    }

    #[test]
    fn form_refuses_repeated_parameters() {
        assert_eq!(parse_form(b"a=1&b=x+y").unwrap()["b"], "x y");
        assert!(parse_form(b"a=1&a=2").is_err());
    }
}
