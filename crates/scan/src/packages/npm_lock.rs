//! npm's hidden lockfile, `<dir>/node_modules/.package-lock.json` (npm 7 and later): the
//! packages installed under `<dir>/node_modules`, each with its version and the integrity
//! (SHA-512) of the tarball it came from.
//!
//! npm records no digest per file, so a file of such a package is never `package`; see
//! [`OriginIndex::npm_package`](super::OriginIndex::npm_package) for what it is used for.

use serde_json::Value;

use super::{PackageDbError, PackageManager};

/// The lockfile's name inside a `node_modules` directory.
const HIDDEN_LOCKFILE: &str = "node_modules/.package-lock.json";

/// One package npm installed from a registry tarball.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct NpmPackage {
    /// Its directory, relative to the image root (`app/node_modules/@aws-sdk/client-s3`).
    pub(crate) dir: String,
    /// Its name.
    pub(crate) name: String,
    /// Its version.
    pub(crate) version: String,
}

/// The directory holding `node_modules` if `path` is a hidden lockfile: `app/` for
/// `app/node_modules/.package-lock.json`, `` at the root.
pub(crate) fn lockfile_base(path: &str) -> Option<&str> {
    let base = path.strip_suffix(HIDDEN_LOCKFILE)?;
    (base.is_empty() || base.ends_with('/')).then_some(base)
}

/// The packages of the hidden lockfile at `path` that came from a tarball with a recorded
/// integrity (links, workspaces and git dependencies carry none and are left out).
///
/// # Errors
///
/// [`PackageDbError::Malformed`] when the bytes are not JSON with a `packages` object.
pub(crate) fn parse_lockfile(path: &str, bytes: &[u8]) -> Result<Vec<NpmPackage>, PackageDbError> {
    let malformed = |reason: String| PackageDbError::Malformed {
        manager: PackageManager::Npm,
        offset: 0,
        reason,
    };
    let base = lockfile_base(path).ok_or_else(|| malformed("not a hidden lockfile".into()))?;
    let doc: Value =
        serde_json::from_slice(bytes).map_err(|e| malformed(format!("not JSON: {e}")))?;
    let packages = doc
        .get("packages")
        .and_then(Value::as_object)
        .ok_or_else(|| malformed("no `packages` object".into()))?;
    let mut out = Vec::new();
    for (key, entry) in packages {
        let (Some(version), Some(_integrity)) = (
            entry.get("version").and_then(Value::as_str),
            entry.get("integrity").and_then(Value::as_str),
        ) else {
            continue;
        };
        if !key.starts_with("node_modules/") || key.split('/').any(|c| c == ".." || c.is_empty()) {
            continue;
        }
        let name = key.rsplit_once("node_modules/").map_or(key.as_str(), |(_, n)| n);
        out.push(NpmPackage {
            dir: format!("{base}{key}"),
            name: name.to_owned(),
            version: version.to_owned(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_packages_with_their_directories() {
        let lock = br#"{"name":"app","lockfileVersion":3,"packages":{
            "node_modules/jsonwebtoken":{"version":"9.0.2","integrity":"sha512-x"},
            "node_modules/a/node_modules/@scope/b":{"version":"1.0.0","integrity":"sha512-y"},
            "node_modules/linked":{"resolved":"../linked","link":true},
            "node_modules/../../etc":{"version":"1","integrity":"sha512-z"}}}"#;
        // In key order.
        let got = parse_lockfile("app/node_modules/.package-lock.json", lock).unwrap();
        assert_eq!(
            got,
            vec![
                NpmPackage {
                    dir: "app/node_modules/a/node_modules/@scope/b".into(),
                    name: "@scope/b".into(),
                    version: "1.0.0".into()
                },
                NpmPackage {
                    dir: "app/node_modules/jsonwebtoken".into(),
                    name: "jsonwebtoken".into(),
                    version: "9.0.2".into()
                },
            ]
        );
        assert_eq!(lockfile_base("node_modules/.package-lock.json"), Some(""));
        assert_eq!(lockfile_base("xnode_modules/.package-lock.json"), None);
        assert!(parse_lockfile("node_modules/.package-lock.json", b"{").is_err());
        assert!(parse_lockfile("node_modules/.package-lock.json", b"{}").is_err());
    }
}
