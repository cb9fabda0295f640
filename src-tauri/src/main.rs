//! `mockbank-desktop`: the Tauri v2 shell only — starts the embedded mockbank server in-process, forwards its trace bus to the window and answers the UI's few commands; no protocol logic.

// No console window next to the app in a Windows release build.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod assets;
mod commands;
mod feed;
mod save;
mod server;

use std::process::ExitCode;

use tauri::{Emitter, Manager, RunEvent, WebviewUrl, WebviewWindowBuilder};

use crate::commands::{ServerInfo, Shell};

/// Traces kept in the store, as `mockbank serve`'s default.
const TRACE_RETENTION: u64 = 100_000;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();

    let mut context = tauri::generate_context!();
    // The UI is built to live at `/ui/` (where `mockbank serve` serves it); serve the same
    // files at `tauri://localhost/ui/`.
    let embedded = context.set_assets(Box::new(assets::NoAssets));
    context.set_assets(Box::new(assets::UiAssets::new(embedded)));

    let app = tauri::Builder::default()
        .plugin(tauri_plugin_clipboard_manager::init())
        .invoke_handler(tauri::generate_handler![
            commands::server_info,
            commands::list_traces,
            commands::get_trace,
            commands::list_profiles,
            commands::list_clients,
            commands::copy_ca,
            commands::open_data_folder,
            commands::admin_request,
            commands::probe_report,
            commands::save_file,
        ])
        .setup(|app| {
            // Tauri would panic on a setup error: say what failed and exit non-zero instead,
            // as `mockbank serve` does (stopping the server if it had started).
            if let Err(e) = setup(app) {
                eprintln!("mockbank-desktop: {e:#}");
                stop_server(app.handle());
                std::process::exit(1);
            }
            Ok(())
        })
        .build(context);
    let app = match app {
        Ok(app) => app,
        Err(e) => {
            eprintln!("mockbank-desktop: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    app.run(|handle, event| {
        if let RunEvent::Exit = event {
            stop_server(handle);
        }
    });
    ExitCode::SUCCESS
}

/// The environment variable naming the view the window opens on.
const ROUTE_ENV: &str = "MOCKBANK_DESKTOP_ROUTE";

/// Starts the server, prints the ready line, starts the trace feed and opens the window.
fn setup(app: &mut tauri::App) -> anyhow::Result<()> {
    let data_dir = app.path().app_data_dir()?;
    let profiles = mockbank_core::ProfileSet::builtin()?;
    let running = tauri::async_runtime::block_on(server::start(
        data_dir.clone(),
        profiles,
        TRACE_RETENTION,
        server::PREFERRED_LISTEN,
    ))?;
    // The contract's ready event, as `mockbank serve` prints it.
    println!("{}", running.ready_event());
    tracing::info!(base_url = %running.base_url, data_dir = %data_dir.display(), "mockbank is ready");

    let info = ServerInfo::new(&running, data_dir);
    let title = format!("mockbank — {}", info.base_url);
    let mut init_script = format!("window.__MOCKBANK_DESKTOP__ = {};", info.to_script_json());
    // `MOCKBANK_DESKTOP_ROUTE=#/compare` opens the window on that view (the smoke test's way
    // to photograph a view without clicking).
    if let Some(route) = std::env::var(ROUTE_ENV)
        .ok()
        .filter(|r| r.starts_with("#/"))
    {
        let route = serde_json::to_string(&route)?.replace('<', "\\u003c");
        init_script.push_str(&format!("if (!location.hash) location.hash = {route};"));
    }

    // Subscribe before anything can be stored that the window should see live.
    let traces = running.bus.subscribe();
    app.manage(Shell::new(running, info));

    let handle = app.handle().clone();
    tauri::async_runtime::spawn(feed::forward(traces, move |batch| {
        let sent = match batch {
            feed::Feed::Traces(traces) => {
                tracing::debug!(count = traces.len(), "traces forwarded to the window");
                let traces: Vec<&mockbank_core::Trace> = traces.iter().map(AsRef::as_ref).collect();
                handle.emit(feed::TRACE_EVENT, traces)
            }
            feed::Feed::Resync(missed) => handle.emit(feed::RESYNC_EVENT, missed),
        };
        if let Err(e) = sent {
            tracing::warn!(error = %e, "could not forward traces to the window");
        }
    }));

    // SIGINT/SIGTERM end the app the way closing its window does.
    let handle = app.handle().clone();
    let stop = stop_signal()?;
    tauri::async_runtime::spawn(async move {
        stop.await;
        handle.exit(0);
    });

    // The webview's own caches and storage stay out of mockbank's data folder.
    let webview_dir = app.path().app_cache_dir()?.join("webview");
    WebviewWindowBuilder::new(app, "main", WebviewUrl::App("ui/".into()))
        .title(title)
        .data_directory(webview_dir)
        .inner_size(1280.0, 800.0)
        .min_inner_size(720.0, 480.0)
        .initialization_script(init_script)
        // The UI's own copy buttons (base URL, curl commands) use the clipboard.
        .enable_clipboard_access()
        .build()?;
    Ok(())
}

/// Shuts the server down (in-flight requests finish, the store closes) before the process
/// ends; called once, when the last window has closed or the app was asked to quit.
fn stop_server(handle: &tauri::AppHandle) {
    let Some(shell) = handle.try_state::<Shell>() else {
        return;
    };
    tauri::async_runtime::block_on(async {
        let Some(running) = shell.take().await else {
            return;
        };
        tracing::info!("shutting down");
        if let Err(e) = running.shutdown().await {
            tracing::error!(error = %format!("{e:#}"), "the server did not shut down cleanly");
        }
    });
}

/// Resolves at SIGINT or SIGTERM (Ctrl-C elsewhere); the handlers are installed when this
/// is called, inside the async runtime.
fn stop_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    let stop = tauri::async_runtime::block_on(async { mockbank_server::shutdown::stop_signal() })?;
    Ok(stop)
}
