//! A streaming, multi-member gzip decoder (RFC 1952) whose CRC-32 check can be skipped.
//!
//! flate2's `MultiGzDecoder` always computes the CRC-32 of what it inflates. A layer blob
//! is read through a digest-verifying reader, whose SHA-256 already proves every
//! compressed byte, so the CRC only repeats that proof at about 2 % of a layer scan's CPU
//! ([`Limits::gzip_crc`](crate::Limits::gzip_crc)). This decoder does the gzip framing
//! itself around a raw inflate ([`RawInflate`]: ISA-L, or zlib-rs without the `isal`
//! feature), so the CRC is optional; everything else is checked
//! either way: the header's magic, method and reserved flags, the header CRC-16, each
//! member's length (`ISIZE`), truncation, and what follows a member (another member or the
//! end, never garbage).

use std::io::{self, BufRead, Read};

use flate2::Crc;

use crate::inflate::RawInflate;

/// `FLG` bits (RFC 1952, 2.3.1).
const FHCRC: u8 = 0x02;
const FEXTRA: u8 = 0x04;
const FNAME: u8 = 0x08;
const FCOMMENT: u8 = 0x10;
const FRESERVED: u8 = 0xe0;

/// Where the decoder is in the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before the first member's header.
    Start,
    /// Inflating a member's body.
    Body,
    /// After a member: another member or the end of the stream follows.
    Between,
    /// The stream ended after a whole member.
    End,
}

/// Decodes every member of a gzip stream read from `R`, in order.
pub(crate) struct GzipDecoder<R> {
    inner: R,
    inflate: RawInflate,
    /// Input the inflater took beyond a member's deflate data: the start of its trailer.
    unused: Vec<u8>,
    /// The CRC-32 of the current member's output, computed only when `check_crc`.
    crc: Crc,
    check_crc: bool,
    /// The current member's output length modulo 2^32, always checked against `ISIZE`.
    len: u32,
    state: State,
}

impl<R: BufRead> GzipDecoder<R> {
    /// A decoder of the gzip stream in `inner`; `check_crc` says whether each member's
    /// CRC-32 is computed and checked.
    pub(crate) fn new(inner: R, check_crc: bool) -> GzipDecoder<R> {
        GzipDecoder {
            inner,
            inflate: RawInflate::new(),
            unused: Vec::new(),
            crc: Crc::new(),
            check_crc,
            len: 0,
            state: State::Start,
        }
    }

    /// The source.
    pub(crate) fn get_ref(&self) -> &R {
        &self.inner
    }

    /// The source, mutably.
    pub(crate) fn get_mut(&mut self) -> &mut R {
        &mut self.inner
    }

    /// Reads one member's header, up to its body.
    fn read_header(&mut self) -> io::Result<()> {
        let mut header = HeaderReader { inner: &mut self.inner, crc: Crc::new() };
        let mut fixed = [0u8; 10];
        for b in &mut fixed {
            *b = header.byte()?;
        }
        if fixed[..2] != [0x1f, 0x8b] {
            return Err(invalid("invalid gzip header: not a gzip member"));
        }
        if fixed[2] != 8 {
            return Err(invalid("invalid gzip header: compression method is not deflate"));
        }
        let flags = fixed[3];
        if flags & FRESERVED != 0 {
            return Err(invalid("invalid gzip header: reserved flags set"));
        }
        if flags & FEXTRA != 0 {
            let len = u16::from_le_bytes([header.byte()?, header.byte()?]);
            for _ in 0..len {
                header.byte()?;
            }
        }
        for flag in [FNAME, FCOMMENT] {
            if flags & flag != 0 {
                while header.byte()? != 0 {}
            }
        }
        if flags & FHCRC != 0 {
            // The CRC-16 is the low half of the CRC-32 of the header bytes before it.
            let expected = header.crc.sum() & 0xffff;
            let stored = u16::from_le_bytes([header.byte()?, header.byte()?]);
            if u32::from(stored) != expected {
                return Err(invalid("invalid gzip header: header checksum mismatch"));
            }
        }
        Ok(())
    }

    /// Reads and checks a member's trailer (CRC-32 and `ISIZE`), then readies the next.
    fn read_trailer(&mut self) -> io::Result<()> {
        let mut trailer = [0u8; 8];
        let given_back = self.unused.len().min(trailer.len());
        trailer[..given_back].copy_from_slice(&self.unused[..given_back]);
        self.unused.clear();
        self.inner
            .read_exact(&mut trailer[given_back..])
            .map_err(|e| if e.kind() == io::ErrorKind::UnexpectedEof { truncated() } else { e })?;
        let [c0, c1, c2, c3, s0, s1, s2, s3] = trailer;
        if self.check_crc && u32::from_le_bytes([c0, c1, c2, c3]) != self.crc.sum() {
            return Err(invalid("corrupt gzip stream: CRC-32 mismatch"));
        }
        if u32::from_le_bytes([s0, s1, s2, s3]) != self.len {
            return Err(invalid("corrupt gzip stream: length mismatch"));
        }
        self.inflate.reset();
        self.crc.reset();
        self.len = 0;
        self.state = State::Between;
        Ok(())
    }

    /// Inflates the current member's body into `out`: how many bytes it produced, 0 only
    /// at the member's end (the state is then past the trailer).
    fn read_body(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            let input = self.inner.fill_buf()?;
            let eof = input.is_empty();
            let step = self.inflate.step(input, out, eof)?;
            let (consumed, produced) = (step.consumed, step.produced);
            self.inner.consume(consumed);
            if self.check_crc {
                self.crc.update(&out[..produced]);
            }
            #[expect(clippy::cast_possible_truncation, reason = "ISIZE is the length mod 2^32")]
            let produced_mod = produced as u32;
            self.len = self.len.wrapping_add(produced_mod);
            if step.finished {
                self.unused = self.inflate.take_unused();
                self.read_trailer()?;
                return Ok(produced);
            }
            if produced > 0 {
                return Ok(produced);
            }
            if eof {
                return Err(truncated());
            }
            if consumed == 0 {
                // Input left, room left, nothing done: cannot happen with a sound inflate,
                // but never loop on it.
                return Err(invalid("corrupt deflate stream: no progress"));
            }
        }
    }
}

impl<R: BufRead> Read for GzipDecoder<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        loop {
            match self.state {
                State::End => return Ok(0),
                State::Start => {
                    self.read_header()?;
                    self.state = State::Body;
                }
                State::Between => {
                    if self.inner.fill_buf()?.is_empty() {
                        self.state = State::End;
                        return Ok(0);
                    }
                    self.read_header()?;
                    self.state = State::Body;
                }
                State::Body => {
                    let n = self.read_body(out)?;
                    if n > 0 {
                        return Ok(n);
                    }
                }
            }
        }
    }
}

/// Reads header bytes one at a time, keeping their CRC for `FHCRC`.
struct HeaderReader<'a, R> {
    inner: &'a mut R,
    crc: Crc,
}

impl<R: BufRead> HeaderReader<'_, R> {
    /// The next header byte. An interrupted read is retried here: the header is parsed in
    /// one call, so an error returned from the middle of it could not be resumed.
    fn byte(&mut self) -> io::Result<u8> {
        let b = loop {
            match self.inner.fill_buf() {
                Ok(buf) => break *buf.first().ok_or_else(truncated)?,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        };
        self.inner.consume(1);
        self.crc.update(&[b]);
        Ok(b)
    }
}

fn invalid(message: &'static str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

fn truncated() -> io::Error {
    io::Error::new(io::ErrorKind::UnexpectedEof, "truncated gzip stream")
}

#[cfg(test)]
mod tests {
    use std::io::{BufReader, Write};

    use flate2::{Compression, GzBuilder, write::GzEncoder};

    use super::*;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    /// Text that compresses into several deflate blocks.
    fn sample(len: usize) -> Vec<u8> {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        (0..len)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                if i % 61 == 0 { b'\n' } else { b"abcdefgh token=0123"[(x % 19) as usize] }
            })
            .collect()
    }

    /// Decodes `blob` with input buffers of `cap` bytes and output reads of `chunk` bytes.
    fn decode(blob: &[u8], check_crc: bool, cap: usize, chunk: usize) -> io::Result<Vec<u8>> {
        let mut d = GzipDecoder::new(BufReader::with_capacity(cap, blob), check_crc);
        let mut out = Vec::new();
        let mut buf = vec![0u8; chunk];
        loop {
            let n = d.read(&mut buf)?;
            if n == 0 {
                return Ok(out);
            }
            out.extend_from_slice(&buf[..n]);
        }
    }

    fn flate2_decode(blob: &[u8]) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        flate2::bufread::MultiGzDecoder::new(blob).read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn members_decode_as_flate2_does_at_any_buffer_size() {
        let (a, b) = (sample(300_000), sample(7));
        let mut blob = gzip(&a);
        blob.extend(gzip(b""));
        blob.extend(gzip(&b));
        let expected = flate2_decode(&blob).unwrap();
        assert_eq!(expected.len(), a.len() + b.len());
        for (cap, chunk) in [(1, 1), (1, 4096), (3, 7), (64 * 1024, 1), (64 * 1024, 256 * 1024)] {
            for check in [true, false] {
                let got = decode(&blob, check, cap, chunk).unwrap();
                assert!(got == expected, "cap {cap} chunk {chunk} check {check}");
            }
        }
    }

    #[test]
    fn optional_header_fields_are_skipped() {
        let mut e = GzBuilder::new()
            .filename("app.log")
            .comment("a comment")
            .extra(vec![1, 2, 3, 4])
            .write(Vec::new(), Compression::fast());
        e.write_all(b"password=hunter2").unwrap();
        let blob = e.finish().unwrap();
        assert_eq!(decode(&blob, true, 1, 5).unwrap(), b"password=hunter2");
    }

    /// A header with `FHCRC` (which flate2 cannot write): the header, its CRC-16, then
    /// the deflate body and trailer of a plain member.
    fn with_header_crc(data: &[u8], corrupt: bool) -> Vec<u8> {
        let plain = gzip(data);
        let mut header = plain[..10].to_vec();
        header[3] |= FHCRC | FNAME;
        header.extend_from_slice(b"name\0");
        let mut crc = Crc::new();
        crc.update(&header);
        let crc16 = (crc.sum() & 0xffff) as u16 ^ u16::from(corrupt);
        header.extend_from_slice(&crc16.to_le_bytes());
        header.extend_from_slice(&plain[10..]);
        header
    }

    #[test]
    fn header_crc_is_checked() {
        assert_eq!(decode(&with_header_crc(b"hi", false), true, 2, 9).unwrap(), b"hi");
        let e = decode(&with_header_crc(b"hi", true), true, 2, 9).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        assert!(e.to_string().contains("header checksum"), "{e}");
    }

    #[test]
    fn crc_mismatch_is_an_error_only_when_checked() {
        let data = sample(10_000);
        let mut blob = gzip(&data);
        let at = blob.len() - 8;
        blob[at] ^= 1;
        let e = decode(&blob, true, 4096, 4096).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        assert!(e.to_string().contains("CRC-32"), "{e}");
        assert!(flate2_decode(&blob).is_err(), "flate2 agrees the CRC is wrong");
        assert_eq!(decode(&blob, false, 4096, 4096).unwrap(), data);
    }

    #[test]
    fn length_mismatch_is_always_an_error() {
        let mut blob = gzip(b"hello");
        let at = blob.len() - 4;
        blob[at] ^= 1;
        for check in [true, false] {
            let e = decode(&blob, check, 4096, 4096).unwrap_err();
            assert!(e.to_string().contains("length mismatch"), "{e}");
        }
    }

    #[test]
    fn truncation_anywhere_is_unexpected_eof() {
        let blob = gzip(&sample(50_000));
        for cut in [1, 5, 10, 11, blob.len() / 2, blob.len() - 8, blob.len() - 1] {
            for check in [true, false] {
                let e = decode(&blob[..cut], check, 512, 4096).unwrap_err();
                assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof, "cut at {cut}: {e}");
            }
        }
    }

    #[test]
    fn garbage_after_a_member_and_bad_headers_are_errors() {
        let mut blob = gzip(b"hello");
        blob.extend_from_slice(&[0; 16]);
        let e = decode(&blob, false, 4096, 4096).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        assert!(flate2_decode(&blob).is_err(), "flate2 rejects trailing zeros too");

        let mut bad_method = gzip(b"hello");
        bad_method[2] = 7;
        assert!(decode(&bad_method, false, 4096, 4096).is_err());
        let mut reserved = gzip(b"hello");
        reserved[3] |= 0x20;
        assert!(decode(&reserved, false, 4096, 4096).is_err());
    }

    #[test]
    fn corrupt_deflate_data_is_invalid_input() {
        let mut blob = gzip(&sample(50_000));
        for b in &mut blob[20..60] {
            *b = 0xff;
        }
        let e = decode(&blob, false, 4096, 4096).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput, "{e}");
    }

    /// A source that is interrupted before every byte: every state must resume.
    struct Stuttering<'a> {
        data: &'a [u8],
        interrupt: bool,
    }

    impl Read for Stuttering<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.interrupt = !self.interrupt;
            if self.interrupt {
                return Err(io::ErrorKind::Interrupted.into());
            }
            let n = self.data.len().min(buf.len()).min(1);
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[test]
    fn interrupted_reads_resume_anywhere() {
        let mut blob = with_header_crc(b"first member", false);
        blob.extend(gzip(&sample(5_000)));
        let expected = flate2_decode(&blob).unwrap();
        let source = Stuttering { data: &blob, interrupt: false };
        let mut d = GzipDecoder::new(BufReader::with_capacity(4, source), true);
        let mut out = Vec::new();
        d.read_to_end(&mut out).unwrap();
        assert!(out == expected);
    }

    #[test]
    fn empty_input_is_truncated() {
        let e = decode(b"", true, 16, 16).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
    }
}
