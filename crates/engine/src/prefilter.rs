//! The keyword prefilter: one Aho-Corasick automaton over every rule's keywords.
//!
//! It yields *candidates*: positions where a keyword starts, with the rules that keyword
//! belongs to. The contract is the usual one for prefilters: it may over-report, it must
//! never under-report. Every match of a rule contains one of its keywords (a rule invariant
//! checked by `rules check`), so finding every keyword occurrence finds every match.

use aho_corasick::{AhoCorasick, AhoCorasickKind, Input, MatchKind};

use crate::BuildError;

/// Keyword automaton plus, per keyword, the rules it selects.
#[derive(Debug)]
pub(crate) struct Prefilter {
    ac: AhoCorasick,
    /// For each automaton pattern: the rules of every keyword that is a prefix of it
    /// (itself included), sorted and deduplicated.
    rules_for: Vec<Vec<u32>>,
}

impl Prefilter {
    /// Builds the automaton from `(rule index, keywords)` pairs.
    pub(crate) fn new<'a>(
        rules: impl IntoIterator<Item = (u32, &'a [String])>,
    ) -> Result<Prefilter, BuildError> {
        let mut keywords: Vec<(Vec<u8>, Vec<u32>)> = Vec::new();
        for (rule, kws) in rules {
            for kw in kws {
                let lower = kw.to_ascii_lowercase().into_bytes();
                match keywords.iter_mut().find(|(k, _)| *k == lower) {
                    Some((_, rs)) => rs.push(rule),
                    None => keywords.push((lower, vec![rule])),
                }
            }
        }
        // Leftmost-longest reports, at each start position, only the longest keyword. The
        // shorter keywords starting at the same position are its prefixes, so their rules
        // are folded into the longest one's list. Keywords starting at later positions are
        // found because the search restarts one byte after each hit's start.
        let rules_for = keywords
            .iter()
            .map(|(k, _)| {
                let mut rs: Vec<u32> = keywords
                    .iter()
                    .filter(|(other, _)| k.starts_with(other))
                    .flat_map(|(_, rs)| rs.iter().copied())
                    .collect();
                rs.sort_unstable();
                rs.dedup();
                rs
            })
            .collect();
        let ac = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(AhoCorasickKind::DFA))
            .build(keywords.iter().map(|(k, _)| k))
            .map_err(|source| BuildError::Prefilter { source })?;
        Ok(Prefilter { ac, rules_for })
    }

    /// Calls `f(start, rules)` for every position in `from..until` where a keyword starts,
    /// in increasing order of position. `hay` must hold every keyword starting before
    /// `until` entirely.
    pub(crate) fn for_each_candidate<E>(
        &self,
        hay: &[u8],
        from: usize,
        until: usize,
        mut f: impl FnMut(usize, &[u32]) -> Result<bool, E>,
    ) -> Result<bool, E> {
        let mut pos = from;
        while pos < until {
            let Some(m) = self.ac.find(Input::new(hay).span(pos..hay.len())) else { break };
            if m.start() >= until {
                break;
            }
            if !f(m.start(), &self.rules_for[m.pattern().as_usize()])? {
                return Ok(false);
            }
            pos = m.start() + 1;
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(kws: &[(&[&str], u32)], hay: &str) -> Vec<(usize, Vec<u32>)> {
        let owned: Vec<(u32, Vec<String>)> =
            kws.iter().map(|(k, r)| (*r, k.iter().map(|s| (*s).to_owned()).collect())).collect();
        let p = Prefilter::new(owned.iter().map(|(r, k)| (*r, k.as_slice())))
            .expect("test keywords build");
        let mut out = Vec::new();
        p.for_each_candidate::<()>(hay.as_bytes(), 0, hay.len(), |s, rs| {
            out.push((s, rs.to_vec()));
            Ok(true)
        })
        .expect("infallible");
        out
    }

    #[test]
    fn overlapping_and_prefix_keywords_are_all_found() {
        // "api_key" (rule 0) contains "key" (rule 1) and starts with "api" (rule 2).
        let h = hits(&[(&["api_key"], 0), (&["key"], 1), (&["API"], 2)], "x API_KEY=1");
        assert_eq!(h, vec![(2, vec![0, 2]), (6, vec![1])]);
    }

    #[test]
    fn case_insensitive_and_adjacent() {
        let h = hits(&[(&["ghp_"], 0)], "GHP_ghp_");
        assert_eq!(h, vec![(0, vec![0]), (4, vec![0])]);
    }
}
