//! The verdict on a TPP client in CI terms: its traced requests as JUnit test cases, a
//! Markdown summary with a grade (the failed checks grouped into the mistakes behind them,
//! each explained with its spec link), and the same as JSON. Pure: the caller reads the traces.

use serde_json::{json, Value};

use crate::checks;
use crate::trace::{OutcomeKind, Trace};

/// A link for a spec reference such as `RFC 6749 §3.1.2` or `OIDC-Reg §2` (the UI's
/// `lib/spec.ts` makes the same links).
pub fn spec_url(reference: &str) -> Option<String> {
    let r = reference.trim();
    if let Some(rest) = r.strip_prefix("RFC") {
        let rest = rest.trim_start();
        let number: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if number.is_empty() {
            return None;
        }
        let section = rest
            .split_once('§')
            .map(|(_, s)| {
                s.trim()
                    .chars()
                    .take_while(|c| c.is_ascii_digit() || *c == '.')
                    .collect::<String>()
            })
            .map(|s| s.trim_end_matches('.').to_owned())
            .filter(|s| !s.is_empty());
        return Some(match section {
            Some(s) => format!("https://www.rfc-editor.org/rfc/rfc{number}#section-{s}"),
            None => format!("https://www.rfc-editor.org/rfc/rfc{number}"),
        });
    }
    [
        (
            "OIDC-Reg",
            "https://openid.net/specs/openid-connect-registration-1_0.html",
        ),
        (
            "OIDC Core",
            "https://openid.net/specs/openid-connect-core-1_0.html",
        ),
        (
            "OIDC-Discovery",
            "https://openid.net/specs/openid-connect-discovery-1_0.html",
        ),
    ]
    .iter()
    .find(|(name, _)| r.starts_with(name))
    .map(|(_, url)| (*url).to_owned())
}

/// One traced request and the checks it failed.
struct Case<'a> {
    trace: &'a Trace,
    failed: Vec<&'a crate::trace::CheckResult>,
}

/// The report over a set of traces (oldest first).
pub struct Report<'a> {
    cases: Vec<Case<'a>>,
}

/// Text made safe inside HTML or XML, in element content and in quoted attributes.
pub fn escape_markup(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
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
    pub fn new(traces: &'a [Trace]) -> Self {
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

    /// Whether any check failed in any request.
    pub fn any_failure(&self) -> bool {
        self.cases.iter().any(|c| !c.failed.is_empty())
    }

    fn name(t: &Trace) -> String {
        format!("{} {} → {}", t.method, t.path, t.status)
    }

    /// JUnit XML: a suite per profile, a `<testcase>` per request, a `<failure>` per failed check.
    pub fn junit(&self) -> String {
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
            let cases: Vec<&Case> = self.cases.iter().filter(|c| c.trace.profile == p).collect();
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
                    "example": {"trace_id": trace.id, "request": Self::name(trace), "detail": detail},
                })
            })
            .collect()
    }

    pub fn json(&self) -> Value {
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
    pub fn markdown(&self) -> String {
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
            let cases: Vec<&Case> = self.cases.iter().filter(|c| c.trace.profile == p).collect();
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
                let spec = g["spec"].as_str().unwrap_or("");
                let link = match g["spec_url"].as_str() {
                    Some(u) => format!("[{spec}]({u})"),
                    None => spec.to_owned(),
                };
                out.push(format!(
                    "- **{}** (`{}`, {}×) — {} — {link}. For example `{}`: {}",
                    g["title"].as_str().unwrap_or(""),
                    g["check"].as_str().unwrap_or(""),
                    g["count"],
                    g["rule"].as_str().unwrap_or(""),
                    g["example"]["request"].as_str().unwrap_or(""),
                    g["example"]["detail"].as_str().unwrap_or("")
                ));
            }
        }
        out.join("\n") + "\n"
    }
}

#[cfg(test)]
mod tests {
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
        assert_eq!(super::spec_url("stet.md §4"), None);
    }
}
