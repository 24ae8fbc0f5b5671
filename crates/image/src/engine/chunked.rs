//! HTTP/1.1 chunked transfer decoding (RFC 9112 §7.1), as a [`Read`] over the connection.

use std::io::{self, BufRead, Read};

/// The longest chunk-size or trailer line accepted (extensions included).
const MAX_LINE: u64 = 4096;

/// Decodes a chunked body from `inner`, which is positioned at the first chunk-size line.
/// Ends (returns 0) after the last chunk and its trailers; a malformed or truncated body
/// is an [`io::ErrorKind::InvalidData`] or [`io::ErrorKind::UnexpectedEof`] error.
#[derive(Debug)]
pub(crate) struct ChunkedReader<R> {
    inner: R,
    /// Bytes left in the current chunk.
    remaining: u64,
    state: State,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Expecting a chunk-size line.
    Size,
    /// Inside chunk data (`remaining` > 0), then its CRLF.
    Data,
    /// The body has ended.
    Done,
}

impl<R: BufRead> ChunkedReader<R> {
    pub(crate) fn new(inner: R) -> ChunkedReader<R> {
        ChunkedReader { inner, remaining: 0, state: State::Size }
    }

    fn line(&mut self) -> io::Result<String> {
        let mut line = Vec::new();
        (&mut self.inner).take(MAX_LINE).read_until(b'\n', &mut line)?;
        if line.last() != Some(&b'\n') {
            return Err(if line.len() as u64 >= MAX_LINE {
                invalid("a chunk line is too long")
            } else {
                io::Error::new(io::ErrorKind::UnexpectedEof, "the chunked body is truncated")
            });
        }
        line.pop();
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        String::from_utf8(line).map_err(|_| invalid("a chunk line is not text"))
    }

    fn next_chunk(&mut self) -> io::Result<()> {
        let line = self.line()?;
        let hex = line.split(';').next().unwrap_or("").trim();
        let size =
            u64::from_str_radix(hex, 16).map_err(|_| invalid("a chunk size is not hexadecimal"))?;
        if size == 0 {
            // Trailer fields, up to an empty line.
            while !self.line()?.is_empty() {}
            self.state = State::Done;
        } else {
            self.remaining = size;
            self.state = State::Data;
        }
        Ok(())
    }
}

impl<R: BufRead> Read for ChunkedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            match self.state {
                State::Done => return Ok(0),
                State::Size => self.next_chunk()?,
                State::Data => {
                    let want = usize::try_from(self.remaining).unwrap_or(usize::MAX).min(buf.len());
                    let n = self.inner.read(&mut buf[..want])?;
                    if n == 0 {
                        return Err(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            "the chunked body is truncated",
                        ));
                    }
                    self.remaining -= n as u64;
                    if self.remaining == 0 {
                        if !self.line()?.is_empty() {
                            return Err(invalid("chunk data is longer than its size"));
                        }
                        self.state = State::Size;
                    }
                    return Ok(n);
                }
            }
        }
    }
}

fn invalid(reason: &'static str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(wire: &[u8], buf_len: usize) -> io::Result<Vec<u8>> {
        let mut reader = ChunkedReader::new(io::BufReader::with_capacity(3, wire));
        let mut out = Vec::new();
        let mut buf = vec![0u8; buf_len];
        loop {
            let n = reader.read(&mut buf)?;
            if n == 0 {
                return Ok(out);
            }
            out.extend_from_slice(&buf[..n]);
        }
    }

    #[test]
    fn chunks_join_whatever_the_read_size() {
        let wire = b"5\r\nhello\r\n1;ext=1\r\n \r\nA\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\nNEXT";
        for buf_len in [1, 2, 7, 64] {
            assert_eq!(decode(wire, buf_len).unwrap(), b"hello 0123456789", "{buf_len}");
        }
        assert_eq!(decode(b"0\r\n\r\n", 4).unwrap(), b"");
    }

    #[test]
    fn malformed_and_truncated_bodies_fail() {
        for (wire, kind) in [
            (&b"5\r\nhel"[..], io::ErrorKind::UnexpectedEof),
            (b"5\r\nhello", io::ErrorKind::UnexpectedEof),
            (b"5\r\nhello\r\n", io::ErrorKind::UnexpectedEof),
            (b"zz\r\nhello\r\n0\r\n\r\n", io::ErrorKind::InvalidData),
            (b"3\r\nhello\r\n0\r\n\r\n", io::ErrorKind::InvalidData),
        ] {
            let err = decode(wire, 8).unwrap_err();
            assert_eq!(err.kind(), kind, "{:?}", String::from_utf8_lossy(wire));
        }
    }
}
