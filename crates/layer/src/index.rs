//! Which paths each layer writes and deletes, and the status of a location in the final image.

use std::collections::HashMap;

use bstr::{BStr, BString, ByteSlice};

use crate::entry::{EntryKind, EntryMeta};
use crate::whiteout::Whiteout;

/// What happened, in the final filesystem, to a file a layer wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Status {
    /// No later layer touched the path: the file is in the image's final filesystem.
    PresentInFinal,
    /// A later layer (index `layer`) removed it: a whiteout of the path or of a parent
    /// directory, an opaque marker on a parent directory, or a non-directory written over a
    /// parent directory. The bytes are still in the earlier layer's blob, which anyone who
    /// can pull the image can read.
    Deleted {
        /// Index of the first layer that removed the path.
        layer: usize,
    },
    /// A later layer (index `layer`) wrote an entry at the same path.
    ///
    /// This is decided by path alone: a file carried into a later layer unchanged (a
    /// `chmod`/`chown` copy-up) is also "overwritten". The scan pipeline deduplicates
    /// identical content by secret value, so a copy-up gives one finding with two locations.
    Overwritten {
        /// Index of the first layer that wrote the path again.
        layer: usize,
    },
}

/// The paths one layer writes and deletes.
///
/// Build one per layer with [`PathIndex::record`] while walking, then combine them in layer
/// order with [`Resolver::new`]. Paths are normalised ([`EntryPath`](crate::EntryPath)).
///
/// # Memory usage
///
/// Proportional to the number of entries of the layer: one map slot per path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PathIndex {
    paths: HashMap<BString, Change>,
}

/// What one layer did at one path (several can combine: a whiteout and a re-add).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Change {
    /// Wrote an entry here; `Some(true)` for a directory.
    written: Option<bool>,
    /// A `.wh.` whiteout for this path.
    whiteout: bool,
    /// A `.wh..wh..opq` marker in this directory.
    opaque: bool,
}

impl PathIndex {
    /// An empty index.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Record an entry of this layer: a written path (file, directory, symlink, hard link,
    /// other), a whiteout, or an opaque marker.
    pub fn record(&mut self, meta: &EntryMeta) {
        match meta.whiteout() {
            Some(Whiteout::File(target)) => self.add_whiteout(target.as_bytes()),
            Some(Whiteout::Opaque(dir)) => self.add_opaque(dir.as_bytes()),
            None => self.add_written(meta.path().as_bytes(), meta.kind() == EntryKind::Dir),
        }
    }

    /// Record that this layer writes `path` (normalised); `is_dir` for a directory.
    pub fn add_written(&mut self, path: &[u8], is_dir: bool) {
        self.slot(path).written = Some(is_dir);
    }

    /// Record a whiteout deleting `path` (normalised) from lower layers.
    pub fn add_whiteout(&mut self, path: &[u8]) {
        self.slot(path).whiteout = true;
    }

    /// Record an opaque marker hiding the lower layers' content below `dir` (normalised;
    /// empty for the root).
    pub fn add_opaque(&mut self, dir: &[u8]) {
        self.slot(dir).opaque = true;
    }

    /// Whether this layer writes `path` (as any kind of entry).
    #[must_use]
    pub fn writes(&self, path: &[u8]) -> bool {
        self.paths.get(path).is_some_and(|c| c.written.is_some())
    }

    /// Whether this layer has a whiteout for exactly `path`.
    #[must_use]
    pub fn deletes(&self, path: &[u8]) -> bool {
        self.paths.get(path).is_some_and(|c| c.whiteout)
    }

    /// Whether this layer marks `dir` opaque.
    #[must_use]
    pub fn masks(&self, dir: &[u8]) -> bool {
        self.paths.get(dir).is_some_and(|c| c.opaque)
    }

    /// Number of distinct paths recorded.
    #[must_use]
    pub fn len(&self) -> usize {
        self.paths.len()
    }

    /// Whether nothing was recorded.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }

    fn slot(&mut self, path: &[u8]) -> &mut Change {
        // `entry` would need an owned key even for a hit; most paths are new, so this is
        // the cheaper order anyway.
        if !self.paths.contains_key(path) {
            self.paths.insert(BString::from(path), Change::default());
        }
        self.paths.get_mut(path).expect("the slot was inserted just above")
    }
}

/// Resolves the [`Status`] of any `(layer, path)` against the layers above it.
///
/// # Memory usage
///
/// One map entry per distinct path over all layers, holding one small record per layer that
/// touches it: proportional to the total number of recorded paths.
///
/// # Complexity
///
/// [`Resolver::status`] does one hash lookup per path component (the path and each of its
/// parent directories) and a binary search among the layers that touched that prefix: O(path
/// components) lookups, independent of the number of files in the image.
#[derive(Debug, Clone, Default)]
pub struct Resolver {
    /// For each path, the layers that touched it, in increasing layer order.
    changes: HashMap<BString, Vec<(usize, Change)>>,
}

impl Resolver {
    /// Combine per-layer indexes, given **in layer order** (index 0 is the base layer).
    #[must_use]
    pub fn new<'a>(layers: impl IntoIterator<Item = &'a PathIndex>) -> Self {
        let mut changes: HashMap<BString, Vec<(usize, Change)>> = HashMap::new();
        for (layer, index) in layers.into_iter().enumerate() {
            for (path, change) in &index.paths {
                changes.entry(path.clone()).or_default().push((layer, *change));
            }
        }
        Resolver { changes }
    }

    /// The status of the file that layer `layer` wrote at `path` (normalised).
    ///
    /// The first later layer that affects the path decides. Within that layer, writing the
    /// exact path (even after a whiteout or an opaque marker of the same layer) means
    /// [`Status::Overwritten`]; otherwise a whiteout of the path or a parent, an opaque
    /// parent, or a non-directory written over a parent means [`Status::Deleted`].
    ///
    /// # Example
    ///
    /// ```
    /// use layerleak_layer::{PathIndex, Resolver, Status};
    /// let mut base = PathIndex::new();
    /// base.add_written(b"app/.env", false);
    /// let mut top = PathIndex::new();
    /// top.add_whiteout(b"app/.env");
    /// let r = Resolver::new([&base, &top]);
    /// assert_eq!(r.status(0, b"app/.env"), Status::Deleted { layer: 1 });
    /// ```
    #[must_use]
    pub fn status(&self, layer: usize, path: &[u8]) -> Status {
        let mut best: Option<Status> = None;
        let mut consider = |candidate: Status| {
            let key = |s: &Status| match *s {
                // Overwritten sorts before Deleted within the same layer.
                Status::Overwritten { layer } => (layer, 0),
                Status::Deleted { layer } => (layer, 1),
                Status::PresentInFinal => (usize::MAX, 2),
            };
            if best.as_ref().is_none_or(|b| key(&candidate) < key(b)) {
                best = Some(candidate);
            }
        };
        // The exact path.
        for &(k, change) in self.later(layer, path) {
            if change.written.is_some() {
                consider(Status::Overwritten { layer: k });
                break;
            }
            if change.whiteout {
                consider(Status::Deleted { layer: k });
                break;
            }
        }
        // Each parent directory, nearest first.
        let mut prefix: &[u8] = path;
        while let Some(i) = prefix.rfind_byte(b'/') {
            prefix = &prefix[..i];
            self.consider_parent(layer, prefix, &mut consider);
        }
        if !path.is_empty() {
            // The root directory can only be made opaque.
            self.consider_parent(layer, b"", &mut consider);
        }
        best.unwrap_or(Status::PresentInFinal)
    }

    fn consider_parent(&self, layer: usize, dir: &[u8], consider: &mut impl FnMut(Status)) {
        for &(k, change) in self.later(layer, dir) {
            if change.whiteout || change.opaque || change.written == Some(false) {
                consider(Status::Deleted { layer: k });
                break;
            }
        }
    }

    /// The changes at `path` made by layers after `layer`, in layer order.
    fn later(&self, layer: usize, path: &[u8]) -> &[(usize, Change)] {
        match self.changes.get(BStr::new(path)) {
            Some(v) => {
                let start = v.partition_point(|&(k, _)| k <= layer);
                &v[start..]
            }
            None => &[],
        }
    }
}
