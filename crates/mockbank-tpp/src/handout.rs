//! Handouts: a walkthrough run as one self-contained HTML file (inline CSS, the sequence
//! diagram as inline SVG, no script, nothing fetched — and a Content-Security-Policy that
//! says so) or as Markdown — the narration, the real requests and responses with decoded
//! JWTs, and each step's checks — for a trainee to keep. Also the narration's Markdown →
//! HTML, shared with the Walkthrough view.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::sync::LazyLock;

use mockbank_core::trace::{OutcomeKind, Trace};
use pulldown_cmark::{html, Event, Options, Parser, Tag, TagEnd};
use serde_json::Value;

use crate::walkthrough::Walkthrough;
use mockbank_core::wire::walkthrough::{Arrow, ArrowKind, Lane, StepResult};

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

/// The diagram's lanes' names, left to right (as [`lane_index`] numbers them).
const LANE_NAMES: [&str; 3] = [
    Lane::ALL[0].title(),
    Lane::ALL[1].title(),
    Lane::ALL[2].title(),
];

fn lane_index(l: Lane) -> usize {
    Lane::ALL.iter().position(|x| *x == l).unwrap_or(0)
}

/// What a label character is taken to advance at the labels' 12px font: a little more than
/// an average sans-serif character, as the browser's own widths are not known here.
const LABEL_CHAR_WIDTH: f64 = 7.2;
/// Between a label's end and a lifeline: room for an arrowhead and some air.
const LABEL_CLEARANCE: f64 = 18.0;
const LANE_BOX_WIDTH: f64 = 140.0;
/// From the diagram's edge to the outer lifelines: half a lane box and a margin.
const SIDE_MARGIN: f64 = LANE_BOX_WIDTH / 2.0 + 10.0;
/// Between two lifelines even when every label between them is short (the lane boxes
/// never touch).
const MIN_GAP: f64 = 220.0;
const _: () = assert!(MIN_GAP > LANE_BOX_WIDTH);
/// Where the first arrow row starts (below the lane boxes), and the height of a row.
const FIRST_ROW: f64 = 60.0;
const ROW: f64 = 38.0;

fn label_width(text: &str) -> f64 {
    text.chars().count() as f64 * LABEL_CHAR_WIDTH
}

/// One arrow where it is drawn: from `x1` to `x2` at height `y`, its label centred on
/// `label_x` in the gap between the lifelines next to the arrow's start.
struct PlacedArrow<'a> {
    step: usize,
    arrow: &'a Arrow,
    label: String,
    x1: f64,
    x2: f64,
    y: f64,
    label_x: f64,
}

/// The diagram laid out from its labels' widths: each pair of neighbouring lifelines as far
/// apart as the longest label drawn between them needs.
struct SequenceLayout<'a> {
    lane_x: [f64; 3],
    width: f64,
    height: f64,
    arrows: Vec<PlacedArrow<'a>>,
}

/// The gap (0: TPP–Directory, 1: Directory–Bank) an arrow's label is drawn in: the one it
/// leaves its start lane through, so a label never crosses a lifeline even when its arrow
/// passes the Directory's.
fn label_gap(a: &Arrow) -> usize {
    let (from, to) = (lane_index(a.from), lane_index(a.to));
    if to >= from {
        from.min(LANE_NAMES.len() - 2)
    } else {
        from - 1
    }
}

fn layout_sequence<'a>(arrows: &[(usize, &'a Arrow)]) -> SequenceLayout<'a> {
    let labels: Vec<String> = arrows
        .iter()
        .enumerate()
        .map(|(n, (_, a))| format!("{}. {}", n + 1, a.label))
        .collect();
    let mut gaps = [MIN_GAP; 2];
    for ((_, a), label) in arrows.iter().zip(&labels) {
        let gap = &mut gaps[label_gap(a)];
        // Whole pixels: the SVG's numbers stay short.
        *gap = gap.max((label_width(label) + 2.0 * LABEL_CLEARANCE).ceil());
    }
    let lane_x = [
        SIDE_MARGIN,
        SIDE_MARGIN + gaps[0],
        SIDE_MARGIN + gaps[0] + gaps[1],
    ];
    let placed = arrows
        .iter()
        .zip(labels)
        .enumerate()
        .map(|(n, ((step, a), label))| {
            let gap = label_gap(a);
            PlacedArrow {
                step: *step,
                arrow: a,
                label,
                x1: lane_x[lane_index(a.from)],
                x2: lane_x[lane_index(a.to)],
                y: FIRST_ROW + ROW * (n as f64 + 0.5),
                label_x: (lane_x[gap] + lane_x[gap + 1]) / 2.0,
            }
        })
        .collect();
    SequenceLayout {
        lane_x,
        width: lane_x[2] + SIDE_MARGIN,
        height: FIRST_ROW + ROW * (arrows.len() as f64 + 1.0),
        arrows: placed,
    }
}

/// The run's sequence diagram: three lifelines and every arrow in order, numbered, each
/// linking to its step in the handout. Its viewBox is the laid-out size; the page's style
/// scales it to the width of its box.
pub fn sequence_svg(steps: &[&StepResult]) -> String {
    let arrows: Vec<(usize, &Arrow)> = steps
        .iter()
        .flat_map(|s| s.arrows.iter().map(move |a| (s.index, a)))
        .collect();
    svg_of(&layout_sequence(&arrows))
}

fn svg_of(layout: &SequenceLayout) -> String {
    let SequenceLayout {
        lane_x,
        width,
        height,
        ..
    } = layout;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"sequence\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"Sequence diagram: TPP, Directory, Bank\">\
<defs><marker id=\"head\" markerWidth=\"10\" markerHeight=\"8\" refX=\"9\" refY=\"4\" orient=\"auto\"><path d=\"M0,0 L10,4 L0,8 z\" fill=\"#333\"/></marker></defs>"
    );
    for (name, x) in LANE_NAMES.iter().zip(lane_x) {
        let _ = write!(
            svg,
            "<rect x=\"{}\" y=\"8\" width=\"{LANE_BOX_WIDTH}\" height=\"32\" rx=\"6\" fill=\"#eef2f7\" stroke=\"#445\"/>\
<text x=\"{x}\" y=\"29\" text-anchor=\"middle\" font-weight=\"bold\">{name}</text>\
<line x1=\"{x}\" y1=\"40\" x2=\"{x}\" y2=\"{height}\" stroke=\"#99a\" stroke-dasharray=\"4 4\"/>",
            x - LANE_BOX_WIDTH / 2.0
        );
    }
    for a in &layout.arrows {
        let PlacedArrow {
            step, x1, x2, y, ..
        } = a;
        let colour = match a.arrow.status {
            Some(s) if s >= 400 => "#b3261e",
            Some(_) => "#1b6e3a",
            None => "#333",
        };
        let dash = if a.arrow.kind == ArrowKind::Request {
            ""
        } else {
            " stroke-dasharray=\"6 3\""
        };
        let _ = write!(
            svg,
            "<a href=\"#step-{step}\"><g class=\"arrow\" data-step=\"{step}\"{}>\
<line x1=\"{x1}\" y1=\"{y}\" x2=\"{x2}\" y2=\"{y}\" stroke=\"{colour}\" stroke-width=\"1.6\"{dash} marker-end=\"url(#head)\"/>\
<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"12\" fill=\"{colour}\">{}</text></g></a>",
            a.arrow
                .trace_id
                .as_ref()
                .map(|t| format!(" data-trace-id=\"{}\"", esc(t)))
                .unwrap_or_default(),
            a.label_x,
            y - 6.0,
            esc(&a.label)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Steps fold (`<details>`, no script) and their exchanges start folded, so the page reads
/// as the narration; printed, every section is open (`::details-content`, where the browser
/// has it). Tokens and other long values wrap instead of running out of their box.
const CSS: &str = "body{font:16px/1.5 system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#1d1d1f}\
h1{font-size:2em;margin-bottom:.2em}.meta{color:#555}summary{cursor:pointer}\
details.step{border-top:2px solid #dde;margin-top:2em;padding-top:1em}details.step>summary h2{display:inline;margin:0}\
details.exchange{margin:.8em 0;border:1px solid #dde;border-radius:6px;padding:.4em .8em}details.exchange>summary{font-weight:600}\
details.exchange h4{margin:.8em 0 .3em}\
.badge{display:inline-block;padding:0 .5em;border-radius:4px;font-size:.85em;color:#fff}.ok{background:#1b6e3a}.bad{background:#b3261e}\
pre{background:#f5f6f8;padding:.7em;font-size:13px;border-radius:4px;white-space:pre-wrap;overflow-wrap:anywhere}\
code,td{overflow-wrap:anywhere}table{border-collapse:collapse;width:100%;font-size:14px}\
td,th{border-bottom:1px solid #e3e3e8;padding:.25em .4em;text-align:left;vertical-align:top}tr.pointed{background:#fff6d6}tr.deciding td{color:#b3261e;font-weight:bold}\
.diagram{border:1px solid #dde;border-radius:6px;padding:.5em}.diagram svg{display:block;width:100%;height:auto}\
@media print{details.step{break-inside:avoid-page}details::details-content{content-visibility:visible;display:block}}";

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
            "<details class=\"step\" id=\"step-{i}\" open><summary><h2>{}. {} {}</h2></summary>{}",
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
                let _ = write!(
                    h,
                    "<details class=\"exchange\"><summary>Answer</summary><pre>{}</pre></details>",
                    esc(&pretty(&r.response))
                );
            }
        }
        h.push_str("</details>");
    }
    h.push_str("<p class=\"meta\">Made with mockbank. Credentials in this handout are shortened and unusable.</p></body></html>");
    h
}

/// One traced exchange, folded under its request line and how its checks came out.
fn exchange_html(h: &mut String, t: &Trace, pointed: &[String], deciding: Option<&str>) {
    let count = |outcome: OutcomeKind| t.checks.iter().filter(|c| c.outcome == outcome).count();
    let _ = write!(
        h,
        "<details class=\"exchange\"><summary>{} {} → {} · checks: {} passed, {} failed, {} skipped</summary>",
        esc(&t.method),
        esc(&t.path),
        t.status,
        count(OutcomeKind::Pass),
        count(OutcomeKind::Fail),
        count(OutcomeKind::Skip)
    );
    if let Some(c) = &t.client_cert {
        let _ = write!(
            h,
            "<p class=\"meta\">Client certificate: {} (issuer {})</p>",
            esc(&c.subject),
            esc(&c.issuer)
        );
    }
    for (part, rec) in [("Request", &t.request), ("Response", &t.response)] {
        let headers: String = rec
            .headers
            .iter()
            .map(|(k, v)| format!("{k}: {v}\n"))
            .collect();
        let _ = write!(
            h,
            "<h4>{part}</h4><pre>{}{}</pre>",
            esc(&headers),
            esc(&pretty(&rec.body))
        );
        for j in rec.jwts().iter() {
            let _ = write!(
                h,
                "<p class=\"meta\">JWT at <code>{}</code></p><pre>{}\n{}</pre>",
                esc(&j.location),
                esc(&pretty(&j.header)),
                esc(&pretty(&j.claims))
            );
        }
    }
    h.push_str("<h4>Checks</h4><table><tr><th>check</th><th>outcome</th><th>detail</th></tr>");
    for c in &t.checks {
        let id = &*c.id;
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
            c.outcome.as_str(),
            esc(&c.detail)
        );
    }
    h.push_str("</table></details>");
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
            let _ = writeln!(m, "### {} {} → {}\n", t.method, t.path, t.status);
            for (part, rec) in [("Request", &t.request), ("Response", &t.response)] {
                let body = pretty(&rec.body);
                if !body.is_empty() {
                    let _ = writeln!(m, "{part}:\n\n```\n{body}\n```\n");
                }
                for j in rec.jwts().iter() {
                    let _ = writeln!(
                        m,
                        "JWT at `{}`:\n\n```json\n{}\n{}\n```\n",
                        j.location,
                        pretty(&j.header),
                        pretty(&j.claims)
                    );
                }
            }
            let failed: Vec<String> = t
                .checks
                .iter()
                .filter(|c| c.outcome == OutcomeKind::Fail)
                .map(|c| format!("- `{}`: {}", c.id, c.detail))
                .collect();
            if !failed.is_empty() {
                let _ = writeln!(m, "Failed checks:\n\n{}\n", failed.join("\n"));
            }
        }
    }
    m
}

fn lane_name(l: Lane) -> &'static str {
    l.title()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arrow(from: Lane, to: Lane, label: &str) -> Arrow {
        Arrow {
            from,
            to,
            label: label.into(),
            trace_id: None,
            status: None,
            kind: ArrowKind::Request,
        }
    }

    /// An OBUK onboarding and a broken registration, as the walkthrough draws them.
    fn obuk_arrows() -> Vec<Arrow> {
        vec![
            arrow(Lane::Tpp, Lane::Directory, "POST /directory/software"),
            arrow(Lane::Directory, Lane::Tpp, "201: certificates, keys, SSA"),
            arrow(
                Lane::Tpp,
                Lane::Bank,
                "POST /obuk-v3.2/register [tampered_ssa]",
            ),
            arrow(
                Lane::Bank,
                Lane::Directory,
                "SSA signature: directory keys; software status",
            ),
            arrow(Lane::Bank, Lane::Tpp, "400 invalid_software_statement"),
        ]
    }

    fn numbered(arrows: &[Arrow]) -> Vec<(usize, &Arrow)> {
        arrows.iter().map(|a| (0, a)).collect()
    }

    #[test]
    fn every_label_fits_between_its_lifelines_clear_of_the_arrowheads() {
        let arrows = obuk_arrows();
        let layout = layout_sequence(&numbered(&arrows));
        for a in &layout.arrows {
            let gap = label_gap(a.arrow);
            let (left, right) = (layout.lane_x[gap], layout.lane_x[gap + 1]);
            let half = label_width(&a.label) / 2.0;
            assert!(
                label_width(&a.label) + 2.0 * LABEL_CLEARANCE <= right - left,
                "{}: {} wide in a gap of {}",
                a.label,
                label_width(&a.label),
                right - left
            );
            assert!(
                a.label_x - half >= left + LABEL_CLEARANCE
                    && a.label_x + half <= right - LABEL_CLEARANCE,
                "{} at {} between {left} and {right}",
                a.label,
                a.label_x
            );
            // No lifeline runs through a label.
            for x in layout.lane_x {
                assert!(
                    x <= a.label_x - half || x >= a.label_x + half,
                    "{} crosses the lifeline at {x}",
                    a.label
                );
            }
        }
    }

    #[test]
    fn lifelines_move_apart_only_for_the_labels_between_them() {
        let short = [
            arrow(Lane::Tpp, Lane::Directory, "GET /x"),
            arrow(Lane::Bank, Lane::Tpp, "200"),
        ];
        let layout = layout_sequence(&numbered(&short));
        assert_eq!(layout.lane_x[1] - layout.lane_x[0], MIN_GAP);
        assert_eq!(layout.lane_x[2] - layout.lane_x[1], MIN_GAP);

        let long_label = "SSA signature: directory keys; software status, and then some";
        let long = [
            arrow(Lane::Tpp, Lane::Directory, "GET /x"),
            arrow(Lane::Bank, Lane::Directory, long_label),
        ];
        let layout = layout_sequence(&numbered(&long));
        assert_eq!(layout.lane_x[1] - layout.lane_x[0], MIN_GAP);
        let wanted = (label_width(&format!("2. {long_label}")) + 2.0 * LABEL_CLEARANCE).ceil();
        assert_eq!(layout.lane_x[2] - layout.lane_x[1], wanted);
    }

    #[test]
    fn the_view_box_is_the_laid_out_size() {
        let arrows = obuk_arrows();
        let layout = layout_sequence(&numbered(&arrows));
        assert_eq!(layout.width, layout.lane_x[2] + SIDE_MARGIN);
        assert_eq!(layout.height, FIRST_ROW + ROW * (arrows.len() as f64 + 1.0));
        let svg = svg_of(&layout);
        assert!(
            svg.contains(&format!(
                "viewBox=\"0 0 {} {}\"",
                layout.width, layout.height
            )),
            "{svg}"
        );
        // Nothing is drawn outside it: every x is within the width.
        for x in svg
            .split(" x=\"")
            .skip(1)
            .chain(svg.split(" x2=\"").skip(1))
        {
            let x: f64 = x[..x.find('"').unwrap()].parse().unwrap();
            assert!((0.0..=layout.width).contains(&x), "x={x} in {svg}");
        }
        // The labels, numbered in order.
        for (n, a) in arrows.iter().enumerate() {
            assert!(svg.contains(&format!(">{}. {}</text>", n + 1, esc(&a.label))));
        }
    }

    #[test]
    fn an_exchange_is_folded_under_its_request_line_with_its_check_counts() {
        let trace: Trace = serde_json::from_value(serde_json::json!({
            "seq": 1, "id": "t1", "time": "2026-12-05T00:00:00Z", "time_ms": 0,
            "profile": "obuk-v3.2",
            "method": "POST",
            "path": "/obuk-v3.2/register",
            "status": 400,
            "client_id": null, "client_cert": null,
            "request": {"headers": [["content-type", "application/jose"]], "body": "eyJ.long.token"},
            "response": {"headers": [], "body": {"error": "invalid_software_statement"}},
            "checks": [
                {"id": "mtls.trusted", "outcome": "pass", "detail": "ok"},
                {"id": "ssa.signature", "outcome": "fail", "detail": "bad signature"},
                {"id": "obuk.auth_method.signing_alg", "outcome": "skip", "detail": ""},
            ],
            "summary": {"pass": 1, "fail": 1, "skip": 1},
            "failed_check": "ssa.signature", "duration_us": 0,
        }))
        .unwrap();
        let mut h = String::new();
        exchange_html(&mut h, &trace, &[], Some("ssa.signature"));
        assert!(
            h.starts_with(
                "<details class=\"exchange\"><summary>POST /obuk-v3.2/register → 400 · checks: 1 passed, 1 failed, 1 skipped</summary>"
            ),
            "{h}"
        );
        assert!(h.ends_with("</table></details>"), "{h}");
        assert!(h.contains("<pre>content-type: application/jose\neyJ.long.token</pre>"));
        assert!(h.contains("<tr class=\"deciding\"><td><code>ssa.signature</code>"));
    }

    #[test]
    fn raw_html_in_narration_is_text() {
        let h = markdown_html("See [RFC 7591 §3](https://www.rfc-editor.org/rfc/rfc7591#section-3) <script>alert(1)</script>");
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
        let h = markdown_html(md);
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
