//! `mockbank`: the headless mock bank. `mockbank serve` runs the DCR server with every
//! profile; `mockbank directory issue` mints TPP credentials from the running server;
//! `mockbank checks list` prints the check catalogue from the code.

/// `println!` for the CLI's output: a reader that went away (`mockbank checks list | head`)
/// ends the program quietly instead of a panic.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::write_stdout_line(format_args!($($arg)*))
    };
}

mod ci_cli;
mod directory_cli;
mod scenario_cli;
mod signals;
mod tpp_cli;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use mockbank_core::ProfileSet;
use mockbank_server::{ConnectionLimits, ServerConfig};

// glibc's allocator serialises the tokio workers on its arena locks under load (measured with
// perf: ~15% of worker time in malloc/free); mimalloc keeps per-thread heaps. Built without
// transparent huge pages (`no_thp`): with them every touched 2 MiB of its arena was resident
// (idle RSS 32 MB, 22 MB without) and faulting them in cost more than it saved (server CPU
// per OBUK registration 350–377 µs with, 333 µs without, in one A/B run).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "mockbank",
    version = env!("MOCKBANK_LONG_VERSION"),
    // A flag given twice takes its last value (a script's defaults, then the user's own).
    args_override_self = true,
    about = "Local mock bank and test harness for OAuth 2.0 Dynamic Client Registration"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The serve flags beyond where and what: retention, timeouts, the connection cap and
/// walkthrough scenarios (`serve` and `run` take the same).
#[derive(clap::Args, Debug, Clone)]
pub(crate) struct ServeTuning {
    /// Traces kept in the store; the oldest are dropped beyond this.
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    pub trace_retention: u64,
    /// Time a client has for the TLS handshake and for a request's headers (and an idle
    /// connection, HTTP/2 sessions included, for its next request).
    #[arg(long, value_name = "MS", default_value_t = 10_000)]
    pub header_timeout_ms: u64,
    /// Time a client has to send a request body.
    #[arg(long, value_name = "MS", default_value_t = 30_000)]
    pub body_timeout_ms: u64,
    /// Connections served at once; more wait to be accepted.
    #[arg(long, value_name = "N", default_value_t = 512)]
    pub max_connections: usize,
    /// A folder of the user's own walkthrough scenarios (`NAME.toml`), beside the shipped ones.
    #[arg(long, value_name = "DIR")]
    pub scenarios: Option<PathBuf>,
}

/// Where clients reach the server when it is not the listening address (a container, a
/// DNS name).
#[derive(clap::Args, Debug, Clone)]
pub(crate) struct PublicAddress {
    /// The URL clients use, `https://HOST[:PORT]` (a container's published port, a DNS
    /// name): issuers, discovery and the server certificate use it.
    #[arg(long, value_name = "URL")]
    pub public_url: Option<mockbank_server::PublicUrl>,
    /// A further name (or IP address) for the server certificate; repeatable.
    #[arg(long = "hostname", value_name = "NAME")]
    pub hostnames: Vec<String>,
}

impl ServeTuning {
    pub(crate) fn limits(&self) -> ConnectionLimits {
        ConnectionLimits {
            // A client stalled before its first header byte is as stuck as one stalled in
            // the middle: the handshake gets the same time.
            handshake: Duration::from_millis(self.header_timeout_ms),
            header_read: Duration::from_millis(self.header_timeout_ms),
            body_read: Duration::from_millis(self.body_timeout_ms),
            max_connections: self.max_connections,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTPS server with every profile (prints one JSON `ready` line on stdout).
    Serve {
        /// Where the SQLite database, the CA and the admin token live.
        #[arg(long, value_name = "DIR")]
        data_dir: Option<PathBuf>,
        /// Address to listen on; port 0 picks a free port.
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8443")]
        listen: SocketAddr,
        /// Folder of profile files (`NAME.toml`); default: the built-in profiles.
        #[arg(long, value_name = "DIR")]
        profiles: Option<PathBuf>,
        #[command(flatten)]
        public: PublicAddress,
        #[command(flatten)]
        tuning: ServeTuning,
    },
    /// The validation checks mockbank knows.
    Checks {
        #[command(subcommand)]
        command: ChecksCommand,
    },
    /// The mock directory: mint TPP credentials, list broken variants.
    Directory {
        #[command(subcommand)]
        command: directory_cli::DirectoryCommand,
    },
    /// The built-in reference TPP: register, token, read, update, delete, sign, deviations.
    Tpp {
        #[command(subcommand)]
        command: tpp_cli::TppCommand,
    },
    /// Start mockbank, run COMMAND (a client's own tests) against it, stop it, write reports.
    Run(ci_cli::RunArgs),
    /// The client's grade from a data dir (JUnit, JSON or Markdown), with no server running.
    Report(ci_cli::ReportArgs),
    /// Each case (a deviation) through the reference TPP against each profile, side by side.
    Compare(tpp_cli::CompareArgs),
    /// What comparisons and walkthroughs left behind (clients, minted software); --clear removes it.
    Leftovers(tpp_cli::LeftoversArgs),
    /// Walkthroughs: guided, narrated DCR flows performed by the reference TPP.
    Scenario {
        #[command(subcommand)]
        command: scenario_cli::ScenarioCommand,
    },
    /// Profile files.
    Profiles {
        #[command(subcommand)]
        command: ProfilesCommand,
    },
    /// Print a shell completion script (`source <(mockbank completions bash)`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `mockbank man > mockbank.1`.
    Man {
        /// Write `mockbank.1` and one `mockbank-COMMAND.1` page per command into DIR instead.
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum ChecksCommand {
    /// Print the catalogue: id, spec reference and description of every check.
    List {
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

#[derive(Subcommand)]
enum ProfilesCommand {
    /// Validate profile files (a folder, or the built-in ones) and list them.
    Check {
        #[arg(value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Print a profile file; with `--resolved`, the whole profile an overlay
    /// (`extends = "ID"`) resolves to.
    Show {
        id: String,
        /// Print the merged profile (the file itself for a profile that extends none).
        #[arg(long)]
        resolved: bool,
        /// A folder of profile files (default: the built-in ones).
        #[arg(long, value_name = "DIR")]
        profiles: Option<PathBuf>,
    },
    /// What differs between two profiles: settings, discovery values, checks.
    Diff {
        a: String,
        b: String,
        /// A folder of profile files (default: the built-in ones).
        #[arg(long, value_name = "DIR")]
        profiles: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Markdown,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => return ci_cli::run(args),
        Command::Scenario { command } => return scenario_cli::run(command),
        Command::Report(args) => ci_cli::report(args),
        Command::Serve {
            data_dir,
            listen,
            profiles,
            public,
            tuning,
        } => serve(data_dir, listen, profiles, public, &tuning),
        Command::Checks {
            command: ChecksCommand::List { format },
        } => {
            print_checks(format);
            Ok(())
        }
        Command::Completions { shell } => {
            let mut cli = <Cli as clap::CommandFactory>::command();
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut cli, "mockbank", &mut buf);
            write_stdout(format_args!("{}", String::from_utf8_lossy(&buf)), false);
            Ok(())
        }
        Command::Man { out_dir } => man_pages(out_dir.as_deref()),
        Command::Directory { command } => directory_cli::run(command),
        Command::Tpp { command } => return tpp_cli::run(command),
        Command::Compare(args) => tpp_cli::compare(args),
        Command::Leftovers(args) => tpp_cli::leftovers(args),
        Command::Profiles {
            command:
                ProfilesCommand::Diff {
                    a,
                    b,
                    profiles,
                    format,
                },
        } => profiles_diff(&a, &b, profiles.as_deref(), format),
        Command::Profiles {
            command:
                ProfilesCommand::Show {
                    id,
                    resolved,
                    profiles,
                },
        } => profiles_show(&id, resolved, profiles.as_deref()),
        Command::Profiles {
            command: ProfilesCommand::Check { dir },
        } => load_profiles(dir.as_deref()).map(|set| {
            for p in set.iter() {
                out!(
                    "{}\t{}\t{} checks\t{}",
                    p.id,
                    p.source,
                    p.checks.len(),
                    p.settings.title
                );
            }
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mockbank: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn serve(
    data_dir: Option<PathBuf>,
    listen: SocketAddr,
    profiles_dir: Option<PathBuf>,
    public: PublicAddress,
    tuning: &ServeTuning,
) -> anyhow::Result<()> {
    use std::io::IsTerminal;
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        // Colour codes only for a terminal, not into a container's or a CI job's log.
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let profiles = load_profiles(profiles_dir.as_deref())?;
    let served: Vec<String> = profiles.iter().map(|p| p.id.clone()).collect();
    let scenarios = mockbank_tpp::walkthrough::load(tuning.scenarios.as_deref(), Some(&served))?;
    // A CI service container is given its admin token rather than asked for its own.
    let admin_token = std::env::var("MOCKBANK_ADMIN_TOKEN")
        .ok()
        .filter(|t| !t.is_empty());
    let data_dir = match data_dir {
        Some(d) => d,
        None => default_data_dir()?,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        // Listen for signals before announcing readiness: a script may stop us right away.
        let stop = mockbank_server::shutdown::stop_signal()?;
        let server = mockbank_server::start(ServerConfig {
            data_dir,
            listen,
            profiles,
            trace_retention: tuning.trace_retention,
            limits: tuning.limits(),
            cli_path: std::env::current_exe().ok(),
            scenarios: Some(scenarios),
            public_url: public.public_url,
            hostnames: public.hostnames,
            admin_token,
        })
        .await?;
        out!("{}", server.ready_event());
        tracing::info!(base_url = %server.base_url, "mockbank is ready");
        stop.await;
        tracing::info!("shutting down");
        server.shutdown().await
    })
}

/// `mockbank man`: the top-level page on stdout, or every page into `out_dir`.
fn man_pages(out_dir: Option<&Path>) -> anyhow::Result<()> {
    let cli = <Cli as clap::CommandFactory>::command();
    let Some(dir) = out_dir else {
        let mut buf = Vec::new();
        clap_mangen::Man::new(cli).render(&mut buf)?;
        write_stdout(format_args!("{}", String::from_utf8_lossy(&buf)), false);
        return Ok(());
    };
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    clap_mangen::generate_to(cli, dir).with_context(|| format!("writing to {}", dir.display()))
}

/// `$MOCKBANK_DATA_DIR`, else `$XDG_DATA_HOME/mockbank`, else `~/.local/share/mockbank`.
pub(crate) fn default_data_dir() -> anyhow::Result<PathBuf> {
    if let Some(dir) = std::env::var_os("MOCKBANK_DATA_DIR").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    if let Some(xdg) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(xdg).join("mockbank"));
    }
    let home = std::env::var_os("HOME")
        .context("neither XDG_DATA_HOME nor HOME is set; pass --data-dir")?;
    Ok(PathBuf::from(home).join(".local/share/mockbank"))
}

/// The profiles of `dir` (every `*.toml`), or the built-in ones.
fn profiles_show(id: &str, resolved: bool, dir: Option<&Path>) -> anyhow::Result<()> {
    let set = load_profiles(dir)?;
    let Some(profile) = set.get(id) else {
        let ids: Vec<&str> = set.iter().map(|p| p.id.as_str()).collect();
        anyhow::bail!("no profile `{id}` (profiles: {})", ids.join(", "));
    };
    if resolved {
        if let Some(base) = &profile.extends {
            out!(
                "# {id}: {} merged over the profile it extends, `{base}`",
                profile.source
            );
        }
        out!("{}", profile.resolved.trim_end());
        return Ok(());
    }
    let file = match dir {
        Some(dir) => std::fs::read_to_string(dir.join(format!("{id}.toml")))?,
        None => mockbank_core::profile::builtin_sources()
            .into_iter()
            .find(|(n, _)| n.strip_suffix(".toml") == Some(id))
            .map(|(_, src)| src.to_owned())
            .unwrap_or_default(),
    };
    out!("{}", file.trim_end());
    Ok(())
}

fn load_profiles(dir: Option<&Path>) -> anyhow::Result<ProfileSet> {
    let Some(dir) = dir else {
        return Ok(ProfileSet::builtin()?);
    };
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read profiles folder {}", dir.display()))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read profile {}", path.display()))?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            files.push((name, text, path));
        }
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    ProfileSet::load(files.iter().map(|(n, t, _)| (n.as_str(), t.as_str()))).map_err(|mut e| {
        if let Some((_, _, path)) = files.iter().find(|(n, _, _)| *n == e.file) {
            e.file = path.display().to_string();
        }
        anyhow::Error::new(e)
    })
}

fn print_checks(format: Format) {
    let checks: Vec<_> = mockbank_core::checks::catalogue().collect();
    match format {
        Format::Text => {
            for c in checks {
                out!("{:<42} {:<28} {}", c.id, c.spec, c.description);
            }
        }
        Format::Markdown => {
            out!("| id | spec | error | description |\n|---|---|---|---|");
            for c in checks {
                out!(
                    "| `{}` | {} | `{}` | {} |",
                    c.id,
                    c.spec,
                    c.error,
                    c.description.replace('|', "\\|")
                );
            }
        }
        Format::Json => {
            let list: Vec<_> = checks
                .iter()
                .map(|c| serde_json::json!({"id": c.id, "title": c.title, "spec": c.spec, "description": c.description, "error": c.error}))
                .collect();
            out!("{}", serde_json::Value::Array(list));
        }
    }
}

/// Writes one line on stdout; on a closed pipe, exits 0 (the reader has what it wanted).
pub(crate) fn write_stdout_line(line: std::fmt::Arguments<'_>) {
    write_stdout(line, true)
}

/// Writes on stdout, ending with a newline if `newline`; on a closed pipe, exits 0.
pub(crate) fn write_stdout(text: std::fmt::Arguments<'_>, newline: bool) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let written = stdout
        .write_fmt(text)
        .and_then(|()| {
            if newline {
                stdout.write_all(b"\n")
            } else {
                Ok(())
            }
        })
        .and_then(|()| stdout.flush());
    match written {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => {
            eprintln!("mockbank: writing to stdout: {e}");
            std::process::exit(1);
        }
    }
}

/// `mockbank profiles diff A B`.
fn profiles_diff(a: &str, b: &str, dir: Option<&Path>, format: Format) -> anyhow::Result<()> {
    let set = load_profiles(dir)?;
    let known = || {
        set.iter()
            .map(|p| p.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let pa = set
        .get(a)
        .with_context(|| format!("no profile `{a}` (profiles: {})", known()))?;
    let pb = set
        .get(b)
        .with_context(|| format!("no profile `{b}` (profiles: {})", known()))?;
    // Discovery values as served on the default address.
    let d = mockbank_core::profile::diff::diff(pa, pb, "https://127.0.0.1:8443");
    match format {
        Format::Json => out!("{d}"),
        Format::Markdown => out!(
            "{}",
            mockbank_core::profile::diff::render_markdown(&d).trim_end()
        ),
        Format::Text => out!(
            "{}",
            mockbank_core::profile::diff::render_text(&d).trim_end()
        ),
    }
    Ok(())
}
