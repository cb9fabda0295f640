//! An acknowledged DELETE is final (hardening, third round, findings 1 and 6): a concurrent
//! update never brings a deleted client back, on the profiles whose updates rotate no token
//! (OBUK, OFB) and through both the RFC 7592 DELETE and the admin DELETE; of many DELETEs with
//! one token exactly one wins; a token rotated away by a concurrent PUT deletes nothing.
//! Each race runs 25 rounds, enough to catch the failure it guards against.

use futures_util::future::join_all;
use serde_json::json;

use crate::common::{generic_client, register, Bank, Identity, Request, Resp};
use crate::obuk::Tpp;
use crate::ofb;

const ROUNDS: usize = 25;

/// How the DELETEs of a race are sent.
#[derive(Clone, Copy, Debug)]
enum DeleteBy {
    /// RFC 7592 §2.3 with the client's management credential.
    Rfc7592,
    /// `DELETE /admin/clients/{id}` with the admin token.
    Admin,
}

/// One registered client and what manages it.
struct Subject {
    prefix: &'static str,
    client_id: String,
    credential: String,
    id: Identity,
}

impl Subject {
    fn path(&self) -> String {
        format!("{}/register/{}", self.prefix, self.client_id)
    }
}

async fn delete(bank: &Bank, s: &Subject, by: DeleteBy) -> Resp {
    match by {
        DeleteBy::Rfc7592 => {
            bank.send(
                Request::new("DELETE", &s.path())
                    .bearer(&s.credential)
                    .identity(&s.id),
            )
            .await
        }
        DeleteBy::Admin => {
            bank.send(
                Request::new("DELETE", &format!("/admin/clients/{}", s.client_id))
                    .bearer(&bank.admin_token),
            )
            .await
        }
    }
}

/// Sends 5 updates and 5 DELETEs at once; when a DELETE was answered 204, the client must
/// be gone for good: not listed, not readable with its token.
async fn race<'a>(bank: &'a Bank, s: &'a Subject, by: DeleteBy, update: impl Fn() -> Request<'a>) {
    let puts = join_all((0..5).map(|_| {
        let req = update().bearer(&s.credential).identity(&s.id);
        bank.send(req)
    }));
    let deletes = join_all((0..5).map(|_| delete(bank, s, by)));
    let (puts, deletes) = tokio::join!(puts, deletes);
    let put_statuses: Vec<u16> = puts.iter().map(|r| r.status).collect();
    let delete_statuses: Vec<u16> = deletes.iter().map(|r| r.status).collect();
    let wins = delete_statuses.iter().filter(|s| **s == 204).count();
    assert_eq!(
        wins, 1,
        "exactly one DELETE wins ({by:?}): {delete_statuses:?}, PUTs {put_statuses:?}"
    );
    for r in &deletes {
        match (by, r.status) {
            (_, 204) => {}
            (DeleteBy::Rfc7592, _) => {
                r.assert_error(401, "invalid_token");
            }
            (DeleteBy::Admin, _) => {
                r.assert_error(404, "not_found");
            }
        }
    }
    for r in &puts {
        assert!(
            r.status == 200 || r.status == 401,
            "an update answers 200 or 401: {} {}",
            r.status,
            String::from_utf8_lossy(&r.body)
        );
    }
    let listed = bank.admin_get("/admin/clients").await.json();
    assert!(
        !listed
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["client_id"] == s.client_id.as_str()),
        "a client deleted with 204 came back ({by:?}); PUTs {put_statuses:?}"
    );
    let read = bank
        .send(
            Request::new("GET", &s.path())
                .bearer(&s.credential)
                .identity(&s.id),
        )
        .await;
    assert_eq!(
        read.status, 401,
        "the deleted client's token still reads it"
    );
}

#[tokio::test]
async fn obuk_a_deleted_client_stays_deleted_under_concurrent_updates() {
    let bank = Bank::start();
    let tpp = Tpp::mint(&bank, json!({})).await;
    for by in [DeleteBy::Rfc7592, DeleteBy::Admin] {
        for _ in 0..ROUNDS {
            let reg = tpp.register(&bank, |_| {}).await;
            let client_id = reg["client_id"].as_str().unwrap().to_owned();
            let credential = tpp.token(&bank, &client_id).await;
            let s = Subject {
                prefix: "/obuk-v3.2",
                client_id,
                credential,
                id: tpp.id.clone(),
            };
            let path = s.path();
            race(&bank, &s, by, || {
                // A valid signed update: fresh claims, so a fresh jti each.
                let mut c = tpp.claims(&bank);
                c.insert("scope".into(), "openid accounts".into());
                Request::new("PUT", &path).raw("application/jose", tpp.sign(&c))
            })
            .await;
            // The client that is gone gets no token either.
            let r = bank
                .send(
                    Request::new("POST", "/obuk-v3.2/token")
                        .raw(
                            "application/x-www-form-urlencoded",
                            format!("client_id={}&grant_type=client_credentials", s.client_id),
                        )
                        .identity(&tpp.id),
                )
                .await;
            assert_eq!(r.status, 401, "{}", String::from_utf8_lossy(&r.body));
        }
    }
}

#[tokio::test]
async fn ofb_a_deleted_client_stays_deleted_under_concurrent_updates() {
    let bank = Bank::start();
    let bundle = ofb::mint_ofb(&bank, json!({})).await;
    let software_id = bundle["software_id"].as_str().unwrap().to_owned();
    let id = ofb::transport(&bundle);
    for by in [DeleteBy::Rfc7592, DeleteBy::Admin] {
        for _ in 0..ROUNDS {
            let mut body = ofb::registration(&bundle);
            body["software_statement"] = ofb::fresh_ssa(&bank, &software_id).await;
            let r = bank
                .send(
                    Request::new("POST", "/ofb/register")
                        .identity(&id)
                        .json(&body),
                )
                .await;
            assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
            let reg = r.json();
            let s = Subject {
                prefix: "/ofb",
                client_id: reg["client_id"].as_str().unwrap().to_owned(),
                credential: reg["registration_access_token"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
                id: id.clone(),
            };
            let mut update = body.clone();
            update["client_id"] = s.client_id.clone().into();
            update["scope"] = "openid accounts".into();
            let path = s.path();
            race(&bank, &s, by, || Request::new("PUT", &path).json(&update)).await;
        }
    }
}

/// Finding 6: 50 DELETEs with one registration access token, exactly one 204.
#[tokio::test]
async fn of_fifty_deletes_with_one_token_exactly_one_wins() {
    let bank = Bank::start();
    for _ in 0..ROUNDS {
        let c = register(&bank, "generic", &generic_client()).await;
        let path = format!("/generic/register/{}", c["client_id"].as_str().unwrap());
        let rat = c["registration_access_token"].as_str().unwrap();
        let statuses: Vec<u16> = join_all(
            (0..50).map(|_| async { bank.send(Request::new("DELETE", &path).bearer(rat)).await }),
        )
        .await
        .iter()
        .map(|r| r.status)
        .collect();
        assert_eq!(
            statuses.iter().filter(|s| **s == 204).count(),
            1,
            "{statuses:?}"
        );
        assert!(
            statuses.iter().all(|s| *s == 204 || *s == 401),
            "{statuses:?}"
        );
    }
}

/// Finding 6: a rotating PUT and a DELETE with the same (old) token: never both succeed, as
/// README's "rolls back and answers 401" says.
#[tokio::test]
async fn a_token_rotated_away_by_a_concurrent_update_deletes_nothing() {
    let bank = Bank::start();
    for _ in 0..ROUNDS {
        let c = register(&bank, "generic", &generic_client()).await;
        let id = c["client_id"].as_str().unwrap();
        let path = format!("/generic/register/{id}");
        let rat = c["registration_access_token"].as_str().unwrap();
        let mut body = generic_client();
        body["client_id"] = id.into();
        let (put, del) = tokio::join!(
            bank.send(Request::new("PUT", &path).bearer(rat).json(&body)),
            bank.send(Request::new("DELETE", &path).bearer(rat)),
        );
        assert!(
            !(put.status == 200 && del.status == 204),
            "a rotating PUT and a DELETE with the old token both succeeded"
        );
        let listed = bank.admin_get("/admin/clients").await.json();
        let present = listed
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["client_id"] == id);
        assert_eq!(
            present,
            del.status != 204,
            "PUT {} DELETE {}",
            put.status,
            del.status
        );
    }
}
