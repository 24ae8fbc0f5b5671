//! The database schema and its migrations: one entry per version, applied in order, each
//! in its own transaction together with the new `schema_version`.

/// The migrations: `MIGRATIONS[i]` takes the schema from version `i` to `i + 1`.
pub(crate) const MIGRATIONS: &[&str] = &[
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
];

/// The newest schema version this build knows.
pub(crate) fn latest() -> i64 {
    i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX)
}
