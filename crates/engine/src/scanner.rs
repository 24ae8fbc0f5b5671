//! The compiled, immutable scanner and its builder.

use std::{
    io::Read,
    sync::{Arc, OnceLock},
};

use layerleak_rules::{PATTERN_UNICODE, Rule, Rules};
use regex_automata::{meta, util::syntax};

use crate::{BuildError, MatchSink, ScanError, StreamScan, prefilter::Prefilter};

/// The default stream buffer capacity (bytes held per [`StreamScan`]).
pub const DEFAULT_BUFFER_CAPACITY: usize = 512 * 1024;

/// Configures and builds a [`Scanner`].
#[derive(Debug, Clone)]
pub struct ScannerBuilder {
    prefilter: bool,
    capacity: Option<usize>,
    report_rejected: bool,
    eager: bool,
}

impl Default for ScannerBuilder {
    fn default() -> Self {
        ScannerBuilder::new()
    }
}

impl ScannerBuilder {
    /// A builder with the prefilter on and the default buffer capacity.
    pub fn new() -> ScannerBuilder {
        ScannerBuilder { prefilter: true, capacity: None, report_rejected: false, eager: false }
    }

    /// Turns the keyword prefilter on (default) or off. Off, every rule's regex runs over
    /// every byte: far slower, and meant for tests that prove the prefilter never hides a
    /// match.
    pub fn prefilter(&mut self, yes: bool) -> &mut ScannerBuilder {
        self.prefilter = yes;
        self
    }

    /// Sets the stream buffer capacity. It must exceed [`Scanner::overlap`]; tests use the
    /// smallest workable value to put every secret across a buffer boundary.
    pub fn buffer_capacity(&mut self, bytes: usize) -> &mut ScannerBuilder {
        self.capacity = Some(bytes);
        self
    }

    /// Also passes matches that a filter rejected to the sink, with
    /// [`Match::rejected`](crate::Match::rejected) set. For `rules check` diagnostics.
    pub fn report_rejected(&mut self, yes: bool) -> &mut ScannerBuilder {
        self.report_rejected = yes;
        self
    }

    /// Compiles every rule's regex during [`build`](ScannerBuilder::build) instead of on the
    /// rule's first candidate, so that a pattern that does not compile is reported by
    /// `build`. Use it for rules from outside the binary.
    pub fn compile_eagerly(&mut self, yes: bool) -> &mut ScannerBuilder {
        self.eager = yes;
        self
    }

    /// Compiles `rules`.
    ///
    /// # Errors
    ///
    /// [`BuildError::Regex`] when a pattern does not compile (validated rules always do),
    /// [`BuildError::EmptyKeyword`] or [`BuildError::TooManyKeywordBytes`] when the keyword automaton cannot be built, and
    /// [`BuildError::BufferTooSmall`] when the capacity cannot hold the overlap.
    pub fn build(&self, rules: &Rules) -> Result<Scanner, BuildError> {
        let rules: Vec<Rule> = rules.iter().cloned().collect();
        let compiled = rules
            .iter()
            .map(|r| CompiledRule::new(r, self.eager))
            .collect::<Result<Vec<_>, _>>()?;
        let prefilter = if self.prefilter {
            let indexed = rules
                .iter()
                .enumerate()
                .map(|(i, r)| (u32::try_from(i).expect("fewer than 2^32 rules"), r.keywords()));
            Some(Prefilter::new(indexed)?)
        } else {
            None
        };
        let max_len = rules.iter().map(Rule::max_len).max().unwrap_or(0);
        let overlap = 2 * (max_len + 1);
        let capacity = self.capacity.unwrap_or(DEFAULT_BUFFER_CAPACITY.max(4 * overlap));
        if capacity <= overlap {
            return Err(BuildError::BufferTooSmall { capacity, minimum: overlap + 1 });
        }
        Ok(Scanner {
            inner: Arc::new(Inner {
                rules,
                compiled,
                prefilter,
                max_len,
                capacity,
                report_rejected: self.report_rejected,
            }),
        })
    }
}

/// A compiled rule set: immutable, `Send + Sync`, cheap to clone (an `Arc`).
///
/// Per-stream mutable state (the roll buffer and regex caches) lives in a [`StreamScan`],
/// one per thread.
#[derive(Debug, Clone)]
pub struct Scanner {
    pub(crate) inner: Arc<Inner>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) rules: Vec<Rule>,
    pub(crate) compiled: Vec<CompiledRule>,
    pub(crate) prefilter: Option<Prefilter>,
    pub(crate) max_len: usize,
    pub(crate) capacity: usize,
    pub(crate) report_rejected: bool,
}

#[derive(Debug)]
pub(crate) struct CompiledRule {
    pattern: String,
    /// Compiled on the first candidate of the rule (or at build with
    /// [`ScannerBuilder::compile_eagerly`]): most rules see no candidate in most inputs,
    /// and compiling every long bounded repetition up front costs more than scanning a
    /// small image.
    regex: OnceLock<meta::Regex>,
    /// Longest possible match.
    pub(crate) max_len: u64,
    /// Length of the rule's shortest keyword: a match containing a keyword that starts at
    /// `p` starts no earlier than `p + min_keyword_len - max_len`.
    pub(crate) min_keyword_len: u64,
    pub(crate) secret_group: usize,
    /// Every match holds a keyword at one of these offsets from its start, largest first:
    /// a candidate is one anchored attempt per offset, the earliest start first. Empty when
    /// unknown: a candidate is a window search.
    pub(crate) keyword_offsets: Vec<u64>,
    /// The second half of a paired rule, searched around each match of `regex`.
    pub(crate) companion: Option<CompiledCompanion>,
}

/// The compiled second half of a paired rule.
#[derive(Debug)]
pub(crate) struct CompiledCompanion {
    pattern: String,
    regex: OnceLock<meta::Regex>,
    pub(crate) secret_group: usize,
    /// The most bytes between the halves.
    pub(crate) within: u64,
    /// The longest match of the second half.
    pub(crate) max_len: u64,
}

impl CompiledCompanion {
    /// The second half's regex, compiled on first use (see [`CompiledRule::regex`]).
    pub(crate) fn regex(&self) -> &meta::Regex {
        self.regex.get_or_init(|| {
            build_regex(&self.pattern).expect("a validated pattern compiles without size limits")
        })
    }
}

impl CompiledRule {
    fn new(rule: &Rule, eager: bool) -> Result<CompiledRule, BuildError> {
        let min_keyword_len = rule.keywords().iter().map(String::len).min().unwrap_or(0);
        let compiled = CompiledRule {
            pattern: rule.pattern().to_owned(),
            regex: OnceLock::new(),
            max_len: rule.max_len() as u64,
            min_keyword_len: min_keyword_len as u64,
            secret_group: rule.secret_group(),
            keyword_offsets: rule
                .keyword_offsets()
                .unwrap_or_default()
                .iter()
                .rev()
                .map(|&o| o as u64)
                .collect(),
            companion: rule.companion().map(|c| CompiledCompanion {
                pattern: c.pattern().to_owned(),
                regex: OnceLock::new(),
                secret_group: c.secret_group(),
                within: c.within() as u64,
                max_len: c.max_len() as u64,
            }),
        };
        if eager {
            let regex = build_regex(rule.pattern())
                .map_err(|source| BuildError::Regex { rule: rule.id().to_owned(), source })?;
            compiled.regex.set(regex).expect("a new OnceLock is empty");
            if let Some(c) = &compiled.companion {
                let regex = build_regex(&c.pattern)
                    .map_err(|source| BuildError::Regex { rule: rule.id().to_owned(), source })?;
                c.regex.set(regex).expect("a new OnceLock is empty");
            }
        }
        Ok(compiled)
    }

    /// The rule's regex, compiled on first use.
    ///
    /// # Panics
    ///
    /// Only if a pattern that passed the rules lint (it parses with the engine's syntax
    /// options) fails to compile; without size limits nothing else can fail, and every
    /// built-in rule is compiled by the test suite.
    pub(crate) fn regex(&self) -> &meta::Regex {
        self.regex.get_or_init(|| {
            build_regex(&self.pattern).expect("a validated pattern compiles without size limits")
        })
    }
}

/// Compiles a pattern with the engine's options. No size limits: rules are trusted input
/// whose length is bounded by the lint, and a limit hit at first use could not be reported.
/// No one-pass or full DFA: they cost compile time and only speed up capture extraction,
/// which runs once per confirmed match.
fn build_regex(pattern: &str) -> Result<meta::Regex, Box<meta::BuildError>> {
    meta::Regex::builder()
        .syntax(syntax::Config::new().unicode(PATTERN_UNICODE).utf8(false))
        .configure(
            meta::Regex::config()
                .utf8_empty(false)
                .onepass(false)
                .dfa(false)
                .nfa_size_limit(None)
                .hybrid_cache_capacity(4 * 1024 * 1024),
        )
        .build(pattern)
        .map_err(Box::new)
}

impl Scanner {
    /// Compiles `rules` with the default options.
    ///
    /// # Errors
    ///
    /// As [`ScannerBuilder::build`].
    pub fn new(rules: &Rules) -> Result<Scanner, BuildError> {
        ScannerBuilder::new().build(rules)
    }

    /// The rules, in the order of [`Match::rule_index`](crate::Match::rule_index).
    pub fn rules(&self) -> &[Rule] {
        &self.inner.rules
    }

    /// The longest possible match of any rule.
    pub fn max_match_len(&self) -> usize {
        self.inner.max_len
    }

    /// Bytes kept from one buffer to the next: twice the longest match plus look-around
    /// context, so that a match straddling a boundary is seen whole.
    pub fn overlap(&self) -> usize {
        2 * (self.inner.max_len + 1)
    }

    /// The stream buffer capacity.
    pub fn buffer_capacity(&self) -> usize {
        self.inner.capacity
    }

    /// Whether the keyword prefilter is on.
    pub fn has_prefilter(&self) -> bool {
        self.inner.prefilter.is_some()
    }

    /// Starts a streaming scan. Keep one per thread and [`reset`](StreamScan::reset) it
    /// between streams to reuse its buffer and caches.
    pub fn stream(&self) -> StreamScan<'_> {
        StreamScan::new(self)
    }

    /// Scans one in-memory haystack; offsets are relative to its first byte.
    ///
    /// # Errors
    ///
    /// Whatever the sink fails with.
    pub fn scan_slice<S: MatchSink>(&self, hay: &[u8], sink: S) -> Result<(), S::Error> {
        let mut stream = self.stream();
        stream.scan_whole(hay, sink)
    }

    /// Scans everything `rdr` yields, with bounded memory (the buffer capacity).
    ///
    /// # Errors
    ///
    /// [`ScanError::Io`] when reading fails (matches before the failure were reported),
    /// [`ScanError::Sink`] when the sink fails.
    pub fn scan_reader<R: Read, S: MatchSink>(
        &self,
        rdr: R,
        sink: S,
    ) -> Result<(), ScanError<S::Error>> {
        let mut stream = self.stream();
        stream.read_from(rdr, sink)
    }
}
