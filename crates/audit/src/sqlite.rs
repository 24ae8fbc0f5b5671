//! [`Sqlite`]: the embedded database of an audit (one file, WAL, mode 0600) for one
//! worker: its claims need no lease (a worker killed and started again takes its images
//! and layers back at once).

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension as _, params};

use crate::backend::{Backend, Claim, Worker, now};
use crate::schema::{self, SQLITE};
use crate::{Error, RunRow};

/// How long a writer waits for another connection's lock before failing.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// An open SQLite audit database.
#[derive(Debug)]
pub(crate) struct Sqlite {
    conn: Connection,
    path: PathBuf,
    describe: String,
}

impl Sqlite {
    /// Opens (creating it if need be, readable by its owner only: it holds secrets) the
    /// database at `path` and migrates it to the current schema. SQLite gives its WAL and
    /// shared-memory files the database file's permissions.
    pub(crate) fn open(path: &Path) -> Result<Sqlite, Error> {
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
        let describe = path.display().to_string();
        let mut store = Sqlite { conn, path: path.to_owned(), describe };
        store.setup()?;
        Ok(store)
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
                database: self.describe.clone(),
                found,
                known: schema::latest(),
            });
        }
        let start = usize::try_from(found).unwrap_or(0);
        for (i, migration) in SQLITE.iter().enumerate().skip(start) {
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

    /// Runs `f` in a transaction (committed when it succeeds).
    fn transaction(
        &self,
        what: &str,
        f: impl FnOnce(&Connection) -> rusqlite::Result<()>,
    ) -> Result<(), Error> {
        let result =
            self.conn.execute_batch("BEGIN IMMEDIATE").and_then(|()| match f(&self.conn) {
                Ok(()) => self.conn.execute_batch("COMMIT"),
                Err(e) => {
                    let _ = self.conn.execute_batch("ROLLBACK");
                    Err(e)
                }
            });
        result.map_err(self.db_error(what))
    }
}

impl Backend for Sqlite {
    fn describe(&self) -> &str {
        &self.describe
    }

    fn reconnect(&self) -> Result<Option<Box<dyn Backend>>, Error> {
        Ok(None)
    }

    fn layer(&self, digest: &str, key: &str) -> Result<Option<Vec<u8>>, Error> {
        self.conn
            .query_row(
                "SELECT scan FROM layers WHERE digest = ?1 AND key = ?2",
                params![digest, key],
                |r| r.get(0),
            )
            .optional()
            .map_err(self.db_error("cannot read the layer cache"))
    }

    fn has_layer(&self, digest: &str, key: &str) -> Result<bool, Error> {
        self.conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM layers WHERE digest = ?1 AND key = ?2)",
                params![digest, key],
                |r| r.get(0),
            )
            .map_err(self.db_error("cannot read the layer cache"))
    }

    fn put_layer(&self, digest: &str, key: &str, scan: &[u8], bytes: u64) -> Result<(), Error> {
        let bytes = i64::try_from(bytes).unwrap_or(i64::MAX);
        self.transaction("cannot write the layer cache", |c| {
            c.execute(
                "INSERT INTO layers (digest, key, scan, bytes) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (digest, key) DO UPDATE
                 SET scan = excluded.scan, bytes = excluded.bytes, scans = layers.scans + 1",
                params![digest, key, scan, bytes],
            )?;
            c.execute(
                "DELETE FROM layer_claims WHERE digest = ?1 AND key = ?2",
                params![digest, key],
            )?;
            Ok(())
        })
    }

    fn layer_count(&self, key: &str) -> Result<usize, Error> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM layers WHERE key = ?1", [key], |r| r.get(0))
            .map_err(self.db_error("cannot count the layer cache"))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    fn claim_layer(&self, _digest: &str, _key: &str, _worker: &Worker) -> Result<bool, Error> {
        // One worker: nobody else scans it.
        Ok(true)
    }

    fn release_layer(&self, _digest: &str, _key: &str, _worker: &Worker) -> Result<(), Error> {
        Ok(())
    }

    fn lock_runs(&self) -> Result<(), Error> {
        Ok(())
    }

    fn unlock_runs(&self) -> Result<(), Error> {
        Ok(())
    }

    fn last_run(&self, targets: &str, key: &str) -> Result<Option<RunRow>, Error> {
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

    fn last_finished(&self) -> Result<Option<(i64, String)>, Error> {
        self.conn
            .query_row(
                "SELECT id, targets FROM runs WHERE finished_at IS NOT NULL ORDER BY id DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(self.db_error("cannot read runs"))
    }

    fn previous_run(&self, targets: &str, before: i64) -> Result<Option<i64>, Error> {
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

    fn previous_run_keyed(
        &self,
        targets: &str,
        key: &str,
        before: i64,
    ) -> Result<Option<i64>, Error> {
        self.conn
            .query_row(
                "SELECT id FROM runs WHERE targets = ?1 AND key = ?2 AND id < ?3
                   AND finished_at IS NOT NULL
                 ORDER BY id DESC LIMIT 1",
                params![targets, key, before],
                |r| r.get(0),
            )
            .optional()
            .map_err(self.db_error("cannot read runs"))
    }

    fn start_run(&self, targets: &str, key: &str) -> Result<i64, Error> {
        self.conn
            .execute(
                "INSERT INTO runs (targets, key, started_at) VALUES (?1, ?2, ?3)",
                params![targets, key, now()],
            )
            .map_err(self.db_error("cannot record the run"))?;
        Ok(self.conn.last_insert_rowid())
    }

    fn finish_run(&self, id: i64) -> Result<(), Error> {
        self.conn
            .execute(
                "UPDATE runs SET finished_at = ?2 WHERE id = ?1 AND finished_at IS NULL",
                params![id, now()],
            )
            .map(drop)
            .map_err(self.db_error("cannot record the end of the run"))
    }

    fn add_jobs(&self, run: i64, references: &[String]) -> Result<(), Error> {
        self.transaction("cannot queue the images", |c| {
            let mut stmt = c.prepare(
                "INSERT INTO jobs (run_id, seq, reference, done)
                 VALUES (?1, ?2, ?3, EXISTS (SELECT 1 FROM run_images
                                             WHERE run_id = ?1 AND reference = ?3))
                 ON CONFLICT (run_id, reference) DO NOTHING",
            )?;
            for (seq, reference) in references.iter().enumerate() {
                stmt.execute(params![run, i64::try_from(seq).unwrap_or(i64::MAX), reference])?;
            }
            Ok(())
        })
    }

    fn claim_job(&self, run: i64, worker: &Worker) -> Result<Claim, Error> {
        // One worker: a job another (dead) process held is taken back at once.
        let next: Option<String> = self
            .conn
            .query_row(
                "UPDATE jobs SET owner = ?2, lease_until = ?3
                 WHERE run_id = ?1 AND reference =
                     (SELECT reference FROM jobs WHERE run_id = ?1 AND done = 0
                      ORDER BY seq LIMIT 1)
                 RETURNING reference",
                params![run, worker.id, now().saturating_add(worker.lease_secs())],
                |r| r.get(0),
            )
            .optional()
            .map_err(self.db_error("cannot take an image from the queue"))?;
        Ok(next.map_or(Claim::Done, Claim::Job))
    }

    fn renew(&self, _worker: &Worker) -> Result<(), Error> {
        Ok(())
    }

    fn put_image(&self, run: i64, reference: &str, audited: bool, json: &str) -> Result<(), Error> {
        self.transaction("cannot record an image", |c| {
            c.execute(
                "INSERT OR REPLACE INTO run_images (run_id, reference, audited, record)
                 VALUES (?1, ?2, ?3, ?4)",
                params![run, reference, audited, json],
            )?;
            c.execute(
                "UPDATE jobs SET done = 1 WHERE run_id = ?1 AND reference = ?2",
                params![run, reference],
            )?;
            Ok(())
        })
    }

    fn forget_failed(&self, run: i64) -> Result<(), Error> {
        self.transaction("cannot forget failed images", |c| {
            c.execute(
                "UPDATE jobs SET done = 0, owner = NULL, lease_until = NULL
                 WHERE run_id = ?1 AND reference IN
                     (SELECT reference FROM run_images WHERE run_id = ?1 AND audited = 0)",
                [run],
            )?;
            c.execute("DELETE FROM run_images WHERE run_id = ?1 AND audited = 0", [run])?;
            Ok(())
        })
    }

    fn images(&self, run: i64) -> Result<Vec<String>, Error> {
        let mut stmt = self
            .conn
            .prepare("SELECT record FROM run_images WHERE run_id = ?1 ORDER BY rowid")
            .map_err(self.db_error("cannot read a run's images"))?;
        stmt.query_map([run], |r| r.get::<_, String>(0))
            .and_then(Iterator::collect::<Result<Vec<_>, _>>)
            .map_err(self.db_error("cannot read a run's images"))
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
    use crate::{ImageRecord, Store};

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
        let store = Sqlite::open(&path).unwrap();
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
    fn a_version_1_database_is_migrated_and_its_unfinished_run_resumed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v1.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(SQLITE[0]).unwrap();
        conn.execute_batch(
            "CREATE TABLE schema_version (version INTEGER NOT NULL);
             INSERT INTO schema_version VALUES (1);
             INSERT INTO layers VALUES ('sha256:x', 'k', x'00', 1);
             INSERT INTO runs (id, targets, key, started_at) VALUES (1, 't', 'k', 0);
             INSERT INTO run_images VALUES (1, 'a:1', 1, '{}');",
        )
        .unwrap();
        drop(conn);
        let store = Sqlite::open(&path).unwrap();
        store.put_layer("sha256:x", "k", b"again", 5).unwrap();
        let scans: i64 =
            store.conn.query_row("SELECT scans FROM layers", [], |r| r.get(0)).unwrap();
        assert_eq!(scans, 2, "a layer stored again counts a second scan");
        // The image stored before the migration is done; the other one is queued.
        store.add_jobs(1, &["a:1".to_owned(), "a:2".to_owned()]).unwrap();
        let worker = Worker::new(std::time::Duration::from_secs(60));
        assert_eq!(store.claim_job(1, &worker).unwrap(), Claim::Job("a:2".to_owned()));
    }

    #[test]
    fn failed_images_are_forgotten_audited_ones_kept_and_their_jobs_queued_again() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.db")).unwrap();
        let run = store.start_run("t", "k").unwrap();
        let record = |reference: &str, error: Option<&str>| ImageRecord {
            reference: reference.to_owned(),
            manifest_digest: None,
            error: error.map(str::to_owned),
            layers_scanned: 1,
            layers_cached: 0,
            bytes_scanned: 3,
            findings: Vec::new(),
            issues: Vec::new(),
        };
        let worker = Worker::new(std::time::Duration::from_secs(60));
        store.add_jobs(run, &["a:1".to_owned(), "a:2".to_owned()]).unwrap();
        assert_eq!(store.claim_job(run, &worker).unwrap(), Claim::Job("a:1".to_owned()));
        store.put_image(run, &record("a:1", None)).unwrap();
        assert_eq!(store.claim_job(run, &worker).unwrap(), Claim::Job("a:2".to_owned()));
        store.put_image(run, &record("a:2", Some("unreachable"))).unwrap();
        assert_eq!(store.claim_job(run, &worker).unwrap(), Claim::Done);
        assert_eq!(store.images(run).unwrap().len(), 2);
        store.forget_failed(run).unwrap();
        assert_eq!(store.images(run).unwrap(), [record("a:1", None)]);
        assert_eq!(store.claim_job(run, &worker).unwrap(), Claim::Job("a:2".to_owned()));
        assert_eq!(store.last_run("t", "k").unwrap(), Some(RunRow { id: run, finished: false }));
        store.finish_run(run).unwrap();
        assert_eq!(store.last_run("t", "k").unwrap(), Some(RunRow { id: run, finished: true }));
    }
}
