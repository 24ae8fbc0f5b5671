//! What each kind of problem means for the scan: its [`Severity`] and its words.
//!
//! The rule (see [`Severity`]): bytes not scanned, or a location whose provenance may be
//! misreported, make the scan incomplete; an oddity of the image that changed nothing about
//! what was scanned or how it is attributed is a notice.

use layerleak_image::ResolveWarning;
use layerleak_layer::{EntryIssue, Notice, NoticeReason};
use layerleak_report::Severity;

/// The severity and message of a warning raised while resolving an image.
///
/// A count mismatch between layers and `diff_ids` or history entries is incomplete when the
/// best-effort mapping attributed something (a `diff_id` or `created_by` shown for a layer
/// may belong to another one), and a notice when there was nothing to attribute (no
/// `diff_ids`, no history): the locations then simply lack that field.
pub(crate) fn resolve_warning(w: &ResolveWarning) -> (Severity, String) {
    match w {
        ResolveWarning::MalformedConfig { reason, .. } => (
            Severity::Incomplete,
            format!(
                "malformed image config ({reason}): ENV, LABEL, history and build args were not scanned; the layers were"
            ),
        ),
        ResolveWarning::DiffIdCount { diff_ids: 0, layers } => (
            Severity::Notice,
            format!(
                "the image config lists no diff_ids for its {layers} layer(s): locations have no diff_id"
            ),
        ),
        ResolveWarning::DiffIdCount { diff_ids, layers } => (
            Severity::Incomplete,
            format!(
                "the image config lists {diff_ids} diff_ids for {layers} layer(s): the diff_id shown for a layer may be another layer's"
            ),
        ),
        ResolveWarning::HistoryCount { non_empty_entries: 0, layers } => (
            Severity::Notice,
            format!(
                "the image history records none of its {layers} layer(s): locations have no created_by"
            ),
        ),
        ResolveWarning::HistoryCount { non_empty_entries, layers } => (
            Severity::Incomplete,
            format!(
                "the image history records {non_empty_entries} layer-making step(s) for {layers} layer(s): the created_by shown for a layer may be another layer's"
            ),
        ),
        other => (Severity::Incomplete, format!("{other:?}")),
    }
}

/// The severity and message of an oddity of a tar entry (its content was delivered).
pub(crate) fn entry_issue(issue: EntryIssue) -> (Severity, String) {
    match issue {
        EntryIssue::AbsolutePath => (
            Severity::Notice,
            "the tar entry's name is absolute; it was read relative to the root, as runtimes do"
                .to_owned(),
        ),
        EntryIssue::ParentComponent => (
            Severity::Incomplete,
            "the tar entry's name contains `..` (path traversal): its content was scanned, but where it lands (and so its status) depends on the runtime".to_owned(),
        ),
        EntryIssue::PaxSparse => (
            Severity::Incomplete,
            "PAX sparse file of an unsupported format or with an invalid map: its stored data was scanned, but offsets and the name may not be the file's".to_owned(),
        ),
        EntryIssue::UnexpectedData => (
            Severity::Notice,
            "the tar entry is not a regular file (or is a whiteout) but stores data: a runtime ignores it, but it is in the blob and was scanned".to_owned(),
        ),
        EntryIssue::SizeIgnored { declared } => (
            Severity::Notice,
            format!(
                "the tar entry is a link, device, directory or FIFO, a type without data, yet its header declares {declared} bytes: container runtimes (Go's archive/tar) ignore that size and read the next block as a header, and so did this scan; tools that honour the size skip what follows"
            ),
        ),
        EntryIssue::InIgnoredData { by } => (
            Severity::Notice,
            format!(
                "a container runtime extracts this entry, which lies in the data declared by the header-only entry at byte offset {by} of the layer's tar: tools that honour that size skip it; it was scanned as a runtime extracts it"
            ),
        ),
        EntryIssue::SizeOverLimit { declared, limit } => (
            Severity::Incomplete,
            format!(
                "the tar entry declares {declared} bytes, over the limit of {limit} bytes: only what its data holds up to that limit was scanned (a sparse file's holes are zeros and were not expanded)"
            ),
        ),
        other => (Severity::Incomplete, format!("{other:?}")),
    }
}

/// The severity of a notice from a nested archive: incomplete unless its content was
/// scanned in full.
pub(crate) fn notice_severity(notice: &Notice) -> Severity {
    match &notice.reason {
        NoticeReason::CrcMismatch { .. } => Severity::Notice,
        NoticeReason::Entry(issue) => entry_issue(*issue).0,
        _ => Severity::Incomplete,
    }
}

/// What a notice from a nested archive says: an entry oddity in the words a layer's own
/// entries get.
pub(crate) fn notice_reason(notice: &Notice) -> String {
    match &notice.reason {
        NoticeReason::Entry(issue) => entry_issue(*issue).1,
        other => other.to_string(),
    }
}
