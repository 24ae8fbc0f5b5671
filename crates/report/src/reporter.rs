//! The [`Reporter`] trait.

use std::io;

use crate::{Finding, RunInfo, ScanIssue, Summary};

/// Receives the results of a run and writes them somewhere.
///
/// Called as `begin`, then `finding` and `issue` in any order, then `finish` once.
/// Reporters that need the whole set (to sort, or to redact a secret everywhere it is echoed)
/// buffer and write in `finish`.
pub trait Reporter {
    /// Called once before any finding.
    ///
    /// # Errors
    ///
    /// An I/O error of the output.
    fn begin(&mut self, _run: &RunInfo) -> io::Result<()> {
        Ok(())
    }

    /// One finding.
    ///
    /// # Errors
    ///
    /// An I/O error of the output.
    fn finding(&mut self, finding: &Finding) -> io::Result<()>;

    /// One thing that could not be fully scanned.
    ///
    /// # Errors
    ///
    /// An I/O error of the output.
    fn issue(&mut self, _issue: &ScanIssue) -> io::Result<()> {
        Ok(())
    }

    /// Called once at the end.
    ///
    /// # Errors
    ///
    /// An I/O error of the output.
    fn finish(&mut self, summary: &Summary) -> io::Result<()>;
}
