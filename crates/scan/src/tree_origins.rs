//! [`TreeOrigins`]: origins for `scan-fs`, from the package databases of a tree on disk.

use std::collections::HashSet;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use layerleak_report::Origin;

use crate::packages::{self, DB_FILE_LIMIT, DbFile, FileHashes, HASH_LIMIT, OriginIndex, Parsed};

/// The package databases of the trees `scan-fs` walks, and the origin of a file from them,
/// by the same rules as in images: a file is `package` only when a database lists it and
/// its bytes hash to the digest recorded there.
///
/// The system databases (dpkg's `var/lib/dpkg/status` and `info/*.md5sums`, Alpine's
/// `lib/apk/db/installed`, RPM's `rpmdb.sqlite` under `var/lib/rpm` or
/// `usr/lib/sysimage/rpm`) are found at the root filesystem holding a scanned path (the
/// nearest ancestor, the path itself included, with one of them); Python `RECORD` files
/// and npm lockfiles are read wherever the walk meets them ([`TreeOrigins::consider`]),
/// their paths resolved against their own directory. Decide origins only after the walk: a
/// `RECORD` may come after the files it lists.
#[derive(Debug, Default)]
pub struct TreeOrigins {
    index: OriginIndex,
    roots: HashSet<PathBuf>,
    problems: Vec<String>,
}

/// `path` made absolute and canonical, as the index's key (no leading `/`).
fn key(path: &Path) -> Option<String> {
    let abs = std::fs::canonicalize(path).ok()?;
    Some(abs.to_str()?.trim_start_matches('/').to_owned())
}

impl TreeOrigins {
    /// No database yet.
    pub fn new() -> TreeOrigins {
        TreeOrigins::default()
    }

    /// Reads the system package databases (dpkg, apk, RPM) of the root filesystem holding
    /// `path`, if there is one and it was not read yet.
    pub fn add_root_of(&mut self, path: &Path) {
        let Ok(abs) = std::fs::canonicalize(path) else {
            return;
        };
        let system: Vec<String> = [packages::DPKG_STATUS, packages::APK_INSTALLED]
            .into_iter()
            .map(str::to_owned)
            .chain(
                packages::RPM_DIRS
                    .iter()
                    .flat_map(|d| packages::RPM_FILES.iter().map(move |f| format!("{d}{f}"))),
            )
            .collect();
        let Some(root) = abs.ancestors().find(|a| system.iter().any(|db| a.join(db).is_file()))
        else {
            return;
        };
        if !self.roots.insert(root.to_owned()) {
            return;
        }
        let prefix = root.to_str().unwrap_or_default().trim_start_matches('/').to_owned();
        for db in &system {
            if root.join(db).is_file() {
                self.read(root, db, &prefix);
            }
        }
        if !root.join(packages::DPKG_STATUS).is_file() {
            return;
        }
        let info = root.join("var/lib/dpkg/info");
        let mut names: Vec<String> = match std::fs::read_dir(&info) {
            Ok(rd) => rd
                .filter_map(|e| e.ok()?.file_name().into_string().ok())
                .filter(|n| n.ends_with(".md5sums"))
                .collect(),
            Err(e) => {
                self.problems.push(format!("cannot list {}: {e}", info.display()));
                return;
            }
        };
        names.sort();
        for n in names {
            self.read(root, &format!("var/lib/dpkg/info/{n}"), &prefix);
        }
    }

    /// Reads `file` if it is a Python `RECORD` or an npm lockfile (the walk calls this for
    /// every file).
    pub fn consider(&mut self, file: &Path) {
        let Some(key) = key(file) else {
            return;
        };
        if matches!(DbFile::of(&key), Some(DbFile::PythonRecord | DbFile::NpmLock)) {
            self.read(Path::new("/"), &key, "");
        }
    }

    /// Reads the database file `relative` under `root`, its listed paths under `prefix`.
    fn read(&mut self, root: &Path, relative: &str, prefix: &str) {
        let Some(kind) = DbFile::of(relative) else {
            return;
        };
        let path = root.join(relative);
        let bytes = match read_limited(&path, DB_FILE_LIMIT) {
            Ok(Some(b)) => b,
            Ok(None) => {
                self.problems.push(format!(
                    "{}: package database larger than {} MiB not read: the files it lists keep the origin `image`",
                    path.display(),
                    DB_FILE_LIMIT >> 20
                ));
                return;
            }
            Err(e) => {
                self.problems.push(format!("cannot read {}: {e}", path.display()));
                return;
            }
        };
        match packages::parse(kind, relative, &bytes) {
            Ok(Parsed::Files(mut files)) if !prefix.is_empty() => {
                for f in &mut files {
                    f.path = format!("{prefix}/{}", f.path);
                }
                self.index.add(&Parsed::Files(files));
            }
            Ok(parsed) => self.index.add(&parsed),
            Err(e) => self.problems.push(format!(
                "{}: {e}: not used, so the files it lists keep the origin `image`",
                path.display()
            )),
        }
    }

    /// The origin of the file at `path`, hashing it (files up to the hash limit; a larger
    /// one stays `image`).
    pub fn origin(&self, path: &Path) -> Origin {
        if self.index.is_empty() {
            return Origin::Image;
        }
        let Some(key) = key(path) else {
            return Origin::Image;
        };
        let hashes = match read_limited(path, HASH_LIMIT as u64) {
            Ok(Some(bytes)) => FileHashes::of(&bytes),
            Ok(None) => FileHashes::TooLarge,
            Err(_) => return Origin::Image,
        };
        match self.index.verdict(&key, &hashes).origin() {
            // npm records no per-file digest: a label that gates like `image`.
            Origin::Image => self.index.npm_package(&key).unwrap_or(Origin::Image),
            o => o,
        }
    }

    /// The databases that could not be read, one message each (they demote nothing).
    pub fn problems(&self) -> &[String] {
        &self.problems
    }
}

/// The bytes of `path`, or `None` if it is larger than `limit`. Anything but a regular
/// file is an error (a FIFO or a device at a database's path must not block the walk).
fn read_limited(path: &Path, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    if !std::fs::metadata(path)?.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)?.take(limit + 1).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}
