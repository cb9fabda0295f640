//! Traces: what mockbank records of every request — the request, the response and the
//! ordered outcome of every check that ran (the contract's `id`, `spec`, `outcome`, `detail`).

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The verdict of one check.
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "Outcome"))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutcomeKind {
    Pass,
    Fail,
    Skip,
}

impl OutcomeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OutcomeKind::Pass => "pass",
            OutcomeKind::Fail => "fail",
            OutcomeKind::Skip => "skip",
        }
    }
}

/// What a check returns: a verdict, a sentence, and the values it compared.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub kind: OutcomeKind,
    pub message: String,
    pub values: Map<String, Value>,
    /// The error this failure answers with when it is not the check's usual one (one check
    /// may judge several members whose spec errors differ: RFC 7591 §3.2.2 gives
    /// `invalid_redirect_uri` to redirect URIs, `invalid_client_metadata` to the rest).
    /// A profile that sets the check's `error` explicitly still wins.
    pub error: Option<crate::ErrorCode>,
    /// What the server must do because of this failure (it decides nothing itself).
    pub effects: Vec<Effect>,
    /// Members this passing check provides when the client left them out (RFC 7591 §3.2.1:
    /// the server provisions defaults and returns them), e.g. OFB's scopes of the roles.
    pub defaults: Map<String, Value>,
}

/// A consequence a failing check asks the server to carry out, so that the server never has
/// to know which check failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Revoke the bearer token the request presented (RFC 7592 §2.1: a token used for an
    /// unknown client or another client is revoked; OBUK: "immediately revokes").
    RevokePresentedToken,
    /// Challenge without an `error` attribute: the request carried no credential at all
    /// (RFC 6750 §3.1).
    BareChallenge,
}

impl Outcome {
    pub fn pass(message: impl Into<String>) -> Self {
        Self::of(OutcomeKind::Pass, message)
    }
    pub fn fail(message: impl Into<String>) -> Self {
        Self::of(OutcomeKind::Fail, message)
    }
    pub fn skip(message: impl Into<String>) -> Self {
        Self::of(OutcomeKind::Skip, message)
    }
    fn of(kind: OutcomeKind, message: impl Into<String>) -> Self {
        Outcome {
            kind,
            message: message.into(),
            values: Map::new(),
            error: None,
            effects: Vec::new(),
            defaults: Map::new(),
        }
    }
    /// Asks for `effect` when this outcome is a failure that counts (severity `error`).
    pub fn effect(mut self, effect: Effect) -> Self {
        self.effects.push(effect);
        self
    }
    /// Provides `member` with `value` when the client omitted it (see [`Outcome::defaults`]).
    pub fn providing(mut self, member: &str, value: impl Into<Value>) -> Self {
        self.defaults.insert(member.to_owned(), value.into());
        self
    }
    /// Answers with `code` instead of the check's default error (see [`Outcome::error`]).
    pub fn answering(mut self, code: crate::ErrorCode) -> Self {
        self.error = Some(code);
        self
    }
    /// Records a compared value; shown in the trace on pass and on fail alike.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.values.insert(key.to_owned(), value.into());
        self
    }
    pub fn is_fail(&self) -> bool {
        self.kind == OutcomeKind::Fail
    }
}

/// Whether a failing check blocks the request or is only reported.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    #[default]
    Error,
    Warn,
}

/// One check's entry in a trace.
///
/// Serialised in full, except inside [`in_storage_form`]: there the texts the check
/// catalogue already has (title, spec) and the defaults (`error` severity, 0 µs) are left
/// out, and [`Trace::restore_stored_form`] puts them back when the trace is read.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CheckResult {
    // The catalogue's texts are borrowed, not copied, for each request's checks.
    #[cfg_attr(test, ts(as = "String"))]
    pub id: Cow<'static, str>,
    #[serde(default)]
    #[cfg_attr(test, ts(as = "String"))]
    pub title: Cow<'static, str>,
    #[serde(default)]
    #[cfg_attr(test, ts(as = "String"))]
    pub spec: Cow<'static, str>,
    pub outcome: OutcomeKind,
    pub detail: String,
    /// Left out when empty.
    #[serde(default)]
    #[cfg_attr(test, ts(as = "Option<Map<String, Value>>", optional))]
    pub values: Map<String, Value>,
    #[serde(default)]
    pub severity: Severity,
    /// Microseconds the check took.
    #[serde(default)]
    pub duration_us: u64,
}

thread_local! {
    static STORAGE_FORM: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` (a serialisation of traces) with check results in their storage form.
pub fn in_storage_form<T>(f: impl FnOnce() -> T) -> T {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            STORAGE_FORM.set(self.0);
        }
    }
    let _reset = Reset(STORAGE_FORM.replace(true));
    f()
}

impl Serialize for CheckResult {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let compact = STORAGE_FORM.get();
        let def = if compact {
            crate::checks::find(&self.id)
        } else {
            None
        };
        let mut out = s.serialize_struct("CheckResult", 8)?;
        out.serialize_field("id", &self.id)?;
        if def.is_some_and(|d| d.title == self.title) {
            out.skip_field("title")?;
        } else {
            out.serialize_field("title", &self.title)?;
        }
        if def.is_some_and(|d| d.spec == self.spec) {
            out.skip_field("spec")?;
        } else {
            out.serialize_field("spec", &self.spec)?;
        }
        out.serialize_field("outcome", &self.outcome)?;
        out.serialize_field("detail", &self.detail)?;
        if self.values.is_empty() {
            out.skip_field("values")?;
        } else {
            out.serialize_field("values", &self.values)?;
        }
        if compact && self.severity == Severity::Error {
            out.skip_field("severity")?;
        } else {
            out.serialize_field("severity", &self.severity)?;
        }
        if compact && self.duration_us == 0 {
            out.skip_field("duration_us")?;
        } else {
            out.serialize_field("duration_us", &self.duration_us)?;
        }
        out.end()
    }
}

/// Pass/fail/skip counts of a trace, for list views.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckSummary {
    pub pass: u32,
    pub fail: u32,
    pub skip: u32,
}

impl CheckSummary {
    pub fn of(checks: &[CheckResult]) -> Self {
        let mut s = CheckSummary::default();
        for c in checks {
            match c.outcome {
                OutcomeKind::Pass => s.pass += 1,
                OutcomeKind::Fail => s.fail += 1,
                OutcomeKind::Skip => s.skip += 1,
            }
        }
        s
    }
}

/// A decoded (not verified) JWT found in a request or response.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecodedJwt {
    /// Where it was found, e.g. `body`, `body.software_statement`, `header.authorization`.
    pub location: String,
    pub header: Value,
    pub claims: Value,
}

/// The client certificate presented on the connection, as shown in a trace.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CertSummary {
    pub subject: String,
    pub issuer: String,
    pub serial: String,
    pub not_before: String,
    pub not_after: String,
    /// `null` when the chain verified against the mockbank CA, else why it did not.
    pub chain_error: Option<String>,
    pub sha256_thumbprint: String,
    /// eIDAS / PSD2 content (ETSI TS 119 495), when the certificate carries any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub psd2: Option<Psd2Summary>,
}

/// The PSD2 attributes of a certificate, as shown in a trace.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Psd2Summary {
    pub organization_identifier: Option<String>,
    /// `web` (QWAC), `eseal` (QSealC).
    pub qc_types: Vec<String>,
    /// `PSP_AI`, `PSP_PI`, `PSP_IC`, `PSP_AS`.
    pub roles: Vec<String>,
    pub nca_id: Option<String>,
    pub nca_name: Option<String>,
}

impl From<&crate::signed::EidasFacts> for Psd2Summary {
    fn from(f: &crate::signed::EidasFacts) -> Self {
        Psd2Summary {
            organization_identifier: f.organization_identifier.clone(),
            qc_types: f.qc_types.clone(),
            roles: f.roles.clone(),
            nca_id: f.nca_id.clone(),
            nca_name: f.nca_name.clone(),
        }
    }
}

/// Request or response as recorded (secrets redacted).
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct HttpRecord {
    pub headers: Vec<(String, String)>,
    /// JSON when the body parsed as JSON, a string otherwise, `null` when empty.
    pub body: Value,
    /// JWTs found in the body, decoded (never verified); left out when there are none.
    //
    // Kept only when they are more than `body` shows: a form's, decoded before its secrets
    // were redacted, or those of a body cut to the trace limit. `None`: the JWTs of `body`
    // (`jwt::jwts_of_body`), decoded when the record is serialised for a reader and never
    // stored (`in_storage_form`), so the hot path does not decode them.
    #[serde(default, rename = "jwts")]
    #[cfg_attr(test, ts(rename = "jwts", as = "Option<Vec<DecodedJwt>>", optional))]
    pub kept_jwts: Option<Vec<DecodedJwt>>,
}

impl HttpRecord {
    /// The decoded JWTs this record shows (see [`HttpRecord::kept_jwts`]).
    pub fn jwts(&self) -> std::borrow::Cow<'_, [DecodedJwt]> {
        match &self.kept_jwts {
            Some(kept) => kept.as_slice().into(),
            None => crate::jwt::jwts_of_body(&self.body).into(),
        }
    }
}

impl Serialize for HttpRecord {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = s.serialize_struct("HttpRecord", 3)?;
        out.serialize_field("headers", &self.headers)?;
        out.serialize_field("body", &self.body)?;
        let jwts = match &self.kept_jwts {
            Some(kept) => kept.as_slice().into(),
            None if STORAGE_FORM.get() => std::borrow::Cow::Borrowed(&[][..]),
            None => self.jwts(),
        };
        if jwts.is_empty() {
            out.skip_field("jwts")?;
        } else {
            out.serialize_field("jwts", &jwts)?;
        }
        out.end()
    }
}

/// One request to mockbank and everything it caused.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trace {
    /// Store sequence number: monotonic, also the SSE event id.
    pub seq: u64,
    pub id: String,
    /// RFC 3339 time the request arrived.
    pub time: String,
    pub time_ms: i64,
    /// Profile id, or `directory` / `admin`.
    pub profile: String,
    pub method: String,
    pub path: String,
    pub status: u16,
    pub client_id: Option<String>,
    pub client_cert: Option<CertSummary>,
    pub request: HttpRecord,
    pub response: HttpRecord,
    pub checks: Vec<CheckResult>,
    pub summary: CheckSummary,
    /// The check whose failure chose the error response, if any.
    pub failed_check: Option<String>,
    pub duration_us: u64,
}

impl Trace {
    /// Puts back what [`in_storage_form`] left out of each check: its title and spec from
    /// the catalogue (the id itself for a check this build no longer has). (A record's
    /// JWTs need nothing: those left out are decoded from its body when it is serialised.)
    pub fn restore_stored_form(&mut self) {
        for c in &mut self.checks {
            let def = crate::checks::find(&c.id);
            if c.title.is_empty() {
                c.title = def.map_or_else(|| c.id.clone(), |d| Cow::Borrowed(d.title));
            }
            if c.spec.is_empty() {
                c.spec = def.map(|d| Cow::Borrowed(d.spec)).unwrap_or_default();
            }
        }
    }
}

/// Members whose values are credentials: kept out of stored traces (RFC 7592 §3 says the
/// registration access token is a bearer secret; the store keeps only hashes).
pub const SECRET_MEMBERS: &[&str] = &[
    "client_secret",
    "registration_access_token",
    "initial_access_token",
    "access_token",
    "refresh_token",
    "client_assertion",
    "password",
    "transport_key_pem",
    "signing_key_pem",
    "private_key",
    "transport_key",
];

/// Whether a member, parameter or field name names a credential: [`SECRET_MEMBERS`], whatever
/// its case (`CLIENT_SECRET`) and with `-` for `_` (header style).
pub fn is_secret_name(name: &str) -> bool {
    SECRET_MEMBERS.iter().any(|s| {
        s.len() == name.len()
            && s.bytes()
                .zip(name.bytes())
                .all(|(a, b)| a == b.to_ascii_lowercase() || (a == b'_' && b == b'-'))
    })
}

/// Replaces secret values by a short, recognisable prefix so traces can still be correlated.
/// A secret member's whole value goes, whatever its JSON type (an array or an object of
/// secrets is still secret).
pub fn redact_value(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                if is_secret_name(k) {
                    redact_whole(val);
                } else {
                    redact_value(val);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_value),
        _ => {}
    }
}

/// Every string in `v` keeps its prefix only; other scalars go entirely.
fn redact_whole(v: &mut Value) {
    match v {
        Value::String(s) if s.ends_with("…(redacted)") => {}
        Value::String(s) => *s = redact_str(s),
        Value::Array(items) => items.iter_mut().for_each(redact_whole),
        Value::Object(map) => map.values_mut().for_each(redact_whole),
        Value::Null => {}
        other => *other = Value::String("(redacted)".into()),
    }
}

/// The text as a name matcher sees it: percent-escapes decoded and ASCII lowercased, with
/// the offset in the original text of every decoded byte (and one past the end).
fn decoded_view(text: &str) -> (Vec<u8>, Vec<usize>) {
    let bytes = text.as_bytes();
    let (mut out, mut origin) = (
        Vec::with_capacity(bytes.len()),
        Vec::with_capacity(bytes.len() + 1),
    );
    let hex = |b: u8| (b as char).to_digit(16);
    let mut i = 0;
    while i < bytes.len() {
        origin.push(i);
        match (
            bytes[i],
            bytes.get(i + 1).and_then(|b| hex(*b)),
            bytes.get(i + 2).and_then(|b| hex(*b)),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push(((h * 16 + l) as u8).to_ascii_lowercase());
                i += 3;
            }
            (b, _, _) => {
                out.push(b.to_ascii_lowercase());
                i += 1;
            }
        }
    }
    origin.push(bytes.len());
    (out, origin)
}

/// Where a JSON-ish value that starts at `i` with `[` or `{` ends (past its closing
/// bracket, or the end of the text), quotes respected.
fn bracketed_end(bytes: &[u8], i: usize) -> usize {
    let (mut depth, mut quoted, mut escaped) = (0usize, false, false);
    for (n, &b) in bytes.iter().enumerate().skip(i) {
        match b {
            _ if escaped => escaped = false,
            b'\\' if quoted => escaped = true,
            b'"' => quoted = !quoted,
            b'[' | b'{' if !quoted => depth += 1,
            b']' | b'}' if !quoted => {
                depth -= 1;
                if depth == 0 {
                    return n + 1;
                }
            }
            _ => {}
        }
    }
    bytes.len()
}

/// Redacts the value of every secret member named in free text, the name matched after
/// percent-decoding and case-folding (`client%5Fsecret`, `CLIENT_SECRET`):
/// - `name=value` (a query string or a form sent under another content type), `"name":
///   "value"` (JSON that did not parse) and `name: value`: the value runs to the next `&`,
///   quote, comma, semicolon, brace or space; a JSON array or object value goes whole;
/// - a multipart part `name="client_secret"`: its content, up to the next boundary line.
pub fn redact_text(text: &str) -> String {
    // A value is redacted only after `=` or `:`: most header values have neither.
    if !text.bytes().any(|b| b == b'=' || b == b':') {
        return text.to_owned();
    }
    let (view, origin) = decoded_view(text);
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    for name in SECRET_MEMBERS {
        let name = name.as_bytes();
        let mut from = 0;
        while let Some(found) = find_bytes(&view[from..], name) {
            let start = from + found;
            let after_name = start + name.len();
            from = after_name;
            // A whole name: not the tail of a longer word (`my_access_token` still counts).
            if start > 0 && view[start - 1].is_ascii_alphanumeric() {
                continue;
            }
            if view
                .get(after_name)
                .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
            {
                continue;
            }
            if let Some(cut) = multipart_value(text, &view, &origin, start, after_name) {
                cuts.push(cut);
                continue;
            }
            let mut i = after_name;
            if view.get(i) == Some(&b'"') {
                i += 1;
            }
            while view.get(i) == Some(&b' ') {
                i += 1;
            }
            if !matches!(view.get(i), Some(b'=' | b':')) {
                continue;
            }
            i += 1;
            while view.get(i) == Some(&b' ') {
                i += 1;
            }
            // The value is delimited in the original text: an escaped `%26` stays inside it.
            let bytes = text.as_bytes();
            let mut start = origin[i];
            if bytes.get(start) == Some(&b'"') {
                start += 1;
            }
            let end = match bytes.get(start) {
                Some(b'[' | b'{') => bracketed_end(bytes, start),
                _ => text[start..]
                    .find(|c: char| {
                        matches!(c, '&' | '"' | ',' | ';' | '}' | ']') || c.is_whitespace()
                    })
                    .map_or(text.len(), |n| start + n),
            };
            if end > start {
                cuts.push((start, end));
            }
        }
    }
    if cuts.is_empty() {
        return text.to_owned();
    }
    cuts.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end) in cuts {
        if start < at {
            continue;
        }
        out.push_str(&text[at..start]);
        let value = &text[start..end];
        if value.ends_with("…(redacted)") {
            out.push_str(value);
        } else {
            out.push_str(&redact_str(value));
        }
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

fn find_bytes(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A multipart part named by the secret at `start..after_name` (`name="client_secret"` in
/// its `Content-Disposition`): the original-text range of its content (RFC 7578 §4.2).
fn multipart_value(
    text: &str,
    view: &[u8],
    origin: &[usize],
    start: usize,
    after_name: usize,
) -> Option<(usize, usize)> {
    let quoted =
        start >= 6 && &view[start - 6..start] == b"name=\"" && view.get(after_name) == Some(&b'"');
    if !quoted {
        return None;
    }
    let rest = &text[origin[after_name + 1]..];
    let (head_end, sep) = [("\r\n\r\n", 4), ("\n\n", 2)]
        .iter()
        .filter_map(|(s, n)| rest.find(s).map(|i| (i, *n)))
        .min()?;
    // The part's headers end at the first blank line; another part may not start before.
    if rest[..head_end].contains("\n--") {
        return None;
    }
    let content = origin[after_name + 1] + head_end + sep;
    let end = text[content..]
        .find("\r\n--")
        .or_else(|| text[content..].find("\n--"))
        .map_or(text.len(), |n| content + n);
    (end > content).then_some((content, end))
}

/// `abcd…(redacted)`: the first four characters and a marker.
pub fn redact_str(s: &str) -> String {
    let prefix: String = s.chars().take(4).collect();
    format!("{prefix}…(redacted)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_storage_form_leaves_out_catalogue_texts_and_gets_them_back() {
        let def = crate::checks::catalogue().next().unwrap();
        let result = |title: &'static str, spec: &'static str, severity| CheckResult {
            id: def.id.into(),
            title: title.into(),
            spec: spec.into(),
            outcome: OutcomeKind::Pass,
            detail: "ok".into(),
            values: Map::new(),
            severity,
            duration_us: 0,
        };
        let as_catalogue = result(def.title, def.spec, Severity::Error);
        let stored = in_storage_form(|| serde_json::to_value(&as_catalogue).unwrap());
        assert_eq!(
            stored,
            serde_json::json!({"id": def.id, "outcome": "pass", "detail": "ok"})
        );
        // Outside the storage form: everything, as the API shows it.
        let full = serde_json::to_value(&as_catalogue).unwrap();
        assert_eq!(full["title"], def.title);
        assert_eq!(full["severity"], "error");
        // A profile's own spec reference and a warn severity are kept.
        let own = result(def.title, "My bank §1", Severity::Warn);
        let stored = in_storage_form(|| serde_json::to_value(&own).unwrap());
        assert_eq!(stored["spec"], "My bank §1");
        assert_eq!(stored["severity"], "warn");
        // Read back: the same results.
        for original in [as_catalogue, own] {
            let bytes = in_storage_form(|| serde_json::to_vec(&original).unwrap());
            let mut trace = Trace {
                seq: 1,
                id: "t".into(),
                time: String::new(),
                time_ms: 0,
                profile: "generic".into(),
                method: "POST".into(),
                path: "/".into(),
                status: 201,
                client_id: None,
                client_cert: None,
                request: HttpRecord::default(),
                response: HttpRecord::default(),
                checks: vec![serde_json::from_slice(&bytes).unwrap()],
                summary: CheckSummary::default(),
                failed_check: None,
                duration_us: 0,
            };
            trace.restore_stored_form();
            assert_eq!(trace.checks[0], original);
        }
    }
    use serde_json::json;

    #[test]
    fn secrets_in_free_text_are_redacted_by_name() {
        assert_eq!(
            redact_text("/generic/register/c1?access_token=RATVALUE123&x=1"),
            "/generic/register/c1?access_token=RATV…(redacted)&x=1"
        );
        assert_eq!(
            redact_text("grant_type=client_credentials&client_secret=topsecret"),
            "grant_type=client_credentials&client_secret=tops…(redacted)"
        );
        assert_eq!(
            redact_text("{\"client_secret\": \"abcdefgh\", broken"),
            "{\"client_secret\": \"abcd…(redacted)\", broken"
        );
        assert_eq!(redact_text("no secrets here"), "no secrets here");
        assert_eq!(
            redact_text("client_secret_basic is a method"),
            "client_secret_basic is a method"
        );
    }

    #[test]
    fn secret_names_are_matched_after_decoding_and_case_folding() {
        assert_eq!(
            redact_text("/generic/register/c1?client%5Fsecret=SECRETVALUE&x=1"),
            "/generic/register/c1?client%5Fsecret=SECR…(redacted)&x=1"
        );
        assert_eq!(
            redact_text("CLIENT_SECRET=topsecret\nother=1"),
            "CLIENT_SECRET=tops…(redacted)\nother=1"
        );
        assert_eq!(
            redact_text("client_secret=abc%26defgh&x=1"),
            "client_secret=abc%…(redacted)&x=1"
        );
        assert_eq!(
            redact_text("{\"client_secret\": [\"abcdefgh\", \"ijkl\"], broken"),
            "{\"client_secret\": [\"ab…(redacted), broken"
        );
        let multipart = "--b\r\nContent-Disposition: form-data; name=\"client_secret\"\r\n\r\nMULTIPARTSECRET\r\n--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nkept\r\n--b--";
        let out = redact_text(multipart);
        assert!(!out.contains("MULTIPARTSECRET"), "{out}");
        assert!(
            out.contains("MULT…(redacted)") && out.contains("kept"),
            "{out}"
        );
    }

    #[test]
    fn a_secret_member_goes_whole_whatever_its_type() {
        let mut v = json!({"client_secret": ["abcdefgh", {"k": "ijklmnop"}, 7],
                           "CLIENT_SECRET": {"nested": "qrstuvwx"}, "Access-Token": true});
        redact_value(&mut v);
        assert_eq!(
            v["client_secret"],
            json!(["abcd…(redacted)", {"k": "ijkl…(redacted)"}, "(redacted)"])
        );
        assert_eq!(v["CLIENT_SECRET"]["nested"], "qrst…(redacted)");
        assert_eq!(v["Access-Token"], "(redacted)");
    }

    #[test]
    fn redaction_keeps_a_prefix_only() {
        let mut v = json!({"client_id": "abc", "client_secret": "s3cr3tvalue",
                           "nested": [{"access_token": "tok123456"}]});
        redact_value(&mut v);
        assert_eq!(v["client_id"], "abc");
        assert_eq!(v["client_secret"], "s3cr…(redacted)");
        assert_eq!(v["nested"][0]["access_token"], "tok1…(redacted)");
    }

    #[test]
    fn summary_counts_outcomes() {
        let mk = |o| CheckResult {
            id: "x".into(),
            title: "x".into(),
            spec: "s".into(),
            outcome: o,
            detail: String::new(),
            values: Map::new(),
            severity: Severity::Error,
            duration_us: 0,
        };
        let s = CheckSummary::of(&[
            mk(OutcomeKind::Pass),
            mk(OutcomeKind::Fail),
            mk(OutcomeKind::Skip),
            mk(OutcomeKind::Pass),
        ]);
        assert_eq!((s.pass, s.fail, s.skip), (2, 1, 1));
    }
}

#[cfg(test)]
mod stored_jwts {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    use serde_json::json;

    fn jws(claims: Value) -> String {
        let b64 = |v: Value| URL_SAFE_NO_PAD.encode(v.to_string());
        format!("{}.{}.c2ln", b64(json!({"alg": "PS256"})), b64(claims))
    }

    #[test]
    fn jwts_a_body_shows_are_decoded_for_readers_and_never_stored() {
        let ssa = jws(json!({"software_id": "s1"}));
        let record = HttpRecord {
            headers: Vec::new(),
            body: Value::String(jws(json!({"software_statement": ssa}))),
            kept_jwts: None,
        };
        let shown = serde_json::to_value(&record).unwrap();
        let locations: Vec<_> = shown["jwts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|j| j["location"].as_str().unwrap())
            .collect();
        assert_eq!(locations, ["body", "body.claims.software_statement"]);
        assert_eq!(shown["jwts"][1]["claims"]["software_id"], "s1");

        let stored = in_storage_form(|| serde_json::to_value(&record).unwrap());
        assert!(stored.get("jwts").is_none(), "{stored}");
        // Read back, it shows the same JWTs again.
        let read: HttpRecord = serde_json::from_value(stored).unwrap();
        assert_eq!(serde_json::to_value(&read).unwrap(), shown);
    }

    #[test]
    fn jwts_the_body_no_longer_shows_are_stored() {
        let kept = vec![DecodedJwt {
            location: "body.client_assertion".into(),
            header: json!({"alg": "RS256"}),
            claims: json!({"iss": "c1"}),
        }];
        let record = HttpRecord {
            headers: Vec::new(),
            body: json!({"client_assertion": "eyJh…(redacted)"}),
            kept_jwts: Some(kept.clone()),
        };
        let stored = in_storage_form(|| serde_json::to_value(&record).unwrap());
        let read: HttpRecord = serde_json::from_value(stored).unwrap();
        assert_eq!(read.jwts().as_ref(), kept.as_slice());
        assert_eq!(
            serde_json::to_value(&read).unwrap(),
            serde_json::to_value(&record).unwrap()
        );
    }
}
