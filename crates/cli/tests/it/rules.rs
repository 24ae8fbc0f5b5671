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
