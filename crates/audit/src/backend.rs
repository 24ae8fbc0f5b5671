//! [`Backend`]: what a [`Store`](crate::Store) needs of a database, implemented for SQLite
//! and PostgreSQL; [`Worker`] and [`Claim`]: the work queue shared by the workers of a run.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::{Error, RunRow};

/// One `layerleak audit` process working on a run: its id (host, process, start time) and
/// how long its claims hold without being renewed.
#[derive(Debug, Clone)]
pub(crate) struct Worker {
    pub(crate) id: String,
    pub(crate) lease: Duration,
}

impl Worker {
    /// This process, claiming for `lease` at a time.
    pub(crate) fn new(lease: Duration) -> Worker {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|h| h.trim().to_owned())
            .unwrap_or_else(|_| "localhost".to_owned());
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        Worker { id: format!("{host}:{}:{nanos}", std::process::id()), lease }
    }

    /// The lease in whole seconds (at least one).
    pub(crate) fn lease_secs(&self) -> i64 {
        i64::try_from(self.lease.as_secs().max(1)).unwrap_or(i64::MAX)
    }
}

/// What [`Backend::claim_job`] gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Claim {
    /// An image to audit, now leased to the worker.
    Job(String),
    /// No image is free, but other workers hold some: wait, their leases may expire.
    Wait,
    /// Every image of the run is done.
    Done,
}

/// A database holding the state of audits.
pub(crate) trait Backend: std::fmt::Debug + Send {
    /// The database, for messages (no password).
    fn describe(&self) -> &str;
    /// Another connection to the same database, for renewing leases (None: no leases).
    fn reconnect(&self) -> Result<Option<Box<dyn Backend>>, Error>;
    fn layer(&self, digest: &str, key: &str) -> Result<Option<Vec<u8>>, Error>;
    fn has_layer(&self, digest: &str, key: &str) -> Result<bool, Error>;
    fn put_layer(&self, digest: &str, key: &str, scan: &[u8], bytes: u64) -> Result<(), Error>;
    fn layer_count(&self, key: &str) -> Result<usize, Error>;
    fn claim_layer(&self, digest: &str, key: &str, worker: &Worker) -> Result<bool, Error>;
    fn release_layer(&self, digest: &str, key: &str, worker: &Worker) -> Result<(), Error>;
    /// Serializes starting and joining runs between workers (released by `unlock_runs`,
    /// or when the connection ends).
    fn lock_runs(&self) -> Result<(), Error>;
    fn unlock_runs(&self) -> Result<(), Error>;
    fn last_run(&self, targets: &str, key: &str) -> Result<Option<RunRow>, Error>;
    fn last_finished(&self) -> Result<Option<(i64, String)>, Error>;
    fn previous_run(&self, targets: &str, before: i64) -> Result<Option<i64>, Error>;
    fn previous_run_keyed(
        &self,
        targets: &str,
        key: &str,
        before: i64,
    ) -> Result<Option<i64>, Error>;
    fn start_run(&self, targets: &str, key: &str) -> Result<i64, Error>;
    fn finish_run(&self, id: i64) -> Result<(), Error>;
    fn add_jobs(&self, run: i64, references: &[String]) -> Result<(), Error>;
    fn claim_job(&self, run: i64, worker: &Worker) -> Result<Claim, Error>;
    fn renew(&self, worker: &Worker) -> Result<(), Error>;
    fn put_image(&self, run: i64, reference: &str, audited: bool, json: &str) -> Result<(), Error>;
    fn forget_failed(&self, run: i64) -> Result<(), Error>;
    /// The stored records (JSON) of run `run`, in the order they were stored.
    fn images(&self, run: i64) -> Result<Vec<String>, Error>;
}

/// Seconds since the Unix epoch, by this machine's clock.
pub(crate) fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
