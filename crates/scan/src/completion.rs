//! [`Completion`]: which images are complete as their layer blobs finish.

use layerleak_image::ResolvedImage;

use crate::pipeline::DistinctLayers;

/// Tracks, per image, the distinct layer blobs not yet scanned. A blob may be a layer of
/// several images (platforms sharing a base) and is scanned once, on behalf of all of
/// them; an image is complete when its last blob is.
#[derive(Debug)]
pub(crate) struct Completion {
    /// Per image: how many of its distinct blobs are not scanned yet.
    left: Vec<usize>,
    /// Per blob (job): the images it is a layer of, each once.
    images_of: Vec<Vec<usize>>,
}

impl Completion {
    pub(crate) fn new(images: &[ResolvedImage], layers: &DistinctLayers<'_>) -> Completion {
        let mut images_of: Vec<Vec<usize>> = vec![Vec::new(); layers.jobs.len()];
        let mut left = vec![0; images.len()];
        for (k, image) in images.iter().enumerate() {
            for layer in &image.layers {
                let job = layers.ids[&layer.descriptor.digest.to_string()];
                // An image may list the same blob twice: it waits for it once.
                if images_of[job].last() != Some(&k) {
                    images_of[job].push(k);
                    left[k] += 1;
                }
            }
        }
        Completion { left, images_of }
    }

    /// The images complete before any blob is scanned (those without layers).
    pub(crate) fn complete_now(&self) -> Vec<usize> {
        (0..self.left.len()).filter(|&k| self.left[k] == 0).collect()
    }

    /// The images still waiting for a blob.
    pub(crate) fn incomplete(&self) -> Vec<usize> {
        (0..self.left.len()).filter(|&k| self.left[k] > 0).collect()
    }

    /// Records that blob `job` is scanned; returns the images this completes.
    pub(crate) fn blob_done(&mut self, job: usize) -> Vec<usize> {
        let mut complete = Vec::new();
        for &k in &self.images_of[job] {
            self.left[k] -= 1;
            if self.left[k] == 0 {
                complete.push(k);
            }
        }
        complete
    }
}
