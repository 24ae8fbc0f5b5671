//! Scanning one layer blob: tar walk, nested archives, UTF-16, rules, path checks.

use std::io::{self, Read};

use bstr::BString;
use layerleak_engine::{FnSink, Match, ScanError, StreamScan};
use layerleak_image::{BlobOpener, Descriptor};
use layerleak_layer::{
    Entry, Flow, Item, LayerError, Limits, PathIndex, TextEncoding, WalkSummary, decode_text,
    walk_content, walk_layer_offloaded, walk_layer_threaded,
};
use layerleak_report::Severity;

use crate::describe::describe;
use crate::hit::{Hit, LayerSite, RuleRef};
use crate::issues;
use crate::packages::{self, DB_FILE_LIMIT, DbFile, FileHashes, HASH_LIMIT, Parsed};
use crate::path_rules::{self, HEAD_LIMIT};

/// What scanning one blob produced.
#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct BlobScan {
    pub(crate) hits: Vec<Hit<LayerSite>>,
    /// What the layer writes and deletes (partial if the walk failed).
    pub(crate) index: PathIndex,
    /// What could not be read or fully scanned.
    pub(crate) problems: Vec<Problem>,
    /// Bytes of regular-file content in the layer.
    pub(crate) bytes: u64,
    /// The digests of each layer file holding a hit (hits point here by
    /// [`LayerSite::file`]).
    pub(crate) hashes: Vec<FileHashes>,
    /// The package database files of the layer, parsed, in layer order.
    pub(crate) databases: Vec<Parsed>,
}

/// Something not (fully) scanned in a blob, or worth a notice.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Problem {
    pub(crate) severity: Severity,
    pub(crate) path: Option<String>,
    pub(crate) reason: String,
}

impl Problem {
    /// A problem that makes the scan incomplete.
    pub(crate) fn incomplete(path: Option<String>, reason: String) -> Problem {
        Problem { severity: Severity::Incomplete, path, reason }
    }
}

/// Why a walk stopped.
#[derive(Debug, thiserror::Error)]
pub(crate) enum BlobError {
    #[error(transparent)]
    Layer(#[from] LayerError),
    #[error("reading a file's content failed")]
    Io(#[source] io::Error),
}

/// Scans the blob `desc` with `stream`. Never fails: problems are recorded in the result,
/// and everything read before a failure is kept.
///
/// Regular files are scanned once each; hard links, symlinks, directories and whiteouts
/// carry no content and are only recorded in the [`PathIndex`], so the same bytes are
/// never scanned twice. The blob is read and decompressed on other threads while this one
/// walks and scans ([`walk_layer_threaded`]); after the tar stream the blob is read to its
/// end, so a digest or size mismatch is always detected. That digest proves every byte, so
/// gzip CRCs are not computed again ([`Limits::gzip_crc`]).
pub(crate) fn scan_blob(
    stream: &mut StreamScan<'_>,
    opener: &dyn BlobOpener,
    desc: &Descriptor,
    limits: &Limits,
) -> BlobScan {
    let limits = &scan_limits(stream, limits);
    match opener.open(desc) {
        Ok(reader) => scan_with(stream, limits, |visit| walk_layer_threaded(reader, limits, visit)),
        Err(e) => BlobScan {
            problems: vec![Problem::incomplete(None, describe(&e))],
            ..BlobScan::default()
        },
    }
}

/// Scans a layer blob read from `reader`, as [`scan_blob`] does once it has opened it.
/// `reader` is a member of a one-pass archive stream, which cannot cross threads: this
/// thread reads it (to its end, so its digest is computed) while two others decompress and
/// walk and scan it ([`walk_layer_offloaded`]). The caller checks that digest against the
/// layer's, so gzip CRCs are not computed again ([`Limits::gzip_crc`]).
pub(crate) fn scan_reader(
    stream: &mut StreamScan<'_>,
    reader: &mut dyn Read,
    limits: &Limits,
) -> BlobScan {
    let limits = &scan_limits(stream, limits);
    scan_with(stream, limits, |visit| walk_layer_offloaded(reader, limits, visit))
}

/// The limits of a layer walk that `stream` scans: gzip CRCs are not computed again (the
/// blob's digest is verified), and a sparse file's holes stand as just enough zeros that
/// no match spans one.
fn scan_limits(stream: &StreamScan<'_>, limits: &Limits) -> Limits {
    let longest = stream.scanner_rules().iter().map(|r| r.max_len()).max().unwrap_or(0);
    limits.with_gzip_crc(false).with_sparse_hole_bytes(longest as u64 + 1)
}

/// The visitor a layer walk calls for each tar entry.
type Visit<'v> = dyn FnMut(Entry<'_>) -> Result<Flow, BlobError> + Send + 'v;

/// Scans the layer that `walk` walks, calling back for every entry.
fn scan_with(
    stream: &mut StreamScan<'_>,
    limits: &Limits,
    walk: impl FnOnce(&mut Visit<'_>) -> Result<WalkSummary, BlobError>,
) -> BlobScan {
    let mut out = BlobScan::default();
    let mut current: Option<String> = None;
    // The bytes of the file being scanned, kept to hash it if it holds a hit or to parse
    // it if it is a package database; reused from file to file.
    let mut kept: Vec<u8> = Vec::new();
    let result = walk(&mut |entry: Entry<'_>| -> Result<Flow, BlobError> {
        out.index.record(entry.meta());
        for &issue in entry.meta().issues() {
            let (severity, reason) = issues::entry_issue(issue);
            let path = Some(entry.path().as_bstr().to_string());
            out.problems.push(Problem { severity, path, reason });
        }
        if let Some(target) = entry.meta().link_target() {
            scan_link_target(stream, entry.path().as_bytes(), target, &mut out.hits);
        }
        if !entry.meta().has_content() {
            return Ok(Flow::Continue);
        }
        let (meta, content) = entry.into_parts();
        out.bytes += meta.content_len();
        let path = meta.path().as_bstr().to_string();
        let db = DbFile::of(&path);
        let keep = match db {
            Some(_) => DB_FILE_LIMIT,
            None => HASH_LIMIT as u64,
        };
        kept.clear();
        let mut tee =
            Keep { inner: content, kept: (meta.size() <= keep).then_some(&mut kept), read: 0 };
        current = Some(path);
        let first_hit = out.hits.len();
        let file_offset = |delivered| meta.file_offset(delivered);
        let file = ScannedFile { path: meta.path().as_bytes(), file_offset: &file_offset };
        scan_file(stream, &file, &mut tee, limits, &mut out.hits, &mut out.problems)?;
        let holds_hit = out.hits.len() > first_hit;
        if holds_hit || db.is_some() {
            // A nested archive's reader may stop before the end: the rest is hashed too.
            io::copy(&mut tee, &mut io::sink()).map_err(BlobError::Io)?;
        }
        let whole = tee.kept.is_some() && tee.read == meta.size();
        if holds_hit {
            let hashes = if whole { FileHashes::of(&kept) } else { FileHashes::TooLarge };
            let file = out.hashes.len();
            out.hashes.push(hashes);
            for hit in &mut out.hits[first_hit..] {
                hit.site.file = Some(file);
            }
        }
        let path = current.take().unwrap_or_default();
        match db {
            Some(kind) if whole => match packages::parse(kind, &path, &kept) {
                Ok(parsed) => out.databases.push(parsed),
                Err(e) => out.problems.push(Problem {
                    severity: Severity::Notice,
                    path: Some(path),
                    reason: format!(
                        "{e}: not used, so the files it lists keep the origin `image`"
                    ),
                }),
            },
            Some(_) => out.problems.push(Problem {
                severity: Severity::Notice,
                path: Some(path),
                reason: format!(
                    "package database larger than {} MiB not read: the files it lists keep the origin `image`",
                    DB_FILE_LIMIT >> 20
                ),
            }),
            None => {}
        }
        if kept.capacity() > HASH_LIMIT {
            // A large database was kept: do not hold its buffer for the rest of the layer.
            kept = Vec::new();
        }
        Ok(Flow::Continue)
    });
    match result {
        Ok(summary) if summary.trailing_nonzero_bytes > 0 => {
            out.problems.push(Problem::incomplete(None, format!(
                "{} non-zero byte(s) after the tar end-of-archive marker (at byte offset {}) were not scanned: a runtime ignores them, but they are in the blob",
                summary.trailing_nonzero_bytes, summary.tar_bytes
            )));
        }
        Ok(_) => {}
        Err(e) => out.problems.push(Problem::incomplete(current, describe(&e))),
    }
    out
}

/// Scans the target of a symlink or hard link at `path` as text: a link name can hold a
/// secret too. Hits are located at the link's path, offsets counting in the target.
pub(crate) fn scan_link_target(
    stream: &mut StreamScan<'_>,
    path: &[u8],
    target: &[u8],
    hits: &mut Vec<Hit<LayerSite>>,
) {
    let site = |offset| LayerSite {
        path: String::from_utf8_lossy(path).into_owned(),
        layer_path: path.to_vec(),
        offset,
        encoding: None,
        // A link holds no bytes to check against a package database: origin `image`.
        file: None,
    };
    let mut sink = FnSink(|m: &Match<'_>| {
        hits.push(Hit::of_match(m, site(m.secret_span.start)));
        true
    });
    // Reading a slice cannot fail, nor can the sink.
    let _ = stream.read_from(target, &mut sink);
}

/// The file [`scan_file`] scans: its path, and where a byte of its delivered content is in
/// the file (a sparse layer file delivers its data without the holes).
pub(crate) struct ScannedFile<'a> {
    pub(crate) path: &'a [u8],
    pub(crate) file_offset: &'a dyn Fn(u64) -> u64,
}

/// Scans one file (of a layer, or of a tree on disk): every member of nested archives,
/// decoded from UTF-16 if need be, through the rules; files with secret-bearing names
/// through their path check. Offsets in the file itself (not in a nested member) are the
/// file's, also in a sparse file.
pub(crate) fn scan_file(
    stream: &mut StreamScan<'_>,
    file: &ScannedFile<'_>,
    content: &mut dyn Read,
    limits: &Limits,
    hits: &mut Vec<Hit<LayerSite>>,
    problems: &mut Vec<Problem>,
) -> Result<(), BlobError> {
    let layer_path = file.path;
    walk_content(BString::from(layer_path), content, limits, |item| -> Result<Flow, BlobError> {
        match item {
            Item::File(member) => {
                let path = member.path().to_string();
                let in_file = member.depth() == 0;
                // A part of the file around a prefixed zip starts further in.
                let base = member.offset();
                let kind = path_rules::classify(member.path().last());
                let mut text = decode_text(member).map_err(BlobError::Io)?;
                let encoding = match text.encoding() {
                    TextEncoding::Utf16Le { .. } => Some("utf-16le"),
                    TextEncoding::Utf16Be { .. } => Some("utf-16be"),
                    _ => None,
                };
                let site = |offset| LayerSite {
                    path: path.clone(),
                    layer_path: layer_path.to_vec(),
                    // A UTF-16 file's offsets count its UTF-8 view: no sparse map applies.
                    offset: if in_file && encoding.is_none() {
                        (file.file_offset)(base + offset)
                    } else {
                        base + offset
                    },
                    encoding,
                    file: None,
                };
                let mut head = Vec::new();
                let tee = HeadTee {
                    inner: &mut text,
                    head: kind.is_some().then_some(&mut head),
                    limit: HEAD_LIMIT,
                };
                let mut sink = FnSink(|m: &Match<'_>| {
                    hits.push(Hit::of_match(m, site(m.secret_span.start)));
                    true
                });
                stream.read_from(tee, &mut sink).map_err(|e| match e {
                    ScanError::Io(e) => BlobError::Io(e),
                    ScanError::Sink(never) => match never {},
                })?;
                if let Some(kind) = kind {
                    for h in path_rules::extract(kind, &head) {
                        hits.push(Hit {
                            rule: RuleRef::Builtin(h.rule),
                            confidence: h.confidence,
                            checksum: None,
                            secret: h.secret,
                            site: site(h.offset),
                        });
                    }
                }
            }
            Item::Notice(n) => {
                problems.push(Problem {
                    severity: issues::notice_severity(&n),
                    path: Some(n.path.to_string()),
                    reason: issues::notice_reason(&n),
                });
            }
            _ => {}
        }
        Ok(Flow::Continue)
    })?;
    Ok(())
}

/// Passes reads through, counting them and keeping a copy of all of them when asked (the
/// caller asks only for files within its limit).
struct Keep<'a> {
    inner: &'a mut dyn Read,
    kept: Option<&'a mut Vec<u8>>,
    read: u64,
}

impl Read for Keep<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if let Some(kept) = self.kept.as_deref_mut() {
            kept.extend_from_slice(&buf[..n]);
        }
        Ok(n)
    }
}

/// Passes reads through, keeping a copy of the first `limit` bytes when asked.
struct HeadTee<'a, R> {
    inner: R,
    head: Option<&'a mut Vec<u8>>,
    limit: usize,
}

impl<R: Read> Read for HeadTee<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(head) = self.head.as_deref_mut() {
            let room = self.limit.saturating_sub(head.len());
            head.extend_from_slice(&buf[..n.min(room)]);
        }
        Ok(n)
    }
}
