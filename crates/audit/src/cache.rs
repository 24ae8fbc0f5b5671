//! [`StoreCache`]: the pipeline's [`LayerCache`] over the database's `layers` table.

use layerleak_scan::{LayerCache, LayerScan};

use crate::{Error, Store};

/// Layer scans stored in `store` under one rules key. Each scan is written as the pipeline
/// finishes it (its own transaction), so a killed audit keeps every layer it finished.
#[derive(Debug)]
pub(crate) struct StoreCache<'a> {
    pub(crate) store: &'a Store,
    pub(crate) key: &'a str,
    /// The first database error (the audit stops after the image).
    pub(crate) error: Option<Error>,
}

impl LayerCache for StoreCache<'_> {
    fn get(&mut self, digest: &str) -> Option<LayerScan> {
        match self.store.layer(digest, self.key) {
            // A stored scan that does not read back (written by a build with another
            // layout under the same key) is scanned again and replaced.
            Ok(Some(bytes)) => ciborium::from_reader(bytes.as_slice()).ok(),
            Ok(None) => None,
            Err(e) => {
                self.error.get_or_insert(e);
                None
            }
        }
    }

    fn put(&mut self, digest: &str, scan: &LayerScan) {
        if !scan.is_complete() {
            // A cut download or a missing blob is not the blob's content: scan it again.
            return;
        }
        let mut bytes = Vec::new();
        if ciborium::into_writer(scan, &mut bytes).is_err() {
            return;
        }
        if let Err(e) = self.store.put_layer(digest, self.key, &bytes, scan.bytes()) {
            self.error.get_or_insert(e);
        }
    }
}
