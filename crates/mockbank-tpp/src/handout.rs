//! Handouts: a walkthrough run as one self-contained HTML file (inline CSS, the sequence
//! diagram as inline SVG, no script, nothing fetched — and a Content-Security-Policy that
//! says so) or as Markdown — the narration, the real requests and responses with decoded
//! JWTs, and each step's checks — for a trainee to keep. Also the narration's Markdown →
//! HTML, shared with the Walkthrough view.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::sync::LazyLock;

use pulldown_cmark::{html, Event, Options, Parser, Tag, TagEnd};
use serde_json::Value;

use crate::walkthrough::{Arrow, Lane, StepResult, Walkthrough};

/// The handout's Content-Security-Policy: its inline `<style>` and nothing else — no
/// script, no image, font, frame or connection anywhere, no form, no `<base>`.
pub const HANDOUT_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; \
font-src 'none'; connect-src 'none'; script-src 'none'; object-src 'none'; frame-src 'none'; \
form-action 'none'; base-uri 'none'";

/// What rendered narration may hold: text markup, lists, tables, code, and links to
/// `https:`, `http:`, `mailto:` or a `#fragment` of the same page. No image (nothing is
/// fetched), no script, no style, no event handler, no other URL scheme (`javascript:`,
/// `data:`, …) and no relative path.
static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let tags: HashSet<&str> = [
        "a",
        "blockquote",
        "br",
        "code",
        "del",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "li",
        "ol",
        "p",
        "pre",
        "strong",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "ul",
    ]
    .into();
    let attributes: HashMap<&str, HashSet<&str>> =
        [("a", ["href"].into()), ("ol", ["start"].into())].into();
    let mut b = ammonia::Builder::empty();
    b.tags(tags)
        .tag_attributes(attributes)
        .generic_attributes(HashSet::new())
        .url_schemes(["https", "http", "mailto"].into())
        .url_relative(ammonia::UrlRelative::Custom(Box::new(fragment_only)))
        .link_rel(Some("noopener noreferrer"))
        .strip_comments(true);
    b
});

/// The one relative URL a narration may link to: a `#fragment` of the same page.
fn fragment_only(url: &str) -> Option<std::borrow::Cow<'_, str>> {
    url.starts_with('#')
        .then_some(std::borrow::Cow::Borrowed(url))
}

/// Markdown → HTML, sanitised. Raw HTML in the source is shown as text, never passed
/// through; an image becomes its alt text; and the HTML is cleaned by an allow-list
/// ([`SANITIZER`]): a user's scenario file must not put script, a `javascript:` or
/// `data:` link, or a remote load into the UI or a handout.
pub fn markdown_html(md: &str) -> String {
    let parser = Parser::new_ext(md, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH)
        .filter(|e| {
            !matches!(
                e,
                Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image)
            )
        })
        .map(|e| match e {
            Event::Html(s) | Event::InlineHtml(s) => Event::Text(s),
            e => e,
        });
    let mut out = String::new();
    html::push_html(&mut out, parser);
    SANITIZER.clean(&out).to_string()
}

use mockbank_core::report::escape_markup as esc;

fn pretty(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        v => serde_json::to_string_pretty(v).unwrap_or_default(),
    }
}

fn lane_x(l: Lane) -> f64 {
    match l {
        Lane::Tpp => 110.0,
        Lane::Directory => 380.0,
        Lane::Bank => 650.0,
    }
}

/// The run's sequence diagram: three lifelines and every arrow in order, numbered, each
/// linking to its step in the handout.
pub fn sequence_svg(steps: &[&StepResult]) -> String {
    let arrows: Vec<(usize, &Arrow)> = steps
        .iter()
        .flat_map(|s| s.arrows.iter().map(move |a| (s.index, a)))
        .collect();
    let row = 38.0;
    let top = 60.0;
    let height = top + row * (arrows.len() as f64 + 1.0);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"sequence\" viewBox=\"0 0 760 {height}\" width=\"760\" height=\"{height}\" role=\"img\" aria-label=\"Sequence diagram: TPP, Directory, Bank\">\
<defs><marker id=\"head\" markerWidth=\"10\" markerHeight=\"8\" refX=\"9\" refY=\"4\" orient=\"auto\"><path d=\"M0,0 L10,4 L0,8 z\" fill=\"#333\"/></marker></defs>"
    );
    for (lane, name) in [
        (Lane::Tpp, "TPP"),
        (Lane::Directory, "Directory"),
        (Lane::Bank, "Bank"),
    ] {
        let x = lane_x(lane);
        let _ = write!(
            svg,
            "<rect x=\"{}\" y=\"8\" width=\"140\" height=\"32\" rx=\"6\" fill=\"#eef2f7\" stroke=\"#445\"/>\
<text x=\"{x}\" y=\"29\" text-anchor=\"middle\" font-weight=\"bold\">{name}</text>\
<line x1=\"{x}\" y1=\"40\" x2=\"{x}\" y2=\"{height}\" stroke=\"#99a\" stroke-dasharray=\"4 4\"/>",
            x - 70.0
        );
    }
    for (n, (step, a)) in arrows.iter().enumerate() {
        let y = top + row * (n as f64 + 0.5);
        let (x1, x2) = (lane_x(a.from), lane_x(a.to));
        let colour = match a.status {
            Some(s) if s >= 400 => "#b3261e",
            Some(_) => "#1b6e3a",
            None => "#333",
        };
        let dash = if a.kind == "request" {
            ""
        } else {
            " stroke-dasharray=\"6 3\""
        };
        let _ = write!(
            svg,
            "<a href=\"#step-{step}\"><g class=\"arrow\" data-step=\"{step}\"{}>\
<line x1=\"{x1}\" y1=\"{y}\" x2=\"{x2}\" y2=\"{y}\" stroke=\"{colour}\" stroke-width=\"1.6\"{dash} marker-end=\"url(#head)\"/>\
<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"12\" fill=\"{colour}\">{}. {}</text></g></a>",
            a.trace_id
                .as_ref()
                .map(|t| format!(" data-trace-id=\"{}\"", esc(t)))
                .unwrap_or_default(),
            (x1 + x2) / 2.0,
            y - 5.0,
            n + 1,
            esc(&a.label)
        );
    }
    svg.push_str("</svg>");
    svg
}

const CSS: &str = "body{font:16px/1.5 system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#1d1d1f}\
h1{font-size:2em;margin-bottom:.2em}.meta{color:#555}section.step{border-top:2px solid #dde;margin-top:2em;padding-top:1em}\
.badge{display:inline-block;padding:0 .5em;border-radius:4px;font-size:.85em;color:#fff}.ok{background:#1b6e3a}.bad{background:#b3261e}\
pre{background:#f5f6f8;padding:.7em;overflow:auto;font-size:13px;border-radius:4px}table{border-collapse:collapse;width:100%;font-size:14px}\
td,th{border-bottom:1px solid #e3e3e8;padding:.25em .4em;text-align:left;vertical-align:top}tr.pointed{background:#fff6d6}tr.deciding td{color:#b3261e;font-weight:bold}\
.diagram{overflow:auto;border:1px solid #dde;border-radius:6px;padding:.5em}@media print{section.step{break-inside:avoid-page}}";

/// The run as one self-contained HTML page.
pub fn html(w: &Walkthrough) -> String {
    let ran: Vec<&StepResult> = w.results.iter().flatten().collect();
    let s = &w.scenario;
    let mut h = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"Content-Security-Policy\" content=\"{HANDOUT_CSP}\"><title>{t} — mockbank walkthrough</title><style>{CSS}</style></head><body>\
<h1>{t}</h1><p class=\"meta\">For {aud} · profile <code>{p}</code> · {n} steps · {verdict}</p>{summary}\
<h2>Sequence</h2><div class=\"diagram\">{svg}</div>",
        t = esc(&s.title),
        aud = esc(&s.audience),
        p = esc(&w.profile),
        n = s.steps.len(),
        verdict = if w.ok() { "every step met its expectation" } else { "some steps did not meet their expectation" },
        summary = markdown_html(&s.summary),
        svg = sequence_svg(&ran),
    );
    for (i, step) in s.steps.iter().enumerate() {
        let r = w.results[i].as_ref();
        let _ = write!(
            h,
            "<section class=\"step\" id=\"step-{i}\"><h2>{}. {} {}</h2>{}",
            i + 1,
            esc(&step.title),
            match r {
                Some(r) if r.ok => "<span class=\"badge ok\">as expected</span>".to_owned(),
                Some(r) => format!(
                    "<span class=\"badge bad\">{}</span>",
                    esc(r.problem.as_deref().unwrap_or("not as expected"))
                ),
                None => "<span class=\"badge bad\">not run</span>".to_owned(),
            },
            markdown_html(&step.narration)
        );
        if let Some(r) = r {
            let _ = write!(
                h,
                "<p class=\"meta\">{} on <code>{}</code>{}{}</p>",
                esc(r.action.name()),
                esc(&r.profile),
                r.deviation
                    .as_deref()
                    .filter(|d| *d != "none")
                    .map(|d| format!(", deviation <code>{}</code>", esc(d)))
                    .unwrap_or_default(),
                r.status
                    .map(|s| format!(
                        " → <b>{s}</b>{}",
                        r.deciding_check
                            .as_deref()
                            .map(|c| format!(", decided by <code>{}</code>", esc(c)))
                            .unwrap_or_default()
                    ))
                    .unwrap_or_default()
            );
            for t in &r.traces {
                exchange_html(
                    &mut h,
                    t,
                    &step.point_at.checks,
                    r.deciding_check.as_deref(),
                );
            }
            if r.traces.is_empty() && !r.response.is_null() {
                let _ = write!(h, "<h3>Answer</h3><pre>{}</pre>", esc(&pretty(&r.response)));
            }
        }
        h.push_str("</section>");
    }
    h.push_str("<p class=\"meta\">Made with mockbank. Credentials in this handout are shortened and unusable.</p></body></html>");
    h
}

fn exchange_html(h: &mut String, t: &Value, pointed: &[String], deciding: Option<&str>) {
    let _ = write!(
        h,
        "<h3>{} {} → {}</h3>",
        esc(t["method"].as_str().unwrap_or("")),
        esc(t["path"].as_str().unwrap_or("")),
        t["status"]
    );
    if let Some(c) = t["client_cert"].as_object() {
        let _ = write!(
            h,
            "<p class=\"meta\">Client certificate: {} (issuer {})</p>",
            esc(c.get("subject").and_then(Value::as_str).unwrap_or("")),
            esc(c.get("issuer").and_then(Value::as_str).unwrap_or(""))
        );
    }
    for (part, rec) in [("Request", &t["request"]), ("Response", &t["response"])] {
        let headers: String = rec["headers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|kv| Some(format!("{}: {}\n", kv[0].as_str()?, kv[1].as_str()?)))
            .collect();
        let _ = write!(
            h,
            "<details open><summary>{part}</summary><pre>{}{}</pre>",
            esc(&headers),
            esc(&pretty(&rec["body"]))
        );
        for j in rec["jwts"].as_array().into_iter().flatten() {
            let _ = write!(
                h,
                "<p class=\"meta\">JWT at <code>{}</code></p><pre>{}\n{}</pre>",
                esc(j["location"].as_str().unwrap_or("")),
                esc(&pretty(&j["header"])),
                esc(&pretty(&j["claims"]))
            );
        }
        h.push_str("</details>");
    }
    h.push_str("<table><tr><th>check</th><th>outcome</th><th>detail</th></tr>");
    for c in t["checks"].as_array().into_iter().flatten() {
        let id = c["id"].as_str().unwrap_or("");
        let class = if Some(id) == deciding {
            "deciding"
        } else if pointed.iter().any(|p| p == id) {
            "pointed"
        } else {
            ""
        };
        let _ = write!(
            h,
            "<tr class=\"{class}\"><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            esc(id),
            esc(c["outcome"].as_str().unwrap_or("")),
            esc(c["detail"].as_str().unwrap_or(""))
        );
    }
    h.push_str("</table>");
}

/// The run as Markdown.
pub fn markdown(w: &Walkthrough) -> String {
    let s = &w.scenario;
    let mut m = format!(
        "# {}\n\nFor {} · profile `{}` · {} steps\n\n{}\n\n## Sequence\n\n",
        s.title,
        s.audience,
        w.profile,
        s.steps.len(),
        s.summary.trim()
    );
    let mut n = 0;
    for r in w.results.iter().flatten() {
        for a in &r.arrows {
            n += 1;
            let _ = writeln!(
                m,
                "{n}. {} → {}: {}",
                lane_name(a.from),
                lane_name(a.to),
                a.label
            );
        }
    }
    for (i, step) in s.steps.iter().enumerate() {
        let _ = write!(
            m,
            "\n## {}. {}\n\n{}\n\n",
            i + 1,
            step.title,
            step.narration.trim()
        );
        let Some(r) = w.results[i].as_ref() else {
            m.push_str("_Not run._\n");
            continue;
        };
        let _ = writeln!(
            m,
            "**{}** — {} on `{}`{}{}\n",
            if r.ok {
                "As expected"
            } else {
                "Not as expected"
            },
            r.action.name(),
            r.profile,
            r.status.map(|s| format!(" → {s}")).unwrap_or_default(),
            r.deciding_check
                .as_deref()
                .map(|c| format!(", decided by `{c}`"))
                .unwrap_or_default()
        );
        if let Some(p) = &r.problem {
            let _ = writeln!(m, "> {p}\n");
        }
        for t in &r.traces {
            let _ = writeln!(
                m,
                "### {} {} → {}\n",
                t["method"].as_str().unwrap_or(""),
                t["path"].as_str().unwrap_or(""),
                t["status"]
            );
            for (part, rec) in [("Request", &t["request"]), ("Response", &t["response"])] {
                let body = pretty(&rec["body"]);
                if !body.is_empty() {
                    let _ = writeln!(m, "{part}:\n\n```\n{body}\n```\n");
                }
                for j in rec["jwts"].as_array().into_iter().flatten() {
                    let _ = writeln!(
                        m,
                        "JWT at `{}`:\n\n```json\n{}\n{}\n```\n",
                        j["location"].as_str().unwrap_or(""),
                        pretty(&j["header"]),
                        pretty(&j["claims"])
                    );
                }
            }
            let failed: Vec<String> = t["checks"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|c| c["outcome"] == "fail")
                .map(|c| {
                    format!(
                        "- `{}`: {}",
                        c["id"].as_str().unwrap_or(""),
                        c["detail"].as_str().unwrap_or("")
                    )
                })
                .collect();
            if !failed.is_empty() {
                let _ = writeln!(m, "Failed checks:\n\n{}\n", failed.join("\n"));
            }
        }
    }
    m
}

fn lane_name(l: Lane) -> &'static str {
    match l {
        Lane::Tpp => "TPP",
        Lane::Directory => "Directory",
        Lane::Bank => "Bank",
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn raw_html_in_narration_is_text() {
        let h = super::markdown_html("See [RFC 7591 §3](https://www.rfc-editor.org/rfc/rfc7591#section-3) <script>alert(1)</script>");
        assert!(
            h.contains("<a href=\"https://www.rfc-editor.org/rfc/rfc7591#section-3\" "),
            "{h}"
        );
        assert!(!h.contains("<script>"), "{h}");
        assert!(h.contains("&lt;script&gt;"), "{h}");
    }

    #[test]
    fn hostile_links_and_images_are_dropped() {
        let md = "[a](javascript:alert(1)) <javascript:alert(2)> [b][r] [c](JaVaScRiPt:x) \
[d](data:text/html;base64,PHNjcmlwdD4=) [e](&#106;avascript:y) [f](//evil.example/x) \
[g](relative/path) [ok](https://example.com/ok) [mail](mailto:a@example.com) [top](#step-1) \
![pic](https://evil.example/pixel.png) ![inline](data:image/png;base64,AAAA)\n\n\
[r]: javascript:alert(3)\n\n| a | b |\n|:-|-:|\n| 1 | 2 |\n";
        let h = super::markdown_html(md);
        let lower = h.to_ascii_lowercase();
        for bad in ["<img", "src=", "evil.example", "relative/path", "style="] {
            assert!(!lower.contains(bad), "{bad} in {h}");
        }
        // Every link left goes to https, http, mailto or a fragment.
        for href in lower.split("href=\"").skip(1) {
            assert!(
                ["https://", "http://", "mailto:", "#"]
                    .iter()
                    .any(|p| href.starts_with(p)),
                "{href} in {h}"
            );
        }
        assert!(h.contains("href=\"https://example.com/ok\""), "{h}");
        assert!(h.contains("href=\"mailto:a@example.com\""), "{h}");
        assert!(h.contains("href=\"#step-1\""), "{h}");
        // An image is its alt text; a table stays a table.
        assert!(h.contains("pic") && h.contains("<table>"), "{h}");
    }
}
