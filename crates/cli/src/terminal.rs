//! What `scan` says on stderr: progress bars, notes and the closing summary line.

use std::io::{self, IsTerminal as _, Write as _};
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use layerleak_report::{Finding, Gated, Location, Redactor, Summary};
use layerleak_scan::{Progress, ScanOutcome};

/// What a run scanned, for its summary line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scanned {
    /// Images: layers and blobs.
    Images,
    /// Files and directories on disk (`scan-fs`).
    Trees,
}

#[derive(Args, Debug)]
pub(crate) struct TerminalArgs {
    /// Print nothing on stderr but errors and warnings (no progress, no summary line).
    #[arg(long, short = 'q', conflicts_with = "verbose")]
    pub(crate) quiet: bool,
    /// Also list every suppressed finding (rule, fingerprint, why) and every public one
    /// (origin package or example, or a failed checksum: with package name and version) on
    /// stderr, and list public findings in the text report.
    #[arg(long, short = 'v')]
    pub(crate) verbose: bool,
}

impl TerminalArgs {
    /// Progress bars, when stderr is a terminal and not `--quiet`.
    pub(crate) fn progress(&self) -> Option<Arc<dyn Progress>> {
        (!self.quiet && io::stderr().is_terminal())
            .then(|| Arc::new(crate::progress::Bars::new()) as Arc<dyn Progress>)
    }

    /// A line on stderr: warnings always, notes unless `--quiet`. Redacted by `r`, control
    /// characters escaped.
    pub(crate) fn say(&self, r: &Redactor, line: &str) {
        if !self.quiet || line.starts_with("warning:") {
            let _ = writeln!(io::stderr(), "{}", r.display(line));
        }
    }

    /// With `--verbose`, one line per suppressed finding.
    pub(crate) fn suppressed(&self, r: &Redactor, finding: &Finding, why: &str) {
        if self.verbose {
            self.say(
                r,
                &format!(
                    "suppressed: {} [{}] fingerprint {} ({why})",
                    finding.rule_name, finding.rule_id, finding.fingerprint
                ),
            );
        }
    }

    /// With `--verbose`, one line per public finding: why it does not gate, and where.
    pub(crate) fn public(&self, r: &Redactor, finding: &Finding, why: &str) {
        if !self.verbose {
            return;
        }
        let path = finding
            .locations
            .iter()
            .find_map(|l| match l {
                Location::Layer(l) => Some(format!(" in {}", l.path)),
                Location::File(f) => Some(format!(" in {}", f.path)),
                Location::Config(_) => None,
            })
            .unwrap_or_default();
        // Paths and package names come from the image: `say` redacts and escapes them.
        self.say(
            r,
            &format!(
                "public: {} [{}] fingerprint {}{path} ({why})",
                finding.rule_name, finding.rule_id, finding.fingerprint
            ),
        );
    }

    /// The closing summary line, unless `--quiet`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn summary(
        &self,
        r: &Redactor,
        kind: Scanned,
        outcome: &ScanOutcome,
        gated: &Gated,
        summary: &Summary,
        elapsed: Duration,
        exit: u8,
    ) {
        if !self.quiet {
            self.say(r, &summary_line(kind, outcome, gated, summary, elapsed, exit));
        }
    }
}

/// `layerleak: app:1 (linux/amd64): 3 layers, 2 blobs, 1.2 MiB in 0.4 s; 2 findings (1 in
/// the final image, 1 only in history), 1 at or above --fail-on medium; suppressed 1 by
/// baseline, 0 by ignore file; scan complete; exit 1`. For trees on disk: `layerleak: src:
/// 120 files, 1.2 MiB in 0.4 s; 2 findings, …`.
fn summary_line(
    kind: Scanned,
    outcome: &ScanOutcome,
    gated: &Gated,
    summary: &Summary,
    elapsed: Duration,
    exit: u8,
) -> String {
    let images: Vec<String> = outcome
        .images
        .iter()
        .map(|i| match &i.platform {
            Some(p) => format!("{} ({p})", i.name),
            None => i.name.clone(),
        })
        .collect();
    let layers: usize = outcome.images.iter().map(|i| i.layers).sum();
    let hidden = gated.findings.iter().filter(|f| f.is_hidden_in_history()).count();
    let n = gated.findings.len();
    let public = |kind: &str| {
        gated
            .findings
            .iter()
            .filter(|f| f.public_reason().is_some() && f.origin().kind() == kind)
            .count()
    };
    let public_note = match gated.public() {
        0 => String::new(),
        all => {
            let (package, example) = (public("package"), public("example"));
            format!(
                "; {all} public, {}: {package} package, {example} example, {} failed checksum",
                if gated.gate_public { "gating" } else { "not gating" },
                all - package - example
            )
        }
    };
    let (scanned, where_found) = match kind {
        Scanned::Images => (
            format!(
                "{layers} layer{}, {} blob{}",
                plural(layers),
                summary.blobs_scanned,
                plural(summary.blobs_scanned)
            ),
            format!(" ({} in the final image, {hidden} only in history{public_note})", n - hidden),
        ),
        Scanned::Trees => (
            {
                let files = outcome.files_scanned.unwrap_or_default();
                format!("{files} file{}", plural(files))
            },
            match public_note.strip_prefix("; ") {
                Some(note) => format!(" ({note})"),
                None => String::new(),
            },
        ),
    };
    format!(
        "layerleak: {}: {scanned}, {} in {:.1} s; {n} finding{}{where_found}, {} at or above --fail-on {}; suppressed {} by baseline, {} by ignore file; {}; exit {exit}",
        if images.is_empty() { "no image".to_owned() } else { images.join(", ") },
        human_bytes(summary.bytes_scanned),
        elapsed.as_secs_f64(),
        plural(n),
        gated.failing(),
        gated.fail_on,
        summary.suppressed_by_baseline,
        summary.suppressed_by_ignore,
        if summary.complete {
            "scan complete".to_owned()
        } else {
            format!("scan incomplete ({} issue{})", summary.issues, plural(summary.issues))
        },
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `512 B`, `1.2 KiB`, `3.4 MiB`, `5.6 GiB`.
fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    // Display only: the precision lost converting to f64 is far below one decimal.
    #[allow(clippy::cast_precision_loss)]
    let mut v = n as f64 / 1024.0;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    format!("{v:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::human_bytes;

    #[test]
    fn bytes_read_as_people_expect() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(1023), "1023 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(5 * 1024 * 1024), "5.0 MiB");
    }
}
