//! The bank's extension service (WSO2's pre-process extensions): its verdict on a request
//! that passed every other check.

use serde_json::Value;

use super::{CheckCx, CheckDef, HookOutcome, Params, Phase};
use crate::trace::Outcome;
use crate::ErrorCode;

pub(super) const CHECKS: &[&CheckDef] = &[&HOOK];

// --- the extension service (WSO2 pre-process extensions) ---

pub static HOOK: CheckDef = CheckDef {
    id: "hook.pre_process",
    title: "Extension service accepts",
    spec: "WSO2 OB accelerator OpenAPI extensions",
    description: "The bank's extension (`[hooks]`) is called once every other check passed; it may reject (its error code and description reach the client) or add custom metadata. A timeout or an unusable answer fails with 503 temporarily_unavailable.",
    phase: Phase::Extension,
    needs: &[],
    error: ErrorCode::TemporarilyUnavailable,
    status: None,
    params: &[],
    run: hook,
};

fn hook(cx: &CheckCx, _: &Params) -> Outcome {
    let Some(h) = cx.hook else {
        return Outcome::skip("no extension configured for this operation");
    };
    let o = match &h.outcome {
        HookOutcome::Accepted(data) => Outcome::pass(format!("{} accepted", h.extension))
            .with("custom_metadata", Value::Object(data.clone())),
        HookOutcome::Rejected { error, description } => {
            Outcome::fail(description.clone()).with("error", error.as_str())
        }
        HookOutcome::Failed(why) => Outcome::fail(format!(
            "the registration extension {} failed: {why}",
            h.extension
        )),
    };
    o.with("extension", h.extension.as_str())
        .with("latency_ms", h.latency_ms)
}
