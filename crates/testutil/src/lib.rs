//! Test fixtures shared by layerleak's test suites (a dev-dependency only, never
//! published): everything is built in code, with the real formats.
//!
//! - [`digest()`] and [`sha256_hex`]: content addresses.
//! - [`gzip`] and [`zstd()`]: compressed blobs.
//! - [`LayerBlob`]: a layer as stored, with its `diff_id`; [`config()`]: an image config.
//! - [`Layout`]: an OCI image layout in memory, written as a directory or a tarball.
//! - [`write_tar`] and [`Member`]: an outer tarball with PAX-named members and symlinks.
//! - [`raw_tar_entry`]: a tar entry whose name is written as is (`..`, absolute).
//! - [`RandomReader`]: seeded short reads and `Interrupted` errors.
//!
//! Panics instead of returning errors: a fixture that cannot be built is a broken test.

mod blob;
mod compress;
mod config;
mod digest;
mod layout;
mod random_reader;
mod tar_file;

pub use blob::{LayerBlob, OCI_LAYER, OCI_LAYER_GZIP, OCI_LAYER_ZSTD};
pub use compress::{gzip, zstd};
pub use config::config;
pub use digest::{digest, sha256_hex};
pub use layout::{Layout, OCI_CONFIG, OCI_INDEX, OCI_MANIFEST};
pub use random_reader::RandomReader;
pub use tar_file::{Member, base256, gnu_sparse_entry, raw_tar_entry, write_tar};
