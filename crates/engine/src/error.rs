//! Errors of this crate.

use std::io;

/// Errors from building a [`Scanner`](crate::Scanner).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A rule's pattern did not compile with the engine's regex options.
    #[error("rule {rule} does not compile")]
    Regex {
        /// The rule id.
        rule: String,
        /// The regex error.
        #[source]
        source: Box<regex_automata::meta::BuildError>,
    },
    /// A rule has an empty keyword (validated rules never do).
    #[error("rule number {rule} has an empty keyword")]
    EmptyKeyword {
        /// The rule's index in the rule set.
        rule: u32,
    },
    /// The keywords use more distinct bytes or states than the automaton can index.
    #[error("the keywords are too many or too varied for the prefilter automaton")]
    TooManyKeywordBytes,
    /// The requested buffer cannot hold the overlap plus progress.
    #[error("buffer capacity {capacity} is too small: the rules need at least {minimum} bytes")]
    BufferTooSmall {
        /// What was requested.
        capacity: usize,
        /// The smallest workable capacity for these rules.
        minimum: usize,
    },
}

/// An error while scanning a reader: reading failed, or the sink failed.
#[derive(Debug, thiserror::Error)]
pub enum ScanError<E> {
    /// Reading the input failed.
    #[error("reading the input failed")]
    Io(#[source] io::Error),
    /// The sink returned an error.
    #[error("the match sink failed")]
    Sink(#[source] E),
}
