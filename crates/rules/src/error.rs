//! Errors of this crate.

use std::path::PathBuf;

use crate::Diagnostic;

/// Errors from loading rules.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A rule directory or file could not be read.
    #[error("cannot read rules from {}", path.display())]
    Read {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The rules were read but did not pass validation.
    #[error("{} rule error(s), first: {}", errors.len(), errors.first().map(ToString::to_string).unwrap_or_default())]
    Invalid {
        /// Every error found, not only the first.
        errors: Vec<Diagnostic>,
    },
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
