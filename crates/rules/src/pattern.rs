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
        // A secret group that spans the whole match (look-arounds aside) is the match itself:
        // group 0 spares the engine a capture search per match.
        let secret_group = match (secret_group, whole_match_group(hir)) {
            (Some(g), Some(w)) if g == w => Some(0),
            (g, _) => g,
        };
        PatternInfo {
            max_len: props.maximum_len(),
            min_len: props.minimum_len().unwrap_or(0),
            secret_group,
        }
    }
}

/// The offsets at which a match of `hir` holds one of `keywords` (ASCII case-insensitively),
/// when there are few: `[0]` when every match begins with a keyword, `[5]` for
/// `-----BEGIN RSA PRIVATE KEY-----…` with the keyword `BEGIN RSA PRIVATE KEY`, `[0, 4]`
/// for `(?:git\+)?https://…` with the keyword `https://`. Sorted, at most
/// [`MAX_KEYWORD_OFFSETS`].
///
/// Then a keyword occurrence at `p` can only belong to a match starting at `p - offset` for
/// one of them, and the engine makes one anchored attempt at each instead of scanning a
/// window of `max_len` bytes before it. Decided from the pattern's leading literals, folded
/// to lower case (so `(?i)` patterns qualify): each must contain a keyword, and the offset
/// of its first one is what counts. Look-arounds such as `\b` consume nothing and are
/// skipped.
pub fn keyword_offsets(hir: &Hir, keywords: &[String]) -> Option<Vec<usize>> {
    let lowered: Vec<Vec<u8>> =
        keywords.iter().map(|k| k.to_ascii_lowercase().into_bytes()).collect();
    let first_keyword = |lit: &[u8]| {
        (0..lit.len()).find(|&i| lowered.iter().any(|k| !k.is_empty() && lit[i..].starts_with(k)))
    };
    let settled = |lit: &[u8]| first_keyword(lit).is_some();
    let prefixes = leading_literals(hir, &settled)?;
    let mut offsets =
        prefixes.iter().map(|(lit, _)| first_keyword(lit)).collect::<Option<Vec<usize>>>()?;
    offsets.sort_unstable();
    offsets.dedup();
    (!offsets.is_empty() && offsets.len() <= MAX_KEYWORD_OFFSETS).then_some(offsets)
}

/// Most keyword offsets [`keyword_offsets`] accepts: each is one anchored attempt per
/// keyword occurrence, and past a few a window search costs less.
pub const MAX_KEYWORD_OFFSETS: usize = 4;

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

/// The capture group that is the whole pattern, ignoring zero-width assertions around it.
fn whole_match_group(hir: &Hir) -> Option<usize> {
    match hir.kind() {
        HirKind::Capture(cap) => Some(cap.index as usize),
        HirKind::Concat(subs) => {
            let mut consuming = subs.iter().filter(|s| !matches!(s.kind(), HirKind::Look(_)));
            match (consuming.next(), consuming.next()) {
                (Some(only), None) => whole_match_group(only),
                _ => None,
            }
        }
        _ => None,
    }
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
        // The secret is the whole match: no capture needed.
        assert_eq!(info(r"\b(?P<secret>ghp_[a-z]{4})\b").secret_group, Some(0));
        assert_eq!(info(r"(?P<secret>x(y))").secret_group, Some(0));
    }

    #[test]
    fn keyword_offsets_are_recognised() {
        let kws = |ks: &[&str]| ks.iter().map(|k| (*k).to_owned()).collect::<Vec<_>>();
        let off = |pat: &str, ks: &[&str]| {
            keyword_offsets(&parse(pat).expect("test pattern parses"), &kws(ks))
        };
        assert_eq!(off(r"\b(?P<secret>ghp_[A-Za-z0-9]{36})\b", &["ghp_"]), Some(vec![0]));
        assert_eq!(
            off(r"(?i)(?:password|passwd)\s{0,3}=(?P<secret>\S{8,64})", &["password", "passwd"]),
            Some(vec![0])
        );
        assert_eq!(off(r"gh[us]_[A-Za-z0-9]{36}", &["ghu_", "ghs_"]), Some(vec![0]));
        let generic = r"(?i)(?:secret|token|(?:api|access|private)[_-]?key)\s{0,3}=\S{8,40}";
        assert_eq!(off(generic, &["secret", "token", "api", "access", "private"]), Some(vec![0]));
        // `apikey` and `api-key` contain none of these keywords.
        assert_eq!(off(generic, &["secret", "token", "api_key", "access_key"]), None);
        assert_eq!(
            off(
                r"-----BEGIN RSA PRIVATE KEY-----[A-Za-z0-9+/=\s]{60,100}-----END",
                &["BEGIN RSA PRIVATE KEY"]
            ),
            Some(vec![5])
        );
        // The keyword sits after a variable part: no fixed offset.
        assert_eq!(off(r"[a-z0-9]{6}-mid-[a-z0-9]{6}", &["-mid-"]), None);
        // An optional prefix before the keyword: two offsets.
        assert_eq!(off(r"(?:export )?TOKEN=[a-z]{8}", &["token="]), Some(vec![0, 7]));
        assert_eq!(
            off(r"(?i)\b(?:git\+)?https?://[a-z]{4}", &["http://", "https://"]),
            Some(vec![0, 4])
        );
        // More offsets than are worth an attempt each.
        assert_eq!(off(r"[a-e]{0,5}TOKEN=[a-z]{8}", &["token="]), None);
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
