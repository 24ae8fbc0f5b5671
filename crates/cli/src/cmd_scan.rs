//! `layerleak scan`: scan a container image on disk or in a local container engine.

use std::{
    fs::File,
    io::{self, BufWriter, Write},
    process::ExitCode,
};

use anyhow::{Context as _, Result};
use layerleak_image::PlatformSelector;
use layerleak_report::{JsonReporter, Redaction, Reporter, Severity, TextReporter};
use layerleak_scan::{Pipeline, ScanOptions};

use crate::args::{ScanArgs, ScanFormat};

pub(crate) fn run(args: &ScanArgs) -> Result<ExitCode> {
    let scanner = crate::rule_loading::scanner(args.rules_dir.as_deref())?;
    let platform = match (&args.platform, args.all_platforms) {
        (_, true) => PlatformSelector::All,
        (Some(p), false) => PlatformSelector::Only(p.clone()),
        (None, false) => PlatformSelector::Default,
    };
    let options = ScanOptions::new().with_workers(args.jobs.unwrap_or(0));
    let pipeline = Pipeline::new(scanner, options);
    let outcome = match crate::engine::EngineTarget::resolve(&args.path) {
        Some(image) => image.scan(&pipeline, &platform)?,
        None => pipeline.scan_path(&args.path, &platform)?,
    };

    let redaction = if args.show_secrets { Redaction::Show } else { Redaction::Redact };
    let out: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(BufWriter::new(
            File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => Box::new(io::stdout().lock()),
    };
    let mut reporter: Box<dyn Reporter> = match args.format {
        ScanFormat::Text => Box::new(TextReporter::new(out, redaction)),
        ScanFormat::Json => Box::new(JsonReporter::new(out, redaction)),
    };
    let target = args.path.display().to_string();
    outcome.report(&target, reporter.as_mut()).context("failed to write the report")?;
    if args.output.is_some() || args.format == ScanFormat::Json {
        let mut err = io::stderr().lock();
        writeln!(
            err,
            "{} findings, {} issues, {} notices; scan {}",
            outcome.findings.len(),
            outcome.count(Severity::Incomplete),
            outcome.count(Severity::Notice),
            if outcome.is_complete() { "complete" } else { "incomplete" }
        )?;
    }
    Ok(ExitCode::from(outcome.exit_code()))
}
