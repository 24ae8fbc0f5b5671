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
