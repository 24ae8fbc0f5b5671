//! [`FileHashes`]: the digests of a file that holds a hit, to compare with what package
//! databases record.

use md5::Md5;
use sha1::Sha1;
use sha2::{Digest as _, Sha256};

use super::FileDigest;

/// The largest file whose bytes a worker keeps while it streams through the scanner, to
/// hash it if it holds a hit (one buffer per worker, reused). A hit in a larger file is not
/// verified: it stays `image`, with a notice when a database lists the file.
pub(crate) const HASH_LIMIT: usize = 8 << 20;

/// The digests of a file's bytes, in every algorithm a database records.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) enum FileHashes {
    /// Computed from the whole file.
    Computed {
        /// MD5 (dpkg).
        md5: [u8; 16],
        /// SHA-1 (apk).
        sha1: [u8; 20],
        /// SHA-256 (Python RECORD, rpm).
        sha256: [u8; 32],
    },
    /// The file is larger than [`HASH_LIMIT`]: not hashed, so never verified.
    TooLarge,
}

impl FileHashes {
    /// The digests of `bytes`.
    pub(crate) fn of(bytes: &[u8]) -> FileHashes {
        FileHashes::Computed {
            md5: Md5::digest(bytes).into(),
            sha1: Sha1::digest(bytes).into(),
            sha256: Sha256::digest(bytes).into(),
        }
    }

    /// Whether the file's bytes hash to `recorded`.
    pub(crate) fn matches(&self, recorded: &FileDigest) -> bool {
        match (self, recorded) {
            (FileHashes::Computed { md5, .. }, FileDigest::Md5(r)) => md5 == r,
            (FileHashes::Computed { sha1, .. }, FileDigest::Sha1(r)) => sha1 == r,
            (FileHashes::Computed { sha256, .. }, FileDigest::Sha256(r)) => sha256 == r,
            (FileHashes::Computed { sha256, .. }, FileDigest::Sha256Prefix160(r)) => {
                sha256[..20] == r[..]
            }
            (FileHashes::TooLarge, _) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packages::dpkg::hex_digest;

    #[test]
    fn each_algorithm_matches_its_own_digest_only() {
        let h = FileHashes::of(b"abc");
        let md5 = FileDigest::Md5(hex_digest(b"900150983cd24fb0d6963f7d28e17f72").unwrap());
        let sha1 =
            FileDigest::Sha1(hex_digest(b"a9993e364706816aba3e25717850c26c9cd0d89d").unwrap());
        let sha256 = FileDigest::Sha256(
            hex_digest(b"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
                .unwrap(),
        );
        assert!(h.matches(&md5) && h.matches(&sha1) && h.matches(&sha256));
        let other = FileHashes::of(b"abd");
        assert!(!other.matches(&md5) && !other.matches(&sha1) && !other.matches(&sha256));
        assert!(!FileHashes::TooLarge.matches(&md5));
    }
}
