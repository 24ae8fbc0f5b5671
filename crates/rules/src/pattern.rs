//! How rule patterns are parsed: the one place that fixes the regex syntax options, so the
//! lints here and the engine's compiled regexes agree on what a pattern means.

use regex_syntax::hir::{Hir, HirKind};

/// The longest match any rule may have, in bytes.
///
/// The streaming engine keeps an overlap of this order between chunks, so a bound here is
/// what makes "a secret straddling two chunks is still found" hold. Rules whose pattern can
/// match more bytes are rejected by the lints.
pub const MAX_MATCH_LEN: usize = 16 * 1024;

/// Whether patterns are compiled with Unicode semantics.
///
/// They are not: haystacks are arbitrary bytes (ELF files, tar streams), `\w` and `(?i)` are
/// ASCII-only, and `.` matches any byte but `\n`. The engine must build its regexes with
/// the same setting (`regex::bytes::RegexBuilder::unicode(PATTERN_UNICODE)`).
pub const PATTERN_UNICODE: bool = false;

/// Parses a pattern with exactly the options the engine compiles it with.
///
/// # Errors
///
/// Returns the parser's error when the pattern is not valid syntax.
pub fn parse(pattern: &str) -> Result<Hir, Box<regex_syntax::Error>> {
    regex_syntax::ParserBuilder::new()
        .unicode(PATTERN_UNICODE)
        .utf8(false)
        .build()
        .parse(pattern)
        .map_err(Box::new)
}

/// Facts about a parsed pattern the lints and the engine need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternInfo {
    /// The longest possible match in bytes, or `None` when unbounded.
    pub max_len: Option<usize>,
    /// The shortest possible match in bytes.
    pub min_len: usize,
    /// Which capture group holds the secret (`0` = the whole match), or `None` when it is
    /// ambiguous (several unnamed groups and none named `secret`).
    pub secret_group: Option<usize>,
}

impl PatternInfo {
    /// Derives the facts from a parsed pattern.
    pub fn of(hir: &Hir) -> PatternInfo {
        let props = hir.properties();
        let mut groups = Vec::new();
        collect_captures(hir, &mut groups);
        let named =
            groups.iter().find(|(_, name)| name.as_deref() == Some("secret")).map(|(i, _)| *i);
        let secret_group = match (named, groups.len()) {
            (Some(i), _) => Some(i),
            (None, 0) => Some(0),
            (None, 1) => Some(groups[0].0),
            (None, _) => None,
        };
        PatternInfo {
            max_len: props.maximum_len(),
            min_len: props.minimum_len().unwrap_or(0),
            secret_group,
        }
    }
}

/// Whether every match of `hir` begins with one of `keywords` (ASCII case-insensitively).
///
/// Then a keyword occurrence at `p` can only be the start of a match, and the engine
/// searches anchored at `p` instead of scanning a window of `max_len` bytes before it.
/// Decided from the pattern's leading literals, folded to lower case (so `(?i)` patterns
/// qualify): each must start with a keyword. Look-arounds such as `\b` before the keyword
/// consume nothing and are skipped.
pub fn starts_with_keyword(hir: &Hir, keywords: &[String]) -> bool {
    let lowered: Vec<Vec<u8>> =
        keywords.iter().map(|k| k.to_ascii_lowercase().into_bytes()).collect();
    let settled = |lit: &[u8]| lowered.iter().any(|k| !k.is_empty() && lit.starts_with(k));
    let Some(prefixes) = leading_literals(hir, &settled) else { return false };
    !prefixes.is_empty() && prefixes.iter().all(|(lit, _)| settled(lit))
}

/// Most leading-literal sets this analysis tracks before it gives up.
const MAX_PREFIXES: usize = 512;

/// The lower-cased literal prefixes every match starts with, each with whether it is the
/// whole match (`true`) or only its start; `None` when unknown or too many. A prefix stops
/// growing once `settled` accepts it.
fn leading_literals(hir: &Hir, settled: &dyn Fn(&[u8]) -> bool) -> Option<Vec<(Vec<u8>, bool)>> {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Some(vec![(Vec::new(), true)]),
        HirKind::Literal(lit) => Some(vec![(lit.0.to_ascii_lowercase(), true)]),
        HirKind::Class(class) => {
            let bytes = class_bytes(class)?;
            Some(bytes.into_iter().map(|b| (vec![b], true)).collect())
        }
        HirKind::Capture(cap) => leading_literals(&cap.sub, settled),
        HirKind::Repetition(rep) => {
            let first = leading_literals(&rep.sub, settled)?;
            let once = rep.max == Some(1);
            // Either the first iteration's literals (whole only when there is exactly one
            // iteration), or, when the repetition may be skipped, nothing at all.
            let mut out: Vec<_> = first.into_iter().map(|(l, e)| (l, e && once)).collect();
            if rep.min == 0 {
                out.push((Vec::new(), true));
            }
            Some(out)
        }
        HirKind::Alternation(subs) => {
            let mut all = Vec::new();
            for sub in subs {
                all.extend(leading_literals(sub, settled)?);
                if all.len() > MAX_PREFIXES {
                    return None;
                }
            }
            Some(all)
        }
        HirKind::Concat(subs) => {
            let mut acc: Vec<(Vec<u8>, bool)> = vec![(Vec::new(), true)];
            for sub in subs {
                if acc.iter().all(|(l, e)| !e || settled(l)) {
                    break;
                }
                let Some(next) = leading_literals(sub, settled) else {
                    // Unknown from here on: what we have are prefixes, not whole matches.
                    acc.iter_mut().for_each(|(_, e)| *e = false);
                    break;
                };
                let mut grown = Vec::new();
                for (l, e) in &acc {
                    if !e || settled(l) {
                        grown.push((l.clone(), *e));
                        continue;
                    }
                    for (n, ne) in &next {
                        let mut joined = l.clone();
                        joined.extend_from_slice(n);
                        grown.push((joined, *ne));
                    }
                    if grown.len() > MAX_PREFIXES {
                        return None;
                    }
                }
                acc = grown;
            }
            Some(acc)
        }
    }
}

/// The bytes of a class, lower-cased and deduplicated, when there are at most four of them
/// (`[Pp]`, `[us]`, `[_-]`); `None` for wider classes, which end the literal prefix.
fn class_bytes(class: &regex_syntax::hir::Class) -> Option<Vec<u8>> {
    use regex_syntax::hir::Class;
    let mut bytes: Vec<u8> = match class {
        Class::Bytes(c) => {
            let mut v = Vec::new();
            for r in c.ranges() {
                if usize::from(r.end() - r.start()) + v.len() > 8 {
                    return None;
                }
                v.extend(r.start()..=r.end());
            }
            v
        }
        Class::Unicode(c) => {
            let mut v = Vec::new();
            for r in c.ranges() {
                let (s, e) = (u32::from(r.start()), u32::from(r.end()));
                if e > 0x7f || (e - s) as usize + v.len() > 8 {
                    return None;
                }
                v.extend((s..=e).map(|c| u8::try_from(c).expect("ASCII checked above")));
            }
            v
        }
    };
    bytes.iter_mut().for_each(|b| *b = b.to_ascii_lowercase());
    bytes.sort_unstable();
    bytes.dedup();
    (bytes.len() <= 4).then_some(bytes)
}

fn collect_captures(hir: &Hir, out: &mut Vec<(usize, Option<String>)>) {
    match hir.kind() {
        HirKind::Capture(cap) => {
            out.push((cap.index as usize, cap.name.as_deref().map(str::to_owned)));
            collect_captures(&cap.sub, out);
        }
        HirKind::Repetition(rep) => collect_captures(&rep.sub, out),
        HirKind::Concat(subs) | HirKind::Alternation(subs) => {
            subs.iter().for_each(|s| collect_captures(s, out));
        }
        HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) | HirKind::Look(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(p: &str) -> PatternInfo {
        PatternInfo::of(&parse(p).expect("test pattern should parse"))
    }

    #[test]
    fn secret_group_prefers_name_then_single_group_then_whole_match() {
        assert_eq!(info(r"(a)(?P<secret>b)").secret_group, Some(2));
        assert_eq!(info(r"x(ab)").secret_group, Some(1));
        assert_eq!(info(r"xab").secret_group, Some(0));
        assert_eq!(info(r"(a)(b)").secret_group, None);
        assert_eq!(info(r"(?:a)(b)").secret_group, Some(1));
    }

    #[test]
    fn keyword_prefixed_patterns_are_recognised() {
        let kws = |ks: &[&str]| ks.iter().map(|k| (*k).to_owned()).collect::<Vec<_>>();
        let p = |s: &str| parse(s).expect("test pattern should parse");
        assert!(starts_with_keyword(&p(r"\b(?P<secret>ghp_[A-Za-z0-9]{36})\b"), &kws(&["ghp_"])));
        assert!(starts_with_keyword(
            &p(r"(?i)(?:password|passwd)\s{0,3}=(?P<secret>\S{8,64})"),
            &kws(&["password", "passwd"])
        ));
        assert!(starts_with_keyword(&p(r"gh[us]_[A-Za-z0-9]{36}"), &kws(&["ghu_", "ghs_"])));
        // The keyword sits in the middle: not prefixed.
        assert!(!starts_with_keyword(&p(r"[a-z0-9]{6}-mid-[a-z0-9]{6}"), &kws(&["-mid-"])));
        assert!(starts_with_keyword(
            &p(r"(?i)(?:secret|token|(?:api|access|private)[_-]?key)\s{0,3}=\S{8,40}"),
            &kws(&["secret", "token", "api", "access", "private"])
        ));
        assert!(!starts_with_keyword(
            &p(r"(?i)(?:secret|token|(?:api|access|private)[_-]?key)\s{0,3}=\S{8,40}"),
            &kws(&["secret", "token", "api_key", "access_key"])
        ));
        // An optional prefix before the keyword: not every match starts with it.
        assert!(!starts_with_keyword(&p(r"(?:export\s)?TOKEN=[a-z]{8}"), &kws(&["token="])));
    }

    #[test]
    fn lengths_are_in_bytes_and_unbounded_is_none() {
        assert_eq!(info(r"ghp_[A-Za-z0-9]{36}").max_len, Some(40));
        assert_eq!(info(r"a\s{0,3}b").max_len, Some(5));
        assert_eq!(info(r"a\s*b").max_len, None);
        // Without Unicode, `.` is one byte, not up to four.
        assert_eq!(info(r".{10}").max_len, Some(10));
    }
}
