//! Certificate-bound access tokens (RFC 8705 §3): a token issued over mutual TLS is
//! accepted only over a connection presenting the same certificate.

use super::{CheckCx, CheckDef, ParamSpec, ParamValue, Params, Phase};
use crate::trace::Outcome;
use crate::ErrorCode;

pub(super) const CHECKS: &[&CheckDef] = &[&TOKEN_CERT_BOUND, &RAT_CERT_BOUND];

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

pub static RAT_CERT_BOUND: CheckDef = CheckDef {
    id: "rfc8705.rat.cert_bound",
    title: "Registration access token over the registering certificate",
    spec: "RFC 8705 §3, RFC 7592 §2",
    description: "For a client that authenticates by its certificate (a `token_endpoint_auth_method` in `methods`), the registration access token is accepted only over a connection presenting the certificate the client registered over (or last rotated the token over), as a certificate-bound access token is; otherwise 401 `invalid_token`. Clients with other methods, and tokens issued without mutual TLS, pass.",
    phase: Phase::Management,
    needs: &[],
    error: ErrorCode::InvalidToken,
    status: None,
    params: &[ParamSpec {
        name: "methods",
        doc: "The client authentication methods whose registration access token is bound to the registering certificate.",
        default: ParamValue::List(&["tls_client_auth", "self_signed_tls_client_auth"]),
    }],
    run: rat_cert_bound,
};

fn rat_cert_bound(cx: &CheckCx, params: &Params) -> Outcome {
    let Some(m) = cx.management else {
        return Outcome::skip("not a management request");
    };
    let Some(token) = &m.token else {
        return Outcome::skip("no known token");
    };
    let Some(registered_over) = token.registered_over.as_deref() else {
        return Outcome::pass("not a registration access token issued over mutual TLS");
    };
    let method = m
        .client
        .as_ref()
        .and_then(|c| c.metadata.get("token_endpoint_auth_method"))
        .and_then(serde_json::Value::as_str)
        .unwrap_or("");
    if !params.list("methods").iter().any(|m| m == method) {
        return Outcome::pass(format!(
            "the client authenticates with `{method}`, not by its certificate"
        ))
        .with("token_endpoint_auth_method", method);
    }
    let presented = cx.peer.map(|p| p.thumbprint.as_str());
    let o = match presented {
        Some(p) if p == registered_over => {
            Outcome::pass("the connection presents the certificate the client registered over")
        }
        Some(_) => Outcome::fail(
            "the registration access token is bound to the certificate the client registered over (RFC 8705 §3): present that certificate",
        ),
        None => Outcome::fail(
            "the registration access token is bound to the certificate the client registered over: present it over mutual TLS",
        ),
    };
    o.with("token_endpoint_auth_method", method)
        .with("registered_x5t#S256", registered_over)
        .with("presented_x5t#S256", presented.unwrap_or(""))
}
