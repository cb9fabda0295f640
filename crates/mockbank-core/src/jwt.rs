//! Decoding (never verifying) compact JWS/JWT values for display in traces.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::Value;

use crate::trace::DecodedJwt;

/// Decodes a compact JWS's protected header and payload as JSON, if it is one.
pub fn decode_compact(token: &str) -> Option<(Value, Value)> {
    let mut parts = token.trim().split('.');
    let (h, p, _s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(h).ok()?).ok()?;
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).ok()?).ok()?;
    header.is_object().then_some((header, claims))
}

/// Whether `text` has the shape of a compact JWS/JWT: three base64url segments (not whether
/// they decode).
pub fn looks_compact(text: &str) -> bool {
    text.len() > 20
        && text.bytes().filter(|b| *b == b'.').count() == 2
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// The JWTs a recorded body shows, decoded: the body itself when it is a compact JWS (a
/// signed request, whose claims may carry more, e.g. the SSA), else every JWT-looking
/// string in it. A function of the recorded body alone, so a stored trace need not keep
/// them: [`crate::trace::Trace::restore_stored_form`] derives them again.
pub fn jwts_of_body(body: &Value) -> Vec<DecodedJwt> {
    let mut jwts = Vec::new();
    match body {
        Value::String(text) => {
            if let Some((header, claims)) = decode_compact(text) {
                find_jwts("body.claims", &claims, &mut jwts);
                jwts.insert(
                    0,
                    DecodedJwt {
                        location: "body".into(),
                        header,
                        claims,
                    },
                );
            }
        }
        other => find_jwts("body", other, &mut jwts),
    }
    jwts
}

/// Finds every JWT-looking string in a JSON value (e.g. `software_statement`) and decodes it.
pub fn find_jwts(location: &str, v: &Value, out: &mut Vec<DecodedJwt>) {
    match v {
        Value::String(s) if s.len() > 20 && s.matches('.').count() == 2 => {
            if let Some((header, claims)) = decode_compact(s) {
                out.push(DecodedJwt {
                    location: location.to_owned(),
                    header,
                    claims,
                });
            }
        }
        Value::Object(map) => {
            for (k, val) in map {
                find_jwts(&format!("{location}.{k}"), val, out);
            }
        }
        Value::Array(items) => {
            for (i, val) in items.iter().enumerate() {
                find_jwts(&format!("{location}[{i}]"), val, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(v: &str) -> String {
        URL_SAFE_NO_PAD.encode(v)
    }

    #[test]
    fn decodes_header_and_claims() {
        let t = format!(
            "{}.{}.sig",
            b64(r#"{"alg":"PS256"}"#),
            b64(r#"{"iss":"x"}"#)
        );
        let (h, c) = decode_compact(&t).unwrap();
        assert_eq!(h["alg"], "PS256");
        assert_eq!(c["iss"], "x");
        let mut out = vec![];
        find_jwts(
            "body",
            &serde_json::json!({"software_statement": t}),
            &mut out,
        );
        assert_eq!(out[0].location, "body.software_statement");
    }

    #[test]
    fn compact_shapes() {
        let t = format!("{}.{}.c2ln", b64(r#"{"alg":"PS256"}"#), b64("{}"));
        assert!(looks_compact(&t));
        assert!(looks_compact(&format!(
            "{}.{}.",
            b64(r#"{"alg":"none"}"#),
            b64("{}")
        )));
        assert!(!looks_compact("https://tpp.example.com/a.b.c"));
        assert!(!looks_compact(r#"{"software_statement": "a.b.c"}"#));
        assert!(!looks_compact("a.b"));
    }

    #[test]
    fn rejects_non_jwts() {
        assert!(decode_compact("a.b").is_none());
        assert!(decode_compact("not.a.jwt").is_none());
        assert!(decode_compact(&format!("{}.{}.x.y", b64("{}"), b64("{}"))).is_none());
    }
}
