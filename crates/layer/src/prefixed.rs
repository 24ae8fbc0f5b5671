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
//! Memory: a 64 KiB buffer, only for a file where a signature (or the start of one) shows.

use std::io::{self, Read};

use bstr::ByteSlice;

/// The local file header signature.
const SIGNATURE: &[u8; 4] = b"PK\x03\x04";
/// The fixed part of a local file header, signature included.
const FIXED: usize = 30;
const BUFFER: usize = 64 * 1024;

/// Passes a file's bytes through until the first plausible zip local header after its
/// first byte (see the module docs).
///
/// Reads go straight into the caller's buffer, which is then searched for the signature:
/// a file with no zip in it costs that search only. Bytes the probe cannot deliver yet (a
/// signature, or the start of one at the end of a read, whose header is not all there) wait
/// in its own buffer, allocated the first time it is needed.
pub(crate) struct Probe<'r> {
    inner: &'r mut dyn Read,
    /// Bytes read but not delivered: `buf[start..end]` (empty when `start == end`).
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    /// Offset in the file of the next byte to deliver.
    offset: u64,
    /// A plausible local header starts at `buf[start]`: reads return 0.
    found: bool,
}

impl<'r> Probe<'r> {
    /// A probe of `inner`, whose first byte is at `offset` in the file.
    pub(crate) fn new(inner: &'r mut dyn Read, offset: u64) -> Probe<'r> {
        Probe { inner, buf: Vec::new(), start: 0, end: 0, eof: false, offset, found: false }
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

    /// Keeps `bytes` (read but not deliverable yet) in the buffer, which is empty.
    fn keep(&mut self, bytes: &[u8]) {
        if self.buf.len() < BUFFER {
            self.buf.resize(BUFFER, 0);
        }
        self.buf[..bytes.len()].copy_from_slice(bytes);
        self.start = 0;
        self.end = bytes.len();
    }

    /// Reads more into the buffer (moving the unread bytes to its front); `false` at EOF.
    fn fill(&mut self) -> io::Result<bool> {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.buf.len() < BUFFER {
            self.buf.resize(BUFFER, 0);
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

/// Where a window of the file's bytes must stop being delivered: how many of its bytes can
/// be, and whether a plausible local header follows them. `from` is where a signature may
/// start (1 at the file's first byte: a zip there was opened as one); `eof` says no bytes
/// follow the window. Without `eof`, a signature whose header is not all in the window, or
/// the start of a signature at its end, is held back to be judged with more bytes.
fn split(window: &[u8], from: usize, eof: bool) -> (usize, bool) {
    let mut at = from;
    while let Some(i) = window.get(at..).and_then(|w| w.find(SIGNATURE)).map(|i| i + at) {
        if i + FIXED > window.len() {
            if !eof {
                return (i, false);
            }
            // Fewer than a header's bytes left: no zip there.
        } else if plausible(&window[i..i + FIXED]) {
            return (i, true);
        }
        at = i + 1;
    }
    if !eof {
        for len in (1..SIGNATURE.len()).rev() {
            let tail = window.len().saturating_sub(len).max(from);
            if window.len() - tail == len && window[tail..] == SIGNATURE[..len] {
                return (tail, false);
            }
        }
    }
    (window.len(), false)
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
        let from = usize::from(self.offset == 0);
        loop {
            if self.start < self.end {
                // Bytes held back or put back: deliver what is safe, or read more to judge.
                let (safe, zip) = split(&self.buf[self.start..self.end], from, self.eof);
                if safe > 0 {
                    let n = safe.min(out.len());
                    out[..n].copy_from_slice(&self.buf[self.start..self.start + n]);
                    self.start += n;
                    self.offset += n as u64;
                    return Ok(n);
                }
                if zip {
                    self.found = true;
                    return Ok(0);
                }
                self.fill()?;
                continue;
            }
            if self.eof {
                return Ok(0);
            }
            let n = loop {
                match self.inner.read(out) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            };
            if n == 0 {
                self.eof = true;
                return Ok(0);
            }
            let (safe, _) = split(&out[..n], from, false);
            if safe < n {
                self.keep(&out[safe..n]);
            }
            if safe > 0 {
                self.offset += safe as u64;
                return Ok(safe);
            }
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

    /// Reads everything a probe delivers, in reads of `chunk` bytes.
    fn deliver(probe: &mut Probe<'_>, chunk: usize) -> Vec<u8> {
        let mut got = Vec::new();
        let mut buf = vec![0; chunk];
        loop {
            let n = probe.read(&mut buf).unwrap();
            if n == 0 {
                return got;
            }
            got.extend_from_slice(&buf[..n]);
        }
    }

    #[test]
    fn signatures_split_across_short_reads_are_judged_whole() {
        // Implausible signatures and their starts everywhere, then a zip's header.
        let mut data = b"#!/bin/sh\nP".to_vec();
        for i in 0..40u8 {
            data.extend_from_slice(b"PK\x03");
            data.push(i);
            data.extend_from_slice(&header(99));
            data.extend_from_slice(b"PK");
        }
        data.extend_from_slice(b"PK\x03\x04 too short to judge, then ");
        let stub = data.len();
        data.extend_from_slice(&header(0));
        data.extend_from_slice(b"a.txt");
        for seed in 0..64 {
            for max in [1, 2, 5, 31, 64, 4096] {
                let mut src = layerleak_testutil::RandomReader::new(&data[..], seed, max);
                let mut probe = Probe::new(&mut src, 0);
                let got = deliver(&mut probe, [1, 7, 100, 65_536][(seed % 4) as usize]);
                assert!(got == data[..stub], "seed {seed} max {max}");
                assert!(probe.found(), "seed {seed} max {max}");
                assert_eq!(probe.offset(), stub as u64);
                let mut rest = Vec::new();
                probe.raw().read_to_end(&mut rest).unwrap();
                assert_eq!(rest, &data[stub..], "seed {seed} max {max}");
            }
        }
    }

    #[test]
    fn a_file_ending_in_part_of_a_signature_is_delivered_whole() {
        for end in [&b"P"[..], b"PK", b"PK\x03", b"PK\x03\x04", b"PK\x03\x04\x14\x00"] {
            let mut data = b"text ".to_vec();
            data.extend_from_slice(end);
            let mut src = &data[..];
            let mut probe = Probe::new(&mut src, 0);
            assert_eq!(deliver(&mut probe, 4096), data);
            assert!(!probe.found());
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
