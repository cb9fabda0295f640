//! The commands the UI's desktop host (`ui/src/platform/tauri.ts`) invokes: the admin API's
//! reads, answered from the in-process server directly (same data, same JSON shapes), and
//! the two desktop actions, copy the CA and open the data folder.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use mockbank_core::Trace;
use mockbank_server::{RunningServer, TraceQuery};
use mockbank_store::TraceFilter;
use serde::Serialize;
use serde_json::Value;
use tauri::State;
use tauri_plugin_clipboard_manager::ClipboardExt;
use tokio::sync::RwLock;

/// Set to `1` to have the UI report when trace rows reach the screen.
pub const PROBE_ENV: &str = "MOCKBANK_DESKTOP_PROBE";

/// What the desktop knows about its server; also injected into the page before its
/// scripts run (`window.__MOCKBANK_DESKTOP__`), so the UI has it at once.
#[derive(Debug, Clone, Serialize)]
pub struct ServerInfo {
    pub base_url: String,
    pub ca_cert: PathBuf,
    pub data_dir: PathBuf,
    pub admin_token_file: PathBuf,
    /// The public facts `mockbank serve` writes into `/ui/` (the UI's `Bootstrap`).
    pub bootstrap: Value,
    /// Whether the UI reports when each trace row reaches the screen (`probe_report`), for
    /// measuring the response-to-screen latency (`MOCKBANK_DESKTOP_PROBE=1`).
    pub probe: bool,
}

impl ServerInfo {
    pub fn new(server: &RunningServer, data_dir: PathBuf) -> Self {
        ServerInfo {
            base_url: server.base_url.clone(),
            ca_cert: server.ca_cert_path.clone(),
            data_dir,
            admin_token_file: server.admin_token_file.clone(),
            bootstrap: server.ui_bootstrap(),
            probe: std::env::var_os(PROBE_ENV).is_some_and(|v| v == "1"),
        }
    }

    /// JSON to embed in a script: no `<`, `>` or `&` outside string escapes.
    pub fn to_script_json(&self) -> String {
        serde_json::to_string(self)
            .unwrap_or_else(|_| "null".into())
            .replace('<', "\\u003c")
            .replace('>', "\\u003e")
            .replace('&', "\\u0026")
    }
}

/// The app's state: the running server (taken out at exit to shut it down) and its facts.
pub struct Shell {
    server: RwLock<Option<RunningServer>>,
    info: ServerInfo,
}

impl Shell {
    pub fn new(server: RunningServer, info: ServerInfo) -> Self {
        Shell {
            server: RwLock::new(Some(server)),
            info,
        }
    }

    /// The server, for [`RunningServer::shutdown`]; commands after this answer 503.
    pub async fn take(&self) -> Option<RunningServer> {
        self.server.write().await.take()
    }

    async fn with<T>(
        &self,
        f: impl FnOnce(&RunningServer) -> Result<T, Refusal>,
    ) -> Result<T, Refusal> {
        match self.server.read().await.as_ref() {
            Some(server) => f(server),
            None => Err(Refusal::new(503, "mockbank is shutting down")),
        }
    }
}

/// A command's failure, as the UI's `ApiError` (status and message).
#[derive(Debug, Serialize)]
pub struct Refusal {
    status: u16,
    message: String,
}

impl Refusal {
    fn new(status: u16, message: impl Into<String>) -> Self {
        Refusal {
            status,
            message: message.into(),
        }
    }

    fn internal(context: &str, e: impl std::fmt::Display) -> Self {
        tracing::error!(error = %e, "{context}");
        Refusal::new(500, format!("{context}: {e}"))
    }
}

#[tauri::command]
pub async fn server_info(shell: State<'_, Shell>) -> Result<ServerInfo, Refusal> {
    Ok(shell.info.clone())
}

/// As `GET /admin/traces`: newest first.
#[tauri::command]
pub async fn list_traces(
    shell: State<'_, Shell>,
    query: TraceQuery,
) -> Result<Vec<Trace>, Refusal> {
    let store = shell.with(|s| Ok(s.store().clone())).await?;
    let filter = TraceFilter::from(query);
    tokio::task::spawn_blocking(move || store.traces(&filter))
        .await
        .map_err(|e| Refusal::internal("listing traces", e))?
        .map_err(|e| Refusal::internal("listing traces", e))
}

/// As `GET /admin/traces/{id}`.
#[tauri::command]
pub async fn get_trace(shell: State<'_, Shell>, id: String) -> Result<Trace, Refusal> {
    shell
        .with(|s| match s.store().trace(&id) {
            Ok(Some(trace)) => Ok(trace),
            Ok(None) => Err(Refusal::new(404, format!("no trace `{id}`"))),
            Err(e) => Err(Refusal::internal("reading a trace", e)),
        })
        .await
}

/// As `GET /admin/profiles`.
#[tauri::command]
pub async fn list_profiles(
    shell: State<'_, Shell>,
) -> Result<Vec<mockbank_core::wire::admin::ProfileView>, Refusal> {
    shell.with(|s| Ok(s.profiles())).await
}

/// As `GET /admin/clients[?profile=ID]`.
#[tauri::command]
pub async fn list_clients(
    shell: State<'_, Shell>,
    profile: Option<String>,
) -> Result<Vec<mockbank_core::wire::admin::ClientView>, Refusal> {
    let profile = profile.filter(|p| !p.is_empty());
    shell
        .with(|s| {
            s.clients(profile.as_deref())
                .map_err(|e| Refusal::internal("listing clients", format!("{e:#}")))
        })
        .await
}

/// An admin API answer: its status and JSON body.
#[derive(Debug, Serialize)]
pub struct AdminAnswer {
    status: u16,
    body: Value,
}

/// Any admin (`/admin/...`) or directory (`/directory/...`) request, served in-process by
/// the same routes a browser reaches over HTTPS: changes (check overrides, minting,
/// revoking, deleting clients) have one implementation for both hosts.
#[tauri::command]
pub async fn admin_request(
    shell: State<'_, Shell>,
    method: String,
    path: String,
    body: Option<Value>,
) -> Result<AdminAnswer, Refusal> {
    let server = shell.server.read().await;
    let Some(server) = server.as_ref() else {
        return Err(Refusal::new(503, "mockbank is shutting down"));
    };
    match server.admin_request(&method, &path, body.as_ref()).await {
        Ok((status, body)) => Ok(AdminAnswer { status, body }),
        Err(e) => Err(Refusal::new(400, format!("{e:#}"))),
    }
}

/// The UI drew the row of trace `seq` at `frame_ms` (epoch ms); logged for the latency
/// measurement of `scripts/desktop-smoke.sh`. Ignored unless the probe is on.
#[tauri::command]
pub fn probe_report(shell: State<'_, Shell>, seq: u64, frame_ms: f64) {
    if shell.info.probe {
        tracing::info!("probe: trace row on screen seq={seq} frame_ms={frame_ms:.3}");
    }
}

/// Saves a file the UI offers for download (an export, a bundle) in the Downloads folder
/// (the data folder when there is none); answers where it went.
#[tauri::command]
pub async fn save_file(
    app: tauri::AppHandle,
    shell: State<'_, Shell>,
    name: String,
    contents: String,
) -> Result<PathBuf, Refusal> {
    use tauri::Manager;
    let dir = app
        .path()
        .download_dir()
        .unwrap_or_else(|_| shell.info.data_dir.join("downloads"));
    tokio::task::spawn_blocking(move || crate::save::save_into(&dir, &name, contents.as_bytes()))
        .await
        .map_err(|e| Refusal::internal("saving a file", e))?
        .map_err(|e| Refusal::new(500, format!("could not save the file: {e}")))
}

/// Puts the CA certificate (PEM) on the clipboard; answers the file it came from.
#[tauri::command]
pub async fn copy_ca(app: tauri::AppHandle, shell: State<'_, Shell>) -> Result<PathBuf, Refusal> {
    let path = shell.info.ca_cert.clone();
    let pem = std::fs::read_to_string(&path)
        .map_err(|e| Refusal::internal(&format!("reading {}", path.display()), e))?;
    app.clipboard()
        .write_text(pem)
        .map_err(|e| Refusal::internal("writing the clipboard", e))?;
    Ok(path)
}

/// Opens the data folder (database, CA, admin token) in the file manager.
#[tauri::command]
pub async fn open_data_folder(shell: State<'_, Shell>) -> Result<PathBuf, Refusal> {
    let dir = shell.info.data_dir.clone();
    let opened = dir.clone();
    tokio::task::spawn_blocking(move || open_folder(&dir))
        .await
        .map_err(|e| Refusal::internal("opening the data folder", e))?
        .map_err(|e| Refusal::new(500, format!("could not open {}: {e}", opened.display())))?;
    Ok(opened)
}

/// The desktop's "open" command: `xdg-open` (Linux and the BSDs), `open`, `explorer`.
fn opener() -> &'static str {
    if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    }
}

/// Runs the opener on `dir`. Openers normally hand over and exit at once: a failure is
/// reported; one still running after a moment has launched a program and is left to it.
fn open_folder(dir: &Path) -> std::io::Result<()> {
    let mut child = Command::new(opener())
        .arg(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", opener())))?;
    let deadline = Instant::now() + Duration::from_secs(3);
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait()? {
            // `explorer` exits 1 even when it opened the folder.
            return if status.success() || cfg!(windows) {
                Ok(())
            } else {
                Err(std::io::Error::other(format!(
                    "{} exited with {status} (is a file manager installed?)",
                    opener()
                )))
            };
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    // Reap it whenever it ends.
    std::thread::spawn(move || child.wait());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_query_fields_are_no_filter() {
        let q: TraceQuery =
            serde_json::from_value(serde_json::json!({"profile": "", "q": "abc", "limit": 5}))
                .unwrap();
        let f = TraceFilter::from(q);
        assert_eq!(f.limit, 5);
        assert_eq!(f.profile, None);
        assert_eq!(f.text.as_deref(), Some("abc"));
        assert_eq!(TraceFilter::from(TraceQuery::default()).limit, 100);
    }

    #[test]
    fn script_json_cannot_close_its_script_element() {
        let info = ServerInfo {
            base_url: "https://127.0.0.1:8443".into(),
            ca_cert: "ca.pem".into(),
            data_dir: "data".into(),
            admin_token_file: "admin-token".into(),
            bootstrap: serde_json::json!({"title": "</script><b>&"}),
            probe: false,
        };
        let s = info.to_script_json();
        assert!(
            !s.contains('<') && !s.contains('>') && !s.contains('&'),
            "{s}"
        );
        let back: Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back["bootstrap"]["title"], "</script><b>&");
    }
}
