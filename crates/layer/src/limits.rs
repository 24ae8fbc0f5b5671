//! Resource limits: the guard against decompression bombs and runaway nesting.

use std::io;

use crate::error::LimitExceeded;

/// Limits that bound the work done on one layer and on the archives nested inside it.
///
/// Exceeding a limit is never silent: a layer stream fails with [`LimitExceeded`] inside the
/// [`LayerError`](crate::LayerError), and a nested archive produces a
/// [`Notice`](crate::Notice). Nothing grows without bound: memory is a few fixed buffers per
/// stream whatever the limits, and the limits bound the *time* spent.
///
/// There is deliberately no limit on the size of one file of a layer: a 3 GB file is
/// scanned in full. Only [`max_layer_bytes`](Limits::max_layer_bytes) (the whole
/// uncompressed layer) and the ratio guard apply to it.
///
/// # Example
///
/// ```
/// use layerleak_layer::Limits;
/// let limits = Limits::default().with_max_ratio(100).with_max_depth(3);
/// assert_eq!(limits.max_ratio, 100);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Maximum uncompressed bytes of one layer stream. Default: 64 GiB.
    pub max_layer_bytes: u64,
    /// Maximum expansion ratio (uncompressed / compressed bytes) of any compressed stream,
    /// the layer's own or a nested one. Default: 1000.
    ///
    /// Deflate cannot exceed about 1032:1, so gzip layers only trip this on long runs of
    /// identical bytes; zstd can reach far higher ratios, which is where bombs live.
    pub max_ratio: u64,
    /// The ratio is not checked before this many uncompressed bytes were produced, so small,
    /// very compressible inputs (a 4 KiB file of zeros) never trip it. Default: 8 MiB.
    pub ratio_grace_bytes: u64,
    /// Maximum nesting depth: how many archive boundaries (`!/` in a
    /// [`NestedPath`](crate::NestedPath)) a location may have. `0` disables nested
    /// archives. Default: 5.
    pub max_depth: u32,
    /// Maximum uncompressed bytes of one member of a nested archive. Default: 4 GiB.
    pub max_member_bytes: u64,
    /// Whether gzip streams (the layer's and nested ones) have each member's CRC-32
    /// computed and checked. Default: `true`.
    ///
    /// Turn it off only for a layer whose blob digest is verified as it is read (the scan
    /// reads every layer so): SHA-256 over the compressed bytes already proves each of
    /// them, and what a nested archive holds is a function of those bytes, so the CRC
    /// would only repeat the proof, at about 2 % of a layer scan's CPU. Every other check
    /// of a gzip stream stays: header, deflate data, each member's length, truncation,
    /// garbage after a member.
    pub gzip_crc: bool,
    /// The most zeros a hole of a sparse tar entry is delivered as. Holes are zeros,
    /// where nothing can be found, and a sparse file can declare terabytes of them: only
    /// its data segments are read, each hole standing as this many zeros at most, so that
    /// no match spans a hole it could not span in the file. Set it above the longest match
    /// a scan of the content can make. Default: 16 KiB + 1.
    pub sparse_hole_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_layer_bytes: 64 << 30,
            max_ratio: 1000,
            ratio_grace_bytes: 8 << 20,
            max_depth: 5,
            max_member_bytes: 4 << 30,
            gzip_crc: true,
            sparse_hole_bytes: (16 << 10) + 1,
        }
    }
}

impl Limits {
    /// The default limits (see each field).
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Set [`max_layer_bytes`](Limits::max_layer_bytes).
    #[must_use]
    pub fn with_max_layer_bytes(mut self, bytes: u64) -> Self {
        self.max_layer_bytes = bytes;
        self
    }

    /// Set [`max_ratio`](Limits::max_ratio).
    #[must_use]
    pub fn with_max_ratio(mut self, ratio: u64) -> Self {
        self.max_ratio = ratio;
        self
    }

    /// Set [`ratio_grace_bytes`](Limits::ratio_grace_bytes).
    #[must_use]
    pub fn with_ratio_grace_bytes(mut self, bytes: u64) -> Self {
        self.ratio_grace_bytes = bytes;
        self
    }

    /// Set [`max_depth`](Limits::max_depth).
    #[must_use]
    pub fn with_max_depth(mut self, depth: u32) -> Self {
        self.max_depth = depth;
        self
    }

    /// Set [`max_member_bytes`](Limits::max_member_bytes).
    #[must_use]
    pub fn with_max_member_bytes(mut self, bytes: u64) -> Self {
        self.max_member_bytes = bytes;
        self
    }

    /// Set [`gzip_crc`](Limits::gzip_crc).
    #[must_use]
    pub fn with_gzip_crc(mut self, check: bool) -> Self {
        self.gzip_crc = check;
        self
    }

    /// Set [`sparse_hole_bytes`](Limits::sparse_hole_bytes).
    #[must_use]
    pub fn with_sparse_hole_bytes(mut self, bytes: u64) -> Self {
        self.sparse_hole_bytes = bytes;
        self
    }

    /// Check the size and ratio guards after a decompressor produced `uncompressed` bytes
    /// from `compressed` bytes, with `max_bytes` as the size limit.
    pub(crate) fn check(
        &self,
        max_bytes: u64,
        compressed: u64,
        uncompressed: u64,
    ) -> io::Result<()> {
        if uncompressed > max_bytes {
            return Err(io::Error::other(LimitExceeded::Size { limit: max_bytes }));
        }
        if uncompressed > self.ratio_grace_bytes
            && uncompressed > compressed.max(1).saturating_mul(self.max_ratio)
        {
            return Err(io::Error::other(LimitExceeded::Ratio {
                limit: self.max_ratio,
                compressed,
                uncompressed,
            }));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_needs_grace_bytes_first() {
        let l = Limits::default().with_max_ratio(10).with_ratio_grace_bytes(100);
        assert!(l.check(u64::MAX, 1, 100).is_ok());
        assert!(l.check(u64::MAX, 1, 101).is_err());
        assert!(l.check(u64::MAX, 11, 101).is_ok());
    }

    #[test]
    fn size_limit() {
        let l = Limits::default();
        assert!(l.check(10, 10, 10).is_ok());
        let e = l.check(10, 10, 11).unwrap_err();
        assert!(matches!(
            crate::find_cause::<LimitExceeded>(&e),
            Some(LimitExceeded::Size { limit: 10 })
        ));
    }
}
