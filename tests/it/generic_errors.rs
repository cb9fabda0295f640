//! Bad input to the generic registration endpoint: the spec's error code and status, the
//! failing check named in the trace, and the server still healthy afterwards.

use serde_json::{json, Value};

use crate::common::{generic_client, Bank, Request};

struct Case {
    name: &'static str,
    content_type: &'static str,
    body: Vec<u8>,
    status: u16,
    error: &'static str,
    check: &'static str,
}

fn with(f: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut v = generic_client();
    f(&mut v);
    serde_json::to_vec(&v).unwrap()
}

fn cases() -> Vec<Case> {
    let json = "application/json";
    let c = |name, content_type, body: Vec<u8>, status, error, check| Case {
        name,
        content_type,
        body,
        status,
        error,
        check,
    };
    vec![
        c(
            "wrong content type",
            "text/plain",
            with(|_| {}),
            400,
            "invalid_request",
            "request.content_type",
        ),
        c(
            "malformed JSON",
            json,
            b"{\"redirect_uris\":[".to_vec(),
            400,
            "invalid_request",
            "request.json_object",
        ),
        c(
            "array body",
            json,
            b"[]".to_vec(),
            400,
            "invalid_request",
            "request.json_object",
        ),
        c(
            "null body",
            json,
            b"null".to_vec(),
            400,
            "invalid_request",
            "request.json_object",
        ),
        c(
            "empty body",
            json,
            vec![],
            400,
            "invalid_request",
            "request.json_object",
        ),
        c(
            "invalid UTF-8",
            json,
            b"{\"client_name\":\"\xff\xfe\"}".to_vec(),
            400,
            "invalid_request",
            "request.json_object",
        ),
        c(
            "deep nesting",
            json,
            format!("{{\"a\":{}{}}}", "[".repeat(5000), "]".repeat(5000)).into_bytes(),
            400,
            "invalid_request",
            "request.json_object",
        ),
        c(
            "huge number",
            json,
            b"{\"default_max_age\": 1e999999}".to_vec(),
            400,
            "invalid_request",
            "request.json_object",
        ),
        c(
            "body over the limit",
            json,
            format!("{{\"client_name\":\"{}\"}}", "x".repeat(70_000)).into_bytes(),
            413,
            "invalid_request",
            "request.body_size",
        ),
        c(
            "wrong type",
            json,
            with(|v| v["client_name"] = json!(42)),
            400,
            "invalid_client_metadata",
            "generic.metadata.types",
        ),
        c(
            "integer too large",
            json,
            with(|v| v["default_max_age"] = json!(1e30)),
            400,
            "invalid_client_metadata",
            "generic.metadata.types",
        ),
        c(
            "negative integer",
            json,
            with(|v| v["default_max_age"] = json!(-5)),
            400,
            "invalid_client_metadata",
            "generic.metadata.types",
        ),
        c(
            "missing redirect_uris",
            json,
            with(|v| {
                v.as_object_mut().unwrap().remove("redirect_uris");
            }),
            400,
            "invalid_redirect_uri",
            "generic.redirect.required",
        ),
        c(
            "redirect_uris a string",
            json,
            with(|v| v["redirect_uris"] = json!("https://tpp.example/cb")),
            400,
            // RFC 7591 §3.2.2, and as the reference (oidc-provider) answers.
            "invalid_redirect_uri",
            "generic.metadata.types",
        ),
        c(
            "relative redirect",
            json,
            with(|v| v["redirect_uris"] = json!(["/cb"])),
            400,
            "invalid_redirect_uri",
            "generic.redirect.absolute",
        ),
        c(
            "fragment",
            json,
            with(|v| v["redirect_uris"] = json!(["https://tpp.example/cb#frag"])),
            400,
            "invalid_redirect_uri",
            "generic.redirect.no_fragment",
        ),
        c(
            "http on a public host",
            json,
            with(|v| v["redirect_uris"] = json!(["http://tpp.example/cb"])),
            400,
            "invalid_redirect_uri",
            "generic.redirect.scheme",
        ),
        c(
            "implicit on localhost",
            json,
            with(|v| {
                v["grant_types"] = json!(["implicit"]);
                v["response_types"] = json!(["token"]);
                v["redirect_uris"] = json!(["https://localhost/cb"]);
            }),
            400,
            "invalid_redirect_uri",
            "generic.redirect.implicit_https",
        ),
        c(
            "unknown auth method",
            json,
            with(|v| v["token_endpoint_auth_method"] = json!("magic")),
            400,
            "invalid_client_metadata",
            "generic.auth_method.supported",
        ),
        c(
            "jwks and jwks_uri",
            json,
            with(|v| {
                v["jwks"] = json!({"keys": []});
                v["jwks_uri"] = json!("https://tpp.example/jwks");
            }),
            400,
            "invalid_client_metadata",
            "generic.jwks.exclusive",
        ),
        c(
            "private key in jwks",
            json,
            with(|v| {
                v["jwks"] = json!({"keys": [{"kty": "RSA", "n": "x", "e": "AQAB", "d": "secret"}]})
            }),
            400,
            "invalid_client_metadata",
            "generic.jwks.public_keys",
        ),
        c(
            "unsupported response type",
            json,
            with(|v| v["response_types"] = json!(["code id_token"])),
            400,
            "invalid_client_metadata",
            "generic.response_types.supported",
        ),
        c(
            "grant without its response type",
            json,
            with(|v| v["response_types"] = json!(["token"])),
            400,
            "invalid_client_metadata",
            "generic.grant_response.consistent",
        ),
        c(
            "inconsistent grant and response",
            json,
            with(|v| {
                v["grant_types"] = json!(["authorization_code"]);
                v["response_types"] = json!(["id_token"]);
            }),
            400,
            "invalid_client_metadata",
            "generic.grant_response.consistent",
        ),
        c(
            "unsupported grant",
            json,
            with(|v| v["grant_types"] = json!(["password"])),
            400,
            "invalid_client_metadata",
            "generic.grant_types.supported",
        ),
        c(
            "unknown scope",
            json,
            with(|v| v["scope"] = json!("accounts admin")),
            400,
            "invalid_client_metadata",
            "generic.scope.supported",
        ),
        c(
            "non-https jwks_uri",
            json,
            with(|v| v["jwks_uri"] = json!("http://tpp.example/jwks")),
            400,
            "invalid_client_metadata",
            "generic.uris.valid",
        ),
        c(
            "bad logo URL",
            json,
            with(|v| v["logo_uri"] = json!("not a url")),
            400,
            "invalid_client_metadata",
            "generic.uris.valid",
        ),
        c(
            "enc without alg",
            json,
            with(|v| v["id_token_encrypted_response_enc"] = json!("A128GCM")),
            400,
            "invalid_client_metadata",
            "generic.encryption.alg_for_enc",
        ),
        c(
            "bad application_type",
            json,
            with(|v| v["application_type"] = json!("desktop")),
            400,
            "invalid_client_metadata",
            "generic.application_type.valid",
        ),
        c(
            "auth signing alg none",
            json,
            with(|v| v["token_endpoint_auth_signing_alg"] = json!("none")),
            400,
            "invalid_client_metadata",
            "generic.auth_signing_alg.valid",
        ),
    ]
}

#[tokio::test]
async fn each_bad_input_gets_its_error_and_a_trace_naming_the_check() {
    let bank = Bank::start();
    for case in cases() {
        let r = bank
            .send(
                Request::new("POST", "/generic/register").raw(case.content_type, case.body.clone()),
            )
            .await;
        let body = r.json();
        assert_eq!(
            (r.status, body["error"].as_str().unwrap_or("")),
            (case.status, case.error),
            "{}: {body}",
            case.name
        );
        assert!(
            !body["error_description"].as_str().unwrap().is_empty(),
            "{}",
            case.name
        );
        assert_eq!(
            r.header("cache-control").as_deref(),
            Some("no-store"),
            "{}",
            case.name
        );
        let trace = bank.last_trace("POST", "/generic/register").await;
        assert_eq!(
            trace["failed_check"], case.check,
            "{}: {}",
            case.name, trace["checks"]
        );
        assert_eq!(trace["status"], case.status);
        let failed = trace["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == case.check)
            .unwrap();
        assert_eq!(failed["outcome"], "fail", "{}", case.name);
        assert_eq!(failed["detail"], body["error_description"], "{}", case.name);
    }
    // nothing was registered and the server still works
    let r = bank.admin_get("/admin/clients").await;
    assert_eq!(r.json().as_array().unwrap().len(), 0);
    crate::common::register(&bank, "generic", &generic_client()).await;
}

#[tokio::test]
async fn all_checks_run_and_dependents_of_a_failure_are_skipped() {
    let bank = Bank::start();
    let body = with(|v| {
        v["redirect_uris"] = json!(["/relative"]);
        v["client_name"] = json!(1);
    });
    let r = bank
        .send(Request::new("POST", "/generic/register").raw("application/json", body))
        .await;
    r.assert_error(400, "invalid_client_metadata");
    let trace = bank.last_trace("POST", "/generic/register").await;
    let outcome = |id: &str| {
        trace["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap()["outcome"]
            .clone()
    };
    assert_eq!(
        trace["failed_check"], "generic.metadata.types",
        "the first blocking failure answers"
    );
    assert_eq!(
        outcome("generic.redirect.absolute"),
        "fail",
        "later checks still ran"
    );
    assert_eq!(
        outcome("generic.redirect.no_fragment"),
        "pass",
        "independent of `absolute`"
    );
    assert_eq!(
        outcome("generic.redirect.scheme"),
        "skip",
        "needs `absolute`"
    );
    assert!(trace["summary"]["fail"].as_u64().unwrap() >= 2);
}

#[tokio::test]
async fn wrong_methods_and_unknown_paths_answer_json() {
    let bank = Bank::start();
    let r = bank.send(Request::new("GET", "/generic/register")).await;
    assert_eq!(r.status, 405);
    let r = bank.get("/generic/nothing-here").await;
    r.assert_error(404, "not_found");
    let r = bank
        .send(
            Request::new("PATCH", "/generic/register/abc")
                .bearer("x")
                .json(&json!({})),
        )
        .await;
    r.assert_error(405, "invalid_request");
}
