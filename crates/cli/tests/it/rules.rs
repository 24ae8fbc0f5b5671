//! `layerleak rules …`.

use std::fs;

use crate::common::{run, stdout};

#[test]
fn rules_check_builtins_passes() {
    let o = run(&["rules", "check", "--warnings-as-errors"]);
    let out = stdout(&o);
    assert!(o.status.success(), "{out}");
    let summary = out.lines().last().expect("a summary line");
    assert!(summary.contains(": 0 errors, 0 warnings"), "{summary}");
}

/// The full rule list, so that any rule change shows up in review.
#[test]
fn rules_list_json() {
    let o = run(&["rules", "list", "--format", "json"]);
    assert!(o.status.success());
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON");
    insta::assert_json_snapshot!(json);
}

#[test]
fn rules_check_reports_every_problem_and_fails() {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::write(
        dir.path().join("demo.toml"),
        r#"
[[rules]]
id = "layerleak.demo.1"
name = "Demo"
pattern = 'demo_[a-z]+'
keywords = ["demo_"]
examples = ["demo_abc"]

[[rules]]
id = "layerleak.demo.2"
name = "Demo two"
pattern = 'x(?P<secret>[0-9]{4})'
keywords = ["x"]
examples = ["no digits here x"]
negative_examples = ["x1234"]
"#,
    )
    .expect("write");
    let o = run(&["rules", "check", "--rules-dir", dir.path().to_str().expect("utf-8 temp path")]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains("layerleak.demo.1 (demo.toml): pattern match length is unbounded"),
        "{out}"
    );
    assert!(out.contains("layerleak.demo.2 (demo.toml): example 0 yields no match"), "{out}");
    assert!(out.contains("layerleak.demo.2 (demo.toml): negative example 0 matches"), "{out}");
    assert!(out.contains("shorter than 3 bytes"), "{out}");
}

#[test]
fn unreadable_rules_dir_is_a_clear_error() {
    let o = run(&["rules", "list", "--rules-dir", "/nonexistent/rules"]);
    assert_eq!(o.status.code(), Some(2));
    let err = crate::common::stderr(&o);
    assert!(err.contains("/nonexistent/rules"), "{err}");
}

/// `rules list` lists the built-in rules after the provider rules and ends with the
/// coverage by category and the totals, which the README quotes.
#[test]
fn rules_list_shows_builtin_rules_coverage_and_the_readme_counts() {
    let o = run(&["rules", "list"]);
    assert!(o.status.success());
    let out = stdout(&o);
    let line = |id: &str| out.lines().find(|l| l.starts_with(id)).unwrap_or_default().to_owned();
    assert!(
        line("layerleak.path.2 ").ends_with("Credentials in an .npmrc (built-in path rule)"),
        "{out}"
    );
    assert!(line("layerleak.env.1 ").contains("(built-in secret_name rule)"), "{out}");
    let category = |name: &str| {
        let l = out.lines().find(|l| l.split_whitespace().next() == Some(name)).unwrap_or_default();
        l.split_whitespace()
            .skip(1)
            .map(|n| n.parse::<usize>().expect("counts"))
            .collect::<Vec<_>>()
    };
    // `file` tags the nine path rules, all under the provider `path`.
    assert_eq!(category("file"), [9, 1], "{out}");
    assert!(category("private-key")[0] > 9, "{out}");
    let totals = out.lines().last().expect("a totals line");
    let (all, rest) = totals.split_once(" rules: ").expect("totals");
    let (provider_rules, rest) = rest.split_once(" provider rules from ").expect("totals");
    let (providers, rest) = rest.split_once(" providers, ").expect("totals");
    assert_eq!(rest, "10 built-in rules", "{totals}");
    let readme = fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"))
        .expect("README.md");
    let claim = format!(
        "catalogue of {all} rules ({provider_rules} provider rules from {providers}\nproviders, 10 built-in rules;"
    );
    assert!(readme.contains(&claim), "README.md should say: {claim:?}");
}

/// `--rules-dir` replaces the provider rules; the built-in rules stay (and are checked).
#[test]
fn rules_dir_keeps_the_builtin_rules() {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::write(
        dir.path().join("demo.toml"),
        r#"
[[rules]]
id = "layerleak.demo.1"
name = "Demo"
pattern = '\b(?P<secret>demo_[a-z0-9]{20})\b'
keywords = ["demo_"]
references = ["https://example.com/demo"]
examples = ["token = demo_q8w2m4k7z1x9c3v5b6n0"]
negative_examples = ["demo_short"]
"#,
    )
    .expect("write");
    let dir = dir.path().to_str().expect("utf-8 temp path");
    let o = run(&["rules", "list", "--rules-dir", dir]);
    let out = stdout(&o);
    assert!(out.contains("layerleak.demo.1"), "{out}");
    assert!(out.contains("layerleak.path.9"), "{out}");
    assert!(!out.contains("layerleak.github.1"), "{out}");
    assert!(
        out.ends_with("11 rules: 1 provider rules from 1 providers, 10 built-in rules\n"),
        "{out}"
    );
    let o = run(&["rules", "check", "--rules-dir", dir]);
    let out = stdout(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("1 rule files, 1 rules and 10 built-in rules ok: 0 errors"), "{out}");
}
