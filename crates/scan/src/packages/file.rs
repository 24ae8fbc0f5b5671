//! [`PackageFile`]: one file as a package database lists it.

use std::fmt;

/// The package manager whose database listed a file.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub(crate) enum PackageManager {
    /// Debian's dpkg: `var/lib/dpkg/status` and `var/lib/dpkg/info/*.md5sums`.
    Dpkg,
    /// Alpine's apk: `lib/apk/db/installed`.
    Apk,
    /// RPM's SQLite database: `var/lib/rpm/rpmdb.sqlite` (or `usr/lib/sysimage/rpm/`).
    Rpm,
    /// A Python distribution's `*.dist-info/RECORD`.
    PythonRecord,
    /// npm's hidden lockfile `node_modules/.package-lock.json` (no per-file digests).
    Npm,
}

impl PackageManager {
    /// The name used in reports: `dpkg`, `apk`, `rpm`, `python`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            PackageManager::Dpkg => "dpkg",
            PackageManager::Apk => "apk",
            PackageManager::Rpm => "rpm",
            PackageManager::PythonRecord => "python",
            PackageManager::Npm => "npm",
        }
    }
}

impl fmt::Display for PackageManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The digest a database recorded for a file's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub(crate) enum FileDigest {
    /// MD5 (dpkg `md5sums`, old RPM).
    Md5([u8; 16]),
    /// SHA-1 (apk `Z:Q1…`).
    Sha1([u8; 20]),
    /// SHA-256 (Python `RECORD`, RPM, apk `Z:Q2…`).
    Sha256([u8; 32]),
    /// The first 20 bytes (160 bits) of a SHA-256: what apk-tools 3 records in `Z:Q1…` for
    /// the files of a package flagged `f:S` (it keeps SHA-1's length and encoding).
    Sha256Prefix160([u8; 20]),
}

/// One file a package database lists.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct PackageFile {
    /// The file's path in the image, relative to the root, without a leading `/` or `./`
    /// (the form tar entries of layers are compared in).
    pub(crate) path: String,
    /// The package's name.
    pub(crate) package: String,
    /// The package's version, as the database records it (empty if it records none).
    pub(crate) version: String,
    /// Which database listed it.
    pub(crate) manager: PackageManager,
    /// The recorded digest; `None` where the database lists the file without one it can be
    /// verified by (a file never demotes a finding without a digest that matches).
    pub(crate) digest: Option<FileDigest>,
}

/// A package database that could not be read. It never demotes a finding; the pipeline
/// reports it as an issue naming the database's path.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PackageDbError {
    /// The bytes are not in the database's format.
    #[error("malformed {manager} database at byte {offset}: {reason}")]
    Malformed {
        /// Which database.
        manager: PackageManager,
        /// Where in its bytes the problem is (0 if unknown).
        offset: u64,
        /// What is wrong (never quotes the database's bytes).
        reason: String,
    },
    /// A format this build does not read (e.g. RPM's Berkeley DB or ndb): its files are
    /// "not verified", never guessed.
    #[error("unsupported {manager} database format: {format}")]
    Unsupported {
        /// Which database.
        manager: PackageManager,
        /// The format found.
        format: String,
    },
}
