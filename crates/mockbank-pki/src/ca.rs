//! The mockbank CA: created at first start (ECDSA P-256, 10 years), then reused.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use time::{Duration, OffsetDateTime};

use crate::PkiError;

const CA_CERT_FILE: &str = "ca.pem";
const CA_KEY_FILE: &str = "ca-key.pem";

/// The certificate authority every mockbank certificate chains to.
pub struct Ca {
    cert_pem: String,
    cert_der: CertificateDer<'static>,
    issuer: Issuer<'static, KeyPair>,
    cert_path: PathBuf,
}

/// A certificate chain and its private key, ready for rustls.
pub struct ServerIdentity {
    pub chain: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> PkiError + '_ {
    move |source| PkiError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Writes a file readable by its owner only (keys, tokens).
pub fn write_private(path: &Path, contents: &[u8]) -> Result<(), PkiError> {
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(io_err(path))?;
    f.write_all(contents).map_err(io_err(path))?;
    f.sync_all().map_err(io_err(path))
}

impl Ca {
    /// Loads the CA from `dir`, or creates and saves one if there is none.
    pub fn load_or_create(dir: &Path) -> Result<Ca, PkiError> {
        let cert_path = dir.join(CA_CERT_FILE);
        let key_path = dir.join(CA_KEY_FILE);
        if cert_path.exists() && key_path.exists() {
            let cert_pem = fs::read_to_string(&cert_path).map_err(io_err(&cert_path))?;
            let key_pem = fs::read_to_string(&key_path).map_err(io_err(&key_path))?;
            let bad = |why: String| PkiError::BadCa {
                path: cert_path.display().to_string(),
                why,
            };
            let key = KeyPair::from_pem(&key_pem).map_err(|e| bad(e.to_string()))?;
            let issuer =
                Issuer::from_ca_cert_pem(&cert_pem, key).map_err(|e| bad(e.to_string()))?;
            let cert_der =
                first_pem_der(&cert_pem).ok_or_else(|| bad("no PEM certificate".into()))?;
            return Ok(Ca {
                cert_pem,
                cert_der,
                issuer,
                cert_path,
            });
        }
        let key = KeyPair::generate()?;
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::OrganizationName, "mockbank");
        dn.push(DnType::CommonName, "mockbank local CA");
        params.distinguished_name = dn;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let now = OffsetDateTime::now_utc();
        params.not_before = now - Duration::days(1);
        params.not_after = now + Duration::days(3650);
        let cert = params.self_signed(&key)?;
        write_private(&key_path, key.serialize_pem().as_bytes())?;
        write_private(&cert_path, cert.pem().as_bytes())?;
        Ok(Ca {
            cert_pem: cert.pem(),
            cert_der: cert.der().clone(),
            issuer: Issuer::new(params, key),
            cert_path,
        })
    }

    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    pub fn cert_der(&self) -> &CertificateDer<'static> {
        &self.cert_der
    }

    /// Absolute path of `ca.pem`.
    pub fn cert_path(&self) -> &Path {
        &self.cert_path
    }

    /// The CA private key (PKCS#8 DER): key material the server derives its own keys from,
    /// so that they live and die with the data dir without another file.
    pub fn key_der(&self) -> Vec<u8> {
        self.issuer.key().serialize_der()
    }

    /// The issuer, for signing further certificates (directory, tests).
    pub fn issuer(&self) -> &Issuer<'static, KeyPair> {
        &self.issuer
    }

    /// A fresh server certificate for `names` (DNS names or IP addresses), valid one year.
    pub fn issue_server_identity(&self, names: &[&str]) -> Result<ServerIdentity, PkiError> {
        let key = KeyPair::generate()?;
        let mut params =
            CertificateParams::new(names.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>())?;
        params.distinguished_name.push(
            DnType::CommonName,
            names.first().copied().unwrap_or("localhost"),
        );
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        let now = OffsetDateTime::now_utc();
        params.not_before = now - Duration::hours(1);
        params.not_after = now + Duration::days(365);
        let cert = params.signed_by(&key, &self.issuer)?;
        Ok(ServerIdentity {
            chain: vec![cert.der().clone(), self.cert_der.clone()],
            key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        })
    }
}

/// A client certificate issued by the CA, with its key, in PEM and DER.
pub struct ClientIdentity {
    pub cert_pem: String,
    pub key_pem: String,
    pub cert_der: CertificateDer<'static>,
}

impl Ca {
    /// Issues a TLS client certificate (clientAuth EKU) for `subject`, valid for `days`
    /// starting `start_offset_days` from now (negative values make expired certificates).
    pub fn issue_client_identity(
        &self,
        subject: DistinguishedName,
        start_offset_days: i64,
        days: i64,
    ) -> Result<ClientIdentity, PkiError> {
        let key = KeyPair::generate()?;
        let mut params = CertificateParams::default();
        params.distinguished_name = subject;
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        let start = OffsetDateTime::now_utc() + Duration::days(start_offset_days);
        params.not_before = start;
        params.not_after = start + Duration::days(days);
        let cert = params.signed_by(&key, &self.issuer)?;
        Ok(ClientIdentity {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            cert_der: cert.der().clone(),
        })
    }
}

fn first_pem_der(pem: &str) -> Option<CertificateDer<'static>> {
    use rustls::pki_types::pem::PemObject;
    CertificateDer::pem_slice_iter(pem.as_bytes()).next()?.ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ca_is_created_once_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let first = Ca::load_or_create(dir.path()).unwrap();
        let again = Ca::load_or_create(dir.path()).unwrap();
        assert_eq!(first.cert_pem(), again.cert_pem());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join(CA_KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // certificates issued after the reload chain to the original CA
        let verifier = crate::ChainVerifier::new(first.cert_der().clone()).unwrap();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, "tpp");
        let client = again.issue_client_identity(dn.clone(), -1, 30).unwrap();
        assert_eq!(verifier.verify(&[client.cert_der]), Ok(()));
        let expired = again.issue_client_identity(dn, -30, 1).unwrap();
        assert!(verifier
            .verify(&[expired.cert_der])
            .unwrap_err()
            .contains("Expired"));
        let server = again
            .issue_server_identity(&["localhost", "127.0.0.1", "::1"])
            .unwrap();
        assert_eq!(server.chain.len(), 2);
    }

    #[test]
    fn a_corrupt_ca_is_reported_with_its_path() {
        let dir = tempfile::tempdir().unwrap();
        Ca::load_or_create(dir.path()).unwrap();
        fs::write(dir.path().join(CA_KEY_FILE), "garbage").unwrap();
        let err = Ca::load_or_create(dir.path()).err().unwrap().to_string();
        assert!(err.contains("ca.pem"), "{err}");
    }
}
