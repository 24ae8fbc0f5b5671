//! [`ImageSink`]: each image's results as soon as that image is complete.

use layerleak_report::{Finding, ImageInfo, ScanIssue};

/// The final findings and issues of one image.
///
/// An image is complete when its config and every one of its layers are scanned,
/// including layers it shares with other images (scanned once, on behalf of all of them):
/// only then are the statuses of its locations (`present_in_final`, `deleted`,
/// `overwritten`) known, and a secret found in its config and in a layer is one finding.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImageResults {
    /// The image.
    pub image: ImageInfo,
    /// One finding per distinct secret of this image (a secret also found in another
    /// image is a finding of each).
    pub findings: Vec<Finding>,
    /// What could not be read or fully scanned in this image, and its notices.
    pub issues: Vec<ScanIssue>,
}

/// Receives each image's results as soon as the image is complete, while the other images
/// of the run are still being scanned (see the `*_to` methods of
/// [`Pipeline`](crate::Pipeline)).
///
/// Called on the thread that called the pipeline, never concurrently: `begin` once, when
/// the images are resolved and before any is complete, then `image_done` once per image,
/// in the order the images complete. The [`ScanOutcome`](crate::ScanOutcome) returned at
/// the end holds the same results, in image order.
pub trait ImageSink {
    /// The images of the run are known.
    fn begin(&mut self, _images: &[ImageInfo]) {}

    /// `results` are final: no other finding or issue of that image will come.
    fn image_done(&mut self, results: &ImageResults);
}

/// Discards everything: for callers that only want the [`ScanOutcome`](crate::ScanOutcome).
impl ImageSink for () {
    fn image_done(&mut self, _results: &ImageResults) {}
}
