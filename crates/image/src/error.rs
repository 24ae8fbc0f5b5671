//! The error type of this crate.

use std::io;
use std::path::PathBuf;

use crate::digest::Digest;
use crate::json_error::JsonError;

/// A specialised `Result` whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong while recognising, resolving or reading an image.
///
/// Every variant carries the context needed to act on it (path, archive member, digest,
/// image, expected and actual values). An underlying cause is attached as the error's
/// [`source`](std::error::Error::source), never repeated in the message, so a reporter can
/// print the chain without duplication.
///
/// Errors that happen *while streaming a blob* (see [`VerifyingReader`](crate::VerifyingReader))
/// arrive wrapped in an [`io::Error`]; [`Error::from_io`] and [`Error::find_in_io`] recover
/// them.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file or directory could not be opened, read or inspected.
    #[error("cannot read {}", path.display())]
    Io {
        /// The path that failed.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: io::Error,
    },

    /// The path exists but is none of the supported image formats.
    #[error("{} is not a container image: {reason}; expected {expected}", path.display())]
    NotAnImage {
        /// The path that was inspected.
        path: PathBuf,
        /// What was found instead.
        reason: String,
        /// What would have been accepted.
        expected: &'static str,
    },

    /// The outer archive is compressed; members cannot be opened by seeking.
    #[error(
        "{} is a {compression}-compressed file; decompress it first (an image archive must be a plain tar so its members can be read by seeking)",
        path.display()
    )]
    CompressedArchive {
        /// The archive path.
        path: PathBuf,
        /// The compression that was sniffed (`gzip`, `zstd`, ...).
        compression: &'static str,
    },

    /// The outer tar archive is corrupt or truncated.
    #[error("corrupt tar archive {}", path.display())]
    Archive {
        /// The archive path.
        path: PathBuf,
        /// The error the tar reader reported.
        #[source]
        source: io::Error,
    },

    /// A file named by `manifest.json` (docker save) is not in the archive.
    #[error("{image}: member {member:?} named by manifest.json is missing")]
    MemberNotFound {
        /// The image (archive path and name, if known).
        image: String,
        /// The member name as written in `manifest.json`.
        member: String,
    },

    /// A member name that would escape the image directory (`..` or absolute).
    #[error("{image}: unsafe member path {member:?}")]
    UnsafeMemberPath {
        /// The image (directory path and name, if known).
        image: String,
        /// The offending name.
        member: String,
    },

    /// A `docker save` stream (see [`read_save_stream`](crate::read_save_stream)) ended
    /// early, failed, or is not a tar archive.
    #[error("the `docker save` stream {location} broke off or is not a tar archive")]
    Stream {
        /// The stream, as the caller named it.
        location: String,
        /// The underlying error.
        #[source]
        source: io::Error,
    },

    /// A member of a streamed archive was needed as a document (manifest, config) after
    /// it had streamed past: it was not kept because it did not look like JSON, was too
    /// large to keep, or came after the documents kept from one stream filled their budget.
    #[error(
        "{image}: member {member:?} is needed as a manifest or config, but it streamed past unkept (it is not JSON, larger than {} MiB, or came after {} MiB of documents were kept in memory)",
        crate::storage::MAX_CONFIG_BYTES >> 20,
        crate::save_stream::MAX_KEPT_BYTES >> 20
    )]
    MemberStreamed {
        /// The image (stream location and name, if known).
        image: String,
        /// The member name.
        member: String,
    },

    /// No container engine socket was found.
    #[error(
        "no {engine} socket found (tried {}); start the engine, or point {variable} at its socket (unix:///path/to.sock)",
        tried.join(", ")
    )]
    EngineNotFound {
        /// Which engines were looked for (`Docker or Podman`, `Podman`, ...).
        engine: &'static str,
        /// The environment variable that names the socket for this engine.
        variable: &'static str,
        /// The endpoints tried, in order.
        tried: Vec<String>,
    },

    /// `DOCKER_HOST` (or `CONTAINER_HOST`) holds an endpoint this client does not support.
    #[error("{variable}={value:?} is not supported: {reason}")]
    EngineHost {
        /// The environment variable.
        variable: &'static str,
        /// Its value.
        value: String,
        /// Why it is rejected.
        reason: &'static str,
    },

    /// The engine socket could not be connected to, or the connection failed.
    #[error("cannot talk to the container engine at {endpoint}{hint}")]
    EngineConnect {
        /// The endpoint (`unix:///run/podman/podman.sock`).
        endpoint: String,
        /// What to do about it, starting with `: ` (or empty).
        hint: &'static str,
        /// The underlying I/O error.
        #[source]
        source: io::Error,
    },

    /// The engine does not have the image.
    #[error("image {image:?} not found in the container engine at {endpoint}")]
    EngineImageNotFound {
        /// The endpoint.
        endpoint: String,
        /// The image name as given.
        image: String,
    },

    /// The engine answered a request with an error status.
    #[error("the container engine at {endpoint} answered {request} with HTTP {status}: {message}")]
    EngineStatus {
        /// The endpoint.
        endpoint: String,
        /// The request (`GET /images/…/get`).
        request: String,
        /// The HTTP status code.
        status: u16,
        /// The engine's message (its JSON `message` field, shortened).
        message: String,
    },

    /// The engine's answer is not HTTP/1.1 as this client understands it.
    #[error("the container engine at {endpoint} sent a malformed HTTP response: {reason}")]
    EngineProtocol {
        /// The endpoint.
        endpoint: String,
        /// What was wrong.
        reason: String,
    },

    /// An image name that cannot be a local engine image reference.
    #[error("invalid image name {name:?} for the container engine: {reason}")]
    EngineImageName {
        /// The name as given.
        name: String,
        /// Why it is rejected.
        reason: &'static str,
    },

    /// A blob named by a manifest, index or descriptor is not in the source.
    #[error("{image}: blob {digest} is missing")]
    BlobNotFound {
        /// The image (source location and name, if known).
        image: String,
        /// The digest of the missing blob.
        digest: Digest,
    },

    /// A blob exists but could not be read.
    #[error("{image}: cannot read blob {digest}")]
    BlobRead {
        /// The image (source location and name, if known).
        image: String,
        /// The digest of the blob.
        digest: Digest,
        /// The underlying I/O error.
        #[source]
        source: io::Error,
    },

    /// A blob's content does not hash to its digest.
    ///
    /// While streaming this surfaces at end of stream, wrapped in an [`io::Error`].
    #[error("digest mismatch: expected {expected}, got {actual}")]
    DigestMismatch {
        /// The digest the descriptor promised.
        expected: Digest,
        /// The digest of the bytes actually read.
        actual: Digest,
    },

    /// A blob's length differs from the size its descriptor gives.
    ///
    /// When the blob is longer, this surfaces as soon as more than `expected` bytes were
    /// read, and `actual` is the count read so far (a lower bound).
    #[error("size mismatch for blob {digest}: expected {expected} bytes, got {actual}")]
    SizeMismatch {
        /// The blob's digest.
        digest: Digest,
        /// The size the descriptor promised.
        expected: u64,
        /// The number of bytes read.
        actual: u64,
    },

    /// A JSON document (index, manifest, config) is larger than this crate reads into memory.
    #[error("{image}: {what} blob {digest} is {size} bytes, over the {limit}-byte limit")]
    BlobTooLarge {
        /// The image (source location and name, if known).
        image: String,
        /// What the blob is (`manifest`, `image config`, ...).
        what: &'static str,
        /// The blob's digest.
        digest: Digest,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },

    /// A metadata file without a digest (`index.json`, `manifest.json`, a legacy config) is
    /// larger than this crate reads into memory.
    #[error("{image}: {member:?} is {size} bytes, over the {limit}-byte limit")]
    FileTooLarge {
        /// The image (source location and name, if known).
        image: String,
        /// The file or member name.
        member: String,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },

    /// A JSON document (index, manifest, `manifest.json`, `index.json`) is malformed.
    #[error("{image}: malformed {what} ({location})")]
    MalformedManifest {
        /// The image (source location and name, if known).
        image: String,
        /// What the document is (`image index`, `manifest`, `manifest.json`, ...).
        what: &'static str,
        /// Where it came from: a digest or a file name.
        location: String,
        /// The JSON error, without the document's text.
        #[source]
        source: JsonError,
    },

    /// An image config blob is not valid JSON or does not have the expected shape.
    #[error("{image}: malformed image config {digest}")]
    MalformedConfig {
        /// The image (source location and name, if known).
        image: String,
        /// The digest of the config blob.
        digest: Digest,
        /// The JSON error (or the parse limit hit), without the config's text.
        #[source]
        source: JsonError,
    },

    /// A document read into memory (`index.json`, `manifest.json`, a manifest or config
    /// blob) turned out larger than its limit while being read.
    #[error("{image}: {what} is over the {limit}-byte limit")]
    DocumentTooLarge {
        /// The image (source location and name, if known).
        image: String,
        /// The document (`index.json`, `image config sha256:…`, ...).
        what: String,
        /// The limit.
        limit: u64,
    },

    /// A file that should be a regular file is a FIFO, device, socket or directory (or a
    /// symbolic link to one); it is not opened, so that it cannot block or feed endless
    /// bytes.
    #[error("{}: not a regular file ({kind})", path.display())]
    NotRegularFile {
        /// The path.
        path: PathBuf,
        /// What it is instead.
        kind: &'static str,
    },

    /// An image target reaches more distinct manifests and indexes than this crate reads.
    #[error(
        "{image}: more than {limit} distinct manifests and indexes; the image was not resolved"
    )]
    TooManyManifests {
        /// The image (source location and name, if known).
        image: String,
        /// The limit.
        limit: usize,
    },

    /// A manifest of a kind this crate cannot use (Docker schema 1, an unknown media type).
    #[error("{image}: unsupported manifest {location}: {media_type}: {reason}")]
    UnsupportedManifest {
        /// The image (source location and name, if known).
        image: String,
        /// The digest of the manifest, or the file it came from.
        location: String,
        /// Its media type, or `unknown`.
        media_type: String,
        /// Why it is rejected.
        reason: &'static str,
    },

    /// Image indexes nest deeper than the supported limit, or loop.
    #[error("{image}: image indexes nest too deeply or loop at {digest}")]
    IndexNesting {
        /// The image (source location and name, if known).
        image: String,
        /// The index where the walk stopped.
        digest: Digest,
    },

    /// No manifest matches the requested platform.
    #[error(
        "{image}: no manifest for platform {requested}; available: {}",
        if available.is_empty() { "none".to_owned() } else { available.join(", ") }
    )]
    NoMatchingPlatform {
        /// The image (source location and name, if known).
        image: String,
        /// The requested platform (`linux/amd64`, `default`, ...).
        requested: String,
        /// The platforms the image offers.
        available: Vec<String>,
    },

    /// The source holds no container image (only attestations or other artifacts).
    #[error("{image}: no container image found: {reason}")]
    NoImages {
        /// The source location and image name, if known.
        image: String,
        /// What was found instead.
        reason: String,
    },

    /// Pulling from a registry failed (see [`RegistryError`](crate::registry::RegistryError)).
    #[error(transparent)]
    Registry(#[from] crate::registry::RegistryError),

    /// A string is not a valid digest (`sha256:<64 hex>` or `sha512:<128 hex>`).
    #[error("invalid digest {value:?}: {reason}")]
    InvalidDigest {
        /// The rejected text.
        value: String,
        /// Why it was rejected.
        reason: &'static str,
    },

    /// A string is not a valid platform (`os/arch[/variant]`).
    #[error("invalid platform {value:?}: {reason}")]
    InvalidPlatform {
        /// The rejected text.
        value: String,
        /// Why it was rejected.
        reason: &'static str,
    },
}

impl Error {
    /// Converts an [`io::Error`] returned by a blob reader into an [`Error`]: when it wraps
    /// an error of this crate (a [`DigestMismatch`](Error::DigestMismatch) or
    /// [`SizeMismatch`](Error::SizeMismatch) raised by a
    /// [`VerifyingReader`](crate::VerifyingReader)), that error is returned; otherwise
    /// the I/O error becomes a [`BlobRead`](Error::BlobRead) for `digest` in `image`.
    pub fn from_io(err: io::Error, image: &str, digest: &Digest) -> Error {
        match err.downcast::<Error>() {
            Ok(inner) => inner,
            Err(err) => {
                Error::BlobRead { image: image.to_owned(), digest: digest.clone(), source: err }
            }
        }
    }

    /// Returns the [`Error`] wrapped in an [`io::Error`], if there is one, without
    /// consuming it.
    ///
    /// # Example
    ///
    /// ```
    /// use std::io::Read;
    /// use layerleak_image::{Digest, Error, VerifyingReader};
    ///
    /// let promised = Digest::sha256_of(b"hello");
    /// let mut reader = VerifyingReader::new(&b"hellO"[..], promised, 5);
    /// let err = reader.read_to_end(&mut Vec::new()).unwrap_err();
    /// assert!(matches!(Error::find_in_io(&err), Some(Error::DigestMismatch { .. })));
    /// ```
    pub fn find_in_io(err: &io::Error) -> Option<&Error> {
        err.get_ref().and_then(|inner| inner.downcast_ref::<Error>())
    }
}
