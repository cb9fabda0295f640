//! Certificate-bound access tokens (RFC 8705 §3): a token issued over mutual TLS is
//! accepted only over a connection presenting the same certificate.

use super::{CheckCx, CheckDef, Params, Phase};
use crate::trace::Outcome;
use crate::ErrorCode;

pub(super) const CHECKS: &[&CheckDef] = &[&TOKEN_CERT_BOUND];

pub static TOKEN_CERT_BOUND: CheckDef = CheckDef {
    id: "rfc8705.token.cert_bound",
    title: "Certificate-bound token over its certificate",
    spec: "RFC 8705 §3",
    description: "A token bound to a client certificate (`cnf.x5t#S256`, issued over mutual TLS) is accepted only over a connection presenting that certificate; otherwise 401 `invalid_token`. Unbound tokens pass. Every profile runs it.",
    phase: Phase::Management,
    needs: &[],
    error: ErrorCode::InvalidToken,
    status: None,
    params: &[],
    run: token_cert_bound,
};

fn token_cert_bound(cx: &CheckCx, _: &Params) -> Outcome {
    let Some(token) = cx.management.and_then(|m| m.token.as_ref()) else {
        return Outcome::skip("no known token");
    };
    let Some(bound) = token.bound_thumbprint.as_deref() else {
        return Outcome::pass("the token is not bound to a certificate");
    };
    let presented = cx.peer.map(|p| p.thumbprint.as_str());
    let o = match presented {
        Some(p) if p == bound => Outcome::pass("the connection presents the certificate the token is bound to"),
        Some(_) => Outcome::fail("the access token is bound to another client certificate (RFC 8705 §3): present the certificate it was issued over"),
        None => Outcome::fail("the access token is bound to a client certificate (RFC 8705 §3): present it over mutual TLS"),
    };
    o.with("cnf_x5t#S256", bound)
        .with("presented_x5t#S256", presented.unwrap_or(""))
}
