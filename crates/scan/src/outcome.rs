//! [`ScanOutcome`]: the result of a run.

use std::io;

use layerleak_report::{Finding, ImageInfo, Reporter, RunInfo, ScanIssue, Severity, Summary};

use crate::ImageResults;
use crate::layer_scan::BlobScan;

/// Everything a run found, ready for a [`Reporter`].
#[derive(Debug, Clone, Default)]
pub struct ScanOutcome {
    /// The images scanned (one per selected platform).
    pub images: Vec<ImageInfo>,
    /// One finding per distinct secret per image, in no particular order (reporters sort).
    pub findings: Vec<Finding>,
    /// What could not be read or fully scanned ([`Severity::Incomplete`]) and notices
    /// ([`Severity::Notice`]); the scan is complete when there is no issue of the former.
    pub issues: Vec<ScanIssue>,
    /// Distinct layer blobs scanned (a blob shared by several layers or platforms counts
    /// once).
    pub blobs_scanned: usize,
    /// Bytes of regular-file content in those blobs (or in the files of trees on disk).
    pub bytes_scanned: u64,
    /// Regular files of trees on disk scanned
    /// ([`Pipeline::scan_tree`](crate::Pipeline::scan_tree)); `None` for images.
    pub files_scanned: Option<usize>,
}

impl ScanOutcome {
    /// The outcome of a run from its images' results (in image order) and its scanned
    /// blobs.
    pub(crate) fn of_images(images: Vec<ImageResults>, blobs: &[BlobScan]) -> ScanOutcome {
        let mut out = ScanOutcome {
            blobs_scanned: blobs.len(),
            bytes_scanned: blobs.iter().map(|b| b.bytes).sum(),
            ..ScanOutcome::default()
        };
        for r in images {
            out.images.push(r.image);
            out.findings.extend(r.findings);
            out.issues.extend(r.issues);
        }
        out
    }

    /// Whether everything was read and scanned: no issue is [`Severity::Incomplete`].
    pub fn is_complete(&self) -> bool {
        self.count(Severity::Incomplete) == 0
    }

    /// The number of issues of `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.issues.iter().filter(|i| i.severity == severity).count()
    }

    /// The process exit code for this outcome: `2` when the scan is incomplete (whatever
    /// was found), else `1` when there are findings, else `0`. Notices do not change it.
    pub fn exit_code(&self) -> u8 {
        if !self.is_complete() {
            2
        } else if !self.findings.is_empty() {
            1
        } else {
            0
        }
    }

    /// The summary given to [`Reporter::finish`].
    pub fn summary(&self) -> Summary {
        Summary {
            complete: self.is_complete(),
            findings: self.findings.len(),
            issues: self.count(Severity::Incomplete),
            notices: self.count(Severity::Notice),
            blobs_scanned: self.blobs_scanned,
            bytes_scanned: self.bytes_scanned,
            files_scanned: self.files_scanned,
            ..Summary::default()
        }
    }

    /// Feeds the whole outcome to `reporter`: `begin`, every finding, every issue, `finish`.
    /// `target` is what the user asked to scan, as they named it.
    ///
    /// # Errors
    ///
    /// The reporter's I/O error.
    pub fn report(&self, target: &str, reporter: &mut dyn Reporter) -> io::Result<()> {
        self.report_with_summary(target, &self.summary(), reporter)
    }

    /// As [`ScanOutcome::report`], with a `summary` the caller completed (suppression
    /// counts of a gate, say).
    ///
    /// Findings and issues are given image by image, each image closed by
    /// [`Reporter::image_done`].
    ///
    /// # Errors
    ///
    /// The reporter's I/O error.
    pub fn report_with_summary(
        &self,
        target: &str,
        summary: &Summary,
        reporter: &mut dyn Reporter,
    ) -> io::Result<()> {
        reporter.begin(&RunInfo { target: target.to_owned(), images: self.images.clone() })?;
        let of = |image: &ImageInfo, name: &str, platform: Option<&str>| {
            image.name == name && image.platform.as_deref() == platform
        };
        for image in &self.images {
            for f in self
                .findings
                .iter()
                .filter(|f| f.locations.first().is_some_and(|l| of(image, l.image(), l.platform())))
            {
                reporter.finding(f)?;
            }
            for i in self.issues.iter().filter(|i| of(image, &i.image, i.platform.as_deref())) {
                reporter.issue(i)?;
            }
            reporter.image_done(image)?;
        }
        // Anything not tied to a listed image (none today) is still reported.
        let listed = |name: &str, platform: Option<&str>| {
            self.images.iter().any(|image| of(image, name, platform))
        };
        for f in &self.findings {
            if !f.locations.first().is_some_and(|l| listed(l.image(), l.platform())) {
                reporter.finding(f)?;
            }
        }
        for i in &self.issues {
            if !listed(&i.image, i.platform.as_deref()) {
                reporter.issue(i)?;
            }
        }
        reporter.finish(summary)
    }
}
