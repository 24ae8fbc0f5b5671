//! `layerleak scan-fs`: scan files and directories as raw byte streams.

use std::{
    fs,
    io::{self, Write as _},
    path::Path,
    process::ExitCode,
};

use anyhow::Result;
use layerleak_engine::{FnSink, Match, StreamScan};
use layerleak_rules::Confidence;

use layerleak_report::{Origin, Redaction, Redactor, escape_controls, redact};
use layerleak_scan::TreeOrigins;

use crate::args::ScanFsArgs;

pub(crate) fn run(args: &ScanFsArgs) -> Result<ExitCode> {
    let scanner = crate::rule_loading::scanner(args.rules_dir.as_deref())?;
    let mode = if args.show_secrets { Redaction::Show } else { Redaction::Redact };
    // Paths and errors are echoed through the rules and with control characters escaped.
    let r = crate::scrub::redactor(&scanner, mode, "");
    let mut stream = scanner.stream();
    let mut out = io::stdout().lock();
    let mut stats = Stats::default();
    let mut origins = TreeOrigins::new();
    // Findings are written after the walk: a Python RECORD may come after the files it
    // lists, and origins are decided from every database of the tree.
    let mut pending: Vec<(std::path::PathBuf, Vec<Found>)> = Vec::new();
    for path in &args.paths {
        origins.add_root_of(path);
        walk(path, &mut |found| match found {
            Ok(file) => {
                origins.consider(file);
                let found = scan_file(file, &mut stream, &r, &mut stats);
                if !found.is_empty() {
                    pending.push((file.to_owned(), found));
                }
            }
            Err((path, e)) => {
                eprintln!("{}", r.display(&format!("error: cannot read {}: {e}", path.display())));
                stats.errors += 1;
            }
        });
    }
    for problem in origins.problems() {
        eprintln!("{}", r.display(&format!("notice: {problem}")));
    }
    for (path, found) in pending {
        let file_origin = origins.origin(&path);
        for f in found {
            // A published documentation example is public wherever it is (see
            // `layerleak_rules::published_example`).
            let origin = match f.example {
                Some(e) if matches!(file_origin, Origin::Image | Origin::Vendored { .. }) => {
                    Origin::Example { source: format!("{}: {}", e.provider, e.source) }
                }
                _ => file_origin.clone(),
            };
            stats.findings += 1;
            if origin.is_image() || args.fail_on_public {
                stats.gating += 1;
            }
            if !origin.is_image() {
                stats.public += 1;
            }
            let rule = &stream.scanner_rules()[f.rule];
            let suffix = match &origin {
                Origin::Image => String::new(),
                o => format!(" [origin: {o}]"),
            };
            let line = writeln!(
                out,
                "{}:{}: {} [{}] ({}) {}{}",
                r.display(&path.display().to_string()),
                f.offset,
                rule.id(),
                f.confidence,
                rule.name(),
                escape_controls(&f.shown),
                r.display(&suffix)
            );
            if let Err(e) = line {
                if e.kind() == io::ErrorKind::BrokenPipe {
                    std::process::exit(0);
                }
                eprintln!("error: writing output failed: {e}");
                stats.errors += 1;
            }
        }
    }
    writeln!(
        io::stderr(),
        "scanned {} files, {} bytes: {} findings ({} public: in package files whose bytes match their database or published examples{}), {} unreadable",
        stats.files,
        stats.bytes,
        stats.findings,
        stats.public,
        if args.fail_on_public { ", gating" } else { ", not gating" },
        stats.errors
    )?;
    Ok(if stats.errors > 0 {
        ExitCode::from(2)
    } else if stats.gating > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

#[derive(Default)]
struct Stats {
    files: u64,
    bytes: u64,
    findings: u64,
    /// Findings that fail: origin `image`, or any with `--fail-on-public`.
    gating: u64,
    /// Findings in verified package files.
    public: u64,
    errors: u64,
}

/// A regular file to scan, or a path that could not be inspected or listed.
type Walked<'a> = Result<&'a Path, (&'a Path, io::Error)>;

/// Calls `f` with every regular file under `path`, in sorted order, not following
/// symlinks, and with every path that could not be inspected or listed, so that nothing is
/// skipped silently.
fn walk(path: &Path, f: &mut dyn FnMut(Walked<'_>)) {
    let meta = match fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) => return f(Err((path, e))),
    };
    if meta.is_dir() {
        let mut entries = Vec::new();
        match fs::read_dir(path) {
            Ok(rd) => {
                for entry in rd {
                    match entry {
                        Ok(entry) => entries.push(entry.path()),
                        Err(e) => f(Err((path, e))),
                    }
                }
            }
            Err(e) => return f(Err((path, e))),
        }
        entries.sort();
        for e in entries {
            walk(&e, f);
        }
    } else if meta.is_file() {
        f(Ok(path));
    }
}

/// The findings of one file, one per secret span.
fn scan_file(
    path: &Path,
    stream: &mut StreamScan<'_>,
    r: &Redactor,
    stats: &mut Stats,
) -> Vec<Found> {
    let show = r.mode() == Redaction::Show;
    let shown_path = r.display(&path.display().to_string());
    let file = match fs::File::open(path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{}", r.display(&format!("error: cannot read {shown_path}: {e}")));
            stats.errors += 1;
            return Vec::new();
        }
    };
    stats.files += 1;
    let mut found: Vec<Found> = Vec::new();
    let result = stream.read_from(
        file,
        FnSink(|m: &Match<'_>| {
            found.push(Found {
                offset: m.secret_span.start,
                end: m.secret_span.end,
                generic: m.rule.is_generic(),
                confidence: m.confidence,
                rule: m.rule_index,
                example: layerleak_rules::published_example(m.secret),
                shown: if show {
                    String::from_utf8_lossy(m.secret).into_owned()
                } else {
                    redact(m.secret)
                },
            });
            true
        }),
    );
    if let Ok(meta) = fs::metadata(path) {
        stats.bytes += meta.len();
    }
    if let Err(e) = result {
        eprintln!("{}", r.display(&format!("error: reading {shown_path} failed: {e:#}")));
        stats.errors += 1;
    }
    best_per_secret(found)
}

/// One match, as kept until the file is done.
struct Found {
    offset: u64,
    end: u64,
    generic: bool,
    confidence: Confidence,
    rule: usize,
    /// The catalogue entry when the value is a published documentation example.
    example: Option<&'static layerleak_rules::PublishedExample>,
    shown: String,
}

/// Several rules can match the same secret (a provider token assigned to `TOKEN=` is also a
/// generic assignment): keep one per secret span, preferring provider rules, then higher
/// confidence, then the earlier rule.
fn best_per_secret(mut found: Vec<Found>) -> Vec<Found> {
    found.sort_by(|a, b| {
        (a.offset, a.end, a.generic, std::cmp::Reverse(a.confidence), a.rule).cmp(&(
            b.offset,
            b.end,
            b.generic,
            std::cmp::Reverse(b.confidence),
            b.rule,
        ))
    });
    found.dedup_by(|later, first| later.offset == first.offset && later.end == first.end);
    found
}
