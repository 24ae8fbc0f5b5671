//! [`ScanIssue`]: something that could not be (fully) scanned, or is worth a notice.

use std::fmt;

/// Something a report must mention about how the scan went: data that could not be read or
/// fully scanned, or an oddity of the image worth knowing.
///
/// Issues never carry file contents; `reason` describes the failure (an I/O or format
/// error, a limit), not the data.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ScanIssue {
    /// Whether this issue makes the scan incomplete.
    pub severity: Severity,
    /// The image's display name.
    pub image: String,
    /// The platform, if known.
    pub platform: Option<String>,
    /// The layer's position, when the issue concerns a layer.
    pub layer: Option<usize>,
    /// The layer blob's digest, when the issue concerns a layer.
    pub blob_digest: Option<String>,
    /// The path in the layer (nested members after `!/`), when known.
    pub path: Option<String>,
    /// What went wrong, in words.
    pub reason: String,
}

/// How much a [`ScanIssue`] matters to the result of a scan.
///
/// The rule: if some bytes were not scanned, or where a finding came from may be
/// misreported (a layer's `created_by` or `diff_id` possibly attributed to the wrong layer),
/// the scan is [`Incomplete`](Severity::Incomplete) and exits with code 2. If everything
/// was scanned and attributed and the issue only says something odd about the image (an
/// absolute path in a layer, a bad CRC in a nested zip whose content was still scanned), it
/// is a [`Notice`](Severity::Notice) and the exit code is unchanged.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
pub enum Severity {
    /// Bytes were not scanned or provenance is unreliable: the scan is incomplete.
    #[default]
    Incomplete,
    /// Informational: everything was scanned; the scan stays complete.
    Notice,
}

impl Severity {
    /// `incomplete` or `notice`, as in the JSON report.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Incomplete => "incomplete",
            Severity::Notice => "notice",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for ScanIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.image)?;
        if let Some(p) = &self.platform {
            write!(f, " ({p})")?;
        }
        if let Some(layer) = self.layer {
            write!(f, " layer {layer}")?;
        }
        if let Some(d) = &self.blob_digest {
            write!(f, " [{d}]")?;
        }
        if let Some(path) = &self.path {
            write!(f, " {path}")?;
        }
        write!(f, ": {}", self.reason)
    }
}
