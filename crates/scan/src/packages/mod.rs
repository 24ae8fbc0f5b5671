//! Package databases in an image: which files a package manager installed, with the digest
//! it recorded for each. The origin check (a finding in a file whose bytes hash to the
//! recorded digest is public package content) is built on these.
//!
//! One parser per database format, each a pure function from the database's bytes to the
//! files it lists, so that each can be tested and fuzzed on its own.

mod apk;
mod budget;
mod file;
mod rpm;

pub(crate) use apk::parse_apk_installed;
pub(crate) use file::{FileDigest, PackageDbError, PackageFile, PackageManager};
pub(crate) use rpm::parse_rpmdb_sqlite;
