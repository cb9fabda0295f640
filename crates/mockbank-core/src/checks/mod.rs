//! The check engine: every validation is a small named unit ([`CheckDef`]) with a stable id,
//! a title, a spec reference and an outcome. A profile lists which checks run; [`run`] walks
//! them all (never stopping early), turns dependents of a failed check into `skip`, and lets
//! the first blocking failure pick the error response.

pub(crate) mod generic;
mod hook;
mod mtls;
mod obuk;
mod ofb;
mod policy;
mod protect;
mod request;
mod rfc7592;
mod rfc8705;
mod signed;
mod ssa;
mod stet;
mod token;

/// Presenting a client certificate: what makes a JSON profile a FAPI one.
pub use mtls::PRESENT as MTLS_PRESENT;
pub use protect::credential_used_up;
pub use rfc7592::token_replaced_concurrently;
/// How long a software statement is accepted: what a conformance tool's run must fit in.
pub use ssa::SSA_VALIDITY;

use std::borrow::Cow;
use std::time::Instant;

use serde_json::{Map, Value};

use crate::client::ClientFacts;
use crate::client_auth::PresentedAuth;
use crate::profile::Profile;
use crate::request::RequestFacts;
use crate::signed::{PeerFacts, SignedFacts};
use crate::trace::{CheckResult, Outcome, OutcomeKind, Severity};
use crate::{ErrorCode, ProtocolError};

/// When a check runs. Handlers run phases in the order their spec requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub enum Phase {
    /// What protects the registration endpoint (initial access token, RFC 7591 §3).
    Protection,
    /// Transport and body shape (size, content type, JSON).
    Request,
    /// Who may manage a registration (RFC 7592 §2).
    Management,
    /// Rules specific to an update (RFC 7592 §2.2).
    Update,
    /// The software statement (RFC 7591 §2.3) of a signed request.
    Statement,
    /// Client metadata (RFC 7591 §2).
    Metadata,
    /// Token endpoint (RFC 6749).
    Token,
    /// The bank's extension service, called once every other check passed.
    Extension,
}

/// A named validation.
#[derive(Debug)]
pub struct CheckDef {
    /// Stable id `family.subject.property`; never reused for another meaning.
    pub id: &'static str,
    pub title: &'static str,
    /// Where the rule comes from, e.g. `RFC 7591 §2`.
    pub spec: &'static str,
    /// What it checks, for `mockbank checks list`.
    pub description: &'static str,
    pub phase: Phase,
    /// Checks whose failure (or skip) makes this one `skip`.
    pub needs: &'static [&'static str],
    /// The error a failure produces unless the profile overrides it.
    pub error: ErrorCode,
    /// The status, when not the error code's default.
    pub status: Option<u16>,
    pub params: &'static [ParamSpec],
    pub run: fn(&CheckCx, &Params) -> Outcome,
}

/// A parameter a check accepts from the profile, with its default.
#[derive(Debug)]
pub struct ParamSpec {
    pub name: &'static str,
    pub doc: &'static str,
    pub default: ParamValue,
}

/// Parameter default (its variant is the parameter's type).
#[derive(Debug, Clone, Copy)]
pub enum ParamValue {
    Bool(bool),
    Int(i64),
    Str(&'static str),
    List(&'static [&'static str]),
    /// One of a fixed set of strings: the default, then every accepted value.
    OneOf(&'static str, &'static [&'static str]),
}

impl ParamValue {
    pub fn type_name(&self) -> &'static str {
        match self {
            ParamValue::Bool(_) => "a boolean",
            ParamValue::Int(_) => "an integer",
            ParamValue::Str(_) => "a string",
            ParamValue::List(_) => "an array of strings",
            ParamValue::OneOf(..) => "one of its listed strings",
        }
    }

    /// The accepted values of a [`ParamValue::OneOf`].
    pub fn options(&self) -> Option<&'static [&'static str]> {
        match self {
            ParamValue::OneOf(_, options) => Some(options),
            _ => None,
        }
    }

    pub fn to_json(self) -> Value {
        match self {
            ParamValue::Bool(b) => b.into(),
            ParamValue::Int(i) => i.into(),
            ParamValue::Str(s) | ParamValue::OneOf(s, _) => s.into(),
            ParamValue::List(l) => l.iter().map(|s| Value::from(*s)).collect(),
        }
    }
}

/// A check's parameters: the profile's values over the check's defaults.
pub struct Params<'a> {
    def: &'static CheckDef,
    table: &'a toml::Table,
}

impl<'a> Params<'a> {
    pub fn new(def: &'static CheckDef, table: &'a toml::Table) -> Self {
        Params { def, table }
    }

    fn default_of(&self, name: &str) -> Option<ParamValue> {
        self.def
            .params
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.default)
    }

    pub fn bool(&self, name: &str) -> bool {
        match (self.table.get(name), self.default_of(name)) {
            (Some(toml::Value::Boolean(b)), _) => *b,
            (_, Some(ParamValue::Bool(b))) => b,
            _ => false,
        }
    }

    pub fn int(&self, name: &str) -> i64 {
        match (self.table.get(name), self.default_of(name)) {
            (Some(toml::Value::Integer(i)), _) => *i,
            (_, Some(ParamValue::Int(i))) => i,
            _ => 0,
        }
    }

    pub fn str(&self, name: &str) -> String {
        match (self.table.get(name), self.default_of(name)) {
            (Some(toml::Value::String(s)), _) => s.clone(),
            (_, Some(ParamValue::Str(s) | ParamValue::OneOf(s, _))) => s.to_owned(),
            _ => String::new(),
        }
    }

    pub fn list(&self, name: &str) -> Vec<String> {
        match (self.table.get(name), self.default_of(name)) {
            (Some(toml::Value::Array(a)), _) => a
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            (_, Some(ParamValue::List(l))) => l.iter().map(|s| (*s).to_owned()).collect(),
            _ => Vec::new(),
        }
    }

    /// Every parameter with its effective value (for traces and the UI).
    pub fn effective(&self) -> Map<String, Value> {
        self.def
            .params
            .iter()
            .map(|p| {
                let v = match self.table.get(p.name) {
                    Some(v) => serde_json::to_value(v).unwrap_or(Value::Null),
                    None => p.default.to_json(),
                };
                (p.name.to_owned(), v)
            })
            .collect()
    }
}

/// The facts of the management phase (RFC 7592): the token presented and what it names.
#[derive(Debug, Clone, Default)]
pub struct ManagementFacts {
    /// The client id in the URL.
    pub path_client_id: String,
    /// What the store knows of the presented bearer token, if it knows it.
    pub token: Option<TokenState>,
    /// The client named in the URL, if it exists (deleted clients are `None`).
    pub client: Option<ClientFacts>,
    /// PUT: whether a `client_secret` in the body equals the current secret.
    pub body_secret_matches: Option<bool>,
}

/// A stored token as checks see it.
#[derive(Debug, Clone)]
pub struct TokenState {
    /// What the token is: `registration access token` (RFC 7592) or `access token`.
    pub kind: &'static str,
    pub client_id: String,
    /// The `x5t#S256` of the certificate the token is bound to (RFC 8705 §3), if bound.
    pub bound_thumbprint: Option<String>,
    /// A registration access token: the `x5t#S256` of the certificate its client registered
    /// (or last rotated it) over, if over mutual TLS. Whether that binds the token is the
    /// profile's choice (`rfc8705.rat.cert_bound`).
    pub registered_over: Option<String>,
    pub expired: bool,
    pub revoked: bool,
}

/// The facts of a token request.
#[derive(Debug, Clone, Default)]
pub struct TokenFacts {
    /// The form body, or why it could not be parsed.
    pub form: Option<Result<Map<String, Value>, String>>,
    /// Every client authentication method found in the request (RFC 6749 §2.3).
    pub presented: Vec<PresentedAuth>,
    /// The client the credentials name, if it exists.
    pub client: Option<ClientFacts>,
    /// Whether the presented credential is valid for that client, with why not.
    pub credential: Option<Result<(), String>>,
}

/// Everything a check may look at. Built by the handler; checks never do I/O.
pub struct CheckCx<'a> {
    /// Seconds since the Unix epoch.
    pub now: i64,
    pub profile: &'a Profile,
    pub request: &'a RequestFacts,
    /// The JSON body, or why it is not a JSON object (`None` when the phase has no body).
    pub body: Option<&'a Result<Map<String, Value>, String>>,
    pub management: Option<&'a ManagementFacts>,
    pub token: Option<&'a TokenFacts>,
    /// The client certificate, when one was presented.
    pub peer: Option<&'a PeerFacts>,
    /// Signed-request facts (profiles with `format = "jws"`).
    pub signed: Option<&'a SignedFacts>,
    /// The registration endpoint's protection: the bearer credential presented.
    pub protection: Option<&'a ProtectionFacts>,
    /// Counts of existing registrations, for policies.
    pub registry: Option<&'a RegistryFacts>,
    /// The extension service's answer.
    pub hook: Option<&'a HookFacts>,
}

/// The bearer credential a registration presented, as the store knows it; whether it may
/// register is `protect.bearer.valid`'s to decide.
#[derive(Debug, Clone, Default)]
pub struct ProtectionFacts {
    /// `None` when none was sent (or the endpoint is open).
    pub bearer: Option<PresentedCredential>,
}

/// What a presented registration credential is.
#[derive(Debug, Clone, PartialEq)]
pub enum PresentedCredential {
    /// Compared with the profile's static initial access token.
    Static { matches: bool },
    /// Looked up among the tokens mockbank issued; `None`: not one of them.
    Stored(Option<StoredCredential>),
}

/// A token mockbank issued, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredCredential {
    pub kind: CredentialKind,
    /// The profile it was issued for.
    pub profile: String,
    pub revoked: bool,
    /// Registrations an initial access token still allows; `None`: unlimited.
    pub uses_left: Option<i64>,
    pub expires_at: Option<i64>,
    pub scope: Option<String>,
    /// The certificate thumbprint an access token is bound to (RFC 8705 §3).
    pub bound_thumbprint: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialKind {
    InitialAccessToken,
    AccessToken,
    RegistrationAccessToken,
}

/// Existing registrations related to this request.
#[derive(Debug, Clone, Default)]
pub struct RegistryFacts {
    pub clients_of_software: usize,
    pub clients_of_org: usize,
    pub software_id: Option<String>,
    pub org_id: Option<String>,
}

/// One call to the extension service.
#[derive(Debug, Clone)]
pub struct HookFacts {
    /// `pre-process-client-creation`, ...
    pub extension: String,
    pub latency_ms: u64,
    pub outcome: HookOutcome,
}

/// What the extension service answered.
#[derive(Debug, Clone)]
pub enum HookOutcome {
    /// Accepted, with custom metadata to store (or add to the response).
    Accepted(Map<String, Value>),
    /// Rejected with an RFC 7591 error code and description.
    Rejected { error: String, description: String },
    /// No usable answer: timeout, transport error, bad status or body.
    Failed(String),
}

impl<'a> CheckCx<'a> {
    pub fn new(now: i64, profile: &'a Profile, request: &'a RequestFacts) -> Self {
        CheckCx {
            now,
            profile,
            request,
            body: None,
            management: None,
            token: None,
            peer: None,
            signed: None,
            protection: None,
            registry: None,
            hook: None,
        }
    }

    /// The JSON object body, when it parsed.
    pub fn metadata(&self) -> Option<&'a Map<String, Value>> {
        self.body.and_then(|b| b.as_ref().ok())
    }
}

/// The outcome of running a profile's checks on one request.
#[derive(Debug, Clone, Default)]
pub struct RunReport {
    pub results: Vec<CheckResult>,
    /// The first blocking failure, turned into the error to answer with.
    pub error: Option<ProtocolError>,
    /// What the failing checks (severity `error`) ask the server to do.
    pub effects: Vec<crate::trace::Effect>,
    /// Members the passing checks provide where the client left them out (the first
    /// check to provide one wins).
    pub defaults: Map<String, Value>,
}

impl RunReport {
    pub fn failed(&self, id: &str) -> bool {
        self.results
            .iter()
            .any(|r| r.id == id && r.outcome == OutcomeKind::Fail)
    }
    /// Whether a failing check asked for `effect`.
    pub fn asks(&self, effect: crate::trace::Effect) -> bool {
        self.effects.contains(&effect)
    }
    /// Appends another run (e.g. a later phase run after I/O).
    pub fn extend(&mut self, other: RunReport) {
        self.results.extend(other.results);
        self.effects.extend(other.effects);
        for (k, v) in other.defaults {
            self.defaults.entry(k).or_insert(v);
        }
        if self.error.is_none() {
            self.error = other.error;
        }
    }
}

/// Runs the profile's enabled checks of `phases`, in order; all of them, always.
pub fn run(cx: &CheckCx, phases: &[Phase]) -> RunReport {
    let mut report = RunReport::default();
    for pc in cx.profile.checks_for(phases) {
        let def = pc.def;
        let started = Instant::now();
        let blocked_by = def.needs.iter().find(|need| {
            report
                .results
                .iter()
                .any(|r| r.id == **need && r.outcome != OutcomeKind::Pass)
        });
        let outcome = match blocked_by {
            Some(need) => Outcome::skip(format!("needs `{need}`, which did not pass")),
            None => (def.run)(cx, &pc.params()),
        };
        if outcome.is_fail() && pc.severity == Severity::Error && report.error.is_none() {
            let (code, status) = match outcome.error {
                Some(code) if !pc.error_set => (code, code.default_status()),
                _ => (pc.error, pc.status),
            };
            report.error = Some(ProtocolError {
                code,
                status,
                description: outcome.message.clone(),
                check_id: Some(def.id.to_owned()),
                bare_challenge: outcome
                    .effects
                    .contains(&crate::trace::Effect::BareChallenge),
            });
        }
        if outcome.is_fail() && pc.severity == Severity::Error {
            report.effects.extend(outcome.effects.iter().copied());
        }
        if !outcome.is_fail() {
            for (k, v) in outcome.defaults {
                report.defaults.entry(k).or_insert(v);
            }
        }
        report.results.push(CheckResult {
            id: Cow::Borrowed(def.id),
            title: Cow::Borrowed(def.title),
            spec: pc.spec.clone(),
            outcome: outcome.kind,
            detail: outcome.message,
            values: outcome.values,
            severity: pc.severity,
            duration_us: started.elapsed().as_micros() as u64,
        });
    }
    report
}

/// A failure of `def` found after it passed (a concurrent request changed what it judged),
/// answered with the check's own error.
fn failure_of(def: &CheckDef, description: &str) -> ProtocolError {
    let mut err = ProtocolError::new(def.error, description);
    if let Some(status) = def.status {
        err.status = status;
    }
    err.check_id = Some(def.id.to_owned());
    err
}

/// Facts that cost the server work to gather (a scan of the clients, a replay-cache entry).
/// The checks that need one say so here; the server asks the profile
/// ([`crate::Profile::needs`]) and never names a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fact {
    /// The number of clients of the client certificate's organisation
    /// (`stet.reg.duplicate_org` with `allow_several = false`).
    ClientsOfCertificateOrg,
    /// The number of clients of the statement's software (`policy.clients.max_per_software`
    /// with a maximum).
    ClientsPerSoftware,
    /// The number of clients of the statement's organisation (`policy.clients.max_per_org`
    /// with a maximum).
    ClientsPerOrg,
    /// Whether the statement's `jti` was seen before (`ssa.jti_replay`), at a registration.
    SsaJtiReplay,
    /// The same, at an update (`ssa.jti_replay` with `on_update`).
    SsaJtiReplayOnUpdate,
}

/// Whether the profile check `pc` needs `fact` with its parameters.
pub fn needs_fact(pc: &crate::profile::ProfileCheck, fact: Fact) -> bool {
    let is = |def: &CheckDef| std::ptr::eq(pc.def, def);
    match fact {
        Fact::ClientsOfCertificateOrg => {
            is(&stet::ONE_CLIENT_PER_ORG) && !pc.params().bool("allow_several")
        }
        Fact::ClientsPerSoftware => is(&policy::MAX_PER_SOFTWARE) && pc.params().int("max") > 0,
        Fact::ClientsPerOrg => is(&policy::MAX_PER_ORG) && pc.params().int("max") > 0,
        Fact::SsaJtiReplay => is(&ssa::SSA_JTI),
        Fact::SsaJtiReplayOnUpdate => is(&ssa::SSA_JTI) && pc.params().bool("on_update"),
    }
}

/// Checks every profile runs, listed in its file or not: the member typing every later
/// check relies on (RFC 7591 §2), and the certificate binding of access tokens (RFC 8705
/// §3). A profile may set their parameters or error, but not switch them off.
/// Where the loader puts one the file leaves out: first in its phase (what later checks rely
/// on) or last (once the token checks named the client).
pub fn every_profile() -> &'static [(&'static CheckDef, InPhase)] {
    static EVERY_PROFILE: [(&CheckDef, InPhase); 2] = [
        (&generic::TYPES, InPhase::First),
        (&rfc8705::TOKEN_CERT_BOUND, InPhase::Last),
    ];
    &EVERY_PROFILE
}

/// Where in its phase a check the profile file leaves out is run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InPhase {
    First,
    Last,
}

/// Whether `def` can judge the requests of a profile with these settings (see
/// [`crate::profile::ProfileCheck::applicable`]).
pub fn applies(def: &'static CheckDef, settings: &crate::profile::ProfileSettings) -> bool {
    signed::applies(def, settings).unwrap_or(true)
}

/// The check modules, each named for the id prefix of all its checks (`policy.*` lives in
/// `policy.rs`), in catalogue order.
const MODULES: &[(&str, &[&CheckDef])] = &[
    ("request", request::CHECKS),
    ("mtls", mtls::CHECKS),
    ("protect", protect::CHECKS),
    ("ssa", ssa::CHECKS),
    ("rfc7592", rfc7592::CHECKS),
    ("rfc8705", rfc8705::CHECKS),
    ("generic", generic::CHECKS),
    ("policy", policy::CHECKS),
    ("obuk", obuk::CHECKS),
    ("stet", stet::CHECKS),
    ("ofb", ofb::CHECKS),
    ("token", token::CHECKS),
    ("hook", hook::CHECKS),
];

/// Every check mockbank knows, in catalogue order.
pub fn catalogue() -> impl Iterator<Item = &'static CheckDef> {
    MODULES
        .iter()
        .flat_map(|(_, checks)| checks.iter().copied())
}

/// Looks a check up by id.
pub fn find(id: &str) -> Option<&'static CheckDef> {
    static BY_ID: std::sync::OnceLock<std::collections::HashMap<&'static str, &'static CheckDef>> =
        std::sync::OnceLock::new();
    BY_ID
        .get_or_init(|| catalogue().map(|c| (c.id, c)).collect())
        .get(id)
        .copied()
}

#[cfg(test)]
pub(crate) mod testing {
    //! Helpers for the per-check unit tests.
    use super::*;
    use crate::profile::ProfileSet;
    use crate::wire::directory::DirectoryStatus;

    pub fn generic() -> Profile {
        ProfileSet::builtin()
            .unwrap()
            .get("generic")
            .map(|p| Profile::clone(p))
            .unwrap()
    }

    /// The generic profile with `params` (a TOML inline table) for check `id`.
    pub fn generic_with(id: &str, params: &str) -> Profile {
        let src = include_str!("../../../../profiles/generic.toml");
        let entry = format!("id = \"{id}\"\n");
        let at = src.find(&entry).expect("generic.toml lists the check") + entry.len();
        let rest = &src[at..];
        let rest = match rest.strip_prefix("params = ") {
            Some(r) => &r[r.find('\n').unwrap_or(r.len())..],
            None => rest,
        };
        let patched = format!(
            "{}params = {params}\n{}",
            &src[..at],
            rest.trim_start_matches('\n')
        );
        Profile::from_toml("generic", "generic.toml", &patched).unwrap()
    }

    /// Runs one check (with the generic profile's parameters) on a JSON body.
    pub fn run_on_body(id: &str, body: Value) -> Outcome {
        run_on_body_with(&generic(), id, body)
    }

    /// Runs one check of `profile` on a JSON body.
    pub fn run_on_body_with(profile: &Profile, id: &str, body: Value) -> Outcome {
        let request = RequestFacts::default();
        let parsed = match body {
            Value::Object(m) => Ok(m),
            _ => Err("not an object".to_owned()),
        };
        let mut cx = CheckCx::new(1_700_000_000, profile, &request);
        cx.body = Some(&parsed);
        run_one(&cx, id)
    }

    /// Runs `def` with its default parameters on a JSON body, whichever profile lists it.
    pub fn run_def_on_body(def: &'static CheckDef, body: Value) -> Outcome {
        let profile = generic();
        let request = RequestFacts::default();
        let parsed = match body {
            Value::Object(m) => Ok(m),
            _ => Err("not an object".to_owned()),
        };
        let mut cx = CheckCx::new(1_700_000_000, &profile, &request);
        cx.body = Some(&parsed);
        let table = toml::Table::new();
        (def.run)(&cx, &Params::new(def, &table))
    }

    /// A profile shipped in `profiles/`.
    pub fn shipped(id: &str) -> Profile {
        ProfileSet::builtin()
            .unwrap()
            .get(id)
            .map(|p| Profile::clone(p))
            .unwrap_or_else(|| panic!("no shipped profile {id}"))
    }

    /// A compact JWS with this header and these claims (its signature is judged through
    /// [`SignedFacts`], not here).
    pub fn compact(header: Value, claims: Value) -> String {
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        use base64::Engine;
        format!(
            "{}.{}.c2lnbmF0dXJl",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        )
    }

    /// The facts of a signed registration whose request and statement parsed and whose
    /// signatures verified; `tweak` changes what a test needs.
    pub fn signed_facts(request: &str, ssa: Option<&str>) -> SignedFacts {
        SignedFacts {
            request: Some(crate::signed::Jws::parse(request)),
            ssa: ssa.map(crate::signed::Jws::parse),
            ssa_signature: ssa.map(|_| Ok(())),
            request_signature: Some(Ok(())),
            software_jwks: None,
            directory: None,
            request_jti_replayed: Some(false),
            ssa_jti_replayed: None,
            issuer: "https://127.0.0.1:8443/obuk-v3.2".into(),
            registered_software_id: None,
        }
    }

    /// Runs check `id` of `profile` on a signed request (its claims are the metadata).
    pub fn run_signed(profile: &Profile, id: &str, facts: &SignedFacts) -> Outcome {
        let request = RequestFacts::default();
        let claims: Result<serde_json::Map<String, Value>, String> = match &facts.request {
            Some(Ok(jws)) => Ok(jws.claims.clone()),
            Some(Err(e)) => Err(e.clone()),
            None => Err("no request".into()),
        };
        let mut cx = CheckCx::new(1_700_000_000, profile, &request);
        cx.body = Some(&claims);
        cx.signed = Some(facts);
        run_one(&cx, id)
    }

    pub fn run_one(cx: &CheckCx, id: &str) -> Outcome {
        let pc = cx
            .profile
            .checks
            .iter()
            .find(|c| c.def.id == id)
            .unwrap_or_else(|| panic!("profile {} does not list {id}", cx.profile.id));
        (pc.def.run)(cx, &pc.params())
    }

    /// `profile` with the parameters of its check `id` replaced by `params` (a TOML inline
    /// table), e.g. `with_params(shipped("stet"), "stet.reg.no_secret", "{ refuse = true }")`.
    pub fn with_params(mut profile: Profile, id: &str, params: &str) -> Profile {
        let parsed: toml::Table = toml::from_str(&format!("params = {params}")).unwrap();
        let table = parsed["params"].as_table().unwrap().clone();
        let pc = profile
            .checks
            .iter_mut()
            .find(|c| c.def.id == id)
            .unwrap_or_else(|| panic!("profile {} does not list {id}", profile.id));
        pc.params = table;
        profile
    }

    /// Every fact a check may look at, for [`run_on`]; leave out what the check ignores.
    #[derive(Default)]
    pub struct Facts {
        /// The JSON body. Without one, the metadata are the signed request's claims (as
        /// [`run_signed`] makes them), or none.
        pub body: Option<Value>,
        pub request: RequestFacts,
        pub signed: Option<SignedFacts>,
        pub peer: Option<PeerFacts>,
        pub management: Option<ManagementFacts>,
        pub token: Option<TokenFacts>,
    }

    /// Runs check `id` of `profile` on `facts`.
    pub fn run_on(profile: &Profile, id: &str, facts: &Facts) -> Outcome {
        let body: Option<Result<Map<String, Value>, String>> = match (&facts.body, &facts.signed) {
            (Some(Value::Object(m)), _) => Some(Ok(m.clone())),
            (Some(_), _) => Some(Err("not an object".to_owned())),
            (None, Some(s)) => s.request.as_ref().map(|r| match r {
                Ok(jws) => Ok(jws.claims.clone()),
                Err(e) => Err(e.clone()),
            }),
            (None, None) => None,
        };
        let mut cx = CheckCx::new(1_700_000_000, profile, &facts.request);
        cx.body = body.as_ref();
        cx.signed = facts.signed.as_ref();
        cx.peer = facts.peer.as_ref();
        cx.management = facts.management.as_ref();
        cx.token = facts.token.as_ref();
        run_one(&cx, id)
    }

    /// A client certificate with this RFC 4514 subject that chained to the mockbank CA and
    /// allows client authentication (no eIDAS content).
    pub fn peer(subject: &str) -> PeerFacts {
        PeerFacts {
            subject: subject.to_owned(),
            thumbprint: "dGh1bWJwcmludA".to_owned(),
            client_auth_eku: true,
            ..Default::default()
        }
    }

    /// A STET TPP's eIDAS QWAC as the mock directory mints it: QcCompliance, QcType `web`,
    /// the PSD2 statement with `roles` (`PSP_AI`, ...) from the French authority (`FR-ACPR`),
    /// organizationIdentifier `org_id` (e.g. `PSDFR-ACPR-12345`), licence active.
    pub fn qwac(org_id: &str, roles: &[&str]) -> PeerFacts {
        PeerFacts {
            eidas: Some(crate::signed::EidasFacts {
                organization_identifier: Some(org_id.to_owned()),
                qc_compliance: true,
                qc_types: vec!["web".to_owned()],
                roles: roles.iter().map(|r| (*r).to_owned()).collect(),
                nca_id: Some("FR-ACPR".to_owned()),
                nca_name: Some("Autorite de Controle Prudentiel et de Resolution".to_owned()),
                has_psd2_statement: true,
                anomalies: Vec::new(),
            }),
            org_status: Some(DirectoryStatus::Active),
            ..peer(&format!(
                "2.5.4.97={org_id},CN=tpp.example.com,O=Example TPP,C=FR"
            ))
        }
    }

    /// An active, unexpired token of `kind` (`access token`, `registration access token`)
    /// issued to `client_id`.
    pub fn token_state(kind: &'static str, client_id: &str) -> TokenState {
        TokenState {
            kind,
            client_id: client_id.to_owned(),
            bound_thumbprint: None,
            registered_over: None,
            expired: false,
            revoked: false,
        }
    }

    /// Management facts for the client `path_client_id` in the URL, with the token presented
    /// (if the store knows it) and the client's stored metadata (if the client exists).
    pub fn management(
        path_client_id: &str,
        token: Option<TokenState>,
        client_metadata: Option<Value>,
    ) -> ManagementFacts {
        ManagementFacts {
            path_client_id: path_client_id.to_owned(),
            token,
            client: client_metadata.map(|md| ClientFacts {
                client_id: path_client_id.to_owned(),
                profile: "test".to_owned(),
                metadata: md.as_object().cloned().unwrap_or_default(),
            }),
            body_secret_matches: None,
        }
    }

    /// A shipped profile, loaded once for the whole test binary ([`shipped`] loads every
    /// profile on each call, tens of milliseconds in a debug build).
    pub fn shipped_once(id: &str) -> &'static Profile {
        static SET: std::sync::OnceLock<ProfileSet> = std::sync::OnceLock::new();
        SET.get_or_init(|| ProfileSet::builtin().unwrap())
            .get(id)
            .unwrap_or_else(|| panic!("no shipped profile {id}"))
    }

    /// Asserts that `outcome` is of `kind` and that its message says `detail`.
    #[track_caller]
    pub fn assert_outcome(outcome: &Outcome, kind: OutcomeKind, detail: &str) {
        assert_eq!(outcome.kind, kind, "{outcome:?}");
        assert!(
            outcome.message.contains(detail),
            "the message `{}` does not say `{detail}`",
            outcome.message
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// Names you can trust: a check's id starts with the name of the file it lives in.
    #[test]
    fn every_check_lives_in_the_file_of_its_id_prefix() {
        for (module, checks) in MODULES {
            for c in *checks {
                assert_eq!(
                    c.id.split('.').next(),
                    Some(*module),
                    "{} lives in {module}.rs",
                    c.id
                );
            }
        }
    }

    #[test]
    fn ids_are_unique_and_well_formed() {
        let mut seen = HashSet::new();
        for c in catalogue() {
            assert!(seen.insert(c.id), "duplicate id {}", c.id);
            assert!(
                c.id.split('.').count() >= 2,
                "{} is not family.subject",
                c.id
            );
            assert!(!c.spec.is_empty() && !c.title.is_empty() && !c.description.is_empty());
            for need in c.needs {
                assert!(find(need).is_some(), "{} needs unknown {need}", c.id);
            }
        }
    }

    #[test]
    fn a_failed_prerequisite_skips_its_dependents_and_the_first_failure_answers() {
        let profile = testing::generic();
        let request = RequestFacts {
            method: "POST".into(),
            content_type: Some("text/plain".into()),
            body: b"[1]".to_vec(),
            ..Default::default()
        };
        let body = crate::request::parse_json_object(&request.body);
        let mut cx = CheckCx::new(0, &profile, &request);
        cx.body = Some(&body);
        let report = run(&cx, &[Phase::Request, Phase::Metadata]);
        let err = report.error.clone().unwrap();
        assert_eq!(err.check_id.as_deref(), Some("request.content_type"));
        assert_eq!(err.code, ErrorCode::InvalidRequest);
        assert!(report.failed("request.json_object"));
        let redirect = report
            .results
            .iter()
            .find(|r| r.id == "generic.redirect.required")
            .unwrap();
        assert_eq!(redirect.outcome, OutcomeKind::Skip);
        assert!(redirect.detail.contains("request.json_object"));
        // every listed check produced exactly one result
        let listed = profile
            .checks_for(&[Phase::Request, Phase::Metadata])
            .count();
        assert_eq!(report.results.len(), listed);
    }

    /// Every check id the docs and profile files name (comments included) is a real one: a
    /// reader who copies an id from a comment gets a check, not an "unknown check" error.
    #[test]
    fn every_check_id_named_in_the_docs_exists() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut files = vec![root.join("README.md"), root.join("profiles/README.md")];
        for entry in std::fs::read_dir(root.join("profiles")).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                files.push(path);
            }
        }
        let prefixes: std::collections::HashSet<&str> = catalogue()
            .map(|c| c.id.split('.').next().unwrap())
            .collect();
        let mut unknown = Vec::new();
        for file in &files {
            let text = std::fs::read_to_string(file).unwrap();
            for (n, line) in text.lines().enumerate() {
                let words = line.split(|c: char| !(c.is_ascii_alphanumeric() || "._*".contains(c)));
                for word in words {
                    let word = word.trim_end_matches('.');
                    let mut parts = word.split('.');
                    let first = parts.next().unwrap_or("");
                    let is_file = [
                        ".toml", ".rs", ".md", ".json", ".mjs", ".ts", ".tsx", ".yaml", ".jwt",
                        ".html", ".xml", ".pem", ".key", ".csv", ".svg", ".sh", ".py",
                    ]
                    .iter()
                    .any(|ext| word.ends_with(ext));
                    if parts.next().is_none()
                        || !prefixes.contains(first)
                        || word.contains('*')
                        || is_file
                    {
                        continue;
                    }
                    if find(word).is_none() {
                        unknown.push(format!("{}:{}: {word}", file.display(), n + 1));
                    }
                }
            }
        }
        assert!(
            unknown.is_empty(),
            "check ids that do not exist:\n{}",
            unknown.join("\n")
        );
    }
}
