//! Running the binary as a hostile input would have it run: under a virtual-memory cap and a
//! hard time limit, with its peak resident memory measured. Uses util-linux's `prlimit`,
//! coreutils' `timeout` and GNU `time` (Debian's `time` package), which `.ci/run` installs.

use std::process::{Command, Output};
use std::time::Duration;

/// The ceiling the project promises for peak resident memory on any input.
pub(crate) const MAX_RSS_KIB: u64 = 128 * 1024;

/// Address-space cap: a safety net so that a regression fails the test instead of the
/// machine. Generous, since threads reserve address space they never touch; the real check
/// is [`MAX_RSS_KIB`] on the measured peak.
const ADDRESS_SPACE_CAP: u64 = 4 << 30;

/// What one capped run gave.
#[derive(Debug)]
pub(crate) struct Capped {
    /// The binary's output (stdout and stderr).
    pub(crate) output: Output,
    /// The exit code; `None` when it was killed (time limit, memory cap).
    pub(crate) code: Option<i32>,
    /// Peak resident set size in KiB, as GNU `time` measured it (0 if it did not say).
    pub(crate) peak_rss_kib: u64,
    /// Whether the time limit killed it.
    pub(crate) timed_out: bool,
}

impl Capped {
    /// Asserts the run ended by itself, with exit code `code`, within [`MAX_RSS_KIB`].
    #[track_caller]
    pub(crate) fn assert_bounded(&self, code: i32, what: &str) {
        let stderr = String::from_utf8_lossy(&self.output.stderr);
        assert!(!self.timed_out, "{what}: still running at the time limit\n{stderr}");
        assert_eq!(self.code, Some(code), "{what}: exit code\n{stderr}");
        assert!(self.peak_rss_kib > 0, "{what}: GNU time did not report the peak RSS");
        assert!(
            self.peak_rss_kib <= MAX_RSS_KIB,
            "{what}: peak RSS {} KiB over {} KiB\n{stderr}",
            self.peak_rss_kib,
            MAX_RSS_KIB
        );
    }
}

/// Runs `layerleak args…` with at most `limit` of wall time and [`ADDRESS_SPACE_CAP`] of
/// address space, measuring its peak RSS.
pub(crate) fn run_capped(args: &[&str], limit: Duration) -> Capped {
    run_capped_env(args, &[], limit)
}

/// [`run_capped`] with extra environment variables (credentials, `DOCKER_CONFIG`).
pub(crate) fn run_capped_env(args: &[&str], env: &[(&str, &str)], limit: Duration) -> Capped {
    let program = std::env::var_os("LAYERLEAK_TEST_PROGRAM")
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_layerleak").into());
    let rss_file = tempfile::NamedTempFile::new().expect("a temporary file");
    let output = Command::new("prlimit")
        .arg(format!("--as={ADDRESS_SPACE_CAP}"))
        .arg("--")
        .args(["timeout", "--signal=KILL"])
        .arg(format!("{}s", limit.as_secs().max(1)))
        .args(["/usr/bin/time", "--format=%M", "--output"])
        .arg(rss_file.path())
        .arg(&program)
        .args(args)
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .output()
        .expect("prlimit, timeout and /usr/bin/time run (util-linux, coreutils, time)");
    let peak_rss_kib = std::fs::read_to_string(rss_file.path())
        .ok()
        .and_then(|s| s.lines().rev().find_map(|l| l.trim().parse().ok()))
        .unwrap_or(0);
    // `timeout --signal=KILL` exits 137 when it had to kill; GNU time reports a child killed
    // by a signal as 128 + the signal.
    let timed_out = output.status.code() == Some(137);
    let code = match output.status.code() {
        Some(c) if c >= 128 => None,
        c => c,
    };
    Capped { output, code, peak_rss_kib, timed_out }
}

#[test]
fn a_capped_run_reports_exit_code_and_peak_rss() {
    let run = run_capped(&["--version"], Duration::from_secs(30));
    run.assert_bounded(0, "--version");
    assert!(String::from_utf8_lossy(&run.output.stdout).contains("layerleak"));
}
