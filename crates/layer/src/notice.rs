//! Notices: typed reports of data that was not (fully) scanned.

use std::fmt;
use std::io;

use crate::chain::NestedPath;
use crate::entry::EntryIssue;
use crate::error::LimitExceeded;

/// Something that was not fully scanned, and where.
///
/// Delivered to the caller as [`Item::Notice`](crate::Item::Notice), never dropped: the
/// scan pipeline turns each into an incomplete-scan report (exit code 2), except
/// [`NoticeReason::CrcMismatch`], after which everything was still scanned.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Notice {
    /// The location concerned: a member, or an archive whose remaining members were skipped.
    pub path: NestedPath,
    /// Why it was not fully scanned.
    pub reason: NoticeReason,
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.reason)
    }
}

/// Why something was not fully scanned.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NoticeReason {
    /// An archive nested deeper than [`Limits::max_depth`](crate::Limits::max_depth): its raw
    /// bytes were delivered, its members were not opened.
    DepthLimit {
        /// The configured maximum depth.
        max_depth: u32,
    },
    /// A member larger than [`Limits::max_member_bytes`](crate::Limits::max_member_bytes): only
    /// the first `limit` bytes were delivered.
    MemberSizeLimit {
        /// The configured limit, in bytes.
        limit: u64,
    },
    /// A size or ratio guard stopped a nested decompression (a decompression bomb?). What
    /// was decompressed before was delivered; the rest of the archive was not.
    Limit(LimitExceeded),
    /// A feature that cannot be read as a stream: a zip member with an unsupported
    /// compression method, an encrypted member, a stored member whose size is only in its
    /// data descriptor.
    Unsupported {
        /// What is unsupported, in words.
        feature: String,
        /// Whether the rest of the enclosing archive had to be skipped too (the member's
        /// end could not be found without reading it).
        rest_skipped: bool,
    },
    /// A zip member's CRC-32 does not match its content. The content was delivered (and so
    /// scanned) in full, but it is not what the archive's writer stored: the only notice
    /// after which nothing is missing.
    CrcMismatch {
        /// The CRC-32 the archive records (local header or data descriptor).
        expected: u32,
        /// The CRC-32 of the content read.
        actual: u32,
    },
    /// An oddity of an entry of a nested tar (a name with `..`, a header-only type that
    /// declares data, …), as a layer's own entries report it; the entry's content was
    /// delivered as a runtime would read it.
    Entry(EntryIssue),
    /// The nested data is corrupt or truncated: what came before was delivered, the rest of
    /// the archive was not.
    Corrupt {
        /// The kind of the I/O error.
        kind: io::ErrorKind,
        /// A description (the error and its causes, without data).
        message: String,
    },
}

impl fmt::Display for NoticeReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NoticeReason::DepthLimit { max_depth } => {
                write!(f, "archive nested deeper than {max_depth} levels was not opened")
            }
            NoticeReason::MemberSizeLimit { limit } => {
                write!(f, "member larger than {limit} bytes was truncated")
            }
            NoticeReason::Limit(l) => write!(f, "decompression stopped: {l}"),
            NoticeReason::Unsupported { feature, rest_skipped } => {
                write!(f, "not scanned: {feature}")?;
                if *rest_skipped {
                    f.write_str(" (the rest of the archive was skipped)")?;
                }
                Ok(())
            }
            NoticeReason::CrcMismatch { expected, actual } => write!(
                f,
                "CRC-32 mismatch (the archive records {expected:#010x}, the content has {actual:#010x}): the content was scanned as read"
            ),
            NoticeReason::Entry(issue) => write!(f, "tar entry: {issue:?}"),
            NoticeReason::Corrupt { kind, message } => {
                write!(f, "corrupt or truncated data ({kind}): {message}")
            }
        }
    }
}

impl NoticeReason {
    /// Build from an I/O error: a [`LimitExceeded`] anywhere in its chain gives
    /// [`NoticeReason::Limit`], anything else [`NoticeReason::Corrupt`].
    pub(crate) fn from_io(e: &io::Error) -> NoticeReason {
        if let Some(l) = crate::error::find_cause::<LimitExceeded>(e) {
            return NoticeReason::Limit(l.clone());
        }
        NoticeReason::Corrupt { kind: e.kind(), message: chain_message(e) }
    }
}

/// `error: cause: cause`, skipping the stand-ins of [`Tap`](crate::tap).
fn chain_message(e: &io::Error) -> String {
    let mut msg = e.to_string();
    let mut cur: Option<&(dyn std::error::Error + 'static)> =
        e.get_ref().and_then(|inner| inner.source());
    let mut n = 0;
    while let Some(c) = cur {
        if n > 16 {
            break;
        }
        let s = c.to_string();
        if !msg.ends_with(&s) {
            msg.push_str(": ");
            msg.push_str(&s);
        }
        cur = match c.downcast_ref::<io::Error>() {
            Some(io) => io.get_ref().map(|e| e as &(dyn std::error::Error + 'static)),
            None => c.source(),
        };
        n += 1;
    }
    msg
}
