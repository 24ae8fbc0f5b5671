//! Text encodings: a UTF-8 view of UTF-16 files, so they can be searched like any other.

use std::io::{self, Cursor, Read};

use crate::compression::read_up_to;

/// How many leading bytes [`TextEncoding::sniff`] looks at.
pub const TEXT_SNIFF_LEN: usize = 1024;

/// The encoding of a file's content, as far as scanning is concerned.
///
/// Only UTF-16 needs transcoding. UTF-8 (with or without a byte-order mark), ASCII, Latin-1
/// and binary data are scanned as they are: a BOM is just three bytes before the text, and
/// CRLF line endings are just a `\r` before each `\n`, neither of which changes what a
/// pattern matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TextEncoding {
    /// Bytes as they are (UTF-8, ASCII, binary, …).
    Bytes,
    /// UTF-16, little-endian.
    Utf16Le {
        /// Whether the content starts with a byte-order mark (`FF FE`).
        bom: bool,
    },
    /// UTF-16, big-endian.
    Utf16Be {
        /// Whether the content starts with a byte-order mark (`FE FF`).
        bom: bool,
    },
}

impl TextEncoding {
    /// Decide from the first bytes of a file (up to [`TEXT_SNIFF_LEN`]).
    ///
    /// - A UTF-16 byte-order mark decides.
    /// - Without one, the sample is taken for UTF-16 only when at least 90% of its code units
    ///   are printable ASCII or whitespace with a zero high byte (`h\0e\0l\0l\0o\0`). The
    ///   heuristic is deliberately strict: misreading a binary file as UTF-16 would hide its
    ///   ASCII strings from the scan, while UTF-16 text without a BOM that is mostly
    ///   non-ASCII is rare in images and seldom holds secrets.
    ///
    /// ```
    /// use layerleak_layer::TextEncoding;
    /// assert_eq!(TextEncoding::sniff(b"\xff\xfek\0e\0y\0"), TextEncoding::Utf16Le { bom: true });
    /// assert_eq!(TextEncoding::sniff(b"\0k\0e\0y\0=\0x"), TextEncoding::Utf16Be { bom: false });
    /// assert_eq!(TextEncoding::sniff(b"key=x\r\n"), TextEncoding::Bytes);
    /// ```
    #[must_use]
    pub fn sniff(first: &[u8]) -> TextEncoding {
        match first {
            [0xff, 0xfe, ..] => return TextEncoding::Utf16Le { bom: true },
            [0xfe, 0xff, ..] => return TextEncoding::Utf16Be { bom: true },
            _ => {}
        }
        let sample = &first[..first.len().min(TEXT_SNIFF_LEN) & !1];
        let units = sample.len() / 2;
        if units < 2 {
            return TextEncoding::Bytes;
        }
        let texty = |b: u8| matches!(b, b'\t' | b'\n' | b'\r' | 0x20..=0x7e);
        // Counting misses lets nearly every file (which is no UTF-16) stop after a few
        // dozen units, once neither byte order can reach 90% any more.
        let allowed_misses = units - (units * 9).div_ceil(10);
        let (mut le_misses, mut be_misses) = (0, 0);
        for pair in sample.chunks_exact(2) {
            le_misses += usize::from(!(pair[1] == 0 && texty(pair[0])));
            be_misses += usize::from(!(pair[0] == 0 && texty(pair[1])));
            if le_misses > allowed_misses && be_misses > allowed_misses {
                return TextEncoding::Bytes;
            }
        }
        if le_misses <= allowed_misses {
            TextEncoding::Utf16Le { bom: false }
        } else {
            TextEncoding::Utf16Be { bom: false }
        }
    }

    /// Whether this encoding is transcoded by [`TextReader`].
    #[must_use]
    pub fn is_utf16(self) -> bool {
        !matches!(self, TextEncoding::Bytes)
    }
}

/// Detect the encoding of `reader` and return a reader of its searchable form.
///
/// UTF-16 content (see [`TextEncoding::sniff`]) is transcoded to UTF-8 on the fly, its BOM
/// dropped; anything else is passed through unchanged, the sniffed bytes included.
///
/// # Errors
///
/// An error of `reader` while reading the first bytes.
///
/// # Example
///
/// ```
/// use std::io::Read;
/// use layerleak_layer::{decode_text, TextEncoding};
///
/// let utf16: Vec<u8> = "\u{feff}token=s3cr3t".encode_utf16().flat_map(u16::to_le_bytes).collect();
/// let mut r = decode_text(&utf16[..])?;
/// assert_eq!(r.encoding(), TextEncoding::Utf16Le { bom: true });
/// let mut s = String::new();
/// r.read_to_string(&mut s)?;
/// assert_eq!(s, "token=s3cr3t");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Offsets
///
/// Offsets in the returned stream count UTF-8 bytes of the transcoded text, not bytes of
/// the file. A report should say so (or map back: ASCII maps to exactly two file bytes).
pub fn decode_text<R: Read>(mut reader: R) -> io::Result<TextReader<R>> {
    let mut head = vec![0u8; TEXT_SNIFF_LEN];
    let n = read_up_to(&mut reader, &mut head)?;
    head.truncate(n);
    let encoding = TextEncoding::sniff(&head);
    let inner = match encoding {
        TextEncoding::Bytes => Inner::Bytes(Cursor::new(head).chain(reader)),
        TextEncoding::Utf16Le { bom } | TextEncoding::Utf16Be { bom } => {
            let skip = if bom { 2 } else { 0 };
            let mut cur = Cursor::new(head);
            cur.set_position(skip);
            let big_endian = matches!(encoding, TextEncoding::Utf16Be { .. });
            Inner::Utf16(Utf16ToUtf8::new(cur.chain(reader), big_endian))
        }
    };
    Ok(TextReader { encoding, inner })
}

#[derive(Debug)]
enum Inner<R> {
    Bytes(io::Chain<Cursor<Vec<u8>>, R>),
    Utf16(Utf16ToUtf8<io::Chain<Cursor<Vec<u8>>, R>>),
}

/// The searchable form of a file: see [`decode_text`].
#[derive(Debug)]
pub struct TextReader<R> {
    encoding: TextEncoding,
    inner: Inner<R>,
}

impl<R> TextReader<R> {
    /// The detected encoding.
    #[must_use]
    pub fn encoding(&self) -> TextEncoding {
        self.encoding
    }
}

impl<R: Read> Read for TextReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.inner {
            Inner::Bytes(r) => r.read(buf),
            Inner::Utf16(r) => r.read(buf),
        }
    }
}

/// A streaming UTF-16 → UTF-8 transcoder.
///
/// Surrogate pairs are joined even when split across reads; unpaired surrogates and a
/// trailing odd byte become U+FFFD. A BOM is not removed (use [`decode_text`] for that).
///
/// # Memory usage
///
/// An 8 KiB input buffer and up to 12 KiB of output.
#[derive(Debug)]
pub struct Utf16ToUtf8<R> {
    inner: R,
    big_endian: bool,
    input: Box<[u8]>,
    /// Undecoded input bytes at the front of `input` (0 or 1: half a code unit).
    held: usize,
    out: Vec<u8>,
    out_pos: usize,
    pending_high: Option<u16>,
    eof: bool,
}

impl<R: Read> Utf16ToUtf8<R> {
    /// Transcode `inner`, little-endian unless `big_endian`.
    pub fn new(inner: R, big_endian: bool) -> Self {
        Utf16ToUtf8 {
            inner,
            big_endian,
            input: vec![0u8; 8 * 1024].into_boxed_slice(),
            held: 0,
            out: Vec::with_capacity(12 * 1024),
            out_pos: 0,
            pending_high: None,
            eof: false,
        }
    }

    fn push(&mut self, c: char) {
        let mut b = [0u8; 4];
        self.out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
    }

    fn unit(&mut self, u: u16) {
        if let Some(high) = self.pending_high.take() {
            if (0xdc00..0xe000).contains(&u) {
                let c = 0x10000 + ((u32::from(high) - 0xd800) << 10) + (u32::from(u) - 0xdc00);
                self.push(char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER));
                return;
            }
            self.push(char::REPLACEMENT_CHARACTER);
        }
        if (0xd800..0xdc00).contains(&u) {
            self.pending_high = Some(u);
        } else {
            self.push(char::from_u32(u32::from(u)).unwrap_or(char::REPLACEMENT_CHARACTER));
        }
    }

    /// Decode the next chunk of input into `out` (which is empty).
    fn fill(&mut self) -> io::Result<()> {
        self.out.clear();
        self.out_pos = 0;
        let n = loop {
            match self.inner.read(&mut self.input[self.held..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        };
        if n == 0 {
            self.eof = true;
            if self.pending_high.take().is_some() {
                self.push(char::REPLACEMENT_CHARACTER);
            }
            if self.held > 0 {
                self.held = 0;
                self.push(char::REPLACEMENT_CHARACTER);
            }
            return Ok(());
        }
        let len = self.held + n;
        let whole = len & !1;
        for i in (0..whole).step_by(2) {
            let pair = [self.input[i], self.input[i + 1]];
            let u =
                if self.big_endian { u16::from_be_bytes(pair) } else { u16::from_le_bytes(pair) };
            self.unit(u);
        }
        self.held = len - whole;
        if self.held > 0 {
            self.input[0] = self.input[whole];
        }
        Ok(())
    }
}

impl<R: Read> Read for Utf16ToUtf8<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.out_pos < self.out.len() {
                let n = (self.out.len() - self.out_pos).min(buf.len());
                buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
                self.out_pos += n;
                return Ok(n);
            }
            if self.eof || buf.is_empty() {
                return Ok(0);
            }
            self.fill()?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transcode(bytes: &[u8], be: bool) -> String {
        let mut s = String::new();
        Utf16ToUtf8::new(bytes, be).read_to_string(&mut s).unwrap();
        s
    }

    #[test]
    fn surrogates_and_odd_bytes() {
        let text = "a😀b";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(transcode(&le, false), text);
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(transcode(&be, true), text);
        // Lone high surrogate, then a trailing odd byte.
        assert_eq!(transcode(&[0x3d, 0xd8, b'x', 0, b'y'], false), "\u{fffd}x\u{fffd}");
        // Lone low surrogate.
        assert_eq!(transcode(&[0x00, 0xdc], false), "\u{fffd}");
    }

    #[test]
    fn pair_split_across_reads() {
        // A reader that returns one byte at a time.
        struct OneByte<'a>(&'a [u8]);
        impl Read for OneByte<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                if self.0.is_empty() || buf.is_empty() {
                    return Ok(0);
                }
                buf[0] = self.0[0];
                self.0 = &self.0[1..];
                Ok(1)
            }
        }
        let text = "x😀y=z";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let mut s = String::new();
        Utf16ToUtf8::new(OneByte(&le), false).read_to_string(&mut s).unwrap();
        assert_eq!(s, text);
    }

    #[test]
    fn binary_is_not_utf16() {
        let elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0\x3e\0\x01\0\0\0";
        assert_eq!(TextEncoding::sniff(elf), TextEncoding::Bytes);
        assert_eq!(TextEncoding::sniff(&[0u8; 64]), TextEncoding::Bytes);
        assert_eq!(TextEncoding::sniff(b"a\0"), TextEncoding::Bytes);
    }

    /// The early exit decides as counting every unit would, right at the 90% threshold.
    #[test]
    fn stopping_early_decides_as_counting_all() {
        fn counted(first: &[u8]) -> TextEncoding {
            let sample = &first[..first.len().min(TEXT_SNIFF_LEN) & !1];
            let units = sample.len() / 2;
            let texty = |b: u8| matches!(b, b'\t' | b'\n' | b'\r' | 0x20..=0x7e);
            let le = sample.chunks_exact(2).filter(|p| p[1] == 0 && texty(p[0])).count();
            let be = sample.chunks_exact(2).filter(|p| p[0] == 0 && texty(p[1])).count();
            if units < 2 {
                TextEncoding::Bytes
            } else if le * 10 >= units * 9 {
                TextEncoding::Utf16Le { bom: false }
            } else if be * 10 >= units * 9 {
                TextEncoding::Utf16Be { bom: false }
            } else {
                TextEncoding::Bytes
            }
        }
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..20_000 {
            let units = 2 + usize::try_from(next() % 600).unwrap();
            // Misses near the threshold, at either byte order and anywhere in the sample.
            let misses = usize::try_from(next() % (units as u64 / 5 + 1)).unwrap();
            let be = next() % 2 == 0;
            let mut sample: Vec<u8> =
                (0..units).flat_map(|_| if be { [0, b'k'] } else { [b'k', 0] }).collect();
            for _ in 0..misses {
                let at = usize::try_from(next() % sample.len() as u64).unwrap();
                sample[at] = 0x80;
            }
            if sample.starts_with(&[0xff, 0xfe]) || sample.starts_with(&[0xfe, 0xff]) {
                continue;
            }
            assert_eq!(TextEncoding::sniff(&sample), counted(&sample), "{sample:?}");
        }
    }
}
