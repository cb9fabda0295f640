//! The verdict on a TPP client in CI terms: its traced requests as JUnit test cases, a
//! Markdown summary with a grade (the failed checks grouped into the mistakes behind them,
//! each explained with its spec link), and the same as JSON. Pure: the requests come from a
//! [`Source`] a page at a time and the report is written as it is read, so its memory does
//! not grow with the number of requests.
//!
//! Everything a request chose (paths, profiles from paths, check details quoting its
//! metadata) is escaped for the format: in XML, the characters XML 1.0 forbids become
//! U+FFFD and markup characters entities; in Markdown, values are code spans on one line,
//! so no HTML, link, image or heading can come from a request.

use std::io::{self, Write};

use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::checks;
use crate::trace::{OutcomeKind, Trace};

/// A link for a spec reference such as `RFC 6749 §3.1.2` or `OIDC-Reg §2` ([`crate::spec`]).
pub fn spec_url(reference: &str) -> Option<String> {
    crate::spec::url(reference)
}

/// Text made safe inside HTML or XML, in element content and in quoted attributes.
pub fn escape_markup(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Whether XML 1.0 allows `c` at all (its `Char` production), escaped or not.
fn xml_allowed(c: char) -> bool {
    matches!(c,
        '\u{9}' | '\u{A}' | '\u{D}'
        | '\u{20}'..='\u{D7FF}'
        | '\u{E000}'..='\u{FFFD}'
        | '\u{10000}'..='\u{10FFFF}')
}

/// Text for XML 1.0: in element content (`attr: false`) or inside a quoted attribute. The
/// characters XML 1.0 forbids even escaped (most C0 controls, U+FFFE, U+FFFF) become
/// U+FFFD; `&<>"'` become entities; CR (and, in attributes, tab and LF) become character
/// references, so a parser gives them back instead of normalising them.
fn xml_escape(s: &str, attr: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\n' if attr => out.push_str("&#10;"),
            '\t' if attr => out.push_str("&#9;"),
            c if xml_allowed(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
    out
}

fn xml(s: &str) -> String {
    xml_escape(s, false)
}

fn xml_attr(s: &str) -> String {
    xml_escape(s, true)
}

/// `s` as a Markdown (CommonMark / GFM) code span: shown as its text, never as markup (no
/// HTML, link, image or emphasis can come out of it), on one line. Line breaks and other
/// control characters are replaced by visible symbols (`␊` for LF, `␍` for CR, U+FFFD for
/// C1 controls); the delimiter is one backtick longer than the longest run inside, with a
/// space of padding where CommonMark would otherwise eat or join characters.
pub fn md_code(s: &str) -> String {
    let text: String = s
        .chars()
        .map(|c| match c {
            '\u{0}'..='\u{1F}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{FFFD}'),
            '\u{7F}' => '\u{2421}',
            '\u{80}'..='\u{9F}' | '\u{2028}' | '\u{2029}' => '\u{FFFD}',
            c => c,
        })
        .collect();
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = text.is_empty()
        || text.starts_with('`')
        || text.ends_with('`')
        || (text.starts_with(' ') && text.ends_with(' '));
    if pad {
        format!("{fence} {text} {fence}")
    } else {
        format!("{fence}{text}{fence}")
    }
}

/// A code span for a GFM table cell: `|` escaped too (GFM splits cells on it even inside
/// code spans, and takes `\|` back as `|`).
fn md_cell(s: &str) -> String {
    md_code(s).replace('|', "\\|")
}

/// A failed check as a report shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct FailedCheck {
    pub id: String,
    pub spec: String,
    pub detail: String,
}

/// What a report keeps of one traced request: its line and its failed checks, not its
/// headers and bodies.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub seq: u64,
    pub id: String,
    pub time: String,
    pub profile: String,
    pub method: String,
    pub path: String,
    pub status: u16,
    pub client_id: Option<String>,
    pub duration_us: u64,
    pub failed: Vec<FailedCheck>,
}

/// A stored trace as a report reads it: the members it needs; the rest (bodies, headers,
/// certificates) is skipped by the parser, never built.
#[derive(Deserialize)]
struct StoredCase {
    id: String,
    time: String,
    profile: String,
    method: String,
    path: String,
    status: u16,
    client_id: Option<String>,
    #[serde(default)]
    duration_us: u64,
    #[serde(default)]
    checks: Vec<StoredCheck>,
}

#[derive(Deserialize)]
struct StoredCheck {
    id: String,
    #[serde(default)]
    spec: String,
    outcome: OutcomeKind,
    #[serde(default)]
    detail: String,
}

impl Case {
    pub fn of(trace: &Trace) -> Case {
        Case {
            seq: trace.seq,
            id: trace.id.clone(),
            time: trace.time.clone(),
            profile: trace.profile.clone(),
            method: trace.method.clone(),
            path: trace.path.clone(),
            status: trace.status,
            client_id: trace.client_id.clone(),
            duration_us: trace.duration_us,
            failed: trace
                .checks
                .iter()
                .filter(|c| c.outcome == OutcomeKind::Fail)
                .map(|c| FailedCheck {
                    id: c.id.to_string(),
                    spec: c.spec.to_string(),
                    detail: c.detail.clone(),
                })
                .collect(),
        }
    }

    /// From a stored trace's JSON (its storage form, see [`crate::trace::in_storage_form`]),
    /// with the sequence number it is stored under. A check's spec left out of storage is
    /// the catalogue's, as [`Trace::restore_stored_form`] puts it back.
    pub fn from_stored_json(json: &[u8], seq: u64) -> Result<Case, serde_json::Error> {
        let s: StoredCase = serde_json::from_slice(json)?;
        Ok(Case {
            seq,
            id: s.id,
            time: s.time,
            profile: s.profile,
            method: s.method,
            path: s.path,
            status: s.status,
            client_id: s.client_id,
            duration_us: s.duration_us,
            failed: s
                .checks
                .into_iter()
                .filter(|c| c.outcome == OutcomeKind::Fail)
                .map(|c| FailedCheck {
                    spec: if c.spec.is_empty() {
                        checks::find(&c.id).map_or("", |d| d.spec).to_owned()
                    } else {
                        c.spec
                    },
                    id: c.id,
                    detail: c.detail,
                })
                .collect(),
        })
    }

    /// About the bytes it holds (for a reader's page budget).
    pub fn size(&self) -> usize {
        let strings = self.id.len()
            + self.time.len()
            + self.profile.len()
            + self.method.len()
            + self.path.len()
            + self.client_id.as_ref().map_or(0, String::len);
        let failed: usize = self
            .failed
            .iter()
            .map(|f| f.id.len() + f.spec.len() + f.detail.len() + 72)
            .sum();
        std::mem::size_of::<Case>() + strings + failed
    }

    /// `POST /generic/register → 201`.
    fn name(&self) -> String {
        format!("{} {} → {}", self.method, self.path, self.status)
    }

    fn json(&self) -> Value {
        json!({
            "trace_id": self.id, "time": self.time, "profile": self.profile,
            "method": self.method, "path": self.path, "status": self.status,
            "client_id": self.client_id,
            "failed_checks": self.failed.iter().map(|f| json!({"id": f.id, "spec": f.spec, "detail": f.detail})).collect::<Vec<_>>(),
        })
    }
}

/// Requests, those with a failed check, and failed checks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub requests: u64,
    pub failed_requests: u64,
    pub failed_checks: u64,
}

impl Counts {
    pub fn add(&mut self, case: &Case) {
        self.requests += 1;
        self.failed_requests += u64::from(!case.failed.is_empty());
        self.failed_checks += case.failed.len() as u64;
    }
}

/// Where a report's requests come from, a page at a time: a report never holds more than
/// one page of [`Case`]s, plus one example per failed check. Every call must see the same
/// requests (a store pins them, e.g. by sequence number, when the report starts).
pub trait Source {
    /// Counts over every request.
    fn totals(&mut self) -> io::Result<Counts>;
    /// The next profiles after `after` (all from the first when `None`), in byte order of
    /// their names, with their counts; none when there are no more.
    fn profiles(&mut self, after: Option<&str>) -> io::Result<Vec<(String, Counts)>>;
    /// The next requests with a sequence number above `after`, oldest first: only those of
    /// `profile` when given, only those with a failed check when `failed_only`; none when
    /// there are no more.
    fn cases(
        &mut self,
        profile: Option<&str>,
        failed_only: bool,
        after: u64,
    ) -> io::Result<Vec<Case>>;
}

/// Calls `f` on every case `src` has (of `profile`, failed only), page by page, stopping
/// after `expected` of them (what the counts said) or at the first empty page.
fn each_case(
    src: &mut dyn Source,
    profile: Option<&str>,
    failed_only: bool,
    expected: u64,
    mut f: impl FnMut(&Case) -> io::Result<()>,
) -> io::Result<()> {
    let (mut after, mut seen) = (0, 0);
    while seen < expected {
        let page = src.cases(profile, failed_only, after)?;
        let Some(last) = page.last() else { break };
        if last.seq <= after {
            return Err(io::Error::other("report source went backwards"));
        }
        after = last.seq;
        for c in &page {
            f(c)?;
            seen += 1;
        }
    }
    Ok(())
}

/// Calls `f` on every profile of `src`, page by page, in order.
fn each_profile(
    src: &mut dyn Source,
    mut f: impl FnMut(&mut dyn Source, &str, Counts) -> io::Result<()>,
) -> io::Result<()> {
    let mut after: Option<String> = None;
    loop {
        let page = src.profiles(after.as_deref())?;
        let Some((last, _)) = page.last() else { break };
        if after.as_deref().is_some_and(|a| last.as_str() <= a) {
            return Err(io::Error::other("report source went backwards"));
        }
        after = Some(last.clone());
        for (p, counts) in &page {
            f(src, p, *counts)?;
        }
    }
    Ok(())
}

/// Longest example detail a grade keeps (characters); a longer one is cut, with `…`.
const EXAMPLE_DETAIL_MAX: usize = 2000;

/// The failed checks grouped into mistakes, with the first request of each as example.
/// Bounded: one entry per check id of the catalogue.
#[derive(Default)]
struct Grade {
    mistakes: Vec<Mistake>,
}

struct Mistake {
    check: String,
    count: u64,
    trace_id: String,
    request: String,
    detail: String,
}

impl Grade {
    fn add(&mut self, case: &Case) {
        for f in &case.failed {
            match self.mistakes.iter_mut().find(|m| m.check == f.id) {
                Some(m) => m.count += 1,
                None => self.mistakes.push(Mistake {
                    check: f.id.clone(),
                    count: 1,
                    trace_id: case.id.clone(),
                    request: case.name(),
                    detail: match f.detail.char_indices().nth(EXAMPLE_DETAIL_MAX) {
                        Some((cut, _)) => format!("{}…", &f.detail[..cut]),
                        None => f.detail.clone(),
                    },
                }),
            }
        }
    }

    /// Reads the failed requests of `src` (`failed` of them).
    fn read(src: &mut dyn Source, failed: u64) -> io::Result<Grade> {
        let mut grade = Grade::default();
        each_case(src, None, true, failed, |c| {
            grade.add(c);
            Ok(())
        })?;
        Ok(grade)
    }

    /// Most frequent first (the first seen first among equals).
    fn values(mut self) -> Vec<Value> {
        self.mistakes.sort_by_key(|m| std::cmp::Reverse(m.count));
        self.mistakes
            .into_iter()
            .map(|m| {
                let def = checks::find(&m.check);
                let spec = def.map_or("", |d| d.spec);
                json!({
                    "check": m.check, "count": m.count,
                    "title": def.map_or("", |d| d.title),
                    "rule": def.map_or("", |d| d.description),
                    "spec": spec,
                    "spec_url": spec_url(spec.split(',').next().unwrap_or("")),
                    "spec_links": crate::spec::links(spec)
                        .into_iter()
                        .map(|(text, url)| json!({"text": text, "url": url}))
                        .collect::<Vec<_>>(),
                    "example": {"trace_id": m.trace_id, "request": m.request, "detail": m.detail},
                })
            })
            .collect()
    }
}

/// Whether any check failed in any request.
pub fn any_failure(src: &mut dyn Source) -> io::Result<bool> {
    Ok(src.totals()?.failed_requests > 0)
}

/// A report's formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JUnit XML: a suite per profile, a `<testcase>` per request, a `<failure>` per
    /// failed check.
    Junit,
    /// `{"summary", "requests", "grade"}`.
    Json,
    /// A CI job summary: requests per profile, then the grade.
    Markdown,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Junit => "junit",
            Format::Json => "json",
            Format::Markdown => "markdown",
        }
    }
}

/// Writes the report on `src` in `format` (JSON pretty-printed when `pretty`, as
/// `serde_json::to_string_pretty` would, else compact), reading it a page at a time.
pub fn write(
    src: &mut dyn Source,
    format: Format,
    pretty: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Junit => write_junit(src, out),
        Format::Json => write_json(src, pretty, out),
        Format::Markdown => write_markdown(src, out),
    }
}

/// The admin API's answer: the JSON report as is, Markdown and JUnit as the compact JSON
/// `{"format": "markdown", "text": "…"}`, written as they are read.
pub fn write_api(src: &mut dyn Source, format: Format, out: &mut dyn Write) -> io::Result<()> {
    if format == Format::Json {
        return write_json(src, false, out);
    }
    out.write_all(format!("{{\"format\":\"{}\",\"text\":\"", format.name()).as_bytes())?;
    let mut text = JsonString(&mut *out);
    write(src, format, false, &mut text)?;
    out.write_all(b"\"}")
}

/// Writes what it is given as the inside of a JSON string, escaped as `serde_json` does
/// (`\"`, `\\`, `\n`… and `\u00XX` for other control characters; the rest as is). It works
/// on bytes: UTF-8 needs no escaping, so writes may split characters.
struct JsonString<'a>(&'a mut dyn Write);

impl Write for JsonString<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut start = 0;
        for (i, &b) in buf.iter().enumerate() {
            let escaped: &[u8] = match b {
                b'"' => b"\\\"",
                b'\\' => b"\\\\",
                b'\n' => b"\\n",
                b'\r' => b"\\r",
                b'\t' => b"\\t",
                0x08 => b"\\b",
                0x0c => b"\\f",
                0..=0x1f => &[
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[(b >> 4) as usize],
                    HEX[(b & 0xf) as usize],
                ],
                _ => continue,
            };
            self.0.write_all(&buf[start..i])?;
            self.0.write_all(escaped)?;
            start = i + 1;
        }
        self.0.write_all(&buf[start..])?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// `value` as JSON: compact, or pretty-printed as if nested `depth` levels deep.
fn json_text(value: &Value, pretty: bool, depth: usize) -> io::Result<String> {
    if !pretty {
        return serde_json::to_string(value).map_err(io::Error::other);
    }
    // JSON strings hold no raw line breaks: each one is serde_json's indentation.
    let text = serde_json::to_string_pretty(value).map_err(io::Error::other)?;
    Ok(text.replace('\n', &format!("\n{}", "  ".repeat(depth))))
}

/// JUnit XML, the suite of each profile read apart.
fn write_junit(src: &mut dyn Source, out: &mut dyn Write) -> io::Result<()> {
    let totals = src.totals()?;
    write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"mockbank\" tests=\"{}\" failures=\"{}\">\n",
        totals.requests, totals.failed_requests
    )?;
    each_profile(src, |src, p, counts| {
        // The suite's time comes before its cases: one pass to add it up, one to write.
        let mut time = 0.0_f64;
        each_case(src, Some(p), false, counts.requests, |c| {
            time += c.duration_us as f64 / 1e6;
            Ok(())
        })?;
        writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" time=\"{time:.6}\">",
            xml_attr(p),
            counts.requests,
            counts.failed_requests
        )?;
        each_case(src, Some(p), false, counts.requests, |c| {
            let mut case = format!(
                "    <testcase classname=\"mockbank.{}\" name=\"{}\" time=\"{:.6}\">\n",
                xml_attr(p),
                xml_attr(&c.name()),
                c.duration_us as f64 / 1e6
            );
            for f in &c.failed {
                case.push_str(&format!(
                    "      <failure type=\"{}\" message=\"{}: {}\">{} ({}){}\ntrace {}</failure>\n",
                    xml_attr(&f.id),
                    xml_attr(&f.id),
                    xml_attr(&f.detail),
                    xml(&f.detail),
                    xml(&f.spec),
                    spec_url(f.spec.split(',').next().unwrap_or(""))
                        .map(|u| format!(" {}", xml(&u)))
                        .unwrap_or_default(),
                    xml(&c.id)
                ));
            }
            case.push_str("    </testcase>\n");
            out.write_all(case.as_bytes())
        })?;
        out.write_all(b"  </testsuite>\n")
    })?;
    out.write_all(b"</testsuites>\n")
}

/// `{"summary", "requests", "grade"}` (in the order `serde_json` puts those keys): the
/// requests written one by one as they are read.
fn write_json(src: &mut dyn Source, pretty: bool, out: &mut dyn Write) -> io::Result<()> {
    let totals = src.totals()?;
    let summary = json!({
        "requests": totals.requests,
        "failed_requests": totals.failed_requests,
        "failed_checks": totals.failed_checks,
    });
    let mut keys = Map::new();
    for k in ["summary", "requests", "grade"] {
        keys.insert(k.to_owned(), Value::Null);
    }
    // Without `preserve_order`, serde_json sorts keys and the grade comes first: then it is
    // read beforehand; else it is added up while the requests are written.
    let mut grade: Option<Grade> = None;
    out.write_all(b"{")?;
    for (i, key) in keys.keys().enumerate() {
        let sep = match (i, pretty) {
            (0, true) => "\n  ",
            (_, true) => ",\n  ",
            (0, false) => "",
            (_, false) => ",",
        };
        write!(out, "{sep}\"{key}\":{}", if pretty { " " } else { "" })?;
        match key.as_str() {
            "summary" => out.write_all(json_text(&summary, pretty, 1)?.as_bytes())?,
            "requests" => {
                let mut tally = grade.is_none().then(Grade::default);
                let mut first = true;
                out.write_all(b"[")?;
                each_case(src, None, false, totals.requests, |c| {
                    if let Some(t) = &mut tally {
                        t.add(c);
                    }
                    let sep = match (first, pretty) {
                        (true, true) => "\n    ",
                        (false, true) => ",\n    ",
                        (true, false) => "",
                        (false, false) => ",",
                    };
                    first = false;
                    out.write_all(sep.as_bytes())?;
                    out.write_all(json_text(&c.json(), pretty, 2)?.as_bytes())
                })?;
                out.write_all(if pretty && !first { b"\n  ]" } else { b"]" })?;
                grade = grade.or(tally);
            }
            _ => {
                let g = match grade.take() {
                    Some(g) => g,
                    None => Grade::read(src, totals.failed_requests)?,
                };
                let text = json_text(&Value::Array(g.values()), pretty, 1)?;
                out.write_all(text.as_bytes())?;
                // Read already: the requests need not add it up.
                grade = Some(Grade::default());
            }
        }
    }
    out.write_all(if pretty { b"\n}" } else { b"}" })
}

/// The Markdown grade when no request reached mockbank: nothing was checked.
pub const NOTHING_TO_GRADE: &str = "### Grade: nothing to grade\n\n**Warning:** no request reached mockbank, so no check ran. Did the client's tests use `MOCKBANK_BASE_URL`?\n";

/// A CI job summary: requests per profile, then the grade. Every value that came from a
/// request is a code span ([`md_code`]): no HTML, link, image or heading can come from one.
fn write_markdown(src: &mut dyn Source, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(
        b"## mockbank: the client's requests\n\n| profile | requests | with failed checks | failed checks |\n|---|---|---|---|\n",
    )?;
    each_profile(src, |_, p, counts| {
        writeln!(
            out,
            "| {} | {} | {} | {} |",
            md_cell(p),
            counts.requests,
            counts.failed_requests,
            counts.failed_checks
        )
    })?;
    out.write_all(b"\n")?;
    let totals = src.totals()?;
    if totals.requests == 0 {
        // "No rule broken" would read as a pass for a client that never called.
        return out.write_all(NOTHING_TO_GRADE.as_bytes());
    }
    let grade = Grade::read(src, totals.failed_requests)?.values();
    if grade.is_empty() {
        return out.write_all(b"### Grade: no rule broken\n");
    }
    write!(out, "### Grade: {} rule(s) broken\n\n", grade.len())?;
    for g in &grade {
        // Title, rule, spec and its links come from the check catalogue, not from requests.
        let links = crate::spec::links(g["spec"].as_str().unwrap_or(""))
            .into_iter()
            .map(|(text, url)| match url {
                Some(u) => format!("[{text}]({u})"),
                None => text,
            })
            .collect::<Vec<_>>()
            .join(", ");
        writeln!(
            out,
            "- **{}** ({}, {}×) — {} — {links}. For example {} (trace {}): {}",
            g["title"].as_str().unwrap_or(""),
            md_code(g["check"].as_str().unwrap_or("")),
            g["count"],
            g["rule"].as_str().unwrap_or(""),
            md_code(g["example"]["request"].as_str().unwrap_or("")),
            md_code(g["example"]["trace_id"].as_str().unwrap_or("")),
            md_code(g["example"]["detail"].as_str().unwrap_or(""))
        )?;
    }
    Ok(())
}

/// Requests held in memory as a [`Source`], read a page of `page` at a time.
pub struct Cases {
    cases: Vec<Case>,
    page: usize,
}

impl Cases {
    /// `cases` oldest first, with increasing sequence numbers.
    pub fn new(cases: Vec<Case>, page: usize) -> Cases {
        Cases {
            cases,
            page: page.max(1),
        }
    }
}

impl Source for Cases {
    fn totals(&mut self) -> io::Result<Counts> {
        let mut counts = Counts::default();
        self.cases.iter().for_each(|c| counts.add(c));
        Ok(counts)
    }

    fn profiles(&mut self, after: Option<&str>) -> io::Result<Vec<(String, Counts)>> {
        let mut by_profile = std::collections::BTreeMap::<&str, Counts>::new();
        for c in &self.cases {
            if after.is_none_or(|a| c.profile.as_str() > a) {
                by_profile.entry(&c.profile).or_default().add(c);
            }
        }
        Ok(by_profile
            .into_iter()
            .take(self.page)
            .map(|(p, c)| (p.to_owned(), c))
            .collect())
    }

    fn cases(
        &mut self,
        profile: Option<&str>,
        failed_only: bool,
        after: u64,
    ) -> io::Result<Vec<Case>> {
        Ok(self
            .cases
            .iter()
            .filter(|c| c.seq > after)
            .filter(|c| profile.is_none_or(|p| c.profile == p))
            .filter(|c| !failed_only || !c.failed.is_empty())
            .take(self.page)
            .cloned()
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::{CheckResult, CheckSummary, HttpRecord, Severity};

    /// The reports as they were built before they were read in pages (whole traces in
    /// memory): the paged ones must say the same.
    mod legacy {
        use super::super::{escape_markup, spec_url};
        use crate::checks;
        use crate::trace::{OutcomeKind, Trace};
        use serde_json::{json, Value};

        /// One traced request and the checks it failed.
        struct Case<'a> {
            trace: &'a Trace,
            failed: Vec<&'a crate::trace::CheckResult>,
        }

        /// The report over a set of traces (oldest first).
        pub(super) struct Report<'a> {
            cases: Vec<Case<'a>>,
        }

        /// XML 1.0 forbids most control characters even escaped: they are dropped.
        fn xml(s: &str) -> String {
            escape_markup(
                &s.chars()
                    .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
                    .collect::<String>(),
            )
        }

        impl<'a> Report<'a> {
            pub(super) fn new(traces: &'a [Trace]) -> Self {
                let cases = traces
                    .iter()
                    .map(|trace| Case {
                        trace,
                        failed: trace
                            .checks
                            .iter()
                            .filter(|c| c.outcome == OutcomeKind::Fail)
                            .collect(),
                    })
                    .collect();
                Report { cases }
            }

            fn name(t: &Trace) -> String {
                format!("{} {} → {}", t.method, t.path, t.status)
            }

            /// JUnit XML: a suite per profile, a `<testcase>` per request, a `<failure>` per failed check.
            pub(super) fn junit(&self) -> String {
                let mut profiles: Vec<&str> = self
                    .cases
                    .iter()
                    .map(|c| c.trace.profile.as_str())
                    .collect();
                profiles.dedup();
                profiles.sort_unstable();
                profiles.dedup();
                let total = self.cases.len();
                let failing = self.cases.iter().filter(|c| !c.failed.is_empty()).count();
                let mut out = format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"mockbank\" tests=\"{total}\" failures=\"{failing}\">\n"
            );
                for p in profiles {
                    let cases: Vec<&Case> =
                        self.cases.iter().filter(|c| c.trace.profile == p).collect();
                    let fails = cases.iter().filter(|c| !c.failed.is_empty()).count();
                    let time: f64 = cases.iter().map(|c| c.trace.duration_us as f64 / 1e6).sum();
                    out.push_str(&format!(
                    "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{fails}\" errors=\"0\" time=\"{time:.6}\">\n",
                    xml(p),
                    cases.len()
                ));
                    for c in cases {
                        out.push_str(&format!(
                            "    <testcase classname=\"mockbank.{}\" name=\"{}\" time=\"{:.6}\">\n",
                            xml(p),
                            xml(&Self::name(c.trace)),
                            c.trace.duration_us as f64 / 1e6
                        ));
                        for f in &c.failed {
                            out.push_str(&format!(
                            "      <failure type=\"{}\" message=\"{}: {}\">{} ({}){}\ntrace {}</failure>\n",
                            xml(&f.id),
                            xml(&f.id),
                            xml(&f.detail),
                            xml(&f.detail),
                            xml(&f.spec),
                            spec_url(f.spec.split(',').next().unwrap_or("")).map(|u| format!(" {}", xml(&u))).unwrap_or_default(),
                            xml(&c.trace.id)
                        ));
                        }
                        out.push_str("    </testcase>\n");
                    }
                    out.push_str("  </testsuite>\n");
                }
                out.push_str("</testsuites>\n");
                out
            }

            /// The failed checks grouped into mistakes, most frequent first.
            fn grade(&self) -> Vec<Value> {
                let mut mistakes: Vec<(String, usize, &Trace, String)> = Vec::new();
                for c in &self.cases {
                    for f in &c.failed {
                        match mistakes.iter_mut().find(|m| m.0 == f.id) {
                            Some(m) => m.1 += 1,
                            None => mistakes.push((f.id.to_string(), 1, c.trace, f.detail.clone())),
                        }
                    }
                }
                mistakes.sort_by_key(|m| std::cmp::Reverse(m.1));
                mistakes
                .into_iter()
                .map(|(id, count, trace, detail)| {
                    let def = checks::find(&id);
                    let spec = def.map_or("", |d| d.spec);
                    json!({
                        "check": id, "count": count,
                        "title": def.map_or("", |d| d.title),
                        "rule": def.map_or("", |d| d.description),
                        "spec": spec,
                        "spec_url": spec_url(spec.split(',').next().unwrap_or("")),
                        "spec_links": crate::spec::links(spec)
                            .into_iter()
                            .map(|(text, url)| json!({"text": text, "url": url}))
                            .collect::<Vec<_>>(),
                        "example": {"trace_id": trace.id, "request": Self::name(trace), "detail": detail},
                    })
                })
                .collect()
            }

            pub(super) fn json(&self) -> Value {
                let requests: Vec<Value> = self
                .cases
                .iter()
                .map(|c| {
                    json!({
                        "trace_id": c.trace.id, "time": c.trace.time, "profile": c.trace.profile,
                        "method": c.trace.method, "path": c.trace.path, "status": c.trace.status,
                        "client_id": c.trace.client_id,
                        "failed_checks": c.failed.iter().map(|f| json!({"id": f.id, "spec": f.spec, "detail": f.detail})).collect::<Vec<_>>(),
                    })
                })
                .collect();
                json!({
                    "summary": {
                        "requests": self.cases.len(),
                        "failed_requests": self.cases.iter().filter(|c| !c.failed.is_empty()).count(),
                        "failed_checks": self.cases.iter().map(|c| c.failed.len()).sum::<usize>(),
                    },
                    "requests": requests,
                    "grade": self.grade(),
                })
            }

            /// A CI job summary: requests per profile, then the grade.
            pub(super) fn markdown(&self) -> String {
                let mut out = vec![
                    "## mockbank: the client's requests".to_owned(),
                    String::new(),
                ];
                out.push("| profile | requests | with failed checks | failed checks |".into());
                out.push("|---|---|---|---|".into());
                let mut profiles: Vec<&str> = self
                    .cases
                    .iter()
                    .map(|c| c.trace.profile.as_str())
                    .collect();
                profiles.sort_unstable();
                profiles.dedup();
                for p in profiles {
                    let cases: Vec<&Case> =
                        self.cases.iter().filter(|c| c.trace.profile == p).collect();
                    out.push(format!(
                        "| {p} | {} | {} | {} |",
                        cases.len(),
                        cases.iter().filter(|c| !c.failed.is_empty()).count(),
                        cases.iter().map(|c| c.failed.len()).sum::<usize>()
                    ));
                }
                out.push(String::new());
                let grade = self.grade();
                if grade.is_empty() {
                    out.push("### Grade: no rule broken".into());
                } else {
                    out.push(format!("### Grade: {} rule(s) broken", grade.len()));
                    out.push(String::new());
                    for g in &grade {
                        let links = g["spec_links"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .map(|l| {
                                let text = l["text"].as_str().unwrap_or("");
                                match l["url"].as_str() {
                                    Some(u) => format!("[{text}]({u})"),
                                    None => text.to_owned(),
                                }
                            })
                            .collect::<Vec<_>>()
                            .join(", ");
                        out.push(format!(
                            "- **{}** (`{}`, {}×) — {} — {links}. For example `{}` (trace `{}`): {}",
                            g["title"].as_str().unwrap_or(""),
                            g["check"].as_str().unwrap_or(""),
                            g["count"],
                            g["rule"].as_str().unwrap_or(""),
                            g["example"]["request"].as_str().unwrap_or(""),
                            g["example"]["trace_id"].as_str().unwrap_or(""),
                            g["example"]["detail"].as_str().unwrap_or("")
                        ));
                    }
                }
                out.join("\n") + "\n"
            }
        }
    }

    fn check(id: &str, outcome: OutcomeKind, detail: &str) -> CheckResult {
        let def = checks::find(id);
        CheckResult {
            id: id.to_owned().into(),
            title: def.map_or("", |d| d.title).into(),
            spec: def.map_or("", |d| d.spec).into(),
            outcome,
            detail: detail.into(),
            values: Default::default(),
            severity: Severity::Error,
            duration_us: 0,
        }
    }

    fn trace(seq: u64, profile: &str, status: u16, checks: Vec<CheckResult>) -> Trace {
        Trace {
            seq,
            id: format!("t{seq}"),
            time: format!("2026-11-23T00:00:{:02}Z", seq % 60),
            time_ms: seq as i64,
            profile: profile.into(),
            method: "POST".into(),
            path: format!("/{profile}/register"),
            status,
            client_id: seq.is_multiple_of(3).then(|| format!("c{seq}")),
            client_cert: None,
            request: HttpRecord::default(),
            response: HttpRecord::default(),
            summary: CheckSummary::of(&checks),
            checks,
            failed_check: None,
            duration_us: 1234 * seq + 7,
        }
    }

    /// Requests of three profiles, some failing one or two checks, over several pages.
    fn traces() -> Vec<Trace> {
        use OutcomeKind::*;
        (1..=23)
            .map(|seq| {
                let profile = ["generic", "stet", "obuk"][(seq % 3) as usize];
                let checks = match seq % 4 {
                    0 => vec![
                        check("generic.redirect.no_fragment", Fail, &format!("redirect URI `https://tpp.example/cb#{seq}` must not contain a fragment")),
                        check("generic.grant_types.supported", Fail, "grant type `urn:nope` is not supported"),
                    ],
                    1 => vec![check("generic.redirect.no_fragment", Pass, "no redirect URI has a fragment")],
                    2 => vec![check("generic.grant_types.supported", Fail, "grant type `x` is not supported")],
                    _ => vec![],
                };
                trace(seq, profile, if checks.iter().any(|c| c.outcome == Fail) { 400 } else { 201 }, checks)
            })
            .collect()
    }

    fn render(traces: &[Trace], format: Format, pretty: bool, page: usize) -> String {
        let mut src = Cases::new(traces.iter().map(Case::of).collect(), page);
        let mut out = Vec::new();
        write(&mut src, format, pretty, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn spec_links() {
        assert_eq!(
            super::spec_url("RFC 6749 §3.1.2").as_deref(),
            Some("https://www.rfc-editor.org/rfc/rfc6749#section-3.1.2")
        );
        assert_eq!(
            super::spec_url("RFC 7591").as_deref(),
            Some("https://www.rfc-editor.org/rfc/rfc7591")
        );
        assert!(super::spec_url("OIDC-Reg §2")
            .unwrap()
            .contains("openid-connect-registration"));
        assert!(super::spec_url("stet.md §4")
            .unwrap()
            .ends_with("docs/specs/stet.md"));
    }

    #[test]
    fn paged_reports_say_what_whole_ones_said() {
        let traces = traces();
        let old = legacy::Report::new(&traces);
        for page in [1, 2, 5, 1000] {
            assert_eq!(
                render(&traces, Format::Junit, false, page),
                old.junit(),
                "page {page}"
            );
            assert_eq!(
                render(&traces, Format::Json, true, page),
                serde_json::to_string_pretty(&old.json()).unwrap()
            );
            assert_eq!(
                render(&traces, Format::Json, false, page),
                serde_json::to_string(&old.json()).unwrap()
            );
            // Markdown: the same, but for the example details, now code spans.
            let md = render(&traces, Format::Markdown, false, page);
            let old_md = old.markdown();
            assert_eq!(md.lines().count(), old_md.lines().count(), "{md}");
            for (new, old) in md.lines().zip(old_md.lines()) {
                match old.split_once(": ") {
                    Some((head, detail)) if old.starts_with("- **") => {
                        assert_eq!(new, format!("{head}: {}", md_code(detail)));
                    }
                    _ if old.starts_with("| ") && !old.starts_with("| profile") => {
                        let (p, rest) = old[2..].split_once(' ').unwrap();
                        assert_eq!(new, format!("| `{p}` {rest}"));
                    }
                    _ => assert_eq!(new, old),
                }
            }
        }
        let mut api = Vec::new();
        write_api(
            &mut Cases::new(traces.iter().map(Case::of).collect(), 3),
            Format::Junit,
            &mut api,
        )
        .unwrap();
        assert_eq!(
            serde_json::from_slice::<Value>(&api).unwrap(),
            json!({"format": "junit", "text": old.junit()})
        );
        assert!(any_failure(&mut Cases::new(traces.iter().map(Case::of).collect(), 2)).unwrap());
    }

    #[test]
    fn an_empty_report() {
        let old = legacy::Report::new(&[]);
        assert_eq!(render(&[], Format::Junit, false, 3), old.junit());
        assert_eq!(
            render(&[], Format::Json, true, 3),
            serde_json::to_string_pretty(&old.json()).unwrap()
        );
        // The old report graded a run without requests "no rule broken": nothing was checked.
        let md = render(&[], Format::Markdown, false, 3);
        assert!(md.ends_with(NOTHING_TO_GRADE), "{md}");
        assert_eq!(
            md,
            old.markdown()
                .replace("### Grade: no rule broken\n", NOTHING_TO_GRADE)
        );
        assert!(!any_failure(&mut Cases::new(vec![], 1)).unwrap());
    }

    #[test]
    fn a_stored_trace_reads_as_its_case() {
        for t in traces() {
            let stored = crate::trace::in_storage_form(|| serde_json::to_vec(&t).unwrap());
            assert_eq!(
                Case::from_stored_json(&stored, t.seq).unwrap(),
                Case::of(&t)
            );
        }
    }

    #[test]
    fn xml_keeps_only_what_xml_1_0_allows() {
        assert_eq!(
            xml("a\u{0}b\u{1}\u{8}\u{b}\u{c}\u{1f}c"),
            "a\u{fffd}b\u{fffd}\u{fffd}\u{fffd}\u{fffd}\u{fffd}c"
        );
        assert_eq!(xml("#\u{fffe}\u{ffff}"), "#\u{fffd}\u{fffd}");
        assert_eq!(
            xml("\t\n\r \u{7f}\u{85}\u{d7ff}\u{e000}\u{fffd}\u{10ffff}"),
            "\t\n&#13; \u{7f}\u{85}\u{d7ff}\u{e000}\u{fffd}\u{10ffff}"
        );
        assert_eq!(xml_attr("\t\n\r"), "&#9;&#10;&#13;");
        assert_eq!(
            xml("<a href=\"x\">'&]]>"),
            "&lt;a href=&quot;x&quot;&gt;&apos;&amp;]]&gt;"
        );
    }

    #[test]
    fn markdown_values_are_one_line_code_spans() {
        assert_eq!(
            md_code("generic.redirect.no_fragment"),
            "`generic.redirect.no_fragment`"
        );
        assert_eq!(md_code("a `b` c"), "``a `b` c``");
        assert_eq!(md_code("``x"), "``` ``x ```");
        assert_eq!(md_code(" x "), "`  x  `");
        assert_eq!(md_code(""), "`  `");
        assert_eq!(
            md_code("a\nb\r\n### Grade: no rule broken"),
            "`a␊b␍␊### Grade: no rule broken`"
        );
        assert_eq!(md_code("\u{0}\u{7f}\u{85}\u{2028}"), "`␀␡\u{fffd}\u{fffd}`");
        assert_eq!(md_cell("a|b"), "`a\\|b`");
    }
}
