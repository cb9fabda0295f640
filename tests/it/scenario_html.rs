//! Scenario Markdown and handouts are sanitised (hardening, third round, finding 8): a
//! `--scenarios` file with `javascript:` and `data:` links (inline, autolinks, reference
//! links), remote and `data:` images and raw HTML reaches `narration_html`, `summary_html`
//! and the HTML handout with none of them live; the handout carries a Content-Security-
//! Policy that forbids scripts and remote loads; and a scenario named `we"ird name` gets a
//! well-formed RFC 6266 `Content-Disposition`.

use std::process::Command;

use serde_json::{json, Value};

use crate::common::{Bank, Request, BIN};

/// The hostile Markdown, in every place a scenario has Markdown.
const HOSTILE: &str = r#"[click](javascript:alert(1)) <javascript:alert(2)> [ref][evil] [upper](JavaScript:alert(4))
[entity](&#106;avascript:alert(5)) [d](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)
[vb](vbscript:msgbox) [file](file:///etc/passwd) [proto](//evil.example/x)
![remote](https://evil.example/pixel.png) ![inline](data:image/svg+xml;base64,PHN2Zz4=)
<img src="https://evil.example/raw.png"> <script>alert(6)</script>
[fine](https://www.rfc-editor.org/rfc/rfc7591#section-3)

[evil]: javascript:alert(3)
"#;

const NAME: &str = "we\"ird name";
/// `NAME` in a URL path.
const NAME_IN_URL: &str = "we%22ird%20name";

fn scenario_file() -> String {
    format!(
        "title = \"Hostile\"\naudience = \"tests\"\nprofiles = [\"generic\"]\nsummary = '''\n{HOSTILE}'''\n\n\
[[step]]\ntitle = \"Narrate\"\naction = \"narrate\"\nnarration = '''\n{HOSTILE}'''\n\n\
[[step]]\ntitle = \"Register\"\naction = \"register\"\nnarration = '''\n{HOSTILE}'''\nexpect = {{ status = 201 }}\n"
    )
}

/// The tags of `html` (text never holds a raw `<`: it is escaped).
fn tags(html: &str) -> Vec<String> {
    html.split('<')
        .skip(1)
        .map(|t| t.split('>').next().unwrap_or_default().to_ascii_lowercase())
        .collect()
}

/// No live script, no link but https/http/mailto/#fragment, nothing that loads.
#[track_caller]
fn assert_inert(html: &str, what: &str, style_allowed: bool) {
    for tag in tags(html) {
        let name = tag.split([' ', '/']).next().unwrap_or_default();
        for banned in [
            "script", "img", "iframe", "object", "embed", "link", "base", "form", "image", "video",
            "audio", "source",
        ] {
            assert_ne!(name, banned, "{what}: <{tag}> in {html}");
        }
        if !style_allowed {
            assert_ne!(name, "style", "{what}: <{tag}>");
        }
        for banned in [" src=", " srcset=", " style=", " xlink:href="] {
            assert!(!tag.contains(banned), "{what}: <{tag}>");
        }
        assert!(
            !tag.split_whitespace()
                .any(|a| a.starts_with("on") && a.contains('=')),
            "{what}: an event handler in <{tag}>"
        );
        for href in tag.split(" href=\"").skip(1) {
            assert!(
                ["https://", "http://", "mailto:", "#"]
                    .iter()
                    .any(|p| href.starts_with(p)),
                "{what}: href {href} in <{tag}>"
            );
        }
    }
    let lower = html.to_ascii_lowercase();
    for banned in [
        "href=\"javascript:",
        "href=\"data:",
        "href=\"vbscript:",
        "href=\"file:",
    ] {
        assert!(!lower.contains(banned), "{what}: {banned}");
    }
    // The harmless link survives.
    assert!(
        html.contains("href=\"https://www.rfc-editor.org/rfc/rfc7591#section-3\""),
        "{what}: {html}"
    );
}

/// The parameters of a `Content-Disposition` value (RFC 6266 §4.1): quoted strings
/// without escapes (a backslash fails the test) that end where the parameter ends, tokens
/// otherwise.
fn disposition(value: &str) -> (String, Vec<(String, String)>) {
    let (kind, mut rest) = value.split_once(';').unwrap();
    let mut params = Vec::new();
    while !rest.trim().is_empty() {
        let (name, after) = rest.trim_start().split_once('=').unwrap();
        let (val, after) = match after.strip_prefix('"') {
            Some(q) => {
                let end = q.find('"').expect("a closing quote");
                assert!(!q[..end].contains('\\'), "an escape in {value}");
                let after = q[end + 1..].trim_start();
                assert!(
                    after.is_empty() || after.starts_with(';'),
                    "text after a quoted parameter: {value}"
                );
                (&q[..end], after.strip_prefix(';').unwrap_or(after))
            }
            None => {
                let (v, a) = after.split_once(';').unwrap_or((after, ""));
                assert!(!v.trim().contains([' ', '"', '\\']), "not a token: {v}");
                (v.trim(), a)
            }
        };
        params.push((name.trim().to_ascii_lowercase(), val.to_owned()));
        rest = after;
    }
    (kind.trim().to_ascii_lowercase(), params)
}

fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

async fn admin(bank: &Bank, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut req = Request::new(method, path).bearer(&bank.admin_token);
    if let Some(b) = &body {
        req = req.json(b);
    }
    let r = bank.send(req).await;
    (
        r.status,
        serde_json::from_slice(&r.body).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn hostile_scenario_markdown_is_inert_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(format!("{NAME}.toml")), scenario_file()).unwrap();
    let scenarios = dir.path().to_str().unwrap();
    let bank = Bank::start_with(&["--scenarios", scenarios]);

    // The rendered narration and summary the Walkthrough view shows.
    let (status, s) = admin(
        &bank,
        "GET",
        &format!("/admin/scenarios/{NAME_IN_URL}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(s["name"], NAME);
    assert_inert(s["summary_html"].as_str().unwrap(), "summary_html", false);
    for step in s["steps"].as_array().unwrap() {
        assert_inert(
            step["narration_html"].as_str().unwrap(),
            "narration_html",
            false,
        );
    }

    // A run, and its handout.
    let (status, run) = admin(
        &bank,
        "POST",
        &format!("/admin/scenarios/{NAME_IN_URL}/runs"),
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 201, "{run}");
    let id = run["run_id"].as_str().unwrap().to_owned();
    for i in 0..2 {
        let (status, r) = admin(
            &bank,
            "POST",
            &format!("/admin/scenario-runs/{id}/steps/{i}"),
            None,
        )
        .await;
        assert_eq!((status, &r["ok"]), (200, &json!(true)), "{r}");
    }
    let handout = bank
        .send(
            Request::new(
                "GET",
                &format!("/admin/scenario-runs/{id}/handout?format=html"),
            )
            .bearer(&bank.admin_token),
        )
        .await;
    assert_eq!(handout.status, 200);
    let html = String::from_utf8(handout.body.to_vec()).unwrap();
    assert_handout(&html);

    // RFC 6266: an ASCII fallback without the quote, and the exact name in `filename*`.
    let cd = handout.header("content-disposition").unwrap();
    let (kind, params) = disposition(&cd);
    assert_eq!(kind, "attachment", "{cd}");
    let get = |n: &str| {
        params
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("no {n} in {cd}"))
    };
    let fallback = get("filename");
    assert!(
        !fallback.contains(['"', '\\'])
            && fallback.chars().all(|c| c.is_ascii() && !c.is_control()),
        "{cd}"
    );
    assert!(fallback.ends_with("-handout.html"), "{cd}");
    let exact = get("filename*");
    let encoded = exact
        .strip_prefix("UTF-8''")
        .unwrap_or_else(|| panic!("{cd}"));
    assert!(!encoded.contains(['"', ' ', '\\']), "{cd}");
    assert_eq!(
        String::from_utf8(percent_decode(encoded)).unwrap(),
        format!("{NAME}-handout.html")
    );
    let md = bank
        .send(
            Request::new(
                "GET",
                &format!("/admin/scenario-runs/{id}/handout?format=md"),
            )
            .bearer(&bank.admin_token),
        )
        .await;
    assert_eq!(md.status, 200);
    let cd = md.header("content-disposition").unwrap();
    assert!(
        cd.ends_with("filename*=UTF-8''we%22ird%20name-handout.md"),
        "{cd}"
    );

    // The CLI's handout is the same page.
    let file = dir.path().join("handout.html");
    let out = Command::new(BIN)
        .args([
            "scenario",
            "run",
            NAME,
            "--scenarios",
            scenarios,
            "--handout",
        ])
        .arg(&file)
        .arg("--data-dir")
        .arg(&bank.data_dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_handout(&std::fs::read_to_string(&file).unwrap());
}

#[track_caller]
fn assert_handout(html: &str) {
    assert_inert(html, "handout", true);
    // The policy comes first in <head>: no script, nothing fetched, only the inline style.
    let head = &html[..html.find("</head>").unwrap()];
    let csp_at = head
        .find("<meta http-equiv=\"Content-Security-Policy\" content=\"")
        .expect("a CSP meta in the handout's head");
    assert!(csp_at < head.find("<style>").unwrap() && csp_at < head.find("<title>").unwrap());
    let csp = &head[csp_at..];
    let csp = &csp[csp.find("content=\"").unwrap() + 9..];
    let csp = &csp[..csp.find('"').unwrap()];
    let directives: Vec<&str> = csp.split(';').map(str::trim).collect();
    for wanted in [
        "default-src 'none'",
        "script-src 'none'",
        "img-src 'none'",
        "style-src 'unsafe-inline'",
        "base-uri 'none'",
        "form-action 'none'",
    ] {
        assert!(directives.contains(&wanted), "{wanted} missing from {csp}");
    }
    // The one stylesheet is inline; the page has no script at all.
    assert_eq!(html.matches("<style").count(), 1);
    assert!(!html.to_ascii_lowercase().contains("<script"));
}
