//! Client certificate checks (RFC 8705 §2, and the profile's trust in the mockbank CA):
//! presented, chains to the CA within its validity, not revoked by the directory.

use super::{CheckCx, CheckDef, Params, Phase};
use crate::trace::Outcome;
use crate::wire::directory::DirectoryStatus;
use crate::ErrorCode;

pub(super) const CHECKS: &[&CheckDef] = &[&PRESENT, &TRUSTED, &NOT_REVOKED];

pub static PRESENT: CheckDef = CheckDef {
    id: "mtls.present",
    title: "Client certificate presented",
    spec: "RFC 8705 §2",
    description: "The TLS connection carries a client certificate (mockbank requests one at every handshake but lets the profile decide).",
    phase: Phase::Request,
    needs: &[],
    error: ErrorCode::InvalidClient,
    status: None,
    params: &[],
    run: present,
};

fn present(cx: &CheckCx, _: &Params) -> Outcome {
    match cx.peer {
        Some(p) => Outcome::pass("a client certificate was presented").with("subject", p.subject.as_str()),
        None => Outcome::fail("No client certificate for registration: present the transport certificate issued by the directory"),
    }
}

pub static TRUSTED: CheckDef = CheckDef {
    id: "mtls.trusted",
    title: "Client certificate is trusted",
    spec: "RFC 8705 §2.1",
    description: "The certificate chains to the mockbank CA (the directory's), is within its validity period and allowed for client authentication.",
    phase: Phase::Request,
    needs: &["mtls.present"],
    error: ErrorCode::InvalidClient,
    status: None,
    params: &[],
    run: trusted,
};

fn trusted(cx: &CheckCx, _: &Params) -> Outcome {
    let Some(p) = cx.peer else {
        return Outcome::skip("no certificate");
    };
    match &p.chain_error {
        None => Outcome::pass("the certificate chains to the mockbank CA and is valid now")
            .with("subject", p.subject.as_str()),
        Some(why) => Outcome::fail(format!("the client certificate is not trusted: {why}"))
            .with("subject", p.subject.as_str())
            .with("chain_error", why.as_str()),
    }
}

pub static NOT_REVOKED: CheckDef = CheckDef {
    id: "mtls.not_revoked",
    title: "Client certificate not revoked",
    spec: "RFC 5280 §3.3",
    description:
        "The directory has not revoked the certificate (its status is looked up by `x5t#S256`).",
    phase: Phase::Request,
    needs: &["mtls.trusted"],
    error: ErrorCode::InvalidClient,
    status: None,
    params: &[],
    run: not_revoked,
};

fn not_revoked(cx: &CheckCx, _: &Params) -> Outcome {
    let Some(p) = cx.peer else {
        return Outcome::skip("no certificate");
    };
    let o = match p.directory_status {
        Some(DirectoryStatus::Revoked) => {
            Outcome::fail("the client certificate has been revoked by the directory")
        }
        Some(status) => Outcome::pass(format!(
            "the directory lists the certificate as {}",
            status.as_str()
        )),
        None => Outcome::pass("the directory has no revocation for this certificate"),
    };
    o.with("x5t#S256", p.thumbprint.as_str())
}
