//! Package databases in an image: which files a package manager installed, with the digest
//! it recorded for each. The origin check (a finding in a file whose bytes hash to the
//! recorded digest is public package content) is built on these.
//!
//! One parser per database format, each a pure function from the database's bytes to the
//! files it lists, so that each can be tested and fuzzed on its own. [`DbFile::of`] names
//! the paths of database files, [`parse`] reads one, an [`OriginIndex`] joins them all
//! (every version of every database file in an image's layers) and decides origins.
//!
//! Adding a package manager: a [`DbFile`] variant with its paths in [`DbFile::of`], its
//! parser's arm in [`parse`] (giving [`Parsed::Files`]), and nothing else.

mod apk;
mod budget;
mod dpkg;
pub(crate) use dpkg::STATUS as DPKG_STATUS;
mod file;
mod hashes;
mod index;
mod npm_lock;
mod python_record;
mod rpm;

pub(crate) use apk::parse_apk_installed;
pub(crate) use file::{FileDigest, PackageDbError, PackageFile, PackageManager};
pub(crate) use hashes::{FileHashes, HASH_LIMIT};
pub(crate) use index::{OriginIndex, Verdict};
pub(crate) use rpm::parse_rpmdb_sqlite;

/// The largest database file read, in bytes (a dpkg `status` of thousands of packages is a
/// few MiB, an `rpmdb.sqlite` some tens). A larger one is reported and not read: the files
/// it lists stay `image`.
pub(crate) const DB_FILE_LIMIT: u64 = 64 << 20;

/// A package database file, by its path in the image (normalised: relative, no `./`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DbFile {
    /// `var/lib/dpkg/status`.
    DpkgStatus,
    /// `var/lib/dpkg/info/<package>[:<arch>].md5sums`.
    DpkgMd5sums,
    /// `<site-packages>/<name>-<version>.dist-info/RECORD`.
    PythonRecord,
    /// `<dir>/node_modules/.package-lock.json`.
    NpmLock,
    /// Alpine's `lib/apk/db/installed`.
    ApkInstalled,
    /// RPM's database: `rpmdb.sqlite`, or the Berkeley DB `Packages` and ndb `Packages.db`
    /// of older releases (recognised and reported as not verified), under `var/lib/rpm/` or
    /// `usr/lib/sysimage/rpm/`.
    Rpm,
}

/// Where Alpine keeps its installed-package database.
pub(crate) const APK_INSTALLED: &str = "lib/apk/db/installed";

/// The RPM databases' directories and file names.
pub(crate) const RPM_DIRS: [&str; 2] = ["var/lib/rpm/", "usr/lib/sysimage/rpm/"];
pub(crate) const RPM_FILES: [&str; 3] = ["rpmdb.sqlite", "Packages", "Packages.db"];

impl DbFile {
    /// The database file `path` is, if any.
    pub(crate) fn of(path: &str) -> Option<DbFile> {
        if path == dpkg::STATUS {
            Some(DbFile::DpkgStatus)
        } else if dpkg::md5sums_package(path).is_some() {
            Some(DbFile::DpkgMd5sums)
        } else if python_record::record_of(path).is_some() {
            Some(DbFile::PythonRecord)
        } else if npm_lock::lockfile_base(path).is_some() {
            Some(DbFile::NpmLock)
        } else if path == APK_INSTALLED {
            Some(DbFile::ApkInstalled)
        } else if RPM_DIRS
            .iter()
            .any(|dir| path.strip_prefix(dir).is_some_and(|name| RPM_FILES.contains(&name)))
        {
            Some(DbFile::Rpm)
        } else {
            None
        }
    }
}

/// What one database file says.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) enum Parsed {
    /// dpkg's installed packages and versions (from `status`).
    DpkgInstalled(Vec<dpkg::Installed>),
    /// Files with their digests.
    Files(Vec<PackageFile>),
    /// npm packages and their directories (no per-file digests).
    NpmPackages(Vec<npm_lock::NpmPackage>),
}

/// Parses the database file `kind` at `path` (as [`DbFile::of`] named it).
///
/// # Errors
///
/// The parser's [`PackageDbError`].
pub(crate) fn parse(kind: DbFile, path: &str, bytes: &[u8]) -> Result<Parsed, PackageDbError> {
    match kind {
        DbFile::DpkgStatus => dpkg::parse_status(bytes).map(Parsed::DpkgInstalled),
        DbFile::DpkgMd5sums => {
            let package = dpkg::md5sums_package(path).unwrap_or_default();
            dpkg::parse_md5sums(package, bytes).map(Parsed::Files)
        }
        DbFile::PythonRecord => python_record::parse_record(path, bytes).map(Parsed::Files),
        DbFile::NpmLock => npm_lock::parse_lockfile(path, bytes).map(Parsed::NpmPackages),
        DbFile::ApkInstalled => parse_apk_installed(bytes).map(Parsed::Files),
        DbFile::Rpm => parse_rpmdb_sqlite(bytes).map(Parsed::Files),
    }
}
