//! `/ui/`: the browser UI (built from `ui/` and embedded by `build.rs`) and its sign-in.
//!
//! - `GET /ui/` serves the UI's `index.html` with a small public bootstrap (base URL, where
//!   the CA is, each profile's issuer and registration endpoint) so the page can show the
//!   first-run commands before it has admin access. Everything else the UI shows comes from
//!   the admin API, which needs the admin token — in the browser, as the `mockbank_admin`
//!   cookie (`HttpOnly; Secure; SameSite=Strict`).
//! - `GET /ui/?login=CODE` redeems a one-time code from the ready line's `ui_url`: it sets
//!   that cookie and redirects to `/ui/`, so the token itself never appears in a URL, a
//!   log or the browser history. A code works once, and only in the process that printed it.
//! - `POST /ui/login` (form field `token`) signs in with the admin token itself, for a second
//!   browser or after the link was used; `POST /ui/logout` clears the cookie.
//! - `GET /ui/assets/...`: Vite's content-hashed files, cacheable for a year.
//!
//! A binary built without `ui/dist` serves `ui/first-run.html` at `/ui/` instead and says how
//! to build the UI.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, PoisonError};

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::admin::ADMIN_COOKIE;
use crate::http_error;
use crate::secrets;
use crate::state::AppState;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/ui_assets.rs"));
}

/// The tag in `ui/index.html` that the server fills with [`bootstrap`].
const BOOTSTRAP_TAG: &str =
    r#"<script id="mockbank-bootstrap" type="application/json">null</script>"#;

/// What the UI pages may load: only their own files and the admin API.
const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; \
                   frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// One-time sign-in codes: SHA-256 of the code → the admin token it opens. Process-wide
/// because a code is minted by [`crate::RunningServer::ready_event`]; redeeming checks that
/// the token is the serving instance's, so two servers in one process cannot mix them up.
static LOGIN_CODES: LazyLock<Mutex<HashMap<Vec<u8>, String>>> = LazyLock::new(Default::default);

fn login_codes() -> MutexGuard<'static, HashMap<Vec<u8>, String>> {
    // The map stays consistent whatever panicked while holding it: insert/remove only.
    LOGIN_CODES.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A one-time link that signs a browser in as the holder of `admin_token`.
pub(crate) fn login_link(base_url: &str, admin_token: &str) -> String {
    let code = secrets::random_token(32);
    login_codes().insert(secrets::hash(&code), admin_token.to_owned());
    format!("{base_url}/ui/?login={code}")
}

/// The admin token behind `code` if it opens the server whose token hashes to
/// `admin_token_hash`; the code is used up.
fn redeem(code: &str, admin_token_hash: &[u8]) -> Option<String> {
    let key = secrets::hash(code);
    let mut codes = login_codes();
    let token = codes.remove(&key)?;
    if secrets::hash(&token) == admin_token_hash {
        Some(token)
    } else {
        // Another server's code: leave it for that one.
        codes.insert(key, token);
        None
    }
}

fn embedded_file(path: &str) -> Option<&'static [u8]> {
    embedded::FILES
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, bytes)| *bytes)
}

#[derive(Debug, Deserialize)]
pub struct IndexQuery {
    login: Option<String>,
}

/// `GET /ui/`: the UI, or the one-time sign-in when `?login=CODE` is given.
pub async fn index(
    State(st): State<Arc<AppState>>,
    uri: Uri,
    headers: HeaderMap,
    Query(q): Query<IndexQuery>,
) -> Response {
    let mut login_error = None;
    if let Some(code) = q.login {
        if !own_host(&st, &uri, &headers) {
            login_error = Some("sign-in links work only at mockbank's own address".to_owned());
        } else if let Some(token) = redeem(&code, &st.admin_token_hash) {
            return with_session(Redirect::to("/ui/").into_response(), Some(&token));
        } else {
            login_error = Some(
                "this sign-in link was already used or comes from an earlier run of mockbank: \
                 paste the admin token below, or restart mockbank for a new link"
                    .to_owned(),
            );
        }
    }
    page(&st, login_error.as_deref())
}

/// `GET /ui/{*path}`: a file of the built UI.
pub async fn asset(State(st): State<Arc<AppState>>, Path(path): Path<String>) -> Response {
    if path == "index.html" {
        return page(&st, None);
    }
    let Some(bytes) = embedded_file(&path) else {
        return http_error::json(
            StatusCode::NOT_FOUND,
            &json!({"error": "not_found", "error_description": format!("nothing at /ui/{path}")}),
        );
    };
    let cache = if path.starts_with("assets/") {
        // Vite names these after their content: a new build means new names.
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut resp = (StatusCode::OK, bytes).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(&path)),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    resp
}

#[derive(Deserialize)]
pub struct LoginForm {
    token: String,
}

/// `POST /ui/login` with `token=<admin token>`: sets the session cookie (204) or answers 401.
pub async fn login(
    State(st): State<Arc<AppState>>,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    if let Some(refused) = cross_origin_refusal(&st, &uri, &headers) {
        return refused;
    }
    let token = form.token.trim();
    if token.is_empty() || secrets::hash(token) != st.admin_token_hash {
        return http_error::json(
            StatusCode::UNAUTHORIZED,
            &json!({"error": "invalid_token",
                    "error_description": "that is not this mockbank's admin token (the content of admin_token_file)"}),
        );
    }
    with_session(StatusCode::NO_CONTENT.into_response(), Some(token))
}

/// `POST /ui/logout`: clears the session cookie.
pub async fn logout(State(st): State<Arc<AppState>>, uri: Uri, headers: HeaderMap) -> Response {
    if let Some(refused) = cross_origin_refusal(&st, &uri, &headers) {
        return refused;
    }
    with_session(StatusCode::NO_CONTENT.into_response(), None)
}

/// Sets (`Some(token)`) or clears (`None`) the admin cookie on `resp`.
fn with_session(mut resp: Response, token: Option<&str>) -> Response {
    let cookie = match token {
        Some(t) => format!("{ADMIN_COOKIE}={t}; HttpOnly; Secure; SameSite=Strict; Path=/"),
        None => format!("{ADMIN_COOKIE}=; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=0"),
    };
    match HeaderValue::from_str(&cookie) {
        Ok(v) => {
            let h = resp.headers_mut();
            h.insert(header::SET_COOKIE, v);
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            h.insert(
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            );
            resp
        }
        // Only a hand-edited token file with characters a cookie cannot carry gets here.
        Err(_) => http_error::json(
            StatusCode::INTERNAL_SERVER_ERROR,
            &json!({"error": "server_error",
                    "error_description": "the admin token has characters a cookie cannot carry; delete admin_token_file and restart mockbank"}),
        ),
    }
}

fn own_host(st: &AppState, uri: &Uri, headers: &HeaderMap) -> bool {
    st.allowed_hosts
        .contains(&crate::guards::request_host(uri, headers))
}

/// The admin API's rules for a state-changing request: mockbank's own `Host` (DNS
/// rebinding) and, when a browser names one, mockbank's own `Origin` (cross-site forms).
/// Returns the refusal when they are not met.
fn cross_origin_refusal(st: &AppState, uri: &Uri, headers: &HeaderMap) -> Option<Response> {
    let refuse = |description: String| {
        http_error::json(
            StatusCode::FORBIDDEN,
            &json!({"error": "access_denied", "error_description": description}),
        )
    };
    let host = crate::guards::request_host(uri, headers);
    if !st.allowed_hosts.contains(&host) {
        return Some(refuse(format!("Host `{host}` is not this mockbank")));
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let own = st
            .allowed_hosts
            .iter()
            .any(|h| origin.eq_ignore_ascii_case(&format!("https://{h}")));
        if !own {
            return Some(refuse(format!(
                "requests from origin `{origin}` are not allowed"
            )));
        }
    }
    None
}

/// What the UI may know before it signs in: nothing that is not public anyway.
pub(crate) fn bootstrap(st: &AppState, login_error: Option<&str>) -> Value {
    let profiles: Vec<Value> = st
        .profiles
        .current()
        .iter()
        .map(|p| {
            let doc = mockbank_core::discovery::document(p, &st.base_url);
            json!({
                "id": p.id,
                "title": p.settings.title,
                "description": p.settings.description,
                "issuer": p.issuer(&st.base_url),
                "registration_endpoint": doc["registration_endpoint"],
                "first_run": first_run(st, p, doc["registration_endpoint"].as_str().unwrap_or_default()),
            })
        })
        .collect();
    json!({
        "base_url": st.base_url,
        "ca_url": "/directory/ca.pem",
        // Where this server keeps its admin token, for the sign-in form's hint: the data dir
        // is in the first-run commands already.
        "admin_token_file": st.data_dir.join(crate::ADMIN_TOKEN_FILE),
        "version": env!("CARGO_PKG_VERSION"),
        "profiles": profiles,
        "login_error": login_error,
    })
}

/// A shell-quoted word.
fn sh(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:=@".contains(&b))
    {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// The command that gets a first 201 from `p`, pasted as it is on this machine: curl for an
/// open JSON profile, else the built-in reference TPP (directory credentials, mTLS, signing).
fn first_run(st: &AppState, p: &mockbank_core::Profile, endpoint: &str) -> Value {
    let ca = st.data_dir.join("ca.pem");
    let open_json = p.tpp_flavor() == mockbank_core::profile::Flavor::Generic
        && p.settings.protection.bearer == mockbank_core::profile::BearerProtection::None
        && p.settings.protection.software_statement
            != mockbank_core::profile::StatementMode::Required
        && !p.settings.protection.signed_request;
    if open_json {
        let body = r#"{"redirect_uris":["https://tpp.example/cb"],"client_name":"demo"}"#;
        json!({
            "command": format!("curl --cacert {} -H 'Content-Type: application/json' \\\n  -d {} \\\n  {endpoint}", sh(&ca.to_string_lossy()), sh(body)),
            "note": "An open RFC 7591 registration: the answer carries client_id, client_secret and the registration access token.",
        })
    } else {
        let cli = st
            .cli_path
            .as_ref()
            .map_or_else(|| "mockbank".to_owned(), |c| sh(&c.to_string_lossy()));
        json!({
            "command": format!("{cli} tpp register --profile {} --data-dir {}", sh(&p.id), sh(&st.data_dir.to_string_lossy())),
            "note": "The built-in reference TPP mints directory credentials, signs and sends the request over mutual TLS as this profile wants it.",
        })
    }
}

/// JSON that can sit inside a `<script>` element: no `<`, `>` or `&` outside escapes.
fn script_json(v: &Value) -> String {
    v.to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// The UI's `index.html` with its bootstrap, or the first-run page when no UI is built in.
fn page(st: &AppState, login_error: Option<&str>) -> Response {
    let html = match embedded_file("index.html") {
        Some(index) => String::from_utf8_lossy(index).replacen(
            BOOTSTRAP_TAG,
            &format!(
                r#"<script id="mockbank-bootstrap" type="application/json">{}</script>"#,
                script_json(&bootstrap(st, login_error))
            ),
            1,
        ),
        None => first_run_page(st, login_error),
    };
    let mut resp = (StatusCode::OK, html).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    resp
}

use mockbank_core::report::escape_markup as escape;

/// `ui/first-run.html`: where everything is and a ready-to-paste command per profile.
fn first_run_page(st: &AppState, login_error: Option<&str>) -> String {
    let mut rows = String::new();
    for p in st.profiles.current().iter() {
        let issuer = p.issuer(&st.base_url);
        let endpoint = mockbank_core::discovery::document(p, &st.base_url)["registration_endpoint"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let curl = first_run(st, p, &endpoint)["command"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        rows.push_str(&format!(
            "<section><h2>{}</h2><p>{}</p><p>Issuer: <code>{}</code> — <a href=\"{}/.well-known/openid-configuration\">discovery</a></p><pre>{}</pre></section>",
            escape(&p.settings.title),
            escape(&p.settings.description),
            escape(&issuer),
            escape(&issuer),
            escape(&curl)
        ));
    }
    let mut notice = String::from(
        "<p class=\"notice\">This mockbank was built without its browser UI. Build it with \
         <code>npm ci &amp;&amp; npm run build</code> in <code>ui/</code> and rebuild mockbank \
         (<code>./scripts/run.sh</code> does both); meanwhile the traces are at \
         <code>GET /admin/traces</code>.</p>",
    );
    if let Some(e) = login_error {
        notice.push_str(&format!("<p class=\"notice\">{}</p>", escape(e)));
    }
    include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        env!("MOCKBANK_FIRST_RUN_HTML")
    ))
    .replace("{{BASE_URL}}", &escape(&st.base_url))
    .replace("{{NOTICE}}", &notice)
    .replace(
        "{{PROFILES}}",
        &format!(
            r#"{rows}<script id="mockbank-bootstrap" type="application/json">{}</script>"#,
            script_json(&bootstrap(st, login_error))
        ),
    )
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json" | "map") => "application/json",
        Some("webmanifest") => "application/manifest+json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        Some("woff") => "font/woff",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_login_code_opens_its_own_server_once() {
        let token = secrets::random_token(32);
        let other = secrets::hash(&secrets::random_token(32));
        let link = login_link("https://127.0.0.1:1", &token);
        let code = link
            .strip_prefix("https://127.0.0.1:1/ui/?login=")
            .expect("link shape");
        assert_eq!(redeem(code, &other), None, "another server's token");
        assert_eq!(redeem(code, &secrets::hash(&token)), Some(token.clone()));
        assert_eq!(redeem(code, &secrets::hash(&token)), None, "used up");
        assert_eq!(redeem("made-up", &secrets::hash(&token)), None);
    }

    #[test]
    fn bootstrap_json_cannot_close_its_script_element() {
        let v = json!({"title": "</script><script>alert(1)</script> & more"});
        let s = script_json(&v);
        assert!(
            !s.contains('<') && !s.contains('>') && !s.contains('&'),
            "{s}"
        );
        assert_eq!(serde_json::from_str::<Value>(&s).expect("still JSON"), v);
    }

    #[test]
    fn assets_get_their_media_types() {
        assert_eq!(
            content_type("assets/index-3f9a.js"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            content_type("assets/index-3f9a.css"),
            "text/css; charset=utf-8"
        );
        assert_eq!(content_type("favicon.svg"), "image/svg+xml");
        assert_eq!(content_type("LICENSE"), "application/octet-stream");
    }

    #[test]
    fn a_built_ui_has_the_bootstrap_tag() {
        // Without `ui/dist` (a Rust-only build) there is nothing to check.
        if let Some(index) = embedded_file("index.html") {
            let html = String::from_utf8_lossy(index);
            assert!(
                html.contains(BOOTSTRAP_TAG),
                "ui/index.html lost {BOOTSTRAP_TAG}"
            );
        }
    }
}
