//! Gathering what checks need to know beyond the request itself: the client certificate with
//! the directory's view of it, and for signed (OBUK) requests the parsed JWSs, their
//! signatures checked against the directory's keys, the software's status and replay caches.
//! Keys come from the local directory, never from an HTTP fetch.

use mockbank_core::signed::{DirectoryFacts, EidasFacts, Jws, PeerFacts, SignedFacts};
use mockbank_core::Profile;
use mockbank_pki::eidas;
use mockbank_store::{DirKind, StoreError};
use serde_json::{json, Value};

use crate::state::AppState;
use crate::tls::Peer;

/// The client certificate of the connection, with the directory's view of it (certificate
/// and organisation status), its eIDAS content and, for `profile`, how many clients its
/// organisation already registered.
pub fn peer_facts(
    st: &AppState,
    peer: Option<&Peer>,
    profile: &Profile,
) -> Result<Option<PeerFacts>, StoreError> {
    let Some(cert) = peer.and_then(|p| p.cert.as_ref()) else {
        return Ok(None);
    };
    let s = &cert.summary;
    let cert_entry = st
        .store
        .directory_entry(DirKind::Certificate, &s.sha256_thumbprint)?;
    let org_status = match &cert_entry {
        Some(c) => st
            .store
            .directory_entry(DirKind::Org, &c.org_id)?
            .map(|o| o.status),
        None => None,
    };
    let directory_status = cert_entry.map(|row| row.status);
    let eidas = eidas::read(cert.leaf()).map(|info| EidasFacts {
        organization_identifier: info.organization_identifier,
        qc_compliance: info.qc_compliance,
        qc_types: info
            .qc_types
            .iter()
            .map(|t| match t {
                eidas::QcType::Web => "web".to_owned(),
                eidas::QcType::Eseal => "eseal".to_owned(),
            })
            .collect(),
        has_psd2_statement: info.psd2.is_some(),
        roles: info
            .psd2
            .as_ref()
            .map(|p| p.roles.iter().map(|r| r.name().to_owned()).collect())
            .unwrap_or_default(),
        nca_id: info.psd2.as_ref().map(|p| p.nca_id.clone()),
        nca_name: info.psd2.as_ref().map(|p| p.nca_name.clone()),
        anomalies: info.anomalies,
    });
    let clients_of_org = match eidas
        .as_ref()
        .and_then(|e| e.organization_identifier.as_deref())
    {
        Some(oi) if profile.runs("stet.reg.duplicate_org") => st
            .store
            .clients(Some(&profile.id))?
            .iter()
            .filter(|c| c.metadata.get("provider_legal_id").and_then(Value::as_str) == Some(oi))
            .count(),
        _ => 0,
    };
    Ok(Some(PeerFacts {
        org_status,
        clients_of_org,
        subject: s.subject.clone(),
        chain_error: s.chain_error.clone(),
        thumbprint: s.sha256_thumbprint.clone(),
        directory_status,
        eidas,
        client_auth_eku: mockbank_pki::has_client_auth_eku(cert.leaf()),
    }))
}

/// A software's published keys, split by whether they may still be used.
pub struct Keys {
    pub active: Vec<Value>,
    pub revoked: Vec<Value>,
}

/// The keys of a software in the local directory: a key is revoked with its software, its
/// organisation or its certificate.
pub fn software_keys(st: &AppState, software_id: &str) -> Result<Option<Keys>, StoreError> {
    let Some(sw) = st.store.directory_entry(DirKind::Software, software_id)? else {
        return Ok(None);
    };
    let org_active = st
        .store
        .directory_entry(DirKind::Org, &sw.org_id)?
        .is_none_or(|o| o.status == "Active");
    let (mut active, mut revoked) = (Vec::new(), Vec::new());
    for key in sw.record["jwks"]["keys"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        let thumb = key["x5t#S256"].as_str().unwrap_or_default();
        let cert_active = st
            .store
            .directory_entry(DirKind::Certificate, thumb)?
            .is_none_or(|c| c.status == "Active");
        if sw.status == "Active" && org_active && cert_active {
            active.push(key);
        } else {
            revoked.push(key);
        }
    }
    Ok(Some(Keys { active, revoked }))
}

/// The active keys of a software as a JWKS.
pub fn software_jwks(st: &AppState, software_id: &str) -> Result<Option<Value>, StoreError> {
    Ok(software_keys(st, software_id)?.map(|k| json!({"keys": k.active})))
}

/// The software id a `software_jwks_endpoint` of this directory names.
fn local_software_id<'a>(st: &AppState, endpoint: &'a str) -> Option<&'a str> {
    endpoint
        .strip_prefix(&st.base_url)?
        .strip_prefix("/directory/software/")?
        .strip_suffix("/jwks")
}

/// Everything the signed-request checks judge.
pub async fn signed_facts(
    st: &AppState,
    profile: &Profile,
    body: &[u8],
    now: i64,
    registered_software_id: Option<String>,
) -> Result<SignedFacts, StoreError> {
    let request = match std::str::from_utf8(body) {
        Ok(text) => Jws::parse(text),
        Err(_) => Err("the body is not UTF-8".to_owned()),
    };
    let raw_ssa = request
        .as_ref()
        .ok()
        .and_then(|r| r.claim_str("software_statement"))
        .map(str::to_owned);
    let ssa = raw_ssa.as_deref().map(Jws::parse);
    let mut facts = SignedFacts {
        request,
        ssa,
        ssa_signature: None,
        request_signature: None,
        software_jwks: None,
        directory: None,
        request_jti_replayed: None,
        ssa_jti_replayed: None,
        issuer: profile.issuer(&st.base_url),
        registered_software_id,
    };
    let Some(ssa) = facts.ssa_jws().cloned() else {
        return Ok(facts);
    };
    let raw_ssa = raw_ssa.unwrap_or_default();
    if !ssa.unsigned {
        facts.ssa_signature = Some(
            mockbank_pki::jose::verify(&raw_ssa, &st.directory.jwks())
                .map(drop)
                .map_err(|e| e.0),
        );
    }
    let software_id = ssa.claim_str("software_id").unwrap_or_default().to_owned();
    let org_id = ssa.claim_str("org_id").unwrap_or_default().to_owned();
    facts.directory = Some(DirectoryFacts {
        org_status: st
            .store
            .directory_entry(DirKind::Org, &org_id)?
            .map(|r| r.status),
        software_status: st
            .store
            .directory_entry(DirKind::Software, &software_id)?
            .map(|r| r.status),
    });
    // The request must be signed by a key of the SSA's software_jwks_endpoint, which this
    // directory serves itself: resolve it locally.
    let endpoint = ssa.claim_str("software_jwks_endpoint").unwrap_or_default();
    if facts.ssa_signature == Some(Ok(())) {
        let jwks = match local_software_id(st, endpoint) {
            Some(id) => software_jwks(st, id)?,
            None => None,
        };
        facts.request_signature = Some(match (&jwks, std::str::from_utf8(body)) {
            (Some(jwks), Ok(raw)) => {
                let sig_keys = json!({"keys": jwks["keys"].as_array().map(|k| k.iter().filter(|k| k["use"] != "tls").cloned().collect::<Vec<_>>()).unwrap_or_default()});
                mockbank_pki::jose::verify(raw, &sig_keys)
                    .map(drop)
                    .map_err(|e| e.0)
            }
            _ => Err(format!(
                "software_jwks_endpoint `{endpoint}` is not a software of this directory"
            )),
        });
        facts.software_jwks = jwks;
    }
    if let Some(req) = facts.request_jws() {
        if let Some(jti) = req.claim_str("jti") {
            let exp = req
                .claims
                .get("exp")
                .and_then(Value::as_i64)
                .unwrap_or(now + 3600);
            let fresh = st
                .store
                .remember_jti(
                    &format!("{}:request", profile.id),
                    jti,
                    exp.max(now + 60),
                    now,
                )
                .await?;
            facts.request_jti_replayed = Some(!fresh);
        }
    }
    if profile.runs("obuk.ssa.jti_replay") {
        if let Some(jti) = ssa.claim_str("jti") {
            let fresh = st
                .store
                .remember_jti(&format!("{}:ssa", profile.id), jti, now + 86_400 * 365, now)
                .await?;
            facts.ssa_jti_replayed = Some(!fresh);
        }
    }
    Ok(facts)
}
