//! Walkthroughs on the wire: the scenarios offered, a run and its steps' results, and the
//! arrows of each step's sequence diagram (the one model the UI and the handout both draw).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::scenario::{Action, Expect, PointAt};
use crate::trace::Trace;

/// A lane of the sequence diagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub enum Lane {
    Tpp,
    Directory,
    Bank,
}

impl Lane {
    pub const ALL: [Lane; 3] = [Lane::Tpp, Lane::Directory, Lane::Bank];

    /// Its heading on a diagram.
    pub const fn title(self) -> &'static str {
        match self {
            Lane::Tpp => "TPP",
            Lane::Directory => "Directory",
            Lane::Bank => "Bank",
        }
    }
}

/// What an arrow shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub enum ArrowKind {
    Request,
    Response,
    /// What the bank consults on its own side.
    Internal,
}

/// One arrow of a step's sequence diagram.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Arrow {
    pub from: Lane,
    pub to: Lane,
    pub label: String,
    /// The trace of the exchange, when the bank recorded one.
    pub trace_id: Option<String>,
    /// On responses.
    pub status: Option<u16>,
    pub kind: ArrowKind,
}

/// What one step did, judged against its expectation
/// (`POST /admin/scenario-runs/{id}/steps/{index}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct StepResult {
    /// 0-based.
    pub index: usize,
    pub title: String,
    pub action: Action,
    pub profile: String,
    /// The deviation it ran with (a "break it" re-run's, or the step's own).
    pub deviation: Option<String>,
    /// Met its expectation (without one: a correct request succeeded, a deviation was refused).
    pub ok: bool,
    /// Null when nothing was answered.
    pub status: Option<u16>,
    /// Null on a "break it" re-run: it is judged by what happened.
    pub expected: Option<Expect>,
    /// The check that decided the response (the trace's `failed_check`).
    pub deciding_check: Option<String>,
    /// The answer's `error` code.
    pub error: Option<String>,
    /// Why `ok` is false, or what went wrong before anything was sent.
    pub problem: Option<String>,
    pub client_id: Option<String>,
    pub trace_ids: Vec<String>,
    /// The traces themselves, as `GET /admin/traces/{id}` answers them (absent when none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(test, ts(optional, as = "Option<Vec<Trace>>"))]
    pub traces: Vec<Trace>,
    pub arrows: Vec<Arrow>,
    /// The answer's body, credentials shortened.
    pub response: Value,
}

/// `GET /admin/scenario-runs/{id}`: each step's latest result (null: not run yet).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ScenarioRun {
    pub run_id: String,
    pub name: String,
    pub profile: String,
    pub ok: bool,
    pub results: Vec<Option<StepResult>>,
}

/// `POST /admin/scenarios/{name}/runs`: a run, nothing executed yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ScenarioRunStart {
    pub run_id: String,
    pub name: String,
    pub profile: String,
    /// How many steps.
    pub steps: usize,
}

/// `GET /admin/scenarios` and `scenario list --format json`: one walkthrough offered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ScenarioSummary {
    pub name: String,
    pub title: String,
    pub audience: String,
    /// The profiles it runs on; the first is the default.
    pub profiles: Vec<String>,
    /// How many steps.
    pub steps: usize,
    /// Markdown.
    pub summary: String,
    /// The file it came from (`builtin` for a shipped one).
    pub source: String,
}

/// A deviation a trainer may apply to a step ("break it").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct BreakOption {
    pub name: String,
    /// Text with `backtick` spans.
    pub description: String,
}

/// One step of a scenario, as `GET /admin/scenarios/{name}` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct StepView {
    /// 0-based.
    pub index: usize,
    pub title: String,
    pub action: Action,
    /// Null: the run's profile.
    pub profile: Option<String>,
    /// The deviation the step is written with (a failure clinic's steps), if any.
    pub deviation: Option<String>,
    /// Markdown.
    pub narration: String,
    /// The narration rendered by the server: safe to inject.
    pub narration_html: String,
    pub point_at: PointAt,
    pub expect: Option<Expect>,
    /// Empty for all but registration steps.
    pub break_options: Vec<BreakOption>,
}

/// `GET /admin/scenarios/{name}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ScenarioView {
    pub name: String,
    pub title: String,
    pub audience: String,
    pub profiles: Vec<String>,
    /// Markdown.
    pub summary: String,
    /// The summary rendered by the server: safe to inject.
    pub summary_html: String,
    pub source: String,
    pub steps: Vec<StepView>,
}

/// One step of `scenario run --format json` (the contract's `{"title","ok","status",
/// "trace_ids"}`, with the step's judgement beside; `problem` is `not run` for a step
/// that did not run).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct StepReport {
    pub title: String,
    pub ok: bool,
    pub status: Option<u16>,
    pub trace_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub action: Option<Action>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub profile: Option<String>,
    #[serde(default)]
    pub deviation: Option<String>,
    #[serde(default)]
    pub expected: Option<Expect>,
    #[serde(default)]
    pub deciding_check: Option<String>,
    #[serde(default)]
    pub error: Option<String>,
    pub problem: Option<String>,
}

/// `scenario run --format json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct RunReport {
    pub name: String,
    pub profile: String,
    pub ok: bool,
    pub steps: Vec<StepReport>,
}
