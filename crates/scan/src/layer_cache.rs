//! [`LayerScan`] and [`LayerCache`]: layer scans kept across runs, so that a blob already
//! scanned with the same rules is not fetched again (`layerleak audit`).

use layerleak_image::{BlobOpener, Descriptor, ResolvedImage};
use layerleak_report::Severity;
use sha2::{Digest as _, Sha256};

use crate::layer_scan::BlobScan;
use crate::pipeline::DistinctLayers;
use crate::{Pipeline, ScanOutcome};

/// The scan of one layer blob: what image-level resolution needs from it (the hits with
/// their paths and offsets, the paths the layer writes and deletes, the digests of the
/// files holding hits, the layer's package databases, its problems). Serializable, so a
/// [`LayerCache`] can store it; an image resolved from stored scans has the findings,
/// statuses, origins and issues that scanning its blobs again would give.
///
/// Built-in checks are stored by id and rules by their index in the scanner's rules: a
/// stored scan is valid only for the pipeline whose [`Pipeline::layer_key`] it was made
/// under.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct LayerScan(BlobScan);

impl LayerScan {
    /// Whether the whole blob was read and scanned. Only a complete scan is worth keeping:
    /// a download cut off or a missing blob says nothing about the blob's content.
    pub fn is_complete(&self) -> bool {
        !self.0.problems.iter().any(|p| p.severity == Severity::Incomplete)
    }

    /// Bytes of regular-file content in the blob.
    pub fn bytes(&self) -> u64 {
        self.0.bytes
    }
}

/// Where a [`Pipeline`] finds layer scans already made, and keeps those it makes.
pub trait LayerCache {
    /// The stored scan of the blob `digest` (`sha256:…`), if any.
    fn get(&mut self, digest: &str) -> Option<LayerScan>;

    /// Keeps the scan of the blob `digest`, just made. Called on the thread that called
    /// [`Pipeline::scan_images_cached`], as each blob is done; incomplete scans too (the
    /// cache decides, see [`LayerScan::is_complete`]).
    fn put(&mut self, digest: &str, scan: &LayerScan);
}

impl Pipeline {
    /// A fingerprint of everything a layer scan depends on besides the blob: layerleak's
    /// version, the scanner's rules, the catalogue's built-in rules and words, and the
    /// limits. Stored scans are keyed by blob digest and this, so new rules, new limits or a
    /// new release scan again.
    pub fn layer_key(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(concat!("layerleak ", env!("CARGO_PKG_VERSION"), "\n").as_bytes());
        hasher.update(format!("{:?}\n{:?}", self.scanner.rules(), self.options.limits));
        let (builtins, words) = (layerleak_rules::builtin_rules(), layerleak_rules::words());
        hasher.update(format!("\n{builtins:?}\n{words:?}"));
        let digest = hasher.finalize();
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// As [`Pipeline::scan_images`], taking the scans of blobs `cache` has from it instead
    /// of fetching them, and giving it each blob scanned. The findings and issues are those
    /// [`Pipeline::scan_images`] gives; [`ScanOutcome::blobs_scanned`] and
    /// [`ScanOutcome::bytes_scanned`] count only the blobs scanned now (not from `cache`).
    pub fn scan_images_cached(
        &self,
        images: &[ResolvedImage],
        opener: &dyn BlobOpener,
        cache: &mut dyn LayerCache,
    ) -> ScanOutcome {
        let layers = DistinctLayers::of(images);
        let mut blobs: Vec<Option<BlobScan>> =
            layers.jobs.iter().map(|d| cache.get(&d.digest.to_string()).map(|s| s.0)).collect();
        let missing: Vec<usize> = (0..blobs.len()).filter(|&i| blobs[i].is_none()).collect();
        let jobs: Vec<&Descriptor> = missing.iter().map(|&i| layers.jobs[i]).collect();
        let scanned = self.scan_blobs(&jobs, opener, &mut |job, results| {
            if let Some(scan) = &results[job] {
                cache.put(&jobs[job].digest.to_string(), &LayerScan(scan.clone()));
            }
        });
        let (blobs_scanned, bytes_scanned) = (scanned.len(), scanned.iter().map(|b| b.bytes).sum());
        for (i, scan) in missing.into_iter().zip(scanned) {
            blobs[i] = Some(scan);
        }
        let blobs: Vec<BlobScan> = blobs.into_iter().flatten().collect();
        let mut outcome = self.outcome(images, &layers, &blobs, &mut ());
        outcome.blobs_scanned = blobs_scanned;
        outcome.bytes_scanned = bytes_scanned;
        outcome
    }
}
