//! Entry points for the fuzz targets in the repository's `fuzz/` (not a stable API): the
//! package-database parsers are crate-private.

/// Parses an apk `installed` database: the number of files it lists, or `None` if it is
/// malformed.
pub fn parse_apk_installed(bytes: &[u8]) -> Option<usize> {
    crate::packages::parse_apk_installed(bytes).ok().map(|files| files.len())
}

/// Parses an `rpmdb.sqlite`: the number of regular files it lists, or `None` if it is
/// malformed or of an unsupported format.
pub fn parse_rpmdb_sqlite(bytes: &[u8]) -> Option<usize> {
    crate::packages::parse_rpmdb_sqlite(bytes).ok().map(|files| files.len())
}
