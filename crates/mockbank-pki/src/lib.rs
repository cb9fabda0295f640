//! mockbank's certificate authority: the CA persisted in the data dir, the server certificate
//! it issues at every start, and the reading of client certificates (RFC 4514 subjects,
//! chain checks against the CA) for traces and checks. Depends on the core crate only.

mod ca;
mod cert;
pub mod directory;
mod dn;
pub mod eidas;
pub mod jose;

pub use ca::{write_private, Ca, ClientIdentity, ServerIdentity};
pub use cert::{has_client_auth_eku, subject_der, summarize, ChainVerifier, PeerCertificate};
pub use dn::rfc4514;

/// Why a PKI operation failed.
#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("certificate generation failed: {0}")]
    Rcgen(#[from] rcgen::Error),
    #[error("{path}: not a usable CA certificate or key ({why})")]
    BadCa { path: String, why: String },
    #[error("TLS configuration: {0}")]
    Tls(#[from] rustls::Error),
}
