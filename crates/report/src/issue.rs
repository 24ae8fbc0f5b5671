//! [`ScanIssue`]: something that could not be (fully) scanned.

use std::fmt;

/// Something that could not be read or fully scanned: the scan is incomplete.
///
/// Issues never carry file contents; `reason` describes the failure (an I/O or format
/// error, a limit), not the data.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ScanIssue {
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
