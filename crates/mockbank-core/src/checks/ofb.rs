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
    use crate::checks::testing::{
        assert_outcome, compact, management, peer, run_on, shipped_once, signed_facts, with_params,
        Facts,
    };
    use crate::profile::Profile;
    use crate::signed::{PeerFacts, SignedFacts};
    use crate::trace::OutcomeKind::{Fail, Pass, Skip};
    use serde_json::json;

    const SOFTWARE: &str = "a8c5e9d1-6b4f-4c2a-9e7d-3f1b2c4d5e6f";
    const ORG: &str = "74e929d9-33b6-4d85-8ba7-c146c867a817";

    fn ofb() -> &'static Profile {
        shipped_once("ofb")
    }

    /// The software's transport certificate subject as the directory mints it (§7.1.2).
    fn transport() -> String {
        format!("UID={SOFTWARE},2.5.4.97=OFBBR-{ORG},CN=tpp.example.com.br,O=Example TPP,C=BR")
    }

    /// The facts of a JSON registration carrying a verified statement with these claims.
    fn verified(statement: Value) -> SignedFacts {
        let ssa = compact(json!({"alg": "PS256", "kid": "directory"}), statement);
        let mut facts = signed_facts(&ssa, Some(&ssa));
        facts.request = None;
        facts
    }

    fn statement(roles: Value) -> Value {
        json!({
            "software_id": SOFTWARE,
            "org_id": ORG,
            "software_roles": roles,
            "software_jwks_uri": "https://keystore.sandbox.directory.openbankingbrasil.org.br/x.jwks",
        })
    }

    fn run(
        profile: &Profile,
        id: &str,
        body: Value,
        statement: Value,
        peer: Option<PeerFacts>,
    ) -> Outcome {
        let facts = Facts {
            body: Some(body),
            signed: Some(verified(statement)),
            peer,
            ..Default::default()
        };
        run_on(profile, id, &facts)
    }

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

    // --- ofb.cert.matches_ssa ---

    fn cert(profile: &Profile, subject: &str) -> Outcome {
        run(
            profile,
            "ofb.cert.matches_ssa",
            json!({}),
            statement(json!(["DADOS"])),
            Some(peer(subject)),
        )
    }

    #[test]
    fn ofb_cert_matches_ssa_passes_for_the_softwares_uid_and_organisation() {
        let o = cert(ofb(), &transport());
        assert_outcome(&o, Pass, "UID and organizationIdentifier are the SSA's");
        assert_eq!(o.values["software_id"], SOFTWARE);
        // The §7.1.2 spelling: the organizationIdentifier as a dotted OID with a BER value.
        let ber = crate::dn::with_ber_values_for_oids(&transport());
        assert!(ber.contains("2.5.4.97=#0C"), "{ber}");
        let o = cert(ofb(), &ber);
        assert_outcome(&o, Pass, "UID and organizationIdentifier are the SSA's");
    }

    #[test]
    fn ofb_cert_matches_ssa_accepts_a_pre_2022_ou_only_where_configured() {
        let old = format!("UID={SOFTWARE},OU={ORG},CN=tpp.example.com.br,O=Example TPP,C=BR");
        let o = cert(ofb(), &old);
        assert_outcome(&o, Pass, "UID and OU are the SSA's software_id and org_id");
        let strict = with_params(
            ofb().clone(),
            "ofb.cert.matches_ssa",
            "{ accept_ou = false }",
        );
        let o = cert(&strict, &old);
        assert_outcome(&o, Fail, "organizationIdentifier is not OFBBR- followed by");
    }

    #[test]
    fn ofb_cert_matches_ssa_fails_for_another_software_or_organisation() {
        let other_software = transport().replace(SOFTWARE, "b0000000-0000-4000-8000-000000000000");
        let o = cert(ofb(), &other_software);
        assert_outcome(
            &o,
            Fail,
            "the certificate's UID is not the software statement's software_id",
        );
        assert_eq!(o.values["subject"], other_software);
        let other_org = transport().replace(ORG, "c0000000-0000-4000-8000-000000000000");
        let o = cert(ofb(), &other_org);
        assert_outcome(
            &o,
            Fail,
            "organizationIdentifier is not OFBBR- followed by the software statement's org_id",
        );
    }

    #[test]
    fn ofb_cert_matches_ssa_skips_without_a_certificate() {
        let o = run(
            ofb(),
            "ofb.cert.matches_ssa",
            json!({}),
            statement(json!(["DADOS"])),
            None,
        );
        assert_outcome(&o, Skip, "no certificate or no SSA");
    }

    // --- ofb.tls_dn.format ---

    fn dn_format(body: Value) -> Outcome {
        testing::run_on_body_with(ofb(), "ofb.tls_dn.format", body)
    }

    #[test]
    fn ofb_tls_dn_format_passes_for_descriptors_and_ber_oids() {
        let dn = crate::dn::with_ber_values_for_oids(&transport());
        let o = dn_format(
            json!({"token_endpoint_auth_method": "tls_client_auth", "tls_client_auth_subject_dn": dn}),
        );
        assert_outcome(&o, Pass, "dotted OIDs with BER values for the others");
        assert_eq!(o.values["tls_client_auth_subject_dn"], dn);
    }

    #[test]
    fn ofb_tls_dn_format_fails_for_a_name_that_does_not_parse() {
        let o = dn_format(
            json!({"token_endpoint_auth_method": "tls_client_auth", "tls_client_auth_subject_dn": "CN=abc\\"}),
        );
        assert_outcome(
            &o,
            Fail,
            "tls_client_auth_subject_dn is not an RFC 4514 name",
        );
    }

    #[test]
    fn ofb_tls_dn_format_fails_for_a_descriptor_rfc4514_does_not_list() {
        let o = dn_format(
            json!({"token_endpoint_auth_method": "tls_client_auth", "tls_client_auth_subject_dn": "UID=abc,serialNumber=13353236000189,C=BR"}),
        );
        assert_outcome(
            &o,
            Fail,
            "`serialNumber` is not an RFC 4514 §3 descriptor: write it as 2.5.4.5=#",
        );
    }

    #[test]
    fn ofb_tls_dn_format_skips_other_methods_and_a_missing_dn() {
        let o = dn_format(
            json!({"token_endpoint_auth_method": "private_key_jwt", "tls_client_auth_subject_dn": "serialNumber=1"}),
        );
        assert_outcome(&o, Skip, "not a tls_client_auth client");
        let o = dn_format(json!({"token_endpoint_auth_method": "tls_client_auth"}));
        assert_outcome(&o, Skip, "no tls_client_auth_subject_dn");
        let o = testing::run_on_body_with(ofb(), "ofb.tls_dn.format", json!([]));
        assert_outcome(&o, Skip, "no metadata");
    }

    // --- ofb.scope.roles ---

    fn scopes(body: Value, roles: Value) -> Outcome {
        run(ofb(), "ofb.scope.roles", body, statement(roles), None)
    }

    #[test]
    fn ofb_scope_roles_passes_within_the_roles_scopes() {
        let o = scopes(
            json!({"scope": "openid accounts payments"}),
            json!(["DADOS", "PAGTO"]),
        );
        assert_outcome(
            &o,
            Pass,
            "every scope is allowed by the software's regulatory roles",
        );
        assert_eq!(o.values["roles"], json!(["DADOS", "PAGTO"]));
    }

    #[test]
    fn ofb_scope_roles_fails_for_a_scope_outside_the_roles() {
        let o = scopes(
            json!({"scope": "openid accounts payments"}),
            json!(["DADOS"]),
        );
        assert_outcome(
            &o,
            Fail,
            "the software's regulatory roles (DADOS) do not allow the scope payments",
        );
        let o = scopes(json!({"scope": "openid"}), json!([]));
        assert_outcome(&o, Fail, "(none active) do not allow the scope openid");
    }

    #[test]
    fn ofb_scope_roles_count_only_active_statement_roles() {
        let roles = json!([
            {"role": "DADOS", "status": "Active"},
            {"role": "PAGTO", "status": "Inactive"},
        ]);
        let mut claims = statement(json!(["DADOS", "PAGTO"]));
        claims["software_statement_roles"] = roles;
        let o = run(
            ofb(),
            "ofb.scope.roles",
            json!({"scope": "openid payments"}),
            claims,
            None,
        );
        assert_outcome(&o, Fail, "(DADOS) do not allow the scope payments");
    }

    #[test]
    fn ofb_scope_roles_provides_every_scope_of_the_roles_when_omitted() {
        let o = scopes(json!({}), json!(["PAGTO", "CONTA"]));
        assert_outcome(
            &o,
            Pass,
            "scope omitted: the client gets every scope of its roles",
        );
        // `openid`, allowed by both roles, is granted once.
        assert_eq!(o.defaults["scope"], "openid payments");
    }

    #[test]
    fn ofb_scope_roles_skips_without_a_statement() {
        let facts = Facts {
            body: Some(json!({"scope": "openid"})),
            ..Default::default()
        };
        let o = run_on(ofb(), "ofb.scope.roles", &facts);
        assert_outcome(&o, Skip, "no metadata or no SSA");
    }

    // --- ofb.mgmt.same_software ---

    fn same_software(subject: Option<&str>, client: Option<Value>) -> Outcome {
        let facts = Facts {
            peer: subject.map(peer),
            management: Some(management("c1", None, client)),
            ..Default::default()
        };
        run_on(ofb(), "ofb.mgmt.same_software", &facts)
    }

    #[test]
    fn ofb_mgmt_same_software_passes_for_the_registered_softwares_certificate() {
        let registered = json!({"software_id": SOFTWARE.to_uppercase()});
        let o = same_software(Some(&transport()), Some(registered));
        assert_outcome(&o, Pass, "belongs to the registered software");
    }

    #[test]
    fn ofb_mgmt_same_software_fails_for_another_softwares_certificate() {
        let other = transport().replace(SOFTWARE, "b0000000-0000-4000-8000-000000000000");
        let o = same_software(Some(&other), Some(json!({"software_id": SOFTWARE})));
        assert_outcome(&o, Fail, "belongs to another software");
        assert_eq!(o.values["software_id"], SOFTWARE);
        // A client registered without software_id matches no certificate.
        let o = same_software(Some(&transport()), Some(json!({})));
        assert_outcome(&o, Fail, "belongs to another software");
    }

    #[test]
    fn ofb_mgmt_same_software_skips_without_a_client_or_certificate() {
        let o = same_software(Some(&transport()), None);
        assert_outcome(&o, Skip, "no client");
        let o = same_software(None, Some(json!({"software_id": SOFTWARE})));
        assert_outcome(&o, Skip, "no management facts or certificate");
    }
}
