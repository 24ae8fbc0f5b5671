//! The layerleak pipeline: every secret an image leaks, each with where it came from.
//!
//! # Brief overview
//!
//! A [`Pipeline`] takes a compiled [`Scanner`](layerleak_engine::Scanner) and
//! [`ScanOptions`], and scans images: [`Pipeline::scan_path`] opens a local image,
//! [`Pipeline::scan_stream`] reads a `docker save` stream once (a container engine's
//! export), [`Pipeline::scan_images`] scans already resolved ones. For each image:
//!
//! 1. **Config.** Every `ENV` entry, label, the entrypoint and cmd, and every history
//!    `created_by` line is scanned with the rules. Secret-named keys (`*_TOKEN`,
//!    `*_PASSWORD`, `*_SECRET`, `*_KEY`, `API_KEY`, …) with a credible literal value are
//!    findings even when no rule matches (the built-in rule `layerleak.env.1`), including build
//!    arguments recorded as `|N NAME=value … /bin/sh -c …`.
//! 2. **Layers, in parallel.** Each distinct blob digest is scanned once, by one of N
//!    workers (one per core), each owning a stream scanner. Every regular file is streamed
//!    through the rules, UTF-16 files through a UTF-8 view, nested archives member by
//!    member. Secret-bearing file names (`id_rsa`, `.npmrc`, `.env`, `.aws/credentials`,
//!    `.docker/config.json`, kubeconfig, …) are checked for real credentials
//!    (the catalogue's path rules, [`layerleak_rules::builtin_rules`]). Hard links and symlinks carry no content, so no bytes are scanned
//!    twice; their targets are scanned as text (a link name can hold a secret). A tar is
//!    read as container runtimes read it, a sparse file as its data, and a zip behind a
//!    prefix (an executable jar) is opened.
//! 3. **Statuses.** Every layer location is resolved against the layers above it: present
//!    in the final image, deleted by layer k, or overwritten by layer k. A file stays
//!    present while one of its hard links does, even if its own path was deleted.
//! 4. **Findings.** One [`Finding`](layerleak_report::Finding) per distinct secret value per
//!    image, with every location; when several rules match the same value, the most
//!    specific names it (a provider rule over a generic one, then the higher confidence).
//!
//! 5. **Origins.** Package database files (dpkg `status` and `info/*.md5sums`, Python
//!    `*.dist-info/RECORD`, npm's `node_modules/.package-lock.json`) are kept and parsed as
//!    they stream past (up to 64 MiB each), and every layer file holding a hit is hashed
//!    (MD5, SHA-1, SHA-256) from a copy kept while it streams (files up to 8 MiB; a larger
//!    one is not verified and stays `image`, with a notice if a database lists it). After
//!    all layers are read, every database version of the image is joined, and a location is
//!    `package` only when a database lists its file (for a nested member, the layer file
//!    holding it) and the file's bytes hash to the recorded digest. A mismatch stays `image`
//!    (a notice names the file and package); a malformed database is a notice and is not
//!    used. The databases of Alpine (`lib/apk/db/installed`) and RPM (`rpmdb.sqlite`;
//!    Berkeley DB and ndb are reported as not verified) are read the same way. npm records
//!    no per-file digests: a file of a package its lockfile lists is labelled `vendored`,
//!    which gates like `image`. Findings of origin `image` or `vendored` (with a built-in
//!    checksum that did not fail) fail the gate by default.
//!
//! **Trees on disk.** [`Pipeline::scan_tree`] (`scan-fs`) walks files and directories
//! (symlinks not followed, only regular files opened) and gives each file the per-file
//! scan of step 2; its findings have [`Location::File`](layerleak_report::Location::File)
//! locations and origins from the tree's package databases ([`TreeOrigins`]).
//!
//! Each image is complete when its config and all its layers (shared ones included) are
//! scanned; the `*_to` methods ([`Pipeline::scan_path_to`], …) give its results to an
//! [`ImageSink`] at that moment, while other images are still scanned, and
//! [`ReportSink`] writes them to a reporter (JSON Lines streams them).
//!
//! Nothing is skipped silently: a missing blob, a digest mismatch, a truncated or corrupt
//! layer, or a nested archive not fully read becomes a
//! [`ScanIssue`](layerleak_report::ScanIssue) naming image, layer and path, the other
//! layers are still scanned, and the [`ScanOutcome`] is incomplete (exit code 2). So do
//! count mismatches in the config that may misattribute `created_by` or `diff_id`, tar
//! entries with `..` in their names, and non-zero bytes after the end of a layer's tar.
//! Oddities that lose nothing (an absolute entry name, a CRC mismatch in a nested zip
//! whose content was scanned anyway, a config without history) are
//! [`Severity::Notice`](layerleak_report::Severity::Notice)s: reported, exit code
//! unchanged.
//!
//! # Example
//!
//! ```no_run
//! use layerleak_engine::Scanner;
//! use layerleak_image::PlatformSelector;
//! use layerleak_report::{Redaction, TextReporter};
//! use layerleak_rules::Rules;
//! use layerleak_scan::{Pipeline, ScanOptions};
//!
//! let pipeline = Pipeline::new(Scanner::new(&Rules::embedded()?)?, ScanOptions::new());
//! let outcome = pipeline.scan_path("image.tar", &PlatformSelector::Default)?;
//! outcome.report("image.tar", &mut TextReporter::new(std::io::stdout(), Redaction::Redact))?;
//! std::process::exit(i32::from(outcome.exit_code()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Memory usage
//!
//! Per worker: one stream buffer and regex caches, plus up to 1 MiB of the head of a
//! secret-bearing file while it is checked, and the copy of the file being scanned kept to
//! hash it (up to 8 MiB; up to 64 MiB for a package database file). Per image: the parsed
//! package databases of its layers. Per layer: its path index (one entry per path)
//! and its hits. Layers are never held in memory.
#![deny(missing_docs)]

mod aggregate;
mod assignments;
mod builtin;
mod builtin_check;
mod completion;
mod config_scan;
mod describe;
mod error;
#[doc(hidden)]
pub mod fuzzing;
mod hit;
mod issues;
mod layer_cache;
mod layer_scan;
mod options;
mod outcome;
mod packages;
mod path_rules;
mod pipeline;
mod progress;
mod report_sink;
mod secret_name;
mod sink;
mod stream;
mod tree_origins;
mod tree_scan;
mod tree_walk;

pub use builtin_check::check_builtin_examples;
pub use error::Error;
pub use layer_cache::{LayerCache, LayerScan};
pub use options::ScanOptions;
pub use outcome::ScanOutcome;
pub use pipeline::Pipeline;
pub use progress::Progress;
pub use report_sink::ReportSink;
pub use sink::{ImageResults, ImageSink};
pub use tree_origins::TreeOrigins;
