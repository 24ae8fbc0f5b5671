//! Zip archives behind a prefix: an executable jar (a shell stub followed by a zip, which
//! `unzip` and `java -jar` accept), a Python zipapp, a self-extracting archive.
//!
//! A reader that can seek finds such a zip from its end-of-central-directory record. A
//! stream reaches that record last, when the bytes before it are gone, so a file that does
//! not start like an archive is read through a [`Probe`]: it passes the bytes through (they
//! are scanned as the file's own) and stops before the first plausible zip local file
//! header (`PK\x03\x04` with a supported method and a sane name length). From there the
//! zip's members are walked as those of any zip; after its central directory the probe
//! goes on with the rest of the file, so every byte outside the zip's members is still
//! delivered, at its offset in the file ([`Member::offset`](crate::Member::offset)).
//!
//! Memory: one 64 KiB buffer.

use std::io::{self, Read};

use bstr::ByteSlice;

/// The local file header signature.
const SIGNATURE: &[u8; 4] = b"PK\x03\x04";
/// The fixed part of a local file header, signature included.
const FIXED: usize = 30;
const BUFFER: usize = 64 * 1024;

/// Passes a file's bytes through until the first plausible zip local header after its
/// first byte (see the module docs).
pub(crate) struct Probe<'r> {
    inner: &'r mut dyn Read,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    /// Offset in the file of `buf[start]`.
    offset: u64,
    /// A plausible local header starts at `buf[start]`: reads return 0.
    found: bool,
}

impl<'r> Probe<'r> {
    /// A probe of `inner`, whose first byte is at `offset` in the file.
    pub(crate) fn new(inner: &'r mut dyn Read, offset: u64) -> Probe<'r> {
        Probe { inner, buf: vec![0; BUFFER], start: 0, end: 0, eof: false, offset, found: false }
    }

    /// Whether the probe stopped before a zip, at [`Probe::offset`].
    pub(crate) fn found(&self) -> bool {
        self.found
    }

    /// The file offset of the next byte.
    pub(crate) fn offset(&self) -> u64 {
        self.offset
    }

    /// Reads on past the zip's local header, through the bytes read ahead, for the zip
    /// walk. Then [`Probe::unread`] what it read too far, and [`Probe::resume`].
    pub(crate) fn raw(&mut self) -> Raw<'_, 'r> {
        Raw { probe: self }
    }

    /// Puts `bytes` back in front of the unread ones (and the offset back by as many).
    pub(crate) fn unread(&mut self, bytes: &[u8]) {
        let mut buf = bytes.to_vec();
        buf.extend_from_slice(&self.buf[self.start..self.end]);
        self.end = buf.len();
        self.start = 0;
        buf.resize(buf.len().max(BUFFER), 0);
        self.buf = buf;
        self.offset -= bytes.len() as u64;
    }

    /// Passes bytes through again, up to the next zip.
    pub(crate) fn resume(&mut self) {
        self.found = false;
    }

    /// Reads more into the buffer (moving the unread bytes to its front); `false` at EOF.
    fn fill(&mut self) -> io::Result<bool> {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        loop {
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

/// Whether a local header's fixed part looks like one: a version a zip tool writes, stored
/// or deflated, a name of sane length.
fn plausible(h: &[u8]) -> bool {
    let u16_at = |at: usize| u16::from_le_bytes([h[at], h[at + 1]]);
    let version = u16_at(4) & 0xff;
    let method = u16_at(8);
    let name_len = u16_at(26);
    version <= 63 && (method == 0 || method == 8) && (1..=4096).contains(&name_len)
}

/// The stream of a [`Probe`] read without looking for zips.
pub(crate) struct Raw<'p, 'r> {
    probe: &'p mut Probe<'r>,
}

impl Read for Raw<'_, '_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let p = &mut *self.probe;
        let n = if p.start < p.end {
            let n = (p.end - p.start).min(out.len());
            out[..n].copy_from_slice(&p.buf[p.start..p.start + n]);
            p.start += n;
            n
        } else {
            p.inner.read(out)?
        };
        p.offset += n as u64;
        Ok(n)
    }
}

impl Read for Probe<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.found || out.is_empty() {
            return Ok(0);
        }
        loop {
            if self.end - self.start < FIXED && !self.eof && self.fill()? {
                continue;
            }
            let window = &self.buf[self.start..self.end];
            if window.is_empty() {
                return Ok(0);
            }
            // A zip at the file's first byte was opened as one: look after it.
            let from = usize::from(self.offset == 0);
            let mut deliver = if self.eof { window.len() } else { window.len() - (FIXED - 1) };
            let mut at = from;
            while let Some(i) = window.get(at..).and_then(|w| w.find(SIGNATURE)).map(|i| i + at) {
                if i + FIXED > window.len() {
                    // Too close to the end to judge: deliver what is before it first.
                    deliver = deliver.min(i);
                    break;
                }
                if plausible(&window[i..i + FIXED]) {
                    deliver = i;
                    if i == 0 {
                        self.found = true;
                        return Ok(0);
                    }
                    break;
                }
                at = i + 1;
            }
            if deliver == 0 {
                if self.eof {
                    // Fewer than a header's bytes left, starting with a signature.
                    deliver = window.len();
                } else {
                    self.fill()?;
                    continue;
                }
            }
            let n = deliver.min(out.len());
            out[..n].copy_from_slice(&window[..n]);
            self.start += n;
            self.offset += n as u64;
            return Ok(n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(method: u16) -> Vec<u8> {
        let mut h = SIGNATURE.to_vec();
        h.extend_from_slice(&20u16.to_le_bytes());
        h.extend_from_slice(&0u16.to_le_bytes());
        h.extend_from_slice(&method.to_le_bytes());
        h.resize(26, 0);
        h.extend_from_slice(&5u16.to_le_bytes());
        h.extend_from_slice(&0u16.to_le_bytes());
        h
    }

    #[test]
    fn stops_before_a_plausible_header_only() {
        let mut data = b"#!/bin/sh\nexec java -jar $0\nPK\x03\x04junk".to_vec();
        let stub = data.len();
        data.extend_from_slice(&header(8));
        data.extend_from_slice(b"a.txt");
        for chunk in [1, 3, 7, 4096] {
            let mut src = &data[..];
            let mut probe = Probe::new(&mut src, 0);
            let mut got = Vec::new();
            let mut buf = vec![0; chunk];
            loop {
                let n = probe.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                got.extend_from_slice(&buf[..n]);
            }
            assert_eq!(got, &data[..stub], "chunk {chunk}");
            assert!(probe.found());
            assert_eq!(probe.offset(), stub as u64);
            let mut all = Vec::new();
            probe.raw().read_to_end(&mut all).unwrap();
            assert_eq!(all, &data[stub..]);
            probe.unread(&all[5..]);
            assert_eq!(probe.offset(), stub as u64 + 5);
        }
    }

    #[test]
    fn an_implausible_header_or_one_at_the_start_is_passed_through() {
        let mut data = header(8);
        data.extend_from_slice(b"a.txt then ");
        data.extend_from_slice(&header(99));
        data.extend_from_slice(b"more");
        let mut src = &data[..];
        let mut probe = Probe::new(&mut src, 0);
        let mut got = Vec::new();
        probe.read_to_end(&mut got).unwrap();
        assert_eq!(got, data);
        assert!(!probe.found());
    }
}
