//! [`Pipeline`]: config scan, parallel layer scan, status resolution, aggregation, each
//! image given out as soon as it is complete.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use layerleak_engine::Scanner;
use layerleak_image::{BlobOpener, Descriptor, ImageSource, PlatformSelector, ResolvedImage};
use layerleak_layer::{PathIndex, Resolver, Status as LayerStatus};
use layerleak_report::{ImageInfo, LayerLocation, Location, Origin, ScanIssue, Severity, Status};

use crate::aggregate::{Aggregator, config_location};
use crate::completion::Completion;
use crate::config_scan::scan_config;
use crate::issues;
use crate::layer_scan::{BlobScan, Problem, scan_blob};
use crate::packages::{OriginIndex, Verdict};
use crate::progress::ProgressOpener;
use crate::{Error, ImageResults, ImageSink, ScanOptions, ScanOutcome};

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
        self.scan_path_to(path, platform, &mut ())
    }

    /// As [`Pipeline::scan_path`], giving each image's results to `sink` as soon as the
    /// image is complete.
    ///
    /// # Errors
    ///
    /// As [`Pipeline::scan_path`].
    pub fn scan_path_to(
        &self,
        path: impl AsRef<Path>,
        platform: &PlatformSelector,
        sink: &mut dyn ImageSink,
    ) -> Result<ScanOutcome, Error> {
        let path = path.as_ref();
        let mut source = layerleak_image::open_path(path)
            .map_err(|source| Error::Open { path: path.to_owned(), source })?;
        self.scan_source_to(source.as_mut(), platform, sink)
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
        self.scan_source_to(source, platform, &mut ())
    }

    /// As [`Pipeline::scan_source`], giving each image's results to `sink` as soon as the
    /// image is complete.
    ///
    /// # Errors
    ///
    /// As [`Pipeline::scan_source`].
    pub fn scan_source_to(
        &self,
        source: &mut dyn ImageSource,
        platform: &PlatformSelector,
        sink: &mut dyn ImageSink,
    ) -> Result<ScanOutcome, Error> {
        let images = source.resolve(platform).map_err(|e| Error::Resolve {
            location: source.describe().location.clone(),
            source: e,
        })?;
        Ok(self.scan_images_to(&images, source.blob_opener().as_ref(), sink))
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
        self.scan_images_to(images, opener, &mut ())
    }

    /// As [`Pipeline::scan_images`], giving each image's results to `sink` as soon as the
    /// image is complete: when its config and its last layer blob are scanned, while the
    /// blobs of other images are still being scanned. A blob shared by several images is
    /// still scanned once; each of them waits for it.
    pub fn scan_images_to(
        &self,
        images: &[ResolvedImage],
        opener: &dyn BlobOpener,
        sink: &mut dyn ImageSink,
    ) -> ScanOutcome {
        let layers = DistinctLayers::of(images);
        sink.begin(&images.iter().map(image_info).collect::<Vec<_>>());
        let mut completion = Completion::new(images, &layers);
        let mut results: Vec<Option<ImageResults>> = vec![None; images.len()];
        let mut complete = |k: usize, scans: Vec<&BlobScan>| {
            let r = self.image_results(&images[k], &scans);
            sink.image_done(&r);
            results[k] = Some(r);
        };
        for k in completion.complete_now() {
            complete(k, Vec::new());
        }
        let blobs = self.scan_blobs(&layers.jobs, opener, &mut |job, scanned| {
            for k in completion.blob_done(job) {
                let scans = images[k]
                    .layers
                    .iter()
                    .map(|l| scanned[layers.ids[&l.descriptor.digest.to_string()]].as_ref())
                    .collect::<Option<Vec<_>>>()
                    .expect("an image is complete when all its blobs are scanned");
                complete(k, scans);
            }
        });
        // Images with a blob whose worker stopped.
        for k in completion.incomplete() {
            complete(k, layers.of_image(&images[k], &blobs));
        }
        ScanOutcome::of_images(results.into_iter().flatten().collect(), &blobs)
    }

    /// The outcome of `images` once every blob of `layers` has been scanned (`blobs`, in
    /// job order): each image is given to `sink`, in order.
    pub(crate) fn outcome(
        &self,
        images: &[ResolvedImage],
        layers: &DistinctLayers<'_>,
        blobs: &[BlobScan],
        sink: &mut dyn ImageSink,
    ) -> ScanOutcome {
        sink.begin(&images.iter().map(image_info).collect::<Vec<_>>());
        let results = images
            .iter()
            .map(|image| {
                let r = self.image_results(image, &layers.of_image(image, blobs));
                sink.image_done(&r);
                r
            })
            .collect();
        ScanOutcome::of_images(results, blobs)
    }

    /// Scans every blob of `jobs` in parallel, the biggest first (so a dominant layer does
    /// not start last and leave the other cores idle at the end); results in job order.
    ///
    /// `scanned(job, results)` is called on this thread as each blob is done, with the
    /// results so far (`results[job]` is set).
    pub(crate) fn scan_blobs(
        &self,
        jobs: &[&Descriptor],
        opener: &dyn BlobOpener,
        scanned: &mut dyn FnMut(usize, &[Option<BlobScan>]),
    ) -> Vec<BlobScan> {
        let mut order: Vec<usize> = (0..jobs.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(jobs[i].size));
        let order = &order;
        let opener = ProgressOpener { inner: opener, progress: self.options.progress.clone() };
        let opener = &opener;
        let next = &AtomicUsize::new(0);
        let workers = self.options.worker_count(jobs.len());
        let mut results: Vec<Option<BlobScan>> = (0..jobs.len()).map(|_| None).collect();
        std::thread::scope(|s| {
            let (tx, rx) = mpsc::channel();
            let handles: Vec<_> = (0..workers)
                .map(|_| {
                    let tx = tx.clone();
                    s.spawn(move || {
                        let mut stream = self.scanner.stream();
                        while let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
                            let scan =
                                scan_blob(&mut stream, opener, jobs[i], &self.options.limits);
                            opener.done(jobs[i]);
                            if tx.send((i, scan)).is_err() {
                                break;
                            }
                        }
                    })
                })
                .collect();
            drop(tx);
            // Ends when every worker has ended (or panicked, dropping its sender).
            for (i, scan) in rx {
                results[i] = Some(scan);
                scanned(i, &results);
            }
            for h in handles {
                // A worker that panicked loses its blob; it is reported below.
                let _ = h.join();
            }
        });
        results
            .into_iter()
            .map(|r| {
                r.unwrap_or_else(|| BlobScan {
                    problems: vec![Problem::incomplete(
                        None,
                        "internal error: the worker scanning this layer stopped".to_owned(),
                    )],
                    ..BlobScan::default()
                })
            })
            .collect()
    }

    /// Config findings, layer findings with statuses, and issues of one image whose layers'
    /// scans are `layers`.
    fn image_results(&self, image: &ResolvedImage, layers: &[&BlobScan]) -> ImageResults {
        let info = image_info(image);
        let name = info.name.clone();
        let platform = info.platform.clone();
        let mut issues = Vec::new();
        for warning in &image.warnings {
            let (severity, reason) = issues::resolve_warning(warning);
            issues.push(ScanIssue {
                severity,
                image: name.clone(),
                platform: platform.clone(),
                layer: None,
                blob_digest: Some(image.config_descriptor.digest.to_string()),
                path: None,
                reason,
            });
        }
        let rules = self.scanner.rules();
        let mut agg = Aggregator::default();
        for hit in scan_config(&self.scanner, &image.config) {
            let location = config_location(&name, platform.as_deref(), hit.site.clone());
            agg.add(rules, &hit, location);
        }
        let resolver = Resolver::new(layers.iter().map(|b| &b.index as &PathIndex));
        let mut packages = OriginIndex::default();
        for parsed in layers.iter().flat_map(|b| &b.databases) {
            packages.add(parsed);
        }
        for (k, (layer, scan)) in image.layers.iter().zip(layers).enumerate() {
            let created_by = image.created_by(k).map(str::to_owned);
            // The verdict on each file of this layer holding a hit, once per file.
            let mut verdicts: HashMap<usize, Verdict> = HashMap::new();
            for hit in &scan.hits {
                let origin = match hit.site.file.and_then(|f| Some((f, scan.hashes.get(f)?))) {
                    Some((f, hashes)) if !packages.is_empty() => verdicts
                        .entry(f)
                        .or_insert_with(|| {
                            let path = String::from_utf8_lossy(&hit.site.layer_path);
                            let verdict = packages.verdict(&path, hashes);
                            if let Some(reason) = verdict_notice(&verdict) {
                                issues.push(ScanIssue {
                                    severity: Severity::Notice,
                                    image: name.clone(),
                                    platform: platform.clone(),
                                    layer: Some(k),
                                    blob_digest: Some(layer.descriptor.digest.to_string()),
                                    path: Some(path.into_owned()),
                                    reason,
                                });
                            }
                            verdict
                        })
                        .origin(),
                    _ => Origin::Image,
                };
                // npm records no per-file digest: its package files are labelled
                // `vendored`, which gates like `image` (see OriginIndex::npm_package).
                let origin = match origin {
                    Origin::Image => packages
                        .npm_package(&String::from_utf8_lossy(&hit.site.layer_path))
                        .unwrap_or(Origin::Image),
                    o => o,
                };
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
                    origin,
                });
                agg.add(rules, hit, location);
            }
            for p in &scan.problems {
                issues.push(ScanIssue {
                    severity: p.severity,
                    image: name.clone(),
                    platform: platform.clone(),
                    layer: Some(k),
                    blob_digest: Some(layer.descriptor.digest.to_string()),
                    path: p.path.clone(),
                    reason: p.reason.clone(),
                });
            }
        }
        ImageResults { image: info, findings: agg.finish(), issues }
    }
}

/// Why a file a package database lists keeps the origin `image`, as a notice.
fn verdict_notice(verdict: &Verdict) -> Option<String> {
    match verdict {
        Verdict::Unlisted | Verdict::Package(_) => None,
        Verdict::Differs { manager, package } => Some(format!(
            "the {manager} database lists this file (package {package}) but its bytes differ from \
             the recorded digest (modified after install, or a database that does not match): \
             its findings keep the origin `image`"
        )),
        Verdict::NotVerified { manager, package } => Some(format!(
            "the {manager} database lists this file (package {package}) but it is larger than {} \
             MiB, so it was not hashed: its findings keep the origin `image` (not verified)",
            crate::packages::HASH_LIMIT >> 20
        )),
    }
}

/// How reports name `image`.
fn image_info(image: &ResolvedImage) -> ImageInfo {
    ImageInfo {
        name: image.display_name(),
        platform: image.platform.as_ref().map(ToString::to_string),
        layers: image.layers.len(),
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

    /// The scans of `image`'s layers, in layer order, from `blobs` (in job order).
    pub(crate) fn of_image<'b>(
        &self,
        image: &ResolvedImage,
        blobs: &'b [BlobScan],
    ) -> Vec<&'b BlobScan> {
        image.layers.iter().map(|l| &blobs[self.ids[&l.descriptor.digest.to_string()]]).collect()
    }
}
