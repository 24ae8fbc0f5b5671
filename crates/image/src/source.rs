//! The [`ImageSource`] trait: where images come from.

use std::fmt;
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

use crate::error::Result;
use crate::manifest::Descriptor;
use crate::platform::PlatformSelector;
use crate::resolved::ResolvedImage;

/// What kind of source an [`ImageSource`] reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SourceKind {
    /// A `docker save` tarball in the legacy layout (`manifest.json`, `<id>/layer.tar`).
    DockerArchive,
    /// A `docker save` tarball from Docker ≥ 25: an OCI image layout inside the tar (its
    /// `manifest.json` is ignored in favour of `index.json`).
    DockerArchiveOci,
    /// An OCI image layout directory (`oci-layout`, `index.json`, `blobs/`).
    OciLayout,
    /// A tarball of an OCI image layout (`oci-archive`).
    OciArchive,
    /// An image in a registry, pulled over HTTP(S).
    Registry,
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SourceKind::DockerArchive => "docker-archive",
            SourceKind::DockerArchiveOci => "docker-archive (OCI layout)",
            SourceKind::OciLayout => "oci-layout",
            SourceKind::OciArchive => "oci-archive",
            SourceKind::Registry => "registry",
        })
    }
}

/// What an [`ImageSource`] reads and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceInfo {
    /// The kind of source.
    pub kind: SourceKind,
    /// Where it is, as shown to people: a path for local sources, what the caller named a
    /// stream ([`read_save_stream`](crate::read_save_stream)) for a streamed one, a
    /// reference such as `registry.example/app:1.2` for a registry.
    pub location: String,
    /// The file or directory, for local sources.
    pub path: Option<PathBuf>,
}

impl fmt::Display for SourceInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind, self.location)
    }
}

/// Opens verified blob readers independently of the source, from any thread.
///
/// The scan pipeline reads several layers at once: it takes one opener from
/// [`ImageSource::blob_opener`], shares it between worker threads, and each worker opens
/// the layers it scans. For file-backed sources each call opens a fresh file handle, seeks
/// and limits the read to the blob, so concurrent readers never share a cursor.
pub trait BlobOpener: Send + Sync + fmt::Debug {
    /// Opens the blob `desc` for streaming, wrapped in a
    /// [`VerifyingReader`](crate::VerifyingReader).
    ///
    /// # Errors
    ///
    /// [`Error::BlobNotFound`](crate::Error::BlobNotFound) naming the digest and the
    /// image when the source has no such blob; [`Error::Io`](crate::Error::Io) when it
    /// cannot be opened. A digest or size mismatch is **not** reported here: it surfaces
    /// from the reader, at the latest at end of stream (see
    /// [`VerifyingReader`](crate::VerifyingReader)).
    fn open(&self, desc: &Descriptor) -> Result<Box<dyn Read + Send>>;
}

/// A place images come from: an archive, a layout directory, a registry.
///
/// Use it in two steps: [`resolve`](ImageSource::resolve) reads the small JSON documents
/// (index, manifests, configs) and returns the selected images with their ordered layers;
/// then [`open_blob`](ImageSource::open_blob) or a [`BlobOpener`] streams each layer.
/// Nothing is extracted and no layer is read during `resolve`, except to sniff the first
/// bytes of a legacy `docker save` layer (see [`open_path`](crate::open_path)).
///
/// # Design rationale
///
/// The trait is synchronous and object safe. A registry source
/// ([`RegistrySource`](crate::registry::RegistrySource)) implements it by blocking on its own runtime in `resolve`, and by returning a
/// [`BlobOpener`] whose readers receive the body through a bounded channel, so the
/// CPU-bound scan core stays synchronous over [`Read`].
pub trait ImageSource: Send + fmt::Debug {
    /// What this source reads and where.
    fn describe(&self) -> &SourceInfo;

    /// Resolves the images this source holds for the `platform` selection: one
    /// [`ResolvedImage`] per selected platform of each image in the source (an archive can
    /// hold several images). Attestation manifests and non-image artifacts are skipped;
    /// nested indexes are followed.
    ///
    /// # Errors
    ///
    /// Malformed or unsupported manifests, a missing manifest or config blob (naming its
    /// digest and the image), malformed config JSON (naming its digest),
    /// [`Error::NoMatchingPlatform`](crate::Error::NoMatchingPlatform) when nothing matches
    /// the selection, [`Error::NoImages`](crate::Error::NoImages) when the source holds no
    /// image. A layer blob that is missing is *not* an error here: it is reported by
    /// [`open_blob`](ImageSource::open_blob), so the other layers can still be scanned.
    fn resolve(&mut self, platform: &PlatformSelector) -> Result<Vec<ResolvedImage>>;

    /// A shareable opener for this source's blobs, for reading several at once.
    fn blob_opener(&self) -> Arc<dyn BlobOpener>;

    /// Opens one blob (normally a layer from [`ResolvedImage::layers`]) as a verified
    /// stream.
    ///
    /// The digest and size are checked while the bytes stream: **a mismatch surfaces as an
    /// `io::Error` at the end of the stream** wrapping
    /// [`Error::DigestMismatch`](crate::Error::DigestMismatch) or
    /// [`Error::SizeMismatch`](crate::Error::SizeMismatch); read to the end to know the
    /// bytes were genuine.
    ///
    /// # Errors
    ///
    /// As [`BlobOpener::open`].
    fn open_blob(&mut self, desc: &Descriptor) -> Result<Box<dyn Read + Send + '_>> {
        self.blob_opener().open(desc)
    }
}
