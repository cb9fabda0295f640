//! The token endpoint (RFC 6749 §3.2): `client_credentials` (§4.4) with the client
//! authentication methods of the profile.

use axum::http::StatusCode;
use axum::response::Response;
use mockbank_core::checks::{self, CheckCx, Phase, TokenFacts};
use mockbank_core::client::ClientFacts;
use mockbank_core::client_auth::presented;
use mockbank_core::request::parse_form;
use mockbank_store::{TokenKind, TokenRow, Write};
use serde_json::{json, Value};

use super::dcr::Dcr;
use crate::client_auth;
use crate::facts;
use crate::http_error::{self, Failure, OrInternal, TraceInfo};
use crate::secrets;

/// "Registration-less" PSD2 access (EBA Q&A 2021_6029): the QWAC identifies the TPP, and its
/// organizationIdentifier is its client id without a prior registration.
fn registration_less_client(
    profile: &mockbank_core::Profile,
    client_id: Option<&str>,
    peer: Option<&mockbank_core::signed::PeerFacts>,
    now: i64,
) -> Option<mockbank_store::ClientRow> {
    if !profile.settings.token.registration_less {
        return None;
    }
    let peer = peer?;
    let oi = peer.eidas.as_ref()?.organization_identifier.clone()?;
    if client_id != Some(oi.as_str()) {
        return None;
    }
    let metadata = json!({
        "token_endpoint_auth_method": "tls_client_auth",
        "tls_client_auth_subject_dn": peer.subject,
        "grant_types": ["client_credentials"],
        "provider_legal_id": oi,
    });
    Some(mockbank_store::ClientRow {
        client_id: oi,
        profile: profile.id.clone(),
        metadata: metadata.as_object().cloned().unwrap_or_default(),
        secret_hash: None,
        secret_sealed: None,
        secret_expires_at: 0,
        issued_at: now,
        updated_at: now,
    })
}

pub async fn token(dcr: Dcr) -> Result<Response, Failure> {
    let (st, profile, request, now) = (&*dcr.st, &*dcr.profile, &dcr.request, dcr.now);
    let peer = dcr.peer.as_ref();
    let form = match request.body_over_limit {
        Some(limit) => Err(format!("the body exceeds {limit} bytes")),
        None => parse_form(&request.body),
    };
    let creds = form
        .as_ref()
        .map(|f| presented(request.authorization.as_deref(), f, peer.is_some()))
        .unwrap_or_default();
    let client_id = creds.first().and_then(|p| p.client_id.clone());
    let client = match client_id.as_deref() {
        Some(id) => st
            .store
            .client(id)
            .or_internal("reading a client")?
            .filter(|c| c.profile == profile.id),
        None => None,
    };
    let client =
        client.or_else(|| registration_less_client(profile, client_id.as_deref(), peer, now));
    // An assertion's jti is used up only by a token request that succeeds (RFC 7523 §3).
    let mut jtis = facts::JtiReservation::new(&st.store);
    let credential = match (creds.first(), &client) {
        (Some(p), Some(c)) => {
            Some(client_auth::verify(st, profile, p, c, peer, now, &mut jtis).await)
        }
        _ => None,
    };
    // RFC 8705 §3: a token issued over mutual TLS is bound to that certificate, whatever
    // the client authentication method (FAPI 1.0 Advanced §5.2.2-5 for private_key_jwt).
    let bound_to = peer.map(|p| p.thumbprint.clone());
    let facts = TokenFacts {
        form: Some(form.clone()),
        presented: creds,
        client: client.as_ref().map(|c| ClientFacts {
            client_id: c.client_id.clone(),
            profile: c.profile.clone(),
            metadata: c.metadata.clone(),
        }),
        credential,
    };
    let mut cx = CheckCx::new(now, profile, request);
    cx.token = Some(&facts);
    cx.peer = peer;
    let report = checks::run(&cx, &[Phase::Token]);
    let mut info = TraceInfo {
        checks: report.results,
        client_id: client.as_ref().map(|c| c.client_id.clone()),
        ..Default::default()
    };
    if let Some(err) = report.error {
        return Err(Failure::protocol(&err, info));
    }
    let (Some(client), Ok(form)) = (client, form) else {
        return Err(Failure::internal(
            "token",
            "checks passed without a client",
            info,
        ));
    };
    let scope = form
        .get("scope")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .map(str::to_owned)
        .or_else(|| {
            client
                .metadata
                .get("scope")
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
    let ttl = profile.settings.token.access_token_expires_in;
    let access_token = secrets::random_token(32);
    let row = TokenRow {
        hash: secrets::hash(&access_token),
        kind: TokenKind::Access,
        client_id: client.client_id.clone(),
        profile: profile.id.clone(),
        scope: scope.clone(),
        issued_at: now,
        expires_at: Some(now + ttl as i64),
        revoked_at: None,
        // RFC 8705 §3: a certificate-bound access token carries the certificate's thumbprint.
        cnf: bound_to
            .as_deref()
            .map(mockbank_core::client_auth::cnf_claim),
        uses_left: None,
    };
    info.writes.push(Write::Token(row));
    jtis.keep();
    let mut body = json!({"access_token": access_token, "token_type": "Bearer", "expires_in": ttl});
    if let Some(scope) = scope {
        body["scope"] = scope.into();
    }
    Ok(http_error::ok(StatusCode::OK, &body, info))
}
