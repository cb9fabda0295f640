//! Builds the list of shipped profiles from the `profiles/` folder, so that shipping a new
//! profile is adding its file there — nothing else.

use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../profiles");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    names.sort();
    let mut out = String::from("&[\n");
    for name in &names {
        println!("cargo:rerun-if-changed={}", dir.join(name).display());
        out.push_str(&format!(
            "    ({name:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/../../profiles/{name}\"))),\n"
        ));
    }
    out.push(']');
    let target = Path::new(&std::env::var("OUT_DIR").unwrap()).join("builtin_profiles.rs");
    std::fs::write(target, out).unwrap();
}
