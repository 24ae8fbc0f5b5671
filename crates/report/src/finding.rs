//! [`Finding`]: one secret in one image, with every place it was found.

use layerleak_rules::Confidence;

use crate::{Checksum, Fingerprint, Location, Origin, Secret};

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

    /// Whose bytes the secret is in. A value found in a digest-verified package file
    /// ([`Origin::Package`]) or known as a published example is public wherever else it
    /// appears (its bytes are in a public package: no secret of the owner, even where copied);
    /// else a value that is only in vendored files is [`Origin::Vendored`] (a label: it
    /// gates like `image`); else
    /// [`Origin::Image`] (one copy of the owner's is a leak).
    pub fn origin(&self) -> &Origin {
        const IMAGE: &Origin = &Origin::Image;
        let origins = || self.locations.iter().map(Location::origin);
        if let Some(public) =
            origins().find(|o| matches!(o, Origin::Package { .. } | Origin::Example { .. }))
        {
            return public;
        }
        match origins().next() {
            Some(first @ Origin::Vendored { .. })
                if origins().all(|o| matches!(o, Origin::Vendored { .. })) =>
            {
                first
            }
            _ => IMAGE,
        }
    }

    /// Why the finding is not a usable secret of the image's owner, if it is not: its
    /// origin is public (a verified package file, a published example; not a vendored file,
    /// which no digest verifies) or its built-in
    /// checksum fails. Such findings are reported but do not fail the gate by default.
    pub fn public_reason(&self) -> Option<String> {
        match self.origin() {
            Origin::Image => {}
            p @ Origin::Package { .. } => {
                return Some(format!(
                    "public: {p}: the file's bytes match the digest its package database records"
                ));
            }
            e @ Origin::Example { .. } => return Some(format!("public: {e}")),
            // No digest proves a vendored file is the package's own bytes: it gates.
            Origin::Vendored { .. } => {}
        }
        (self.checksum == Some(Checksum::Failed)).then(|| {
            "not a usable credential: its built-in checksum fails (made up, mistyped or \
             truncated)"
                .to_owned()
        })
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
