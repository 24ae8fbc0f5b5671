//! A streaming zip reader over local file headers.
//!
//! Zip archives keep their index (the central directory) at the end, which a stream reaches
//! last. Like Java's `ZipInputStream`, this reader instead walks the *local* file headers
//! front to back, so nothing is buffered and no seeking is needed:
//!
//! - stored members: the size is in the local header (or its zip64 extra field);
//! - deflated members: the deflate stream ends by itself, so even when the sizes are only in
//!   the trailing data descriptor (flag bit 3, what `jar` writes) the member can be read and
//!   the descriptor skipped;
//! - anything else (other methods, encryption) is skipped by its compressed size when known,
//!   with a notice; when the size is unknown the rest of the archive cannot be found and is
//!   reported as skipped.
//!
//! The CRC-32 of every stored and deflated member is checked against its local header or
//! data descriptor; a mismatch is a [`NoticeReason::CrcMismatch`] after the content was
//! delivered. Zip64 sizes (extra field, 8-byte descriptors) are honoured.
//!
//! The walk stops at the first central-directory (or end-of-archive) record.

use std::cell::Cell;
use std::io::{self, BufRead, BufReader, Read};

use flate2::CrcReader;
use flate2::bufread::DeflateDecoder;

use crate::chain::NestedPath;
use crate::compression::CountingBufRead;
use crate::error::LayerError;
use crate::limits::Limits;
use crate::nested::{Ctx, Item, walk_any};
use crate::notice::NoticeReason;
use crate::path::EntryPath;
use crate::prefixed::Probe;
use crate::tap::{Tap, TapState};
use crate::walk::Flow;

const LOCAL_HEADER: u32 = 0x0403_4b50;
const DATA_DESCRIPTOR: u32 = 0x0807_4b50;
/// Records that follow the last member: central directory, zip64 end records, end of
/// central directory, digital signature, archive extra data.
const END_RECORDS: [u32; 6] =
    [0x0201_4b50, 0x0606_4b50, 0x0706_4b50, 0x0605_4b50, 0x0505_4b50, 0x0806_4b50];

const FLAG_ENCRYPTED: u16 = 1;
const FLAG_DATA_DESCRIPTOR: u16 = 1 << 3;

struct LocalHeader {
    flags: u16,
    method: u16,
    /// The CRC-32 of the content (0 when it is in the data descriptor).
    crc32: u32,
    compressed_size: u64,
    /// The content's size (0 when it is in the data descriptor).
    uncompressed_size: u64,
    zip64: bool,
    name: Vec<u8>,
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(a)
}

/// Read a little-endian u32, or `None` at a clean EOF.
fn read_sig<R: Read>(r: &mut R) -> io::Result<Option<u32>> {
    let mut b = [0u8; 4];
    let n = crate::compression::read_up_to(r, &mut b)?;
    match n {
        0 => Ok(None),
        4 => Ok(Some(u32::from_le_bytes(b))),
        _ => Err(io::Error::new(io::ErrorKind::UnexpectedEof, "zip record cut short")),
    }
}

impl LocalHeader {
    /// Parse the rest of a local file header (after its signature).
    fn read<R: Read>(r: &mut R) -> io::Result<LocalHeader> {
        let mut fixed = [0u8; 26];
        r.read_exact(&mut fixed)?;
        let flags = u16_at(&fixed, 2);
        let method = u16_at(&fixed, 4);
        let crc32 = u32_at(&fixed, 10);
        let compressed32 = u32_at(&fixed, 14);
        let uncompressed32 = u32_at(&fixed, 18);
        let name_len = usize::from(u16_at(&fixed, 22));
        let extra_len = usize::from(u16_at(&fixed, 24));
        let mut name = vec![0u8; name_len];
        r.read_exact(&mut name)?;
        let mut extra = vec![0u8; extra_len];
        r.read_exact(&mut extra)?;

        let mut compressed_size = u64::from(compressed32);
        let mut uncompressed_size = u64::from(uncompressed32);
        let mut zip64 = false;
        let mut at = 0;
        while at + 4 <= extra.len() {
            let id = u16_at(&extra, at);
            let len = usize::from(u16_at(&extra, at + 2));
            let data = &extra[at + 4..(at + 4 + len).min(extra.len())];
            if id == 0x0001 {
                zip64 = true;
                // Fields appear only for the header values that are saturated, in order.
                let mut field = 0;
                if uncompressed32 == u32::MAX && data.len() >= 8 {
                    uncompressed_size = u64_at(data, 0);
                    field += 8;
                }
                if compressed32 == u32::MAX && data.len() >= field + 8 {
                    compressed_size = u64_at(data, field);
                }
            }
            at += 4 + len;
        }
        Ok(LocalHeader { flags, method, crc32, compressed_size, uncompressed_size, zip64, name })
    }

    fn has_descriptor(&self) -> bool {
        self.flags & FLAG_DATA_DESCRIPTOR != 0
    }
}

fn method_name(method: u16) -> String {
    let known = match method {
        1 => "shrink",
        6 => "implode",
        9 => "deflate64",
        12 => "bzip2",
        14 => "lzma",
        93 => "zstd",
        95 => "xz",
        98 => "ppmd",
        99 => "AES encryption",
        _ => "unknown",
    };
    format!("zip compression method {method} ({known})")
}

/// Walk the members of a zip stream (see the module docs).
pub(crate) fn walk_zip<F, E>(
    ctx: &mut Ctx<F>,
    chain: &mut NestedPath,
    reader: &mut dyn Read,
) -> Result<(), E>
where
    F: FnMut(Item<'_>) -> Result<Flow, E>,
    E: From<LayerError>,
{
    let (tap, state) = Tap::new(reader);
    let mut br = BufReader::with_capacity(32 * 1024, tap);
    walk_zip_in(ctx, chain, &mut br, &state)
}

/// Deliver a file that may hold a zip after a prefix (see [`crate::prefixed`]): the bytes
/// before the zip as the file, the zip's members, then the rest of the file, again probed.
pub(crate) fn walk_prefixed<F, E>(
    ctx: &mut Ctx<F>,
    chain: &mut NestedPath,
    reader: &mut dyn Read,
) -> Result<(), E>
where
    F: FnMut(Item<'_>) -> Result<Flow, E>,
    E: From<LayerError>,
{
    let mut probe = Probe::new(reader, 0);
    loop {
        let offset = probe.offset();
        ctx.file(chain, &mut probe, offset)?;
        if ctx.stopped || !probe.found() {
            // What the visitor left unread is not part of a zip: nothing else to deliver.
            return Ok(());
        }
        let zip_start = probe.offset();
        let left = {
            let mut raw = probe.raw();
            let (tap, state) = Tap::new(&mut raw);
            let mut br = BufReader::with_capacity(32 * 1024, tap);
            walk_zip_in(ctx, chain, &mut br, &state)?;
            br.buffer().to_vec()
        };
        if ctx.stopped {
            return Ok(());
        }
        ctx.check_outer()?;
        probe.unread(&left);
        if probe.offset() <= zip_start {
            // The zip walk read nothing (and gave a notice): stop rather than loop.
            return Ok(());
        }
        probe.resume();
    }
}

/// [`walk_zip`] over a buffered, tapped stream.
fn walk_zip_in<F, E, T>(
    ctx: &mut Ctx<F>,
    chain: &mut NestedPath,
    mut br: &mut BufReader<T>,
    state: &TapState,
) -> Result<(), E>
where
    F: FnMut(Item<'_>) -> Result<Flow, E>,
    E: From<LayerError>,
    T: Read,
{
    let mut first = true;
    while !ctx.stopped {
        let sig = match read_sig(&mut br) {
            Ok(Some(sig)) => sig,
            Ok(None) => {
                let e = io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the zip archive ends without a central directory",
                );
                return ctx.notice_io(chain.clone(), state, e);
            }
            Err(e) => return ctx.notice_io(chain.clone(), state, e),
        };
        if sig == DATA_DESCRIPTOR && first {
            // A split-archive marker may precede the first member.
            first = false;
            continue;
        }
        first = false;
        if END_RECORDS.contains(&sig) {
            return Ok(());
        }
        if sig != LOCAL_HEADER {
            let e = io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "unexpected zip record signature {sig:#010x}; the rest of the archive was skipped"
                ),
            );
            return ctx.notice_io(chain.clone(), state, e);
        }
        let header = match LocalHeader::read(&mut br) {
            Ok(h) => h,
            Err(e) => return ctx.notice_io(chain.clone(), state, e),
        };
        let name = EntryPath::new(&header.name).into_bstring();
        chain.push(name);
        let res = member(ctx, chain, state, &mut br, &header);
        chain.pop();
        match res? {
            Next::Continue => {}
            Next::Stop => return Ok(()),
        }
    }
    Ok(())
}

/// After one member: go on, or give up on the archive (a notice was delivered).
enum Next {
    Continue,
    Stop,
}

/// Read one member whose local header was just parsed; `chain` ends with its name.
fn member<F, E, B>(
    ctx: &mut Ctx<F>,
    chain: &mut NestedPath,
    state: &TapState,
    br: &mut B,
    header: &LocalHeader,
) -> Result<Next, E>
where
    F: FnMut(Item<'_>) -> Result<Flow, E>,
    E: From<LayerError>,
    B: BufRead,
{
    // A directory has no content; one that claims some is scanned like a file.
    let is_dir = (chain.last().ends_with(b"/") || header.name.ends_with(b"/"))
        && header.uncompressed_size == 0
        && !header.has_descriptor()
        && (header.method != 0 || header.compressed_size == 0);
    let descriptor = header.has_descriptor();
    let unsupported = if header.flags & FLAG_ENCRYPTED != 0 {
        Some("an encrypted zip member".to_owned())
    } else if header.method != 0 && header.method != 8 {
        Some(method_name(header.method))
    } else if header.method == 0 && descriptor {
        Some("a stored zip member whose size is only in its data descriptor".to_owned())
    } else {
        None
    };
    if let Some(feature) = unsupported {
        if descriptor {
            ctx.notice(chain.clone(), NoticeReason::Unsupported { feature, rest_skipped: true })?;
            return Ok(Next::Stop);
        }
        if let Err(e) = skip(br, header.compressed_size) {
            ctx.notice_io(chain.clone(), state, e)?;
            return Ok(Next::Stop);
        }
        if !is_dir {
            ctx.notice(chain.clone(), NoticeReason::Unsupported { feature, rest_skipped: false })?;
        }
        return Ok(Next::Continue);
    }
    let limit = ctx.limits.max_member_bytes;
    let limits = ctx.limits;
    // The CRC covers the whole content: what the scan did not read is read (and inflated)
    // here too, before the check. After a read error (already noticed by `walk_any`) there
    // is nothing to check.
    let (crc, expected) = if header.method == 0 {
        let mut data = CrcReader::new(Watch::new((&mut *br).take(header.compressed_size)));
        if !is_dir {
            walk_any(ctx, chain, &mut data, limit)?;
        }
        if data.get_ref().failed {
            // Only the layer stream below can fail here: it is reported as such.
            if let Some((_, e)) = state.take_failure() {
                ctx.notice_io(chain.clone(), state, e)?;
            }
            return Ok(Next::Stop);
        }
        if let Err(e) = skip(&mut data, u64::MAX) {
            ctx.notice_io(chain.clone(), state, e)?;
            return Ok(Next::Stop);
        }
        (checksum(&data), (header.crc32, header.compressed_size))
    } else if descriptor {
        let consumed = Cell::new(0u64);
        let counting = CountingBufRead { inner: &mut *br, consumed: &consumed };
        let mut dec = DeflateDecoder::new(counting);
        let inflated = Inflated { inner: &mut dec, consumed: &consumed, out: 0, limits: &limits };
        let mut data = CrcReader::new(Watch::new(inflated));
        if !is_dir {
            walk_any(ctx, chain, &mut data, limit)?;
        }
        // The next header is after the end of the deflate stream: inflate to it (bounded by
        // the ratio guard).
        if data.get_ref().failed {
            // `walk_any` noticed the member's error; without its end, the rest is lost.
            ctx.notice(
                chain.clone(),
                NoticeReason::Corrupt {
                    kind: io::ErrorKind::InvalidData,
                    message: "the member's deflate stream fails and its size is only in its data descriptor: the rest of the archive was skipped".to_owned(),
                },
            )?;
            return Ok(Next::Stop);
        }
        if let Err(e) = skip(&mut data, u64::MAX) {
            ctx.notice_io(chain.clone(), state, e)?;
            return Ok(Next::Stop);
        }
        let crc = checksum(&data);
        drop(dec);
        match read_descriptor(br, header.zip64, consumed.get()) {
            Ok(d) => (crc, (d.crc32, d.uncompressed_size)),
            Err(e) => {
                ctx.notice_io(chain.clone(), state, e)?;
                return Ok(Next::Stop);
            }
        }
    } else {
        let consumed = Cell::new(0u64);
        let counting = CountingBufRead { inner: &mut *br, consumed: &consumed };
        let mut dec = DeflateDecoder::new(counting.take(header.compressed_size));
        let inflated = Inflated { inner: &mut dec, consumed: &consumed, out: 0, limits: &limits };
        let mut data = CrcReader::new(Watch::new(inflated));
        if !is_dir {
            walk_any(ctx, chain, &mut data, limit)?;
        }
        let mut checked = !data.get_ref().failed;
        if checked && let Err(e) = skip(&mut data, u64::MAX) {
            ctx.notice_io(chain.clone(), state, e)?;
            checked = false;
        }
        let crc = checksum(&data);
        // The size is known: the next member is found without inflating the rest.
        if let Err(e) = skip(dec.get_mut(), u64::MAX) {
            ctx.notice_io(chain.clone(), state, e)?;
            return Ok(Next::Stop);
        }
        if !checked {
            return Ok(Next::Continue);
        }
        (crc, (header.crc32, header.uncompressed_size))
    };
    if let Some((_, e)) = state.take_failure() {
        ctx.notice_io(chain.clone(), state, e)?;
        return Ok(Next::Stop);
    }
    let ((actual, amount), (expected, size)) = (crc, expected);
    if amount == size & u64::from(u32::MAX) && actual != expected {
        ctx.notice(chain.clone(), NoticeReason::CrcMismatch { expected, actual })?;
    }
    Ok(Next::Continue)
}

/// Read and discard up to `n` bytes (all of them, or until EOF).
fn skip<R: Read + ?Sized>(r: &mut R, n: u64) -> io::Result<u64> {
    io::copy(&mut (&mut *r).take(n), &mut io::sink())
}

/// Passes reads through, remembering whether one failed.
struct Watch<R> {
    inner: R,
    failed: bool,
}

impl<R> Watch<R> {
    fn new(inner: R) -> Self {
        Watch { inner, failed: false }
    }
}

impl<R: Read> Read for Watch<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let res = self.inner.read(buf);
        if res.as_ref().is_err_and(|e| e.kind() != io::ErrorKind::Interrupted) {
            self.failed = true;
        }
        res
    }
}

/// The CRC-32 and the byte count (modulo 2^32, as `flate2` counts) of what went through.
fn checksum<R>(r: &CrcReader<R>) -> (u32, u64) {
    (r.crc().sum(), u64::from(r.crc().amount()))
}

/// What a data descriptor records.
struct Descriptor {
    crc32: u32,
    uncompressed_size: u64,
}

/// Read a data descriptor: optional signature, CRC-32, then 4- or 8-byte sizes. Without a
/// zip64 extra field the 4-byte form is expected, but the 8-byte form is accepted when the
/// 4-byte compressed size does not match what was consumed.
fn read_descriptor<B: BufRead>(br: &mut B, zip64: bool, compressed: u64) -> io::Result<Descriptor> {
    let mut word = [0u8; 4];
    br.read_exact(&mut word)?;
    if u32::from_le_bytes(word) == DATA_DESCRIPTOR {
        br.read_exact(&mut word)?;
    }
    let crc32 = u32::from_le_bytes(word);
    let mut sizes = [0u8; 8];
    br.read_exact(&mut sizes)?;
    if !zip64 && u64::from(u32_at(&sizes, 0)) == compressed & u64::from(u32::MAX) {
        return Ok(Descriptor { crc32, uncompressed_size: u64::from(u32_at(&sizes, 4)) });
    }
    if u64_at(&sizes, 0) == compressed {
        // The 8-byte form: its uncompressed size follows.
        br.read_exact(&mut sizes)?;
        return Ok(Descriptor { crc32, uncompressed_size: u64_at(&sizes, 0) });
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidData,
        "the zip data descriptor does not match the member's compressed size",
    ))
}

/// The ratio guard on one inflated member.
struct Inflated<'a, R> {
    inner: R,
    consumed: &'a Cell<u64>,
    out: u64,
    limits: &'a Limits,
}

impl<R: Read> Read for Inflated<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.out += n as u64;
        self.limits.check(u64::MAX, self.consumed.get(), self.out)?;
        Ok(n)
    }
}
