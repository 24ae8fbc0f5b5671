//! The streaming tar walk over a layer.

use std::io::{self, Read};

use tar::EntryType;

use crate::compression::decompress;
use crate::entry::{Entry, EntryIssue, EntryKind, EntryMeta};
use crate::error::LayerError;
use crate::limits::Limits;
use crate::path::EntryPath;
use crate::tap::{Tap, TapState};
use crate::whiteout::Whiteout;

/// What a visitor wants after an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Go on with the next entry.
    Continue,
    /// Stop the walk now (the rest of the stream is not read).
    Stop,
}

/// What a completed walk saw.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct WalkSummary {
    /// Entries delivered to the visitor (GNU/PAX extension records are not entries).
    pub entries: u64,
    /// Bytes of the uncompressed stream up to and including the first end-of-archive
    /// block (or up to where the visitor stopped).
    pub tar_bytes: u64,
    /// Bytes after the first end-of-archive block (the second zero block and any record
    /// padding). They were read, so a digest-verifying source below saw the whole blob.
    pub trailing_bytes: u64,
    /// How many of the trailing bytes are not zero. Non-zero data after the end of the
    /// archive is invisible to a runtime but present in the blob: worth a notice.
    pub trailing_nonzero_bytes: u64,
    /// Whether the visitor stopped the walk with [`Flow::Stop`].
    pub stopped: bool,
}

/// Walk the entries of an uncompressed tar stream, calling `visit` for each, **in order**.
///
/// Entries are delivered in the order they appear in the archive, and each entry's content
/// is only readable inside its `visit` call: the stream is read once, front to back, and
/// never buffered whole (this is the same contract as `tar::Archive::entries`). A layer can
/// contain the same path twice; the later entry wins when the layer is applied.
///
/// GNU long names and links and PAX headers are honoured (paths come from the long-name
/// aware accessors), GNU sparse files are expanded (holes read as zeros), and PAX sparse
/// files are flagged with [`EntryIssue::PaxSparse`].
///
/// After the end-of-archive marker, the rest of the stream is read and counted
/// ([`WalkSummary::trailing_bytes`]) so that a verifying reader below reaches EOF.
///
/// # Errors
///
/// The walk stops at the first error, after every earlier entry was delivered:
/// - [`LayerError::Tar`] for a corrupt tar structure, with the offset of the bad block;
/// - [`LayerError::Stream`] when `reader` fails (a corrupt or truncated compressed stream, a
///   limit, a source error), with the uncompressed offset. If the stream fails while the
///   visitor reads an entry, this is returned *instead of* the visitor's own error, which is
///   only a consequence;
/// - the visitor's own error, as is.
///
/// # Example
///
/// ```
/// use layerleak_layer::{walk, Flow, LayerError};
///
/// let mut b = tar::Builder::new(Vec::new());
/// let mut h = tar::Header::new_gnu();
/// h.set_size(3);
/// h.set_cksum();
/// b.append_data(&mut h, "./etc/motd", &b"hi\n"[..])?;
/// let layer = b.into_inner()?;
///
/// let mut paths = Vec::new();
/// walk(&layer[..], |entry| {
///     paths.push(entry.path().as_bstr().to_owned());
///     Ok::<_, LayerError>(Flow::Continue)
/// })?;
/// assert_eq!(paths, ["etc/motd"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn walk<R, F, E>(reader: R, mut visit: F) -> Result<WalkSummary, E>
where
    R: Read,
    F: FnMut(Entry<'_>) -> Result<Flow, E>,
    E: From<LayerError>,
{
    let (tap, state) = Tap::new(reader);
    let mut archive = tar::Archive::new(tap);
    let mut summary = WalkSummary::default();
    {
        let entries = archive.entries().map_err(|e| E::from(classify(&state, e)))?;
        for item in entries {
            let mut te = item.map_err(|e| E::from(classify(&state, e)))?;
            let meta = meta_of(&mut te);
            summary.entries += 1;
            let flow = visit(Entry { meta, reader: &mut te });
            if let Some((offset, source)) = state.take_failure() {
                return Err(E::from(LayerError::Stream { offset, source }));
            }
            if flow? == Flow::Stop {
                summary.stopped = true;
                summary.tar_bytes = state.pos();
                return Ok(summary);
            }
        }
    }
    summary.tar_bytes = state.pos();
    let mut tap = archive.into_inner();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match tap.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                summary.trailing_bytes += n as u64;
                summary.trailing_nonzero_bytes +=
                    buf[..n].iter().filter(|&&b| b != 0).count() as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(E::from(classify(&state, e))),
        }
    }
    Ok(summary)
}

/// Sniff the compression of a layer blob, decompress it under `limits`, and [`walk`] it.
///
/// # Errors
///
/// As [`walk`]; a failure to read the first bytes is a [`LayerError::Stream`] at offset 0.
pub fn walk_layer<R, F, E>(blob: R, limits: &Limits, visit: F) -> Result<WalkSummary, E>
where
    R: Read,
    F: FnMut(Entry<'_>) -> Result<Flow, E>,
    E: From<LayerError>,
{
    let reader = decompress(blob, limits)
        .map_err(|source| E::from(LayerError::Stream { offset: 0, source }))?;
    walk(reader, visit)
}

/// Turn an error of the tar reader into a [`LayerError`]: the stream's own error if the
/// stream failed, else a tar format error at the current block.
fn classify(state: &TapState, e: io::Error) -> LayerError {
    match state.take_failure() {
        Some((offset, source)) => LayerError::Stream { offset, source },
        None => LayerError::Tar { offset: block_start(state.pos()), source: e },
    }
}

/// The start of the 512-byte block that contains the last byte read.
fn block_start(pos: u64) -> u64 {
    pos.saturating_sub(1) / 512 * 512
}

pub(crate) fn meta_of<R: Read>(te: &mut tar::Entry<'_, R>) -> EntryMeta {
    let raw_path = te.path_bytes().into_owned();
    let path = EntryPath::new(&raw_path);
    let header = te.header();
    let et = header.entry_type();
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
    let mode = header.mode().unwrap_or(0);
    let link_target = te.link_name_bytes().map(|t| match kind {
        EntryKind::Hardlink => EntryPath::new(&t).into_bstring(),
        _ => t.into_owned().into(),
    });
    let mut issues = Vec::new();
    if path.was_absolute() {
        issues.push(EntryIssue::AbsolutePath);
    }
    if path.has_parent_components() {
        issues.push(EntryIssue::ParentComponent);
    }
    if let Ok(Some(exts)) = te.pax_extensions()
        && exts.flatten().any(|ext| ext.key_bytes().starts_with(b"GNU.sparse."))
    {
        issues.push(EntryIssue::PaxSparse);
    }
    let whiteout = Whiteout::parse(path.as_bytes());
    EntryMeta {
        whiteout,
        kind,
        size: te.size(),
        mode,
        link_target,
        header_offset: te.raw_header_position(),
        issues,
        path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_start_rounds_down() {
        assert_eq!(block_start(0), 0);
        assert_eq!(block_start(512), 0);
        assert_eq!(block_start(513), 512);
        assert_eq!(block_start(1024), 512);
    }
}
