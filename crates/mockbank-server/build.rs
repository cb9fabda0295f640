//! Embeds the built browser UI (`ui/dist`, made by `npm run build` in `ui/`) into the
//! server: writes `$OUT_DIR/ui_assets.rs`, a table of `(path, bytes)` with one
//! `include_bytes!` per file. When `ui/dist` has not been built the table is empty and `/ui/`
//! serves the first-run page instead, so a Rust-only build still works.
//!
//! Rebuilds: cargo reruns this script when anything under `ui/dist` changes; while there is
//! no `ui/dist`, it watches `ui/` so that a later `npm run build` is picked up too.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

fn main() {
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    // The repository's `ui/`; a published crate carries a copy of what it needs (the built
    // UI and the first-run page) in `ui/` beside its manifest (`scripts/package.sh --only
    // crates` puts it there).
    let ui_rel = if manifest_dir
        .join("../../crates/mockbank-server/build.rs")
        .is_file()
    {
        "../../ui"
    } else {
        "ui"
    };
    let ui = manifest_dir.join(ui_rel);
    // Relative to the manifest: a build cache shared by two checkouts must not embed one
    // checkout's page into the other's build.
    println!("cargo:rerun-if-changed={ui_rel}/first-run.html");
    println!("cargo:rustc-env=MOCKBANK_FIRST_RUN_HTML=/{ui_rel}/first-run.html");
    let dist = ui.join("dist");
    println!("cargo:rerun-if-changed=build.rs");

    let mut files = Vec::new();
    if dist.join("index.html").is_file() {
        println!("cargo:rerun-if-changed={ui_rel}/dist");
        collect(&dist, &dist, &mut files);
    } else if ui.is_dir() {
        println!("cargo:rerun-if-changed={ui_rel}");
    }
    files.sort();

    let mut table = String::from(
        "/// The files of `ui/dist`, by path relative to it (`/` separated).\n\
         pub static FILES: &[(&str, &[u8])] = &[\n",
    );
    for (rel, _) in &files {
        // `{:?}` writes a valid, escaped Rust string literal; the path is the manifest's
        // (see above: no checkout's absolute path in the build cache).
        let path = format!("/{ui_rel}/dist/{rel}");
        writeln!(
            table,
            "    ({rel:?}, include_bytes!(concat!(env!(\"CARGO_MANIFEST_DIR\"), {path:?}))),"
        )
        .expect("writing to a String");
    }
    table.push_str("];\n");
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo")).join("ui_assets.rs");
    fs::write(&out, table).unwrap_or_else(|e| panic!("writing {}: {e}", out.display()));
}

/// Every regular file under `dir`, as (path relative to `root`, absolute path).
fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()));
    for entry in entries {
        let path = entry
            .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
            .path();
        if path.is_dir() {
            collect(root, &path, out);
        } else if path.is_file() {
            let rel = path
                .strip_prefix(root)
                .expect("under root")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            let abs = path
                .canonicalize()
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            out.push((rel, abs.to_string_lossy().into_owned()));
        }
    }
}
