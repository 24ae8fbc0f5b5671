//! Engine-free checks of rule files: schema, ids, pattern syntax and bounds, keywords.
//!
//! These are the checks that need no regex engine. The engine crate adds the checks that
//! run examples through a real `Scanner`; `layerleak rules check` runs both.

use std::collections::HashSet;

use crate::{Diagnostic, MAX_MATCH_LEN, PatternInfo, Rule, RuleFile, RuleSyntax, pattern};

/// The longest allowed rule id.
///
/// Nosey Parker allows 20 characters; `layerleak.` alone takes 10, so provider names such as
/// `huggingface` or `databricks` need more room.
pub const MAX_ID_LEN: usize = 32;

/// The farthest a paired rule may look for its second half, in bytes: a few lines of a
/// configuration file. Farther, unrelated values get paired by chance.
pub const MAX_COMPANION_DISTANCE: usize = 1024;

/// Keywords shorter than this draw a warning: they make the prefilter fire too often.
pub const MIN_KEYWORD_LEN: usize = 3;

/// Parses and checks rule files, collecting every problem rather than stopping at the first.
///
/// `sources` are `(file name, TOML text)` pairs. Returns the rules that are usable (all of
/// them when there are no errors) and every diagnostic, errors and warnings.
pub fn check_sources<'a>(
    sources: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> (Vec<Rule>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut rules = Vec::new();
    let mut seen_ids = HashSet::new();
    for (file, text) in sources {
        let parsed: RuleFile = match toml::from_str(text) {
            Ok(p) => p,
            Err(e) => {
                diags.push(Diagnostic::error(
                    file,
                    None,
                    format!("invalid rule file: {}", e.message()),
                ));
                continue;
            }
        };
        if parsed.rules.is_empty() {
            diags.push(Diagnostic::warning(file, None, "file defines no rules"));
        }
        for syntax in parsed.rules {
            if !seen_ids.insert(syntax.id.clone()) {
                diags.push(Diagnostic::error(file, Some(&syntax.id), "duplicate rule id"));
            }
            if let Some(rule) = check_rule(file, syntax, &mut diags) {
                rules.push(rule);
            }
        }
    }
    (rules, diags)
}

/// Checks one rule; returns it validated when it has no error.
fn check_rule(file: &str, syntax: RuleSyntax, diags: &mut Vec<Diagnostic>) -> Option<Rule> {
    let before = diags.iter().filter(|d| d.severity == crate::Severity::Error).count();
    let id = syntax.id.as_str();
    let err =
        |diags: &mut Vec<Diagnostic>, m: String| diags.push(Diagnostic::error(file, Some(id), m));
    let warn =
        |diags: &mut Vec<Diagnostic>, m: String| diags.push(Diagnostic::warning(file, Some(id), m));

    check_id(file, id, diags);
    if syntax.name.trim().is_empty() {
        err(diags, "name is empty".into());
    }

    let parsed = pattern::parse(&syntax.pattern);
    let info = match &parsed {
        Ok(hir) => Some(PatternInfo::of(hir)),
        Err(e) => {
            err(diags, format!("pattern does not parse: {}", one_line(&e.to_string())));
            None
        }
    };
    if let Some(info) = &info {
        match info.max_len {
            None => {
                err(
                    diags,
                    "pattern match length is unbounded (use {0,N} instead of * or +)".into(),
                );
            }
            Some(n) if n > MAX_MATCH_LEN => {
                err(
                    diags,
                    format!("pattern can match {n} bytes, more than the limit of {MAX_MATCH_LEN}"),
                );
            }
            Some(_) => {}
        }
        if info.min_len == 0 {
            err(diags, "pattern can match the empty string".into());
        }
        if info.secret_group.is_none() {
            err(diags, "pattern has several capture groups and none named `secret`".into());
        }
    }

    let companion = syntax.companion.as_ref().and_then(|c| check_companion(c, diags, file, id));
    if let (Some(info), Some(cinfo)) = (&info, &companion)
        && let (Some(first), Some(second)) = (info.max_len, cinfo.max_len)
        && let Some(total) = syntax
            .companion
            .as_ref()
            .map(|c| first.saturating_add(c.within).saturating_add(second).saturating_add(2))
        && total > MAX_MATCH_LEN
    {
        err(
            diags,
            format!(
                "the two halves with `within` span up to {total} bytes, more than the limit of {MAX_MATCH_LEN}"
            ),
        );
    }

    if syntax.keywords.is_empty() {
        err(diags, "no keywords: the prefilter would never select this rule".into());
    }
    let mut kw_seen = HashSet::new();
    for kw in &syntax.keywords {
        if kw.is_empty() {
            err(diags, "empty keyword".into());
        } else if kw.len() < MIN_KEYWORD_LEN {
            warn(diags, format!("keyword {kw:?} is shorter than {MIN_KEYWORD_LEN} bytes"));
        }
        if !kw.is_ascii() {
            err(
                diags,
                format!("keyword {kw:?} is not ASCII (keywords match ASCII-case-insensitively)"),
            );
        }
        if !kw_seen.insert(kw.to_ascii_lowercase()) {
            warn(diags, format!("keyword {kw:?} is listed twice"));
        }
        if let Some(info) = &info
            && info.max_len.is_some_and(|m| kw.len() > m)
        {
            err(diags, format!("keyword {kw:?} is longer than any match"));
        }
    }

    if let Some(e) = syntax.min_entropy
        && !(0.0..=8.0).contains(&e)
    {
        err(diags, format!("min_entropy {e} is outside [0, 8] bits per byte"));
    }
    if syntax.examples.is_empty() {
        err(diags, "no examples: every rule must show what it finds".into());
    }
    if syntax.negative_examples.is_empty() {
        warn(diags, "no negative_examples".into());
    }
    if syntax.references.is_empty() {
        warn(diags, "no references to the provider's documentation of the format".into());
    }
    for (i, ex) in syntax.examples.iter().enumerate() {
        let lower = ex.text().to_ascii_lowercase();
        if !syntax.keywords.iter().any(|k| lower.contains(&k.to_ascii_lowercase())) {
            err(
                diags,
                format!("example {i} contains none of the keywords: the prefilter would hide it"),
            );
        }
        if let Some(secret) = ex.secret()
            && !ex.text().contains(secret)
        {
            err(diags, format!("example {i} names a secret that is not in its text"));
        }
    }

    let after = diags.iter().filter(|d| d.severity == crate::Severity::Error).count();
    if after > before {
        return None;
    }
    let hir = parsed.expect("no errors implies the pattern parsed");
    Rule::new(
        syntax,
        file.to_owned(),
        &info.expect("no errors implies the pattern parsed"),
        &hir,
        companion.as_ref(),
    )
}

/// Checks a paired rule's second half as a pattern of its own: it parses, is bounded, has
/// an unambiguous secret group and cannot match the empty string.
fn check_companion(
    c: &crate::Companion,
    diags: &mut Vec<Diagnostic>,
    file: &str,
    id: &str,
) -> Option<PatternInfo> {
    let mut err = |m: String| diags.push(Diagnostic::error(file, Some(id), m));
    let info = match pattern::parse(&c.pattern) {
        Ok(hir) => PatternInfo::of(&hir),
        Err(e) => {
            err(format!("companion pattern does not parse: {}", one_line(&e.to_string())));
            return None;
        }
    };
    if info.max_len.is_none_or(|n| n > MAX_MATCH_LEN) {
        err("companion pattern match length is unbounded or over the limit".into());
    }
    if info.min_len == 0 {
        err("companion pattern can match the empty string".into());
    }
    if info.secret_group.is_none() {
        err("companion pattern has several capture groups and none named `secret`".into());
    }
    if c.within == 0 || c.within > MAX_COMPANION_DISTANCE {
        err(format!("companion `within` must be 1 to {MAX_COMPANION_DISTANCE} bytes"));
    }
    Some(info)
}

/// `layerleak.<provider>.<n>`: provider is the file stem, lowercase alphanumerics (and `-`);
/// `n` a positive integer without leading zeros.
fn check_id(file: &str, id: &str, diags: &mut Vec<Diagnostic>) {
    let stem = file.strip_suffix(".toml").unwrap_or(file);
    let mut parts = id.split('.');
    let ok = parts.next() == Some("layerleak")
        && parts.next().is_some_and(|p| {
            if p != stem {
                diags.push(Diagnostic::error(
                    file,
                    Some(id),
                    format!("provider segment {p:?} does not match the file name {stem:?}"),
                ));
            }
            !p.is_empty()
                && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
        && parts.next().is_some_and(|n| {
            !n.is_empty() && !n.starts_with('0') && n.bytes().all(|b| b.is_ascii_digit())
        })
        && parts.next().is_none();
    if !ok {
        diags.push(Diagnostic::error(
            file,
            Some(id),
            "id must look like `layerleak.<provider>.<n>`",
        ));
    }
    if id.len() > MAX_ID_LEN {
        diags.push(Diagnostic::error(
            file,
            Some(id),
            format!("id is longer than {MAX_ID_LEN} characters"),
        ));
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Severity;

    fn diags(file: &str, toml: &str) -> Vec<String> {
        check_sources([(file, toml)]).1.into_iter().map(|d| d.to_string()).collect()
    }

    const GOOD: &str = r#"
[[rules]]
id = "layerleak.demo.1"
name = "Demo token"
pattern = '\b(?P<secret>demo_[a-z0-9]{20})\b'
keywords = ["demo_"]
references = ["https://example.com/docs"]
examples = ["token = demo_abcdefghij0123456789"]
negative_examples = ["demo_short"]
"#;

    #[test]
    fn good_rule_has_no_diagnostics() {
        let (rules, d) = check_sources([("demo.toml", GOOD)]);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(rules.len(), 1);
        assert_eq!(rules[0].max_len(), 25);
        assert_eq!(rules[0].secret_group(), 0, "the secret is the whole match");
    }

    #[test]
    fn every_problem_is_reported_not_only_the_first() {
        let bad = r#"
[[rules]]
id = "layerleak.other.01"
name = ""
pattern = 'x(a)(b)[a-z]+'
keywords = ["q"]
examples = ["nothing here"]
"#;
        let d = diags("demo.toml", bad);
        let joined = d.join("\n");
        for needle in [
            "does not match the file name",
            "id must look like",
            "name is empty",
            "unbounded",
            "none named `secret`",
            "shorter than 3",
            "contains none of the keywords",
            "no negative_examples",
            "no references",
        ] {
            assert!(joined.contains(needle), "missing {needle:?} in:\n{joined}");
        }
    }

    #[test]
    fn companion_patterns_are_checked_like_patterns() {
        let paired = GOOD.replace(
            "negative_examples",
            "companion = { pattern = '[a-z]+', within = 5000 }\nnegative_examples",
        );
        let joined = diags("demo.toml", &paired).join("\n");
        assert!(joined.contains("companion pattern match length is unbounded"), "{joined}");
        assert!(joined.contains("companion `within` must be 1 to 1024"), "{joined}");
        let paired = GOOD.replace(
            "negative_examples",
            "companion = { pattern = '(?P<secret>[0-9a-f]{32})', within = 100 }\nnegative_examples",
        );
        let (rules, d) = check_sources([("demo.toml", paired.as_str())]);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(rules[0].max_len(), 25 + 100 + 32 + 2);
        assert_eq!(rules[0].companion().map(|c| (c.within(), c.secret_group())), Some((100, 0)));
    }

    #[test]
    fn unknown_field_is_an_error() {
        let d = diags("demo.toml", &GOOD.replace("keywords =", "keyword ="));
        assert!(d.iter().any(|m| m.contains("invalid rule file")), "{d:?}");
    }

    #[test]
    fn duplicate_ids_and_oversized_patterns_are_errors() {
        let twice = format!("{GOOD}\n{GOOD}");
        assert!(diags("demo.toml", &twice).iter().any(|m| m.contains("duplicate rule id")));
        let huge = GOOD.replace("{20}", "{20000}");
        assert!(diags("demo.toml", &huge).iter().any(|m| m.contains("more than the limit")));
    }

    #[test]
    fn warnings_do_not_reject_the_rule() {
        let (rules, d) = check_sources([(
            "demo.toml",
            &*GOOD.replace(r#"negative_examples = ["demo_short"]"#, ""),
        )]);
        assert_eq!(rules.len(), 1);
        assert!(d.iter().all(|d| d.severity == Severity::Warning));
    }
}
