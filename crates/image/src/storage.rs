//! Where a local image's files live: a directory or an indexed tar archive.

use std::io::{BufReader, Cursor, Read};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::bounded::{Bounded, Collector};
use crate::digest::{Algorithm, Digest, Hasher};
use crate::error::{Error, Result};
use crate::manifest::Descriptor;
use crate::member_store::{HEAD_BYTES, MemberStore, Stored};
use crate::safe_open::{OpenError, open_regular};
use crate::tar_index::TarIndex;
use crate::verify::VerifyingReader;

/// The most bytes of an index or manifest read into memory (the registry limit is 4 MiB).
pub(crate) const MAX_MANIFEST_BYTES: u64 = 4 << 20;
/// The most bytes of an image config read into memory; long histories make configs big.
pub(crate) const MAX_CONFIG_BYTES: u64 = 32 << 20;

/// A readable blob or file with its stored length.
pub(crate) type Opened = (Box<dyn Read + Send>, u64);

/// A directory, an indexed archive, or what remains of a streamed archive, addressed by
/// relative names (`index.json`, `blobs/sha256/…`, `<id>/layer.tar`). Cheap to clone and
/// shareable across threads.
#[derive(Clone, Debug)]
pub(crate) enum Storage {
    Dir(PathBuf),
    Tar(Arc<TarIndex>),
    /// A `docker save` stream read once: small documents are readable, members that
    /// streamed past are known only by [`head`](Storage::head) and
    /// [`sha256`](Storage::sha256).
    Streamed(Arc<MemberStore>),
}

impl Storage {
    /// The directory or archive path.
    pub(crate) fn path(&self) -> &Path {
        match self {
            Storage::Dir(dir) => dir,
            Storage::Tar(index) => index.path(),
            Storage::Streamed(store) => store.location(),
        }
    }

    /// Whether a file of that name exists.
    pub(crate) fn contains(&self, name: &str) -> bool {
        match self {
            Storage::Dir(dir) => is_safe(name) && dir.join(name).is_file(),
            Storage::Tar(index) => index.get(name).is_some(),
            Storage::Streamed(store) => store.get(name).is_some(),
        }
    }

    /// Opens the file `name`, or `Ok(None)` when there is none.
    ///
    /// # Errors
    ///
    /// [`Error::UnsafeMemberPath`] when, in a directory, the name is absolute or climbs with
    /// `..` (names come from untrusted `manifest.json`); [`Error::NotRegularFile`] when, in
    /// a directory, it is (or links to) a FIFO, device or other non-file, which is never
    /// opened for reading; [`Error::MemberStreamed`] for a
    /// member of a stream that was not kept; [`Error::Io`] on other failures.
    pub(crate) fn open(&self, name: &str, image: &str) -> Result<Option<Opened>> {
        match self {
            Storage::Dir(dir) => {
                if !is_safe(name) {
                    return Err(Error::UnsafeMemberPath {
                        image: image.to_owned(),
                        member: name.to_owned(),
                    });
                }
                let path = dir.join(name);
                match open_regular(&path) {
                    Ok((file, len)) => {
                        Ok(Some((Box::new(BufReader::with_capacity(64 * 1024, file)), len)))
                    }
                    Err(OpenError::NotFound) => Ok(None),
                    Err(e) => Err(e.into_error(&path)),
                }
            }
            Storage::Tar(index) => {
                let Some(member) = index.get(name) else { return Ok(None) };
                let reader = index
                    .open(member)
                    .map_err(|source| Error::Io { path: index.path().to_owned(), source })?;
                Ok(Some((Box::new(reader), member.size)))
            }
            Storage::Streamed(store) => match store.get(name) {
                None => Ok(None),
                Some((_, Stored::Kept(bytes))) => {
                    let size = bytes.len() as u64;
                    Ok(Some((Box::new(Cursor::new(Arc::clone(bytes))), size)))
                }
                Some((member, _)) => Err(Error::MemberStreamed { image: image.to_owned(), member }),
            },
        }
    }

    /// The first bytes (up to `HEAD_BYTES`, fewer when the file is shorter) and the length
    /// of the file `name`, or `Ok(None)` when there is none.
    ///
    /// # Errors
    ///
    /// As [`open`](Storage::open).
    pub(crate) fn head(&self, name: &str, image: &str) -> Result<Option<(Vec<u8>, u64)>> {
        if let Storage::Streamed(store) = self
            && let Some((_, Stored::Streamed(facts))) = store.get(name)
        {
            return Ok(Some((facts.head.clone(), facts.size)));
        }
        let Some((mut reader, size)) = self.open(name, image)? else { return Ok(None) };
        let mut head = Vec::with_capacity(HEAD_BYTES);
        (&mut reader)
            .take(HEAD_BYTES as u64)
            .read_to_end(&mut head)
            .map_err(|source| Error::Io { path: self.path().join(name), source })?;
        Ok(Some((head, size)))
    }

    /// The SHA-256 digest of the file `name`: hashed from the file, or, for a member that
    /// streamed past, the digest computed while it did.
    ///
    /// # Errors
    ///
    /// As [`open`](Storage::open); [`Error::MemberNotFound`] when there is no such file.
    pub(crate) fn sha256(&self, name: &str, image: &str) -> Result<Digest> {
        if let Storage::Streamed(store) = self
            && let Some((_, Stored::Streamed(facts))) = store.get(name)
            && facts.digest.algorithm() == Algorithm::Sha256
        {
            return Ok(facts.digest.clone());
        }
        let Some((mut reader, _)) = self.open(name, image)? else {
            return Err(Error::MemberNotFound { image: image.to_owned(), member: name.to_owned() });
        };
        let mut hasher = Hasher::new(Algorithm::Sha256);
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = reader
                .read(&mut buf)
                .map_err(|source| Error::Io { path: self.path().join(name), source })?;
            if n == 0 {
                return Ok(hasher.finish());
            }
            hasher.update(&buf[..n]);
        }
    }

    /// Opens the blob `desc` stored under `name`, wrapped in a [`VerifyingReader`].
    ///
    /// # Errors
    ///
    /// [`Error::BlobNotFound`] naming the digest and `image` when there is no such file.
    pub(crate) fn open_blob(
        &self,
        desc: &Descriptor,
        name: &str,
        image: &str,
    ) -> Result<Box<dyn Read + Send>> {
        let Some((reader, _)) = self.open(name, image)? else {
            return Err(Error::BlobNotFound {
                image: image.to_owned(),
                digest: desc.digest.clone(),
            });
        };
        Ok(Box::new(VerifyingReader::new(reader, desc.digest.clone(), desc.size)))
    }

    /// Reads a small blob whole, verified; `what` names it in errors.
    pub(crate) fn read_blob(
        &self,
        desc: &Descriptor,
        name: &str,
        image: &str,
        what: &'static str,
        limit: u64,
    ) -> Result<Vec<u8>> {
        if desc.size > limit {
            return Err(Error::BlobTooLarge {
                image: image.to_owned(),
                what,
                digest: desc.digest.clone(),
                size: desc.size,
                limit,
            });
        }
        let reader = self.open_blob(desc, name, image)?;
        Collector::new(limit).read_all(reader).map_err(|e| match e {
            Bounded::Io(e) => Error::from_io(e, image, &desc.digest),
            Bounded::Over { limit } => Error::DocumentTooLarge {
                image: image.to_owned(),
                what: format!("{what} {}", desc.digest),
                limit,
            },
        })
    }

    /// Reads a small file without a digest (`index.json`, `manifest.json`) whole, or
    /// `Ok(None)` when there is none.
    pub(crate) fn read_file(&self, name: &str, image: &str, limit: u64) -> Result<Option<Vec<u8>>> {
        let Some((reader, size)) = self.open(name, image)? else { return Ok(None) };
        if size > limit {
            return Err(Error::FileTooLarge {
                image: image.to_owned(),
                member: name.to_owned(),
                size,
                limit,
            });
        }
        Collector::new(limit).read_all(reader).map(Some).map_err(|e| match e {
            Bounded::Io(source) => Error::Io { path: self.path().join(name), source },
            Bounded::Over { limit } => {
                Error::DocumentTooLarge { image: image.to_owned(), what: name.to_owned(), limit }
            }
        })
    }
}

/// A relative name that stays inside its directory.
fn is_safe(name: &str) -> bool {
    !name.is_empty()
        && Path::new(name)
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_names() {
        assert!(is_safe("blobs/sha256/abc"));
        assert!(is_safe("./abc/layer.tar"));
        for bad in ["", "/etc/passwd", "../x", "a/../../x"] {
            assert!(!is_safe(bad), "{bad}");
        }
    }
}
