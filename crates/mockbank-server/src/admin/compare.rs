//! Comparisons: each case through the reference client on each profile, and the cases.

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mockbank_core::wire::compare::{CompareRequest, TextExport, TextFormat};
use serde::Deserialize;

use super::{admin_error, query_error, reference_client, refuse};
use crate::state::AppState;

/// `GET /admin/compare/cases`: the named deviations and the profiles each applies to.
pub(super) async fn cases(State(st): State<Arc<AppState>>) -> Response {
    let flavors: Vec<_> = st
        .profiles
        .current()
        .iter()
        .map(|p| (p.id.clone(), p.tpp_flavor(), p.protection_summary()))
        .collect();
    axum::Json(mockbank_tpp::compare::cases(&flavors)).into_response()
}

#[derive(Debug, Deserialize)]
pub(super) struct CompareQuery {
    format: Option<String>,
}

/// `POST /admin/compare`: each case through the reference TPP against each profile (the
/// contract's JSON); with `?format=markdown|csv|table`, `{"format","text"}` rendered by the
/// same code as `mockbank compare`.
pub(super) async fn compare(
    State(st): State<Arc<AppState>>,
    q: Result<Query<CompareQuery>, QueryRejection>,
    body: axum::body::Bytes,
) -> Response {
    let format = match q {
        Ok(Query(q)) => q.format,
        Err(e) => return query_error(e),
    };
    let format = match format.as_deref().map(mockbank_tpp::compare::Format::parse) {
        None => mockbank_tpp::compare::Format::Json,
        Some(Some(f)) => f,
        Some(None) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "format is json, table, markdown or csv".into(),
            )
        }
    };
    let req: CompareRequest = if body.is_empty() {
        CompareRequest::default()
    } else {
        match serde_json::from_slice(&body) {
            Ok(r) => r,
            Err(e) => {
                return refuse(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    format!("the compare request is not valid: {e}"),
                )
            }
        }
    };
    let served = st.profiles.current();
    let profiles: Vec<String> = match req.profiles {
        Some(named) if !named.is_empty() => named,
        _ => served.iter().map(|p| p.id.clone()).collect(),
    };
    if let Some(unknown) = profiles.iter().find(|p| served.get(p).is_none()) {
        return refuse(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            format!("no profile `{unknown}`"),
        );
    }
    let cases = match parse_cases(req.cases.as_deref().unwrap_or_default()) {
        Ok(c) => c,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, "invalid_request", e),
    };
    let target = match reference_client(&st) {
        Ok(t) => t,
        Err(e) => return admin_error("starting the reference client", e),
    };
    let matrix = mockbank_tpp::compare::compare(&target, &profiles, &cases).await;
    match format {
        mockbank_tpp::compare::Format::Json => axum::Json(matrix).into_response(),
        f => axum::Json(TextExport {
            format: match f {
                mockbank_tpp::compare::Format::Csv => TextFormat::Csv,
                mockbank_tpp::compare::Format::Table => TextFormat::Table,
                _ => TextFormat::Markdown,
            },
            text: mockbank_tpp::compare::render(&matrix, f),
        })
        .into_response(),
    }
}

/// Case names to deviations (every one when none is named).
fn parse_cases(names: &[String]) -> Result<Vec<mockbank_tpp::Deviation>, String> {
    if names.is_empty() {
        return Ok(mockbank_tpp::Deviation::ALL.to_vec());
    }
    names
        .iter()
        .map(|n| {
            mockbank_tpp::Deviation::parse(n).ok_or_else(|| {
                let known: Vec<&str> = mockbank_tpp::Deviation::ALL
                    .iter()
                    .map(|d| d.name())
                    .collect();
                format!("no case `{n}` (cases: {})", known.join(", "))
            })
        })
        .collect()
}
