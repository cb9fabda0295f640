//! A TPP's-eye harness: starts the real `mockbank` binary on `127.0.0.1:0` with a temporary
//! data dir, reads its ready line, and talks HTTPS (rustls, optionally with a client
//! certificate) to it as a client would.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

use http_body_util::Full;
use hyper::body::Bytes;
use serde_json::Value;
use tokio::net::TcpStream;

pub const BIN: &str = env!("CARGO_BIN_EXE_mockbank");

/// A running mockbank.
pub struct Bank {
    pub child: Child,
    pub ready: Value,
    pub base_url: String,
    pub addr: String,
    pub data_dir: PathBuf,
    pub ca_pem: String,
    pub admin_token: String,
    _tmp: Option<tempfile::TempDir>,
}

/// A client certificate and key in PEM.
pub use mockbank_http::Identity;

pub struct Resp {
    pub status: u16,
    pub headers: hyper::HeaderMap,
    pub body: Bytes,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    }
    /// Asserts an RFC-shaped error with this status and code.
    #[track_caller]
    pub fn assert_error(&self, status: u16, code: &str) -> Value {
        let body = self.json();
        assert_eq!(
            (self.status, body["error"].as_str()),
            (status, Some(code)),
            "unexpected answer: {body}"
        );
        assert!(body["error_description"].is_string(), "{body}");
        assert_eq!(self.header("cache-control").as_deref(), Some("no-store"));
        body
    }
}

pub struct Request<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub headers: Vec<(&'a str, String)>,
    pub body: Vec<u8>,
    pub identity: Option<&'a Identity>,
}

impl<'a> Request<'a> {
    pub fn new(method: &'a str, path: &'a str) -> Self {
        Request {
            method,
            path,
            headers: vec![],
            body: vec![],
            identity: None,
        }
    }
    pub fn json(mut self, body: &Value) -> Self {
        self.headers
            .push(("content-type", "application/json".into()));
        self.body = serde_json::to_vec(body).unwrap();
        self
    }
    pub fn raw(mut self, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        self.headers.push(("content-type", content_type.into()));
        self.body = body.into();
        self
    }
    pub fn header(mut self, k: &'a str, v: impl Into<String>) -> Self {
        self.headers.push((k, v.into()));
        self
    }
    pub fn bearer(self, token: &str) -> Self {
        self.header("authorization", format!("Bearer {token}"))
    }
    pub fn identity(mut self, id: &'a Identity) -> Self {
        self.identity = Some(id);
        self
    }
}

impl Bank {
    pub fn start() -> Bank {
        Self::start_with(&[])
    }

    pub fn start_with(extra: &[&str]) -> Bank {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_owned();
        let mut bank = Self::start_in(&dir, extra);
        bank._tmp = Some(tmp);
        bank
    }

    /// Starts on an existing data dir (for restarts); the caller keeps the dir alive.
    pub fn start_in(dir: &Path, extra: &[&str]) -> Bank {
        let mut child = Command::new(BIN)
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(dir)
            .args(extra)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("mockbank did not print its ready line");
        let ready: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("ready line is not JSON ({e}): {line:?}"));
        let base_url = ready["base_url"].as_str().unwrap().to_owned();
        let addr = base_url.trim_start_matches("https://").to_owned();
        let ca_pem = std::fs::read_to_string(ready["ca_cert"].as_str().unwrap()).unwrap();
        let admin_token = std::fs::read_to_string(ready["admin_token_file"].as_str().unwrap())
            .unwrap()
            .trim()
            .to_owned();
        Bank {
            child,
            ready,
            base_url,
            addr,
            data_dir: dir.to_owned(),
            ca_pem,
            admin_token,
            _tmp: None,
        }
    }

    /// Sends one request on a fresh HTTPS connection (HTTP/1.1), as a TPP's client does:
    /// mockbank's one HTTP client, trusting the bank's CA.
    pub async fn send(&self, req: Request<'_>) -> Resp {
        let client = mockbank_http::Client::new(&self.ca_pem).unwrap();
        // An absolute URL (one the bank handed out, maybe before a restart on another
        // port) is sent to this bank.
        let path = match req.path.strip_prefix("https://") {
            Some(rest) => rest.find('/').map_or("/", |i| &rest[i..]),
            None => req.path,
        };
        let url = format!("{}{path}", self.base_url);
        let mut out = mockbank_http::Request::new(req.method, url).identity(req.identity);
        for (k, v) in &req.headers {
            out = out.header(k, v.clone());
        }
        out.body = req.body;
        let r = client.send(out).await.unwrap();
        Resp {
            status: r.status,
            headers: r.headers,
            body: r.body,
        }
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send(Request::new("GET", path)).await
    }

    pub async fn admin_get(&self, path: &str) -> Resp {
        self.send(Request::new("GET", path).bearer(&self.admin_token))
            .await
    }

    /// The newest traces.
    pub async fn traces(&self, limit: u32) -> Vec<Value> {
        let r = self
            .admin_get(&format!("/admin/traces?limit={limit}"))
            .await;
        assert_eq!(r.status, 200);
        r.json().as_array().unwrap().clone()
    }

    /// The newest trace, asserting it is for `method path`.
    pub async fn last_trace(&self, method: &str, path_prefix: &str) -> Value {
        let t = self.traces(1).await.remove(0);
        assert_eq!(t["method"], method, "{t}");
        assert!(t["path"].as_str().unwrap().starts_with(path_prefix), "{t}");
        t
    }

    pub async fn connect(
        &self,
        identity: Option<&Identity>,
    ) -> hyper::client::conn::http1::SendRequest<Full<Bytes>> {
        let tls = self
            .tls_stream(identity, vec![b"http/1.1".to_vec()])
            .await
            .unwrap();
        let (sender, conn) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tls))
                .await
                .unwrap();
        tokio::spawn(conn);
        sender
    }

    /// A raw TLS stream (for the tests that speak the protocol themselves).
    pub async fn tls_stream(
        &self,
        identity: Option<&Identity>,
        alpn: Vec<Vec<u8>>,
    ) -> std::io::Result<tokio_rustls::client::TlsStream<TcpStream>> {
        mockbank_http::Client::new(&self.ca_pem)
            .unwrap()
            .tls_stream(&self.addr, identity, alpn)
            .await
            .map_err(std::io::Error::other)
    }

    /// SIGTERM, then the exit status.
    pub fn stop(mut self) -> ExitStatus {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        wait_timeout(&mut self.child, Duration::from_secs(20))
    }

    /// SIGKILL: no chance to flush anything.
    pub fn kill9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Bank {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn wait_timeout(child: &mut Child, limit: Duration) -> ExitStatus {
    let start = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(start.elapsed() < limit, "mockbank did not exit in time");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A TLS client identity issued by the bank's own CA (read from its data dir).
pub fn identity_from_bank_ca(bank: &Bank, cn: &str, start_days: i64, days: i64) -> Identity {
    let ca_key = std::fs::read_to_string(bank.data_dir.join("ca-key.pem")).unwrap();
    let key = rcgen::KeyPair::from_pem(&ca_key).unwrap();
    let issuer = rcgen::Issuer::from_ca_cert_pem(&bank.ca_pem, key).unwrap();
    identity(cn, Some(&issuer), start_days, days)
}

/// A client identity signed by `issuer`, or self-signed.
pub fn identity(
    cn: &str,
    issuer: Option<&rcgen::Issuer<'_, rcgen::KeyPair>>,
    start_days: i64,
    days: i64,
) -> Identity {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::default();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(rcgen::DnType::OrganizationName, "Example TPP");
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, cn);
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now + time::Duration::days(start_days);
    params.not_after = params.not_before + time::Duration::days(days);
    let cert = match issuer {
        Some(i) => params.signed_by(&key, i).unwrap(),
        None => params.self_signed(&key).unwrap(),
    };
    Identity {
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    }
}

/// A valid generic registration body.
pub fn generic_client() -> Value {
    serde_json::json!({
        "redirect_uris": ["https://tpp.example/cb"],
        "client_name": "Example TPP",
        "grant_types": ["authorization_code", "client_credentials"],
        "response_types": ["code"],
        "scope": "accounts payments",
    })
}

/// Mints a software in the mock directory (admin token); returns the 201 bundle.
pub async fn mint(bank: &Bank, body: impl std::borrow::Borrow<Value>) -> Value {
    let r = bank
        .send(
            Request::new("POST", "/directory/software")
                .bearer(&bank.admin_token)
                .json(body.borrow()),
        )
        .await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    r.json()
}

/// Registers a client on `profile`; returns the 201 body.
pub async fn register(bank: &Bank, profile: &str, body: &Value) -> Value {
    let r = bank
        .send(Request::new("POST", &format!("/{profile}/register")).json(body))
        .await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    r.json()
}

pub fn basic(id: &str, secret: &str) -> String {
    use base64::Engine;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
    )
}

/// The entry `id` of a trace's or a profile's `checks` array.
pub fn check_of<'a>(traced: &'a Value, id: &str) -> &'a Value {
    traced["checks"]
        .as_array()
        .and_then(|checks| checks.iter().find(|c| c["id"] == id))
        .unwrap_or_else(|| panic!("no check {id} in {}", traced["checks"]))
}
