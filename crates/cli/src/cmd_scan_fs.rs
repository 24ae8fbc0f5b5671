//! `layerleak scan-fs`: scan files and directories on disk through the image pipeline's
//! per-file scan, report, and gate.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::Result;
use layerleak_scan::{Pipeline, ScanOptions};

use crate::args::ScanFsArgs;
use crate::terminal::Scanned;

pub(crate) fn run(args: &ScanFsArgs) -> Result<ExitCode> {
    let started = Instant::now();
    let scanner = crate::rule_loading::scanner(args.rules_dir.as_deref())?;
    let target: Vec<String> = args.paths.iter().map(|p| p.display().to_string()).collect();
    let target = target.join(" ");
    // Every string printed or written from here on goes through this one redactor.
    // No registry here: no credentials to learn from the target.
    let mut redactor = crate::scrub::redactor(&scanner, args.report.output.redaction(), "");
    let rules = crate::rule_loading::docs(&scanner);
    let mut options = ScanOptions::new().with_workers(args.jobs.unwrap_or(0));
    if let Some(progress) = args.report.terminal.progress() {
        options = options.with_progress(progress);
    }
    let pipeline = Pipeline::new(scanner, options);
    let result = args.report.run(rules, &mut redactor, &target, Scanned::Trees, started, |sink| {
        Ok(pipeline.scan_tree_to(&args.paths, sink))
    });
    result.map_err(|e| crate::scrub::error(e, &redactor))
}
