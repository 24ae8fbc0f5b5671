//! [`Origin`]: whose bytes a secret is in: the image owner's, a public package's, or a
//! published documentation example.

use std::fmt;

/// Whose bytes a location holds, decided only from evidence in the image.
///
/// Only [`Origin::Image`] fails the gate by default: a file that is byte for byte what a
/// public package ships, or a value published as a documentation example, is no secret of
/// the image's owner. Such findings are still reported (machine formats always; the text
/// report with `-v`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Origin {
    /// The image owner's: not shown to be public (the default, and what any doubt gives).
    #[default]
    Image,
    /// A file a package database in the image lists, whose bytes hash to the digest that
    /// database records for it.
    Package {
        /// The database: `dpkg`, `apk`, `rpm` or `python`.
        manager: String,
        /// The package's name.
        package: String,
        /// The package's version as the database records it (may be empty).
        version: String,
    },
    /// A file of a package installed by a manager that records no digest per file (npm's
    /// `node_modules`, listed in its lockfile with its tarball's integrity): a label for
    /// triage, not evidence. Nothing proves the bytes are the package's, so such a finding
    /// gates like [`Origin::Image`] (a real key copied into such a tree must fail the gate).
    Vendored {
        /// The manager: `npm`.
        manager: String,
        /// The package's name.
        package: String,
        /// Its version.
        version: String,
    },
    /// A value published as a documentation example (by a provider, a standard or a widely
    /// used tool).
    Example {
        /// Where it is published (a URL or a document name).
        source: String,
    },
}

impl Origin {
    /// `image`, `package` or `example`.
    pub fn kind(&self) -> &'static str {
        match self {
            Origin::Image => "image",
            Origin::Package { .. } => "package",
            Origin::Vendored { .. } => "vendored",
            Origin::Example { .. } => "example",
        }
    }

    /// Whether the bytes are the image owner's (not shown to be public).
    pub fn is_image(&self) -> bool {
        matches!(self, Origin::Image)
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Image => f.write_str("image"),
            Origin::Package { manager, package, version } if version.is_empty() => {
                write!(f, "package {package} ({manager})")
            }
            Origin::Package { manager, package, version } => {
                write!(f, "package {package} {version} ({manager})")
            }
            Origin::Vendored { manager, package, version } => {
                write!(f, "vendored {manager} package {package} {version} (no per-file digest)")
            }
            Origin::Example { source } => write!(f, "published example ({source})"),
        }
    }
}
