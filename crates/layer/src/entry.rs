//! One member of a layer's tar stream.

use std::fmt;
use std::io::{self, Read};

use bstr::{BStr, BString, ByteSlice};

use crate::path::EntryPath;
use crate::whiteout::Whiteout;

/// The type of a tar entry, reduced to what a scanner needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EntryKind {
    /// A regular file (including contiguous files and sparse files, whose holes are
    /// delivered shortened: see [`EntryMeta::file_offset`]). The only kind whose content is
    /// worth scanning.
    File,
    /// A directory.
    Dir,
    /// A symbolic link; [`EntryMeta::link_target`] is the target, verbatim. No content.
    Symlink,
    /// A hard link to an earlier entry of the same archive; [`EntryMeta::link_target`] is
    /// that entry's normalised path. No content: the bytes were delivered with the target,
    /// so a scanner never scans them twice.
    Hardlink,
    /// Anything else (FIFO, character or block device, unknown types), with the raw tar
    /// type byte.
    Other(u8),
}

/// Something odd about an entry that a caller may want to report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EntryIssue {
    /// The name started with `/`.
    AbsolutePath,
    /// The name contains `..` (path traversal). The content is still delivered.
    ParentComponent,
    /// The entry has PAX sparse records (`GNU.sparse.*`) of a format that cannot be
    /// expanded (an unknown major version, a missing size, an invalid map): the content is
    /// delivered in its stored form (data blocks, possibly preceded by the sparse map), so
    /// it is still scanned, but offsets and the name may not be the file's. Formats 0.0,
    /// 0.1 and 1.0 are expanded like GNU sparse files and raise no issue.
    PaxSparse,
    /// An entry that has no content by its kind (a whiteout, an unknown type) stores data
    /// in the archive anyway. A runtime reads past it without extracting it, but it is in
    /// the blob: it is delivered as content and scanned.
    UnexpectedData,
    /// An entry of a header-only type (hard link, symlink, device, directory, FIFO)
    /// declares `declared` bytes of data. Container runtimes (Go's `archive/tar`) and
    /// Python's `tarfile` ignore that size and read the next block as a header, and so does
    /// this walk; readers that honour the size (GNU tar, the `tar` crate) skip those bytes,
    /// and the entries in them ([`EntryIssue::InIgnoredData`]).
    SizeIgnored {
        /// The size the header declares.
        declared: u64,
    },
    /// This entry lies within the data that the header-only entry whose header is at
    /// offset `by` declared ([`EntryIssue::SizeIgnored`]): a runtime extracts it, a reader
    /// that honours that size does not see it. It is walked as a runtime reads it.
    InIgnoredData {
        /// The header offset of the entry that declared the ignored data.
        by: u64,
    },
    /// The entry declares a size over the walk's limit
    /// ([`Limits::max_layer_bytes`](crate::Limits::max_layer_bytes) for a layer,
    /// [`Limits::max_member_bytes`](crate::Limits::max_member_bytes) for a nested tar).
    /// A sparse file's data segments are still delivered (its holes are zeros); a regular
    /// file's data is read until the stream's own limit stops it.
    SizeOverLimit {
        /// The size the header declares (a sparse file's real size).
        declared: u64,
        /// The limit.
        limit: u64,
    },
}

/// Where the delivered bytes of a sparse file lie in the file: holes are delivered
/// shortened ([`Limits::sparse_hole_bytes`](crate::Limits::sparse_hole_bytes)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SparseMap {
    /// For each segment (data or hole), in order: its delivered and its file offset.
    pub(crate) starts: Vec<(u64, u64)>,
    /// Bytes delivered in all.
    pub(crate) delivered_len: u64,
}

impl SparseMap {
    pub(crate) fn delivered_len(&self) -> u64 {
        self.delivered_len
    }

    fn file_offset(&self, delivered: u64) -> u64 {
        let i = self.starts.partition_point(|&(d, _)| d <= delivered);
        match i.checked_sub(1).map(|i| self.starts[i]) {
            Some((d, f)) => f.saturating_add(delivered - d),
            None => delivered,
        }
    }
}

/// Everything known about an entry except its content (cheap to clone and keep).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryMeta {
    pub(crate) path: EntryPath,
    pub(crate) kind: EntryKind,
    pub(crate) size: u64,
    pub(crate) mode: u32,
    pub(crate) link_target: Option<BString>,
    pub(crate) whiteout: Option<Whiteout>,
    pub(crate) header_offset: u64,
    pub(crate) issues: Vec<EntryIssue>,
    /// Bytes the content delivers.
    pub(crate) content_len: u64,
    /// For a sparse file, where the delivered bytes lie in the file.
    pub(crate) sparse: Option<SparseMap>,
}

impl EntryMeta {
    /// The normalised path (GNU and PAX long names are honoured).
    #[must_use]
    pub fn path(&self) -> &EntryPath {
        &self.path
    }

    /// The entry type.
    #[must_use]
    pub fn kind(&self) -> EntryKind {
        self.kind
    }

    /// The file's size in bytes, after PAX `size` overrides; a sparse file's real size
    /// (holes included); 0 for a header-only type (see [`EntryIssue::SizeIgnored`]).
    #[must_use]
    pub fn size(&self) -> u64 {
        self.size
    }

    /// How many bytes reading the content delivers: [`EntryMeta::size`], except for a
    /// sparse file, whose holes are delivered shortened (see [`EntryMeta::file_offset`]),
    /// and an entry that stores data it should not have ([`EntryIssue::UnexpectedData`]).
    #[must_use]
    pub fn content_len(&self) -> u64 {
        self.content_len
    }

    /// Whether this is a sparse file (its holes are delivered shortened).
    #[must_use]
    pub fn is_sparse(&self) -> bool {
        self.sparse.is_some()
    }

    /// The offset in the file of the content byte delivered at `delivered`: the same
    /// offset, except in a sparse file, whose holes are delivered as at most
    /// [`Limits::sparse_hole_bytes`](crate::Limits::sparse_hole_bytes) zeros.
    #[must_use]
    pub fn file_offset(&self, delivered: u64) -> u64 {
        self.sparse.as_ref().map_or(delivered, |m| m.file_offset(delivered))
    }

    /// The permission bits (0 if the header's field is unreadable).
    #[must_use]
    pub fn mode(&self) -> u32 {
        self.mode
    }

    /// The link target: verbatim for a symlink, normalised for a hard link.
    #[must_use]
    pub fn link_target(&self) -> Option<&BStr> {
        self.link_target.as_ref().map(|t| t.as_bstr())
    }

    /// The whiteout this entry stands for, if it is one. A whiteout entry is empty; its
    /// *name* deletes something from lower layers.
    #[must_use]
    pub fn whiteout(&self) -> Option<&Whiteout> {
        self.whiteout.as_ref()
    }

    /// Whether this is a `.wh.NAME` whiteout.
    #[must_use]
    pub fn is_whiteout(&self) -> bool {
        matches!(self.whiteout, Some(Whiteout::File(_)))
    }

    /// Whether this is a `.wh..wh..opq` opaque-directory marker.
    #[must_use]
    pub fn is_opaque_whiteout(&self) -> bool {
        matches!(self.whiteout, Some(Whiteout::Opaque(_)))
    }

    /// Whether the content should be scanned: a regular file that is not a whiteout, or
    /// any entry that stores data ([`EntryIssue::UnexpectedData`], a PAX global header).
    #[must_use]
    pub fn has_content(&self) -> bool {
        (self.kind == EntryKind::File && self.whiteout.is_none())
            || self.issues.contains(&EntryIssue::UnexpectedData)
            || (self.kind == EntryKind::Other(b'g') && self.size > 0)
    }

    /// Offset of the entry's header in the uncompressed tar stream (for a long name, the
    /// header that follows the GNU/PAX extension records).
    #[must_use]
    pub fn header_offset(&self) -> u64 {
        self.header_offset
    }

    /// Oddities worth reporting (see [`EntryIssue`]); empty for a normal entry.
    #[must_use]
    pub fn issues(&self) -> &[EntryIssue] {
        &self.issues
    }
}

/// An entry of a layer, delivered by [`walk`](crate::walk()), with its content as a stream.
///
/// `Entry` implements [`Read`]: reading yields the entry's data, at most
/// [`size`](EntryMeta::size) bytes, straight from the layer stream (never buffered whole).
/// The data is only available while the visitor runs; whatever the visitor does not read is
/// skipped when it returns.
///
/// Only [`EntryKind::File`] entries carry content (see [`EntryMeta::has_content`]).
pub struct Entry<'a> {
    pub(crate) meta: EntryMeta,
    pub(crate) reader: &'a mut dyn Read,
}

impl<'a> Entry<'a> {
    /// The entry's metadata.
    #[must_use]
    pub fn meta(&self) -> &EntryMeta {
        &self.meta
    }

    /// Shortcut for `self.meta().path()`.
    #[must_use]
    pub fn path(&self) -> &EntryPath {
        &self.meta.path
    }

    /// Shortcut for `self.meta().kind()`.
    #[must_use]
    pub fn kind(&self) -> EntryKind {
        self.meta.kind
    }

    /// Shortcut for `self.meta().whiteout()`.
    #[must_use]
    pub fn whiteout(&self) -> Option<&Whiteout> {
        self.meta.whiteout.as_ref()
    }

    /// Split into the metadata and the content reader.
    pub fn into_parts(self) -> (EntryMeta, &'a mut dyn Read) {
        (self.meta, self.reader)
    }
}

impl Read for Entry<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.reader.read(buf)
    }
}

impl fmt::Debug for Entry<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Entry").field("meta", &self.meta).finish_non_exhaustive()
    }
}
