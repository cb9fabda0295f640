//! The generic profile's whole life of a client, as a TPP's client drives it: register,
//! get a token, read, update, delete — with each request's checks in the trace.

use serde_json::json;

use crate::common::{basic, generic_client, register, Bank, Request};

#[tokio::test]
async fn register_token_read_update_delete() {
    let bank = Bank::start();
    let created = register(&bank, "generic", &generic_client()).await;
    let id = created["client_id"].as_str().unwrap().to_owned();
    let secret = created["client_secret"].as_str().unwrap().to_owned();
    let rat = created["registration_access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(id.len() >= 16 && secret.len() >= 32 && rat.len() >= 32);
    assert_eq!(created["client_secret_expires_at"], 0);
    assert!(created["client_id_issued_at"].as_i64().unwrap() > 1_700_000_000);
    assert_eq!(
        created["registration_client_uri"],
        format!("{}/generic/register/{id}", bank.base_url)
    );
    assert_eq!(
        created["token_endpoint_auth_method"], "client_secret_basic",
        "server default filled in"
    );
    assert_eq!(created["client_name"], "Example TPP");

    // The registration's trace: every check passed or was skipped, none failed.
    let trace = bank.last_trace("POST", "/generic/register").await;
    assert_eq!(trace["status"], 201);
    assert_eq!(trace["client_id"], id.as_str());
    assert_eq!(trace["summary"]["fail"], 0);
    let checks = trace["checks"].as_array().unwrap();
    let no_fragment = checks
        .iter()
        .find(|c| c["id"] == "generic.redirect.no_fragment")
        .unwrap();
    assert_eq!(no_fragment["outcome"], "pass");
    assert_eq!(no_fragment["spec"], "RFC 6749 §3.1.2");
    assert!(trace["response"]["body"]["client_secret"]
        .as_str()
        .unwrap()
        .ends_with("(redacted)"));
    assert!(trace["response"]["body"]["registration_access_token"]
        .as_str()
        .unwrap()
        .ends_with("(redacted)"));

    // client_credentials with client_secret_basic
    let r = bank
        .send(
            Request::new("POST", "/generic/token")
                .raw(
                    "application/x-www-form-urlencoded",
                    "grant_type=client_credentials&scope=accounts",
                )
                .header("authorization", basic(&id, &secret)),
        )
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let tok = r.json();
    assert_eq!(tok["token_type"], "Bearer");
    assert_eq!(tok["scope"], "accounts");
    assert_eq!(tok["expires_in"], 3600);
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));

    // read
    let r = bank
        .send(Request::new("GET", &format!("/generic/register/{id}")).bearer(&rat))
        .await;
    assert_eq!(r.status, 200);
    let read = r.json();
    assert_eq!(read["client_id"], id.as_str());
    assert_eq!(read["redirect_uris"], json!(["https://tpp.example/cb"]));
    assert!(
        read.get("client_secret").is_none(),
        "the secret is stored hashed and shown once"
    );
    assert_eq!(
        read["registration_access_token"],
        rat.as_str(),
        "generic does not rotate on read"
    );

    // update replaces the record; the token rotates on update
    let update = json!({
        "client_id": id, "redirect_uris": ["https://tpp.example/new-cb"],
        "client_name": "Renamed", "grant_types": ["client_credentials"], "response_types": [],
    });
    let r = bank
        .send(
            Request::new("PUT", &format!("/generic/register/{id}"))
                .bearer(&rat)
                .json(&update),
        )
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let updated = r.json();
    assert_eq!(updated["client_name"], "Renamed");
    assert!(
        updated.get("scope").is_none(),
        "omitted members are removed (PUT replaces)"
    );
    assert_eq!(
        updated["client_id_issued_at"],
        created["client_id_issued_at"]
    );
    let new_rat = updated["registration_access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(new_rat, rat);
    let r = bank
        .send(Request::new("GET", &format!("/generic/register/{id}")).bearer(&rat))
        .await;
    r.assert_error(401, "invalid_token");
    // the secret survives an update that keeps a secret-based method
    let r = bank
        .send(
            Request::new("POST", "/generic/token")
                .raw(
                    "application/x-www-form-urlencoded",
                    format!("grant_type=client_credentials&client_id={id}&client_secret={secret}"),
                )
                .header("x-note", "post auth must fail: the client registered basic"),
        )
        .await;
    r.assert_error(401, "invalid_client");

    // delete
    let r = bank
        .send(Request::new("DELETE", &format!("/generic/register/{id}")).bearer(&new_rat))
        .await;
    assert_eq!(r.status, 204);
    assert!(r.body.is_empty());
    let r = bank
        .send(Request::new("GET", &format!("/generic/register/{id}")).bearer(&new_rat))
        .await;
    r.assert_error(401, "invalid_token");
    let r = bank
        .send(Request::new("DELETE", &format!("/generic/register/{id}")).bearer(&new_rat))
        .await;
    r.assert_error(401, "invalid_token");
    let r = bank
        .send(
            Request::new("POST", "/generic/token")
                .raw(
                    "application/x-www-form-urlencoded",
                    "grant_type=client_credentials",
                )
                .header("authorization", basic(&id, &secret)),
        )
        .await;
    r.assert_error(401, "invalid_client");
}

#[tokio::test]
async fn client_secret_post_and_public_clients() {
    let bank = Bank::start();
    let mut body = generic_client();
    body["token_endpoint_auth_method"] = "client_secret_post".into();
    let c = register(&bank, "generic", &body).await;
    let (id, secret) = (
        c["client_id"].as_str().unwrap(),
        c["client_secret"].as_str().unwrap(),
    );
    let r = bank
        .send(Request::new("POST", "/generic/token").raw(
            "application/x-www-form-urlencoded",
            format!("grant_type=client_credentials&client_id={id}&client_secret={secret}"),
        ))
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(
        r.json()["scope"],
        "accounts payments",
        "defaults to the registered scope"
    );

    let mut public = generic_client();
    public["token_endpoint_auth_method"] = "none".into();
    public["grant_types"] = json!(["authorization_code"]);
    let c = register(&bank, "generic", &public).await;
    assert!(c.get("client_secret").is_none(), "no secret for `none`");
    assert!(c.get("client_secret_expires_at").is_none());
}

#[tokio::test]
async fn server_assigned_and_unknown_members_are_ignored() {
    let bank = Bank::start();
    let mut body = generic_client();
    body["client_id"] = "i-choose-my-id".into();
    body["client_secret"] = "i-choose-my-secret".into();
    body["redirect_url"] = "https://typo.example".into();
    body["software_statement"] = "eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.".into();
    let c = register(&bank, "generic", &body).await;
    assert_ne!(c["client_id"], "i-choose-my-id");
    assert_ne!(c["client_secret"], "i-choose-my-secret");
    assert!(c.get("redirect_url").is_none());
    assert!(c.get("software_statement").is_none());
    let trace = bank.last_trace("POST", "/generic/register").await;
    let unknown = trace["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "generic.metadata.unknown")
        .unwrap();
    assert_eq!(unknown["values"]["unknown"], json!(["redirect_url"]));
    let ssa = trace["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "generic.software_statement.ignored")
        .unwrap();
    assert_eq!(ssa["outcome"], "skip");
    assert_eq!(
        trace["request"]["jwts"][0]["location"],
        "body.software_statement"
    );
}

#[tokio::test]
async fn rotating_profile_replaces_the_token_on_every_use_and_expires_it() {
    let bank = Bank::start();
    let c = register(&bank, "generic-rotating", &generic_client()).await;
    assert_eq!(c["registration_access_token_expires_in"], 2_592_000);
    let id = c["client_id"].as_str().unwrap();
    let rat1 = c["registration_access_token"].as_str().unwrap();
    let r = bank
        .send(Request::new("GET", &format!("/generic-rotating/register/{id}")).bearer(rat1))
        .await;
    assert_eq!(r.status, 200);
    let rat2 = r.json()["registration_access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(rat2, rat1);
    let r = bank
        .send(Request::new("GET", &format!("/generic-rotating/register/{id}")).bearer(rat1))
        .await;
    let body = r.assert_error(401, "invalid_token");
    assert_eq!(
        body["error_description"],
        "the registration access token has been revoked or replaced"
    );
    let r = bank
        .send(Request::new("GET", &format!("/generic-rotating/register/{id}")).bearer(&rat2))
        .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn every_response_forbids_caching_and_profiles_are_isolated() {
    let bank = Bank::start();
    let c = register(&bank, "generic", &generic_client()).await;
    let id = c["client_id"].as_str().unwrap();
    let rat = c["registration_access_token"].as_str().unwrap();
    // a generic client does not exist under another issuer
    let r = bank
        .send(Request::new("GET", &format!("/generic-rotating/register/{id}")).bearer(rat))
        .await;
    r.assert_error(401, "invalid_token");
    let r = bank
        .send(Request::new("POST", "/nope/register").json(&generic_client()))
        .await;
    r.assert_error(404, "not_found");
}
