//! The UI's TypeScript types for what this crate serialises (traces, directory settings),
//! generated from the Rust types with ts-rs so the two cannot drift: the test fails when
//! `ui/src/generated/core.ts` is not what these types generate, and
//! `MOCKBANK_UPDATE_TS=1 cargo test -p mockbank-core ts_types` rewrites it.

use ts_rs::{Config, TS};

use crate::profile::{CertificateStyle, DirectorySettings};
use crate::trace::{
    CertSummary, CheckResult, CheckSummary, DecodedJwt, HttpRecord, OutcomeKind, Psd2Summary,
    Severity, Trace,
};

const HEADER: &str = "\
// Generated from the Rust types of mockbank-core (crates/mockbank-core/src/ts_types.rs, ts-rs).
// Do not edit: change the Rust type, then run
//   MOCKBANK_UPDATE_TS=1 cargo test -p mockbank-core ts_types
// `cargo test` fails while this file is stale.
";

/// The generated file: every declaration, exported, in dependency order.
fn generated() -> String {
    // JSON numbers: u64/i64 fields (sequence numbers, microseconds) are plain numbers.
    let cfg = Config::new().with_large_int("number");
    let decls = [
        <serde_json::Value as TS>::decl(&cfg),
        OutcomeKind::decl(&cfg),
        Severity::decl(&cfg),
        CheckResult::decl(&cfg),
        CheckSummary::decl(&cfg),
        DecodedJwt::decl(&cfg),
        Psd2Summary::decl(&cfg),
        CertSummary::decl(&cfg),
        HttpRecord::decl(&cfg),
        Trace::decl(&cfg),
        CertificateStyle::decl(&cfg),
        DirectorySettings::decl(&cfg),
    ];
    let mut out = HEADER.to_owned();
    for d in decls {
        out.push('\n');
        out.push_str("export ");
        out.push_str(d.trim());
        out.push('\n');
    }
    out
}

#[test]
fn ts_types_match_the_rust_types() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/generated/core.ts");
    let now = generated();
    if std::env::var_os("MOCKBANK_UPDATE_TS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &now).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == now,
        "{} is stale: run `MOCKBANK_UPDATE_TS=1 cargo test -p mockbank-core ts_types` and commit it",
        path.display()
    );
}
