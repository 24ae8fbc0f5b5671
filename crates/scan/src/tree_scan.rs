//! [`Pipeline::scan_tree`]: files and directories on disk through the per-file scan a layer
//! entry gets, into the same findings and issues.

use std::os::unix::ffi::OsStrExt as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, mpsc};

use layerleak_engine::StreamScan;
use layerleak_report::{FileLocation, ImageInfo, Location, Origin, ScanIssue, Severity};

use crate::aggregate::Aggregator;
use crate::describe::describe;
use crate::hit::{Hit, LayerSite};
use crate::layer_scan::{Problem, ScannedFile, scan_file, scan_link_target};
use crate::tree_walk::{Walked, walk};
use crate::{ImageResults, ImageSink, Pipeline, ScanOutcome, TreeOrigins};

/// What the walk hands a worker: a regular file, or a symbolic link and its target, of
/// the scanned path at an index.
enum Job {
    File(usize, PathBuf),
    Link(usize, PathBuf, PathBuf),
}

/// What was found in one walked path that holds hits or problems.
struct Scanned {
    root: usize,
    path: PathBuf,
    /// A regular file (whose bytes may be a package's), not a link.
    is_file: bool,
    hits: Vec<Hit<LayerSite>>,
    problems: Vec<Problem>,
}

/// What a walk of the trees gave.
struct Walk {
    /// What holds hits or problems.
    scanned: Vec<Scanned>,
    /// The origins of the trees' files.
    origins: TreeOrigins,
    /// The package databases that could not be read, by root.
    origin_problems: Vec<(usize, String)>,
}

/// Files and bytes scanned, counted by the workers.
#[derive(Default)]
struct Counts {
    files: AtomicUsize,
    bytes: AtomicU64,
}

impl Pipeline {
    /// Scans files and directories on disk: each of `roots` is walked (in sorted order,
    /// symbolic links not followed), and each regular file goes through what a layer's
    /// file goes through: nested archives (zip, jar, whl, tar, gzip, …) member by member
    /// within [`ScanOptions::limits`](crate::ScanOptions::limits), UTF-16 through a UTF-8
    /// view, the rules, and the path checks of secret-bearing file names; a symbolic
    /// link's target is scanned as text. Only regular files are opened (a FIFO or a device
    /// swapped in after the walk is refused, never read).
    ///
    /// Each root is one entry of [`ScanOutcome::images`] (named by the path as given, no
    /// platform, no layers), with one finding per distinct secret value, its locations
    /// [`Location::File`]s. Origins are decided after the walk, by [`TreeOrigins`]: a
    /// file is `package` only when a package database of the tree lists it and its bytes
    /// hash to the recorded digest; a published example value is `example`.
    ///
    /// Never fails: a path that cannot be listed, opened or read, and a nested archive not
    /// fully read, is an issue naming the path, and everything else is still scanned.
    pub fn scan_tree(&self, roots: &[PathBuf]) -> ScanOutcome {
        self.scan_tree_to(roots, &mut ())
    }

    /// As [`Pipeline::scan_tree`], giving each root's results to `sink` when the walk of
    /// every root is done (origins need every database of the trees first).
    pub fn scan_tree_to(&self, roots: &[PathBuf], sink: &mut dyn ImageSink) -> ScanOutcome {
        let infos: Vec<ImageInfo> = roots
            .iter()
            .map(|r| ImageInfo { name: r.display().to_string(), platform: None, layers: 0 })
            .collect();
        sink.begin(&infos);
        let counts = Counts::default();
        let Walk { mut scanned, origins, origin_problems } = self.walk_and_scan(roots, &counts);
        if let Some(p) = &self.options.progress {
            p.files_done();
        }
        scanned.sort_by(|a, b| (a.root, &a.path).cmp(&(b.root, &b.path)));
        let rules = self.scanner.rules();
        let mut out = ScanOutcome {
            files_scanned: Some(counts.files.load(Ordering::Relaxed)),
            bytes_scanned: counts.bytes.load(Ordering::Relaxed),
            ..ScanOutcome::default()
        };
        for (k, info) in infos.into_iter().enumerate() {
            let mut agg = Aggregator::default();
            let mut issues = Vec::new();
            let issue = |severity, path, reason| ScanIssue {
                severity,
                image: info.name.clone(),
                platform: None,
                layer: None,
                blob_digest: None,
                path,
                reason,
            };
            for s in scanned.iter().filter(|s| s.root == k) {
                // Hashed once per file holding a hit; a link holds no bytes to verify.
                let origin = if s.is_file && !s.hits.is_empty() {
                    origins.origin(&s.path)
                } else {
                    Origin::Image
                };
                for hit in &s.hits {
                    let location = Location::File(FileLocation {
                        tree: info.name.clone(),
                        path: hit.site.path.clone(),
                        offset: hit.site.offset,
                        text_encoding: hit.site.encoding.map(str::to_owned),
                        origin: origin.clone(),
                    });
                    agg.add(rules, hit, location);
                }
                for p in &s.problems {
                    issues.push(issue(p.severity, p.path.clone(), p.reason.clone()));
                }
            }
            for (root, problem) in &origin_problems {
                if *root == k {
                    // The databases that could not be read demote nothing: a notice.
                    issues.push(issue(Severity::Notice, None, problem.clone()));
                }
            }
            let results = ImageResults { image: info, findings: agg.finish(), issues };
            sink.image_done(&results);
            out.images.push(results.image);
            out.findings.extend(results.findings);
            out.issues.extend(results.issues);
        }
        out
    }

    /// Walks `roots` on this thread and scans what it meets on the workers.
    fn walk_and_scan(&self, roots: &[PathBuf], counts: &Counts) -> Walk {
        let workers = self.options.worker_count(usize::MAX);
        let (job_tx, job_rx) = mpsc::sync_channel::<Job>(workers * 4);
        let job_rx = &Mutex::new(job_rx);
        let (res_tx, res_rx) = mpsc::channel::<Scanned>();
        let mut origins = TreeOrigins::new();
        let mut origin_problems = Vec::new();
        let mut scanned = Vec::new();
        std::thread::scope(|s| {
            for _ in 0..workers {
                let res_tx = res_tx.clone();
                s.spawn(move || {
                    let mut stream = self.scanner.stream();
                    loop {
                        // A poisoned lock only means another worker panicked: go on.
                        let job = job_rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
                        let Ok(job) = job else { break };
                        let found = self.scan_job(&mut stream, job, counts);
                        let worth = !found.hits.is_empty() || !found.problems.is_empty();
                        if worth && res_tx.send(found).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(res_tx);
            for (k, root) in roots.iter().enumerate() {
                let known = origins.problems().len();
                origins.add_root_of(root);
                walk(root, &mut |walked| {
                    let job = match walked {
                        Walked::File(path) => {
                            origins.consider(&path);
                            Job::File(k, path)
                        }
                        Walked::Link(path, target) => Job::Link(k, path, target),
                        Walked::Error(path, e) => {
                            let reason = format!("cannot read {}: {e}", path.display());
                            scanned.push(Scanned {
                                root: k,
                                problems: vec![Problem::incomplete(
                                    Some(path.display().to_string()),
                                    reason,
                                )],
                                path,
                                is_file: false,
                                hits: Vec::new(),
                            });
                            return;
                        }
                    };
                    // Fails only if every worker is gone, which catch_unwind prevents.
                    let _ = job_tx.send(job);
                });
                origin_problems.extend(origins.problems()[known..].iter().map(|p| (k, p.clone())));
            }
            drop(job_tx);
            scanned.extend(res_rx);
        });
        Walk { scanned, origins, origin_problems }
    }

    /// Scans one walked path with `stream` (a fresh one if the scan panicked).
    fn scan_job<'s>(&'s self, stream: &mut StreamScan<'s>, job: Job, counts: &Counts) -> Scanned {
        let (root, path, link) = match job {
            Job::File(root, path) => (root, path, None),
            Job::Link(root, path, target) => (root, path, Some(target)),
        };
        let mut found =
            Scanned { root, path, is_file: link.is_none(), hits: Vec::new(), problems: Vec::new() };
        let scanned = catch_unwind(AssertUnwindSafe(|| match &link {
            None => self.scan_tree_file(
                stream,
                &found.path,
                counts,
                &mut found.hits,
                &mut found.problems,
            ),
            Some(target) => scan_link_target(
                stream,
                found.path.as_os_str().as_bytes(),
                target.as_os_str().as_bytes(),
                &mut found.hits,
            ),
        }));
        if scanned.is_err() {
            *stream = self.scanner.stream();
            found.problems.push(Problem::incomplete(
                Some(found.path.display().to_string()),
                "internal error: scanning this file stopped".to_owned(),
            ));
        }
        found
    }

    /// Opens the regular file at `path` and scans it as a layer's file is scanned.
    fn scan_tree_file(
        &self,
        stream: &mut StreamScan<'_>,
        path: &Path,
        counts: &Counts,
        hits: &mut Vec<Hit<LayerSite>>,
        problems: &mut Vec<Problem>,
    ) {
        let shown = || Some(path.display().to_string());
        let (mut content, len) = match layerleak_image::open_regular_file(path) {
            Ok(opened) => opened,
            Err(e) => return problems.push(Problem::incomplete(shown(), describe(&e))),
        };
        counts.files.fetch_add(1, Ordering::Relaxed);
        counts.bytes.fetch_add(len, Ordering::Relaxed);
        if let Some(p) = &self.options.progress {
            p.file_scanned(len);
        }
        let same = |offset| offset;
        let file = ScannedFile { path: path.as_os_str().as_bytes(), file_offset: &same };
        if let Err(e) = scan_file(stream, &file, &mut content, &self.options.limits, hits, problems)
        {
            let reason = format!("cannot read {}: {}", path.display(), describe(&e));
            problems.push(Problem::incomplete(shown(), reason));
        }
    }
}
