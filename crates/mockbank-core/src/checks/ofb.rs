//! Open Finance Brasil DCR/DCM checks (OFB FAPI DCR 1.0 ID3 §7.1): only what no other
//! profile asks — the ICP-Brasil certificate's UID and organizationIdentifier against the
//! software statement, the subject DN format of `tls_client_auth`, scopes within the
//! regulatory roles, and management by the same software's certificate.

use serde_json::Value;

use super::signed::ssa;
use super::{CheckCx, CheckDef, ParamSpec, ParamValue, Params, Phase};
use crate::trace::Outcome;
use crate::ErrorCode;

pub(super) const CHECKS: &[&CheckDef] = &[
    &CERT_MATCHES_SSA,
    &TLS_DN_FORMAT,
    &SCOPE_ROLES,
    &MGMT_SAME_SOFTWARE,
];

/// The prefix of an organizationIdentifier issued for the Open Finance Brasil registry
/// (OFB DCR §7.1 #14).
const ORG_PREFIX: &str = "OFBBR-";

pub static CERT_MATCHES_SSA: CheckDef = CheckDef {
    id: "ofb.cert.matches_ssa",
    title: "Certificate is the SSA's software and organisation",
    spec: "OFB DCR 1.0 §7.1 #13-14",
    description: "The client certificate's `UID` is the SSA's `software_id`, and its `organizationIdentifier` (2.5.4.97) is `OFBBR-` followed by the SSA's `org_id` (certificates of CAs active until 31 August 2022: `OU` = `org_id`, where `accept_ou`).",
    phase: Phase::Statement,
    needs: &["mtls.trusted", "ssa.signature"],
    error: ErrorCode::InvalidSoftwareStatement,
    status: None,
    params: &[ParamSpec { name: "accept_ou", doc: "Also accept `OU` = org_id, as certificates issued before 31 August 2022 carry it (OFB DCR §7.1 #14).", default: ParamValue::Bool(true) }],
    run: cert_matches_ssa,
};

fn cert_matches_ssa(cx: &CheckCx, params: &Params) -> Outcome {
    let (Some(peer), Some(jws)) = (cx.peer, ssa(cx)) else {
        return Outcome::skip("no certificate or no SSA");
    };
    let attr = |name: &str| crate::dn::attribute(&peer.subject, name).unwrap_or_default();
    let software_id = jws.claim_str("software_id").unwrap_or("").to_lowercase();
    let org_id = jws.claim_str("org_id").unwrap_or("").to_lowercase();
    let uid = attr("UID");
    let org_identifier = attr("organizationIdentifier");
    let ou = attr("OU");
    let expected_oi = format!("{ORG_PREFIX}{org_id}").to_lowercase();
    let o = if software_id.is_empty() || uid != software_id {
        Outcome::fail("the certificate's UID is not the software statement's software_id")
    } else if !org_id.is_empty() && org_identifier == expected_oi {
        Outcome::pass("UID and organizationIdentifier are the SSA's software_id and OFBBR-org_id")
    } else if params.bool("accept_ou") && !org_id.is_empty() && ou == org_id {
        Outcome::pass("UID and OU are the SSA's software_id and org_id (pre-2022 certificate)")
    } else {
        Outcome::fail(format!(
            "the certificate's organizationIdentifier is not {ORG_PREFIX} followed by the software statement's org_id"
        ))
    };
    o.with("subject", peer.subject.as_str())
        .with("software_id", jws.claim_str("software_id").unwrap_or(""))
        .with("org_id", jws.claim_str("org_id").unwrap_or(""))
}

pub static TLS_DN_FORMAT: CheckDef = CheckDef {
    id: "ofb.tls_dn.format",
    title: "tls_client_auth_subject_dn in the OFB format",
    spec: "OFB DCR 1.0 §7.1.2, RFC 4514 §2.3-2.4",
    description: "A `tls_client_auth` client's `tls_client_auth_subject_dn` names attributes only by the RFC 4514 §3 descriptors (CN, L, ST, O, OU, C, STREET, DC, UID); every other attribute (businessCategory, jurisdictionCountryName, serialNumber, organizationIdentifier) is a dotted OID with its BER value in hex (`2.5.4.97=#0C…`).",
    phase: Phase::Metadata,
    needs: &[],
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[],
    run: tls_dn_format,
};

fn tls_dn_format(cx: &CheckCx, _: &Params) -> Outcome {
    let Some(md) = cx.metadata() else {
        return Outcome::skip("no metadata");
    };
    if md.get("token_endpoint_auth_method").and_then(Value::as_str) != Some("tls_client_auth") {
        return Outcome::skip("not a tls_client_auth client");
    }
    let Some(dn) = md.get("tls_client_auth_subject_dn").and_then(Value::as_str) else {
        return Outcome::skip("no tls_client_auth_subject_dn (judged where it is required)");
    };
    if let Err(why) = crate::dn::parse_strict(dn) {
        return Outcome::fail(format!(
            "tls_client_auth_subject_dn is not an RFC 4514 name: {why}"
        ))
        .with("tls_client_auth_subject_dn", dn);
    }
    let misspelt = crate::dn::written_types(dn).into_iter().find(|(t, ber)| {
        let descriptor = crate::dn::RFC4514_DESCRIPTORS
            .iter()
            .any(|d| d.eq_ignore_ascii_case(t));
        !(descriptor || crate::dn::is_dotted_oid(t) && *ber)
    });
    let o = match misspelt {
        None => Outcome::pass("descriptors for the RFC 4514 attributes, dotted OIDs with BER values for the others"),
        Some((t, _)) if crate::dn::is_dotted_oid(&t) => Outcome::fail(format!(
            "`{t}` is a dotted OID: its value must be written as `#` and the hex of its BER encoding (OFB DCR §7.1.2)"
        )),
        Some((t, _)) => {
            let oid = crate::dn::attribute_oid(&t).unwrap_or_else(|| "its dotted OID".into());
            Outcome::fail(format!(
                "`{t}` is not an RFC 4514 §3 descriptor: write it as {oid}=#<hex of its BER value> (OFB DCR §7.1.2)"
            ))
        }
    };
    o.with("tls_client_auth_subject_dn", dn)
}

pub static SCOPE_ROLES: CheckDef = CheckDef {
    id: "ofb.scope.roles",
    title: "Scopes within the software's regulatory roles",
    spec: "OFB DCR 1.0 §7.1 #9, §7.2",
    description: "Each requested scope is allowed by one of the SSA's active regulatory roles (`software_statement_roles` with status Active, else `software_roles`), by the table `role_scopes`. Omitted, the client gets every scope its roles allow (§7.1.1 #3).",
    phase: Phase::Metadata,
    needs: &["ssa.signature"],
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[ParamSpec { name: "role_scopes", doc: "`ROLE=scope scope …`: the scopes each regulatory role allows (OFB DCR §7.2).", default: ParamValue::List(&[
        "DADOS=openid accounts credit-cards-accounts consents customers invoice-financings financings loans unarranged-accounts-overdraft resources",
        "PAGTO=openid payments",
        "CONTA=openid",
        "CCORR=openid",
    ]) }],
    run: scope_roles,
};

/// The SSA's active regulatory roles.
fn active_roles(claims: &serde_json::Map<String, Value>) -> Vec<String> {
    if let Some(entries) = claims
        .get("software_statement_roles")
        .and_then(Value::as_array)
    {
        return entries
            .iter()
            .filter(|e| e.get("status").and_then(Value::as_str) == Some("Active"))
            .filter_map(|e| e.get("role").and_then(Value::as_str).map(str::to_owned))
            .collect();
    }
    claims
        .get("software_roles")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|r| r.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn scope_roles(cx: &CheckCx, params: &Params) -> Outcome {
    let (Some(md), Some(jws)) = (cx.metadata(), ssa(cx)) else {
        return Outcome::skip("no metadata or no SSA");
    };
    let roles = active_roles(&jws.claims);
    let table = params.list("role_scopes");
    let allowed: Vec<&str> = table
        .iter()
        .filter_map(|row| row.split_once('='))
        .filter(|(role, _)| roles.iter().any(|r| r == role.trim()))
        .flat_map(|(_, scopes)| scopes.split_whitespace())
        .collect();
    let Some(scope) = md.get("scope").and_then(Value::as_str) else {
        // OFB DCR §7.1.1 #3: the server grants the roles' scopes; RFC 7591 §3.2.1: and
        // returns them with the registered metadata.
        let mut granted: Vec<&str> = Vec::new();
        for s in &allowed {
            if !granted.contains(s) {
                granted.push(s);
            }
        }
        return Outcome::pass("scope omitted: the client gets every scope of its roles")
            .providing("scope", granted.join(" "))
            .with("roles", roles.clone())
            .with("allowed", allowed);
    };
    let outside: Vec<&str> = scope
        .split_whitespace()
        .filter(|s| !allowed.contains(s))
        .collect();
    let o = if outside.is_empty() {
        Outcome::pass("every scope is allowed by the software's regulatory roles")
    } else {
        Outcome::fail(format!(
            "the software's regulatory roles ({}) do not allow the scope {}",
            if roles.is_empty() {
                "none active".to_owned()
            } else {
                roles.join(", ")
            },
            outside.join(" ")
        ))
    };
    o.with("scope", scope)
        .with("roles", roles.clone())
        .with("allowed", allowed)
}

pub static MGMT_SAME_SOFTWARE: CheckDef = CheckDef {
    id: "ofb.mgmt.same_software",
    title: "Managed by the software's own certificate",
    spec: "OFB DCR 1.0 §7.1 #7, RFC 7592 §2",
    description: "GET/PUT/DELETE present a certificate whose `UID` is the registered client's `software_id`: a registration access token is used only over its own software's mutual TLS connection.",
    phase: Phase::Management,
    needs: &["obuk.mgmt.mtls"],
    error: ErrorCode::AccessDenied,
    status: None,
    params: &[],
    run: mgmt_same_software,
};

fn mgmt_same_software(cx: &CheckCx, _: &Params) -> Outcome {
    let (Some(m), Some(p)) = (cx.management, cx.peer) else {
        return Outcome::skip("no management facts or certificate");
    };
    let Some(client) = &m.client else {
        return Outcome::skip("no client");
    };
    let registered = client
        .metadata
        .get("software_id")
        .and_then(Value::as_str)
        .unwrap_or("");
    let uid = crate::dn::attribute(&p.subject, "UID").unwrap_or_default();
    let o = if !registered.is_empty() && uid == registered.to_lowercase() {
        Outcome::pass("the certificate belongs to the registered software")
    } else {
        Outcome::fail(
            "the certificate belongs to another software than the one that registered this client",
        )
    };
    o.with("software_id", registered)
        .with("certificate_subject", p.subject.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing;

    #[test]
    fn the_subject_dn_must_spell_other_attributes_as_ber_oids() {
        let ber = "UID=abc,2.5.4.97=#0C074F464242522D31,CN=tpp.example.com,C=BR";
        let text = "UID=abc,2.5.4.97=OFBBR-1,CN=tpp.example.com,C=BR";
        let named = "UID=abc,organizationIdentifier=OFBBR-1,CN=tpp.example.com,C=BR";
        let outcome = |dn: &str| {
            let body = serde_json::json!({"token_endpoint_auth_method": "tls_client_auth", "tls_client_auth_subject_dn": dn});
            testing::run_def_on_body(&TLS_DN_FORMAT, body)
        };
        assert_eq!(
            outcome(ber).kind,
            crate::trace::OutcomeKind::Pass,
            "{:?}",
            outcome(ber)
        );
        assert!(outcome(text).message.contains("dotted OID"));
        assert!(outcome(named).message.contains("2.5.4.97=#"));
    }
}
