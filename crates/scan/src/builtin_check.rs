//! `rules check` for the built-in rules: every example and negative example of the
//! catalogue's path and secret-name rules, run through the matchers the scan uses.

use layerleak_report::ConfigField;
use layerleak_rules::{
    BUILTIN_RULES_FILE, BuiltinExample, BuiltinKind, BuiltinRule, Diagnostic, builtin_rules,
};

use crate::config_scan::named_values;
use crate::hit::{ConfigSite, Hit, RuleRef};
use crate::path_rules::{classify, extract};

/// Runs every built-in rule's examples through its matcher: a path rule's example path must
/// be checked by that rule and its content must yield a finding (with the named secret, at
/// an offset that holds it); a secret-name rule's `NAME=value` example must yield a
/// finding as an ENV entry. Negative examples must yield none. Returns one error per
/// failing example, none when all pass.
///
/// # Example
///
/// ```
/// assert_eq!(layerleak_scan::check_builtin_examples(), []);
/// ```
pub fn check_builtin_examples() -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for rule in builtin_rules() {
        for (i, example) in rule.examples.iter().enumerate() {
            if let Err(problem) = found(rule, example) {
                let message = format!("example {i} yields no finding: {problem}");
                diags.push(Diagnostic::error(BUILTIN_RULES_FILE, Some(&rule.id), message));
            }
        }
        for (i, example) in rule.negative_examples.iter().enumerate() {
            if let Some(secret) = secrets(rule, example).into_iter().next() {
                let message = format!(
                    "negative example {i} yields a finding ({} bytes at offset {})",
                    secret.0.len(),
                    secret.1
                );
                diags.push(Diagnostic::error(BUILTIN_RULES_FILE, Some(&rule.id), message));
            }
        }
    }
    diags
}

/// Whether `example` yields a finding of `rule` (with its secret, when it names one).
fn found(rule: &'static BuiltinRule, example: &BuiltinExample) -> Result<(), String> {
    if let Some(path) = &example.path {
        match classify(path.as_bytes()) {
            Some(r) if r.id == rule.id => {}
            Some(other) => return Err(format!("its path is checked by {}", other.id)),
            None => return Err("its path is checked by no rule".to_owned()),
        }
    }
    let secrets = secrets(rule, example);
    for (secret, offset) in &secrets {
        let at = usize::try_from(*offset).ok().and_then(|o| example.text.as_bytes().get(o..));
        if !at.is_some_and(|rest| rest.starts_with(secret)) {
            return Err(format!("a secret's offset {offset} does not hold it"));
        }
    }
    match &example.secret {
        _ if secrets.is_empty() => Err("nothing found".to_owned()),
        Some(expected) if !secrets.iter().any(|(s, _)| s == expected.as_bytes()) => {
            Err(format!("{} secrets found, none is the example's", secrets.len()))
        }
        _ => Ok(()),
    }
}

/// The secrets (with their offsets in the text) `rule` finds in `example`. A path rule's
/// matcher runs only when the path is one the rule checks, as in a scan.
fn secrets(rule: &'static BuiltinRule, example: &BuiltinExample) -> Vec<(Vec<u8>, u64)> {
    match rule.kind {
        BuiltinKind::Path => {
            let path = example.path.as_deref().unwrap_or_default();
            if classify(path.as_bytes()).is_none_or(|r| r.id != rule.id) {
                return Vec::new();
            }
            extract(rule, example.text.as_bytes())
                .into_iter()
                .map(|h| (h.secret, h.offset))
                .collect()
        }
        BuiltinKind::SecretName => {
            let mut hits: Vec<Hit<ConfigSite>> = Vec::new();
            named_values(&example.text, true, &mut hits, |offset, key, _| ConfigSite {
                field: ConfigField::Env,
                key: Some(key.to_owned()),
                history_index: None,
                offset,
                context: example.text.clone(),
            });
            hits.into_iter()
                .filter(|h| matches!(h.rule, RuleRef::Builtin(r) if r.id == rule.id))
                .map(|h| (h.secret, h.site.offset))
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every example of the catalogue passes, and each example does fail when its rule
    /// looks for something else: the check is not vacuous.
    #[test]
    fn the_catalogue_examples_pass_and_the_check_can_fail() {
        assert_eq!(check_builtin_examples(), []);
        let npmrc = builtin_rules().iter().find(|r| r.id == "layerleak.path.2").unwrap();
        let example = &npmrc.examples[0];
        assert_eq!(found(npmrc, example), Ok(()));
        let mut wrong_secret = example.clone();
        wrong_secret.secret = Some("9f8e7d".to_owned());
        assert_eq!(
            found(npmrc, &wrong_secret),
            Err("1 secrets found, none is the example's".into())
        );
        let mut wrong_path = example.clone();
        wrong_path.path = Some("app/.pypirc".to_owned());
        assert_eq!(
            found(npmrc, &wrong_path),
            Err("its path is checked by layerleak.path.3".into())
        );
        let env = builtin_rules().iter().find(|r| r.kind == BuiltinKind::SecretName).unwrap();
        assert_eq!(found(env, &env.examples[0]), Ok(()));
        assert!(secrets(env, &env.negative_examples[0]).is_empty());
        let renamed = BuiltinExample {
            text: "NPM_TOKENS=9f8e7d6c5b4a3f2e".into(),
            ..env.examples[0].clone()
        };
        assert_eq!(found(env, &renamed), Err("nothing found".into()));
    }
}
