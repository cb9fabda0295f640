//! Walkthroughs (`scenarios/`): every shipped scenario runs green against the real server,
//! a user's scenario with a typo is refused with file and line, a trainer's run steps
//! through the admin API and "breaks" a step, and the handout holds every step.

use std::process::Command;

use serde_json::{json, Value};

use crate::common::{Bank, Request, BIN};

fn mockbank(args: &[&str]) -> std::process::Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn shipped() -> Vec<Value> {
    let out = mockbank(&["scenario", "list", "--format", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn the_list_follows_the_contract_and_ships_nine_scenarios() {
    let list = shipped();
    assert!(list.len() >= 9, "{list:?}");
    for s in &list {
        for key in ["name", "title", "profiles", "steps"] {
            assert!(!s[key].is_null(), "{s} lacks {key}");
        }
        assert!(s["steps"].as_u64().unwrap() > 0);
    }
    let names: Vec<&str> = list.iter().map(|s| s["name"].as_str().unwrap()).collect();
    for wanted in [
        "generic-lifecycle",
        "generic-rotating",
        "obuk-end-to-end",
        "obuk-failure-clinic",
        "stet-qwac",
        "stet-failure-clinic",
        "ofb-first-registration",
        "protections",
        "comparison-tour",
    ] {
        assert!(names.contains(&wanted), "{wanted} missing from {names:?}");
    }
}

#[tokio::test]
async fn every_shipped_scenario_runs_green() {
    let bank = Bank::start();
    let dir = bank.data_dir.to_str().unwrap().to_owned();
    for s in shipped() {
        let name = s["name"].as_str().unwrap();
        let out = mockbank(&[
            "scenario",
            "run",
            name,
            "--format",
            "json",
            "--data-dir",
            &dir,
        ]);
        let run: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{name}: {e}: {}", String::from_utf8_lossy(&out.stderr)));
        assert!(out.status.success(), "{name} failed: {run:#}");
        assert_eq!(run["name"], name);
        assert_eq!(run["ok"], true);
        let steps = run["steps"].as_array().unwrap();
        assert_eq!(steps.len() as u64, s["steps"].as_u64().unwrap());
        for step in steps {
            assert_eq!(step["ok"], true, "{name}: {step}");
            if step["action"] != "narrate" {
                assert!(step["status"].is_u64(), "{name}: {step}");
                // Hardening, third round, finding 13: every step that made a request links
                // its trace (the bank's admin changes are traced too).
                assert!(
                    !step["trace_ids"].as_array().unwrap().is_empty(),
                    "{name}: a step without its trace: {step}"
                );
            }
            // Every trace a step names is a real trace of the bank.
            for id in step["trace_ids"].as_array().unwrap() {
                let t = bank
                    .admin_get(&format!("/admin/traces/{}", id.as_str().unwrap()))
                    .await;
                assert_eq!(t.status, 200, "{name}: trace {id}");
            }
        }
    }
}

#[tokio::test]
async fn a_failed_expectation_exits_1_and_says_why() {
    let bank = Bank::start();
    let tmp = tempfile::tempdir().unwrap();
    // A deviation the bank refuses, expected (wrongly) to pass.
    std::fs::write(
        tmp.path().join("wrong.toml"),
        "title = \"Wrong\"\naudience = \"tests\"\nprofiles = [\"generic\"]\n\n[[step]]\ntitle = \"fragment\"\naction = \"register\"\ndeviation = \"redirect_fragment\"\nexpect = { status = 201 }\n",
    )
    .unwrap();
    let out = mockbank(&[
        "scenario",
        "run",
        "wrong",
        "--format",
        "json",
        "--scenarios",
        tmp.path().to_str().unwrap(),
        "--data-dir",
        bank.data_dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let run: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(run["ok"], false);
    let step = &run["steps"][0];
    assert_eq!(step["status"], 400);
    assert_eq!(step["deciding_check"], "generic.redirect.no_fragment");
    assert!(
        step["problem"]
            .as_str()
            .unwrap()
            .contains("expected status 201, got 400"),
        "{step}"
    );
}

#[test]
fn a_user_scenario_with_a_typo_is_refused_with_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("mine.toml");
    std::fs::write(
        &file,
        "title = \"Mine\"\naudience = \"me\"\nprofiles = [\"generic\"]\n\n[[step]]\ntitle = \"one\"\naction = \"register\"\nexpcet = { status = 201 }\n",
    )
    .unwrap();
    let dir = tmp.path().to_str().unwrap();
    let out = mockbank(&["scenario", "list", "--scenarios", dir]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("{}:8:", file.display())), "{err}");
    assert!(err.contains("expcet"), "{err}");

    // `serve --scenarios` refuses it the same way, before listening.
    let data = tempfile::tempdir().unwrap();
    let out = mockbank(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--scenarios",
        dir,
        "--data-dir",
        data.path().to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("{}:8:", file.display())));

    // A scenario naming a profile the server does not serve is refused by `serve`.
    std::fs::write(
        &file,
        "title = \"Mine\"\naudience = \"me\"\nprofiles = [\"no-such-profile\"]\n\n[[step]]\ntitle = \"one\"\naction = \"narrate\"\n",
    )
    .unwrap();
    let out = mockbank(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--scenarios",
        dir,
        "--data-dir",
        data.path().to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-profile"));
}

async fn admin(bank: &Bank, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut req = Request::new(method, path).bearer(&bank.admin_token);
    if let Some(b) = &body {
        req = req.json(b);
    }
    let r = bank.send(req).await;
    let v = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
    (r.status, v)
}

#[tokio::test]
async fn a_trainer_steps_through_breaks_a_step_and_exports_the_handout() {
    let bank = Bank::start();
    let (status, s) = admin(&bank, "GET", "/admin/scenarios/obuk-end-to-end", None).await;
    assert_eq!(status, 200);
    let steps = s["steps"].as_array().unwrap();
    let register = steps
        .iter()
        .position(|s| s["action"] == "register")
        .unwrap();
    let options: Vec<&str> = steps[register]["break_options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert!(options.contains(&"tampered_ssa"), "{options:?}");
    assert!(steps[register]["narration_html"]
        .as_str()
        .unwrap()
        .contains("<a href="));

    let (status, run) = admin(
        &bank,
        "POST",
        "/admin/scenarios/obuk-end-to-end/runs",
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 201, "{run}");
    let id = run["run_id"].as_str().unwrap().to_owned();
    for i in 0..=register {
        let (status, r) = admin(
            &bank,
            "POST",
            &format!("/admin/scenario-runs/{id}/steps/{i}"),
            None,
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(r["ok"], true, "{r}");
    }
    let (_, r) = admin(
        &bank,
        "POST",
        &format!("/admin/scenario-runs/{id}/steps/{register}"),
        None,
    )
    .await;
    assert_eq!(r["status"], 201);
    // the sequence diagram: TPP → Bank, Bank consults the Directory, Bank → TPP, with the trace
    let arrows = r["arrows"].as_array().unwrap();
    assert_eq!(arrows.first().unwrap()["from"], "tpp");
    assert!(arrows.iter().any(|a| a["to"] == "directory"));
    assert_eq!(arrows.first().unwrap()["trace_id"], r["trace_ids"][0]);
    assert_eq!(r["traces"][0]["id"], r["trace_ids"][0]);

    // "break it": the same step with a tampered SSA
    let (_, broken) = admin(
        &bank,
        "POST",
        &format!("/admin/scenario-runs/{id}/steps/{register}"),
        Some(json!({"deviation": "tampered_ssa"})),
    )
    .await;
    assert_eq!(broken["status"], 400);
    assert_eq!(broken["deviation"], "tampered_ssa");
    assert_eq!(broken["deciding_check"], "ssa.signature");
    assert_eq!(
        broken["ok"], true,
        "a refused deviation is what a break should show: {broken}"
    );
    let failed = broken["traces"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "ssa.signature")
        .unwrap();
    assert_eq!(failed["outcome"], "fail");

    let (status, bad) = admin(
        &bank,
        "POST",
        &format!("/admin/scenario-runs/{id}/steps/{register}"),
        Some(json!({"deviation": "nope"})),
    )
    .await;
    assert_eq!(
        (status, bad["error"].as_str()),
        (400, Some("invalid_request"))
    );
    let (status, _) = admin(
        &bank,
        "POST",
        &format!("/admin/scenario-runs/{id}/steps/99"),
        None,
    )
    .await;
    assert_eq!(status, 404);

    // The rest of the run, then the handout holds every step and the diagram.
    for i in register + 1..steps.len() {
        let (_, r) = admin(
            &bank,
            "POST",
            &format!("/admin/scenario-runs/{id}/steps/{i}"),
            None,
        )
        .await;
        assert!(r["status"].is_u64(), "{r}");
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
    assert!(handout
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
    let html = String::from_utf8(handout.body.to_vec()).unwrap();
    assert!(html.contains("<svg") && html.contains("data-trace-id"));
    for step in steps {
        assert!(
            html.contains(&step["title"].as_str().unwrap().replace('&', "&amp;")),
            "{}",
            step["title"]
        );
    }
    assert!(!html.contains("<script"), "a handout runs no script");
    let md = bank
        .send(
            Request::new(
                "GET",
                &format!("/admin/scenario-runs/{id}/handout?format=markdown"),
            )
            .bearer(&bank.admin_token),
        )
        .await;
    let md = String::from_utf8(md.body.to_vec()).unwrap();
    assert!(
        md.contains("## Sequence") && md.contains("TPP → Directory"),
        "{md}"
    );

    // closed to callers without the admin token
    let r = bank.send(Request::new("GET", "/admin/scenarios")).await;
    assert_eq!(r.status, 401);
}

#[test]
fn the_cli_writes_a_handout_from_a_throwaway_bank() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("handout.html");
    let out = mockbank(&[
        "scenario",
        "run",
        "stet-qwac",
        "--handout",
        file.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("✓ 2. Register over mutual TLS"), "{text}");
    let html = std::fs::read_to_string(&file).unwrap();
    assert!(html.contains("<svg") && html.contains("Register over mutual TLS"));
}
