//! [`Progress`]: events for a progress display while layers (or trees on disk) are read.

use std::fmt;
use std::io::{self, Read};
use std::sync::Arc;

use layerleak_image::{BlobOpener, Descriptor};

/// Receives progress events from the layer workers, set with
/// [`ScanOptions::with_progress`](crate::ScanOptions::with_progress).
///
/// Called from several worker threads at once (one blob each); a blob's events come from
/// one thread in order: `layer_started`, any number of `layer_read`, `layer_done`. Bytes
/// count the blob *as stored* (compressed), so they add up to the descriptor's size when
/// the blob is read to its end. Implementations must be quick: they run on the scan's hot
/// path.
pub trait Progress: Send + Sync + fmt::Debug {
    /// A worker starts reading the blob `digest` of `size` bytes.
    fn layer_started(&self, _digest: &str, _size: u64) {}

    /// `bytes` more bytes of the blob `digest` were read.
    fn layer_read(&self, _digest: &str, _bytes: u64) {}

    /// The blob `digest` is scanned (completely or not).
    fn layer_done(&self, _digest: &str) {}

    /// A tree walk ([`Pipeline::scan_tree`](crate::Pipeline::scan_tree)) scanned one more
    /// regular file, of `bytes` bytes. Called from the workers, in no particular order.
    fn file_scanned(&self, _bytes: u64) {}

    /// Every file of the trees is scanned.
    fn files_done(&self) {}
}

/// A [`BlobOpener`] that reports what is read through `progress`, if any.
#[derive(Debug)]
pub(crate) struct ProgressOpener<'a> {
    pub(crate) inner: &'a dyn BlobOpener,
    pub(crate) progress: Option<Arc<dyn Progress>>,
}

impl ProgressOpener<'_> {
    /// Reports that the blob `desc` is done.
    pub(crate) fn done(&self, desc: &Descriptor) {
        if let Some(p) = &self.progress {
            p.layer_done(&desc.digest.to_string());
        }
    }
}

impl BlobOpener for ProgressOpener<'_> {
    fn open(&self, desc: &Descriptor) -> layerleak_image::Result<Box<dyn Read + Send>> {
        let Some(progress) = &self.progress else { return self.inner.open(desc) };
        let digest = desc.digest.to_string();
        progress.layer_started(&digest, desc.size);
        let inner = self.inner.open(desc)?;
        Ok(Box::new(CountingReader { inner, digest, progress: Arc::clone(progress) }))
    }
}

/// Passes reads through and reports their sizes.
struct CountingReader {
    inner: Box<dyn Read + Send>,
    digest: String,
    progress: Arc<dyn Progress>,
}

impl Read for CountingReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n > 0 {
            self.progress.layer_read(&self.digest, n as u64);
        }
        Ok(n)
    }
}
