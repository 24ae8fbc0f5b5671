//! [`RuleDoc`]: what a report says about a rule beyond its id.

use layerleak_rules::{BuiltinRule, Confidence, Rule};

/// A rule's documentation, for reports that describe their rules (SARIF).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleDoc {
    /// The rule id, e.g. `layerleak.npm.1`.
    pub id: String,
    /// The human-readable name.
    pub name: String,
    /// What the rule finds and why it matters, if the rule says.
    pub description: Option<String>,
    /// Links to the provider's documentation of the secret.
    pub references: Vec<String>,
    /// The confidence of the rule's findings.
    pub confidence: Confidence,
}

impl RuleDoc {
    /// The documentation of a loaded rule.
    pub fn of(rule: &Rule) -> RuleDoc {
        let syntax = rule.syntax();
        RuleDoc {
            id: rule.id().to_owned(),
            name: rule.name().to_owned(),
            description: syntax.description.clone(),
            references: syntax.references.clone(),
            confidence: rule.confidence(),
        }
    }

    /// The documentation of a built-in rule of the catalogue (a path or secret-name rule).
    pub fn of_builtin(rule: &BuiltinRule) -> RuleDoc {
        RuleDoc {
            id: rule.id.clone(),
            name: rule.name.clone(),
            description: Some(rule.description.clone()),
            references: Vec::new(),
            confidence: rule.confidence,
        }
    }

    /// The documentation of every rule a scan with `rules` reports under: those rules, then
    /// the catalogue's built-in rules (which `--rules-dir` does not replace).
    pub fn all<'a>(rules: impl IntoIterator<Item = &'a Rule>) -> Vec<RuleDoc> {
        rules
            .into_iter()
            .map(RuleDoc::of)
            .chain(layerleak_rules::builtin_rules().iter().map(RuleDoc::of_builtin))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The built-in rules follow the provider rules, documented from the catalogue.
    #[test]
    fn every_builtin_rule_is_documented_after_the_rules() {
        let rules = layerleak_rules::Rules::embedded().unwrap();
        let docs = RuleDoc::all(&rules);
        let builtins = layerleak_rules::builtin_rules();
        assert_eq!(docs.len(), rules.len() + builtins.len());
        for (doc, b) in docs[rules.len()..].iter().zip(builtins) {
            assert_eq!((doc.id.as_str(), doc.name.as_str()), (b.id.as_str(), b.name.as_str()));
            assert!(doc.description.as_ref().is_some_and(|d| d.len() > 40), "{doc:?}");
        }
        assert!(docs.iter().any(|d| d.id == "layerleak.path.1"));
    }
}
