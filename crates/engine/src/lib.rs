//! The layerleak detection engine: finds secrets in any byte stream.
//!
//! # Brief overview
//!
//! A [`Scanner`] is compiled once from [`Rules`](layerleak_rules::Rules) by a
//! [`ScannerBuilder`]; it is immutable, `Send + Sync` and cheap to clone. Each thread scans
//! through its own [`StreamScan`], feeding chunks of any size. Confirmed matches go to a
//! [`MatchSink`] as borrowed [`Match`]es with absolute `u64` offsets.
//!
//! # Example
//!
//! ```
//! use layerleak_engine::{CollectSink, Scanner};
//! use layerleak_rules::Rules;
//!
//! let rules = Rules::embedded()?;
//! let scanner = Scanner::new(&rules)?;
//! let mut stream = scanner.stream();
//! let mut sink = CollectSink::default();
//! stream.feed(b"export GITHUB_TOKEN=ghp_wWPw5k4aXcaT4f", &mut sink)?;
//! stream.feed(b"NP0UcnZwJUVFk6LO0pINUx\n", &mut sink)?;
//! stream.finish(&mut sink)?;
//! let m = sink.matches.iter().find(|m| m.rule_id == "layerleak.github.1").expect("found");
//! assert_eq!((m.secret_span.start, m.secret_span.end), (20, 60));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # API themes
//!
//! **Prefilter.** An Aho-Corasick automaton over every rule's keywords (ASCII
//! case-insensitive) finds candidate positions; only around them does a rule's regex run,
//! on a window bounded by the rule's longest match. The prefilter may over-report but never
//! under-reports: every match of a rule contains one of its keywords (checked for every
//! example by `rules check`). [`ScannerBuilder::prefilter`]`(false)` runs every regex over
//! every byte instead, and gives the same matches.
//!
//! **Overlap.** Every rule's match length is bounded (the rules lint rejects unbounded
//! patterns), so a stream is scanned through one fixed buffer that keeps
//! [`Scanner::overlap`] bytes from one fill to the next. A match is reported once, whatever
//! the chunking; see the [`StreamScan`] docs and `DESIGN.md` for the walk-through.
//!
//! **Filters.** After the regex, a secret is dropped when it is a placeholder
//! ([`is_placeholder`]), below the rule's `min_entropy` ([`shannon_entropy`]), a hash, id or
//! reference for generic rules ([`is_non_secret_value`]), or fails a structural validator;
//! a failing checksum keeps the match at low confidence ([`Validation::Failed`]).
//!
//! **Limits.** Memory per stream is the buffer capacity plus regex caches, whatever the
//! stream length. Binary input is scanned as bytes.
#![deny(missing_docs)]

pub mod check;
pub mod conformance;
mod entropy;
mod error;
mod generic;
mod key_name;
mod matches;
mod placeholder;
mod prefilter;
mod scanner;
mod sink;
mod stream;
mod validate;

pub use entropy::shannon_entropy;
pub use error::{BuildError, ScanError};
pub use generic::is_non_secret_value;
pub use matches::{Match, OwnedMatch, Rejection, Span};
pub use placeholder::is_placeholder;
pub use scanner::{DEFAULT_BUFFER_CAPACITY, Scanner, ScannerBuilder};
pub use sink::{CollectSink, FnSink, MatchSink};
pub use stream::StreamScan;
pub use validate::Validation;
