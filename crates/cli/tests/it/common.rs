//! Running the binary under test.

use std::process::{Command, Output};

/// The binary: `LAYERLEAK_TEST_PROGRAM` if set (to test a prebuilt release), else the one
/// cargo built for this test run.
pub(crate) fn layerleak() -> Command {
    let program = std::env::var_os("LAYERLEAK_TEST_PROGRAM")
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_layerleak").into());
    let mut cmd = Command::new(program);
    cmd.env("NO_COLOR", "1");
    cmd
}

/// Runs `args` and returns the output.
pub(crate) fn run(args: &[&str]) -> Output {
    layerleak().args(args).output().expect("the binary runs")
}

pub(crate) fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Scans `path` (plus `extra` arguments) as text and as JSON without `--show-secrets` and
/// asserts exit code `code` and that none of the raw `secrets` appears on stdout or stderr.
/// (Callers show the check is meaningful: their `--show-secrets` scan reports the raw
/// values.)
pub(crate) fn assert_redacted(path: &std::path::Path, extra: &[&str], code: i32, secrets: &[&str]) {
    let path = path.to_str().unwrap();
    for format in ["text", "json"] {
        let mut args = vec!["scan", path, "--format", format];
        args.extend_from_slice(extra);
        let o = run(&args);
        assert_eq!(o.status.code(), Some(code), "{args:?}: {}", stderr(&o));
        let all = format!("{}{}", stdout(&o), stderr(&o));
        for secret in secrets {
            assert!(!all.contains(secret), "{args:?}: {secret} leaked:\n{all}");
        }
    }
}
