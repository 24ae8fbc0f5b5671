//! [`Error`]: what stops a scan before any layer is read.

use std::path::PathBuf;

/// A failure that prevents scanning at all. Failures of single layers or files are not
/// errors: they become [`ScanIssue`](layerleak_report::ScanIssue)s of an incomplete
/// [`ScanOutcome`](crate::ScanOutcome).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The path is not a readable image.
    #[error("cannot open {} as an image", path.display())]
    Open {
        /// The path given.
        path: PathBuf,
        /// Why.
        #[source]
        source: layerleak_image::Error,
    },
    /// A streamed image (see [`Pipeline::scan_stream`](crate::Pipeline::scan_stream)) could
    /// not be read to its end.
    #[error("cannot scan an image stream")]
    Stream {
        /// The stream, as shown to people.
        location: String,
        /// Why.
        #[source]
        source: layerleak_image::Error,
    },
    /// The image's index, manifests or configs could not be resolved.
    #[error("cannot resolve the images in {location}")]
    Resolve {
        /// The source, as shown to people.
        location: String,
        /// Why.
        #[source]
        source: layerleak_image::Error,
    },
}
