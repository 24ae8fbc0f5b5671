//! [`ReportSink`]: an [`ImageSink`] writing each complete image to a [`Reporter`].

use std::io;

use layerleak_report::{Gate, ImageInfo, Reporter, RunInfo, Summary};

use crate::{ImageResults, ImageSink};

/// Writes each image's results to a [`Reporter`] as soon as the image is complete:
/// [`Reporter::begin`] when the images are known, then per image its findings (those a
/// [`Gate`] does not suppress), its issues and [`Reporter::image_done`], and
/// [`Reporter::finish`] from [`ReportSink::finish`].
///
/// With a streaming reporter ([`JsonLinesReporter`](layerleak_report::JsonLinesReporter))
/// a consumer reads an image's results while the next is scanned. An I/O error of the
/// reporter stops the writing (the scan goes on) and is returned by [`ReportSink::finish`].
pub struct ReportSink<'a> {
    reporter: &'a mut dyn Reporter,
    target: String,
    gate: Option<&'a Gate>,
    error: Option<io::Error>,
}

impl<'a> ReportSink<'a> {
    /// A sink writing to `reporter`; `target` is what the user asked to scan, as they
    /// named it.
    pub fn new(reporter: &'a mut dyn Reporter, target: impl Into<String>) -> ReportSink<'a> {
        ReportSink { reporter, target: target.into(), gate: None, error: None }
    }

    /// Leaves out the findings `gate` suppresses (baseline, ignore file).
    #[must_use]
    pub fn with_gate(mut self, gate: &'a Gate) -> ReportSink<'a> {
        self.gate = Some(gate);
        self
    }

    /// Writes `summary` and ends the report.
    ///
    /// # Errors
    ///
    /// The first I/O error of the reporter, during the scan or now.
    pub fn finish(self, summary: &Summary) -> io::Result<()> {
        match self.error {
            Some(e) => Err(e),
            None => self.reporter.finish(summary),
        }
    }

    /// Runs `write` unless an earlier write failed, keeping its error.
    fn write(&mut self, write: impl FnOnce(&mut dyn Reporter) -> io::Result<()>) {
        if self.error.is_none()
            && let Err(e) = write(&mut *self.reporter)
        {
            self.error = Some(e);
        }
    }
}

impl ImageSink for ReportSink<'_> {
    fn begin(&mut self, images: &[ImageInfo]) {
        let run = RunInfo { target: self.target.clone(), images: images.to_vec() };
        self.write(|r| r.begin(&run));
    }

    fn image_done(&mut self, results: &ImageResults) {
        let findings = match self.gate {
            Some(gate) => gate.apply(results.findings.clone()).findings,
            None => results.findings.clone(),
        };
        self.write(|r| {
            for f in &findings {
                r.finding(f)?;
            }
            for i in &results.issues {
                r.issue(i)?;
            }
            r.image_done(&results.image)
        });
    }
}

impl std::fmt::Debug for ReportSink<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReportSink")
            .field("target", &self.target)
            .field("gate", &self.gate)
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}
