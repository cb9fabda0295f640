//! Restarts keep everything; an acknowledged registration survives `kill -9`.

use crate::common::{generic_client, register, Bank, Request};

#[tokio::test]
async fn a_restart_keeps_clients_tokens_traces_and_the_ca() {
    let dir = tempfile::tempdir().unwrap();
    let bank = Bank::start_in(dir.path(), &[]);
    let c = register(&bank, "generic", &generic_client()).await;
    let (ca, token) = (bank.ca_pem.clone(), bank.admin_token.clone());
    let traces_before = bank.traces(100).await.len();
    assert!(bank.stop().success());

    let bank = Bank::start_in(dir.path(), &[]);
    assert_eq!(bank.ca_pem, ca, "the CA is reused");
    assert_eq!(bank.admin_token, token, "the admin token is reused");
    let id = c["client_id"].as_str().unwrap();
    let r = bank
        .send(
            Request::new("GET", &format!("/generic/register/{id}"))
                .bearer(c["registration_access_token"].as_str().unwrap()),
        )
        .await;
    assert_eq!(r.status, 200);
    let traces = bank.traces(100).await;
    assert_eq!(traces.len(), traces_before + 1);
    assert!(traces
        .iter()
        .any(|t| t["path"] == "/generic/register" && t["status"] == 201));
}

#[tokio::test]
async fn acknowledged_registrations_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let bank = Bank::start_in(dir.path(), &[]);
    let mut created = Vec::new();
    for _ in 0..20 {
        created.push(register(&bank, "generic", &generic_client()).await);
    }
    bank.kill9();
    let bank = Bank::start_in(dir.path(), &[]);
    for c in &created {
        let id = c["client_id"].as_str().unwrap();
        let r = bank
            .send(
                Request::new("GET", &format!("/generic/register/{id}"))
                    .bearer(c["registration_access_token"].as_str().unwrap()),
            )
            .await;
        assert_eq!(r.status, 200, "client {id} was lost");
    }
}

#[tokio::test]
async fn trace_retention_drops_the_oldest() {
    let bank = Bank::start_with(&["--trace-retention", "5"]);
    for _ in 0..12 {
        bank.get("/generic/.well-known/openid-configuration").await;
    }
    let traces = bank.traces(100).await;
    assert!(traces.len() <= 6, "kept {}", traces.len());
    assert_eq!(traces[0]["seq"], 12, "the newest are kept");
}
