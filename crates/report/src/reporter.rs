//! The [`Reporter`] trait.

use std::io;

use crate::{Finding, ImageInfo, RunInfo, ScanIssue, Summary};

/// Receives the results of a run and writes them somewhere.
///
/// Called as `begin`, then `finding` and `issue` in any order, then `finish` once.
/// Callers that know when an image is complete call `image_done` after its last finding
/// and issue, so streaming reporters can write that image's results at once.
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

    /// Every finding and issue of `image` has been given: a streaming reporter may write
    /// them now. Buffering reporters ignore it.
    ///
    /// # Errors
    ///
    /// An I/O error of the output.
    fn image_done(&mut self, _image: &ImageInfo) -> io::Result<()> {
        Ok(())
    }

    /// Called once at the end.
    ///
    /// # Errors
    ///
    /// An I/O error of the output.
    fn finish(&mut self, summary: &Summary) -> io::Result<()>;
}
