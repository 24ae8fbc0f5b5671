//! [`Incident`]: one secret (one fingerprint) across every image and tag of a run, and
//! whether it is new since the previous run, still there, or gone.

use std::collections::{BTreeMap, HashSet};

use crate::{ImageRecord, StoredLocation};

/// Compared with the previous run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IncidentState {
    /// Not in the previous run (or there was none).
    New,
    /// In the previous run and in this one.
    Still,
    /// In the previous run, no longer in any image of this one (the images were rebuilt
    /// without it or deleted).
    Gone,
}

/// One secret that fails the gate, wherever it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    /// The fingerprint shared by all its findings.
    pub fingerprint: String,
    /// The rule naming it (the most specific, as in each image's finding).
    pub rule_id: String,
    /// The rule's name.
    pub rule_name: String,
    /// `low`, `medium` or `high`.
    pub confidence: String,
    /// New, still, or gone.
    pub state: IncidentState,
    /// The secret value.
    pub secret: Vec<u8>,
    /// The images holding it (for a gone incident: in the previous run), each once.
    pub images: Vec<String>,
    /// Every location in those images.
    pub locations: Vec<StoredLocation>,
}

/// The incidents of a run whose images are `current`, against the previous run's
/// `previous` images. Only findings that fail the gate are incidents (public package or
/// example content is not). A secret of the previous run is gone only if no image of
/// this run has it and its images were audited in this run (an image that could not be
/// audited now proves nothing).
pub fn incidents(current: &[ImageRecord], previous: &[ImageRecord]) -> Vec<Incident> {
    let before = gather(previous);
    let now = gather(current);
    let unaudited: HashSet<&str> =
        current.iter().filter(|r| r.error.is_some()).map(|r| r.reference.as_str()).collect();
    let mut out = Vec::new();
    for (fingerprint, mut incident) in now.clone() {
        incident.state = if before.contains_key(&fingerprint) {
            IncidentState::Still
        } else {
            IncidentState::New
        };
        out.push(incident);
    }
    for (fingerprint, mut incident) in before {
        if now.contains_key(&fingerprint)
            || incident.images.iter().any(|i| unaudited.contains(i.as_str()))
        {
            continue;
        }
        incident.state = IncidentState::Gone;
        out.push(incident);
    }
    out.sort_by(|a, b| (a.state, &a.fingerprint).cmp(&(b.state, &b.fingerprint)));
    out
}

/// The gating findings of `records`, by fingerprint.
fn gather(records: &[ImageRecord]) -> BTreeMap<String, Incident> {
    let mut by_fingerprint: BTreeMap<String, Incident> = BTreeMap::new();
    for record in records {
        for f in record.findings.iter().filter(|f| f.gates) {
            let incident =
                by_fingerprint.entry(f.fingerprint.clone()).or_insert_with(|| Incident {
                    fingerprint: f.fingerprint.clone(),
                    rule_id: f.rule_id.clone(),
                    rule_name: f.rule_name.clone(),
                    confidence: f.confidence.clone(),
                    state: IncidentState::New,
                    secret: f.secret.clone(),
                    images: Vec::new(),
                    locations: Vec::new(),
                });
            if !incident.images.contains(&record.reference) {
                incident.images.push(record.reference.clone());
            }
            incident.locations.extend(f.locations.iter().cloned());
        }
    }
    by_fingerprint
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StoredFinding;

    fn image(reference: &str, fingerprints: &[&str], error: bool) -> ImageRecord {
        ImageRecord {
            reference: reference.to_owned(),
            manifest_digest: None,
            error: error.then(|| "unreachable".to_owned()),
            layers_scanned: 0,
            layers_cached: 0,
            bytes_scanned: 0,
            findings: fingerprints
                .iter()
                .map(|f| StoredFinding {
                    fingerprint: (*f).to_owned(),
                    rule_id: "r".to_owned(),
                    rule_name: "r".to_owned(),
                    confidence: "high".to_owned(),
                    gates: !f.starts_with("pkg"),
                    public: None,
                    secret: f.as_bytes().to_vec(),
                    locations: Vec::new(),
                })
                .collect(),
            issues: Vec::new(),
        }
    }

    fn states(v: &[Incident]) -> Vec<(&str, IncidentState, usize)> {
        v.iter().map(|i| (i.fingerprint.as_str(), i.state, i.images.len())).collect()
    }

    #[test]
    fn new_still_gone_across_tags() {
        use IncidentState::{Gone, New, Still};
        let prev = [image("a:1", &["x", "y"], false), image("a:2", &["x"], false)];
        let now = [image("a:1", &["x", "z", "pkg1"], false), image("a:2", &["x"], false)];
        assert_eq!(
            states(&incidents(&now, &prev)),
            [("z", New, 1), ("x", Still, 2), ("y", Gone, 1)]
        );
        // No previous run: everything is new; a public finding is never an incident.
        assert_eq!(states(&incidents(&now, &[])), [("x", New, 2), ("z", New, 1)]);
        // An image that could not be audited now does not make its secrets gone.
        let failed = [image("a:1", &[], true), image("a:2", &["x"], false)];
        assert_eq!(states(&incidents(&failed, &prev)), [("x", Still, 1)]);
    }
}
