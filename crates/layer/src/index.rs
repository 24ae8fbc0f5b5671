//! Which paths each layer writes and deletes, and the status of a location in the final image.

use std::collections::{HashMap, HashSet};

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
/// Proportional to the number of entries of the layer: one map slot per path, and the
/// paths of each hard link.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PathIndex {
    paths: HashMap<BString, Change>,
    /// Hard links of this layer: `(link path, target path)`, both normalised.
    hardlinks: Vec<(BString, BString)>,
}

/// What one layer did at one path (several can combine: a whiteout and a re-add).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
    /// other), a whiteout, or an opaque marker. A hard link also records its target.
    pub fn record(&mut self, meta: &EntryMeta) {
        match (meta.whiteout(), meta.kind(), meta.link_target()) {
            (Some(Whiteout::File(target)), ..) => self.add_whiteout(target.as_bytes()),
            (Some(Whiteout::Opaque(dir)), ..) => self.add_opaque(dir.as_bytes()),
            (None, EntryKind::Hardlink, Some(target)) => {
                self.add_hardlink(meta.path().as_bytes(), target);
            }
            (None, kind, _) => self.add_written(meta.path().as_bytes(), kind == EntryKind::Dir),
        }
    }

    /// Record that this layer writes a hard link at `path` to the file at `target` (both
    /// normalised): the file stays in the final image as long as one of its names does.
    /// The target is the file at that path in this layer, or else in the lower layers.
    pub fn add_hardlink(&mut self, path: &[u8], target: &[u8]) {
        self.add_written(path, false);
        self.hardlinks.push((BString::from(path), BString::from(target)));
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
/// touches it, plus one entry per hard link: proportional to the total number of recorded
/// paths.
///
/// # Complexity
///
/// [`Resolver::path_status`] does one hash lookup per path component (the path and each of
/// its parent directories) and a binary search among the layers that touched that prefix:
/// O(path components) lookups, independent of the number of files in the image.
/// [`Resolver::status`] does the same for each hard-link name of the file (usually none).
#[derive(Debug, Clone, Default)]
pub struct Resolver {
    /// For each path, the layers that touched it, in increasing layer order.
    changes: HashMap<BString, Vec<(usize, Change)>>,
    /// For each hard-link target path, the links to it: `(layer of the link, link path)`,
    /// in increasing layer order.
    links: HashMap<BString, Vec<(usize, BString)>>,
}

impl Resolver {
    /// Combine per-layer indexes, given **in layer order** (index 0 is the base layer).
    #[must_use]
    pub fn new<'a>(layers: impl IntoIterator<Item = &'a PathIndex>) -> Self {
        let mut changes: HashMap<BString, Vec<(usize, Change)>> = HashMap::new();
        let mut links: HashMap<BString, Vec<(usize, BString)>> = HashMap::new();
        for (layer, index) in layers.into_iter().enumerate() {
            for (path, change) in &index.paths {
                changes.entry(path.clone()).or_default().push((layer, *change));
            }
            for (path, target) in &index.hardlinks {
                links.entry(target.clone()).or_default().push((layer, path.clone()));
            }
        }
        Resolver { changes, links }
    }

    /// The status of the file that layer `layer` wrote at `path` (normalised), accounting
    /// for its hard links.
    ///
    /// A file is in the final image as long as one of its names is: the path itself, or a
    /// hard link to it written by the same layer or by a later one (while the file was still
    /// at `path`), or a hard link to such a link. If one name is
    /// [`Status::PresentInFinal`], so is the file; otherwise it is the status of the name
    /// that survived the longest (the one removed by the highest layer). Each name's own
    /// status is [`Resolver::path_status`].
    ///
    /// # Example
    ///
    /// ```
    /// use layerleak_layer::{PathIndex, Resolver, Status};
    /// let mut base = PathIndex::new();
    /// base.add_written(b"app/key", false);
    /// base.add_hardlink(b"app/key.bak", b"app/key");
    /// let mut top = PathIndex::new();
    /// top.add_whiteout(b"app/key");
    /// let r = Resolver::new([&base, &top]);
    /// assert_eq!(r.path_status(0, b"app/key"), Status::Deleted { layer: 1 });
    /// // The bytes are still in the final image as `app/key.bak`.
    /// assert_eq!(r.status(0, b"app/key"), Status::PresentInFinal);
    /// ```
    #[must_use]
    pub fn status(&self, layer: usize, path: &[u8]) -> Status {
        let mut best = self.path_status(layer, path);
        let mut seen: HashSet<(usize, &[u8])> = HashSet::new();
        let mut queue: Vec<(usize, &[u8])> = vec![(layer, path)];
        seen.insert((layer, path));
        while let Some((k, name)) = queue.pop() {
            if best == Status::PresentInFinal {
                break;
            }
            let Some(links) = self.links.get(BStr::new(name)) else { continue };
            for (j, link) in links {
                let j = *j;
                // A link in a lower layer, or in a layer where the file had already left
                // `name` (or that itself replaces `name`), points at another file.
                let moved_on = j > k
                    && (self.status_before(k, name, j) != Status::PresentInFinal
                        || !self.between(j - 1, name, j + 1).is_empty());
                if j < k || moved_on {
                    continue;
                }
                if !seen.insert((j, link.as_bytes())) {
                    continue;
                }
                best = survivor(best, self.path_status(j, link));
                queue.push((j, link.as_bytes()));
            }
        }
        best
    }

    /// The status of the name `path` (normalised) that layer `layer` wrote, ignoring hard
    /// links.
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
    /// assert_eq!(r.path_status(0, b"app/.env"), Status::Deleted { layer: 1 });
    /// ```
    #[must_use]
    pub fn path_status(&self, layer: usize, path: &[u8]) -> Status {
        self.status_before(layer, path, usize::MAX)
    }

    /// [`Resolver::path_status`] considering only the layers below `until`.
    fn status_before(&self, layer: usize, path: &[u8], until: usize) -> Status {
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
        for &(k, change) in self.between(layer, path, until) {
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
            self.consider_parent(layer, until, prefix, &mut consider);
        }
        if !path.is_empty() {
            // The root directory can only be made opaque.
            self.consider_parent(layer, until, b"", &mut consider);
        }
        best.unwrap_or(Status::PresentInFinal)
    }

    fn consider_parent(
        &self,
        layer: usize,
        until: usize,
        dir: &[u8],
        consider: &mut impl FnMut(Status),
    ) {
        for &(k, change) in self.between(layer, dir, until) {
            if change.whiteout || change.opaque || change.written == Some(false) {
                consider(Status::Deleted { layer: k });
                break;
            }
        }
    }

    /// The changes at `path` made by layers after `layer` and below `until`, in layer order.
    fn between(&self, layer: usize, path: &[u8], until: usize) -> &[(usize, Change)] {
        match self.changes.get(BStr::new(path)) {
            Some(v) => {
                let start = v.partition_point(|&(k, _)| k <= layer);
                let end = v.partition_point(|&(k, _)| k < until);
                &v[start..end.max(start)]
            }
            None => &[],
        }
    }
}

/// Of two names of one file, the status of the one that survived longest.
fn survivor(a: Status, b: Status) -> Status {
    let removed_at = |s: Status| match s {
        Status::PresentInFinal => usize::MAX,
        Status::Deleted { layer } | Status::Overwritten { layer } => layer,
    };
    if removed_at(b) > removed_at(a) { b } else { a }
}
