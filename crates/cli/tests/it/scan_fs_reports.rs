//! `layerleak scan-fs` through the image pipeline: every report format, the gate and
//! baselines, exit code 2 naming what could not be read, nested archives and UTF-16.

use std::fs;
use std::io::Write as _;
use std::path::Path;

use serde_json::Value;

use crate::common::{run, stderr, stdout};
use crate::fixtures::{jar, utf16le};
use crate::schemas::{assert_valid, jsonl_v1, report_v1, sarif_2_1_0};

const TOKEN: &str = "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";
/// Another token of the same rule, for a finding the baseline does not know.
const OTHER: &str = "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";

fn tree_with_secret() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::create_dir_all(dir.path().join("app/config")).expect("mkdir");
    fs::write(dir.path().join("app/config/.env"), format!("DEBUG=1\nGITHUB_TOKEN={TOKEN}\n"))
        .expect("write");
    dir
}

fn json(args: &[&str]) -> (Option<i32>, Value) {
    let o = run(args);
    let doc = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}):\n{}\n{}", stdout(&o), stderr(&o)));
    (o.status.code(), doc)
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[test]
fn json_and_jsonl_reports_carry_file_locations() {
    let dir = tree_with_secret();
    let (code, doc) = json(&["scan-fs", "--format", "json", s(dir.path())]);
    assert_eq!(code, Some(1), "{doc:#}");
    assert_valid(&report_v1(), &doc);
    assert_eq!(doc["complete"], true);
    let findings = doc["findings"].as_array().unwrap();
    // The generic assignment rule sees the same value: one finding, the specific rule.
    assert_eq!(findings.len(), 1, "{doc:#}");
    let f = &findings[0];
    assert_eq!(f["rule_id"], "layerleak.github.1");
    assert_eq!(f["secret"], "ghp_…[40 bytes]");
    let loc = &f["locations"][0];
    assert_eq!(loc["kind"], "file");
    assert_eq!(loc["tree"], s(dir.path()));
    assert_eq!(loc["path"], format!("{}/app/config/.env", s(dir.path())));
    assert_eq!(loc["offset"], 21);
    assert_eq!(loc["origin"]["kind"], "image");
    assert!(!doc.to_string().contains(TOKEN));

    let o = run(&["scan-fs", "--format", "jsonl", s(dir.path())]);
    assert_eq!(o.status.code(), Some(1));
    let v = jsonl_v1();
    let lines: Vec<Value> =
        stdout(&o).lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect();
    for line in &lines {
        assert_valid(&v, line);
    }
    assert!(lines.iter().any(|l| l["data"]["locations"][0]["kind"] == "file"), "{lines:?}");
}

#[test]
fn sarif_report_points_at_the_file() {
    let dir = tree_with_secret();
    let report = dir.path().join("out.sarif");
    let o = run(&["scan-fs", "--format", "sarif", "-o", s(&report), s(&dir.path().join("app"))]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let doc: Value = serde_json::from_slice(&fs::read(&report).unwrap()).unwrap();
    assert_valid(&sarif_2_1_0(), &doc);
    let result = &doc["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "layerleak.github.1");
    let physical = &result["locations"][0]["physicalLocation"];
    let uri = physical["artifactLocation"]["uri"].as_str().unwrap();
    assert!(uri.starts_with("file:///") && uri.ends_with("/app/config/.env"), "{uri}");
    assert_eq!(physical["region"]["byteOffset"], 21);
    assert!(!doc.to_string().contains(TOKEN));
}

#[test]
fn baseline_and_ignore_file_gate_scan_fs() {
    let dir = tree_with_secret();
    let work = tempfile::tempdir().unwrap();
    let baseline = work.path().join("baseline.json");
    let tree = s(dir.path());
    let o = run(&["scan-fs", "--write-baseline", s(&baseline), tree]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("wrote 1 finding to the baseline"), "{}", stderr(&o));
    let o = run(&["scan-fs", "--baseline", s(&baseline), tree]);
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    assert!(stderr(&o).contains("suppressed 1 by baseline"), "{}", stderr(&o));
    // A new secret fails; the known one stays suppressed.
    fs::write(dir.path().join("app/new.env"), format!("TOKEN={OTHER}\n")).unwrap();
    let (code, doc) = json(&["scan-fs", "--format", "json", "--baseline", s(&baseline), tree]);
    assert_eq!(code, Some(1), "{doc:#}");
    assert_eq!(doc["findings"].as_array().unwrap().len(), 1, "{doc:#}");
    assert_eq!(doc["summary"]["suppressed_by_baseline"], 1);
    assert!(doc["findings"][0]["locations"][0]["path"].as_str().unwrap().ends_with("app/new.env"));
    // The ignore file accepts by rule id.
    let ignore = work.path().join("ignore.toml");
    fs::write(&ignore, "[[ignore]]\nrule = \"layerleak.github.1\"\nreason = \"test tokens\"\n")
        .unwrap();
    let o = run(&["scan-fs", "--ignore-file", s(&ignore), tree]);
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    assert!(stderr(&o).contains("2 by ignore file"), "{}", stderr(&o));
}

/// `/proc/self/mem` is a regular file that opens but cannot be read at offset 0 (even by
/// root, unlike a file without read permission): the scan is incomplete, the report names
/// it, and the rest is still scanned and reported.
#[test]
fn an_unreadable_file_exits_2_naming_it() {
    let dir = tree_with_secret();
    let (code, doc) = json(&["scan-fs", "--format", "json", s(dir.path()), "/proc/self/mem"]);
    assert_eq!(code, Some(2), "{doc:#}");
    assert_valid(&report_v1(), &doc);
    assert_eq!(doc["complete"], false);
    let issue = doc["issues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["path"] == "/proc/self/mem")
        .unwrap_or_else(|| panic!("no issue for /proc/self/mem: {doc:#}"));
    assert_eq!(issue["severity"], "incomplete");
    assert!(issue["reason"].as_str().unwrap().contains("/proc/self/mem"), "{issue}");
    assert_eq!(doc["findings"][0]["rule_id"], "layerleak.github.1");
    // Text: the issue on stdout with the report, exit 2 in the summary line.
    let o = run(&["scan-fs", s(dir.path()), "/proc/self/mem"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).contains("/proc/self/mem"), "{}", stdout(&o));
    assert!(stderr(&o).contains("scan incomplete (1 issue); exit 2"), "{}", stderr(&o));
}

/// A truncated gzip in the tree: what could be read is scanned, the rest is an issue naming
/// the file, and the scan is incomplete.
#[test]
fn a_truncated_nested_gzip_exits_2_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    for i in 0..2000 {
        writeln!(gz, "line {i} of a log").unwrap();
    }
    let bytes = gz.finish().unwrap();
    fs::write(dir.path().join("app.log.gz"), &bytes[..bytes.len() / 2]).unwrap();
    let (code, doc) = json(&["scan-fs", "--format", "json", s(dir.path())]);
    assert_eq!(code, Some(2), "{doc:#}");
    let issues = doc["issues"].as_array().unwrap();
    assert!(
        issues.iter().any(|i| i["severity"] == "incomplete"
            && i["path"].as_str().is_some_and(|p| p.contains("app.log.gz"))),
        "{doc:#}"
    );
}

/// A jar in the tree is opened member by member, as in a layer (before: its deflated bytes
/// were scanned raw and the secret was missed).
#[test]
fn a_nested_jar_is_opened() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("app/lib")).unwrap();
    let props = format!("github.token={TOKEN}\n");
    let inner = jar(&[("BOOT-INF/classes/application.properties", props.as_bytes())]);
    fs::write(dir.path().join("app/lib/app.jar"), jar(&[("BOOT-INF/lib/inner.jar", &inner)]))
        .unwrap();
    let (code, doc) = json(&["scan-fs", "--format", "json", s(dir.path())]);
    assert_eq!(code, Some(1), "{doc:#}");
    assert_eq!(doc["findings"][0]["rule_id"], "layerleak.github.1", "{doc:#}");
    assert_eq!(
        doc["findings"][0]["locations"][0]["path"],
        format!(
            "{}/app/lib/app.jar!/BOOT-INF/lib/inner.jar!/BOOT-INF/classes/application.properties",
            s(dir.path())
        )
    );
}

/// A UTF-16 file is scanned through its UTF-8 view (before: its NUL-interleaved bytes
/// matched nothing).
#[test]
fn a_utf16_file_is_decoded() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("settings.txt"), utf16le(&format!("GITHUB_TOKEN={TOKEN}\r\n")))
        .unwrap();
    let (code, doc) = json(&["scan-fs", "--format", "json", s(dir.path())]);
    assert_eq!(code, Some(1), "{doc:#}");
    let loc = &doc["findings"][0]["locations"][0];
    assert_eq!(loc["text_encoding"], "utf-16le", "{doc:#}");
    assert_eq!(loc["offset"], 13);
}
