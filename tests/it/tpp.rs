//! The built-in reference TPP (`mockbank tpp ...`, `mockbank compare`, `POST /admin/compare`)
//! against the real server: a first 201 and the whole lifecycle on every shipped profile,
//! every deviation where it applies (the golden matrix), the compare shape, `tpp sign`
//! piped into curl, and the first-run commands run exactly as shown.

use std::process::Command;

use serde_json::{json, Value};

use crate::common::{Bank, Request, BIN};

const SHIPPED: [&str; 8] = [
    "generic",
    "generic-protected",
    "generic-rotating",
    "obuk-v3.2",
    "obuk-v3.2-lenient",
    "obuk-v3.2-sag",
    "ofb",
    "stet",
];

fn sorted_keys(v: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    keys
}

/// Runs `mockbank ARGS --data-dir DIR`; returns the exit code, stdout and stderr.
fn cli_code(bank: &Bank, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN)
        .args(args)
        .arg("--data-dir")
        .arg(&bank.data_dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs `mockbank ARGS --data-dir DIR`; returns exit success, stdout and stderr.
fn cli(bank: &Bank, args: &[&str]) -> (bool, String, String) {
    let (code, out, err) = cli_code(bank, args);
    (code == 0, out, err)
}

fn json_of(bank: &Bank, args: &[&str]) -> Value {
    let (ok, out, err) = cli(bank, args);
    assert!(ok, "mockbank {args:?} failed: {err}");
    serde_json::from_str(&out)
        .unwrap_or_else(|e| panic!("{args:?}: not one JSON document ({e}): {out}"))
}

#[tokio::test]
async fn the_reference_tpp_registers_and_manages_a_client_on_every_profile() {
    let bank = Bank::start();
    for profile in SHIPPED {
        let reg = json_of(
            &bank,
            &["tpp", "register", "--profile", profile, "--format", "json"],
        );
        let keys = sorted_keys(&reg);
        assert_eq!(
            keys,
            [
                "client_id",
                "deciding_check",
                "deviation",
                "profile",
                "response",
                "status",
                "trace_id"
            ]
        );
        assert_eq!(
            (reg["profile"].as_str(), reg["deviation"].as_str()),
            (Some(profile), Some("none"))
        );
        assert_eq!(reg["status"], 201, "{profile}: {reg}");
        let id = reg["client_id"].as_str().unwrap().to_owned();
        // Every step left a real trace, and the happy path failed no check.
        let trace = bank
            .admin_get(&format!(
                "/admin/traces/{}",
                reg["trace_id"].as_str().unwrap()
            ))
            .await
            .json();
        assert_eq!(
            trace["summary"]["fail"], 0,
            "{profile}: {}",
            trace["checks"]
        );
        for (step, status) in [
            ("token", 200),
            ("read", 200),
            ("update", 200),
            ("read", 200),
            ("delete", 204),
        ] {
            let out = json_of(
                &bank,
                &[
                    "tpp",
                    step,
                    "--profile",
                    profile,
                    "--client-id",
                    &id,
                    "--format",
                    "json",
                ],
            );
            assert_eq!(out["status"], status, "{profile} {step}: {out}");
            assert!(out["trace_id"].is_string());
        }
        // After the delete the bank no longer knows the client: a correct request refused,
        // so `tpp` exits 1 (interfaces.md, "Acting as the TPP") and says why.
        let (code, out, err) = cli_code(
            &bank,
            &[
                "tpp",
                "read",
                "--profile",
                profile,
                "--client-id",
                &id,
                "--format",
                "json",
            ],
        );
        let out: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(out["status"], 401, "{profile}: {out}");
        assert_eq!(code, 1, "{profile}: {err}");
        assert!(err.contains("got 401, not a 2xx"), "{profile}: {err}");
    }
    // The token rotated by generic-rotating's reads was followed: the update above succeeded.
    // An unknown deviation or profile is an error that says so, not a request.
    let (ok, _, err) = cli(
        &bank,
        &[
            "tpp",
            "register",
            "--profile",
            "generic",
            "--deviation",
            "nope",
        ],
    );
    assert!(!ok && err.contains("no deviation `nope`"), "{err}");
    let (code, _, err) = cli_code(&bank, &["tpp", "register", "--profile", "nope"]);
    assert!(
        code == 2 && err.contains("nope"),
        "nothing sent: exit 2, {code}: {err}"
    );
    let (ok, _, err) = cli(
        &bank,
        &[
            "tpp",
            "register",
            "--profile",
            "generic",
            "--deviation",
            "rs256",
        ],
    );
    assert!(!ok && err.contains("does not apply"), "{err}");
}

/// A deviation is answered right when the bank refuses it: exit 0 and the check that decided.
/// A bank that accepts it (here: mockbank with the SSA signature check switched off) fails
/// the command with exit 1, so a TPP's CI can point `tpp` at a real bank.
#[tokio::test]
async fn a_deviation_passes_when_refused_and_fails_when_accepted() {
    let bank = Bank::start();
    let args = [
        "tpp",
        "register",
        "--profile",
        "obuk-v3.2",
        "--deviation",
        "tampered_ssa",
    ];
    let (code, out, err) = cli_code(&bank, &args);
    assert_eq!(code, 0, "{out}{err}");
    let first = out.lines().next().unwrap();
    assert!(
        first.starts_with("obuk-v3.2 tampered_ssa → 400 ") && first.contains(", decided by "),
        "{first}"
    );
    let (code, out, _) = cli_code(&bank, &[&args[..], &["--format", "summary"]].concat());
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(
        out.trim_end().ends_with(": as a correct bank answers"),
        "{out}"
    );
    let (_, json, _) = cli_code(&bank, &[&args[..], &["--format", "json"]].concat());
    let json: Value = serde_json::from_str(&json).unwrap();
    let deciding = json["deciding_check"].as_str().unwrap().to_owned();
    assert!(
        first.contains(&format!("decided by {deciding} ")),
        "{first}"
    );

    // The check that refused it, switched off: the bank now accepts a tampered SSA.
    let r = bank
        .send(
            Request::new(
                "PUT",
                &format!("/admin/profiles/obuk-v3.2/checks/{deciding}"),
            )
            .bearer(&bank.admin_token)
            .json(&json!({"enabled": false})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json());
    let (code, out, err) = cli_code(&bank, &[&args[..], &["--format", "summary"]].concat());
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("→ 201") && out.contains("NOT as a correct bank answers"),
        "{out}"
    );
    assert!(err.contains("a correct bank refuses it"), "{err}");
}

#[tokio::test]
async fn deviations_list_what_they_apply_to() {
    let bank = Bank::start();
    let list = json_of(&bank, &["tpp", "deviations", "--format", "json"]);
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    for required in [
        "none",
        "no_client_cert",
        "foreign_ca_cert",
        "redirect_fragment",
        "wrong_signing_key",
        "expired_request",
        "replayed_jti",
        "tampered_ssa",
        "unknown_grant_type",
        "revoked_software",
        "rs256",
        "alg_none_ssa",
        "missing_redirect_uris",
        "wrong_auth_method",
        "expired_cert",
    ] {
        assert!(
            names.contains(&required),
            "{required} missing from {names:?}"
        );
    }
    for d in list.as_array().unwrap() {
        let keys = sorted_keys(d);
        assert_eq!(keys, ["applies_to", "description", "name"]);
    }
    let of = |n: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|d| d["name"] == n)
            .unwrap()["applies_to"]
            .clone()
    };
    assert_eq!(
        of("tampered_ssa"),
        json!(["obuk-v3.2", "obuk-v3.2-lenient", "obuk-v3.2-sag", "ofb"])
    );
    assert_eq!(of("none").as_array().unwrap().len(), SHIPPED.len());
}

/// A cell without its trace id (which differs on every run).
fn stable(matrix: &Value) -> Value {
    let mut m = matrix.clone();
    for row in m["cases"].as_array_mut().unwrap() {
        for cell in row["results"].as_object_mut().unwrap().values_mut() {
            cell.as_object_mut().unwrap().remove("trace_id");
        }
    }
    m
}

/// The golden file: one line per case × profile cell and per check, so a behaviour change
/// reads as a one-line diff in review.
fn golden_text(m: &Value) -> String {
    let mut lines = vec![
        format!("{{\"profiles\": {},", m["profiles"]),
        "\"cases\": [".to_owned(),
    ];
    let cases = m["cases"].as_array().unwrap();
    for (i, row) in cases.iter().enumerate() {
        lines.push(format!("  {{\"case\": {}, \"results\": {{", row["case"]));
        let cells: Vec<String> = row["results"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(p, c)| format!("    {}: {c}", Value::from(p.as_str())))
            .collect();
        lines.push(cells.join(",\n"));
        lines.push(format!(
            "  }}}}{}",
            if i + 1 < cases.len() { "," } else { "" }
        ));
    }
    lines.push("],".to_owned());
    lines.push("\"checks\": [".to_owned());
    let checks: Vec<String> = m["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| format!("  {c}"))
        .collect();
    lines.push(checks.join(",\n"));
    lines.push("]}".to_owned());
    lines.join("\n") + "\n"
}

#[tokio::test]
async fn the_golden_matrix_holds_and_the_api_agrees_with_the_cli() {
    let bank = Bank::start();
    let matrix = json_of(&bank, &["compare", "--format", "json"]);
    // The contract's shape.
    assert_eq!(matrix["profiles"], json!(SHIPPED));
    for row in matrix["cases"].as_array().unwrap() {
        for p in SHIPPED {
            let cell = &row["results"][p];
            let keys = sorted_keys(cell);
            assert_eq!(
                keys,
                [
                    "applicable",
                    "deciding_check",
                    "error",
                    "status",
                    "trace_id"
                ],
                "{row}"
            );
            if cell["applicable"] == true {
                assert!(
                    cell["status"].is_u64() && cell["trace_id"].is_string(),
                    "{row}"
                );
            }
        }
    }
    for c in matrix["checks"].as_array().unwrap() {
        for p in SHIPPED {
            let o = c["outcomes"][p].as_str().unwrap();
            assert!(["pass", "fail", "skip", "absent"].contains(&o), "{c}");
        }
    }
    // Every deviation was refused wherever it applies, except where a profile accepts it on
    // purpose (OBUK defaults the redirect URIs to the SSA's; the lenient profile lists RS256).
    for row in matrix["cases"].as_array().unwrap() {
        for p in SHIPPED {
            let cell = &row["results"][p];
            let accepted = cell["status"] == 201;
            let expected = row["case"] == "none"
                || (row["case"] == "missing_redirect_uris" && p.starts_with("obuk"))
                || (row["case"] == "rs256" && p == "obuk-v3.2-lenient");
            if cell["applicable"] == true {
                assert_eq!(accepted, expected, "{} on {p}: {cell}", row["case"]);
            }
        }
    }
    // The golden matrix: every behaviour change of a shipped profile is a visible diff.
    let golden_path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/compare.json");
    let now = stable(&matrix);
    if std::env::var_os("MOCKBANK_UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(golden_path.parent().unwrap()).unwrap();
        std::fs::write(&golden_path, golden_text(&now)).unwrap();
    }
    let golden: Value =
        serde_json::from_str(&std::fs::read_to_string(&golden_path).unwrap()).unwrap();
    let mut changed = Vec::new();
    for (g, n) in golden["cases"]
        .as_array()
        .unwrap()
        .iter()
        .zip(now["cases"].as_array().unwrap())
    {
        for p in SHIPPED {
            if g["results"][p] != n["results"][p] {
                changed.push(format!(
                    "{} × {p}: was {}, now {}",
                    g["case"], g["results"][p], n["results"][p]
                ));
            }
        }
    }
    for g in golden["checks"].as_array().unwrap() {
        let n = now["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == g["id"]);
        match n {
            // The golden records behaviour: the outcomes (what differs follows from them).
            Some(n) if n["outcomes"] == g["outcomes"] => {}
            Some(n) => changed.push(format!(
                "check {}: was {}, now {}",
                g["id"], g["outcomes"], n["outcomes"]
            )),
            None => changed.push(format!("check {} no longer runs", g["id"])),
        }
    }
    for n in now["checks"].as_array().unwrap() {
        if !golden["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["id"] == n["id"])
        {
            changed.push(format!("check {} is new: {}", n["id"], n["outcomes"]));
        }
    }
    assert_eq!(golden["profiles"], now["profiles"]);
    assert_eq!(
        golden["cases"].as_array().unwrap().len(),
        now["cases"].as_array().unwrap().len()
    );
    assert!(
        changed.is_empty(),
        "behaviour drifted from tests/golden/compare.json (rerun with MOCKBANK_UPDATE_GOLDEN=1 to accept):\n{}",
        changed.join("\n")
    );
    // The admin API answers the same matrix, and the other formats render it.
    let cases = ["none", "redirect_fragment", "tampered_ssa"];
    let body = json!({"profiles": ["generic", "obuk-v3.2", "stet"], "cases": cases});
    let api = bank
        .send(
            Request::new("POST", "/admin/compare")
                .bearer(&bank.admin_token)
                .json(&body),
        )
        .await;
    assert_eq!(api.status, 200, "{}", String::from_utf8_lossy(&api.body));
    let cli_subset = json_of(
        &bank,
        &[
            "compare",
            "--profiles",
            "generic,obuk-v3.2,stet",
            "--case",
            "none",
            "--case",
            "redirect_fragment",
            "--case",
            "tampered_ssa",
            "--format",
            "json",
        ],
    );
    assert_eq!(stable(&api.json()), stable(&cli_subset));
    let md = bank
        .send(
            Request::new("POST", "/admin/compare?format=markdown")
                .bearer(&bank.admin_token)
                .json(&body),
        )
        .await
        .json();
    assert_eq!(md["format"], "markdown");
    assert!(
        md["text"]
            .as_str()
            .unwrap()
            .contains("| redirect_fragment * |"),
        "{md}"
    );
    let (ok, csv, _) = cli(
        &bank,
        &[
            "compare",
            "--profiles",
            "generic,stet",
            "--case",
            "none",
            "--format",
            "csv",
        ],
    );
    assert!(
        ok && csv.starts_with("case,generic,stet\nnone,201,201"),
        "{csv}"
    );
    bank.send(
        Request::new("POST", "/admin/compare")
            .bearer(&bank.admin_token)
            .json(&json!({"cases": ["nope"]})),
    )
    .await
    .assert_error(400, "invalid_request");
}

#[tokio::test]
async fn tpp_sign_output_is_accepted_by_curl() {
    let bank = Bank::start();
    // Two custom claims over the correct set.
    let claims = bank.data_dir.join("claims.json");
    std::fs::write(
        &claims,
        r#"{"client_name": "Signed by hand", "scope": "openid accounts"}"#,
    )
    .unwrap();
    let state = bank.data_dir.join("tpp/bundles/obuk-v3.2");
    let script = format!(
        "'{BIN}' tpp sign --profile obuk-v3.2 --claims '{}' --data-dir '{}' | curl -sS --cacert '{}' --cert '{}' --key '{}' -H 'Content-Type: application/jose' --data-binary @- {}/obuk-v3.2/register",
        claims.display(),
        bank.data_dir.display(),
        bank.data_dir.join("ca.pem").display(),
        state.join("transport.pem").display(),
        state.join("transport.key").display(),
        bank.base_url
    );
    // A first sign mints the software and writes its PEMs where the curl line points.
    let (ok, jws, err) = cli(&bank, &["tpp", "sign", "--profile", "obuk-v3.2"]);
    assert!(ok && jws.trim().split('.').count() == 3, "{err}");
    let out = Command::new("sh").arg("-c").arg(&script).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let reg: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{e}: {text} {}", String::from_utf8_lossy(&out.stderr)));
    assert!(reg["client_id"].is_string(), "{reg}");
    assert_eq!(reg["client_name"], "Signed by hand");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("curl --cacert"),
        "the ready curl line: {stderr}"
    );
}

#[tokio::test]
async fn every_first_run_command_works_when_pasted() {
    let bank = Bank::start();
    let page = bank.get("/ui/").await;
    let html = String::from_utf8_lossy(&page.body);
    let start = html
        .find(r#"<script id="mockbank-bootstrap" type="application/json">"#)
        .expect("bootstrap");
    let rest = &html[start..];
    let json_text = &rest[rest.find('>').unwrap() + 1..rest.find("</script>").unwrap()];
    let boot: Value = serde_json::from_str(json_text).unwrap();
    let profiles = boot["profiles"].as_array().unwrap();
    assert_eq!(profiles.len(), SHIPPED.len());
    for p in profiles {
        let command = p["first_run"]["command"].as_str().unwrap();
        let out = Command::new("sh").arg("-c").arg(command).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}: {command}\n{}",
            p["id"],
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.contains("→ 201") || stdout.contains("\"registration_access_token\""),
            "{}: `{command}` did not register:\n{stdout}",
            p["id"]
        );
    }
}

/// Any bank: only a base URL and a CA (no admin token), the flavor read from discovery and,
/// for OBUK, credentials from a bundle file.
#[tokio::test]
async fn the_reference_tpp_works_against_any_bank_url() {
    let bank = Bank::start();
    let ca = bank.data_dir.join("ca.pem");
    let state = bank.data_dir.join("elsewhere");
    let any = |extra: &[&str]| {
        let mut args = vec![
            "tpp",
            "register",
            "--format",
            "json",
            "--base-url",
            bank.base_url.as_str(),
            "--ca",
            ca.to_str().unwrap(),
            "--state",
            state.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let out = Command::new(BIN).args(&args).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let reg = any(&["--profile", "generic"]);
    assert_eq!(reg["status"], 201, "{reg}");
    // OBUK credentials from `mockbank directory issue`, then no admin token at all.
    let out = bank.data_dir.join("issued");
    let (ok, _, err) = cli(
        &bank,
        &[
            "directory",
            "issue",
            "--software-name",
            "Elsewhere",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(ok, "{err}");
    let bundle = out.join("bundle.json");
    let reg = any(&[
        "--profile",
        "obuk-v3.2",
        "--bundle",
        bundle.to_str().unwrap(),
    ]);
    assert_eq!(reg["status"], 201, "{reg}");
    // Deviations that need the mock directory say so instead of guessing.
    let args = [
        "tpp",
        "register",
        "--profile",
        "obuk-v3.2",
        "--deviation",
        "expired_cert",
        "--base-url",
        &bank.base_url,
        "--ca",
        ca.to_str().unwrap(),
        "--state",
        state.to_str().unwrap(),
    ];
    let out = Command::new(BIN).args(args).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("admin token"));
}

#[test]
fn profiles_diff_shows_what_differs() {
    let out = Command::new(BIN)
        .args(["profiles", "diff", "generic", "stet", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (d["a"].as_str(), d["b"].as_str()),
        (Some("generic"), Some("stet"))
    );
    // Shown once: under settings (the profile file's value), not again under discovery.
    let row = d["settings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "discovery.token_endpoint_auth_methods_supported")
        .expect("auth methods differ");
    assert!(!d["discovery"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["key"] == "token_endpoint_auth_methods_supported"));
    assert_eq!(row["b"], json!(["tls_client_auth"]));
    assert!(d["settings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["key"] == "registration.certificate_binding"));
    assert!(d["checks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"] == "stet.mgmt.same_org" && c["only_in"] == "b"));
    let md = Command::new(BIN)
        .args([
            "profiles", "diff", "generic", "stet", "--format", "markdown",
        ])
        .output()
        .unwrap();
    let md = String::from_utf8_lossy(&md.stdout);
    assert!(
        md.starts_with("# Profiles `generic` and `stet`") && md.contains("| check | field |"),
        "{md}"
    );
    let text = Command::new(BIN)
        .args(["profiles", "diff", "generic", "generic"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&text.stdout).contains("== checks (0 differ)"));
    let bad = Command::new(BIN)
        .args(["profiles", "diff", "generic", "nope"])
        .output()
        .unwrap();
    assert!(
        !bad.status.success() && String::from_utf8_lossy(&bad.stderr).contains("no profile `nope`")
    );
}

/// A comparison tags what it made; one action clears it, and nothing a user registered
/// themselves (nor the credentials the reference client keeps for reuse) goes with it.
#[tokio::test]
async fn leftovers_of_a_comparison_are_counted_and_cleared_in_one_action() {
    let bank = Bank::start();
    let own = json_of(
        &bank,
        &[
            "tpp",
            "register",
            "--profile",
            "obuk-v3.2",
            "--format",
            "json",
        ],
    );
    let own_id = own["client_id"].as_str().unwrap().to_owned();
    let matrix = json_of(
        &bank,
        &[
            "compare",
            "--profiles",
            "generic,obuk-v3.2",
            "--case",
            "none",
            "--case",
            "foreign_ca_cert",
            "--case",
            "replayed_jti",
            "--format",
            "json",
        ],
    );
    let registered: Vec<&str> = matrix["cases"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["results"].as_object().unwrap().values())
        .filter(|r| r["status"] == 201)
        .filter_map(|r| r["trace_id"].as_str())
        .collect();
    assert!(registered.len() >= 2, "{matrix}");
    let before = json_of(&bank, &["leftovers", "--format", "json"]);
    let clients = before["client_ids"].as_array().unwrap().clone();
    // `none` on both profiles, and the first of the replayed pair on OBUK.
    assert!(before["clients"].as_u64().unwrap() >= 3, "{before}");
    assert!(
        !clients.contains(&json!(own_id)),
        "the user's own client is not a leftover"
    );
    assert!(
        before["software"].as_u64().unwrap() >= 1,
        "foreign_ca_cert minted its own: {before}"
    );
    let (ok, text, _) = cli(&bank, &["leftovers"]);
    assert!(
        ok && text.contains("`mockbank leftovers --clear` removes them"),
        "{text}"
    );

    let cleared = json_of(&bank, &["leftovers", "--clear", "--format", "json"]);
    assert_eq!(cleared["clients_deleted"], before["clients"]);
    assert_eq!(cleared["software_deleted"], before["software"]);
    let after = json_of(&bank, &["leftovers", "--format", "json"]);
    assert_eq!(
        (after["clients"].as_u64(), after["software"].as_u64()),
        (Some(0), Some(0))
    );
    let listed = bank.admin_get("/admin/clients").await.json();
    let ids: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["client_id"].as_str())
        .collect();
    assert!(ids.contains(&own_id.as_str()), "{ids:?}");
    for c in &clients {
        assert!(
            !ids.contains(&c.as_str().unwrap()),
            "{c} was cleared: {ids:?}"
        );
    }
    for sw in before["software_ids"].as_array().unwrap() {
        let r = bank
            .admin_get(&format!("/directory/software/{}", sw.as_str().unwrap()))
            .await;
        assert_eq!(r.status, 404, "{sw} was cleared");
    }
    // The credentials kept for reuse still work.
    let again = json_of(
        &bank,
        &[
            "tpp",
            "register",
            "--profile",
            "obuk-v3.2",
            "--format",
            "json",
        ],
    );
    assert_eq!(again["status"], 201, "{again}");
}
