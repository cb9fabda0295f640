//! `mockbank run -- COMMAND` and `mockbank report`: mockbank in a TPP's CI. `run` starts the
//! server (a throwaway data dir by default), runs the client's own command against it, stops
//! the server and writes the reports; `report` writes the same from a data dir afterwards.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, ValueEnum};
use mockbank_core::report::{self, Format};
use mockbank_server::ServerConfig;
use mockbank_store::{ReportScope, Store, StoreConfig};

#[derive(Clone, Copy, ValueEnum, PartialEq)]
pub enum ReportFormat {
    Junit,
    Json,
    Markdown,
}

impl ReportFormat {
    /// From a report file's extension: `.xml` JUnit, `.json`, `.md`.
    fn of(path: &Path) -> anyhow::Result<ReportFormat> {
        match path.extension().and_then(|e| e.to_str()) {
            Some("xml") => Ok(ReportFormat::Junit),
            Some("json") => Ok(ReportFormat::Json),
            Some("md") => Ok(ReportFormat::Markdown),
            _ => anyhow::bail!(
                "{}: a report file ends in .xml (JUnit), .json or .md",
                path.display()
            ),
        }
    }
}

/// Which traces a report covers.
#[derive(Args, Clone)]
pub struct ReportFilter {
    /// Only this client's requests (its registration and everything sent as it).
    #[arg(long, value_name = "ID")]
    client_id: Option<String>,
    /// Only requests to this profile (its id, as in `mockbank profiles check`).
    #[arg(long, value_name = "ID")]
    profile: Option<String>,
    /// Only requests at or after this time (RFC 3339).
    #[arg(long, value_name = "RFC3339")]
    since: Option<String>,
}

#[derive(Args)]
pub struct ReportArgs {
    /// The data dir whose traces to grade (default: mockbank's own, as `serve` uses it).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    #[command(flatten)]
    filter: ReportFilter,
    /// The report's format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Markdown)]
    format: ReportFormat,
}

#[derive(Args)]
pub struct RunArgs {
    /// Keep the data here (default: a fresh temporary folder, removed afterwards).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Address to listen on (default: a free port on loopback).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    listen: std::net::SocketAddr,
    /// Folder of profile files (`NAME.toml`); default: the built-in profiles.
    #[arg(long, value_name = "DIR")]
    profiles: Option<PathBuf>,
    /// A report to write when COMMAND is done (format from the extension); repeatable.
    #[arg(long = "report", value_name = "FILE")]
    reports: Vec<PathBuf>,
    /// Exit 1 when any check failed, even if COMMAND succeeded.
    #[arg(long)]
    fail_on_check_failures: bool,
    /// Keep the temporary data dir.
    #[arg(long)]
    keep_data: bool,
    #[command(flatten)]
    tuning: crate::ServeTuning,
    /// The command to run, after `--`.
    #[arg(last = true, required = true, value_name = "COMMAND")]
    command: Vec<String>,
}

impl ReportFormat {
    fn format(self) -> Format {
        match self {
            ReportFormat::Junit => Format::Junit,
            ReportFormat::Json => Format::Json,
            ReportFormat::Markdown => Format::Markdown,
        }
    }
}

/// The traces of a store a report covers.
fn scope(filter: &ReportFilter) -> anyhow::Result<ReportScope> {
    let since_ms = match &filter.since {
        Some(s) => Some(
            (time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
                .with_context(|| format!("--since `{s}` is not an RFC 3339 time"))?
                .unix_timestamp_nanos()
                / 1_000_000) as i64,
        ),
        None => None,
    };
    Ok(ReportScope {
        profile: filter.profile.clone(),
        client_id: filter.client_id.clone(),
        since_ms,
        // The report is about the TPP's requests: the bank operator's own admin changes
        // (traced under `admin`) are not test cases.
        skip_admin: true,
    })
}

/// Writes a report on `store` to `out`, reading the store a page at a time (JSON pretty,
/// with a final newline).
fn render(
    store: &Store,
    scope: &ReportScope,
    format: ReportFormat,
    out: &mut dyn std::io::Write,
) -> anyhow::Result<()> {
    let mut source = store.report_source(scope.clone())?;
    report::write(&mut source, format.format(), true, out)?;
    if format == ReportFormat::Json {
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}

/// Writes each report file, then says whether any check failed.
/// What the reports found: whether any check failed, and how many requests there were.
struct Verdict {
    failed: bool,
    requests: u64,
}

/// Where a report's trace ids can be opened: the run's data dir, and whether it survives.
/// Markdown gets a paragraph; JUnit an XML comment, where `--` cannot occur (so no flags).
struct TracesNote {
    markdown: String,
    xml: String,
}

fn traces_note(data_dir: &Path, kept: bool) -> TracesNote {
    let dir = data_dir.display();
    if kept {
        TracesNote {
            markdown: format!(
                "The trace ids above are traces kept in `{dir}`: `mockbank serve --data-dir {dir}` \
                 shows each at `/ui/#/traces/ID`, and `mockbank report --data-dir {dir}` reports them again."
            ),
            xml: format!("mockbank: the trace ids above are traces kept in the data dir {dir}"),
        }
    } else {
        TracesNote {
            markdown: format!(
                "The trace ids above were traces in `{dir}`, a temporary data dir removed after the \
                 run. Run `mockbank run --keep-data …` (or `--data-dir DIR`) to keep them, then \
                 `mockbank serve --data-dir DIR` shows each at `/ui/#/traces/ID`."
            ),
            xml: format!(
                "mockbank: the trace ids above were traces in {dir}, a temporary data dir removed \
                 after the run (mockbank run's keep-data option keeps it)"
            ),
        }
    }
}

fn write_reports(
    store: &Store,
    files: &[(PathBuf, ReportFormat)],
    note: &TracesNote,
) -> anyhow::Result<Verdict> {
    let everything = ReportScope {
        skip_admin: true,
        ..Default::default()
    };
    for (path, format) in files {
        let file =
            std::fs::File::create(path).with_context(|| format!("writing {}", path.display()))?;
        let mut out = std::io::BufWriter::new(file);
        render(store, &everything, *format, &mut out)
            .and_then(|()| {
                use std::io::Write;
                match format {
                    ReportFormat::Markdown => writeln!(out, "\n{}", note.markdown)?,
                    // After the root element, where XML allows a comment.
                    ReportFormat::Junit => {
                        writeln!(out, "\n<!-- {} -->", note.xml.replace("--", "-"))?
                    }
                    ReportFormat::Json => {}
                }
                Ok(out.flush()?)
            })
            .with_context(|| format!("writing {}", path.display()))?;
    }
    let mut source = store.report_source(everything)?;
    Ok(Verdict {
        failed: report::any_failure(&mut source)?,
        requests: report::Source::totals(&mut source)?.requests,
    })
}

fn open_store(dir: &Path) -> anyhow::Result<Store> {
    anyhow::ensure!(
        dir.join(mockbank_store::DB_FILE).exists(),
        "no mockbank data in {}",
        dir.display()
    );
    Store::open(
        dir,
        StoreConfig {
            trace_retention: u64::MAX,
            on_trace: None,
        },
    )
    .with_context(|| format!("opening the store in {}", dir.display()))
}

pub fn report(args: ReportArgs) -> anyhow::Result<()> {
    let dir = match args.data_dir {
        Some(d) => d,
        None => crate::default_data_dir()?,
    };
    let store = open_store(&dir)?;
    let scope = scope(&args.filter)?;
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    match render(&store, &scope, args.format, &mut stdout) {
        Ok(()) => Ok(()),
        Err(e)
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            // Read by `head` or the like: it has what it wanted.
            std::process::exit(0)
        }
        Err(e) => Err(e),
    }
}

/// The temporary data dirs of `run`: `mockbank-run-{pid}-{uuid}`.
const RUN_DIR_PREFIX: &str = "mockbank-run-";

/// Removes the temporary data dirs that a `run` killed before it could clean up left behind:
/// those whose process is gone (or is no longer a mockbank).
fn sweep_left_behind() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(RUN_DIR_PREFIX))
            .and_then(|rest| rest.split_once('-'))
            .and_then(|(pid, _)| pid.parse::<u32>().ok())
        else {
            continue;
        };
        let alive = std::fs::read_to_string(format!("/proc/{pid}/comm"))
            .is_ok_and(|comm| comm.trim() == "mockbank");
        let ours = entry
            .metadata()
            .is_ok_and(|m| m.is_dir() && !m.file_type().is_symlink());
        if !alive && ours && std::fs::remove_dir_all(entry.path()).is_ok() {
            eprintln!(
                "mockbank: removed {} (left by a run that was killed)",
                entry.path().display()
            );
        }
    }
}

/// COMMAND, run so that it dies with mockbank even when mockbank is killed (SIGKILL): on
/// Linux through util-linux's `setpriv --pdeathsig KILL`, which sets `PR_SET_PDEATHSIG` and
/// execs COMMAND in the same process; elsewhere (or without setpriv) as it is.
fn with_parent_death_signal(command: &[String]) -> (String, Vec<String>) {
    const SETPRIV: &str = "/usr/bin/setpriv";
    // A COMMAND that cannot be found keeps its own error (and exit 2), not setpriv's.
    if cfg!(target_os = "linux") && Path::new(SETPRIV).exists() && findable(&command[0]) {
        let mut args = vec!["--pdeathsig".to_owned(), "KILL".to_owned(), "--".to_owned()];
        args.extend(command.iter().cloned());
        return (SETPRIV.to_owned(), args);
    }
    (command[0].clone(), command[1..].to_vec())
}

/// Whether `program` names a file, directly or on the `PATH`.
fn findable(program: &str) -> bool {
    if program.contains('/') {
        return Path::new(program).is_file();
    }
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}

/// `mockbank run`: COMMAND's status, 1 for failed checks with `--fail-on-check-failures`,
/// 2 when mockbank itself failed.
pub fn run(args: RunArgs) -> ExitCode {
    match run_inner(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("mockbank: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run_inner(args: RunArgs) -> anyhow::Result<ExitCode> {
    let profiles = crate::load_profiles(args.profiles.as_deref())?;
    let served: Vec<String> = profiles.iter().map(|p| p.id.clone()).collect();
    let scenarios =
        mockbank_tpp::walkthrough::load(args.tuning.scenarios.as_deref(), Some(&served))?;
    sweep_left_behind();
    let (data_dir, throwaway) = match &args.data_dir {
        Some(d) => (d.clone(), false),
        None => (
            std::env::temp_dir().join(format!(
                "{RUN_DIR_PREFIX}{}-{}",
                std::process::id(),
                mockbank_tpp::uuid_v4()
            )),
            true,
        ),
    };
    let formats: Vec<(PathBuf, ReportFormat)> = args
        .reports
        .iter()
        .map(|p| Ok((p.clone(), ReportFormat::of(p)?)))
        .collect::<anyhow::Result<_>>()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let result = runtime.block_on(async {
        let mut signals = crate::signals::Signals::install()?;
        let server = mockbank_server::start(ServerConfig {
            data_dir: data_dir.clone(),
            listen: args.listen,
            profiles,
            trace_retention: args.tuning.trace_retention,
            limits: args.tuning.limits(),
            cli_path: std::env::current_exe().ok(),
            scenarios: Some(scenarios),
            public_url: None,
            hostnames: Vec::new(),
            admin_token: None,
        })
        .await?;
        let mut ready = server.ready_event();
        if !std::io::stderr().is_terminal() {
            // A CI log is no place for a live sign-in code: the UI asks for the admin token.
            ready["ui_url"] = format!("{}/ui/", server.base_url).into();
        }
        eprintln!("{ready}");
        let (program, program_args) = with_parent_death_signal(&args.command);
        let mut child = tokio::process::Command::new(program)
            .args(program_args)
            .env("MOCKBANK_BASE_URL", &server.base_url)
            .env("MOCKBANK_CA_CERT", &server.ca_cert_path)
            .env("MOCKBANK_DATA_DIR", &data_dir)
            .env("MOCKBANK_ADMIN_TOKEN_FILE", &server.admin_token_file)
            .env("NODE_EXTRA_CA_CERTS", &server.ca_cert_path)
            .spawn()
            .with_context(|| format!("cannot run `{}`", args.command[0]))?;
        let pid = child.id().unwrap_or(0);
        // SIGINT and SIGTERM go to COMMAND; mockbank stops once it has ended.
        let status = loop {
            tokio::select! {
                s = child.wait() => break s?,
                stop = signals.next() => crate::signals::forward(pid, stop),
            }
        };
        let store = server.store().clone();
        // Let the writer commit the last traces before they are read.
        tokio::time::sleep(Duration::from_millis(50)).await;
        let files = formats.clone();
        let note = traces_note(&data_dir, !throwaway || args.keep_data);
        let written =
            tokio::task::spawn_blocking(move || write_reports(&store, &files, &note)).await;
        server.shutdown().await?;
        anyhow::Ok((status, written??))
    });
    let outcome = match result {
        Ok((status, verdict)) => {
            let silent = verdict.requests == 0;
            if silent {
                eprintln!(
                    "mockbank: warning: no request reached mockbank during `{}`: nothing was checked",
                    args.command.join(" ")
                );
            }
            // A COMMAND killed by a signal exits 128 + its number, as shells say.
            let code = crate::signals::shell_exit_code(status);
            Ok(if code != 0 {
                ExitCode::from(u8::try_from(code).unwrap_or(1))
            } else if args.fail_on_check_failures && silent {
                eprintln!("mockbank: nothing to grade (--fail-on-check-failures)");
                ExitCode::from(1)
            } else if args.fail_on_check_failures && verdict.failed {
                eprintln!("mockbank: checks failed (see the reports)");
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Err(e) => Err(e),
    };
    if throwaway && !args.keep_data {
        let _ = std::fs::remove_dir_all(&data_dir);
    } else if throwaway {
        eprintln!("mockbank: data kept in {}", data_dir.display());
    }
    outcome
}
