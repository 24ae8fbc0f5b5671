//! Help texts are part of the interface: snapshot them.

use crate::common::{run, stdout};

#[test]
fn top_level_help() {
    let o = run(&["--help"]);
    assert!(o.status.success());
    insta::assert_snapshot!(stdout(&o));
}

#[test]
fn rules_help() {
    let o = run(&["rules", "--help"]);
    assert!(o.status.success());
    insta::assert_snapshot!(stdout(&o));
}

#[test]
fn scan_fs_help() {
    let o = run(&["scan-fs", "--help"]);
    assert!(o.status.success());
    insta::assert_snapshot!(stdout(&o));
}

#[test]
fn scan_help() {
    let o = run(&["scan", "--help"]);
    assert!(o.status.success());
    insta::assert_snapshot!(stdout(&o));
}
