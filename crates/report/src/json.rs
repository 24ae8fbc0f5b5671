//! [`JsonReporter`]: one JSON document for machines.

use std::io::{self, Write};

use crate::collected::Collected;
use crate::{Finding, Redaction, Redactor, Reporter, RunInfo, ScanIssue, Summary, wire};

/// The version of the JSON document's shape (its `version` field).
pub const JSON_VERSION: u32 = 1;

/// Writes one JSON document in [`Reporter::finish`]:
/// `{"version", "tool", "target", "complete", "secrets_redacted", "images", "findings",
/// "issues", "summary"}`. Findings come worst first, as in the text report. Each issue has
/// a `severity`: `incomplete` (the scan is incomplete, `complete` is false) or `notice`
/// (informational); `summary.issues` counts the former and `summary.notices` the latter.
///
/// # Memory usage
///
/// Buffers every finding and issue of the run: redaction needs every secret before the
/// first string is written.
#[derive(Debug)]
pub struct JsonReporter<W> {
    out: W,
    redactor: Redactor,
    collected: Collected,
}

impl<W: Write> JsonReporter<W> {
    /// A reporter writing to `out`.
    pub fn new(out: W, redaction: Redaction) -> JsonReporter<W> {
        JsonReporter {
            out,
            redactor: Redactor::new(redaction, []),
            collected: Collected::default(),
        }
    }

    /// Redacts with `redactor` (its policy, detector and credentials) and every secret of
    /// the run.
    #[must_use]
    pub fn with_redactor(mut self, redactor: Redactor) -> JsonReporter<W> {
        self.redactor = redactor;
        self
    }
}

impl<W: Write> Reporter for JsonReporter<W> {
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
        let done = self.collected.finish(&self.redactor);
        let doc = wire::document(
            &self.collected.run,
            &done.findings,
            &done.issues,
            summary,
            &done.redactor,
        );
        serde_json::to_writer_pretty(&mut self.out, &doc)?;
        writeln!(self.out)?;
        self.out.flush()
    }
}
