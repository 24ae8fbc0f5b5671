//! Error messages with their causes, for issues.

use std::error::Error;

/// `error: cause: cause…`, without repeating a cause that the message already ends with.
///
/// Errors of this pipeline's dependencies never include file contents (they describe
/// formats, offsets and digests), so the result is safe to show.
pub(crate) fn describe(e: &(dyn Error + 'static)) -> String {
    let mut msg = e.to_string();
    let mut cur = e.source();
    let mut depth = 0;
    while let Some(c) = cur {
        if depth > 16 {
            break;
        }
        let s = c.to_string();
        if !s.is_empty() && !msg.ends_with(&s) {
            msg.push_str(": ");
            msg.push_str(&s);
        }
        cur = c.source();
        depth += 1;
    }
    msg
}
