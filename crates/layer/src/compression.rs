//! Compression sniffing and guarded, streaming decompression of layer blobs.

use std::fmt;
use std::io::{self, BufRead, BufReader, Read};

use crate::error::DecodeError;
use crate::gzip::GzipDecoder;
use crate::limits::Limits;

/// Size of the buffer between the source and a decoder.
const INPUT_BUFFER: usize = 64 * 1024;

/// The compression of a layer blob (or of a nested `.gz`/`.zst` file).
///
/// Decided from the magic bytes by [`Compression::sniff`]. A media type such as
/// `application/vnd.oci.image.layer.v1.tar+gzip` is only a hint
/// ([`Compression::from_media_type`]): registries and tools mislabel blobs, and the bytes
/// are what the runtime will unpack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Compression {
    /// Not compressed (a plain tar stream).
    None,
    /// gzip, possibly several members concatenated (RFC 1952 allows it; `pigz` and
    /// appending tools produce it).
    Gzip,
    /// Zstandard, possibly several frames (and skippable frames).
    Zstd,
}

impl Compression {
    /// How many leading bytes [`Compression::sniff`] looks at.
    pub const SNIFF_LEN: usize = 4;

    /// Decide the compression from the first bytes of a stream.
    ///
    /// gzip starts with `1f 8b`; a zstd frame with `28 b5 2f fd`, and a zstd skippable frame
    /// with `5? 2a 4d 18`. Anything else (including fewer than 2 bytes) is
    /// [`Compression::None`].
    ///
    /// # Example
    ///
    /// ```
    /// use layerleak_layer::Compression;
    /// assert_eq!(Compression::sniff(&[0x1f, 0x8b, 8, 0]), Compression::Gzip);
    /// assert_eq!(Compression::sniff(&[0x28, 0xb5, 0x2f, 0xfd]), Compression::Zstd);
    /// assert_eq!(Compression::sniff(b"etc/"), Compression::None);
    /// ```
    #[must_use]
    pub fn sniff(first: &[u8]) -> Compression {
        match first {
            [0x1f, 0x8b, ..] => Compression::Gzip,
            [0x28, 0xb5, 0x2f, 0xfd, ..] => Compression::Zstd,
            [b, 0x2a, 0x4d, 0x18, ..] if b & 0xf0 == 0x50 => Compression::Zstd,
            _ => Compression::None,
        }
    }

    /// The compression a media type announces, if it announces one.
    ///
    /// Only a hint: [`decompress`] trusts the bytes. Useful to report a mislabelled blob.
    ///
    /// ```
    /// use layerleak_layer::Compression;
    /// let mt = "application/vnd.oci.image.layer.v1.tar+zstd";
    /// assert_eq!(Compression::from_media_type(mt), Some(Compression::Zstd));
    /// ```
    #[must_use]
    pub fn from_media_type(media_type: &str) -> Option<Compression> {
        let mt = media_type.trim();
        if mt.ends_with("+gzip") || mt.ends_with(".gzip") || mt.ends_with("tar.gzip") {
            Some(Compression::Gzip)
        } else if mt.ends_with("+zstd") || mt.ends_with(".zstd") {
            Some(Compression::Zstd)
        } else if mt.ends_with(".tar")
            || mt.ends_with("layer.v1.tar")
            || mt.ends_with("rootfs.diff.tar")
        {
            Some(Compression::None)
        } else {
            None
        }
    }

    /// A short lowercase name: `none`, `gzip` or `zstd`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }
}

impl fmt::Display for Compression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Sniff the compression of `reader` and return a guarded, decompressing reader.
///
/// Reads up to [`Compression::SNIFF_LEN`] bytes to decide (those bytes are not lost: the
/// returned reader yields the whole stream), then behaves like [`Decompressor::new`].
///
/// # Errors
///
/// An I/O error of `reader` while sniffing, or a failure to set up the zstd decoder.
///
/// # Example
///
/// ```
/// use std::io::{Read, Write};
/// use layerleak_layer::{decompress, Compression, Limits};
///
/// let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
/// gz.write_all(b"hello")?;
/// let blob = gz.finish()?;
///
/// let mut d = decompress(&blob[..], &Limits::default())?;
/// assert_eq!(d.compression(), Compression::Gzip);
/// let mut out = String::new();
/// d.read_to_string(&mut out)?;
/// assert_eq!(out, "hello");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn decompress<R: Read>(mut reader: R, limits: &Limits) -> io::Result<Decompressor<R>> {
    let mut head = [0u8; Compression::SNIFF_LEN];
    let len = read_up_to(&mut reader, &mut head)?;
    let compression = Compression::sniff(&head[..len]);
    let prefixed = Prefixed { head, pos: 0, len, inner: reader };
    Decompressor::build(prefixed, compression, limits)
}

/// Read until `buf` is full or the reader is at EOF; return how many bytes were read.
///
/// Unlike `read_exact`, reaching EOF early is not an error; unlike a single `read`, short
/// reads do not make the caller see fewer bytes than exist.
pub(crate) fn read_up_to<R: Read + ?Sized>(reader: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// The sniffed bytes put back in front of the rest of the stream.
#[derive(Debug)]
struct Prefixed<R> {
    head: [u8; Compression::SNIFF_LEN],
    pos: usize,
    len: usize,
    inner: R,
}

impl<R: Read> Read for Prefixed<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos < self.len {
            let n = (self.len - self.pos).min(buf.len());
            buf[..n].copy_from_slice(&self.head[self.pos..self.pos + n]);
            self.pos += n;
            return Ok(n);
        }
        self.inner.read(buf)
    }
}

/// Counts the bytes read from the compressed source (for the ratio guard).
#[derive(Debug)]
struct Counting<R> {
    inner: R,
    count: u64,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

enum Inner<R: Read> {
    None(Counting<Prefixed<R>>),
    Gzip(Box<GzipDecoder<BufReader<Counting<Prefixed<R>>>>>),
    Zstd(Box<zstd::stream::read::Decoder<'static, BufReader<Counting<Prefixed<R>>>>>),
}

/// A streaming, guarded decompressor: yields the uncompressed bytes of a blob.
///
/// - gzip: every member of a multi-member stream, in order.
/// - zstd: every frame, in order; skippable frames are skipped.
/// - none: the bytes unchanged.
///
/// # Errors
///
/// Reads fail with:
/// - [`LimitExceeded`](crate::LimitExceeded) (kind [`io::ErrorKind::Other`]) when the
///   uncompressed size exceeds [`Limits::max_layer_bytes`] or the expansion ratio exceeds
///   [`Limits::max_ratio`]: a decompression bomb costs at most the limit, never unbounded
///   work;
/// - [`DecodeError`] wrapping the decoder's error, with its kind kept: a truncated stream
///   is [`io::ErrorKind::UnexpectedEof`], corrupt data usually
///   [`io::ErrorKind::InvalidInput`] or [`io::ErrorKind::InvalidData`]. Source errors are
///   wrapped the same way.
///
/// After an error, every later read fails too (the stream is poisoned), so a caller that
/// ignores one error cannot read garbage after it.
///
/// # Memory usage
///
/// A 64 KiB input buffer plus the decoder's state: for gzip about 85 KiB (ISA-L) or 32 KiB
/// (zlib-rs, without the `isal` feature); for zstd the
/// frame's window, at most 128 MiB (libzstd's default `windowLogMax` of 27; typical layers
/// use 1–8 MiB).
pub struct Decompressor<R: Read> {
    inner: Inner<R>,
    compression: Compression,
    uncompressed: u64,
    limits: Limits,
    max_bytes: u64,
    poisoned: Option<io::ErrorKind>,
}

impl<R: Read> fmt::Debug for Decompressor<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Decompressor")
            .field("compression", &self.compression)
            .field("compressed", &self.compressed_bytes())
            .field("uncompressed", &self.uncompressed)
            .field("poisoned", &self.poisoned)
            .finish_non_exhaustive()
    }
}

impl<R: Read> Decompressor<R> {
    /// Decompress `reader` with a known `compression` (no sniffing).
    ///
    /// # Errors
    ///
    /// Only the zstd decoder's setup can fail (out of memory).
    pub fn new(reader: R, compression: Compression, limits: &Limits) -> io::Result<Self> {
        let prefixed =
            Prefixed { head: [0; Compression::SNIFF_LEN], pos: 0, len: 0, inner: reader };
        Self::build(prefixed, compression, limits)
    }

    fn build(reader: Prefixed<R>, compression: Compression, limits: &Limits) -> io::Result<Self> {
        let counting = Counting { inner: reader, count: 0 };
        let inner = match compression {
            Compression::None => Inner::None(counting),
            Compression::Gzip => Inner::Gzip(Box::new(GzipDecoder::new(
                BufReader::with_capacity(INPUT_BUFFER, counting),
                limits.gzip_crc,
            ))),
            Compression::Zstd => Inner::Zstd(Box::new(zstd::stream::read::Decoder::with_buffer(
                BufReader::with_capacity(INPUT_BUFFER, counting),
            )?)),
        };
        Ok(Decompressor {
            inner,
            compression,
            uncompressed: 0,
            limits: *limits,
            max_bytes: limits.max_layer_bytes,
            poisoned: None,
        })
    }

    /// Use `max_bytes` instead of [`Limits::max_layer_bytes`] as the size limit.
    #[must_use]
    pub fn with_max_bytes(mut self, max_bytes: u64) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// The compression being decoded.
    #[must_use]
    pub fn compression(&self) -> Compression {
        self.compression
    }

    /// The source reader, to read what the decoder left of it (after the end of the
    /// compressed stream, so a verifying source below reaches its end). Bytes the decoder
    /// already read ahead are not seen again.
    pub fn source_mut(&mut self) -> &mut R {
        let source = match &mut self.inner {
            Inner::None(c) => c,
            Inner::Gzip(d) => d.get_mut().get_mut(),
            Inner::Zstd(d) => d.get_mut().get_mut(),
        };
        &mut source.inner.inner
    }

    /// Compressed bytes the decoder has consumed so far: read from the source, less what
    /// still waits in the input buffer. (Counting the read-ahead as consumed let a gzip bomb
    /// run to 1000 × 64 KiB before the ratio guard saw it.)
    #[must_use]
    pub fn compressed_bytes(&self) -> u64 {
        let consumed =
            |b: &BufReader<Counting<Prefixed<R>>>| b.get_ref().count - b.buffer().len() as u64;
        match &self.inner {
            Inner::None(c) => c.count,
            Inner::Gzip(d) => consumed(d.get_ref()),
            Inner::Zstd(d) => consumed(d.get_ref()),
        }
    }

    /// Uncompressed bytes produced so far.
    #[must_use]
    pub fn uncompressed_bytes(&self) -> u64 {
        self.uncompressed
    }

    fn decode_error(&self, source: io::Error) -> io::Error {
        io::Error::new(
            source.kind(),
            DecodeError {
                compression: self.compression,
                compressed_offset: self.compressed_bytes(),
                uncompressed_offset: self.uncompressed,
                source,
            },
        )
    }
}

impl<R: Read> Read for Decompressor<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(kind) = self.poisoned {
            return Err(io::Error::new(
                kind,
                "the stream failed earlier; no more data can be read",
            ));
        }
        let res = match &mut self.inner {
            Inner::None(r) => r.read(buf),
            Inner::Gzip(d) => d.read(buf),
            Inner::Zstd(d) => d.read(buf),
        };
        let n = match res {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return Err(e),
            Err(e) => {
                self.poisoned = Some(e.kind());
                return Err(self.decode_error(e));
            }
        };
        self.uncompressed += n as u64;
        let compressed = match self.compression {
            // No expansion is possible, so only the size counts.
            Compression::None => self.uncompressed,
            _ => self.compressed_bytes(),
        };
        if let Err(e) = self.limits.check(self.max_bytes, compressed, self.uncompressed) {
            self.poisoned = Some(e.kind());
            return Err(e);
        }
        Ok(n)
    }
}

/// A [`BufRead`] that counts consumed bytes into a shared cell (exact compressed offsets).
pub(crate) struct CountingBufRead<'c, B> {
    pub(crate) inner: B,
    pub(crate) consumed: &'c std::cell::Cell<u64>,
}

impl<B: BufRead> Read for CountingBufRead<'_, B> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.consumed.set(self.consumed.get() + n as u64);
        Ok(n)
    }
}

impl<B: BufRead> BufRead for CountingBufRead<'_, B> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        self.consumed.set(self.consumed.get() + amt as u64);
        self.inner.consume(amt);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniff_short_and_skippable() {
        assert_eq!(Compression::sniff(&[]), Compression::None);
        assert_eq!(Compression::sniff(&[0x1f]), Compression::None);
        assert_eq!(Compression::sniff(&[0x1f, 0x8b]), Compression::Gzip);
        assert_eq!(Compression::sniff(&[0x5e, 0x2a, 0x4d, 0x18]), Compression::Zstd);
        assert_eq!(Compression::sniff(&[0x28, 0xb5, 0x2f]), Compression::None);
    }

    #[test]
    fn media_type_hints() {
        assert_eq!(
            Compression::from_media_type("application/vnd.docker.image.rootfs.diff.tar.gzip"),
            Some(Compression::Gzip)
        );
        assert_eq!(
            Compression::from_media_type("application/vnd.oci.image.layer.v1.tar"),
            Some(Compression::None)
        );
        assert_eq!(Compression::from_media_type("application/json"), None);
    }

    #[test]
    fn empty_input_is_uncompressed_and_empty() {
        let mut d = decompress(&b""[..], &Limits::default()).unwrap();
        let mut v = Vec::new();
        d.read_to_end(&mut v).unwrap();
        assert!(v.is_empty());
        assert_eq!(d.compression(), Compression::None);
    }

    #[test]
    fn size_limit_on_uncompressed_input() {
        let data = [7u8; 100];
        let mut d = decompress(&data[..], &Limits::default().with_max_layer_bytes(50)).unwrap();
        let mut v = Vec::new();
        let e = d.read_to_end(&mut v).unwrap_err();
        assert!(crate::find_cause::<crate::LimitExceeded>(&e).is_some());
        // Poisoned afterwards.
        assert!(d.read(&mut [0; 8]).is_err());
    }
}
