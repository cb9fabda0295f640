//! The profile file format. Every key is documented here; unknown keys are refused.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::trace::Severity;
use crate::ErrorCode;

/// A whole profile file.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileSettings {
    /// Human name shown in the UI and in `mockbank checks list`.
    pub title: String,
    /// One paragraph on what the profile models.
    #[serde(default)]
    pub description: String,
    /// The specifications the profile follows, e.g. `RFC 7591, RFC 7592`.
    pub spec: String,
    pub registration: RegistrationSettings,
    pub management: ManagementSettings,
    #[serde(default)]
    pub client_secret: ClientSecretSettings,
    pub token: TokenSettings,
    pub discovery: DiscoverySettings,
    /// `[protection]`: what a registration request must carry besides its metadata.
    #[serde(default)]
    pub protection: ProtectionSettings,
    /// `[hooks]`: the bank's own services called during registration (WSO2-style extensions).
    #[serde(default)]
    pub hooks: Option<HookSettings>,
    /// `[directory]`: what the mock directory mints for a TPP of this profile.
    #[serde(default)]
    pub directory: DirectorySettings,
    /// The checks this profile runs, in order within each phase.
    #[serde(default, rename = "check")]
    pub checks: Vec<CheckEntry>,
}

/// `[directory]`: the credentials the mock directory mints for a TPP that registers with this
/// profile, and the software statement it signs.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct DirectorySettings {
    /// `obuk`: a transport and a signing certificate, subject `C, O, OU=org_id, CN=software_id`
    /// (OBIE); `eidas`: a QWAC and a QSealC with the PSD2 QC statement (roles, competent
    /// authority) and the organisation's `organizationIdentifier` `PSD<CC>-<NCA>-<n>` (ETSI TS
    /// 119 495).
    #[serde(default)]
    pub certificates: CertificateStyle,
    /// The country of the certificates' subject (`C`) and of the authorisations.
    #[serde(default = "default_country")]
    pub country: String,
    /// The competent authority that licenses the TPPs (`FCA`, `FR-ACPR`): in the SSA's
    /// `organisation_competent_authority_claims` and in eIDAS certificates.
    #[serde(default = "default_authority_id")]
    pub authority_id: String,
    #[serde(default = "default_authority_name")]
    pub authority_name: String,
    /// The roles a TPP may be minted with, and the default when a mint names none.
    #[serde(default = "default_roles")]
    pub roles: Vec<String>,
    /// The SSA's `iss`; default the directory's own name (`OpenBanking Ltd`).
    #[serde(default)]
    pub ssa_issuer: Option<String>,
    /// Seconds until the SSA expires (its `exp`); 0: no `exp`.
    #[serde(default)]
    pub ssa_lifetime: u64,
    /// Further claims put in every SSA minted for this profile; `{placeholder}`s in their
    /// strings are filled in ([`SSA_PLACEHOLDERS`]).
    #[serde(default)]
    pub ssa_claims: Map<String, Value>,
    /// The transport (or QWAC) certificate's subject, replacing the style's.
    #[serde(default, skip_serializing_if = "SubjectTemplate::is_empty")]
    #[cfg_attr(test, ts(as = "Option<Vec<String>>", optional))]
    pub transport_subject: SubjectTemplate,
    /// The signing (or QSealC) certificate's subject, replacing the style's.
    #[serde(default, skip_serializing_if = "SubjectTemplate::is_empty")]
    #[cfg_attr(test, ts(as = "Option<Vec<String>>", optional))]
    pub signing_subject: SubjectTemplate,
}

/// What a subject template may name, filled in per minted software.
pub const SUBJECT_PLACEHOLDERS: &[&str] = &[
    "software_id",
    "org_id",
    "org_name",
    "software_name",
    "country",
    "host",
    "organization_identifier",
];

/// What `ssa_claims` strings may name, filled in per minted software.
pub const SSA_PLACEHOLDERS: &[&str] = &[
    "software_id",
    "org_id",
    "software_jwks_endpoint",
    "org_jwks_endpoint",
    "base_url",
];

/// Replaces each `{name}` of `vars` in `template`.
pub fn fill_placeholders(template: &str, vars: &[(&str, &str)]) -> String {
    let mut out = template.to_owned();
    for (name, value) in vars {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// A certificate subject as the directory writes it: `TYPE=value` strings in RFC 4514
/// order (the first is the most specific, `CN=…` or `UID=…`). `TYPE` is an RFC 4514 §3
/// name (`CN`, `O`, `OU`, `C`, `L`, `ST`, `UID`, …), a known descriptor
/// (`organizationIdentifier`, `serialNumber`, `businessCategory`, `jurisdictionCountryName`)
/// or a dotted OID; values may hold [`SUBJECT_PLACEHOLDERS`].
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(try_from = "Vec<String>", into = "Vec<String>")]
pub struct SubjectTemplate {
    written: Vec<String>,
    /// `(dotted OID, value template)`, in the order written.
    pub attributes: Vec<(String, String)>,
}

impl SubjectTemplate {
    pub fn is_empty(&self) -> bool {
        self.attributes.is_empty()
    }
}

impl TryFrom<Vec<String>> for SubjectTemplate {
    type Error = String;
    fn try_from(written: Vec<String>) -> Result<Self, String> {
        let mut attributes = Vec::new();
        for entry in &written {
            let Some((name, value)) = entry.split_once('=') else {
                return Err(format!("`{entry}` is not `TYPE=value`"));
            };
            let Some(oid) = crate::dn::attribute_oid(name.trim()) else {
                return Err(format!(
                    "`{name}` is not an attribute type (an RFC 4514 name such as CN, O, OU, C, UID, a known descriptor, or a dotted OID)"
                ));
            };
            let mut rest = value;
            while let Some(open) = rest.find('{') {
                let Some(close) = rest[open..].find('}') else {
                    break;
                };
                let name = &rest[open + 1..open + close];
                if !SUBJECT_PLACEHOLDERS.contains(&name) {
                    return Err(format!(
                        "unknown placeholder `{{{name}}}` (known: {})",
                        SUBJECT_PLACEHOLDERS.join(", ")
                    ));
                }
                rest = &rest[open + close + 1..];
            }
            attributes.push((oid, value.to_owned()));
        }
        Ok(SubjectTemplate {
            written,
            attributes,
        })
    }
}

impl From<SubjectTemplate> for Vec<String> {
    fn from(t: SubjectTemplate) -> Vec<String> {
        t.written
    }
}

impl Default for DirectorySettings {
    fn default() -> Self {
        DirectorySettings {
            certificates: CertificateStyle::default(),
            country: default_country(),
            authority_id: default_authority_id(),
            authority_name: default_authority_name(),
            roles: default_roles(),
            ssa_issuer: None,
            ssa_lifetime: 0,
            ssa_claims: Map::new(),
            transport_subject: SubjectTemplate::default(),
            signing_subject: SubjectTemplate::default(),
        }
    }
}

fn default_country() -> String {
    "GB".into()
}
fn default_authority_id() -> String {
    "FCA".into()
}
fn default_authority_name() -> String {
    "Financial Conduct Authority".into()
}
fn default_roles() -> Vec<String> {
    ["AISP", "PISP", "CBPII"].map(String::from).to_vec()
}

/// The kind of certificates the directory mints.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum CertificateStyle {
    #[default]
    Obuk,
    Eidas,
}

/// `[registration]`: the registration endpoint (RFC 7591 §3).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrationSettings {
    /// `json` (RFC 7591 §3.1) or `jws` (a signed request object, OBUK).
    #[serde(default)]
    pub format: RequestFormat,
    /// Largest accepted body in bytes; larger bodies get `413 invalid_request`.
    #[serde(default = "default_max_body")]
    pub max_body_bytes: usize,
    /// Server-provisioned values for metadata the client omitted (RFC 7591 §3.2.1).
    #[serde(default)]
    pub defaults: Map<String, Value>,
    /// Members the profile recognises beyond RFC 7591/OIDC-Reg (kept with the client).
    #[serde(default)]
    pub extra_metadata: Vec<String>,
    /// `random` (22 base64url characters), `uuid` (a UUID v4, as OBUK recommends) or
    /// `organization_identifier` (the QWAC's PSD2 authorisation number: one client per TPP).
    #[serde(default)]
    pub client_id_format: ClientIdFormat,
    /// Fill `provider_legal_id` and `tls_client_auth_subject_dn` from the client certificate
    /// when the body omits them (STET).
    #[serde(default)]
    pub certificate_binding: bool,
    /// Return Airlock IAM's "technical client id" as the vendor member `technical_client_id`.
    #[serde(default)]
    pub technical_client_id: bool,
}

/// Shape of generated client ids.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientIdFormat {
    #[default]
    Random,
    Uuid,
    OrganizationIdentifier,
}

fn default_max_body() -> usize {
    64 * 1024
}

/// Body format of a registration request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestFormat {
    #[default]
    Json,
    Jws,
}

/// `[management]`: the client configuration endpoint (RFC 7592).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ManagementSettings {
    /// Which of `GET`, `PUT`, `DELETE` exist; others answer 405.
    pub operations: Vec<String>,
    /// What authenticates a management request: the RFC 7592 registration access token,
    /// (OBUK) an access token the client got at the token endpoint, or a list of both (a
    /// gateway that issues a registration access token and also accepts access tokens).
    #[serde(default)]
    pub credential: ManagementCredentials,
    /// When a new registration access token replaces the old one.
    #[serde(default = "never_rotate")]
    pub rat_rotation: RatRotation,
    /// Lifetime of a registration access token in seconds; 0 = no expiry.
    #[serde(default)]
    pub rat_expires_in: u64,
    /// Emit the vendor member `registration_access_token_expires_in` (Cloudentity).
    #[serde(default)]
    pub emit_rat_expires_in: bool,
}

fn never_rotate() -> RatRotation {
    RatRotation::Never
}

/// The credential of the client configuration endpoint.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ManagementCredential {
    #[default]
    RegistrationAccessToken,
    AccessToken,
}

/// The credentials a client configuration endpoint accepts: one, or several
/// (`credential = ["access_token", "registration_access_token"]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ManagementCredentials(Vec<ManagementCredential>);

impl Default for ManagementCredentials {
    fn default() -> Self {
        ManagementCredentials(vec![ManagementCredential::RegistrationAccessToken])
    }
}

impl<'de> Deserialize<'de> for ManagementCredentials {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum OneOrMany {
            One(ManagementCredential),
            Many(Vec<ManagementCredential>),
        }
        let list = match OneOrMany::deserialize(d).map_err(|_| {
            serde::de::Error::custom(
                "`credential` is `registration_access_token`, `access_token`, or a list of them",
            )
        })? {
            OneOrMany::One(c) => vec![c],
            OneOrMany::Many(l) => l,
        };
        if list.is_empty() {
            return Err(serde::de::Error::custom(
                "`credential` lists no credential: management would be impossible",
            ));
        }
        Ok(ManagementCredentials(list))
    }
}

impl ManagementCredentials {
    pub fn accepts(&self, c: ManagementCredential) -> bool {
        self.0.contains(&c)
    }

    /// Whether a registration returns an RFC 7592 registration access token.
    pub fn issues_rat(&self) -> bool {
        self.accepts(ManagementCredential::RegistrationAccessToken)
    }

    pub fn iter(&self) -> impl Iterator<Item = ManagementCredential> + '_ {
        self.0.iter().copied()
    }
}

/// RFC 7592 §2.1/§2.2: the server MAY issue a new registration access token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RatRotation {
    Never,
    OnUpdate,
    OnEveryUse,
}

/// `[client_secret]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ClientSecretSettings {
    /// Random bytes in a generated secret (base64url encoded).
    #[serde(default = "default_secret_bytes")]
    pub bytes: usize,
    /// Seconds until a secret expires; 0 = never (`client_secret_expires_at: 0`).
    #[serde(default)]
    pub expires_in: u64,
}

fn default_secret_bytes() -> usize {
    32
}

impl Default for ClientSecretSettings {
    fn default() -> Self {
        ClientSecretSettings {
            bytes: default_secret_bytes(),
            expires_in: 0,
        }
    }
}

/// `[token]`: the token endpoint (RFC 6749 §3.2).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TokenSettings {
    /// Grant types the token endpoint serves.
    pub grant_types: Vec<String>,
    /// Access token lifetime in seconds.
    #[serde(default = "default_access_token_ttl")]
    pub access_token_expires_in: u64,
    /// "Registration-less" access (EBA Q&A 2021_6029): a TPP whose client id is its QWAC's
    /// organizationIdentifier gets tokens with `tls_client_auth` without registering first.
    #[serde(default)]
    pub registration_less: bool,
}

fn default_access_token_ttl() -> u64 {
    3600
}

/// `[discovery]`: what the issuer advertises (RFC 8414 §2). Checks compare against the same
/// lists, so what is advertised is what is enforced.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DiscoverySettings {
    pub token_endpoint_auth_methods_supported: Vec<String>,
    #[serde(default)]
    pub token_endpoint_auth_signing_alg_values_supported: Vec<String>,
    pub grant_types_supported: Vec<String>,
    pub response_types_supported: Vec<String>,
    pub scopes_supported: Vec<String>,
    #[serde(default)]
    pub request_object_signing_alg_values_supported: Vec<String>,
    #[serde(default)]
    pub id_token_signing_alg_values_supported: Vec<String>,
    #[serde(default)]
    pub subject_types_supported: Vec<String>,
    /// Any further members to publish verbatim.
    #[serde(default)]
    pub extra: Map<String, Value>,
}

/// One `[[check]]` entry of a profile file.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CheckEntry {
    /// A check id from `mockbank checks list`.
    pub id: toml::Spanned<String>,
    /// Parameters the check declares; others are refused.
    #[serde(default)]
    pub params: Option<toml::Spanned<toml::Table>>,
    /// `error` (default): a failure refuses the request; `warn`: reported only.
    #[serde(default)]
    pub severity: Severity,
    /// Override of the error code a failure produces.
    #[serde(default)]
    pub error: Option<ErrorCode>,
    /// Override of the HTTP status a failure produces.
    #[serde(default)]
    pub status: Option<u16>,
    /// Override of the spec reference shown in traces.
    #[serde(default)]
    pub spec: Option<String>,
    /// `false` keeps the entry in the file but does not run it.
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

/// `[protection]` (RFC 7591 §3, generic.md §3): how the registration endpoint is protected.
/// The modes combine: a bearer credential, a software statement, a signed body.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProtectionSettings {
    /// `none` (open registration), `static` (one configured initial access token), `issued`
    /// (initial access tokens issued by `POST /admin/initial-access-tokens`, with expiry and a
    /// use count) or `access_token` (a client_credentials token with `access_token_scope`,
    /// terminated after one successful registration).
    #[serde(default)]
    pub bearer: BearerProtection,
    /// The initial access token for `bearer = "static"`.
    #[serde(default)]
    pub static_token: Option<String>,
    /// The scope an access token needs for `bearer = "access_token"`.
    #[serde(default = "dcr_register")]
    pub access_token_scope: String,
    /// `ignored` (dropped, as oidc-provider), `optional` (verified and applied when sent) or
    /// `required`.
    #[serde(default)]
    pub software_statement: StatementMode,
    /// Keys that sign software statements: `directory` (the mock directory) or a JWKS URL.
    #[serde(default = "directory")]
    pub statement_jwks: String,
    /// The body must be a JWS (`application/jose`) signed by a key of `request_jwks`.
    #[serde(default)]
    pub signed_request: bool,
    /// Keys that sign request bodies: `software` (the software the statement names, from the
    /// directory) or a JWKS URL.
    #[serde(default = "software")]
    pub request_jwks: String,
}

impl Default for ProtectionSettings {
    fn default() -> Self {
        ProtectionSettings {
            bearer: BearerProtection::None,
            static_token: None,
            access_token_scope: dcr_register(),
            software_statement: StatementMode::Ignored,
            statement_jwks: directory(),
            signed_request: false,
            request_jwks: software(),
        }
    }
}

fn dcr_register() -> String {
    "dcr_register".into()
}
fn directory() -> String {
    "directory".into()
}
fn software() -> String {
    "software".into()
}

/// The bearer credential a registration needs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub enum BearerProtection {
    #[default]
    None,
    Static,
    Issued,
    AccessToken,
}

/// What happens to a `software_statement` member.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub enum StatementMode {
    #[default]
    Ignored,
    Optional,
    Required,
}

/// `[hooks]`: extension endpoints (WSO2 Open Banking accelerator's OpenAPI extensions).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct HookSettings {
    /// Where the extension service listens; paths are `/pre-process-client-creation`,
    /// `/pre-process-client-update`, `/pre-process-client-retrieval`.
    pub base_url: String,
    #[serde(default)]
    pub pre_process_client_creation: bool,
    #[serde(default)]
    pub pre_process_client_update: bool,
    #[serde(default)]
    pub pre_process_client_retrieval: bool,
    /// Longest wait for an answer, in milliseconds.
    #[serde(default = "hook_timeout")]
    pub timeout_ms: u64,
    #[serde(default)]
    pub security: HookSecurity,
}

fn hook_timeout() -> u64 {
    2000
}

/// How mockbank authenticates to the extension service.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum HookSecurity {
    #[default]
    None,
    Basic {
        username: String,
        password: String,
    },
    /// OAuth 2.0 client credentials at `token_url` (client_secret_basic); the token is reused
    /// until it expires.
    Oauth2 {
        token_url: String,
        client_id: String,
        client_secret: String,
        #[serde(default)]
        scope: Option<String>,
    },
}
