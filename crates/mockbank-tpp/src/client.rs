//! The reference TPP's flows for one profile: registration in the profile's format with a
//! deviation applied, client credentials at the token endpoint, and RFC 7592 / OBUK
//! management. What a registration returned is kept in the state dir for later commands.

use std::path::PathBuf;

use anyhow::{bail, Context};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use josekit::jws::{JwsHeader, PS256, RS256};
use josekit::jwt::{self, JwtPayload};
use serde_json::{json, Map, Value};

use mockbank_core::profile::{BearerProtection, ProtectionSummary, StatementMode};
use mockbank_core::wire::admin::IssuedInitialAccessToken;
use mockbank_core::wire::directory::{Bundle, IssuedStatement, MintRequest, Variant};

use crate::http::{Identity, Request, Response};
use crate::{guess_flavor, state, Deviation, Flavor, Target};

/// The redirect URI the reference TPP registers (the directory's default for minted software).
const REDIRECT_URI: &str = "https://tpp.example.com/callback";

/// Credentials for a registration, with the trace of their mint when they were minted now.
pub(crate) struct Minted {
    bundle: Bundle,
    trace_id: Option<String>,
}

impl Minted {
    fn kept(bundle: Bundle) -> Minted {
        Minted {
            bundle,
            trace_id: None,
        }
    }
}

/// What the reference client keeps of a client it registered (its own state file).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct ClientRecord {
    profile: String,
    flavor: Flavor,
    client_id: String,
    client_secret: Option<String>,
    registration_access_token: Option<String>,
    registration_client_uri: Option<String>,
    /// The metadata it registered.
    registered: Map<String, Value>,
    bundle: Option<Bundle>,
    /// Deleted at the bank (kept so a later read shows what the bank answers).
    #[serde(default)]
    deleted: bool,
}

impl ClientRecord {
    fn save(&self, dir: &std::path::Path) -> anyhow::Result<()> {
        state::write_json(
            dir,
            &state::client_file_name(&self.client_id),
            &serde_json::to_value(self)?,
        )
    }
}

/// What one step did: the contract's `{"profile","deviation","status","client_id",
/// "trace_id","deciding_check","response"}`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Outcome {
    pub profile: String,
    pub deviation: &'static str,
    pub status: u16,
    pub client_id: Option<String>,
    pub trace_id: Option<String>,
    /// The check that refused the request, from a mockbank's trace (with an admin token).
    pub deciding_check: Option<String>,
    pub response: Value,
}

impl Outcome {
    /// Whether the bank answered as a correct bank does: a 2xx to a correct request, a
    /// refusal (4xx) to a deviation (`interfaces.md`, "Acting as the TPP": exit 0 or 1).
    pub fn as_a_correct_bank_answers(&self) -> bool {
        if self.deviation == Deviation::None.name() {
            (200..300).contains(&self.status)
        } else {
            (400..500).contains(&self.status)
        }
    }

    /// Fills [`Outcome::deciding_check`] from the trace, when the target is a mockbank
    /// whose admin API this client may read.
    pub async fn with_deciding_check(mut self, target: &Target) -> Outcome {
        if self.deciding_check.is_none() {
            if let Some(id) = &self.trace_id {
                self.deciding_check = target.trace(id).await.and_then(|t| t.failed_check);
            }
        }
        self
    }
}

/// The reference TPP facing one profile of a bank.
pub struct Session<'a> {
    pub target: &'a Target,
    pub profile: String,
    pub discovery: Value,
    pub flavor: Flavor,
    /// How the profile protects registration, as a mockbank's admin API says; nothing
    /// for other banks.
    pub protection: ProtectionSummary,
    /// An initial access token to present at the next registration instead of asking the
    /// bank for one.
    pub initial_access_token: Option<String>,
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

impl<'a> Session<'a> {
    /// Reads the profile's discovery and learns its flavor (from a mockbank's admin API,
    /// the target's setting, or a guess from discovery).
    pub async fn open(target: &'a Target, profile: &str) -> anyhow::Result<Session<'a>> {
        let url = target.url(&format!("/{profile}/.well-known/openid-configuration"));
        let r = target.https.send(Request::new("GET", url.clone())).await?;
        if r.status != 200 {
            bail!(
                "discovery {url} answered {}: is `{profile}` a profile of this bank?",
                r.status
            );
        }
        let discovery = r.json();
        let listed = match target.admin_token {
            Some(_) => target
                .profiles()
                .await?
                .into_iter()
                .find(|p| p.id == profile),
            None => None,
        };
        let flavor = target
            .flavor
            .or(listed.as_ref().map(|p| p.tpp_flavor))
            .unwrap_or_else(|| guess_flavor(&discovery));
        let protection = listed.map(|p| p.protection).unwrap_or_default();
        Ok(Session {
            target,
            profile: profile.to_owned(),
            discovery,
            flavor,
            protection,
            initial_access_token: None,
        })
    }

    /// Whether `deviation` means anything against this profile: its flavor, and for the
    /// protection deviations, whether the profile asks for what they leave out.
    pub fn applies(&self, deviation: Deviation) -> bool {
        deviation.applies_to(self.flavor, &self.protection)
    }

    /// The profile wants an initial access token issued by the bank (RFC 7591 §3).
    pub fn needs_initial_access_token(&self) -> bool {
        self.protection.bearer == BearerProtection::Issued
    }

    /// The profile wants a software statement (RFC 7591 §2.3).
    pub fn needs_software_statement(&self) -> bool {
        matches!(self.flavor, Flavor::Obuk | Flavor::Fapi)
            || self.protection.software_statement == StatementMode::Required
    }

    /// The first value of the discovery list `name` that is among `known` (the bank's
    /// preference order), else `known`'s first.
    fn preferred(&self, name: &str, known: &[&'static str]) -> &'static str {
        let listed = strings(&self.discovery[name]);
        listed
            .iter()
            .find_map(|l| known.iter().find(|k| *k == l))
            .copied()
            .unwrap_or(known[0])
    }

    fn endpoint(&self, name: &str) -> anyhow::Result<String> {
        self.discovery[name]
            .as_str()
            .map(str::to_owned)
            .with_context(|| format!("discovery of `{}` has no {name}", self.profile))
    }

    fn issuer(&self) -> String {
        self.discovery["issuer"].as_str().map_or_else(
            || self.target.url(&format!("/{}", self.profile)),
            str::to_owned,
        )
    }

    /// The scopes of `wanted` the profile supports, space-separated.
    fn scopes(&self, wanted: &[&str]) -> Option<String> {
        let supported = strings(&self.discovery["scopes_supported"]);
        let s: Vec<&str> = wanted
            .iter()
            .copied()
            .filter(|w| supported.is_empty() || supported.iter().any(|s| s == w))
            .collect();
        (!s.is_empty()).then(|| s.join(" "))
    }

    fn outcome(&self, deviation: Deviation, r: &Response, client_id: Option<String>) -> Outcome {
        let response = r.json();
        Outcome {
            profile: self.profile.clone(),
            deviation: deviation.name(),
            status: r.status,
            client_id: client_id.or_else(|| response["client_id"].as_str().map(str::to_owned)),
            trace_id: r.trace_id(),
            deciding_check: None,
            response,
        }
    }

    // --- directory credentials ---

    /// The state folder `kind` (`clients`, `bundles`): 0700, never a symlink.
    fn state_dir(&self, kind: &str) -> anyhow::Result<PathBuf> {
        state::dir(&self.target.state_dir, &[kind])
    }

    /// The file of this profile's kept credentials, in `bundles/`: the profile id must be a
    /// plain file name (a bank's profile list is the bank's word).
    fn bundle_file(&self) -> anyhow::Result<String> {
        let name = format!("{}.json", self.profile);
        anyhow::ensure!(
            state::is_safe_name(&self.profile) && state::is_safe_name(&name),
            "profile `{}` is not a plain file name ([A-Za-z0-9._-]): the reference client \
             keeps no credentials for it",
            self.profile.escape_debug()
        );
        Ok(name)
    }

    /// Credentials for this profile: the target's bundle, a reused one, or a new one minted
    /// by the mock directory (a broken variant, or revoked, as the deviation asks).
    async fn bundle(&self, deviation: Deviation) -> anyhow::Result<Minted> {
        let variant = match deviation {
            Deviation::ForeignCaCert => Some(Variant::ForeignCaTransportCert),
            Deviation::ExpiredCert => Some(Variant::ExpiredTransportCert),
            Deviation::AlgNoneSsa => Some(Variant::AlgNone),
            _ => None,
        };
        let fresh = variant.is_some()
            || matches!(
                deviation,
                Deviation::RevokedSoftware | Deviation::MissingPsd2Role
            );
        if !fresh {
            if let Some(b) = &self.target.bundle {
                return Ok(Minted::kept(self.fresh_statement(b.clone()).await?));
            }
            let kept = state::read_json(&self.state_dir("bundles")?, &self.bundle_file()?)
                .and_then(|b| serde_json::from_value::<Bundle>(b).ok());
            if let Some(b) = kept {
                return Ok(Minted::kept(self.fresh_statement(b).await?));
            }
        } else if self.target.admin_token.is_none() {
            bail!(
                "`{}` needs credentials minted by a mockbank's directory (an admin token)",
                deviation.name()
            );
        }
        // The directory mints what the profile's `[directory]` section says.
        let mint_profile = self.profile.as_str();
        // Without `roles`, the directory gives the profile's default roles (AISP and PISP;
        // Open Finance Brasil: DADOS and PAGTO).
        let body = MintRequest {
            org_name: Some("Reference TPP Ltd".into()),
            software_name: "mockbank reference TPP".into(),
            redirect_uris: Some(vec![REDIRECT_URI.into()]),
            profile: Some(mint_profile.into()),
            variant,
            roles: (deviation == Deviation::MissingPsd2Role).then(|| vec!["AISP".into()]),
            ..MintRequest::default()
        };
        let r = self
            .target
            .admin(
                "POST",
                "/directory/software",
                Some(&serde_json::to_value(&body)?),
            )
            .await?;
        if r.status != 201 {
            bail!("minting credentials answered {}: {}", r.status, r.json());
        }
        let bundle: Bundle = r.parse().context("the directory's bundle")?;
        if fresh {
            // Minted for this request alone: a leftover once the run is over.
            self.target.note_made(crate::MadeKind::Org, &bundle.org_id);
        }
        if deviation == Deviation::RevokedSoftware {
            // STET has no software in its directory: what is revoked is the licence (stet.md §4).
            let path = match self.flavor {
                Flavor::Stet => format!("/directory/orgs/{}/revoke", bundle.org_id),
                _ => format!("/directory/software/{}/revoke", bundle.software_id),
            };
            let r = self.target.admin("POST", &path, None).await?;
            if r.status >= 300 {
                bail!("revoking the software answered {}: {}", r.status, r.json());
            }
        } else if !fresh {
            state::write_json(
                &self.state_dir("bundles")?,
                &self.bundle_file()?,
                &serde_json::to_value(&bundle)?,
            )?;
        }
        Ok(Minted {
            bundle,
            trace_id: r.trace_id(),
        })
    }

    /// A kept bundle gets a new software statement from the directory (`POST
    /// /directory/software/{id}/ssa`) for each registration, as a TPP asks its directory:
    /// banks refuse old statements (Open Finance Brasil: after 5 minutes) and used ones
    /// (`ssa.jti_replay`).
    async fn fresh_statement(&self, mut bundle: Bundle) -> anyhow::Result<Bundle> {
        if self.target.admin_token.is_none()
            || bundle.software_id.is_empty()
            || statement_claims(&bundle.software_statement).is_none()
        {
            return Ok(bundle);
        }
        let path = format!("/directory/software/{}/ssa", bundle.software_id);
        let r = self.target.admin("POST", &path, None).await?;
        if r.status == 200 {
            if let Ok(issued) = r.parse::<IssuedStatement>() {
                bundle.software_statement = issued.software_statement;
            }
        }
        Ok(bundle)
    }

    /// Joins the directory as a new organisation and software: fresh credentials for this
    /// profile, used by the registrations that follow. The outcome's response is the
    /// bundle without its private keys.
    pub async fn onboard(&self) -> anyhow::Result<Outcome> {
        let _ = std::fs::remove_file(self.state_dir("bundles")?.join(self.bundle_file()?));
        let minted = self.bundle(Deviation::None).await?;
        let mut public = serde_json::to_value(&minted.bundle)?;
        if let Some(o) = public.as_object_mut() {
            o.retain(|k, _| !k.ends_with("_key_pem"));
        }
        Ok(Outcome {
            profile: self.profile.clone(),
            deviation: Deviation::None.name(),
            status: 201,
            client_id: None,
            trace_id: minted.trace_id,
            deciding_check: None,
            response: public,
        })
    }

    /// A single-use initial access token from a mockbank (`POST /admin/initial-access-tokens`):
    /// what the bank would hand a TPP out of band (RFC 7591 §3).
    /// A single-use initial access token from the bank's admin API, with the trace of its
    /// issue.
    pub async fn issue_initial_access_token(&self) -> anyhow::Result<(String, Option<String>)> {
        let r = self
            .target
            .admin(
                "POST",
                "/admin/initial-access-tokens",
                Some(&json!({"profile": self.profile, "max_uses": 1, "expires_in": 600})),
            )
            .await?;
        if r.status != 201 {
            bail!(
                "issuing an initial access token answered {}: {}",
                r.status,
                r.json()
            );
        }
        let issued: IssuedInitialAccessToken =
            r.parse().context("the initial access token answer")?;
        Ok((issued.initial_access_token, r.trace_id()))
    }

    fn identity(bundle: &Bundle) -> Option<Identity> {
        (!bundle.transport_cert_pem.is_empty()).then(|| Identity {
            cert_pem: bundle.transport_cert_pem.clone(),
            key_pem: bundle.transport_key_pem.clone(),
        })
    }

    // --- registration ---

    /// The metadata a correct TPP registers with this profile.
    fn metadata(&self, bundle: Option<&Bundle>) -> Map<String, Value> {
        let no_bundle = Bundle::default();
        let b = bundle.unwrap_or(&no_bundle);
        let mut m = Map::new();
        let mut put = |k: &str, v: Value| {
            m.insert(k.to_owned(), v);
        };
        match self.flavor {
            Flavor::Generic => {
                put("redirect_uris", json!([REDIRECT_URI]));
                put("client_name", "mockbank reference TPP".into());
                put(
                    "grant_types",
                    json!(["authorization_code", "client_credentials"]),
                );
                put("response_types", json!(["code"]));
                put("token_endpoint_auth_method", "client_secret_basic".into());
                if let Some(s) = self.scopes(&["accounts", "payments"]) {
                    put("scope", s.into());
                }
            }
            Flavor::Obuk => {
                put("iss", b.software_id.as_str().into());
                put("iat", now().into());
                put("exp", (now() + 300).into());
                put("aud", self.issuer().into());
                put("jti", crate::uuid_v4().into());
                let redirects = match bundle {
                    Some(b) => json!(b.redirect_uris),
                    None => json!([REDIRECT_URI]),
                };
                put("redirect_uris", redirects);
                put("token_endpoint_auth_method", "tls_client_auth".into());
                put(
                    "tls_client_auth_subject_dn",
                    b.transport_subject_dn.as_str().into(),
                );
                put(
                    "grant_types",
                    json!(["authorization_code", "client_credentials"]),
                );
                put("response_types", json!(["code id_token"]));
                if let Some(s) = self.scopes(&["openid", "accounts", "payments"]) {
                    put("scope", s.into());
                }
                put("software_statement", b.software_statement.as_str().into());
                put("application_type", "web".into());
                put("id_token_signed_response_alg", "PS256".into());
                put("request_object_signing_alg", "PS256".into());
            }
            Flavor::Fapi => {
                let statement = statement_claims(&b.software_statement).unwrap_or_default();
                let redirects = match statement.get("software_redirect_uris") {
                    Some(v) if v.is_array() => v.clone(),
                    _ => json!([REDIRECT_URI]),
                };
                put("redirect_uris", redirects);
                let response =
                    self.preferred("response_types_supported", &["code id_token", "code"]);
                // OIDC-Reg §2: a hybrid response type needs `implicit` beside the code grant.
                let mut grants = vec!["authorization_code", "client_credentials"];
                if response.contains("id_token") {
                    grants.insert(1, "implicit");
                }
                put("grant_types", json!(grants));
                put("response_types", json!([response]));
                // Keys by reference only: the software's JWKS where the directory publishes it.
                let jwks_uri = statement
                    .get("software_jwks_uri")
                    .or_else(|| statement.get("software_jwks_endpoint"))
                    .cloned()
                    .unwrap_or_else(|| b.software_jwks_endpoint.as_str().into());
                put("jwks_uri", jwks_uri);
                let method = self.preferred(
                    "token_endpoint_auth_methods_supported",
                    &["private_key_jwt", "tls_client_auth"],
                );
                put("token_endpoint_auth_method", method.into());
                if method == "private_key_jwt" {
                    put(
                        "token_endpoint_auth_signing_alg",
                        self.preferred(
                            "token_endpoint_auth_signing_alg_values_supported",
                            &["PS256"],
                        )
                        .into(),
                    );
                } else {
                    // RFC 4514 §2.4: attributes without a descriptor as dotted OIDs with
                    // BER values, the format Open Finance Brasil requires (§7.1.2).
                    put(
                        "tls_client_auth_subject_dn",
                        mockbank_core::dn::with_ber_values_for_oids(&b.transport_subject_dn).into(),
                    );
                }
                if let Some(s) = self.scopes(&["openid", "accounts", "payments"]) {
                    put("scope", s.into());
                }
                put("software_statement", b.software_statement.as_str().into());
                put("application_type", "web".into());
                put("id_token_signed_response_alg", "PS256".into());
                put("request_object_signing_alg", "PS256".into());
            }
            Flavor::Stet => {
                put("redirect_uris", json!([REDIRECT_URI]));
                put("token_endpoint_auth_method", "tls_client_auth".into());
                put(
                    "grant_types",
                    json!(["authorization_code", "client_credentials"]),
                );
                put("response_types", json!(["code"]));
                put("client_name", "mockbank reference TPP".into());
                if let Some(s) = self.scopes(&["aisp", "pisp"]) {
                    put("scope", s.into());
                }
                put("contacts", json!(["ops@tpp.example.com"]));
            }
        }
        m
    }

    /// The metadata changes a deviation makes, in any format.
    fn deviate(&self, deviation: Deviation, m: &mut Map<String, Value>) {
        match deviation {
            Deviation::RedirectFragment => {
                let first = strings(&m["redirect_uris"])
                    .into_iter()
                    .next()
                    .unwrap_or_else(|| REDIRECT_URI.to_owned());
                m.insert("redirect_uris".into(), json!([format!("{first}#fragment")]));
            }
            Deviation::MissingRedirectUris => {
                m.remove("redirect_uris");
            }
            Deviation::UnknownGrantType => {
                let mut grants = strings(&m["grant_types"]);
                grants.push("urn:example:params:grant-type:unknown".into());
                m.insert("grant_types".into(), json!(grants));
            }
            Deviation::WrongAuthMethod => {
                let supported = strings(&self.discovery["token_endpoint_auth_methods_supported"]);
                let wrong = [
                    "private_key_jwt",
                    "tls_client_auth",
                    "client_secret_basic",
                    "client_secret_post",
                    "client_secret_jwt",
                ]
                .into_iter()
                .find(|m| !supported.iter().any(|s| s == m))
                .unwrap_or("urn:example:unknown-auth-method");
                m.insert("token_endpoint_auth_method".into(), wrong.into());
            }
            Deviation::ExpiredRequest => {
                m.insert("iat".into(), (now() - 600).into());
                m.insert("exp".into(), (now() - 300).into());
            }
            Deviation::TamperedSsa => {
                if let Some(ssa) = m.get("software_statement").and_then(Value::as_str) {
                    m.insert("software_statement".into(), tamper(ssa).into());
                }
            }
            Deviation::MissingSsa => {
                m.remove("software_statement");
            }
            Deviation::RedirectNotInSsa => {
                let mut uris = strings(&m["redirect_uris"]);
                uris.push("https://tpp.example.com/not-in-the-ssa".into());
                m.insert("redirect_uris".into(), json!(uris));
            }
            Deviation::MissingPsd2Role => {
                // The QWAC says AISP only; asking for payments needs PISP (stet.md §3).
                if let Some(s) = self.scopes(&["aisp", "pisp"]) {
                    m.insert("scope".into(), s.into());
                }
            }
            _ => {}
        }
    }

    /// Signs OBUK request claims with the bundle's key (PS256 and its `kid`, or as the
    /// deviation says).
    fn sign(
        &self,
        bundle: &Bundle,
        claims: &Map<String, Value>,
        deviation: Deviation,
    ) -> anyhow::Result<String> {
        anyhow::ensure!(
            !bundle.signing_key_pem.is_empty(),
            "the bundle has no signing_key_pem"
        );
        let pem = bundle.signing_key_pem.as_str();
        let key = match deviation {
            Deviation::WrongSigningKey => josekit::jwk::alg::rsa::RsaKeyPair::generate(2048)?,
            _ => josekit::jwk::alg::rsa::RsaKeyPair::from_pem(pem)
                .context("the reference client signs with RSA keys (mint with key_type RSA)")?,
        };
        let jwk = key.to_jwk_private_key();
        let mut header = JwsHeader::new();
        header.set_key_id(&bundle.signing_kid);
        header.set_token_type("JWT");
        let payload = JwtPayload::from_map(claims.clone())?;
        Ok(match deviation {
            Deviation::Rs256 => {
                jwt::encode_with_signer(&payload, &header, &RS256.signer_from_jwk(&jwk)?)?
            }
            _ => jwt::encode_with_signer(&payload, &header, &PS256.signer_from_jwk(&jwk)?)?,
        })
    }

    /// A signed OBUK registration request, ready to POST (`mockbank tpp sign`): the correct
    /// claims with `overrides` on top (a `null` removes a claim).
    pub async fn signed_request(
        &self,
        overrides: &Map<String, Value>,
    ) -> anyhow::Result<(String, Bundle)> {
        if self.flavor != Flavor::Obuk {
            bail!(
                "`{}` takes JSON registrations, not signed requests",
                self.profile
            );
        }
        let bundle = self.bundle(Deviation::None).await?.bundle;
        let mut claims = self.metadata(Some(&bundle));
        for (k, v) in overrides {
            if v.is_null() {
                claims.remove(k);
            } else {
                claims.insert(k.clone(), v.clone());
            }
        }
        Ok((self.sign(&bundle, &claims, Deviation::None)?, bundle))
    }

    /// Registers as a correct TPP would, with `deviation` applied.
    pub async fn register(&self, deviation: Deviation) -> anyhow::Result<Outcome> {
        if !self.applies(deviation) {
            bail!(
                "`{}` does not apply to `{}` ({:?} registrations)",
                deviation.name(),
                self.profile,
                self.flavor
            );
        }
        let endpoint = self.endpoint("registration_endpoint")?;
        let bundle = match self.flavor {
            Flavor::Generic if !self.needs_software_statement() => None,
            _ => Some(self.bundle(deviation).await?.bundle),
        };
        let identity = match (deviation, &bundle) {
            (Deviation::NoClientCert, _) => None,
            // The organisation's seal certificate presented as if it were its QWAC.
            (Deviation::QsealAsQwac, Some(b)) => Some(Identity {
                cert_pem: b.signing_cert_pem.clone(),
                key_pem: b.signing_key_pem.clone(),
            }),
            (_, b) => b.as_ref().and_then(Self::identity),
        };
        let mut m = self.metadata(bundle.as_ref());
        if let (Some(b), true) = (&bundle, self.flavor == Flavor::Generic) {
            // A profile that requires a statement gets the directory's (RFC 7591 §2.3).
            m.insert(
                "software_statement".into(),
                b.software_statement.as_str().into(),
            );
        }
        self.deviate(deviation, &mut m);
        // RFC 7591 §3: the bank's initial access token, as a bearer token.
        let initial_access_token = match deviation {
            Deviation::NoInitialAccessToken => None,
            _ if self.needs_initial_access_token() => Some(match &self.initial_access_token {
                Some(t) => t.clone(),
                None => self.issue_initial_access_token().await?.0,
            }),
            _ => None,
        };
        let (content_type, body) = match (self.flavor, &bundle) {
            (Flavor::Obuk, Some(b)) => (
                "application/jose",
                self.sign(b, &m, deviation)?.into_bytes(),
            ),
            _ => (
                "application/json",
                Value::Object(m.clone()).to_string().into_bytes(),
            ),
        };
        let send = || {
            let mut req = Request::new("POST", endpoint.clone())
                .body(content_type, body.clone())
                .identity(identity.as_ref());
            if let Some(t) = &initial_access_token {
                req = req.bearer(t);
            }
            req
        };
        let mut r = self.target.https.send(send()).await?;
        if matches!(
            deviation,
            Deviation::ReplayedJti | Deviation::ReusedInitialAccessToken
        ) {
            if let Some(first) = r.json()["client_id"].as_str().filter(|_| r.status == 201) {
                self.target.note_made(crate::MadeKind::Client, first);
            }
            r = self.target.https.send(send()).await?;
        }
        let out = self.outcome(deviation, &r, None);
        if r.status == 201 {
            if let Some(id) = out.client_id.as_deref() {
                self.target.note_made(crate::MadeKind::Client, id);
                let answered = |k: &str| out.response[k].as_str().map(str::to_owned);
                let record = ClientRecord {
                    profile: self.profile.clone(),
                    flavor: self.flavor,
                    client_id: id.to_owned(),
                    client_secret: answered("client_secret"),
                    registration_access_token: answered("registration_access_token"),
                    registration_client_uri: answered("registration_client_uri"),
                    registered: m,
                    bundle,
                    deleted: false,
                };
                // Kept under the hash of the id: the bank's answer never becomes a path.
                record.save(&self.state_dir("clients")?)?;
            }
        }
        Ok(out)
    }

    // --- after registration ---

    fn client(&self, client_id: &str) -> anyhow::Result<ClientRecord> {
        let dir = self.state_dir("clients")?;
        // Records of older versions were named by the id itself (when it was a plain name).
        let record = [
            state::client_file_name(client_id),
            format!("{client_id}.json"),
        ]
        .iter()
        .filter_map(|name| state::read_json(&dir, name))
        .filter_map(|r| serde_json::from_value::<ClientRecord>(r).ok())
        .find(|r| r.client_id == client_id)
        .with_context(|| {
            format!(
                "no client `{client_id}` registered by this reference client (in {})",
                self.target.state_dir.display()
            )
        })?;
        if record.profile != self.profile {
            bail!(
                "client `{client_id}` was registered with `{}`",
                record.profile
            );
        }
        Ok(record)
    }

    /// A `private_key_jwt` client assertion (RFC 7523 §3) for `aud`, signed with the
    /// software's key.
    fn client_assertion(
        &self,
        bundle: &Bundle,
        client_id: &str,
        aud: &str,
    ) -> anyhow::Result<String> {
        let mut claims = Map::new();
        claims.insert("iss".into(), client_id.into());
        claims.insert("sub".into(), client_id.into());
        claims.insert("aud".into(), aud.into());
        claims.insert("jti".into(), crate::uuid_v4().into());
        claims.insert("iat".into(), now().into());
        claims.insert("exp".into(), (now() + 60).into());
        self.sign(bundle, &claims, Deviation::None)
    }

    /// Client credentials at the token endpoint (RFC 6749 §4.4), authenticated as the
    /// client registered: `client_secret_basic`, `private_key_jwt`, or `tls_client_auth`
    /// over its certificate.
    pub async fn token(&self, client_id: &str) -> anyhow::Result<Outcome> {
        let record = self.client(client_id)?;
        let endpoint = self.endpoint("token_endpoint")?;
        let identity = record.bundle.as_ref().and_then(Self::identity);
        let mut form = vec![("grant_type", "client_credentials".to_owned())];
        let mut req = Request::new("POST", endpoint.clone());
        match self.flavor {
            Flavor::Generic => {
                let secret = record.client_secret.as_deref().unwrap_or_default();
                let basic = base64::engine::general_purpose::STANDARD
                    .encode(format!("{client_id}:{secret}"));
                req = req.header("authorization", format!("Basic {basic}"));
            }
            Flavor::Fapi => {
                if record.registered["token_endpoint_auth_method"] == "private_key_jwt" {
                    let bundle = record.bundle.as_ref().context("the client has no bundle")?;
                    let assertion = self.client_assertion(bundle, client_id, &endpoint)?;
                    form.push((
                        "client_assertion_type",
                        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".to_owned(),
                    ));
                    form.push(("client_assertion", assertion));
                } else {
                    form.push(("client_id", client_id.to_owned()));
                }
                if let Some(s) = self.scopes(&["accounts"]) {
                    form.push(("scope", s));
                }
            }
            Flavor::Obuk | Flavor::Stet => {
                form.push(("client_id", client_id.to_owned()));
                let wanted: &[&str] = if self.flavor == Flavor::Obuk {
                    &["accounts"]
                } else {
                    &["aisp"]
                };
                if let Some(s) = self.scopes(wanted) {
                    form.push(("scope", s));
                }
            }
        }
        let body: Vec<String> = form
            .iter()
            .map(|(k, v)| format!("{k}={}", v.replace(' ', "+")))
            .collect();
        let r = self
            .target
            .https
            .send(
                req.body("application/x-www-form-urlencoded", body.join("&"))
                    .identity(identity.as_ref()),
            )
            .await?;
        Ok(self.outcome(Deviation::None, &r, Some(client_id.to_owned())))
    }

    /// The client configuration endpoint and the credential that manages it: the RAT
    /// (RFC 7592 §2), or for OBUK a fresh client-credentials access token.
    /// `Err(outcome)`: the bank refused the token that management needs (its answer).
    async fn management(
        &self,
        client_id: &str,
        record: &ClientRecord,
    ) -> anyhow::Result<Result<(String, String), Outcome>> {
        match self.flavor {
            Flavor::Obuk => {
                let t = self.token(client_id).await?;
                let Some(token) = t.response["access_token"].as_str().map(str::to_owned) else {
                    return Ok(Err(t));
                };
                Ok(Ok((
                    format!("{}/{client_id}", self.endpoint("registration_endpoint")?),
                    token,
                )))
            }
            _ => {
                let uri = record
                    .registration_client_uri
                    .as_deref()
                    .context("the registration gave no registration_client_uri")?;
                let rat = record
                    .registration_access_token
                    .as_deref()
                    .context("the registration gave no registration_access_token")?;
                Ok(Ok((uri.to_owned(), rat.to_owned())))
            }
        }
    }

    async fn manage(&self, method: &str, client_id: &str) -> anyhow::Result<Outcome> {
        let mut record = self.client(client_id)?;
        let (uri, token) = match self.management(client_id, &record).await? {
            Ok(m) => m,
            // No token, no management: the token endpoint's refusal is the answer.
            Err(refused) => return Ok(refused),
        };
        let identity = record.bundle.as_ref().and_then(Self::identity);
        let mut req = Request::new(method, uri)
            .bearer(&token)
            .identity(identity.as_ref());
        if method == "PUT" {
            // RFC 7592 §2.2: the whole registration again, with its client_id.
            let mut m = match self.flavor {
                Flavor::Obuk => self.metadata(record.bundle.as_ref()),
                // A fresh software statement: the one registered may be too old by now.
                Flavor::Fapi => {
                    let bundle = self
                        .fresh_statement(record.bundle.clone().unwrap_or_default())
                        .await?;
                    self.metadata(Some(&bundle))
                }
                _ => record.registered.clone(),
            };
            m.insert("client_id".into(), client_id.into());
            if self.flavor != Flavor::Obuk {
                m.insert(
                    "client_name".into(),
                    "mockbank reference TPP (updated)".into(),
                );
            }
            req = match self.flavor {
                Flavor::Obuk => req.body(
                    "application/jose",
                    self.sign(
                        record.bundle.as_ref().context("the client has no bundle")?,
                        &m,
                        Deviation::None,
                    )?,
                ),
                _ => req.json(&Value::Object(m)),
            };
        }
        let r = self.target.https.send(req).await?;
        let out = self.outcome(Deviation::None, &r, Some(client_id.to_owned()));
        let dir = self.state_dir("clients")?;
        if method == "DELETE" && r.status == 204 {
            // Kept (marked) so a later read shows what the bank answers for a deleted client.
            record.deleted = true;
            record.save(&dir)?;
        } else if let Some(rat) = out.response["registration_access_token"].as_str() {
            // The profile rotated the token (RFC 7592 §3): keep the new one.
            record.registration_access_token = Some(rat.to_owned());
            record.save(&dir)?;
        }
        Ok(out)
    }

    pub async fn read(&self, client_id: &str) -> anyhow::Result<Outcome> {
        self.manage("GET", client_id).await
    }
    pub async fn update(&self, client_id: &str) -> anyhow::Result<Outcome> {
        self.manage("PUT", client_id).await
    }
    pub async fn delete(&self, client_id: &str) -> anyhow::Result<Outcome> {
        self.manage("DELETE", client_id).await
    }
}

/// The SSA with one claim changed and its signature kept.
fn tamper(ssa: &str) -> String {
    let parts: Vec<&str> = ssa.split('.').collect();
    let Some(mut claims) = parts
        .get(1)
        .and_then(|p| URL_SAFE_NO_PAD.decode(p).ok())
        .and_then(|b| serde_json::from_slice::<Map<String, Value>>(&b).ok())
    else {
        return format!("{ssa}x");
    };
    claims.insert(
        "software_client_name".into(),
        "Tampered after signing".into(),
    );
    let payload = URL_SAFE_NO_PAD.encode(Value::Object(claims).to_string());
    format!("{}.{payload}.{}", parts[0], parts.get(2).unwrap_or(&""))
}

/// The claims of a compact JWS, unverified (what the TPP reads of its own statement).
fn statement_claims(jws: &str) -> Option<Map<String, Value>> {
    let payload = jws.split('.').nth(1)?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn tampering_keeps_header_and_signature() {
        let ssa = "eyJhbGciOiJQUzI1NiJ9.eyJzb2Z0d2FyZV9pZCI6ImEifQ.c2ln";
        let t = super::tamper(ssa);
        let parts: Vec<&str> = t.split('.').collect();
        assert_eq!(parts[0], "eyJhbGciOiJQUzI1NiJ9");
        assert_eq!(parts[2], "c2ln");
        assert_ne!(parts[1], "eyJzb2Z0d2FyZV9pZCI6ImEifQ");
    }
}
