//! Origins on a realistic image built from real packages (issue 15): a Debian base made by
//! debootstrap (real dpkg `status` and `info/*.md5sums`), a real `pip install` of boto3,
//! botocore, cryptography, paramiko, django and pyjwt (with their `RECORD` files) and a real
//! `npm install` of aws-sdk and jsonwebtoken, made into an OCI image here, clean and with
//! secrets planted. `tests/origin-image/build.sh OUT` builds the parts; ignored by default,
//! `.ci/run` runs them with
//! `LAYERLEAK_ORIGIN_IMAGE_DIR=OUT cargo test -p layerleak --test it origin_image -- --ignored`.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use layerleak_testutil::{LayerBlob, Layout, config};
use serde_json::{Value, json};

use crate::common::{run, stderr};

/// Made up, checksum-valid; the one `build.sh` compiles into `fetch` too.
const GH: &str = "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";
const SITE: &str = "usr/local/lib/python3.11/site-packages";

fn parts_dir() -> PathBuf {
    let dir = std::env::var_os("LAYERLEAK_ORIGIN_IMAGE_DIR").expect(
        "LAYERLEAK_ORIGIN_IMAGE_DIR: the output directory of tests/origin-image/build.sh \
         (see .ci/run)",
    );
    PathBuf::from(dir)
}

fn read(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}: run build.sh"))
}

fn tar_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (path, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o755);
        b.append_data(&mut h, path, *data).unwrap();
    }
    b.into_inner().unwrap()
}

/// The bytes of `path` in the tar `tar`.
fn member(tar: &[u8], path: &str) -> Vec<u8> {
    let mut archive = tar::Archive::new(tar);
    for e in archive.entries().unwrap() {
        let mut e = e.unwrap();
        if e.path().unwrap().to_str().unwrap().trim_start_matches("./") == path {
            let mut out = Vec::new();
            e.read_to_end(&mut out).unwrap();
            return out;
        }
    }
    panic!("{path} not in the tar")
}

/// An OCI layout of the base and site-packages layers plus `extra` layers.
fn image(dir: &Path, extra: Vec<Vec<u8>>) -> tempfile::TempDir {
    image_with_base(dir, read(dir, "base.tar"), extra)
}

/// As [`image`], with the node_modules layer (npm) before `extra`.
fn image_npm(dir: &Path, extra: Vec<Vec<u8>>) -> tempfile::TempDir {
    let mut layers = vec![read(dir, "node_modules.tar")];
    layers.extend(extra);
    image(dir, layers)
}

/// As [`image`], with `base` as the bottom layer.
fn image_with_base(dir: &Path, base: Vec<u8>, extra: Vec<Vec<u8>>) -> tempfile::TempDir {
    let mut tars = vec![base, read(dir, "site-packages.tar")];
    tars.extend(extra);
    let blobs: Vec<LayerBlob> = tars.into_iter().map(LayerBlob::plain).collect();
    let history: Vec<_> =
        (0..blobs.len()).map(|i| json!({ "created_by": format!("step {i}") })).collect();
    let cfg = config("linux/amd64", &["PATH=/usr/bin"], json!({}), json!(history), &blobs);
    let mut layout = Layout::default();
    let manifest = layout.image(&cfg, &blobs);
    layout.finish(vec![manifest]);
    let out = tempfile::tempdir().unwrap();
    layout.write_dir(out.path());
    out
}

fn scan_json(path: &Path, extra: &[&str]) -> (i32, Value, String) {
    let mut args = vec!["scan", path.to_str().unwrap(), "--format", "json"];
    args.extend_from_slice(extra);
    let o = run(&args);
    let doc = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&o)));
    (o.status.code().unwrap(), doc, stderr(&o))
}

/// Findings by origin kind.
fn by_origin(doc: &Value) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for f in doc["findings"].as_array().unwrap() {
        *counts.entry(f["origin"]["kind"].as_str().unwrap().to_owned()).or_default() += 1;
    }
    counts
}

#[test]
#[ignore = "needs tests/origin-image/build.sh; run by .ci/run"]
fn origin_image_clean_passes_and_lists_package_findings_under_verbose() {
    let dir = parts_dir();
    let img = image(&dir, Vec::new());
    let (code, doc, err) = scan_json(img.path(), &[]);
    let counts = by_origin(&doc);
    eprintln!("clean image: findings by origin {counts:?}\n{err}");
    assert_eq!(code, 0, "a clean image passes the gate: {counts:?}\n{err}\n{doc:#}");
    assert!(counts.get("package").copied().unwrap_or(0) > 0, "{counts:?}");
    // Every finding in the image's own files is public, with its package and version.
    for f in doc["findings"].as_array().unwrap() {
        if f["origin"]["kind"] == "package" {
            assert!(f["origin"]["package"].as_str().is_some_and(|p| !p.is_empty()), "{f:#}");
            assert!(f["public_reason"].is_string(), "{f:#}");
        }
    }
    let o = run(&["scan", img.path().to_str().unwrap(), "-v"]);
    let (out, err) = (String::from_utf8_lossy(&o.stdout), stderr(&o));
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("public: ") && err.contains("(dpkg)"), "{err}");
    assert!(err.contains("not gating"), "{err}");
    assert!(out.contains("origin: package"), "{out}");
    // SARIF: suppressed results, with why.
    let o = run(&["scan", img.path().to_str().unwrap(), "--format", "sarif"]);
    let sarif: Value = serde_json::from_slice(&o.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    assert!(results.iter().all(|r| r["suppressions"][0]["kind"] == "external"), "{sarif:#}");
    // Those who want them to gate, get it.
    let (strict, _, _) = scan_json(img.path(), &["--fail-on-public"]);
    assert_eq!(strict, 1);
}

/// npm records no digest per file, so nothing proves a `node_modules` file is the
/// package's own bytes: a finding there is labelled `vendored` and gates. What aws-sdk and
/// `url` hold are the AWS API references' example values (origin `example`, each with its
/// source), pagination cursors, secret names inside ARNs and passwords for RFC 2606 hosts:
/// the clean image with `node_modules` passes the gate too.
#[test]
#[ignore = "needs tests/origin-image/build.sh; run by .ci/run"]
fn origin_image_npm_clean_passes_with_examples_listed() {
    let dir = parts_dir();
    let img = image_npm(&dir, Vec::new());
    let (code, doc, err) = scan_json(img.path(), &[]);
    let counts = by_origin(&doc);
    eprintln!("with node_modules: findings by origin {counts:?}");
    let gating: Vec<&Value> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["public_reason"].is_null())
        .collect();
    assert_eq!(code, 0, "{counts:?}\n{err}\n{gating:#?}");
    assert!(counts.get("example").copied().unwrap_or(0) >= 9, "{counts:?}");
    let mut aws = 0;
    for f in doc["findings"].as_array().unwrap() {
        if f["origin"]["kind"] == "example" {
            let source = f["origin"]["source"].as_str().unwrap_or_default();
            assert!(source.contains(": "), "publisher and source: {f:#}");
            aws += usize::from(source.starts_with("Amazon Web Services: "));
            assert!(f["public_reason"].is_string(), "{f:#}");
        }
    }
    assert!(aws >= 8, "the AWS API references' examples in aws-sdk: {aws}");
    let (strict, _, _) = scan_json(img.path(), &["--fail-on-public"]);
    assert_eq!(strict, 1);
}

/// The planted copy of `GH` is reported at `path`, with origin image, and fails the gate.
fn assert_planted(dir: &Path, layer: Vec<u8>, path: &str) {
    let img = image(dir, vec![layer]);
    let (code, doc, err) = scan_json(img.path(), &[]);
    assert_eq!(code, 1, "{path}: {err}");
    let locations: Vec<&Value> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["locations"].as_array().unwrap())
        .filter(|l| l["path"] == path)
        .collect();
    assert!(!locations.is_empty(), "{path} not reported: {doc:#}");
    assert!(locations.iter().all(|l| l["origin"]["kind"] == "image"), "{path}: {locations:#?}");
}

#[test]
#[ignore = "needs tests/origin-image/build.sh; run by .ci/run"]
fn origin_image_planted_secrets_are_image_and_fail() {
    let dir = parts_dir();
    let line = format!("\nGITHUB_TOKEN = \"{GH}\"\n");
    // (a) a new file under site-packages.
    let new_file = format!("{SITE}/botocore/leak.py");
    assert_planted(&dir, tar_of(&[(&new_file, line.as_bytes())]), &new_file);
    // (b) appended to a package-owned file: its RECORD digest no longer matches.
    let owned = format!("{SITE}/jwt/api_jwt.py");
    let mut bytes = member(&read(&dir, "site-packages.tar"), &owned);
    bytes.extend_from_slice(line.as_bytes());
    assert_planted(&dir, tar_of(&[(&owned, &bytes)]), &owned);
    // (c) in node_modules.
    let js = "app/node_modules/aws-sdk/lib/leak.js";
    let img = image_npm(&dir, vec![tar_of(&[(js, format!("const t = '{GH}';\n").as_bytes())])]);
    let (code, doc, err) = scan_json(img.path(), &[]);
    assert_eq!(code, 1, "{err}");
    let planted = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["locations"].as_array().unwrap().iter().any(|l| l["path"] == js))
        .unwrap_or_else(|| panic!("{js} not reported: {doc:#}"));
    assert!(planted["public_reason"].is_null(), "{planted:#}");
    // (d) in a .env.
    assert_planted(
        &dir,
        tar_of(&[("app/.env", format!("GITHUB_TOKEN={GH}\n").as_bytes())]),
        "app/.env",
    );
    // (e) in a binary's string table.
    let bin = "usr/local/bin/fetch";
    assert_planted(&dir, tar_of(&[(bin, &read(&dir, "fetch"))]), bin);
    // (f) in a UTF-16LE PowerShell script.
    let ps1: Vec<u8> = [0xff_u8, 0xfe]
        .into_iter()
        .chain(
            format!("$env:GITHUB_TOKEN = \"{GH}\"\r\nInvoke-RestMethod https://api.github.com\r\n")
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    assert_planted(&dir, tar_of(&[("app/deploy.ps1", &ps1)]), "app/deploy.ps1");
}

#[test]
#[ignore = "needs tests/origin-image/build.sh; run by .ci/run"]
fn origin_image_lying_or_truncated_databases_never_hide_a_finding() {
    let dir = parts_dir();
    let base = read(&dir, "base.tar");
    // A RECORD that claims the planted file with a digest of other bytes.
    let record_path = pyjwt_record(&dir);
    let mut record = member(&read(&dir, "site-packages.tar"), &record_path);
    let planted = format!("{SITE}/jwt/leak.py");
    record.extend_from_slice(b"jwt/leak.py,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\n");
    let line = format!("TOKEN = \"{GH}\"\n");
    assert_planted(&dir, tar_of(&[(&record_path, &record), (&planted, line.as_bytes())]), &planted);
    // A truncated dpkg status (the only one in the image): its packages are no longer
    // verified, so what was public in them is the owner's again, and the truncation is a
    // notice.
    let (clean_code, clean, _) = scan_json(image(&dir, Vec::new()).path(), &[]);
    assert_eq!(clean_code, 0);
    let dpkg_public: Vec<&Value> = clean["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["origin"]["manager"] == "dpkg")
        .collect();
    assert!(!dpkg_public.is_empty(), "the base has findings in dpkg files: {clean:#}");
    let status = member(&base, "var/lib/dpkg/status");
    let cut = replace_member(&base, "var/lib/dpkg/status", &status[..status.len() / 2]);
    let img = image_with_base(&dir, cut, Vec::new());
    let (code, doc, err) = scan_json(img.path(), &[]);
    assert_eq!(code, 1, "{err}");
    assert!(
        doc["issues"].as_array().unwrap().iter().any(|i| i["path"] == "var/lib/dpkg/status"
            && i["reason"].as_str().unwrap().contains("malformed dpkg database")),
        "{doc:#}"
    );
    let fingerprints: Vec<&Value> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["origin"]["kind"] == "image")
        .map(|f| &f["fingerprint"])
        .collect();
    assert!(
        dpkg_public.iter().any(|f| fingerprints.contains(&&f["fingerprint"])),
        "a finding in a file of a package the truncated status lost stays image"
    );
}

/// `tar` with the bytes of `path` replaced by `data`.
fn replace_member(tar: &[u8], path: &str, data: &[u8]) -> Vec<u8> {
    let mut out = tar::Builder::new(Vec::new());
    let mut archive = tar::Archive::new(tar);
    for e in archive.entries().unwrap() {
        let mut e = e.unwrap();
        let mut header = e.header().clone();
        let name = e.path().unwrap().into_owned();
        if let Some(target) = e.link_name().unwrap().map(|l| l.into_owned()) {
            out.append_link(&mut header, &name, &target).unwrap();
        } else if name.to_str().unwrap().trim_start_matches("./") == path {
            header.set_size(data.len() as u64);
            out.append_data(&mut header, &name, data).unwrap();
        } else {
            let mut body = Vec::new();
            e.read_to_end(&mut body).unwrap();
            out.append_data(&mut header, &name, body.as_slice()).unwrap();
        }
    }
    out.into_inner().unwrap()
}

/// The path of PyJWT's `RECORD` (its `.dist-info` is `PyJWT-…` or, from newer wheels,
/// `pyjwt-…`).
fn pyjwt_record(dir: &Path) -> String {
    let tar = read(dir, "site-packages.tar");
    let mut archive = tar::Archive::new(tar.as_slice());
    for e in archive.entries().unwrap() {
        let e = e.unwrap();
        let p = e.path().unwrap().to_string_lossy().trim_start_matches("./").to_owned();
        let name = p.strip_prefix(&format!("{SITE}/")).unwrap_or_default().to_ascii_lowercase();
        if name.starts_with("pyjwt-") && name.ends_with(".dist-info/record") {
            return p;
        }
    }
    panic!("no PyJWT RECORD")
}
