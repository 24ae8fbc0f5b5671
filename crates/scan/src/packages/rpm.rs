//! RPM's package database in the SQLite format of current Fedora, RHEL and UBI
//! (`var/lib/rpm/rpmdb.sqlite`, `usr/lib/sysimage/rpm/rpmdb.sqlite`): table
//! `Packages(hnum, blob)`, one RPM header blob per installed package.
//!
//! The SQLite file is opened from its bytes in memory (never written to disk). Each header
//! blob is read here, with every count and offset checked against the blob's length:
//!
//! ```text
//! il: u32 BE   number of index entries
//! dl: u32 BE   length of the data store
//! il × { tag: i32 BE, type: u32 BE, offset: i32 BE, count: u32 BE }
//! dl bytes     the data store the entries point into
//! ```
//!
//! The older formats, Berkeley DB (`Packages`) and ndb (`Packages.db`), are recognised by
//! their magic numbers and reported unsupported: their files are "not verified", never
//! guessed.

use std::io::Read as _;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, MAIN_DB, OptionalExtension as _};

use super::budget::OutputBudget;
use super::file::{FileDigest, PackageDbError, PackageFile, PackageManager};

/// The header tags read here (rpm's `rpmTag`).
mod tag {
    pub(super) const NAME: i32 = 1000;
    pub(super) const VERSION: i32 = 1001;
    pub(super) const RELEASE: i32 = 1002;
    pub(super) const EPOCH: i32 = 1003;
    pub(super) const FILEMODES: i32 = 1030;
    pub(super) const FILEDIGESTS: i32 = 1035;
    pub(super) const DIRINDEXES: i32 = 1116;
    pub(super) const BASENAMES: i32 = 1117;
    pub(super) const DIRNAMES: i32 = 1118;
    pub(super) const FILEDIGESTALGO: i32 = 5011;
    /// Every tag above, for the one pass over the index.
    pub(super) const ALL: [i32; 10] = [
        NAME,
        VERSION,
        RELEASE,
        EPOCH,
        FILEMODES,
        FILEDIGESTS,
        DIRINDEXES,
        BASENAMES,
        DIRNAMES,
        FILEDIGESTALGO,
    ];
}

/// The header data types read here (rpm's `rpmTagType`).
mod kind {
    pub(super) const INT16: u32 = 3;
    pub(super) const INT32: u32 = 4;
    pub(super) const STRING: u32 = 6;
    pub(super) const STRING_ARRAY: u32 = 8;
    pub(super) const I18NSTRING: u32 = 9;
}

/// rpm's own limits on a header (`hdrchkTags`, `hdrchkData`): at most 65535 index entries
/// and 256 MiB of data.
const MAX_ENTRIES: usize = 0xffff;
const MAX_DATA: usize = 0x0fff_ffff;

/// The 16 bytes an SQLite database starts with.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";
/// An SQLite database header is 100 bytes.
const SQLITE_HEADER_LEN: usize = 100;

/// Parses the bytes of an `rpmdb.sqlite` into the regular files its packages list.
///
/// Each file gets its package's name and version (`[epoch:]version-release`) and its
/// recorded digest: MD5, SHA-1 or SHA-256 as the package's `FILEDIGESTALGO` says (MD5 if
/// absent); `None` for an empty digest or an algorithm without a [`FileDigest`] variant
/// (SHA-384, SHA-512, SHA-224). Directories, symbolic links and other non-regular files are
/// left out, and so are paths that are not UTF-8 (their files stay the image owner's).
///
/// # Errors
///
/// - [`PackageDbError::Unsupported`] for a Berkeley DB or ndb database, recognised by magic.
/// - [`PackageDbError::Malformed`] when the bytes are not an SQLite database SQLite can read,
///   it has no `Packages` table, or a header blob breaks the format: counts or offsets past
///   its end, wrong data types, per-file arrays of different lengths, a directory index out
///   of range, a digest of the wrong length. The offset is that of the SQLite header (0), as
///   a record inside SQLite has no single byte offset; the reason names the record's `hnum`
///   and never quotes the database's bytes.
pub(crate) fn parse_rpmdb_sqlite(bytes: &[u8]) -> Result<Vec<PackageFile>, PackageDbError> {
    if !bytes.starts_with(SQLITE_MAGIC) {
        return Err(other_format(bytes));
    }
    let conn = open_in_memory(bytes)?;
    let table: Option<String> = conn
        .query_row(
            "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'Packages'",
            [],
            |row| row.get(0),
        )
        .optional()
        .map_err(|e| sqlite_error(&e))?;
    // A plain table, not a view (whose rows a query could generate without end).
    if !table.is_some_and(|sql| sql.trim_start().to_ascii_uppercase().starts_with("CREATE TABLE")) {
        return Err(malformed(0, "the SQLite database has no `Packages` table".to_owned()));
    }
    let mut statement = conn
        .prepare("SELECT hnum, blob FROM Packages ORDER BY hnum")
        .map_err(|e| sqlite_error(&e))?;
    let mut rows = statement.query([]).map_err(|e| sqlite_error(&e))?;
    let mut files = Vec::new();
    let mut budget = OutputBudget::for_input(bytes.len());
    while let Some(row) = rows.next().map_err(|e| sqlite_error(&e))? {
        let hnum: i64 = row.get(0).map_err(|e| sqlite_error(&e))?;
        let ValueRef::Blob(blob) = row.get_ref(1).map_err(|e| sqlite_error(&e))? else {
            return Err(malformed(0, format!("package record {hnum}: the header is not a blob")));
        };
        read_header(blob, &mut files, &mut budget)
            .map_err(|reason| malformed(0, format!("package record {hnum}: {reason}")))?;
    }
    Ok(files)
}

/// Opens the database's bytes as a read-only in-memory SQLite database. A database in WAL
/// mode (header bytes 18 and 19 are 2) is opened as a rollback-journal one: the in-memory
/// VFS has no WAL, and the main file holds every checkpointed transaction (rpm checkpoints
/// when it closes the database; a `-wal` file beside it is not read).
fn open_in_memory(bytes: &[u8]) -> Result<Connection, PackageDbError> {
    if bytes.len() < SQLITE_HEADER_LEN {
        return Err(malformed(bytes.len(), "the SQLite header is truncated".to_owned()));
    }
    // The file is whole pages, and as many as the header counts (when that count is valid:
    // its change counter matches the "version valid for" number). SQLite does not always
    // notice a missing last page by itself.
    let be32 =
        |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    let page_size = match u16::from_be_bytes([bytes[16], bytes[17]]) {
        1 => 65_536,
        n => usize::from(n),
    };
    let counted_pages = (be32(24) == be32(92)).then(|| be32(28) as usize);
    if page_size < 512
        || !page_size.is_power_of_two()
        || !bytes.len().is_multiple_of(page_size)
        || counted_pages.is_some_and(|pages| pages.saturating_mul(page_size) > bytes.len())
    {
        return Err(malformed(bytes.len(), "the SQLite file is truncated".to_owned()));
    }
    let versions: &[u8] = match (bytes[18], bytes[19]) {
        (2, 2) => &[1, 1],
        _ => &bytes[18..20],
    };
    let reader = bytes[..18].chain(versions).chain(&bytes[20..]);
    let mut conn = Connection::open_in_memory().map_err(|e| sqlite_error(&e))?;
    conn.deserialize_read_exact(MAIN_DB, reader, bytes.len(), true)
        .map_err(|e| sqlite_error(&e))?;
    // The hardening SQLite recommends for databases from untrusted sources.
    conn.execute_batch("PRAGMA trusted_schema = OFF; PRAGMA cell_size_check = ON;")
        .map_err(|e| sqlite_error(&e))?;
    Ok(conn)
}

/// What bytes that are not SQLite are: an older rpm database format, or nothing known.
fn other_format(bytes: &[u8]) -> PackageDbError {
    // ndb's `Packages.db` starts with its magic `RpmP` (rpmpkg.c).
    if bytes.starts_with(b"RpmP") {
        return unsupported("ndb (Packages.db)");
    }
    // Berkeley DB keeps its magic at offset 12, in the byte order of the machine that wrote
    // it: hash (0x061561, rpm's Packages) or btree (0x053162, its indexes).
    if let Some(magic) = bytes.get(12..16) {
        let magic: [u8; 4] = magic.try_into().unwrap_or_default();
        let (le, be) = (u32::from_le_bytes(magic), u32::from_be_bytes(magic));
        if [le, be].iter().any(|m| matches!(m, 0x0006_1561 | 0x0005_3162)) {
            return unsupported("Berkeley DB (Packages)");
        }
    }
    malformed(0, "not an SQLite, Berkeley DB or ndb database".to_owned())
}

/// One index entry of a header.
#[derive(Debug, Clone, Copy)]
struct Entry {
    kind: u32,
    offset: usize,
    count: usize,
}

/// A header blob split into its index and data store, with the entries of the tags read.
#[derive(Debug)]
struct Header<'a> {
    data: &'a [u8],
    entries: [Option<Entry>; tag::ALL.len()],
}

impl<'a> Header<'a> {
    fn parse(blob: &'a [u8]) -> Result<Self, String> {
        let word = |at: usize| -> Option<u32> {
            blob.get(at..at + 4).and_then(|b| b.try_into().ok()).map(u32::from_be_bytes)
        };
        let (Some(il), Some(dl)) = (word(0), word(4)) else {
            return Err("the header is shorter than its 8-byte preamble".to_owned());
        };
        let (il, dl) = (il as usize, dl as usize);
        if il == 0 || il > MAX_ENTRIES || dl > MAX_DATA {
            return Err("the header's entry count or data length is out of range".to_owned());
        }
        let data_start = 8 + il * 16;
        if blob.len() != data_start + dl {
            return Err(
                "the header's length does not match its entry count and data length".to_owned()
            );
        }
        let data = &blob[data_start..];
        let mut entries = [None; tag::ALL.len()];
        for raw in blob[8..data_start].chunks_exact(16) {
            let field = |i: usize| u32::from_be_bytes([raw[i], raw[i + 1], raw[i + 2], raw[i + 3]]);
            let tag = i32::from_be_bytes(field(0).to_be_bytes());
            let Some(slot) = tag::ALL.iter().position(|&t| t == tag) else {
                continue;
            };
            if entries[slot].is_none() {
                let (offset, count) = (field(8) as usize, field(12) as usize);
                if offset > data.len() {
                    return Err(format!("tag {tag} points past the header's data"));
                }
                entries[slot] = Some(Entry { kind: field(4), offset, count });
            }
        }
        Ok(Header { data, entries })
    }

    fn entry(&self, tag: i32) -> Option<Entry> {
        tag::ALL.iter().position(|&t| t == tag).and_then(|slot| self.entries[slot])
    }

    /// The `count` NUL-terminated strings of a string-array tag (or one string of a string
    /// tag); `None` if the header lacks the tag.
    fn strings(&self, tag: i32) -> Result<Option<Vec<&'a [u8]>>, String> {
        let Some(entry) = self.entry(tag) else {
            return Ok(None);
        };
        let count = match entry.kind {
            kind::STRING => 1,
            kind::STRING_ARRAY | kind::I18NSTRING => entry.count,
            _ => return Err(format!("tag {tag} is not a string")),
        };
        let mut rest = &self.data[entry.offset..];
        // Each string takes at least its NUL: a count past the data is a lie, caught before
        // anything is allocated for it.
        if count > rest.len() {
            return Err(format!("tag {tag} counts more strings than its data holds"));
        }
        let mut strings = Vec::with_capacity(count);
        for _ in 0..count {
            let end = rest
                .iter()
                .position(|&b| b == 0)
                .ok_or_else(|| format!("a string of tag {tag} runs past the header's data"))?;
            strings.push(&rest[..end]);
            rest = &rest[end + 1..];
        }
        Ok(Some(strings))
    }

    /// The one string of a string tag; an error if the header lacks it.
    fn string(&self, tag: i32) -> Result<String, String> {
        let strings = self.strings(tag)?.ok_or_else(|| format!("the header has no tag {tag}"))?;
        let first = strings.first().ok_or_else(|| format!("tag {tag} is empty"))?;
        Ok(String::from_utf8_lossy(first).into_owned())
    }

    /// The big-endian integers of an INT16 or INT32 tag; `None` if the header lacks the tag.
    fn integers(&self, tag: i32, kind: u32) -> Result<Option<Vec<u32>>, String> {
        let Some(entry) = self.entry(tag) else {
            return Ok(None);
        };
        if entry.kind != kind {
            return Err(format!("tag {tag} has data type {}, expected {kind}", entry.kind));
        }
        let width = if kind == kind::INT16 { 2 } else { 4 };
        let bytes = entry
            .count
            .checked_mul(width)
            .and_then(|len| self.data.get(entry.offset..entry.offset.checked_add(len)?))
            .ok_or_else(|| format!("tag {tag} counts more integers than its data holds"))?;
        Ok(Some(
            bytes
                .chunks_exact(width)
                .map(|b| b.iter().fold(0u32, |acc, &x| acc << 8 | u32::from(x)))
                .collect(),
        ))
    }
}

/// The regular-file mode bits (`S_IFMT`, `S_IFREG`).
const S_IFMT: u32 = 0o170_000;
const S_IFREG: u32 = 0o100_000;

/// Appends the regular files one header blob lists to `out`, spending their names from
/// `budget`.
fn read_header(
    blob: &[u8],
    out: &mut Vec<PackageFile>,
    budget: &mut OutputBudget,
) -> Result<(), String> {
    let header = Header::parse(blob)?;
    let package = header.string(tag::NAME)?;
    let version = {
        let (version, release) = (header.string(tag::VERSION)?, header.string(tag::RELEASE)?);
        match header.integers(tag::EPOCH, kind::INT32)?.as_deref() {
            Some([epoch, ..]) => format!("{epoch}:{version}-{release}"),
            _ => format!("{version}-{release}"),
        }
    };
    let Some(basenames) = header.strings(tag::BASENAMES)? else {
        return Ok(());
    };
    let n = basenames.len();
    let lengths_match = |what: &str, len: usize| {
        if len == n { Ok(()) } else { Err(format!("the package lists {n} files but {len} {what}")) }
    };
    let dirnames = header.strings(tag::DIRNAMES)?.unwrap_or_default();
    let dirindexes = header.integers(tag::DIRINDEXES, kind::INT32)?.unwrap_or_default();
    let modes = header.integers(tag::FILEMODES, kind::INT16)?.unwrap_or_default();
    lengths_match("directory indexes", dirindexes.len())?;
    lengths_match("file modes", modes.len())?;
    let digests = header.strings(tag::FILEDIGESTS)?;
    if let Some(digests) = &digests {
        lengths_match("file digests", digests.len())?;
    }
    let algorithm = match header.integers(tag::FILEDIGESTALGO, kind::INT32)?.as_deref() {
        Some([algorithm, ..]) => *algorithm,
        _ => 1,
    };
    for (i, (basename, &dirindex)) in basenames.iter().zip(&dirindexes).enumerate() {
        let dir = dirnames
            .get(dirindex as usize)
            .ok_or("a file's directory index is past the directory names")?;
        if modes[i] & S_IFMT != S_IFREG {
            continue;
        }
        let (Ok(dir), Ok(basename)) = (std::str::from_utf8(dir), std::str::from_utf8(basename))
        else {
            continue;
        };
        let digest = match &digests {
            Some(digests) => parse_digest(algorithm, digests[i])?,
            None => None,
        };
        if !budget.take(dir.len() + basename.len() + package.len() + version.len()) {
            return Err(OutputBudget::EXHAUSTED.to_owned());
        }
        out.push(PackageFile {
            path: format!("{dir}{basename}").trim_start_matches('/').to_owned(),
            package: package.clone(),
            version: version.clone(),
            manager: PackageManager::Rpm,
            digest,
        });
    }
    Ok(())
}

/// A file digest in hex under the package's `FILEDIGESTALGO` (OpenPGP hash numbers: 1 MD5,
/// 2 SHA-1, 8 SHA-256); `None` if empty or of an algorithm without a [`FileDigest`].
fn parse_digest(algorithm: u32, hex: &[u8]) -> Result<Option<FileDigest>, String> {
    if hex.is_empty() {
        return Ok(None);
    }
    let digest = match algorithm {
        1 => decode_hex(hex).map(FileDigest::Md5),
        2 => decode_hex(hex).map(FileDigest::Sha1),
        8 => decode_hex(hex).map(FileDigest::Sha256),
        _ => return Ok(None),
    };
    digest.map(Some).ok_or_else(|| {
        format!(
            "a file digest is not the {} hex digits of algorithm {algorithm}",
            match algorithm {
                1 => 32,
                2 => 40,
                _ => 64,
            }
        )
    })
}

/// Exactly `2 × N` hex digits as `N` bytes.
fn decode_hex<const N: usize>(hex: &[u8]) -> Option<[u8; N]> {
    if hex.len() != 2 * N {
        return None;
    }
    let mut out = [0u8; N];
    for (pair, slot) in hex.chunks_exact(2).zip(&mut out) {
        let digit = |b: u8| char::from(b).to_digit(16);
        *slot = u8::try_from(digit(pair[0])? * 16 + digit(pair[1])?).ok()?;
    }
    Some(out)
}

/// An SQLite error as a malformed database, by SQLite's error code only (its messages can
/// name things from the database).
fn sqlite_error(err: &rusqlite::Error) -> PackageDbError {
    let reason = match err.sqlite_error_code() {
        Some(code) => format!("SQLite cannot read the database ({code:?})"),
        None => "SQLite cannot read the database".to_owned(),
    };
    malformed(0, reason)
}

fn malformed(offset: usize, reason: String) -> PackageDbError {
    PackageDbError::Malformed { manager: PackageManager::Rpm, offset: offset as u64, reason }
}

fn unsupported(format: &str) -> PackageDbError {
    PackageDbError::Unsupported { manager: PackageManager::Rpm, format: format.to_owned() }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use sha2::Digest as _;

    use super::*;

    /// A real `rpmdb.sqlite` (in WAL mode, as rpm leaves it) that `make-rpmdb.sh` made with
    /// rpmbuild and rpm, and rpm's own listing of it.
    const RPMDB: &[u8] = include_bytes!("../../tests/fixtures/rpm/rpmdb.sqlite");
    const DUMP: &str = include_str!("../../tests/fixtures/rpm/rpmdb.dump");
    const VERSIONS: &str = include_str!("../../tests/fixtures/rpm/rpmdb.versions");

    fn malformed_reason(bytes: &[u8]) -> String {
        match parse_rpmdb_sqlite(bytes) {
            Err(PackageDbError::Malformed { manager: PackageManager::Rpm, reason, .. }) => reason,
            other => panic!("expected a malformed database, got {other:?}"),
        }
    }

    #[test]
    fn lists_the_regular_files_rpm_lists_with_rpms_digests() {
        let files = parse_rpmdb_sqlite(RPMDB).unwrap();
        // `rpm --dump`: path size mtime digest mode owner group config doc rdev symlink.
        let mut regular = Vec::new();
        for line in DUMP.lines() {
            let fields: Vec<&str> = line.split(' ').collect();
            if fields[4].starts_with("0100") {
                regular.push((fields[0].trim_start_matches('/'), fields[3]));
            }
        }
        assert_eq!(regular.len(), 4, "the fixture's regular files");
        assert_eq!(files.len(), regular.len(), "{files:?}");
        for (path, hex) in regular {
            let file = files.iter().find(|f| f.path == path).unwrap_or_else(|| panic!("{path}"));
            let listed = match file.digest {
                Some(FileDigest::Md5(d)) => d.to_vec(),
                Some(FileDigest::Sha256(d)) => d.to_vec(),
                other => panic!("{path}: {other:?}"),
            };
            let listed: String = listed.iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(listed, hex, "{path}");
            assert_eq!(file.manager, PackageManager::Rpm);
        }
    }

    #[test]
    fn versions_are_epoch_version_release_as_rpm_prints_them() {
        let files = parse_rpmdb_sqlite(RPMDB).unwrap();
        for line in VERSIONS.lines() {
            let (name, version) = line.split_once(' ').unwrap();
            let file = files.iter().find(|f| f.package == name).unwrap();
            assert_eq!(file.version, version, "{name}");
        }
        assert!(VERSIONS.contains("2:1.2.3-4"), "the fixture has an epoch");
    }

    #[test]
    fn a_sha256_digest_is_that_of_the_files_bytes() {
        let files = parse_rpmdb_sqlite(RPMDB).unwrap();
        let conf = files.iter().find(|f| f.path == "etc/layerleak.conf").unwrap();
        let expected: [u8; 32] = sha2::Sha256::digest(b"token = public-default-value\n").into();
        assert_eq!(conf.digest, Some(FileDigest::Sha256(expected)));
        assert_eq!(conf.package, "layerleak-fixture");
    }

    #[test]
    fn directories_and_symlinks_are_left_out() {
        let files = parse_rpmdb_sqlite(RPMDB).unwrap();
        for path in
            ["usr/share/layerleak", "usr/share/layerleak/empty", "usr/share/layerleak/hello-link"]
        {
            assert!(files.iter().all(|f| f.path != path), "{path}");
        }
    }

    #[test]
    fn a_truncated_database_is_malformed() {
        for cut in [0, 50, 99, 100, 4096, RPMDB.len() / 2, RPMDB.len() - 1] {
            assert!(parse_rpmdb_sqlite(&RPMDB[..cut]).is_err(), "{cut}");
        }
        assert!(malformed_reason(&RPMDB[..99]).contains("truncated"));
    }

    #[test]
    fn berkeley_db_and_ndb_are_unsupported_not_guessed() {
        let mut bdb = vec![0u8; 4096];
        bdb[12..16].copy_from_slice(&0x0006_1561u32.to_le_bytes());
        let mut bdb_be = vec![0u8; 4096];
        bdb_be[12..16].copy_from_slice(&0x0006_1561u32.to_be_bytes());
        let mut ndb = b"RpmP".to_vec();
        ndb.extend([0u8; 60]);
        for (bytes, format) in [(bdb, "Berkeley DB"), (bdb_be, "Berkeley DB"), (ndb, "ndb")] {
            match parse_rpmdb_sqlite(&bytes) {
                Err(PackageDbError::Unsupported { manager: PackageManager::Rpm, format: f }) => {
                    assert!(f.contains(format), "{f}");
                }
                other => panic!("{format}: {other:?}"),
            }
        }
        assert!(malformed_reason(b"plain text, no database").contains("not an SQLite"));
    }

    /// An SQLite database made by `sql`, as bytes.
    fn sqlite_bytes(sql: &str, blobs: &[Vec<u8>]) -> Vec<u8> {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(sql).unwrap();
        for blob in blobs {
            conn.execute("INSERT INTO Packages (blob) VALUES (?1)", [blob]).unwrap();
        }
        conn.serialize(MAIN_DB).unwrap().to_vec()
    }

    const PACKAGES: &str =
        "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL);";

    #[test]
    fn a_database_without_a_packages_table_is_malformed() {
        let other = sqlite_bytes("CREATE TABLE Other (x);", &[]);
        assert!(malformed_reason(&other).contains("no `Packages` table"));
        let view = sqlite_bytes(
            "CREATE VIEW Packages AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT i AS hnum, x'00' AS blob FROM n;",
            &[],
        );
        assert!(malformed_reason(&view).contains("no `Packages` table"));
    }

    #[test]
    fn an_empty_packages_table_lists_nothing() {
        assert_eq!(parse_rpmdb_sqlite(&sqlite_bytes(PACKAGES, &[])).unwrap(), []);
    }

    /// A header blob built from `(tag, type, count, data)` entries, the data laid out in
    /// order.
    fn header(entries: &[(i32, u32, u32, Vec<u8>)]) -> Vec<u8> {
        let il = u32::try_from(entries.len()).unwrap();
        let data: Vec<u8> = entries.iter().flat_map(|e| e.3.clone()).collect();
        let mut blob = il.to_be_bytes().to_vec();
        blob.extend(u32::try_from(data.len()).unwrap().to_be_bytes());
        let mut offset = 0u32;
        for (tag, kind, count, bytes) in entries {
            for word in
                [tag.to_be_bytes(), kind.to_be_bytes(), offset.to_be_bytes(), count.to_be_bytes()]
            {
                blob.extend(word);
            }
            offset += u32::try_from(bytes.len()).unwrap();
        }
        blob.extend(data);
        blob
    }

    fn string(s: &str) -> (u32, u32, Vec<u8>) {
        (kind::STRING, 1, format!("{s}\0").into_bytes())
    }

    fn strings(items: &[&str]) -> (u32, u32, Vec<u8>) {
        let data = items.iter().flat_map(|s| format!("{s}\0").into_bytes()).collect();
        (kind::STRING_ARRAY, u32::try_from(items.len()).unwrap(), data)
    }

    fn int32s(items: &[u32]) -> (u32, u32, Vec<u8>) {
        let data = items.iter().flat_map(|i| i.to_be_bytes()).collect();
        (kind::INT32, u32::try_from(items.len()).unwrap(), data)
    }

    fn int16s(items: &[u16]) -> (u32, u32, Vec<u8>) {
        let data = items.iter().flat_map(|i| i.to_be_bytes()).collect();
        (kind::INT16, u32::try_from(items.len()).unwrap(), data)
    }

    /// A package with two regular files and a directory, SHA-1 digests, and `change`
    /// applied to its entries.
    fn package(change: impl FnOnce(&mut Vec<(i32, (u32, u32, Vec<u8>))>)) -> Vec<u8> {
        let sha1 = "00112233445566778899aabbccddeeff00112233";
        let mut entries = vec![
            (tag::NAME, string("pkg")),
            (tag::VERSION, string("1.0")),
            (tag::RELEASE, string("3.el9")),
            (tag::BASENAMES, strings(&["a.conf", "share", "b"])),
            (tag::DIRNAMES, strings(&["/etc/", "/usr/"])),
            (tag::DIRINDEXES, int32s(&[0, 1, 1])),
            (tag::FILEMODES, int16s(&[0o100_644, 0o040_755, 0o100_755])),
            (tag::FILEDIGESTS, strings(&[sha1, "", sha1])),
            (tag::FILEDIGESTALGO, int32s(&[2])),
        ];
        change(&mut entries);
        header(&entries.into_iter().map(|(t, (k, c, d))| (t, k, c, d)).collect::<Vec<_>>())
    }

    fn read(blob: &[u8]) -> Result<Vec<PackageFile>, String> {
        let mut out = Vec::new();
        read_header(blob, &mut out, &mut OutputBudget::for_input(blob.len())).map(|()| out)
    }

    #[test]
    fn a_header_lists_its_regular_files_under_their_directories() {
        let files = read(&package(|_| {})).unwrap();
        let paths: Vec<_> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["etc/a.conf", "usr/b"]);
        assert_eq!(files[0].version, "1.0-3.el9");
        assert!(matches!(files[0].digest, Some(FileDigest::Sha1([0x00, 0x11, ..]))));
    }

    #[test]
    fn the_digest_algorithm_defaults_to_md5_and_unknown_ones_verify_nothing() {
        let md5 = "00112233445566778899aabbccddeeff";
        let files = read(&package(|e| {
            e.retain(|(t, _)| *t != tag::FILEDIGESTALGO);
            e[7].1 = strings(&[md5, "", md5]);
        }))
        .unwrap();
        assert!(matches!(files[0].digest, Some(FileDigest::Md5(_))));
        // SHA-512 (10): no variant, so no digest rather than a guess.
        let files = read(&package(|e| e[8].1 = int32s(&[10]))).unwrap();
        assert_eq!(files[0].digest, None);
        // No digests at all.
        let files = read(&package(|e| e.retain(|(t, _)| *t != tag::FILEDIGESTS))).unwrap();
        assert!(files.iter().all(|f| f.digest.is_none()));
    }

    #[test]
    fn an_epoch_prefixes_the_version() {
        let files = read(&package(|e| e.push((tag::EPOCH, int32s(&[7]))))).unwrap();
        assert_eq!(files[0].version, "7:1.0-3.el9");
    }

    #[test]
    fn a_package_without_files_lists_nothing() {
        let blob = package(|e| e.truncate(3));
        assert_eq!(read(&blob).unwrap(), []);
    }

    #[test]
    fn lying_headers_are_errors() {
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (vec![0, 0, 0], "preamble"),
            (header(&[]), "out of range"),
            ([0xffu8; 8].to_vec(), "out of range"),
            (
                {
                    let mut b = package(|_| {});
                    b.push(0);
                    b
                },
                "does not match",
            ),
            (package(|e| e[3].1.1 = u32::MAX), "more strings"),
            (package(|e| e[5].1.1 = u32::MAX), "more integers"),
            (package(|e| e[6].1.1 = 0x8000_0000), "more integers"),
            (package(|e| e[5].1 = int32s(&[0, 1])), "2 directory indexes"),
            (package(|e| e[6].1 = int16s(&[0o100_644])), "1 file modes"),
            (package(|e| e[7].1 = strings(&["", ""])), "2 file digests"),
            (package(|e| e[5].1 = int32s(&[0, 1, 9])), "directory index"),
            (package(|e| e[7].1 = strings(&["00", "", "zz"])), "hex digits"),
            (package(|e| e[6].1 = int32s(&[0, 0, 0])), "data type"),
            (package(|e| e[0].1 = int32s(&[1])), "not a string"),
            (
                package(|e| {
                    e.remove(0);
                }),
                "no tag 1000",
            ),
            (
                package(|e| {
                    e.truncate(3);
                    e[2].1 = (kind::STRING, 1, b"unterminated".to_vec());
                }),
                "runs past",
            ),
        ];
        for (blob, what) in cases {
            let err = read(&blob).unwrap_err();
            assert!(err.contains(what), "{what}: {err}");
        }
    }

    #[test]
    fn a_long_directory_shared_by_many_files_is_refused_not_allocated() {
        // One 1 MiB directory name and 100k one-byte basenames: 100 GB of paths if listed.
        let n = 100_000;
        let names: Vec<&str> = vec!["f"; n];
        let blob = package(|e| {
            e[3].1 = strings(&names);
            e[4].1 = strings(&["d".repeat(1 << 20).as_str()]);
            e[5].1 = int32s(&vec![0; n]);
            e[6].1 = int16s(&vec![0o100_644; n]);
            e.truncate(7);
        });
        assert!(read(&blob).unwrap_err().contains("lying database"));
    }

    #[test]
    fn an_offset_past_the_data_is_an_error() {
        let mut blob = package(|_| {});
        // The first entry's offset field: preamble 8 + tag 4 + type 4.
        blob[16..20].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(read(&blob).unwrap_err().contains("past the header's data"));
    }

    #[test]
    fn header_errors_reach_the_caller_with_the_record_number() {
        let db = sqlite_bytes(PACKAGES, &[package(|_| {}), vec![1, 2, 3]]);
        let reason = malformed_reason(&db);
        assert!(reason.starts_with("package record 2:"), "{reason}");
        let good = sqlite_bytes(PACKAGES, &[package(|_| {})]);
        assert_eq!(parse_rpmdb_sqlite(&good).unwrap().len(), 2);
    }

    #[test]
    fn errors_never_quote_the_database() {
        let secret = "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";
        let db = sqlite_bytes(
            PACKAGES,
            &[package(|e| {
                e[0].1 = string(secret);
                e[7].1 = strings(&[secret, "", secret]);
            })],
        );
        let err = parse_rpmdb_sqlite(&db).unwrap_err().to_string();
        assert!(!err.contains(secret) && err.contains("hex digits"), "{err}");
        let text = sqlite_bytes(&format!("CREATE TABLE \"{secret}\" (x);"), &[]);
        assert!(!parse_rpmdb_sqlite(&text).unwrap_err().to_string().contains(secret));
    }

    proptest! {
        #[test]
        fn a_header_never_panics_on_random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = read(&bytes);
        }

        #[test]
        fn a_header_never_panics_when_mutated(
            flips in proptest::collection::vec((0..400usize, any::<u8>()), 1..8),
        ) {
            let mut blob = package(|_| {});
            for (at, byte) in flips {
                let len = blob.len();
                blob[at % len] = byte;
            }
            let _ = read(&blob);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn the_database_never_panics_when_mutated(
            flips in proptest::collection::vec((0..RPMDB.len(), any::<u8>()), 1..16),
        ) {
            let mut bytes = RPMDB.to_vec();
            for (at, byte) in flips {
                bytes[at] = byte;
            }
            let _ = parse_rpmdb_sqlite(&bytes);
        }
    }
}
