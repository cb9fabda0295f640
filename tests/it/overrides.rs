//! What the UI changes through the admin API: run-time check overrides (kept across a
//! restart, revertible), deleting a client, and downloading a minted bundle again.

use serde_json::{json, Value};

use crate::common::{check_of, generic_client, mint, register, Bank, Request};

const CHECK: &str = "generic.redirect.no_fragment";

fn with_fragment() -> Value {
    let mut body = generic_client();
    body["redirect_uris"] = json!(["https://tpp.example/cb#frag"]);
    body
}

async fn admin(bank: &Bank, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut req = Request::new(method, path).bearer(&bank.admin_token);
    if let Some(b) = &body {
        req = req.json(b);
    }
    let r = bank.send(req).await;
    let v = if r.body.is_empty() {
        Value::Null
    } else {
        r.json()
    };
    (r.status, v)
}

async fn served_profile(bank: &Bank, id: &str) -> Value {
    let all = bank.admin_get("/admin/profiles").await.json();
    all.as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .cloned()
        .unwrap()
}

#[tokio::test]
async fn a_check_switched_off_stops_running_survives_a_restart_and_reverts() {
    let dir = tempfile::tempdir().unwrap();
    let bank = Bank::start_in(dir.path(), &[]);
    let path = format!("/admin/profiles/generic/checks/{CHECK}");

    // As the file says: a fragment is refused by the check.
    let r = bank
        .send(Request::new("POST", "/generic/register").json(&with_fragment()))
        .await;
    r.assert_error(400, "invalid_redirect_uri");

    let (status, profile) = admin(&bank, "PUT", &path, Some(json!({"enabled": false}))).await;
    assert_eq!(status, 200, "{profile}");
    let c = check_of(&profile, CHECK);
    assert_eq!(
        (&c["enabled"], &c["default_enabled"], &c["overridden"]),
        (&json!(false), &json!(true), &json!(true))
    );
    assert_eq!(profile["overrides"], 1);

    // The next registration runs without it: accepted, and the trace does not list it.
    register(&bank, "generic", &with_fragment()).await;
    let trace = bank.last_trace("POST", "/generic/register").await;
    assert_eq!(trace["status"], 201);
    assert!(
        trace["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["id"] != CHECK),
        "the switched-off check still ran"
    );
    // Other profiles are untouched.
    let rotating = served_profile(&bank, "generic-rotating").await;
    assert_eq!(check_of(&rotating, CHECK)["enabled"], true);

    // Kept across a restart.
    bank.stop();
    let bank = Bank::start_in(dir.path(), &[]);
    let profile = served_profile(&bank, "generic").await;
    assert_eq!(check_of(&profile, CHECK)["overridden"], true);
    register(&bank, "generic", &with_fragment()).await;

    // Reverted: the file's value again, and the fragment is refused by the check.
    let (status, profile) = admin(&bank, "DELETE", &path, None).await;
    assert_eq!(status, 200);
    assert_eq!(check_of(&profile, CHECK)["overridden"], false);
    assert_eq!(profile["overrides"], 0);
    let r = bank
        .send(Request::new("POST", "/generic/register").json(&with_fragment()))
        .await;
    r.assert_error(400, "invalid_redirect_uri");
    let trace = bank.last_trace("POST", "/generic/register").await;
    assert_eq!(trace["failed_check"], CHECK);

    // Reverting a whole profile.
    for id in [CHECK, "generic.redirect.scheme"] {
        let p = format!("/admin/profiles/generic/checks/{id}");
        assert_eq!(
            admin(&bank, "PUT", &p, Some(json!({"enabled": false})))
                .await
                .0,
            200
        );
    }
    assert_eq!(served_profile(&bank, "generic").await["overrides"], 2);
    let (status, profile) = admin(&bank, "DELETE", "/admin/profiles/generic/overrides", None).await;
    assert_eq!(status, 200);
    assert_eq!(profile["overrides"], 0);
    bank.stop();
}

#[tokio::test]
async fn check_overrides_refuse_unknown_names_bad_bodies_and_strangers() {
    let bank = Bank::start();
    let (status, body) = admin(
        &bank,
        "PUT",
        "/admin/profiles/generic/checks/no.such.check",
        Some(json!({"enabled": false})),
    )
    .await;
    assert_eq!((status, &body["error"]), (404, &json!("not_found")));
    let (status, _) = admin(
        &bank,
        "PUT",
        &format!("/admin/profiles/nope/checks/{CHECK}"),
        Some(json!({"enabled": false})),
    )
    .await;
    assert_eq!(status, 404);
    let (status, body) = admin(
        &bank,
        "PUT",
        &format!("/admin/profiles/generic/checks/{CHECK}"),
        Some(json!({"enabled": "no"})),
    )
    .await;
    assert_eq!((status, &body["error"]), (400, &json!("invalid_request")));
    let r = bank
        .send(
            Request::new("PUT", &format!("/admin/profiles/generic/checks/{CHECK}"))
                .json(&json!({"enabled": false})),
        )
        .await;
    r.assert_error(401, "invalid_token");
    let r = bank
        .send(
            Request::new("PUT", &format!("/admin/profiles/generic/checks/{CHECK}"))
                .bearer(&bank.admin_token)
                .header("origin", "https://evil.example")
                .json(&json!({"enabled": false})),
        )
        .await;
    r.assert_error(403, "access_denied");
    // Nothing changed.
    let profile = served_profile(&bank, "generic").await;
    assert_eq!(profile["overrides"], 0);
}

#[tokio::test]
async fn the_admin_api_deletes_a_client_and_revokes_its_token() {
    let bank = Bank::start();
    let client = register(&bank, "generic", &generic_client()).await;
    let id = client["client_id"].as_str().unwrap();
    let rat = client["registration_access_token"].as_str().unwrap();
    let uri = client["registration_client_uri"].as_str().unwrap();

    let (status, _) = admin(&bank, "DELETE", &format!("/admin/clients/{id}"), None).await;
    assert_eq!(status, 204);
    let clients = bank.admin_get("/admin/clients").await.json();
    assert!(clients
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["client_id"] != id));
    let r = bank.send(Request::new("GET", uri).bearer(rat)).await;
    r.assert_error(401, "invalid_token");
    let (status, body) = admin(&bank, "DELETE", &format!("/admin/clients/{id}"), None).await;
    assert_eq!((status, &body["error"]), (404, &json!("not_found")));
    let r = bank
        .send(Request::new("DELETE", &format!("/admin/clients/{id}")))
        .await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn a_minted_bundle_can_be_downloaded_again_by_the_admin_only() {
    let bank = Bank::start();
    let minted = mint(
        &bank,
        json!({"software_name": "again", "profile": "obuk-v3.2"}),
    )
    .await;
    let id = minted["software_id"].as_str().unwrap();
    let path = format!("/directory/software/{id}/bundle");
    let (status, bundle) = admin(&bank, "GET", &path, None).await;
    assert_eq!(status, 200);
    assert_eq!(bundle, minted);
    assert!(bundle["transport_key_pem"]
        .as_str()
        .unwrap()
        .contains("PRIVATE KEY"));
    assert_eq!(bank.get(&path).await.status, 401);
    // The other views never carry it.
    for view in [
        "/directory/software".to_owned(),
        format!("/directory/software/{id}"),
    ] {
        let text = String::from_utf8(bank.admin_get(&view).await.body.to_vec()).unwrap();
        assert!(!text.contains("PRIVATE KEY"), "{view} shows a private key");
    }
    let (status, _) = admin(&bank, "GET", "/directory/software/nope/bundle", None).await;
    assert_eq!(status, 404);
}

/// Every change commits together with its trace: admin changes are traced under `admin`
/// (their secrets redacted), and a management DELETE's trace and its effect land together.
#[tokio::test]
async fn every_change_is_traced_with_what_it_changed() {
    let bank = Bank::start();
    let (status, _) = admin(
        &bank,
        "PUT",
        "/admin/profiles/generic/checks/generic.contacts.email",
        Some(json!({"enabled": false})),
    )
    .await;
    assert_eq!(status, 200);
    let (status, iat) = admin(
        &bank,
        "POST",
        "/admin/initial-access-tokens",
        Some(json!({"profile": "generic-protected", "max_uses": 1})),
    )
    .await;
    assert_eq!(status, 201);
    let token = iat["initial_access_token"].as_str().unwrap();
    let c = register(&bank, "generic", &generic_client()).await;
    let id = c["client_id"].as_str().unwrap();
    let (status, _) = admin(&bank, "DELETE", &format!("/admin/clients/{id}"), None).await;
    assert_eq!(status, 204);

    let traces = bank.admin_get("/admin/traces?profile=admin").await.json();
    let traces = traces.as_array().unwrap();
    let line = |t: &Value| {
        format!(
            "{} {} {}",
            t["method"].as_str().unwrap(),
            t["path"].as_str().unwrap(),
            t["status"]
        )
    };
    let lines: Vec<String> = traces.iter().map(line).collect();
    assert_eq!(
        lines,
        [
            format!("DELETE /admin/clients/{id} 204"),
            "POST /admin/initial-access-tokens 201".to_owned(),
            "PUT /admin/profiles/generic/checks/generic.contacts.email 200".to_owned(),
        ]
    );
    let text = serde_json::to_string(&traces).unwrap();
    assert!(
        !text.contains(token),
        "the initial access token is redacted"
    );
    // The client is gone, with its trace.
    assert_eq!(
        bank.admin_get("/admin/clients?profile=generic")
            .await
            .json(),
        json!([])
    );
    assert!(!served_profile(&bank, "generic").await["checks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"] == "generic.contacts.email" && c["enabled"] == true));
}
