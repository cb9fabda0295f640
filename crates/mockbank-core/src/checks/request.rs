//! Request checks: body size, content type, JSON object (RFC 7591 §3.1), and a signed
//! request body — a compact JWS, its algorithm, no embedded key, its signature (OBIE DCR
//! v3.2 §4).

use serde_json::Value;

use super::signed::{request, signed, FAPI_ALGS};
use super::{CheckCx, CheckDef, ParamSpec, ParamValue, Params, Phase};
use crate::signed::Jws;
use crate::trace::Outcome;
use crate::ErrorCode;

pub(super) const CHECKS: &[&CheckDef] = &[
    &BODY_SIZE,
    &CONTENT_TYPE,
    &JSON_OBJECT,
    &REQUEST_JWS,
    &REQUEST_ALG,
    &REQUEST_NO_EMBEDDED_KEY,
    &REQUEST_SIGNATURE,
];

/// The checks that judge a signed request body (for [`super::signed::applies`]).
pub(super) const JWS_CHECKS: &[&CheckDef] = &[
    &REQUEST_JWS,
    &REQUEST_ALG,
    &REQUEST_NO_EMBEDDED_KEY,
    &REQUEST_SIGNATURE,
];

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

// --- the request JWS (§4 #4-6) ---

pub static REQUEST_JWS: CheckDef = CheckDef {
    id: "request.jws_parse",
    title: "Request is a compact JWS",
    spec: "OBIE DCR v3.2 §Registration Request",
    description:
        "The body is a compact JWS (three parts, JSON header and claims) — not a JSON object.",
    phase: Phase::Request,
    needs: &["request.body_size"],
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[],
    run: request_jws,
};

fn request_jws(cx: &CheckCx, _: &Params) -> Outcome {
    match signed(cx).and_then(|s| s.request.as_ref()) {
        None => Outcome::skip("this profile takes JSON bodies, not signed requests"),
        Some(Ok(jws)) => Outcome::pass("the body is a compact JWS")
            .with("header", Value::Object(jws.header.clone())),
        Some(Err(why)) => Outcome::fail(format!(
            "registration request must be a signed JWT (application/jose): {why}"
        )),
    }
}

pub static REQUEST_ALG: CheckDef = CheckDef {
    id: "request.jws_alg",
    title: "Request signed with a FAPI algorithm",
    spec: "OBIE DCR v3.2 §Registration Request, FAPI-RW §8.6",
    description:
        "The request's `alg` is one of `algs` (PS256, ES256); `none`, HS* and RS256 are refused.",
    phase: Phase::Request,
    needs: &["request.jws_parse"],
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[ParamSpec {
        name: "algs",
        doc: "Accepted JWS algorithms.",
        default: ParamValue::List(FAPI_ALGS),
    }],
    run: request_alg,
};

fn request_alg(cx: &CheckCx, params: &Params) -> Outcome {
    let Some(jws) = request(cx) else {
        return Outcome::skip("no request JWS");
    };
    let algs = params.list("algs");
    let o = if algs.iter().any(|a| a == jws.alg()) {
        Outcome::pass(format!("signed with {}", jws.alg()))
    } else {
        Outcome::fail(format!(
            "Registration Request JWT is invalid: algorithm `{}` is not allowed (allowed: {})",
            jws.alg(),
            algs.join(", ")
        ))
    };
    o.with("alg", jws.alg()).with("allowed", algs)
}

pub static REQUEST_NO_EMBEDDED_KEY: CheckDef = CheckDef {
    id: "request.jws_no_embedded_key",
    title: "No embedded or referenced key",
    spec: "OBIE DCR v3.2 §Of JWS & JWKS",
    description: "The request header does not carry or point at its key (`jwk`, `x5c`, `jku`, `x5u`): the key must come from the SSA's JWKS.",
    phase: Phase::Request,
    needs: &["request.jws_parse"],
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[],
    run: request_no_embedded_key,
};

fn request_no_embedded_key(cx: &CheckCx, _: &Params) -> Outcome {
    let Some(jws) = request(cx) else {
        return Outcome::skip("no request JWS");
    };
    match ["jwk", "x5c", "jku", "x5u"].iter().find(|h| jws.header.contains_key(**h)) {
        Some(h) => Outcome::fail(format!("the request JWS header must not contain `{h}`: keys come from the software statement's JWKS")),
        None => Outcome::pass("the key is identified by `kid` only").with("kid", jws.kid().unwrap_or("")),
    }
}

pub static REQUEST_SIGNATURE: CheckDef = CheckDef {
    id: "request.jws_signature",
    title: "Request signed by the software's key",
    spec: "OBIE Directory §Request Validation",
    description: "The request verifies with the key of its `kid` among the `use: sig` keys at the SSA's `software_jwks_endpoint` (served from the directory, never fetched per request).",
    phase: Phase::Statement,
    needs: &["request.jws_alg", "ssa.signature"],
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[],
    run: request_signature,
};

fn request_signature(cx: &CheckCx, _: &Params) -> Outcome {
    let kid = request(cx).and_then(Jws::kid).unwrap_or("").to_owned();
    match signed(cx).and_then(|s| s.request_signature.as_ref()) {
        None => Outcome::skip("the request signature was not checked"),
        Some(Ok(())) => {
            Outcome::pass("the request verifies with the software's signing key").with("kid", kid)
        }
        Some(Err(why)) => Outcome::fail(format!(
            "Registration Request JWT is invalid: Expected JWT to have a valid signature ({why})"
        ))
        .with("kid", kid),
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

    /// The signed-request checks on OBUK's signed bodies (OBIE DCR v3.2 §4 #4-6).
    mod signed_requests {
        use crate::checks::testing::{compact, run_signed, shipped, signed_facts};
        use crate::signed::Jws;
        use crate::trace::OutcomeKind;
        use serde_json::json;

        fn request(alg: &str, extra_header: serde_json::Value) -> String {
            let mut header = json!({"alg": alg, "kid": "k1", "typ": "JWT"});
            for (k, v) in extra_header.as_object().unwrap() {
                header[k] = v.clone();
            }
            compact(header, json!({"iss": "software", "aud": "bank"}))
        }

        #[test]
        fn a_body_that_is_not_a_jws_fails_to_parse() {
            let obuk = shipped("obuk-v3.2");
            let mut facts = signed_facts(&request("PS256", json!({})), None);
            facts.request = Some(Jws::parse("{\"redirect_uris\": []}"));
            let o = run_signed(&obuk, "request.jws_parse", &facts);
            assert_eq!(o.kind, OutcomeKind::Fail);
            assert!(o.message.contains("must be a signed JWT"), "{}", o.message);
            let ok = run_signed(
                &obuk,
                "request.jws_parse",
                &signed_facts(&request("PS256", json!({})), None),
            );
            assert_eq!(ok.kind, OutcomeKind::Pass);
        }

        #[test]
        fn only_the_profiles_algorithms_are_accepted() {
            let strict = shipped("obuk-v3.2");
            let lenient = shipped("obuk-v3.2-lenient");
            for (alg, strict_ok) in [
                ("PS256", true),
                ("ES256", true),
                ("RS256", false),
                ("HS256", false),
                ("none", false),
            ] {
                let facts = signed_facts(&request(alg, json!({})), None);
                let o = run_signed(&strict, "request.jws_alg", &facts);
                assert_eq!(
                    o.kind == OutcomeKind::Pass,
                    strict_ok,
                    "{alg}: {}",
                    o.message
                );
            }
            let rs256 = signed_facts(&request("RS256", json!({})), None);
            assert_eq!(
                run_signed(&lenient, "request.jws_alg", &rs256).kind,
                OutcomeKind::Pass,
                "the lenient profile lists RS256"
            );
        }

        #[test]
        fn a_key_embedded_in_the_header_is_refused() {
            let obuk = shipped("obuk-v3.2");
            for header in [
                json!({"jwk": {"kty": "EC"}}),
                json!({"jku": "https://attacker.example/jwks"}),
                json!({"x5c": ["MIIB"]}),
            ] {
                let facts = signed_facts(&request("PS256", header.clone()), None);
                let o = run_signed(&obuk, "request.jws_no_embedded_key", &facts);
                assert_eq!(o.kind, OutcomeKind::Fail, "{header}: {}", o.message);
            }
            let plain = signed_facts(&request("PS256", json!({})), None);
            assert_eq!(
                run_signed(&obuk, "request.jws_no_embedded_key", &plain).kind,
                OutcomeKind::Pass
            );
        }

        #[test]
        fn the_signature_verdict_and_its_kid_reach_the_trace() {
            let obuk = shipped("obuk-v3.2");
            let mut facts = signed_facts(&request("PS256", json!({})), None);
            facts.request_signature = Some(Err("no key `k1` verifies it".into()));
            let o = run_signed(&obuk, "request.jws_signature", &facts);
            assert_eq!(o.kind, OutcomeKind::Fail);
            assert!(
                o.message.contains("k1") || o.values.values().any(|v| v == "k1"),
                "{o:?}"
            );
            facts.request_signature = None;
            assert_ne!(
                run_signed(&obuk, "request.jws_signature", &facts).kind,
                OutcomeKind::Pass,
                "not checked is not a pass"
            );
        }
    }
}
