//! An index of a tar archive on disk, so members can be read by seeking.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::safe_open::{OpenError, open_regular};

/// How many symlinks or hard links are followed before a lookup gives up (loops).
pub(crate) const MAX_LINK_HOPS: usize = 16;

/// Where one member's data lives in the archive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Member {
    /// Byte offset of the member's data in the archive file.
    pub(crate) offset: u64,
    /// Length of the data.
    pub(crate) size: u64,
}

#[derive(Clone, Debug)]
enum Entry {
    File(Member),
    /// A symlink or hard link, with its target already made archive-relative.
    Link(String),
}

/// Member name → data position, built once by walking the headers.
///
/// # Memory usage
///
/// One map entry per member; no member data is held. Building it reads only the headers
/// (data is skipped by seeking), so it costs a few reads per member whatever the archive
/// size.
///
/// GNU long names and PAX `path`/`linkpath` records are honoured (the `tar` crate resolves
/// them). Later members with the same name replace earlier ones, as extraction would.
/// Symlinks and hard links are recorded and followed on lookup; legacy `docker save`
/// archives link duplicated layers this way.
#[derive(Debug)]
pub(crate) struct TarIndex {
    path: PathBuf,
    entries: HashMap<String, Entry>,
}

impl TarIndex {
    /// Walks the archive at `path` and indexes its members.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the file cannot be opened, [`Error::Archive`] when a header is
    /// corrupt or the archive is truncated.
    pub(crate) fn build(path: &Path) -> Result<TarIndex> {
        let (file, _) = open_regular(path).map_err(|e| e.into_error(path))?;
        let archive_error = |source| Error::Archive { path: path.to_owned(), source };
        let mut archive = tar::Archive::new(BufReader::new(file));
        let mut entries = HashMap::new();
        for entry in archive.entries_with_seek().map_err(archive_error)? {
            let entry = entry.map_err(archive_error)?;
            let name = normalize(&String::from_utf8_lossy(&entry.path_bytes()));
            if name.is_empty() {
                continue;
            }
            let kind = entry.header().entry_type();
            let link = || entry.link_name_bytes().map(|l| String::from_utf8_lossy(&l).into_owned());
            let value = if kind.is_file() || kind == tar::EntryType::Continuous {
                Entry::File(Member { offset: entry.raw_file_position(), size: entry.size() })
            } else if kind.is_symlink() {
                let Some(target) = link() else { continue };
                Entry::Link(resolve_relative(&name, &target))
            } else if kind.is_hard_link() {
                let Some(target) = link() else { continue };
                Entry::Link(normalize(&target))
            } else {
                continue;
            };
            entries.insert(name, value);
        }
        if let Some(Entry::File(last)) = entries.values().max_by_key(|e| match e {
            Entry::File(m) => m.offset.saturating_add(m.size),
            Entry::Link(_) => 0,
        }) {
            // `entries_with_seek` skips data by seeking, so a truncated final member is
            // only visible by comparing against the file length.
            let len = std::fs::metadata(path)
                .map_err(|source| Error::Io { path: path.to_owned(), source })?
                .len();
            if last.offset.saturating_add(last.size) > len {
                return Err(archive_error(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "archive is truncated",
                )));
            }
        }
        Ok(TarIndex { path: path.to_owned(), entries })
    }

    /// The archive's path.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Number of names indexed (files and links).
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// Finds a regular-file member by name, following links.
    pub(crate) fn get(&self, name: &str) -> Option<Member> {
        let mut name = normalize(name);
        for _ in 0..MAX_LINK_HOPS {
            match self.entries.get(&name)? {
                Entry::File(member) => return Some(*member),
                Entry::Link(target) => name = target.clone(),
            }
        }
        None
    }

    /// Opens a member for reading: a fresh file handle, seeked to the data and limited to
    /// its length, so several members can be read at once from different threads.
    pub(crate) fn open(&self, member: Member) -> io::Result<io::Take<BufReader<File>>> {
        let (mut file, _) = open_regular(&self.path).map_err(|e| match e {
            OpenError::Io(e) => e,
            OpenError::NotFound => io::Error::from(io::ErrorKind::NotFound),
            OpenError::NotRegular(kind) => io::Error::other(format!("not a regular file ({kind})")),
        })?;
        file.seek(SeekFrom::Start(member.offset))?;
        Ok(BufReader::with_capacity(64 * 1024, file).take(member.size))
    }
}

/// Normalises a member name: no leading `./` or `/`, no empty or `.` components, `..`
/// applied. Names that climb above the root keep only what remains.
pub(crate) fn normalize(name: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in name.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

/// Resolves a symlink target relative to the directory holding the link.
pub(crate) fn resolve_relative(link: &str, target: &str) -> String {
    if target.starts_with('/') {
        return normalize(target);
    }
    match link.rsplit_once('/') {
        Some((dir, _)) => normalize(&format!("{dir}/{target}")),
        None => normalize(target),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_normalise() {
        assert_eq!(normalize("./a//b/./c"), "a/b/c");
        assert_eq!(normalize("/a/../b"), "b");
        assert_eq!(normalize("../../x"), "x");
        assert_eq!(resolve_relative("abc/layer.tar", "../def/layer.tar"), "def/layer.tar");
        assert_eq!(resolve_relative("top", "other"), "other");
    }
}
