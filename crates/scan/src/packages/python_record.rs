//! Python distributions: `<site-packages>/<name>-<version>.dist-info/RECORD`, a CSV file
//! of `path,sha256=<urlsafe base64 without padding>,size` lines. Paths are relative to the
//! directory holding the `.dist-info` (the site-packages directory) and may climb out of
//! it (`../../../bin/django-admin`).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::{FileDigest, PackageDbError, PackageFile, PackageManager};

/// The distribution's name and version, and the site-packages directory, if `path` is a
/// `RECORD` file of a `.dist-info` directory: `usr/lib/python3/site-packages/Django-4.2.dist-info/RECORD`
/// → `("Django", "4.2", "usr/lib/python3/site-packages")`.
pub(crate) fn record_of(path: &str) -> Option<(&str, &str, &str)> {
    let dist_info = path.strip_suffix("/RECORD")?;
    let (site, dir) = dist_info.rsplit_once('/').unwrap_or(("", dist_info));
    let stem = dir.strip_suffix(".dist-info")?;
    let (name, version) = stem.split_once('-')?;
    (!name.is_empty()).then_some((name, version, site))
}

fn malformed(offset: usize, reason: impl Into<String>) -> PackageDbError {
    PackageDbError::Malformed {
        manager: PackageManager::PythonRecord,
        offset: offset as u64,
        reason: reason.into(),
    }
}

/// The files the `RECORD` at `path` lists (see [`record_of`]), with their paths resolved
/// against the site-packages directory. Entries without a hash (the `RECORD` itself,
/// compiled `.pyc` files) or with an algorithm other than SHA-256 are listed without a
/// digest; entries whose path climbs above the root are left out.
///
/// # Errors
///
/// [`PackageDbError::Malformed`] when `path` is not a `RECORD` path, the file is not UTF-8,
/// does not end with a newline (truncated), a line has an unterminated quote, or a
/// `sha256=` value is not 32 bytes of URL-safe base64.
pub(crate) fn parse_record(path: &str, bytes: &[u8]) -> Result<Vec<PackageFile>, PackageDbError> {
    let (name, version, site) =
        record_of(path).ok_or_else(|| malformed(0, "not a .dist-info/RECORD path"))?;
    let text = std::str::from_utf8(bytes)
        .map_err(|e| malformed(e.valid_up_to(), "the RECORD is not UTF-8"))?;
    if !text.is_empty() && !text.ends_with('\n') {
        return Err(malformed(bytes.len(), "the RECORD does not end with a newline (truncated?)"));
    }
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split('\n') {
        let at = offset;
        offset += line.len() + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        let fields =
            csv_fields(line).ok_or_else(|| malformed(at, "a line has an unterminated quote"))?;
        let file = fields.first().map(String::as_str).unwrap_or_default();
        let digest = match fields.get(1).map(String::as_str).unwrap_or_default() {
            "" => None,
            hash => match hash.split_once('=') {
                // Debian's dh-python writes hex digests; wheels write URL-safe base64.
                Some(("sha256", hex)) if hex.len() == 64 => {
                    let raw = super::dpkg::hex_digest::<32>(hex.as_bytes())
                        .ok_or_else(|| malformed(at, "a sha256 value is not 64 hex digits"))?;
                    Some(FileDigest::Sha256(raw))
                }
                Some(("sha256", b64)) => {
                    let raw = URL_SAFE_NO_PAD
                        .decode(b64.trim_end_matches('='))
                        .map_err(|_| malformed(at, "a sha256 value is not URL-safe base64"))?;
                    let raw: [u8; 32] = raw
                        .try_into()
                        .map_err(|_| malformed(at, "a sha256 value is not 32 bytes"))?;
                    Some(FileDigest::Sha256(raw))
                }
                Some(_) => None,
                None => return Err(malformed(at, "a hash is not `algorithm=value`")),
            },
        };
        let Some(resolved) = resolve(site, file) else {
            continue;
        };
        out.push(PackageFile {
            path: resolved,
            package: name.to_owned(),
            version: version.to_owned(),
            manager: PackageManager::PythonRecord,
            digest,
        });
    }
    Ok(out)
}

/// The fields of one CSV line (RFC 4180 quoting, as Python's `csv` module writes it), or
/// `None` for an unterminated quote.
fn csv_fields(line: &str) -> Option<Vec<String>> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (false, ',') => fields.push(std::mem::take(&mut field)),
            (false, '"') if field.is_empty() => quoted = true,
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (_, c) => field.push(c),
        }
    }
    if quoted {
        return None;
    }
    fields.push(field);
    Some(fields)
}

/// `site` joined with `relative`, `.` and `..` resolved; `None` if it climbs above the
/// root or is absolute (an installer may record absolute paths for files outside the
/// prefix: they are not verified).
fn resolve(site: &str, relative: &str) -> Option<String> {
    if relative.is_empty() || relative.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = site.split('/').filter(|p| !p.is_empty()).collect();
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SITE: &str = "usr/local/lib/python3.11/site-packages";

    #[test]
    fn names_versions_and_site_packages_from_the_path() {
        assert_eq!(
            record_of(&format!("{SITE}/PyJWT-2.8.0.dist-info/RECORD")),
            Some(("PyJWT", "2.8.0", SITE))
        );
        assert_eq!(record_of("x/PyJWT-2.8.0.dist-info/METADATA"), None);
        assert_eq!(record_of("x/PyJWT.egg-info/RECORD"), None);
    }

    #[test]
    fn lines_hashes_quotes_and_relative_paths() {
        let record = "jwt/__init__.py,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\n\
                      \"jwt/a,b.py\",sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\r\n\
                      PyJWT-2.8.0.dist-info/RECORD,,\n\
                      ../../../bin/jwt,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\n\
                      ../../../../../../../etc/x,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\n\
                      jwt/x.py,sha512=abc,1\n\
                      jwt/hex.py,sha256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855,0\n";
        let files =
            parse_record(&format!("{SITE}/PyJWT-2.8.0.dist-info/RECORD"), record.as_bytes())
                .unwrap();
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                format!("{SITE}/jwt/__init__.py").as_str(),
                &format!("{SITE}/jwt/a,b.py"),
                &format!("{SITE}/PyJWT-2.8.0.dist-info/RECORD"),
                "usr/local/bin/jwt",
                &format!("{SITE}/jwt/x.py"),
                &format!("{SITE}/jwt/hex.py"),
            ]
        );
        // sha256 of the empty string.
        let empty: [u8; 32] = [
            0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f,
            0xb9, 0x24, 0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b,
            0x78, 0x52, 0xb8, 0x55,
        ];
        assert_eq!(files[0].digest, Some(FileDigest::Sha256(empty)));
        assert_eq!((files[0].package.as_str(), files[0].version.as_str()), ("PyJWT", "2.8.0"));
        assert_eq!(files[2].digest, None);
        assert_eq!(files[4].digest, None, "sha512 is not verified");
        assert_eq!(files[5].digest, Some(FileDigest::Sha256(empty)), "Debian's hex form");
    }

    #[test]
    fn garbled_or_truncated_records_are_malformed() {
        let path = format!("{SITE}/a-1.dist-info/RECORD");
        for bad in [
            &b"a.py,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0"[..],
            b"a.py,sha256=47DEQpj8HBSa,0\n",
            b"a.py,sha256=!!!,0\n",
            b"\"a.py,sha256=x,0\n",
            b"a.py,nohash,0\n",
            b"a.py,,\n\xff\n",
        ] {
            assert!(
                matches!(parse_record(&path, bad), Err(PackageDbError::Malformed { .. })),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
