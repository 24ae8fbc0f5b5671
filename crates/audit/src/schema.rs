//! The database schema and its migrations: one entry per version, applied in order, each
//! in its own transaction together with the new `schema_version`. SQLite and PostgreSQL
//! have the same tables and the same versions, each in its own dialect.

/// The SQLite migrations: `SQLITE[i]` takes the schema from version `i` to `i + 1`.
pub(crate) const SQLITE: &[&str] = &[
    // 1: the layer cache, runs, and each run's images.
    "CREATE TABLE layers (
         digest TEXT NOT NULL,
         key TEXT NOT NULL,
         scan BLOB NOT NULL,
         bytes INTEGER NOT NULL,
         PRIMARY KEY (digest, key)
     );
     CREATE TABLE runs (
         id INTEGER PRIMARY KEY,
         targets TEXT NOT NULL,
         key TEXT NOT NULL,
         started_at INTEGER NOT NULL,
         finished_at INTEGER
     );
     CREATE TABLE run_images (
         run_id INTEGER NOT NULL REFERENCES runs(id),
         reference TEXT NOT NULL,
         audited INTEGER NOT NULL,
         record TEXT NOT NULL,
         PRIMARY KEY (run_id, reference)
     );",
    // 2: the queue of a run's images (claimed under a lease by a worker), claims on layers
    // being scanned, and how many times each layer was scanned.
    "CREATE TABLE jobs (
         run_id INTEGER NOT NULL REFERENCES runs(id),
         seq INTEGER NOT NULL,
         reference TEXT NOT NULL,
         done INTEGER NOT NULL DEFAULT 0,
         owner TEXT,
         lease_until INTEGER,
         PRIMARY KEY (run_id, reference)
     );
     CREATE TABLE layer_claims (
         digest TEXT NOT NULL,
         key TEXT NOT NULL,
         owner TEXT NOT NULL,
         lease_until INTEGER NOT NULL,
         PRIMARY KEY (digest, key)
     );
     ALTER TABLE layers ADD COLUMN scans INTEGER NOT NULL DEFAULT 1;",
];

/// The PostgreSQL migrations, version for version the same tables as [`SQLITE`].
pub(crate) const POSTGRES: &[&str] = &[
    "CREATE TABLE layers (
         digest TEXT NOT NULL,
         key TEXT NOT NULL,
         scan BYTEA NOT NULL,
         bytes BIGINT NOT NULL,
         PRIMARY KEY (digest, key)
     );
     CREATE TABLE runs (
         id BIGSERIAL PRIMARY KEY,
         targets TEXT NOT NULL,
         key TEXT NOT NULL,
         started_at BIGINT NOT NULL,
         finished_at BIGINT
     );
     CREATE TABLE run_images (
         run_id BIGINT NOT NULL REFERENCES runs(id),
         reference TEXT NOT NULL,
         audited BOOLEAN NOT NULL,
         record TEXT NOT NULL,
         stored BIGSERIAL,
         PRIMARY KEY (run_id, reference)
     );",
    "CREATE TABLE jobs (
         run_id BIGINT NOT NULL REFERENCES runs(id),
         seq BIGINT NOT NULL,
         reference TEXT NOT NULL,
         done BOOLEAN NOT NULL DEFAULT FALSE,
         owner TEXT,
         lease_until BIGINT,
         PRIMARY KEY (run_id, reference)
     );
     CREATE INDEX jobs_pending ON jobs (run_id, seq) WHERE NOT done;
     CREATE TABLE layer_claims (
         digest TEXT NOT NULL,
         key TEXT NOT NULL,
         owner TEXT NOT NULL,
         lease_until BIGINT NOT NULL,
         PRIMARY KEY (digest, key)
     );
     ALTER TABLE layers ADD COLUMN scans INTEGER NOT NULL DEFAULT 1;",
];

/// The newest schema version this build knows.
pub(crate) fn latest() -> i64 {
    debug_assert_eq!(SQLITE.len(), POSTGRES.len());
    i64::try_from(SQLITE.len()).unwrap_or(i64::MAX)
}
