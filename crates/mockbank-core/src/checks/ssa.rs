//! Software statement checks (RFC 7591 §2.3; OBIE Directory): present, a JWS, its algorithm,
//! issuer, signature, lifetime, claims, directory status and replay — for OBUK and for every
//! profile that reads statements.

use serde_json::Value;

use super::signed::{signed, ssa, FAPI_ALGS};
use super::{CheckCx, CheckDef, ParamSpec, ParamValue, Params, Phase};
use crate::profile::StatementMode;
use crate::signed::Jws;
use crate::trace::Outcome;
use crate::wire::directory::DirectoryStatus;
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
    let age = cx.now.saturating_sub(iat);
    let exp = jws.claims.get("exp").and_then(Value::as_i64);
    let o = if iat > cx.now.saturating_add(skew) {
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
    let revoked = |s: &Option<DirectoryStatus>| s.is_some_and(|s| !s.is_active());
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
            dir.org_status.map_or(Value::Null, |s| s.as_str().into()),
        )
        .with(
            "directory_software_status",
            dir.software_status
                .map_or(Value::Null, |s| s.as_str().into()),
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
    use crate::checks::testing::{
        assert_outcome, compact, management, run_on, run_on_body_with, run_signed, shipped,
        shipped_once, signed_facts, Facts,
    };
    use crate::profile::StatementMode;
    use crate::signed::{DirectoryFacts, Jws};
    use crate::trace::OutcomeKind;
    use crate::trace::OutcomeKind::{Fail, Pass, Skip};
    use crate::wire::directory::DirectoryStatus;
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

    /// A statement every `ssa.*` check of obuk-v3.2 passes.
    fn statement() -> serde_json::Value {
        json!({
            "iss": "OpenBanking Ltd",
            "iat": NOW - 60,
            "jti": "6f5a3e1c-8d2b-4a7e-9c1d-2b3e4f5a6b7c",
            "software_id": "5rZPGKi3Hb3AbNDHdXpZwS",
            "org_id": "0015800001HQQrZAAX",
            "org_status": "Active",
            "software_roles": ["AISP", "PISP"],
            "software_redirect_uris": ["https://tpp.example.com/cb"],
            "software_jwks_endpoint": "https://keystore.example.org/5rZPGKi3Hb3AbNDHdXpZwS.jwks",
        })
    }

    /// `statement()` with `changes` merged in; a `null` change removes the claim.
    fn statement_with(changes: serde_json::Value) -> serde_json::Value {
        let mut s = statement();
        for (k, v) in changes.as_object().unwrap() {
            if v.is_null() {
                s.as_object_mut().unwrap().remove(k);
            } else {
                s[k] = v.clone();
            }
        }
        s
    }

    fn obuk_on(id: &str, facts: &crate::signed::SignedFacts) -> crate::trace::Outcome {
        run_signed(shipped_once("obuk-v3.2"), id, facts)
    }

    fn valid() -> crate::signed::SignedFacts {
        with_ssa(json!({"alg": "PS256", "kid": "directory"}), statement())
    }

    /// A signed request without a software statement.
    fn without_ssa() -> crate::signed::SignedFacts {
        let request = compact(json!({"alg": "PS256", "kid": "k1"}), json!({"iss": "s"}));
        signed_facts(&request, None)
    }

    // --- ssa.present ---

    fn present(claims: serde_json::Value) -> crate::trace::Outcome {
        let request = compact(json!({"alg": "PS256", "kid": "k1"}), claims);
        obuk_on("ssa.present", &signed_facts(&request, None))
    }

    #[test]
    fn ssa_present_passes_for_a_string_statement() {
        let o = present(json!({"software_statement": "eyJhbGciOiJQUzI1NiJ9.e30.c2ln"}));
        assert_outcome(&o, Pass, "`software_statement` is present");
    }

    #[test]
    fn ssa_present_fails_when_a_required_statement_is_missing() {
        let o = present(json!({"iss": "s"}));
        assert_outcome(&o, Fail, "Required parameter software_statement not found");
        // A JSON profile that requires statements (Open Finance Brasil) too.
        let o = run_on_body_with(shipped_once("ofb"), "ssa.present", json!({}));
        assert_outcome(&o, Fail, "Required parameter software_statement not found");
    }

    #[test]
    fn ssa_present_fails_when_not_a_string() {
        let o = present(json!({"software_statement": {"software_id": "s"}}));
        assert_outcome(&o, Fail, "software_statement claim must be a string");
    }

    #[test]
    fn ssa_present_skips_where_the_profile_ignores_statements() {
        let o = run_on_body_with(
            shipped_once("generic"),
            "ssa.present",
            json!({"software_statement": "a.b.c"}),
        );
        assert_outcome(&o, Skip, "does not process software statements");
    }

    #[test]
    fn ssa_present_skips_an_absent_optional_statement_but_judges_a_present_one() {
        let mut optional = shipped_once("generic").clone();
        optional.settings.protection.software_statement = StatementMode::Optional;
        let o = run_on_body_with(&optional, "ssa.present", json!({}));
        assert_outcome(&o, Skip, "no software statement (optional here)");
        let o = run_on_body_with(&optional, "ssa.present", json!({"software_statement": 7}));
        assert_outcome(&o, Fail, "software_statement claim must be a string");
        let o = run_on_body_with(
            &optional,
            "ssa.present",
            json!({"software_statement": "a.b.c"}),
        );
        assert_outcome(&o, Pass, "`software_statement` is present");
    }

    #[test]
    fn ssa_present_skips_without_metadata() {
        let mut facts = without_ssa();
        facts.request = Some(Err("not a JWS".into()));
        let o = obuk_on("ssa.present", &facts);
        assert_outcome(&o, Skip, "no registration metadata");
    }

    // --- ssa.jws_parse ---

    #[test]
    fn ssa_jws_parse_passes_for_a_compact_jws() {
        let o = obuk_on("ssa.jws_parse", &valid());
        assert_outcome(&o, Pass, "the SSA is a compact JWS");
        assert_eq!(o.values["header"]["kid"], "directory");
    }

    #[test]
    fn ssa_jws_parse_fails_for_an_unsigned_statement() {
        let signed = compact(json!({"alg": "none"}), statement());
        let unsigned = format!("{}.", signed.rsplit_once('.').unwrap().0);
        let mut facts = without_ssa();
        facts.ssa = Some(Jws::parse(&unsigned));
        let o = obuk_on("ssa.jws_parse", &facts);
        assert_outcome(&o, Fail, "is not an encoded JWT (its signature is empty)");
    }

    #[test]
    fn ssa_jws_parse_fails_for_what_is_not_a_jws_saying_why() {
        let mut facts = without_ssa();
        facts.ssa = Some(Jws::parse("not-a-jwt"));
        let o = obuk_on("ssa.jws_parse", &facts);
        assert_outcome(
            &o,
            Fail,
            "is not an encoded JWT (a compact JWS has 3 dot-separated parts, this has 1)",
        );
    }

    #[test]
    fn ssa_jws_parse_skips_without_a_statement() {
        let o = obuk_on("ssa.jws_parse", &without_ssa());
        assert_outcome(&o, Skip, "no software statement");
    }

    #[test]
    fn ssa_claim_checks_skip_without_a_parsed_statement() {
        let mut unparsed = without_ssa();
        unparsed.ssa = Some(Jws::parse("not-a-jwt"));
        for facts in [without_ssa(), unparsed] {
            for id in [
                "ssa.alg",
                "ssa.issuer_trusted",
                "ssa.validity",
                "ssa.required_claims",
                "ssa.status",
            ] {
                let o = obuk_on(id, &facts);
                assert_eq!(o.kind, Skip, "{id}: {o:?}");
                assert_eq!(o.message, "no SSA", "{id}");
            }
        }
    }

    // --- ssa.alg ---

    #[test]
    fn ssa_alg_passes_for_an_allowed_alg() {
        let o = obuk_on("ssa.alg", &valid());
        assert_outcome(&o, Pass, "the SSA is signed with PS256");
        assert_eq!(o.values["allowed"], json!(["PS256", "ES256"]));
    }

    #[test]
    fn ssa_alg_fails_for_none() {
        let o = obuk_on("ssa.alg", &with_ssa(json!({"alg": "none"}), statement()));
        assert_outcome(&o, Fail, "algorithm `none` is not allowed");
        assert_eq!(o.values["alg"], "none");
    }

    // --- ssa.issuer_trusted ---

    #[test]
    fn ssa_issuer_trusted_passes_for_a_configured_directory() {
        let o = obuk_on("ssa.issuer_trusted", &valid());
        assert_outcome(&o, Pass, "issued by `OpenBanking Ltd`");
    }

    #[test]
    fn ssa_issuer_trusted_fails_naming_the_untrusted_issuer() {
        let facts = with_ssa(
            json!({"alg": "PS256"}),
            statement_with(json!({"iss": "Rogue Directory"})),
        );
        let o = obuk_on("ssa.issuer_trusted", &facts);
        assert_outcome(
            &o,
            Fail,
            "issuer `Rogue Directory` is not a trusted directory",
        );
        assert_eq!(o.values["trusted"], json!(["OpenBanking Ltd"]));
        let o = obuk_on(
            "ssa.issuer_trusted",
            &with_ssa(
                json!({"alg": "PS256"}),
                statement_with(json!({"iss": null})),
            ),
        );
        assert_outcome(&o, Fail, "issuer `` is not a trusted directory");
    }

    // --- ssa.signature ---

    #[test]
    fn ssa_signature_failure_says_why_and_names_the_kid() {
        let mut facts = valid();
        facts.ssa_signature = Some(Err("no directory key with kid `directory`".into()));
        let o = obuk_on("ssa.signature", &facts);
        assert_outcome(&o, Fail, "(no directory key with kid `directory`)");
        assert_eq!(o.values["kid"], "directory");
        facts.ssa_signature = Some(Ok(()));
        let o = obuk_on("ssa.signature", &facts);
        assert_outcome(&o, Pass, "verifies with the directory key");
        assert_eq!(o.values["kid"], "directory");
    }

    #[test]
    fn ssa_signature_skips_when_not_checked() {
        let mut facts = valid();
        facts.ssa_signature = None;
        let o = obuk_on("ssa.signature", &facts);
        assert_outcome(&o, Skip, "the SSA signature was not checked");
    }

    // --- ssa.validity ---

    #[test]
    fn ssa_validity_passes_for_a_young_statement_saying_its_age() {
        let o = obuk_on("ssa.validity", &valid());
        assert_outcome(&o, Pass, "issued 60 s ago");
        assert_eq!(o.values["max_age_secs"], 1800);
        // The generic profile accepts statements of any age (max_age_secs = 0).
        let old = with_ssa(
            json!({"alg": "PS256"}),
            statement_with(json!({"iat": NOW - 86_400 * 365})),
        );
        let o = run_signed(shipped_once("generic"), "ssa.validity", &old);
        assert_outcome(&o, Pass, "issued 31536000 s ago");
    }

    #[test]
    fn ssa_validity_fails_for_an_old_future_or_expired_statement() {
        let run = |changes| {
            obuk_on(
                "ssa.validity",
                &with_ssa(json!({"alg": "PS256"}), statement_with(changes)),
            )
        };
        let o = run(json!({"iat": NOW - 4000}));
        assert_outcome(&o, Fail, "issued 4000 s ago (at most 1800 s accepted)");
        let o = run(json!({"iat": NOW + 61}));
        assert_outcome(&o, Fail, "its `iat` is in the future");
        let o = run(json!({"exp": NOW - 1}));
        assert_outcome(&o, Fail, "it has expired");
        assert_eq!(o.values["exp"], NOW - 1);
    }

    #[test]
    fn ssa_validity_judges_the_earliest_iat_as_too_old() {
        let ancient = with_ssa(
            json!({"alg": "PS256"}),
            statement_with(json!({"iat": i64::MIN})),
        );
        let o = obuk_on("ssa.validity", &ancient);
        assert_outcome(&o, Fail, "(at most 1800 s accepted)");
        let o = run_signed(shipped_once("generic"), "ssa.validity", &ancient);
        assert_eq!(o.kind, Pass, "any age is accepted: {o:?}");
    }

    #[test]
    fn ssa_validity_fails_without_a_numeric_iat() {
        let o = obuk_on(
            "ssa.validity",
            &with_ssa(
                json!({"alg": "PS256"}),
                statement_with(json!({"iat": null})),
            ),
        );
        assert_outcome(&o, Fail, "it has no numeric `iat`");
        let o = obuk_on(
            "ssa.validity",
            &with_ssa(
                json!({"alg": "PS256"}),
                statement_with(json!({"iat": "1699999940"})),
            ),
        );
        assert_outcome(&o, Fail, "it has no numeric `iat`");
    }

    // --- ssa.required_claims ---

    #[test]
    fn ssa_required_claims_pass_when_every_claim_is_there() {
        let o = obuk_on("ssa.required_claims", &valid());
        assert_outcome(&o, Pass, "every required SSA claim is present");
        assert!(o.values["claims"]
            .as_array()
            .unwrap()
            .contains(&json!("software_jwks_endpoint")));
    }

    #[test]
    fn ssa_required_claims_fail_for_missing_or_empty_claims() {
        let facts = with_ssa(
            json!({"alg": "PS256"}),
            statement_with(json!({"software_roles": [], "org_id": "", "software_id": null})),
        );
        let o = obuk_on("ssa.required_claims", &facts);
        assert_outcome(&o, Fail, "required claim `software_id` is missing");
        assert_eq!(
            o.values["missing"],
            json!(["software_id", "org_id", "software_roles"])
        );
    }

    // --- ssa.status ---

    fn status(statement: serde_json::Value, directory: DirectoryFacts) -> crate::trace::Outcome {
        let mut facts = with_ssa(json!({"alg": "PS256"}), statement);
        facts.directory = Some(directory);
        obuk_on("ssa.status", &facts)
    }

    #[test]
    fn ssa_status_passes_for_an_active_organisation_and_software() {
        let active = DirectoryFacts {
            org_status: Some(DirectoryStatus::Active),
            software_status: Some(DirectoryStatus::Active),
        };
        let o = status(statement(), active);
        assert_outcome(&o, Pass, "organisation and software are active");
        assert_eq!(o.values["directory_software_status"], "Active");
        // Neither claimed nor known to the directory: active.
        let o = status(
            statement_with(json!({"org_status": null})),
            DirectoryFacts::default(),
        );
        assert_outcome(&o, Pass, "organisation and software are active");
    }

    #[test]
    fn ssa_status_fails_for_a_statement_that_says_its_org_is_not_active() {
        let o = status(
            statement_with(json!({"org_status": "Revoked"})),
            DirectoryFacts::default(),
        );
        assert_outcome(&o, Fail, "the software statement's org_status is Revoked");
    }

    #[test]
    fn ssa_status_fails_when_the_directory_revoked_the_org_or_software() {
        let o = status(
            statement(),
            DirectoryFacts {
                org_status: Some(DirectoryStatus::Revoked),
                software_status: Some(DirectoryStatus::Active),
            },
        );
        assert_outcome(&o, Fail, "the directory has revoked its organisation");
        assert_eq!(o.values["directory_org_status"], "Revoked");
        let o = status(
            statement(),
            DirectoryFacts {
                org_status: Some(DirectoryStatus::Active),
                software_status: Some(DirectoryStatus::Revoked),
            },
        );
        assert_outcome(&o, Fail, "the directory has revoked this software");
    }

    // --- ssa.jti_replay ---

    fn replay(profile: &str, replayed: Option<bool>, updating: bool) -> crate::trace::Outcome {
        let mut facts = valid();
        facts.ssa_jti_replayed = replayed;
        let facts = Facts {
            signed: Some(facts),
            management: updating.then(|| management("c1", None, Some(json!({})))),
            ..Default::default()
        };
        run_on(shipped_once(profile), "ssa.jti_replay", &facts)
    }

    #[test]
    fn ssa_jti_replay_passes_at_first_use() {
        let o = replay("obuk-v3.2", Some(false), false);
        assert_outcome(&o, Pass, "first use of this SSA");
    }

    #[test]
    fn ssa_jti_replay_fails_for_a_statement_used_before() {
        let o = replay("ofb", Some(true), false);
        assert_outcome(&o, Fail, "it was already used (jti replay)");
    }

    #[test]
    fn ssa_jti_replay_skips_a_statement_without_jti() {
        let o = replay("obuk-v3.2", None, false);
        assert_outcome(&o, Skip, "the SSA has no jti");
        // Counting updates too (obuk-v3.2: on_update = true), an update is judged alike.
        let o = replay("obuk-v3.2", None, true);
        assert_outcome(&o, Skip, "the SSA has no jti");
    }

    #[test]
    fn ssa_jti_replay_skips_an_update_where_updates_may_reuse_the_statement() {
        // Open Finance Brasil: on_update = false; the server does not look the jti up.
        let o = replay("ofb", None, true);
        assert_outcome(&o, Skip, "`on_update = false`");
    }
}
