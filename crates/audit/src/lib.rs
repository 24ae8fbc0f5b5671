//! Audits of many images over time (`layerleak audit`): the targets (an image, a
//! repository's tags, a registry's catalog) are expanded into image references, each image
//! is scanned as `layerleak scan` scans it, and the results are kept in a database
//! ([`Store`]): an embedded SQLite file for one worker, or PostgreSQL shared by several
//! workers on several machines.
//!
//! # Work is content-addressed
//!
//! Each layer's scan (what image-level resolution needs: hits with paths and offsets,
//! the paths written and deleted, digests of files holding hits, package databases) is
//! stored by blob digest and [`Pipeline::layer_key`](layerleak_scan::Pipeline::layer_key)
//! (layerleak's version, the rules, the limits). A layer already stored is not fetched
//! again: an image whose layers are all known costs its manifest and config, and an image
//! whose manifest digest (asked with a HEAD request) is the one the previous run under the
//! same rules audited costs that HEAD request alone. Findings, statuses and origins are
//! those `layerleak scan` gives for the same reference.
//!
//! # Runs, resumption and incidents
//!
//! Each run is recorded; each image's result and each layer's scan are committed on their
//! own as soon as they are done, so an audit killed at any moment and started again
//! resumes its run without redoing what was finished. The gating findings of all images of
//! a run, grouped by fingerprint, are its [`Incident`]s, each new, still or gone since the
//! previous finished run of the same targets.
//!
//! # Several workers
//!
//! A run's images are a queue in the database. Each worker (each `layerleak audit` with the
//! same targets and database) claims one image at a time under a lease it renews while it
//! works (PostgreSQL: `FOR UPDATE SKIP LOCKED`); the lease of a worker that died expires and
//! another takes its image over. A layer is claimed the same way before it is scanned, and
//! a worker needing a layer another one is scanning waits for its scan: no layer is
//! scanned twice. The first worker to start a run lists its targets; the others join it.
//!
//! The database holds secret values (in layer scans and findings): protect it as the
//! images themselves.
#![deny(missing_docs)]

mod audit;
mod backend;
mod cache;
mod created;
mod error;
mod incident;
mod pg;
mod record;
mod schema;
mod sqlite;
mod store;
mod target;

pub use audit::{AuditOptions, AuditProgress, AuditReport, Auditor};
pub use error::Error;
pub use incident::{Incident, IncidentState, incidents};
pub use record::{ImageRecord, StoredFinding, StoredIssue, StoredLocation};
pub use store::{RunRow, Store, is_postgres};
pub use target::{TagFilter, Target, newest};
