//! [`Checksum`]: what a token's built-in checksum says about a finding.

/// The outcome of checking the checksum some token formats carry (GitHub and npm tokens end
/// in a CRC-32 of their random part). A failed checksum is why a provider rule's finding is
/// reported at low confidence: the value has the token's shape but was most likely made up,
/// mistyped or truncated (documentation, tests), not issued by the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Checksum {
    /// The checksum is right: the value is very likely a token the provider issued.
    Verified,
    /// The checksum is wrong; the finding is kept, at low confidence.
    Failed,
}

impl Checksum {
    /// The name used in reports: `verified` or `failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Checksum::Verified => "verified",
            Checksum::Failed => "failed",
        }
    }

    /// One sentence for people: what the outcome means for the finding.
    pub fn explanation(self) -> &'static str {
        match self {
            Checksum::Verified => {
                "verified: the token's built-in checksum is right, so it is very likely real"
            }
            Checksum::Failed => {
                "failed: the value has the token's shape but its built-in checksum is wrong \
                 (made up, mistyped or truncated?), hence the low confidence; rotate it anyway \
                 if it could be real"
            }
        }
    }
}
