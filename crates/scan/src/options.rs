//! [`ScanOptions`].

use std::sync::Arc;

use layerleak_layer::Limits;

use crate::Progress;

/// How a [`Pipeline`](crate::Pipeline) scans.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ScanOptions {
    /// Worker threads for layers; `0` (the default) means one per available core. Each
    /// worker walks and scans one layer at a time, with two more threads reading and
    /// inflating that layer's blob ([`walk_layer_threaded`](layerleak_layer::walk_layer_threaded)).
    pub workers: usize,
    /// Decompression and nesting limits for layers and nested archives.
    pub limits: Limits,
    /// Told as layers are read (none by default).
    pub progress: Option<Arc<dyn Progress>>,
}

impl ScanOptions {
    /// The defaults.
    pub fn new() -> ScanOptions {
        ScanOptions::default()
    }

    /// Sets the number of worker threads (`0`: one per core).
    #[must_use]
    pub fn with_workers(mut self, workers: usize) -> ScanOptions {
        self.workers = workers;
        self
    }

    /// Sets the limits.
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> ScanOptions {
        self.limits = limits;
        self
    }

    /// Reports layer progress to `progress`.
    #[must_use]
    pub fn with_progress(mut self, progress: Arc<dyn Progress>) -> ScanOptions {
        self.progress = Some(progress);
        self
    }

    /// The number of workers to use for `jobs` blobs.
    pub(crate) fn worker_count(&self, jobs: usize) -> usize {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        let wanted = if self.workers == 0 { cores } else { self.workers };
        wanted.min(jobs).max(1)
    }
}
