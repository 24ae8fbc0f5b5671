//! [`Secret`]: a secret value that does not print itself.

use std::fmt;

use crate::redact::redact;

/// A secret value found by a scan.
///
/// `Debug` and `Display` show only the redacted form ([`redact`]); the bytes are reached
/// only through the explicit [`Secret::expose`], so a stray `{:?}` in a log never leaks one.
///
/// # Example
///
/// ```
/// use layerleak_report::Secret;
///
/// let s = Secret::new(b"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".to_vec());
/// assert_eq!(s.to_string(), "ghp_…[40 bytes]");
/// assert_eq!(format!("{s:?}"), "Secret(ghp_…[40 bytes])");
/// assert_eq!(s.expose(), b"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");
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// Wraps a secret value.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Secret {
        Secret(bytes.into())
    }

    /// The secret's bytes. Call only to show the value on explicit request
    /// (`--show-secrets`) or to compare and hash it.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// The secret as text, lossily decoded from UTF-8. Same caveat as [`Secret::expose`].
    pub fn expose_lossy(&self) -> String {
        String::from_utf8_lossy(&self.0).into_owned()
    }

    /// The redacted form, as [`Display`](fmt::Display) shows it.
    pub fn redacted(&self) -> String {
        redact(&self.0)
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the value is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({})", self.redacted())
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}
