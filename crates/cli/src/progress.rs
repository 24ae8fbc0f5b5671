//! Progress bars on stderr, one per layer being read, one counter of the files of trees on
//! disk, and for `audit`, a line counting the images.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use layerleak_scan::Progress;

/// One bar per layer blob in flight: bytes read of the blob's stored size.
pub(crate) struct Bars {
    multi: MultiProgress,
    style: ProgressStyle,
    bars: Mutex<HashMap<String, ProgressBar>>,
    /// Files and bytes of trees scanned so far (`scan-fs`), made at the first file.
    files: OnceLock<ProgressBar>,
    file_bytes: AtomicU64,
}

impl Bars {
    /// Bars drawn on stderr (callers check that it is a terminal).
    pub(crate) fn new() -> Bars {
        let style = ProgressStyle::with_template(
            "{prefix:>19} [{bar:30}] {bytes:>10}/{total_bytes:<10} {bytes_per_sec}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        Bars {
            multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
            style,
            bars: Mutex::new(HashMap::new()),
            files: OnceLock::new(),
            file_bytes: AtomicU64::new(0),
        }
    }

    /// A line above the layer bars counting the images audited, naming the current one
    /// (`layerleak audit`).
    pub(crate) fn images(&self) -> Images {
        let style = ProgressStyle::with_template("{spinner} {pos} images audited; {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        let bar = self.multi.insert(0, ProgressBar::new_spinner().with_style(style));
        bar.enable_steady_tick(std::time::Duration::from_millis(200));
        Images(bar)
    }

    fn with_bar(&self, digest: &str, f: impl FnOnce(&ProgressBar)) {
        // A poisoned lock only means another worker panicked mid-update: keep drawing.
        let bars = self.bars.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(bar) = bars.get(digest) {
            f(bar);
        }
    }
}

impl std::fmt::Debug for Bars {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bars").finish_non_exhaustive()
    }
}

/// The images line of [`Bars::images`].
#[derive(Debug)]
pub(crate) struct Images(ProgressBar);

impl Images {
    /// Removes the line (before the report is printed).
    pub(crate) fn finish(&self) {
        self.0.finish_and_clear();
    }
}

impl layerleak_audit::AuditProgress for Images {
    fn image_started(&self, reference: &str) {
        self.0.set_message(format!("now {}", layerleak_report::escape_controls(reference)));
    }

    fn image_done(&self, _record: &layerleak_audit::ImageRecord) {
        self.0.inc(1);
    }
}

impl Progress for Bars {
    fn layer_started(&self, digest: &str, size: u64) {
        let bar = self.multi.add(ProgressBar::new(size).with_style(self.style.clone()));
        let short = digest.find(':').map_or(digest, |i| digest.get(..i + 13).unwrap_or(digest));
        bar.set_prefix(layerleak_report::escape_controls(short).into_owned());
        self.bars
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(digest.to_owned(), bar);
    }

    fn layer_read(&self, digest: &str, bytes: u64) {
        self.with_bar(digest, |b| b.inc(bytes));
    }

    fn file_scanned(&self, bytes: u64) {
        let bar = self.files.get_or_init(|| {
            let style = ProgressStyle::with_template("{spinner} {pos} files, {msg} scanned")
                .unwrap_or_else(|_| ProgressStyle::default_spinner());
            self.multi.add(ProgressBar::new_spinner().with_style(style))
        });
        bar.inc(1);
        let total = self.file_bytes.fetch_add(bytes, Ordering::Relaxed) + bytes;
        bar.set_message(indicatif::HumanBytes(total).to_string());
    }

    fn files_done(&self) {
        if let Some(bar) = self.files.get() {
            bar.finish_and_clear();
            self.multi.remove(bar);
        }
    }

    fn layer_done(&self, digest: &str) {
        let bar =
            self.bars.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(digest);
        if let Some(bar) = bar {
            bar.finish_and_clear();
            self.multi.remove(&bar);
        }
    }
}
