//! [`JsonReporter`]: one JSON document for machines.

use std::io::{self, Write};

use crate::{Finding, Redaction, Redactor, Reporter, RunInfo, ScanIssue, Summary, wire};

/// The version of the JSON document's shape (its `version` field).
pub const JSON_VERSION: u32 = 1;

/// Writes one JSON document in [`Reporter::finish`]:
/// `{"version", "tool", "target", "complete", "secrets_redacted", "images", "findings",
/// "issues", "summary"}`. Findings come worst first, as in the text report.
///
/// # Memory usage
///
/// Buffers every finding and issue of the run: redaction needs every secret before the
/// first string is written.
#[derive(Debug)]
pub struct JsonReporter<W> {
    out: W,
    redaction: Redaction,
    run: RunInfo,
    findings: Vec<Finding>,
    issues: Vec<ScanIssue>,
}

impl<W: Write> JsonReporter<W> {
    /// A reporter writing to `out`.
    pub fn new(out: W, redaction: Redaction) -> JsonReporter<W> {
        JsonReporter {
            out,
            redaction,
            run: RunInfo::default(),
            findings: Vec::new(),
            issues: Vec::new(),
        }
    }
}

impl<W: Write> Reporter for JsonReporter<W> {
    fn begin(&mut self, run: &RunInfo) -> io::Result<()> {
        self.run = run.clone();
        Ok(())
    }

    fn finding(&mut self, finding: &Finding) -> io::Result<()> {
        self.findings.push(finding.clone());
        Ok(())
    }

    fn issue(&mut self, issue: &ScanIssue) -> io::Result<()> {
        self.issues.push(issue.clone());
        Ok(())
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        self.findings.sort_by_cached_key(Finding::severity_key);
        let redactor = Redactor::new(self.redaction, self.findings.iter().map(|f| &f.secret));
        let doc = wire::document(&self.run, &self.findings, &self.issues, summary, &redactor);
        serde_json::to_writer_pretty(&mut self.out, &doc)?;
        writeln!(self.out)?;
        self.out.flush()
    }
}
