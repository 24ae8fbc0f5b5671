//! `layerleak scan`: scan a container image on disk or in a local container engine.

use std::{
    fs::File,
    io::{self, BufWriter, Write},
    process::ExitCode,
};

use anyhow::{Context as _, Result};
use layerleak_image::PlatformSelector;
use layerleak_report::{JsonReporter, Redaction, Reporter, TextReporter};
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
    let target = crate::target::Target::parse(&args.target)?;
    let outcome = target.scan(&Pipeline::new(scanner, options), &platform, &args.registry)?;

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
    let target = target.display();
    outcome.report(&target, reporter.as_mut()).context("failed to write the report")?;
    if args.output.is_some() || args.format == ScanFormat::Json {
        let mut err = io::stderr().lock();
        writeln!(
            err,
            "{} findings, {} issues; scan {}",
            outcome.findings.len(),
            outcome.issues.len(),
            if outcome.is_complete() { "complete" } else { "incomplete" }
        )?;
    }
    Ok(ExitCode::from(outcome.exit_code()))
}
