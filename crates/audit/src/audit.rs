//! [`Auditor`]: one run of an audit: expand the targets into image references, audit each
//! image (layers from the cache or scanned and stored), record it, and compare the run's
//! incidents with the previous run's.

use std::collections::{BTreeSet, HashMap};
use std::sync::mpsc;
use std::time::Duration;

use layerleak_image::ImageSource as _;
use layerleak_image::PlatformSelector;
use layerleak_image::registry::{ImageReference, RegistryOptions, RegistrySource};
use layerleak_report::Gate;
use layerleak_scan::Pipeline;

use crate::backend::{Claim, Worker};
use crate::cache::StoreCache;
use crate::incident::{Incident, IncidentState, incidents};
use crate::record::{StoredFinding, StoredIssue};
use crate::{Error, ImageRecord, Store, TagFilter, Target, newest};

/// The repository name a catalog listing connects for (the catalog is not per
/// repository, but a connection is).
const CATALOG_REPOSITORY: &str = "layerleak-catalog";

/// How often a worker looks again for an image or a layer that another worker holds.
const POLL: Duration = Duration::from_millis(250);

/// What an audit covers and how it reaches registries.
#[derive(Debug, Clone)]
pub struct AuditOptions {
    /// The targets, as given.
    pub targets: Vec<String>,
    /// Which tags of repository and registry targets.
    pub tags: TagFilter,
    /// The tag filter as given (part of what identifies the audit between runs).
    pub tags_text: String,
    /// TLS, credentials, timeouts: as for `layerleak scan`.
    pub registry: RegistryOptions,
    /// Which platforms of multi-platform images.
    pub platform: PlatformSelector,
    /// Names asked per page of a tag list or catalog (the spec's `n`).
    pub page: usize,
    /// How long a worker's claim on an image or a layer holds unless renewed (it is
    /// renewed every third of it while the worker lives; a shared database only).
    pub lease: Duration,
}

impl AuditOptions {
    /// What identifies this audit between runs: the targets and the tag filter.
    fn identity(&self) -> String {
        serde_json::json!({ "targets": self.targets, "tags": self.tags_text }).to_string()
    }
}

/// The result of one run.
#[derive(Debug, Clone)]
pub struct AuditReport {
    /// The run's id in the database.
    pub run: i64,
    /// The previous finished run of the same targets, compared with.
    pub previous: Option<i64>,
    /// Whether this run resumed an interrupted one.
    pub resumed: bool,
    /// Every image of the run (those finished before an interruption included).
    pub images: Vec<ImageRecord>,
    /// Incidents new, still and gone.
    pub incidents: Vec<Incident>,
}

impl AuditReport {
    /// The report of the last finished run in `store`, as it was given, read from the
    /// database alone (nothing is fetched); `None` when no run has finished.
    ///
    /// # Errors
    ///
    /// [`Error::Database`] or [`Error::Corrupt`] when the database fails.
    pub fn last(store: &Store) -> Result<Option<AuditReport>, Error> {
        let Some((run, targets)) = store.last_finished()? else {
            return Ok(None);
        };
        AuditReport::of_run(store, run, &targets, false).map(Some)
    }

    /// The report of run `run` of `targets`, compared with the previous finished run.
    fn of_run(store: &Store, run: i64, targets: &str, resumed: bool) -> Result<AuditReport, Error> {
        let images = store.images(run)?;
        let previous = store.previous_run(targets, run)?;
        let before = match previous {
            Some(p) => store.images(p)?,
            None => Vec::new(),
        };
        let incidents = incidents(&images, &before);
        Ok(AuditReport { run, previous, resumed, images, incidents })
    }

    /// The incidents in `state`.
    pub fn count(&self, state: IncidentState) -> usize {
        self.incidents.iter().filter(|i| i.state == state).count()
    }

    /// Whether every image was audited completely.
    pub fn is_complete(&self) -> bool {
        self.images.iter().all(ImageRecord::is_complete)
    }

    /// The exit code, as `layerleak scan`'s: 2 when an image could not be audited or was
    /// not fully scanned, else 1 when a secret that fails the gate is present (new or
    /// still), else 0.
    pub fn exit_code(&self) -> u8 {
        if !self.is_complete() {
            2
        } else if self.incidents.iter().any(|i| i.state != IncidentState::Gone) {
            1
        } else {
            0
        }
    }
}

/// What an audit tells as it goes, for a progress display.
pub trait AuditProgress: Sync {
    /// This worker took image `reference` and audits it.
    fn image_started(&self, reference: &str);
    /// This worker stored the result of an image.
    fn image_done(&self, record: &ImageRecord);
}

/// Runs audits with a pipeline and a database.
pub struct Auditor<'a> {
    pipeline: &'a Pipeline,
    store: &'a Store,
    progress: Option<&'a dyn AuditProgress>,
}

impl std::fmt::Debug for Auditor<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auditor").field("store", &self.store).finish_non_exhaustive()
    }
}

impl<'a> Auditor<'a> {
    /// An auditor scanning with `pipeline` and keeping its state in `store`.
    pub fn new(pipeline: &'a Pipeline, store: &'a Store) -> Auditor<'a> {
        Auditor { pipeline, store, progress: None }
    }

    /// Tells `progress` of each image as it is started and stored.
    #[must_use]
    pub fn with_progress(mut self, progress: &'a dyn AuditProgress) -> Auditor<'a> {
        self.progress = Some(progress);
        self
    }

    /// Runs the audit `options` describes: resumes the last run of the same targets if it
    /// was interrupted (images it finished are not audited again), else starts a new one.
    /// Each image is stored as soon as it is done, each layer scan as soon as it is made.
    ///
    /// An image or a repository that cannot be read is recorded with its reason (exit
    /// code 2) and the others are audited.
    ///
    /// # Errors
    ///
    /// [`Error::Database`] or [`Error::Corrupt`] when the database fails.
    pub fn run(&self, options: &AuditOptions) -> Result<AuditReport, Error> {
        let identity = options.identity();
        let key = self.pipeline.layer_key();
        let worker = Worker::new(options.lease);
        // The first worker starts the run and lists its targets; the others join it.
        let (run, resumed) = self.store.with_runs_locked(|| {
            let (run, resumed) = match self.store.last_run(&identity, &key)? {
                Some(last) if !last.finished => (last.id, true),
                _ => (self.store.start_run(&identity, &key)?, false),
            };
            // What could not be audited is tried again; what was audited is kept.
            self.store.forget_failed(run)?;
            let references = self.expand(options, run)?;
            self.store.add_jobs(run, &references)?;
            Ok((run, resumed))
        })?;
        // The complete records of the previous finished run under the same rules, by
        // reference: an image whose manifest digest is unchanged is not fetched again.
        let reusable: HashMap<String, ImageRecord> =
            match self.store.previous_run_keyed(&identity, &key, run)? {
                Some(previous) => self
                    .store
                    .images(previous)?
                    .into_iter()
                    .filter(|r| r.is_complete() && r.manifest_digest.is_some())
                    .map(|r| (r.reference.clone(), r))
                    .collect(),
                None => HashMap::new(),
            };
        let renewer = self.store.reconnect()?;
        std::thread::scope(|scope| {
            let (stop, stopped) = mpsc::channel::<()>();
            if let Some(renewer) = renewer {
                let worker = &worker;
                scope.spawn(move || {
                    // A renewal that fails lets the lease expire: another worker then
                    // takes the image over, which costs time, not correctness.
                    while let Err(mpsc::RecvTimeoutError::Timeout) =
                        stopped.recv_timeout(worker.lease / 3)
                    {
                        let _ = renewer.renew(worker);
                    }
                });
            }
            let worked = self.work(run, &key, options, &worker, &reusable);
            drop(stop);
            worked
        })?;
        self.store.finish_run(run)?;
        AuditReport::of_run(self.store, run, &identity, resumed)
    }

    /// Audits the images of run `run` that no other worker holds, until none is left.
    fn work(
        &self,
        run: i64,
        key: &str,
        options: &AuditOptions,
        worker: &Worker,
        reusable: &HashMap<String, ImageRecord>,
    ) -> Result<(), Error> {
        let mut cache = StoreCache { store: self.store, key, error: None };
        loop {
            match self.store.claim_job(run, worker)? {
                Claim::Job(reference) => {
                    if let Some(p) = self.progress {
                        p.image_started(&reference);
                    }
                    let record =
                        self.audit_image(&reference, options, &mut cache, worker, reusable)?;
                    if let Some(e) = cache.error.take() {
                        return Err(e);
                    }
                    self.store.put_image(run, &record)?;
                    if let Some(p) = self.progress {
                        p.image_done(&record);
                    }
                }
                Claim::Wait => std::thread::sleep(POLL),
                Claim::Done => return Ok(()),
            }
        }
    }

    /// The image references of the targets, each once, in order. A repository or registry
    /// whose list cannot be read is stored as a record with the reason.
    fn expand(&self, options: &AuditOptions, run: i64) -> Result<Vec<String>, Error> {
        let mut out: Vec<String> = Vec::new();
        let mut push = |r: String| {
            if !out.contains(&r) {
                out.push(r);
            }
        };
        for text in &options.targets {
            let listed = match Target::parse(text)? {
                Target::Image(r) => Ok(vec![r.to_string()]),
                Target::Repository(r) => self.tags_of(&r, options),
                Target::Registry(host) => self.registry_images(&host, options),
            };
            match listed {
                Ok(refs) => refs.into_iter().for_each(&mut push),
                Err(reason) => {
                    self.store.put_image(run, &ImageRecord::failed(text.clone(), reason))?;
                }
            }
        }
        Ok(out)
    }

    /// `repo:tag` for each tag of `repo` that the filter selects.
    fn tags_of(
        &self,
        repo: &ImageReference,
        options: &AuditOptions,
    ) -> Result<Vec<String>, String> {
        let source =
            RegistrySource::connect(repo.clone(), &options.registry).map_err(|e| chain(&e))?;
        let tags = source.tags(options.page).map_err(|e| chain(&e))?;
        let name = format!("{}/{}", repo.registry(), repo.repository());
        let mut tags = options.tags.select(tags);
        if let TagFilter::Newest(n) = options.tags {
            let dated = tags.into_iter().map(|t| {
                let created = self.created(&format!("{name}:{t}"), options);
                (t, created)
            });
            tags = newest(dated.collect(), n);
        }
        Ok(tags.into_iter().map(|t| format!("{name}:{t}")).collect())
    }

    /// The latest config `created` date of the image `reference` (of the platforms
    /// selected), if it can be read.
    fn created(&self, reference: &str, options: &AuditOptions) -> Option<String> {
        let reference = ImageReference::parse(reference).ok()?;
        let mut source = RegistrySource::connect(reference, &options.registry).ok()?;
        let images = source.resolve(&options.platform).ok()?;
        images
            .iter()
            .filter_map(|i| i.config.created.clone())
            .max_by_key(|c| crate::created::instant(c))
    }

    /// The selected tags of every repository of the registry `host`.
    fn registry_images(&self, host: &str, options: &AuditOptions) -> Result<Vec<String>, String> {
        let placeholder = ImageReference::parse(&format!("{host}/{CATALOG_REPOSITORY}"))
            .map_err(|e| chain(&e))?;
        let source =
            RegistrySource::connect(placeholder, &options.registry).map_err(|e| chain(&e))?;
        let mut out = Vec::new();
        for repo in source.repositories(options.page).map_err(|e| chain(&e))? {
            let reference =
                ImageReference::parse(&format!("{host}/{repo}")).map_err(|e| chain(&e))?;
            out.extend(self.tags_of(&reference, options)?);
        }
        Ok(out)
    }

    /// Audits one image: its manifest and config are fetched, its layers taken from the
    /// cache or fetched and scanned.
    ///
    /// Before scanning, each layer not stored yet is claimed; a layer another worker is
    /// scanning is waited for (layers are claimed in digest order, so two workers never
    /// wait on each other).
    fn audit_image(
        &self,
        reference: &str,
        options: &AuditOptions,
        cache: &mut StoreCache<'_>,
        worker: &Worker,
        reusable: &HashMap<String, ImageRecord>,
    ) -> Result<ImageRecord, Error> {
        let connected = ImageReference::parse(reference)
            .map_err(|e| chain(&e))
            .and_then(|r| RegistrySource::connect(r, &options.registry).map_err(|e| chain(&e)));
        let mut source = match connected {
            Ok(source) => source,
            Err(reason) => return Ok(ImageRecord::failed(reference.to_owned(), reason)),
        };
        // A HEAD request for the manifest: unchanged since the previous run, the image's
        // record is taken again (a failed HEAD is left to the GET to report).
        let manifest_digest = source.manifest_digest().ok().flatten();
        if let Some(previous) = reusable.get(reference)
            && manifest_digest.is_some()
            && previous.manifest_digest == manifest_digest
        {
            return Ok(ImageRecord {
                layers_scanned: 0,
                layers_cached: previous.layers_scanned + previous.layers_cached,
                bytes_scanned: 0,
                ..previous.clone()
            });
        }
        let images = match source.resolve(&options.platform) {
            Ok(images) => images,
            Err(e) => return Ok(ImageRecord::failed(reference.to_owned(), chain(&e))),
        };
        let distinct: BTreeSet<String> = images
            .iter()
            .flat_map(|i| &i.layers)
            .map(|l| l.descriptor.digest.to_string())
            .collect();
        let claimed = self.claim_layers(&distinct, cache.key, worker)?;
        let outcome =
            self.pipeline.scan_images_cached(&images, source.blob_opener().as_ref(), cache);
        for digest in &claimed {
            // Stored scans dropped their claim; what was not stored (an incomplete scan)
            // is left to the next worker needing it.
            self.store.release_layer(digest, cache.key, worker)?;
        }
        let gated = Gate::new().apply(outcome.findings);
        let mut findings: Vec<StoredFinding> =
            gated.findings.iter().map(|f| StoredFinding::of(f, &gated)).collect();
        findings.sort_by(|a, b| a.fingerprint.cmp(&b.fingerprint));
        Ok(ImageRecord {
            reference: reference.to_owned(),
            manifest_digest,
            error: None,
            layers_scanned: outcome.blobs_scanned,
            layers_cached: distinct.len().saturating_sub(outcome.blobs_scanned),
            bytes_scanned: outcome.bytes_scanned,
            findings,
            issues: outcome.issues.iter().map(StoredIssue::of).collect(),
        })
    }

    /// Claims each layer of `digests` not stored yet, in order, waiting for those another
    /// worker is scanning (until they are stored or its claim expires); the layers
    /// claimed.
    fn claim_layers(
        &self,
        digests: &BTreeSet<String>,
        key: &str,
        worker: &Worker,
    ) -> Result<Vec<String>, Error> {
        let mut claimed = Vec::new();
        for digest in digests {
            while !self.store.has_layer(digest, key)? {
                if self.store.claim_layer(digest, key, worker)? {
                    // Stored between the look and the claim: nothing to scan.
                    if self.store.has_layer(digest, key)? {
                        self.store.release_layer(digest, key, worker)?;
                    } else {
                        claimed.push(digest.clone());
                    }
                    break;
                }
                std::thread::sleep(POLL);
            }
        }
        Ok(claimed)
    }
}

impl ImageRecord {
    /// A target or image that could not be audited, with the reason.
    fn failed(reference: String, reason: String) -> ImageRecord {
        ImageRecord {
            reference,
            manifest_digest: None,
            error: Some(reason),
            layers_scanned: 0,
            layers_cached: 0,
            bytes_scanned: 0,
            findings: Vec::new(),
            issues: Vec::new(),
        }
    }
}

/// An error and its causes, on one line.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}
