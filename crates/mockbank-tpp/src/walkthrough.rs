//! Walkthroughs: a [`Scenario`]'s steps performed by the reference client against a bank,
//! one at a time (a trainer steps forward, or re-runs a step with a deviation to "break
//! it"), each judged against its expectation, with the traces it caused and the arrows of
//! its sequence diagram (TPP, Directory, Bank).

use std::collections::HashMap;

use mockbank_core::scenario::{Action, Scenario, Step};
use mockbank_core::trace::Trace;
pub use mockbank_core::wire::walkthrough::{
    Arrow, ArrowKind, Lane, RunReport, ScenarioSummary, StepReport, StepResult,
};
use serde_json::{json, Value};

use crate::{Deviation, Flavor, Outcome, Session, Target};

/// A scenario being walked through on one profile.
pub struct Walkthrough {
    pub scenario: Scenario,
    /// The run's profile (the scenario's first unless chosen); steps may name another.
    pub profile: String,
    pub target: Target,
    pub results: Vec<Option<StepResult>>,
    /// The client registered last, per profile.
    clients: HashMap<String, String>,
    /// An initial access token obtained by an `initial_access_token` step, for the next
    /// registration.
    initial_access_token: Option<String>,
}

impl Walkthrough {
    /// A run of `scenario` on `profile` (one of its profiles; `None`: its first). The
    /// target's state dir should be the run's own, so runs do not share clients.
    pub fn new(
        scenario: Scenario,
        profile: Option<&str>,
        target: Target,
    ) -> anyhow::Result<Walkthrough> {
        let profile = match profile {
            None => scenario.profiles[0].clone(),
            Some(p) if scenario.profiles.iter().any(|s| s == p) => p.to_owned(),
            Some(p) => anyhow::bail!(
                "scenario `{}` runs on {}, not `{p}`",
                scenario.name,
                scenario.profiles.join(", ")
            ),
        };
        let steps = scenario.steps.len();
        Ok(Walkthrough {
            scenario,
            profile,
            target,
            results: vec![None; steps],
            clients: HashMap::new(),
            initial_access_token: None,
        })
    }

    /// Whether every step ran and met its expectation.
    pub fn ok(&self) -> bool {
        self.results
            .iter()
            .all(|r| r.as_ref().is_some_and(|r| r.ok))
    }

    /// Runs every step in order.
    pub async fn run_all(&mut self) {
        for i in 0..self.scenario.steps.len() {
            self.run_step(i, None).await;
        }
    }

    /// Runs step `index` (again), with `deviation` instead of the step's own when given
    /// (a "break it" re-run). The result replaces the step's previous one.
    pub async fn run_step(&mut self, index: usize, deviation: Option<Deviation>) -> StepResult {
        let step = self.scenario.steps[index].clone();
        let profile = self.scenario.profile_of(&step, &self.profile).to_owned();
        let deviation = deviation.or_else(|| step.deviation.as_deref().and_then(Deviation::parse));
        let mut result = StepResult {
            index,
            title: step.title.clone(),
            action: step.action,
            profile: profile.clone(),
            deviation: deviation.map(|d| d.name().to_owned()),
            ok: false,
            status: None,
            // A "break it" re-run is judged by what happened, not the correct path's expectation.
            expected: if deviation.map(Deviation::name) == step.deviation.as_deref() {
                step.expect.clone()
            } else {
                None
            },
            deciding_check: None,
            error: None,
            problem: None,
            client_id: None,
            trace_ids: Vec::new(),
            traces: Vec::new(),
            arrows: Vec::new(),
            response: Value::Null,
        };
        match self.perform(&step, &profile, deviation, &mut result).await {
            Ok(()) => self.judge(&step, &mut result),
            Err(e) => result.problem = Some(format!("{e:#}")),
        }
        if let Err(e) = self.target.tag_made("walkthrough").await {
            tracing::warn!("the walkthrough's clients were not tagged as leftovers: {e:#}");
        }
        self.results[index] = Some(result.clone());
        result
    }

    async fn perform(
        &mut self,
        step: &Step,
        profile: &str,
        deviation: Option<Deviation>,
        result: &mut StepResult,
    ) -> anyhow::Result<()> {
        if step.action == Action::Narrate {
            return Ok(());
        }
        let mut session = Session::open(&self.target, profile).await?;
        let out: Outcome = match step.action {
            Action::Narrate => unreachable!("handled above"),
            Action::Onboard => session.onboard().await?,
            Action::InitialAccessToken => {
                let (token, trace_id) = session.issue_initial_access_token().await?;
                self.initial_access_token = Some(token.clone());
                Outcome {
                    profile: profile.to_owned(),
                    deviation: Deviation::None.name(),
                    status: 201,
                    client_id: None,
                    trace_id,
                    deciding_check: None,
                    response: json!({"initial_access_token": mockbank_core::trace::redact_str(&token), "max_uses": 1}),
                }
            }
            Action::Register => {
                session.initial_access_token = self.initial_access_token.take();
                let out = session
                    .register(deviation.unwrap_or(Deviation::None))
                    .await?;
                if out.status == 201 {
                    if let Some(id) = &out.client_id {
                        self.clients.insert(profile.to_owned(), id.clone());
                    }
                }
                out
            }
            Action::Token | Action::Read | Action::Update | Action::Delete => {
                let client_id = self.clients.get(profile).cloned().ok_or_else(|| {
                    anyhow::anyhow!(
                        "no client registered with `{profile}` yet: run a register step first"
                    )
                })?;
                match step.action {
                    Action::Token => session.token(&client_id).await?,
                    Action::Read => session.read(&client_id).await?,
                    Action::Update => session.update(&client_id).await?,
                    _ => session.delete(&client_id).await?,
                }
            }
        };
        result.status = Some(out.status);
        result.client_id = out.client_id.clone();
        result.error = out.response["error"].as_str().map(str::to_owned);
        if let Some(id) = &out.trace_id {
            result.trace_ids.push(id.clone());
            if let Some(t) = self.target.trace(id).await {
                result.deciding_check = t.failed_check.clone();
                result.traces.push(t);
            }
        }
        result.arrows = arrows(
            step.action,
            session.flavor,
            deviation,
            &out,
            result.traces.first(),
        );
        result.response = redact_secrets(out.response);
        Ok(())
    }

    fn judge(&self, step: &Step, r: &mut StepResult) {
        if step.action == Action::Narrate {
            r.ok = true;
            return;
        }
        let mut problems = Vec::new();
        match &r.expected {
            Some(e) => {
                if let Some(s) = e.status.filter(|s| Some(*s) != r.status) {
                    problems.push(format!("expected status {s}, got {}", show(r.status)));
                }
                if let Some(c) = e
                    .check
                    .as_ref()
                    .filter(|c| r.deciding_check.as_ref() != Some(c))
                {
                    problems.push(format!(
                        "expected `{c}` to decide, got {}",
                        r.deciding_check
                            .as_deref()
                            .map_or("no failed check".into(), |d| format!("`{d}`"))
                    ));
                }
                if let Some(code) = e.error.as_ref().filter(|c| r.error.as_ref() != Some(c)) {
                    problems.push(format!(
                        "expected error `{code}`, got {}",
                        r.error.as_deref().unwrap_or("none")
                    ));
                }
            }
            // Without an expectation: the correct path succeeds, a deviation is refused.
            None => {
                let success = r.status.is_some_and(|s| (200..300).contains(&s));
                let deviated = r.deviation.as_deref().is_some_and(|d| d != "none");
                if success == deviated {
                    problems.push(if deviated {
                        format!("the bank accepted it ({})", show(r.status))
                    } else {
                        format!("the bank refused it ({})", show(r.status))
                    });
                }
            }
        }
        r.ok = problems.is_empty();
        if !r.ok {
            r.problem = Some(problems.join("; "));
        }
    }
}

fn show(status: Option<u16>) -> String {
    status.map_or("no answer".into(), |s| s.to_string())
}

/// Responses shown to a room (and kept in handouts) carry no usable credentials: the same
/// redaction as stored traces.
fn redact_secrets(mut v: Value) -> Value {
    mockbank_core::trace::redact_value(&mut v);
    v
}

fn arrows(
    action: Action,
    flavor: Flavor,
    deviation: Option<Deviation>,
    out: &Outcome,
    trace: Option<&Trace>,
) -> Vec<Arrow> {
    let id = out.trace_id.clone();
    let status = Some(out.status);
    let request_line = trace.map(|t| format!("{} {}", t.method, t.path));
    let arrow = |from, to, label: String, kind| Arrow {
        from,
        to,
        label,
        trace_id: id.clone(),
        status: if kind == ArrowKind::Response {
            status
        } else {
            None
        },
        kind,
    };
    let answer = || match out.response["error"].as_str() {
        Some(e) => format!("{} {e}", out.status),
        None => out.status.to_string(),
    };
    let mut v = Vec::new();
    match action {
        Action::Narrate => {}
        Action::Onboard => {
            v.push(arrow(
                Lane::Tpp,
                Lane::Directory,
                request_line.unwrap_or("POST /directory/software".into()),
                ArrowKind::Request,
            ));
            v.push(arrow(
                Lane::Directory,
                Lane::Tpp,
                format!("{}: certificates, keys, SSA", answer()),
                ArrowKind::Response,
            ));
        }
        Action::InitialAccessToken => {
            v.push(arrow(
                Lane::Tpp,
                Lane::Bank,
                "initial access token, please (out of band)".into(),
                ArrowKind::Request,
            ));
            v.push(arrow(
                Lane::Bank,
                Lane::Tpp,
                format!("{}: single-use token", answer()),
                ArrowKind::Response,
            ));
        }
        _ => {
            let mut line = request_line.unwrap_or_else(|| action.name().to_owned());
            if let Some(d) = deviation.filter(|d| *d != Deviation::None) {
                line = format!("{line} [{}]", d.name());
            }
            v.push(arrow(Lane::Tpp, Lane::Bank, line, ArrowKind::Request));
            if action == Action::Register {
                match flavor {
                    Flavor::Obuk | Flavor::Fapi => v.push(arrow(
                        Lane::Bank,
                        Lane::Directory,
                        "SSA signature: directory keys; software status".into(),
                        ArrowKind::Internal,
                    )),
                    Flavor::Stet => v.push(arrow(
                        Lane::Bank,
                        Lane::Directory,
                        "QWAC organisation: licence status".into(),
                        ArrowKind::Internal,
                    )),
                    Flavor::Generic
                        if out.response.get("software_statement").is_some()
                            || deviation == Some(Deviation::MissingSsa) =>
                    {
                        v.push(arrow(
                            Lane::Bank,
                            Lane::Directory,
                            "SSA signature: directory keys".into(),
                            ArrowKind::Internal,
                        ))
                    }
                    Flavor::Generic => {}
                }
            }
            v.push(arrow(Lane::Bank, Lane::Tpp, answer(), ArrowKind::Response));
        }
    }
    v
}

/// The contract's `scenario run --format json`: `{"name","ok","steps":[{"title","ok",
/// "status","trace_ids"}]}`, with each step's judgement beside.
pub fn run_report(w: &Walkthrough) -> RunReport {
    let steps = w
        .results
        .iter()
        .zip(&w.scenario.steps)
        .map(|(r, s)| match r {
            Some(r) => StepReport {
                title: r.title.clone(),
                ok: r.ok,
                status: r.status,
                trace_ids: r.trace_ids.clone(),
                action: Some(r.action),
                profile: Some(r.profile.clone()),
                deviation: r.deviation.clone(),
                expected: r.expected.clone(),
                deciding_check: r.deciding_check.clone(),
                error: r.error.clone(),
                problem: r.problem.clone(),
            },
            None => StepReport {
                title: s.title.clone(),
                ok: false,
                status: None,
                trace_ids: Vec::new(),
                action: None,
                profile: None,
                deviation: None,
                expected: None,
                deciding_check: None,
                error: None,
                problem: Some("not run".into()),
            },
        })
        .collect();
    RunReport {
        name: w.scenario.name.clone(),
        profile: w.profile.clone(),
        ok: w.ok(),
        steps,
    }
}

/// `scenario list --format json` and `GET /admin/scenarios`.
pub fn summaries(all: &[Scenario]) -> Vec<ScenarioSummary> {
    all.iter()
        .map(|s| ScenarioSummary {
            name: s.name.clone(),
            title: s.title.clone(),
            audience: s.audience.clone(),
            profiles: s.profiles.clone(),
            steps: s.steps.len(),
            summary: s.summary.clone(),
            source: s.source.clone(),
        })
        .collect()
}

/// The scenarios with the reference client's deviations as their vocabulary.
pub fn load(
    dir: Option<&std::path::Path>,
    profiles: Option<&[String]>,
) -> Result<Vec<Scenario>, mockbank_core::profile::ProfileError> {
    let names: Vec<&str> = Deviation::ALL.iter().map(|d| d.name()).collect();
    mockbank_core::scenario::load_with_dir(
        dir,
        &mockbank_core::scenario::Vocabulary {
            deviations: &names,
            profiles,
        },
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn shipped_scenarios_use_real_deviations() {
        let all = super::load(None, None).unwrap();
        assert!(all.len() >= 8);
    }
}
