//! What a reporter is told before and after the findings.

/// One image of the run.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImageInfo {
    /// The display name.
    pub name: String,
    /// The platform, if known.
    pub platform: Option<String>,
    /// The number of layers.
    pub layers: usize,
}

/// Given to [`Reporter::begin`](crate::Reporter::begin).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RunInfo {
    /// What was scanned, as the user named it (a path or a reference).
    pub target: String,
    /// The images (one per selected platform).
    pub images: Vec<ImageInfo>,
}

/// Given to [`Reporter::finish`](crate::Reporter::finish).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Summary {
    /// Whether everything was read and scanned (no [`ScanIssue`](crate::ScanIssue) of
    /// severity [`Incomplete`](crate::Severity::Incomplete)).
    pub complete: bool,
    /// Number of findings reported.
    pub findings: usize,
    /// Number of issues that make the scan incomplete.
    pub issues: usize,
    /// Number of notices (issues of severity [`Notice`](crate::Severity::Notice)).
    pub notices: usize,
    /// Distinct layer blobs scanned.
    pub blobs_scanned: usize,
    /// Uncompressed bytes of layer content read (of files, for trees on disk).
    pub bytes_scanned: u64,
    /// For trees on disk (`scan-fs`), the regular files scanned; `None` for images.
    pub files_scanned: Option<usize>,
    /// Findings left out of the report because a baseline lists their fingerprint.
    pub suppressed_by_baseline: usize,
    /// Findings left out of the report because an ignore-file entry matches them.
    pub suppressed_by_ignore: usize,
    /// Reported findings that are public and do not fail the gate by default (see
    /// [`Finding::public_reason`](crate::Finding::public_reason)).
    pub public: usize,
}
