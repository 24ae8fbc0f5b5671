//! Engine-backed rule checks: every example through a real [`Scanner`].
//!
//! [`check_sources`] runs the engine-free lints of `layerleak-rules` and then, for each rule
//! that passed them:
//!
//! - each positive example, scanned by a scanner of that rule alone, yields a match of it;
//!   when the example names its secret, some match extracts exactly that secret; a match
//!   rejected by a filter is an error that says which filter;
//! - every such match contains one of the rule's keywords (the prefilter invariant), and the
//!   scan without prefilter gives the same matches;
//! - each negative example yields no match of the rule, but for a value of the
//!   published-example catalogue (reported with the origin `example`, which does not gate);
//! - each positive example, embedded at several offsets and streamed through a minimal
//!   buffer in small chunks, gives the same matches as the one-slice scan;
//!
//! and for the whole set: it compiles together, each positive example still yields its own
//! rule, and negatives that other rules match are listed as notes for review.

use layerleak_rules::{Diagnostic, Rule, Rules, Severity};

use crate::{CollectSink, OwnedMatch, Scanner, ScannerBuilder};

/// The result of [`check_sources`].
#[derive(Debug)]
pub struct CheckOutcome {
    /// The usable rules when there was no error.
    pub rules: Option<Rules>,
    /// Every problem found, errors, warnings and notes.
    pub diagnostics: Vec<Diagnostic>,
}

impl CheckOutcome {
    /// Number of diagnostics of the given severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics.iter().filter(|d| d.severity == severity).count()
    }
}

/// Lints `(file name, TOML)` sources and checks every rule's examples through the engine.
pub fn check_sources<'a>(sources: impl IntoIterator<Item = (&'a str, &'a str)>) -> CheckOutcome {
    let (rules, mut diags) = layerleak_rules::check_sources(sources);
    for rule in &rules {
        check_rule(rule, &mut diags);
    }
    let all = Rules::from_rules(rules);
    match ScannerBuilder::new().compile_eagerly(true).build(&all) {
        Ok(full) => check_full_set(&full, &mut diags),
        Err(e) => diags.push(Diagnostic::error(
            "*",
            None,
            format!("the rule set does not compile together: {e}"),
        )),
    }
    let ok = diags.iter().all(|d| d.severity != Severity::Error);
    CheckOutcome { rules: ok.then_some(all), diagnostics: diags }
}

fn scan(scanner: &Scanner, text: &[u8]) -> Vec<OwnedMatch> {
    let mut sink = CollectSink::default();
    scanner.scan_slice(text, &mut sink).expect("collecting cannot fail");
    sink.matches
}

fn check_rule(rule: &Rule, diags: &mut Vec<Diagnostic>) {
    let file = rule.file();
    let id = Some(rule.id());
    let one = Rules::from_rules(vec![rule.clone()]);
    let build = |prefilter: bool, rejected: bool| {
        ScannerBuilder::new().prefilter(prefilter).report_rejected(rejected).build(&one)
    };
    let (Ok(with), Ok(explain), Ok(without)) =
        (build(true, false), build(true, true), build(false, false))
    else {
        diags.push(Diagnostic::error(file, id, "pattern does not compile in the engine"));
        return;
    };
    for (i, ex) in rule.syntax().examples.iter().enumerate() {
        let text = ex.text().as_bytes();
        let found = scan(&with, text);
        if found.is_empty() {
            let why = scan(&explain, text).first().and_then(|m| m.rejected).map_or_else(
                || "the pattern does not match".to_owned(),
                |r| format!("the match was rejected: {r:?}"),
            );
            diags.push(Diagnostic::error(file, id, format!("example {i} yields no match: {why}")));
            continue;
        }
        if let Some(expected) = ex.secret()
            && !found.iter().any(|m| m.secret == expected.as_bytes())
        {
            let got: Vec<_> =
                found.iter().map(|m| String::from_utf8_lossy(&m.secret).into_owned()).collect();
            diags.push(Diagnostic::error(
                file,
                id,
                format!("example {i}: expected secret {expected:?}, extracted {got:?}"),
            ));
        }
        for m in &found {
            let lower = m.bytes.to_ascii_lowercase();
            if !rule
                .keywords()
                .iter()
                .any(|k| lower.windows(k.len()).any(|w| w == k.to_ascii_lowercase().as_bytes()))
            {
                diags.push(Diagnostic::error(
                    file,
                    id,
                    format!("example {i}: the match contains none of the keywords, so the prefilter can hide it"),
                ));
            }
        }
        if scan(&without, text) != found {
            diags.push(Diagnostic::error(
                file,
                id,
                format!("example {i}: matches differ with the prefilter off"),
            ));
        }
        check_straddle(rule, &with, text, i, diags);
    }
    for (i, neg) in rule.syntax().negative_examples.iter().enumerate() {
        let found = scan(&with, neg.as_bytes());
        if let Some(m) =
            found.iter().find(|m| layerleak_rules::published_example(&m.secret).is_none())
        {
            diags.push(Diagnostic::error(
                file,
                id,
                format!(
                    "negative example {i} matches (secret {:?})",
                    String::from_utf8_lossy(&m.secret)
                ),
            ));
        }
    }
}

/// Streams the example at offsets around a minimal buffer's boundaries in small chunks.
fn check_straddle(
    rule: &Rule,
    whole: &Scanner,
    text: &[u8],
    i: usize,
    diags: &mut Vec<Diagnostic>,
) {
    let one = Rules::from_rules(vec![rule.clone()]);
    let capacity = whole.overlap() + 1 + 13;
    let small = match ScannerBuilder::new().buffer_capacity(capacity).build(&one) {
        Ok(small) => small,
        Err(e) => {
            // Never skip the check silently: a rule we cannot stream is a problem in itself.
            diags.push(Diagnostic::error(
                rule.file(),
                Some(rule.id()),
                format!("cannot build a minimal-buffer scanner: {e}"),
            ));
            return;
        }
    };
    for offset in [1, capacity / 2, capacity - 1, capacity + 5] {
        let mut hay = vec![b'\n'; offset];
        hay.extend_from_slice(text);
        hay.extend(std::iter::repeat_n(b'\n', 3));
        let expected = scan(whole, &hay);
        for chunk in [1, 7, 4096] {
            let mut stream = small.stream();
            let mut sink = CollectSink::default();
            for piece in hay.chunks(chunk) {
                stream.feed(piece, &mut sink).expect("collecting cannot fail");
            }
            stream.finish(&mut sink).expect("collecting cannot fail");
            if sink.matches != expected {
                diags.push(Diagnostic::error(
                    rule.file(),
                    Some(rule.id()),
                    format!("example {i}: streamed at offset {offset} in chunks of {chunk}, the matches differ from one slice"),
                ));
                return;
            }
        }
    }
}

fn check_full_set(full: &Scanner, diags: &mut Vec<Diagnostic>) {
    for rule in full.rules() {
        for (i, ex) in rule.syntax().examples.iter().enumerate() {
            if !scan(full, ex.text().as_bytes()).iter().any(|m| m.rule_id == rule.id()) {
                diags.push(Diagnostic::error(
                    rule.file(),
                    Some(rule.id()),
                    format!("example {i} yields the rule alone but not with the full rule set"),
                ));
            }
        }
        for (i, neg) in rule.syntax().negative_examples.iter().enumerate() {
            for m in scan(full, neg.as_bytes()) {
                if m.rule_id != rule.id() {
                    diags.push(Diagnostic::note(
                        rule.file(),
                        Some(rule.id()),
                        format!("negative example {i} is matched by {}", m.rule_id),
                    ));
                }
            }
        }
    }
}
