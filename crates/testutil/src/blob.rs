//! Layers as stored.

use crate::compress::{gzip, zstd};
use crate::digest::digest;

/// Media type of an uncompressed OCI layer.
pub const OCI_LAYER: &str = "application/vnd.oci.image.layer.v1.tar";
/// Media type of a gzip OCI layer.
pub const OCI_LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
/// Media type of a zstd OCI layer.
pub const OCI_LAYER_ZSTD: &str = "application/vnd.oci.image.layer.v1.tar+zstd";

/// A layer as stored (maybe compressed), with the digest of its uncompressed tar.
#[derive(Clone, Debug)]
pub struct LayerBlob {
    /// The blob's bytes.
    pub stored: Vec<u8>,
    /// Its media type.
    pub media_type: &'static str,
    /// The digest of the uncompressed tar (`rootfs.diff_ids`).
    pub diff_id: String,
}

impl LayerBlob {
    /// An uncompressed layer.
    #[must_use]
    pub fn plain(tar: Vec<u8>) -> LayerBlob {
        LayerBlob { diff_id: digest(&tar), stored: tar, media_type: OCI_LAYER }
    }

    /// A gzip layer.
    #[must_use]
    pub fn gzip(tar: &[u8]) -> LayerBlob {
        LayerBlob { diff_id: digest(tar), stored: gzip(tar), media_type: OCI_LAYER_GZIP }
    }

    /// A zstd layer.
    #[must_use]
    pub fn zstd(tar: &[u8]) -> LayerBlob {
        LayerBlob { diff_id: digest(tar), stored: zstd(tar), media_type: OCI_LAYER_ZSTD }
    }
}
