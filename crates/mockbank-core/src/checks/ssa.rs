//! Software statement checks (RFC 7591 §2.3; OBIE Directory): present, a JWS, its algorithm,
//! issuer, signature, lifetime, claims, directory status and replay — for OBUK and for every
//! profile that reads statements.

use serde_json::Value;

use super::signed::{signed, ssa, FAPI_ALGS};
use super::{CheckCx, CheckDef, ParamSpec, ParamValue, Params, Phase};
use crate::profile::StatementMode;
use crate::signed::Jws;
use crate::trace::Outcome;
use crate::ErrorCode;

pub(super) const CHECKS: &[&CheckDef] = &[
    &SSA_PRESENT,
    &SSA_JWS,
    &SSA_ALG,
    &SSA_ISSUER,
    &SSA_SIGNATURE,
    &SSA_VALIDITY,
    &SSA_CLAIMS,
    &SSA_STATUS,
    &SSA_JTI,
];

// --- the software statement (§4 #7-16) ---

pub static SSA_PRESENT: CheckDef = CheckDef {
    id: "ssa.present",
    title: "Software statement present",
    spec: "OBIE DCR v3.2 §Data Model, RFC 7591 §2.3",
    description: "The request carries `software_statement` as a string.",
    phase: Phase::Statement,
    needs: &[],
    error: ErrorCode::InvalidSoftwareStatement,
    status: None,
    params: &[],
    run: ssa_present,
};

fn ssa_present(cx: &CheckCx, _: &Params) -> Outcome {
    let Some(claims) = cx.metadata() else {
        return Outcome::skip("no registration metadata");
    };
    let settings = &cx.profile.settings;
    let mode = if settings.registration.format == crate::profile::RequestFormat::Jws {
        StatementMode::Required
    } else {
        settings.protection.software_statement
    };
    match (mode, claims.get("software_statement")) {
        (StatementMode::Ignored, _) => {
            return Outcome::skip("this profile does not process software statements")
        }
        (StatementMode::Optional, None) => {
            return Outcome::skip("no software statement (optional here)")
        }
        _ => {}
    }
    match claims.get("software_statement") {
        Some(Value::String(_)) => Outcome::pass("`software_statement` is present"),
        Some(_) => Outcome::fail("Registration Request contains an invalid software_statement, software_statement claim must be a string"),
        None => Outcome::fail("Required parameter software_statement not found"),
    }
}

pub static SSA_JWS: CheckDef = CheckDef {
    id: "ssa.jws_parse",
    title: "Software statement is a signed JWT",
    spec: "OBIE Directory §SSA, RFC 7591 §2.3",
    description: "The SSA is a compact JWS with a signature (an unsigned `header.payload.` is not an encoded signed JWT).",
    phase: Phase::Statement,
    needs: &["ssa.present"],
    error: ErrorCode::InvalidSoftwareStatement,
    status: None,
    params: &[],
    run: ssa_jws,
};

fn ssa_jws(cx: &CheckCx, _: &Params) -> Outcome {
    match signed(cx).and_then(|s| s.ssa.as_ref()) {
        None => Outcome::skip("no software statement"),
        Some(Ok(j)) if j.unsigned => Outcome::fail("Registration Request contains an invalid software_statement, software_statement claim is not an encoded JWT (its signature is empty)"),
        Some(Ok(j)) => Outcome::pass("the SSA is a compact JWS").with("header", Value::Object(j.header.clone())),
        Some(Err(why)) => Outcome::fail(format!("Registration Request contains an invalid software_statement, software_statement claim is not an encoded JWT ({why})")),
    }
}

pub static SSA_ALG: CheckDef = CheckDef {
    id: "ssa.alg",
    title: "Software statement algorithm",
    spec: "OBIE Directory §SSA",
    description:
        "The SSA's `alg` is PS256 or ES256; `none` only where self-signed SSAs are allowed.",
    phase: Phase::Statement,
    needs: &["ssa.jws_parse"],
    error: ErrorCode::InvalidSoftwareStatement,
    status: None,
    params: &[ParamSpec {
        name: "algs",
        doc: "Accepted SSA algorithms.",
        default: ParamValue::List(FAPI_ALGS),
    }],
    run: ssa_alg,
};

fn ssa_alg(cx: &CheckCx, params: &Params) -> Outcome {
    let Some(jws) = ssa(cx) else {
        return Outcome::skip("no SSA");
    };
    let algs = params.list("algs");
    let o = if algs.iter().any(|a| a == jws.alg()) {
        Outcome::pass(format!("the SSA is signed with {}", jws.alg()))
    } else {
        Outcome::fail(format!("Registration Request contains an invalid software_statement, algorithm `{}` is not allowed", jws.alg()))
    };
    o.with("alg", jws.alg()).with("allowed", algs)
}

pub static SSA_ISSUER: CheckDef = CheckDef {
    id: "ssa.issuer_trusted",
    title: "Software statement from a trusted directory",
    spec: "OBIE Directory §SSA, RFC 7591 §3.2.2",
    description: "The SSA's `iss` is a directory the bank trusts.",
    phase: Phase::Statement,
    needs: &["ssa.jws_parse"],
    error: ErrorCode::UnapprovedSoftwareStatement,
    status: None,
    params: &[ParamSpec {
        name: "issuers",
        doc: "Trusted SSA issuers.",
        default: ParamValue::List(&["OpenBanking Ltd"]),
    }],
    run: ssa_issuer,
};

fn ssa_issuer(cx: &CheckCx, params: &Params) -> Outcome {
    let Some(jws) = ssa(cx) else {
        return Outcome::skip("no SSA");
    };
    let trusted = params.list("issuers");
    let iss = jws.claim_str("iss").unwrap_or("");
    let o = if trusted.iter().any(|t| t == iss) {
        Outcome::pass(format!("issued by `{iss}`"))
    } else {
        Outcome::fail(format!(
            "the software statement's issuer `{iss}` is not a trusted directory"
        ))
    };
    o.with("iss", iss).with("trusted", trusted)
}

pub static SSA_SIGNATURE: CheckDef = CheckDef {
    id: "ssa.signature",
    title: "Software statement signature",
    spec: "OBIE Directory §Request Validation",
    description:
        "The SSA verifies with the directory's key named by its `kid` (`GET /directory/jwks`).",
    phase: Phase::Statement,
    needs: &["ssa.alg"],
    error: ErrorCode::InvalidSoftwareStatement,
    status: None,
    params: &[],
    run: ssa_signature,
};

fn ssa_signature(cx: &CheckCx, _: &Params) -> Outcome {
    let kid = ssa(cx).and_then(Jws::kid).unwrap_or("").to_owned();
    match signed(cx).and_then(|s| s.ssa_signature.as_ref()) {
        None => Outcome::skip("the SSA signature was not checked"),
        Some(Ok(())) => Outcome::pass("the SSA signature verifies with the directory key").with("kid", kid),
        Some(Err(why)) => Outcome::fail(format!("Registration Request contains an invalid software_statement, Expected JWT to have a valid signature ({why})")).with("kid", kid),
    }
}

pub static SSA_VALIDITY: CheckDef = CheckDef {
    id: "ssa.validity",
    title: "Software statement is fresh",
    spec: "OBIE Directory §SSA Lifetime",
    description: "`iat` is not in the future (beyond `future_skew_secs`) nor older than `max_age_secs` (0 = no limit); an `exp` has not passed.",
    phase: Phase::Statement,
    needs: &["ssa.jws_parse"],
    error: ErrorCode::InvalidSoftwareStatement,
    status: None,
    params: &[ParamSpec { name: "max_age_secs", doc: "Oldest acceptable SSA (0: any age).", default: ParamValue::Int(1800) },
     ParamSpec { name: "future_skew_secs", doc: "Tolerated clock skew for `iat`.", default: ParamValue::Int(60) }],
    run: ssa_validity,
};

fn ssa_validity(cx: &CheckCx, params: &Params) -> Outcome {
    let Some(jws) = ssa(cx) else {
        return Outcome::skip("no SSA");
    };
    let Some(iat) = jws.claims.get("iat").and_then(Value::as_i64) else {
        return Outcome::fail(
            "Registration Request contains an invalid software_statement, it has no numeric `iat`",
        );
    };
    let (max_age, skew) = (params.int("max_age_secs"), params.int("future_skew_secs"));
    let age = cx.now - iat;
    let exp = jws.claims.get("exp").and_then(Value::as_i64);
    let o = if iat > cx.now + skew {
        Outcome::fail("Registration Request contains an invalid software_statement, its `iat` is in the future")
    } else if max_age > 0 && age > max_age {
        Outcome::fail(format!("Registration Request contains an invalid software_statement, it was issued {age} s ago (at most {max_age} s accepted)"))
    } else if exp.is_some_and(|e| e < cx.now) {
        Outcome::fail("Registration Request contains an invalid software_statement, it has expired")
    } else {
        Outcome::pass(format!("issued {age} s ago"))
    };
    o.with("iat", iat)
        .with("now", cx.now)
        .with("max_age_secs", max_age)
        .with("exp", exp.map_or(Value::Null, Into::into))
}

pub static SSA_CLAIMS: CheckDef = CheckDef {
    id: "ssa.required_claims",
    title: "Software statement claims present",
    spec: "OBIE Directory §SSA claims",
    description: "The SSA names the software and organisation: `software_id`, `org_id`, non-empty `software_roles`, `software_redirect_uris`, `software_jwks_endpoint` (the list is a parameter).",
    phase: Phase::Statement,
    needs: &["ssa.jws_parse"],
    error: ErrorCode::InvalidSoftwareStatement,
    status: None,
    params: &[ParamSpec { name: "claims", doc: "Claims an SSA must carry.", default: ParamValue::List(&["software_id", "org_id", "software_roles", "software_redirect_uris", "software_jwks_endpoint"]) }],
    run: ssa_claims,
};

fn ssa_claims(cx: &CheckCx, params: &Params) -> Outcome {
    let Some(jws) = ssa(cx) else {
        return Outcome::skip("no SSA");
    };
    let required = params.list("claims");
    let missing: Vec<&String> = required
        .iter()
        .filter(|c| match jws.claims.get(c.as_str()) {
            None | Some(Value::Null) => true,
            Some(Value::Array(a)) => a.is_empty(),
            Some(Value::String(s)) => s.is_empty(),
            _ => false,
        })
        .collect();
    match missing.first() {
        None => Outcome::pass("every required SSA claim is present").with("claims", required),
        Some(first) => Outcome::fail(format!("Registration Request contains an invalid software_statement, required claim `{first}` is missing"))
            .with("missing", missing.iter().map(|s| s.as_str()).collect::<Vec<_>>()),
    }
}

pub static SSA_STATUS: CheckDef = CheckDef {
    id: "ssa.status",
    title: "Software and organisation are active",
    spec: "RFC 7591 §3.2.2",
    description: "The SSA's `org_status` is Active and the directory has not revoked the organisation or the software.",
    phase: Phase::Statement,
    needs: &["ssa.signature"],
    error: ErrorCode::UnapprovedSoftwareStatement,
    status: None,
    params: &[],
    run: ssa_status,
};

fn ssa_status(cx: &CheckCx, _: &Params) -> Outcome {
    let Some(jws) = ssa(cx) else {
        return Outcome::skip("no SSA");
    };
    let claimed = jws.claim_str("org_status").unwrap_or("Active");
    let dir = signed(cx)
        .and_then(|s| s.directory.clone())
        .unwrap_or_default();
    let revoked = |s: &Option<String>| {
        s.as_deref()
            .is_some_and(|s| !s.eq_ignore_ascii_case("active"))
    };
    let o = if !claimed.eq_ignore_ascii_case("active") {
        Outcome::fail(format!("the software statement's org_status is {claimed}"))
    } else if revoked(&dir.org_status) {
        Outcome::fail(
            "the software statement is not approved: the directory has revoked its organisation",
        )
    } else if revoked(&dir.software_status) {
        Outcome::fail(
            "the software statement is not approved: the directory has revoked this software",
        )
    } else {
        Outcome::pass("organisation and software are active")
    };
    o.with("org_status", claimed)
        .with(
            "directory_org_status",
            dir.org_status.map_or(Value::Null, Into::into),
        )
        .with(
            "directory_software_status",
            dir.software_status.map_or(Value::Null, Into::into),
        )
}

pub static SSA_JTI: CheckDef = CheckDef {
    id: "ssa.jti_replay",
    title: "Software statement used once",
    spec: "WSO2 OB DCR validators",
    description: "The SSA's `jti` was not seen before: a software statement registers one client (OFB DCR §7.1; off in the strict OBUK profile: the OBIE tool reuses one SSA for a whole run). With `on_update = false`, an update may present the statement again.",
    phase: Phase::Statement,
    needs: &["ssa.signature"],
    error: ErrorCode::InvalidSoftwareStatement,
    status: None,
    params: &[ParamSpec {
        name: "on_update",
        doc: "Count the statements of updates (RFC 7592 PUT) too, not only those of registrations.",
        default: ParamValue::Bool(true),
    }],
    run: ssa_jti,
};

fn ssa_jti(cx: &CheckCx, params: &Params) -> Outcome {
    match signed(cx).and_then(|s| s.ssa_jti_replayed) {
        None if cx.management.is_some() && !params.bool("on_update") => {
            Outcome::skip("an update may present its statement again (`on_update = false`)")
        }
        None => Outcome::skip("the SSA has no jti"),
        Some(false) => Outcome::pass("first use of this SSA"),
        Some(true) => Outcome::fail("Registration Request contains an invalid software_statement, it was already used (jti replay)"),
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::testing::{compact, run_signed, shipped, signed_facts};
    use crate::trace::OutcomeKind;
    use serde_json::json;

    const NOW: i64 = 1_700_000_000;

    fn with_ssa(
        header: serde_json::Value,
        claims: serde_json::Value,
    ) -> crate::signed::SignedFacts {
        let request = compact(json!({"alg": "PS256", "kid": "k1"}), json!({"iss": "s"}));
        let ssa = compact(header, claims);
        signed_facts(&request, Some(&ssa))
    }

    #[test]
    fn the_statement_must_be_young_and_not_from_the_future() {
        let ofb = shipped("ofb");
        let obuk = shipped("obuk-v3.2");
        let header = json!({"alg": "PS256", "kid": "d"});
        let aged = |secs: i64| {
            with_ssa(
                header.clone(),
                json!({"iat": NOW - secs, "software_id": "s"}),
            )
        };
        // Open Finance Brasil: at most 5 minutes (§7.1 #3); OBUK: 30 minutes.
        assert_eq!(
            run_signed(&ofb, "ssa.validity", &aged(240)).kind,
            OutcomeKind::Pass
        );
        assert_eq!(
            run_signed(&ofb, "ssa.validity", &aged(400)).kind,
            OutcomeKind::Fail
        );
        assert_eq!(
            run_signed(&obuk, "ssa.validity", &aged(400)).kind,
            OutcomeKind::Pass
        );
        assert_eq!(
            run_signed(&obuk, "ssa.validity", &aged(4000)).kind,
            OutcomeKind::Fail
        );
        assert_eq!(
            run_signed(&obuk, "ssa.validity", &aged(-600)).kind,
            OutcomeKind::Fail,
            "issued in the future"
        );
        let expired = with_ssa(header.clone(), json!({"iat": NOW - 10, "exp": NOW - 5}));
        assert_eq!(
            run_signed(&obuk, "ssa.validity", &expired).kind,
            OutcomeKind::Fail
        );
    }

    #[test]
    fn algorithm_and_issuer_are_the_profiles() {
        let ofb = shipped("ofb");
        let es256 = with_ssa(
            json!({"alg": "ES256", "kid": "d"}),
            json!({"iss": "Open Banking Open Banking Brasil sandbox SSA issuer"}),
        );
        assert_eq!(
            run_signed(&ofb, "ssa.alg", &es256).kind,
            OutcomeKind::Fail,
            "OFB signs statements with PS256 only (§7.1 #2)"
        );
        assert_eq!(
            run_signed(&ofb, "ssa.issuer_trusted", &es256).kind,
            OutcomeKind::Pass
        );
        let foreign = with_ssa(
            json!({"alg": "PS256", "kid": "d"}),
            json!({"iss": "OpenBanking Ltd"}),
        );
        assert_eq!(
            run_signed(&ofb, "ssa.alg", &foreign).kind,
            OutcomeKind::Pass
        );
        let o = run_signed(&ofb, "ssa.issuer_trusted", &foreign);
        assert_eq!(o.kind, OutcomeKind::Fail, "{}", o.message);
    }

    #[test]
    fn required_claims_are_the_profiles() {
        let ofb = shipped("ofb");
        let obuk_style = with_ssa(
            json!({"alg": "PS256"}),
            json!({"software_id": "s", "org_id": "o", "software_roles": ["DADOS"], "software_redirect_uris": ["https://a.example/cb"], "software_jwks_endpoint": "https://d/jwks"}),
        );
        let o = run_signed(&ofb, "ssa.required_claims", &obuk_style);
        assert_eq!(
            o.kind,
            OutcomeKind::Fail,
            "OFB statements name software_jwks_uri"
        );
        assert!(o.message.contains("software_jwks_uri"), "{}", o.message);
    }

    #[test]
    fn an_unverified_or_unsigned_statement_fails_its_signature_check() {
        let obuk = shipped("obuk-v3.2");
        let mut facts = with_ssa(
            json!({"alg": "PS256", "kid": "d"}),
            json!({"software_id": "s"}),
        );
        facts.ssa_signature = Some(Err("signature does not verify".into()));
        assert_eq!(
            run_signed(&obuk, "ssa.signature", &facts).kind,
            OutcomeKind::Fail
        );
        facts.ssa_signature = Some(Ok(()));
        assert_eq!(
            run_signed(&obuk, "ssa.signature", &facts).kind,
            OutcomeKind::Pass
        );
    }
}
