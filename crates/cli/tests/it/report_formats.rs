//! `--format text|json|jsonl|sarif` on one image: snapshots, schema validation, streaming
//! order, and what SARIF consumers need.

use std::path::Path;
use std::process::Output;

use serde_json::{Value, json};

use crate::common::{layerleak, stderr, stdout};
use crate::fixtures::{E, LayerBlob, Layout, config, digest, layer, oci_dir, simple_history};
use crate::schemas::{assert_valid, jsonl_v1, report_v1, sarif_2_1_0};

pub(crate) const GH: &str = "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";
pub(crate) const GL: &str = "glpat-PPjRfdqok10wwQZEDe0I";
pub(crate) const NPM: &str = "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";
pub(crate) const STRIPE: &str = "sk_live_dhhfUUyfrAace5dBAZ10JrAD";
/// Found by a low-confidence generic rule only.
pub(crate) const LOW: &str = "Kx9mQ2vL7pR4tZ8w";

/// Layer 0 writes a GitHub token and a GitLab token, layer 1 deletes the GitLab one and
/// adds an npm token and a low-confidence password; a Stripe key sits in `ENV`.
pub(crate) fn layers() -> Vec<LayerBlob> {
    vec![
        LayerBlob::gzip(&layer(vec![
            E::File("app/config.yml", format!("github:\n  token: {GH}\n").into_bytes()),
            E::File("app/old.txt", format!("{GL}\n").into_bytes()),
        ])),
        LayerBlob::plain(layer(vec![
            E::Whiteout("app/old.txt"),
            E::File("srv/token.txt", format!("npm {NPM}\n").into_bytes()),
            E::File("etc/app.conf", format!("password={LOW}\n").into_bytes()),
        ])),
    ]
}

pub(crate) fn image_config(layers: &[LayerBlob]) -> Vec<u8> {
    let env = format!("STRIPE_KEY={STRIPE}");
    config("linux/amd64", &["PATH=/usr/bin", &env], json!({}), simple_history(layers.len()), layers)
}

/// The image as an OCI layout directory.
pub(crate) fn image() -> tempfile::TempDir {
    let layers = layers();
    oci_dir(&image_config(&layers), &layers)
}

/// The same image with a third layer whose blob is missing: incomplete.
fn incomplete_image() -> tempfile::TempDir {
    let mut layers = layers();
    let missing = LayerBlob::plain(layer(vec![E::File("opt/x", b"harmless\n".to_vec())]));
    layers.push(missing.clone());
    let dir = oci_dir(&image_config(&layers), &layers);
    let hex = digest(&missing.stored);
    std::fs::remove_file(dir.path().join("blobs/sha256").join(&hex["sha256:".len()..])).unwrap();
    dir
}

/// Runs `layerleak scan <dir> args…` in `cwd` (so no stray `.layerleakignore` is read).
pub(crate) fn scan(dir: &Path, args: &[&str]) -> Output {
    layerleak().current_dir(dir).arg("scan").arg(dir).args(args).output().expect("the binary runs")
}

/// Replaces the temporary directory in `text`.
pub(crate) fn redact_tmp(text: &str, dir: &Path) -> String {
    text.replace(dir.to_str().unwrap(), "[TMP]")
}

fn snapshot_format(format: &str) -> (Output, String) {
    let dir = image();
    let o = scan(dir.path(), &["--format", format]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = redact_tmp(&stdout(&o), dir.path());
    for secret in [GH, GL, NPM, STRIPE, LOW] {
        assert!(!out.contains(secret), "{format}: {secret} leaked");
        assert!(!stderr(&o).contains(secret), "{format}: {secret} leaked on stderr");
    }
    (o, out)
}

#[test]
fn text_report() {
    let (_, out) = snapshot_format("text");
    assert!(!out.contains('\x1b'), "no colour when stdout is not a terminal");
    insta::assert_snapshot!(out);
}

#[test]
fn json_report_follows_its_schema() {
    let (_, out) = snapshot_format("json");
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_valid(&report_v1(), &doc);
    assert_eq!(doc["findings"].as_array().unwrap().len(), 5);
    insta::assert_snapshot!(out);

    let dir = incomplete_image();
    let o = scan(dir.path(), &["--format", "json", "--show-secrets"]);
    assert_eq!(o.status.code(), Some(2));
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["complete"], false);
    assert_eq!(doc["issues"].as_array().unwrap().len(), 1);
    assert_valid(&report_v1(), &doc);
}

pub(crate) fn parse_lines(out: &str) -> Vec<Value> {
    out.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect()
}

#[test]
fn jsonl_report_follows_its_schema_image_by_image() {
    let (_, out) = snapshot_format("jsonl");
    let v = jsonl_v1();
    let lines = parse_lines(&out);
    for l in &lines {
        assert_valid(&v, l);
    }
    let types: Vec<&str> = lines.iter().map(|l| l["type"].as_str().unwrap()).collect();
    assert_eq!(
        types,
        ["begin", "finding", "finding", "finding", "finding", "finding", "image", "summary"]
    );
    insta::assert_snapshot!(out);

    let dir = incomplete_image();
    let o = scan(dir.path(), &["--format", "jsonl"]);
    assert_eq!(o.status.code(), Some(2));
    let lines = parse_lines(&stdout(&o));
    for l in &lines {
        assert_valid(&v, l);
    }
    let types: Vec<&str> = lines.iter().map(|l| l["type"].as_str().unwrap()).collect();
    assert_eq!(types[types.len() - 3..], ["issue", "image", "summary"]);
    assert_eq!(lines.last().unwrap()["data"]["complete"], false);
}

/// An OCI layout directory with a linux/amd64 and a linux/arm64 image, each one layer
/// (`layers[0]`, `layers[1]`) and a config without secrets.
pub(crate) fn two_platforms(layers: [LayerBlob; 2]) -> tempfile::TempDir {
    let mut layout = Layout::default();
    let mut entries = Vec::new();
    for (arch, layer) in ["amd64", "arm64"].into_iter().zip(layers) {
        let layers = [layer];
        let cfg = config(&format!("linux/{arch}"), &[], json!({}), simple_history(1), &layers);
        let mut m = layout.image(&cfg, &layers);
        m["platform"] = json!({ "os": "linux", "architecture": arch });
        entries.push(m);
    }
    let mut index =
        json!({ "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json" });
    index["manifests"] = Value::Array(entries);
    let root = layout
        .blob("application/vnd.oci.image.index.v1+json", &serde_json::to_vec(&index).unwrap());
    layout.finish(vec![root]);
    let dir = tempfile::tempdir().unwrap();
    layout.write_dir(dir.path());
    dir
}

/// `begin`, `finding PLATFORM`, `image PLATFORM`, …, `summary`: what a JSON Lines report
/// says, in order.
pub(crate) fn jsonl_sequence(lines: &[Value]) -> Vec<String> {
    lines
        .iter()
        .map(|l| match l["type"].as_str().unwrap() {
            "finding" => {
                format!("finding {}", l["data"]["locations"][0]["platform"].as_str().unwrap())
            }
            "image" => format!("image {}", l["data"]["platform"].as_str().unwrap()),
            t => t.to_owned(),
        })
        .collect()
}

#[test]
fn jsonl_writes_each_platform_when_it_is_done() {
    let token_layer =
        |token: &str| LayerBlob::plain(layer(vec![E::File("t", token.as_bytes().to_vec())]));
    let dir = two_platforms([token_layer(GH), token_layer(NPM)]);
    let o = scan(dir.path(), &["--format", "jsonl", "--all-platforms"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let lines = parse_lines(&stdout(&o));
    let v = jsonl_v1();
    for l in &lines {
        assert_valid(&v, l);
    }
    // Each image's lines come together, in the order the images complete.
    let seq = jsonl_sequence(&lines);
    let image = |p: &str| [format!("finding linux/{p}"), format!("image linux/{p}")];
    let (amd, arm) = (image("amd64"), image("arm64"));
    let either = [[&amd[..], &arm[..]].concat(), [&arm[..], &amd[..]].concat()];
    assert_eq!(seq.len(), 6, "{seq:?}");
    assert_eq!((seq[0].as_str(), seq[5].as_str()), ("begin", "summary"), "{seq:?}");
    assert!(either.iter().any(|e| e[..] == seq[1..5]), "{seq:?}");
}

#[test]
fn jsonl_gives_a_layer_shared_by_two_platforms_to_both() {
    let shared = LayerBlob::gzip(&layer(vec![E::File("t", GH.as_bytes().to_vec())]));
    let dir = two_platforms([shared.clone(), shared]);
    let o = scan(dir.path(), &["--format", "jsonl", "--all-platforms"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let lines = parse_lines(&stdout(&o));
    // One finding per image, though the blob was scanned once.
    let seq = jsonl_sequence(&lines);
    assert_eq!(seq.len(), 6, "{seq:?}");
    // Each image's finding then its image line, the images in either order.
    let mut pairs: Vec<String> = seq[1..5].chunks(2).map(|c| c.join(", ")).collect();
    pairs.sort();
    assert_eq!(
        pairs,
        ["finding linux/amd64, image linux/amd64", "finding linux/arm64, image linux/arm64"]
    );
    assert_eq!(lines.last().unwrap()["data"]["blobs_scanned"], 1);
}

#[test]
fn sarif_report_is_valid_sarif_for_code_scanning() {
    let (_, out) = snapshot_format("sarif");
    let log: Value = serde_json::from_str(&out).unwrap();
    assert_valid(&sarif_2_1_0(), &log);
    let run = &log["runs"][0];
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 5);
    for r in results {
        // What GitHub code scanning requires of every result.
        let rule = &rules[usize::try_from(r["ruleIndex"].as_u64().unwrap()).unwrap()];
        assert_eq!(rule["id"], r["ruleId"]);
        assert!(rule["fullDescription"]["text"].as_str().is_some_and(|t| !t.is_empty()));
        assert_eq!(r["partialFingerprints"]["layerleak/v1"].as_str().unwrap().len(), 64);
        for l in r["locations"].as_array().unwrap() {
            assert!(l["physicalLocation"]["artifactLocation"]["uri"].is_string(), "{l:#}");
        }
    }
    let npm = results.iter().find(|r| r["ruleId"] == "layerleak.npm.1").unwrap();
    let loc = &npm["locations"][0];
    assert_eq!(loc["physicalLocation"]["artifactLocation"]["uri"], "srv/token.txt");
    assert_eq!(loc["physicalLocation"]["region"], json!({ "byteOffset": 4, "byteLength": 40 }));
    assert_eq!(loc["logicalLocations"][1]["kind"], "layer");
    assert_eq!(loc["properties"]["layer"], 1);
    assert_eq!(loc["properties"]["createdBy"], "RUN step 1");
    assert_eq!(loc["properties"]["diffId"], layers()[1].diff_id);
    let stripe =
        results.iter().find(|r| r["locations"][0]["properties"]["field"] == "env").unwrap();
    assert_eq!(stripe["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "Dockerfile");
    assert_eq!(stripe["locations"][0]["logicalLocations"][1]["name"], "env STRIPE_KEY");
    insta::assert_snapshot!(out);

    let dir = incomplete_image();
    let o = scan(dir.path(), &["--format", "sarif", "--sarif-config-uri", "build/Containerfile"]);
    assert_eq!(o.status.code(), Some(2));
    let log: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_valid(&sarif_2_1_0(), &log);
    let inv = &log["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    assert_eq!(inv["toolExecutionNotifications"].as_array().unwrap().len(), 1);
    assert!(stdout(&o).contains("build/Containerfile"));
}

#[test]
fn output_file_gets_the_report_and_stdout_stays_empty() {
    let dir = image();
    let out = dir.path().join("report.sarif");
    let o = scan(dir.path(), &["--format", "sarif", "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    let log: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_valid(&sarif_2_1_0(), &log);
}
