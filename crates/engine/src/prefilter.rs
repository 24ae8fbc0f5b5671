//! The keyword prefilter: every rule's keywords, found case-insensitively in one pass.
//!
//! It yields *candidates*: positions where a keyword starts, with the rules that keyword
//! belongs to. The contract is the usual one for prefilters: it may over-report, it must
//! never under-report. Every match of a rule contains one of its keywords (a rule invariant
//! checked by `rules check`), so finding every keyword occurrence finds every match.
//!
//! # Design rationale
//!
//! Two stages. The first is an Aho-Corasick DFA over the keywords' first [`PREFIX`] bytes
//! only; where one of those prefixes ends, the second walks a trie of the whole keywords
//! from where it started, which confirms exactly the keywords starting there.
//!
//! A DFA step is one table load whose address depends on the previous one, so its speed is
//! bound by load latency; four independent lanes run over the four quarters of a region in
//! one loop, so the CPU overlaps their loads (eight lanes spill registers and run slower).
//! Cutting the keywords to their prefixes shrinks the automaton from some 3,500 states to
//! some 1,200 (the built-in rules). Its alphabet is coarser than the keywords': only bytes
//! that occur in a prefix have a class, and all digits share one (a candidate with the
//! wrong digit is rejected by the trie, which tells every byte apart). That takes the
//! built-in rules from 54 classes to 41, which lets their table have 16-bit entries
//! ([`Dfa::Narrow`], indexed without a bounds check or mask): 95 KB instead of the 250 KB
//! of 32-bit entries and 54 classes, or 770 KB for whole keywords, so it no longer evicts
//! the decompressor's working set from L2. Rows of states where a prefix ends lie in the
//! table's upper half, so one OR of the lanes' states tells whether any lane has a prefix;
//! rows are numbered breadth-first, so the shallow states, where the automaton spends
//! nearly all its time, share cache lines.
//!
//! The catalogue's 626 rules (since December; 315 before) outgrew the 16-bit table and take
//! the wide one: measured interleaved on the engine bench, the prefilter alone went from
//! 712–729 to 555–655 MiB/s on the tree, the whole scan's ratio to gunzip stayed within
//! the run's noise (old 1.14–1.42, new 0.97–1.41). Fitting them back (coarser classes, or
//! shorter prefixes for rare keywords) is the next step for the prefilter.
//!
//! Why five bytes: on the engine bench, prefixes of four bytes fit the 16-bit table but make
//! more candidates in text, which cost more than the smaller table saves (`/usr` tree 760
//! MiB/s against 900); six or more grow the table past what the fewer candidates save on
//! random bytes (1.2 GiB/s at five, 1.07 at eight). Sharing the digits' class then took
//! the tree from 860 MiB/s to 1.05 GiB/s and random bytes from 1.26 to 1.51 GiB/s. The
//! whole-keyword DFA this replaces ran at 700 and 840 MiB/s; the `aho-corasick` crate's DFA
//! at about 330 MiB/s on the tree. Case-insensitivity is free: upper- and lower-case
//! letters share a byte class.

use std::collections::VecDeque;

use crate::BuildError;

/// The prefilter's DFA finds the keywords' first `PREFIX` bytes (all of a shorter one).
const PREFIX: usize = 5;

/// How many lanes the DFA runs side by side over one region.
const LANES: usize = 4;

/// Keyword DFA plus, per keyword, the rules it selects.
#[derive(Debug)]
pub(crate) struct Prefilter {
    /// Byte → the DFA's class: ASCII letters of both cases share one, so do all digits; 0
    /// is "in no keyword's prefix".
    dfa_classes: [u8; 256],
    dfa: Dfa,
    /// `(state * row_magic) >> 32` is a premultiplied state's row (exact for multiples of
    /// the table's row length), sparing a division per prefix found.
    row_magic: u64,
    /// Byte → the trie's class, exact but for case; 0 is "in no keyword".
    classes: [u8; 256],
    /// The number of trie classes.
    trie_stride: usize,
    /// Per state ending a prefix, in the order of their rows: the lengths of the prefixes
    /// ending there.
    prefixes_at: Vec<Vec<u8>>,
    /// The trie of whole keywords: `trie[state * trie_stride + class]` is the child, 0 for none
    /// (the root is nobody's child).
    trie: Vec<u32>,
    /// Per trie state: the keyword ending there, or [`NO_KEYWORD`].
    keyword_at: Vec<u32>,
    /// Per keyword: its rules, sorted.
    rules_for: Vec<Vec<u32>>,
}

const NO_KEYWORD: u32 = u32::MAX;

/// A transition table entry: a premultiplied state. Rows of states where a prefix ends lie
/// in the table's upper half, rows of the others in its lower half, so the state's top bit
/// says whether a prefix ends there: no separate flag, no mask to strip it.
trait Cell: Copy + std::fmt::Debug {
    /// Twice the top bit of a state.
    const LEN: usize;
    /// The table's length.
    const TABLE: usize;
    /// Where the rows of states ending a prefix begin: the top bit of a state.
    const MATCH: usize = Self::LEN / 2;
    fn new(state: usize) -> Self;
    /// The state after `state` on a byte of `class`.
    fn next<const N: usize>(table: &[Self; N], state: usize, class: usize) -> usize;
}

impl Cell for u16 {
    const LEN: usize = 1 << 16;
    /// Room for every 16-bit state plus every class: no index needs a bounds check.
    const TABLE: usize = Self::LEN + 256;
    #[inline(always)]
    fn next<const N: usize>(table: &[u16; N], state: usize, class: usize) -> usize {
        usize::from(table[state + class])
    }
    fn new(state: usize) -> u16 {
        u16::try_from(state).expect("checked to fit")
    }
}

impl Cell for u32 {
    const LEN: usize = 1 << 21;
    /// A power of two: indexes are masked instead of bounds-checked.
    const TABLE: usize = Self::LEN;
    #[inline(always)]
    fn next<const N: usize>(table: &[u32; N], state: usize, class: usize) -> usize {
        table[(state + class) & (N - 1)] as usize
    }
    fn new(state: usize) -> u32 {
        u32::try_from(state).expect("checked to fit")
    }
}

/// Byte classes numbered from 1 in order of first appearance in `bytes`; every other byte
/// is class 0. Upper-case ASCII letters share their lower-case letter's class (`bytes` are
/// lower-case); with `digits_shared`, all ASCII digits share one class.
fn byte_classes(
    bytes: impl IntoIterator<Item = u8>,
    digits_shared: bool,
) -> Result<[u8; 256], BuildError> {
    let mut classes = [0u8; 256];
    let mut next_class = 1u8;
    for b in bytes {
        if classes[usize::from(b)] != 0 {
            continue;
        }
        let same: &[u8] = if digits_shared && b.is_ascii_digit() {
            b"0123456789"
        } else if b.is_ascii_lowercase() {
            &[b, b.to_ascii_uppercase()]
        } else {
            &[b]
        };
        for &c in same {
            classes[usize::from(c)] = next_class;
        }
        next_class = next_class.checked_add(1).ok_or(BuildError::TooManyKeywordBytes)?;
    }
    Ok(classes)
}

/// The transition table, 16-bit entries when they can hold every state.
#[derive(Debug)]
enum Dfa {
    Narrow(Box<[u16; <u16 as Cell>::TABLE]>),
    Wide(Box<[u32; <u32 as Cell>::TABLE]>),
}

/// `rows[r][class]` is the next row; rows from `first_match` end a prefix.
fn table<T: Cell, const N: usize>(
    rows: &[Vec<usize>],
    first_match: usize,
    stride: usize,
) -> Option<Box<[T; N]>> {
    let at = |row: usize| {
        if row < first_match { row * stride } else { T::MATCH + (row - first_match) * stride }
    };
    if first_match * stride > T::MATCH || (rows.len() - first_match) * stride > T::MATCH {
        return None;
    }
    let mut table: Box<[T; N]> =
        vec![T::new(0); N].into_boxed_slice().try_into().expect("the vector has N entries");
    for (row, next) in rows.iter().enumerate() {
        for (class, &to) in next.iter().enumerate() {
            table[at(row) + class] = T::new(at(to));
        }
    }
    Some(table)
}

impl Prefilter {
    /// Builds both stages from `(rule index, keywords)` pairs.
    pub(crate) fn new<'a>(
        rules: impl IntoIterator<Item = (u32, &'a [String])>,
    ) -> Result<Prefilter, BuildError> {
        let mut keywords: Vec<(Vec<u8>, Vec<u32>)> = Vec::new();
        for (rule, kws) in rules {
            for kw in kws {
                let lower = kw.to_ascii_lowercase().into_bytes();
                if lower.is_empty() {
                    return Err(BuildError::EmptyKeyword { rule });
                }
                match keywords.iter_mut().find(|(k, _)| *k == lower) {
                    Some((_, rs)) => rs.push(rule),
                    None => keywords.push((lower, vec![rule])),
                }
            }
        }
        for (_, rs) in &mut keywords {
            rs.sort_unstable();
            rs.dedup();
        }

        let classes = byte_classes(keywords.iter().flat_map(|(k, _)| k.iter().copied()), false)?;
        let trie_stride = classes.iter().max().map_or(1, |&c| usize::from(c) + 1);
        let class_of = |b: u8| usize::from(classes[usize::from(b)]);
        let prefixes = keywords.iter().flat_map(|(k, _)| k.iter().take(PREFIX).copied());
        let dfa_classes = byte_classes(prefixes, true)?;
        let stride = dfa_classes.iter().max().map_or(1, |&c| usize::from(c) + 1);
        let dfa_class_of = |b: u8| usize::from(dfa_classes[usize::from(b)]);

        // The trie of whole keywords, for the second stage.
        let mut trie = vec![0u32; trie_stride];
        let mut keyword_at = vec![NO_KEYWORD];
        for (kw_index, (kw, _)) in keywords.iter().enumerate() {
            let mut s = 0usize;
            for &b in kw {
                let slot = s * trie_stride + class_of(b);
                if trie[slot] == 0 {
                    trie[slot] = u32::try_from(keyword_at.len())
                        .map_err(|_| BuildError::TooManyKeywordBytes)?;
                    trie.resize(trie.len() + trie_stride, 0);
                    keyword_at.push(NO_KEYWORD);
                }
                s = trie[slot] as usize;
            }
            keyword_at[s] = u32::try_from(kw_index).map_err(|_| BuildError::TooManyKeywordBytes)?;
        }

        // The prefix trie, then failure links in breadth-first order, filling the DFA.
        const NONE: usize = usize::MAX;
        let mut goto: Vec<Vec<usize>> = vec![vec![NONE; stride]];
        let mut out: Vec<Vec<u8>> = vec![Vec::new()];
        for (kw, _) in &keywords {
            let prefix = &kw[..kw.len().min(PREFIX)];
            let mut s = 0usize;
            for &b in prefix {
                let c = dfa_class_of(b);
                if goto[s][c] == NONE {
                    goto.push(vec![NONE; stride]);
                    out.push(Vec::new());
                    goto[s][c] = goto.len() - 1;
                }
                s = goto[s][c];
            }
            let len = u8::try_from(prefix.len()).expect("PREFIX fits a byte");
            if !out[s].contains(&len) {
                out[s].push(len);
            }
        }
        let mut fail = vec![0usize; goto.len()];
        let mut order = vec![0usize];
        let mut queue = VecDeque::new();
        for next in &mut goto[0] {
            match *next {
                NONE => *next = 0,
                child => queue.push_back(child),
            }
        }
        while let Some(u) = queue.pop_front() {
            order.push(u);
            // The failure state's row is complete (it is shallower, so already processed).
            let fail_row = goto[fail[u]].clone();
            for (c, &via_fail) in fail_row.iter().enumerate() {
                let v = goto[u][c];
                if v == NONE {
                    goto[u][c] = via_fail;
                    continue;
                }
                fail[v] = via_fail;
                let inherited = out[via_fail].clone();
                out[v].extend(inherited);
                queue.push_back(v);
            }
        }
        // Rows in breadth-first order, those ending no prefix first: the shallow states,
        // where the automaton spends nearly all its time, share cache lines.
        let (plain, ending): (Vec<usize>, Vec<usize>) =
            order.iter().partition(|&&s| out[s].is_empty());
        let first_match = plain.len();
        let order: Vec<usize> = plain.into_iter().chain(ending).collect();
        let mut row_of = vec![0usize; goto.len()];
        for (row, &state) in order.iter().enumerate() {
            row_of[state] = row;
        }
        let rows: Vec<Vec<usize>> =
            order.iter().map(|&s| goto[s].iter().map(|&to| row_of[to]).collect()).collect();
        let dfa = match table(&rows, first_match, stride) {
            Some(narrow) => Dfa::Narrow(narrow),
            None => {
                Dfa::Wide(table(&rows, first_match, stride).ok_or(BuildError::TooManyKeywordBytes)?)
            }
        };
        let prefixes_at =
            order[first_match..].iter().map(|&s| std::mem::take(&mut out[s])).collect();
        Ok(Prefilter {
            dfa_classes,
            dfa,
            row_magic: (1u64 << 32).div_ceil(stride as u64),
            classes,
            trie_stride,
            prefixes_at,
            trie,
            keyword_at,
            rules_for: keywords.into_iter().map(|(_, rs)| rs).collect(),
        })
    }

    /// Calls `f(start, rules)` for every position in `from..until` where a keyword starts,
    /// in increasing order of position, with the rules of every keyword starting there.
    /// `hay` must hold every keyword starting before `until` entirely. `scratch` is reused
    /// between calls to avoid allocation.
    pub(crate) fn for_each_candidate<E>(
        &self,
        hay: &[u8],
        from: usize,
        until: usize,
        scratch: &mut Scratch,
        mut f: impl FnMut(usize, &[u32]) -> Result<bool, E>,
    ) -> Result<bool, E> {
        let until = until.min(hay.len());
        if from >= until {
            return Ok(true);
        }
        let to = (until + PREFIX - 1).min(hay.len());
        scratch.starts.clear();
        match &self.dfa {
            Dfa::Narrow(table) => self.collect_starts(table, hay, from, to, until, scratch),
            Dfa::Wide(table) => self.collect_starts(table, hay, from, to, until, scratch),
        }
        scratch.starts.sort_unstable();
        scratch.starts.dedup();
        for i in 0..scratch.starts.len() {
            let p = scratch.starts[i];
            if !self.confirm(hay, p, &mut scratch.rules, &mut f)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The second stage: walks the trie from `p` and calls `f` if a keyword starts there.
    fn confirm<E>(
        &self,
        hay: &[u8],
        p: usize,
        rules: &mut Vec<u32>,
        f: &mut impl FnMut(usize, &[u32]) -> Result<bool, E>,
    ) -> Result<bool, E> {
        rules.clear();
        let mut s = 0usize;
        let mut found = 0;
        for &b in &hay[p..] {
            s = self.trie[s * self.trie_stride + usize::from(self.classes[usize::from(b)])]
                as usize;
            if s == 0 {
                break;
            }
            let kw = self.keyword_at[s];
            if kw != NO_KEYWORD {
                rules.extend_from_slice(&self.rules_for[kw as usize]);
                found += 1;
            }
        }
        if found > 1 {
            rules.sort_unstable();
            rules.dedup();
        }
        if found == 0 { Ok(true) } else { f(p, rules) }
    }

    /// Pushes onto `scratch.starts` the start of every prefix occurrence with its start in
    /// `from..until` that ends by `to` (a start may come more than once).
    fn collect_starts<T: Cell, const N: usize>(
        &self,
        table: &[T; N],
        hay: &[u8],
        from: usize,
        to: usize,
        until: usize,
        scratch: &mut Scratch,
    ) {
        let len = to - from;
        let classes = &self.dfa_classes;
        let step =
            |state: usize, byte: u8| T::next(table, state, usize::from(classes[usize::from(byte)]));
        if len < 1024 {
            self.resume_lane::<T>(step, hay, 0, from, to, (from, until), scratch);
            return;
        }
        // Independent lanes: lane k owns the starts in [starts[k], starts[k + 1]) and scans
        // past its end by the longest prefix, starting from the root, so it finds every
        // prefix starting in its part. The common length runs in one zipped loop (no bounds
        // checks on the haystack); each lane then finishes alone.
        let starts: [usize; LANES + 1] = std::array::from_fn(|k| from + len * k / LANES);
        let ends: [usize; LANES] = std::array::from_fn(|k| (starts[k + 1] + PREFIX - 1).min(to));
        let owned: [(usize, usize); LANES] =
            std::array::from_fn(|k| (starts[k], starts[k + 1].min(until)));
        let common = (0..LANES).map(|k| ends[k] - starts[k]).min().unwrap_or(0);
        // Equal-length slices and a loop without calls: the states stay in registers, the
        // haystack loads need no bounds checks, and each lane's dependency chain is one
        // masked table load. The loop leaves at a match.
        let h: [&[u8]; LANES] = std::array::from_fn(|k| &hay[starts[k]..starts[k] + common]);
        let mut s = [0usize; LANES];
        let mut i = 0;
        while i < common {
            for k in 0..LANES {
                s[k] = step(s[k], h[k][i]);
            }
            i += 1;
            if s.iter().fold(0, |any, &sk| any | sk) & T::MATCH != 0 {
                self.record_lanes::<T>(s, &starts, i - 1, &owned, scratch);
            }
        }
        for k in 0..LANES {
            self.resume_lane::<T>(step, hay, s[k], starts[k] + common, ends[k], owned[k], scratch);
        }
    }

    #[cold]
    #[inline(never)]
    fn record_lanes<T: Cell>(
        &self,
        states: [usize; LANES],
        starts: &[usize; LANES + 1],
        i: usize,
        owned: &[(usize, usize); LANES],
        scratch: &mut Scratch,
    ) {
        for (k, s) in states.into_iter().enumerate() {
            if s & T::MATCH != 0 {
                self.record::<T>(s, starts[k] + i, owned[k], scratch);
            }
        }
    }

    #[allow(clippy::too_many_arguments, reason = "internal loop state")]
    fn resume_lane<T: Cell>(
        &self,
        step: impl Fn(usize, u8) -> usize,
        hay: &[u8],
        mut s: usize,
        from: usize,
        end: usize,
        owned: (usize, usize),
        scratch: &mut Scratch,
    ) {
        for (i, &b) in hay[..end].iter().enumerate().skip(from) {
            s = step(s, b);
            if s & T::MATCH != 0 {
                self.record::<T>(s, i, owned, scratch);
            }
        }
    }

    /// Records the starts of the prefixes ending at `i` in state `s` that lie in `owned`.
    #[inline]
    fn record<T: Cell>(&self, s: usize, i: usize, owned: (usize, usize), scratch: &mut Scratch) {
        let state = (s - T::MATCH) as u64;
        let row = usize::try_from((state * self.row_magic) >> 32).expect("a row index");
        for &len in &self.prefixes_at[row] {
            let start = i + 1 - usize::from(len);
            if (owned.0..owned.1).contains(&start) {
                scratch.starts.push(start);
            }
        }
    }
}

/// Reusable buffers for [`Prefilter::for_each_candidate`].
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    starts: Vec<usize>,
    rules: Vec<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn prefilter(kws: &[(&[&str], u32)]) -> Prefilter {
        let owned: Vec<(u32, Vec<String>)> =
            kws.iter().map(|(k, r)| (*r, k.iter().map(|s| (*s).to_owned()).collect())).collect();
        Prefilter::new(owned.iter().map(|(r, k)| (*r, k.as_slice()))).expect("test keywords build")
    }

    fn hits(p: &Prefilter, hay: &[u8]) -> Vec<(usize, Vec<u32>)> {
        let mut out = Vec::new();
        p.for_each_candidate::<()>(hay, 0, hay.len(), &mut Scratch::default(), |s, rs| {
            out.push((s, rs.to_vec()));
            Ok(true)
        })
        .expect("infallible");
        out
    }

    #[test]
    fn overlapping_and_prefix_keywords_are_all_found() {
        // "api_key" (rule 0) contains "key" (rule 1) and starts with "api" (rule 2).
        let p = prefilter(&[(&["api_key"], 0), (&["key"], 1), (&["API"], 2)]);
        assert_eq!(hits(&p, b"x API_KEY=1"), vec![(2, vec![0, 2]), (6, vec![1])]);
    }

    #[test]
    fn case_insensitive_and_adjacent() {
        let p = prefilter(&[(&["ghp_"], 0)]);
        assert_eq!(hits(&p, b"GHP_ghp_"), vec![(0, vec![0]), (4, vec![0])]);
    }

    /// The naive definition: every position where some keyword starts.
    fn naive(kws: &[(&[&str], u32)], hay: &[u8]) -> Vec<(usize, Vec<u32>)> {
        (0..hay.len())
            .filter_map(|i| {
                let mut rs: Vec<u32> = kws
                    .iter()
                    .filter(|(ks, _)| {
                        ks.iter().any(|k| {
                            hay.len() - i >= k.len()
                                && hay[i..i + k.len()].eq_ignore_ascii_case(k.as_bytes())
                        })
                    })
                    .map(|(_, r)| *r)
                    .collect();
                rs.sort_unstable();
                rs.dedup();
                (!rs.is_empty()).then_some((i, rs))
            })
            .collect()
    }

    const KWS: &[(&[&str], u32)] = &[
        (&["ab", "abc"], 0),
        (&["bca", "c"], 1),
        (&["aaa"], 2),
        (&["cab", "bcab"], 3),
        (&["b-"], 4),
    ];

    #[test]
    fn small_sets_take_the_narrow_table() {
        assert!(matches!(prefilter(KWS).dfa, Dfa::Narrow(_)));
    }

    /// Two thousand keywords overflow 16-bit states: the wide table finds what the naive
    /// search finds.
    #[test]
    fn large_sets_take_the_wide_table() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789_-.";
        let words: Vec<String> = (0..2000)
            .map(|_| {
                let len = 3 + (next() % 10) as usize;
                (0..len).map(|_| char::from(ALPHABET[(next() % 39) as usize])).collect()
            })
            .collect();
        let kws: Vec<(Vec<&str>, u32)> = words
            .chunks(4)
            .zip(0..)
            .map(|(w, r)| (w.iter().map(String::as_str).collect(), r))
            .collect();
        let kws: Vec<(&[&str], u32)> = kws.iter().map(|(w, r)| (w.as_slice(), *r)).collect();
        let p = prefilter(&kws);
        assert!(matches!(p.dfa, Dfa::Wide(_)));
        let mut hay = Vec::new();
        for i in 0..20_000 {
            if i % 7 == 0 {
                hay.extend_from_slice(
                    words[(next() % 2000) as usize].to_ascii_uppercase().as_bytes(),
                );
            } else {
                hay.push(ALPHABET[(next() % 39) as usize]);
            }
        }
        assert_eq!(hits(&p, &hay), naive(&kws, &hay));
    }

    proptest! {
        #[test]
        fn finds_exactly_the_naive_positions(hay in "[abcABC\\- ]{0,9000}") {
            let p = prefilter(KWS);
            prop_assert_eq!(hits(&p, hay.as_bytes()), naive(KWS, hay.as_bytes()));
        }

        /// Arbitrary bytes against keywords whose bytes collide when case-folded by bit 5
        /// (`_` and DEL, `@` and `` ` ``, `[` and `{`): the trie must tell them apart.
        #[test]
        fn arbitrary_bytes_and_fold_collisions(hay in prop::collection::vec(prop::sample::select(b"_\x7f@`[{aAbB-3 \xff".to_vec()), 0..5000)) {
            const FOLD: &[(&[&str], u32)] = &[(&["a_b", "@ab"], 0), (&["[a", "b"], 1), (&["ab-3"], 2)];
            let p = prefilter(FOLD);
            prop_assert_eq!(hits(&p, &hay), naive(FOLD, &hay));
        }

        /// Digits share one class in the DFA, so `$1$` also leads it to a candidate at `$2$`:
        /// the trie must reject every wrong digit, also past the DFA's prefix (`ab1234`
        /// against `ab1299`), and keep keywords with a digit beyond it (`abcde7`).
        #[test]
        fn digits_sharing_a_class_are_told_apart(hay in "[0-9$abcde]{0,4000}") {
            const DIGITS: &[(&[&str], u32)] = &[(&["$1$", "$9$"], 0), (&["ab1234", "9a"], 1), (&["abcde7"], 2), (&["0"], 3)];
            let p = prefilter(DIGITS);
            prop_assert_eq!(hits(&p, hay.as_bytes()), naive(DIGITS, hay.as_bytes()));
        }

        #[test]
        fn ranges_restrict_starts_only(hay in "[abcABC\\- ]{0,300}", a in 0usize..300, b in 0usize..300) {
            let p = prefilter(KWS);
            let (from, until) = (a.min(b).min(hay.len()), a.max(b).min(hay.len()));
            let mut got = Vec::new();
            p.for_each_candidate::<()>(hay.as_bytes(), from, until, &mut Scratch::default(), |s, rs| {
                got.push((s, rs.to_vec()));
                Ok(true)
            }).expect("infallible");
            let want: Vec<_> = naive(KWS, hay.as_bytes()).into_iter().filter(|(s, _)| (from..until).contains(s)).collect();
            prop_assert_eq!(got, want);
        }
    }
}
