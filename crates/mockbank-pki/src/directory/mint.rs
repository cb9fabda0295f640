//! Minting one software, in the order a reader follows it: the request is checked
//! ([`Mint::checked`]), its subjects named ([`Mint::subjects`]), its certificates issued
//! ([`Mint::certificates`]), its SSA built and signed ([`Mint::ssa_claims`],
//! [`Mint::sign_ssa`]), and the whole handed out ([`Mint::finish`]).

use rcgen::{
    CertificateParams, DistinguishedName, DnType, DnValue, IsCa, Issuer, KeyPair, KeyUsagePurpose,
};
use serde_json::{json, Map, Value};

use super::urls::{host_of, is_https_public, origin_of};
use super::{
    base62, leaf_cert, not_after_of, subject_of, uuid_v4, Bundle, CertificateKind,
    DirectoryAuthority, DirectoryStatus, IssuedCertificate, Jwks, MintRequest, Minted,
    Organisation, Software, Usage, Variant,
};
use crate::eidas::{self, Psd2Attributes, PspRole, QcType};
use crate::jose::{self, KeyType, SigningKey};
use crate::Ca;
use mockbank_core::profile::{
    fill_placeholders, CertificateStyle, DirectorySettings, SubjectTemplate,
};

/// Mints a software (and its certificates, keys and SSA) into `org`.
pub fn mint(
    ca: &Ca,
    authority: &DirectoryAuthority,
    req: &MintRequest,
    org: Organisation,
    directory: &DirectorySettings,
    base_url: &str,
    now: i64,
) -> Result<Minted, String> {
    let mint = Mint::checked(req, org, directory, base_url, now)?;
    let keys = Keys::generate(mint.key_type)?;
    let certs = mint.certificates(ca, &keys, mint.subjects())?;
    let mut claims = mint.ssa_claims(authority);
    let ssa = mint.sign_ssa(authority, &mut claims)?;
    Ok(mint.finish(ca, &keys, &certs, ssa, claims))
}

/// One software being minted: the checked request with its defaults filled in, and the
/// identifiers it is given.
struct Mint<'a> {
    req: &'a MintRequest,
    directory: &'a DirectorySettings,
    org: Organisation,
    base_url: &'a str,
    now: i64,
    /// The profile's directory mints eIDAS certificates (a QWAC and a QSealC).
    eidas: bool,
    profile: String,
    roles: Vec<String>,
    /// Never empty.
    redirect_uris: Vec<String>,
    variant: Option<Variant>,
    key_type: KeyType,
    software_id: String,
    software_jwks_endpoint: String,
    org_jwks_endpoint: String,
}

/// The software's keys: the signing key (RSA or EC) and the transport key (EC P-256).
struct Keys {
    signing: SigningKey,
    transport: SigningKey,
}

impl Keys {
    fn generate(signing: KeyType) -> Result<Keys, String> {
        Ok(Keys {
            signing: SigningKey::generate(signing).map_err(|e| e.to_string())?,
            transport: SigningKey::generate(KeyType::Ec).map_err(|e| e.to_string())?,
        })
    }
}

/// The subjects of the two certificates.
struct Subjects {
    transport: DistinguishedName,
    signing: DistinguishedName,
}

/// The two certificates issued, as PEM and DER.
struct Certificates {
    transport_pem: String,
    transport_der: Vec<u8>,
    /// The transport certificate's subject as RFC 4514 prints it.
    transport_subject_dn: String,
    signing_pem: String,
    signing_der: Vec<u8>,
}

impl<'a> Mint<'a> {
    /// Checks the request against the profile's directory and fills in its defaults.
    fn checked(
        req: &'a MintRequest,
        org: Organisation,
        directory: &'a DirectorySettings,
        base_url: &'a str,
        now: i64,
    ) -> Result<Mint<'a>, String> {
        let profile = req
            .profile
            .clone()
            .unwrap_or_else(|| "obuk-v3.2".to_owned());
        let roles = checked_roles(req, directory, &profile)?;
        if req.software_name.trim().is_empty() || req.software_name.len() > 40 {
            return Err("`software_name` must have 1 to 40 characters".into());
        }
        let redirect_uris = checked_redirect_uris(req)?;
        let software_id = base62(22);
        Ok(Mint {
            software_jwks_endpoint: format!("{base_url}/directory/software/{software_id}/jwks"),
            org_jwks_endpoint: format!("{base_url}/directory/orgs/{}/jwks", org.org_id),
            software_id,
            req,
            directory,
            org,
            base_url,
            now,
            eidas: directory.certificates == CertificateStyle::Eidas,
            profile,
            roles,
            redirect_uris,
            variant: req.variant,
            key_type: req.key_type.unwrap_or(KeyType::Rsa),
        })
    }

    fn org_id(&self) -> &str {
        &self.org.org_id
    }

    /// The host of the first redirect URI: the eIDAS certificate's `CN` and `{host}`.
    fn host(&self) -> String {
        host_of(&self.redirect_uris[0]).unwrap_or_else(|| "tpp.example.com".to_owned())
    }

    /// The subjects of the certificates: the profile's templates where it has them, else
    /// the certificate style's.
    fn subjects(&self) -> Subjects {
        let host = self.host();
        let vars = [
            ("software_id", self.software_id.as_str()),
            ("org_id", self.org_id()),
            ("org_name", self.org.org_name.as_str()),
            ("software_name", self.req.software_name.as_str()),
            ("country", self.directory.country.as_str()),
            ("host", host.as_str()),
            (
                "organization_identifier",
                self.org.organization_identifier.as_deref().unwrap_or(""),
            ),
        ];
        let directory = self.directory;
        Subjects {
            transport: templated_dn(&directory.transport_subject, &vars)
                .unwrap_or_else(|| self.styled_transport_subject(&host)),
            signing: templated_dn(&directory.signing_subject, &vars)
                .unwrap_or_else(|| self.styled_signing_subject()),
        }
    }

    /// OBUK: `C, O, OU=org_id, CN=software_id`; eIDAS: `C, O, organizationIdentifier, CN=host`.
    fn styled_transport_subject(&self, host: &str) -> DistinguishedName {
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CountryName, self.directory.country.as_str());
        dn.push(DnType::OrganizationName, self.org.org_name.as_str());
        if self.eidas {
            dn.push(
                DnType::CustomDnType(eidas::ORGANIZATION_IDENTIFIER.to_vec()),
                self.org.organization_identifier.clone().unwrap_or_default(),
            );
            dn.push(DnType::CommonName, host);
        } else {
            dn.push(DnType::OrganizationalUnitName, self.org_id());
            dn.push(DnType::CommonName, self.software_id.as_str());
        }
        dn
    }

    /// `C, O`, the organisation's identifier (`organizationIdentifier`, else `OU=org_id`),
    /// `CN=<software name> signing`.
    fn styled_signing_subject(&self) -> DistinguishedName {
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CountryName, self.directory.country.as_str());
        dn.push(DnType::OrganizationName, self.org.org_name.as_str());
        match &self.org.organization_identifier {
            Some(oi) => dn.push(
                DnType::CustomDnType(eidas::ORGANIZATION_IDENTIFIER.to_vec()),
                oi.as_str(),
            ),
            None => dn.push(DnType::OrganizationalUnitName, self.org_id()),
        }
        dn.push(
            DnType::CommonName,
            format!("{} signing", self.req.software_name),
        );
        dn
    }

    /// What the eIDAS certificates' PSD2 QC statement says: the roles, and the competent
    /// authority of the organisation. `None` for other certificate styles.
    fn psd2_attributes(&self) -> Option<Psd2Attributes> {
        self.eidas.then(|| Psd2Attributes {
            roles: self
                .roles
                .iter()
                .filter_map(|r| PspRole::from_directory_role(r))
                .collect(),
            nca_name: self.org.nca_name.clone().unwrap_or_default(),
            nca_id: self.org.nca_id.clone().unwrap_or_default(),
        })
    }

    /// Issues the transport (or QWAC) and signing (or QSealC) certificates; the variants
    /// that break the transport certificate have it issued by another CA, or expired.
    fn certificates(
        &self,
        ca: &Ca,
        keys: &Keys,
        subjects: Subjects,
    ) -> Result<Certificates, String> {
        let foreign_ca;
        let transport_issuer = if self.variant == Some(Variant::ForeignCaTransportCert) {
            foreign_ca = throwaway_ca().map_err(|e| e.to_string())?;
            &foreign_ca
        } else {
            ca.issuer()
        };
        let (start, days) = if self.variant == Some(Variant::ExpiredTransportCert) {
            (-30, 29)
        } else {
            (-1, 366)
        };
        let psd2 = self.psd2_attributes();
        let qc = |qc_type| psd2.as_ref().map(|p| eidas::qc_statements_der(qc_type, p));
        let (usage_t, usage_s) = if self.eidas {
            (Usage::Qwac, Usage::Qseal)
        } else {
            (Usage::Transport, Usage::Signing)
        };
        let (transport_pem, transport_der) = leaf_cert(
            transport_issuer,
            &keys.transport.private_pem,
            subjects.transport,
            usage_t,
            start,
            days,
            qc(QcType::Web),
        )
        .map_err(|e| e.to_string())?;
        let (signing_pem, signing_der) = leaf_cert(
            ca.issuer(),
            &keys.signing.private_pem,
            subjects.signing,
            usage_s,
            -1,
            366,
            qc(QcType::Eseal),
        )
        .map_err(|e| e.to_string())?;
        let transport_subject_dn =
            subject_of(&transport_der).ok_or("minted certificate does not parse")?;
        Ok(Certificates {
            transport_pem,
            transport_der,
            transport_subject_dn,
            signing_pem,
            signing_der,
        })
    }

    /// The SSA's claims, unsigned: its issuance, the software, its organisation, and the
    /// profile's own claims, in that order.
    fn ssa_claims(&self, authority: &DirectoryAuthority) -> Map<String, Value> {
        let mut claims = Map::new();
        self.issuance_claims(&mut claims, authority);
        self.software_claims(&mut claims);
        self.org_claims(&mut claims);
        let vars = [
            ("software_id", self.software_id.as_str()),
            ("org_id", self.org_id()),
            (
                "software_jwks_endpoint",
                self.software_jwks_endpoint.as_str(),
            ),
            ("org_jwks_endpoint", self.org_jwks_endpoint.as_str()),
            ("base_url", self.base_url),
        ];
        for (k, v) in &self.directory.ssa_claims {
            claims.insert(k.clone(), filled(v, &vars));
        }
        claims
    }

    /// `iss` (the request's, the profile's or the directory's), `iat`, `exp` where the
    /// profile gives SSAs a lifetime, and `jti`.
    fn issuance_claims(&self, claims: &mut Map<String, Value>, authority: &DirectoryAuthority) {
        let (directory, now) = (self.directory, self.now);
        let iss = self
            .req
            .ssa_issuer
            .clone()
            .or_else(|| directory.ssa_issuer.clone());
        claims.insert(
            "iss".into(),
            iss.unwrap_or_else(|| authority.ssa_issuer.clone()).into(),
        );
        claims.insert("iat".into(), now.into());
        if directory.ssa_lifetime > 0 {
            claims.insert("exp".into(), (now + directory.ssa_lifetime as i64).into());
        }
        claims.insert("jti".into(), uuid_v4().into());
    }

    /// The `software_*` claims; the client, logo, policy and terms URIs are on the origin of
    /// the first redirect URI.
    fn software_claims(&self, claims: &mut Map<String, Value>) {
        let (name, software_id) = (&self.req.software_name, self.software_id.as_str());
        let mut put = |k: &str, v: Value| {
            claims.insert(k.to_owned(), v);
        };
        put("software_id", software_id.into());
        put("software_client_id", software_id.into());
        put("software_client_name", name.clone().into());
        put(
            "software_client_description",
            format!("{name} (minted by mockbank)").into(),
        );
        put("software_version", "1.0".into());
        put("software_environment", "sandbox".into());
        put("software_mode", self.software_mode().into());
        put("software_roles", json!(self.roles));
        put("software_redirect_uris", json!(self.redirect_uris));
        put(
            "software_jwks_endpoint",
            self.software_jwks_endpoint.clone().into(),
        );
        let revoked = format!(
            "{}/directory/software/{software_id}/revoked.jwks",
            self.base_url
        );
        put("software_jwks_revoked_endpoint", revoked.into());
        let site = origin_of(&self.redirect_uris[0])
            .unwrap_or_else(|| "https://tpp.example.com".to_owned());
        put("software_client_uri", site.clone().into());
        put("software_logo_uri", format!("{site}/logo.png").into());
        put("software_policy_uri", format!("{site}/policy").into());
        put("software_tos_uri", format!("{site}/tos").into());
    }

    /// The `org_*` claims and the organisation's competent authority.
    fn org_claims(&self, claims: &mut Map<String, Value>) {
        let org_id = self.org_id();
        let mut put = |k: &str, v: Value| {
            claims.insert(k.to_owned(), v);
        };
        put("org_id", org_id.into());
        put("org_name", self.org.org_name.clone().into());
        put("org_status", self.org.status.as_str().into());
        put("org_jwks_endpoint", self.org_jwks_endpoint.clone().into());
        let revoked = format!("{}/directory/orgs/{org_id}/revoked.jwks", self.base_url);
        put("org_jwks_revoked_endpoint", revoked.into());
        put(
            "org_contacts",
            json!([{"name": "TPP support", "email": "support@tpp.example.com", "type": "Technical"}]),
        );
        put(
            "organisation_competent_authority_claims",
            self.authority_claims(),
        );
    }

    fn software_mode(&self) -> String {
        self.req
            .software_mode
            .clone()
            .unwrap_or_else(|| "Test".to_owned())
    }

    /// `organisation_competent_authority_claims`: the authority, and one authorisation per role.
    fn authority_claims(&self) -> Value {
        let country = self.directory.country.as_str();
        let registration_id = self
            .org
            .organization_identifier
            .clone()
            .unwrap_or_else(|| self.org.org_id.clone());
        json!({"authority_id": self.directory.authority_id, "registration_id": registration_id,
               "status": DirectoryStatus::Active, "authorisations": self.roles.iter().map(|r| json!({"member_state": country, "roles": [r]})).collect::<Vec<_>>()})
    }

    /// Signs the SSA; the variants that break it change `claims` first (the software's
    /// record keeps them as signed) or sign it wrongly.
    fn sign_ssa(
        &self,
        authority: &DirectoryAuthority,
        claims: &mut Map<String, Value>,
    ) -> Result<String, String> {
        let sign =
            |claims: &Map<String, Value>| authority.sign_ssa(claims).map_err(|e| e.to_string());
        match self.variant {
            Some(Variant::ExpiredSsa) => {
                claims.insert("iat".into(), (self.now - 2 * 86_400).into());
                claims.insert("exp".into(), (self.now - 86_400).into());
                sign(claims)
            }
            Some(Variant::WrongIssuer) => {
                claims.insert("iss".into(), "Not OpenBanking".into());
                sign(claims)
            }
            Some(Variant::UnknownSigningKey) => {
                let rogue = SigningKey::generate(KeyType::Rsa).map_err(|e| e.to_string())?;
                rogue
                    .sign_with_header(claims, "JWT", authority.kid())
                    .map_err(|e| e.to_string())
            }
            Some(Variant::AlgNone) => Ok(jose::unsigned(claims)),
            Some(Variant::MissingClaim) => {
                claims.remove("software_id");
                sign(claims)
            }
            _ => sign(claims),
        }
    }

    /// The credentials bundle, the software's public record and the certificates' records.
    fn finish(
        self,
        ca: &Ca,
        keys: &Keys,
        certs: &Certificates,
        ssa: String,
        claims: Map<String, Value>,
    ) -> Minted {
        let bundle = Bundle {
            org_id: self.org.org_id.clone(),
            org_name: self.org.org_name.clone(),
            software_id: self.software_id.clone(),
            software_name: self.req.software_name.clone(),
            software_roles: self.roles.clone(),
            profile: self.profile.clone(),
            software_statement: ssa.clone(),
            transport_cert_pem: certs.transport_pem.clone(),
            transport_key_pem: keys.transport.private_pem.clone(),
            transport_subject_dn: certs.transport_subject_dn.clone(),
            signing_key_pem: keys.signing.private_pem.clone(),
            signing_kid: keys.signing.kid.clone(),
            signing_alg: self.key_type.alg().to_owned(),
            signing_cert_pem: certs.signing_pem.clone(),
            software_jwks_endpoint: self.software_jwks_endpoint.clone(),
            org_jwks_endpoint: self.org_jwks_endpoint.clone(),
            redirect_uris: self.redirect_uris.clone(),
            ca_cert_pem: ca.cert_pem().to_owned(),
            organization_identifier: self.org.organization_identifier.clone(),
            variant: self.variant.map(Variant::info),
        };
        let software = Software {
            software_id: self.software_id.clone(),
            org_id: self.org.org_id.clone(),
            software_name: self.req.software_name.clone(),
            roles: self.roles.clone(),
            redirect_uris: self.redirect_uris.clone(),
            software_mode: self.software_mode(),
            profile: self.profile.clone(),
            status: DirectoryStatus::Active,
            created_at: self.now,
            jwks: software_jwks(keys, certs),
            signing_kid: keys.signing.kid.clone(),
            transport_subject_dn: certs.transport_subject_dn.clone(),
            variant: self.variant,
            software_statement: ssa,
            ssa_claims: claims,
        };
        let certificates = self.issued_certificates(certs);
        Minted {
            bundle,
            org: self.org,
            software,
            certificates,
        }
    }

    /// What the directory records of the two certificates.
    fn issued_certificates(&self, certs: &Certificates) -> Vec<IssuedCertificate> {
        let record = |kind: CertificateKind, pem: &str, der: &[u8]| IssuedCertificate {
            thumbprint: jose::x5t_s256(der),
            kind,
            subject: subject_of(der).unwrap_or_default(),
            not_after: not_after_of(der).unwrap_or_default(),
            pem: Some(pem.to_owned()),
            software_id: self.software_id.clone(),
            org_id: self.org.org_id.clone(),
            status: DirectoryStatus::Active,
        };
        let (transport, signing) = if self.eidas {
            (CertificateKind::Qwac, CertificateKind::Qseal)
        } else {
            (CertificateKind::Transport, CertificateKind::Signing)
        };
        vec![
            record(transport, &certs.transport_pem, &certs.transport_der),
            record(signing, &certs.signing_pem, &certs.signing_der),
        ]
    }
}

/// The roles asked for (the profile's first two by default), each one the profile knows.
fn checked_roles(
    req: &MintRequest,
    directory: &DirectorySettings,
    profile: &str,
) -> Result<Vec<String>, String> {
    // Without roles asked for: the profile's first two (AISP and PISP by default).
    let roles = req
        .roles
        .clone()
        .unwrap_or_else(|| directory.roles.iter().take(2).cloned().collect());
    if roles.is_empty() {
        return Err("`roles` must not be empty".into());
    }
    if let Some(bad) = roles.iter().find(|r| !directory.roles.contains(r)) {
        return Err(format!(
            "unknown role `{bad}` (roles of profile {profile}: {})",
            directory.roles.join(", ")
        ));
    }
    Ok(roles)
}

/// The redirect URIs: the variant's deliberately broken ones, or those asked for (one on
/// `tpp.example.com` by default), each an https URL on a public host.
fn checked_redirect_uris(req: &MintRequest) -> Result<Vec<String>, String> {
    let broken: Option<&[&str]> = match req.variant {
        Some(Variant::HttpRedirect) => Some(&["http://tpp.example.com/callback"]),
        Some(Variant::LoopbackRedirect) => Some(&["https://127.0.0.1/callback"]),
        Some(Variant::MixedRedirectHosts) => Some(&[
            "https://tpp.example.com/callback",
            "https://other.example.net/callback",
        ]),
        _ => None,
    };
    if let Some(uris) = broken {
        return Ok(uris.iter().map(|u| (*u).to_owned()).collect());
    }
    let uris = req
        .redirect_uris
        .clone()
        .unwrap_or_else(|| vec!["https://tpp.example.com/callback".to_owned()]);
    if uris.is_empty() {
        return Err("`redirect_uris` must not be empty".into());
    }
    if let Some(uri) = uris.iter().find(|u| !is_https_public(u)) {
        return Err(format!(
            "redirect URI `{uri}` must be an https URL on a public host (use the variant `http_redirect` or `loopback_redirect` to mint a deliberately broken SSA)"
        ));
    }
    Ok(uris)
}

/// The software's JWKS. Its keys name no `alg` (RFC 7517 §4.4 makes it optional, and a key
/// that names one verifies only that one): which algorithms a TPP may sign with is the bank
/// profile's to say (`request.jws_alg`, `generic.auth_signing_alg.valid`), so one key serves
/// them all.
fn software_jwks(keys: &Keys, certs: &Certificates) -> Jwks {
    let unpinned = |mut jwk: Value| {
        if let Some(o) = jwk.as_object_mut() {
            o.remove("alg");
        }
        jwk
    };
    Jwks {
        keys: vec![
            unpinned(keys.signing.jwk_for("sig", &[&certs.signing_der])),
            unpinned(keys.transport.jwk_for("tls", &[&certs.transport_der])),
        ],
    }
}

/// The subject a profile's `[directory]` template asks for, written in RFC 4514 order
/// (so pushed last attribute first); `None` without a template.
fn templated_dn(template: &SubjectTemplate, vars: &[(&str, &str)]) -> Option<DistinguishedName> {
    if template.is_empty() {
        return None;
    }
    let mut dn = DistinguishedName::new();
    for (oid, value) in template.attributes.iter().rev() {
        let value = fill_placeholders(value, vars);
        let printable = |v: String| match rcgen::string::PrintableString::try_from(v.clone()) {
            Ok(p) => DnValue::PrintableString(p),
            Err(_) => DnValue::Utf8String(v),
        };
        match oid.as_str() {
            "2.5.4.3" => dn.push(DnType::CommonName, value),
            "2.5.4.6" => dn.push(DnType::CountryName, printable(value)),
            "2.5.4.10" => dn.push(DnType::OrganizationName, value),
            "2.5.4.11" => dn.push(DnType::OrganizationalUnitName, value),
            "2.5.4.7" => dn.push(DnType::LocalityName, value),
            "2.5.4.8" => dn.push(DnType::StateOrProvinceName, value),
            other => {
                let arcs: Vec<u64> = other.split('.').filter_map(|n| n.parse().ok()).collect();
                // serialNumber and jurisdictionCountryName are PrintableStrings (X.520).
                let v = if matches!(other, "2.5.4.5" | "1.3.6.1.4.1.311.60.2.1.3") {
                    printable(value)
                } else {
                    DnValue::Utf8String(value)
                };
                dn.push(DnType::CustomDnType(arcs), v)
            }
        }
    }
    Some(dn)
}

/// `v` with the placeholders of its strings filled in, at any depth.
fn filled(v: &Value, vars: &[(&str, &str)]) -> Value {
    match v {
        Value::String(s) => fill_placeholders(s, vars).into(),
        Value::Array(a) => a.iter().map(|x| filled(x, vars)).collect(),
        Value::Object(o) => o
            .iter()
            .map(|(k, x)| (k.clone(), filled(x, vars)))
            .collect::<Map<String, Value>>()
            .into(),
        other => other.clone(),
    }
}

/// A CA nobody trusts, for the `foreign_ca_transport_cert` variant.
fn throwaway_ca() -> Result<Issuer<'static, KeyPair>, crate::PkiError> {
    let key = KeyPair::generate()?;
    let mut params = CertificateParams::default();
    params.distinguished_name = DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::CommonName, "Some Other CA");
    params.is_ca = IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign];
    Ok(Issuer::new(params, key))
}
