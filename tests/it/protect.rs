//! Registration protections, policies and extension hooks as profile data, with a real
//! extension service started by the test on 127.0.0.1:0.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use serde_json::{json, Value};
use tokio::net::TcpListener;

use crate::common::{basic, generic_client, mint, register, Bank, Request};

/// How the fake extension service answers.
#[derive(Clone)]
enum Mode {
    Accept(Value),
    Reject(&'static str, &'static str),
    Sleep(u64),
    Garbage,
}

/// One call the extension received: path, Authorization header, JSON payload.
type Call = (String, Option<String>, Value);

#[derive(Clone)]
struct Extension {
    url: String,
    mode: Arc<Mutex<Mode>>,
    calls: Arc<Mutex<Vec<Call>>>,
}

impl Extension {
    async fn start() -> Extension {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let ext = Extension {
            url,
            mode: Arc::new(Mutex::new(Mode::Accept(json!({})))),
            calls: Arc::default(),
        };
        let state = ext.clone();
        tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                let state = state.clone();
                tokio::spawn(async move {
                    let svc = hyper::service::service_fn(
                        move |req: hyper::Request<hyper::body::Incoming>| {
                            let state = state.clone();
                            async move {
                                let path = req.uri().path().to_owned();
                                let auth = req
                                    .headers()
                                    .get("authorization")
                                    .map(|v| v.to_str().unwrap().to_owned());
                                let body = req.into_body().collect().await.unwrap().to_bytes();
                                let payload: Value =
                                    serde_json::from_slice(&body).unwrap_or(Value::Null);
                                state.calls.lock().unwrap().push((path, auth, payload));
                                let mode = state.mode.lock().unwrap().clone();
                                let text = match mode {
                                Mode::Accept(data) => json!({"status": "SUCCESS", "data": data}).to_string(),
                                Mode::Reject(e, d) => json!({"status": "ERROR", "error": e, "error_description": d}).to_string(),
                                Mode::Sleep(ms) => {
                                    tokio::time::sleep(Duration::from_millis(ms)).await;
                                    json!({"status": "SUCCESS"}).to_string()
                                }
                                Mode::Garbage => "<html>oops</html>".to_owned(),
                            };
                                Ok::<_, Infallible>(hyper::Response::new(Full::new(Bytes::from(
                                    text,
                                ))))
                            }
                        },
                    );
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(tcp), svc)
                        .await;
                });
            }
        });
        ext
    }

    fn set(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }

    fn calls(&self) -> usize {
        self.calls.lock().unwrap().len()
    }
}

const GENERIC: &str = include_str!("../../profiles/generic.toml");

fn variant(protection: &str, extra: &str) -> String {
    let start = GENERIC.find("[protection]").unwrap();
    let end = GENERIC.find("# The bank's extension service").unwrap();
    format!(
        "{}{protection}\n{extra}\n{}",
        &GENERIC[..start],
        &GENERIC[end..]
    )
}

/// A bank serving the generic profile plus variants written into a profiles folder.
fn bank_with(files: &[(&str, String)]) -> (Bank, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("generic.toml"), GENERIC).unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(format!("{name}.toml")), text).unwrap();
    }
    (
        Bank::start_with(&["--profiles", dir.path().to_str().unwrap()]),
        dir,
    )
}

async fn post(
    bank: &Bank,
    profile: &str,
    body: &Value,
    bearer: Option<&str>,
) -> crate::common::Resp {
    let path = format!("/{profile}/register");
    let mut r = Request::new("POST", &path).json(body);
    if let Some(t) = bearer {
        r = r.bearer(t);
    }
    bank.send(r).await
}

async fn failed(bank: &Bank, profile: &str) -> String {
    bank.last_trace("POST", &format!("/{profile}/register"))
        .await["failed_check"]
        .as_str()
        .unwrap_or("")
        .to_owned()
}

#[tokio::test]
async fn extension_hooks_accept_reject_time_out_and_add_metadata() {
    let ext = Extension::start().await;
    let hooks = format!(
        "[hooks]\nbase_url = \"{}\"\npre_process_client_creation = true\npre_process_client_update = true\npre_process_client_retrieval = true\ntimeout_ms = 500\nsecurity = {{ type = \"basic\", username = \"mockbank\", password = \"pw\" }}\n",
        ext.url
    );
    let (bank, _dir) = bank_with(&[("hooked", variant("[protection]\nbearer = \"none\"", &hooks))]);

    // accept with custom metadata: stored, returned, and sent the metadata with Basic auth
    ext.set(Mode::Accept(json!({"bank_segment": "gold"})));
    let c = register(&bank, "hooked", &generic_client()).await;
    assert_eq!(c["bank_segment"], "gold");
    let (path, auth, payload) = ext.calls.lock().unwrap().last().cloned().unwrap();
    assert_eq!(path, "/pre-process-client-creation");
    assert_eq!(auth.as_deref(), Some(basic("mockbank", "pw").as_str()));
    assert_eq!(payload["metadata"]["client_name"], "Example TPP");
    assert_eq!(payload["operation"], "pre-process-client-creation");
    let trace = bank.last_trace("POST", "/hooked/register").await;
    let hook = trace["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "hook.pre_process")
        .unwrap();
    assert_eq!(hook["outcome"], "pass");
    assert!(hook["values"]["latency_ms"].is_u64());
    assert_eq!(hook["values"]["custom_metadata"]["bank_segment"], "gold");

    // retrieval adds to the answer; update stores
    let id = c["client_id"].as_str().unwrap();
    let rat = c["registration_access_token"].as_str().unwrap();
    ext.set(Mode::Accept(json!({"seen_by": "retrieval"})));
    let r = bank
        .send(Request::new("GET", &format!("/hooked/register/{id}")).bearer(rat))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["seen_by"], "retrieval");
    assert_eq!(r.json()["bank_segment"], "gold");

    // reject: the extension's code and description reach the client
    ext.set(Mode::Reject(
        "invalid_redirect_uri",
        "redirect host is not on the bank's allow-list",
    ));
    let r = post(&bank, "hooked", &generic_client(), None).await;
    let err = r.assert_error(400, "invalid_redirect_uri");
    assert_eq!(
        err["error_description"],
        "redirect host is not on the bank's allow-list"
    );
    assert_eq!(failed(&bank, "hooked").await, "hook.pre_process");

    // a timeout and garbage: a clear 503 and a failing check
    ext.set(Mode::Sleep(2000));
    let r = post(&bank, "hooked", &generic_client(), None).await;
    let err = r.assert_error(503, "temporarily_unavailable");
    assert!(
        err["error_description"]
            .as_str()
            .unwrap()
            .contains("no answer within 500 ms"),
        "{err}"
    );
    ext.set(Mode::Garbage);
    let err = post(&bank, "hooked", &generic_client(), None)
        .await
        .assert_error(503, "temporarily_unavailable");
    assert!(
        err["error_description"]
            .as_str()
            .unwrap()
            .contains("not JSON"),
        "{err}"
    );

    // an invalid request never reaches the extension
    let before = ext.calls();
    let mut bad = generic_client();
    bad["redirect_uris"] = json!(["https://x.example/cb#frag"]);
    post(&bank, "hooked", &bad, None)
        .await
        .assert_error(400, "invalid_redirect_uri");
    assert_eq!(ext.calls(), before);
}

#[tokio::test]
async fn initial_access_tokens_static_and_issued() {
    let (bank, _dir) = bank_with(&[
        (
            "iat-static",
            variant(
                "[protection]\nbearer = \"static\"\nstatic_token = \"let-me-in\"",
                "",
            ),
        ),
        (
            "iat-issued",
            variant("[protection]\nbearer = \"issued\"", ""),
        ),
    ]);
    let r = post(&bank, "iat-static", &generic_client(), None).await;
    r.assert_error(401, "invalid_token");
    assert_eq!(
        r.header("www-authenticate").as_deref(),
        Some("Bearer realm=\"mockbank\"")
    );
    assert_eq!(failed(&bank, "iat-static").await, "protect.bearer.present");
    let r = post(&bank, "iat-static", &generic_client(), Some("wrong")).await;
    r.assert_error(401, "invalid_token");
    assert!(r
        .header("www-authenticate")
        .unwrap()
        .contains("error=\"invalid_token\""));
    assert_eq!(
        post(&bank, "iat-static", &generic_client(), Some("let-me-in"))
            .await
            .status,
        201
    );

    let issued = bank
        .send(
            Request::new("POST", "/admin/initial-access-tokens")
                .bearer(&bank.admin_token)
                .json(&json!({"profile": "iat-issued", "expires_in": 3600, "max_uses": 2})),
        )
        .await;
    assert_eq!(issued.status, 201);
    let iat = issued.json()["initial_access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        post(&bank, "iat-issued", &generic_client(), Some(&iat))
            .await
            .status,
        201
    );
    // a refused registration does not spend a use
    let mut bad = generic_client();
    bad["token_endpoint_auth_method"] = "magic".into();
    post(&bank, "iat-issued", &bad, Some(&iat))
        .await
        .assert_error(400, "invalid_client_metadata");
    assert_eq!(
        post(&bank, "iat-issued", &generic_client(), Some(&iat))
            .await
            .status,
        201
    );
    let r = post(&bank, "iat-issued", &generic_client(), Some(&iat)).await;
    let err = r.assert_error(401, "invalid_token");
    assert!(err["error_description"]
        .as_str()
        .unwrap()
        .contains("used up"));
    // issuing needs the admin token
    let r = bank
        .send(
            Request::new("POST", "/admin/initial-access-tokens")
                .json(&json!({"profile": "iat-issued"})),
        )
        .await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn a_dcr_register_access_token_is_single_use() {
    let (bank, _dir) = bank_with(&[(
        "protected",
        variant(
            "[protection]\nbearer = \"access_token\"\naccess_token_scope = \"dcr_register\"",
            "",
        ),
    )]);
    // the registrar: a separate client registered (openly) under `generic`
    let mut registrar = generic_client();
    registrar["scope"] = "dcr_register".into();
    let reg = register(&bank, "generic", &registrar).await;
    let token = |scope: &str| {
        Request::new("POST", "/generic/token")
            .raw(
                "application/x-www-form-urlencoded",
                format!("grant_type=client_credentials&scope={scope}"),
            )
            .header(
                "authorization",
                basic(
                    reg["client_id"].as_str().unwrap(),
                    reg["client_secret"].as_str().unwrap(),
                ),
            )
    };
    let at = bank.send(token("dcr_register")).await.json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        post(&bank, "protected", &generic_client(), Some(&at))
            .await
            .status,
        201
    );
    let r = post(&bank, "protected", &generic_client(), Some(&at)).await;
    let err = r.assert_error(401, "invalid_token");
    assert!(err["error_description"]
        .as_str()
        .unwrap()
        .contains("already used"));
}

#[tokio::test]
async fn software_statement_required_and_policies() {
    let policies = variant("[protection]\nsoftware_statement = \"required\"", "")
        .replace(
            "params = { hosts = [] }",
            "params = { hosts = [\"tpp.example.com\", \"*.tpp.example.com\"] }",
        )
        .replace(
            "params = { members = [] }",
            "params = { members = [\"client_name\", \"contacts\"] }",
        )
        .replace(
            "id = \"policy.clients.max_per_software\"\nparams = { max = 0 }",
            "id = \"policy.clients.max_per_software\"\nparams = { max = 1 }",
        );
    let (bank, _dir) = bank_with(&[("strict", policies)]);
    let software = |variant: Option<&str>| {
        let mut body = json!({"software_name": "Policy app", "redirect_uris": ["https://tpp.example.com/callback"]});
        if let Some(v) = variant {
            body["variant"] = v.into();
        }
        mint(&bank, body)
    };
    let bundle = software(None).await;
    let body = |ssa: &Value| {
        json!({"redirect_uris": ["https://tpp.example.com/callback"], "client_name": "Policy app", "contacts": ["ops@tpp.example.com"],
               "software_id": "not-the-real-one", "software_statement": ssa})
    };
    let mut no_ssa = body(&Value::Null);
    no_ssa.as_object_mut().unwrap().remove("software_statement");
    post(&bank, "strict", &no_ssa, None)
        .await
        .assert_error(400, "invalid_software_statement");
    assert_eq!(failed(&bank, "strict").await, "ssa.present");

    let forged = software(Some("unknown_signing_key")).await;
    post(&bank, "strict", &body(&forged["software_statement"]), None)
        .await
        .assert_error(400, "invalid_software_statement");
    assert_eq!(failed(&bank, "strict").await, "ssa.signature");
    let foreign = software(Some("wrong_issuer")).await;
    post(&bank, "strict", &body(&foreign["software_statement"]), None)
        .await
        .assert_error(400, "unapproved_software_statement");

    let r = post(&bank, "strict", &body(&bundle["software_statement"]), None).await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let c = r.json();
    assert_eq!(
        c["software_statement"], bundle["software_statement"],
        "returned as sent"
    );
    assert_eq!(
        c["software_id"], bundle["software_id"],
        "the statement takes precedence over the body"
    );

    // policies: one client per software, trusted hosts, required members
    let r = post(&bank, "strict", &body(&bundle["software_statement"]), None).await;
    r.assert_error(403, "access_denied");
    assert_eq!(
        failed(&bank, "strict").await,
        "policy.clients.max_per_software"
    );
    let other = software(None).await;
    let mut untrusted = body(&other["software_statement"]);
    untrusted["client_uri"] = "https://evil.example/".into();
    post(&bank, "strict", &untrusted, None)
        .await
        .assert_error(400, "invalid_redirect_uri");
    assert_eq!(
        failed(&bank, "strict").await,
        "policy.redirect.trusted_hosts"
    );
    let mut no_contacts = body(&other["software_statement"]);
    no_contacts.as_object_mut().unwrap().remove("contacts");
    post(&bank, "strict", &no_contacts, None)
        .await
        .assert_error(400, "invalid_client_metadata");
    assert_eq!(failed(&bank, "strict").await, "policy.metadata.required");
}
