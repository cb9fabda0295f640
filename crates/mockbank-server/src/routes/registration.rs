//! `POST {issuer}/register` (RFC 7591 §3) and the client information response shared with
//! the management endpoint (RFC 7591 §3.2.1, RFC 7592 §3).

use axum::http::StatusCode;
use axum::response::Response;
use mockbank_core::checks::Fact;
use mockbank_core::checks::{
    self, CheckCx, CredentialKind, HookOutcome, ManagementFacts, Phase, PresentedCredential,
    ProtectionFacts, RegistryFacts, RunReport, StoredCredential,
};
use mockbank_core::client::{
    is_known, registered_metadata, signed_registered_metadata, SECRET_AUTH_METHODS, SERVER_ASSIGNED,
};
use mockbank_core::profile::{BearerProtection, ClientIdFormat, RequestFormat, StatementMode};
use mockbank_core::request::parse_json_object;
use mockbank_core::signed::{PeerFacts, SignedFacts};
use mockbank_core::{ErrorCode, Profile, ProtocolError};
use mockbank_store::{ClientRow, StoreError, TokenKind, TokenRow, Write};
use serde_json::{Map, Value};

use super::dcr::Dcr;
use crate::facts;
use crate::hooks::{self, Extension as Hook};
use crate::http_error::{self, Failure, OrInternal, TraceInfo};
use crate::secrets;
use crate::state::AppState;

/// The phases of a registration, in order (RFC 7591 §3: protection, then the request and
/// its statement, then the metadata).
const REGISTRATION: [Phase; 4] = [
    Phase::Protection,
    Phase::Request,
    Phase::Statement,
    Phase::Metadata,
];

pub async fn register(dcr: Dcr) -> Result<Response, Failure> {
    let protection = protection_facts(&dcr).or_internal("reading a token")?;
    let evaluation = evaluate(
        &dcr,
        Stage {
            phases: &REGISTRATION,
            protection: Some(&protection),
            ..Stage::default()
        },
    )
    .await
    .or_internal("gathering registration facts")?;
    let mut report = evaluation.report;
    let Some(mut metadata) = evaluation.metadata.filter(|_| report.error.is_none()) else {
        let err = report
            .error
            .clone()
            .unwrap_or_else(|| ProtocolError::new(ErrorCode::ServerError, "no metadata"));
        return Err(Failure::protocol(
            &err,
            TraceInfo::with_checks(report.results),
        ));
    };
    let profile: &Profile = &dcr.profile;
    bind_certificate(profile, &mut metadata, dcr.peer.as_ref());
    // The bank's extension sees the request only once every other check passed.
    if let Some(accepted) = run_hook(&dcr, Hook::Creation, None, &metadata, &mut report).await {
        metadata.extend(accepted);
    }
    let mut info = TraceInfo::with_checks(report.results);
    if let Some(err) = report.error {
        return Err(Failure::protocol(&err, info));
    }
    info.writes.extend(spend_credential(&dcr));
    let Some(client_id) = new_client_id(&dcr) else {
        return Err(Failure::internal(
            "registration",
            "no organizationIdentifier passed the checks",
            info,
        ));
    };
    if profile.settings.registration.technical_client_id {
        // Airlock IAM's internal id for its admin API; a documented vendor extension.
        metadata.insert(
            "technical_client_id".into(),
            secrets::random_token(12).into(),
        );
    }
    let secret = needs_secret(&metadata)
        .then(|| secrets::random_token(profile.settings.client_secret.bytes));
    let rat = profile
        .settings
        .management
        .credential
        .issues_rat()
        .then(|| secrets::random_token(32));
    let row = ClientRow {
        secret_sealed: secret
            .as_deref()
            .filter(|_| needs_sealed_secret(&metadata))
            .map(|s| dcr.st.seal.seal(&client_id, s)),
        client_id: client_id.clone(),
        profile: profile.id.clone(),
        secret_hash: secret.as_deref().map(secrets::hash),
        secret_expires_at: secret_expiry(profile, secret.is_some(), dcr.now),
        metadata,
        issued_at: dcr.now,
        updated_at: dcr.now,
    };
    let rat_token = rat
        .as_deref()
        .map(|r| rat_row(profile, &client_id, r, dcr.peer.as_ref(), dcr.now));
    info.writes.push(Write::Client(row.clone(), rat_token));
    info.client_id = Some(client_id);
    let body = client_information(&dcr.st, profile, &row, secret.as_deref(), rat.as_deref());
    // The jtis are used now; they are saved no later than this registration's commit.
    evaluation.jtis.keep();
    Ok(http_error::ok(StatusCode::CREATED, &body, info))
}

/// The registration's bearer credential is spent only by a registration that succeeds, in
/// the same commit as the client; if a concurrent registration used it up first, nothing is
/// stored and the answer is 401.
fn spend_credential(dcr: &Dcr) -> Option<Write> {
    matches!(
        dcr.profile.settings.protection.bearer,
        BearerProtection::Issued | BearerProtection::AccessToken
    )
    .then(|| Write::ConsumeToken {
        hash: dcr
            .request
            .bearer_token()
            .map(secrets::hash)
            .unwrap_or_default(),
        now: dcr.now,
        conflict: checks::credential_used_up(),
    })
}

/// The new client's id in the profile's format; `None` when it is the certificate's
/// organizationIdentifier and there is none (the checks refuse that before).
fn new_client_id(dcr: &Dcr) -> Option<String> {
    match dcr.profile.settings.registration.client_id_format {
        ClientIdFormat::Random => Some(secrets::client_id(16)),
        ClientIdFormat::Uuid => Some(mockbank_pki::directory::uuid_v4()),
        ClientIdFormat::OrganizationIdentifier => dcr
            .peer
            .as_ref()
            .and_then(|p| p.eidas.as_ref())
            .and_then(|e| e.organization_identifier.clone()),
    }
}

/// Calls the profile's extension for `ext` (if configured) and adds its check to `report`;
/// a rejection answers with the extension's own error code. Returns the custom metadata of
/// an acceptance.
pub(crate) async fn run_hook(
    dcr: &Dcr,
    ext: Hook,
    client_id: Option<&str>,
    metadata: &Map<String, Value>,
    report: &mut RunReport,
) -> Option<Map<String, Value>> {
    if report.error.is_some() {
        return None;
    }
    let profile: &Profile = &dcr.profile;
    let hook = hooks::call(&dcr.st, profile, ext, client_id, metadata, dcr.subject()).await;
    let mut cx = CheckCx::new(dcr.now, profile, &dcr.request);
    cx.hook = hook.as_ref();
    let mut extension = checks::run(&cx, &[Phase::Extension]);
    if let (Some(err), Some(HookOutcome::Rejected { error, .. })) =
        (extension.error.as_mut(), hook.as_ref().map(|h| &h.outcome))
    {
        // The extension's own code reaches the client (RFC 7591 §3.2.2 codes).
        let code: ErrorCode = serde_json::from_value(Value::String(error.clone()))
            .unwrap_or(ErrorCode::InvalidClientMetadata);
        err.code = code;
        err.status = code.default_status();
    }
    report.extend(extension);
    match hook.map(|h| h.outcome) {
        Some(HookOutcome::Accepted(data)) if report.error.is_none() => Some(data),
        _ => None,
    }
}

/// STET: the certificate is the identity, so its organisation identifier and subject are
/// registered even when the body leaves them out (stet.md §4).
pub(crate) fn bind_certificate(
    profile: &Profile,
    metadata: &mut Map<String, Value>,
    peer: Option<&PeerFacts>,
) {
    if !profile.settings.registration.certificate_binding {
        return;
    }
    let Some(peer) = peer else { return };
    if let Some(oi) = peer
        .eidas
        .as_ref()
        .and_then(|e| e.organization_identifier.clone())
    {
        metadata.entry("provider_legal_id").or_insert(oi.into());
    }
    metadata
        .entry("tls_client_auth_subject_dn")
        .or_insert(peer.subject.clone().into());
    metadata
        .entry("token_endpoint_auth_method")
        .or_insert("tls_client_auth".into());
}

/// The checks of a registration or update and, when they pass, the metadata to register.
pub(crate) struct Evaluation {
    pub report: RunReport,
    pub metadata: Option<Map<String, Value>>,
    /// The request's jtis, given back unless the request succeeds.
    pub jtis: facts::JtiReservation,
}

/// What a registration or an update evaluates beyond the request itself.
#[derive(Default)]
pub(crate) struct Stage<'a> {
    pub phases: &'a [Phase],
    /// An update (RFC 7592 §2.2): who is acting on which client.
    pub management: Option<&'a ManagementFacts>,
    /// An update's client's registered software, which its new statement must match.
    pub registered_software_id: Option<String>,
    /// A registration's bearer credential (RFC 7591 §3).
    pub protection: Option<&'a ProtectionFacts>,
}

/// Runs the stage's phases on a registration body in the profile's format — JSON (RFC 7591
/// §3.1), or a signed request — with its software statement when the profile processes them
/// (OBUK, or a `[protection]` that asks for one).
pub(crate) async fn evaluate(dcr: &Dcr, stage: Stage<'_>) -> Result<Evaluation, StoreError> {
    let (st, profile, request, now) = (&*dcr.st, &*dcr.profile, &dcr.request, dcr.now);
    let settings = &profile.settings;
    let jws_format = settings.registration.format == RequestFormat::Jws;
    let expects_jws = jws_format || settings.protection.signed_request;
    let json = (!expects_jws).then(|| parse_body(request));
    let processes_statements =
        jws_format || settings.protection.software_statement != StatementMode::Ignored;
    let mut jtis = facts::JtiReservation::new(&st.store);
    let signed = if expects_jws || processes_statements {
        let body: &[u8] = if request.body_over_limit.is_some() {
            &[]
        } else {
            &request.body
        };
        let json_ok = json.as_ref().and_then(|j| j.as_ref().ok());
        let input = facts::SignedInput {
            body,
            json: json_ok,
            now,
            registered_software_id: stage.registered_software_id,
            updating: stage.management.is_some(),
        };
        Some(facts::signed_facts(st, profile, input, &mut jtis).await?)
    } else {
        None
    };
    let claims: Result<Map<String, Value>, String> =
        match (&json, signed.as_ref().and_then(|s| s.request.as_ref())) {
            (Some(j), _) => j.clone(),
            (None, Some(Ok(jws))) => Ok(jws.claims.clone()),
            (None, Some(Err(e))) => Err(e.clone()),
            (None, None) => Err("no body".into()),
        };
    let registry = registry_facts(st, profile, claims.as_ref().ok(), signed.as_ref())?;
    let mut cx = CheckCx::new(now, profile, request);
    cx.peer = dcr.peer.as_ref();
    cx.management = stage.management;
    cx.body = Some(&claims);
    cx.signed = signed.as_ref();
    cx.protection = stage.protection;
    cx.registry = registry.as_ref();
    let report = checks::run(&cx, stage.phases);
    let metadata = match (&report.error, &claims) {
        (None, Ok(claims)) => {
            let mut md = registered(profile, claims, signed.as_ref());
            for (k, v) in &report.defaults {
                md.entry(k.clone()).or_insert_with(|| v.clone());
            }
            Some(md)
        }
        _ => None,
    };
    Ok(Evaluation {
        report,
        metadata,
        jtis,
    })
}

/// The metadata to store once the checks passed.
fn registered(
    profile: &Profile,
    claims: &Map<String, Value>,
    signed: Option<&SignedFacts>,
) -> Map<String, Value> {
    let verified_ssa = signed
        .filter(|s| s.ssa_signature == Some(Ok(())))
        .and_then(SignedFacts::ssa_jws);
    let raw_ssa = claims
        .get("software_statement")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if profile.settings.registration.format == RequestFormat::Jws {
        let empty = Map::new();
        let ssa_claims = signed
            .and_then(SignedFacts::ssa_jws)
            .map_or(&empty, |s| &s.claims);
        return signed_registered_metadata(profile, claims, ssa_claims, raw_ssa);
    }
    let mut md = registered_metadata(profile, claims);
    if let Some(ssa) = verified_ssa {
        // RFC 7591 §2.3: metadata in a trusted statement takes precedence over the body's,
        // and the statement is returned as sent.
        for (k, v) in &ssa.claims {
            if is_known(profile, k) && !SERVER_ASSIGNED.contains(&k.as_str()) {
                md.insert(k.clone(), v.clone());
            }
        }
        md.insert("software_statement".into(), raw_ssa.into());
    }
    md
}

/// Counts for the `policy.clients.*` checks, only when a profile sets a maximum (counting
/// is a scan of the profile's clients: not for every registration).
fn registry_facts(
    st: &AppState,
    profile: &Profile,
    claims: Option<&Map<String, Value>>,
    signed: Option<&SignedFacts>,
) -> Result<Option<RegistryFacts>, StoreError> {
    let (per_software, per_org) = (
        profile.needs(Fact::ClientsPerSoftware),
        profile.needs(Fact::ClientsPerOrg),
    );
    if !per_software && !per_org {
        return Ok(None);
    }
    let ssa = signed
        .filter(|s| s.ssa_signature == Some(Ok(())))
        .and_then(SignedFacts::ssa_jws);
    let software_id = ssa
        .and_then(|s| s.claim_str("software_id"))
        .or_else(|| {
            claims
                .and_then(|c| c.get("software_id"))
                .and_then(Value::as_str)
        })
        .map(str::to_owned);
    let org_id = ssa.and_then(|s| s.claim_str("org_id")).map(str::to_owned);
    let count = |wanted: bool, member: &str, value: &Option<String>| -> Result<usize, StoreError> {
        match value {
            Some(v) if wanted => st.store.count_clients_with(&profile.id, member, v),
            _ => Ok(0),
        }
    };
    Ok(Some(RegistryFacts {
        clients_of_software: count(per_software, "software_id", &software_id)?,
        clients_of_org: count(per_org, "org_id", &org_id)?,
        software_id,
        org_id,
    }))
}

/// The registration's bearer credential as the store knows it (RFC 7591 §3): compared with
/// the static initial access token, or looked up among the issued tokens (an initial access
/// token, or a `dcr_register` access token, which may belong to any profile). Whether it
/// may register is `protect.bearer.valid`'s verdict. `None` when none was sent or the
/// endpoint is open.
pub(crate) fn protection_facts(dcr: &Dcr) -> Result<ProtectionFacts, StoreError> {
    let p = &dcr.profile.settings.protection;
    let Some(presented) = dcr
        .request
        .bearer_token()
        .filter(|_| p.bearer != BearerProtection::None)
    else {
        return Ok(ProtectionFacts::default());
    };
    let hash = secrets::hash(presented);
    let bearer = if p.bearer == BearerProtection::Static {
        PresentedCredential::Static {
            matches: p.static_token.as_deref().map(secrets::hash) == Some(hash),
        }
    } else {
        PresentedCredential::Stored(dcr.st.store.token(&hash)?.map(|t| {
            StoredCredential {
                kind: match t.kind {
                    TokenKind::Initial => CredentialKind::InitialAccessToken,
                    TokenKind::Access => CredentialKind::AccessToken,
                    TokenKind::Registration => CredentialKind::RegistrationAccessToken,
                },
                profile: t.profile,
                revoked: t.revoked_at.is_some(),
                uses_left: t.uses_left,
                expires_at: t.expires_at,
                scope: t.scope,
                bound_thumbprint: t
                    .cnf
                    .as_deref()
                    .and_then(mockbank_core::client_auth::cnf_thumbprint),
            }
        }))
    };
    Ok(ProtectionFacts {
        bearer: Some(bearer),
    })
}

/// The JSON body, or why it cannot be one.
pub(crate) fn parse_body(
    request: &mockbank_core::request::RequestFacts,
) -> Result<Map<String, Value>, String> {
    match request.body_over_limit {
        Some(limit) => Err(format!("the body exceeds {limit} bytes and was not read")),
        None => parse_json_object(&request.body),
    }
}

/// RFC 7591 §3.2.1: a secret only for methods that use one.
pub(crate) fn needs_secret(metadata: &Map<String, Value>) -> bool {
    metadata
        .get("token_endpoint_auth_method")
        .and_then(Value::as_str)
        .is_some_and(|m| SECRET_AUTH_METHODS.contains(&m))
}

/// `client_secret_jwt` clients: the server must recover the secret to check their HMAC
/// assertions (OIDC Core §9), so it keeps it sealed beside the hash.
pub(crate) fn needs_sealed_secret(metadata: &Map<String, Value>) -> bool {
    metadata
        .get("token_endpoint_auth_method")
        .and_then(Value::as_str)
        == Some("client_secret_jwt")
}

/// `client_secret_expires_at`: 0 means the secret never expires (RFC 7591 §3.2.1).
pub(crate) fn secret_expiry(profile: &Profile, has_secret: bool, now: i64) -> i64 {
    match profile.settings.client_secret.expires_in {
        0 => 0,
        s if has_secret => now + s as i64,
        _ => 0,
    }
}

/// A new registration access token row (only its hash is stored).
/// A registration access token as stored; `cnf` records the certificate it was issued over
/// (for `rfc8705.rat.cert_bound`), which binds it only where the profile runs that check.
pub(crate) fn rat_row(
    profile: &Profile,
    client_id: &str,
    rat: &str,
    issued_over: Option<&PeerFacts>,
    now: i64,
) -> TokenRow {
    let ttl = profile.settings.management.rat_expires_in;
    TokenRow {
        hash: secrets::hash(rat),
        kind: TokenKind::Registration,
        client_id: client_id.to_owned(),
        profile: profile.id.clone(),
        scope: None,
        issued_at: now,
        expires_at: (ttl > 0).then(|| now + ttl as i64),
        revoked_at: None,
        cnf: issued_over.map(|p| mockbank_core::client_auth::cnf_claim(&p.thumbprint)),
        uses_left: None,
    }
}

/// The client information response: every registered member plus the server's
/// (RFC 7591 §3.2.1, RFC 7592 §3).
pub(crate) fn client_information(
    st: &AppState,
    profile: &Profile,
    row: &ClientRow,
    secret: Option<&str>,
    rat: Option<&str>,
) -> Value {
    let mut out = row.metadata.clone();
    out.insert("client_id".into(), row.client_id.clone().into());
    out.insert("client_id_issued_at".into(), row.issued_at.into());
    if row.secret_hash.is_some() {
        if let Some(secret) = secret {
            out.insert("client_secret".into(), secret.into());
        }
        out.insert(
            "client_secret_expires_at".into(),
            row.secret_expires_at.into(),
        );
    }
    if let Some(rat) = rat {
        out.insert("registration_access_token".into(), rat.into());
        let ttl = profile.settings.management.rat_expires_in;
        if profile.settings.management.emit_rat_expires_in && ttl > 0 {
            // Vendor extension (Cloudentity), emitted as an integer.
            out.insert("registration_access_token_expires_in".into(), ttl.into());
        }
    }
    out.insert(
        "registration_client_uri".into(),
        st.registration_client_uri(profile, &row.client_id).into(),
    );
    Value::Object(out)
}
