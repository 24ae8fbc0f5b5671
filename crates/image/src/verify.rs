//! A reader that checks a blob's digest and size while it is streamed.

use std::io::{self, Read};

use crate::digest::{Digest, Hasher};
use crate::error::Error;

/// Wraps a blob reader and verifies its length and digest as the bytes go by.
///
/// The bytes are passed through unchanged. The digest can only be known once every byte
/// has been seen, so **a digest mismatch surfaces at end of stream**: the read that would
/// return `Ok(0)` returns `Err(io::Error::other(Error::DigestMismatch { .. }))` instead,
/// after every byte has already been handed out. A consumer must therefore treat what it
/// read as untrusted until it has seen end of stream, and must read to the end (a consumer
/// that stops early, such as a tar walker that ignores trailing padding, has verified
/// nothing). A blob longer than promised fails as soon as the surplus is read; a shorter
/// one fails at end of stream. Both are [`Error::SizeMismatch`].
///
/// Use [`Error::find_in_io`] or [`Error::from_io`] to recover the [`Error`]. Once a
/// verification error has been returned, every later read returns it again.
///
/// # Example
///
/// ```
/// use std::io::Read;
/// use layerleak_image::{Digest, VerifyingReader};
///
/// let data = b"layer bytes";
/// let mut reader = VerifyingReader::new(&data[..], Digest::sha256_of(data), 11);
/// let mut out = Vec::new();
/// reader.read_to_end(&mut out)?;
/// assert_eq!(out, data);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Memory usage
///
/// Constant: the hash state and two counters.
#[derive(Debug)]
pub struct VerifyingReader<R> {
    inner: R,
    expected: Digest,
    expected_size: u64,
    read: u64,
    state: State,
}

#[derive(Debug)]
enum State {
    Reading(Box<Hasher>),
    Verified,
    /// Verification failed; `Some(actual)` when the digest was wrong, `None` for the size.
    Failed(Option<Digest>),
}

impl<R: Read> VerifyingReader<R> {
    /// Wraps `inner`, which must yield exactly `expected_size` bytes hashing to `expected`.
    pub fn new(inner: R, expected: Digest, expected_size: u64) -> VerifyingReader<R> {
        let hasher = Hasher::new(expected.algorithm());
        VerifyingReader {
            inner,
            expected,
            expected_size,
            read: 0,
            state: State::Reading(Box::new(hasher)),
        }
    }

    /// The digest the bytes must hash to.
    pub fn expected(&self) -> &Digest {
        &self.expected
    }

    /// How many bytes have been read so far.
    pub fn bytes_read(&self) -> u64 {
        self.read
    }

    /// Unwraps the inner reader, abandoning verification.
    pub fn into_inner(self) -> R {
        self.inner
    }

    fn size_error(&self) -> io::Error {
        io::Error::other(Error::SizeMismatch {
            digest: self.expected.clone(),
            expected: self.expected_size,
            actual: self.read,
        })
    }

    fn digest_error(&self, actual: Digest) -> io::Error {
        io::Error::other(Error::DigestMismatch { expected: self.expected.clone(), actual })
    }
}

impl<R: Read> Read for VerifyingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &self.state {
            State::Verified => return Ok(0),
            // Every read after a failure fails the same way.
            State::Failed(None) => return Err(self.size_error()),
            State::Failed(Some(actual)) => return Err(self.digest_error(actual.clone())),
            State::Reading(_) => {}
        }
        if buf.is_empty() {
            return Ok(0);
        }
        let n = self.inner.read(buf)?;
        self.read = self.read.saturating_add(n as u64);
        if self.read > self.expected_size {
            self.state = State::Failed(None);
            return Err(self.size_error());
        }
        if n > 0 {
            if let State::Reading(hasher) = &mut self.state {
                hasher.update(&buf[..n]);
            }
            return Ok(n);
        }
        // End of stream: decide.
        let State::Reading(hasher) = std::mem::replace(&mut self.state, State::Failed(None)) else {
            return Err(self.size_error());
        };
        if self.read != self.expected_size {
            return Err(self.size_error());
        }
        let actual = (*hasher).finish();
        if actual != self.expected {
            self.state = State::Failed(Some(actual.clone()));
            return Err(self.digest_error(actual));
        }
        self.state = State::Verified;
        Ok(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(r: &mut impl Read) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        r.read_to_end(&mut out).map(|_| out)
    }

    #[test]
    fn good_blob_passes_and_stays_at_eof() {
        let mut r = VerifyingReader::new(&b"abc"[..], Digest::sha256_of(b"abc"), 3);
        assert_eq!(read_all(&mut r).unwrap(), b"abc");
        assert_eq!(r.read(&mut [0; 4]).unwrap(), 0);
    }

    #[test]
    fn wrong_content_fails_at_eof_only() {
        let mut r = VerifyingReader::new(&b"abd"[..], Digest::sha256_of(b"abc"), 3);
        let mut buf = [0u8; 3];
        assert_eq!(r.read(&mut buf).unwrap(), 3);
        let err = r.read(&mut buf).unwrap_err();
        match Error::find_in_io(&err) {
            Some(Error::DigestMismatch { actual, .. }) => {
                assert_eq!(*actual, Digest::sha256_of(b"abd"));
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(r.read(&mut buf).is_err());
    }

    #[test]
    fn long_and_short_blobs_fail_on_size() {
        let mut long = VerifyingReader::new(&b"abcd"[..], Digest::sha256_of(b"abc"), 3);
        let err = read_all(&mut long).unwrap_err();
        assert!(matches!(Error::find_in_io(&err), Some(Error::SizeMismatch { expected: 3, .. })));
        let mut short = VerifyingReader::new(&b"ab"[..], Digest::sha256_of(b"abc"), 3);
        let err = read_all(&mut short).unwrap_err();
        assert!(matches!(Error::find_in_io(&err), Some(Error::SizeMismatch { actual: 2, .. })));
    }

    #[test]
    fn empty_buffer_is_not_eof() {
        let mut r = VerifyingReader::new(&b"abc"[..], Digest::sha256_of(b"abc"), 3);
        assert_eq!(r.read(&mut []).unwrap(), 0);
        assert_eq!(read_all(&mut r).unwrap(), b"abc");
    }
}
