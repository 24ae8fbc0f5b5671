//! [`Fingerprint`]: a stable identity of a finding.

use std::fmt::{self, Write as _};

use sha2::{Digest as _, Sha256};

/// The SHA-256 (hex) of a rule's structural id, a NUL byte and the secret.
///
/// Stable across runs, images and rule renames (the structural id changes only when the
/// rule's pattern does), so baselines and audits can recognise a finding seen before. It
/// does not reveal the secret, but confirms a guess of it: treat it as sensitive-ish.
///
/// # Example
///
/// ```
/// use layerleak_report::Fingerprint;
///
/// let a = Fingerprint::new("3f2a", b"s3cr3t");
/// assert_eq!(a, Fingerprint::new("3f2a", b"s3cr3t"));
/// assert_ne!(a, Fingerprint::new("3f2b", b"s3cr3t"));
/// assert_eq!(a.as_str().len(), 64);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fingerprint(String);

impl Fingerprint {
    /// The fingerprint of `secret` found by the rule with `structural_id`.
    pub fn new(structural_id: &str, secret: &[u8]) -> Fingerprint {
        let mut h = Sha256::new();
        h.update(structural_id.as_bytes());
        h.update([0u8]);
        h.update(secret);
        let hex = h.finalize().iter().fold(String::with_capacity(64), |mut s, b| {
            // Writing to a String cannot fail.
            let _ = write!(s, "{b:02x}");
            s
        });
        Fingerprint(hex)
    }

    /// The hex digest.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
