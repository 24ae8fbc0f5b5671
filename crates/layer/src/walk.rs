//! The streaming tar walk over a layer.

use std::io::{self, Read};

use crate::compression::decompress;
use crate::entry::Entry;
use crate::error::LayerError;
use crate::limits::Limits;
use crate::tap::{Tap, TapState};
use crate::tar_reader::TarReader;

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
/// The tar is read as container runtimes read it (Go's `archive/tar`): header-only types
/// (links, devices, directories, FIFOs) have no data whatever size they declare, and
/// extension records count whatever the header's magic. GNU long names and links and PAX
/// headers are honoured; GNU sparse files and PAX sparse files (formats 0.0, 0.1, 1.0) are
/// read as their data, each hole delivered as at most
/// [`Limits::sparse_hole_bytes`](crate::Limits::sparse_hole_bytes) zeros (see
/// [`EntryMeta::file_offset`](crate::EntryMeta::file_offset)); other PAX sparse files are
/// flagged with [`EntryIssue::PaxSparse`](crate::EntryIssue::PaxSparse).
///
/// Memory does not depend on the input: extension records are read into memory only up to
/// [`MAX_LONG_NAME_BYTES`](crate::MAX_LONG_NAME_BYTES) (GNU long names and links),
/// [`MAX_PAX_BYTES`](crate::MAX_PAX_BYTES) (PAX headers) and
/// [`MAX_SPARSE_SEGMENTS`](crate::MAX_SPARSE_SEGMENTS) (sparse maps); a larger one ends the
/// walk with a [`LayerError::Tar`] at its header whose cause is a
/// [`RecordTooLarge`](crate::RecordTooLarge).
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
pub fn walk<R, F, E>(reader: R, visit: F) -> Result<WalkSummary, E>
where
    R: Read,
    F: FnMut(Entry<'_>) -> Result<Flow, E>,
    E: From<LayerError>,
{
    walk_limited(reader, &Limits::default(), visit)
}

/// [`walk`] under `limits`: entries declaring more than [`Limits::max_layer_bytes`] are
/// flagged, holes of sparse files are shortened to [`Limits::sparse_hole_bytes`].
pub(crate) fn walk_limited<R, F, E>(
    reader: R,
    limits: &Limits,
    mut visit: F,
) -> Result<WalkSummary, E>
where
    R: Read,
    F: FnMut(Entry<'_>) -> Result<Flow, E>,
    E: From<LayerError>,
{
    let (tap, state) = Tap::new(reader);
    let mut tar = TarReader::new(tap, limits.max_layer_bytes, limits);
    let mut summary = WalkSummary::default();
    while let Some(meta) = tar.next_entry().map_err(|e| E::from(classify(&state, e)))? {
        summary.entries += 1;
        let flow = visit(Entry { meta, reader: &mut tar.content() });
        if let Some((offset, source)) = state.take_failure() {
            return Err(E::from(LayerError::Stream { offset, source }));
        }
        if flow? == Flow::Stop {
            summary.stopped = true;
            summary.tar_bytes = state.pos();
            return Ok(summary);
        }
    }
    summary.tar_bytes = state.pos();
    let mut tap = tar.into_inner();
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
    walk_limited(reader, limits, visit)
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
