//! [`Finding`]: one secret in one image, with every place it was found.

use layerleak_rules::Confidence;

use crate::{Checksum, Fingerprint, Location, Secret};

/// One distinct secret value in one image, with every location where it appears.
///
/// When several rules match the same value, the finding names the most specific one (a
/// provider rule over a generic one, then the higher confidence).
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// The rule id, e.g. `layerleak.npm.1`, or `layerleak.path.<n>` / `layerleak.env.1` for
    /// the built-in path and secret-name checks.
    pub rule_id: String,
    /// The rule's human-readable name.
    pub rule_name: String,
    /// How likely the secret is real.
    pub confidence: Confidence,
    /// For token formats with a built-in checksum, whether it verified (a failed one is why
    /// a provider rule reports low confidence); `None` for every other rule.
    pub checksum: Option<Checksum>,
    /// The value (redacting `Debug`/`Display`).
    pub secret: Secret,
    /// Stable identity: see [`Fingerprint`].
    pub fingerprint: Fingerprint,
    /// Where the secret was found, at least one.
    pub locations: Vec<Location>,
}

impl Finding {
    /// Whether the secret stays readable from the image only where it looks removed:
    /// every location is a deleted or overwritten file or a build argument recorded in the
    /// history. Such findings are worst: people believe them gone. A secret also present in
    /// the final image (a deleted file re-added, a blob shared by a later layer, an ENV
    /// entry) is not hidden: it is in plain sight.
    pub fn is_hidden_in_history(&self) -> bool {
        !self.locations.is_empty() && self.locations.iter().all(Location::is_hidden_in_history)
    }

    /// Sort key putting the worst findings first: high confidence, then hidden in history,
    /// then by rule and fingerprint for a stable order.
    pub fn severity_key(&self) -> impl Ord + use<> {
        (
            std::cmp::Reverse(self.confidence),
            !self.is_hidden_in_history(),
            self.rule_id.clone(),
            self.fingerprint.clone(),
        )
    }
}
