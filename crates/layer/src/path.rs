//! Normalisation of archive member paths.

use bstr::{BStr, BString, ByteSlice};

/// A member path made relative and canonical, with a record of the tricks it contained.
///
/// Normalisation is purely lexical (nothing touches a file system):
/// - leading `/` and `./` are stripped, so `/etc/passwd`, `./etc/passwd` and
///   `etc/passwd` are the same path (layers written by different tools differ here);
/// - empty and `.` components are dropped (`a//b/./c` → `a/b/c`), and so is a trailing
///   `/` (directories);
/// - `..` components are **kept** and flagged ([`EntryPath::has_parent_components`]): a
///   runtime refuses or clamps them, so they are a path trick worth reporting, but the
///   content is still delivered and scanned.
///
/// The archive root itself (`./` or `/`) normalises to the empty path.
///
/// Paths are bytes ([`BString`]): tar and zip names need not be UTF-8.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EntryPath {
    normalized: BString,
    absolute: bool,
    parent_components: bool,
}

impl EntryPath {
    /// Normalise a raw member name.
    ///
    /// ```
    /// use layerleak_layer::EntryPath;
    /// let p = EntryPath::new(b"./app//config/./.env");
    /// assert_eq!(p.as_bytes(), b"app/config/.env");
    /// let t = EntryPath::new(b"../../etc/passwd");
    /// assert!(t.has_parent_components());
    /// assert_eq!(t.as_bytes(), b"../../etc/passwd");
    /// ```
    #[must_use]
    pub fn new(raw: &[u8]) -> EntryPath {
        let absolute = raw.first() == Some(&b'/');
        let mut parent_components = false;
        let mut out = Vec::with_capacity(raw.len());
        for comp in raw.split(|&b| b == b'/') {
            match comp {
                b"" | b"." => continue,
                b".." => parent_components = true,
                _ => {}
            }
            if !out.is_empty() {
                out.push(b'/');
            }
            out.extend_from_slice(comp);
        }
        EntryPath { normalized: BString::from(out), absolute, parent_components }
    }

    /// The normalised path.
    #[must_use]
    pub fn as_bstr(&self) -> &BStr {
        self.normalized.as_bstr()
    }

    /// The normalised path as bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.normalized
    }

    /// Whether the raw name started with `/`.
    #[must_use]
    pub fn was_absolute(&self) -> bool {
        self.absolute
    }

    /// Whether the name contains a `..` component (a path-traversal trick).
    #[must_use]
    pub fn has_parent_components(&self) -> bool {
        self.parent_components
    }

    /// The last component (the file name), or the empty string for the root.
    #[must_use]
    pub fn file_name(&self) -> &[u8] {
        file_name(&self.normalized)
    }

    /// The parent directory (empty for a top-level name).
    #[must_use]
    pub fn parent(&self) -> &[u8] {
        parent(&self.normalized)
    }

    /// Consume into the normalised bytes.
    #[must_use]
    pub fn into_bstring(self) -> BString {
        self.normalized
    }
}

/// The last `/`-separated component of a normalised path.
pub(crate) fn file_name(path: &[u8]) -> &[u8] {
    match path.rfind_byte(b'/') {
        Some(i) => &path[i + 1..],
        None => path,
    }
}

/// Everything before the last `/` of a normalised path (empty if none).
pub(crate) fn parent(path: &[u8]) -> &[u8] {
    match path.rfind_byte(b'/') {
        Some(i) => &path[..i],
        None => b"",
    }
}

/// Join a normalised directory and a name.
pub(crate) fn join(dir: &[u8], name: &[u8]) -> BString {
    let mut v = Vec::with_capacity(dir.len() + 1 + name.len());
    v.extend_from_slice(dir);
    if !dir.is_empty() {
        v.push(b'/');
    }
    v.extend_from_slice(name);
    BString::from(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises() {
        for (raw, want) in [
            (&b"/etc/passwd"[..], &b"etc/passwd"[..]),
            (b"./etc/passwd", b"etc/passwd"),
            (b"etc/ssl/", b"etc/ssl"),
            (b"./", b""),
            (b"/", b""),
            (b"a//b/./c", b"a/b/c"),
            (b".", b""),
        ] {
            assert_eq!(EntryPath::new(raw).as_bytes(), want, "{:?}", raw.as_bstr());
        }
        assert!(EntryPath::new(b"/x").was_absolute());
        assert!(!EntryPath::new(b"./x").was_absolute());
        assert!(EntryPath::new(b"a/../b").has_parent_components());
        assert!(!EntryPath::new(b"a/..b").has_parent_components());
    }

    #[test]
    fn name_parent_join() {
        let p = EntryPath::new(b"a/b/c.txt");
        assert_eq!(p.file_name(), b"c.txt");
        assert_eq!(p.parent(), b"a/b");
        assert_eq!(parent(b"top"), b"");
        assert_eq!(join(b"", b"x"), "x");
        assert_eq!(join(b"a/b", b"x"), "a/b/x");
    }
}
