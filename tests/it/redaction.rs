//! Secrets never reach stored traces, however they are spelled (hardening, third round,
//! finding 9): a percent-encoded name in the query, an upper-case name in a text body, a
//! JSON secret whose value is an array or an object, and a multipart field.

use serde_json::json;

use crate::common::{self, generic_client, Bank, Request};

#[tokio::test]
async fn secrets_spelled_any_way_are_redacted() {
    let bank = Bank::start();
    let reg = common::register(&bank, "generic", &generic_client()).await;
    let id = reg["client_id"].as_str().unwrap();
    let rat = reg["registration_access_token"].as_str().unwrap();
    let secret = reg["client_secret"].as_str().unwrap();
    let planted = [
        "QUERYSECRET0123456789",
        "TEXTSECRET0123456789",
        "ARRAYSECRET0123456789",
        "OBJECTSECRET0123456789",
        "MULTIPARTSECRET0123456789",
    ];
    bank.get(&format!(
        "/generic/register/{id}?client%5Fsecret={}&access%5ftoken={rat}",
        planted[0]
    ))
    .await;
    bank.send(Request::new("POST", "/generic/token").raw(
        "text/plain",
        format!(
            "GRANT_TYPE=client_credentials\nCLIENT_ID={id}\nCLIENT_SECRET={}",
            planted[1]
        ),
    ))
    .await;
    let mut body = generic_client();
    body["client_secret"] = json!([planted[2], secret]);
    bank.send(Request::new("POST", "/generic/register").json(&body))
        .await;
    body["client_secret"] = json!({"value": planted[3], "n": 1});
    bank.send(Request::new("POST", "/generic/register").json(&body))
        .await;
    let multipart = format!(
        "--XyZ\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\nclient_credentials\r\n\
         --XyZ\r\nContent-Disposition: form-data; name=\"client_secret\"\r\n\r\n{}\r\n--XyZ--\r\n",
        planted[4]
    );
    bank.send(
        Request::new("POST", "/generic/token").raw("multipart/form-data; boundary=XyZ", multipart),
    )
    .await;
    let traces = bank.admin_get("/admin/traces?limit=10").await;
    let text = String::from_utf8_lossy(&traces.body).into_owned();
    for needle in planted.iter().copied().chain([rat, secret]) {
        assert!(!text.contains(needle), "{needle} reached a stored trace");
        let found = bank
            .admin_get(&format!("/admin/traces?q={}", &needle[4..16]))
            .await
            .json();
        assert_eq!(found.as_array().unwrap().len(), 0, "{needle} is searchable");
    }
    assert!(text.contains("QUER…(redacted)"), "{text}");
    assert!(text.contains("MULT…(redacted)"), "{text}");
}
