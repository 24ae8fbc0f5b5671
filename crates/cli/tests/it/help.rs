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

#[test]
fn completions_and_man_page_come_from_the_clap_definition() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let o = run(&["completions", shell]);
        assert!(o.status.success(), "{shell}");
        let script = stdout(&o);
        // Long options appear as `--fail-on`, or `-l fail-on` (fish).
        assert!(script.contains("fail-on") && script.contains("write-baseline"), "{shell}");
    }
    let o = run(&["man"]);
    assert!(o.status.success());
    let page = stdout(&o);
    assert!(page.contains(".TH layerleak 1") && page.contains("completions"), "{page}");
    let dir = tempfile::tempdir().unwrap();
    let o = run(&["man", "--out-dir", dir.path().to_str().unwrap()]);
    assert!(o.status.success());
    let scan = std::fs::read_to_string(dir.path().join("layerleak-scan.1")).unwrap();
    assert!(scan.contains("fail\\-on") && scan.contains("Exit codes"), "{scan}");
}
