//! Archives inside layer files: zip/jar/war/ear/whl, tar, tar.gz/tgz, single `.gz`/`.zst`.

use std::fmt;
use std::io::{self, Cursor, Read};
use std::rc::Rc;

use bstr::BString;

use crate::chain::NestedPath;
use crate::compression::{Compression, Decompressor, read_up_to};
use crate::error::LayerError;
use crate::limits::Limits;
use crate::notice::{Notice, NoticeReason};
use crate::tap::{StreamFailed, Tap, TapState};
use crate::tar_reader::TarReader;
use crate::walk::Flow;

/// How many leading bytes [`NestedKind::sniff`] wants (the tar magic sits at offset 257).
pub const NESTED_SNIFF_LEN: usize = 512;

/// A container format that [`walk_content`] opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NestedKind {
    /// A zip archive (`PK\x03\x04`): zip, jar, war, ear, whl, apk (Android), docx, …
    Zip,
    /// A POSIX/GNU tar archive (`ustar` at offset 257).
    Tar,
    /// A gzip stream: a `.tar.gz`/`.tgz` (opened as a tar) or a single compressed file.
    Gzip,
    /// A zstd stream: a `.tar.zst` or a single compressed file.
    Zstd,
}

impl NestedKind {
    /// Decide from the first bytes (up to [`NESTED_SNIFF_LEN`]) whether a file is an archive
    /// to open.
    ///
    /// Only the bytes decide, never the file name: a `.jar` that is not a zip is scanned as
    /// it is, and a zip named `.dat` is opened. Pre-POSIX (v7) tar archives have no magic and
    /// are not recognised.
    ///
    /// ```
    /// use layerleak_layer::NestedKind;
    /// assert_eq!(NestedKind::sniff(b"PK\x03\x04\x14\x00"), Some(NestedKind::Zip));
    /// assert_eq!(NestedKind::sniff(&[0x1f, 0x8b, 8, 0]), Some(NestedKind::Gzip));
    /// assert_eq!(NestedKind::sniff(b"password=hunter2"), None);
    /// ```
    #[must_use]
    pub fn sniff(first: &[u8]) -> Option<NestedKind> {
        if first.starts_with(b"PK\x03\x04") || first.starts_with(b"PK\x05\x06") {
            return Some(NestedKind::Zip);
        }
        match Compression::sniff(first) {
            Compression::Gzip => return Some(NestedKind::Gzip),
            Compression::Zstd => return Some(NestedKind::Zstd),
            Compression::None => {}
        }
        if first.get(257..262) == Some(b"ustar") {
            return Some(NestedKind::Tar);
        }
        None
    }
}

/// What [`walk_content`] delivers: content to scan, or a notice of content not scanned.
#[derive(Debug)]
#[non_exhaustive]
pub enum Item<'a> {
    /// A file's bytes: the layer file itself when it is not an archive, or a member of a
    /// nested archive.
    File(Member<'a>),
    /// Something was not fully scanned.
    Notice(Notice),
}

/// The content of one file, readable during the visit.
///
/// Reads never fail: when the data below is corrupt, truncated or over a limit, the member
/// simply ends and a [`Notice`] about it follows. (A failure of the *layer* stream ends the
/// whole walk with an error instead.)
pub struct Member<'a> {
    path: &'a NestedPath,
    reader: &'a mut dyn Read,
    offset: u64,
}

impl Member<'_> {
    /// The offset in the file at [`Member::path`] of the first byte this member delivers:
    /// 0, except for the parts of a file around a zip that follows a prefix (an executable
    /// jar's stub, then what follows the zip), which are delivered as members of their
    /// own so that the zip's members can be delivered in between.
    #[must_use]
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The member's location, e.g. `app.jar!/BOOT-INF/classes/application.yml`.
    #[must_use]
    pub fn path(&self) -> &NestedPath {
        self.path
    }

    /// How many archives enclose the member (0 for a plain layer file).
    #[must_use]
    pub fn depth(&self) -> usize {
        self.path.depth()
    }
}

impl Read for Member<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.reader.read(buf)
    }
}

impl fmt::Debug for Member<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Member").field("path", &self.path).finish_non_exhaustive()
    }
}

/// Deliver the content of one layer file, opening nested archives recursively.
///
/// `path` is the file's path in the layer (the first segment of every [`NestedPath`]), and
/// `reader` its content, typically an [`Entry`](crate::Entry).
///
/// - If the content is not an archive ([`NestedKind::sniff`]), it is delivered as one
///   [`Item::File`] at depth 0, whatever its size.
/// - If it is, each member is delivered (recursively) as an [`Item::File`] named by its chain,
///   e.g. `app/app.jar!/BOOT-INF/lib/inner.jar!/application.yml`; the archive's own bytes are
///   not delivered. Directories, links and zip directory entries carry no content and are
///   skipped. A `.tar.gz` is opened as a tar (`x.tgz!/etc/passwd`), a single `.gz` as one
///   member named without the suffix (`log.gz!/log`).
/// - Within [`Limits`]: an archive deeper than `max_depth` is delivered raw with a
///   [`NoticeReason::DepthLimit`]; a member over `max_member_bytes` is cut with
///   [`NoticeReason::MemberSizeLimit`]; a nested decompression over `max_ratio` stops with
///   [`NoticeReason::Limit`].
/// - Zip archives are read as a stream, from the local file headers (the central directory
///   at the end is never needed, so nothing is buffered). Stored and deflated members are
///   read, including deflated members whose sizes are only in a trailing data descriptor
///   (what `jar` and `ZipOutputStream` write). Anything else (other compression methods,
///   encryption, a stored member without sizes) gives a [`NoticeReason::Unsupported`].
///
/// - A zip behind a prefix (an executable jar's shell stub, a zipapp, a self-extracting
///   archive) is found by its first plausible local file header: the bytes before it are
///   delivered as the file, then the zip's members, then what follows its central
///   directory, again as the file; [`Member::offset`] gives each part's offset in the file.
///
/// Items come in archive order. Every problem inside a nested archive becomes an
/// [`Item::Notice`] and the walk goes on with what can still be read.
///
/// # Errors
///
/// - [`LayerError::Stream`] if `reader` itself fails (the layer stream is broken: nothing
///   after it can be trusted);
/// - the visitor's own error, as is.
///
/// # Example
///
/// ```
/// use std::io::{Read, Write};
/// use layerleak_layer::{walk_content, Flow, Item, LayerError, Limits};
///
/// let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
/// gz.write_all(b"token=abc")?;
/// let file = gz.finish()?;
///
/// let mut seen = Vec::new();
/// walk_content("var/log/app.log.gz", &file[..], &Limits::default(), |item| {
///     if let Item::File(mut m) = item {
///         let mut text = String::new();
///         m.read_to_string(&mut text).unwrap();
///         seen.push((m.path().to_string(), text));
///     }
///     Ok::<_, LayerError>(Flow::Continue)
/// })?;
/// assert_eq!(seen, [("var/log/app.log.gz!/app.log".to_string(), "token=abc".to_string())]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn walk_content<R, F, E>(
    path: impl Into<BString>,
    reader: R,
    limits: &Limits,
    visit: F,
) -> Result<Flow, E>
where
    R: Read,
    F: FnMut(Item<'_>) -> Result<Flow, E>,
    E: From<LayerError>,
{
    let (mut tap, outer) = Tap::new(reader);
    let mut ctx = Ctx { limits: *limits, visit, outer, stopped: false };
    let mut chain = NestedPath::new(path);
    walk_any(&mut ctx, &mut chain, &mut tap, u64::MAX)?;
    ctx.check_outer()?;
    Ok(if ctx.stopped { Flow::Stop } else { Flow::Continue })
}

/// State shared by every level of one [`walk_content`].
pub(crate) struct Ctx<F> {
    pub(crate) limits: Limits,
    visit: F,
    /// The tap on the layer file's own reader.
    outer: Rc<TapState>,
    /// The visitor asked to stop.
    pub(crate) stopped: bool,
}

impl<F> Ctx<F> {
    /// Deliver the part of the file at `chain` that `reader` reads, starting at `offset`.
    pub(crate) fn file<E>(
        &mut self,
        chain: &NestedPath,
        reader: &mut dyn Read,
        offset: u64,
    ) -> Result<(), E>
    where
        F: FnMut(Item<'_>) -> Result<Flow, E>,
        E: From<LayerError>,
    {
        self.emit(Item::File(Member { path: chain, reader, offset }))
    }

    /// Fail with the layer stream's error if it failed.
    pub(crate) fn check_outer<E: From<LayerError>>(&self) -> Result<(), E> {
        match self.outer.take_failure() {
            Some((offset, source)) => Err(E::from(LayerError::Stream { offset, source })),
            None => Ok(()),
        }
    }

    fn emit<E>(&mut self, item: Item<'_>) -> Result<(), E>
    where
        F: FnMut(Item<'_>) -> Result<Flow, E>,
        E: From<LayerError>,
    {
        let res = (self.visit)(item);
        self.check_outer()?;
        if res? == Flow::Stop {
            self.stopped = true;
        }
        Ok(())
    }

    /// Deliver a notice.
    pub(crate) fn notice<E>(&mut self, path: NestedPath, reason: NoticeReason) -> Result<(), E>
    where
        F: FnMut(Item<'_>) -> Result<Flow, E>,
        E: From<LayerError>,
    {
        self.emit(Item::Notice(Notice { path, reason }))
    }

    /// Deliver a notice for an I/O error of a nested stream. The original error is taken
    /// from the nested `tap` when it failed (the parser only saw a stand-in), and the layer
    /// stream's failure wins over both.
    pub(crate) fn notice_io<E>(
        &mut self,
        path: NestedPath,
        tap: &TapState,
        err: io::Error,
    ) -> Result<(), E>
    where
        F: FnMut(Item<'_>) -> Result<Flow, E>,
        E: From<LayerError>,
    {
        self.check_outer()?;
        let err = tap.take_failure().map_or(err, |(_, orig)| orig);
        self.notice(path, NoticeReason::from_io(&err))
    }
}

/// A reader that never fails: errors and the size limit end it early, and are kept for a
/// notice.
struct Safe<'r> {
    inner: &'r mut dyn Read,
    limit: u64,
    read: u64,
    error: Option<io::Error>,
    truncated: bool,
}

impl Read for Safe<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.error.is_some() || self.truncated || buf.is_empty() {
            return Ok(0);
        }
        if self.read >= self.limit {
            // At the limit: one more byte tells "exactly the limit" from "too large".
            let mut probe = [0u8; 1];
            match read_up_to(&mut *self.inner, &mut probe) {
                Ok(0) => {}
                Ok(_) => self.truncated = true,
                Err(e) => self.error = Some(e),
            }
            return Ok(0);
        }
        let max = usize::try_from(self.limit - self.read).unwrap_or(usize::MAX).min(buf.len());
        loop {
            match self.inner.read(&mut buf[..max]) {
                Ok(n) => {
                    self.read += n as u64;
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.error = Some(e);
                    return Ok(0);
                }
            }
        }
    }
}

/// Deliver (or open) the content at `chain`, reading at most `limit` bytes of it.
pub(crate) fn walk_any<F, E>(
    ctx: &mut Ctx<F>,
    chain: &mut NestedPath,
    reader: &mut dyn Read,
    limit: u64,
) -> Result<(), E>
where
    F: FnMut(Item<'_>) -> Result<Flow, E>,
    E: From<LayerError>,
{
    let mut safe = Safe { inner: reader, limit, read: 0, error: None, truncated: false };
    let mut head = [0u8; NESTED_SNIFF_LEN];
    let n = read_up_to(&mut safe, &mut head).unwrap_or(0);
    {
        let mut joined = Cursor::new(&head[..n]).chain(&mut safe);
        match NestedKind::sniff(&head[..n]) {
            Some(kind) if chain.depth() < ctx.limits.max_depth as usize => {
                open(ctx, chain, kind, &mut joined)?;
            }
            Some(_) => {
                let max_depth = ctx.limits.max_depth;
                ctx.notice(chain.clone(), NoticeReason::DepthLimit { max_depth })?;
                if !ctx.stopped {
                    ctx.emit(Item::File(Member { path: &*chain, reader: &mut joined, offset: 0 }))?;
                }
            }
            None if chain.depth() < ctx.limits.max_depth as usize => {
                crate::zip::walk_prefixed(ctx, chain, &mut joined)?;
            }
            None => {
                ctx.emit(Item::File(Member { path: &*chain, reader: &mut joined, offset: 0 }))?;
            }
        }
    }
    ctx.check_outer()?;
    if let Some(e) = safe.error.take() {
        // A stand-in means the archive parser above us reports the original error.
        let stand_in = e.get_ref().is_some_and(|p| p.is::<StreamFailed>());
        if !stand_in && !ctx.stopped {
            ctx.notice(chain.clone(), NoticeReason::from_io(&e))?;
        }
    }
    if safe.truncated && !ctx.stopped {
        ctx.notice(chain.clone(), NoticeReason::MemberSizeLimit { limit })?;
    }
    Ok(())
}

/// Open an archive whose members go one level deeper than `chain`.
fn open<F, E>(
    ctx: &mut Ctx<F>,
    chain: &mut NestedPath,
    kind: NestedKind,
    reader: &mut dyn Read,
) -> Result<(), E>
where
    F: FnMut(Item<'_>) -> Result<Flow, E>,
    E: From<LayerError>,
{
    match kind {
        NestedKind::Tar => walk_tar(ctx, chain, reader),
        NestedKind::Zip => crate::zip::walk_zip(ctx, chain, reader),
        NestedKind::Gzip => walk_compressed(ctx, chain, Compression::Gzip, reader),
        NestedKind::Zstd => walk_compressed(ctx, chain, Compression::Zstd, reader),
    }
}

fn walk_compressed<F, E>(
    ctx: &mut Ctx<F>,
    chain: &mut NestedPath,
    compression: Compression,
    reader: &mut dyn Read,
) -> Result<(), E>
where
    F: FnMut(Item<'_>) -> Result<Flow, E>,
    E: From<LayerError>,
{
    let (tap, state) = Tap::new(reader);
    // Each member below is limited on its own; the ratio guard bounds the whole stream.
    let mut dec = match Decompressor::new(tap, compression, &ctx.limits) {
        Ok(d) => d.with_max_bytes(u64::MAX),
        Err(e) => return ctx.notice_io(chain.clone(), &state, e),
    };
    let mut head = [0u8; NESTED_SNIFF_LEN];
    let n = match read_up_to(&mut dec, &mut head) {
        Ok(n) => n,
        Err(e) => return ctx.notice_io(chain.clone(), &state, e),
    };
    let mut joined = Cursor::new(&head[..n]).chain(&mut dec);
    if NestedKind::sniff(&head[..n]) == Some(NestedKind::Tar) {
        return walk_tar(ctx, chain, &mut joined);
    }
    let name = inner_name(chain.last());
    chain.push(name);
    let limit = ctx.limits.max_member_bytes;
    let res = walk_any(ctx, chain, &mut joined, limit);
    let member = chain.clone();
    chain.pop();
    res?;
    if let Some((_, e)) = state.take_failure() {
        ctx.notice_io(member, &state, e)?;
    }
    Ok(())
}

/// The name of the single file inside `name.gz` (or `.zst`, …), for its path segment.
fn inner_name(outer: &[u8]) -> BString {
    let name = crate::path::file_name(outer);
    let lower = name.to_ascii_lowercase();
    for (suffix, replacement) in [
        (&b".tgz"[..], &b".tar"[..]),
        (b".tzst", b".tar"),
        (b".gz", b""),
        (b".gzip", b""),
        (b".zst", b""),
        (b".zstd", b""),
        (b".z", b""),
    ] {
        if lower.ends_with(suffix) && lower.len() > suffix.len() {
            let mut v = name[..name.len() - suffix.len()].to_vec();
            v.extend_from_slice(replacement);
            return BString::from(v);
        }
    }
    if name.is_empty() { BString::from("data") } else { BString::from(name) }
}

fn walk_tar<F, E>(ctx: &mut Ctx<F>, chain: &mut NestedPath, reader: &mut dyn Read) -> Result<(), E>
where
    F: FnMut(Item<'_>) -> Result<Flow, E>,
    E: From<LayerError>,
{
    let (tap, state) = Tap::new(reader);
    let mut tar = TarReader::new(tap, ctx.limits.max_member_bytes, &ctx.limits);
    while !ctx.stopped {
        let meta = match tar.next_entry() {
            Ok(Some(meta)) => meta,
            Ok(None) => break,
            Err(e) => return ctx.notice_io(chain.clone(), &state, e),
        };
        if !meta.issues.is_empty() {
            let mut at = chain.clone();
            at.push(meta.path.clone().into_bstring());
            for issue in &meta.issues {
                ctx.notice(at.clone(), NoticeReason::Entry(*issue))?;
            }
        }
        if !meta.has_content() {
            continue;
        }
        chain.push(meta.path.into_bstring());
        let limit = ctx.limits.max_member_bytes;
        let res = walk_any(ctx, chain, &mut tar.content(), limit);
        let member = chain.clone();
        chain.pop();
        res?;
        if let Some((_, e)) = state.take_failure() {
            return ctx.notice_io(member, &state, e);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inner_names() {
        assert_eq!(inner_name(b"a/b/log.txt.gz"), "log.txt");
        assert_eq!(inner_name(b"x.TGZ"), "x.tar");
        assert_eq!(inner_name(b"blob"), "blob");
        assert_eq!(inner_name(b".gz"), ".gz");
        assert_eq!(inner_name(b"data.zst"), "data");
    }

    #[test]
    fn sniff_tar_magic() {
        let mut block = [0u8; 512];
        block[257..262].copy_from_slice(b"ustar");
        assert_eq!(NestedKind::sniff(&block), Some(NestedKind::Tar));
        assert_eq!(NestedKind::sniff(&block[..261]), None);
        assert_eq!(NestedKind::sniff(b"PK\x05\x06"), Some(NestedKind::Zip));
    }
}
