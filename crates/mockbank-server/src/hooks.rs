//! The bank's extension service (`[hooks]`, WSO2 Open Banking accelerator style): called
//! before a client is created, updated or returned. It answers
//! `{"status": "SUCCESS", "data": {...custom metadata...}}` or
//! `{"status": "ERROR", "error": "<RFC 7591 code>", "error_description": "..."}`
//! (docs/extensions.openapi.yaml). The call, its latency and its answer go into the trace.

use std::time::{Duration, Instant};

use base64::Engine;
use mockbank_core::checks::{HookFacts, HookOutcome};
use mockbank_core::profile::HookSecurity;
use mockbank_core::Profile;
use serde_json::{json, Map, Value};

use crate::state::AppState;

/// The three extension points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extension {
    Creation,
    Update,
    Retrieval,
}

impl Extension {
    pub fn name(self) -> &'static str {
        match self {
            Extension::Creation => "pre-process-client-creation",
            Extension::Update => "pre-process-client-update",
            Extension::Retrieval => "pre-process-client-retrieval",
        }
    }
}

/// Calls the extension if the profile enables it for `ext`.
pub async fn call(
    st: &AppState,
    profile: &Profile,
    ext: Extension,
    client_id: Option<&str>,
    metadata: &Map<String, Value>,
    certificate_subject: Option<&str>,
) -> Option<HookFacts> {
    let hooks = profile.settings.hooks.as_ref()?;
    let enabled = match ext {
        Extension::Creation => hooks.pre_process_client_creation,
        Extension::Update => hooks.pre_process_client_update,
        Extension::Retrieval => hooks.pre_process_client_retrieval,
    };
    if !enabled {
        return None;
    }
    let started = Instant::now();
    let timeout = Duration::from_millis(hooks.timeout_ms);
    let outcome = async {
        let mut headers = vec![
            ("content-type", "application/json".to_owned()),
            ("accept", "application/json".to_owned()),
        ];
        match &hooks.security {
            HookSecurity::None => {}
            HookSecurity::Basic { username, password } => {
                let basic = base64::engine::general_purpose::STANDARD
                    .encode(format!("{username}:{password}"));
                headers.push(("authorization", format!("Basic {basic}")));
            }
            HookSecurity::Oauth2 {
                token_url,
                client_id,
                client_secret,
                scope,
            } => {
                let token = st
                    .outbound
                    .client_credentials(
                        token_url,
                        client_id,
                        client_secret,
                        scope.as_deref(),
                        timeout,
                    )
                    .await
                    .map_err(|e| format!("getting a token for the extension failed: {e}"))?;
                headers.push(("authorization", format!("Bearer {token}")));
            }
        }
        let payload = json!({
            "profile": profile.id,
            "operation": ext.name(),
            "client_id": client_id,
            "metadata": metadata,
            "client_certificate": certificate_subject.map(|s| json!({"subject": s})),
        });
        let url = format!("{}/{}", hooks.base_url.trim_end_matches('/'), ext.name());
        let answer = st
            .outbound
            .send(
                "POST",
                &url,
                &headers,
                payload.to_string().into_bytes(),
                timeout,
            )
            .await?;
        interpret(answer.status, &answer.body)
    }
    .await;
    let outcome = match outcome {
        Ok(o) => o,
        Err(why) => HookOutcome::Failed(why),
    };
    Some(HookFacts {
        extension: ext.name().to_owned(),
        latency_ms: started.elapsed().as_millis() as u64,
        outcome,
    })
}

fn interpret(status: u16, body: &[u8]) -> Result<HookOutcome, String> {
    let text = String::from_utf8_lossy(body);
    let excerpt: String = text.chars().take(200).collect();
    let json: Value = serde_json::from_slice(body)
        .map_err(|_| format!("answered {status} with a body that is not JSON: {excerpt:?}"))?;
    match json
        .get("status")
        .and_then(Value::as_str)
        .map(str::to_ascii_uppercase)
        .as_deref()
    {
        Some("SUCCESS") if (200..300).contains(&status) => Ok(HookOutcome::Accepted(
            json.get("data")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default(),
        )),
        Some("ERROR") => Ok(HookOutcome::Rejected {
            error: json
                .get("error")
                .and_then(Value::as_str)
                .unwrap_or("invalid_client_metadata")
                .to_owned(),
            description: json
                .get("error_description")
                .and_then(Value::as_str)
                .unwrap_or("rejected by the bank's registration extension")
                .to_owned(),
        }),
        _ => Err(format!(
            "answered {status} without a SUCCESS or ERROR status: {excerpt:?}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_interpreted() {
        assert!(
            matches!(interpret(200, br#"{"status":"SUCCESS","data":{"x":1}}"#), Ok(HookOutcome::Accepted(d)) if d["x"] == 1)
        );
        assert!(
            matches!(interpret(200, br#"{"status":"ERROR","error":"invalid_redirect_uri","error_description":"no"}"#),
            Ok(HookOutcome::Rejected { error, .. }) if error == "invalid_redirect_uri")
        );
        assert!(interpret(200, b"<html>").unwrap_err().contains("not JSON"));
        assert!(interpret(500, br#"{"status":"SUCCESS"}"#).is_err());
        assert!(interpret(200, br#"{"ok":true}"#).is_err());
    }
}
