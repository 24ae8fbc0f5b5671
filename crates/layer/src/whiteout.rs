//! Overlay whiteouts: how a layer deletes what lower layers wrote.

use bstr::{BStr, BString, ByteSlice};

use crate::path::{file_name, join, parent};

/// The prefix of a whiteout file name (`.wh.NAME` deletes `NAME`).
pub const WHITEOUT_PREFIX: &[u8] = b".wh.";

/// The name of an opaque-directory marker (`DIR/.wh..wh..opq`).
pub const OPAQUE_MARKER: &[u8] = b".wh..wh..opq";

/// What a whiteout entry does to the layers below it.
///
/// Per the OCI image spec (and Docker's AUFS-era convention), whiteouts are empty entries
/// whose *name* carries the meaning; they apply to lower layers only, never to entries of
/// their own layer.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Whiteout {
    /// `DIR/.wh.NAME`: `DIR/NAME` (and, if it is a directory, everything below it) is
    /// deleted. Holds the normalised path of the deleted entry.
    File(BString),
    /// `DIR/.wh..wh..opq`: everything lower layers put *below* `DIR` is hidden; `DIR` itself
    /// stays. Holds the normalised path of the directory (empty for the root).
    Opaque(BString),
}

impl Whiteout {
    /// Interpret a normalised entry path as a whiteout, if it is one.
    ///
    /// Other AUFS metadata names starting with `.wh..wh.` (such as `.wh..wh.plnk`) are not
    /// whiteouts and give `None`, and so does a bare `.wh.` with no target name.
    ///
    /// ```
    /// use layerleak_layer::Whiteout;
    /// assert_eq!(Whiteout::parse(b"app/.wh.secret.env"), Some(Whiteout::File("app/secret.env".into())));
    /// assert_eq!(Whiteout::parse(b"app/.wh..wh..opq"), Some(Whiteout::Opaque("app".into())));
    /// assert_eq!(Whiteout::parse(b"app/secret.env"), None);
    /// ```
    #[must_use]
    pub fn parse(path: &[u8]) -> Option<Whiteout> {
        let name = file_name(path);
        let dir = parent(path);
        if name == OPAQUE_MARKER {
            return Some(Whiteout::Opaque(BString::from(dir)));
        }
        let target = name.strip_prefix(WHITEOUT_PREFIX)?;
        if target.is_empty()
            || target.starts_with(WHITEOUT_PREFIX)
            || target == b"."
            || target == b".."
        {
            return None;
        }
        Some(Whiteout::File(join(dir, target)))
    }

    /// The path the whiteout applies to: the deleted entry, or the opaque directory.
    #[must_use]
    pub fn target(&self) -> &BStr {
        match self {
            Whiteout::File(p) | Whiteout::Opaque(p) => p.as_bstr(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_whiteouts() {
        assert_eq!(Whiteout::parse(b".wh.top"), Some(Whiteout::File("top".into())));
        assert_eq!(Whiteout::parse(b".wh..wh..opq"), Some(Whiteout::Opaque("".into())));
        assert_eq!(Whiteout::parse(b"a/.wh..wh.plnk"), None);
        assert_eq!(Whiteout::parse(b"a/.wh."), None);
        assert_eq!(Whiteout::parse(b"a/x.wh.y"), None);
        assert_eq!(Whiteout::parse(b"a/.wh..hidden"), Some(Whiteout::File("a/.hidden".into())));
    }
}
