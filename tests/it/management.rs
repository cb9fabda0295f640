//! RFC 7592 rules: token binding and revocation, update semantics, races.

use serde_json::json;

use crate::common::{generic_client, register, Bank, Request};

#[tokio::test]
async fn a_token_used_for_another_client_is_revoked() {
    let bank = Bank::start();
    let a = register(&bank, "generic", &generic_client()).await;
    let b = register(&bank, "generic", &generic_client()).await;
    let rat_a = a["registration_access_token"].as_str().unwrap();
    let b_id = b["client_id"].as_str().unwrap();
    let r = bank
        .send(Request::new("GET", &format!("/generic/register/{b_id}")).bearer(rat_a))
        .await;
    let body = r.assert_error(401, "invalid_token");
    assert!(body["error_description"]
        .as_str()
        .unwrap()
        .contains("not issued for this client"));
    let trace = bank.last_trace("GET", "/generic/register/").await;
    assert_eq!(trace["failed_check"], "rfc7592.token.bound_to_client");
    // RFC 7592 §2.1: the token is now dead for its own client too
    let a_id = a["client_id"].as_str().unwrap();
    let r = bank
        .send(Request::new("GET", &format!("/generic/register/{a_id}")).bearer(rat_a))
        .await;
    r.assert_error(401, "invalid_token");
    // an unknown client id answers 401 as well, never 404
    let rat_b = b["registration_access_token"].as_str().unwrap();
    let r = bank
        .send(Request::new("GET", "/generic/register/does-not-exist").bearer(rat_b))
        .await;
    r.assert_error(401, "invalid_token");
}

#[tokio::test]
async fn missing_token_gets_a_bare_bearer_challenge() {
    let bank = Bank::start();
    let c = register(&bank, "generic", &generic_client()).await;
    let id = c["client_id"].as_str().unwrap();
    let r = bank
        .send(Request::new("GET", &format!("/generic/register/{id}")))
        .await;
    r.assert_error(401, "invalid_token");
    assert_eq!(
        r.header("www-authenticate").as_deref(),
        Some("Bearer realm=\"mockbank\"")
    );
    let r = bank
        .send(Request::new("GET", &format!("/generic/register/{id}")).bearer("nonsense"))
        .await;
    r.assert_error(401, "invalid_token");
    assert!(r
        .header("www-authenticate")
        .unwrap()
        .contains("error=\"invalid_token\""));
}

#[tokio::test]
async fn update_rules_of_rfc7592() {
    let bank = Bank::start();
    let c = register(&bank, "generic", &generic_client()).await;
    let id = c["client_id"].as_str().unwrap();
    let rat = c["registration_access_token"].as_str().unwrap();
    let path = format!("/generic/register/{id}");
    let put = |body: serde_json::Value| Request::new("PUT", &path).bearer(rat).json(&body);

    let mut no_id = generic_client();
    let r = bank.send(put(no_id.clone())).await;
    assert_eq!(
        r.assert_error(400, "invalid_request")["error_description"],
        "the update must include `client_id`"
    );
    no_id["client_id"] = "someone-else".into();
    let r = bank.send(put(no_id)).await;
    r.assert_error(400, "invalid_request");
    assert_eq!(
        bank.last_trace("PUT", &path).await["failed_check"],
        "rfc7592.update.client_id_matches"
    );

    let mut forbidden = generic_client();
    forbidden["client_id"] = id.into();
    forbidden["client_id_issued_at"] = 1.into();
    let r = bank.send(put(forbidden)).await;
    assert_eq!(
        r.assert_error(400, "invalid_request")["error_description"],
        "the update must not include `client_id_issued_at`"
    );

    let mut chosen_secret = generic_client();
    chosen_secret["client_id"] = id.into();
    chosen_secret["client_secret"] = "my-own-secret".into();
    let r = bank.send(put(chosen_secret)).await;
    r.assert_error(400, "invalid_request");

    let mut bad_metadata = generic_client();
    bad_metadata["client_id"] = id.into();
    bad_metadata["redirect_uris"] = json!(["https://tpp.example/cb#x"]);
    let r = bank.send(put(bad_metadata)).await;
    r.assert_error(400, "invalid_redirect_uri");

    // the current secret may be repeated
    let mut same_secret = generic_client();
    same_secret["client_id"] = id.into();
    same_secret["client_secret"] = c["client_secret"].clone();
    same_secret.as_object_mut().unwrap().remove("scope");
    let r = bank.send(put(same_secret)).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert!(r.json().get("scope").is_none());
}

#[tokio::test]
async fn a_bad_token_is_refused_before_the_body_is_judged() {
    let bank = Bank::start();
    let c = register(&bank, "generic", &generic_client()).await;
    let id = c["client_id"].as_str().unwrap();
    let r = bank
        .send(
            Request::new("PUT", &format!("/generic/register/{id}"))
                .bearer("wrong")
                .raw("text/plain", "garbage"),
        )
        .await;
    r.assert_error(401, "invalid_token");
}

#[tokio::test]
async fn two_concurrent_updates_with_one_token_one_wins() {
    let bank = Bank::start();
    let c = register(&bank, "generic", &generic_client()).await;
    let id = c["client_id"].as_str().unwrap();
    let rat = c["registration_access_token"].as_str().unwrap();
    let path = format!("/generic/register/{id}");
    let mut body = generic_client();
    body["client_id"] = id.into();
    let statuses = futures_util::future::join_all((0..6).map(|i| {
        let mut b = body.clone();
        b["client_name"] = format!("writer {i}").into();
        let bank = &bank;
        let path = path.clone();
        async move {
            bank.send(Request::new("PUT", &path).bearer(rat).json(&b))
                .await
                .status
        }
    }))
    .await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 401).count(),
        5,
        "{statuses:?}"
    );
}

#[tokio::test]
async fn switching_auth_method_issues_or_drops_the_secret() {
    let bank = Bank::start();
    let mut public = generic_client();
    public["token_endpoint_auth_method"] = "none".into();
    public["grant_types"] = json!(["authorization_code"]);
    let c = register(&bank, "generic", &public).await;
    let id = c["client_id"].as_str().unwrap();
    let mut body = generic_client();
    body["client_id"] = id.into();
    let r = bank
        .send(
            Request::new("PUT", &format!("/generic/register/{id}"))
                .bearer(c["registration_access_token"].as_str().unwrap())
                .json(&body),
        )
        .await;
    assert_eq!(r.status, 200);
    let updated = r.json();
    assert!(
        updated["client_secret"]
            .as_str()
            .is_some_and(|s| s.len() >= 32),
        "a secret is issued: {updated}"
    );
}
