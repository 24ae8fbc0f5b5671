//! [`JsonError`]: a JSON parse error that never quotes the input.

use std::fmt;

/// Why a JSON document could not be parsed, and where, without any of its text.
///
/// `serde_json` messages quote the offending value (`invalid type: string "…", expected a
/// sequence`, ``unknown variant `…` ``); a document can hold a secret exactly there, so the
/// quoted part is dropped and only the kind of error, what was expected and the position
/// are kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError(Box<Parts>);

/// Kept behind a box so that errors holding a [`JsonError`] stay small.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Parts {
    message: String,
    line: usize,
    column: usize,
}

impl JsonError {
    /// The error of `serde_json`, with its quoted input removed.
    pub(crate) fn new(e: &serde_json::Error) -> JsonError {
        let full = e.to_string();
        let position = format!(" at line {} column {}", e.line(), e.column());
        let message = full.strip_suffix(&position).unwrap_or(&full);
        JsonError(Box::new(Parts {
            message: without_quotes(message),
            line: e.line(),
            column: e.column(),
        }))
    }

    /// The message, without position.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The line (1-based) where parsing stopped.
    pub fn line(&self) -> usize {
        self.0.line
    }

    /// The column (1-based) where parsing stopped.
    pub fn column(&self) -> usize {
        self.0.column
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at line {} column {}", self.0.message, self.0.line, self.0.column)
    }
}

impl std::error::Error for JsonError {}

/// `invalid type: string "s3cret", expected a sequence` → `invalid type: string …,
/// expected a sequence`: everything from the first quote to the last `, expected` (which
/// the schema, not the input, wrote) is replaced by `…`.
fn without_quotes(message: &str) -> String {
    let Some(start) = message.find(['"', '`', '\'']) else {
        return message.chars().filter(|c| !c.is_control()).collect();
    };
    let tail = match message.rfind(", expected ") {
        Some(at) if at > start => &message[at..],
        _ => "",
    };
    // What follows `, expected` is from the schema, but a quoted field name inside it
    // could still be the input's: keep it only when it holds no quote of the input kind.
    let tail = if tail.contains('"') { "" } else { tail };
    let mut out: String = message[..start].chars().filter(|c| !c.is_control()).collect();
    out.push('…');
    out.push_str(tail);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_input_is_dropped() {
        let e = serde_json::from_str::<Vec<String>>(r#""ghp_s3cret""#).unwrap_err();
        let text = JsonError::new(&e).to_string();
        assert!(!text.contains("s3cret"), "{text}");
        assert!(text.contains("invalid type") && text.contains("expected a sequence"), "{text}");
        assert!(text.ends_with("line 1 column 12"), "{text}");
    }
}
