//! The client configuration endpoint `{issuer}/register/{client_id}` (RFC 7592 §2):
//! read, update (full replacement) and delete, authenticated by the registration access
//! token, with the profile's rotation policy.

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use mockbank_core::checks::{self, CheckCx, ManagementFacts, Phase, RunReport, TokenState};
use mockbank_core::client::ClientFacts;
use mockbank_core::profile::{ManagementCredential, RatRotation, RequestFormat};
use mockbank_core::request::RequestFacts;
use mockbank_core::signed::Jws;
use mockbank_core::trace::Effect;
use mockbank_core::Profile;
use mockbank_store::{ClientRow, TokenKind, TokenRow, Write};
use serde_json::{Map, Value};

use super::dcr::Dcr;
use super::registration::{
    bind_certificate, client_information, evaluate, needs_sealed_secret, needs_secret, parse_body,
    rat_row, run_hook, secret_expiry, Stage,
};
use crate::hooks::Extension as Hook;
use crate::http_error::{self, Failure, OrInternal, TraceInfo};
use crate::secrets;

/// Who is acting on which client: the presented token (if it is a management credential of
/// this profile), the client (if it is this profile's), and the facts the checks judge.
struct Access {
    presented: Option<String>,
    token: Option<TokenRow>,
    client: Option<ClientRow>,
    facts: ManagementFacts,
}

/// Everything a checked management request acts with.
struct Granted {
    info: TraceInfo,
    client: ClientRow,
    token: TokenRow,
    presented: String,
}

/// `{issuer}/register/{client_id}`: RFC 7592 §2.1 read, §2.2 update, §2.3 delete; any other
/// method is judged by the management checks like the rest (and refused there).
pub async fn manage(
    dcr: Dcr,
    Path((_, client_id)): Path<(String, String)>,
) -> Result<Response, Failure> {
    match dcr.request.method.as_str() {
        "GET" => read(dcr, &client_id).await,
        "PUT" => update(dcr, &client_id).await,
        "DELETE" => delete(dcr, &client_id),
        _ => {
            let access = access(&dcr, &client_id, None)?;
            let report = management_checks(&dcr, &access);
            grant(&dcr, access, report)?;
            Err(Failure::internal(
                "management",
                "an unlisted method passed the checks",
                TraceInfo::default(),
            ))
        }
    }
}

/// RFC 7592 §2.1: the client's registration, with a rotated token where the profile
/// rotates on every use, and what the bank's retrieval extension adds.
async fn read(dcr: Dcr, client_id: &str) -> Result<Response, Failure> {
    let access = access(&dcr, client_id, None)?;
    let mut report = management_checks(&dcr, &access);
    let retrieval = match &access.client {
        Some(c) if report.error.is_none() => {
            let id = Some(c.client_id.as_str());
            run_hook(&dcr, Hook::Retrieval, id, &c.metadata, &mut report).await
        }
        _ => None,
    };
    let mut g = grant(&dcr, access, report)?;
    let profile: &Profile = &dcr.profile;
    let uses_rat = g.token.kind == TokenKind::Registration;
    let mut rat = uses_rat.then_some(g.presented);
    if uses_rat && profile.settings.management.rat_rotation == RatRotation::OnEveryUse {
        let fresh = secrets::random_token(32);
        g.info.writes.push(Write::RotateToken {
            old: g.token.hash.clone(),
            new: rat_row(
                profile,
                &g.client.client_id,
                &fresh,
                dcr.peer.as_ref(),
                dcr.now,
            ),
            conflict: checks::token_replaced_concurrently(),
        });
        rat = Some(fresh);
    }
    let mut body = client_information(&dcr.st, profile, &g.client, None, rat.as_deref());
    if let (Some(data), Some(obj)) = (retrieval, body.as_object_mut()) {
        // Retrieval extensions shape the answer only; nothing is stored.
        obj.extend(data);
    }
    Ok(http_error::ok(StatusCode::OK, &body, g.info))
}

/// The phases of an update: who may act first (RFC 7592 §2 / OBUK §1.1: a deleted client's
/// valid PUT still gets 401), then the body as a registration's.
const UPDATE: [Phase; 5] = [
    Phase::Management,
    Phase::Request,
    Phase::Statement,
    Phase::Update,
    Phase::Metadata,
];

/// RFC 7592 §2.2: the body replaces the registration, checked as a registration is.
async fn update(dcr: Dcr, client_id: &str) -> Result<Response, Failure> {
    let claims = body_claims(&dcr.profile, &dcr.request);
    let access = access(&dcr, client_id, claims.as_ref())?;
    let registered_software_id = access
        .client
        .as_ref()
        .and_then(|c| c.metadata.get("software_id"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let evaluation = evaluate(
        &dcr,
        Stage {
            phases: &UPDATE,
            management: Some(&access.facts),
            registered_software_id,
            protection: None,
        },
    )
    .await
    .or_internal("gathering update facts")?;
    let mut report = evaluation.report;
    let mut metadata = evaluation.metadata;
    // The bank's extension, before the update is stored.
    if let (Some(c), Some(md), None) = (&access.client, metadata.as_mut(), &report.error) {
        let id = Some(c.client_id.as_str());
        if let Some(data) = run_hook(&dcr, Hook::Update, id, md, &mut report).await {
            md.extend(data);
        }
    }
    let g = grant(&dcr, access, report)?;
    let Some(mut metadata) = metadata else {
        return Err(Failure::internal(
            "update",
            "checks passed without metadata",
            g.info,
        ));
    };
    let profile: &Profile = &dcr.profile;
    bind_certificate(profile, &mut metadata, dcr.peer.as_ref());
    // Server-assigned vendor members survive the replacement.
    if let Some(technical) = g.client.metadata.get("technical_client_id") {
        metadata.insert("technical_client_id".into(), technical.clone());
    }
    // Only a registration access token is echoed or rotated (RFC 7592 §3).
    let uses_rat = g.token.kind == TokenKind::Registration;
    let replacement = Replacement {
        rat: uses_rat.then_some(g.presented),
        rotation: if uses_rat {
            profile.settings.management.rat_rotation
        } else {
            RatRotation::Never
        },
        old: g.client,
        old_token_hash: g.token.hash,
        metadata,
    };
    let answer = replace(&dcr, replacement, g.info);
    // An update that succeeded used its request's jtis; a refused one gives them back.
    if answer.status().is_success() {
        evaluation.jtis.keep();
    }
    Ok(answer)
}

/// RFC 7592 §2.3: deleting revokes every token of the client (OBUK: "invalidate long lived
/// access tokens"). Exactly one DELETE wins: its credential must still be active and its
/// client still there when it commits, else the answer is 401.
fn delete(dcr: Dcr, client_id: &str) -> Result<Response, Failure> {
    let access = access(&dcr, client_id, None)?;
    let report = management_checks(&dcr, &access);
    let mut g = grant(&dcr, access, report)?;
    g.info.writes.push(Write::DeleteClient {
        client_id: g.client.client_id.clone(),
        credential: Some(g.token.hash.clone()),
        now: dcr.now,
        conflict: checks::token_replaced_concurrently(),
    });
    g.info.client_id = Some(g.client.client_id);
    let mut resp = StatusCode::NO_CONTENT.into_response();
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp.extensions_mut().insert(g.info);
    Ok(resp)
}

/// The management checks alone (read, delete, other methods).
fn management_checks(dcr: &Dcr, access: &Access) -> RunReport {
    let mut cx = CheckCx::new(dcr.now, &dcr.profile, &dcr.request);
    cx.management = Some(&access.facts);
    cx.peer = dcr.peer.as_ref();
    checks::run(&cx, &[Phase::Management])
}

/// Looks up the presented token and the path's client. RFC 7592 uses the registration
/// access token; OBUK a client-credentials access token; a gateway may accept both.
fn access(
    dcr: &Dcr,
    client_id: &str,
    claims: Option<&Map<String, Value>>,
) -> Result<Access, Failure> {
    let profile: &Profile = &dcr.profile;
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
    let presented = dcr.request.bearer_token().map(str::to_owned);
    let token = match presented.as_deref().map(secrets::hash) {
        Some(hash) => dcr
            .st
            .store
            .token(&hash)
            .or_internal("reading a token")?
            .filter(|t| wanted.contains(&t.kind) && t.profile == profile.id),
        None => None,
    };
    let client = dcr
        .st
        .store
        .client(client_id)
        .or_internal("reading a client")?
        .filter(|c| c.profile == profile.id);
    let body_secret_matches = match (claims, &client) {
        (Some(md), Some(c)) => md
            .get("client_secret")
            .and_then(Value::as_str)
            .map(|s| c.secret_hash.as_deref() == Some(secrets::hash(s).as_slice())),
        _ => None,
    };
    let facts = ManagementFacts {
        path_client_id: client_id.to_owned(),
        token: token.as_ref().map(|t| token_state(t, dcr.now)),
        client: client.as_ref().map(|c| ClientFacts {
            client_id: c.client_id.clone(),
            profile: c.profile.clone(),
            metadata: c.metadata.clone(),
        }),
        body_secret_matches,
    };
    Ok(Access {
        presented,
        token,
        client,
        facts,
    })
}

/// What the checks know of a stored token.
fn token_state(t: &TokenRow, now: i64) -> TokenState {
    TokenState {
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
    }
}

/// The checks' verdict on who acts: refused (a token used for another, unknown or deleted
/// client is revoked: RFC 7592 §2.1, OBUK "the ASPSP ... immediately revokes the access
/// token"), or granted with the client and the token.
fn grant(dcr: &Dcr, access: Access, report: RunReport) -> Result<Granted, Failure> {
    let mut info = TraceInfo::with_checks(report.results.clone());
    info.client_id = access.client.as_ref().map(|c| c.client_id.clone());
    if report.asks(Effect::RevokePresentedToken) {
        if let Some(t) = &access.token {
            info.writes.push(Write::RevokeToken {
                hash: t.hash.clone(),
                now: dcr.now,
            });
        }
    }
    if let Some(err) = report.error {
        return Err(Failure::protocol(&err, info));
    }
    match (access.client, access.token, access.presented) {
        (Some(client), Some(token), Some(presented)) => Ok(Granted {
            info,
            client,
            token,
            presented,
        }),
        _ => Err(Failure::internal(
            "management",
            "checks passed without client and token",
            info,
        )),
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

/// What an update replaces a client with.
struct Replacement {
    old: ClientRow,
    /// The hash of the token that authorised it, which must still be active at commit.
    old_token_hash: Vec<u8>,
    /// The registration access token presented, echoed unless it rotates.
    rat: Option<String>,
    metadata: Map<String, Value>,
    rotation: RatRotation,
}

/// RFC 7592 §2.2: the update replaces the record; omitted members reset to defaults;
/// `client_id` and `client_id_issued_at` never change.
fn replace(dcr: &Dcr, r: Replacement, mut info: TraceInfo) -> Response {
    let (st, profile, now) = (&*dcr.st, &*dcr.profile, dcr.now);
    let Replacement {
        old,
        old_token_hash,
        rat: presented,
        metadata,
        rotation,
    } = r;
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
            let new_row = rat_row(profile, &row.client_id, &fresh, dcr.peer.as_ref(), now);
            (Some(fresh), Some(new_row))
        }
    };
    let body = client_information(st, profile, &row, new_secret.as_deref(), rat.as_deref());
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
