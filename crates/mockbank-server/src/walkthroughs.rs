//! The admin API of walkthroughs: the scenarios offered, runs that a trainer steps through
//! one step at a time (or re-runs a step with a deviation to "break it"), and a run's
//! handout. Runs live in memory, at most [`MAX_RUNS`] of them (the oldest goes first).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use mockbank_core::scenario::{Action, Scenario};
use mockbank_core::wire::walkthrough::{
    BreakOption, ScenarioRun, ScenarioRunStart, ScenarioView, StepView,
};
use mockbank_tpp::walkthrough::{self, Walkthrough};
use mockbank_tpp::Deviation;
use serde::Deserialize;

use crate::admin_api::{admin_error, reference_client, refuse};
use crate::state::AppState;

/// Runs kept at once.
pub const MAX_RUNS: usize = 32;

type Run = Arc<tokio::sync::Mutex<Walkthrough>>;

/// The runs in progress, newest last.
#[derive(Default)]
pub struct Runs(Mutex<VecDeque<(String, Run)>>);

impl Runs {
    fn insert(&self, id: String, run: Run) {
        let mut runs = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if runs.len() >= MAX_RUNS {
            runs.pop_front();
        }
        runs.push_back((id, run));
    }

    fn get(&self, id: &str) -> Option<Run> {
        let runs = self.0.lock().unwrap_or_else(|p| p.into_inner());
        runs.iter().find(|(i, _)| i == id).map(|(_, r)| r.clone())
    }
}

/// The walkthrough routes, to be merged by `admin::router`, whose guard then covers them;
/// never mount them on their own. They are registered here, and import only `admin_api`, so
/// that the dependency runs one way: `admin` → `walkthroughs`.
pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/admin/scenarios", get(list))
        .route("/admin/scenarios/{name}", get(show))
        .route("/admin/scenarios/{name}/runs", post(start))
        .route("/admin/scenario-runs/{id}", get(run_state))
        .route("/admin/scenario-runs/{id}/steps/{index}", post(step))
        .route("/admin/scenario-runs/{id}/handout", get(handout))
}

fn not_found(what: &str) -> Response {
    refuse(StatusCode::NOT_FOUND, "not_found", what.to_owned())
}

fn scenario<'a>(st: &'a AppState, name: &str) -> Option<&'a Scenario> {
    st.scenarios.iter().find(|s| s.name == name)
}

/// The deviations a trainer may apply to a registration on `profile`.
fn break_options(st: &AppState, profile: &str) -> Vec<BreakOption> {
    let Some(p) = st.profile(profile) else {
        return Vec::new();
    };
    let (flavor, protection) = (p.tpp_flavor(), p.protection_summary());
    Deviation::ALL
        .into_iter()
        .filter(|d| *d != Deviation::None && d.applies_to(flavor, &protection))
        .map(|d| BreakOption {
            name: d.name().to_owned(),
            description: d.description().to_owned(),
        })
        .collect()
}

/// `GET /admin/scenarios`.
async fn list(State(st): State<Arc<AppState>>) -> Response {
    axum::Json(walkthrough::summaries(&st.scenarios)).into_response()
}

/// `GET /admin/scenarios/{name}`: the scenario with each step's narration as HTML and the
/// deviations its "break it" switch offers.
async fn show(State(st): State<Arc<AppState>>, Path(name): Path<String>) -> Response {
    let Some(s) = scenario(&st, &name) else {
        return not_found(&format!("no scenario `{name}`"));
    };
    let steps = s
        .steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let profile = s.profile_of(step, &s.profiles[0]);
            StepView {
                index: i,
                title: step.title.clone(),
                action: step.action,
                profile: step.profile.clone(),
                deviation: step.deviation.clone(),
                narration: step.narration.clone(),
                narration_html: mockbank_tpp::handout::markdown_html(&step.narration),
                point_at: step.point_at.clone(),
                expect: step.expect.clone(),
                break_options: if step.action == Action::Register {
                    break_options(&st, profile)
                } else {
                    Vec::new()
                },
            }
        })
        .collect();
    axum::Json(ScenarioView {
        name: s.name.clone(),
        title: s.title.clone(),
        audience: s.audience.clone(),
        profiles: s.profiles.clone(),
        summary: s.summary.clone(),
        summary_html: mockbank_tpp::handout::markdown_html(&s.summary),
        source: s.source.clone(),
        steps,
    })
    .into_response()
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StartRequest {
    profile: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StepRequest {
    deviation: Option<String>,
}

/// An empty body is the defaults; anything else must be the JSON asked for.
fn parse_body<T: Default + for<'de> Deserialize<'de>>(body: &[u8]) -> Result<T, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(|e| format!("the request is not valid: {e}"))
}

/// `POST /admin/scenarios/{name}/runs` `{"profile"?}`: a new run, nothing executed yet.
async fn start(
    State(st): State<Arc<AppState>>,
    Path(name): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let req: StartRequest = match parse_body(&body) {
        Ok(r) => r,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, "invalid_request", e),
    };
    let Some(s) = scenario(&st, &name).cloned() else {
        return not_found(&format!("no scenario `{name}`"));
    };
    let mut target = match reference_client(&st) {
        Ok(t) => t,
        Err(e) => return admin_error("starting the reference client", e),
    };
    let id = mockbank_tpp::uuid_v4();
    target.state_dir = st.data_dir.join("tpp").join("walkthroughs").join(&id);
    let w = match Walkthrough::new(s, req.profile.as_deref(), target) {
        Ok(w) => w,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, "invalid_request", e.to_string()),
    };
    let answer = ScenarioRunStart {
        run_id: id.clone(),
        name: w.scenario.name.clone(),
        profile: w.profile.clone(),
        steps: w.scenario.steps.len(),
    };
    st.walkthroughs
        .insert(id, Arc::new(tokio::sync::Mutex::new(w)));
    (StatusCode::CREATED, axum::Json(answer)).into_response()
}

/// `POST /admin/scenario-runs/{id}/steps/{index}` `{"deviation"?}`: runs (or re-runs) one
/// step and answers its result, traces included.
async fn step(
    State(st): State<Arc<AppState>>,
    Path((id, index)): Path<(String, usize)>,
    body: axum::body::Bytes,
) -> Response {
    let req: StepRequest = match parse_body(&body) {
        Ok(r) => r,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, "invalid_request", e),
    };
    let Some(run) = st.walkthroughs.get(&id) else {
        return not_found(&format!("no walkthrough run `{id}`"));
    };
    let deviation = match req.deviation.as_deref().map(|n| (n, Deviation::parse(n))) {
        None => None,
        Some((_, Some(d))) => Some(d),
        Some((n, None)) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                format!("no deviation `{n}`"),
            )
        }
    };
    let mut w = run.lock().await;
    if index >= w.scenario.steps.len() {
        return not_found(&format!(
            "the scenario has {} steps",
            w.scenario.steps.len()
        ));
    }
    let result = w.run_step(index, deviation).await;
    axum::Json(result).into_response()
}

/// `GET /admin/scenario-runs/{id}`: every step's latest result (`null`: not run yet).
async fn run_state(State(st): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    let Some(run) = st.walkthroughs.get(&id) else {
        return not_found(&format!("no walkthrough run `{id}`"));
    };
    let w = run.lock().await;
    axum::Json(ScenarioRun {
        run_id: id,
        name: w.scenario.name.clone(),
        profile: w.profile.clone(),
        ok: w.ok(),
        results: w.results.clone(),
    })
    .into_response()
}

#[derive(Debug, Deserialize)]
struct HandoutQuery {
    format: Option<String>,
}

/// `GET /admin/scenario-runs/{id}/handout?format=html|markdown`: the run as a file.
async fn handout(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
    Query(q): Query<HandoutQuery>,
) -> Response {
    let Some(run) = st.walkthroughs.get(&id) else {
        return not_found(&format!("no walkthrough run `{id}`"));
    };
    let w = run.lock().await;
    let (text, mime, ext) = match q.format.as_deref().unwrap_or("html") {
        "html" => (
            mockbank_tpp::handout::html(&w),
            "text/html; charset=utf-8",
            "html",
        ),
        "markdown" | "md" => (
            mockbank_tpp::handout::markdown(&w),
            "text/markdown; charset=utf-8",
            "md",
        ),
        _ => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "format is html or markdown".into(),
            )
        }
    };
    let mut resp = (StatusCode::OK, text).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    if let Ok(v) = HeaderValue::from_str(&attachment(&format!("{}-handout.{ext}", w.scenario.name)))
    {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}

/// `Content-Disposition: attachment` for `name` (RFC 6266 §4.3): an ASCII `filename`
/// fallback without quote, backslash, `%` or control character, and the exact name as
/// `filename*` (UTF-8, percent-encoded as RFC 8187 §3.2.1 says).
fn attachment(name: &str) -> String {
    let fallback: String = name
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\\'))
        .map(|c| if c.is_ascii() && c != '%' { c } else { '_' })
        .collect();
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_attachment_name_is_quoted_safely() {
        assert_eq!(
            super::attachment("we\"ird name\\é\r\n%.html"),
            "attachment; filename=\"weird name__.html\"; filename*=UTF-8''we%22ird%20name%5C%C3%A9%0D%0A%25.html"
        );
        assert_eq!(
            super::attachment("generic-handout.md"),
            "attachment; filename=\"generic-handout.md\"; filename*=UTF-8''generic-handout.md"
        );
    }
}
