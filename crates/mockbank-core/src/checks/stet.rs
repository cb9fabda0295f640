//! STET / PSD2 checks (stet.md §5): the eIDAS QWAC is the TPP's only credential, so its
//! content is checked as client authentication (401), the licence as permission (403), and
//! the registration body is bound to the certificate's identity.

use serde_json::Value;

use super::{CheckCx, CheckDef, ParamSpec, ParamValue, Params, Phase};
use crate::signed::{EidasFacts, PeerFacts};
use crate::trace::Outcome;
use crate::ErrorCode;

pub(super) const CHECKS: &[&CheckDef] = &[
    &EKU,
    &QC_COMPLIANCE,
    &QC_TYPE_WEB,
    &PSD2_STATEMENT,
    &ROLES_VALID,
    &ORG_ID_FORMAT,
    &NCA_CONSISTENT,
    &LICENCE,
    &AUTH_METHOD,
    &NO_SECRET,
    &GRANT_TYPES,
    &SCOPE_ROLES,
    &PROVIDER_LEGAL_ID,
    &SUBJECT_DN,
    &ONE_CLIENT_PER_ORG,
    &MGMT_CERTIFICATE,
    &MGMT_SAME_ORG,
    &TOKEN_SCOPE_ROLES,
];

fn eidas<'a>(cx: &CheckCx<'a>) -> Option<(&'a PeerFacts, Option<&'a EidasFacts>)> {
    cx.peer.map(|p| (p, p.eidas.as_ref()))
}

/// Scopes and the PSD2 role each needs (stet.md §3 table).
fn role_for_scope(scope: &str) -> Option<&'static str> {
    match scope {
        "aisp" | "extended_transaction_history" => Some("PSP_AI"),
        "pisp" => Some("PSP_PI"),
        "cbpii" | "piisp" => Some("PSP_IC"),
        _ => None,
    }
}

// --- the certificate (client authentication: 401) ---

pub static EKU: CheckDef = CheckDef {
    id: "stet.cert.eku_client_auth",
    title: "Certificate allows client authentication",
    spec: "RFC 5280 §4.2.1.12, ETSI EN 319 412-4",
    description: "The certificate's extended key usage includes TLS client authentication.",
    phase: Phase::Request,
    needs: &["mtls.trusted"],
    error: ErrorCode::InvalidClient,
    status: None,
    params: &[],
    run: eku,
};

fn eku(cx: &CheckCx, _: &Params) -> Outcome {
    match cx.peer {
        None => Outcome::skip("no certificate"),
        Some(p) if p.client_auth_eku => Outcome::pass("clientAuth is allowed"),
        Some(_) => Outcome::fail("the certificate does not allow TLS client authentication (no clientAuth extended key usage)"),
    }
}

pub static QC_COMPLIANCE: CheckDef = CheckDef {
    id: "stet.cert.qc_compliance",
    title: "Qualified certificate",
    spec: "ETSI EN 319 412-5 §4.2.1",
    description:
        "The certificate's qcStatements declare QcCompliance (an EU qualified certificate).",
    phase: Phase::Request,
    needs: &["mtls.trusted"],
    error: ErrorCode::InvalidClient,
    status: None,
    params: &[],
    run: qc_compliance,
};

fn qc_compliance(cx: &CheckCx, _: &Params) -> Outcome {
    match eidas(cx) {
        None => Outcome::skip("no certificate"),
        Some((_, Some(e))) if e.qc_compliance => Outcome::pass("QcCompliance is declared"),
        Some(_) => Outcome::fail("the certificate is not a qualified certificate (no QcCompliance statement): present an eIDAS QWAC"),
    }
}

pub static QC_TYPE_WEB: CheckDef = CheckDef {
    id: "stet.cert.qc_type_web",
    title: "Certificate is a QWAC",
    spec: "ETSI EN 319 412-5 §4.2.3, ETSI TS 119 495 §4",
    description: "QcType is `web` (a website authentication certificate). A QSealC presented as the TLS certificate is refused with a message that says so.",
    phase: Phase::Request,
    needs: &["stet.cert.qc_compliance"],
    error: ErrorCode::InvalidClient,
    status: None,
    params: &[],
    run: qc_type_web,
};

fn qc_type_web(cx: &CheckCx, _: &Params) -> Outcome {
    let Some((_, Some(e))) = eidas(cx) else {
        return Outcome::skip("no eIDAS content");
    };
    let o = if e.qc_types.iter().any(|t| t == "web") {
        Outcome::pass("a QWAC (QcType web)")
    } else if e.qc_types.iter().any(|t| t == "eseal") {
        Outcome::fail("a QSealC (QcType eseal) was presented as the TLS client certificate: seal certificates sign, they do not authenticate a connection; present the QWAC")
    } else {
        Outcome::fail("the certificate declares no QcType web: present an eIDAS QWAC")
    };
    o.with("qc_types", e.qc_types.clone())
}

pub static PSD2_STATEMENT: CheckDef = CheckDef {
    id: "stet.cert.psd2_statement_present",
    title: "PSD2 statement present",
    spec: "ETSI TS 119 495 §5.1",
    description:
        "The qcStatements carry the PSD2 statement (0.4.0.19495.2) with roles and the NCA.",
    phase: Phase::Request,
    needs: &["stet.cert.qc_compliance"],
    error: ErrorCode::InvalidClient,
    status: None,
    params: &[],
    run: psd2_statement,
};

fn psd2_statement(cx: &CheckCx, _: &Params) -> Outcome {
    match eidas(cx) {
        Some((_, Some(e))) if e.has_psd2_statement => {
            Outcome::pass("the PSD2 statement is present")
                .with("roles", e.roles.clone())
                .with("nca_id", e.nca_id.clone().map_or(Value::Null, Into::into))
        }
        Some(_) => Outcome::fail("the certificate has no PSD2 qcStatement (roles and NCA)"),
        None => Outcome::skip("no certificate"),
    }
}

pub static ROLES_VALID: CheckDef = CheckDef {
    id: "stet.cert.roles_valid",
    title: "PSD2 roles are valid",
    spec: "ETSI TS 119 495 §5.1",
    description: "The PSD2 roles are non-empty and each name matches its OID.",
    phase: Phase::Request,
    needs: &["stet.cert.psd2_statement_present"],
    error: ErrorCode::InvalidClient,
    status: None,
    params: &[],
    run: roles_valid,
};

fn roles_valid(cx: &CheckCx, _: &Params) -> Outcome {
    let Some((_, Some(e))) = eidas(cx) else {
        return Outcome::skip("no eIDAS content");
    };
    if e.roles.is_empty() {
        return Outcome::fail("the PSD2 statement lists no role");
    }
    match e.anomalies.first() {
        Some(a) => Outcome::fail(format!("the PSD2 statement is malformed: {a}")),
        None => {
            Outcome::pass(format!("roles {}", e.roles.join(", "))).with("roles", e.roles.clone())
        }
    }
}

fn org_id_parts(oi: &str) -> Option<(&str, &str)> {
    let rest = oi.strip_prefix("PSD")?;
    let (cc, rest) = rest.split_at_checked(2)?;
    let (nca, id) = rest.strip_prefix('-')?.split_once('-')?;
    let ok = cc.bytes().all(|b| b.is_ascii_uppercase())
        && (2..=8).contains(&nca.len())
        && nca.bytes().all(|b| b.is_ascii_uppercase())
        && !id.is_empty();
    ok.then_some((cc, nca))
}

pub static ORG_ID_FORMAT: CheckDef = CheckDef {
    id: "stet.cert.org_id_format",
    title: "Authorisation number format",
    spec: "ETSI TS 119 495 §5.2.1",
    description: "The subject's organizationIdentifier (2.5.4.97) is `PSD<CC>-<NCA>-<number>`.",
    phase: Phase::Request,
    needs: &["mtls.trusted"],
    error: ErrorCode::InvalidClient,
    status: None,
    params: &[],
    run: org_id_format,
};

fn org_id_format(cx: &CheckCx, _: &Params) -> Outcome {
    let Some((_, e)) = eidas(cx) else {
        return Outcome::skip("no certificate");
    };
    match e.and_then(|e| e.organization_identifier.as_deref()) {
        None => Outcome::fail("the certificate subject has no organizationIdentifier (2.5.4.97)"),
        Some(oi) if org_id_parts(oi).is_some() => {
            Outcome::pass(format!("`{oi}`")).with("organization_identifier", oi)
        }
        Some(oi) => Outcome::fail(format!(
            "organizationIdentifier `{oi}` is not a PSD2 authorisation number (PSD<CC>-<NCA>-<id>)"
        )),
    }
}

pub static NCA_CONSISTENT: CheckDef = CheckDef {
    id: "stet.cert.nca_consistent",
    title: "NCA agrees with the authorisation number",
    spec: "ETSI TS 119 495 §5.1, §5.2.1",
    description: "The PSD2 statement's nCAId (`CC-NCA`) names the same country and authority as the organizationIdentifier.",
    phase: Phase::Request,
    needs: &["stet.cert.org_id_format", "stet.cert.psd2_statement_present"],
    error: ErrorCode::InvalidClient,
    status: None,
    params: &[],
    run: nca_consistent,
};

fn nca_consistent(cx: &CheckCx, _: &Params) -> Outcome {
    let Some((_, Some(e))) = eidas(cx) else {
        return Outcome::skip("no eIDAS content");
    };
    let (Some(oi), Some(nca_id)) = (e.organization_identifier.as_deref(), e.nca_id.as_deref())
    else {
        return Outcome::skip("no organizationIdentifier or nCAId");
    };
    let Some((cc, nca)) = org_id_parts(oi) else {
        return Outcome::skip("malformed organizationIdentifier");
    };
    let o = if nca_id == format!("{cc}-{nca}") {
        Outcome::pass("nCAId agrees with the organizationIdentifier")
    } else {
        Outcome::fail(format!(
            "nCAId `{nca_id}` does not agree with organizationIdentifier `{oi}`"
        ))
    };
    o.with("nca_id", nca_id).with("organization_identifier", oi)
}

pub static LICENCE: CheckDef = CheckDef {
    id: "stet.directory.licence_active",
    title: "PSP licence active",
    spec: "PSD2 Art. 14, EBA Q&A 2021_6029",
    description: "The directory (standing in for the NCA register) still lists the organisation as active; a revoked licence is authenticated but not permitted (403).",
    phase: Phase::Request,
    needs: &["mtls.trusted"],
    error: ErrorCode::AccessDenied,
    status: None,
    params: &[],
    run: licence,
};

fn licence(cx: &CheckCx, _: &Params) -> Outcome {
    match cx.peer.map(|p| p.org_status) {
        None => Outcome::skip("no certificate"),
        Some(Some(s)) if !s.is_active() => Outcome::fail(format!(
            "the TPP's licence is {} in the register: it may not use PSD2 services",
            s.as_str()
        )),
        Some(Some(s)) => Outcome::pass(format!(
            "the register lists the organisation as {}",
            s.as_str()
        )),
        Some(None) => {
            Outcome::pass("the organisation is not in the mock register (no revocation known)")
        }
    }
}

// --- the registration body (400) ---

fn md<'a>(cx: &CheckCx<'a>) -> Option<&'a serde_json::Map<String, Value>> {
    cx.metadata()
}

pub static AUTH_METHOD: CheckDef = CheckDef {
    id: "stet.reg.auth_method",
    title: "tls_client_auth only",
    spec: "STET V1.6 §3.4, Airlock IAM Token Endpoint Auth Method Processor",
    description: "`token_endpoint_auth_method` is one of `allowed` (`tls_client_auth`), and mandatory when `mandatory` is set.",
    phase: Phase::Metadata,
    needs: &["request.json_object"],
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[ParamSpec { name: "allowed", doc: "Allowed values.", default: ParamValue::List(&["tls_client_auth"]) },
     ParamSpec { name: "mandatory", doc: "The member must be sent.", default: ParamValue::Bool(true) }],
    run: auth_method,
};

fn auth_method(cx: &CheckCx, params: &Params) -> Outcome {
    let Some(m) = md(cx) else {
        return Outcome::skip("no metadata");
    };
    let allowed = params.list("allowed");
    let o = match m.get("token_endpoint_auth_method").and_then(Value::as_str) {
        None if params.bool("mandatory") => {
            Outcome::fail("token_endpoint_auth_method is mandatory; send tls_client_auth")
        }
        None => Outcome::pass("not sent; tls_client_auth applies"),
        Some(v) if allowed.iter().any(|a| a == v) => Outcome::pass(format!("`{v}`")),
        Some(v) => Outcome::fail(format!(
            "token_endpoint_auth_method `{v}` is not allowed (allowed: {})",
            allowed.join(", ")
        )),
    };
    o.with("allowed", allowed)
}

pub static NO_SECRET: CheckDef = CheckDef {
    id: "stet.reg.no_secret",
    title: "No client secret",
    spec: "STET V1.6 §3.4",
    description: "The QWAC is the only credential: no secret is ever issued; a client-supplied `client_secret` is ignored, or refused with `refuse = true`.",
    phase: Phase::Metadata,
    needs: &["request.json_object"],
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[ParamSpec { name: "refuse", doc: "Refuse a supplied client_secret instead of ignoring it.", default: ParamValue::Bool(false) }],
    run: no_secret,
};

fn no_secret(cx: &CheckCx, params: &Params) -> Outcome {
    let Some(m) = md(cx) else {
        return Outcome::skip("no metadata");
    };
    match m.get("client_secret") {
        None => Outcome::pass("no secret requested; none will be issued"),
        Some(_) if params.bool("refuse") => {
            Outcome::fail("client_secret must not be sent: TPPs authenticate with their QWAC")
        }
        Some(_) => Outcome::pass(
            "the supplied client_secret is ignored; TPPs authenticate with their QWAC",
        ),
    }
}

pub static GRANT_TYPES: CheckDef = CheckDef {
    id: "stet.reg.grant_types_allowed",
    title: "Grant types allowed",
    spec: "STET V1.6 §3.4",
    description: "`grant_types` ⊆ {authorization_code, client_credentials, refresh_token}.",
    phase: Phase::Metadata,
    needs: &["request.json_object"],
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[ParamSpec {
        name: "allowed",
        doc: "Allowed grant types.",
        default: ParamValue::List(&["authorization_code", "client_credentials", "refresh_token"]),
    }],
    run: grant_types,
};

fn grant_types(cx: &CheckCx, params: &Params) -> Outcome {
    let Some(m) = md(cx) else {
        return Outcome::skip("no metadata");
    };
    let allowed = params.list("allowed");
    let grants = crate::client::effective_list(cx.profile, m, "grant_types");
    let o = match grants.iter().find(|g| !allowed.contains(g)) {
        Some(bad) => Outcome::fail(format!("grant type `{bad}` is not allowed for PSD2 TPPs")),
        None => Outcome::pass("every grant type is allowed"),
    };
    o.with("grant_types", grants).with("allowed", allowed)
}

pub static SCOPE_ROLES: CheckDef = CheckDef {
    id: "stet.reg.scope_matches_roles",
    title: "Scopes fit the PSD2 roles",
    spec: "STET V1.6 §3.4, ETSI TS 119 495 §5.1",
    description:
        "`aisp` needs PSP_AI, `pisp` PSP_PI, `cbpii` PSP_IC in the certificate's PSD2 roles.",
    phase: Phase::Metadata,
    needs: &["request.json_object"],
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[],
    run: scope_roles,
};

fn scope_roles_of(scope: &str, roles: &[String]) -> Result<(), String> {
    for s in scope.split(' ').filter(|s| !s.is_empty()) {
        if let Some(role) = role_for_scope(s) {
            if !roles.iter().any(|r| r == role) {
                return Err(format!(
                    "scope `{s}` needs the {role} role, which the certificate does not carry"
                ));
            }
        }
    }
    Ok(())
}

fn scope_roles(cx: &CheckCx, _: &Params) -> Outcome {
    let Some(m) = md(cx) else {
        return Outcome::skip("no metadata");
    };
    let Some(scope) = m.get("scope").and_then(Value::as_str) else {
        return Outcome::skip("no scope requested");
    };
    let roles = cx
        .peer
        .and_then(|p| p.eidas.as_ref())
        .map(|e| e.roles.clone())
        .unwrap_or_default();
    let o = match scope_roles_of(scope, &roles) {
        Ok(()) => Outcome::pass("the scopes fit the certificate's roles"),
        Err(why) => Outcome::fail(why),
    };
    o.with("scope", scope).with("roles", roles)
}

pub static PROVIDER_LEGAL_ID: CheckDef = CheckDef {
    id: "stet.reg.provider_legal_id_matches_cert",
    title: "provider_legal_id is the certificate's",
    spec: "STET V1.6 §3.4, stet.md §4",
    description: "A `provider_legal_id` in the body equals the certificate's organizationIdentifier; when absent it is filled from the certificate.",
    phase: Phase::Metadata,
    needs: &["request.json_object", "stet.cert.org_id_format"],
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[],
    run: provider_legal_id,
};

fn provider_legal_id(cx: &CheckCx, _: &Params) -> Outcome {
    let Some(m) = md(cx) else {
        return Outcome::skip("no metadata");
    };
    let cert = cx
        .peer
        .and_then(|p| p.eidas.as_ref())
        .and_then(|e| e.organization_identifier.clone())
        .unwrap_or_default();
    let o = match m.get("provider_legal_id") {
        None | Some(Value::Null) => Outcome::pass("not sent: filled from the certificate"),
        Some(Value::String(v)) if *v == cert => Outcome::pass("matches the certificate"),
        Some(Value::String(_)) => Outcome::fail("provider_legal_id does not match the organizationIdentifier of the certificate presented"),
        Some(_) => Outcome::fail("provider_legal_id must be a string: the organizationIdentifier of the certificate presented"),
    };
    o.with(
        "provider_legal_id",
        m.get("provider_legal_id").cloned().unwrap_or(Value::Null),
    )
    .with("certificate", cert)
}

pub static SUBJECT_DN: CheckDef = CheckDef {
    id: "stet.reg.subject_dn_matches_cert",
    title: "Subject DN is the certificate's",
    spec: "RFC 8705 §2.1.2",
    description: "A `tls_client_auth_subject_dn` in the body names the presented certificate (DN comparison, RFC 4514); when absent it is filled from the certificate.",
    phase: Phase::Metadata,
    needs: &["request.json_object", "mtls.trusted"],
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[],
    run: subject_dn,
};

fn subject_dn(cx: &CheckCx, _: &Params) -> Outcome {
    let Some(m) = md(cx) else {
        return Outcome::skip("no metadata");
    };
    let subject = cx.peer.map(|p| p.subject.clone()).unwrap_or_default();
    let o = match m.get("tls_client_auth_subject_dn").and_then(Value::as_str) {
        None => Outcome::pass("not sent: filled from the certificate"),
        Some(dn) if crate::dn::equivalent(dn, &subject) => {
            Outcome::pass("names the certificate presented")
        }
        Some(_) => {
            Outcome::fail("tls_client_auth_subject_dn does not name the certificate presented")
        }
    };
    o.with("certificate_subject", subject)
}

pub static ONE_CLIENT_PER_ORG: CheckDef = CheckDef {
    id: "stet.reg.duplicate_org",
    title: "Clients per organisation",
    spec: "stet.md §5",
    description: "Policy: several clients per organisation (`allow_several = true`, as BNP Paribas and CIC), or one.",
    phase: Phase::Metadata,
    needs: &["stet.cert.org_id_format"],
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[ParamSpec { name: "allow_several", doc: "Allow several clients for one organisation.", default: ParamValue::Bool(true) }],
    run: one_client_per_org,
};

fn one_client_per_org(cx: &CheckCx, params: &Params) -> Outcome {
    let Some(p) = cx.peer else {
        return Outcome::skip("no certificate");
    };
    if cx.management.is_some() {
        return Outcome::skip("an update of an existing client");
    }
    let o = if params.bool("allow_several") || p.clients_of_org == 0 {
        Outcome::pass(format!(
            "{} client(s) already registered for this organisation",
            p.clients_of_org
        ))
    } else {
        Outcome::fail(
            "this organisation already has a registered client (one client per organisation)",
        )
    };
    o.with("existing_clients", p.clients_of_org)
}

// --- management and token ---

pub static MGMT_CERTIFICATE: CheckDef = CheckDef {
    id: "stet.mgmt.certificate",
    title: "Management over the QWAC",
    spec: "stet.md §5",
    description: "GET/PUT/DELETE present a trusted certificate (the same kind that registered).",
    phase: Phase::Management,
    needs: &[],
    error: ErrorCode::InvalidClient,
    status: None,
    params: &[],
    run: mgmt_certificate,
};

fn mgmt_certificate(cx: &CheckCx, _: &Params) -> Outcome {
    match cx.peer {
        None => Outcome::fail(
            "no client certificate: manage the registration over mutual TLS with the QWAC",
        ),
        Some(p) => match &p.chain_error {
            Some(e) => Outcome::fail(format!("the client certificate is not trusted: {e}")),
            None => Outcome::pass("a trusted certificate").with("subject", p.subject.as_str()),
        },
    }
}

pub static MGMT_SAME_ORG: CheckDef = CheckDef {
    id: "stet.mgmt.same_org",
    title: "Same organisation as the registration",
    spec: "stet.md §5",
    description: "The presented certificate's organizationIdentifier equals the registered `provider_legal_id` (403 otherwise).",
    phase: Phase::Management,
    needs: &["stet.mgmt.certificate", "rfc7592.token.bound_to_client"],
    error: ErrorCode::AccessDenied,
    status: None,
    params: &[],
    run: mgmt_same_org,
};

fn mgmt_same_org(cx: &CheckCx, _: &Params) -> Outcome {
    let (Some(m), Some(p)) = (cx.management, cx.peer) else {
        return Outcome::skip("no management facts or certificate");
    };
    let Some(client) = &m.client else {
        return Outcome::skip("no client");
    };
    let registered = client
        .metadata
        .get("provider_legal_id")
        .and_then(Value::as_str)
        .unwrap_or("");
    let presented = p
        .eidas
        .as_ref()
        .and_then(|e| e.organization_identifier.clone())
        .unwrap_or_default();
    let o = if registered == presented {
        Outcome::pass("the certificate belongs to the registered organisation")
    } else {
        Outcome::fail("the certificate belongs to another organisation than the one that registered this client")
    };
    o.with("provider_legal_id", registered)
        .with("certificate_organization_identifier", presented)
}

pub static TOKEN_SCOPE_ROLES: CheckDef = CheckDef {
    id: "stet.token.scope_roles",
    title: "Token scopes fit the PSD2 roles",
    spec: "STET V1.6 §3.4",
    description:
        "Scopes requested at the token endpoint are allowed by the certificate's PSD2 roles.",
    phase: Phase::Token,
    needs: &["token.client_auth.credentials_valid"],
    error: ErrorCode::InvalidScope,
    status: None,
    params: &[],
    run: token_scope_roles,
};

fn token_scope_roles(cx: &CheckCx, _: &Params) -> Outcome {
    let scope = cx
        .token
        .and_then(|t| t.form.as_ref())
        .and_then(|f| f.as_ref().ok())
        .and_then(|f| f.get("scope"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let roles = cx
        .peer
        .and_then(|p| p.eidas.as_ref())
        .map(|e| e.roles.clone())
        .unwrap_or_default();
    let o = match scope_roles_of(scope, &roles) {
        Ok(()) => Outcome::pass("the scopes fit the certificate's roles"),
        Err(why) => Outcome::fail(why),
    };
    o.with("scope", scope).with("roles", roles)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{
        assert_outcome, management, peer, qwac, run_on, shipped_once, with_params, Facts,
    };
    use crate::checks::TokenFacts;
    use crate::profile::Profile;
    use crate::trace::OutcomeKind::{Fail, Pass, Skip};
    use crate::wire::directory::DirectoryStatus;
    use serde_json::json;

    const ORG: &str = "PSDFR-ACPR-12345";

    fn stet() -> &'static Profile {
        shipped_once("stet")
    }

    /// A QWAC of `ORG` with the AISP and PISP roles.
    fn tpp() -> PeerFacts {
        qwac(ORG, &["PSP_AI", "PSP_PI"])
    }

    /// `tpp()` with its eIDAS content changed by `f`.
    fn tpp_with(f: impl FnOnce(&mut EidasFacts)) -> PeerFacts {
        let mut p = tpp();
        f(p.eidas.as_mut().unwrap());
        p
    }

    /// Runs `id` of the stet profile with this certificate (no body).
    fn on_cert(id: &str, peer: Option<PeerFacts>) -> Outcome {
        let facts = Facts {
            peer,
            ..Default::default()
        };
        run_on(stet(), id, &facts)
    }

    /// Runs `id` of `profile` on a registration body presented with `tpp()`.
    fn on_body_with(profile: &Profile, id: &str, body: Value) -> Outcome {
        let facts = Facts {
            body: Some(body),
            peer: Some(tpp()),
            ..Default::default()
        };
        run_on(profile, id, &facts)
    }

    fn on_body(id: &str, body: Value) -> Outcome {
        on_body_with(stet(), id, body)
    }

    #[test]
    fn authorisation_numbers() {
        assert_eq!(org_id_parts("PSDFR-ACPR-12345"), Some(("FR", "ACPR")));
        assert_eq!(org_id_parts("PSDSE-FINA-44059"), Some(("SE", "FINA")));
        assert!(org_id_parts("PSDfr-ACPR-1").is_none());
        assert!(org_id_parts("VATFR-123").is_none());
        assert!(org_id_parts("PSDFR-ACPR-").is_none());
        assert!(scope_roles_of("aisp pisp", &["PSP_AI".into()]).is_err());
        assert!(scope_roles_of("aisp openid", &["PSP_AI".into()]).is_ok());
    }

    // --- the certificate ---

    #[test]
    fn stet_cert_eku_client_auth_passes_for_a_client_auth_certificate() {
        let o = on_cert("stet.cert.eku_client_auth", Some(tpp()));
        assert_outcome(&o, Pass, "clientAuth is allowed");
    }

    #[test]
    fn stet_cert_eku_client_auth_fails_without_client_auth() {
        let mut p = tpp();
        p.client_auth_eku = false;
        let o = on_cert("stet.cert.eku_client_auth", Some(p));
        assert_outcome(&o, Fail, "no clientAuth extended key usage");
    }

    #[test]
    fn stet_cert_checks_skip_without_a_certificate() {
        for id in [
            "stet.cert.eku_client_auth",
            "stet.cert.qc_compliance",
            "stet.cert.psd2_statement_present",
            "stet.cert.org_id_format",
            "stet.directory.licence_active",
        ] {
            let o = on_cert(id, None);
            assert_eq!(o.kind, Skip, "{id}: {o:?}");
            assert_eq!(o.message, "no certificate", "{id}");
        }
        for id in [
            "stet.cert.qc_type_web",
            "stet.cert.roles_valid",
            "stet.cert.nca_consistent",
        ] {
            let o = on_cert(id, None);
            assert_outcome(&o, Skip, "no eIDAS content");
            // A certificate without eIDAS content too: the check it needs judges that.
            let o = on_cert(id, Some(peer("CN=tpp.example.com,C=FR")));
            assert_outcome(&o, Skip, "no eIDAS content");
        }
    }

    #[test]
    fn stet_cert_qc_compliance_passes_for_a_qualified_certificate() {
        let o = on_cert("stet.cert.qc_compliance", Some(tpp()));
        assert_outcome(&o, Pass, "QcCompliance is declared");
    }

    #[test]
    fn stet_cert_qc_compliance_fails_for_a_non_qualified_certificate() {
        let o = on_cert(
            "stet.cert.qc_compliance",
            Some(tpp_with(|e| e.qc_compliance = false)),
        );
        assert_outcome(
            &o,
            Fail,
            "not a qualified certificate (no QcCompliance statement)",
        );
        let o = on_cert(
            "stet.cert.qc_compliance",
            Some(peer("CN=tpp.example.com,C=FR")),
        );
        assert_outcome(&o, Fail, "present an eIDAS QWAC");
    }

    #[test]
    fn stet_cert_qc_type_web_passes_for_a_qwac() {
        let o = on_cert("stet.cert.qc_type_web", Some(tpp()));
        assert_outcome(&o, Pass, "a QWAC (QcType web)");
        assert_eq!(o.values["qc_types"], json!(["web"]));
    }

    #[test]
    fn stet_cert_qc_type_web_fails_for_a_qsealc_saying_so() {
        let o = on_cert(
            "stet.cert.qc_type_web",
            Some(tpp_with(|e| e.qc_types = vec!["eseal".into()])),
        );
        assert_outcome(&o, Fail, "a QSealC (QcType eseal) was presented");
        let o = on_cert(
            "stet.cert.qc_type_web",
            Some(tpp_with(|e| e.qc_types.clear())),
        );
        assert_outcome(&o, Fail, "declares no QcType web");
    }

    #[test]
    fn stet_cert_psd2_statement_present_passes_with_roles_and_nca() {
        let o = on_cert("stet.cert.psd2_statement_present", Some(tpp()));
        assert_outcome(&o, Pass, "the PSD2 statement is present");
        assert_eq!(o.values["roles"], json!(["PSP_AI", "PSP_PI"]));
        assert_eq!(o.values["nca_id"], "FR-ACPR");
    }

    #[test]
    fn stet_cert_psd2_statement_present_fails_without_it() {
        let o = on_cert(
            "stet.cert.psd2_statement_present",
            Some(tpp_with(|e| e.has_psd2_statement = false)),
        );
        assert_outcome(&o, Fail, "no PSD2 qcStatement");
    }

    #[test]
    fn stet_cert_roles_valid_passes_listing_the_roles() {
        let o = on_cert("stet.cert.roles_valid", Some(tpp()));
        assert_outcome(&o, Pass, "roles PSP_AI, PSP_PI");
    }

    #[test]
    fn stet_cert_roles_valid_fails_for_no_role_or_a_malformed_one() {
        let o = on_cert("stet.cert.roles_valid", Some(tpp_with(|e| e.roles.clear())));
        assert_outcome(&o, Fail, "lists no role");
        let o = on_cert(
            "stet.cert.roles_valid",
            Some(tpp_with(|e| {
                e.anomalies = vec!["role PSP_AI has the OID of PSP_PI".into()]
            })),
        );
        assert_outcome(
            &o,
            Fail,
            "the PSD2 statement is malformed: role PSP_AI has the OID of PSP_PI",
        );
    }

    #[test]
    fn stet_cert_org_id_format_passes_for_an_authorisation_number() {
        let o = on_cert("stet.cert.org_id_format", Some(tpp()));
        assert_outcome(&o, Pass, "`PSDFR-ACPR-12345`");
        assert_eq!(o.values["organization_identifier"], ORG);
    }

    #[test]
    fn stet_cert_org_id_format_fails_for_a_missing_or_other_identifier() {
        let o = on_cert(
            "stet.cert.org_id_format",
            Some(tpp_with(|e| e.organization_identifier = None)),
        );
        assert_outcome(&o, Fail, "has no organizationIdentifier (2.5.4.97)");
        let o = on_cert(
            "stet.cert.org_id_format",
            Some(peer("CN=tpp.example.com,C=FR")),
        );
        assert_outcome(&o, Fail, "has no organizationIdentifier (2.5.4.97)");
        let o = on_cert(
            "stet.cert.org_id_format",
            Some(qwac("VATFR-12345678901", &["PSP_AI"])),
        );
        assert_outcome(
            &o,
            Fail,
            "organizationIdentifier `VATFR-12345678901` is not a PSD2 authorisation number",
        );
    }

    #[test]
    fn stet_cert_nca_consistent_passes_when_nca_and_number_agree() {
        let o = on_cert("stet.cert.nca_consistent", Some(tpp()));
        assert_outcome(&o, Pass, "nCAId agrees with the organizationIdentifier");
    }

    #[test]
    fn stet_cert_nca_consistent_fails_for_another_authority() {
        let o = on_cert(
            "stet.cert.nca_consistent",
            Some(tpp_with(|e| e.nca_id = Some("BE-NBB".into()))),
        );
        assert_outcome(
            &o,
            Fail,
            "nCAId `BE-NBB` does not agree with organizationIdentifier `PSDFR-ACPR-12345`",
        );
    }

    #[test]
    fn stet_cert_nca_consistent_skips_what_other_checks_judge() {
        let o = on_cert(
            "stet.cert.nca_consistent",
            Some(tpp_with(|e| e.nca_id = None)),
        );
        assert_outcome(&o, Skip, "no organizationIdentifier or nCAId");
        let o = on_cert(
            "stet.cert.nca_consistent",
            Some(qwac("PSDfr-ACPR-1", &["PSP_AI"])),
        );
        assert_outcome(&o, Skip, "malformed organizationIdentifier");
    }

    #[test]
    fn stet_directory_licence_active_passes_for_an_active_or_unknown_licence() {
        let o = on_cert("stet.directory.licence_active", Some(tpp()));
        assert_outcome(&o, Pass, "lists the organisation as Active");
        let mut unknown = tpp();
        unknown.org_status = None;
        let o = on_cert("stet.directory.licence_active", Some(unknown));
        assert_outcome(&o, Pass, "not in the mock register");
    }

    #[test]
    fn stet_directory_licence_active_fails_for_a_revoked_licence() {
        let mut revoked = tpp();
        revoked.org_status = Some(DirectoryStatus::Revoked);
        let o = on_cert("stet.directory.licence_active", Some(revoked));
        assert_outcome(&o, Fail, "the TPP's licence is Revoked in the register");
    }

    // --- the registration body ---

    #[test]
    fn stet_reg_checks_skip_without_metadata() {
        for id in [
            "stet.reg.auth_method",
            "stet.reg.no_secret",
            "stet.reg.grant_types_allowed",
            "stet.reg.scope_matches_roles",
            "stet.reg.provider_legal_id_matches_cert",
            "stet.reg.subject_dn_matches_cert",
        ] {
            let o = on_body(id, json!(["not", "an", "object"]));
            assert_eq!(o.kind, Skip, "{id}: {o:?}");
            assert_eq!(o.message, "no metadata", "{id}");
        }
    }

    #[test]
    fn stet_reg_auth_method_passes_for_tls_client_auth() {
        let o = on_body(
            "stet.reg.auth_method",
            json!({"token_endpoint_auth_method": "tls_client_auth"}),
        );
        assert_outcome(&o, Pass, "`tls_client_auth`");
    }

    #[test]
    fn stet_reg_auth_method_fails_for_another_method() {
        let o = on_body(
            "stet.reg.auth_method",
            json!({"token_endpoint_auth_method": "client_secret_basic"}),
        );
        assert_outcome(
            &o,
            Fail,
            "token_endpoint_auth_method `client_secret_basic` is not allowed (allowed: tls_client_auth)",
        );
    }

    #[test]
    fn stet_reg_auth_method_is_mandatory_unless_configured_otherwise() {
        let o = on_body("stet.reg.auth_method", json!({}));
        assert_outcome(&o, Fail, "token_endpoint_auth_method is mandatory");
        let optional = with_params(
            stet().clone(),
            "stet.reg.auth_method",
            r#"{ allowed = ["tls_client_auth"], mandatory = false }"#,
        );
        let o = on_body_with(&optional, "stet.reg.auth_method", json!({}));
        assert_outcome(&o, Pass, "not sent; tls_client_auth applies");
    }

    #[test]
    fn stet_reg_no_secret_passes_without_a_secret() {
        let o = on_body("stet.reg.no_secret", json!({}));
        assert_outcome(&o, Pass, "no secret requested");
    }

    #[test]
    fn stet_reg_no_secret_ignores_a_supplied_secret_by_default() {
        let o = on_body("stet.reg.no_secret", json!({"client_secret": "s3cret"}));
        assert_outcome(&o, Pass, "the supplied client_secret is ignored");
    }

    #[test]
    fn stet_reg_no_secret_fails_for_a_secret_when_refusing() {
        let refusing = with_params(stet().clone(), "stet.reg.no_secret", "{ refuse = true }");
        let o = on_body_with(
            &refusing,
            "stet.reg.no_secret",
            json!({"client_secret": "s3cret"}),
        );
        assert_outcome(&o, Fail, "client_secret must not be sent");
    }

    #[test]
    fn stet_reg_grant_types_allowed_passes_for_psd2_grants_or_the_default() {
        let o = on_body(
            "stet.reg.grant_types_allowed",
            json!({"grant_types": ["authorization_code", "client_credentials", "refresh_token"]}),
        );
        assert_outcome(&o, Pass, "every grant type is allowed");
        let o = on_body("stet.reg.grant_types_allowed", json!({}));
        assert_outcome(&o, Pass, "every grant type is allowed");
        assert_eq!(o.values["grant_types"], json!(["authorization_code"]));
    }

    #[test]
    fn stet_reg_grant_types_allowed_fails_for_another_grant() {
        let o = on_body(
            "stet.reg.grant_types_allowed",
            json!({"grant_types": ["authorization_code", "implicit"]}),
        );
        assert_outcome(
            &o,
            Fail,
            "grant type `implicit` is not allowed for PSD2 TPPs",
        );
    }

    #[test]
    fn stet_reg_scope_matches_roles_passes_within_the_certificates_roles() {
        let o = on_body(
            "stet.reg.scope_matches_roles",
            json!({"scope": "aisp pisp extended_transaction_history"}),
        );
        assert_outcome(&o, Pass, "the scopes fit the certificate's roles");
        assert_eq!(o.values["roles"], json!(["PSP_AI", "PSP_PI"]));
    }

    #[test]
    fn stet_reg_scope_matches_roles_fails_without_the_role_the_scope_needs() {
        let o = on_body(
            "stet.reg.scope_matches_roles",
            json!({"scope": "aisp cbpii"}),
        );
        assert_outcome(
            &o,
            Fail,
            "scope `cbpii` needs the PSP_IC role, which the certificate does not carry",
        );
    }

    #[test]
    fn stet_reg_scope_matches_roles_skips_without_a_scope() {
        let o = on_body("stet.reg.scope_matches_roles", json!({}));
        assert_outcome(&o, Skip, "no scope requested");
    }

    #[test]
    fn stet_reg_provider_legal_id_passes_for_the_certificates_or_none() {
        let o = on_body(
            "stet.reg.provider_legal_id_matches_cert",
            json!({"provider_legal_id": ORG}),
        );
        assert_outcome(&o, Pass, "matches the certificate");
        let o = on_body("stet.reg.provider_legal_id_matches_cert", json!({}));
        assert_outcome(&o, Pass, "filled from the certificate");
        assert_eq!(o.values["certificate"], ORG);
    }

    #[test]
    fn stet_reg_provider_legal_id_fails_for_another_or_a_non_string() {
        let o = on_body(
            "stet.reg.provider_legal_id_matches_cert",
            json!({"provider_legal_id": "PSDFR-ACPR-99999"}),
        );
        assert_outcome(
            &o,
            Fail,
            "does not match the organizationIdentifier of the certificate",
        );
        assert_eq!(o.values["provider_legal_id"], "PSDFR-ACPR-99999");
        let o = on_body(
            "stet.reg.provider_legal_id_matches_cert",
            json!({"provider_legal_id": 12345}),
        );
        assert_outcome(&o, Fail, "provider_legal_id must be a string");
    }

    #[test]
    fn stet_reg_subject_dn_passes_for_the_certificates_dn_or_none() {
        let o = on_body(
            "stet.reg.subject_dn_matches_cert",
            json!({"tls_client_auth_subject_dn": "organizationIdentifier=PSDFR-ACPR-12345, CN=TPP.example.com, O=Example TPP, C=FR"}),
        );
        assert_outcome(&o, Pass, "names the certificate presented");
        let o = on_body("stet.reg.subject_dn_matches_cert", json!({}));
        assert_outcome(&o, Pass, "filled from the certificate");
        assert_eq!(o.values["certificate_subject"], tpp().subject);
    }

    #[test]
    fn stet_reg_subject_dn_fails_for_another_dn() {
        let o = on_body(
            "stet.reg.subject_dn_matches_cert",
            json!({"tls_client_auth_subject_dn": "2.5.4.97=PSDFR-ACPR-99999,CN=tpp.example.com,O=Example TPP,C=FR"}),
        );
        assert_outcome(
            &o,
            Fail,
            "tls_client_auth_subject_dn does not name the certificate presented",
        );
    }

    fn duplicate(profile: &Profile, clients_of_org: usize, updating: bool) -> Outcome {
        let mut p = tpp();
        p.clients_of_org = clients_of_org;
        let facts = Facts {
            body: Some(json!({})),
            peer: Some(p),
            management: updating.then(|| management("c1", None, Some(json!({})))),
            ..Default::default()
        };
        run_on(profile, "stet.reg.duplicate_org", &facts)
    }

    #[test]
    fn stet_reg_duplicate_org_passes_where_several_clients_are_allowed() {
        let o = duplicate(stet(), 2, false);
        assert_outcome(&o, Pass, "2 client(s) already registered");
        assert_eq!(o.values["existing_clients"], 2);
    }

    #[test]
    fn stet_reg_duplicate_org_fails_for_a_second_client_where_one_is_allowed() {
        let one = with_params(
            stet().clone(),
            "stet.reg.duplicate_org",
            "{ allow_several = false }",
        );
        let o = duplicate(&one, 0, false);
        assert_outcome(&o, Pass, "0 client(s) already registered");
        let o = duplicate(&one, 1, false);
        assert_outcome(&o, Fail, "already has a registered client");
    }

    #[test]
    fn stet_reg_duplicate_org_skips_updates_and_certificateless_requests() {
        let one = with_params(
            stet().clone(),
            "stet.reg.duplicate_org",
            "{ allow_several = false }",
        );
        let o = duplicate(&one, 1, true);
        assert_outcome(&o, Skip, "an update of an existing client");
        let o = run_on(&one, "stet.reg.duplicate_org", &Facts::default());
        assert_outcome(&o, Skip, "no certificate");
    }

    // --- management and token ---

    #[test]
    fn stet_mgmt_certificate_passes_for_a_trusted_certificate() {
        let o = on_cert("stet.mgmt.certificate", Some(tpp()));
        assert_outcome(&o, Pass, "a trusted certificate");
        assert_eq!(o.values["subject"], tpp().subject);
    }

    #[test]
    fn stet_mgmt_certificate_fails_without_a_trusted_certificate() {
        let o = on_cert("stet.mgmt.certificate", None);
        assert_outcome(
            &o,
            Fail,
            "manage the registration over mutual TLS with the QWAC",
        );
        let mut untrusted = tpp();
        untrusted.chain_error = Some("certificate expired".into());
        let o = on_cert("stet.mgmt.certificate", Some(untrusted));
        assert_outcome(&o, Fail, "not trusted: certificate expired");
    }

    fn same_org(peer: Option<PeerFacts>, client: Option<Value>) -> Outcome {
        let facts = Facts {
            peer,
            management: Some(management("c1", None, client)),
            ..Default::default()
        };
        run_on(stet(), "stet.mgmt.same_org", &facts)
    }

    #[test]
    fn stet_mgmt_same_org_passes_for_the_registered_organisation() {
        let o = same_org(Some(tpp()), Some(json!({"provider_legal_id": ORG})));
        assert_outcome(&o, Pass, "belongs to the registered organisation");
    }

    #[test]
    fn stet_mgmt_same_org_fails_for_another_organisations_certificate() {
        let other = qwac("PSDFR-ACPR-99999", &["PSP_AI"]);
        let o = same_org(Some(other), Some(json!({"provider_legal_id": ORG})));
        assert_outcome(&o, Fail, "belongs to another organisation");
        assert_eq!(o.values["provider_legal_id"], ORG);
        assert_eq!(
            o.values["certificate_organization_identifier"],
            "PSDFR-ACPR-99999"
        );
    }

    #[test]
    fn stet_mgmt_same_org_skips_without_a_client_or_certificate() {
        let o = same_org(Some(tpp()), None);
        assert_outcome(&o, Skip, "no client");
        let o = same_org(None, Some(json!({"provider_legal_id": ORG})));
        assert_outcome(&o, Skip, "no management facts or certificate");
    }

    fn token_scope(scope: Option<&str>) -> Outcome {
        let mut form = serde_json::Map::new();
        form.insert("grant_type".into(), "client_credentials".into());
        if let Some(scope) = scope {
            form.insert("scope".into(), scope.into());
        }
        let facts = Facts {
            peer: Some(tpp()),
            token: Some(TokenFacts {
                form: Some(Ok(form)),
                ..Default::default()
            }),
            ..Default::default()
        };
        run_on(stet(), "stet.token.scope_roles", &facts)
    }

    #[test]
    fn stet_token_scope_roles_passes_within_the_certificates_roles() {
        let o = token_scope(Some("aisp pisp"));
        assert_outcome(&o, Pass, "the scopes fit the certificate's roles");
        assert_eq!(o.values["scope"], "aisp pisp");
        let o = token_scope(None);
        assert_outcome(&o, Pass, "the scopes fit the certificate's roles");
    }

    #[test]
    fn stet_token_scope_roles_fails_without_the_role_the_scope_needs() {
        let o = token_scope(Some("piisp"));
        assert_outcome(&o, Fail, "scope `piisp` needs the PSP_IC role");
        assert_eq!(o.values["roles"], json!(["PSP_AI", "PSP_PI"]));
    }
}
