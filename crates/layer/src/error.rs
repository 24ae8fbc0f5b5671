//! The crate's error types.
//!
//! [`LayerError`] is what [`walk`](crate::walk()) and [`walk_content`](crate::walk_content)
//! return. Below the walk, inside `Read` implementations, the currency is [`io::Error`]: the
//! typed payloads [`LimitExceeded`] and [`DecodeError`] travel inside it (keeping the original
//! [`io::ErrorKind`]) and are found again with [`find_cause`].

use std::error::Error as StdError;
use std::io;

use crate::compression::Compression;

/// A `Result` whose error defaults to [`LayerError`].
pub type Result<T, E = LayerError> = std::result::Result<T, E>;

/// An error that ends a layer walk.
///
/// Entries delivered before the error stay delivered: the walk is streaming, so a caller has
/// already scanned them. The error says where (a byte offset into the *uncompressed* tar
/// stream) and why (the `source`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LayerError {
    /// The stream below the tar format failed: a corrupt or truncated gzip/zstd stream, a
    /// [`Limits`](crate::Limits) guard ([`LimitExceeded`]), or an I/O error of the source
    /// (for example a digest mismatch reported by a verifying reader).
    ///
    /// Use [`LayerError::limit`] or [`find_cause`] to inspect the cause.
    #[error("the layer stream failed after {offset} uncompressed bytes")]
    Stream {
        /// Uncompressed bytes successfully read before the failure.
        offset: u64,
        /// The error of the underlying reader, unchanged.
        #[source]
        source: io::Error,
    },
    /// The tar structure itself is invalid (bad header checksum, a block cut short, …).
    #[error("corrupt tar archive in the 512-byte block at byte offset {offset}")]
    Tar {
        /// Offset of the 512-byte tar block in which the problem was detected, counted in
        /// the uncompressed stream. For a bad header this is the header's own offset.
        offset: u64,
        /// The tar reader's description of the problem.
        #[source]
        source: io::Error,
    },
}

impl LayerError {
    /// The byte offset (in the uncompressed stream) the error refers to.
    #[must_use]
    pub fn offset(&self) -> u64 {
        match self {
            LayerError::Stream { offset, .. } | LayerError::Tar { offset, .. } => *offset,
        }
    }

    /// The limit that was exceeded, if a [`Limits`](crate::Limits) guard caused this error
    /// (a decompression bomb or an oversized layer).
    #[must_use]
    pub fn limit(&self) -> Option<&LimitExceeded> {
        find_cause::<LimitExceeded>(self)
    }
}

/// A [`Limits`](crate::Limits) guard stopped a decompression.
///
/// Delivered inside an [`io::Error`] (kind [`io::ErrorKind::Other`]) by
/// [`Decompressor`](crate::Decompressor), and inside [`NoticeReason::Limit`](crate::NoticeReason::Limit)
/// for nested archives.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LimitExceeded {
    /// More than `limit` uncompressed bytes were produced.
    #[error("the uncompressed size exceeds the limit of {limit} bytes")]
    Size {
        /// The configured limit, in bytes.
        limit: u64,
    },
    /// The expansion ratio (uncompressed / compressed) went over `limit`.
    #[error(
        "the expansion ratio exceeds {limit}:1 ({uncompressed} bytes from {compressed} compressed bytes): a decompression bomb?"
    )]
    Ratio {
        /// The configured maximum ratio.
        limit: u64,
        /// Compressed bytes read when the guard tripped.
        compressed: u64,
        /// Uncompressed bytes produced when the guard tripped.
        uncompressed: u64,
    },
}

/// A tar extension record (GNU long name or link, PAX header, sparse map) is larger than
/// the walk reads into memory.
///
/// Delivered inside the [`io::Error`] (kind [`io::ErrorKind::InvalidData`]) of a
/// [`LayerError::Tar`] whose offset is the record's header: the walk stops there, before
/// reading the record, so memory stays bounded whatever size the header claims.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the {record} is {size} {unit}, over the limit of {limit} {unit} read into memory; the rest of the archive was not read"
)]
#[non_exhaustive]
pub struct RecordTooLarge {
    /// What the record is: `GNU long name`, `GNU long link`, `PAX extension header`, or a
    /// sparse map.
    pub record: &'static str,
    /// The size the header claims, in `unit`s.
    pub size: u64,
    /// `bytes`, or `segments` for a sparse map.
    pub unit: &'static str,
    /// The limit: [`MAX_LONG_NAME_BYTES`](crate::MAX_LONG_NAME_BYTES),
    /// [`MAX_PAX_BYTES`](crate::MAX_PAX_BYTES) or
    /// [`MAX_SPARSE_SEGMENTS`](crate::MAX_SPARSE_SEGMENTS).
    pub limit: u64,
}

/// Context added to an error of a compressed stream.
///
/// Travels inside an [`io::Error`] that keeps the original [`io::ErrorKind`] (for example
/// [`io::ErrorKind::UnexpectedEof`] for a truncated stream).
#[derive(Debug, thiserror::Error)]
#[error(
    "reading the {compression} stream failed after {compressed_offset} compressed bytes ({uncompressed_offset} bytes decompressed)"
)]
pub struct DecodeError {
    /// The compression of the stream.
    pub compression: Compression,
    /// Compressed bytes read from the source so far (may run ahead of the decoder by up to
    /// one buffer).
    pub compressed_offset: u64,
    /// Uncompressed bytes produced before the failure.
    pub uncompressed_offset: u64,
    /// The decoder's or the source's error.
    #[source]
    pub source: io::Error,
}

/// Find a cause of type `T` in an error chain.
///
/// Unlike a plain walk over [`std::error::Error::source`], this also looks *into*
/// [`io::Error`]s (their [`io::Error::get_ref`] payload), which is where this crate and the
/// `tar`, `flate2` and `zstd` crates put typed errors.
///
/// # Example
///
/// ```
/// use layerleak_layer::{find_cause, LimitExceeded};
/// let e = std::io::Error::other(LimitExceeded::Size { limit: 10 });
/// assert!(find_cause::<LimitExceeded>(&e).is_some());
/// ```
#[must_use]
pub fn find_cause<'a, T: StdError + 'static>(err: &'a (dyn StdError + 'static)) -> Option<&'a T> {
    let mut cur = err;
    // Bounded: a pathological self-referencing chain must not loop forever.
    for _ in 0..64 {
        if let Some(t) = cur.downcast_ref::<T>() {
            return Some(t);
        }
        let next = match cur.downcast_ref::<io::Error>() {
            Some(io) => io.get_ref().map(|e| e as &(dyn StdError + 'static)),
            None => cur.source(),
        };
        cur = next?;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_cause_looks_inside_io_errors_and_sources() {
        let inner =
            io::Error::other(LimitExceeded::Ratio { limit: 2, compressed: 1, uncompressed: 3 });
        let decode = DecodeError {
            compression: Compression::Gzip,
            compressed_offset: 1,
            uncompressed_offset: 3,
            source: inner,
        };
        let outer = io::Error::other(decode);
        let err = LayerError::Stream { offset: 3, source: outer };
        assert!(matches!(err.limit(), Some(LimitExceeded::Ratio { limit: 2, .. })));
        assert!(find_cause::<DecodeError>(&err).is_some());
        assert_eq!(err.offset(), 3);
    }

    #[test]
    fn messages_do_not_repeat_their_source() {
        let err = LayerError::Tar { offset: 512, source: io::Error::other("checksum mismatch") };
        assert!(!err.to_string().contains("checksum"));
    }
}
