//! Findings of token formats with a built-in checksum say whether it verified, so a
//! low-confidence finding explains itself (a newcomer's stumble: a made-up `ghp_` token came
//! out LOW with no reason given, and `--fail-on medium` let it through).

use serde_json::{Value, json};

use crate::common::{stderr, stdout};
use crate::fixtures::{E, LayerBlob, config, layer, oci_dir, simple_history};
use crate::report_formats::{GH, scan};
use crate::schemas::{assert_valid, report_v1};

/// [`GH`] with its last character changed: the token's shape, a wrong CRC-32.
fn made_up() -> String {
    let mut t = GH.to_owned();
    let last = t.pop().unwrap();
    t.push(if last == 'A' { 'B' } else { 'A' });
    t
}

fn image() -> tempfile::TempDir {
    let layers = vec![LayerBlob::gzip(&layer(vec![
        E::File("app/real.yml", format!("token: {GH}\n").into_bytes()),
        E::File("docs/example.md", format!("export GITHUB_TOKEN={}\n", made_up()).into_bytes()),
    ]))];
    let cfg = config("linux/amd64", &["PATH=/usr/bin"], json!({}), simple_history(1), &layers);
    oci_dir(&cfg, &layers)
}

fn finding_at<'a>(report: &'a Value, path: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["locations"][0]["path"] == path)
        .unwrap_or_else(|| panic!("no finding at {path}: {report:#}"))
}

#[test]
fn json_says_whether_the_checksum_verified() {
    let dir = image();
    let o = scan(dir.path(), &["--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let report: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_valid(&report_v1(), &report);
    let real = finding_at(&report, "app/real.yml");
    assert_eq!((&real["confidence"], &real["checksum"]), (&json!("high"), &json!("verified")));
    let fake = finding_at(&report, "docs/example.md");
    assert_eq!((&fake["confidence"], &fake["checksum"]), (&json!("low"), &json!("failed")));
    assert_eq!(report["findings"].as_array().unwrap().len(), 2, "{report:#}");
}

#[test]
fn text_explains_a_low_confidence_from_a_failed_checksum() {
    let dir = image();
    // A failed checksum is not a usable credential: it does not gate, and the text report
    // lists it only with --verbose (counted otherwise).
    let o = scan(dir.path(), &["--format", "text"]);
    assert_eq!(o.status.code(), Some(1), "the real token gates: {}", stderr(&o));
    let text = stdout(&o);
    assert!(!text.contains("docs/example.md"), "{text}");
    assert!(text.contains("1 public finding not listed"), "{text}");
    let o = scan(dir.path(), &["--format", "text", "--fail-on", "medium", "-v"]);
    // Only the real token is at or above medium.
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let text = stdout(&o);
    let fake_block = text
        .split("\n\n")
        .find(|b| b.contains("docs/example.md"))
        .unwrap_or_else(|| panic!("no block for the made-up token:\n{text}"));
    assert!(fake_block.contains("LOW"), "{fake_block}");
    assert!(
        fake_block.contains("checksum:    failed: the value has the token's shape but its built-in checksum is wrong"),
        "{fake_block}"
    );
    assert!(fake_block.contains("not gating:  not a usable credential"), "{fake_block}");
    let real_block = text.split("\n\n").find(|b| b.contains("app/real.yml")).unwrap();
    assert!(real_block.contains("checksum:    verified"), "{real_block}");
    assert!(!text.contains(&made_up()) && !text.contains(GH), "secrets are redacted");
}

#[test]
fn sarif_carries_the_checksum_outcome() {
    let dir = image();
    let o = scan(dir.path(), &["--format", "sarif"]);
    let sarif: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let mut outcomes: Vec<&str> =
        results.iter().map(|r| r["properties"]["checksum"].as_str().unwrap()).collect();
    outcomes.sort_unstable();
    assert_eq!(outcomes, ["failed", "verified"]);
    let fake = results.iter().find(|r| r["properties"]["checksum"] == "failed").unwrap();
    assert!(
        fake["message"]["text"]
            .as_str()
            .unwrap()
            .contains("checksum is wrong, hence the low confidence"),
        "{fake:#}"
    );
}
