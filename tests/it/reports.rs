//! CI reports stay bounded and well-formed (hardening, third round, findings 3 and 5).
//!
//! Finding 5: whatever a TPP puts in its requests, the JUnit report stays well-formed XML 1.0
//! and the Markdown one (appended to GitHub's job summary) shows it as code: no HTML, no link
//! or image built from it, no heading of its own. Finding 3: reports read the store a page at
//! a time, and still count every request.

use std::path::Path;
use std::process::Command;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use serde_json::{json, Value};

use crate::common::{self, Bank, Request, BIN};

/// Values a TPP can send to break a report or inject into it.
fn hostile_values() -> Vec<String> {
    let controls: String = (0u32..0x20)
        .chain([0x7f])
        .chain(0x80..0xa0)
        .filter_map(char::from_u32)
        .collect();
    [
        controls.as_str(),
        "#\u{fffe}\u{ffff}",
        "]]><![CDATA[x]]>",
        "`` ` ```",
        "`",
        "a|b||c\\|d",
        "x\n\n### Grade: no rule broken\n\n<b>bold</b>",
        "x\r\n\r\n<script>alert(1)</script>",
        "x\n| profile | requests |\n|---|---|\n| forged | 0 |",
        "<img src=x onerror=alert(1)>",
        "javascript:alert(1)",
        "[phish](https://evil.example/login)",
        "![](https://evil.example/pixel.png)",
        "<https://evil.example/auto>",
        "https://evil.example/bare www.evil.example",
        "&lt;b&gt; &#60;script&#62; &amp;",
        "</failure></testcase><testcase name=\"forged\">",
        "\" forged=\"1",
        "' forged='1",
        " leading and trailing ",
        "*em* _em_ **strong** ~~del~~ $x$ [[wiki]] [^1]",
        "\u{202e}gpj.exe\u{2028}\u{2029}",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect()
}

/// What XML 1.0 keeps of `s`: the characters it forbids become U+FFFD.
fn xml_clean(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' => c,
            c if c >= '\u{10000}' => c,
            _ => '\u{fffd}',
        })
        .collect()
}

/// What a Markdown code span of the report shows of `s`: control characters as symbols.
fn md_clean(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap(),
            '\u{7f}' => '\u{2421}',
            '\u{80}'..='\u{9f}' | '\u{2028}' | '\u{2029}' => '\u{fffd}',
            c => c,
        })
        .collect()
}

const JUNIT_READER: &str = r#"import sys, json
import xml.etree.ElementTree as E
# Expat: a strict XML 1.0 parser (no recovery); a report that is not well-formed fails here.
root = E.parse(sys.argv[1]).getroot()
assert root.tag == 'testsuites', root.tag
out = {'tests': root.get('tests'), 'failures': root.get('failures'), 'suites': []}
for s in root:
    assert s.tag == 'testsuite', s.tag
    suite = {'name': s.get('name'), 'tests': s.get('tests'), 'failures': s.get('failures'), 'cases': []}
    for c in s:
        assert c.tag == 'testcase', c.tag
        suite['cases'].append({'name': c.get('name'), 'classname': c.get('classname'),
            'attrs': sorted(c.keys()),
            'failures': [{'type': f.get('type'), 'message': f.get('message'), 'text': f.text,
                          'attrs': sorted(f.keys())} for f in c]})
    out['suites'].append(suite)
try:
    from junitparser import JUnitXml
    n = sum(1 for s in JUnitXml.fromfile(sys.argv[1]) for c in s)
    assert n == sum(len(s['cases']) for s in out['suites'])
except ImportError:
    pass
print(json.dumps(out))
"#;

/// Parses a JUnit report strictly; its suites, cases and failures as JSON.
fn junit(xml: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.xml");
    std::fs::write(&path, xml).unwrap();
    let out = Command::new("python3")
        .arg("-c")
        .arg(JUNIT_READER)
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "not well-formed JUnit: {}\n{xml}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Renders a Markdown report as GitHub would (CommonMark with its extensions) and asserts
/// that only the report made markup: no HTML, links only to the specs, its two headings,
/// table rows of four cells. Returns the text of its code spans.
#[track_caller]
fn markdown(md: &str) -> Vec<String> {
    use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_GFM
        | Options::ENABLE_MATH
        | Options::ENABLE_WIKILINKS;
    let (mut code, mut headings, mut heading) = (vec![], vec![], None::<String>);
    let (mut cells, mut rows) = (0, 0);
    for event in Parser::new_ext(md, options) {
        match event {
            Event::Html(h) | Event::InlineHtml(h) => panic!("raw HTML {h:?} in\n{md}"),
            Event::Start(Tag::Link { dest_url, .. })
            | Event::Start(Tag::Image { dest_url, .. }) => {
                assert!(
                    dest_url.starts_with("https://www.rfc-editor.org/rfc/rfc")
                        || dest_url.starts_with("https://openid.net/specs/"),
                    "a link to {dest_url} in\n{md}"
                )
            }
            Event::Start(Tag::Heading { level, .. }) => {
                heading = Some(format!("{level:?} "));
                assert!(matches!(level, HeadingLevel::H2 | HeadingLevel::H3));
            }
            Event::End(TagEnd::Heading(_)) => headings.push(heading.take().unwrap()),
            Event::Text(t) | Event::Code(t) if heading.is_some() => {
                heading.as_mut().unwrap().push_str(&t)
            }
            Event::Code(t) => code.push(t.into_string()),
            Event::InlineMath(t) | Event::DisplayMath(t) => panic!("math {t:?} in\n{md}"),
            Event::FootnoteReference(t) => panic!("footnote {t:?} in\n{md}"),
            Event::TaskListMarker(_) => panic!("task list in\n{md}"),
            Event::Start(Tag::TableCell) => cells += 1,
            Event::End(TagEnd::TableHead) | Event::End(TagEnd::TableRow) => {
                assert_eq!(cells, 4, "a table row of {cells} cells in\n{md}");
                (cells, rows) = (0, rows + 1);
            }
            Event::Start(Tag::Strikethrough)
            | Event::Start(Tag::BlockQuote(_))
            | Event::Start(Tag::CodeBlock(_))
            | Event::Start(Tag::HtmlBlock)
            | Event::Start(Tag::FootnoteDefinition(_)) => panic!("{event:?} in\n{md}"),
            _ => {}
        }
    }
    assert!(rows >= 2, "no table in\n{md}");
    assert_eq!(headings.len(), 2, "{headings:?} in\n{md}");
    assert_eq!(headings[0], "H2 mockbank: the client's requests");
    assert!(headings[1].starts_with("H3 Grade: "), "{headings:?}");
    code
}

/// The admin API's report on `query` in `format`: the JSON report, or the text of the others.
async fn api_report(bank: &Bank, query: &str, format: &str) -> Value {
    let r = bank
        .admin_get(&format!("/admin/report?format={format}&{query}"))
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/json")
    );
    let v = r.json();
    if format == "json" {
        return v;
    }
    assert_eq!(v["format"], format, "{v}");
    v["text"].clone()
}

/// `mockbank report --data-dir DIR --format FORMAT ARGS…`: its stdout.
fn cli_report(dir: &Path, format: &str, args: &[&str]) -> String {
    let out = Command::new(BIN)
        .args(["report", "--data-dir"])
        .arg(dir)
        .args(["--format", format])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("a report is UTF-8")
}

/// Asserts the reports of one client whose failed update sent `value`: `json` is the JSON
/// report, `xml` the JUnit one, `md` the Markdown one (`None` for the admin API's, where the
/// bank's own traces of the client come first).
#[track_caller]
fn assert_reports_of_one_client(value: &str, json: &Value, xml: &str, md: &str) {
    let put = json["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["method"] == "PUT")
        .unwrap_or_else(|| panic!("no PUT in {json}"));
    let failed = put["failed_checks"].as_array().unwrap();
    // The value reached the report: a check's detail quotes it (its start, at least: a URI
    // check may stop at a character no URI holds).
    let quoted: String = value.chars().take(16).collect();
    assert!(
        failed
            .iter()
            .any(|f| f["detail"].as_str().unwrap().contains(&quoted)),
        "{value:?} not quoted in {put}"
    );
    // JUnit: well-formed, one case per request, the details back as sent but for what XML
    // 1.0 cannot hold, and nothing forged.
    let x = junit(xml);
    let cases: Vec<&Value> = x["suites"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["cases"].as_array().unwrap())
        .collect();
    assert_eq!(
        cases.len(),
        json["requests"].as_array().unwrap().len(),
        "{x}"
    );
    for c in &cases {
        assert_eq!(c["attrs"], json!(["classname", "name", "time"]), "{c}");
        assert_ne!(c["name"], "forged");
    }
    let put_case = cases
        .iter()
        .find(|c| c["name"].as_str().unwrap().starts_with("PUT "))
        .unwrap();
    let failures = put_case["failures"].as_array().unwrap();
    assert_eq!(failures.len(), failed.len(), "{put_case}");
    for check in failed {
        let (id, detail) = (
            check["id"].as_str().unwrap(),
            check["detail"].as_str().unwrap(),
        );
        let f = failures.iter().find(|f| f["type"] == id).unwrap();
        assert_eq!(f["attrs"], json!(["message", "type"]), "{f}");
        let clean = xml_clean(detail);
        assert_eq!(f["message"].as_str().unwrap(), format!("{id}: {clean}"));
        assert!(
            f["text"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{clean} (")),
            "{f}"
        );
    }

    // Markdown: only the report's own markup; the example detail is one code span.
    let code = markdown(md);
    for check in failed {
        let (id, detail) = (
            check["id"].as_str().unwrap(),
            check["detail"].as_str().unwrap(),
        );
        let line = md
            .lines()
            .find(|l| l.contains(&format!("`{id}`")))
            .unwrap_or_else(|| panic!("{id} not graded:\n{md}"));
        assert!(line.starts_with("- **"), "{line}");
        let shown = md_clean(detail);
        assert!(
            code.contains(&shown) || code.contains(&shown.trim_matches(' ').to_owned()),
            "{shown:?} not among the code spans {code:?}"
        );
    }
    assert!(!md.contains('\r') && !md.contains('\u{0}'));
}

async fn client_with_a_hostile_update(bank: &Bank, value: &str) -> String {
    let reg = common::register(bank, "generic", &common::generic_client()).await;
    let id = reg["client_id"].as_str().unwrap().to_owned();
    let mut body = common::generic_client();
    body["client_id"] = id.clone().into();
    body["redirect_uris"] = json!([format!("https://tpp.example/cb#{value}")]);
    body["contacts"] = json!([value]);
    let r = bank
        .send(
            Request::new("PUT", &format!("/generic/register/{id}"))
                .bearer(reg["registration_access_token"].as_str().unwrap())
                .json(&body),
        )
        .await;
    assert_eq!(r.status, 400, "{}", String::from_utf8_lossy(&r.body));
    id
}

/// Each hostile value in turn, sent in a client's redirect URI and contacts: the client's
/// reports in every format, from the admin API and from `mockbank report`, are well-formed
/// and carry the value as data only. Then the whole store's reports, with lone surrogates and
/// hostile paths (a path's first segment is the profile a report groups by) in it too.
#[tokio::test]
async fn hostile_values_neither_break_nor_inject_into_reports() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    std::fs::create_dir(&dir).unwrap();
    let bank = Bank::start_in(&dir, &[]);
    let mut clients = Vec::new();
    for value in hostile_values() {
        let id = client_with_a_hostile_update(&bank, &value).await;
        let q = format!("client_id={id}");
        let json = api_report(&bank, &q, "json").await;
        let xml = api_report(&bank, &q, "junit").await;
        let md = api_report(&bank, &q, "markdown").await;
        assert_reports_of_one_client(&value, &json, xml.as_str().unwrap(), md.as_str().unwrap());
        clients.push((id, value));
    }

    // Lone surrogates, as JSON text can spell them.
    let reg = common::register(&bank, "generic", &common::generic_client()).await;
    let id = reg["client_id"].as_str().unwrap();
    let raw = format!(
        r#"{{"client_id":"{id}","redirect_uris":["https://tpp.example/cb#\ud800x\udfff"],"contacts":["\udc00","\ud83d"],"client_name":"\ud800"}}"#
    );
    let r = bank
        .send(
            Request::new("PUT", &format!("/generic/register/{id}"))
                .bearer(reg["registration_access_token"].as_str().unwrap())
                .raw("application/json", raw),
        )
        .await;
    assert!(r.status >= 400, "{}", String::from_utf8_lossy(&r.body));
    // Paths: their first segment is the profile of the trace (an unknown one here).
    let mut hostile_paths = 0;
    for path in [
        "/<img%20src=x%20onerror=alert(1)>/register",
        "/a|b`c`<b>/register",
        "/%3Cimg%20src=x%20onerror=alert(1)%3E/register",
        "/%0A%0A%23%23%23%20Grade/register",
        "/![](https:%2F%2Fevil.example%2Fp.png)/register",
        "/]]%3E%3C!--/register",
    ] {
        if let Some(status) = raw_post(&bank, path).await {
            assert!(status >= 400, "{path}: {status}");
            hostile_paths += 1;
        }
    }
    assert!(hostile_paths > 0, "no hostile path reached the trace layer");
    for format in ["junit", "markdown", "json"] {
        let text = api_report(&bank, "", format).await;
        check_whole_store(
            format,
            &text.as_str().map_or(text.to_string(), str::to_owned),
        );
    }
    assert_eq!(bank.stop().code(), Some(0));

    // `mockbank report`, from the data dir: the same reports.
    for format in ["junit", "markdown", "json"] {
        check_whole_store(format, &cli_report(&dir, format, &[]));
    }
    for (id, value) in clients.iter().step_by(3) {
        let json: Value =
            serde_json::from_str(&cli_report(&dir, "json", &["--client-id", id])).unwrap();
        let xml = cli_report(&dir, "junit", &["--client-id", id]);
        let md = cli_report(&dir, "markdown", &["--client-id", id]);
        assert_reports_of_one_client(value, &json, &xml, &md);
    }
}

/// The whole store's report in `format`: well-formed, every request in it, nothing injected.
#[track_caller]
fn check_whole_store(format: &str, text: &str) {
    match format {
        "junit" => {
            let x = junit(text);
            let n: usize = x["suites"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["cases"].as_array().unwrap().len())
                .sum();
            assert_eq!(x["tests"], n.to_string(), "{x}");
            assert!(x["suites"].as_array().unwrap().len() > 1, "{x}");
            for s in x["suites"].as_array().unwrap() {
                for c in s["cases"].as_array().unwrap() {
                    assert_ne!(c["name"], "forged");
                    for f in c["failures"].as_array().unwrap() {
                        assert_eq!(f["attrs"], json!(["message", "type"]), "{f}");
                    }
                }
            }
        }
        "markdown" => {
            let code = markdown(text);
            assert!(!code.is_empty());
            assert!(!text.contains('\r'));
        }
        _ => {
            let v: Value = serde_json::from_str(text).unwrap();
            assert_eq!(
                v["summary"]["requests"].as_u64().unwrap() as usize,
                v["requests"].as_array().unwrap().len()
            );
        }
    }
}

/// Sends `POST path` as written, bytes on the wire; the status, or `None` if the answer
/// is not of a traced request (the server refused the request line).
async fn raw_post(bank: &Bank, path: &str) -> Option<u16> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut tls = bank
        .tls_stream(None, vec![b"http/1.1".to_vec()])
        .await
        .unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nhost: {}\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{{}}",
        bank.addr
    );
    tls.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let _ = tls.read_to_end(&mut answer).await;
    let answer = String::from_utf8_lossy(&answer).to_ascii_lowercase();
    let status = answer.get(9..12)?.parse().ok()?;
    answer
        .contains(&format!("\r\n{}:", mockbank_http::TRACE_ID_HEADER))
        .then_some(status)
}

/// More requests than a report page holds (256), in two profiles: every report counts each
/// of them once, in order, from the admin API and from `mockbank report`.
#[tokio::test]
async fn reports_read_in_pages_count_every_request() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    std::fs::create_dir(&dir).unwrap();
    let bank = Bank::start_in(&dir, &[]);
    let good = serde_json::to_vec(&json!({"redirect_uris": ["https://tpp.example/cb"]})).unwrap();
    let bad =
        serde_json::to_vec(&json!({"redirect_uris": ["https://tpp.example/cb#frag"]})).unwrap();
    let (n, mut failing, mut unknown) = (700, 0, 0);
    let mut statuses = Vec::new();
    let mut sender = bank.connect(None).await;
    for i in 0..n {
        let (path, body, expect) = if i % 7 == 3 {
            unknown += 1;
            ("/nosuch/register", &good, 404)
        } else if i % 3 == 0 {
            failing += 1;
            ("/generic/register", &bad, 400)
        } else {
            ("/generic/register", &good, 201)
        };
        let req = hyper::Request::builder()
            .method("POST")
            .uri(path)
            .header("host", &bank.addr)
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(body.clone())))
            .unwrap();
        let resp = sender.send_request(req).await.unwrap();
        assert_eq!(resp.status(), expect, "{path}");
        statuses.push(u64::from(expect));
        resp.into_body().collect().await.unwrap();
    }
    let generic = n - unknown;

    let check_json = |v: &Value| {
        assert_eq!(v["summary"]["requests"], n, "{}", v["summary"]);
        assert_eq!(v["summary"]["failed_requests"], failing);
        let requests = v["requests"].as_array().unwrap();
        assert_eq!(requests.len(), n);
        let mut ids: Vec<&str> = requests
            .iter()
            .map(|r| r["trace_id"].as_str().unwrap())
            .collect();
        let sent: Vec<u64> = requests
            .iter()
            .map(|r| r["status"].as_u64().unwrap())
            .collect();
        assert_eq!(sent, statuses, "oldest first, as sent");
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), n, "each request once");
        assert_eq!(
            requests.iter().filter(|r| r["profile"] == "nosuch").count(),
            unknown
        );
        assert_eq!(v["grade"][0]["check"], "generic.redirect.no_fragment");
        assert_eq!(v["grade"][0]["count"], failing);
    };
    let check_junit = |xml: &str| {
        let x = junit(xml);
        assert_eq!(x["tests"], n.to_string());
        assert_eq!(x["failures"], failing.to_string());
        let suites = x["suites"].as_array().unwrap();
        let names: Vec<&str> = suites.iter().map(|s| s["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["generic", "nosuch"]);
        assert_eq!(suites[0]["tests"], generic.to_string());
        assert_eq!(suites[0]["cases"].as_array().unwrap().len(), generic);
        assert_eq!(suites[1]["cases"].as_array().unwrap().len(), unknown);
        let failed: usize = suites[0]["cases"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| !c["failures"].as_array().unwrap().is_empty())
            .count();
        assert_eq!(failed, failing);
    };
    let check_markdown = |md: &str| {
        markdown(md);
        assert!(
            md.contains(&format!(
                "| `generic` | {generic} | {failing} | {failing} |"
            )),
            "{md}"
        );
        assert!(
            md.contains(&format!("| `nosuch` | {unknown} | 0 | 0 |")),
            "{md}"
        );
        assert!(
            md.contains(&format!("`generic.redirect.no_fragment`, {failing}×")),
            "{md}"
        );
    };
    check_json(&api_report(&bank, "", "json").await);
    check_junit(api_report(&bank, "", "junit").await.as_str().unwrap());
    check_markdown(api_report(&bank, "", "markdown").await.as_str().unwrap());
    let one = api_report(&bank, "profile=nosuch", "json").await;
    assert_eq!(one["summary"]["requests"], unknown);
    assert_eq!(one["requests"].as_array().unwrap().len(), unknown);
    assert_eq!(bank.stop().code(), Some(0));

    check_json(&serde_json::from_str(&cli_report(&dir, "json", &[])).unwrap());
    check_junit(&cli_report(&dir, "junit", &[]));
    check_markdown(&cli_report(&dir, "markdown", &[]));
}
