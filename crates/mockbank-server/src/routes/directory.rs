//! The mock directory over HTTP (`/directory/...`): public keys and the CA for banks and
//! TPPs; minting, listing and revoking (admin token) for users. Every request is traced.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use mockbank_core::profile::DirectorySettings;
use mockbank_core::wire::directory::{
    DirectoryKind, DirectoryStatus, IssuedCertificate, IssuedStatement, Jwks, Revoked, Software,
};
use mockbank_core::{ErrorCode, ProtocolError};
use mockbank_pki::directory::{self, MintRequest, Minted, Organisation, Variant};
use mockbank_store::{DirKind, DirectoryRow, StoreError, Write};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::now;
use crate::admin;
use crate::facts::{software_keys, Keys};
use crate::http_error::{self, Failure, OrInternal, TraceInfo};
use crate::state::AppState;
use crate::trace_layer::ReadBody;

pub fn router(state: Arc<AppState>) -> Router<Arc<AppState>> {
    let public = Router::new()
        .route("/directory/ca.pem", get(ca_pem))
        .route("/directory/jwks", get(directory_jwks))
        .route("/directory/variants", get(variants))
        .route("/directory/software/{id}/jwks", get(software_jwks))
        .route(
            "/directory/software/{id}/revoked.jwks",
            get(software_revoked_jwks),
        )
        .route("/directory/orgs/{id}/jwks", get(org_jwks))
        .route("/directory/orgs/{id}/revoked.jwks", get(org_revoked_jwks));
    let admin_only = Router::new()
        .route("/directory/software", post(mint).get(list_software))
        .route("/directory/software/{id}", get(software))
        .route("/directory/software/{id}/bundle", get(software_bundle))
        .route("/directory/software/{id}/revoke", post(revoke_software))
        .route("/directory/software/{id}/ssa", post(reissue_ssa))
        .route("/directory/orgs", get(list_orgs))
        .route("/directory/orgs/{id}/revoke", post(revoke_org))
        .route(
            "/directory/certificates/{id}/revoke",
            post(revoke_certificate),
        )
        .route_layer(from_fn_with_state(state, admin::guard));
    public.merge(admin_only)
}

fn bad_request(description: impl Into<String>) -> Response {
    http_error::error(
        &ProtocolError::new(ErrorCode::InvalidRequest, description),
        TraceInfo::default(),
    )
}

fn not_found(what: &str, id: &str) -> Response {
    http_error::error(
        &ProtocolError::new(ErrorCode::NotFound, format!("no {what} `{id}`")),
        TraceInfo::default(),
    )
}

async fn ca_pem(State(st): State<Arc<AppState>>) -> Response {
    let mut resp = (StatusCode::OK, Body::from(st.ca.cert_pem().to_owned())).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-pem-file"),
    );
    resp
}

async fn directory_jwks(State(st): State<Arc<AppState>>) -> Response {
    match st.directory.get().await {
        Ok(d) => http_error::ok(StatusCode::OK, &d.jwks(), TraceInfo::default()),
        Err(e) => http_error::internal("the directory's key", e, TraceInfo::default()),
    }
}

async fn variants() -> Response {
    let list: Vec<_> = Variant::ALL.into_iter().map(Variant::info).collect();
    http_error::ok(StatusCode::OK, &list, TraceInfo::default())
}

/// `POST /directory/software`: mints an organisation (unless `org_id` names one) and a
/// software with its certificates, keys and SSA; answers the credentials bundle.
async fn mint(
    State(st): State<Arc<AppState>>,
    Extension(body): Extension<ReadBody>,
) -> Result<Response, Failure> {
    let req = mint_request(&body)?;
    let settings = directory_settings(&st, req.profile.as_deref())?;
    let now = now();
    let org = organisation(&st, &req, &settings, now)?;
    let new_org = req.org_id.is_none();
    let authority = st
        .directory
        .get()
        .await
        .or_internal("the directory's key")?;
    let state = st.clone();
    // Key generation (RSA-2048) is CPU work: keep it off the async workers.
    let minted = tokio::task::spawn_blocking(move || {
        directory::mint(
            &state.ca,
            &authority,
            &req,
            org,
            &settings,
            &state.base_url,
            now,
        )
    })
    .await
    .or_internal("minting")?
    .map_err(|why| Failure::response(bad_request(why)))?;
    let info = TraceInfo {
        writes: mint_writes(&minted, new_org, now),
        ..Default::default()
    };
    Ok(http_error::ok(StatusCode::CREATED, &minted.bundle, info))
}

/// The mint request of a body within the size limit.
fn mint_request(body: &ReadBody) -> Result<MintRequest, Failure> {
    if let Some(limit) = body.over_limit {
        return Err(Failure::response(crate::guards::error_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the mint request exceeds {limit} bytes"),
        )));
    }
    serde_json::from_slice(&body.bytes)
        .map_err(|e| Failure::response(bad_request(format!("the mint request is not valid: {e}"))))
}

/// What the directory mints is the profile's `[directory]` section (OBUK's by default).
fn directory_settings(st: &AppState, profile: Option<&str>) -> Result<DirectorySettings, Failure> {
    let served = st.profiles.current();
    let Some(profile) = profile else {
        return Ok(served
            .get("obuk-v3.2")
            .map(|p| p.settings.directory.clone())
            .unwrap_or_default());
    };
    match served.get(profile) {
        Some(p) => Ok(p.settings.directory.clone()),
        None => {
            let known: Vec<&str> = served.iter().map(|p| p.id.as_str()).collect();
            Err(Failure::response(bad_request(format!(
                "no profile `{profile}` to mint for (profiles: {})",
                known.join(", ")
            ))))
        }
    }
}

/// The active organisation `org_id` names, or a new one.
fn organisation(
    st: &AppState,
    req: &MintRequest,
    settings: &DirectorySettings,
    now: i64,
) -> Result<Organisation, Failure> {
    let org = match &req.org_id {
        Some(id) => {
            let reading = |e: &dyn std::fmt::Display| {
                Failure::internal("reading an organisation", e, TraceInfo::default())
            };
            let row = match st.store.directory_entry(DirKind::Org, id) {
                Ok(Some(row)) => row,
                Ok(None) => return Err(Failure::response(not_found("organisation", id))),
                Err(e) => return Err(reading(&e)),
            };
            let mut org = Organisation::deserialize(&row.record).map_err(|e| reading(&e))?;
            org.status = row.status;
            org
        }
        None => directory::new_organisation(
            req.org_name.as_deref().unwrap_or("Example TPP Ltd"),
            settings,
            now,
        ),
    };
    if !org.status.is_active() {
        return Err(Failure::response(bad_request(format!(
            "organisation `{}` is {}",
            org.org_id,
            org.status.as_str()
        ))));
    }
    Ok(org)
}

/// What a mint stores: the organisation if new, the software, its bundle (kept so it can
/// be downloaded again: `/bundle`, admin only) and its certificates.
fn mint_writes(minted: &Minted, new_org: bool, now: i64) -> Vec<Write> {
    let row = |id: &str, org_id: &str, status: DirectoryStatus, record: Value| DirectoryRow {
        id: id.to_owned(),
        org_id: org_id.to_owned(),
        status,
        record,
        created_at: now,
    };
    let org = &minted.org;
    let software_id = minted.software.software_id.as_str();
    let mut writes = Vec::new();
    if new_org {
        writes.push(Write::Directory(
            DirKind::Org,
            row(&org.org_id, &org.org_id, org.status, record(org)),
        ));
    }
    writes.push(Write::Directory(
        DirKind::Software,
        row(
            software_id,
            &org.org_id,
            minted.software.status,
            record(&minted.software),
        ),
    ));
    writes.push(Write::Bundle(
        software_id.to_owned(),
        record(&minted.bundle),
    ));
    for cert in &minted.certificates {
        writes.push(Write::Directory(
            DirKind::Certificate,
            row(&cert.thumbprint, &cert.org_id, cert.status, record(cert)),
        ));
    }
    writes
}

/// A wire type as the store keeps it. These are data types without maps keyed by
/// non-strings: they always serialise.
fn record(v: &impl Serialize) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn entry(st: &AppState, kind: DirKind, id: &str) -> Result<Option<Arc<DirectoryRow>>, StoreError> {
    st.store.directory_entry(kind, id)
}

fn store_failure(e: StoreError) -> Response {
    http_error::internal("reading the directory", e, TraceInfo::default())
}

/// A directory record as its wire type, with the live status.
trait Listed: DeserializeOwned + Serialize {
    fn set_status(&mut self, status: DirectoryStatus);
}

impl Listed for Organisation {
    fn set_status(&mut self, status: DirectoryStatus) {
        self.status = status;
    }
}

impl Listed for Software {
    fn set_status(&mut self, status: DirectoryStatus) {
        self.status = status;
    }
}

impl Listed for IssuedCertificate {
    fn set_status(&mut self, status: DirectoryStatus) {
        self.status = status;
        // Listed without its PEM (`/bundle` has the credentials).
        self.pem = None;
    }
}

/// The public view of an entry: its record with the live status. A record this version
/// cannot read (written by another) is left out of lists, and logged.
fn view<T: Listed>(row: &DirectoryRow) -> Option<T> {
    match T::deserialize(&row.record) {
        Ok(mut v) => {
            v.set_status(row.status);
            Some(v)
        }
        Err(e) => {
            tracing::warn!(id = %row.id, "a directory record this version cannot read: {e}");
            None
        }
    }
}

/// `GET /directory/software/{id}`: the software with its certificates.
#[derive(Serialize)]
struct SoftwareDetail {
    #[serde(flatten)]
    software: Software,
    certificates: Vec<IssuedCertificate>,
}

/// `GET /directory/software/{id}/bundle`: the credentials bundle of the mint answer again.
async fn software_bundle(State(st): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    match st.store.directory_bundle(&id) {
        Ok(Some(bundle)) => http_error::ok(StatusCode::OK, &bundle, TraceInfo::default()),
        Ok(None) => match entry(&st, DirKind::Software, &id) {
            Ok(Some(_)) => http_error::error(
                &ProtocolError::new(
                    ErrorCode::NotFound,
                    format!("software `{id}` was minted before bundles were kept: mint a new one"),
                ),
                TraceInfo::default(),
            ),
            Ok(None) => not_found("software", &id),
            Err(e) => store_failure(e),
        },
        Err(e) => store_failure(e),
    }
}

async fn list_software(State(st): State<Arc<AppState>>) -> Response {
    match st.store.directory_entries(DirKind::Software, None) {
        Ok(rows) => http_error::ok(
            StatusCode::OK,
            &rows.iter().filter_map(view::<Software>).collect::<Vec<_>>(),
            TraceInfo::default(),
        ),
        Err(e) => http_error::internal("listing software", e, TraceInfo::default()),
    }
}

async fn list_orgs(State(st): State<Arc<AppState>>) -> Response {
    match st.store.directory_entries(DirKind::Org, None) {
        Ok(rows) => http_error::ok(
            StatusCode::OK,
            &rows
                .iter()
                .filter_map(view::<Organisation>)
                .collect::<Vec<_>>(),
            TraceInfo::default(),
        ),
        Err(e) => http_error::internal("listing organisations", e, TraceInfo::default()),
    }
}

async fn software(State(st): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    match entry(&st, DirKind::Software, &id) {
        Ok(Some(row)) => {
            let Some(software) = view::<Software>(&row) else {
                return store_failure(StoreError::Corrupt(format!("software `{id}`")));
            };
            let certificates = st
                .store
                .directory_entries(DirKind::Certificate, Some(&software.org_id))
                .unwrap_or_default()
                .iter()
                .filter_map(view::<IssuedCertificate>)
                .filter(|c| c.software_id == id)
                .collect();
            let detail = SoftwareDetail {
                software,
                certificates,
            };
            http_error::ok(StatusCode::OK, &detail, TraceInfo::default())
        }
        Ok(None) => not_found("software", &id),
        Err(e) => store_failure(e),
    }
}

async fn software_jwks(State(st): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    match software_keys(&st, &id) {
        Ok(Some(keys)) => http_error::ok(
            StatusCode::OK,
            &Jwks { keys: keys.active },
            TraceInfo::default(),
        ),
        Ok(None) => not_found("software", &id),
        Err(e) => store_failure(e),
    }
}

async fn software_revoked_jwks(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Response {
    match software_keys(&st, &id) {
        Ok(Some(keys)) => http_error::ok(
            StatusCode::OK,
            &Jwks { keys: keys.revoked },
            TraceInfo::default(),
        ),
        Ok(None) => not_found("software", &id),
        Err(e) => store_failure(e),
    }
}

fn org_keys(st: &AppState, org_id: &str, want_active: bool) -> Response {
    match entry(st, DirKind::Org, org_id) {
        Ok(Some(_)) => {}
        Ok(None) => return not_found("organisation", org_id),
        Err(e) => return store_failure(e),
    }
    let software = match st.store.directory_entries(DirKind::Software, Some(org_id)) {
        Ok(s) => s,
        Err(e) => return http_error::internal("listing software", e, TraceInfo::default()),
    };
    let mut keys = Vec::new();
    for sw in software {
        match software_keys(st, &sw.id) {
            Ok(Some(Keys { active, revoked })) => {
                keys.extend(if want_active { active } else { revoked })
            }
            Ok(None) => {}
            Err(e) => return store_failure(e),
        }
    }
    http_error::ok(StatusCode::OK, &Jwks { keys }, TraceInfo::default())
}

async fn org_jwks(State(st): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    org_keys(&st, &id, true)
}

async fn org_revoked_jwks(State(st): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    org_keys(&st, &id, false)
}

async fn revoke(st: &AppState, kind: DirectoryKind, id: &str) -> Response {
    let (table, what) = match kind {
        DirectoryKind::Organisation => (DirKind::Org, "organisation"),
        DirectoryKind::Software => (DirKind::Software, "software"),
        DirectoryKind::Certificate => (DirKind::Certificate, "certificate"),
    };
    match entry(st, table, id) {
        Ok(Some(_)) => {}
        Ok(None) => return not_found(what, id),
        Err(e) => return store_failure(e),
    }
    let info = TraceInfo {
        writes: vec![Write::DirectoryStatus(
            table,
            id.to_owned(),
            DirectoryStatus::Revoked,
        )],
        ..Default::default()
    };
    let answer = Revoked {
        id: id.to_owned(),
        kind,
        status: DirectoryStatus::Revoked,
    };
    http_error::ok(StatusCode::OK, &answer, info)
}

async fn revoke_software(State(st): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    revoke(&st, DirectoryKind::Software, &id).await
}

async fn revoke_org(State(st): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    revoke(&st, DirectoryKind::Organisation, &id).await
}

async fn revoke_certificate(State(st): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    revoke(&st, DirectoryKind::Certificate, &id).await
}

/// Re-issues the SSA of an active software: same claims, fresh `iat` and `jti`.
async fn reissue_ssa(State(st): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    let sw = match entry(&st, DirKind::Software, &id) {
        Ok(Some(sw)) => sw,
        Ok(None) => return not_found("software", &id),
        Err(e) => return store_failure(e),
    };
    if !sw.status.is_active() {
        return bad_request(format!("software `{id}` is {}", sw.status.as_str()));
    }
    let Some(claims) = sw.record["ssa_claims"].as_object().cloned() else {
        return bad_request(format!("software `{id}` has no SSA to re-issue"));
    };
    let mut claims = claims;
    claims.insert("iat".into(), now().into());
    claims.insert("jti".into(), directory::uuid_v4().into());
    let authority = match st.directory.get().await {
        Ok(d) => d,
        Err(e) => return http_error::internal("the directory's key", e, TraceInfo::default()),
    };
    match authority.sign_ssa(&claims) {
        Ok(ssa) => http_error::ok(
            StatusCode::OK,
            &IssuedStatement {
                software_id: id,
                software_statement: ssa,
            },
            TraceInfo::default(),
        ),
        Err(e) => http_error::internal("signing an SSA", e, TraceInfo::default()),
    }
}
