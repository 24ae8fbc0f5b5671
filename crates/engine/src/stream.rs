//! Streaming scans: the roll buffer, per-rule progress and match confirmation.
//!
//! # How a match is confirmed
//!
//! For every rule, matches are defined as if the whole stream were one haystack: the
//! successive leftmost-first, non-overlapping matches of the rule's regex. The scanner
//! computes exactly that set, chunk by chunk, keeping per rule the offset `resume` where its
//! next match may start.
//!
//! With the prefilter, a keyword starting at `p` triggers, for each of its rules, a regex
//! search in the window `[max(resume, p + kmin - max_len), p + max_len + 1)`, where `kmin`
//! is the rule's shortest keyword and `max_len` its longest match. A match found there that
//! starts at or before `p` is the rule's next match: no match can start earlier in the window
//! without containing an earlier keyword, which was handled before. Matches found starting
//! after `p` are left for their own keyword. Windows are fixed in absolute offsets, so the
//! result does not depend on how the stream was cut into chunks.
//!
//! When every match of a rule holds a keyword at a fixed offset `d` from its start (found
//! from the pattern's leading literals; usually `d = 0`), the window shrinks to one anchored
//! attempt at `p - d`.
//!
//! A keyword is only handled once the buffer holds `max_len + 1` bytes past it, and the
//! buffer keeps `max_len + 1` bytes before the first unhandled keyword: that is the
//! [`Scanner::overlap`](crate::Scanner::overlap).

use std::io::{self, Read};

use layerleak_rules::{Confidence, Rule};
use regex_automata::{Anchored, Input, meta, util::captures::Captures};

use crate::{
    Match, MatchSink, Rejection, ScanError, Scanner, Span, Validation,
    context::{assigned_to_cursor, for_documentation_host, in_resource_name, names_cursor},
    generic::is_non_secret_value,
    placeholder::is_placeholder,
    prefilter::Scratch,
    scanner::{CompiledCompanion, CompiledRule, Inner},
    shannon_entropy,
    validate::validate,
};

/// The mutable state of one scan: the roll buffer and regex caches. One per thread.
///
/// Feed chunks of any size with [`feed`](StreamScan::feed) and end with
/// [`finish`](StreamScan::finish); offsets in matches count from the first byte fed since the
/// last [`reset`](StreamScan::reset). The results are the same whatever the chunk sizes.
///
/// # Memory usage
///
/// One buffer of [`Scanner::buffer_capacity`](crate::Scanner::buffer_capacity) bytes plus
/// one lazily created regex cache per rule that has seen a candidate.
#[derive(Debug)]
pub struct StreamScan<'s> {
    inner: &'s Inner,
    buf: Vec<u8>,
    filled: usize,
    work: Work,
}

/// Everything but the buffer, so the buffer can be borrowed while this is mutated.
#[derive(Debug)]
struct Work {
    /// Absolute offset of `buf[0]`.
    base: u64,
    /// Per rule: the offset at or after which its next match starts.
    resume: Vec<u64>,
    /// Keywords starting before this offset have been handled.
    candidates_from: u64,
    caches: Vec<Option<(meta::Cache, Captures)>>,
    /// Per paired rule: the second half's regex cache.
    companion_caches: Vec<Option<(meta::Cache, Captures)>>,
    /// Per paired rule: where the last second half it reported starts, so that two first
    /// halves next to one second half report it once.
    last_companion: Vec<Option<u64>>,
    scratch: Scratch,
    stopped: bool,
}

impl<'s> StreamScan<'s> {
    pub(crate) fn new(scanner: &'s Scanner) -> StreamScan<'s> {
        let inner = &*scanner.inner;
        let n = inner.rules.len();
        StreamScan {
            inner,
            buf: Vec::new(),
            filled: 0,
            work: Work {
                base: 0,
                resume: vec![0; n],
                candidates_from: 0,
                caches: (0..n).map(|_| None).collect(),
                companion_caches: (0..n).map(|_| None).collect(),
                last_companion: vec![None; n],
                scratch: Scratch::default(),
                stopped: false,
            },
        }
    }

    /// Forgets the current stream so the next byte fed is offset 0. Keeps the buffer and
    /// caches.
    pub fn reset(&mut self) {
        self.filled = 0;
        self.work.base = 0;
        self.work.resume.fill(0);
        self.work.candidates_from = 0;
        self.work.last_companion.fill(None);
        self.work.stopped = false;
    }

    /// The rules of the scanner this stream belongs to, indexed by
    /// [`Match::rule_index`](crate::Match::rule_index).
    pub fn scanner_rules(&self) -> &'s [layerleak_rules::Rule] {
        &self.inner.rules
    }

    /// Bytes fed since the last reset.
    pub fn offset(&self) -> u64 {
        self.work.base + self.filled as u64
    }

    /// Feeds the next chunk. Returns `Ok(false)` once the sink asked to stop.
    ///
    /// # Errors
    ///
    /// Whatever the sink fails with.
    pub fn feed<S: MatchSink>(&mut self, mut chunk: &[u8], mut sink: S) -> Result<bool, S::Error> {
        self.ensure_buffer();
        while !chunk.is_empty() && !self.work.stopped {
            let take = (self.buf.len() - self.filled).min(chunk.len());
            self.buf[self.filled..self.filled + take].copy_from_slice(&chunk[..take]);
            self.filled += take;
            chunk = &chunk[take..];
            if self.filled == self.buf.len() {
                self.roll(&mut sink)?;
            }
        }
        Ok(!self.work.stopped)
    }

    /// Ends the stream: confirms matches in the remaining bytes, then resets.
    ///
    /// # Errors
    ///
    /// Whatever the sink fails with.
    pub fn finish<S: MatchSink>(&mut self, mut sink: S) -> Result<(), S::Error> {
        let r = if self.work.stopped {
            Ok(())
        } else {
            self.work.process(self.inner, &self.buf[..self.filled], true, &mut sink).map(drop)
        };
        self.reset();
        r
    }

    /// Scans everything `rdr` yields as one stream (from the current offset), then finishes.
    ///
    /// # Errors
    ///
    /// [`ScanError::Io`] when a read fails, [`ScanError::Sink`] when the sink fails. The
    /// stream is reset either way.
    pub fn read_from<R: Read, S: MatchSink>(
        &mut self,
        mut rdr: R,
        mut sink: S,
    ) -> Result<(), ScanError<S::Error>> {
        self.ensure_buffer();
        while !self.work.stopped {
            let n = match rdr.read(&mut self.buf[self.filled..]) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.reset();
                    return Err(ScanError::Io(e));
                }
            };
            self.filled += n;
            if self.filled == self.buf.len() {
                self.roll(&mut sink).map_err(ScanError::Sink)?;
            }
        }
        self.finish(&mut sink).map_err(ScanError::Sink)
    }

    /// Scans `hay` as the whole stream without copying it.
    pub(crate) fn scan_whole<S: MatchSink>(
        &mut self,
        hay: &[u8],
        mut sink: S,
    ) -> Result<(), S::Error> {
        self.reset();
        let r = self.work.process(self.inner, hay, true, &mut sink).map(drop);
        self.reset();
        r
    }

    fn ensure_buffer(&mut self) {
        if self.buf.len() != self.inner.capacity {
            self.buf = vec![0; self.inner.capacity];
        }
    }

    /// Confirms what the full buffer allows, then keeps only the overlap.
    fn roll<S: MatchSink>(&mut self, sink: &mut S) -> Result<(), S::Error> {
        let keep = self.work.process(self.inner, &self.buf[..self.filled], false, sink)?;
        let drop_len =
            usize::try_from(keep - self.work.base).expect("kept offset lies within the buffer");
        self.buf.copy_within(drop_len..self.filled, 0);
        self.filled -= drop_len;
        self.work.base = keep;
        Ok(())
    }
}

impl Work {
    /// Confirms every match decidable from `buf` (which starts at `self.base`); all of them
    /// when `eof`. Returns the offset from which bytes must be kept.
    fn process<S: MatchSink>(
        &mut self,
        inner: &Inner,
        buf: &[u8],
        eof: bool,
        sink: &mut S,
    ) -> Result<u64, S::Error> {
        let end = self.base + buf.len() as u64;
        let margin = inner.max_len as u64 + 1;
        match &inner.prefilter {
            Some(prefilter) => {
                let safe = if eof { end } else { end.saturating_sub(margin) };
                if safe > self.candidates_from {
                    let from = self.rel(self.candidates_from);
                    let until = self.rel(safe);
                    let mut scratch = std::mem::take(&mut self.scratch);
                    let r =
                        prefilter.for_each_candidate(buf, from, until, &mut scratch, |p, rules| {
                            let p = self.base + p as u64;
                            for &r in rules {
                                if !self.confirm_candidate(inner, r as usize, buf, p, end, sink)? {
                                    return Ok(false);
                                }
                            }
                            Ok(true)
                        });
                    self.scratch = scratch;
                    r?;
                    self.candidates_from = safe;
                }
                Ok(safe.saturating_sub(margin).max(self.base))
            }
            None => {
                for r in 0..inner.rules.len() {
                    if !self.confirm_everywhere(inner, r, buf, end, eof, sink)? {
                        break;
                    }
                }
                // Keep the longest match before the lowest resume point: a paired rule looks
                // that far back from its first half for the second.
                let lowest = self.resume.iter().copied().min().unwrap_or(end).min(end);
                Ok(lowest.saturating_sub(margin).max(self.base))
            }
        }
    }

    fn rel(&self, abs: u64) -> usize {
        usize::try_from(abs - self.base).expect("offset lies within the buffer")
    }

    /// Handles a keyword of rule `r` starting at absolute offset `p`.
    fn confirm_candidate<S: MatchSink>(
        &mut self,
        inner: &Inner,
        r: usize,
        buf: &[u8],
        p: u64,
        end: u64,
        sink: &mut S,
    ) -> Result<bool, S::Error> {
        let c = &inner.compiled[r];
        if p < self.resume[r] {
            return Ok(true);
        }
        let hi = self.rel((p + c.max_len + 1).min(end));
        if !c.keyword_offsets.is_empty() {
            // Every match holds a keyword at one of these offsets from its start, so the only
            // matches this keyword can anchor start at `p - offset`: one anchored attempt per
            // offset, the earliest start first (the leftmost match, as a window search would
            // find), no window. (A keyword elsewhere inside a match leads to attempts inside
            // or after it, which `resume` or the anchoring rejects; the match itself was found
            // through the keyword at its offset.)
            for &offset in &c.keyword_offsets {
                let Some(start) = p.checked_sub(offset) else { continue };
                if start < self.resume[r] || start < self.base {
                    continue;
                }
                let at = self.rel(start);
                let (cache, _) = self.caches[r].get_or_insert_with(|| new_cache(c));
                let input = Input::new(&buf[..hi]).span(at..hi).anchored(Anchored::Yes);
                let Some(m) = c.regex().search_with(cache, &input) else { continue };
                self.resume[r] = self.base + m.end() as u64;
                return self.emit(inner, r, buf, m.start(), m.end(), hi, sink);
            }
            return Ok(true);
        }
        let mut lo = self.rel(
            self.resume[r].max((p + c.min_keyword_len).saturating_sub(c.max_len)).max(self.base),
        );
        while lo < hi {
            let (cache, _) = self.caches[r].get_or_insert_with(|| new_cache(c));
            let Some(m) = c.regex().search_with(cache, &Input::new(&buf[..hi]).span(lo..hi)) else {
                break;
            };
            if self.base + m.start() as u64 > p {
                break;
            }
            self.resume[r] = self.base + m.end() as u64;
            lo = m.end();
            if !self.emit(inner, r, buf, m.start(), m.end(), hi, sink)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Without a prefilter: runs rule `r` over the whole buffer.
    fn confirm_everywhere<S: MatchSink>(
        &mut self,
        inner: &Inner,
        r: usize,
        buf: &[u8],
        end: u64,
        eof: bool,
        sink: &mut S,
    ) -> Result<bool, S::Error> {
        let c = &inner.compiled[r];
        loop {
            let from = self.resume[r].max(self.base);
            if from >= end {
                return Ok(true);
            }
            let lo = self.rel(from);
            let (cache, _) = self.caches[r].get_or_insert_with(|| new_cache(c));
            let Some(m) = c.regex().search_with(cache, &Input::new(buf).span(lo..buf.len())) else {
                let settled = if eof { end } else { end.saturating_sub(c.max_len + 1) };
                self.resume[r] = from.max(settled);
                return Ok(true);
            };
            let start = self.base + m.start() as u64;
            if !eof && start + c.max_len + 1 > end {
                // The bytes after this start are not all here yet: decide it next time.
                self.resume[r] = start;
                return Ok(true);
            }
            self.resume[r] = self.base + m.end() as u64;
            if !self.emit(inner, r, buf, m.start(), m.end(), buf.len(), sink)? {
                return Ok(false);
            }
        }
    }

    /// Extracts the secret of the match `buf[s..e]`, filters it and reports it. For a
    /// paired rule, the match is the first half, and the secret reported is the nearest
    /// second half around it (see [`Companion`](layerleak_rules::Companion)).
    #[allow(clippy::too_many_arguments, reason = "internal hot-path helper")]
    fn emit<S: MatchSink>(
        &mut self,
        inner: &Inner,
        r: usize,
        buf: &[u8],
        s: usize,
        e: usize,
        hi: usize,
        sink: &mut S,
    ) -> Result<bool, S::Error> {
        let c: &CompiledRule = &inner.compiled[r];
        let rule = &inner.rules[r];
        let (ss, se) = if c.secret_group == 0 {
            (s, e)
        } else {
            let (cache, caps) = self.caches[r].get_or_insert_with(|| new_cache(c));
            // The match is known to be exactly `s..e`: searching only that span, anchored, finds
            // the same leftmost-first match (anything preferred over it would have won the first
            // search) at a fraction of the cost of capturing over the whole window.
            let input = Input::new(&buf[..hi]).range(s..e).anchored(Anchored::Yes);
            c.regex().search_captures_with(cache, &input, caps);
            caps.get_group(c.secret_group).map_or((s, e), |g| (g.start, g.end))
        };
        let (span, (ss, se), verdict) = match &c.companion {
            None => {
                let mut verdict = judge(rule, &buf[ss..se]);
                if verdict.rejected.is_none() {
                    if for_documentation_host(&buf[se..e]) {
                        verdict.rejected = Some(Rejection::Placeholder);
                    } else if names_cursor(&buf[..s], &buf[s..ss])
                        || (rule.is_generic() && in_resource_name(&buf[..s]))
                    {
                        verdict.rejected = Some(Rejection::NotSecretLike);
                    }
                }
                ((s, e), (ss, se), verdict)
            }
            Some(half) => {
                if is_placeholder(&buf[ss..se]) {
                    return Ok(true);
                }
                let Some((cs, ce, verdict)) = self.nearest_companion(r, half, rule, buf, s, e)
                else {
                    return Ok(true);
                };
                let at = self.base + cs as u64;
                if verdict.rejected.is_none() {
                    if self.last_companion[r] == Some(at) {
                        return Ok(true);
                    }
                    self.last_companion[r] = Some(at);
                }
                ((s.min(cs), e.max(ce)), (cs, ce), verdict)
            }
        };
        if verdict.rejected.is_some() && !inner.report_rejected {
            return Ok(true);
        }
        let abs = |i: usize| self.base + i as u64;
        let m = Match {
            rule,
            rule_index: r,
            span: Span { start: abs(span.0), end: abs(span.1) },
            secret_span: Span { start: abs(ss), end: abs(se) },
            bytes: &buf[span.0..span.1],
            secret: &buf[ss..se],
            entropy: verdict.entropy,
            confidence: verdict.confidence,
            validation: verdict.validation,
            rejected: verdict.rejected,
        };
        let go_on = sink.matched(&m)?;
        if !go_on {
            self.stopped = true;
        }
        Ok(go_on)
    }

    /// The second half of paired rule `r` nearest to its first half `buf[s..e]`: the
    /// candidates of the companion pattern that end at most `within` bytes before `s` or
    /// start at most `within` bytes after `e`; the nearest that passes the filters (the
    /// later on a tie), else the nearest rejected one. The stream buffer holds the whole
    /// window: the rule's `max_len` covers it, and the overlap covers `max_len` on either
    /// side of a keyword. The window is fixed in absolute offsets, and a candidate cut short
    /// by its edge lies too far to count, so the choice does not depend on chunking.
    fn nearest_companion(
        &mut self,
        r: usize,
        half: &CompiledCompanion,
        rule: &Rule,
        buf: &[u8],
        s: usize,
        e: usize,
    ) -> Option<(usize, usize, Verdict)> {
        let reach = usize::try_from(half.within + half.max_len + 1).unwrap_or(usize::MAX);
        let (lo, hi) = (s.saturating_sub(reach), e.saturating_add(reach).min(buf.len()));
        let within = usize::try_from(half.within).unwrap_or(usize::MAX);
        let (cache, caps) = self.companion_caches[r]
            .get_or_insert_with(|| (half.regex().create_cache(), half.regex().create_captures()));
        // (gap, before the first half, start, end, verdict), best first when compared.
        let mut best: Option<(bool, usize, bool, usize, usize, Verdict)> = None;
        let mut from = lo;
        while from < hi {
            half.regex().search_captures_with(cache, &Input::new(&buf[..hi]).span(from..hi), caps);
            let Some(whole) = caps.get_match() else { break };
            let (cs, ce) = caps
                .get_group(half.secret_group)
                .map_or((whole.start(), whole.end()), |g| (g.start, g.end));
            // Go on from the secret's end: a boundary byte after it may open the next one.
            from = if ce > from { ce } else { whole.end().max(from + 1) };
            let gap = if ce <= s {
                s - ce
            } else if cs >= e {
                cs - e
            } else {
                continue;
            };
            if gap > within {
                if cs >= e {
                    break;
                }
                continue;
            }
            let mut verdict = judge(rule, &buf[cs..ce]);
            // A second half taken under any name: not a pagination cursor's value.
            if verdict.rejected.is_none() && assigned_to_cursor(&buf[..cs]) {
                verdict.rejected = Some(Rejection::NotSecretLike);
            }
            let key = (verdict.rejected.is_some(), gap, ce <= s);
            if best.as_ref().is_none_or(|b| key < (b.0, b.1, b.2)) {
                best = Some((key.0, key.1, key.2, cs, ce, verdict));
            }
        }
        best.map(|(_, _, _, cs, ce, verdict)| (cs, ce, verdict))
    }
}

/// What the filters say about one secret of `rule`.
#[derive(Debug, Clone, Copy)]
struct Verdict {
    entropy: f32,
    confidence: Confidence,
    validation: Validation,
    rejected: Option<Rejection>,
}

/// Runs the filters on a secret of `rule`: placeholders, required characters, entropy,
/// non-secret values of generic rules, the validator.
fn judge(rule: &Rule, secret: &[u8]) -> Verdict {
    let entropy = shannon_entropy(secret);
    let mut confidence = rule.confidence();
    let mut validation = Validation::NotApplicable;
    let mut rejected = None;
    if is_placeholder(secret) {
        rejected = Some(Rejection::Placeholder);
    } else if rule.secret_must_contain().is_some_and(|class| !class.is_met_by(secret)) {
        rejected = Some(Rejection::MissingRequiredCharacter);
    } else if let Some(min) = rule.min_entropy()
        && entropy < min
    {
        rejected = Some(Rejection::LowEntropy { entropy, min });
    } else if rule.is_generic() && is_non_secret_value(secret) {
        rejected = Some(Rejection::NotSecretLike);
    } else if let Some(v) = rule.validator() {
        match validate(v, secret) {
            None => rejected = Some(Rejection::Invalid),
            Some(outcome) => {
                validation = outcome;
                if outcome == Validation::Failed {
                    confidence = Confidence::Low;
                }
            }
        }
    }
    Verdict { entropy, confidence, validation, rejected }
}

fn new_cache(c: &CompiledRule) -> (meta::Cache, Captures) {
    (c.regex().create_cache(), c.regex().create_captures())
}
