//! The name a match is assigned to, seen from the bytes before the match.
//!
//! Generic rules start at their keyword (`token`, `secret`…), so the start of the name
//! (`next` in `nextToken`) lies before the match. The stream buffer always holds it: it
//! keeps the longest match of any rule before every keyword it has yet to handle.

/// How many bytes before a match are looked at.
const LOOK_BACK: usize = 24;

/// Words that, right before `token` (`nextToken`, `next_page_token`,
/// `NextContinuationToken`, `pageToken`), name a pagination cursor: an opaque, often
/// base64, value that the API returns and that grants nothing.
const PAGINATION: &[&[u8]] =
    &[b"next", b"page", b"continuation", b"pagination", b"prev", b"previous", b"cursor"];

/// Whether the name ending where a match starts names a pagination cursor. `before`
/// is the stream's bytes before the match (only its last [`LOOK_BACK`] are read), `matched`
/// the match itself, which must start with `token`.
pub(crate) fn is_pagination_key(before: &[u8], matched: &[u8]) -> bool {
    if !matched.get(..5).is_some_and(|w| w.eq_ignore_ascii_case(b"token")) {
        return false;
    }
    let before = &before[before.len().saturating_sub(LOOK_BACK)..];
    let name = before.strip_suffix(b"_").or_else(|| before.strip_suffix(b"-")).unwrap_or(before);
    PAGINATION
        .iter()
        .any(|w| name.len() >= w.len() && name[name.len() - w.len()..].eq_ignore_ascii_case(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pagination_cursors_are_recognised_by_their_name() {
        for (before, matched) in [
            (&b"{\"next"[..], &b"Token\": \"x\""[..]),
            (b"next_page_", b"token = \"x\""),
            (b"  NextContinuation", b"Token: x"),
            (b"\"page", b"Token\": \"x\""),
            (b"\"continuation", b"Token\": \"x\""),
            (b"NEXT_", b"TOKEN=x"),
        ] {
            assert!(is_pagination_key(before, matched), "{}", String::from_utf8_lossy(before));
        }
        for (before, matched) in [
            (&b"export SERVICE_"[..], &b"TOKEN=x"[..]),
            (b"\"access", b"Token\": \"x\""),
            (b"  NextContinuation", b"Secret: x"),
            (b"", b"token: x"),
        ] {
            assert!(!is_pagination_key(before, matched), "{}", String::from_utf8_lossy(before));
        }
    }
}
