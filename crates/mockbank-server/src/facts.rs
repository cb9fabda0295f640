//! Gathering what checks need to know beyond the request itself: the client certificate with
//! the directory's view of it, and for signed (OBUK) requests the parsed JWSs, their
//! signatures checked against the directory's keys, the software's status and replay caches.
//! Keys come from the local directory, never from an HTTP fetch.

use std::borrow::Cow;

use mockbank_core::checks::Fact;
use mockbank_core::profile::{RequestFormat, StatementMode};
use mockbank_core::signed::{DirectoryFacts, Jws, PeerFacts, SignedFacts};
use mockbank_core::Profile;
use mockbank_pki::eidas;
use mockbank_store::{DirKind, StoreError};
use serde_json::{json, Map, Value};

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
    let eidas = eidas::read(cert.leaf()).map(eidas::EidasInfo::facts);
    // Counting scans the profile's clients: only for a one-client-per-organisation policy.
    let one_per_org = profile.needs(Fact::ClientsOfCertificateOrg);
    let clients_of_org = match eidas
        .as_ref()
        .and_then(|e| e.organization_identifier.as_deref())
    {
        Some(oi) if one_per_org => {
            st.store
                .count_clients_with(&profile.id, "provider_legal_id", oi)?
        }
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
        .is_none_or(|o| o.status.is_active());
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
            .is_none_or(|c| c.status.is_active());
        if sw.status.is_active() && org_active && cert_active {
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

/// The keys that sign software statements for `profile`.
async fn statement_keys(st: &AppState, profile: &Profile) -> Result<Value, String> {
    match profile.settings.protection.statement_jwks.as_str() {
        "directory" => st.directory.get().await.map(|d| d.jwks()),
        url => st.outbound.jwks(url).await,
    }
}

/// The request a signed-facts reading is about.
pub struct SignedInput<'a> {
    pub body: &'a [u8],
    /// The parsed JSON body, for profiles that take JSON.
    pub json: Option<&'a Map<String, Value>>,
    pub now: i64,
    /// An update's client's registered software.
    pub registered_software_id: Option<String>,
    /// An RFC 7592 update, not a registration.
    pub updating: bool,
}

/// Everything the signed-request and software-statement checks judge.
pub async fn signed_facts(
    st: &AppState,
    profile: &Profile,
    input: SignedInput<'_>,
    jtis: &mut JtiReservation,
) -> Result<SignedFacts, StoreError> {
    let SignedInput {
        body,
        json,
        now,
        registered_software_id,
        updating,
    } = input;
    let settings = &profile.settings;
    let expects_jws =
        settings.registration.format == RequestFormat::Jws || settings.protection.signed_request;
    let request = expects_jws.then(|| match std::str::from_utf8(body) {
        Ok(text) => Jws::parse(text),
        Err(_) => Err("the body is not UTF-8".to_owned()),
    });
    let claims = match &request {
        Some(Ok(jws)) => Some(&jws.claims),
        Some(Err(_)) => None,
        None => json,
    };
    let processes_statements = settings.registration.format == RequestFormat::Jws
        || settings.protection.software_statement != StatementMode::Ignored;
    let raw_ssa = claims
        .filter(|_| processes_statements)
        .and_then(|c| c.get("software_statement"))
        .and_then(Value::as_str)
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
    let mut gather = Gather {
        st,
        profile,
        now,
        jtis,
    };
    // Taken out while the facts about them are filled in (no copy of their claims).
    let ssa = facts.ssa.take();
    if let Some(Ok(ssa)) = &ssa {
        let raw_ssa = raw_ssa.unwrap_or_default();
        gather
            .statement(ssa, &raw_ssa, updating, &mut facts)
            .await?;
    }
    facts.ssa = ssa;
    let request = facts.request.take();
    if let (Some(Ok(req)), Ok(raw)) = (&request, std::str::from_utf8(body)) {
        gather.request(req, raw, &mut facts).await;
    }
    facts.request = request;
    Ok(facts)
}

/// The facts of one request being gathered: where to look, when, and its replay cache.
struct Gather<'a> {
    st: &'a AppState,
    profile: &'a Profile,
    now: i64,
    jtis: &'a mut JtiReservation,
}

impl Gather<'_> {
    /// The software statement: its signature by the directory, the directory's word on its
    /// organisation and software, the software's keys, and a replayed `jti`.
    async fn statement(
        &mut self,
        ssa: &Jws,
        raw_ssa: &str,
        updating: bool,
        facts: &mut SignedFacts,
    ) -> Result<(), StoreError> {
        let (st, profile) = (self.st, self.profile);
        if !ssa.unsigned {
            facts.ssa_signature = Some(match statement_keys(st, profile).await {
                Ok(keys) => mockbank_pki::jose::verify_signature(raw_ssa, &keys).map_err(|e| e.0),
                Err(e) => Err(format!("the statement keys could not be read: {e}")),
            });
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
        // The SSA's software_jwks_endpoint is served by this directory: resolve it locally.
        if facts.ssa_signature == Some(Ok(())) {
            let endpoint = ssa.claim_str("software_jwks_endpoint").unwrap_or_default();
            facts.software_jwks = match local_software_id(st, endpoint) {
                Some(id) => software_jwks(st, id)?,
                None => None,
            };
        }
        let replay = if updating {
            Fact::SsaJtiReplayOnUpdate
        } else {
            Fact::SsaJtiReplay
        };
        if profile.needs(replay) {
            if let Some(jti) = ssa.claim_str("jti") {
                let issuer = format!("{}:ssa", profile.id);
                let fresh = self
                    .jtis
                    .remember(issuer, jti, self.now + 86_400 * 365, self.now);
                facts.ssa_jti_replayed = Some(!fresh);
            }
        }
        Ok(())
    }

    /// The signed request: its signature by the keys the profile names, and a replayed `jti`.
    async fn request(&mut self, req: &Jws, raw: &str, facts: &mut SignedFacts) {
        let (st, settings, now) = (self.st, &self.profile.settings, self.now);
        let keys: Result<Cow<'_, Value>, String> = match settings.protection.request_jwks.as_str() {
            "software" => match (&facts.ssa_signature, &facts.software_jwks) {
                (Some(Ok(())), Some(jwks)) => Ok(Cow::Borrowed(jwks)),
                (Some(Ok(())), None) => Err("the software statement's software_jwks_endpoint is not a software of this directory".into()),
                _ => Err("no verified software statement names the signing keys".into()),
            },
            url => st.outbound.jwks(url).await.map(Cow::Owned),
        };
        // A signed request is only checked once there are keys to check it with.
        if keys.is_ok()
            || facts.ssa_signature == Some(Ok(()))
            || settings.protection.request_jwks != "software"
        {
            let verdict = keys.and_then(|k| {
                // Transport keys never sign a request.
                let keys = k["keys"].as_array().map(Vec::as_slice).unwrap_or_default();
                let sig_keys = if keys.iter().any(|k| k["use"] == "tls") {
                    Cow::Owned(json!({"keys": keys.iter().filter(|k| k["use"] != "tls").collect::<Vec<_>>()}))
                } else {
                    k
                };
                mockbank_pki::jose::verify_signature(raw, &sig_keys).map_err(|e| e.0)
            });
            facts.request_signature = Some(verdict);
        }
        if let Some(jti) = req.claim_str("jti") {
            let exp = req
                .claims
                .get("exp")
                .and_then(Value::as_i64)
                .unwrap_or(now + 3600);
            let issuer = format!("{}:request", self.profile.id);
            let fresh = self.jtis.remember(issuer, jti, exp.max(now + 60), now);
            facts.request_jti_replayed = Some(!fresh);
        }
    }
}

/// The `jti`s a request recorded in the replay cache while its facts were gathered (RFC 7519
/// §4.1.7). Recording them up front keeps two concurrent requests with one jti from both
/// passing; but only a request that succeeds consumes its jtis: dropped without
/// [`JtiReservation::keep`], they are given back.
#[must_use]
pub struct JtiReservation {
    store: mockbank_store::Store,
    held: Vec<(String, String)>,
}

impl JtiReservation {
    pub fn new(store: &mockbank_store::Store) -> Self {
        JtiReservation {
            store: store.clone(),
            held: Vec::new(),
        }
    }

    /// Records `jti` for `issuer`; `false` when it is already in force (a replay).
    pub fn remember(&mut self, issuer: String, jti: &str, expires_at: i64, now: i64) -> bool {
        let fresh = self.store.remember_jti(&issuer, jti, expires_at, now);
        if fresh {
            self.held.push((issuer, jti.to_owned()));
        }
        fresh
    }

    /// The request succeeded: its jtis stay used.
    pub fn keep(mut self) {
        self.held.clear();
    }
}

impl Drop for JtiReservation {
    fn drop(&mut self) {
        for (issuer, jti) in self.held.drain(..) {
            self.store.forget_jti(&issuer, &jti);
        }
    }
}
