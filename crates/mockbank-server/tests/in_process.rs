//! The in-process admin door the desktop app uses (`RunningServer::admin_request`): the
//! same routes, guard and answers as over HTTPS, for admin and directory paths only.

use mockbank_core::ProfileSet;
use mockbank_server::{start, ServerConfig};
use serde_json::json;

#[tokio::test]
async fn admin_requests_reach_the_same_routes_without_a_socket() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(ServerConfig {
        data_dir: dir.path().to_owned(),
        listen: "127.0.0.1:0".parse().unwrap(),
        profiles: ProfileSet::builtin().unwrap(),
        trace_retention: 1000,
        limits: Default::default(),
        cli_path: None,
        scenarios: None,
        public_url: None,
        hostnames: Vec::new(),
        admin_token: None,
    })
    .await
    .unwrap();

    let (status, body) = server
        .admin_request(
            "PUT",
            "/admin/profiles/generic/checks/generic.redirect.no_fragment",
            Some(&json!({"enabled": false})),
        )
        .await
        .unwrap();
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["overrides"], 1);
    // The desktop's own read sees the change.
    let profiles = server.profiles();
    let generic = profiles.iter().find(|p| p.id == "generic").unwrap();
    assert_eq!(generic.overrides, 1);

    let (status, minted) = server
        .admin_request(
            "POST",
            "/directory/software",
            Some(&json!({"software_name": "desktop", "key_type": "EC"})),
        )
        .await
        .unwrap();
    assert_eq!(status, 201, "{minted}");
    let (status, list) = server
        .admin_request("GET", "/directory/software", None)
        .await
        .unwrap();
    assert_eq!(status, 200);
    assert_eq!(list[0]["software_id"], minted["software_id"]);

    // Refusals come back as answers, not errors.
    let (status, body) = server
        .admin_request("DELETE", "/admin/clients/nope", None)
        .await
        .unwrap();
    assert_eq!((status, &body["error"]), (404, &json!("not_found")));
    // Only admin and directory paths.
    assert!(server
        .admin_request("POST", "/generic/register", Some(&json!({})))
        .await
        .is_err());
    assert!(server
        .admin_request("NOT A METHOD", "/admin/traces", None)
        .await
        .is_err());

    // A walkthrough through the same door (the desktop's Walkthrough view), and its
    // handout, a text answer, as a string.
    let (status, run) = server
        .admin_request("POST", "/admin/scenarios/generic-lifecycle/runs", None)
        .await
        .unwrap();
    assert_eq!(status, 201, "{run}");
    let id = run["run_id"].as_str().unwrap();
    let (status, step) = server
        .admin_request("POST", &format!("/admin/scenario-runs/{id}/steps/1"), None)
        .await
        .unwrap();
    assert_eq!(
        (status, step["status"].as_u64()),
        (200, Some(201)),
        "{step}"
    );
    let (status, handout) = server
        .admin_request(
            "GET",
            &format!("/admin/scenario-runs/{id}/handout?format=markdown"),
            None,
        )
        .await
        .unwrap();
    assert_eq!(status, 200);
    assert!(handout
        .as_str()
        .unwrap()
        .starts_with("# The generic lifecycle"));
    server.shutdown().await.unwrap();
}
