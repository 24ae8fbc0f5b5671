//! Opening local files without blocking: a path that is (or links to) a FIFO, a device or
//! a socket is refused before a single byte is read from it.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::{FileTypeExt as _, OpenOptionsExt as _};
use std::path::Path;

use crate::error::Error;

/// What went wrong opening a file.
#[derive(Debug)]
pub(crate) enum OpenError {
    /// No such file.
    NotFound,
    /// It exists but is not a regular file; says what it is.
    NotRegular(&'static str),
    /// Any other failure.
    Io(io::Error),
}

impl OpenError {
    /// As an [`Error`] naming `path` (a missing file is an [`Error::Io`]).
    pub(crate) fn into_error(self, path: &Path) -> Error {
        match self {
            OpenError::NotFound => Error::Io {
                path: path.to_owned(),
                source: io::Error::from(io::ErrorKind::NotFound),
            },
            OpenError::NotRegular(kind) => Error::NotRegularFile { path: path.to_owned(), kind },
            OpenError::Io(source) => Error::Io { path: path.to_owned(), source },
        }
    }
}

/// Opens `path` for reading if it is a regular file (following symbolic links), with its
/// length: for callers walking a tree on disk, so that a path swapped for a FIFO or a
/// device between the walk and the open cannot block them.
///
/// The file is opened with `O_NONBLOCK`, so that opening a FIFO returns at once instead of
/// waiting for a writer, and its type is then checked on the open descriptor (`fstat`), so
/// no swap of the path between check and use can slip a FIFO or a device through. For a
/// regular file `O_NONBLOCK` changes nothing.
///
/// # Errors
///
/// [`Error::Io`] naming `path` when it cannot be opened, [`Error::NotRegularFile`] when
/// it is not a regular file.
pub fn open_regular_file(path: &Path) -> Result<(File, u64), Error> {
    open_regular(path).map_err(|e| e.into_error(path))
}

/// [`open_regular_file`], with the error not yet tied to a path.
pub(crate) fn open_regular(path: &Path) -> Result<(File, u64), OpenError> {
    let file = match OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(OpenError::NotFound),
        Err(e) => return Err(OpenError::Io(e)),
    };
    let meta = file.metadata().map_err(OpenError::Io)?;
    let kind = meta.file_type();
    if kind.is_file() {
        return Ok((file, meta.len()));
    }
    Err(OpenError::NotRegular(if kind.is_dir() {
        "a directory"
    } else if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let status = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(status.success());
        std::os::unix::fs::symlink(&fifo, dir.path().join("link")).unwrap();
        assert!(matches!(
            open_regular(&dir.path().join("link")),
            Err(OpenError::NotRegular("a FIFO"))
        ));
        assert!(matches!(
            open_regular(Path::new("/dev/zero")),
            Err(OpenError::NotRegular("a device"))
        ));
        assert!(matches!(open_regular(&dir.path().join("none")), Err(OpenError::NotFound)));
    }
}
