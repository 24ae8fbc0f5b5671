//! Walking a tree on disk: its regular files and symbolic links, in sorted order, symlinks
//! not followed.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// One thing the walk met.
#[derive(Debug)]
pub(crate) enum Walked {
    /// A regular file.
    File(PathBuf),
    /// A symbolic link (not followed) and its target.
    Link(PathBuf, PathBuf),
    /// A path that could not be inspected or listed.
    Error(PathBuf, io::Error),
}

/// Calls `f` with every regular file and symbolic link under `path` (or `path` itself), in
/// sorted order, and with every path that could not be inspected or listed, so that
/// nothing is skipped silently. Other file types (FIFOs, sockets, devices) hold no content
/// to scan, as in a layer. Memory: the names of one directory at a time per level.
pub(crate) fn walk(path: &Path, f: &mut dyn FnMut(Walked)) {
    let meta = match fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) => return f(Walked::Error(path.to_owned(), e)),
    };
    if meta.is_dir() {
        let mut entries = Vec::new();
        match fs::read_dir(path) {
            Ok(rd) => {
                for entry in rd {
                    match entry {
                        Ok(entry) => entries.push(entry.path()),
                        Err(e) => f(Walked::Error(path.to_owned(), e)),
                    }
                }
            }
            Err(e) => return f(Walked::Error(path.to_owned(), e)),
        }
        entries.sort();
        for e in entries {
            walk(&e, f);
        }
    } else if meta.is_file() {
        f(Walked::File(path.to_owned()));
    } else if meta.file_type().is_symlink() {
        match fs::read_link(path) {
            Ok(target) => f(Walked::Link(path.to_owned(), target)),
            Err(e) => f(Walked::Error(path.to_owned(), e)),
        }
    }
}
