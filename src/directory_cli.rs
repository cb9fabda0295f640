//! `mockbank directory ...`: mint credentials through the running server's directory and
//! write them as files a TPP's tools can load directly.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::{Subcommand, ValueEnum};
use mockbank_pki::directory::Variant;
use serde_json::{json, Value};

// Parsed once per process; boxing the large variant would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
pub enum DirectoryCommand {
    /// Mint an organisation and software (certificates, keys, JWKS, signed SSA) into a folder.
    Issue(IssueArgs),
    /// List the deliberately broken variants and what a strict bank should answer.
    Variants,
}

#[derive(clap::Args)]
pub struct IssueArgs {
    /// Name of the software (SSA `software_client_name`).
    #[arg(long)]
    software_name: String,
    /// Name of a new organisation.
    #[arg(long)]
    org_name: Option<String>,
    /// Mint into an existing organisation instead.
    #[arg(long)]
    org_id: Option<String>,
    /// A role (`AISP`, `PISP`, `CBPII`); repeat for several. Default: AISP and PISP.
    #[arg(long = "role")]
    roles: Vec<String>,
    /// A redirect URI; repeat for several. Default: https://tpp.example.com/callback.
    #[arg(long = "redirect-uri")]
    redirect_uris: Vec<String>,
    /// The profile the credentials are for: its `[directory]` section says what is minted
    /// (eIDAS QWAC and QSealC for `stet`, OBUK transport and signing certificates by default).
    #[arg(long, default_value = "obuk-v3.2")]
    profile: String,
    /// Signing key type.
    #[arg(long, value_enum, default_value_t = KeyTypeArg::Rsa)]
    key_type: KeyTypeArg,
    /// Mint a deliberately broken variant (see `mockbank directory variants`).
    #[arg(long)]
    variant: Option<String>,
    /// Folder to write the files into (created if needed).
    #[arg(long)]
    out: PathBuf,
    /// `files` (PEMs, ssa.jwt, jwks.json, bundle.json) or also a ready config for the public
    /// OBIE DCR conformance tool (`conformance-dcr.json`).
    #[arg(long, value_enum, default_value_t = OutFormat::Files)]
    format: OutFormat,
    /// The server's data dir (where it wrote server.json, ca.pem and admin-token).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// The server's base URL, if not the one in the data dir's server.json (`--url` is
    /// the older spelling).
    #[arg(long = "base-url", visible_alias = "url", value_name = "URL")]
    url: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum KeyTypeArg {
    Rsa,
    Ec,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum OutFormat {
    Files,
    ConformanceDcr,
}

pub fn run(command: DirectoryCommand) -> anyhow::Result<()> {
    match command {
        DirectoryCommand::Variants => {
            for v in Variant::ALL {
                out!(
                    "{:<26} {}\n{:<26} strict bank: {}",
                    v.id(),
                    v.defect(),
                    "",
                    v.expected()
                );
            }
            Ok(())
        }
        DirectoryCommand::Issue(args) => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(issue(args))
        }
    }
}

async fn issue(args: IssueArgs) -> anyhow::Result<()> {
    if let Some(v) = &args.variant {
        if Variant::parse(v).is_none() {
            bail!("unknown variant `{v}` (see `mockbank directory variants`)");
        }
    }
    let data_dir = match &args.data_dir {
        Some(d) => d.clone(),
        None => crate::default_data_dir()?,
    };
    let read = |name: &str| {
        std::fs::read_to_string(data_dir.join(name)).with_context(|| {
            format!(
                "cannot read {} (is this the data dir of a running `mockbank serve`?)",
                data_dir.join(name).display()
            )
        })
    };
    let base_url = match &args.url {
        Some(u) => u.clone(),
        None => {
            let server: Value = serde_json::from_str(&read(mockbank_server::SERVER_FILE)?)?;
            server["base_url"]
                .as_str()
                .context("server.json has no base_url")?
                .to_owned()
        }
    };
    let client = mockbank_tpp::Target::new(
        &base_url,
        &read("ca.pem")?,
        Some(read(mockbank_server::ADMIN_TOKEN_FILE)?.trim().to_owned()),
        data_dir.join("tpp"),
    )?;
    let mut request = json!({"software_name": args.software_name, "profile": args.profile,
                             "key_type": match args.key_type { KeyTypeArg::Rsa => "RSA", KeyTypeArg::Ec => "EC" }});
    if let Some(n) = &args.org_name {
        request["org_name"] = n.clone().into();
    }
    if let Some(id) = &args.org_id {
        request["org_id"] = id.clone().into();
    }
    if !args.roles.is_empty() {
        request["roles"] = json!(args.roles);
    }
    if !args.redirect_uris.is_empty() {
        request["redirect_uris"] = json!(args.redirect_uris);
    }
    if let Some(v) = &args.variant {
        request["variant"] = v.clone().into();
    }
    if args.format == OutFormat::ConformanceDcr {
        // The OBIE tool signs with RSA keys only, and always asks for the `accounts` scope.
        if matches!(args.key_type, KeyTypeArg::Ec) {
            bail!("--format conformance-dcr needs an RSA signing key: the OBIE conformance tool loads RSA keys only (drop --key-type ec)");
        }
        if !args.roles.is_empty() && !args.roles.iter().any(|r| r == "AISP") {
            eprintln!("warning: the conformance tool registers with scope `accounts openid`, which needs the AISP role");
        }
    }
    let answer = client
        .admin("POST", "/directory/software", Some(&request))
        .await?;
    let (status, bundle) = (answer.status, answer.json());
    if status != 201 {
        bail!("the directory refused: {status} {bundle}");
    }
    let jwks_url = bundle["software_jwks_endpoint"]
        .as_str()
        .unwrap_or_default();
    let jwks = client
        .https
        .send(mockbank_tpp::http::Request::new("GET", jwks_url))
        .await?
        .json();
    write_bundle(&args.out, &bundle, &jwks)?;
    if args.format == OutFormat::ConformanceDcr {
        let issuer = format!("{}/{}", base_url.trim_end_matches('/'), args.profile);
        let config = json!({
            "spec_version": "3.2",
            "wellknown_endpoint": format!("{issuer}/.well-known/openid-configuration"),
            "ssa": bundle["software_statement"],
            "kid": bundle["signing_kid"],
            "aud": issuer,
            "redirect_uris": bundle["redirect_uris"],
            "issuer": bundle["software_id"],
            "private_key": bundle["signing_key_pem"],
            "transport_root_cas": [bundle["ca_cert_pem"]],
            "transport_cert": bundle["transport_cert_pem"],
            "transport_key": bundle["transport_key_pem"],
            "transport_cert_subject_dn": bundle["transport_subject_dn"],
            "get_implemented": true,
            "put_implemented": true,
            "delete_implemented": true,
            "environment": "mockbank",
            "brand": "mockbank",
        });
        write_private(
            &args.out.join("conformance-dcr.json"),
            &serde_json::to_string_pretty(&config)?,
        )?;
        // The tool reuses this SSA for its whole run: say how long the profile takes it.
        let validity = &mockbank_core::checks::SSA_VALIDITY;
        let max_age = client
            .profiles()
            .await?
            .into_iter()
            .find(|p| p.id == args.profile)
            .and_then(|p| {
                p.checks
                    .into_iter()
                    .find(|c| c.id == validity.id && c.enabled)
            })
            .and_then(|c| c.params.get("max_age_secs").and_then(Value::as_i64))
            .filter(|secs| *secs > 0);
        if let Some(secs) = max_age {
            eprintln!(
                "note: {} accepts this SSA for {} minutes (check {}, max_age_secs = {secs}): run the conformance tool within that time, or run this command again",
                args.profile,
                secs / 60,
                validity.id
            );
        }
    }
    out!(
        "{}",
        json!({"org_id": bundle["org_id"], "software_id": bundle["software_id"], "out": args.out.canonicalize().unwrap_or(args.out.clone())})
    );
    Ok(())
}

fn write_bundle(out: &Path, bundle: &Value, jwks: &Value) -> anyhow::Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let text = |k: &str| bundle[k].as_str().unwrap_or_default().to_owned();
    std::fs::write(out.join("transport.pem"), text("transport_cert_pem"))?;
    write_private(&out.join("transport.key"), &text("transport_key_pem"))?;
    write_private(&out.join("signing.key"), &text("signing_key_pem"))?;
    std::fs::write(out.join("signing.pem"), text("signing_cert_pem"))?;
    std::fs::write(out.join("ca.pem"), text("ca_cert_pem"))?;
    std::fs::write(out.join("ssa.jwt"), text("software_statement"))?;
    std::fs::write(out.join("jwks.json"), serde_json::to_string_pretty(jwks)?)?;
    write_private(
        &out.join("bundle.json"),
        &serde_json::to_string_pretty(bundle)?,
    )?;
    Ok(())
}

fn write_private(path: &Path, contents: &str) -> anyhow::Result<()> {
    mockbank_pki::write_private(path, contents.as_bytes())
        .with_context(|| format!("writing {}", path.display()))
}
