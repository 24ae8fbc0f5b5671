//! [`OriginIndex`]: every package database of an image, joined, and the origin of a file
//! decided from it.

use std::collections::HashMap;

use layerleak_report::Origin;

use super::{FileHashes, PackageFile, PackageManager, Parsed};

/// What the package databases of one image say about files, from every version of every
/// database file in its layers.
///
/// Every version counts, not only the final image's: a file is public when its bytes hash
/// to a digest that some package manager recorded for that path in this image. The digest
/// is the evidence, so an older database version (a package later upgraded, whose old
/// file is still in a lower layer) proves its old bytes as well as the final one proves
/// the new; a database version that never listed the file proves nothing about it.
#[derive(Debug, Default)]
pub(crate) struct OriginIndex {
    /// dpkg package → version, from the `status` files (a later layer's wins).
    dpkg_versions: HashMap<String, String>,
    /// Path → the entries listing it.
    files: HashMap<String, Vec<PackageFile>>,
    /// npm package directory → (name, version), from hidden lockfiles.
    npm: HashMap<String, (String, String)>,
}

/// The origin of one file holding a hit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// No database lists it (with a digest): the owner's.
    Unlisted,
    /// Listed, and its bytes hash to a recorded digest.
    Package(Origin),
    /// Listed, but its bytes differ from every digest recorded for it (modified after
    /// install, or a database that lies): the owner's.
    Differs {
        /// The first database entry listing it.
        manager: PackageManager,
        /// Its package.
        package: String,
    },
    /// Listed, but too large to have been hashed: the owner's, not verified.
    NotVerified {
        /// The first database entry listing it.
        manager: PackageManager,
        /// Its package.
        package: String,
    },
}

impl Verdict {
    /// The origin it gives the file.
    pub(crate) fn origin(&self) -> Origin {
        match self {
            Verdict::Package(o) => o.clone(),
            _ => Origin::Image,
        }
    }
}

impl OriginIndex {
    /// Adds what one database file says. Call in layer order: a later `status` gives dpkg
    /// packages their version.
    pub(crate) fn add(&mut self, parsed: &Parsed) {
        match parsed {
            Parsed::DpkgInstalled(installed) => {
                for i in installed {
                    self.dpkg_versions.insert(i.package.clone(), i.version.clone());
                }
            }
            Parsed::NpmPackages(packages) => {
                for p in packages {
                    self.npm.insert(p.dir.clone(), (p.name.clone(), p.version.clone()));
                }
            }
            Parsed::Files(files) => {
                for f in files.iter().filter(|f| f.digest.is_some()) {
                    let listed = self.files.entry(f.path.clone()).or_default();
                    if !listed.contains(f) {
                        listed.push(f.clone());
                    }
                }
            }
        }
    }

    /// Whether no database listed any file or package.
    pub(crate) fn is_empty(&self) -> bool {
        self.files.is_empty() && self.npm.is_empty()
    }

    /// The npm package whose directory holds `path` (the innermost), as a hidden lockfile
    /// in the image lists it with the integrity of its registry tarball.
    ///
    /// npm records no digest per file, so this is no proof the file's bytes are the
    /// package's: the pipeline uses it as a label ([`Origin::Vendored`]) that gates like
    /// `image`, so a real key copied into such a tree still fails the gate.
    pub(crate) fn npm_package(&self, path: &str) -> Option<Origin> {
        if self.npm.is_empty() {
            return None;
        }
        let mut end = path.len();
        while let Some(slash) = path[..end].rfind('/') {
            if let Some((name, version)) = self.npm.get(&path[..slash]) {
                return Some(Origin::Vendored {
                    manager: "npm".to_owned(),
                    package: name.clone(),
                    version: version.clone(),
                });
            }
            end = slash;
        }
        None
    }

    /// The verdict on the file at `path` (normalised, relative) whose bytes hash to
    /// `hashes`.
    ///
    /// A dpkg entry counts only if a `status` file lists its package as installed. On a
    /// merged-`/usr` system `usr/lib/x` is also looked up as `lib/x` (packages still list
    /// `/lib`, `/bin`, `/sbin` paths): sound, since the bytes must match the digest.
    pub(crate) fn verdict(&self, path: &str, hashes: &FileHashes) -> Verdict {
        let alias = path.strip_prefix("usr/").filter(|rest| {
            ["bin/", "sbin/", "lib/", "lib32/", "lib64/", "libx32/"]
                .iter()
                .any(|d| rest.starts_with(d))
        });
        let entries = [Some(path), alias]
            .into_iter()
            .flatten()
            .filter_map(|p| self.files.get(p))
            .flatten()
            .filter(|f| {
                f.manager != PackageManager::Dpkg || self.dpkg_versions.contains_key(&f.package)
            });
        let mut first = None;
        for f in entries {
            first.get_or_insert((f.manager, f.package.clone()));
            if f.digest.as_ref().is_some_and(|d| hashes.matches(d)) {
                let version = match f.manager {
                    PackageManager::Dpkg => {
                        self.dpkg_versions.get(&f.package).cloned().unwrap_or_default()
                    }
                    _ => f.version.clone(),
                };
                return Verdict::Package(Origin::Package {
                    manager: f.manager.as_str().to_owned(),
                    package: f.package.clone(),
                    version,
                });
            }
        }
        match (first, hashes) {
            (None, _) => Verdict::Unlisted,
            (Some((manager, package)), FileHashes::TooLarge) => {
                Verdict::NotVerified { manager, package }
            }
            (Some((manager, package)), FileHashes::Computed { .. }) => {
                Verdict::Differs { manager, package }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packages::{DbFile, parse};

    fn md5_hex(bytes: &[u8]) -> String {
        use md5::{Digest as _, Md5};
        Md5::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
    }

    fn index(status: &str, md5sums: &[(&str, String)]) -> OriginIndex {
        let mut index = OriginIndex::default();
        index.add(&parse(DbFile::DpkgStatus, "var/lib/dpkg/status", status.as_bytes()).unwrap());
        for (path, text) in md5sums {
            index.add(&parse(DbFile::DpkgMd5sums, path, text.as_bytes()).unwrap());
        }
        index
    }

    #[test]
    fn a_listed_file_whose_bytes_match_is_its_package() {
        let body = b"-----BEGIN RSA PRIVATE KEY----- test vector";
        let index = index(
            "Package: libgnutls30\nStatus: install ok installed\nVersion: 3.7.9-2\n\n",
            &[(
                "var/lib/dpkg/info/libgnutls30:amd64.md5sums",
                format!("{}  usr/lib/x86_64-linux-gnu/libgnutls.so.30\n", md5_hex(body)),
            )],
        );
        let want = Verdict::Package(Origin::Package {
            manager: "dpkg".into(),
            package: "libgnutls30".into(),
            version: "3.7.9-2".into(),
        });
        let path = "usr/lib/x86_64-linux-gnu/libgnutls.so.30";
        assert_eq!(index.verdict(path, &FileHashes::of(body)), want);
        // One byte more (a secret appended) is the owner's.
        let mut changed = body.to_vec();
        changed.push(b'x');
        assert_eq!(
            index.verdict(path, &FileHashes::of(&changed)),
            Verdict::Differs { manager: PackageManager::Dpkg, package: "libgnutls30".into() }
        );
        assert_eq!(index.verdict("usr/lib/other.so", &FileHashes::of(body)), Verdict::Unlisted);
        assert!(matches!(index.verdict(path, &FileHashes::TooLarge), Verdict::NotVerified { .. }));
    }

    #[test]
    fn merged_usr_paths_and_packages_missing_from_status() {
        let body = b"bytes";
        let lib = index(
            "Package: libc6\nStatus: install ok installed\nVersion: 2.36\n\n",
            &[("var/lib/dpkg/info/libc6.md5sums", format!("{}  lib/x/libc.so.6\n", md5_hex(body)))],
        );
        assert!(matches!(
            lib.verdict("usr/lib/x/libc.so.6", &FileHashes::of(body)),
            Verdict::Package(_)
        ));
        assert!(matches!(
            lib.verdict("usr/share/lib/x/libc.so.6", &FileHashes::of(body)),
            Verdict::Unlisted
        ));
        // md5sums of a package no status lists as installed prove nothing.
        let orphan = index(
            "Package: other\nStatus: install ok installed\nVersion: 1\n\n",
            &[("var/lib/dpkg/info/libc6.md5sums", format!("{}  lib/x/libc.so.6\n", md5_hex(body)))],
        );
        assert_eq!(orphan.verdict("lib/x/libc.so.6", &FileHashes::of(body)), Verdict::Unlisted);
    }
}
