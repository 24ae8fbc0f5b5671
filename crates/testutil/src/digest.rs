//! Content addresses.

use sha2::{Digest as _, Sha256};

/// The SHA-256 of `data`, in lowercase hex.
#[must_use]
pub fn sha256_hex(data: &[u8]) -> String {
    Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

/// The OCI digest of `data`: `sha256:<hex>`.
#[must_use]
pub fn digest(data: &[u8]) -> String {
    format!("sha256:{}", sha256_hex(data))
}
