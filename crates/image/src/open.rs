//! Recognising what a path on disk is and opening it as an [`ImageSource`].

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use crate::docker_save::{DockerSave, MANIFEST_FILE};
use crate::error::{Error, Result};
use crate::oci_layout::{INDEX_FILE, OCI_LAYOUT_FILE, OciLayout};
use crate::safe_open::open_regular;
use crate::sniff::Compression;
use crate::source::{ImageSource, SourceInfo, SourceKind};
use crate::storage::Storage;
use crate::tar_index::TarIndex;

/// What [`open_path`] accepts, for error messages.
pub(crate) const EXPECTED: &str = "a `docker save` tarball (with manifest.json), an OCI image layout directory (with oci-layout and index.json) or an oci-archive tarball of one";

/// Opens a local image, deciding from its contents what it is.
///
/// | path | contents | kind |
/// |---|---|---|
/// | directory | `index.json` (and normally `oci-layout`) | [`SourceKind::OciLayout`] |
/// | tar file | `index.json` and `manifest.json` (Docker ≥ 25) | [`SourceKind::DockerArchiveOci`]: the OCI index is used |
/// | tar file | `manifest.json` only | [`SourceKind::DockerArchive`] |
/// | tar file | `index.json` without `manifest.json` | [`SourceKind::OciArchive`] |
///
/// A tarball is indexed once by walking its headers (member name → offset and size); no
/// member is extracted, and blobs are later read by seeking into the file, so memory stays
/// bounded whatever the archive size.
///
/// # Errors
///
/// - [`Error::Io`] when the path cannot be read;
/// - [`Error::CompressedArchive`] for a gzip/zstd/bzip2/xz file (decompress it first: a
///   compressed tar cannot be read by seeking);
/// - [`Error::NotAnImage`], saying what was found and what was expected, for anything
///   else;
/// - [`Error::Archive`] for a tarball with a corrupt header or truncated data.
///
/// # Example
///
/// ```no_run
/// use layerleak_image::{PlatformSelector, open_path};
///
/// let mut source = open_path("alpine.tar")?;
/// for image in source.resolve(&PlatformSelector::Default)? {
///     println!("{} has {} layers", image.display_name(), image.layers.len());
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn open_path(path: impl AsRef<Path>) -> Result<Box<dyn ImageSource>> {
    let path = path.as_ref();
    let io_error = |source| Error::Io { path: path.to_owned(), source };
    let not_an_image =
        |reason: String| Error::NotAnImage { path: path.to_owned(), reason, expected: EXPECTED };
    let info = |kind| SourceInfo {
        kind,
        location: path.display().to_string(),
        path: Some(path.to_owned()),
    };

    let meta = std::fs::metadata(path).map_err(io_error)?;
    if meta.is_dir() {
        let storage = Storage::Dir(path.to_owned());
        if storage.contains(INDEX_FILE) {
            return Ok(Box::new(OciLayout::new(info(SourceKind::OciLayout), storage)));
        }
        let reason = if storage.contains(MANIFEST_FILE) {
            "a directory with manifest.json but no index.json (an extracted `docker save`? pass the tarball itself)"
        } else {
            "a directory without index.json"
        };
        return Err(not_an_image(reason.to_owned()));
    }
    if !meta.is_file() {
        return Err(not_an_image("neither a regular file nor a directory".to_owned()));
    }

    let mut head = Vec::with_capacity(512);
    let (file, _) = open_regular(path).map_err(|e| e.into_error(path))?;
    file.take(512).read_to_end(&mut head).map_err(io_error)?;
    if head.is_empty() {
        return Err(not_an_image("an empty file".to_owned()));
    }
    let compression = Compression::sniff(&head);
    if compression != Compression::None {
        return Err(Error::CompressedArchive {
            path: path.to_owned(),
            compression: compression.name(),
        });
    }
    // Every POSIX/GNU tar header has a magic at offset 257. Without it (a pre-POSIX v7
    // tar, or not a tar at all), a failed parse means "not a tar", not "corrupt tar".
    let has_tar_magic = head.get(257..262) == Some(b"ustar".as_slice());
    let index = match TarIndex::build(path) {
        Ok(index) => index,
        Err(Error::Archive { .. }) if !has_tar_magic => {
            return Err(not_an_image("not a tar archive".to_owned()));
        }
        Err(e) => return Err(e),
    };
    if index.len() == 0 {
        return Err(not_an_image("not a tar archive, or an empty one".to_owned()));
    }
    let has_index = index.get(INDEX_FILE).is_some();
    let has_manifest = index.get(MANIFEST_FILE).is_some();
    let storage = Storage::Tar(Arc::new(index));
    match archive_kind(has_index, has_manifest) {
        Some(kind @ SourceKind::DockerArchive) => {
            Ok(Box::new(DockerSave::new(info(kind), storage)))
        }
        Some(kind) => Ok(Box::new(OciLayout::new(info(kind), storage))),
        None => {
            let layout_note =
                if storage.contains(OCI_LAYOUT_FILE) { " (it has oci-layout)" } else { "" };
            Err(not_an_image(format!(
                "a tar archive without manifest.json or index.json{layout_note}"
            )))
        }
    }
}

/// What a tar archive is, from whether it holds `index.json` and `manifest.json`: with
/// both, a Docker ≥ 25 `docker save` (read through its OCI index); `None` with neither.
pub(crate) fn archive_kind(has_index: bool, has_manifest: bool) -> Option<SourceKind> {
    match (has_index, has_manifest) {
        (true, true) => Some(SourceKind::DockerArchiveOci),
        (true, false) => Some(SourceKind::OciArchive),
        (false, true) => Some(SourceKind::DockerArchive),
        (false, false) => None,
    }
}
