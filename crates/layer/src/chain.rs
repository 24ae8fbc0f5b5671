//! Locations inside nested archives: `app/app.jar!/BOOT-INF/lib/inner.jar!/application.yml`.

use std::fmt;

use bstr::{BStr, BString, ByteSlice};

/// The separator between an archive and a path inside it.
pub const NESTED_SEPARATOR: &str = "!/";

/// A location that may lie inside nested archives: the layer path, then the path inside each
/// enclosing archive.
///
/// Displayed (and [`to_bstring`](NestedPath::to_bstring)-ed) with `!/` between segments, the
/// convention of Java's `jar:` URLs:
///
/// ```
/// use layerleak_layer::NestedPath;
/// let mut p = NestedPath::new("app/app.jar");
/// p.push("BOOT-INF/lib/inner.jar");
/// p.push("application.yml");
/// assert_eq!(p.to_string(), "app/app.jar!/BOOT-INF/lib/inner.jar!/application.yml");
/// assert_eq!(p.depth(), 2);
/// assert_eq!(p.layer_path(), "app/app.jar");
/// ```
///
/// The first segment is never empty-checked: it is whatever path the caller started from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NestedPath {
    segments: Vec<BString>,
}

impl NestedPath {
    /// A path with only its layer segment.
    #[must_use]
    pub fn new(layer_path: impl Into<BString>) -> Self {
        NestedPath { segments: vec![layer_path.into()] }
    }

    /// Descend into an archive member.
    pub fn push(&mut self, member: impl Into<BString>) {
        self.segments.push(member.into());
    }

    /// Go back to the enclosing archive. The layer segment is never removed.
    pub fn pop(&mut self) -> Option<BString> {
        if self.segments.len() > 1 { self.segments.pop() } else { None }
    }

    /// How many archive boundaries the path crosses (0 for a plain layer file).
    #[must_use]
    pub fn depth(&self) -> usize {
        self.segments.len() - 1
    }

    /// The path in the layer (the outermost segment).
    #[must_use]
    pub fn layer_path(&self) -> &BStr {
        self.segments[0].as_bstr()
    }

    /// The innermost segment (the member name, or the layer path at depth 0).
    #[must_use]
    pub fn last(&self) -> &BStr {
        self.segments[self.segments.len() - 1].as_bstr()
    }

    /// All segments, outermost first.
    #[must_use]
    pub fn segments(&self) -> &[BString] {
        &self.segments
    }

    /// The formatted chain as bytes (lossless, unlike [`Display`](fmt::Display) for
    /// non-UTF-8 names).
    #[must_use]
    pub fn to_bstring(&self) -> BString {
        let mut out = Vec::new();
        for (i, s) in self.segments.iter().enumerate() {
            if i > 0 {
                out.extend_from_slice(NESTED_SEPARATOR.as_bytes());
            }
            out.extend_from_slice(s);
        }
        BString::from(out)
    }
}

impl fmt::Display for NestedPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.segments.iter().enumerate() {
            if i > 0 {
                f.write_str(NESTED_SEPARATOR)?;
            }
            write!(f, "{}", s.as_bstr())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pop_keeps_layer_segment() {
        let mut p = NestedPath::new("a.tgz");
        p.push("x");
        assert_eq!(p.pop(), Some(BString::from("x")));
        assert_eq!(p.pop(), None);
        assert_eq!(p.to_bstring(), "a.tgz");
        assert_eq!(p.last(), "a.tgz");
    }
}
