//! `/ui/`: the first-run page (`ui/first-run.html`): where everything is, and a
//! ready-to-paste registration command for each profile.

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
    Html(
        include_str!("../../../../ui/first-run.html")
            .replace("{{BASE_URL}}", &escape(&st.base_url))
            .replace("{{PROFILES}}", &rows),
    )
}
