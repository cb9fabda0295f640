//! The token endpoint's refusals (RFC 6749 §5.2).

use serde_json::json;

use crate::common::{basic, generic_client, register, Bank, Request};

const FORM: &str = "application/x-www-form-urlencoded";

#[tokio::test]
async fn token_endpoint_errors() {
    let bank = Bank::start();
    let c = register(&bank, "generic", &generic_client()).await;
    let (id, secret) = (
        c["client_id"].as_str().unwrap(),
        c["client_secret"].as_str().unwrap(),
    );
    let token = |body: &str, auth: Option<String>| {
        let mut r = Request::new("POST", "/generic/token").raw(FORM, body.to_owned());
        if let Some(a) = auth {
            r = r.header("authorization", a);
        }
        r
    };
    let cases: Vec<(Request, u16, &str, &str)> = vec![
        (
            token("grant_type=client_credentials", Some(basic(id, "wrong"))),
            401,
            "invalid_client",
            "token.client_auth.credentials_valid",
        ),
        (
            token(
                "grant_type=client_credentials",
                Some(basic("nobody", secret)),
            ),
            401,
            "invalid_client",
            "token.client_auth.client_known",
        ),
        (
            token("grant_type=client_credentials", None),
            400,
            "invalid_request",
            "token.client_auth.single_method",
        ),
        (
            token(
                &format!("grant_type=client_credentials&client_id={id}&client_secret={secret}"),
                Some(basic(id, secret)),
            ),
            400,
            "invalid_request",
            "token.client_auth.single_method",
        ),
        (
            token("grant_type=password", Some(basic(id, secret))),
            400,
            "unsupported_grant_type",
            "token.grant_type.supported",
        ),
        (
            token("scope=accounts", Some(basic(id, secret))),
            400,
            "unsupported_grant_type",
            "token.grant_type.supported",
        ),
        (
            token(
                "grant_type=client_credentials&scope=admin",
                Some(basic(id, secret)),
            ),
            400,
            "invalid_scope",
            "token.scope.allowed",
        ),
        (
            token(
                "grant_type=client_credentials&grant_type=client_credentials",
                Some(basic(id, secret)),
            ),
            400,
            "invalid_request",
            "token.form.valid",
        ),
        (
            Request::new("POST", "/generic/token")
                .json(&json!({"grant_type": "client_credentials"}))
                .header("authorization", basic(id, secret)),
            400,
            "invalid_request",
            "token.content_type",
        ),
    ];
    for (req, status, code, check) in cases {
        let r = bank.send(req).await;
        r.assert_error(status, code);
        if code == "invalid_client" {
            assert_eq!(
                r.header("www-authenticate").as_deref(),
                Some("Basic realm=\"mockbank\"")
            );
        }
        let trace = bank.last_trace("POST", "/generic/token").await;
        assert_eq!(trace["failed_check"], check);
        assert!(
            trace["request"]["headers"]
                .to_string()
                .contains("(redacted)")
                || !trace["request"]["headers"].to_string().contains("Basic ")
        );
    }

    // a client that did not register client_credentials
    let mut code_only = generic_client();
    code_only["grant_types"] = json!(["authorization_code"]);
    let c2 = register(&bank, "generic", &code_only).await;
    let r = bank
        .send(token(
            "grant_type=client_credentials",
            Some(basic(
                c2["client_id"].as_str().unwrap(),
                c2["client_secret"].as_str().unwrap(),
            )),
        ))
        .await;
    r.assert_error(400, "unauthorized_client");
}
