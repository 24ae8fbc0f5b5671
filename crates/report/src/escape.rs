//! [`escape_controls`]: text an image chose, made safe to print on a terminal.

use std::borrow::Cow;
use std::fmt::Write as _;

/// `text` with every character that would act on a terminal instead of printing written
/// as a visible escape: line feed, carriage return and tab as `\n`, `\r`, `\t`, other C0
/// controls and DEL as `\x1b`-style escapes, and C1 controls, bidirectional overrides and
/// isolates, the line and paragraph separators and the byte-order mark as `\u{202e}`-style
/// escapes.
///
/// Paths, tags and error messages from an image can hold any of these: raw, they could
/// clear the screen, set the window title, or forge a `status:` line. The text report and
/// everything layerleak writes on stderr go through this; JSON, JSON Lines and SARIF do not
/// need it (their serializer escapes control characters).
///
/// Backslashes are kept as they are, so an escape is readable but not unambiguous.
///
/// # Example
///
/// ```
/// use layerleak_report::escape_controls;
///
/// assert_eq!(escape_controls("a\x1b[2J\r\nb\u{202e}"), r"a\x1b[2J\r\nb\u{202e}");
/// assert_eq!(escape_controls("srv/app.jar!/ü.yml"), "srv/app.jar!/ü.yml");
/// ```
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_dangerous) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str(r"\n"),
            '\r' => out.push_str(r"\r"),
            '\t' => out.push_str(r"\t"),
            c if c.is_ascii_control() => {
                let _ = write!(out, r"\x{:02x}", u32::from(c));
            }
            c if is_dangerous(c) => {
                let _ = write!(out, r"\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Whether `c` is escaped by [`escape_controls`].
fn is_dangerous(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{feff}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_terminal_control_is_escaped_visibly() {
        assert_eq!(escape_controls("\x07\x00\x7f\u{9b}2J"), r"\x07\x00\x7f\u{9b}2J");
        assert_eq!(escape_controls("a\tb"), r"a\tb");
        assert_eq!(escape_controls("\u{2066}x\u{2069}\u{200f}"), r"\u{2066}x\u{2069}\u{200f}");
        let escaped = escape_controls("x\x1b]0;title\x07\r\nstatus: ok");
        assert!(!escaped.chars().any(is_dangerous), "{escaped}");
        assert!(matches!(escape_controls("plain ü/日本"), Cow::Borrowed("plain ü/日本")));
    }

    #[test]
    fn escaping_twice_changes_nothing_more() {
        let once = escape_controls("a\x1bb\nc").into_owned();
        assert_eq!(escape_controls(&once), once);
    }
}
