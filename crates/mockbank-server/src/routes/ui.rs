//! `/ui/`: until the web UI is built, a first-run page that shows where everything is and
//! a ready-to-paste registration command for each profile.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Html;

use crate::state::AppState;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub async fn landing(State(st): State<Arc<AppState>>) -> Html<String> {
    let mut rows = String::new();
    for p in st.profiles.iter() {
        let issuer = p.issuer(&st.base_url);
        let curl = format!(
            "curl --cacert ca.pem -H 'Content-Type: application/json' -d '{{\"redirect_uris\":[\"https://tpp.example/cb\"],\"client_name\":\"demo\"}}' {issuer}/register"
        );
        rows.push_str(&format!(
            "<section><h2>{}</h2><p>{}</p><p>Issuer: <code>{}</code> — <a href=\"{}/.well-known/openid-configuration\">discovery</a></p><pre>{}</pre></section>",
            escape(&p.settings.title),
            escape(&p.settings.description),
            escape(&issuer),
            escape(&issuer),
            escape(&curl)
        ));
    }
    Html(format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>mockbank</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}}pre{{background:#f4f4f4;padding:.75rem;white-space:pre-wrap}}</style></head>\
         <body><h1>mockbank is running</h1><p>Base URL <code>{}</code>. The CA certificate is at <a href=\"/directory/ca.pem\">/directory/ca.pem</a>. \
         Traces: <code>GET /admin/traces</code> with the admin token.</p>{rows}</body></html>",
        escape(&st.base_url)
    ))
}
