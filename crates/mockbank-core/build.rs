//! Builds the lists of shipped profiles and walkthroughs from the `profiles/` and `scenarios/`
//! folders, so that shipping a new one is adding its file there — nothing else. In the
//! repository they are at its top; a published crate carries copies beside its manifest
//! (`scripts/package.sh --only crates` puts them there).

use std::path::Path;

/// Writes `OUT_DIR/<out>`: a `&[(file name, contents)]` of the folder's `*.toml` files.
fn embed(folder: &str, out: &str) {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    // In the repository when the folder two levels up holds this very crate. Paths stay
    // relative to the manifest (also in the generated code): a build cache shared by two
    // checkouts must not embed one checkout's files into the other's build.
    let rel = if manifest
        .join("../../crates/mockbank-core/build.rs")
        .is_file()
    {
        format!("../../{folder}")
    } else {
        folder.to_owned()
    };
    let dir = manifest.join(&rel);
    println!("cargo:rerun-if-changed={rel}");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    names.sort();
    let mut text = String::from("&[\n");
    for name in &names {
        println!("cargo:rerun-if-changed={rel}/{name}");
        text.push_str(&format!(
            "    ({name:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/{rel}/{name}\"))),\n"
        ));
    }
    text.push(']');
    let target = Path::new(&std::env::var("OUT_DIR").unwrap()).join(out);
    std::fs::write(target, text).unwrap();
}

fn main() {
    embed("profiles", "builtin_profiles.rs");
    embed("scenarios", "builtin_scenarios.rs");
}
