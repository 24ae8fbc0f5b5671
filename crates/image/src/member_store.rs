//! The members of a streamed image archive once the stream has ended: small documents kept
//! in memory, the size, first bytes and digest of every member that was streamed past.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::digest::Digest;
use crate::tar_index::{MAX_LINK_HOPS, normalize, resolve_relative};

/// How many leading bytes of a streamed member are remembered (enough to sniff its
/// compression).
pub(crate) const HEAD_BYTES: usize = 16;

/// One member of a streamed archive.
#[derive(Clone, Debug)]
pub(crate) enum Stored {
    /// A small document (index, manifest, config, `manifest.json`), kept whole.
    Kept(Arc<[u8]>),
    /// A member handed on as it streamed past; only what was learnt while it did remains.
    Streamed(StreamedFacts),
    /// A symlink or hard link, its target made archive-relative.
    Link(String),
}

/// What is known of a member that was streamed past.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StreamedFacts {
    /// Its length.
    pub(crate) size: u64,
    /// Its first [`HEAD_BYTES`] bytes (fewer when it is shorter).
    pub(crate) head: Vec<u8>,
    /// The digest of all its bytes, in the algorithm its name spells (SHA-256 otherwise).
    pub(crate) digest: Digest,
}

/// Member name → what was kept or learnt, addressed like a [`TarIndex`](crate::tar_index::TarIndex).
#[derive(Debug)]
pub(crate) struct MemberStore {
    /// Where the stream came from, as shown to people (used where a path is expected).
    location: PathBuf,
    members: HashMap<String, Stored>,
}

impl MemberStore {
    pub(crate) fn new(location: &str) -> MemberStore {
        MemberStore { location: PathBuf::from(location), members: HashMap::new() }
    }

    /// Records a member; a later member of the same name replaces an earlier one, as
    /// extraction would.
    pub(crate) fn insert(&mut self, name: String, stored: Stored) {
        self.members.insert(name, stored);
    }

    /// Records a symlink (`hard == false`, relative to its directory) or a hard link.
    pub(crate) fn insert_link(&mut self, name: String, target: &str, hard: bool) {
        let target = if hard { normalize(target) } else { resolve_relative(&name, target) };
        self.members.insert(name, Stored::Link(target));
    }

    /// Where the stream came from.
    pub(crate) fn location(&self) -> &Path {
        &self.location
    }

    /// The member `name` with links followed, and the name it was finally found under.
    pub(crate) fn get(&self, name: &str) -> Option<(String, &Stored)> {
        let mut name = normalize(name);
        for _ in 0..MAX_LINK_HOPS {
            match self.members.get(&name)? {
                Stored::Link(target) => name.clone_from(target),
                stored => return Some((name, stored)),
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_followed_and_loops_end() {
        let mut store = MemberStore::new("engine:x");
        let digest = Digest::sha256_of(b"layer");
        let facts = StreamedFacts { size: 5, head: b"layer".to_vec(), digest };
        store.insert("abc.tar".to_owned(), Stored::Streamed(facts.clone()));
        store.insert_link("v1/layer.tar".to_owned(), "../abc.tar", false);
        store.insert_link("hard.tar".to_owned(), "./abc.tar", true);
        for name in ["abc.tar", "./v1/layer.tar", "hard.tar"] {
            match store.get(name) {
                Some((found, Stored::Streamed(f))) => {
                    assert_eq!(found, "abc.tar");
                    assert_eq!(*f, facts);
                }
                other => panic!("{name}: {other:?}"),
            }
        }
        store.insert_link("a".to_owned(), "b", false);
        store.insert_link("b".to_owned(), "a", false);
        assert!(store.get("a").is_none());
        assert!(store.get("missing").is_none());
    }
}
