//! `layerleak scan`: scan a container image (on disk or in a local engine), report, and gate.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context as _, Result};
use layerleak_engine::Scanner;
use layerleak_image::PlatformSelector;
use layerleak_report::{Gate, Gated, Redactor, RuleDoc, Summary};
use layerleak_scan::{Pipeline, ReportSink, ScanOptions, ScanOutcome};

use crate::args::ScanArgs;
use crate::output::ScanFormat;

pub(crate) fn run(args: &ScanArgs) -> Result<ExitCode> {
    let started = Instant::now();
    let scanner = crate::rule_loading::scanner(args.rules_dir.as_deref())?;
    // Every string printed or written from here on goes through this one redactor.
    let mut redactor = crate::scrub::redactor(&scanner, args.output.redaction(), &args.target);
    let result = scan(args, scanner, &mut redactor, started);
    result.map_err(|e| crate::scrub::error(e, &redactor))
}

/// Scans, reports and gates; `redactor` learns the registry password and the findings'
/// secrets as soon as they are known.
fn scan(
    args: &ScanArgs,
    scanner: Scanner,
    redactor: &mut Redactor,
    started: Instant,
) -> Result<ExitCode> {
    let platform = match (&args.platform, args.all_platforms) {
        (_, true) => PlatformSelector::All,
        (Some(p), false) => PlatformSelector::Only(p.clone()),
        (None, false) => PlatformSelector::Default,
    };
    let mut options = ScanOptions::new().with_workers(args.jobs.unwrap_or(0));
    if let Some(progress) = args.terminal.progress() {
        options = options.with_progress(progress);
    }
    let rules = RuleDoc::all(scanner.rules());
    let target = crate::target::Target::parse(&args.target)?;
    let (registry, password) = args.registry.options()?;
    *redactor = std::mem::take(redactor).with_credentials(&password);
    // The baseline and ignore file are read before anything is scanned, so a wrong path or
    // a malformed file fails at once rather than after a long scan.
    let (mut gate, messages) = args.gate.load()?;
    for m in &messages {
        args.terminal.say(redactor, m);
    }
    let pipeline = Pipeline::new(scanner, options);
    // Made before the scan, so a wrong --output path fails at once.
    let mut reporter = args.output.reporter(rules, redactor.clone())?;
    let (outcome, gated, summary) = if args.output.streams() && args.gate.write_baseline.is_none() {
        // Each image is written as soon as it is complete. (A baseline to write needs every
        // finding first, so that case reports at the end.)
        let mut sink = ReportSink::new(reporter.as_mut(), target.display()).with_gate(&gate);
        let mut outcome = target.scan(&pipeline, &platform, &registry, &mut sink)?;
        learn(redactor, &outcome);
        let (gated, summary) = apply_gate(&gate, &mut outcome, args, redactor);
        sink.finish(&summary).context("failed to write the report")?;
        (outcome, gated, summary)
    } else {
        let mut outcome = target.scan(&pipeline, &platform, &registry, &mut ())?;
        learn(redactor, &outcome);
        if let Some(m) = args.gate.write_baseline(&mut gate, &outcome.findings, redactor)? {
            args.terminal.say(redactor, &m);
        }
        let (gated, summary) = apply_gate(&gate, &mut outcome, args, redactor);
        outcome
            .report_with_summary(&target.display(), &summary, reporter.as_mut())
            .context("failed to write the report")?;
        (outcome, gated, summary)
    };
    let exit = gated.exit_code(summary.complete);
    args.terminal.summary(redactor, &outcome, &gated, &summary, started.elapsed(), exit);
    Ok(ExitCode::from(exit))
}

/// Teaches `redactor` every secret of `outcome` (suppressed findings' too: a baseline hides
/// a finding, not its value where something else echoes it).
fn learn(redactor: &mut Redactor, outcome: &ScanOutcome) {
    *redactor = std::mem::take(redactor).with_secrets(outcome.findings.iter().map(|f| &f.secret));
}

/// Leaves in `outcome` only the findings `gate` does not suppress (listing the others in
/// verbose mode); returns the gated findings and the run's summary.
fn apply_gate(
    gate: &Gate,
    outcome: &mut ScanOutcome,
    args: &ScanArgs,
    redactor: &Redactor,
) -> (Gated, Summary) {
    let gated = gate.apply(std::mem::take(&mut outcome.findings));
    for (f, why) in &gated.suppressed {
        args.terminal.suppressed(redactor, f, why);
    }
    for f in &gated.findings {
        if let Some(why) = f.public_reason() {
            args.terminal.public(redactor, f, &why);
        }
    }
    outcome.findings.clone_from(&gated.findings);
    // The text report is for people: public findings (which do not gate) are listed only
    // with --verbose; machine formats always carry them, with their origin.
    if args.output.format == ScanFormat::Text && !args.terminal.verbose {
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
