//! The admin API's gate: the request's `Host`, then its `Origin`, then the admin token.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::Response;

use super::{header_str, refuse, ADMIN_COOKIE};
use crate::secrets;
use crate::state::AppState;

/// Host, then Origin, then the admin token.
pub(crate) async fn guard(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    match admit(
        &st.allowed_hosts,
        &st.admin_token_hash,
        req.uri(),
        req.headers(),
    ) {
        Ok(()) => next.run(req).await,
        Err(no) => refuse(no.status, no.code, no.description),
    }
}

/// Why the guard turns a request away: what [`refuse`] answers.
#[derive(Debug)]
struct Refusal {
    status: StatusCode,
    code: &'static str,
    description: String,
}

/// The guard's decision, without a server: `allowed_hosts` are the `Host` values this
/// mockbank answers to, `token_hash` the admin token's hash.
fn admit(
    allowed_hosts: &[String],
    token_hash: &[u8],
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<(), Refusal> {
    let forbidden = |description| Refusal {
        status: StatusCode::FORBIDDEN,
        code: "access_denied",
        description,
    };
    let host = crate::guards::request_host(uri, headers);
    if !allowed_hosts.contains(&host) {
        return Err(forbidden(format!(
            "Host `{host}` is not this mockbank; the admin API answers only to {}",
            allowed_hosts.join(", ")
        )));
    }
    if let Some(origin) = header_str(headers, header::ORIGIN) {
        let own = allowed_hosts
            .iter()
            .any(|h| origin.eq_ignore_ascii_case(&format!("https://{h}")));
        if !own {
            return Err(forbidden(format!(
                "requests from origin `{origin}` are not allowed"
            )));
        }
    }
    let unauthorized = |description: &str| Refusal {
        status: StatusCode::UNAUTHORIZED,
        code: "invalid_token",
        description: description.to_owned(),
    };
    match bearer(headers).or_else(|| cookie(headers, ADMIN_COOKIE)) {
        Some(t) if secrets::hash(&t) == token_hash => Ok(()),
        Some(_) => Err(unauthorized("the admin token is wrong")),
        None => Err(unauthorized(
            "the admin API needs `Authorization: Bearer <admin token>` (the content of admin_token_file)",
        )),
    }
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = header_str(headers, header::AUTHORIZATION)?;
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "0123456789abcdef0123456789abcdef";

    fn decide(headers: &[(&str, &str)]) -> Result<(), Refusal> {
        let hosts = vec!["127.0.0.1:8443".to_owned(), "localhost:8443".to_owned()];
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.append(
                header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                value.parse().unwrap(),
            );
        }
        let uri: Uri = "/admin/traces".parse().unwrap();
        admit(&hosts, &secrets::hash(TOKEN), &uri, &map)
    }

    fn refused(r: Result<(), Refusal>) -> (StatusCode, &'static str, String) {
        let no = r.expect_err("the guard let the request through");
        (no.status, no.code, no.description)
    }

    #[test]
    fn the_right_host_and_token_pass() {
        let bearer = format!("Bearer {TOKEN}");
        assert!(decide(&[("host", "127.0.0.1:8443"), ("authorization", &bearer)]).is_ok());
        // The scheme is case-insensitive, the browser UI's cookie is as good as the header,
        // and mockbank's own origin is welcome.
        let lower = format!("bearer {TOKEN}");
        assert!(decide(&[("host", "localhost:8443"), ("authorization", &lower)]).is_ok());
        let cookie = format!("theme=dark; {ADMIN_COOKIE}={TOKEN}");
        assert!(decide(&[
            ("host", "localhost:8443"),
            ("origin", "https://LOCALHOST:8443"),
            ("cookie", &cookie),
        ])
        .is_ok());
    }

    #[test]
    fn a_foreign_host_is_forbidden_even_with_the_token() {
        let bearer = format!("Bearer {TOKEN}");
        let (status, code, why) = refused(decide(&[
            ("host", "attacker.example:8443"),
            ("authorization", &bearer),
        ]));
        assert_eq!((status, code), (StatusCode::FORBIDDEN, "access_denied"));
        assert!(why.contains("attacker.example:8443"), "{why}");
        assert!(why.contains("127.0.0.1:8443, localhost:8443"), "{why}");
    }

    #[test]
    fn a_foreign_origin_is_forbidden_even_with_the_token() {
        let bearer = format!("Bearer {TOKEN}");
        for origin in ["https://attacker.example", "http://127.0.0.1:8443"] {
            let (status, code, why) = refused(decide(&[
                ("host", "127.0.0.1:8443"),
                ("origin", origin),
                ("authorization", &bearer),
            ]));
            assert_eq!((status, code), (StatusCode::FORBIDDEN, "access_denied"));
            assert!(why.contains(origin), "{why}");
        }
    }

    #[test]
    fn a_missing_or_wrong_token_is_unauthorized() {
        let (status, code, why) = refused(decide(&[("host", "127.0.0.1:8443")]));
        assert_eq!((status, code), (StatusCode::UNAUTHORIZED, "invalid_token"));
        assert!(why.contains("Authorization: Bearer"), "{why}");
        for credential in [
            ("authorization", "Bearer not-the-token"),
            ("authorization", &format!("Basic {TOKEN}")[..]),
            ("cookie", &format!("other_cookie={TOKEN}")[..]),
        ] {
            let got = refused(decide(&[("host", "127.0.0.1:8443"), credential]));
            assert_eq!((got.0, got.1), (StatusCode::UNAUTHORIZED, "invalid_token"));
        }
    }
}
