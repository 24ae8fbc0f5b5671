//! Container image layers as streams of entries, ready to be scanned.
//!
//! This crate turns a layer blob (a byte stream) into a sequence of entries whose contents
//! are [`std::io::Read`] streams, without extracting anything to disk and without holding a
//! layer, or any file of it, in memory. It knows nothing about rules, scanning or registries:
//! the scan pipeline feeds the streams it produces to the engine.
//!
//! # Brief overview
//!
//! - [`Compression::sniff`] and [`decompress`] turn a blob into its tar stream: gzip
//!   (multi-member), zstd (multi-frame) or uncompressed, decided by the magic bytes, under
//!   [`Limits`] that stop decompression bombs ([`LimitExceeded`]).
//! - [`walk()`] (or [`walk_layer`], which also decompresses, or [`walk_layer_threaded`]
//!   and [`walk_layer_offloaded`], which read, decompress and walk on three threads)
//!   delivers the tar [`Entry`]s **in
//!   order**, each with its [`EntryMeta`]: normalised [`EntryPath`], [`EntryKind`] (file,
//!   directory, symlink, hard link), size, mode, link target, [`Whiteout`] and
//!   [`EntryIssue`]s such as path traversal.
//! - [`PathIndex`] records what one layer writes and deletes; a [`Resolver`] over all layers
//!   gives each location its [`Status`]: present in the final image, deleted or
//!   overwritten by a later layer.
//! - [`walk_content`] opens nested archives in a file (zip/jar/war/whl, tar, tar.gz, single
//!   `.gz`/`.zst`) and delivers their members as [`Item::File`]s named by a [`NestedPath`]
//!   such as `app.jar!/BOOT-INF/lib/inner.jar!/application.yml`. Whatever cannot be fully
//!   read is an [`Item::Notice`], never silently skipped.
//! - [`decode_text`] gives a UTF-8 view of UTF-16 files, so patterns written for UTF-8 find
//!   secrets in them too.
//!
//! Errors: [`LayerError`] ends a walk (a corrupt tar header, a broken or over-limit stream),
//! after every earlier entry was delivered. Problems *inside* a file (a corrupt nested
//! archive) are [`Notice`]s and the walk goes on.
//!
//! # Example
//!
//! Walk a gzip layer, scan every file's searchable content, and resolve each location
//! against a later layer that deletes it.
//!
//! ```
//! use std::io::{Read, Write};
//! use layerleak_layer::*;
//!
//! // A layer with one file, gzip-compressed, built in memory.
//! let mut tar = tar::Builder::new(flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast()));
//! let mut h = tar::Header::new_gnu();
//! h.set_size(16);
//! h.set_mode(0o600);
//! h.set_cksum();
//! tar.append_data(&mut h, "./app/.env", &b"API_TOKEN=s3cr3t"[..])?;
//! let blob = tar.into_inner()?.finish()?;
//!
//! let limits = Limits::default();
//! let mut index = PathIndex::new();
//! let mut found = Vec::new();
//! walk_layer(&blob[..], &limits, |entry| {
//!     index.record(entry.meta());
//!     if !entry.meta().has_content() {
//!         return Ok(Flow::Continue);
//!     }
//!     let (meta, content) = entry.into_parts();
//!     walk_content(meta.path().as_bstr(), content, &limits, |item| {
//!         match item {
//!             Item::File(member) => {
//!                 let path = member.path().to_string();
//!                 let mut text = String::new();
//!                 decode_text(member)?.read_to_string(&mut text)?;
//!                 if text.contains("s3cr3t") {
//!                     found.push(path);
//!                 }
//!             }
//!             Item::Notice(notice) => eprintln!("not fully scanned: {notice}"),
//!             _ => {}
//!         }
//!         Ok::<_, Box<dyn std::error::Error>>(Flow::Continue)
//!     })
//! })?;
//! assert_eq!(found, ["app/.env"]);
//!
//! // A later layer deletes the file: the secret is still in layer 0's blob.
//! let mut later = PathIndex::new();
//! later.add_whiteout(b"app/.env");
//! let resolver = Resolver::new([&index, &later]);
//! assert_eq!(resolver.status(0, b"app/.env"), Status::Deleted { layer: 1 });
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![deny(missing_docs)]

mod chain;
mod compression;
mod entry;
mod error;
mod gzip;
mod index;
mod inflate;
mod limits;
mod nested;
mod notice;
mod path;
mod prefixed;
mod tap;
mod tar_reader;
mod text;
mod threaded;
mod walk;
mod whiteout;
mod zip;

pub use crate::chain::{NESTED_SEPARATOR, NestedPath};
pub use crate::compression::{Compression, Decompressor, decompress};
pub use crate::entry::{Entry, EntryIssue, EntryKind, EntryMeta};
pub use crate::error::{
    DecodeError, LayerError, LimitExceeded, RecordTooLarge, Result, find_cause,
};
pub use crate::index::{PathIndex, Resolver, Status};
pub use crate::limits::Limits;
pub use crate::nested::{Item, Member, NESTED_SNIFF_LEN, NestedKind, walk_content};
pub use crate::notice::{Notice, NoticeReason};
pub use crate::path::EntryPath;
pub use crate::tar_reader::{MAX_LONG_NAME_BYTES, MAX_PAX_BYTES, MAX_SPARSE_SEGMENTS};
pub use crate::text::{TEXT_SNIFF_LEN, TextEncoding, TextReader, Utf16ToUtf8, decode_text};
pub use crate::threaded::{
    PIPE_BUFFER_BYTES, PIPE_BUFFERS, walk_layer_offloaded, walk_layer_threaded,
};
pub use crate::walk::{Flow, WalkSummary, walk, walk_layer};
pub use crate::whiteout::{OPAQUE_MARKER, WHITEOUT_PREFIX, Whiteout};
