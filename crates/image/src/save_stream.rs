//! A `docker save` tarball read once, front to back, as it arrives (from a container
//! engine's `GET /images/{name}/get`), without writing it anywhere.
//!
//! The archive's `manifest.json` or `index.json` comes *last*, so which members are
//! layers is only known at the end. Members are therefore sorted as they pass by their
//! first bytes: documents (JSON: manifests, indexes, configs, `repositories`) are kept in
//! memory within the same limits as for an archive on disk; every other member is handed
//! to the caller as a stream, and its digest is computed while it passes. At the end the
//! kept documents are resolved by the same code as an archive on disk ([`DockerSave`] or
//! [`OciLayout`] over a [`Storage::Streamed`]).

use std::io::{self, Read};
use std::path::PathBuf;
use std::sync::Arc;

use crate::digest::{Algorithm, Digest, Hasher};
use crate::docker_save::{DockerSave, MANIFEST_FILE, digest_from_name};
use crate::error::{Error, Result};
use crate::manifest::Descriptor;
use crate::member_store::{HEAD_BYTES, MemberStore, Stored, StreamedFacts};
use crate::oci_layout::{INDEX_FILE, OciLayout};
use crate::open::{EXPECTED, archive_kind};
use crate::platform::PlatformSelector;
use crate::resolved::ResolvedImage;
use crate::source::{BlobOpener, ImageSource, SourceInfo, SourceKind};
use crate::storage::{MAX_CONFIG_BYTES, Storage};
use crate::tar_index::normalize;

/// The most bytes of all kept documents together; past it, members are streamed on (and an
/// image needing one of them is a [`Error::MemberStreamed`]). One config of the largest size
/// accepted plus 16 MiB for the manifests, indexes and other configs: a real `docker save`
/// of one image keeps a few KiB, and the whole scan must stay within 128 MiB.
pub(crate) const MAX_KEPT_BYTES: u64 = MAX_CONFIG_BYTES + (16 << 20);
/// How many leading bytes decide whether a member is a document.
const SNIFF_BYTES: usize = 512;

/// A member of the archive that is not a document (normally a layer), as it streams past.
///
/// Read as much of it as needed; what is left unread is skipped (and hashed) afterwards.
pub struct StreamedBlob<'a> {
    /// The member's name in the archive (`<hex>.tar`, `blobs/sha256/<hex>`).
    pub name: &'a str,
    /// Its length in bytes.
    pub size: u64,
    /// Its bytes, exactly `size` of them; a failure of the underlying stream surfaces here
    /// as an [`io::Error`] (and again from [`read_save_stream`]).
    pub reader: &'a mut dyn Read,
}

impl std::fmt::Debug for StreamedBlob<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamedBlob").field("name", &self.name).field("size", &self.size).finish()
    }
}

/// Where a layer of a [`StreamedArchive`] was, once the stream has ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamedMember {
    /// The member's name (links followed): the `name` it was given to the caller under.
    pub name: String,
    /// Its length.
    pub size: u64,
    /// The digest of its bytes, computed as they streamed past.
    pub digest: Digest,
}

impl StreamedMember {
    /// Checks the bytes that streamed past against the descriptor that names them.
    ///
    /// # Errors
    ///
    /// [`Error::SizeMismatch`] or [`Error::DigestMismatch`].
    pub fn verify(&self, desc: &Descriptor) -> Result<()> {
        if self.size != desc.size {
            return Err(Error::SizeMismatch {
                digest: desc.digest.clone(),
                expected: desc.size,
                actual: self.size,
            });
        }
        if self.digest != desc.digest {
            return Err(Error::DigestMismatch {
                expected: desc.digest.clone(),
                actual: self.digest.clone(),
            });
        }
        Ok(())
    }
}

/// A `docker save` archive after [`read_save_stream`]: its documents, ready to
/// [`resolve`](ImageSource::resolve), and what is known of the members that streamed past.
///
/// Its [`blob_opener`](ImageSource::blob_opener) opens only kept members (a layer small
/// and JSON-like enough to have been kept); a layer that streamed past is found with
/// [`streamed_member`](StreamedArchive::streamed_member) instead, and opening it fails with
/// [`Error::MemberStreamed`].
#[derive(Debug)]
pub struct StreamedArchive {
    layout: Layout,
    store: Arc<MemberStore>,
}

/// The archive's layout, decided by its documents as for an archive on disk.
#[derive(Debug)]
enum Layout {
    Legacy(DockerSave),
    Oci(OciLayout),
}

impl StreamedArchive {
    /// The member that held the blob `desc` if it streamed past (rather than being kept,
    /// or missing). Call after [`resolve`](ImageSource::resolve), which is what maps a
    /// legacy archive's layers to members.
    pub fn streamed_member(&self, desc: &Descriptor) -> Option<StreamedMember> {
        let name = match &self.layout {
            Layout::Legacy(source) => source.member_of(&desc.digest)?,
            Layout::Oci(_) => desc.digest.layout_path(),
        };
        match self.store.get(&name)? {
            (name, Stored::Streamed(facts)) => {
                Some(StreamedMember { name, size: facts.size, digest: facts.digest.clone() })
            }
            _ => None,
        }
    }

    fn source(&self) -> &dyn ImageSource {
        match &self.layout {
            Layout::Legacy(source) => source,
            Layout::Oci(source) => source,
        }
    }
}

impl ImageSource for StreamedArchive {
    fn describe(&self) -> &SourceInfo {
        self.source().describe()
    }

    fn resolve(&mut self, platform: &PlatformSelector) -> Result<Vec<ResolvedImage>> {
        match &mut self.layout {
            Layout::Legacy(source) => source.resolve(platform),
            Layout::Oci(source) => source.resolve(platform),
        }
    }

    fn blob_opener(&self) -> Arc<dyn BlobOpener> {
        self.source().blob_opener()
    }
}

/// Reads a `docker save` tarball (legacy or Docker ≥ 25 OCI layout) from `reader` once,
/// front to back, calling `on_blob` for every member that is not a document, as it
/// arrives. `location` names the stream in messages (`docker:app:dev`).
///
/// A member is kept in memory as a document when its first bytes look like JSON (`{` or
/// `[` after white space) and it is at most 32 MiB (the config limit), while all kept
/// members stay within 128 MiB; every other member goes to `on_blob`. Nothing is written
/// to disk and no streamed member is held in memory: memory is bounded by the kept
/// documents plus a few buffers.
///
/// # Errors
///
/// [`Error::Stream`] when the stream is not a tar, is truncated or fails (a broken
/// connection); [`Error::NotAnImage`] when it holds neither `manifest.json` nor
/// `index.json`.
pub fn read_save_stream<R, F>(reader: R, location: &str, mut on_blob: F) -> Result<StreamedArchive>
where
    R: Read,
    F: FnMut(StreamedBlob<'_>),
{
    let archive_error = |source| Error::Stream { location: location.to_owned(), source };
    let mut store = MemberStore::new(location);
    let mut kept_bytes = 0u64;
    let mut archive = tar::Archive::new(Retrying(reader));
    for entry in archive.entries().map_err(archive_error)? {
        let mut entry = entry.map_err(archive_error)?;
        let name = normalize(&String::from_utf8_lossy(&entry.path_bytes()));
        let kind = entry.header().entry_type();
        if name.is_empty() {
            continue;
        }
        if kind.is_symlink() || kind.is_hard_link() {
            if let Some(target) = entry.link_name_bytes() {
                store.insert_link(name, &String::from_utf8_lossy(&target), kind.is_hard_link());
            }
            continue;
        }
        if !(kind.is_file() || kind == tar::EntryType::Continuous) {
            continue;
        }
        let size = entry.size();
        let mut head = Vec::with_capacity(SNIFF_BYTES);
        (&mut entry).take(SNIFF_BYTES as u64).read_to_end(&mut head).map_err(archive_error)?;
        let document = looks_like_json(&head)
            && size <= MAX_CONFIG_BYTES
            && kept_bytes.saturating_add(size) <= MAX_KEPT_BYTES;
        let stored = if document {
            let mut bytes = head;
            entry.read_to_end(&mut bytes).map_err(archive_error)?;
            check_length(bytes.len() as u64, size).map_err(archive_error)?;
            kept_bytes += size;
            Stored::Kept(bytes.into())
        } else {
            let algorithm = digest_from_name(&name).map_or(Algorithm::Sha256, |d| d.algorithm());
            let mut hashing = Hashing {
                inner: io::Cursor::new(head).chain(&mut entry),
                hasher: Hasher::new(algorithm),
                head: Vec::with_capacity(HEAD_BYTES),
                read: 0,
            };
            on_blob(StreamedBlob { name: &name, size, reader: &mut hashing });
            io::copy(&mut hashing, &mut io::sink()).map_err(archive_error)?;
            check_length(hashing.read, size).map_err(archive_error)?;
            Stored::Streamed(StreamedFacts {
                size,
                head: hashing.head,
                digest: hashing.hasher.finish(),
            })
        };
        store.insert(name, stored);
    }
    let store = Arc::new(store);
    let storage = Storage::Streamed(Arc::clone(&store));
    let info = |kind| SourceInfo { kind, location: location.to_owned(), path: None };
    let layout = match archive_kind(storage.contains(INDEX_FILE), storage.contains(MANIFEST_FILE)) {
        Some(kind @ SourceKind::DockerArchive) => {
            Layout::Legacy(DockerSave::new(info(kind), storage))
        }
        Some(kind) => Layout::Oci(OciLayout::new(info(kind), storage)),
        None => {
            return Err(Error::NotAnImage {
                path: PathBuf::from(location),
                reason: "the stream holds neither manifest.json nor index.json".to_owned(),
                expected: EXPECTED,
            });
        }
    };
    Ok(StreamedArchive { layout, store })
}

/// Whether a member starting with `head` is a JSON document.
fn looks_like_json(head: &[u8]) -> bool {
    matches!(head.iter().find(|b| !b.is_ascii_whitespace()), Some(b'{' | b'['))
}

/// A member shorter than its header says is a truncated stream.
fn check_length(read: u64, size: u64) -> io::Result<()> {
    if read == size {
        return Ok(());
    }
    Err(io::Error::new(
        io::ErrorKind::UnexpectedEof,
        format!("archive is truncated: a member of {size} bytes ended after {read}"),
    ))
}

/// Retries reads that were interrupted (`EINTR` on a socket), which the tar reader would
/// otherwise take for a failure.
struct Retrying<R>(R);

impl<R: Read> Read for Retrying<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            match self.0.read(buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                other => return other,
            }
        }
    }
}

/// Passes a member's bytes through, hashing them and keeping the first few.
struct Hashing<R> {
    inner: R,
    hasher: Hasher,
    head: Vec<u8>,
    read: u64,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let bytes = &buf[..n];
        self.hasher.update(bytes);
        let room = HEAD_BYTES.saturating_sub(self.head.len());
        self.head.extend_from_slice(&bytes[..n.min(room)]);
        self.read += n as u64;
        Ok(n)
    }
}
