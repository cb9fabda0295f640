//! `mockbank scenario list|run`: the walkthroughs (`scenarios/`, and `--scenarios DIR`) on
//! the command line. `run` walks a scenario with the reference client against a running
//! mockbank (`--data-dir`, `--base-url`), or, given neither, against a throwaway one started
//! for the run; text output goes step by step, JSON is the contract's.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use mockbank_core::scenario::Scenario;
use mockbank_server::{ConnectionLimits, ServerConfig};
use mockbank_tpp::walkthrough::{self, StepResult, Walkthrough};

#[derive(Subcommand)]
pub enum ScenarioCommand {
    /// The walkthroughs: name, title, profiles, steps.
    List {
        /// A folder of the user's own scenario files, beside the shipped ones.
        #[arg(long, value_name = "DIR")]
        scenarios: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = OutFormat::Text)]
        format: OutFormat,
    },
    /// Walk a scenario step by step; exit 0 only when every step met its expectation.
    Run(Box<RunArgs>),
}

#[derive(Args)]
pub struct RunArgs {
    /// The scenario's name (`mockbank scenario list`).
    name: String,
    /// One of the scenario's profiles (default: its first).
    #[arg(long, value_name = "ID")]
    profile: Option<String>,
    #[arg(long, value_name = "DIR")]
    scenarios: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = OutFormat::Text)]
    format: OutFormat,
    /// Also write the run as a handout: `.html` (self-contained) or `.md`.
    #[arg(long, value_name = "FILE")]
    handout: Option<PathBuf>,
    #[command(flatten)]
    target: crate::tpp_cli::TargetArgs,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutFormat {
    Text,
    Json,
}

fn find(all: Vec<Scenario>, name: &str) -> anyhow::Result<Scenario> {
    let names: Vec<String> = all.iter().map(|s| s.name.clone()).collect();
    all.into_iter()
        .find(|s| s.name == name)
        .with_context(|| format!("no scenario `{name}` (scenarios: {})", names.join(", ")))
}

pub fn run(command: ScenarioCommand) -> ExitCode {
    let result = match command {
        ScenarioCommand::List { scenarios, format } => list(scenarios, format).map(|()| true),
        ScenarioCommand::Run(args) => run_scenario(*args),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("mockbank: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn list(dir: Option<PathBuf>, format: OutFormat) -> anyhow::Result<()> {
    let all = walkthrough::load(dir.as_deref(), None)?;
    match format {
        OutFormat::Json => out!("{}", serde_json::to_string(&walkthrough::summaries(&all))?),
        OutFormat::Text => {
            for s in &all {
                out!(
                    "{:<22} {:>2} steps  {:<40} {}",
                    s.name,
                    s.steps.len(),
                    s.profiles.join(", "),
                    s.title
                );
            }
        }
    }
    Ok(())
}

fn print_step(r: &StepResult) {
    let mark = if r.ok { "✓" } else { "✗" };
    let mut line = format!("{mark} {}. {} — {}", r.index + 1, r.title, r.action.name());
    if let Some(d) = r.deviation.as_deref().filter(|d| *d != "none") {
        line.push_str(&format!(" [{d}]"));
    }
    if r.action != mockbank_core::scenario::Action::Narrate {
        line.push_str(&format!(" on {}", r.profile));
    }
    if let Some(s) = r.status {
        line.push_str(&format!(" → {s}"));
    }
    if let Some(c) = &r.deciding_check {
        line.push_str(&format!(", decided by {c}"));
    }
    out!("{line}");
    if let Some(p) = &r.problem {
        out!("    {p}");
    }
}

fn run_scenario(args: RunArgs) -> anyhow::Result<bool> {
    let all = walkthrough::load(args.scenarios.as_deref(), None)?;
    let scenario = find(all, &args.name)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        // Against a running bank when one is named; else a throwaway mockbank of our own.
        let (target, own) = if args.target.names_a_bank() {
            (args.target.target()?, None)
        } else {
            let dir =
                std::env::temp_dir().join(format!("mockbank-scenario-{}", mockbank_tpp::uuid_v4()));
            let server = mockbank_server::start(ServerConfig {
                data_dir: dir.clone(),
                listen: "127.0.0.1:0".parse()?,
                profiles: crate::load_profiles(None)?,
                trace_retention: 100_000,
                limits: ConnectionLimits::default(),
                cli_path: std::env::current_exe().ok(),
                scenarios: None,
                public_url: None,
                hostnames: Vec::new(),
                admin_token: None,
            })
            .await?;
            (
                mockbank_tpp::Target::from_data_dir(&dir)?,
                Some((server, dir)),
            )
        };
        let mut target = target;
        target.state_dir = target
            .state_dir
            .join("walkthroughs")
            .join(mockbank_tpp::uuid_v4());
        let mut w = Walkthrough::new(scenario, args.profile.as_deref(), target)?;
        if args.format == OutFormat::Text {
            out!("{} — on {}", w.scenario.title, w.profile);
        }
        for i in 0..w.scenario.steps.len() {
            let r = w.run_step(i, None).await;
            if args.format == OutFormat::Text {
                print_step(&r);
            }
        }
        let ok = w.ok();
        match args.format {
            OutFormat::Json => out!("{}", serde_json::to_string(&walkthrough::run_report(&w))?),
            OutFormat::Text => out!(
                "{}",
                if ok {
                    "every step met its expectation"
                } else {
                    "some steps did not meet their expectation"
                }
            ),
        }
        if let Some(path) = &args.handout {
            let text = match path.extension().and_then(|e| e.to_str()) {
                Some("md") | Some("markdown") => mockbank_tpp::handout::markdown(&w),
                _ => mockbank_tpp::handout::html(&w),
            };
            std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
        }
        if let Some((server, dir)) = own {
            server.shutdown().await?;
            let _ = std::fs::remove_dir_all(dir);
        }
        Ok(ok)
    })
}
