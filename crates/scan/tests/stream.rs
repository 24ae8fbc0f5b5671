//! `Pipeline::scan_stream`: a `docker save` tarball read once as a stream gives the same
//! outcome as the same tarball scanned on disk, and a tampered layer is an issue naming it.

use std::io::Write as _;
use std::path::Path;

use layerleak_engine::Scanner;
use layerleak_image::PlatformSelector;
use layerleak_report::{Location, ScanIssue};
use layerleak_rules::Rules;
use layerleak_scan::{Pipeline, ScanOptions, ScanOutcome};
use serde_json::json;
use sha2::{Digest as _, Sha256};

const NPM: &str = "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";
const GH: &str = "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";
const STRIPE: &str = "sk_live_dhhfUUyfrAace5dBAZ10JrAD";

fn hex(data: &[u8]) -> String {
    Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

fn tar_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (path, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        b.append_data(&mut h, path, *data).unwrap();
    }
    b.into_inner().unwrap()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// Three layers: a token file and an `.npmrc`, a whiteout deleting the token file, a
/// clean file. The config carries a Stripe key in ENV.
fn layers() -> Vec<Vec<u8>> {
    let npmrc = format!("//registry.npmjs.org/:_authToken={NPM}\n");
    let token = format!("token: {GH}\n");
    vec![
        tar_of(&[("app/token.yml", token.as_bytes()), ("root/.npmrc", npmrc.as_bytes())]),
        tar_of(&[("app/.wh.token.yml", b"")]),
        tar_of(&[("app/hello.txt", b"hello\n")]),
    ]
}

fn config(diff_ids: &[Vec<u8>]) -> Vec<u8> {
    let history: Vec<_> =
        (0..diff_ids.len()).map(|i| json!({ "created_by": format!("RUN step {i}") })).collect();
    serde_json::to_vec(&json!({
        "os": "linux", "architecture": "amd64",
        "config": { "Env": ["PATH=/bin", format!("STRIPE_API_KEY={STRIPE}")] },
        "rootfs": { "type": "layers", "diff_ids": diff_ids.iter().map(|l| format!("sha256:{}", hex(l))).collect::<Vec<_>>() },
        "history": history,
    }))
    .unwrap()
}

fn write_tar(path: &Path, members: &[(String, Vec<u8>)]) {
    let mut b = tar::Builder::new(std::fs::File::create(path).unwrap());
    for (name, data) in members {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        b.append_data(&mut h, name, data.as_slice()).unwrap();
    }
    b.finish().unwrap();
}

/// A legacy archive as Podman's API writes it (`<diff_id>.tar`, `<hex>.json`, manifest last).
fn legacy(path: &Path) {
    legacy_of(path, layers());
}

fn legacy_of(path: &Path, layers: Vec<Vec<u8>>) {
    let config = config(&layers);
    let names: Vec<String> = layers.iter().map(|l| format!("{}.tar", hex(l))).collect();
    let mut members: Vec<(String, Vec<u8>)> = names.iter().cloned().zip(layers).collect();
    let config_name = format!("{}.json", hex(&config));
    members.push((config_name.clone(), config));
    let manifest =
        json!([{ "Config": config_name, "RepoTags": ["localhost/app:dev"], "Layers": names }]);
    members.push(("manifest.json".to_owned(), serde_json::to_vec(&manifest).unwrap()));
    write_tar(path, &members);
}

/// A Docker ≥ 25 archive (OCI layout, gzip layers); `tamper` flips a byte of layer 1's blob.
fn oci(path: &Path, tamper: bool) {
    let tars = layers();
    let config = config(&tars);
    let blobs: Vec<Vec<u8>> = tars.iter().map(|t| gzip(t)).collect();
    let desc = |media: &str, data: &[u8]| json!({ "mediaType": media, "digest": format!("sha256:{}", hex(data)), "size": data.len() });
    let manifest = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": desc("application/vnd.oci.image.config.v1+json", &config),
        "layers": blobs.iter().map(|b| desc("application/vnd.oci.image.layer.v1.tar+gzip", b)).collect::<Vec<_>>(),
    }))
    .unwrap();
    let mut root = desc("application/vnd.oci.image.manifest.v1+json", &manifest);
    root["annotations"] = json!({ "io.containerd.image.name": "docker.io/library/app:dev" });
    let mut members: Vec<(String, Vec<u8>)> = Vec::new();
    for (i, blob) in blobs.iter().enumerate() {
        let mut stored = blob.clone();
        if tamper && i == 1 {
            let last = stored.len() - 9;
            stored[last] ^= 0x55;
        }
        members.push((format!("blobs/sha256/{}", hex(blob)), stored));
    }
    members.push((format!("blobs/sha256/{}", hex(&config)), config));
    members.push((format!("blobs/sha256/{}", hex(&manifest)), manifest));
    members.push(("oci-layout".to_owned(), br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec()));
    members.push((
        "index.json".to_owned(),
        serde_json::to_vec(&json!({ "schemaVersion": 2, "manifests": [root] })).unwrap(),
    ));
    members.push(("manifest.json".to_owned(), b"[]".to_vec()));
    write_tar(path, &members);
}

fn pipeline() -> Pipeline {
    Pipeline::new(Scanner::new(&Rules::embedded().unwrap()).unwrap(), ScanOptions::new())
}

fn sorted(mut outcome: ScanOutcome) -> ScanOutcome {
    for f in &mut outcome.findings {
        f.locations.sort();
    }
    outcome.findings.sort_by(|a, b| a.locations.cmp(&b.locations));
    outcome.issues.sort();
    outcome
}

fn assert_same(streamed: ScanOutcome, on_disk: ScanOutcome) {
    let (s, d) = (sorted(streamed), sorted(on_disk));
    assert_eq!(s.findings, d.findings);
    assert_eq!(s.issues, d.issues);
    assert_eq!(s.images, d.images);
    assert_eq!((s.blobs_scanned, s.bytes_scanned), (d.blobs_scanned, d.bytes_scanned));
}

#[test]
fn streamed_archives_scan_like_archives_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let pipeline = pipeline();
    for (name, build) in
        [("legacy.tar", legacy as fn(&Path)), ("oci.tar", |p: &Path| oci(p, false))]
    {
        let path = dir.path().join(name);
        build(&path);
        let on_disk = pipeline.scan_path(&path, &PlatformSelector::Default).unwrap();
        let file = std::fs::File::open(&path).unwrap();
        let streamed =
            pipeline.scan_stream(file, path.to_str().unwrap(), &PlatformSelector::Default).unwrap();
        assert!(streamed.is_complete(), "{name}: {:?}", streamed.issues);
        assert_eq!(streamed.blobs_scanned, 3, "{name}: the config is no layer");
        let secrets: Vec<Vec<u8>> =
            streamed.findings.iter().map(|f| f.secret.expose().to_vec()).collect();
        for secret in [NPM, GH, STRIPE] {
            assert!(secrets.contains(&secret.as_bytes().to_vec()), "{name}: {secret} missing");
        }
        assert_same(streamed, on_disk);
    }
}

#[test]
fn a_tampered_streamed_layer_is_an_issue_naming_it_and_the_rest_is_scanned() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.tar");
    oci(&path, true);
    let file = std::fs::File::open(&path).unwrap();
    let outcome =
        pipeline().scan_stream(file, "docker:app:dev", &PlatformSelector::Default).unwrap();
    assert_eq!(outcome.exit_code(), 2);
    let digest_issues: Vec<&ScanIssue> =
        outcome.issues.iter().filter(|i| i.reason.contains("digest mismatch")).collect();
    assert_eq!(digest_issues.len(), 1, "{:?}", outcome.issues);
    assert_eq!(digest_issues[0].layer, Some(1));
    assert_eq!(digest_issues[0].image, "docker.io/library/app:dev");
    // Layer 0's secrets are still found.
    assert!(
        outcome
            .findings
            .iter()
            .any(|f| f.locations.iter().any(|l| matches!(l, Location::Layer(l) if l.layer == 0)))
    );
}

#[test]
fn a_broken_stream_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("legacy.tar");
    legacy(&path);
    let bytes = std::fs::read(&path).unwrap();
    let err = pipeline()
        .scan_stream(&bytes[..bytes.len() / 2], "docker:app:dev", &PlatformSelector::Default)
        .unwrap_err();
    let source = std::error::Error::source(&err).expect("the cause is attached");
    assert!(source.to_string().contains("docker:app:dev"), "{err}: {source}");
}

#[test]
fn a_layer_that_looks_like_json_is_kept_and_scanned_after_the_stream() {
    // An uncompressed layer whose first entry's name starts with `{` looks like a JSON
    // document, so it is kept rather than streamed on; it must still be scanned.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("json-like.tar");
    let token = format!("token: {GH}\n");
    let mut layers = layers();
    layers[2] = tar_of(&[("{odd}.yml", token.as_bytes())]);
    legacy_of(&path, layers);
    let pipeline = pipeline();
    let on_disk = pipeline.scan_path(&path, &PlatformSelector::Default).unwrap();
    let file = std::fs::File::open(&path).unwrap();
    let streamed = pipeline.scan_stream(file, "docker:odd", &PlatformSelector::Default).unwrap();
    let in_layer_2 = streamed.findings.iter().any(|f| {
        f.locations
            .iter()
            .any(|l| matches!(l, Location::Layer(l) if l.layer == 2 && l.path == "{odd}.yml"))
    });
    assert!(in_layer_2, "{:#?}", streamed.findings);
    assert_same(streamed, on_disk);
}
