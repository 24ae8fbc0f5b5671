//! [`Pipeline::scan_stream`]: an image that arrives once, as a `docker save` stream (a
//! container engine's `GET /images/{name}/get`).

use std::collections::HashMap;
use std::io::Read;

use layerleak_image::{Descriptor, ImageSource, PlatformSelector, read_save_stream};

use crate::describe::describe;
use crate::layer_scan::{BlobScan, Problem, scan_reader};
use crate::pipeline::DistinctLayers;
use crate::{Error, ImageSink, Pipeline, ScanOutcome};

impl Pipeline {
    /// Scans the images of a `docker save` tarball read once from `reader`, front to back,
    /// without writing it anywhere; `location` names it in messages and reports
    /// (`docker:app:dev`).
    ///
    /// The archive lists its layers only at its end, so every member that is not a JSON
    /// document is scanned as a layer while it streams past, and only its small result
    /// (hits, path index, problems) is kept. The stream is read in order on this thread,
    /// which hashes each member; its bytes are decompressed and walked and scanned on two
    /// more threads meanwhile ([`walk_layer_offloaded`](layerleak_layer::walk_layer_offloaded)). When
    /// the stream ends, the documents are resolved as for an archive on disk, each layer's
    /// digest is checked against what streamed past (a mismatch is an issue naming the
    /// layer), results of members that are not layers of a selected image are dropped, and
    /// findings are formed as by [`Pipeline::scan_images`]. A layer small and JSON-like
    /// enough to have been kept as a document is scanned from memory then.
    ///
    /// # Errors
    ///
    /// [`Error::Stream`] when the stream is not a `docker save` tarball, is truncated or
    /// fails; [`Error::Resolve`] as for [`Pipeline::scan_path`]. Problems with single layers
    /// are issues of the outcome, as for [`Pipeline::scan_images`].
    pub fn scan_stream(
        &self,
        reader: impl Read,
        location: &str,
        platform: &PlatformSelector,
    ) -> Result<ScanOutcome, Error> {
        self.scan_stream_to(reader, location, platform, &mut ())
    }

    /// As [`Pipeline::scan_stream`], giving each image's results to `sink` once complete.
    /// The archive names its images only at its end, so they are all given then, in
    /// order.
    ///
    /// # Errors
    ///
    /// As [`Pipeline::scan_stream`].
    pub fn scan_stream_to(
        &self,
        reader: impl Read,
        location: &str,
        platform: &PlatformSelector,
        sink: &mut dyn ImageSink,
    ) -> Result<ScanOutcome, Error> {
        let mut stream = self.scanner.stream();
        let limits = self.options.limits;
        let mut scanned: HashMap<String, BlobScan> = HashMap::new();
        let mut archive = read_save_stream(reader, location, |blob| {
            scanned.insert(blob.name.to_owned(), scan_reader(&mut stream, blob.reader, &limits));
        })
        .map_err(|source| Error::Stream { location: location.to_owned(), source })?;
        let images = archive
            .resolve(platform)
            .map_err(|source| Error::Resolve { location: location.to_owned(), source })?;

        let layers = DistinctLayers::of(&images);
        let mut blobs = vec![BlobScan::default(); layers.jobs.len()];
        let mut unstreamed: Vec<(usize, &Descriptor)> = Vec::new();
        for (i, desc) in layers.jobs.iter().enumerate() {
            let Some(member) = archive.streamed_member(desc) else {
                unstreamed.push((i, desc));
                continue;
            };
            let mut scan = scanned
                .get(&member.name)
                .cloned()
                .expect("every member that streamed past was scanned as it did");
            if let Err(e) = member.verify(desc) {
                scan.problems.push(Problem::incomplete(None, describe(&e)));
            }
            blobs[i] = scan;
        }
        // Kept as documents (or missing): read from memory, or reported as missing.
        let jobs: Vec<&Descriptor> = unstreamed.iter().map(|(_, d)| *d).collect();
        let opener = archive.blob_opener();
        for ((i, _), scan) in
            unstreamed.iter().zip(self.scan_blobs(&jobs, opener.as_ref(), &mut |_, _| {}))
        {
            blobs[*i] = scan;
        }
        Ok(self.outcome(&images, &layers, &blobs, sink))
    }
}
