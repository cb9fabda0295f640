//! Registration throughput of the `obuk-v3.2` profile (issue 4, item 8), next to the
//! RSA-2048 verify rate of this machine.
//!
//!   cargo bench --bench obuk_registration [-- --requests N --concurrency C]
//!
//! What it does, in order:
//! 1. starts the real `mockbank` binary (`MOCKBANK_BIN`, or the one cargo built for this
//!    bench with the bench profile, i.e. release settings) on `127.0.0.1:0` in a temporary
//!    data dir, `RUST_LOG=warn`;
//! 2. mints one software bundle from `POST /directory/software` (admin token);
//! 3. pre-signs every registration request (PS256 with the bundle's key, each with its own
//!    `jti`, the bundle's SSA reused) on all cores, before any clock starts: signing is the
//!    client's cost, not the server's;
//! 4. opens C persistent mutual-TLS HTTP/1.1 connections presenting the bundle's transport
//!    certificate, checks that one registration answers `201` (or prints the failing check
//!    from `/admin/traces` and stops);
//! 5. baseline: the same C connections `GET /obuk-v3.2/.well-known/openid-configuration`
//!    for a few seconds (server overhead without crypto or storage);
//! 6. the measured run: the C connections send the pre-signed `POST /obuk-v3.2/register`
//!    requests, each connection one after the other, and every latency is recorded;
//! 7. stops the server and runs `openssl speed -seconds 3 rsa2048` (and `-multi <cores>` when
//!    there is more than one core) on the now idle machine, reads its `verify/s` column and
//!    reports registrations/s against the bound verify/s ÷ 2 (each registration verifies two
//!    RSA signatures: the software statement and the request).
//!
//! The target of the issue (at least a third of the bound) is reported, never asserted: the
//! bench fails only when something could not run or the sanity registration is refused.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper::body::Bytes;
use josekit::jws::{JwsHeader, PS256};
use josekit::jwt::{self, JwtPayload};
use mockbank_http::{Client, Identity, Request};
use serde_json::{json, Map, Value};

const PROFILE: &str = "/obuk-v3.2";

type Sender = mockbank_http::Connection;
type BoxError = Box<dyn std::error::Error + Send + Sync>;

// --- arguments -------------------------------------------------------------------------------

struct Args {
    requests: usize,
    concurrency: usize,
    baseline_secs: f64,
    openssl_secs: u32,
    client_threads: usize,
    openssl: bool,
    json_out: Option<PathBuf>,
}

const USAGE: &str = "\
usage: cargo bench --bench obuk_registration [-- OPTIONS]
  --requests N          registrations to send in the measured run     (default 20000)
  --concurrency C       persistent mTLS connections                   (default 16)
  --baseline-secs S     duration of the GET discovery baseline        (default 5)
  --openssl-secs S      `openssl speed -seconds S rsa2048`            (default 3)
  --client-threads T    tokio worker threads of the load client       (default 1)
  --no-openssl          skip `openssl speed`
  --json PATH           also write the figures as JSON to PATH
environment: MOCKBANK_BIN (server binary; default: the one cargo built for this bench)";

fn parse_args() -> Args {
    let mut a = Args {
        requests: 20_000,
        concurrency: 16,
        baseline_secs: 5.0,
        openssl_secs: 3,
        client_threads: 1,
        openssl: true,
        json_out: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| -> String {
            it.next().unwrap_or_else(|| {
                eprintln!("{name} needs a value\n{USAGE}");
                std::process::exit(2)
            })
        };
        fn num<T: std::str::FromStr>(name: &str, v: String) -> T {
            v.parse().unwrap_or_else(|_| {
                eprintln!("{name}: not a number: {v}\n{USAGE}");
                std::process::exit(2)
            })
        }
        match arg.as_str() {
            "--requests" => a.requests = num("--requests", value("--requests")),
            "--concurrency" => a.concurrency = num("--concurrency", value("--concurrency")),
            "--baseline-secs" => a.baseline_secs = num("--baseline-secs", value("--baseline-secs")),
            "--openssl-secs" => a.openssl_secs = num("--openssl-secs", value("--openssl-secs")),
            "--client-threads" => {
                a.client_threads = num("--client-threads", value("--client-threads"))
            }
            "--no-openssl" => a.openssl = false,
            "--json" => a.json_out = Some(value("--json").into()),
            // cargo bench passes `--bench` to harness = false targets.
            "--bench" => {}
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0)
            }
            other => {
                eprintln!("unknown argument {other}\n{USAGE}");
                std::process::exit(2)
            }
        }
    }
    a.requests = a.requests.max(1);
    a.concurrency = a.concurrency.max(1);
    a.client_threads = a.client_threads.max(1);
    a
}

// --- the server ------------------------------------------------------------------------------

struct Server {
    child: Child,
    base_url: String,
    addr: String,
    ca_pem: String,
    admin_token: String,
    _tmp: tempfile::TempDir,
}

impl Server {
    fn start(bin: &str) -> Result<Server, BoxError> {
        let tmp = tempfile::tempdir()?;
        let mut child = Command::new(bin)
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(tmp.path())
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot run {bin}: {e}"))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let Ok(line) = rx.recv_timeout(Duration::from_secs(30)) else {
            let _ = child.kill();
            return Err("mockbank did not print its ready line in 30 s".into());
        };
        let ready: Value = serde_json::from_str(&line)
            .map_err(|e| format!("ready line is not JSON ({e}): {line:?}"))?;
        let s = |k: &str| -> Result<String, BoxError> {
            Ok(ready[k]
                .as_str()
                .ok_or_else(|| format!("ready line has no {k}: {line}"))?
                .to_owned())
        };
        let base_url = s("base_url")?;
        let addr = base_url.trim_start_matches("https://").to_owned();
        let ca_pem = std::fs::read_to_string(s("ca_cert")?)?;
        let admin_token = std::fs::read_to_string(s("admin_token_file")?)?
            .trim()
            .to_owned();
        Ok(Server {
            child,
            base_url,
            addr,
            ca_pem,
            admin_token,
            _tmp: tmp,
        })
    }

    /// Stops the server (SIGKILL: nothing to keep) and waits for it.
    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

// --- HTTPS client ----------------------------------------------------------------------------

/// mockbank's HTTP client trusting the server's CA, with the identity its connections present.
struct Tls {
    client: Client,
    identity: Option<Identity>,
}

fn tls_config(ca_pem: &str, identity: Option<(&str, &str)>) -> Result<Arc<Tls>, BoxError> {
    Ok(Arc::new(Tls {
        client: Client::new(ca_pem)?,
        identity: identity.map(|(cert, key)| Identity {
            cert_pem: cert.to_owned(),
            key_pem: key.to_owned(),
        }),
    }))
}

/// One persistent HTTP/1.1 connection over TLS.
async fn connect(config: Arc<Tls>, addr: &str) -> Result<Sender, BoxError> {
    Ok(config
        .client
        .connect(&format!("https://{addr}/"), config.identity.as_ref())
        .await?)
}

/// What every request of a run shares.
struct Target {
    host: String,
    get_path: String,
    post_path: String,
}

/// Sends one request on `sender` and reads the whole answer.
async fn send(
    sender: &mut Sender,
    _host: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Bytes,
) -> Result<(u16, Bytes), BoxError> {
    let mut req = Request::new(method, path);
    for (k, v) in headers {
        req = req.header(k, *v);
    }
    req.body = body.to_vec();
    let r = sender.send(req).await?;
    Ok((r.status, r.body))
}

/// One request on a fresh connection (setup and diagnostics only).
async fn once(
    config: Arc<Tls>,
    server_addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Bytes,
) -> Result<(u16, Value), BoxError> {
    let mut sender = connect(config, server_addr).await?;
    let (status, body) = send(&mut sender, server_addr, method, path, headers, body).await?;
    let json = serde_json::from_slice(&body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()));
    Ok((status, json))
}

// --- signing ---------------------------------------------------------------------------------

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn field(bundle: &Value, k: &str) -> Result<String, BoxError> {
    Ok(bundle[k]
        .as_str()
        .ok_or_else(|| format!("the bundle has no {k}"))?
        .to_owned())
}

/// The claims of a valid `obuk-v3.2` registration request (as `Tpp::claims` in
/// tests/it/obuk.rs), with a fresh `jti`.
fn claims(bundle: &Value, base_url: &str) -> Result<Map<String, Value>, BoxError> {
    let now = now();
    let v = json!({
        "iss": field(bundle, "software_id")?, "iat": now, "exp": now + 3600,
        "aud": format!("{base_url}{PROFILE}"), "jti": mockbank_pki::directory::uuid_v4(),
        "redirect_uris": bundle["redirect_uris"], "token_endpoint_auth_method": "tls_client_auth",
        "tls_client_auth_subject_dn": field(bundle, "transport_subject_dn")?,
        "grant_types": ["authorization_code", "client_credentials"],
        "response_types": ["code id_token"], "scope": "openid accounts payments",
        "software_statement": field(bundle, "software_statement")?, "application_type": "web",
        "id_token_signed_response_alg": "PS256", "request_object_signing_alg": "PS256",
    });
    match v {
        Value::Object(m) => Ok(m),
        _ => unreachable!(),
    }
}

/// Signs `n` requests, each with its own `jti`, on `threads` threads.
fn presign(
    bundle: &Value,
    base_url: &str,
    n: usize,
    threads: usize,
) -> Result<Vec<Bytes>, BoxError> {
    let key_pem = field(bundle, "signing_key_pem")?;
    let kid = field(bundle, "signing_kid")?;
    let threads = threads.clamp(1, n.max(1));
    let per = n.div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let count = per.min(n.saturating_sub(t * per));
                let (key_pem, kid) = (&key_pem, &kid);
                scope.spawn(move || -> Result<Vec<Bytes>, String> {
                    let e = |e: josekit::JoseError| e.to_string();
                    // PS256's own PEM reader wants an RSA-PSS key; the bundle's is plain RSA.
                    let key = josekit::jwk::alg::rsa::RsaKeyPair::from_pem(key_pem).map_err(e)?;
                    let signer = PS256
                        .signer_from_jwk(&key.to_jwk_private_key())
                        .map_err(e)?;
                    let mut header = JwsHeader::new();
                    header.set_key_id(kid);
                    header.set_token_type("JWT");
                    let mut out = Vec::with_capacity(count);
                    for _ in 0..count {
                        let c = claims(bundle, base_url).map_err(|e| e.to_string())?;
                        let payload = JwtPayload::from_map(c).map_err(e)?;
                        let jws = jwt::encode_with_signer(&payload, &header, &signer).map_err(e)?;
                        out.push(Bytes::from(jws));
                    }
                    Ok(out)
                })
            })
            .collect();
        let mut all = Vec::with_capacity(n);
        for h in handles {
            all.extend(h.join().map_err(|_| "a signing thread panicked")??);
        }
        Ok(all)
    })
}

// --- load ------------------------------------------------------------------------------------

#[derive(Default)]
struct RunResult {
    elapsed: Duration,
    latencies: Vec<Duration>,
    statuses: BTreeMap<u16, usize>,
    errors: usize,
    first_error: Option<String>,
}

impl RunResult {
    fn count(&self) -> usize {
        self.latencies.len()
    }
    fn rate(&self) -> f64 {
        self.count() as f64 / self.elapsed.as_secs_f64()
    }
    fn status(&self, s: u16) -> usize {
        self.statuses.get(&s).copied().unwrap_or(0)
    }
    /// Percentile in ms (nearest rank); latencies must be sorted.
    fn pct_ms(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return f64::NAN;
        }
        let rank = ((p / 100.0) * self.latencies.len() as f64).ceil() as usize;
        let i = rank.clamp(1, self.latencies.len()) - 1;
        self.latencies[i].as_secs_f64() * 1e3
    }
}

/// What a run sends: the pre-signed registrations (each exactly once), or discovery GETs
/// until a deadline.
#[derive(Clone)]
enum Work {
    Register(Arc<Vec<Bytes>>, Arc<AtomicUsize>),
    Discovery(Instant),
}

async fn run(senders: &mut Vec<Sender>, target: &Arc<Target>, work: Work) -> RunResult {
    let start = Instant::now();
    let tasks: Vec<_> = senders
        .drain(..)
        .map(|mut sender| {
            let target = target.clone();
            let work = work.clone();
            tokio::spawn(async move {
                let mut r = RunResult::default();
                loop {
                    let t0 = Instant::now();
                    let sent = match &work {
                        Work::Register(bodies, next) => {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            let Some(body) = bodies.get(i) else { break };
                            send(
                                &mut sender,
                                &target.host,
                                "POST",
                                &target.post_path,
                                &[("content-type", "application/jose")],
                                body.clone(),
                            )
                            .await
                        }
                        Work::Discovery(deadline) => {
                            if t0 >= *deadline {
                                break;
                            }
                            send(
                                &mut sender,
                                &target.host,
                                "GET",
                                &target.get_path,
                                &[],
                                Bytes::new(),
                            )
                            .await
                        }
                    };
                    match sent {
                        Ok((status, _)) => {
                            r.latencies.push(t0.elapsed());
                            *r.statuses.entry(status).or_default() += 1;
                        }
                        Err(e) => {
                            r.errors += 1;
                            r.first_error.get_or_insert_with(|| e.to_string());
                            break; // this connection is unusable
                        }
                    }
                }
                (sender, r)
            })
        })
        .collect();
    let mut total = RunResult::default();
    for t in tasks {
        match t.await {
            Ok((sender, r)) => {
                if r.errors == 0 {
                    senders.push(sender);
                }
                total.latencies.extend(r.latencies);
                for (s, c) in r.statuses {
                    *total.statuses.entry(s).or_default() += c;
                }
                total.errors += r.errors;
                if total.first_error.is_none() {
                    total.first_error = r.first_error;
                }
            }
            Err(e) => {
                total.errors += 1;
                total.first_error.get_or_insert_with(|| e.to_string());
            }
        }
    }
    total.elapsed = start.elapsed();
    total.latencies.sort_unstable();
    total
}

// --- CPU accounting (Linux /proc; best effort) ------------------------------------------------

/// utime + stime of a process, in seconds.
fn cpu_secs(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses and may contain spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 of `rest` (1-based: 3..).
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / clock_ticks())
}

/// Busy time of all CPUs (everything but idle and iowait, from /proc/stat), in seconds.
fn machine_busy_secs() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let cpu = stat.lines().find(|l| l.starts_with("cpu "))?;
    // user nice system idle iowait irq softirq steal (guest time is already in user).
    let f: Vec<f64> = cpu
        .split_whitespace()
        .skip(1)
        .take(8)
        .map(|v| v.parse().unwrap_or(0.0))
        .collect();
    let idle = f.get(3)? + f.get(4).unwrap_or(&0.0);
    Some((f.iter().sum::<f64>() - idle) / clock_ticks())
}

/// Resident set size of a process (VmRSS), in MiB.
fn rss_mib(pid: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib / 1024.0)
}

fn clock_ticks() -> f64 {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(100.0)
    })
}

/// The 1-minute load average, or "?".
fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".into())
}

// --- openssl speed ---------------------------------------------------------------------------

/// `openssl speed -seconds S [-multi M] rsa2048`, its `verify/s` column.
fn openssl_verify_rate(secs: u32, multi: Option<usize>) -> Result<f64, String> {
    let mut cmd = Command::new("openssl");
    cmd.args(["speed", "-seconds", &secs.to_string()]);
    if let Some(m) = multi {
        cmd.args(["-multi", &m.to_string()]);
    }
    cmd.arg("rsa2048");
    let out = cmd
        .stderr(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run openssl: {e}"))?;
    if !out.status.success() {
        return Err(format!("openssl speed exited with {}", out.status));
    }
    parse_verify_rate(&String::from_utf8_lossy(&out.stdout))
}

/// Reads the `verify/s` column: its position counted from the right of the header line is
/// its position from the right of the `rsa 2048 bits` line (the left part has more words).
fn parse_verify_rate(text: &str) -> Result<f64, String> {
    let mut lines = text.lines();
    let header = lines
        .by_ref()
        .find(|l| l.split_whitespace().any(|w| w == "verify/s"))
        .ok_or("no verify/s column in openssl's output")?;
    let cols: Vec<&str> = header.split_whitespace().collect();
    let from_right = cols.len() - 1 - cols.iter().position(|w| *w == "verify/s").unwrap_or(0);
    let row = lines
        .find(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            w.first() == Some(&"rsa") && w.get(1) == Some(&"2048")
        })
        .ok_or("no rsa 2048 row in openssl's output")?;
    let words: Vec<&str> = row.split_whitespace().collect();
    let cell = words
        .len()
        .checked_sub(1 + from_right)
        .and_then(|i| words.get(i))
        .ok_or("short rsa 2048 row")?;
    cell.parse()
        .map_err(|_| format!("verify/s is not a number: {cell}"))
}

// --- main ------------------------------------------------------------------------------------

fn main() {
    if let Err(e) = real_main() {
        eprintln!("obuk_registration: error: {e}");
        std::process::exit(1);
    }
}

fn real_main() -> Result<(), BoxError> {
    let args = parse_args();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let bin =
        std::env::var("MOCKBANK_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_mockbank").to_owned());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.client_threads)
        .enable_all()
        .build()?;

    if cfg!(debug_assertions) {
        eprintln!("[obuk] warning: built without optimizations; run it with `cargo bench`");
    }
    let load_before = loadavg();
    eprintln!("[obuk] server: {bin}");
    let mut server = Server::start(&bin)?;
    let server_pid = server.child.id().to_string();
    let rss_idle = rss_mib(&server_pid);
    let host = server.addr.clone();
    let plain = tls_config(&server.ca_pem, None)?;

    // One bundle; its SSA serves every request (max_age_secs = 1800 in the profile).
    let bearer = format!("Bearer {}", server.admin_token);
    let mint_body = json!({"software_name": "bench", "roles": ["AISP", "PISP"]});
    let (status, bundle) = rt.block_on(once(
        plain.clone(),
        &host,
        "POST",
        "/directory/software",
        &[
            ("authorization", &bearer),
            ("content-type", "application/json"),
        ],
        Bytes::from(serde_json::to_vec(&mint_body)?),
    ))?;
    if status != 201 {
        return Err(format!("minting the bundle answered {status}: {bundle}").into());
    }
    let minted = Instant::now();
    let mtls = tls_config(
        &server.ca_pem,
        Some((
            &field(&bundle, "transport_cert_pem")?,
            &field(&bundle, "transport_key_pem")?,
        )),
    )?;

    // Pre-sign: the sanity request plus the measured ones.
    eprintln!(
        "[obuk] pre-signing {} requests on {cores} threads ...",
        args.requests + 1
    );
    let t = Instant::now();
    let mut bodies = presign(&bundle, &server.base_url, args.requests + 1, cores)?;
    let sign_secs = t.elapsed().as_secs_f64();
    eprintln!(
        "[obuk] signed in {sign_secs:.2} s ({:.0} signatures/s)",
        bodies.len() as f64 / sign_secs
    );
    let sanity = bodies.pop().ok_or("nothing signed")?;
    let bodies = Arc::new(bodies);

    let target = Arc::new(Target {
        host: host.clone(),
        get_path: format!("{PROFILE}/.well-known/openid-configuration"),
        post_path: format!("{PROFILE}/register"),
    });

    let (baseline, register, conns, client_cpu, server_cpu, machine_cpu, rss) =
        rt.block_on(async {
            let mut senders = Vec::with_capacity(args.concurrency);
            for _ in 0..args.concurrency {
                senders.push(connect(mtls.clone(), &host).await?);
            }
            // Sanity: one registration must be accepted, or say which check refused it.
            let (status, body) = send(
                &mut senders[0],
                &host,
                "POST",
                &target.post_path,
                &[("content-type", "application/jose")],
                sanity,
            )
            .await?;
            if status != 201 {
                let body = String::from_utf8_lossy(&body).into_owned();
                let why = failing_check(&plain, &host, &bearer).await;
                return Err(
                    format!("the sanity registration answered {status}: {body}\n{why}").into(),
                );
            }

            eprintln!(
                "[obuk] baseline: GET discovery on {} connections for {} s ...",
                senders.len(),
                args.baseline_secs
            );
            let deadline = Instant::now() + Duration::from_secs_f64(args.baseline_secs);
            let baseline = run(&mut senders, &target, Work::Discovery(deadline)).await;

            eprintln!(
                "[obuk] measured run: {} registrations on {} connections ...",
                bodies.len(),
                senders.len()
            );
            let conns = senders.len();
            let rss_before = rss_mib(&server_pid);
            let (c0, s0, m0) = (cpu_secs("self"), cpu_secs(&server_pid), machine_busy_secs());
            let register = run(
                &mut senders,
                &target,
                Work::Register(bodies.clone(), Arc::new(AtomicUsize::new(0))),
            )
            .await;
            let (c1, s1, m1) = (cpu_secs("self"), cpu_secs(&server_pid), machine_busy_secs());
            let rss_after = rss_mib(&server_pid);
            let client_cpu = c0.zip(c1).map(|(a, b)| b - a);
            let server_cpu = s0.zip(s1).map(|(a, b)| b - a);
            let machine_cpu = m0.zip(m1).map(|(a, b)| b - a);

            if register.count() > register.status(201) {
                eprintln!(
                    "[obuk] some registrations were refused; the newest trace says: {}",
                    failing_check(&plain, &host, &bearer).await
                );
            }
            Ok::<_, BoxError>((
                baseline,
                register,
                conns,
                client_cpu,
                server_cpu,
                machine_cpu,
                [rss_idle, rss_before, rss_after],
            ))
        })?;
    let run_age = minted.elapsed();
    server.stop();

    // openssl on the idle machine, after the server is gone.
    let (single, multi) = if args.openssl {
        eprintln!(
            "[obuk] openssl speed -seconds {} rsa2048{} ...",
            args.openssl_secs,
            if cores > 1 {
                format!(" (and -multi {cores})")
            } else {
                String::new()
            }
        );
        let single = openssl_verify_rate(args.openssl_secs, None);
        let multi = (cores > 1).then(|| openssl_verify_rate(args.openssl_secs, Some(cores)));
        (Some(single), multi)
    } else {
        (None, None)
    };

    // --- report ---
    let reg_rate = register.rate();
    let non201 = register.count() - register.status(201);
    let out = std::cell::RefCell::new(String::new());
    let line = |s: String| {
        println!("{s}");
        let mut out = out.borrow_mut();
        out.push_str(&s);
        out.push('\n');
    };
    line("== obuk-v3.2 registration benchmark ==".into());
    line(format!(
        "machine: {cores} cores; client: tokio, {} worker thread(s); server: {bin}",
        args.client_threads
    ));
    line(format!(
        "load average (1 min) before the run: {load_before} (anything else running competes for the same cores)"
    ));
    line(format!(
        "pre-signing (client, not measured): {} PS256 requests in {sign_secs:.2} s on {cores} threads",
        args.requests + 1
    ));
    line(format!(
        "baseline GET {PROFILE}/.well-known/openid-configuration, {conns} mTLS keep-alive connections:"
    ));
    line(format!(
        "  requests {}, duration {:.2} s, {:.0} requests/s, p50 {:.2} ms, p99 {:.2} ms, non-200 {}, errors {}",
        baseline.count(),
        baseline.elapsed.as_secs_f64(),
        baseline.rate(),
        baseline.pct_ms(50.0),
        baseline.pct_ms(99.0),
        baseline.count() - baseline.status(200),
        baseline.errors
    ));
    line(format!(
        "registrations POST {PROFILE}/register (fresh jti each), {conns} mTLS keep-alive connections:"
    ));
    line(format!(
        "  requests {}, duration {:.2} s, {reg_rate:.0} registrations/s, p50 {:.2} ms, p99 {:.2} ms, non-201 {non201}, errors {}",
        register.count(),
        register.elapsed.as_secs_f64(),
        register.pct_ms(50.0),
        register.pct_ms(99.0),
        register.errors
    ));
    if non201 > 0 {
        line(format!("  statuses: {:?}", register.statuses));
    }
    if let Some(e) = &register
        .first_error
        .as_ref()
        .or(baseline.first_error.as_ref())
    {
        line(format!("  first transport error: {e}"));
    }
    if let (Some(s), Some(c)) = (server_cpu, client_cpu) {
        let secs = register.elapsed.as_secs_f64();
        line(format!(
            "  CPU during the run: server {s:.2} s ({:.2} cores, {:.1} µs per registration), load client {c:.2} s ({:.2} cores)",
            s / secs,
            s / register.count().max(1) as f64 * 1e6,
            c / secs
        ));
    }
    if let (Some(s), Some(c), Some(m)) = (server_cpu, client_cpu, machine_cpu) {
        let secs = register.elapsed.as_secs_f64();
        line(format!(
            "  all CPUs busy {:.2} cores of {cores} during the run; other load (other processes, hypervisor steal) {:.2} cores",
            m / secs,
            (m - s - c).max(0.0) / secs
        ));
    }
    if let [Some(idle), Some(before), Some(after)] = rss {
        line(format!(
            "  server RSS: idle after start {idle:.1} MiB, before the run {before:.1} MiB, after {} registrations {after:.1} MiB ({:.2}x idle)",
            register.count(),
            after / idle
        ));
    }
    line(format!(
        "  run finished {:.0} s after minting (SSA max age 1800 s)",
        run_age.as_secs_f64()
    ));

    let mut figures = json!({
        "requests": register.count(),
        "concurrency": conns,
        "duration_secs": register.elapsed.as_secs_f64(),
        "registrations_per_sec": reg_rate,
        "p50_ms": register.pct_ms(50.0),
        "p99_ms": register.pct_ms(99.0),
        "non_201": non201,
        "transport_errors": register.errors,
        "baseline_get_requests_per_sec": baseline.rate(),
        "baseline_get_p50_ms": baseline.pct_ms(50.0),
        "baseline_get_p99_ms": baseline.pct_ms(99.0),
        "server_cpu_secs": server_cpu,
        "server_rss_mib_idle_before_after": rss,
        "client_cpu_secs": client_cpu,
        "cores": cores,
    });
    let mut report_bound = |label: &str, key: &str, rate: &Result<f64, String>| match rate {
        Ok(v) => {
            let bound = v / 2.0;
            let ratio = reg_rate / bound;
            line(format!(
                "openssl speed rsa2048 {label}: {v:.0} verify/s -> bound {bound:.0} registrations/s (2 verifications each); ratio registrations/s / bound = {ratio:.3}; target >= 1/3 ({:.0}/s): {}",
                bound / 3.0,
                if ratio >= 1.0 / 3.0 { "met" } else { "not met" }
            ));
            figures[format!("openssl_verify_per_sec_{key}")] = json!(v);
            figures[format!("bound_{key}")] = json!(bound);
            figures[format!("ratio_{key}")] = json!(ratio);
        }
        Err(e) => line(format!("openssl speed rsa2048 {label}: not measured ({e})")),
    };
    match &single {
        Some(r) => report_bound("(1 process)", "single", r),
        None => line("openssl speed: skipped (--no-openssl)".into()),
    }
    if let Some(r) = &multi {
        report_bound(&format!("-multi {cores}"), "multi", r);
    }
    // The measure: the server's CPU per registration against the CPU two RSA-2048
    // verifications take (one process of `openssl speed`, so one core's time).
    if let (Some(Ok(verify_per_sec)), Some(s)) = (&single, server_cpu) {
        let floor_us = 2.0 / verify_per_sec * 1e6;
        let cost_us = s / register.count().max(1) as f64 * 1e6;
        let ratio = floor_us / cost_us;
        line(format!(
            "server CPU per registration {cost_us:.1} µs; floor (2 RSA-2048 verifications) {floor_us:.1} µs; floor / cost = {ratio:.3} ({:.1}x the floor); target >= 0.33: {}",
            cost_us / floor_us,
            if ratio >= 1.0 / 3.0 { "met" } else { "not met" }
        ));
        figures["server_cpu_us_per_registration"] = json!(cost_us);
        figures["floor_cpu_us"] = json!(floor_us);
        figures["floor_over_cost"] = json!(ratio);
    }
    if let Some(path) = &args.json_out {
        figures["report"] = json!(out.borrow().as_str());
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, serde_json::to_vec_pretty(&figures)?)?;
        eprintln!("[obuk] figures written to {}", path.display());
    }
    Ok(())
}

/// The newest trace's failing check, for a refused registration.
async fn failing_check(plain: &Arc<Tls>, host: &str, bearer: &str) -> String {
    match once(
        plain.clone(),
        host,
        "GET",
        "/admin/traces?limit=1",
        &[("authorization", bearer)],
        Bytes::new(),
    )
    .await
    {
        Ok((200, Value::Array(traces))) if !traces.is_empty() => {
            let t = &traces[0];
            let failed: Vec<String> = t["checks"]
                .as_array()
                .map(|cs| {
                    cs.iter()
                        .filter(|c| c["outcome"] == "fail")
                        .map(|c| format!("{}: {}", c["id"], c["detail"]))
                        .collect()
                })
                .unwrap_or_default();
            format!(
                "trace {} {} -> {}: failed_check {}; {}",
                t["method"],
                t["path"],
                t["status"],
                t["failed_check"],
                failed.join("; ")
            )
        }
        Ok((status, body)) => format!("GET /admin/traces answered {status}: {body}"),
        Err(e) => format!("GET /admin/traces failed: {e}"),
    }
}
