//! `mockbank tpp ...` and `mockbank compare`: the built-in reference TPP (`mockbank-tpp`)
//! on the command line, against a running mockbank (`--data-dir`) or any bank
//! (`--base-url --ca`).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Args, Subcommand, ValueEnum};
use mockbank_core::wire::admin::{Leftovers, LeftoversCleared};
use mockbank_core::wire::directory::Bundle;
use mockbank_tpp::compare::{self, Format as CompareFormat};
use mockbank_tpp::{state, Deviation, Flavor, ProtectionSummary, Session, Target};
use serde_json::{Map, Value};

/// Where the bank is.
#[derive(Args, Clone)]
pub struct TargetArgs {
    /// A running mockbank's data dir (its server.json, ca.pem and admin-token); the default
    /// data dir when neither this nor --base-url is given.
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Any bank's base URL (profiles are issuers at `{base_url}/{profile}`).
    #[arg(long, value_name = "URL", requires = "ca")]
    base_url: Option<String>,
    /// The CA that signs the bank's server certificate (PEM), with --base-url.
    #[arg(long, value_name = "FILE")]
    ca: Option<PathBuf>,
    /// A mockbank admin token file, with --base-url (mints credentials, reads traces).
    #[arg(long, value_name = "FILE")]
    admin_token_file: Option<PathBuf>,
    /// Directory credentials to use instead of minting (a `bundle.json` of `mockbank directory issue`).
    #[arg(long, value_name = "FILE")]
    bundle: Option<PathBuf>,
    /// How the profile registers, when the bank does not say (not a mockbank).
    #[arg(long, value_enum)]
    flavor: Option<FlavorArg>,
    /// Where the reference client keeps what it registered (default: DATA_DIR/tpp, or
    /// ./.mockbank-tpp with --base-url).
    #[arg(long, value_name = "DIR")]
    state: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum FlavorArg {
    Generic,
    Obuk,
    Stet,
}

impl TargetArgs {
    /// Whether a bank was named (`--data-dir` or `--base-url`).
    pub fn names_a_bank(&self) -> bool {
        self.data_dir.is_some() || self.base_url.is_some()
    }

    pub fn target(&self) -> anyhow::Result<Target> {
        let mut target = match (&self.base_url, &self.data_dir) {
            (Some(url), _) => {
                let ca_path = self.ca.as_ref().context("--base-url needs --ca")?;
                let ca = std::fs::read_to_string(ca_path)
                    .with_context(|| format!("reading {}", ca_path.display()))?;
                let token = match &self.admin_token_file {
                    Some(f) => Some(
                        std::fs::read_to_string(f)
                            .with_context(|| format!("reading {}", f.display()))?
                            .trim()
                            .to_owned(),
                    ),
                    None => None,
                };
                Target::new(url, &ca, token, PathBuf::from(".mockbank-tpp"))?
            }
            (None, Some(dir)) => Target::from_data_dir(dir)?,
            (None, None) => Target::from_data_dir(&crate::default_data_dir()?)?,
        };
        if let Some(state) = &self.state {
            target.state_dir = state.clone();
        }
        if let Some(b) = &self.bundle {
            let text =
                std::fs::read_to_string(b).with_context(|| format!("reading {}", b.display()))?;
            target.bundle = Some(
                serde_json::from_str(&text)
                    .with_context(|| format!("{} is not a credentials bundle", b.display()))?,
            );
        }
        target.flavor = self.flavor.map(|f| match f {
            FlavorArg::Generic => Flavor::Generic,
            FlavorArg::Obuk => Flavor::Obuk,
            FlavorArg::Stet => Flavor::Stet,
        });
        Ok(target)
    }
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
pub enum OutFormat {
    /// A summary line, the deciding check and the answer's body.
    Text,
    /// One line: what was sent, the answer and whether a correct bank answers so.
    Summary,
    /// The whole outcome as one JSON document.
    Json,
}

#[derive(Args)]
pub struct ClientArgs {
    /// The profile the client registered with (its id, e.g. `obuk-v3.2`).
    #[arg(long, value_name = "ID")]
    profile: String,
    /// The client, as `tpp register` printed it (its credentials are in the TPP's state).
    #[arg(long, value_name = "ID")]
    client_id: String,
    /// How to print the outcome.
    #[arg(long, value_enum, default_value_t = OutFormat::Text)]
    format: OutFormat,
    #[command(flatten)]
    target: TargetArgs,
}

#[derive(Subcommand)]
pub enum TppCommand {
    /// Register as a correct TPP would (credentials, format, mTLS, signing), or with a deviation.
    Register {
        /// The profile to register with (its id, e.g. `obuk-v3.2`; `mockbank profiles check`).
        #[arg(long, value_name = "ID")]
        profile: String,
        /// A named deviation (`mockbank tpp deviations`); default `none`.
        #[arg(long, default_value = "none")]
        deviation: String,
        /// How to print the outcome.
        #[arg(long, value_enum, default_value_t = OutFormat::Text)]
        format: OutFormat,
        #[command(flatten)]
        target: TargetArgs,
    },
    /// Client credentials at the token endpoint, as the client registered.
    Token(ClientArgs),
    /// Read the client's registration (RFC 7592 GET).
    Read(ClientArgs),
    /// Update the client's registration (RFC 7592 PUT); a rotated token is kept.
    Update(ClientArgs),
    /// Delete the client's registration (RFC 7592 DELETE).
    Delete(ClientArgs),
    /// The named deviations and the profiles each applies to.
    Deviations {
        #[arg(long, value_enum, default_value_t = OutFormat::Text)]
        format: OutFormat,
        #[command(flatten)]
        target: TargetArgs,
    },
    /// Print a signed registration request (OBUK) ready for curl.
    Sign {
        /// The profile whose request to sign (its id, e.g. `obuk-v3.2`).
        #[arg(long, value_name = "ID")]
        profile: String,
        /// A JSON object of claims to set over the correct ones (`null` removes one).
        #[arg(long, value_name = "FILE")]
        claims: Option<PathBuf>,
        #[command(flatten)]
        target: TargetArgs,
    },
}

#[derive(Args)]
pub struct CompareArgs {
    /// Profiles to compare, comma-separated (default: every served profile).
    #[arg(long, value_delimiter = ',')]
    profiles: Vec<String>,
    /// A case (a deviation, `none` included); repeat for several (default: every case).
    #[arg(long = "case")]
    cases: Vec<String>,
    /// How to print the matrix.
    #[arg(long, default_value = "table", value_parser = ["table", "markdown", "csv", "json"])]
    format: String,
    #[command(flatten)]
    target: TargetArgs,
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

/// The one-line summary of an outcome: `obuk-v3.2 tampered_ssa → 400 invalid_software_statement,
/// decided by ssa.signature`.
fn summary_line(out: &mockbank_tpp::Outcome) -> String {
    let mut line = format!("{} {} → {}", out.profile, out.deviation, out.status);
    if let Some(e) = out.response.get("error").and_then(Value::as_str) {
        line.push_str(&format!(" {e}"));
    }
    if let Some(c) = &out.deciding_check {
        line.push_str(&format!(", decided by {c}"));
    }
    line
}

/// What a wrong answer means, for stderr (`tpp` exits 1 then).
fn unexpected(out: &mockbank_tpp::Outcome) -> String {
    if out.deviation == Deviation::None.name() {
        format!(
            "a correct request got {}, not a 2xx: the bank refused what it should accept",
            out.status
        )
    } else {
        format!(
            "the deviation `{}` got {}, not a refusal (4xx): a correct bank refuses it",
            out.deviation, out.status
        )
    }
}

fn print_outcome(out: &mockbank_tpp::Outcome, format: OutFormat) -> anyhow::Result<()> {
    match format {
        OutFormat::Json => out!("{}", serde_json::to_string(out)?),
        OutFormat::Summary => {
            let verdict = if out.as_a_correct_bank_answers() {
                "as a correct bank answers"
            } else {
                "NOT as a correct bank answers"
            };
            out!("{}: {verdict}", summary_line(out));
        }
        OutFormat::Text => {
            out!(
                "{}{}{}",
                summary_line(out),
                out.client_id
                    .as_deref()
                    .map(|c| format!("  client_id={c}"))
                    .unwrap_or_default(),
                out.trace_id
                    .as_deref()
                    .map(|t| format!("  trace={t}"))
                    .unwrap_or_default()
            );
            if !out.response.is_null() {
                out!("{}", serde_json::to_string_pretty(&out.response)?);
            }
        }
    }
    Ok(())
}

/// Prints an outcome and says how `tpp` exits (`interfaces.md`, "Acting as the TPP"): 0 when
/// the bank answered as a correct bank does, 1 when it did not (and why, on stderr).
async fn finish(
    out: mockbank_tpp::Outcome,
    target: &Target,
    format: OutFormat,
) -> anyhow::Result<ExitCode> {
    let out = out.with_deciding_check(target).await;
    print_outcome(&out, format)?;
    if out.as_a_correct_bank_answers() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("mockbank tpp: {}", unexpected(&out));
        Ok(ExitCode::from(1))
    }
}

/// The profiles and their flavors: the running server's, else the built-in ones.
async fn flavors(target: Option<&Target>) -> Vec<(String, Flavor, ProtectionSummary)> {
    if let Some(t) = target {
        if let Ok(list) = t.profiles().await {
            return list
                .into_iter()
                .map(|p| (p.id, p.tpp_flavor, p.protection))
                .collect();
        }
    }
    mockbank_core::ProfileSet::builtin()
        .map(|set| {
            set.iter()
                .map(|p| (p.id.clone(), p.tpp_flavor(), p.protection_summary()))
                .collect()
        })
        .unwrap_or_default()
}

/// `mockbank tpp …`: exit 0 when the bank answered as a correct bank does, 1 when it did
/// not, 2 when nothing could be sent (an error before or while sending).
pub fn run(command: TppCommand) -> ExitCode {
    match run_command(command) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("mockbank tpp: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run_command(command: TppCommand) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async move {
        match command {
            TppCommand::Register { profile, deviation, format, target } => {
                let d = Deviation::parse(&deviation).with_context(|| {
                    format!("no deviation `{deviation}` (see `mockbank tpp deviations`)")
                })?;
                let target = target.target()?;
                let s = Session::open(&target, &profile).await?;
                let out = s.register(d).await?;
                finish(out, &target, format).await
            }
            TppCommand::Token(a) => client_step(a, Step::Token).await,
            TppCommand::Read(a) => client_step(a, Step::Read).await,
            TppCommand::Update(a) => client_step(a, Step::Update).await,
            TppCommand::Delete(a) => client_step(a, Step::Delete).await,
            TppCommand::Deviations { format, target } => {
                let t = target.target().ok();
                let list = compare::cases(&flavors(t.as_ref()).await);
                match format {
                    OutFormat::Json => out!("{}", serde_json::to_string(&list)?),
                    OutFormat::Summary => {
                        for d in &list {
                            out!("{}", d.name);
                        }
                    }
                    OutFormat::Text => {
                        // The name column is as wide as the longest name.
                        let width = list.iter().map(|d| d.name.chars().count()).max().unwrap_or(0);
                        for d in &list {
                            out!(
                                "{:<width$} {}\n{:<width$} applies to: {}",
                                d.name,
                                d.description,
                                "",
                                d.applies_to.join(", ")
                            );
                        }
                    }
                }
                Ok(ExitCode::SUCCESS)
            }
            TppCommand::Sign { profile, claims, target } => {
                let overrides: Map<String, Value> = match claims {
                    Some(f) => {
                        let text = std::fs::read_to_string(&f)
                            .with_context(|| format!("reading {}", f.display()))?;
                        match serde_json::from_str(&text)
                            .with_context(|| format!("{} is not JSON", f.display()))?
                        {
                            Value::Object(m) => m,
                            _ => bail!("{} must hold a JSON object of claims", f.display()),
                        }
                    }
                    None => Map::new(),
                };
                let target = target.target()?;
                let s = Session::open(&target, &profile).await?;
                let (jws, bundle) = s.signed_request(&overrides).await?;
                let dir = write_pems(&target, &profile, &bundle)?;
                // Piped (into curl), the JWS goes out exactly, without a newline after it.
                use std::io::IsTerminal;
                crate::write_stdout(format_args!("{jws}"), std::io::stdout().is_terminal());
                eprintln!(
                    "# POST it over mTLS with the software's transport certificate, e.g.:\n# mockbank tpp sign --profile {profile} | curl --cacert {} --cert {} --key {} -H 'Content-Type: application/jose' --data-binary @- {}",
                    dir.join("ca.pem").display(),
                    dir.join("transport.pem").display(),
                    dir.join("transport.key").display(),
                    s.discovery["registration_endpoint"].as_str().unwrap_or("")
                );
                Ok(ExitCode::SUCCESS)
            }
        }
    })
}

/// Writes the bundle's PEMs where curl can read them: `STATE/bundles/PROFILE/` (0700, files
/// 0600, never through a symlink; the profile must be a plain file name).
fn write_pems(target: &Target, profile: &str, bundle: &Bundle) -> anyhow::Result<PathBuf> {
    let dir = state::dir(&target.state_dir, &["bundles", profile])?;
    for (file, pem) in [
        ("transport.pem", &bundle.transport_cert_pem),
        ("transport.key", &bundle.transport_key_pem),
        ("signing.key", &bundle.signing_key_pem),
    ] {
        if !pem.is_empty() {
            state::write_private(&dir, file, pem.as_bytes())?;
        }
    }
    state::write_private(&dir, "ca.pem", target.ca_pem.as_bytes())?;
    Ok(dir)
}

enum Step {
    Token,
    Read,
    Update,
    Delete,
}

async fn client_step(a: ClientArgs, step: Step) -> anyhow::Result<ExitCode> {
    let target = a.target.target()?;
    let s = Session::open(&target, &a.profile).await?;
    let out = match step {
        Step::Token => s.token(&a.client_id).await?,
        Step::Read => s.read(&a.client_id).await?,
        Step::Update => s.update(&a.client_id).await?,
        Step::Delete => s.delete(&a.client_id).await?,
    };
    finish(out, &target, a.format).await
}

#[derive(Args)]
pub struct LeftoversArgs {
    /// Remove them: the clients (their tokens revoked) and the organisations minted for one
    /// case, with their software and certificates.
    #[arg(long)]
    clear: bool,
    /// A line of counts, or the admin API's JSON.
    #[arg(long, value_enum, default_value_t = OutFormat::Text)]
    format: OutFormat,
    #[command(flatten)]
    target: TargetArgs,
}

/// `mockbank leftovers [--clear]`: `GET` or `DELETE /admin/leftovers` of a running mockbank.
pub fn leftovers(args: LeftoversArgs) -> anyhow::Result<()> {
    runtime()?.block_on(async move {
        let target = args.target.target()?;
        let method = if args.clear { "DELETE" } else { "GET" };
        let r = target.admin(method, "/admin/leftovers", None).await?;
        anyhow::ensure!(
            r.status == 200,
            "{method} /admin/leftovers answered {}: {}",
            r.status,
            r.json()
        );
        if args.format == OutFormat::Json {
            out!("{}", r.json());
        } else if args.clear {
            let cleared: LeftoversCleared = r.parse()?;
            out!(
                "cleared {} clients and {} software that comparisons and walkthroughs made",
                cleared.clients_deleted,
                cleared.software_deleted
            );
        } else {
            let left: Leftovers = r.parse()?;
            out!(
                "{} clients and {} software made by comparisons and walkthroughs{}",
                left.clients,
                left.software,
                if left.clients == 0 && left.software == 0 {
                    ""
                } else {
                    " (`mockbank leftovers --clear` removes them)"
                }
            );
        }
        Ok(())
    })
}

pub fn compare(args: CompareArgs) -> anyhow::Result<()> {
    let format = CompareFormat::parse(&args.format).with_context(|| {
        format!(
            "--format is json, table, markdown or csv (not `{}`)",
            args.format
        )
    })?;
    runtime()?.block_on(async move {
        let target = args.target.target()?;
        let profiles = if args.profiles.is_empty() {
            flavors(Some(&target))
                .await
                .into_iter()
                .map(|(id, _, _)| id)
                .collect()
        } else {
            args.profiles
        };
        let cases: Vec<Deviation> = if args.cases.is_empty() {
            Deviation::ALL.to_vec()
        } else {
            args.cases
                .iter()
                .map(|n| {
                    Deviation::parse(n)
                        .with_context(|| format!("no case `{n}` (see `mockbank tpp deviations`)"))
                })
                .collect::<anyhow::Result<_>>()?
        };
        let matrix = compare::compare(&target, &profiles, &cases).await;
        match format {
            CompareFormat::Json => out!("{}", serde_json::to_string(&matrix)?),
            f => out!("{}", compare::render(&matrix, f).trim_end()),
        }
        Ok(())
    })
}
