//! The CI gate: exit codes, `--fail-on`, baselines, the ignore file, the stderr summary,
//! colour.

use std::process::Output;

use serde_json::Value;

use crate::common::{layerleak, stderr, stdout};
use crate::fixtures::{E, LayerBlob, config, layer, oci_dir, simple_history};
use crate::report_formats::{GH, LOW, NPM, image, image_config, layers, redact_tmp, scan};

const NEW_SECRET: &str = "glpat-iz0etUbL9WoRBX2IaQYO";

fn findings(o: &Output) -> Vec<Value> {
    let doc: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(o), stderr(o)));
    doc["findings"].as_array().unwrap().clone()
}

/// The closing summary line, with its timing replaced.
fn summary_line(o: &Output) -> String {
    let err = stderr(o);
    let line =
        err.lines().find(|l| l.starts_with("layerleak: ")).unwrap_or_else(|| panic!("{err}"));
    let (head, tail) = line.split_once(" in ").unwrap();
    let tail = tail.split_once(" s; ").unwrap().1;
    format!("{head} in [TIME] s; {tail}")
}

#[test]
fn baseline_round_trip_fails_only_on_new_secrets() {
    let dir = image();
    let baseline = dir.path().join("baseline.json");
    let b = baseline.to_str().unwrap();
    let o = scan(dir.path(), &["--format", "json", "--write-baseline", b]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "writing a baseline accepts what it holds: {}",
        stderr(&o)
    );
    let text = std::fs::read_to_string(&baseline).unwrap();
    let written: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(written["version"], 1);
    assert_eq!(written["findings"].as_array().unwrap().len(), 5);
    for secret in [GH, NPM, LOW] {
        assert!(!text.contains(secret), "the baseline holds {secret}");
    }

    let o = scan(dir.path(), &["--format", "json", "--baseline", b]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(findings(&o).is_empty());
    assert!(
        summary_line(&o).contains("suppressed 5 by baseline, 0 by ignore file"),
        "{}",
        stderr(&o)
    );

    // The same image plus one new secret in a new layer.
    let mut more = layers();
    more.push(LayerBlob::plain(layer(vec![E::File(
        "srv/new.txt",
        NEW_SECRET.as_bytes().to_vec(),
    )])));
    let grown = oci_dir(&image_config(&more), &more);
    let o = scan(grown.path(), &["--format", "json", "--show-secrets", "--baseline", b]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let found = findings(&o);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0]["secret"], NEW_SECRET);
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["summary"]["suppressed_by_baseline"], 5);
}

#[test]
fn a_bad_baseline_is_a_clear_error() {
    let dir = image();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"version\": 1,\n \"findings\": [{\"fingerprint\": 7}]}").unwrap();
    let o = scan(dir.path(), &["--baseline", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = redact_tmp(&stderr(&o), dir.path());
    assert!(
        err.contains("cannot use the baseline [TMP]/bad.json") && err.contains("line 2"),
        "{err}"
    );
}

#[test]
fn a_missing_baseline_fails_before_the_scan_and_says_how_to_make_one() {
    let dir = image();
    let missing = dir.path().join("baseline.json");
    // Nothing listens on port 1: had the image been pulled first, this would be a
    // connection error instead.
    let o = layerleak()
        .args(["scan", "registry:127.0.0.1:1/app:1", "--registry-retries", "0", "--baseline"])
        .arg(&missing)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = redact_tmp(&stderr(&o), dir.path());
    assert!(
        err.contains(
            "the baseline [TMP]/baseline.json does not exist: create it with `layerleak scan \
             IMAGE --write-baseline [TMP]/baseline.json`"
        ),
        "{err}"
    );
}

#[test]
fn ignore_file_entries_apply_until_they_expire() {
    let dir = image();
    let fingerprint = |o: &Output, secret_head: &str| -> String {
        findings(o).iter().find(|f| f["secret"].as_str().unwrap().starts_with(secret_head)).unwrap()
            ["fingerprint"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let o = scan(dir.path(), &["--format", "json"]);
    let npm = fingerprint(&o, "npm_");
    std::fs::write(
        dir.path().join(".layerleakignore"),
        format!(
            "# accepted findings\n\
             [[ignore]]\n\
             rule = \"layerleak.generic.2\"\n\
             path = \"/etc/*.conf\"\n\
             reason = \"test fixture password\"\n\
             expires = 2999-12-31\n\
             \n\
             [[ignore]]\n\
             fingerprint = \"{npm}\"\n\
             reason = \"rotated already\"\n\
             expires = 2020-01-31\n\
             \n\
             [[ignore]]\n\
             rule = \"layerleak.github.1\"\n"
        ),
    )
    .unwrap();
    let o = scan(dir.path(), &["--format", "json", "-v"]);
    assert_eq!(o.status.code(), Some(1));
    let rules: Vec<String> =
        findings(&o).iter().map(|f| f["rule_id"].as_str().unwrap().to_owned()).collect();
    let rules: Vec<&str> = rules.iter().map(String::as_str).collect();
    assert!(rules.contains(&"layerleak.npm.1"), "an expired entry no longer suppresses: {rules:?}");
    assert!(
        !rules.contains(&"layerleak.generic.2") && !rules.contains(&"layerleak.github.1"),
        "{rules:?}"
    );
    let err = stderr(&o);
    assert!(
        err.contains(
            "warning: .layerleakignore:8: ignore entry expired on 2020-01-31; it no longer applies (reason: rotated already)"
        ),
        "{err}"
    );
    assert!(err.contains("(ignore entry at line 2: test fixture password)"), "{err}");
    assert!(summary_line(&o).contains("suppressed 0 by baseline, 2 by ignore file"), "{err}");

    // -q keeps the warning, drops the rest.
    let o = scan(dir.path(), &["--format", "json", "-q"]);
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));

    // --ignore-file elsewhere; a malformed file names its line.
    let other = dir.path().join("other.toml");
    std::fs::write(&other, "[[ignore]]\nrule = \"x\"\n\n[[ignore]]\nreason = \"no matcher\"\n")
        .unwrap();
    let o = scan(dir.path(), &["--ignore-file", other.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = redact_tmp(&stderr(&o), dir.path());
    insta::assert_snapshot!(err, @"error: invalid ignore file [TMP]/other.toml: line 4: an [[ignore]] entry needs at least one of `rule`, `path` or `fingerprint`");
}

#[test]
fn fail_on_high_passes_a_low_finding_but_still_reports_it() {
    let layers = [LayerBlob::plain(layer(vec![E::File(
        "etc/app.conf",
        format!("password={LOW}\n").into_bytes(),
    )]))];
    let dir = oci_dir(
        &config("linux/amd64", &[], serde_json::json!({}), simple_history(1), &layers),
        &layers,
    );
    let o = scan(dir.path(), &["--format", "json", "--fail-on", "high"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let found = findings(&o);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["confidence"], "low");
    assert!(summary_line(&o).contains(
        "1 finding (1 in the final image, 0 only in history), 0 at or above --fail-on high"
    ));
    let o = scan(dir.path(), &["--format", "json", "--fail-on", "low"]);
    assert_eq!(o.status.code(), Some(1));
    let o = scan(dir.path(), &["--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "the default fails on every finding");
}

#[test]
fn an_unreadable_layer_exits_2_even_with_findings_and_a_baseline() {
    let mut layers = layers();
    let gone = LayerBlob::plain(layer(vec![E::File("opt/x", b"harmless\n".to_vec())]));
    layers.push(gone.clone());
    let dir = oci_dir(&image_config(&layers), &layers);
    let hex = crate::fixtures::sha256_hex(&gone.stored);
    std::fs::write(dir.path().join("blobs/sha256").join(hex), b"not the layer").unwrap();
    let o = scan(dir.path(), &["--format", "json"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(findings(&o).len(), 5, "the readable layers are still reported");
    let baseline = dir.path().join("b.json");
    let o =
        scan(dir.path(), &["--write-baseline", baseline.to_str().unwrap(), "--fail-on", "high"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let line = redact_tmp(&summary_line(&o), dir.path());
    insta::assert_snapshot!(line, @"layerleak: sha256:afae91831881a86c7b72111a130847c9c276d7b337539cb03b55ccbfc3ecd652 (linux/amd64): 3 layers, 3 blobs, 156 B in [TIME] s; 0 findings (0 in the final image, 0 only in history), 0 at or above --fail-on high; suppressed 5 by baseline, 0 by ignore file; scan incomplete (1 issue); exit 2");
}

#[test]
fn closing_summary_line() {
    let dir = image();
    let o = scan(
        dir.path(),
        &["--fail-on", "medium", "-o", dir.path().join("r.txt").to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(1));
    insta::assert_snapshot!(summary_line(&o), @"layerleak: sha256:47543c8c7e9794c8bbafaf3f188982aed7ebf60c0581c9bf2cd4de9b51b11219 (linux/amd64): 2 layers, 2 blobs, 156 B in [TIME] s; 5 findings (4 in the final image, 1 only in history), 4 at or above --fail-on medium; suppressed 0 by baseline, 0 by ignore file; scan complete; exit 1");
}

/// Runs the scan under a pseudo-terminal (`script` from util-linux) so stdout is a TTY.
fn scan_on_a_tty(dir: &std::path::Path, no_color: Option<&str>) -> String {
    let program = std::env::var_os("LAYERLEAK_TEST_PROGRAM")
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_layerleak").into());
    // stderr (progress bars, the summary line) is discarded: only the report is checked.
    let command =
        format!("{} scan {} 2>/dev/null", program.to_str().unwrap(), dir.to_str().unwrap());
    let mut cmd = std::process::Command::new("script");
    cmd.args(["-qec", &command, "/dev/null"]).current_dir(dir).env_remove("NO_COLOR");
    if let Some(v) = no_color {
        cmd.env("NO_COLOR", v);
    }
    let o = cmd.output().expect("script (util-linux) runs");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    stdout(&o)
}

#[test]
fn colour_only_on_a_terminal_and_never_with_no_color() {
    let dir = image();
    let tty = scan_on_a_tty(dir.path(), None);
    assert!(tty.contains("\x1b["), "colour on a terminal:\n{tty}");
    assert!(tty.contains("HIGH"));
    let plain = scan_on_a_tty(dir.path(), Some("1"));
    assert!(!plain.contains("\x1b["), "NO_COLOR honoured:\n{plain}");
    assert!(plain.contains("1. HIGH "), "{plain}");
}
