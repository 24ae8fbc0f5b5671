//! A streaming tar reader whose memory does not depend on its input.
//!
//! The `tar` crate reads GNU long-name and long-link records and PAX extension headers whole
//! into memory, whatever size their header claims: a layer with a 4 GB long name would
//! allocate 4 GB. This reader parses the same formats (with the `tar` crate's [`tar::Header`]
//! for the fixed header fields) but reads each extension record into memory only up to a
//! cap ([`MAX_LONG_NAME_BYTES`], [`MAX_PAX_BYTES`], [`MAX_SPARSE_SEGMENTS`]); a larger one is
//! a [`RecordTooLarge`] error, before any of it is read.
//!
//! It reads the archive as container runtimes do (Go's `archive/tar`, which docker,
//! containerd and podman use):
//!
//! - entries of a header-only type (hard link, symlink, character or block device,
//!   directory, FIFO, and a pre-POSIX `\0` entry whose name ends in `/`) have no data,
//!   whatever size their header declares: the next block is the next header
//!   ([`EntryIssue::SizeIgnored`] on the entry, [`EntryIssue::InIgnoredData`] on every
//!   entry that a reader honouring the size would have skipped);
//! - PAX and GNU extension records are honoured whatever the header's magic;
//! - a header checksum is valid as an unsigned or a signed sum of its bytes.
//!
//! It also reads sparse files: GNU (`S` entries with their extension blocks) and PAX
//! sparse formats 0.0, 0.1 and 1.0 (`GNU.sparse.*` records, with the real name in
//! `GNU.sparse.name`). Only their data segments are read: a hole is zeros, so it is
//! delivered as at most [`Limits::sparse_hole_bytes`] zeros (enough to keep a match from
//! spanning it), and [`EntryMeta::file_offset`] maps a delivered offset back to the file's.
//! A declared size over the reader's limit is an [`EntryIssue::SizeOverLimit`].

use std::collections::VecDeque;
use std::io::{self, Read};

use tar::{EntryType, GnuExtSparseHeader, Header};

use crate::entry::{EntryIssue, EntryKind, EntryMeta, SparseMap};
use crate::error::RecordTooLarge;
use crate::limits::Limits;
use crate::path::EntryPath;
use crate::whiteout::Whiteout;

/// The largest GNU long name or long link read into memory (64 KiB; `PATH_MAX` is 4 KiB).
pub const MAX_LONG_NAME_BYTES: u64 = 64 << 10;
/// The largest PAX extension header read into memory (1 MiB).
pub const MAX_PAX_BYTES: u64 = 1 << 20;
/// The most data/hole segments of one sparse file kept in memory (65 536, 1 MiB).
pub const MAX_SPARSE_SEGMENTS: usize = 1 << 16;

const BLOCK: u64 = 512;

/// A piece of an entry's content: bytes stored in the archive, or a hole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Segment {
    Data(u64),
    Zeros(u64),
}

/// Reads a tar stream entry by entry (see the module docs).
pub(crate) struct TarReader<R> {
    inner: R,
    /// Bytes consumed from `inner`.
    pos: u64,
    /// Where the next header starts.
    next: u64,
    /// The unread content of the current entry.
    segments: VecDeque<Segment>,
    done: bool,
    /// The largest size an entry may declare without an [`EntryIssue::SizeOverLimit`].
    max_size: u64,
    /// The most zeros a hole of a sparse file is delivered as.
    hole_bytes: u64,
    /// The data a header-only entry declared and a runtime reads as headers:
    /// `(end offset, that entry's header offset)`.
    ignored: Option<(u64, u64)>,
}

/// An extension record that describes the next entry.
#[derive(Debug, Clone, Copy)]
enum Record {
    LongName,
    LongLink,
    Pax,
}

impl Record {
    fn of(et: EntryType) -> Option<Record> {
        match et {
            EntryType::GNULongName => Some(Record::LongName),
            EntryType::GNULongLink => Some(Record::LongLink),
            EntryType::XHeader => Some(Record::Pax),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Record::LongName => "GNU long name",
            Record::LongLink => "GNU long link",
            Record::Pax => "PAX extension header",
        }
    }

    fn limit(self) -> u64 {
        match self {
            Record::LongName | Record::LongLink => MAX_LONG_NAME_BYTES,
            Record::Pax => MAX_PAX_BYTES,
        }
    }
}

/// What the PAX records before an entry say.
#[derive(Debug, Default)]
struct Pax {
    path: Option<Vec<u8>>,
    linkpath: Option<Vec<u8>>,
    size: Option<u64>,
    sparse: PaxSparse,
}

/// The `GNU.sparse.*` records.
#[derive(Debug, Default)]
struct PaxSparse {
    any: bool,
    major: Option<Vec<u8>>,
    name: Option<Vec<u8>>,
    real_size: Option<u64>,
    /// Format 0.1's `GNU.sparse.map`, or format 0.0's `offset`/`numbytes` pairs.
    map: Vec<u64>,
    map_invalid: bool,
}

fn invalid(msg: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg.into())
}

/// A sparse map of `n` segments, over [`MAX_SPARSE_SEGMENTS`].
fn too_many_segments(record: &'static str, n: usize) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        RecordTooLarge {
            record,
            size: n as u64,
            unit: "segments",
            limit: MAX_SPARSE_SEGMENTS as u64,
        },
    )
}

fn parse_u64(v: &[u8]) -> Option<u64> {
    std::str::from_utf8(v).ok()?.parse().ok()
}

fn round_up(n: u64) -> io::Result<u64> {
    n.checked_add(BLOCK - 1).map(|n| n & !(BLOCK - 1)).ok_or_else(|| invalid("tar size overflow"))
}

impl Pax {
    /// Parse `LEN KEY=VALUE\n` records; later records override earlier ones.
    fn parse(data: &[u8]) -> io::Result<Pax> {
        let mut pax = Pax::default();
        let mut rest = data;
        while !rest.is_empty() && rest.iter().any(|&b| b != 0) {
            let space = rest
                .iter()
                .position(|&b| b == b' ')
                .ok_or_else(|| invalid("malformed PAX record"))?;
            let len = parse_u64(&rest[..space])
                .and_then(|l| usize::try_from(l).ok())
                .filter(|&l| l > space + 1 && l <= rest.len())
                .ok_or_else(|| invalid("malformed PAX record length"))?;
            let record = &rest[space + 1..len];
            rest = &rest[len..];
            let record = record
                .strip_suffix(b"\n")
                .ok_or_else(|| invalid("PAX record without a newline"))?;
            let eq = record
                .iter()
                .position(|&b| b == b'=')
                .ok_or_else(|| invalid("PAX record without '='"))?;
            pax.set(&record[..eq], &record[eq + 1..]);
        }
        Ok(pax)
    }

    fn set(&mut self, key: &[u8], value: &[u8]) {
        match key {
            b"path" => self.path = Some(value.to_vec()),
            b"linkpath" => self.linkpath = Some(value.to_vec()),
            b"size" => self.size = parse_u64(value),
            _ if key.starts_with(b"GNU.sparse.") => {
                let s = &mut self.sparse;
                s.any = true;
                match &key[b"GNU.sparse.".len()..] {
                    b"major" => s.major = Some(value.to_vec()),
                    b"name" => s.name = Some(value.to_vec()),
                    b"realsize" | b"size" => s.real_size = parse_u64(value),
                    b"map" => {
                        s.map.clear();
                        for n in value.split(|&b| b == b',').filter(|n| !n.is_empty()) {
                            match parse_u64(n) {
                                Some(n) if s.map.len() < 2 * MAX_SPARSE_SEGMENTS => s.map.push(n),
                                _ => s.map_invalid = true,
                            }
                        }
                    }
                    b"offset" | b"numbytes" => match parse_u64(value) {
                        Some(n) if s.map.len() < 2 * MAX_SPARSE_SEGMENTS => s.map.push(n),
                        _ => s.map_invalid = true,
                    },
                    _ => {}
                }
            }
            _ => {}
        }
    }
}

/// Holes and data from `(offset, length)` pairs, checked against the stored and real sizes.
fn sparse_segments(
    pairs: impl IntoIterator<Item = (u64, u64)>,
    stored: u64,
    real_size: u64,
) -> io::Result<VecDeque<Segment>> {
    let mut segments = VecDeque::new();
    let mut cur = 0u64;
    let mut data = 0u64;
    for (offset, len) in pairs {
        if offset < cur {
            return Err(invalid("out of order or overlapping sparse blocks"));
        }
        if offset > cur {
            segments.push_back(Segment::Zeros(offset - cur));
        }
        if len > 0 {
            segments.push_back(Segment::Data(len));
        }
        if segments.len() > MAX_SPARSE_SEGMENTS {
            return Err(too_many_segments("sparse map", segments.len()));
        }
        cur = offset.checked_add(len).ok_or_else(|| invalid("sparse block past u64"))?;
        data = data.checked_add(len).ok_or_else(|| invalid("sparse block past u64"))?;
    }
    if data != stored {
        return Err(invalid(format!(
            "the sparse map lists {data} bytes of data, the entry stores {stored}"
        )));
    }
    if cur > real_size {
        return Err(invalid("the sparse map goes past the file's size"));
    }
    if cur < real_size {
        segments.push_back(Segment::Zeros(real_size - cur));
    }
    Ok(segments)
}

impl<R: Read> TarReader<R> {
    /// A reader of `inner`; entries declaring more than `max_size` bytes are flagged, and
    /// holes of sparse files are delivered as at most [`Limits::sparse_hole_bytes`] zeros.
    pub(crate) fn new(inner: R, max_size: u64, limits: &Limits) -> Self {
        TarReader {
            inner,
            pos: 0,
            next: 0,
            segments: VecDeque::new(),
            done: false,
            max_size,
            hole_bytes: limits.sparse_hole_bytes.max(1),
            ignored: None,
        }
    }

    pub(crate) fn into_inner(self) -> R {
        self.inner
    }

    /// The next entry, after skipping what is left of the current one; `None` at the end of
    /// the archive (a zero block or the end of the stream at a header boundary).
    ///
    /// # Errors
    ///
    /// The stream's errors; [`io::ErrorKind::InvalidData`] for a corrupt header, with a
    /// [`RecordTooLarge`] payload for an extension record over its cap;
    /// [`io::ErrorKind::UnexpectedEof`] for an archive cut short.
    pub(crate) fn next_entry(&mut self) -> io::Result<Option<EntryMeta>> {
        if self.done {
            return Ok(None);
        }
        self.segments.clear();
        let (mut long_name, mut long_link, mut pax): (_, _, Option<Pax>) = (None, None, None);
        let mut described = false;
        let mut first_offset = None;
        loop {
            self.skip(self.next - self.pos)?;
            let header_offset = self.pos;
            let first_offset = *first_offset.get_or_insert(header_offset);
            let mut header = Header::new_old();
            if !self.read_block(header.as_mut_bytes())? || header.as_bytes().iter().all(|&b| b == 0)
            {
                self.done = true;
                if described {
                    return Err(invalid(
                        "members found describing a future member but no future member found",
                    ));
                }
                return Ok(None);
            }
            check_sum(&header)?;
            let et = header.entry_type();
            let mut size = header.entry_size()?;
            // Like Go's reader, whatever the header's magic says.
            if let Some(record) = Record::of(et) {
                let taken = match record {
                    Record::LongName => long_name.is_some(),
                    Record::LongLink => long_link.is_some(),
                    Record::Pax => pax.is_some(),
                };
                if taken {
                    return Err(invalid(format!(
                        "two {}s describe the same member",
                        record.name()
                    )));
                }
                if size > record.limit() {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        RecordTooLarge {
                            record: record.name(),
                            size,
                            unit: "bytes",
                            limit: record.limit(),
                        },
                    ));
                }
                let data = self.read_record(size)?;
                match record {
                    Record::LongName => long_name = Some(data),
                    Record::LongLink => long_link = Some(data),
                    Record::Pax => pax = Some(Pax::parse(&data)?),
                }
                described = true;
                continue;
            }
            let pax = pax.unwrap_or_default();
            if let Some(s) = pax.size {
                size = s;
            }
            let mut meta = self.entry(&header, header_offset, size, long_name, long_link, pax)?;
            self.check_ignored(&mut meta, first_offset);
            return Ok(Some(meta));
        }
    }

    /// Builds the entry of `header` and prepares its content.
    fn entry(
        &mut self,
        header: &Header,
        header_offset: u64,
        mut size: u64,
        long_name: Option<Vec<u8>>,
        long_link: Option<Vec<u8>>,
        pax: Pax,
    ) -> io::Result<EntryMeta> {
        let mut issues = Vec::new();
        let mut segments = VecDeque::from([Segment::Data(size)]);
        let mut stored = size;
        let mut name_override = None;
        let mut sparse = false;
        let et = header.entry_type();
        if et == EntryType::GNUSparse {
            let gnu =
                header.as_gnu().ok_or_else(|| invalid("sparse entry without a GNU header"))?;
            let mut pairs = Vec::new();
            for block in gnu.sparse.iter().filter(|b| !b.is_empty()) {
                pairs.push((block.offset()?, block.length()?));
            }
            let mut extended = gnu.is_extended();
            while extended {
                let mut ext = GnuExtSparseHeader::new();
                if !self.read_block(ext.as_mut_bytes())? {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the sparse header's extension blocks are cut short",
                    ));
                }
                for block in ext.sparse.iter().filter(|b| !b.is_empty()) {
                    pairs.push((block.offset()?, block.length()?));
                }
                if pairs.len() > MAX_SPARSE_SEGMENTS {
                    return Err(too_many_segments("GNU sparse map", pairs.len()));
                }
                extended = ext.is_extended();
            }
            let real = gnu.real_size()?;
            segments = sparse_segments(pairs, stored, real)?;
            size = real;
            sparse = true;
        } else if pax.sparse.any {
            let s = &pax.sparse;
            match (s.major.as_deref(), s.real_size) {
                (Some(b"1"), Some(real)) => {
                    let (pairs, map_bytes) = self.read_sparse_map(stored)?;
                    stored -= map_bytes;
                    segments = sparse_segments(pairs, stored, real)?;
                    size = real;
                    sparse = true;
                    name_override.clone_from(&s.name);
                }
                (None, Some(real)) if !s.map_invalid && s.map.len().is_multiple_of(2) => {
                    let pairs = s.map.chunks(2).map(|p| (p[0], p[1]));
                    segments = sparse_segments(pairs.collect::<Vec<_>>(), stored, real)?;
                    size = real;
                    sparse = true;
                    name_override.clone_from(&s.name);
                }
                _ => issues.push(EntryIssue::PaxSparse),
            }
        }

        let raw_path = match (name_override, long_name, pax.path) {
            (Some(name), ..) => name,
            (None, Some(mut long), _) => {
                if let Some(nul) = long.iter().position(|&b| b == 0) {
                    long.truncate(nul);
                }
                long
            }
            (None, None, Some(path)) => path,
            (None, None, None) => header.path_bytes().into_owned(),
        };
        let raw_link = match (long_link, pax.linkpath) {
            (Some(mut long), _) => {
                if let Some(nul) = long.iter().position(|&b| b == 0) {
                    long.truncate(nul);
                }
                Some(long)
            }
            (None, Some(link)) => Some(link),
            (None, None) => header.link_name_bytes().map(|l| l.into_owned()),
        };
        // Go's reader: these types have no data, whatever the size says.
        // (`EntryType` reads `\0` as `0`: the raw type byte tells them apart.)
        let header_only = matches!(et.as_byte(), b'1'..=b'6')
            || (header.as_bytes()[156] == 0 && raw_path.ends_with(b"/"));
        let declared = size;
        if header_only {
            (stored, size) = (0, 0);
            segments.clear();
            if declared > 0 {
                issues.push(EntryIssue::SizeIgnored { declared });
                let end =
                    self.pos.saturating_add(declared.saturating_add(BLOCK - 1) & !(BLOCK - 1));
                if self.ignored.is_none_or(|(e, _)| e < end) {
                    self.ignored = Some((end, header_offset));
                }
            }
        }
        if declared > self.max_size {
            issues.push(EntryIssue::SizeOverLimit { declared, limit: self.max_size });
        }
        let sparse_map = sparse.then(|| self.cap_holes(&mut segments));
        self.segments = segments;
        self.next = self.pos + round_up(stored)?;

        let path = EntryPath::new(&raw_path);
        let mut kind = match et {
            EntryType::Regular | EntryType::Continuous | EntryType::GNUSparse => EntryKind::File,
            EntryType::Directory => EntryKind::Dir,
            EntryType::Symlink => EntryKind::Symlink,
            EntryType::Link => EntryKind::Hardlink,
            other => EntryKind::Other(other.as_byte()),
        };
        // Pre-POSIX archives mark directories only by a trailing slash.
        if kind == EntryKind::File && raw_path.ends_with(b"/") {
            kind = EntryKind::Dir;
        }
        let link_target = raw_link.map(|t| match kind {
            EntryKind::Hardlink => EntryPath::new(&t).into_bstring(),
            _ => t.into(),
        });
        let whiteout = Whiteout::parse(path.as_bytes());
        let contentless = kind != EntryKind::File || whiteout.is_some();
        if contentless && stored > 0 && kind != EntryKind::Other(b'g') {
            issues.push(EntryIssue::UnexpectedData);
        }
        let content_len = match &sparse_map {
            Some(map) => map.delivered_len(),
            None => stored,
        };
        if path.was_absolute() {
            issues.insert(0, EntryIssue::AbsolutePath);
        }
        if path.has_parent_components() {
            issues.insert(usize::from(path.was_absolute()), EntryIssue::ParentComponent);
        }
        Ok(EntryMeta {
            whiteout,
            kind,
            size,
            mode: header.mode().unwrap_or(0),
            link_target,
            header_offset,
            issues,
            path,
            content_len,
            sparse: sparse_map,
        })
    }

    /// Flags an entry that starts inside the data a header-only entry declared: a reader
    /// honouring that size skips it, a runtime extracts it.
    fn check_ignored(&mut self, meta: &mut EntryMeta, first_offset: u64) {
        if let Some((end, by)) = self.ignored {
            if first_offset < end && by != meta.header_offset {
                meta.issues.push(EntryIssue::InIgnoredData { by });
            } else if first_offset >= end {
                self.ignored = None;
            }
        }
    }

    /// Shortens every hole of `segments` to at most `hole_bytes` zeros; returns the map
    /// from delivered offsets to the file's.
    fn cap_holes(&self, segments: &mut VecDeque<Segment>) -> SparseMap {
        let mut starts = Vec::with_capacity(segments.len());
        let (mut delivered, mut file) = (0u64, 0u64);
        for segment in segments.iter_mut() {
            starts.push((delivered, file));
            match segment {
                Segment::Data(n) => {
                    delivered += *n;
                    file += *n;
                }
                Segment::Zeros(n) => {
                    file = file.saturating_add(*n);
                    *n = (*n).min(self.hole_bytes);
                    delivered += *n;
                }
            }
        }
        SparseMap { starts, delivered_len: delivered }
    }

    /// Reads the sparse map at the start of a PAX 1.0 sparse file's data: decimal lines
    /// (the count, then offset and length of each block), padded to a block. Returns the
    /// pairs and the bytes consumed.
    fn read_sparse_map(&mut self, stored: u64) -> io::Result<(Vec<(u64, u64)>, u64)> {
        let start = self.pos;
        let mut numbers = Vec::new();
        let mut count = None;
        let mut line = Vec::new();
        while count.is_none_or(|c| numbers.len() < 2 * c) {
            line.clear();
            loop {
                if self.pos - start >= stored {
                    return Err(invalid("the sparse map runs past the entry's data"));
                }
                let mut b = [0u8];
                self.read_exact(&mut b)?;
                if b[0] == b'\n' {
                    break;
                }
                if line.len() >= 20 {
                    return Err(invalid("a number of the sparse map is too long"));
                }
                line.push(b[0]);
            }
            let n = parse_u64(&line).ok_or_else(|| invalid("malformed sparse map"))?;
            match count {
                None => {
                    let n = usize::try_from(n).unwrap_or(usize::MAX);
                    if n > MAX_SPARSE_SEGMENTS {
                        return Err(too_many_segments("PAX sparse map", n));
                    }
                    count = Some(n);
                }
                Some(_) => numbers.push(n),
            }
        }
        let used = round_up(self.pos - start)?;
        if used > stored {
            return Err(invalid("the sparse map runs past the entry's data"));
        }
        self.skip(start + used - self.pos)?;
        Ok((numbers.chunks(2).map(|p| (p[0], p[1])).collect(), used))
    }

    /// Reads a `size`-byte extension record and its padding.
    fn read_record(&mut self, size: u64) -> io::Result<Vec<u8>> {
        let len = usize::try_from(size).map_err(|_| invalid("tar record too large"))?;
        let mut data = vec![0u8; len];
        self.read_exact(&mut data)?;
        self.skip(round_up(size)? - size)?;
        self.next = self.pos;
        Ok(data)
    }

    /// Fills `buf` from the stream: `false` at a clean end of stream before the first byte.
    fn read_block(&mut self, buf: &mut [u8]) -> io::Result<bool> {
        let mut got = 0;
        while got < buf.len() {
            match self.inner.read(&mut buf[got..]) {
                Ok(0) if got == 0 => return Ok(false),
                Ok(0) => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the tar stream ends inside a header block",
                    ));
                }
                Ok(n) => {
                    got += n;
                    self.pos += n as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(true)
    }

    fn read_exact(&mut self, buf: &mut [u8]) -> io::Result<()> {
        if buf.is_empty() || self.read_block(buf)? {
            Ok(())
        } else {
            Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the tar stream is cut short"))
        }
    }

    /// Reads and discards `n` bytes.
    fn skip(&mut self, mut n: u64) -> io::Result<()> {
        // Mostly a block's padding: zeroing an 8 KiB buffer for each of those cost more
        // than reading them.
        let mut small = [0u8; 512];
        let mut large;
        let buf: &mut [u8] = if n <= small.len() as u64 {
            &mut small
        } else {
            large = [0u8; 8192];
            &mut large
        };
        while n > 0 {
            let want = usize::try_from(n.min(buf.len() as u64)).unwrap_or(buf.len());
            self.read_exact(&mut buf[..want])?;
            n -= want as u64;
        }
        Ok(())
    }

    /// The current entry's content (holes of sparse files read as zeros, shortened). What is not read
    /// is skipped by the next [`TarReader::next_entry`].
    pub(crate) fn content(&mut self) -> Content<'_, R> {
        Content { reader: self }
    }
}

/// Verifies a header's checksum: the sum of its bytes as unsigned or (as some old tars
/// wrote it, and as Go's reader also accepts) as signed bytes.
fn check_sum(header: &Header) -> io::Result<()> {
    let bytes = header.as_bytes();
    let rest = || bytes[..148].iter().chain(&bytes[156..]);
    let unsigned = rest().map(|&b| i64::from(b)).sum::<i64>() + 8 * 32;
    let signed = rest().map(|&b| i64::from(b as i8)).sum::<i64>() + 8 * 32;
    let recorded = i64::from(header.cksum()?);
    if recorded != unsigned && recorded != signed {
        return Err(invalid("archive header checksum mismatch"));
    }
    Ok(())
}

/// The content of the current entry of a [`TarReader`].
pub(crate) struct Content<'a, R> {
    reader: &'a mut TarReader<R>,
}

impl<R: Read> Read for Content<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let Some(segment) = self.reader.segments.front_mut() else { return Ok(0) };
            match segment {
                Segment::Zeros(0) | Segment::Data(0) => {
                    self.reader.segments.pop_front();
                }
                Segment::Zeros(n) => {
                    let k = usize::try_from((*n).min(buf.len() as u64)).unwrap_or(buf.len());
                    buf[..k].fill(0);
                    *n -= k as u64;
                    return Ok(k);
                }
                Segment::Data(n) => {
                    let want = usize::try_from((*n).min(buf.len() as u64)).unwrap_or(buf.len());
                    let got = self.reader.inner.read(&mut buf[..want])?;
                    if got == 0 && want > 0 {
                        return Err(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            "the tar entry's data is cut short",
                        ));
                    }
                    *n -= got as u64;
                    self.reader.pos += got as u64;
                    return Ok(got);
                }
            }
        }
    }
}
