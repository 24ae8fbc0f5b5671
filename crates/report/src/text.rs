//! [`TextReporter`]: a report for people.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};
use layerleak_rules::Confidence;

use crate::collected::{Collected, Finished};
use crate::{
    ConfigField, Finding, Location, Redaction, Redactor, Reporter, RunInfo, ScanIssue, Severity,
    Status, Summary, escape_controls,
};

/// Writes a report for people in [`Reporter::finish`]: findings grouped one per secret,
/// worst first (high confidence, then secrets that survive in the image history though
/// they look removed), each with its locations and what to do; then the issues that made
/// the scan incomplete; then the notices; then a one-line summary.
///
/// Plain text without colour unless [`TextReporter::with_color`] asks for it (the layout
/// is the same either way: colour only adds ANSI styles). Every string echoed from the
/// image goes through a [`Redactor`], so with [`Redaction::Redact`] no secret value
/// appears, and has its control characters escaped
/// ([`escape_controls`]), so none reaches a terminal raw.
///
/// # Memory usage
///
/// Buffers every finding and issue of the run.
#[derive(Debug)]
pub struct TextReporter<W> {
    out: W,
    redactor: Redactor,
    color: bool,
    collected: Collected,
}

impl<W: Write> TextReporter<W> {
    /// A reporter writing to `out`.
    pub fn new(out: W, redaction: Redaction) -> TextReporter<W> {
        TextReporter {
            out,
            redactor: Redactor::new(redaction, []),
            color: false,
            collected: Collected::default(),
        }
    }

    /// Redacts with `redactor` (its policy, detector and credentials) and every secret of
    /// the run.
    #[must_use]
    pub fn with_redactor(mut self, redactor: Redactor) -> TextReporter<W> {
        self.redactor = redactor;
        self
    }

    /// Styles the report with ANSI colours (confidence, headings). Callers decide: a
    /// terminal, and the user did not set `NO_COLOR`.
    #[must_use]
    pub fn with_color(mut self, color: bool) -> TextReporter<W> {
        self.color = color;
        self
    }

    /// `style` when colouring, else no style.
    fn style(&self, style: Style) -> Style {
        if self.color { style } else { Style::new() }
    }

    fn write_finding(&mut self, n: usize, f: &Finding, r: &Redactor) -> io::Result<()> {
        let conf = self.style(confidence_style(f.confidence));
        let bold = self.style(Style::new().bold());
        let dim = self.style(Style::new().dimmed());
        let todo = self.style(Style::new().fg_color(Some(AnsiColor::Cyan.into())));
        let out = &mut self.out;
        writeln!(
            out,
            "{n}. {conf}{}{conf:#} {bold}{}{bold:#} {dim}[{}]{dim:#}",
            f.confidence.as_str().to_uppercase(),
            escape_controls(&f.rule_name),
            escape_controls(&f.rule_id)
        )?;
        if let Some(first) = f.locations.first() {
            let platform =
                first.platform().map(|p| format!(" ({})", r.display(p))).unwrap_or_default();
            let label = match first {
                Location::File(_) => "scanned",
                _ => "image",
            };
            let label = format!("{label}:");
            writeln!(out, "   {label:<13}{}{platform}", r.display(first.image()))?;
        }
        writeln!(out, "   secret:      {}", escape_controls(&r.secret(&f.secret)))?;
        if let Some(c) = f.checksum {
            writeln!(out, "   checksum:    {}", c.explanation())?;
        }
        if let Some(why) = f.public_reason() {
            writeln!(out, "   not gating:  {}", r.text(&why))?;
        }
        writeln!(out, "   fingerprint: {}", f.fingerprint)?;
        writeln!(out, "   found in:")?;
        for loc in &f.locations {
            match loc {
                Location::Layer(l) => {
                    writeln!(
                        out,
                        "   - layer {} {}: {} at byte {}{}",
                        l.layer,
                        r.display(short_digest(&l.blob_digest)),
                        r.display(&l.path),
                        l.offset,
                        l.text_encoding
                            .as_deref()
                            .map(|e| format!(" (of its UTF-8 view; the file is {e})"))
                            .unwrap_or_default(),
                    )?;
                    writeln!(out, "     status: {}", l.status)?;
                    if !l.origin.is_image() {
                        writeln!(out, "     origin: {}", r.text(&l.origin.to_string()))?;
                    }
                    if let Some(c) = &l.created_by {
                        writeln!(out, "     made by: {}", r.display(c))?;
                    }
                }
                Location::Config(c) => {
                    let what = match (c.field, &c.key) {
                        (ConfigField::BuildArg, Some(k)) => {
                            format!("build argument {}", r.display(k))
                        }
                        (field, Some(k)) => format!("{field} {}", r.display(k)),
                        (field, None) => field.to_string(),
                    };
                    let history =
                        c.history_index.map(|i| format!(" (history[{i}])")).unwrap_or_default();
                    writeln!(out, "   - config {what}{history} at byte {}", c.offset)?;
                    writeln!(out, "     {}", r.display(&c.context))?;
                }
                Location::File(l) => {
                    writeln!(
                        out,
                        "   - file {} at byte {}{}",
                        r.display(&l.path),
                        l.offset,
                        l.text_encoding
                            .as_deref()
                            .map(|e| format!(" (of its UTF-8 view; the file is {e})"))
                            .unwrap_or_default(),
                    )?;
                    if !l.origin.is_image() {
                        writeln!(out, "     origin: {}", r.text(&l.origin.to_string()))?;
                    }
                }
            }
        }
        for line in advice(f) {
            writeln!(out, "   {todo}what to do:{todo:#} {line}")?;
        }
        writeln!(out)
    }
}

/// High red, medium yellow, low blue; all bold.
fn confidence_style(c: Confidence) -> Style {
    let color = match c {
        Confidence::High => AnsiColor::Red,
        Confidence::Medium => AnsiColor::Yellow,
        Confidence::Low => AnsiColor::Blue,
    };
    Style::new().bold().fg_color(Some(color.into()))
}

/// `sha256:0123456789ab`: enough to recognise a layer in a list.
fn short_digest(d: &str) -> &str {
    let end = d.find(':').map_or(12, |i| i + 13);
    d.get(..end).unwrap_or(d)
}

/// What to do about a finding, most urgent first.
fn advice(f: &Finding) -> Vec<String> {
    let on_disk = f.locations.iter().all(|l| matches!(l, Location::File(_)));
    let mut lines = vec![if on_disk {
        "revoke and rotate this secret: anyone who can read these files can read it.".to_owned()
    } else {
        "revoke and rotate this secret: anyone who can pull the image can read it.".to_owned()
    }];
    let mut removed_layers: Vec<usize> = f
        .locations
        .iter()
        .filter_map(|l| match l {
            Location::Layer(l) if l.status != Status::PresentInFinal => Some(l.layer),
            _ => None,
        })
        .collect();
    removed_layers.dedup();
    let fields: Vec<ConfigField> = f
        .locations
        .iter()
        .filter_map(|l| match l {
            Location::Config(c) => Some(c.field),
            Location::Layer(_) | Location::File(_) => None,
        })
        .collect();
    if !removed_layers.is_empty() {
        let layers: Vec<String> = removed_layers.iter().map(ToString::to_string).collect();
        lines.push(format!(
            "deleting or overwriting the file in a later layer did not remove it: it is still in the image history (layer {}). Rebuild so it never lands in a layer: use a build secret mount (RUN --mount=type=secret) or a multi-stage build that leaves it in a discarded stage.",
            layers.join(", ")
        ));
    }
    if fields.iter().any(|f| matches!(f, ConfigField::BuildArg | ConfigField::History)) {
        lines.push("build arguments and build commands are recorded in the image history (`docker history` shows them): pass secrets with a build secret mount (RUN --mount=type=secret) instead of ARG/--build-arg, or use a multi-stage build.".to_owned());
    }
    if fields.iter().any(|f| {
        matches!(
            f,
            ConfigField::Env | ConfigField::Label | ConfigField::Entrypoint | ConfigField::Cmd
        )
    }) {
        lines.push("ENV, LABEL, ENTRYPOINT and CMD are stored in the image config: provide the secret at run time (an orchestrator secret or a mounted file) instead.".to_owned());
    }
    if f.locations
        .iter()
        .any(|l| matches!(l, Location::Layer(l) if l.status == Status::PresentInFinal))
    {
        lines.push("remove the file from the image: mount it at run time, or use a build secret mount if the build needs it.".to_owned());
    }
    lines
}

impl<W: Write> Reporter for TextReporter<W> {
    fn begin(&mut self, run: &RunInfo) -> io::Result<()> {
        self.collected.begin(run);
        Ok(())
    }

    fn finding(&mut self, finding: &Finding) -> io::Result<()> {
        self.collected.finding(finding);
        Ok(())
    }

    fn issue(&mut self, issue: &ScanIssue) -> io::Result<()> {
        self.collected.issue(issue);
        Ok(())
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        let Finished { findings, issues, redactor: r } = self.collected.finish(&self.redactor);
        for (i, f) in findings.iter().enumerate() {
            self.write_finding(i + 1, f, &r)?;
        }
        for (severity, heading, color) in [
            (Severity::Incomplete, "Not fully scanned (the scan is incomplete):", AnsiColor::Red),
            (Severity::Notice, "Notices (everything was scanned):", AnsiColor::Yellow),
        ] {
            let mut of_kind = issues.iter().filter(|i| i.severity == severity).peekable();
            if of_kind.peek().is_none() {
                continue;
            }
            let style = self.style(Style::new().bold().fg_color(Some(color.into())));
            writeln!(self.out, "{style}{heading}{style:#}")?;
            for issue in of_kind {
                writeln!(self.out, "- {}", r.display(&issue.to_string()))?;
            }
            writeln!(self.out)?;
        }
        let images = self.collected.run.images.len();
        let suppressed = summary.suppressed_by_baseline + summary.suppressed_by_ignore;
        let suppressed = if suppressed == 0 {
            String::new()
        } else {
            format!(
                " ({suppressed} more suppressed: {} by the baseline, {} by the ignore file)",
                summary.suppressed_by_baseline, summary.suppressed_by_ignore
            )
        };
        let listed_public = findings.iter().filter(|f| f.public_reason().is_some()).count();
        let public = match (listed_public, summary.public.saturating_sub(listed_public)) {
            (0, 0) => String::new(),
            (0, unlisted) => format!(
                " ({unlisted} public finding{} not listed: package files, published examples, \
                 failed checksums; --verbose lists them)",
                if unlisted == 1 { "" } else { "s" }
            ),
            (listed, _) => format!(" ({listed} of them public, not gating)"),
        };
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        let scanned = match summary.files_scanned {
            Some(files) => {
                format!("{images} path{} ({files} file{}", plural(images), plural(files))
            }
            None => format!(
                "{images} image{} ({} layer blob{}",
                plural(images),
                summary.blobs_scanned,
                plural(summary.blobs_scanned)
            ),
        };
        writeln!(
            self.out,
            "{} finding{}{public}{suppressed} in {scanned}, {} bytes scanned); {}",
            findings.len(),
            plural(findings.len()),
            summary.bytes_scanned,
            match (summary.complete, summary.notices) {
                (true, 0) => "scan complete".to_owned(),
                (true, n) => format!("scan complete, {n} notice(s)"),
                (false, _) => format!("scan INCOMPLETE: {} issue(s)", summary.issues),
            }
        )?;
        if !findings.is_empty() {
            if self.redactor.mode() == Redaction::Redact {
                writeln!(self.out, "Secrets are redacted; --show-secrets prints them in full.")?;
            }
            writeln!(
                self.out,
                "Accept a finding that is not a secret with an entry in .layerleakignore (its rule, \
                 path or fingerprint, and a reason), or record all of today's with --write-baseline \
                 FILE and gate later scans with --baseline FILE."
            )?;
        }
        self.out.flush()
    }
}
