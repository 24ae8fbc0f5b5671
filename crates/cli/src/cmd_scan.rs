//! `layerleak scan`: scan a container image (on disk or in a local engine), report, and gate.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::Result;
use layerleak_engine::Scanner;
use layerleak_image::PlatformSelector;
use layerleak_report::Redactor;
use layerleak_scan::{Pipeline, ScanOptions};

use crate::args::ScanArgs;
use crate::terminal::Scanned;

pub(crate) fn run(args: &ScanArgs) -> Result<ExitCode> {
    let started = Instant::now();
    let scanner = crate::rule_loading::scanner(args.rules_dir.as_deref())?;
    // Every string printed or written from here on goes through this one redactor.
    let mut redactor =
        crate::scrub::redactor(&scanner, args.report.output.redaction(), &args.target);
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
    if let Some(progress) = args.report.terminal.progress() {
        options = options.with_progress(progress);
    }
    let rules = crate::rule_loading::docs(&scanner);
    let target = crate::target::Target::parse(&args.target)?;
    let (registry, password) = args.registry.options()?;
    *redactor = std::mem::take(redactor).with_credentials(&password);
    let pipeline = Pipeline::new(scanner, options);
    args.report.run(rules, redactor, &target.display(), Scanned::Images, started, |sink| {
        target.scan(&pipeline, &platform, &registry, sink)
    })
}
