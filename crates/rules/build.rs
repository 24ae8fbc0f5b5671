//! Embeds every `patterns/*.toml` file of the repository into the crate, so the binary carries
//! its default rules and `cargo` rebuilds when a rule file changes; and, the same way, the
//! catalogue's data files: published example values (`data/published-examples.toml`), the
//! built-in rules (`data/builtin-rules.toml`) and the credential and filter words
//! (`data/words.toml`).
//!
//! The files are stored deflated, not as plain text: rule files hold example secrets, and a
//! binary carrying them verbatim would be reported by every secret scanner (layerleak
//! included) that looks at an image with layerleak installed. Deflating also makes the
//! binary smaller. Layout before deflating: for each file, its name, a NUL, its text, a NUL.

use std::io::Write as _;
use std::{env, fs, path::PathBuf};

use flate2::{Compression, write::DeflateEncoder};

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
    let mut encoder = DeflateEncoder::new(Vec::new(), Compression::best());
    for f in &files {
        println!("cargo::rerun-if-changed={}", f.display());
        let name = f.file_name().expect("read_dir entries have names").to_string_lossy();
        let text = fs::read_to_string(f).expect("rule files should be readable UTF-8");
        assert!(!name.contains('\0') && !text.contains('\0'), "{name}: NUL in a rule file");
        for part in [name.as_bytes(), b"\0", text.as_bytes(), b"\0"] {
            encoder.write_all(part).expect("writing to a Vec cannot fail");
        }
    }
    let deflated = encoder.finish().expect("writing to a Vec cannot fail");
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    fs::write(out_dir.join("embedded.deflate"), deflated).expect("OUT_DIR should be writable");

    for (data, out) in [
        ("published-examples.toml", "published-examples.deflate"),
        ("builtin-rules.toml", "builtin-rules.deflate"),
        ("words.toml", "words.deflate"),
    ] {
        let path = manifest.join("data").join(data);
        println!("cargo::rerun-if-changed={}", path.display());
        let text =
            fs::read(&path).unwrap_or_else(|e| panic!("data/{data} should be readable: {e}"));
        let mut encoder = DeflateEncoder::new(Vec::new(), Compression::best());
        encoder.write_all(&text).expect("writing to a Vec cannot fail");
        let deflated = encoder.finish().expect("writing to a Vec cannot fail");
        fs::write(out_dir.join(out), deflated).expect("OUT_DIR should be writable");
    }
}
