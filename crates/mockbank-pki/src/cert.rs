//! Client certificates as presented on a connection: a summary for traces, and the chain
//! check against the mockbank CA that profiles run as a named check (the handshake itself
//! accepts any well-formed chain, so a wrong certificate still reaches a traced request).

use std::sync::Arc;

use mockbank_core::trace::CertSummary;
use ring::digest;
use rustls::pki_types::{CertificateDer, UnixTime};
use rustls::server::danger::ClientCertVerifier;
use rustls::server::WebPkiClientVerifier;
use rustls::RootCertStore;
use x509_parser::prelude::*;

use crate::{rfc4514, PkiError};

/// The client certificate chain of a connection and what mockbank made of it.
#[derive(Debug, Clone)]
pub struct PeerCertificate {
    /// Leaf first, as sent by the client.
    pub chain: Vec<CertificateDer<'static>>,
    pub summary: CertSummary,
}

impl PeerCertificate {
    /// Builds the record for a presented chain; `None` if the leaf does not parse.
    pub fn new(chain: Vec<CertificateDer<'static>>, verifier: &ChainVerifier) -> Option<Self> {
        let leaf = chain.first()?;
        let chain_error = verifier.verify(&chain).err();
        let summary = summarize(leaf, chain_error)?;
        Some(PeerCertificate { chain, summary })
    }

    pub fn leaf(&self) -> &CertificateDer<'static> {
        &self.chain[0]
    }
}

/// Subject, issuer, validity and thumbprint of a DER certificate.
pub fn summarize(der: &[u8], chain_error: Option<String>) -> Option<CertSummary> {
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    let fmt = |t: ASN1Time| {
        t.to_datetime()
            .format(&::time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    let thumb = digest::digest(&digest::SHA256, der);
    Some(CertSummary {
        subject: rfc4514(cert.subject()),
        issuer: rfc4514(cert.issuer()),
        serial: cert.raw_serial_as_string(),
        not_before: fmt(cert.validity().not_before),
        not_after: fmt(cert.validity().not_after),
        chain_error,
        sha256_thumbprint: base64url(thumb.as_ref()),
        psd2: psd2_summary(der),
    })
}

fn psd2_summary(der: &[u8]) -> Option<mockbank_core::trace::Psd2Summary> {
    let facts = crate::eidas::read(der)?.facts();
    let any = facts.organization_identifier.is_some()
        || facts.has_psd2_statement
        || !facts.qc_types.is_empty();
    any.then(|| mockbank_core::trace::Psd2Summary::from(&facts))
}

/// Whether the certificate allows TLS client authentication (no EKU extension allows all).
pub fn has_client_auth_eku(der: &[u8]) -> bool {
    let Ok((_, cert)) = X509Certificate::from_der(der) else {
        return false;
    };
    match cert.extended_key_usage() {
        Ok(Some(eku)) => eku.value.client_auth || eku.value.any,
        Ok(None) => true,
        Err(_) => false,
    }
}

/// The DER encoding of a certificate's subject Name (for TLS CA hints).
pub fn subject_der(der: &[u8]) -> Option<Vec<u8>> {
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    Some(cert.subject().as_raw().to_vec())
}

fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// Verifies client chains against the mockbank CA (validity, signature, clientAuth EKU).
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    inner: Arc<dyn ClientCertVerifier>,
}

impl ChainVerifier {
    pub fn new(ca: CertificateDer<'static>) -> Result<Self, PkiError> {
        let mut roots = RootCertStore::empty();
        roots.add(ca)?;
        let inner = WebPkiClientVerifier::builder_with_provider(
            Arc::new(roots),
            Arc::new(rustls::crypto::ring::default_provider()),
        )
        .allow_unauthenticated()
        .build()
        .map_err(|e| PkiError::Tls(rustls::Error::General(e.to_string())))?;
        Ok(ChainVerifier { inner })
    }

    /// `Ok` when the chain (leaf first) verifies now; else a sentence saying why not.
    pub fn verify(&self, chain: &[CertificateDer<'static>]) -> Result<(), String> {
        let (leaf, intermediates) = chain.split_first().ok_or("no certificate")?;
        self.inner
            .verify_client_cert(leaf, intermediates, UnixTime::now())
            .map(|_| ())
            .map_err(|e| match e {
                rustls::Error::InvalidCertificate(c) => format!("{c:?}"),
                other => other.to_string(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_matches_rfc4648_vectors() {
        assert_eq!(base64url(b"f"), "Zg");
        assert_eq!(base64url(b"fo"), "Zm8");
        assert_eq!(base64url(b"foo"), "Zm9v");
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
    }

    #[test]
    fn foreign_and_expired_certificates_are_explained() {
        let dir = tempfile::tempdir().unwrap();
        let ca = crate::Ca::load_or_create(dir.path()).unwrap();
        let verifier = ChainVerifier::new(ca.cert_der().clone()).unwrap();
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(vec!["tpp".to_owned()]).unwrap();
        params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
        let self_signed = params.self_signed(&key).unwrap();
        let err = verifier.verify(&[self_signed.der().clone()]).unwrap_err();
        assert!(err.contains("UnknownIssuer"), "{err}");

        params.not_before = ::time::OffsetDateTime::now_utc() - ::time::Duration::days(10);
        params.not_after = ::time::OffsetDateTime::now_utc() - ::time::Duration::days(1);
        let expired = params.signed_by(&key, ca.issuer()).unwrap();
        let err = verifier.verify(&[expired.der().clone()]).unwrap_err();
        assert!(err.contains("Expired"), "{err}");
        let s = summarize(expired.der(), Some(err)).unwrap();
        assert_eq!(s.issuer, "CN=mockbank local CA,O=mockbank");
    }
}
