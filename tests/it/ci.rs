//! CI mode as a TPP developer's pipeline uses it: `mockbank run [--report F]… -- COMMAND`
//! around the client's own command, and `mockbank report` from the data dir afterwards.

use std::process::{Command, Stdio};
use std::time::Duration;

use crate::common::BIN;

const REGISTER: &str = r#"curl -sS --cacert "$MOCKBANK_CA_CERT" -H 'Content-Type: application/json' -d "$BODY" "$MOCKBANK_BASE_URL/generic/register""#;

fn run(args: &[&str], body: &str) -> (i32, String) {
    let out = Command::new(BIN)
        .arg("run")
        .args(args)
        .env("BODY", body)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const JUNIT_READER: &str = r#"import sys
try:
    from junitparser import JUnitXml, Failure
    for s in JUnitXml.fromfile(sys.argv[1]):
        for c in s:
            print(c.name + '|' + ','.join(r.type for r in c.result if isinstance(r, Failure)))
except ImportError:
    import xml.etree.ElementTree as E
    root = E.parse(sys.argv[1]).getroot()
    assert root.tag == 'testsuites'
    for s in root.iter('testsuite'):
        for c in s.iter('testcase'):
            print(c.get('name') + '|' + ','.join(f.get('type') for f in c.iter('failure')))
"#;

/// Reads JUnit XML with `junitparser` (the JUnit reader CI tools use; scripts/test.sh installs
/// it; without it, Python's XML parser and the same structure) and prints
/// `testcase-name|failure-type,…` lines.
fn junit_cases(path: &std::path::Path) -> String {
    let out = Command::new("python3")
        .arg("-c")
        .arg(JUNIT_READER)
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn run_wraps_a_command_and_writes_its_reports() {
    let tmp = tempfile::tempdir().unwrap();
    let xml = tmp.path().join("mockbank.xml");
    let good = r#"{"redirect_uris":["https://tpp.example/cb"],"client_name":"ci"}"#;
    let (code, err) = run(
        &[
            "--report",
            xml.to_str().unwrap(),
            "--",
            "sh",
            "-c",
            REGISTER,
        ],
        good,
    );
    assert_eq!(code, 0, "{err}");
    let cases = junit_cases(&xml);
    assert!(cases.contains("POST /generic/register → 201|\n"), "{cases}");

    // A bad registration fails the job with --fail-on-check-failures, naming the check.
    let bad = r#"{"redirect_uris":["https://tpp.example/cb#frag"],"client_name":"ci"}"#;
    let (code, _) = run(
        &[
            "--report",
            xml.to_str().unwrap(),
            "--fail-on-check-failures",
            "--",
            "sh",
            "-c",
            REGISTER,
        ],
        bad,
    );
    assert_eq!(code, 1);
    let cases = junit_cases(&xml);
    assert!(
        cases.contains("POST /generic/register → 400|generic.redirect.no_fragment"),
        "{cases}"
    );
    // Without the flag COMMAND's own status decides.
    let (code, _) = run(&["--", "sh", "-c", REGISTER], bad);
    assert_eq!(code, 0);
    let (code, _) = run(&["--", "sh", "-c", "exit 7"], good);
    assert_eq!(code, 7, "COMMAND's status is passed on");
    // mockbank's own failure is 2.
    let (code, err) = run(&["--report", "x.txt", "--", "true"], good);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn report_from_a_stopped_data_dir_matches_and_grades_each_mistake() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let (xml, md) = (tmp.path().join("r.xml"), tmp.path().join("r.md"));
    // Three distinct mistakes in one request.
    let body = r#"{"redirect_uris":["https://tpp.example/cb#x"],"client_name":"ci","grant_types":["urn:nope"],"response_types":["code"]}"#;
    let (code, err) = run(
        &[
            "--data-dir",
            dir.to_str().unwrap(),
            "--report",
            xml.to_str().unwrap(),
            "--report",
            md.to_str().unwrap(),
            "--",
            "sh",
            "-c",
            REGISTER,
        ],
        body,
    );
    assert_eq!(code, 0, "{err}");
    let again = Command::new(BIN)
        .args([
            "report",
            "--data-dir",
            dir.to_str().unwrap(),
            "--format",
            "junit",
        ])
        .output()
        .unwrap();
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    // The same report, and after it a comment saying where its trace ids can be opened.
    let written = std::fs::read_to_string(&xml).unwrap();
    let note = written
        .strip_prefix(&*String::from_utf8_lossy(&again.stdout))
        .unwrap_or_else(|| panic!("the run wrote another report:\n{written}"));
    assert!(
        note.trim()
            .starts_with("<!-- mockbank: the trace ids above are traces kept in")
            && note.contains(dir.to_str().unwrap())
            && note.trim().ends_with("-->"),
        "{note}"
    );
    let grade = std::fs::read_to_string(&md).unwrap();
    for (check, link) in [
        (
            "generic.redirect.no_fragment",
            "https://www.rfc-editor.org/rfc/rfc6749#section-3.1.2",
        ),
        (
            "generic.grant_types.supported",
            "https://www.rfc-editor.org/rfc/rfc7591#section-2",
        ),
        (
            "generic.grant_response.consistent",
            "https://www.rfc-editor.org/rfc/rfc7591#section-2.1",
        ),
    ] {
        let line = grade
            .lines()
            .find(|l| l.contains(&format!("`{check}`")))
            .unwrap_or_else(|| panic!("{check} not graded:\n{grade}"));
        assert!(line.contains(link), "{line}");
        assert!(line.contains(" (trace `"), "the example's trace id: {line}");
    }
    assert!(
        grade.contains("The trace ids above are traces kept in"),
        "{grade}"
    );
    let json = Command::new(BIN)
        .args([
            "report",
            "--data-dir",
            dir.to_str().unwrap(),
            "--format",
            "json",
            "--profile",
            "stet",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["summary"]["requests"], 0, "filtered by profile");
}

#[test]
fn sigterm_stops_the_command_and_mockbank() {
    let marker = "31.4159";
    let mut child = Command::new(BIN)
        .args(["run", "--", "sleep", marker])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait for the ready line (on stderr), then for the command to be running.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !running(marker) {
        assert!(
            std::time::Instant::now() < deadline,
            "the command never started"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let status = crate::common::wait_timeout(&mut child, Duration::from_secs(20));
    assert!(
        !status.success(),
        "sleep was terminated, so run reports its failure"
    );
    assert!(!running(marker), "the command outlived mockbank run");
}

/// Whether a process whose command line matches `pattern` (after `sleep `, unless the
/// pattern is anchored itself) is running.
fn running(pattern: &str) -> bool {
    let pattern = if pattern.starts_with('^') {
        pattern.to_owned()
    } else {
        format!("sleep {pattern}")
    };
    Command::new("pgrep")
        .args(["-f", &pattern])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// The server offers the same grade per client: `GET /admin/report?client_id=…`.
#[tokio::test]
async fn the_admin_api_grades_one_client() {
    let bank = crate::common::Bank::start();
    let reg = crate::common::register(&bank, "generic", &crate::common::generic_client()).await;
    let id = reg["client_id"].as_str().unwrap();
    let rat = reg["registration_access_token"].as_str().unwrap();
    let mut body = crate::common::generic_client();
    body["client_id"] = id.into();
    body["redirect_uris"] = serde_json::json!(["https://tpp.example/cb#x"]);
    let r = bank
        .send(
            crate::common::Request::new("PUT", &format!("/generic/register/{id}"))
                .bearer(rat)
                .json(&body),
        )
        .await;
    assert_eq!(r.status, 400);
    let report = bank
        .admin_get(&format!("/admin/report?client_id={id}"))
        .await
        .json();
    assert_eq!(report["summary"]["requests"], 2, "{report}");
    assert_eq!(report["grade"][0]["check"], "generic.redirect.no_fragment");
    assert_eq!(
        report["grade"][0]["spec_url"],
        "https://www.rfc-editor.org/rfc/rfc6749#section-3.1.2"
    );
    let md = bank
        .admin_get(&format!("/admin/report?client_id={id}&format=markdown"))
        .await
        .json();
    assert!(
        md["text"]
            .as_str()
            .unwrap()
            .contains("Grade: 1 rule(s) broken"),
        "{md}"
    );
    bank.admin_get("/admin/report?since=yesterday")
        .await
        .assert_error(400, "invalid_request");
}

/// The example pipelines in docs/ci run their mockbank step as written (the client's own
/// tests replaced, through `CLIENT_TESTS`, by a registration with curl): GitLab's shell
/// lines with bash, and the GitHub workflow's action inputs through the action's own step
/// (`scripts/action-run.sh`, each input `NAME` as `MOCKBANK_INPUT_NAME`, as action.yml
/// passes them).
#[test]
fn the_example_pipelines_run_locally() {
    let bin_dir = std::path::Path::new(BIN).parent().unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for file in ["github-actions.yml", "gitlab-ci.yml"] {
        let text = std::fs::read_to_string(root.join("docs/ci").join(file)).unwrap();
        let step: String = text
            .lines()
            .skip_while(|l| !l.contains("# mockbank-step-begin"))
            .take_while(|l| !l.contains("# mockbank-step-end"))
            .map(|l| l.trim_start().to_owned() + "\n")
            .collect();
        let work = tempfile::tempdir().unwrap();
        std::fs::write(
            work.path().join("client-tests.sh"),
            format!("BODY='{{\"redirect_uris\":[\"https://tpp.example/cb\"]}}'\n{REGISTER} | grep -q client_id\n"),
        )
        .unwrap();
        let mut command = Command::new("bash");
        if file == "github-actions.yml" {
            // The action's inputs, `key: value` lines.
            let inputs: Vec<(String, String)> = step
                .lines()
                .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
                .map(|l| {
                    let (k, v) = l.split_once(": ").unwrap_or_else(|| panic!("{file}: {l}"));
                    (
                        format!("MOCKBANK_INPUT_{}", k.to_uppercase().replace('-', "_")),
                        v.to_owned(),
                    )
                })
                .collect();
            assert!(
                inputs.iter().any(|(k, _)| k == "MOCKBANK_INPUT_COMMAND"),
                "{file}: no command input"
            );
            command.arg(root.join("scripts/action-run.sh")).envs(inputs);
        } else {
            assert!(step.contains("mockbank run"), "{file}: no mockbank step");
            command.arg("-c").arg(format!("set -euo pipefail\n{step}"));
        }
        let out = command
            .current_dir(work.path())
            .env("CLIENT_TESTS", "sh ./client-tests.sh")
            .env(
                "PATH",
                format!(
                    "{}:{}",
                    bin_dir.display(),
                    std::env::var("PATH").unwrap_or_default()
                ),
            )
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{file}:\n{step}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let md = std::fs::read_to_string(work.path().join("mockbank.md")).unwrap();
        assert!(md.contains("no rule broken"), "{md}");
        assert!(
            md.contains("a temporary data dir removed after the run") && md.contains("--keep-data"),
            "the report says its traces are gone: {md}"
        );
        assert!(
            junit_cases(&work.path().join("mockbank.xml")).contains("POST /generic/register → 201")
        );
    }
}

/// Hardening, third round, finding 10: `run` takes every serve flag, reports a COMMAND
/// killed by a signal as 128 + its number, prints no live sign-in code into a CI log, and
/// when `run` itself is killed (SIGKILL) its COMMAND dies with it and the next `run` sweeps
/// the temporary data dir it left behind.
#[test]
fn run_takes_serve_flags_reports_signals_and_dies_with_its_command() {
    let tmp = tempfile::tempdir().unwrap();
    let scenarios = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args([
            "run",
            "--max-connections",
            "8",
            "--header-timeout-ms",
            "5000",
            "--body-timeout-ms",
            "5000",
            "--trace-retention",
            "1000",
            "--scenarios",
            scenarios.path().to_str().unwrap(),
            "--",
            "true",
        ])
        .env("TMPDIR", tmp.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let ready: serde_json::Value = stderr
        .lines()
        .find_map(|l| serde_json::from_str(l).ok())
        .expect("a ready line");
    assert!(
        !ready["ui_url"].as_str().unwrap().contains("login="),
        "a live sign-in code in a non-interactive log: {ready}"
    );

    let (code, err) = run(&["--", "sh", "-c", "kill -KILL $$"], "");
    assert_eq!(code, 137, "{err}");

    let marker = "27.1828";
    let mut child = Command::new(BIN)
        .args(["run", "--", "sleep", marker])
        .env("TMPDIR", tmp.path())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !running(&format!("^sleep {marker}")) {
        assert!(
            std::time::Instant::now() < deadline,
            "the command never started"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while running(&format!("^sleep {marker}")) {
        assert!(
            std::time::Instant::now() < deadline,
            "the command outlived a killed mockbank run"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let left = |dir: &std::path::Path| {
        std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with("mockbank-run-"))
            .count()
    };
    assert_eq!(left(tmp.path()), 1, "the killed run's data dir is there");
    let out = Command::new(BIN)
        .args(["run", "--", "true"])
        .env("TMPDIR", tmp.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(left(tmp.path()), 0, "the next run swept it");
}

/// A client whose tests never reach mockbank is not graded "no rule broken" (newcomer issue,
/// item 14): the report and stderr say that nothing was checked, and
/// `--fail-on-check-failures` fails the job.
#[test]
fn a_run_without_requests_says_nothing_was_graded() {
    let work = tempfile::tempdir().unwrap();
    let md = work.path().join("grade.md");
    let run = |fail: bool| {
        let mut cmd = Command::new(BIN);
        cmd.arg("run").arg("--report").arg(&md);
        if fail {
            cmd.arg("--fail-on-check-failures");
        }
        cmd.args(["--", "true"]).output().unwrap()
    };
    let lenient = run(false);
    assert_eq!(lenient.status.code(), Some(0));
    let err = String::from_utf8_lossy(&lenient.stderr);
    assert!(err.contains("no request reached mockbank"), "{err}");
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(text.contains("### Grade: nothing to grade"), "{text}");
    assert!(!text.contains("no rule broken"), "{text}");

    let strict = run(true);
    assert_eq!(strict.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&strict.stderr).contains("nothing to grade"));
}
