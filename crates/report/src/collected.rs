//! What a buffering reporter gathers until `finish`.
//!
//! Reporters buffer because redaction must know every secret of the run before the first
//! string is printed: a history line echoed under one finding may hold another finding's
//! secret.

use crate::{Finding, Redactor, RunInfo, ScanIssue};

/// The run, its findings and its issues, as reported so far.
#[derive(Debug, Default)]
pub(crate) struct Collected {
    pub(crate) run: RunInfo,
    findings: Vec<Finding>,
    issues: Vec<ScanIssue>,
}

/// Everything a reporter writes at `finish`.
pub(crate) struct Finished {
    /// Worst first (see [`Finding::severity_key`]).
    pub(crate) findings: Vec<Finding>,
    pub(crate) issues: Vec<ScanIssue>,
    /// Knows every secret among `findings`.
    pub(crate) redactor: Redactor,
}

impl Collected {
    pub(crate) fn begin(&mut self, run: &RunInfo) {
        self.run = run.clone();
    }

    pub(crate) fn finding(&mut self, finding: &Finding) {
        self.findings.push(finding.clone());
    }

    pub(crate) fn issue(&mut self, issue: &ScanIssue) {
        self.issues.push(issue.clone());
    }

    /// Takes the findings (sorted worst first) and issues, with `base` knowing their
    /// secrets too.
    pub(crate) fn finish(&mut self, base: &Redactor) -> Finished {
        let mut findings = std::mem::take(&mut self.findings);
        findings.sort_by_cached_key(Finding::severity_key);
        let redactor = base.clone().with_secrets(findings.iter().map(|f| &f.secret));
        Finished { findings, issues: std::mem::take(&mut self.issues), redactor }
    }
}
