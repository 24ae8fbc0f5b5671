//! [`Postgres`]: the audit database shared by several workers on several machines. Images
//! are claimed with `FOR UPDATE SKIP LOCKED` under a lease that the worker renews while it
//! works and that another worker takes over once it has expired (the worker died); a
//! layer being scanned is claimed the same way, so that no layer is scanned twice. Times
//! are the database server's, so the workers' clocks do not matter.

use std::cell::RefCell;
use std::str::FromStr as _;

use postgres::{Client, Config, NoTls};

use crate::backend::{Backend, Claim, Worker};
use crate::schema::{self, POSTGRES};
use crate::{Error, RunRow};

/// The advisory lock serializing migrations and the start of runs between workers.
const RUNS_LOCK: i64 = 0x6c61_7965_726c_6b01;

/// The server's clock, in seconds since the Unix epoch.
const NOW: &str = "CAST(EXTRACT(EPOCH FROM clock_timestamp()) AS BIGINT)";

/// A connection to a PostgreSQL audit database.
pub(crate) struct Postgres {
    client: RefCell<Client>,
    config: Config,
    describe: String,
}

impl std::fmt::Debug for Postgres {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Postgres").field("database", &self.describe).finish_non_exhaustive()
    }
}

impl Postgres {
    /// Connects to `url` and migrates the database to the current schema.
    pub(crate) fn connect(url: &str) -> Result<Postgres, Error> {
        let config = Config::from_str(url).map_err(|source| Error::Postgres {
            database: redacted(url),
            what: "not a valid PostgreSQL URL".to_owned(),
            source,
        })?;
        let describe = describe(&config);
        let db = Postgres::with_config(config, describe)?;
        db.setup()?;
        Ok(db)
    }

    fn with_config(config: Config, describe: String) -> Result<Postgres, Error> {
        let client = config.connect(NoTls).map_err(|source| Error::Postgres {
            database: describe.clone(),
            what: "cannot connect".to_owned(),
            source,
        })?;
        Ok(Postgres { client: RefCell::new(client), config, describe })
    }

    fn error(&self, what: &str) -> impl FnOnce(postgres::Error) -> Error + '_ {
        let what = what.to_owned();
        move |source| Error::Postgres { database: self.describe.clone(), what, source }
    }

    fn setup(&self) -> Result<(), Error> {
        self.lock_runs()?;
        let result = self.migrate();
        let unlocked = self.unlock_runs();
        result?;
        unlocked
    }

    fn migrate(&self) -> Result<(), Error> {
        let mut client = self.client.borrow_mut();
        client
            .batch_execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")
            .map_err(self.error("cannot create schema_version"))?;
        let found: i64 = client
            .query_one("SELECT COALESCE(MAX(version), 0) FROM schema_version", &[])
            .map_err(self.error("cannot read schema_version"))?
            .get(0);
        if found > schema::latest() {
            return Err(Error::NewerSchema {
                database: self.describe.clone(),
                found,
                known: schema::latest(),
            });
        }
        let start = usize::try_from(found).unwrap_or(0);
        for (i, migration) in POSTGRES.iter().enumerate().skip(start) {
            let version = i64::try_from(i + 1).unwrap_or(i64::MAX);
            let result = client.transaction().and_then(|mut tx| {
                tx.batch_execute(migration)?;
                tx.execute("DELETE FROM schema_version", &[])?;
                tx.execute("INSERT INTO schema_version (version) VALUES ($1)", &[&version])?;
                tx.commit()
            });
            result.map_err(self.error(&format!("migration to schema version {version}")))?;
        }
        Ok(())
    }
}

impl Backend for Postgres {
    fn describe(&self) -> &str {
        &self.describe
    }

    fn reconnect(&self) -> Result<Option<Box<dyn Backend>>, Error> {
        let other = Postgres::with_config(self.config.clone(), self.describe.clone())?;
        Ok(Some(Box::new(other)))
    }

    fn layer(&self, digest: &str, key: &str) -> Result<Option<Vec<u8>>, Error> {
        let row = self
            .client
            .borrow_mut()
            .query_opt("SELECT scan FROM layers WHERE digest = $1 AND key = $2", &[&digest, &key])
            .map_err(self.error("cannot read the layer cache"))?;
        Ok(row.map(|r| r.get(0)))
    }

    fn has_layer(&self, digest: &str, key: &str) -> Result<bool, Error> {
        Ok(self
            .client
            .borrow_mut()
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM layers WHERE digest = $1 AND key = $2)",
                &[&digest, &key],
            )
            .map_err(self.error("cannot read the layer cache"))?
            .get(0))
    }

    fn put_layer(&self, digest: &str, key: &str, scan: &[u8], bytes: u64) -> Result<(), Error> {
        let bytes = i64::try_from(bytes).unwrap_or(i64::MAX);
        let mut client = self.client.borrow_mut();
        let result = client.transaction().and_then(|mut tx| {
            tx.execute(
                "INSERT INTO layers (digest, key, scan, bytes) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (digest, key) DO UPDATE
                 SET scan = EXCLUDED.scan, bytes = EXCLUDED.bytes, scans = layers.scans + 1",
                &[&digest, &key, &scan, &bytes],
            )?;
            tx.execute(
                "DELETE FROM layer_claims WHERE digest = $1 AND key = $2",
                &[&digest, &key],
            )?;
            tx.commit()
        });
        result.map_err(self.error("cannot write the layer cache"))
    }

    fn layer_count(&self, key: &str) -> Result<usize, Error> {
        let n: i64 = self
            .client
            .borrow_mut()
            .query_one("SELECT COUNT(*) FROM layers WHERE key = $1", &[&key])
            .map_err(self.error("cannot count the layer cache"))?
            .get(0);
        Ok(usize::try_from(n).unwrap_or(0))
    }

    fn claim_layer(&self, digest: &str, key: &str, worker: &Worker) -> Result<bool, Error> {
        // Inserted, or taken over from an expired claim, or already this worker's.
        let row = self
            .client
            .borrow_mut()
            .query_opt(
                &format!(
                    "INSERT INTO layer_claims (digest, key, owner, lease_until)
                     VALUES ($1, $2, $3, {NOW} + $4)
                     ON CONFLICT (digest, key) DO UPDATE
                     SET owner = EXCLUDED.owner, lease_until = EXCLUDED.lease_until
                     WHERE layer_claims.owner = EXCLUDED.owner
                        OR layer_claims.lease_until < {NOW}
                     RETURNING owner"
                ),
                &[&digest, &key, &worker.id, &worker.lease_secs()],
            )
            .map_err(self.error("cannot claim a layer"))?;
        Ok(row.is_some())
    }

    fn release_layer(&self, digest: &str, key: &str, worker: &Worker) -> Result<(), Error> {
        self.client
            .borrow_mut()
            .execute(
                "DELETE FROM layer_claims WHERE digest = $1 AND key = $2 AND owner = $3",
                &[&digest, &key, &worker.id],
            )
            .map(drop)
            .map_err(self.error("cannot release a layer claim"))
    }

    fn lock_runs(&self) -> Result<(), Error> {
        self.client
            .borrow_mut()
            .execute("SELECT pg_advisory_lock($1)", &[&RUNS_LOCK])
            .map(drop)
            .map_err(self.error("cannot lock the runs"))
    }

    fn unlock_runs(&self) -> Result<(), Error> {
        self.client
            .borrow_mut()
            .execute("SELECT pg_advisory_unlock($1)", &[&RUNS_LOCK])
            .map(drop)
            .map_err(self.error("cannot unlock the runs"))
    }

    fn last_run(&self, targets: &str, key: &str) -> Result<Option<RunRow>, Error> {
        let row = self
            .client
            .borrow_mut()
            .query_opt(
                "SELECT id, finished_at IS NOT NULL FROM runs WHERE targets = $1 AND key = $2
                 ORDER BY id DESC LIMIT 1",
                &[&targets, &key],
            )
            .map_err(self.error("cannot read runs"))?;
        Ok(row.map(|r| RunRow { id: r.get(0), finished: r.get(1) }))
    }

    fn last_finished(&self) -> Result<Option<(i64, String)>, Error> {
        let row = self
            .client
            .borrow_mut()
            .query_opt(
                "SELECT id, targets FROM runs WHERE finished_at IS NOT NULL ORDER BY id DESC LIMIT 1",
                &[],
            )
            .map_err(self.error("cannot read runs"))?;
        Ok(row.map(|r| (r.get(0), r.get(1))))
    }

    fn previous_run(&self, targets: &str, before: i64) -> Result<Option<i64>, Error> {
        let row = self
            .client
            .borrow_mut()
            .query_opt(
                "SELECT id FROM runs WHERE targets = $1 AND id < $2 AND finished_at IS NOT NULL
                 ORDER BY id DESC LIMIT 1",
                &[&targets, &before],
            )
            .map_err(self.error("cannot read runs"))?;
        Ok(row.map(|r| r.get(0)))
    }

    fn previous_run_keyed(
        &self,
        targets: &str,
        key: &str,
        before: i64,
    ) -> Result<Option<i64>, Error> {
        let row = self
            .client
            .borrow_mut()
            .query_opt(
                "SELECT id FROM runs WHERE targets = $1 AND key = $2 AND id < $3
                   AND finished_at IS NOT NULL
                 ORDER BY id DESC LIMIT 1",
                &[&targets, &key, &before],
            )
            .map_err(self.error("cannot read runs"))?;
        Ok(row.map(|r| r.get(0)))
    }

    fn start_run(&self, targets: &str, key: &str) -> Result<i64, Error> {
        Ok(self
            .client
            .borrow_mut()
            .query_one(
                &format!(
                    "INSERT INTO runs (targets, key, started_at) VALUES ($1, $2, {NOW})
                     RETURNING id"
                ),
                &[&targets, &key],
            )
            .map_err(self.error("cannot record the run"))?
            .get(0))
    }

    fn finish_run(&self, id: i64) -> Result<(), Error> {
        self.client
            .borrow_mut()
            .execute(
                &format!(
                    "UPDATE runs SET finished_at = {NOW} WHERE id = $1 AND finished_at IS NULL"
                ),
                &[&id],
            )
            .map(drop)
            .map_err(self.error("cannot record the end of the run"))
    }

    fn add_jobs(&self, run: i64, references: &[String]) -> Result<(), Error> {
        let mut client = self.client.borrow_mut();
        let result = client.transaction().and_then(|mut tx| {
            let stmt = tx.prepare(
                "INSERT INTO jobs (run_id, seq, reference, done)
                 VALUES ($1, $2, $3, EXISTS (SELECT 1 FROM run_images
                                             WHERE run_id = $1 AND reference = $3))
                 ON CONFLICT (run_id, reference) DO NOTHING",
            )?;
            for (seq, reference) in references.iter().enumerate() {
                let seq = i64::try_from(seq).unwrap_or(i64::MAX);
                tx.execute(&stmt, &[&run, &seq, reference])?;
            }
            tx.commit()
        });
        result.map_err(self.error("cannot queue the images"))
    }

    fn claim_job(&self, run: i64, worker: &Worker) -> Result<Claim, Error> {
        let mut client = self.client.borrow_mut();
        let claimed = client
            .query_opt(
                &format!(
                    "UPDATE jobs SET owner = $2, lease_until = {NOW} + $3
                     WHERE (run_id, reference) IN (
                         SELECT run_id, reference FROM jobs
                         WHERE run_id = $1 AND NOT done
                           AND (owner IS NULL OR lease_until < {NOW})
                         ORDER BY seq LIMIT 1
                         FOR UPDATE SKIP LOCKED)
                     RETURNING reference"
                ),
                &[&run, &worker.id, &worker.lease_secs()],
            )
            .map_err(self.error("cannot take an image from the queue"))?;
        if let Some(row) = claimed {
            return Ok(Claim::Job(row.get(0)));
        }
        let pending: i64 = client
            .query_one("SELECT COUNT(*) FROM jobs WHERE run_id = $1 AND NOT done", &[&run])
            .map_err(self.error("cannot read the queue"))?
            .get(0);
        Ok(if pending == 0 { Claim::Done } else { Claim::Wait })
    }

    fn renew(&self, worker: &Worker) -> Result<(), Error> {
        let mut client = self.client.borrow_mut();
        let lease = worker.lease_secs();
        let result = client.transaction().and_then(|mut tx| {
            tx.execute(
                &format!("UPDATE jobs SET lease_until = {NOW} + $2 WHERE owner = $1 AND NOT done"),
                &[&worker.id, &lease],
            )?;
            tx.execute(
                &format!("UPDATE layer_claims SET lease_until = {NOW} + $2 WHERE owner = $1"),
                &[&worker.id, &lease],
            )?;
            tx.commit()
        });
        result.map_err(self.error("cannot renew the leases"))
    }

    fn put_image(&self, run: i64, reference: &str, audited: bool, json: &str) -> Result<(), Error> {
        let mut client = self.client.borrow_mut();
        let result = client.transaction().and_then(|mut tx| {
            tx.execute(
                "DELETE FROM run_images WHERE run_id = $1 AND reference = $2",
                &[&run, &reference],
            )?;
            tx.execute(
                "INSERT INTO run_images (run_id, reference, audited, record)
                 VALUES ($1, $2, $3, $4)",
                &[&run, &reference, &audited, &json],
            )?;
            tx.execute(
                "UPDATE jobs SET done = TRUE WHERE run_id = $1 AND reference = $2",
                &[&run, &reference],
            )?;
            tx.commit()
        });
        result.map_err(self.error("cannot record an image"))
    }

    fn forget_failed(&self, run: i64) -> Result<(), Error> {
        let mut client = self.client.borrow_mut();
        let result = client.transaction().and_then(|mut tx| {
            tx.execute(
                "UPDATE jobs SET done = FALSE, owner = NULL, lease_until = NULL
                 WHERE run_id = $1 AND reference IN
                     (SELECT reference FROM run_images WHERE run_id = $1 AND NOT audited)",
                &[&run],
            )?;
            tx.execute("DELETE FROM run_images WHERE run_id = $1 AND NOT audited", &[&run])?;
            tx.commit()
        });
        result.map_err(self.error("cannot forget failed images"))
    }

    fn images(&self, run: i64) -> Result<Vec<String>, Error> {
        let rows = self
            .client
            .borrow_mut()
            .query("SELECT record FROM run_images WHERE run_id = $1 ORDER BY stored", &[&run])
            .map_err(self.error("cannot read a run's images"))?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }
}

/// `config` as `postgres://user@host:port/db`, without its password.
fn describe(config: &Config) -> String {
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .zip(config.get_ports().iter().chain(std::iter::repeat(&5432)))
        .map(|(host, port)| match host {
            postgres::config::Host::Tcp(h) => format!("{h}:{port}"),
            postgres::config::Host::Unix(p) => format!("{}:{port}", p.display()),
        })
        .collect();
    let user = config.get_user().map(|u| format!("{u}@")).unwrap_or_default();
    let db = config.get_dbname().unwrap_or_default();
    format!("postgres://{user}{}/{db}", hosts.join(","))
}

/// A URL that does not parse, without what could be its password (between `:` and `@`).
fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_never_shows() {
        let config =
            Config::from_str("postgres://audit:s3cr3t-pw@db.example:6543/layerleak").unwrap();
        assert_eq!(describe(&config), "postgres://audit@db.example:6543/layerleak");
        assert_eq!(redacted("postgres://audit:s3cr3t-pw@db:x/"), "postgres://audit:***@db:x/");
        let err = Postgres::connect("postgres://audit:s3cr3t-pw@db:notaport/x").unwrap_err();
        assert!(!err.to_string().contains("s3cr3t"), "{err}");
    }
}
