//! [`Pipeline`]: config scan, parallel layer scan, status resolution, aggregation.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use layerleak_engine::Scanner;
use layerleak_image::{
    BlobOpener, Descriptor, ImageSource, PlatformSelector, ResolveWarning, ResolvedImage,
};
use layerleak_layer::{PathIndex, Resolver, Status as LayerStatus};
use layerleak_report::{ImageInfo, LayerLocation, Location, ScanIssue, Status};

use crate::aggregate::{Aggregator, config_location};
use crate::config_scan::scan_config;
use crate::layer_scan::{BlobScan, Problem, scan_blob};
use crate::{Error, ScanOptions, ScanOutcome};

/// Scans images: their config, then their layers in parallel, then forms findings.
///
/// Cheap to share: holds the compiled [`Scanner`] and the options.
#[derive(Debug, Clone)]
pub struct Pipeline {
    pub(crate) scanner: Scanner,
    pub(crate) options: ScanOptions,
}

impl Pipeline {
    /// A pipeline scanning with `scanner`'s rules plus the built-in path and secret-name
    /// checks.
    pub fn new(scanner: Scanner, options: ScanOptions) -> Pipeline {
        Pipeline { scanner, options }
    }

    /// Opens the image at `path` (see [`layerleak_image::open_path`]), resolves the
    /// platforms `platform` selects, and scans them.
    ///
    /// # Errors
    ///
    /// [`Error::Open`] when `path` is not a readable image, [`Error::Resolve`] when its
    /// index, manifests or config cannot be read or no platform matches. Problems with
    /// layers are not errors: see [`Pipeline::scan_images`].
    pub fn scan_path(
        &self,
        path: impl AsRef<Path>,
        platform: &PlatformSelector,
    ) -> Result<ScanOutcome, Error> {
        let path = path.as_ref();
        let mut source = layerleak_image::open_path(path)
            .map_err(|source| Error::Open { path: path.to_owned(), source })?;
        self.scan_source(source.as_mut(), platform)
    }

    /// Resolves the platforms `platform` selects in `source` and scans them.
    ///
    /// # Errors
    ///
    /// [`Error::Resolve`], as for [`Pipeline::scan_path`].
    pub fn scan_source(
        &self,
        source: &mut dyn ImageSource,
        platform: &PlatformSelector,
    ) -> Result<ScanOutcome, Error> {
        let images = source.resolve(platform).map_err(|e| Error::Resolve {
            location: source.describe().location.clone(),
            source: e,
        })?;
        Ok(self.scan_images(&images, source.blob_opener().as_ref()))
    }

    /// Scans resolved images whose blobs `opener` reads.
    ///
    /// Each distinct layer blob is scanned once, however many layers or images share it,
    /// by [`ScanOptions::workers`] threads that each own a stream scanner (and each run a
    /// decompression thread for the layer they scan). Then, per image,
    /// every location's status is resolved against the layers above it, and the hits form
    /// one [`Finding`](layerleak_report::Finding) per distinct secret value, with every
    /// location.
    ///
    /// Never fails: a missing blob, a digest mismatch, a corrupt or truncated layer, or a
    /// nested archive that could not be fully read becomes a [`ScanIssue`] naming the
    /// image, layer and path, and everything else is still scanned.
    pub fn scan_images(&self, images: &[ResolvedImage], opener: &dyn BlobOpener) -> ScanOutcome {
        let layers = DistinctLayers::of(images);
        let blobs = self.scan_blobs(&layers.jobs, opener);
        self.outcome(images, &layers, &blobs)
    }

    /// The outcome of `images` once every blob of `layers` has been scanned (`blobs`, in
    /// job order): config findings, layer findings with their statuses, and issues.
    pub(crate) fn outcome(
        &self,
        images: &[ResolvedImage],
        layers: &DistinctLayers<'_>,
        blobs: &[BlobScan],
    ) -> ScanOutcome {
        let mut out = ScanOutcome {
            blobs_scanned: layers.jobs.len(),
            bytes_scanned: blobs.iter().map(|b| b.bytes).sum(),
            ..ScanOutcome::default()
        };
        for image in images {
            for warning in &image.warnings {
                if let ResolveWarning::MalformedConfig { digest, reason } = warning {
                    out.issues.push(ScanIssue {
                        image: image.display_name(),
                        platform: image.platform.as_ref().map(ToString::to_string),
                        layer: None,
                        blob_digest: Some(digest.to_string()),
                        path: None,
                        reason: format!(
                            "malformed image config ({reason}): ENV, LABEL, history and build args were not scanned; the layers were"
                        ),
                    });
                }
            }
            let per_layer: Vec<&BlobScan> = image
                .layers
                .iter()
                .map(|l| &blobs[layers.ids[&l.descriptor.digest.to_string()]])
                .collect();
            self.image_results(image, &per_layer, &mut out);
        }
        out
    }

    /// Scans every blob of `jobs` in parallel, the biggest first (so a dominant layer does
    /// not start last and leave the other cores idle at the end); results in job order.
    pub(crate) fn scan_blobs(
        &self,
        jobs: &[&Descriptor],
        opener: &dyn BlobOpener,
    ) -> Vec<BlobScan> {
        let mut order: Vec<usize> = (0..jobs.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(jobs[i].size));
        let next = AtomicUsize::new(0);
        let workers = self.options.worker_count(jobs.len());
        let mut results: Vec<Option<BlobScan>> = (0..jobs.len()).map(|_| None).collect();
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..workers)
                .map(|_| {
                    s.spawn(|| {
                        let mut stream = self.scanner.stream();
                        let mut done = Vec::new();
                        while let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
                            done.push((
                                i,
                                scan_blob(&mut stream, opener, jobs[i], &self.options.limits),
                            ));
                        }
                        done
                    })
                })
                .collect();
            for h in handles {
                // A worker that panicked loses its blobs; they are reported below.
                if let Ok(done) = h.join() {
                    for (i, scan) in done {
                        results[i] = Some(scan);
                    }
                }
            }
        });
        results
            .into_iter()
            .map(|r| {
                r.unwrap_or_else(|| BlobScan {
                    problems: vec![Problem {
                        path: None,
                        reason: "internal error: the worker scanning this layer stopped".to_owned(),
                    }],
                    ..BlobScan::default()
                })
            })
            .collect()
    }

    /// Config findings, layer findings with statuses, and issues of one image.
    fn image_results(&self, image: &ResolvedImage, layers: &[&BlobScan], out: &mut ScanOutcome) {
        let name = image.display_name();
        let platform = image.platform.as_ref().map(ToString::to_string);
        let rules = self.scanner.rules();
        let mut agg = Aggregator::default();
        for hit in scan_config(&self.scanner, &image.config) {
            let location = config_location(&name, platform.as_deref(), hit.site);
            agg.add(rules, hit.rule, hit.confidence, &hit.secret, location);
        }
        let resolver = Resolver::new(layers.iter().map(|b| &b.index as &PathIndex));
        for (k, (layer, scan)) in image.layers.iter().zip(layers).enumerate() {
            let created_by = image.created_by(k).map(str::to_owned);
            for hit in &scan.hits {
                let status = match resolver.status(k, &hit.site.layer_path) {
                    LayerStatus::Deleted { layer } => Status::Deleted { by_layer: layer },
                    LayerStatus::Overwritten { layer } => Status::Overwritten { by_layer: layer },
                    _ => Status::PresentInFinal,
                };
                let location = Location::Layer(LayerLocation {
                    image: name.clone(),
                    platform: platform.clone(),
                    layer: k,
                    blob_digest: layer.descriptor.digest.to_string(),
                    diff_id: layer.diff_id.as_ref().map(ToString::to_string),
                    created_by: created_by.clone(),
                    path: hit.site.path.clone(),
                    offset: hit.site.offset,
                    text_encoding: hit.site.encoding.map(str::to_owned),
                    status,
                });
                agg.add(rules, hit.rule, hit.confidence, &hit.secret, location);
            }
            for p in &scan.problems {
                out.issues.push(ScanIssue {
                    image: name.clone(),
                    platform: platform.clone(),
                    layer: Some(k),
                    blob_digest: Some(layer.descriptor.digest.to_string()),
                    path: p.path.clone(),
                    reason: p.reason.clone(),
                });
            }
        }
        out.findings.extend(agg.finish());
        out.images.push(ImageInfo { name, platform, layers: image.layers.len() });
    }
}

/// The distinct layer blobs of some images: each digest once, however many layers or
/// images share it.
#[derive(Debug)]
pub(crate) struct DistinctLayers<'a> {
    /// Digest → position in `jobs`.
    pub(crate) ids: HashMap<String, usize>,
    /// One descriptor per distinct digest, in first-seen order.
    pub(crate) jobs: Vec<&'a Descriptor>,
}

impl DistinctLayers<'_> {
    pub(crate) fn of(images: &[ResolvedImage]) -> DistinctLayers<'_> {
        let mut ids: HashMap<String, usize> = HashMap::new();
        let mut jobs: Vec<&Descriptor> = Vec::new();
        for layer in images.iter().flat_map(|i| &i.layers) {
            ids.entry(layer.descriptor.digest.to_string()).or_insert_with(|| {
                jobs.push(&layer.descriptor);
                jobs.len() - 1
            });
        }
        DistinctLayers { ids, jobs }
    }
}
