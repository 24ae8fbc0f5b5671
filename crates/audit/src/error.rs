//! [`Error`]: why an audit could not run at all (an image that cannot be audited is not an
//! error: it is recorded with its reason, and the others are audited).

use std::path::PathBuf;

/// Why an audit could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The state database could not be opened, migrated, read or written.
    #[error("audit database {}: {what}", path.display())]
    Database {
        /// The database file.
        path: PathBuf,
        /// What was being done.
        what: String,
        /// The SQLite error.
        #[source]
        source: rusqlite::Error,
    },
    /// The shared PostgreSQL database could not be reached, migrated, read or written.
    #[error("audit database {database}: {what}")]
    Postgres {
        /// The database, without its password.
        database: String,
        /// What was being done.
        what: String,
        /// The PostgreSQL error.
        #[source]
        source: postgres::Error,
    },
    /// The database was written by a newer layerleak, with a schema this one does not know.
    #[error(
        "audit database {database}: schema version {found} is newer than this layerleak knows ({known}); use a newer layerleak or another --db"
    )]
    NewerSchema {
        /// The database (its file, or its URL without the password).
        database: String,
        /// The version in the database.
        found: i64,
        /// The newest version this build knows.
        known: i64,
    },
    /// A target is not a registry, repository or image reference.
    #[error("audit target {target:?}: {reason}")]
    Target {
        /// The target as given.
        target: String,
        /// What is wrong.
        reason: String,
    },
    /// A `--tags` value is not `all`, `latest` or a valid regular expression.
    #[error("--tags {value:?}: {reason}")]
    Tags {
        /// The value as given.
        value: String,
        /// What is wrong.
        reason: String,
    },
    /// A stored record could not be read back.
    #[error("audit database {database}: stored {what} is unreadable: {reason}")]
    Corrupt {
        /// The database (its file, or its URL without the password).
        database: String,
        /// Which record.
        what: String,
        /// What is wrong.
        reason: String,
    },
}
