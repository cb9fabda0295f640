//! Request-shape checks: body size, content type, JSON object (RFC 7591 §3.1).

use super::{CheckCx, CheckDef, ParamSpec, ParamValue, Params, Phase};
use crate::trace::Outcome;
use crate::ErrorCode;

pub(super) const CHECKS: &[&CheckDef] = &[&BODY_SIZE, &CONTENT_TYPE, &JSON_OBJECT];

pub static BODY_SIZE: CheckDef = CheckDef {
    id: "request.body_size",
    title: "Body is within the size limit",
    spec: "RFC 9110 §15.5.14",
    description: "The request body is no larger than the profile's `registration.max_body_bytes`; larger bodies get 413.",
    phase: Phase::Request,
    needs: &[],
    error: ErrorCode::InvalidRequest,
    status: Some(413),
    params: &[],
    run: body_size,
};

fn body_size(cx: &CheckCx, _: &Params) -> Outcome {
    let limit = cx.profile.settings.registration.max_body_bytes;
    match cx.request.body_over_limit {
        Some(limit) => Outcome::fail(format!("the request body exceeds {limit} bytes"))
            .with("max_body_bytes", limit),
        None => Outcome::pass(format!("the body has {} bytes", cx.request.body.len()))
            .with("bytes", cx.request.body.len())
            .with("max_body_bytes", limit),
    }
}

pub static CONTENT_TYPE: CheckDef = CheckDef {
    id: "request.content_type",
    title: "Content-Type is accepted",
    spec: "RFC 7591 §3.1",
    description:
        "The request's media type is one the endpoint accepts (`application/json` for RFC 7591).",
    phase: Phase::Request,
    needs: &[],
    error: ErrorCode::InvalidRequest,
    status: None,
    params: &[ParamSpec {
        name: "allowed",
        doc: "Accepted media types.",
        default: ParamValue::List(&["application/json"]),
    }],
    run: content_type,
};

fn content_type(cx: &CheckCx, params: &Params) -> Outcome {
    let allowed = params.list("allowed");
    let got = cx.request.media_type();
    let outcome = match &got {
        Some(mt) if allowed.iter().any(|a| a == mt) => Outcome::pass(format!("`{mt}` is accepted")),
        Some(mt) => Outcome::fail(format!(
            "Content-Type `{mt}` is not supported; send {}",
            allowed.join(" or ")
        )),
        None => Outcome::fail(format!(
            "the Content-Type header is missing; send {}",
            allowed.join(" or ")
        )),
    };
    outcome
        .with(
            "content_type",
            got.map_or(serde_json::Value::Null, Into::into),
        )
        .with("allowed", allowed)
}

pub static JSON_OBJECT: CheckDef = CheckDef {
    id: "request.json_object",
    title: "Body is one JSON object",
    spec: "RFC 7591 §3.1",
    description: "The body is valid UTF-8 JSON, nests no deeper than 32 levels, and its top level is an object whose members are the metadata.",
    phase: Phase::Request,
    needs: &["request.body_size"],
    error: ErrorCode::InvalidRequest,
    status: None,
    params: &[],
    run: json_object,
};

fn json_object(cx: &CheckCx, _: &Params) -> Outcome {
    match cx.body {
        None => Outcome::skip("this request has no JSON body"),
        Some(Ok(map)) => Outcome::pass(format!("a JSON object with {} members", map.len()))
            .with("members", map.keys().cloned().collect::<Vec<_>>()),
        Some(Err(why)) => Outcome::fail(why.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{generic, run_one};
    use crate::request::{parse_json_object, RequestFacts};
    use crate::trace::OutcomeKind;

    fn with_request(req: RequestFacts, id: &str) -> Outcome {
        let p = generic();
        let body = parse_json_object(&req.body);
        let mut cx = CheckCx::new(0, &p, &req);
        cx.body = Some(&body);
        run_one(&cx, id)
    }

    #[test]
    fn body_size_fails_over_the_limit() {
        let over = RequestFacts {
            body_over_limit: Some(65536),
            ..Default::default()
        };
        let o = with_request(over, "request.body_size");
        assert_eq!(o.kind, OutcomeKind::Fail);
        assert_eq!(o.message, "the request body exceeds 65536 bytes");
        let ok = RequestFacts {
            body: b"{}".to_vec(),
            ..Default::default()
        };
        assert_eq!(
            with_request(ok, "request.body_size").kind,
            OutcomeKind::Pass
        );
    }

    #[test]
    fn content_type_accepts_json_with_parameters_only() {
        let req = |ct: Option<&str>| RequestFacts {
            content_type: ct.map(str::to_owned),
            ..Default::default()
        };
        let ok = with_request(
            req(Some("application/json; charset=utf-8")),
            "request.content_type",
        );
        assert_eq!(ok.kind, OutcomeKind::Pass);
        let bad = with_request(req(Some("text/plain")), "request.content_type");
        assert_eq!(
            bad.message,
            "Content-Type `text/plain` is not supported; send application/json"
        );
        let missing = with_request(req(None), "request.content_type");
        assert_eq!(missing.kind, OutcomeKind::Fail);
    }

    #[test]
    fn json_object_reports_the_parse_problem() {
        let req = RequestFacts {
            body: b"[]".to_vec(),
            ..Default::default()
        };
        let o = with_request(req, "request.json_object");
        assert_eq!(o.kind, OutcomeKind::Fail);
        assert_eq!(
            o.message,
            "the request body must be a JSON object, not an array"
        );
    }
}
