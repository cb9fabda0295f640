//! `POST {issuer}/register` (RFC 7591 §3) and the client information response shared with
//! the management endpoint (RFC 7591 §3.2.1, RFC 7592 §3).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use axum::Extension;
use mockbank_core::checks::{self, CheckCx, ManagementFacts, Phase, RunReport};
use mockbank_core::client::{registered_metadata, signed_registered_metadata, SECRET_AUTH_METHODS};
use mockbank_core::profile::{ClientIdFormat, ManagementCredential, RequestFormat};
use mockbank_core::request::{parse_json_object, RequestFacts};
use mockbank_core::signed::PeerFacts;
use mockbank_core::Profile;
use mockbank_store::{ClientRow, StoreError, TokenKind, TokenRow, Write};
use serde_json::{Map, Value};

use super::{now, request_facts, unknown_profile};
use crate::facts;
use crate::http_error::{self, TraceInfo};
use crate::secrets;
use crate::state::AppState;
use crate::tls::Peer;
use crate::trace_layer::ReadBody;

pub async fn register(
    State(st): State<Arc<AppState>>,
    Path(profile): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    peer: Option<Extension<Peer>>,
    Extension(body): Extension<ReadBody>,
) -> Response {
    let Some(profile) = st.profile(&profile) else {
        return unknown_profile(&st, &profile);
    };
    let now = now();
    let request = request_facts(&method, &uri, &headers, &body);
    let peer = match facts::peer_facts(&st, peer.as_ref().map(|p| &p.0), profile) {
        Ok(p) => p,
        Err(e) => return http_error::internal("reading the directory", e, TraceInfo::default()),
    };
    let phases = [Phase::Request, Phase::Statement, Phase::Metadata];
    let evaluation = match evaluate(
        &st,
        profile,
        &request,
        peer.as_ref(),
        now,
        &phases,
        None,
        None,
    )
    .await
    {
        Ok(e) => e,
        Err(e) => {
            return http_error::internal("gathering registration facts", e, TraceInfo::default())
        }
    };
    let mut info = TraceInfo {
        checks: evaluation.report.results,
        ..Default::default()
    };
    if let Some(err) = evaluation.report.error {
        return http_error::error(&err, info);
    }
    let Some(mut metadata) = evaluation.metadata else {
        return http_error::internal("registration", "checks passed without metadata", info);
    };
    bind_certificate(profile, &mut metadata, peer.as_ref());
    let organization_identifier = peer
        .as_ref()
        .and_then(|p| p.eidas.as_ref())
        .and_then(|e| e.organization_identifier.clone());
    let client_id = match profile.settings.registration.client_id_format {
        ClientIdFormat::Random => secrets::random_token(16),
        ClientIdFormat::Uuid => mockbank_pki::directory::uuid_v4(),
        ClientIdFormat::OrganizationIdentifier => match organization_identifier {
            Some(oi) => oi,
            None => {
                return http_error::internal(
                    "registration",
                    "no organizationIdentifier passed the checks",
                    info,
                )
            }
        },
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
    let rat = (profile.settings.management.credential
        == ManagementCredential::RegistrationAccessToken)
        .then(|| secrets::random_token(32));
    let row = ClientRow {
        client_id: client_id.clone(),
        profile: profile.id.clone(),
        secret_hash: secret.as_deref().map(secrets::hash),
        secret_expires_at: secret_expiry(profile, secret.is_some(), now),
        metadata,
        issued_at: now,
        updated_at: now,
    };
    let rat_token = rat.as_deref().map(|r| rat_row(profile, &client_id, r, now));
    info.writes.push(Write::Client(row.clone(), rat_token));
    info.client_id = Some(client_id);
    let body = client_information(&st, profile, &row, secret.as_deref(), rat.as_deref());
    http_error::ok(StatusCode::CREATED, &body, info)
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
}

/// Runs `phases` on a registration body in the profile's format: JSON (RFC 7591 §3.1) or a
/// signed request carrying a software statement (OBUK).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn evaluate(
    st: &AppState,
    profile: &Profile,
    request: &RequestFacts,
    peer: Option<&PeerFacts>,
    now: i64,
    phases: &[Phase],
    management: Option<&ManagementFacts>,
    registered_software_id: Option<String>,
) -> Result<Evaluation, StoreError> {
    let mut cx = CheckCx::new(now, profile, request);
    cx.peer = peer;
    cx.management = management;
    match profile.settings.registration.format {
        RequestFormat::Json => {
            let parsed = parse_body(request);
            cx.body = Some(&parsed);
            let report = checks::run(&cx, phases);
            let metadata = match (&report.error, &parsed) {
                (None, Ok(requested)) => Some(registered_metadata(profile, requested)),
                _ => None,
            };
            Ok(Evaluation { report, metadata })
        }
        RequestFormat::Jws => {
            let body: &[u8] = if request.body_over_limit.is_some() {
                &[]
            } else {
                &request.body
            };
            let signed =
                facts::signed_facts(st, profile, body, now, registered_software_id).await?;
            let claims = signed
                .request
                .as_ref()
                .map(|j| j.claims.clone())
                .map_err(Clone::clone);
            cx.body = Some(&claims);
            cx.signed = Some(&signed);
            let report = checks::run(&cx, phases);
            let metadata = match (&report.error, signed.request_jws(), signed.ssa_jws()) {
                (None, Some(req), Some(ssa)) => Some(signed_registered_metadata(
                    profile,
                    &req.claims,
                    &ssa.claims,
                    req.claim_str("software_statement").unwrap_or_default(),
                )),
                _ => None,
            };
            Ok(Evaluation { report, metadata })
        }
    }
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

/// `client_secret_expires_at`: 0 means the secret never expires (RFC 7591 §3.2.1).
pub(crate) fn secret_expiry(profile: &Profile, has_secret: bool, now: i64) -> i64 {
    match profile.settings.client_secret.expires_in {
        0 => 0,
        s if has_secret => now + s as i64,
        _ => 0,
    }
}

/// A new registration access token row (only its hash is stored).
pub(crate) fn rat_row(profile: &Profile, client_id: &str, rat: &str, now: i64) -> TokenRow {
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
        cnf: None,
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
