//! Debian's dpkg database: `var/lib/dpkg/status` names the installed packages and their
//! versions; `var/lib/dpkg/info/<package>[:<arch>].md5sums` lists each package's files with
//! their MD5.
//!
//! The two arrive as separate files (possibly in different layers), so they are parsed
//! apart and joined by package name when origins are resolved.

use super::{FileDigest, PackageDbError, PackageFile, PackageManager};

/// The directory of the per-package `*.md5sums` files.
pub(crate) const INFO_DIR: &str = "var/lib/dpkg/info/";

/// The status file.
pub(crate) const STATUS: &str = "var/lib/dpkg/status";

/// One installed package of a `status` file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Installed {
    /// The package name (without `:arch`).
    pub(crate) package: String,
    /// Its version.
    pub(crate) version: String,
}

fn malformed(offset: usize, reason: impl Into<String>) -> PackageDbError {
    PackageDbError::Malformed {
        manager: PackageManager::Dpkg,
        offset: offset as u64,
        reason: reason.into(),
    }
}

/// The packages a `status` file records as installed (`Status: … installed`; also
/// `half-configured`, `unpacked` and the like, whose files are on disk too; not
/// `not-installed` or `config-files`).
///
/// # Errors
///
/// [`PackageDbError::Malformed`] when the file is not UTF-8, does not end with a newline
/// (truncated), has a stanza without `Package`, or a line that is neither a field nor a
/// continuation.
pub(crate) fn parse_status(bytes: &[u8]) -> Result<Vec<Installed>, PackageDbError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| malformed(e.valid_up_to(), "the status file is not UTF-8"))?;
    if !text.is_empty() && !text.ends_with('\n') {
        return Err(malformed(
            bytes.len(),
            "the status file does not end with a newline (truncated?)",
        ));
    }
    let mut out = Vec::new();
    let mut offset = 0;
    for stanza in text.split("\n\n") {
        let start = offset;
        offset += stanza.len() + 2;
        if stanza.trim().is_empty() {
            continue;
        }
        let (mut package, mut version, mut status) = (None, None, None);
        let mut line_offset = start;
        for line in stanza.lines() {
            let at = line_offset;
            line_offset += line.len() + 1;
            if line.starts_with([' ', '\t']) {
                continue;
            }
            let Some((field, value)) = line.split_once(':') else {
                return Err(malformed(at, "a line is neither a field nor a continuation"));
            };
            let value = value.trim();
            match field {
                "Package" => package = Some(value),
                "Version" => version = Some(value),
                "Status" => status = Some(value),
                _ => {}
            }
        }
        let Some(package) = package else {
            return Err(malformed(start, "a stanza has no Package field"));
        };
        let on_disk = status
            .and_then(|s| s.split_whitespace().nth(2))
            .is_some_and(|state| !matches!(state, "not-installed" | "config-files"));
        if on_disk {
            out.push(Installed {
                package: package.to_owned(),
                version: version.unwrap_or_default().to_owned(),
            });
        }
    }
    Ok(out)
}

/// The package a `var/lib/dpkg/info/` file name belongs to, if it is a `*.md5sums` file:
/// `libc6:amd64.md5sums` → `libc6`.
pub(crate) fn md5sums_package(path: &str) -> Option<&str> {
    let name = path.strip_prefix(INFO_DIR)?.strip_suffix(".md5sums")?;
    if name.is_empty() || name.contains('/') {
        return None;
    }
    Some(name.split_once(':').map_or(name, |(package, _arch)| package))
}

/// The files of one `*.md5sums` file (`<32 hex digits>  <path>` per line, paths relative
/// to the root), for `package`; versions are left empty, filled from `status` later.
///
/// # Errors
///
/// [`PackageDbError::Malformed`] when a line is not of that form, or the file does not end
/// with a newline (truncated).
pub(crate) fn parse_md5sums(
    package: &str,
    bytes: &[u8],
) -> Result<Vec<PackageFile>, PackageDbError> {
    if !bytes.is_empty() && !bytes.ends_with(b"\n") {
        return Err(malformed(
            bytes.len(),
            "the md5sums file does not end with a newline (truncated?)",
        ));
    }
    let mut out = Vec::new();
    let mut offset = 0;
    for line in bytes.split(|&b| b == b'\n') {
        let at = offset;
        offset += line.len() + 1;
        if line.is_empty() {
            continue;
        }
        let (Some(hex), Some(b"  "), Some(path)) =
            (line.get(..32), line.get(32..34), line.get(34..))
        else {
            return Err(malformed(at, "a line is not `<md5>  <path>`"));
        };
        let digest =
            hex_digest::<16>(hex).ok_or_else(|| malformed(at, "an MD5 is not 32 hex digits"))?;
        let path =
            std::str::from_utf8(path).map_err(|_| malformed(at + 34, "a path is not UTF-8"))?;
        let path = path.trim_start_matches("./").trim_start_matches('/');
        if path.is_empty() {
            return Err(malformed(at + 34, "a line has an empty path"));
        }
        out.push(PackageFile {
            path: path.to_owned(),
            package: package.to_owned(),
            version: String::new(),
            manager: PackageManager::Dpkg,
            digest: Some(FileDigest::Md5(digest)),
        });
    }
    Ok(out)
}

/// `N` bytes from `2N` hex digits.
pub(crate) fn hex_digest<const N: usize>(hex: &[u8]) -> Option<[u8; N]> {
    if hex.len() != 2 * N {
        return None;
    }
    let mut out = [0; N];
    for (o, pair) in out.iter_mut().zip(hex.chunks_exact(2)) {
        let s = std::str::from_utf8(pair).ok()?;
        *o = u8::from_str_radix(s, 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATUS_TEXT: &str = "Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.36-9+deb12u4\nDescription: GNU C Library\n a continuation line\n\nPackage: old\nStatus: deinstall ok config-files\nVersion: 1.0\n\nPackage: half\nStatus: install reinstreq half-configured\nVersion: 2\n";

    #[test]
    fn status_lists_packages_whose_files_are_on_disk() {
        let got = parse_status(STATUS_TEXT.as_bytes()).unwrap();
        assert_eq!(
            got,
            vec![
                Installed { package: "libc6".into(), version: "2.36-9+deb12u4".into() },
                Installed { package: "half".into(), version: "2".into() },
            ]
        );
    }

    #[test]
    fn truncated_or_garbled_status_is_malformed() {
        let cut = &STATUS_TEXT.as_bytes()[..40];
        assert!(matches!(parse_status(cut), Err(PackageDbError::Malformed { .. })));
        assert!(parse_status(b"Version: 1\n\n").is_err(), "no Package field");
        assert!(parse_status(b"Package: a\nno colon here\n").is_err());
        assert!(parse_status(b"Package: a\n\xff\n").is_err());
    }

    #[test]
    fn md5sums_lines_and_package_names() {
        assert_eq!(md5sums_package("var/lib/dpkg/info/libc6:amd64.md5sums"), Some("libc6"));
        assert_eq!(md5sums_package("var/lib/dpkg/info/bash.md5sums"), Some("bash"));
        assert_eq!(md5sums_package("var/lib/dpkg/info/bash.list"), None);
        assert_eq!(md5sums_package("var/lib/dpkg/info/x/y.md5sums"), None);
        let files = parse_md5sums(
            "bash",
            b"d41d8cd98f00b204e9800998ecf8427e  bin/bash\n0123456789abcdef0123456789ABCDEF  usr/share/doc/bash/x y\n",
        )
        .unwrap();
        assert_eq!(files.len(), 2);
        assert_eq!(files[0].path, "bin/bash");
        assert_eq!(files[1].path, "usr/share/doc/bash/x y");
        assert_eq!(
            files[0].digest,
            Some(FileDigest::Md5(hex_digest(b"d41d8cd98f00b204e9800998ecf8427e").unwrap()))
        );
    }

    #[test]
    fn garbled_or_truncated_md5sums_are_malformed() {
        for bad in [
            &b"d41d8cd98f00b204e9800998ecf8427e  bin/bash"[..],
            b"d41d8cd98f00b204e9800998ecf8427  bin/bash\n",
            b"z41d8cd98f00b204e9800998ecf8427e  bin/bash\n",
            b"d41d8cd98f00b204e9800998ecf8427e bin/bash\n",
            b"d41d8cd98f00b204e9800998ecf8427e  \n",
        ] {
            assert!(
                matches!(parse_md5sums("p", bad), Err(PackageDbError::Malformed { .. })),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
