//! [`ImageRecord`]: what one run found in one image, as stored (JSON) and reported.

use layerleak_report::{Finding, Gated, Location, ScanIssue, Severity, Status};

/// One image of a run: its findings and issues, or why it could not be audited.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ImageRecord {
    /// The image reference audited (`host/repo:tag`).
    pub reference: String,
    /// The digest of its manifest (or index) as the registry named it when the image was
    /// audited: a later run whose HEAD request gives the same digest (under the same rules)
    /// takes this record again without fetching anything else.
    #[serde(default)]
    pub manifest_digest: Option<String>,
    /// Why the image could not be audited (its manifest or config could not be read);
    /// then it has no findings.
    pub error: Option<String>,
    /// Distinct layer blobs fetched and scanned for it in this run.
    pub layers_scanned: usize,
    /// Distinct layer blobs taken from the layer cache.
    pub layers_cached: usize,
    /// Bytes of file content scanned (blobs fetched in this run).
    pub bytes_scanned: u64,
    /// One per distinct secret value, as `layerleak scan` reports them.
    pub findings: Vec<StoredFinding>,
    /// What could not be read or fully scanned, and notices.
    pub issues: Vec<StoredIssue>,
}

impl ImageRecord {
    /// Whether the image was audited completely (no error, no incomplete issue).
    pub fn is_complete(&self) -> bool {
        self.error.is_none() && !self.issues.iter().any(|i| i.incomplete)
    }
}

/// A finding of one image.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StoredFinding {
    /// The finding's fingerprint (rule structure + secret value).
    pub fingerprint: String,
    /// The rule that names it.
    pub rule_id: String,
    /// The rule's name.
    pub rule_name: String,
    /// `low`, `medium` or `high`.
    pub confidence: String,
    /// Whether it fails the gate (origin `image` or `vendored`, as for `scan`).
    pub gates: bool,
    /// Why it is public content (a package's file, a published example), if it is.
    pub public: Option<String>,
    /// The secret value (the database holds secrets: protect it as the images).
    pub secret: Vec<u8>,
    /// Every location, in order.
    pub locations: Vec<StoredLocation>,
}

impl StoredFinding {
    /// The stored form of `f`, gated by `gated`.
    pub(crate) fn of(f: &Finding, gated: &Gated) -> StoredFinding {
        StoredFinding {
            fingerprint: f.fingerprint.to_string(),
            rule_id: f.rule_id.clone(),
            rule_name: f.rule_name.clone(),
            confidence: f.confidence.to_string(),
            gates: gated.gates(f),
            public: f.public_reason(),
            secret: f.secret.expose().to_vec(),
            locations: f.locations.iter().map(StoredLocation::of).collect(),
        }
    }
}

/// Where a secret is: a file of a layer or a field of the config.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StoredLocation {
    /// The image's name.
    pub image: String,
    /// The platform, for a multi-platform image.
    pub platform: Option<String>,
    /// The layer index, for a layer location.
    pub layer: Option<usize>,
    /// The layer's blob digest.
    pub blob_digest: Option<String>,
    /// The path in the layer (nested members after `!`).
    pub path: Option<String>,
    /// The config field (`env`, `label`, `history`, …), for a config location.
    pub field: Option<String>,
    /// The key in the config field (the variable or label name).
    pub key: Option<String>,
    /// Byte offset of the secret.
    pub offset: u64,
    /// `present_in_final`, `deleted` or `overwritten` (as `scan`'s JSON says), or
    /// `config`.
    pub status: String,
    /// The layer that deleted or overwrote it.
    pub by_layer: Option<usize>,
    /// `image`, `package …`, `example`, `vendored …`.
    pub origin: String,
}

impl StoredLocation {
    fn of(location: &Location) -> StoredLocation {
        match location {
            Location::Layer(l) => StoredLocation {
                image: l.image.clone(),
                platform: l.platform.clone(),
                layer: Some(l.layer),
                blob_digest: Some(l.blob_digest.clone()),
                path: Some(l.path.clone()),
                field: None,
                key: None,
                offset: l.offset,
                status: match l.status {
                    Status::PresentInFinal => "present_in_final",
                    Status::Deleted { .. } => "deleted",
                    Status::Overwritten { .. } => "overwritten",
                }
                .to_owned(),
                by_layer: match l.status {
                    Status::PresentInFinal => None,
                    Status::Deleted { by_layer } | Status::Overwritten { by_layer } => {
                        Some(by_layer)
                    }
                },
                origin: l.origin.to_string(),
            },
            Location::Config(c) => StoredLocation {
                image: c.image.clone(),
                platform: c.platform.clone(),
                layer: None,
                blob_digest: None,
                path: None,
                field: Some(c.field.as_str().to_owned()),
                key: c.key.clone(),
                offset: c.offset,
                status: "config".to_owned(),
                by_layer: None,
                origin: c.origin.to_string(),
            },
            // Audits scan images only; a file on disk (`scan-fs`) is stored as what it is.
            Location::File(f) => StoredLocation {
                image: f.tree.clone(),
                platform: None,
                layer: None,
                blob_digest: None,
                path: Some(f.path.clone()),
                field: None,
                key: None,
                offset: f.offset,
                status: "file".to_owned(),
                by_layer: None,
                origin: f.origin.to_string(),
            },
        }
    }
}

/// An issue of one image: something not (fully) scanned, or a notice.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StoredIssue {
    /// Whether it makes the image's audit incomplete (exit code 2).
    pub incomplete: bool,
    /// The layer, if the issue is in one.
    pub layer: Option<usize>,
    /// The path, if the issue is about a file.
    pub path: Option<String>,
    /// What happened.
    pub reason: String,
}

impl StoredIssue {
    pub(crate) fn of(issue: &ScanIssue) -> StoredIssue {
        StoredIssue {
            incomplete: issue.severity == Severity::Incomplete,
            layer: issue.layer,
            path: issue.path.clone(),
            reason: issue.reason.clone(),
        }
    }
}
