//! The client configuration endpoint `{issuer}/register/{client_id}` (RFC 7592 §2):
//! read, update (full replacement) and delete, authenticated by the registration access
//! token, with the profile's rotation policy.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use mockbank_core::checks::{self, CheckCx, ManagementFacts, Phase, TokenState};
use mockbank_core::client::ClientFacts;
use mockbank_core::profile::{ManagementCredential, RatRotation, RequestFormat};
use mockbank_core::request::RequestFacts;
use mockbank_core::signed::Jws;
use mockbank_core::trace::Effect;
use mockbank_core::Profile;
use mockbank_store::{ClientRow, TokenKind, Write};
use serde_json::Value;

use super::registration::{
    bind_certificate, client_information, evaluate, needs_sealed_secret, needs_secret, parse_body,
    rat_row, run_hook, secret_expiry,
};
use super::{now, request_facts, unknown_profile};
use crate::facts;
use crate::hooks::Extension as Hook;
use crate::http_error::{self, TraceInfo};
use crate::secrets;
use crate::state::AppState;
use crate::tls::Peer;
use crate::trace_layer::ReadBody;

pub async fn manage(
    State(st): State<Arc<AppState>>,
    Path((profile, client_id)): Path<(String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    peer: Option<Extension<Peer>>,
    Extension(body): Extension<ReadBody>,
) -> Response {
    let Some(served) = st.profile(&profile) else {
        return unknown_profile(&st, &profile);
    };
    let profile: &Profile = &served;
    let now = now();
    let request = request_facts(&method, &uri, &headers, &body);
    // RFC 7592 uses the registration access token; OBUK a client-credentials access token;
    // a gateway may accept both.
    let wanted: Vec<TokenKind> = profile
        .settings
        .management
        .credential
        .iter()
        .map(|c| match c {
            ManagementCredential::RegistrationAccessToken => TokenKind::Registration,
            ManagementCredential::AccessToken => TokenKind::Access,
        })
        .collect();
    let presented = request.bearer_token().map(str::to_owned);
    let token = match presented.as_deref().map(secrets::hash) {
        Some(hash) => match st.store.token(&hash) {
            Ok(t) => t.filter(|t| wanted.contains(&t.kind) && t.profile == profile.id),
            Err(e) => return http_error::internal("reading a token", e, TraceInfo::default()),
        },
        None => None,
    };
    let client = match st.store.client(&client_id) {
        Ok(c) => c.filter(|c| c.profile == profile.id),
        Err(e) => return http_error::internal("reading a client", e, TraceInfo::default()),
    };
    let peer = match facts::peer_facts(&st, peer.as_ref().map(|p| &p.0), profile) {
        Ok(p) => p,
        Err(e) => return http_error::internal("reading the directory", e, TraceInfo::default()),
    };
    let is_update = method == Method::PUT;
    let claims = is_update.then(|| body_claims(profile, &request)).flatten();
    let body_secret_matches = match (&claims, &client) {
        (Some(md), Some(c)) => md
            .get("client_secret")
            .and_then(Value::as_str)
            .map(|s| c.secret_hash.as_deref() == Some(secrets::hash(s).as_slice())),
        _ => None,
    };
    let facts = ManagementFacts {
        path_client_id: client_id.clone(),
        token: token.as_ref().map(|t| TokenState {
            kind: match t.kind {
                TokenKind::Registration => "registration access token",
                _ => "access token",
            },
            client_id: t.client_id.clone(),
            // An access token's `cnf` binds it (RFC 8705 §3); a registration access token's
            // records the certificate it was issued over.
            bound_thumbprint: t
                .cnf
                .as_deref()
                .filter(|_| t.kind != TokenKind::Registration)
                .and_then(mockbank_core::client_auth::cnf_thumbprint),
            registered_over: t
                .cnf
                .as_deref()
                .filter(|_| t.kind == TokenKind::Registration)
                .and_then(mockbank_core::client_auth::cnf_thumbprint),
            expired: t.expires_at.is_some_and(|e| e <= now),
            revoked: t.revoked_at.is_some(),
        }),
        client: client.as_ref().map(|c| ClientFacts {
            client_id: c.client_id.clone(),
            profile: c.profile.clone(),
            metadata: c.metadata.clone(),
        }),
        body_secret_matches,
    };
    // RFC 7592 §2 / OBUK §1.1: who may act is decided before anything about the body (a
    // deleted client's valid PUT still gets 401).
    let (mut report, mut metadata, jtis) = if is_update {
        let phases = [
            Phase::Management,
            Phase::Request,
            Phase::Statement,
            Phase::Update,
            Phase::Metadata,
        ];
        let registered_software_id = client
            .as_ref()
            .and_then(|c| c.metadata.get("software_id"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        match evaluate(
            &st,
            profile,
            &request,
            peer.as_ref(),
            now,
            &phases,
            Some(&facts),
            registered_software_id,
            None,
        )
        .await
        {
            Ok(e) => (e.report, e.metadata, Some(e.jtis)),
            Err(e) => {
                return http_error::internal("gathering update facts", e, TraceInfo::default())
            }
        }
    } else {
        let mut cx = CheckCx::new(now, profile, &request);
        cx.management = Some(&facts);
        cx.peer = peer.as_ref();
        (checks::run(&cx, &[Phase::Management]), None, None)
    };
    // The bank's extension: before an update is stored, before a client is returned.
    let subject = peer.as_ref().map(|p| p.subject.clone());
    let mut retrieval_data = None;
    if report.error.is_none() {
        if let Some(c) = &client {
            match (method.clone(), metadata.as_mut()) {
                (Method::PUT, Some(md)) => {
                    if let Some(data) = run_hook(
                        &st,
                        profile,
                        &request,
                        now,
                        Hook::Update,
                        Some(&c.client_id),
                        md,
                        subject.as_deref(),
                        &mut report,
                    )
                    .await
                    {
                        md.extend(data);
                    }
                }
                (Method::GET, _) => {
                    retrieval_data = run_hook(
                        &st,
                        profile,
                        &request,
                        now,
                        Hook::Retrieval,
                        Some(&c.client_id),
                        &c.metadata,
                        subject.as_deref(),
                        &mut report,
                    )
                    .await;
                }
                _ => {}
            }
        }
    }
    let mut info = TraceInfo {
        checks: report.results.clone(),
        client_id: client.as_ref().map(|c| c.client_id.clone()),
        ..Default::default()
    };
    // RFC 7592 §2.1 and OBUK ("the ASPSP ... immediately revokes the access token"): a token
    // used for another, unknown or deleted client is revoked.
    if report.asks(Effect::RevokePresentedToken) {
        if let Some(t) = &token {
            info.writes.push(Write::RevokeToken {
                hash: t.hash.clone(),
                now,
            });
        }
    }
    if let Some(err) = report.error {
        return http_error::error(&err, info);
    }
    let (Some(client), Some(token), Some(presented)) = (client, token, presented) else {
        return http_error::internal("management", "checks passed without client and token", info);
    };
    // Only a registration access token is echoed or rotated (RFC 7592 §3).
    let uses_rat = token.kind == TokenKind::Registration;
    let rotation = if uses_rat {
        profile.settings.management.rat_rotation
    } else {
        RatRotation::Never
    };
    match method {
        Method::GET => {
            let mut rat = uses_rat.then_some(presented);
            if rotation == RatRotation::OnEveryUse {
                let fresh = secrets::random_token(32);
                info.writes.push(Write::RotateToken {
                    old: token.hash.clone(),
                    new: rat_row(profile, &client.client_id, &fresh, peer.as_ref(), now),
                    conflict: checks::token_replaced_concurrently(),
                });
                rat = Some(fresh);
            }
            let mut body = client_information(&st, profile, &client, None, rat.as_deref());
            if let (Some(data), Some(obj)) = (retrieval_data, body.as_object_mut()) {
                // Retrieval extensions shape the answer only; nothing is stored.
                obj.extend(data);
            }
            http_error::ok(StatusCode::OK, &body, info)
        }
        Method::PUT => {
            let Some(mut metadata) = metadata else {
                return http_error::internal("update", "checks passed without metadata", info);
            };
            bind_certificate(profile, &mut metadata, peer.as_ref());
            // Server-assigned vendor members survive the replacement.
            if let Some(technical) = client.metadata.get("technical_client_id") {
                metadata.insert("technical_client_id".into(), technical.clone());
            }
            let rat = uses_rat.then_some(presented);
            let answer = update(
                &st,
                profile,
                client,
                token.hash,
                rat,
                metadata,
                rotation,
                peer.as_ref(),
                now,
                info,
            )
            .await;
            // An update that succeeded used its request's jtis; a refused one gives them back.
            if let (true, Some(jtis)) = (answer.status().is_success(), jtis) {
                jtis.keep();
            }
            answer
        }
        Method::DELETE => {
            // Deleting revokes every token of the client (OBUK: "invalidate long lived access tokens").
            // Exactly one DELETE wins: its credential must still be active and its client
            // still there when it commits, else the answer is 401 (RFC 7592 §2.3).
            info.writes.push(Write::DeleteClient {
                client_id: client.client_id.clone(),
                credential: Some(token.hash.clone()),
                now,
                conflict: checks::token_replaced_concurrently(),
            });
            info.client_id = Some(client.client_id);
            let mut resp = StatusCode::NO_CONTENT.into_response();
            resp.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            resp.extensions_mut().insert(info);
            resp
        }
        _ => http_error::internal("management", "an unlisted method passed the checks", info),
    }
}

/// The claims of an update body in the profile's format, if it parses.
fn body_claims(
    profile: &Profile,
    request: &RequestFacts,
) -> Option<serde_json::Map<String, Value>> {
    match profile.settings.registration.format {
        RequestFormat::Json => parse_body(request).ok(),
        RequestFormat::Jws => std::str::from_utf8(&request.body)
            .ok()
            .and_then(|t| Jws::parse(t).ok())
            .map(|j| j.claims),
    }
}

/// RFC 7592 §2.2: the update replaces the record; omitted members reset to defaults;
/// `client_id` and `client_id_issued_at` never change.
#[allow(clippy::too_many_arguments)]
async fn update(
    st: &AppState,
    profile: &Profile,
    old: ClientRow,
    old_token_hash: Vec<u8>,
    presented: Option<String>,
    metadata: serde_json::Map<String, Value>,
    rotation: RatRotation,
    peer: Option<&mockbank_core::signed::PeerFacts>,
    now: i64,
    info: TraceInfo,
) -> Response {
    let wants_secret = needs_secret(&metadata);
    let wants_sealed = needs_sealed_secret(&metadata);
    // A client switching to a secret-based method gets a new secret; one leaving it loses it.
    // One switching to client_secret_jwt needs a secret the server can recover: a new one.
    let new_secret = (wants_secret
        && (old.secret_hash.is_none() || (wants_sealed && old.secret_sealed.is_none())))
    .then(|| secrets::random_token(profile.settings.client_secret.bytes));
    let secret_sealed = match (&new_secret, wants_sealed) {
        (Some(s), true) => Some(st.seal.seal(&old.client_id, s)),
        (None, true) => old.secret_sealed.clone(),
        (_, false) => None,
    };
    let (secret_hash, secret_expires_at) = match (&new_secret, wants_secret) {
        (Some(s), _) => (Some(secrets::hash(s)), secret_expiry(profile, true, now)),
        (None, true) => (old.secret_hash.clone(), old.secret_expires_at),
        (None, false) => (None, 0),
    };
    let row = ClientRow {
        metadata,
        secret_hash,
        secret_sealed,
        secret_expires_at,
        updated_at: now,
        ..old
    };
    let (rat, rotation_op) = match rotation {
        RatRotation::Never => (presented, None),
        RatRotation::OnUpdate | RatRotation::OnEveryUse => {
            let fresh = secrets::random_token(32);
            let new_row = rat_row(profile, &row.client_id, &fresh, peer, now);
            (Some(fresh), Some(new_row))
        }
    };
    let body = client_information(st, profile, &row, new_secret.as_deref(), rat.as_deref());
    let mut info = info;
    // Stored with the trace; if a concurrent request rotated the token or deleted the client
    // first, nothing is and the answer is 401 (RFC 7592 §2.2: the old token is dead).
    info.writes.push(Write::ReplaceClient {
        client: row,
        credential: old_token_hash,
        rotation: rotation_op,
        conflict: checks::token_replaced_concurrently(),
    });
    http_error::ok(StatusCode::OK, &body, info)
}
