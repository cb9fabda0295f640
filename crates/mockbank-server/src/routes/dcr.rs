//! What every DCR route (registration, management, token) needs, gathered once by one
//! extractor: the profile served at the path's `{profile}`, the request's facts, the client
//! certificate's facts (with their directory entries) and the time.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use mockbank_core::request::RequestFacts;
use mockbank_core::signed::PeerFacts;
use mockbank_core::Profile;

use super::{now, request_facts, unknown_profile};
use crate::facts;
use crate::http_error::{Failure, OrInternal};
use crate::state::AppState;
use crate::tls::Peer;
use crate::trace_layer::ReadBody;

pub(crate) struct Dcr {
    pub st: Arc<AppState>,
    pub profile: Arc<Profile>,
    pub request: RequestFacts,
    /// The client certificate, when one was presented.
    pub peer: Option<PeerFacts>,
    /// Seconds since the Unix epoch, one reading for the whole request.
    pub now: i64,
}

impl Dcr {
    /// The certificate subject, for the bank's extension.
    pub fn subject(&self) -> Option<&str> {
        self.peer.as_ref().map(|p| p.subject.as_str())
    }
}

impl FromRequestParts<Arc<AppState>> for Dcr {
    type Rejection = Failure;

    async fn from_request_parts(
        parts: &mut Parts,
        st: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let params = Path::<HashMap<String, String>>::from_request_parts(parts, st)
            .await
            .or_internal("reading the path")?;
        let id = params
            .get("profile")
            .map(String::as_str)
            .unwrap_or_default();
        let profile = st
            .profile(id)
            .ok_or_else(|| Failure::response(unknown_profile(st, id)))?;
        // The trace layer reads every body before the handler runs.
        let body = parts
            .extensions
            .get::<ReadBody>()
            .cloned()
            .ok_or("no body read")
            .or_internal("reading the body")?;
        let request = request_facts(&parts.method, &parts.uri, &parts.headers, &body);
        let peer = facts::peer_facts(st, parts.extensions.get::<Peer>(), &profile)
            .or_internal("reading the directory")?;
        Ok(Dcr {
            st: st.clone(),
            profile,
            request,
            peer,
            now: now(),
        })
    }
}
