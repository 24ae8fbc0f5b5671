//! `layerleak audit`: many images over time, with a layer cache and incidents new / still /
//! gone since the previous run (see `layerleak-audit`).

use std::fmt::Write as _;
use std::io::{IsTerminal as _, Write as _};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context as _, Result};
use layerleak_audit::{
    AuditOptions, AuditReport, Auditor, ImageRecord, IncidentState, Store, StoredLocation,
    TagFilter,
};
use layerleak_image::PlatformSelector;
use layerleak_image::registry::Politeness;
use layerleak_report::{Redaction, Redactor, Secret};
use layerleak_scan::{Pipeline, Progress, ScanOptions};
use serde_json::{Value, json};

use crate::args::{AuditArgs, AuditCommand, AuditFormat};

pub(crate) fn run(args: &AuditArgs) -> Result<ExitCode> {
    if let Some(AuditCommand::Report { db, format, show_secrets }) = &args.command {
        return report(db, *format, *show_secrets);
    }
    let scanner = crate::rule_loading::scanner(args.rules_dir.as_deref())?;
    let mode = if args.show_secrets { Redaction::Show } else { Redaction::Redact };
    let mut redactor = crate::scrub::redactor(&scanner, mode, "");
    let result = audit(args, scanner, &mut redactor);
    result.map_err(|e| crate::scrub::error(e, &redactor))
}

/// `layerleak audit report`: the last finished run again.
fn report(db: &Path, format: AuditFormat, show_secrets: bool) -> Result<ExitCode> {
    if !postgres(db) && !db.exists() {
        anyhow::bail!("no audit database at {}", db.display());
    }
    let store = open_store(db)?;
    let Some(report) = AuditReport::last(&store)? else {
        anyhow::bail!("{}: no audit run has finished yet", store.describe());
    };
    let scanner = crate::rule_loading::scanner(None)?;
    let mode = if show_secrets { Redaction::Show } else { Redaction::Redact };
    let mut redactor = crate::scrub::redactor(&scanner, mode, "");
    let result = print(&report, format, &mut redactor);
    result.map_err(|e| crate::scrub::error(e, &redactor))
}

fn audit(
    args: &AuditArgs,
    scanner: layerleak_engine::Scanner,
    redactor: &mut Redactor,
) -> Result<ExitCode> {
    let tags = TagFilter::parse(&args.tags)?;
    let mut targets = args.targets.clone();
    if let Some(path) = &args.targets_file {
        targets.extend(targets_file(path)?);
    }
    for target in &targets {
        // Wrong targets fail before anything is fetched.
        layerleak_audit::Target::parse(target)?;
    }
    let (mut registry, password) = args.registry.options()?;
    registry.politeness = std::sync::Arc::new(Politeness::new(
        args.max_requests_per_minute,
        args.max_registry_requests.map(usize::from),
    ));
    *redactor = std::mem::take(redactor).with_credentials(&password);
    let store = open_store(&args.db)?;
    // Progress on a terminal: the images done, and a bar per layer being read.
    let bars = std::io::stderr().is_terminal().then(|| Arc::new(crate::progress::Bars::new()));
    let mut scan_options = ScanOptions::new().with_workers(args.jobs.unwrap_or(0));
    if let Some(bars) = &bars {
        scan_options = scan_options.with_progress(Arc::clone(bars) as Arc<dyn Progress>);
    }
    let images = bars.as_ref().map(|b| b.images());
    let pipeline = Pipeline::new(scanner, scan_options);
    let options = AuditOptions {
        targets,
        tags,
        tags_text: args.tags.clone(),
        registry,
        platform: PlatformSelector::Default,
        page: usize::from(args.page_size),
        lease: std::time::Duration::from_secs(u64::from(args.lease)),
    };
    let mut auditor = Auditor::new(&pipeline, &store);
    if let Some(images) = &images {
        auditor = auditor.with_progress(images);
    }
    let report = auditor.run(&options);
    if let Some(images) = &images {
        images.finish();
    }
    let report = report?;
    print(&report, args.format, redactor)
}

/// Whether `--db` names a PostgreSQL database rather than a SQLite file.
fn postgres(db: &Path) -> bool {
    db.to_str().is_some_and(layerleak_audit::is_postgres)
}

/// The database `--db` names: PostgreSQL for a `postgres://` URL, else a SQLite file.
fn open_store(db: &Path) -> Result<Store> {
    Ok(match db.to_str() {
        Some(url) if layerleak_audit::is_postgres(url) => Store::connect(url)?,
        _ => Store::open(db)?,
    })
}

/// Writes `report` in `format` to stdout, redacted by `redactor` (which learns its
/// secrets); its exit code.
fn print(report: &AuditReport, format: AuditFormat, redactor: &mut Redactor) -> Result<ExitCode> {
    // The secrets of gone incidents are those of the previous run's images.
    let secrets: Vec<Secret> = report
        .images
        .iter()
        .flat_map(|i| i.findings.iter().map(|f| &f.secret))
        .chain(report.incidents.iter().map(|i| &i.secret))
        .map(|s| Secret::new(s.clone()))
        .collect();
    *redactor = std::mem::take(redactor).with_secrets(&secrets);
    let out = match format {
        AuditFormat::Text => text(report, redactor),
        AuditFormat::Json => {
            let mut v = json_report(report, redactor);
            redact_strings(&mut v, redactor);
            format!("{v:#}\n")
        }
        AuditFormat::Jsonl => {
            let mut v = json_report(report, redactor);
            redact_strings(&mut v, redactor);
            json_lines(v)
        }
    };
    std::io::stdout().write_all(out.as_bytes()).context("failed to write the report")?;
    Ok(ExitCode::from(report.exit_code()))
}

/// The largest targets file read.
const MAX_TARGETS_FILE: u64 = 16 << 20;

/// The targets of a targets file.
fn targets_file(path: &std::path::Path) -> Result<Vec<String>> {
    use std::io::Read as _;
    let file = std::fs::File::open(path)
        .with_context(|| format!("cannot open the targets file {}", path.display()))?;
    let mut text = String::new();
    file.take(MAX_TARGETS_FILE + 1)
        .read_to_string(&mut text)
        .with_context(|| format!("cannot read the targets file {}", path.display()))?;
    if text.len() as u64 > MAX_TARGETS_FILE {
        anyhow::bail!(
            "the targets file {} is over the {MAX_TARGETS_FILE}-byte limit",
            path.display()
        );
    }
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect())
}

/// The summary numbers of a run.
fn summary(report: &AuditReport) -> Value {
    let sum = |f: fn(&ImageRecord) -> u64| report.images.iter().map(f).sum::<u64>();
    json!({
        "images": report.images.len(),
        "images_not_audited": report.images.iter().filter(|i| i.error.is_some()).count(),
        "images_incomplete": report.images.iter().filter(|i| i.error.is_none() && !i.is_complete()).count(),
        "layers_scanned": sum(|i| i.layers_scanned as u64),
        "layers_cached": sum(|i| i.layers_cached as u64),
        "bytes_scanned": sum(|i| i.bytes_scanned),
        "incidents": {
            "new": report.count(IncidentState::New),
            "still": report.count(IncidentState::Still),
            "gone": report.count(IncidentState::Gone),
        },
        "public_findings": report.images.iter().flat_map(|i| &i.findings).filter(|f| !f.gates).count(),
    })
}

/// The JSON report (strings not yet redacted but for secrets).
fn json_report(report: &AuditReport, r: &Redactor) -> Value {
    let secret = |bytes: &[u8]| r.secret(&Secret::new(bytes.to_vec()));
    let incidents: Vec<Value> = report
        .incidents
        .iter()
        .map(|i| {
            json!({
                "state": i.state,
                "fingerprint": i.fingerprint,
                "rule_id": i.rule_id,
                "rule_name": i.rule_name,
                "confidence": i.confidence,
                "secret": secret(&i.secret),
                "images": i.images,
                "locations": i.locations,
            })
        })
        .collect();
    let images: Vec<Value> = report
        .images
        .iter()
        .map(|i| {
            let findings: Vec<Value> = i
                .findings
                .iter()
                .map(|f| {
                    json!({
                        "fingerprint": f.fingerprint,
                        "rule_id": f.rule_id,
                        "rule_name": f.rule_name,
                        "confidence": f.confidence,
                        "gates": f.gates,
                        "public_reason": f.public,
                        "secret": secret(&f.secret),
                        "locations": f.locations,
                    })
                })
                .collect();
            json!({
                "reference": i.reference,
                "audited": i.error.is_none(),
                "complete": i.is_complete(),
                "error": i.error,
                "layers_scanned": i.layers_scanned,
                "layers_cached": i.layers_cached,
                "bytes_scanned": i.bytes_scanned,
                "findings": findings,
                "issues": i.issues,
            })
        })
        .collect();
    json!({
        "run": report.run,
        "previous_run": report.previous,
        "resumed": report.resumed,
        "summary": summary(report),
        "incidents": incidents,
        "images": images,
    })
}

/// The JSON report `v` as JSON Lines: `run` (with the summary), then each incident, then
/// each image.
fn json_lines(mut v: Value) -> String {
    let run = json!({
        "run": v["run"].take(),
        "previous_run": v["previous_run"].take(),
        "resumed": v["resumed"].take(),
        "summary": v["summary"].take(),
    });
    let line = |kind: &str, data: Value| format!("{}\n", json!({ "type": kind, "data": data }));
    let mut out = line("run", run);
    for (kind, list) in [("incident", "incidents"), ("image", "images")] {
        if let Value::Array(items) = v[list].take() {
            for item in items {
                out.push_str(&line(kind, item));
            }
        }
    }
    out
}

/// Every string of `v` through `r` (a path or reference can hold a secret); the `secret`
/// fields are already as `r` shows them.
fn redact_strings(v: &mut Value, r: &Redactor) {
    match v {
        Value::String(s) => *s = r.text(s),
        Value::Array(a) => a.iter_mut().for_each(|v| redact_strings(v, r)),
        Value::Object(o) => o
            .iter_mut()
            .filter(|(k, _)| k.as_str() != "secret")
            .for_each(|(_, v)| redact_strings(v, r)),
        _ => {}
    }
}

/// The text report: the summary first, then incidents, then what could not be audited.
fn text(report: &AuditReport, r: &Redactor) -> String {
    let s = summary(report);
    let mut out = String::new();
    let previous = report.previous.map_or_else(|| "none".to_owned(), |p| p.to_string());
    let _ = writeln!(
        out,
        "layerleak audit: run {}{} (compared with run {previous})",
        report.run,
        if report.resumed { ", resumed" } else { "" }
    );
    let _ = writeln!(
        out,
        "images: {} ({} not audited, {} incomplete)\nlayers: {} scanned, {} cached; {} bytes scanned\nincidents: {} new, {} still, {} gone ({} public findings do not gate)",
        s["images"],
        s["images_not_audited"],
        s["images_incomplete"],
        s["layers_scanned"],
        s["layers_cached"],
        s["bytes_scanned"],
        s["incidents"]["new"],
        s["incidents"]["still"],
        s["incidents"]["gone"],
        s["public_findings"],
    );
    for i in &report.incidents {
        let state = match i.state {
            IncidentState::New => "NEW",
            IncidentState::Still => "STILL",
            IncidentState::Gone => "GONE",
        };
        let _ = writeln!(
            out,
            "\n{state} {} [{}] {} fingerprint {} in {} image(s)",
            r.display(&i.rule_name),
            i.rule_id,
            r.secret(&Secret::new(i.secret.clone())),
            i.fingerprint,
            i.images.len()
        );
        for l in &i.locations {
            let _ = writeln!(out, "  {}", r.display(&location(l)));
        }
    }
    let failed: Vec<&ImageRecord> = report.images.iter().filter(|i| !i.is_complete()).collect();
    if !failed.is_empty() {
        let _ = writeln!(out, "\nnot audited or incomplete:");
        for i in failed {
            if let Some(e) = &i.error {
                let _ = writeln!(out, "  {}: {}", r.display(&i.reference), r.display(e));
            }
            for issue in i.issues.iter().filter(|x| x.incomplete) {
                let at = match (issue.layer, &issue.path) {
                    (Some(l), Some(p)) => format!(" layer {l} {p}"),
                    (Some(l), None) => format!(" layer {l}"),
                    _ => String::new(),
                };
                let _ = writeln!(
                    out,
                    "  {}{}: {}",
                    r.display(&i.reference),
                    r.display(&at),
                    r.display(&issue.reason)
                );
            }
        }
    }
    out
}

/// One location on one line.
fn location(l: &StoredLocation) -> String {
    let status = match (l.status.as_str(), l.by_layer) {
        (s, Some(k)) => format!("{s} by layer {k}"),
        (s, None) => s.to_owned(),
    };
    match (l.layer, &l.path, &l.field) {
        (Some(layer), Some(path), _) => {
            format!(
                "{} layer {layer} {path} @{} ({status}, origin {})",
                l.image, l.offset, l.origin
            )
        }
        (_, _, Some(field)) => format!(
            "{} config {field}{} @{} (origin {})",
            l.image,
            l.key.as_deref().map(|k| format!(" {k}")).unwrap_or_default(),
            l.offset,
            l.origin
        ),
        _ => format!("{} @{}", l.image, l.offset),
    }
}
