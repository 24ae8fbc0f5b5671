//! Recall and false-positive rate on labelled test vectors.
//!
//! The vectors are JSON Lines, one object a line with `rule_id`, `expect`
//! (`"positive"`/`"negative"`) and `text`, as in the project's `shared/conformance/`. Each
//! text is scanned as one input with the full rule set: a positive counts as found when any
//! rule matches, a negative as a false positive when any rule matches.

use serde::Deserialize;

use crate::{CollectSink, Scanner};

/// One labelled text.
#[derive(Debug, Clone, Deserialize)]
pub struct Vector {
    /// The other scanner's rule the vector belongs to.
    pub rule_id: String,
    /// `positive` (must be found) or `negative` (must not be).
    pub expect: String,
    /// The input.
    pub text: String,
}

/// The outcome over a set of vectors.
#[derive(Debug, Default)]
pub struct Report {
    /// Positive vectors.
    pub positives: usize,
    /// Positives on which at least one finding was reported.
    pub found: usize,
    /// Negative vectors.
    pub negatives: usize,
    /// Positives with no finding: `(vector rule id, text)`.
    pub misses: Vec<(String, String)>,
    /// Negatives with a finding: `(vector rule id, our rule ids, text)`.
    pub false_positives: Vec<(String, Vec<String>, String)>,
}

impl Report {
    /// Found positives over all positives, in percent.
    pub fn recall(&self) -> f64 {
        percent(self.found, self.positives)
    }

    /// Matched negatives over all negatives, in percent.
    pub fn false_positive_rate(&self) -> f64 {
        percent(self.false_positives.len(), self.negatives)
    }
}

#[allow(clippy::cast_precision_loss, reason = "counts are small")]
fn percent(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { 100.0 * a as f64 / b as f64 }
}

/// Parses JSON Lines vectors.
///
/// # Errors
///
/// The line number (1-based) and the JSON error of the first malformed line.
pub fn parse(jsonl: &str) -> Result<Vec<Vector>, (usize, serde_json::Error)> {
    jsonl
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| serde_json::from_str(l).map_err(|e| (n + 1, e)))
        .collect()
}

/// Scans every vector with `scanner`.
pub fn run(scanner: &Scanner, vectors: &[Vector]) -> Report {
    let mut report = Report::default();
    for v in vectors {
        let mut sink = CollectSink::default();
        scanner.scan_slice(v.text.as_bytes(), &mut sink).expect("collecting cannot fail");
        let mut ids: Vec<String> = sink.matches.into_iter().map(|m| m.rule_id).collect();
        ids.dedup();
        if v.expect == "positive" {
            report.positives += 1;
            if ids.is_empty() {
                report.misses.push((v.rule_id.clone(), v.text.clone()));
            } else {
                report.found += 1;
            }
        } else {
            report.negatives += 1;
            if !ids.is_empty() {
                report.false_positives.push((v.rule_id.clone(), ids, v.text.clone()));
            }
        }
    }
    report
}
