//! `layerleak scan-fs`: exit codes, redaction and origins, in the text report.

use std::fs;

use crate::common::{run, stderr, stdout};

const TOKEN: &str = "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";

fn tree_with_secret() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::create_dir_all(dir.path().join("app/config")).expect("mkdir");
    fs::write(dir.path().join("app/config/.env"), format!("DEBUG=1\nGITHUB_TOKEN={TOKEN}\n"))
        .expect("write");
    fs::write(dir.path().join("app/README"), "nothing to see\n").expect("write");
    dir
}

#[test]
fn finding_exits_1_and_is_redacted() {
    let dir = tree_with_secret();
    let o = run(&["scan-fs", dir.path().to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(1));
    let (out, err) = (stdout(&o), stderr(&o));
    assert!(out.contains("HIGH GitHub"), "{out}");
    assert!(out.contains("[layerleak.github.1]"), "{out}");
    assert!(out.contains("- file ") && out.contains("app/config/.env at byte 21"), "{out}");
    // The generic assignment rule sees the same value: one finding, the specific rule.
    assert!(out.contains("1. ") && !out.contains("2. "), "{out}");
    assert!(out.contains("ghp_…[40 bytes]"), "{out}");
    assert!(!out.contains(TOKEN) && !err.contains(TOKEN), "the secret leaked:\n{out}\n{err}");
    assert!(
        !out.contains(&TOKEN[4..12]) && !err.contains(&TOKEN[4..12]),
        "part of the secret leaked"
    );
}

#[test]
fn show_secrets_prints_the_value() {
    let dir = tree_with_secret();
    let o = run(&["scan-fs", "--show-secrets", dir.path().to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains(TOKEN));
}

#[test]
fn clean_tree_exits_0() {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::write(dir.path().join("a.txt"), "password = os.environ['PASSWORD']\n").expect("write");
    let o = run(&["scan-fs", dir.path().to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stderr(&o).contains(": 1 file, "), "{}", stderr(&o));
}

#[test]
fn unreadable_path_exits_2_even_with_findings() {
    let dir = tree_with_secret();
    let missing = dir.path().join("does-not-exist");
    let o =
        run(&["scan-fs", dir.path().to_str().expect("utf-8"), missing.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).contains("does-not-exist"), "{}", stdout(&o));
    assert!(stdout(&o).contains("layerleak.github.1"));
}

/// An image with layerleak installed must not be reported for layerleak itself: the
/// binary embeds the rule files, whose examples are secrets, so they are stored deflated.
#[test]
fn the_binary_does_not_carry_the_rules_example_secrets() {
    let patterns = concat!(env!("CARGO_MANIFEST_DIR"), "/../../patterns");
    let o = run(&["scan-fs", patterns]);
    assert_eq!(o.status.code(), Some(1), "the plain rule files hold example secrets");

    let program = std::env::var_os("LAYERLEAK_TEST_PROGRAM")
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_layerleak").into());
    let o = run(&["scan-fs", program.to_str().expect("utf-8 path")]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

/// A root filesystem whose dpkg database lists `usr/lib/libx.so` with the MD5 of `listed`.
fn root_with_dpkg(listed: &[u8], actual: &[u8]) -> tempfile::TempDir {
    use md5::{Digest as _, Md5};
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    fs::create_dir_all(root.join("var/lib/dpkg/info")).unwrap();
    fs::create_dir_all(root.join("usr/lib")).unwrap();
    fs::write(
        root.join("var/lib/dpkg/status"),
        "Package: libx\nStatus: install ok installed\nVersion: 1.2-3\n\n",
    )
    .unwrap();
    let md5: String = Md5::digest(listed).iter().map(|b| format!("{b:02x}")).collect();
    fs::write(
        root.join("var/lib/dpkg/info/libx:amd64.md5sums"),
        format!("{md5}  usr/lib/libx.so\n"),
    )
    .unwrap();
    fs::write(root.join("usr/lib/libx.so"), actual).unwrap();
    dir
}

#[test]
fn package_files_of_a_root_filesystem_are_public_and_do_not_fail() {
    let bytes = format!("test vector: {TOKEN}\n").into_bytes();
    let dir = root_with_dpkg(&bytes, &bytes);
    // Scanning a directory below the root: the database is found at the root.
    let o = run(&["scan-fs", "-v", dir.path().join("usr").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("origin: package libx 1.2-3 (dpkg)"), "{}", stdout(&o));
    assert!(stderr(&o).contains("1 public"), "{}", stderr(&o));
    let o = run(&["scan-fs", "--fail-on-public", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    // Bytes that differ from the record (a secret added since): the owner's.
    let mut changed = bytes.clone();
    changed.push(b'\n');
    let dir = root_with_dpkg(&bytes, &changed);
    let o = run(&["scan-fs", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(!stdout(&o).contains("origin:"), "{}", stdout(&o));
}

/// A FIFO among dpkg's `info/*.md5sums` files: scan-fs reads a database only if it is a
/// regular file, so it says why and goes on instead of blocking on the open; the other
/// databases still verify their files.
#[test]
fn a_fifo_at_a_database_path_does_not_block_scan_fs() {
    let bytes = format!("test vector: {TOKEN}\n").into_bytes();
    let dir = root_with_dpkg(&bytes, &bytes);
    let fifo = dir.path().join("var/lib/dpkg/info/liby:amd64.md5sums");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let run = crate::capped::run_capped(
        &["scan-fs", dir.path().join("usr").to_str().unwrap()],
        std::time::Duration::from_secs(30),
    );
    run.assert_bounded(0, "a FIFO at var/lib/dpkg/info/liby:amd64.md5sums");
    let out = String::from_utf8_lossy(&run.output.stdout);
    assert!(out.contains("liby:amd64.md5sums: not a regular file"), "{out}");
    let err = String::from_utf8_lossy(&run.output.stderr);
    assert!(err.contains("1 public"), "{err}");
}

/// A root filesystem whose Alpine database (`lib/apk/db/installed`, `Z:Q2` = base64 of the
/// SHA-256) lists `etc/app.conf` with the digest of `listed`.
fn root_with_apk(listed: &[u8], actual: &[u8]) -> tempfile::TempDir {
    use base64::Engine as _;
    use sha2::{Digest as _, Sha256};
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    fs::create_dir_all(root.join("lib/apk/db")).unwrap();
    fs::create_dir_all(root.join("etc")).unwrap();
    let z = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(listed));
    fs::write(
        root.join("lib/apk/db/installed"),
        format!(
            "C:Q1AAAAAAAAAAAAAAAAAAAAAAAAAAA=\nP:appconf\nV:2.0-r1\nF:etc\nR:app.conf\nZ:Q2{z}\n\n"
        ),
    )
    .unwrap();
    fs::write(root.join("etc/app.conf"), actual).unwrap();
    dir
}

/// scan-fs reads Alpine's database at the root, as images do (before: dpkg only).
#[test]
fn apk_package_files_of_a_root_filesystem_are_public() {
    let bytes = format!("test vector: {TOKEN}\n").into_bytes();
    let dir = root_with_apk(&bytes, &bytes);
    let o = run(&["scan-fs", "-v", dir.path().join("etc").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("origin: package appconf 2.0-r1 (apk)"), "{}", stdout(&o));
    let mut changed = bytes.clone();
    changed.push(b'\n');
    let dir = root_with_apk(&bytes, &changed);
    let o = run(&["scan-fs", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
}

/// A value a specification publishes as its example (RFC 6749's access token) is reported
/// with the origin `example` and its source, and does not fail; any other value does.
#[test]
fn published_examples_are_reported_as_examples_and_do_not_fail() {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::write(
        dir.path().join("oauth.json"),
        "{\"access_token\": \"2YotnFZFEjr1zCsicMWpAA\", \"token_type\": \"example\"}\n",
    )
    .unwrap();
    let o = run(&["scan-fs", "-v", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("origin: published example (IETF: RFC 6749"), "{}", stdout(&o));
    let o = run(&["scan-fs", "--fail-on-public", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    fs::write(
        dir.path().join("oauth.json"),
        "{\"access_token\": \"2YotnFZFEjr1zCsicMWpAB\", \"token_type\": \"example\"}\n",
    )
    .unwrap();
    let o = run(&["scan-fs", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
}
