//! [`Store`]: the database of an audit, SQLite (one file, one worker) or PostgreSQL
//! (several workers on several machines sharing one queue and one layer cache). Both
//! have the same schema and migrations; every write is its own transaction, so a process
//! killed at any moment leaves every finished layer and image stored and nothing
//! half-written.

use std::path::Path;

use crate::backend::{Backend, Claim, Worker};
use crate::{Error, ImageRecord};

/// An open audit database.
#[derive(Debug)]
pub struct Store {
    backend: Box<dyn Backend>,
}

/// A run of the audit, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRow {
    /// Its id (increasing).
    pub id: i64,
    /// Whether it ran to its end.
    pub finished: bool,
}

/// Whether `db` names a PostgreSQL database (`postgres://…` or `postgresql://…`) rather
/// than a SQLite file.
pub fn is_postgres(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

impl Store {
    /// Opens (creating it if need be, readable by its owner only: it holds secrets) the
    /// SQLite database at `path` and migrates it to the current schema.
    ///
    /// # Errors
    ///
    /// [`Error::Database`] when it cannot be opened or migrated, [`Error::NewerSchema`]
    /// when a newer layerleak wrote it.
    pub fn open(path: &Path) -> Result<Store, Error> {
        Ok(Store { backend: Box::new(crate::sqlite::Sqlite::open(path)?) })
    }

    /// Connects to the PostgreSQL database `url` (`postgres://user@host:port/db`, a
    /// libpq-style URL; the connection is not encrypted: use it on a trusted network or a
    /// tunnel) and migrates it to the current schema.
    ///
    /// # Errors
    ///
    /// [`Error::Postgres`] when it cannot be reached or migrated, [`Error::NewerSchema`]
    /// when a newer layerleak wrote it.
    pub fn connect(url: &str) -> Result<Store, Error> {
        Ok(Store { backend: Box::new(crate::pg::Postgres::connect(url)?) })
    }

    /// [`Store::connect`] when `db` is a PostgreSQL URL, else [`Store::open`].
    ///
    /// # Errors
    ///
    /// As theirs.
    pub fn open_any(db: &str) -> Result<Store, Error> {
        if is_postgres(db) { Store::connect(db) } else { Store::open(Path::new(db)) }
    }

    /// The database, for messages: the file, or the URL without its password.
    pub fn describe(&self) -> &str {
        self.backend.describe()
    }

    /// A second connection to the same database (PostgreSQL) for a thread renewing the
    /// leases of a worker; `None` for SQLite, where one worker needs no lease.
    pub(crate) fn reconnect(&self) -> Result<Option<Store>, Error> {
        Ok(self.backend.reconnect()?.map(|backend| Store { backend }))
    }

    /// The stored layer scan of `digest` under `key`, as stored (CBOR), if any.
    ///
    /// # Errors
    ///
    /// [`Error::Database`] or [`Error::Postgres`].
    pub fn layer(&self, digest: &str, key: &str) -> Result<Option<Vec<u8>>, Error> {
        self.backend.layer(digest, key)
    }

    /// Whether a scan of layer `digest` under `key` is stored.
    pub(crate) fn has_layer(&self, digest: &str, key: &str) -> Result<bool, Error> {
        self.backend.has_layer(digest, key)
    }

    /// Stores the layer scan `scan` (CBOR) of `digest` under `key` and drops any claim on
    /// it; a layer stored again counts one more scan.
    ///
    /// # Errors
    ///
    /// [`Error::Database`] or [`Error::Postgres`].
    pub fn put_layer(&self, digest: &str, key: &str, scan: &[u8], bytes: u64) -> Result<(), Error> {
        self.backend.put_layer(digest, key, scan, bytes)
    }

    /// How many layer scans are stored under `key`.
    ///
    /// # Errors
    ///
    /// [`Error::Database`] or [`Error::Postgres`].
    pub fn layer_count(&self, key: &str) -> Result<usize, Error> {
        self.backend.layer_count(key)
    }

    /// Claims the scan of layer `digest` under `key` for `worker`: true when no other
    /// worker holds a live claim on it.
    pub(crate) fn claim_layer(
        &self,
        digest: &str,
        key: &str,
        worker: &Worker,
    ) -> Result<bool, Error> {
        self.backend.claim_layer(digest, key, worker)
    }

    /// Drops `worker`'s claim on layer `digest` (a scan it could not finish).
    pub(crate) fn release_layer(
        &self,
        digest: &str,
        key: &str,
        worker: &Worker,
    ) -> Result<(), Error> {
        self.backend.release_layer(digest, key, worker)
    }

    /// Runs `f` while no other worker starts or joins a run.
    pub(crate) fn with_runs_locked<T>(
        &self,
        f: impl FnOnce() -> Result<T, Error>,
    ) -> Result<T, Error> {
        self.backend.lock_runs()?;
        let result = f();
        let unlocked = self.backend.unlock_runs();
        let value = result?;
        unlocked?;
        Ok(value)
    }

    /// The last run of `targets` under `key`, finished or not.
    ///
    /// # Errors
    ///
    /// [`Error::Database`] or [`Error::Postgres`].
    pub fn last_run(&self, targets: &str, key: &str) -> Result<Option<RunRow>, Error> {
        self.backend.last_run(targets, key)
    }

    /// The last finished run of any targets: its id and its targets.
    ///
    /// # Errors
    ///
    /// [`Error::Database`] or [`Error::Postgres`].
    pub fn last_finished(&self) -> Result<Option<(i64, String)>, Error> {
        self.backend.last_finished()
    }

    /// The last finished run of `targets` before run `before` (any rules key).
    ///
    /// # Errors
    ///
    /// [`Error::Database`] or [`Error::Postgres`].
    pub fn previous_run(&self, targets: &str, before: i64) -> Result<Option<i64>, Error> {
        self.backend.previous_run(targets, before)
    }

    /// The last finished run of `targets` under rules `key` before run `before`.
    pub(crate) fn previous_run_keyed(
        &self,
        targets: &str,
        key: &str,
        before: i64,
    ) -> Result<Option<i64>, Error> {
        self.backend.previous_run_keyed(targets, key, before)
    }

    /// Records the start of a run; returns its id.
    ///
    /// # Errors
    ///
    /// [`Error::Database`] or [`Error::Postgres`].
    pub fn start_run(&self, targets: &str, key: &str) -> Result<i64, Error> {
        self.backend.start_run(targets, key)
    }

    /// Records the end of run `id` (once: a second worker's end changes nothing).
    ///
    /// # Errors
    ///
    /// [`Error::Database`] or [`Error::Postgres`].
    pub fn finish_run(&self, id: i64) -> Result<(), Error> {
        self.backend.finish_run(id)
    }

    /// Queues the images `references` of run `run` (those already queued stay as they
    /// are; those already stored are done).
    pub(crate) fn add_jobs(&self, run: i64, references: &[String]) -> Result<(), Error> {
        self.backend.add_jobs(run, references)
    }

    /// The next image of run `run` for `worker`.
    pub(crate) fn claim_job(&self, run: i64, worker: &Worker) -> Result<Claim, Error> {
        self.backend.claim_job(run, worker)
    }

    /// Renews the leases of `worker` (its image and its layer claims).
    pub(crate) fn renew(&self, worker: &Worker) -> Result<(), Error> {
        self.backend.renew(worker)
    }

    /// Stores the result of one image of run `run`, which finishes its job.
    ///
    /// # Errors
    ///
    /// [`Error::Database`], [`Error::Postgres`] or [`Error::Corrupt`].
    pub fn put_image(&self, run: i64, record: &ImageRecord) -> Result<(), Error> {
        let json = serde_json::to_string(record).map_err(|e| Error::Corrupt {
            database: self.describe().to_owned(),
            what: format!("image {}", record.reference),
            reason: e.to_string(),
        })?;
        self.backend.put_image(run, &record.reference, record.error.is_none(), &json)
    }

    /// Forgets the images of run `run` that could not be audited (a resumed run tries
    /// them again).
    ///
    /// # Errors
    ///
    /// [`Error::Database`] or [`Error::Postgres`].
    pub fn forget_failed(&self, run: i64) -> Result<(), Error> {
        self.backend.forget_failed(run)
    }

    /// The images of run `run`, in the order they were stored.
    ///
    /// # Errors
    ///
    /// [`Error::Database`], [`Error::Postgres`] or [`Error::Corrupt`].
    pub fn images(&self, run: i64) -> Result<Vec<ImageRecord>, Error> {
        self.backend
            .images(run)?
            .iter()
            .map(|json| {
                serde_json::from_str(json).map_err(|e| Error::Corrupt {
                    database: self.describe().to_owned(),
                    what: format!("image of run {run}"),
                    reason: e.to_string(),
                })
            })
            .collect()
    }
}
