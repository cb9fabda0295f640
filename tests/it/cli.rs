//! The command-line contract: the ready line, signals, and clear failures.

use std::process::{Command, Stdio};

use crate::common::{wait_timeout, Bank, BIN};

#[tokio::test]
async fn the_ready_line_names_everything_a_script_needs() {
    let bank = Bank::start();
    let ready = &bank.ready;
    assert_eq!(ready["event"], "ready");
    assert!(bank.base_url.starts_with("https://127.0.0.1:"));
    // `ui_url` is the UI's address plus a one-time sign-in code (see tests/it/ui.rs).
    let ui_url = ready["ui_url"].as_str().unwrap();
    assert!(
        ui_url.starts_with(&format!("{}/ui/?login=", bank.base_url)),
        "{ui_url}"
    );
    let ca = std::path::Path::new(ready["ca_cert"].as_str().unwrap());
    assert!(ca.is_absolute() && ca.exists());
    let token_file = std::path::Path::new(ready["admin_token_file"].as_str().unwrap());
    assert!(token_file.is_absolute());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(token_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "admin token must be owner-only");
    }
    assert!(bank.admin_token.len() >= 32);
    let profiles = ready["profiles"].as_array().unwrap();
    let ids: Vec<&str> = profiles.iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert!(
        ids.contains(&"generic") && ids.contains(&"generic-rotating"),
        "{ids:?}"
    );
    for p in profiles {
        let issuer = p["issuer"].as_str().unwrap();
        assert_eq!(
            issuer,
            format!("{}/{}", bank.base_url, p["id"].as_str().unwrap())
        );
        let r = bank
            .get(&format!("{issuer}/.well-known/openid-configuration"))
            .await;
        assert_eq!(r.status, 200);
        let doc = r.json();
        assert_eq!(doc["issuer"], issuer);
        for key in ["registration_endpoint", "token_endpoint", "jwks_uri"] {
            assert!(doc[key].as_str().unwrap().starts_with(issuer), "{key}");
        }
        for key in [
            "token_endpoint_auth_methods_supported",
            "grant_types_supported",
            "scopes_supported",
            "response_types_supported",
            "request_object_signing_alg_values_supported",
        ] {
            assert!(doc[key].is_array(), "{key} missing");
        }
    }
    let page = bank.get("/ui/").await;
    assert_eq!(page.status, 200);
    let html = String::from_utf8_lossy(&page.body);
    assert!(
        html.contains(&format!("{}/generic/register", bank.base_url)),
        "first-run page lists the curl commands"
    );
    // RFC 8414 §3 placement of the well-known segment works too.
    let r = bank
        .get("/.well-known/oauth-authorization-server/generic")
        .await;
    assert_eq!(r.json()["issuer"], format!("{}/generic", bank.base_url));
    assert!(bank.stop().success(), "SIGTERM must exit 0");
}

#[test]
fn bad_flags_fail_with_a_message() {
    let out = Command::new(BIN)
        .args(["serve", "--listen", "not-an-address"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--listen"));
    assert!(out.stdout.is_empty());
    let out = Command::new(BIN)
        .args(["serve", "--frobnicate"])
        .output()
        .unwrap();
    assert!(!out.status.success());
}

#[tokio::test]
async fn a_busy_port_is_named_and_nothing_starts() {
    let bank = Bank::start();
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["serve", "--listen", &bank.addr, "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("cannot listen on {}", bank.addr)),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "no ready line when the port is busy");
}

#[test]
fn an_unreadable_profile_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let generic = include_str!("../../profiles/generic.toml");
    std::fs::write(dir.path().join("generic.toml"), generic).unwrap();
    let broken = generic.replacen("[token]", "[token]\nfrobnicate = 1", 1);
    let line = broken.lines().position(|l| l == "frobnicate = 1").unwrap() + 1;
    std::fs::write(dir.path().join("mine.toml"), broken).unwrap();
    let data = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--profiles"])
        .arg(dir.path())
        .arg("--data-dir")
        .arg(data.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("mine.toml:{line}:")), "{err}");
    assert!(err.contains("frobnicate"), "{err}");
    assert!(out.stdout.is_empty());
}

#[tokio::test]
async fn a_user_profile_folder_replaces_the_built_in_profiles() {
    let dir = tempfile::tempdir().unwrap();
    let generic = include_str!("../../profiles/generic.toml");
    let strict = generic
        .replace(
            "title = \"Generic RFC 7591 / 7592\"",
            "title = \"Strict bank\"",
        )
        .replace("params = { reject = false }", "params = { reject = true }");
    std::fs::write(dir.path().join("strict-bank.toml"), strict).unwrap();
    let bank = Bank::start_with(&["--profiles", dir.path().to_str().unwrap()]);
    let ids: Vec<&str> = bank.ready["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["strict-bank"]);
    let mut body = crate::common::generic_client();
    body["redirect_url"] = "typo".into();
    let r = bank
        .send(crate::common::Request::new("POST", "/strict-bank/register").json(&body))
        .await;
    let err = r.assert_error(400, "invalid_client_metadata");
    assert_eq!(
        err["error_description"],
        "unknown metadata member `redirect_url`"
    );
    assert_eq!(
        bank.get("/generic/.well-known/openid-configuration")
            .await
            .status,
        404
    );
}

#[test]
fn checks_list_prints_the_catalogue_from_the_code() {
    let out = Command::new(BIN)
        .args(["checks", "list"])
        .stdout(Stdio::piped())
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for id in [
        "generic.redirect.no_fragment",
        "rfc7592.token.bound_to_client",
        "token.client_auth.credentials_valid",
    ] {
        let line = text
            .lines()
            .find(|l| l.starts_with(id))
            .unwrap_or_else(|| panic!("{id} missing"));
        assert!(line.contains("RFC"), "{line}");
    }
    let out = Command::new(BIN)
        .args(["checks", "list", "--format", "json"])
        .output()
        .unwrap();
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(list.as_array().unwrap().len() > 30);
}

#[test]
fn sigint_also_shuts_down_cleanly() {
    let bank = Bank::start();
    let pid = bank.child.id();
    let mut bank = bank;
    assert!(Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .unwrap()
        .success());
    let status = wait_timeout(&mut bank.child, std::time::Duration::from_secs(20));
    assert!(status.success());
}

/// Hardening, third round, finding 11: `.`, `..`, `.well-known` and the server's own paths
/// are not profile ids (they were served with issuer `https://host/..`), and a deep
/// `extends` chain without a cycle is not called one.
#[test]
fn profile_ids_are_safe_slugs_and_deep_chains_are_no_cycles() {
    let data = tempfile::tempdir().unwrap();
    let check = |files: &[(&str, String)]| {
        let dir = tempfile::tempdir().unwrap();
        for (name, src) in files {
            std::fs::write(dir.path().join(name), src).unwrap();
        }
        Command::new(BIN)
            .args(["profiles", "check"])
            .arg(dir.path())
            .env("MOCKBANK_DATA_DIR", data.path())
            .output()
            .unwrap()
    };
    let overlay = "extends = \"generic\"\n".to_owned();
    for bad in [
        "..toml",
        "...toml",
        ".well-known.toml",
        "admin.toml",
        "My Bank.toml",
    ] {
        let out = check(&[(bad, overlay.clone())]);
        assert!(!out.status.success(), "{bad} was accepted");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("is not a profile id"), "{bad}: {err}");
    }
    let chain: Vec<(&str, String)> = (0..13)
        .map(|i| {
            let base = if i == 0 {
                "generic".to_owned()
            } else {
                format!("p{}", i - 1)
            };
            (
                Box::leak(format!("p{i}.toml").into_boxed_str()) as &str,
                format!("extends = \"{base}\"\n"),
            )
        })
        .collect();
    let out = check(&chain);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut cycle = chain.clone();
    cycle[0].1 = "extends = \"p12\"\n".into();
    let out = check(&cycle);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("circle"), "{err}");
}

/// `scripts/run.sh --data-dir ./mb-data`, started from another folder, keeps the data in that
/// folder: the path flags it passes to `serve` are resolved against the caller's directory
/// before the script moves to the repository (newcomer issue, item 18).
#[test]
fn run_sh_resolves_path_flags_against_the_callers_folder() {
    let script = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/run.sh"),
    )
    .unwrap();
    let block: String = script
        .lines()
        .skip_while(|l| !l.starts_with("args=()"))
        .take_while(|l| !l.starts_with("cd "))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(block.contains("set -- "), "{block}");
    let caller = tempfile::tempdir().unwrap();
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!("set -euo pipefail\n{block}printf '%s\\n' \"$@\""))
        .arg("run.sh")
        .args([
            "--data-dir",
            "./mb-data",
            "--profiles=my-profiles",
            "--scenarios",
            "/abs/scenarios",
            "--listen",
            "127.0.0.1:0",
        ])
        .current_dir(caller.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let dir = caller.path().canonicalize().unwrap();
    let here = dir.display();
    let lines: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        lines,
        [
            "--data-dir".to_owned(),
            format!("{here}/./mb-data"),
            format!("--profiles={here}/my-profiles"),
            "--scenarios".to_owned(),
            "/abs/scenarios".to_owned(),
            "--listen".to_owned(),
            "127.0.0.1:0".to_owned(),
        ]
    );
}

/// `--help` says what each flag is for (newcomer issue, item 16): the report filters, the
/// TPP's profile and client, `run --profiles`, `compare --format`'s values, and `directory
/// issue --base-url` like every other command (`--url` still accepted).
#[test]
fn help_describes_every_flag_a_newcomer_asked_about() {
    let help = |args: &[&str]| {
        let out = Command::new(BIN).args(args).arg("--help").output().unwrap();
        assert!(out.status.success(), "{args:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let report = help(&["report"]);
    for needle in [
        "Only this client's requests",
        "Only requests to this profile",
        "The data dir whose traces",
    ] {
        assert!(
            report.contains(needle),
            "report --help lacks `{needle}`:\n{report}"
        );
    }
    assert!(help(&["run"]).contains("Folder of profile files"));
    for sub in ["register", "read", "sign"] {
        let text = help(&["tpp", sub]);
        assert!(text.contains("The profile"), "tpp {sub} --help:\n{text}");
    }
    assert!(help(&["tpp", "read"]).contains("as `tpp register` printed it"));
    let compare = help(&["compare"]);
    assert!(
        compare.contains("[possible values: table, markdown, csv, json]"),
        "{compare}"
    );
    let issue = help(&["directory", "issue"]);
    assert!(issue.contains("--base-url <URL>"), "{issue}");
    assert!(issue.contains("[alias: --url]"), "{issue}");
    // Both spellings parse (the command then fails for want of a server, not of a flag).
    for flag in ["--base-url", "--url"] {
        let out = Command::new(BIN)
            .args([
                "directory",
                "issue",
                "--software-name",
                "x",
                "--out",
                "/nonexistent/x",
            ])
            .args([flag, "https://127.0.0.1:1"])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("unexpected argument"), "{flag}: {err}");
    }
    // `tpp deviations` lines its descriptions up after the longest name.
    let out = Command::new(BIN)
        .args(["tpp", "deviations"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let starts: std::collections::HashSet<usize> = text
        .lines()
        .filter(|l| !l.starts_with(' '))
        .filter_map(|l| {
            let name_end = l.find(' ')?;
            Some(name_end + l[name_end..].len() - l[name_end..].trim_start().len())
        })
        .collect();
    assert_eq!(
        starts.len(),
        1,
        "descriptions start at different columns:\n{text}"
    );
}

/// The README's list of deviations, as `mockbank tpp deviations` prints them: the block
/// between its markers is this list (`MOCKBANK_UPDATE_README=1` rewrites it).
#[test]
fn the_readme_lists_every_deviation() {
    let out = Command::new(BIN)
        .args(["tpp", "deviations", "--format", "json"])
        .output()
        .unwrap();
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let block: String = list
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "- `{}`: {}\n",
                d["name"].as_str().unwrap(),
                d["description"].as_str().unwrap()
            )
        })
        .collect();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let (begin, end) = ("<!-- deviations: begin -->\n", "<!-- deviations: end -->");
    let start = readme
        .find(begin)
        .expect("the README marks its deviation list")
        + begin.len();
    let stop = readme[start..].find(end).expect("…and its end") + start;
    if std::env::var_os("MOCKBANK_UPDATE_README").is_some() {
        std::fs::write(
            &path,
            format!("{}{block}{}", &readme[..start], &readme[stop..]),
        )
        .unwrap();
        return;
    }
    assert_eq!(
        &readme[start..stop],
        block,
        "README.md's deviation list is stale: MOCKBANK_UPDATE_README=1 cargo test --test it readme"
    );
}

/// `scripts/mockbank` runs the binary run.sh builds, through cargo with the repository's
/// manifest, from any folder, passing the arguments as they are (a stand-in cargo records
/// what it was asked).
#[test]
fn scripts_mockbank_runs_the_release_binary_from_any_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let fake = tmp.path().join("cargo");
    std::fs::write(&fake, "#!/bin/sh\nprintf '%s\\n' \"$PWD\" \"$@\"\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(root.join("scripts/mockbank"))
        .args(["tpp", "register", "--data-dir", "./mb data"])
        .current_dir(tmp.path())
        .env("CARGO", &fake)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    let manifest = root.canonicalize().unwrap().join("Cargo.toml");
    assert_eq!(
        lines,
        [
            tmp.path().canonicalize().unwrap().to_str().unwrap(),
            "run",
            "--quiet",
            "--release",
            "--locked",
            "--manifest-path",
            manifest.to_str().unwrap(),
            "--bin",
            "mockbank",
            "--",
            "tpp",
            "register",
            "--data-dir",
            "./mb data",
        ]
    );
    let run_sh = std::fs::read_to_string(root.join("scripts/run.sh")).unwrap();
    assert!(
        run_sh.contains("cargo run --release --locked --bin mockbank"),
        "the same binary as run.sh"
    );
}
