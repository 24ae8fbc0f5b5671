//! Container image sources for layerleak: find an image's layers and config, and stream
//! its blobs with their digests verified.
//!
//! # Brief overview
//!
//! [`open_path`] recognises a local image — a `docker save` tarball (legacy or Docker ≥ 25
//! layout), an OCI image layout directory or an `oci-archive` tarball — and returns it as
//! an [`ImageSource`]. [`ImageSource::resolve`] walks the index (following nested indexes,
//! skipping attestation manifests, choosing platforms with a [`PlatformSelector`]) and
//! returns one [`ResolvedImage`] per selected platform: its parsed [`ImageConfig`] and its
//! [`Layer`]s in order, each with [`Descriptor`], `diff_id` and the [`HistoryEntry`] that
//! made it. [`ImageSource::open_blob`], or a [`BlobOpener`] shared between threads, streams
//! a layer through a [`VerifyingReader`], which fails at end of stream when the bytes do
//! not match their [`Digest`]. Every failure is an [`Error`] with its context.
//!
//! Layer bytes are returned as stored (possibly compressed): decompression and the tar walk
//! belong to `layerleak-layer`.
//!
//! # Images in a local engine
//!
//! An [`Engine`] (Docker Engine or Podman, found with [`Engine::discover`] from
//! `DOCKER_HOST`, `CONTAINER_HOST` or the usual sockets) exports an image as a `docker save`
//! tarball with [`Engine::export`]. Such a stream can be read only once, front to back, and
//! lists its layers at its end: [`read_save_stream`] hands every member that is not a JSON
//! document to a callback as it arrives, keeps the documents, and returns a
//! [`StreamedArchive`] that resolves like the same tarball on disk and tells, per layer,
//! which streamed member held it and what its digest was ([`StreamedMember`]).
//!
//! # Example
//!
//! ```
//! use std::io::Read;
//! use layerleak_image::{PlatformSelector, open_path};
//! # use sha2::{Digest as _, Sha256};
//! # let dir = tempfile::tempdir()?;
//! # let blob = |data: &[u8]| -> std::io::Result<String> {
//! #     let hex: String = Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect();
//! #     std::fs::create_dir_all(dir.path().join("blobs/sha256"))?;
//! #     std::fs::write(dir.path().join("blobs/sha256").join(&hex), data)?;
//! #     Ok(format!(r#""digest":"sha256:{hex}","size":{}"#, data.len()))
//! # };
//! # let layer = b"not really a tar, but blobs are opaque here".to_vec();
//! # let diff_id = format!("sha256:{}", Sha256::digest(&layer).iter().map(|b| format!("{b:02x}")).collect::<String>());
//! # let config = format!(r#"{{"os":"linux","architecture":"amd64","config":{{"Env":["PATH=/bin"]}},
//! #     "rootfs":{{"type":"layers","diff_ids":["{diff_id}"]}},"history":[{{"created_by":"COPY . /app"}}]}}"#);
//! # let manifest = format!(
//! #     r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
//! #     "config":{{"mediaType":"application/vnd.oci.image.config.v1+json",{}}},
//! #     "layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar",{}}}]}}"#,
//! #     blob(config.as_bytes())?, blob(&layer)?);
//! # let index = format!(r#"{{"schemaVersion":2,"manifests":[{{"mediaType":"application/vnd.oci.image.manifest.v1+json",{}}}]}}"#,
//! #     blob(manifest.as_bytes())?);
//! # std::fs::write(dir.path().join("index.json"), index)?;
//! # std::fs::write(dir.path().join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#)?;
//! # let path = dir.path();
//! // `path` is an OCI image layout directory holding a one-layer linux/amd64 image.
//! let mut source = open_path(path)?;
//! let images = source.resolve(&PlatformSelector::Default)?;
//! let image = &images[0];
//! assert_eq!(image.platform.as_ref().map(|p| p.to_string()).as_deref(), Some("linux/amd64"));
//! assert_eq!(image.config.env, ["PATH=/bin"]);
//! assert_eq!(image.created_by(0), Some("COPY . /app"));
//!
//! // Read the layer to the end: only then has its digest been checked.
//! let mut bytes = Vec::new();
//! source.open_blob(&image.layers[0].descriptor)?.read_to_end(&mut bytes)?;
//! assert!(bytes.starts_with(b"not really a tar"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Reading layers in parallel
//!
//! [`ImageSource::blob_opener`] returns an `Arc<dyn BlobOpener>` (`Send + Sync`). Each
//! worker thread calls [`BlobOpener::open`] for the layers it scans; file-backed sources
//! open a fresh file handle per blob and seek, so readers never share a cursor.
//!
//! # Memory usage
//!
//! Bounded whatever the image size or content: a tarball's index holds one entry per
//! member; every document and network body held in memory goes through one bounded reader
//! that refuses to grow past its limit, whatever the input declares: indexes and manifests
//! up to 4 MiB, configs up to 32 MiB (a larger config is a [`ResolveWarning`] and the
//! layers are still scanned), bearer tokens and registry error bodies up to 64 KiB. What is
//! *parsed* is bounded too, since tiny JSON elements cost far more in memory than on the
//! wire: configs keep at most [`MAX_CONFIG_ITEMS`] elements per list or map, indexes and
//! manifests at most [`MAX_DESCRIPTORS`] entries of at most [`MAX_ANNOTATIONS`]
//! annotations, and descriptors repeating a digest are merged before anything is fetched,
//! with at most 1,000 distinct manifests per target ([`Error::TooManyManifests`]). Images
//! sharing a config share one parsed copy. Layers are only ever streamed. Local files are
//! opened only when they are regular files, so a FIFO or device cannot block a read. A streamed archive keeps its
//! JSON documents (each up to 32 MiB, 128 MiB in all) and, per other member, its size,
//! first bytes and digest.
#![deny(missing_docs)]

mod bounded;
mod config;
mod digest;
mod docker_save;
mod engine;
mod error;
mod json_error;
mod json_limits;
mod manifest;
mod member_store;
mod oci_layout;
mod open;
mod platform;
pub mod registry;
mod resolve;
mod resolved;
mod safe_open;
mod save_stream;
mod sniff;
mod source;
mod storage;
mod tar_index;
mod verify;

pub use config::{HistoryEntry, ImageConfig, LayerHistory, MAX_CONFIG_ITEMS, RootFs};
pub use digest::{Algorithm, Digest};
pub use engine::{Endpoint, Engine, EngineKind};
pub use error::{Error, Result};
pub use json_error::JsonError;
pub use manifest::{
    CONTAINERD_IMAGE_NAME, DOCKER_REFERENCE_TYPE, Descriptor, MAX_ANNOTATIONS, MAX_DESCRIPTORS,
    OCI_REF_NAME, media_type,
};
pub use open::open_path;
pub use platform::{Platform, PlatformSelector};
pub use resolved::{Layer, ResolveWarning, ResolvedImage};
pub use safe_open::open_regular_file;
pub use save_stream::{StreamedArchive, StreamedBlob, StreamedMember, read_save_stream};
pub use source::{BlobOpener, ImageSource, SourceInfo, SourceKind};
pub use verify::VerifyingReader;
