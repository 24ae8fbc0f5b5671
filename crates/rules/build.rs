//! Embeds every `patterns/*.toml` file of the repository into the crate, so the binary carries
//! its default rules and `cargo` rebuilds when a rule file changes.

use std::{env, fs, path::PathBuf};

fn main() {
    let manifest =
        PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let patterns = manifest.join("../../patterns");
    println!("cargo::rerun-if-changed={}", patterns.display());
    let mut files: Vec<PathBuf> = fs::read_dir(&patterns)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "toml"));
    files.sort();
    let mut out =
        String::from("/// Embedded default rule files: `(file name, contents)`, sorted by name.\n");
    out.push_str("pub(crate) static EMBEDDED: &[(&str, &str)] = &[\n");
    for f in &files {
        println!("cargo::rerun-if-changed={}", f.display());
        let name = f.file_name().expect("read_dir entries have names").to_string_lossy();
        let abs = fs::canonicalize(f).expect("rule file path should canonicalize");
        out.push_str(&format!("    ({name:?}, include_str!({:?})),\n", abs.display().to_string()));
    }
    out.push_str("];\n");
    let dest =
        PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded.rs");
    fs::write(dest, out).expect("OUT_DIR should be writable");
}
