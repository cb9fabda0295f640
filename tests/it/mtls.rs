//! Client certificates: requested but optional at the handshake, never refused there, and
//! recorded (subject, issuer, chain verdict) in the trace of every request.

use crate::common::{generic_client, identity, identity_from_bank_ca, Bank, Request};

#[tokio::test]
async fn certificates_reach_the_trace_whatever_they_are() {
    let bank = Bank::start();
    // no certificate
    let r = bank
        .send(Request::new("POST", "/generic/register").json(&generic_client()))
        .await;
    assert_eq!(r.status, 201);
    assert!(bank.last_trace("POST", "/generic/register").await["client_cert"].is_null());

    // a certificate issued by the mockbank CA
    let good = identity_from_bank_ca(&bank, "tpp-good", -1, 30);
    let r = bank
        .send(
            Request::new("POST", "/generic/register")
                .json(&generic_client())
                .identity(&good),
        )
        .await;
    assert_eq!(r.status, 201);
    let cert = bank.last_trace("POST", "/generic/register").await["client_cert"].clone();
    assert_eq!(cert["subject"], "CN=tpp-good,O=Example TPP");
    assert_eq!(cert["issuer"], "CN=mockbank local CA,O=mockbank");
    assert!(cert["chain_error"].is_null(), "{cert}");
    assert!(cert["sha256_thumbprint"].as_str().unwrap().len() == 43);

    // a self-signed certificate is not refused at the handshake; the trace says why it is bad
    let foreign = identity("tpp-foreign", None, -1, 30);
    let r = bank
        .send(
            Request::new("POST", "/generic/register")
                .json(&generic_client())
                .identity(&foreign),
        )
        .await;
    assert_eq!(r.status, 201, "generic does not require mTLS");
    let cert = bank.last_trace("POST", "/generic/register").await["client_cert"].clone();
    assert_eq!(cert["subject"], "CN=tpp-foreign,O=Example TPP");
    assert!(
        cert["chain_error"]
            .as_str()
            .unwrap()
            .contains("UnknownIssuer"),
        "{cert}"
    );

    // an expired certificate from the right CA
    let expired = identity_from_bank_ca(&bank, "tpp-expired", -30, 2);
    let r = bank
        .send(
            Request::new("POST", "/generic/register")
                .json(&generic_client())
                .identity(&expired),
        )
        .await;
    assert_eq!(r.status, 201);
    let cert = bank.last_trace("POST", "/generic/register").await["client_cert"].clone();
    assert!(
        cert["chain_error"].as_str().unwrap().contains("Expired"),
        "{cert}"
    );
}

#[tokio::test]
async fn http2_and_http11_are_both_served() {
    let bank = Bank::start();
    let tls = bank.tls_stream(None, vec![b"h2".to_vec()]).await.unwrap();
    assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
    let tls = bank
        .tls_stream(None, vec![b"http/1.1".to_vec()])
        .await
        .unwrap();
    assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"http/1.1"[..]));
}
