//! The report and gate flags `scan` and `scan-fs` share, and what they drive once the
//! scan is done: gate, report, summary line, exit code.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context as _, Result};
use clap::Args;
use layerleak_report::{Gate, Gated, Redactor, RuleDoc, Summary};
use layerleak_scan::{ImageSink, ReportSink, ScanOutcome};

use crate::output::ScanFormat;
use crate::terminal::Scanned;

/// Where and how to report, when to fail, and what to say on stderr.
#[derive(Args, Debug)]
pub(crate) struct ReportArgs {
    #[command(flatten)]
    pub(crate) output: crate::output::OutputArgs,
    #[command(flatten)]
    pub(crate) gate: crate::gate::GateArgs,
    #[command(flatten)]
    pub(crate) terminal: crate::terminal::TerminalArgs,
}

impl ReportArgs {
    /// Runs `scan` (which gives each image or tree to the sink as it completes), then
    /// gates, reports and prints the summary line; returns the exit code. `target` names
    /// what was scanned in the report; `redactor` learns the findings' secrets as soon as
    /// they are known.
    pub(crate) fn run(
        &self,
        rules: Vec<RuleDoc>,
        redactor: &mut Redactor,
        target: &str,
        kind: Scanned,
        started: Instant,
        scan: impl FnOnce(&mut dyn ImageSink) -> Result<ScanOutcome>,
    ) -> Result<ExitCode> {
        // The baseline and ignore file are read before anything is scanned, so a wrong
        // path or a malformed file fails at once rather than after a long scan.
        let (mut gate, messages) = self.gate.load()?;
        for m in &messages {
            self.terminal.say(redactor, m);
        }
        // Made before the scan, so a wrong --output path fails at once.
        let mut reporter = self.output.reporter(rules, redactor.clone())?;
        let (outcome, gated, summary) = if self.output.streams()
            && self.gate.write_baseline.is_none()
        {
            // Each image is written as soon as it is complete. (A baseline to write
            // needs every finding first, so that case reports at the end.)
            let mut sink = ReportSink::new(reporter.as_mut(), target.to_owned()).with_gate(&gate);
            let mut outcome = scan(&mut sink)?;
            learn(redactor, &outcome);
            let (gated, summary) = self.apply_gate(&gate, &mut outcome, redactor);
            sink.finish(&summary).context("failed to write the report")?;
            (outcome, gated, summary)
        } else {
            let mut outcome = scan(&mut ())?;
            learn(redactor, &outcome);
            if let Some(m) = self.gate.write_baseline(&mut gate, &outcome.findings, redactor)? {
                self.terminal.say(redactor, &m);
            }
            let (gated, summary) = self.apply_gate(&gate, &mut outcome, redactor);
            outcome
                .report_with_summary(target, &summary, reporter.as_mut())
                .context("failed to write the report")?;
            (outcome, gated, summary)
        };
        let exit = gated.exit_code(summary.complete);
        self.terminal.summary(redactor, kind, &outcome, &gated, &summary, started.elapsed(), exit);
        Ok(ExitCode::from(exit))
    }

    /// Leaves in `outcome` only the findings `gate` does not suppress (listing the others
    /// in verbose mode); returns the gated findings and the run's summary.
    fn apply_gate(
        &self,
        gate: &Gate,
        outcome: &mut ScanOutcome,
        redactor: &Redactor,
    ) -> (Gated, Summary) {
        let gated = gate.apply(std::mem::take(&mut outcome.findings));
        for (f, why) in &gated.suppressed {
            self.terminal.suppressed(redactor, f, why);
        }
        for f in &gated.findings {
            if let Some(why) = f.public_reason() {
                self.terminal.public(redactor, f, &why);
            }
        }
        outcome.findings.clone_from(&gated.findings);
        // The text report is for people: public findings (which do not gate) are listed
        // only with --verbose; machine formats always carry them, with their origin.
        if self.output.format == ScanFormat::Text && !self.terminal.verbose {
            outcome.findings.retain(|f| f.public_reason().is_none());
        }
        let summary = Summary {
            suppressed_by_baseline: gated.suppressed_by_baseline,
            suppressed_by_ignore: gated.suppressed_by_ignore,
            public: gated.public(),
            ..outcome.summary()
        };
        (gated, summary)
    }
}

/// Teaches `redactor` every secret of `outcome` (suppressed findings' too: a baseline hides
/// a finding, not its value where something else echoes it).
fn learn(redactor: &mut Redactor, outcome: &ScanOutcome) {
    *redactor = std::mem::take(redactor).with_secrets(outcome.findings.iter().map(|f| &f.secret));
}
