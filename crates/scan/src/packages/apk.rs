//! Alpine's apk database, `lib/apk/db/installed`: the files every installed package owns,
//! each with the checksum apk recorded when it unpacked the file.
//!
//! The format (apk-tools `apk_db_fdb_write`, read back by `apk_db_fdb_read`) is one package
//! per paragraph, paragraphs ended by an empty line, one `X:value` field per line:
//!
//! ```text
//! P:busybox              package name
//! V:1.36.1-r29           version
//! f:S                    flags; `S`: file checksums are SHA-256 cut to 160 bits (apk-tools 3)
//! F:bin                  a directory the package owns, relative to the root
//! M:0:0:755              the directory's owner and mode (ignored here)
//! R:busybox              a file in the last `F:` directory
//! a:0:0:755              the file's owner and mode (ignored here)
//! Z:Q1Ok8Y…=             the file's checksum (absent for files apk has none for)
//! ```
//!
//! Checksums are written as `Q1` + base64 (20 bytes: SHA-1, or the SHA-256 prefix under
//! `f:S`), `Q2` + base64 (SHA-256), `X1`/`X2` + hex, or bare hex (MD5, very old databases):
//! the same encodings `apk_blob_pull_digest` reads. Every other field is ignored.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::budget::OutputBudget;
use super::file::{FileDigest, PackageDbError, PackageFile, PackageManager};

/// Parses the bytes of an apk `installed` database into the files it lists.
///
/// Paths are relative to the root, without a leading `/`. A file listed without a `Z:`
/// line gets digest `None`. A file or directory name that is not UTF-8 is left out (it
/// could not be compared with a layer's paths, so its file stays the image owner's).
///
/// # Errors
///
/// [`PackageDbError::Malformed`] with the byte offset of the offending line when a line is
/// not a field (`X:value`), a package has two names or versions, a file comes before its
/// package's name or directory, a checksum is unreadable or given twice for one file, or the
/// last package is not closed by an empty line (a truncated database). The reason never
/// quotes the database's bytes.
pub(crate) fn parse_apk_installed(bytes: &[u8]) -> Result<Vec<PackageFile>, PackageDbError> {
    let mut files = Vec::new();
    let mut budget = OutputBudget::for_input(bytes.len());
    let mut package = Paragraph::default();
    let mut offset = 0usize;
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        let at = offset;
        offset += line.len();
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        if line.len() < 2 {
            // An empty line (apk also takes a one-byte line so) closes the paragraph.
            std::mem::take(&mut package)
                .finish(&mut files, &mut budget)
                .map_err(|reason| malformed(at, reason))?;
            continue;
        }
        if line[1] != b':' {
            return Err(malformed(at, "a line is not a field of the form `X:value`"));
        }
        package.started = true;
        package.field(line[0], &line[2..]).map_err(|reason| malformed(at, reason))?;
    }
    if package.started {
        return Err(malformed(
            offset,
            "the last package is not closed by an empty line (the database is truncated)",
        ));
    }
    Ok(files)
}

/// A checksum as written, before the package's flags say what a 20-byte one is.
#[derive(Debug, Clone, Copy)]
enum RawDigest {
    Md5([u8; 16]),
    /// 20 bytes: SHA-1, or the SHA-256 prefix if the package is flagged `f:S`.
    Short([u8; 20]),
    Sha256([u8; 32]),
}

/// The directory of the `R:` lines that follow: a name, or one that is not UTF-8 (its files
/// are left out).
#[derive(Debug)]
enum Dir {
    Name(String),
    NotUtf8,
}

/// The last `R:` line: the index of its file in [`Paragraph::files`], or a left-out file
/// (its `Z:` line is still checked).
#[derive(Debug, Clone, Copy)]
enum LastFile {
    Kept(usize),
    LeftOut { has_digest: bool },
}

/// One package's paragraph while it is read.
#[derive(Debug, Default)]
struct Paragraph {
    /// Whether any field line was read since the last empty line.
    started: bool,
    name: Option<String>,
    version: Option<String>,
    /// `f:S`: 20-byte checksums are SHA-256 prefixes.
    sha256_160: bool,
    /// An `f:` flag this parser does not know: what the checksums mean is not certain, so
    /// none is kept.
    unknown_flag: bool,
    /// Whether the name was not UTF-8 (the package's files are left out).
    name_not_utf8: bool,
    dir: Option<Dir>,
    last_file: Option<LastFile>,
    files: Vec<(String, Option<RawDigest>)>,
}

impl Paragraph {
    /// Applies one field line; the error is the reason it is malformed.
    fn field(&mut self, field: u8, value: &[u8]) -> Result<(), &'static str> {
        match field {
            b'P' => {
                if self.name.is_some() || self.name_not_utf8 {
                    return Err("a package has two names (P:)");
                }
                match std::str::from_utf8(value) {
                    Ok(name) => self.name = Some(name.to_owned()),
                    Err(_) => self.name_not_utf8 = true,
                }
            }
            b'V' => {
                if self.version.is_some() {
                    return Err("a package has two versions (V:)");
                }
                self.version = Some(String::from_utf8_lossy(value).into_owned());
            }
            b'f' => {
                for &flag in value {
                    match flag {
                        b'S' => self.sha256_160 = true,
                        b'f' | b's' | b'x' => {}
                        _ => self.unknown_flag = true,
                    }
                }
            }
            b'F' => {
                if self.name.is_none() && !self.name_not_utf8 {
                    return Err("a directory (F:) comes before the package's name (P:)");
                }
                self.dir = Some(match std::str::from_utf8(value) {
                    Ok(dir) => Dir::Name(dir.trim_matches('/').to_owned()),
                    Err(_) => Dir::NotUtf8,
                });
                self.last_file = None;
            }
            b'R' => {
                let Some(dir) = &self.dir else {
                    return Err("a file (R:) comes before any directory (F:)");
                };
                let name = std::str::from_utf8(value).ok().filter(|_| !self.name_not_utf8);
                self.last_file = Some(match (dir, name) {
                    (Dir::Name(dir), Some(name)) => {
                        let path = if dir.is_empty() {
                            name.trim_start_matches('/').to_owned()
                        } else {
                            format!("{dir}/{name}")
                        };
                        self.files.push((path, None));
                        LastFile::Kept(self.files.len() - 1)
                    }
                    _ => LastFile::LeftOut { has_digest: false },
                });
            }
            b'Z' => {
                let digest = parse_digest(value).ok_or("a file checksum (Z:) is unreadable")?;
                let already = match &mut self.last_file {
                    None => return Err("a checksum (Z:) comes before any file (R:)"),
                    Some(LastFile::Kept(index)) => self.files[*index].1.replace(digest).is_some(),
                    Some(LastFile::LeftOut { has_digest }) => std::mem::replace(has_digest, true),
                };
                if already {
                    return Err("a file has two checksums (Z:)");
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Appends the finished paragraph's files to `out`, spending their names from `budget`.
    fn finish(
        self,
        out: &mut Vec<PackageFile>,
        budget: &mut OutputBudget,
    ) -> Result<(), &'static str> {
        let Some(package) = self.name else {
            return Ok(());
        };
        let version = self.version.unwrap_or_default();
        let (sha256_160, unknown_flag) = (self.sha256_160, self.unknown_flag);
        for (path, raw) in self.files {
            if !budget.take(path.len() + package.len() + version.len()) {
                return Err(OutputBudget::EXHAUSTED);
            }
            out.push(PackageFile {
                path,
                package: package.clone(),
                version: version.clone(),
                manager: PackageManager::Apk,
                digest: raw.filter(|_| !unknown_flag).map(|raw| match raw {
                    RawDigest::Md5(d) => FileDigest::Md5(d),
                    RawDigest::Short(d) if sha256_160 => FileDigest::Sha256Prefix160(d),
                    RawDigest::Short(d) => FileDigest::Sha1(d),
                    RawDigest::Sha256(d) => FileDigest::Sha256(d),
                }),
            });
        }
        Ok(())
    }
}

/// Reads a checksum in one of the encodings apk writes: `Q1`/`Q2` + base64, `X1`/`X2` +
/// hex, or 32 hex digits (MD5). The whole value must be the checksum.
fn parse_digest(value: &[u8]) -> Option<RawDigest> {
    match value {
        [b'Q', alg @ (b'1' | b'2'), rest @ ..] => {
            let mut buf = [0u8; 33];
            let n = STANDARD.decode_slice(rest, &mut buf).ok()?;
            // Base64 of 20 bytes is 28 characters, of 32 bytes 44: reject other spellings
            // (no padding, or padding bytes that decode the same) by re-encoding's length.
            if rest.len() != n.div_ceil(3) * 4 {
                return None;
            }
            sized_digest(*alg, &buf[..n])
        }
        [b'X', alg @ (b'1' | b'2'), rest @ ..] => {
            let mut buf = [0u8; 32];
            let n = decode_hex(rest, &mut buf)?;
            sized_digest(*alg, &buf[..n])
        }
        _ => {
            let mut buf = [0u8; 16];
            (decode_hex(value, &mut buf)? == 16).then_some(RawDigest::Md5(buf))
        }
    }
}

/// A digest from its algorithm digit and bytes: `1` with 20 bytes (apk-tools also reads a
/// 32-byte value after `1` as SHA-256), `2` with 32 bytes.
fn sized_digest(alg: u8, bytes: &[u8]) -> Option<RawDigest> {
    match (alg, bytes.len()) {
        (b'1', 20) => bytes.try_into().ok().map(RawDigest::Short),
        (b'1' | b'2', 32) => bytes.try_into().ok().map(RawDigest::Sha256),
        _ => None,
    }
}

/// Decodes hex digits into the start of `out`; `None` if a byte is not a hex digit, the
/// count is odd, or the value is longer than `out`.
fn decode_hex(hex: &[u8], out: &mut [u8]) -> Option<usize> {
    if !hex.len().is_multiple_of(2) || hex.len() / 2 > out.len() {
        return None;
    }
    for (pair, slot) in hex.chunks_exact(2).zip(out.iter_mut()) {
        let digit = |b: u8| char::from(b).to_digit(16);
        let value = digit(pair[0])? * 16 + digit(pair[1])?;
        *slot = u8::try_from(value).ok()?;
    }
    Some(hex.len() / 2)
}

fn malformed(offset: usize, reason: &str) -> PackageDbError {
    PackageDbError::Malformed {
        manager: PackageManager::Apk,
        offset: offset as u64,
        reason: reason.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use sha1::Digest as _;

    use super::*;

    /// A database in apk-tools' format whose checksums `make-installed.sh` computed from the
    /// files under `root/`.
    const INSTALLED: &[u8] = include_bytes!("../../tests/fixtures/apk/installed");

    fn fixture_file(path: &str) -> Vec<u8> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/apk/root/");
        std::fs::read(format!("{dir}{path}")).unwrap()
    }

    fn malformed_at(bytes: &[u8]) -> (u64, String) {
        match parse_apk_installed(bytes) {
            Err(PackageDbError::Malformed { manager: PackageManager::Apk, offset, reason }) => {
                (offset, reason)
            }
            other => panic!("expected a malformed database, got {other:?}"),
        }
    }

    #[test]
    fn lists_every_file_with_its_package_and_version() {
        let files = parse_apk_installed(INSTALLED).unwrap();
        let listed: Vec<_> = files
            .iter()
            .map(|f| (f.path.as_str(), f.package.as_str(), f.version.as_str()))
            .collect();
        assert_eq!(
            listed,
            [
                ("lib/ld-musl-x86_64.so.1", "musl", "1.2.5-r9"),
                ("lib/libc.musl-x86_64.so.1", "musl", "1.2.5-r9"),
                ("etc/ld-musl-x86_64.path", "musl", "1.2.5-r9"),
                ("etc/ssl/certs/ca-certificates.crt", "ca-certificates-bundle", "20241121-r1"),
                ("etc/ssl1.1/cert.pem", "ca-certificates-bundle", "20241121-r1"),
                ("etc/motd", "alpine-base", "3.21.2-r0"),
            ]
        );
        assert!(files.iter().all(|f| f.manager == PackageManager::Apk));
    }

    #[test]
    fn q1_checksums_are_the_sha1_of_the_files_bytes() {
        let files = parse_apk_installed(INSTALLED).unwrap();
        for file in files.iter().filter(|f| f.package == "musl") {
            let expected: [u8; 20] = sha1::Sha1::digest(fixture_file(&file.path)).into();
            assert_eq!(file.digest, Some(FileDigest::Sha1(expected)), "{}", file.path);
        }
    }

    #[test]
    fn q1_checksums_under_flag_s_are_sha256_prefixes() {
        let files = parse_apk_installed(INSTALLED).unwrap();
        let bundle = files.iter().find(|f| f.path == "etc/ssl/certs/ca-certificates.crt").unwrap();
        let sha256 = sha2::Sha256::digest(fixture_file(&bundle.path));
        let prefix: [u8; 20] = sha256[..20].try_into().unwrap();
        assert_eq!(bundle.digest, Some(FileDigest::Sha256Prefix160(prefix)));
    }

    #[test]
    fn a_file_without_a_checksum_has_no_digest() {
        let files = parse_apk_installed(INSTALLED).unwrap();
        for path in ["etc/ssl1.1/cert.pem", "etc/motd"] {
            assert_eq!(files.iter().find(|f| f.path == path).unwrap().digest, None, "{path}");
        }
    }

    #[test]
    fn every_checksum_encoding_apk_reads() {
        let sha1 = [0x11u8; 20];
        let sha256 = [0x22u8; 32];
        let md5 = [0x33u8; 16];
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        let b64 = |b: &[u8]| STANDARD.encode(b);
        for (z, expected) in [
            (format!("Q1{}", b64(&sha1)), FileDigest::Sha1(sha1)),
            (format!("Q2{}", b64(&sha256)), FileDigest::Sha256(sha256)),
            (format!("Q1{}", b64(&sha256)), FileDigest::Sha256(sha256)),
            (format!("X1{}", hex(&sha1)), FileDigest::Sha1(sha1)),
            (format!("X2{}", hex(&sha256)), FileDigest::Sha256(sha256)),
            (format!("X1{}", hex(&sha256).to_uppercase()), FileDigest::Sha256(sha256)),
            (hex(&md5), FileDigest::Md5(md5)),
        ] {
            let db = format!("P:p\nV:1\nF:usr/bin\nR:tool\nZ:{z}\n\n");
            let files = parse_apk_installed(db.as_bytes()).unwrap();
            assert_eq!(files[0].digest, Some(expected), "{z}");
        }
    }

    #[test]
    fn unreadable_checksums_are_malformed_at_their_line() {
        let sha1 = STANDARD.encode([0x11u8; 20]);
        for z in [
            String::new(),
            "Q".to_owned(),
            "Q3".to_owned(),
            format!("Q1{}", &sha1[..27]),
            format!("Q1{sha1}A"),
            format!("Q1{}", sha1.trim_end_matches('=')),
            format!("Q2{sha1}"),
            "X1abc".to_owned(),
            format!("X1{}", "g".repeat(40)),
            "0123456789abcdef".to_owned(),
            "Z1AAAA".to_owned(),
        ] {
            let db = format!("P:p\nF:d\nR:f\nZ:{z}\n\n");
            assert_eq!(malformed_at(db.as_bytes()).0, 12, "{z}");
        }
    }

    #[test]
    fn an_unknown_flag_keeps_no_digest() {
        let db = format!("P:p\nf:S?\nF:d\nR:f\nZ:Q1{}\n\n", STANDARD.encode([0u8; 20]));
        assert_eq!(parse_apk_installed(db.as_bytes()).unwrap()[0].digest, None);
    }

    #[test]
    fn the_flag_applies_to_the_whole_package_wherever_it_is() {
        let db = format!("P:p\nF:d\nR:f\nZ:Q1{}\nf:S\n\n", STANDARD.encode([7u8; 20]));
        let files = parse_apk_installed(db.as_bytes()).unwrap();
        assert_eq!(files[0].digest, Some(FileDigest::Sha256Prefix160([7; 20])));
    }

    #[test]
    fn files_at_the_root_and_slashes_in_directories() {
        let db = b"P:p\nF:\nR:top\nF:/usr/lib/\nR:x.so\n\n";
        let paths: Vec<_> = parse_apk_installed(db).unwrap().into_iter().map(|f| f.path).collect();
        assert_eq!(paths, ["top", "usr/lib/x.so"]);
    }

    #[test]
    fn names_that_are_not_utf8_leave_their_files_out() {
        let db = b"P:p\nF:d\nR:\xff\nZ:X1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\nR:ok\nF:\xfe\nR:g\n\nP:\xff\nF:d\nR:h\n\n";
        let paths: Vec<_> = parse_apk_installed(db).unwrap().into_iter().map(|f| f.path).collect();
        assert_eq!(paths, ["d/ok"]);
    }

    #[test]
    fn an_empty_database_lists_nothing() {
        assert_eq!(parse_apk_installed(b"").unwrap(), []);
        assert_eq!(parse_apk_installed(b"\n\n\n").unwrap(), []);
    }

    #[test]
    fn a_package_without_files_lists_nothing() {
        assert_eq!(parse_apk_installed(b"P:meta\nV:1\nD:a b\n\n").unwrap(), []);
    }

    #[test]
    fn a_truncated_database_is_malformed() {
        let cut = INSTALLED.len() - 5;
        let (offset, reason) = malformed_at(&INSTALLED[..cut]);
        assert_eq!(offset, cut as u64);
        assert!(reason.contains("truncated"), "{reason}");
        // Cut right after a package's last line: still not closed.
        let (_, reason) = malformed_at(b"P:p\nF:d\nR:f\n");
        assert!(reason.contains("truncated"), "{reason}");
    }

    #[test]
    fn structural_errors_name_the_line() {
        for (db, offset, what) in [
            (&b"P:p\nbogus\n\n"[..], 4, "field"),
            (b"P:p\nP:q\n\n", 4, "two names"),
            (b"P:p\nV:1\nV:2\n\n", 8, "two versions"),
            (b"C:x\nF:d\nP:p\n\n", 4, "before the package"),
            (b"P:p\nR:f\n\n", 4, "before any directory"),
            (b"P:p\nF:d\nZ:X1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n\n", 8, "before any file"),
            (
                b"P:p\nF:d\nR:f\nZ:X1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\nZ:X1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n\n",
                57,
                "two checksums",
            ),
        ] {
            let (at, reason) = malformed_at(db);
            assert_eq!(at, offset, "{reason}");
            assert!(reason.contains(what), "{reason}");
        }
    }

    #[test]
    fn a_directory_line_ends_the_last_file() {
        let db = b"P:p\nF:d\nR:f\nF:e\nZ:X1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n\n";
        assert!(malformed_at(db).1.contains("before any file"));
    }

    #[test]
    fn errors_never_quote_the_database() {
        let secret = "AKIAQYLPMN5HHHFPZAM2";
        for db in [
            format!("P:p\n{secret}\n\n"),
            format!("P:p\nF:d\nR:f\nZ:{secret}\n\n"),
            format!("P:{secret}\nF:d\nR:{secret}\n"),
        ] {
            let err = parse_apk_installed(db.as_bytes()).unwrap_err().to_string();
            assert!(!err.contains(secret), "{err}");
        }
    }

    #[test]
    fn a_large_database_is_read_in_linear_time() {
        // 200k files in one package: a quadratic parser would take minutes.
        let mut db = String::from("P:big\nV:1\nF:usr/share/big\n");
        for i in 0..200_000 {
            db.push_str(&format!("R:file{i}\nZ:Q1{}\n", STANDARD.encode([0u8; 20])));
        }
        db.push('\n');
        let started = std::time::Instant::now();
        assert_eq!(parse_apk_installed(db.as_bytes()).unwrap().len(), 200_000);
        assert!(started.elapsed().as_secs() < 10);
    }

    #[test]
    fn a_long_name_repeated_for_many_files_is_refused_not_allocated() {
        // 64 KiB of name and 200k one-byte entries: 13 GB of strings if listed.
        let mut db = format!("P:{}\nF:d\n", "n".repeat(65_536));
        db.push_str(&"R:f\n".repeat(200_000));
        db.push('\n');
        let (_, reason) = malformed_at(db.as_bytes());
        assert!(reason.contains("lying database"), "{reason}");
    }

    proptest! {
        #[test]
        fn never_panics_on_random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = parse_apk_installed(&bytes);
        }

        #[test]
        fn never_panics_on_mutated_databases(
            cut in 0..INSTALLED.len(),
            flips in proptest::collection::vec((0..INSTALLED.len(), any::<u8>()), 0..8),
        ) {
            let mut bytes = INSTALLED[..cut].to_vec();
            for (at, byte) in flips {
                if let Some(slot) = bytes.get_mut(at) {
                    *slot = byte;
                }
            }
            if let Ok(files) = parse_apk_installed(&bytes) {
                prop_assert!(files.iter().all(|f| !f.path.starts_with('/')));
            }
        }
    }
}
