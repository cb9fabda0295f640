//! Profiles as served, the check catalogue, and the per-profile check overrides.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mockbank_core::checks::catalogue;
use mockbank_core::wire::admin::{CatalogueCheck, ParamSpecView, ProfileCheckView, ProfileView};
use mockbank_core::{CheckOverride, Profile};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::{admin_error, refuse};
use crate::state::AppState;
use crate::trace_layer::commit_admin;

/// `GET /admin/profiles`.
pub(super) async fn list(State(st): State<Arc<AppState>>) -> Response {
    axum::Json(profile_list(&st)).into_response()
}

/// Every profile with its issuer, discovery document and checks (with their effective
/// parameters): the answer of `GET /admin/profiles`, also read by the desktop app.
pub(crate) fn profile_list(st: &AppState) -> Vec<ProfileView> {
    st.profiles
        .current()
        .iter()
        .map(|p| profile_json(st, p))
        .collect()
}

/// A check's parameters as the catalogue declares them: name, doc, default, and the accepted
/// values of a parameter that takes one of a list.
fn param_specs(def: &mockbank_core::checks::CheckDef) -> Vec<ParamSpecView> {
    def.params
        .iter()
        .map(|p| ParamSpecView {
            name: p.name.to_owned(),
            doc: p.doc.to_owned(),
            default: p.default.to_json(),
            options: p
                .default
                .options()
                .map(|o| o.iter().map(|s| (*s).to_owned()).collect()),
        })
        .collect()
}

/// One profile as the admin API shows it; `enabled` is what runs now, `default_enabled`
/// what the profile file says.
fn profile_json(st: &AppState, p: &Profile) -> ProfileView {
    let checks = p
        .checks
        .iter()
        .map(|c| ProfileCheckView {
            id: c.def.id.to_owned(),
            title: c.def.title.to_owned(),
            spec: c.spec.to_string(),
            phase: c.def.phase,
            severity: c.severity,
            enabled: c.runs(),
            applicable: c.applicable,
            default_enabled: c.default_enabled,
            overridden: c.overridden(),
            error: c.error,
            status: c.status,
            params: c.params().effective(),
            param_specs: param_specs(c.def),
        })
        .collect();
    let discovery = match mockbank_core::discovery::document(p, &st.base_url) {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    ProfileView {
        id: p.id.clone(),
        title: p.settings.title.clone(),
        description: p.settings.description.clone(),
        spec: p.settings.spec.clone(),
        source: p.source.clone(),
        extends: p.extends.clone(),
        issuer: p.issuer(&st.base_url),
        tpp_flavor: p.tpp_flavor(),
        directory: p.settings.directory.clone(),
        protection: p.protection_summary(),
        discovery,
        checks,
        overrides: p.checks.iter().filter(|c| c.overridden()).count(),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckSwitch {
    enabled: bool,
}

/// A change to the check overrides: `Some((check, Some(on)))` switches a check,
/// `Some((check, None))` reverts it, `None` reverts the whole profile.
type OverrideChange<'a> = Option<(&'a str, Option<bool>)>;

/// Stores an override change, then serves the profiles with every stored override applied;
/// answers the profile as it now runs.
async fn change_overrides(st: &AppState, profile: &str, change: OverrideChange<'_>) -> Response {
    let current = st.profiles.current();
    let Some(p) = current.get(profile) else {
        return refuse(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no profile `{profile}`"),
        );
    };
    if let Some((check, enabled)) = change {
        if p.check(check).is_none() {
            return refuse(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("profile `{profile}` has no check `{check}`"),
            );
        }
        let mandatory = mockbank_core::checks::every_profile()
            .iter()
            .any(|(c, _)| c.id == check);
        if mandatory && enabled == Some(false) {
            return refuse(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                format!("`{check}` runs in every profile and cannot be switched off"),
            );
        }
    }
    let _serial = st.profiles.updating.lock().await;
    let write = mockbank_store::Write::CheckOverride {
        profile: profile.to_owned(),
        check: change.map(|(check, _)| check.to_owned()),
        enabled: change.and_then(|(_, enabled)| enabled),
        now: time::OffsetDateTime::now_utc().unix_timestamp(),
    };
    let (method, path, body) = match change {
        Some((check, Some(on))) => (
            "PUT",
            format!("/admin/profiles/{profile}/checks/{check}"),
            json!({"enabled": on}).to_string(),
        ),
        Some((check, None)) => (
            "DELETE",
            format!("/admin/profiles/{profile}/checks/{check}"),
            String::new(),
        ),
        None => (
            "DELETE",
            format!("/admin/profiles/{profile}/overrides"),
            String::new(),
        ),
    };
    // The answer shows the profile as it will run once the change is committed.
    let mut overrides: Vec<CheckOverride> = match st.store.check_overrides() {
        Ok(o) => o
            .into_iter()
            .filter(|o| o.profile != profile || change.is_some_and(|(c, _)| o.check != c))
            .collect(),
        Err(e) => return admin_error("reading the check overrides", e),
    };
    if let Some((check, Some(enabled))) = change {
        overrides.push(CheckOverride {
            profile: profile.to_owned(),
            check: check.to_owned(),
            enabled,
        });
    }
    let preview = st.profiles.preview(&overrides);
    let answer = match preview.get(profile) {
        Some(p) => axum::Json(profile_json(st, p)).into_response(),
        None => return admin_error("changing the check overrides", "the profile disappeared"),
    };
    let answer = commit_admin(st, method, &path, body.as_bytes(), vec![write], answer).await;
    if answer.status().is_success() {
        match st.store.check_overrides() {
            Ok(o) => st.profiles.apply(&o),
            Err(e) => return admin_error("reloading the check overrides", e),
        }
        tracing::info!(profile, ?change, "check overrides changed");
    }
    answer
}

/// `PUT /admin/profiles/{profile}/checks/{check}` `{"enabled": bool}`: switches a check on
/// or off from the next request on, over the profile file; kept across restarts.
pub(super) async fn override_check(
    State(st): State<Arc<AppState>>,
    Path((profile, check)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Response {
    let switch: CheckSwitch = match serde_json::from_slice(&body) {
        Ok(s) => s,
        Err(e) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                format!("expected {{\"enabled\": true|false}}: {e}"),
            )
        }
    };
    change_overrides(&st, &profile, Some((&check, Some(switch.enabled)))).await
}

/// `DELETE /admin/profiles/{profile}/checks/{check}`: back to the profile file's value.
pub(super) async fn revert_check(
    State(st): State<Arc<AppState>>,
    Path((profile, check)): Path<(String, String)>,
) -> Response {
    change_overrides(&st, &profile, Some((&check, None))).await
}

/// `DELETE /admin/profiles/{profile}/overrides`: every check back to the profile file.
pub(super) async fn revert_profile(
    State(st): State<Arc<AppState>>,
    Path(profile): Path<String>,
) -> Response {
    change_overrides(&st, &profile, None).await
}

/// `GET /admin/checks`: the catalogue of every check.
pub(super) async fn checks() -> Response {
    let list: Vec<CatalogueCheck> = catalogue()
        .map(|c| CatalogueCheck {
            id: c.id.to_owned(),
            title: c.title.to_owned(),
            spec: c.spec.to_owned(),
            description: c.description.to_owned(),
            phase: c.phase,
            error: c.error,
            params: param_specs(c),
        })
        .collect();
    axum::Json(list).into_response()
}
