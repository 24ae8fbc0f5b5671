//! [`Store`]: the embedded SQLite database of an audit (one file, WAL): schema migrations,
//! the layer cache, runs and their images. Every write is its own transaction, so a
//! process killed at any moment leaves every finished layer and image stored and nothing
//! half-written.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension as _, params};

use crate::schema::{self, MIGRATIONS};
use crate::{Error, ImageRecord};

/// How long a writer waits for another connection's lock before failing.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// An open audit database.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// A run of the audit, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRow {
    /// Its id (increasing).
    pub id: i64,
    /// Whether it ran to its end.
    pub finished: bool,
}

impl Store {
    /// Opens (creating it if need be, readable by its owner only: it holds secrets) the
    /// database at `path` and migrates it to the current schema. SQLite gives its WAL and
    /// shared-memory files the database file's permissions.
    ///
    /// # Errors
    ///
    /// [`Error::Database`] when it cannot be opened or migrated, [`Error::NewerSchema`]
    /// when a newer layerleak wrote it.
    pub fn open(path: &Path) -> Result<Store, Error> {
        create_private(path).map_err(|e| Error::Database {
            path: path.to_owned(),
            what: format!("cannot create: {e}"),
            source: rusqlite::Error::InvalidPath(path.to_owned()),
        })?;
        let conn = Connection::open(path).map_err(|source| Error::Database {
            path: path.to_owned(),
            what: "cannot open".to_owned(),
            source,
        })?;
        let mut store = Store { conn, path: path.to_owned() };
        store.setup()?;
        Ok(store)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn db_error(&self, what: &str) -> impl FnOnce(rusqlite::Error) -> Error + '_ {
        let what = what.to_owned();
        move |source| Error::Database { path: self.path.clone(), what, source }
    }

    fn setup(&mut self) -> Result<(), Error> {
        self.conn.busy_timeout(BUSY_TIMEOUT).map_err(self.db_error("cannot set a busy timeout"))?;
        self.conn
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(self.db_error("cannot switch to WAL mode"))?;
        self.conn
            .execute_batch("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);")
            .map_err(self.db_error("cannot create schema_version"))?;
        let found: i64 = self
            .conn
            .query_row("SELECT COALESCE(MAX(version), 0) FROM schema_version", [], |r| r.get(0))
            .map_err(self.db_error("cannot read schema_version"))?;
        if found > schema::latest() {
            return Err(Error::NewerSchema {
                path: self.path.clone(),
                found,
                known: schema::latest(),
            });
        }
        let start = usize::try_from(found).unwrap_or(0);
        for (i, migration) in MIGRATIONS.iter().enumerate().skip(start) {
            let what = format!("migration to schema version {}", i + 1);
            let tx = self.conn.transaction().map_err(|source| Error::Database {
                path: self.path.clone(),
                what: what.clone(),
                source,
            })?;
            let version = i64::try_from(i + 1).unwrap_or(i64::MAX);
            let result = tx.execute_batch(migration).and_then(|()| {
                tx.execute("DELETE FROM schema_version", [])?;
                tx.execute("INSERT INTO schema_version (version) VALUES (?1)", [version])?;
                tx.commit()
            });
            result.map_err(|source| Error::Database { path: self.path.clone(), what, source })?;
        }
        Ok(())
    }

    /// The stored layer scan of `digest` under `key`, as stored (CBOR), if any.
    ///
    /// # Errors
    ///
    /// [`Error::Database`].
    pub fn layer(&self, digest: &str, key: &str) -> Result<Option<Vec<u8>>, Error> {
        self.conn
            .query_row(
                "SELECT scan FROM layers WHERE digest = ?1 AND key = ?2",
                params![digest, key],
                |r| r.get(0),
            )
            .optional()
            .map_err(self.db_error("cannot read the layer cache"))
    }

    /// Stores the layer scan `scan` (CBOR) of `digest` under `key`.
    ///
    /// # Errors
    ///
    /// [`Error::Database`].
    pub fn put_layer(&self, digest: &str, key: &str, scan: &[u8], bytes: u64) -> Result<(), Error> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO layers (digest, key, scan, bytes) VALUES (?1, ?2, ?3, ?4)",
                params![digest, key, scan, i64::try_from(bytes).unwrap_or(i64::MAX)],
            )
            .map(drop)
            .map_err(self.db_error("cannot write the layer cache"))
    }

    /// How many layer scans are stored under `key`.
    ///
    /// # Errors
    ///
    /// [`Error::Database`].
    pub fn layer_count(&self, key: &str) -> Result<usize, Error> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM layers WHERE key = ?1", [key], |r| r.get(0))
            .map_err(self.db_error("cannot count the layer cache"))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// The last run of `targets` under `key`, finished or not.
    ///
    /// # Errors
    ///
    /// [`Error::Database`].
    pub fn last_run(&self, targets: &str, key: &str) -> Result<Option<RunRow>, Error> {
        self.conn
            .query_row(
                "SELECT id, finished_at IS NOT NULL FROM runs WHERE targets = ?1 AND key = ?2
                 ORDER BY id DESC LIMIT 1",
                params![targets, key],
                |r| Ok(RunRow { id: r.get(0)?, finished: r.get(1)? }),
            )
            .optional()
            .map_err(self.db_error("cannot read runs"))
    }

    /// The last finished run of any targets: its id and its targets.
    ///
    /// # Errors
    ///
    /// [`Error::Database`].
    pub fn last_finished(&self) -> Result<Option<(i64, String)>, Error> {
        self.conn
            .query_row(
                "SELECT id, targets FROM runs WHERE finished_at IS NOT NULL ORDER BY id DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(self.db_error("cannot read runs"))
    }

    /// The last finished run of `targets` before run `before` (any rules key).
    ///
    /// # Errors
    ///
    /// [`Error::Database`].
    pub fn previous_run(&self, targets: &str, before: i64) -> Result<Option<i64>, Error> {
        self.conn
            .query_row(
                "SELECT id FROM runs WHERE targets = ?1 AND id < ?2 AND finished_at IS NOT NULL
                 ORDER BY id DESC LIMIT 1",
                params![targets, before],
                |r| r.get(0),
            )
            .optional()
            .map_err(self.db_error("cannot read runs"))
    }

    /// Records the start of a run; returns its id.
    ///
    /// # Errors
    ///
    /// [`Error::Database`].
    pub fn start_run(&self, targets: &str, key: &str, now: i64) -> Result<i64, Error> {
        self.conn
            .execute(
                "INSERT INTO runs (targets, key, started_at) VALUES (?1, ?2, ?3)",
                params![targets, key, now],
            )
            .map_err(self.db_error("cannot record the run"))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Records the end of run `id`.
    ///
    /// # Errors
    ///
    /// [`Error::Database`].
    pub fn finish_run(&self, id: i64, now: i64) -> Result<(), Error> {
        self.conn
            .execute("UPDATE runs SET finished_at = ?2 WHERE id = ?1", params![id, now])
            .map(drop)
            .map_err(self.db_error("cannot record the end of the run"))
    }

    /// Stores the result of one image of run `run`.
    ///
    /// # Errors
    ///
    /// [`Error::Database`].
    pub fn put_image(&self, run: i64, record: &ImageRecord) -> Result<(), Error> {
        let json = serde_json::to_string(record).map_err(|e| Error::Corrupt {
            path: self.path.clone(),
            what: format!("image {}", record.reference),
            reason: e.to_string(),
        })?;
        self.conn
            .execute(
                "INSERT OR REPLACE INTO run_images (run_id, reference, audited, record)
                 VALUES (?1, ?2, ?3, ?4)",
                params![run, record.reference, record.error.is_none(), json],
            )
            .map(drop)
            .map_err(self.db_error("cannot record an image"))
    }

    /// Forgets the images of run `run` that could not be audited (a resumed run tries
    /// them again).
    ///
    /// # Errors
    ///
    /// [`Error::Database`].
    pub fn forget_failed(&self, run: i64) -> Result<(), Error> {
        self.conn
            .execute("DELETE FROM run_images WHERE run_id = ?1 AND audited = 0", [run])
            .map(drop)
            .map_err(self.db_error("cannot forget failed images"))
    }

    /// The images of run `run`, in the order they were stored.
    ///
    /// # Errors
    ///
    /// [`Error::Database`], [`Error::Corrupt`].
    pub fn images(&self, run: i64) -> Result<Vec<ImageRecord>, Error> {
        let mut stmt = self
            .conn
            .prepare("SELECT record FROM run_images WHERE run_id = ?1 ORDER BY rowid")
            .map_err(self.db_error("cannot read a run's images"))?;
        let rows = stmt
            .query_map([run], |r| r.get::<_, String>(0))
            .and_then(Iterator::collect::<Result<Vec<_>, _>>)
            .map_err(self.db_error("cannot read a run's images"))?;
        rows.iter()
            .map(|json| {
                serde_json::from_str(json).map_err(|e| Error::Corrupt {
                    path: self.path.clone(),
                    what: format!("image of run {run}"),
                    reason: e.to_string(),
                })
            })
            .collect()
    }
}

/// Creates `path` empty with mode 0600 if it does not exist (SQLite would create it with
/// the umask's permissions).
fn create_private(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_once_and_refuses_a_newer_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        let store = Store::open(&path).unwrap();
        store.put_layer("sha256:x", "k", b"cbor", 4).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            for file in [path.clone(), dir.path().join("a.db-wal")] {
                let mode = std::fs::metadata(&file).unwrap().permissions().mode();
                assert_eq!(mode & 0o777, 0o600, "{}", file.display());
            }
        }
        drop(store);
        // Opening again keeps the data and does not migrate twice.
        let store = Store::open(&path).unwrap();
        assert_eq!(store.layer("sha256:x", "k").unwrap().as_deref(), Some(&b"cbor"[..]));
        let mode: String = store.conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
        store.conn.execute("UPDATE schema_version SET version = 99", []).unwrap();
        drop(store);
        let err = Store::open(&path).unwrap_err();
        assert!(matches!(err, Error::NewerSchema { found: 99, .. }), "{err}");
        assert!(err.to_string().contains("schema version 99 is newer"), "{err}");
    }

    #[test]
    fn failed_images_are_forgotten_audited_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.db")).unwrap();
        let run = store.start_run("t", "k", 0).unwrap();
        let record = |reference: &str, error: Option<&str>| ImageRecord {
            reference: reference.to_owned(),
            error: error.map(str::to_owned),
            layers_scanned: 1,
            layers_cached: 0,
            bytes_scanned: 3,
            findings: Vec::new(),
            issues: Vec::new(),
        };
        store.put_image(run, &record("a:1", None)).unwrap();
        store.put_image(run, &record("a:2", Some("unreachable"))).unwrap();
        assert_eq!(store.images(run).unwrap().len(), 2);
        store.forget_failed(run).unwrap();
        assert_eq!(store.images(run).unwrap(), [record("a:1", None)]);
        assert_eq!(store.last_run("t", "k").unwrap(), Some(RunRow { id: run, finished: false }));
        store.finish_run(run, 1).unwrap();
        assert_eq!(store.last_run("t", "k").unwrap(), Some(RunRow { id: run, finished: true }));
    }
}
