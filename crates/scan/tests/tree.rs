//! Trees on disk ([`Pipeline::scan_tree`]) get the per-file scan of layers: the same
//! files, in a layer or in a directory, give the same findings (rule, path, offset,
//! encoding, secret). And the walk: symlinks not followed, FIFOs never opened, what cannot
//! be read named.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use layerleak_engine::Scanner;
use layerleak_image::PlatformSelector;
use layerleak_report::{Location, Origin, Severity};
use layerleak_rules::Rules;
use layerleak_scan::{Pipeline, ScanOptions, ScanOutcome};
use layerleak_testutil::{LayerBlob, Layout, config};
use serde_json::json;

/// Checksum-valid GitHub tokens (made up).
const TOKEN: &str = "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";
const OTHER: &str = "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";

fn pipeline() -> Pipeline {
    Pipeline::new(Scanner::new(&Rules::embedded().unwrap()).unwrap(), ScanOptions::new())
}

fn jar(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in members {
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(data).unwrap();
    gz.finish().unwrap()
}

fn utf16le(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    out
}

/// Files exercising every step of the per-file scan: a provider token also seen by the
/// generic assignment rule, a secret-bearing file name, a jar in a jar, a gzip, UTF-16.
fn files() -> Vec<(&'static str, Vec<u8>)> {
    let props = format!("github.token={TOKEN}\n");
    let inner = jar(&[("BOOT-INF/classes/application.properties", props.as_bytes())]);
    vec![
        ("app/config/.env", format!("DEBUG=1\nGITHUB_TOKEN={TOKEN}\n").into_bytes()),
        (
            "root/.npmrc",
            b"//registry.npmjs.org/:_authToken=npm_wWPw5k4aXcaT4fNP0UcnZwJUVFk6L0cmbNy\n".to_vec(),
        ),
        ("app/lib/app.jar", jar(&[("BOOT-INF/lib/inner.jar", &inner)])),
        ("var/log/app.log.gz", gzip(format!("login ok token={OTHER}\n").as_bytes())),
        ("srv/settings.txt", utf16le(&format!("GITHUB_TOKEN={OTHER}\r\n"))),
    ]
}

/// A location as compared: rule, path, offset, encoding, secret.
type Located = (String, String, u64, Option<String>, Vec<u8>);

/// Every location of `outcome`, sorted; paths with `prefix` removed.
fn located(outcome: &ScanOutcome, prefix: &str) -> Vec<Located> {
    let mut v: Vec<_> = outcome
        .findings
        .iter()
        .flat_map(|f| {
            f.locations.iter().filter_map(move |l| {
                let (path, offset, encoding) = match l {
                    Location::Layer(l) => (&l.path, l.offset, &l.text_encoding),
                    Location::File(l) => (&l.path, l.offset, &l.text_encoding),
                    Location::Config(_) => return None,
                };
                let path = path.strip_prefix(prefix).unwrap_or(path).to_owned();
                Some((
                    f.rule_id.clone(),
                    path,
                    offset,
                    encoding.clone(),
                    f.secret.expose().to_vec(),
                ))
            })
        })
        .collect();
    v.sort();
    v
}

fn scan_image(files: &[(&str, Vec<u8>)]) -> ScanOutcome {
    let mut b = tar::Builder::new(Vec::new());
    for (path, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        b.append_data(&mut h, path, data.as_slice()).unwrap();
    }
    let blobs = vec![LayerBlob::gzip(&b.into_inner().unwrap())];
    let cfg = config("linux/amd64", &[], json!({}), json!([{ "created_by": "COPY" }]), &blobs);
    let mut layout = Layout::default();
    let manifest = layout.image(&cfg, &blobs);
    layout.finish(vec![manifest]);
    let dir = tempfile::tempdir().unwrap();
    layout.write_dir(dir.path());
    pipeline().scan_path(dir.path(), &PlatformSelector::Default).unwrap()
}

fn write_tree(root: &Path, files: &[(&str, Vec<u8>)]) {
    for (path, data) in files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, data).unwrap();
    }
}

#[test]
fn a_tree_gives_the_findings_its_files_give_in_a_layer() {
    let files = files();
    let image = scan_image(&files);
    let dir = tempfile::tempdir().unwrap();
    write_tree(dir.path(), &files);
    let tree = pipeline().scan_tree(&[dir.path().to_owned()]);
    assert!(tree.is_complete(), "{:?}", tree.issues);
    let in_image = located(&image, "");
    let in_tree = located(&tree, &format!("{}/", dir.path().display()));
    assert_eq!(in_tree, in_image);
    // Every step of the per-file scan is in there.
    let paths: Vec<&str> = in_tree.iter().map(|l| l.1.as_str()).collect();
    for expected in [
        "app/config/.env",
        "root/.npmrc",
        "app/lib/app.jar!/BOOT-INF/lib/inner.jar!/BOOT-INF/classes/application.properties",
        "srv/settings.txt",
    ] {
        assert!(paths.contains(&expected), "{expected} not in {paths:?}");
    }
    assert!(paths.iter().any(|p| p.starts_with("var/log/app.log.gz!/")), "{paths:?}");
    // One finding per value, named by the provider rule (not the generic assignment).
    let token = tree.findings.iter().find(|f| f.secret.expose() == TOKEN.as_bytes()).unwrap();
    assert_eq!(token.rule_id, "layerleak.github.1");
    assert_eq!(token.locations.len(), 2);
    assert!(token.locations.iter().all(|l| *l.origin() == Origin::Image));
    assert_eq!(tree.images.len(), 1);
    assert_eq!(tree.images[0].name, dir.path().display().to_string());
    assert_eq!(tree.files_scanned, Some(files.len()));
}

/// A symlink is not followed (the secret it points to outside the tree is not scanned),
/// a FIFO is not opened (the scan ends), and a path that does not exist is an issue naming
/// it.
#[test]
fn the_walk_follows_no_link_opens_no_fifo_and_names_what_it_cannot_read() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.env"), format!("GITHUB_TOKEN={TOKEN}\n")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.env"), dir.path().join("link.env"))
        .unwrap();
    std::os::unix::fs::symlink(outside.path(), dir.path().join("linked-dir")).unwrap();
    let fifo = dir.path().join("pipe");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let missing: PathBuf = dir.path().join("missing");
    let outcome = pipeline().scan_tree(&[dir.path().to_owned(), missing.clone()]);
    assert!(outcome.findings.is_empty(), "{:?}", outcome.findings);
    assert_eq!(outcome.files_scanned, Some(0));
    let incomplete: Vec<_> =
        outcome.issues.iter().filter(|i| i.severity == Severity::Incomplete).collect();
    assert_eq!(incomplete.len(), 1, "{:?}", outcome.issues);
    assert_eq!(incomplete[0].path.as_deref(), Some(missing.to_str().unwrap()));
    assert_eq!(incomplete[0].image, missing.display().to_string());
    assert_eq!(outcome.exit_code(), 2);
}
