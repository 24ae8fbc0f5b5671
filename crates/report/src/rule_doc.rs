//! [`RuleDoc`]: what a report says about a rule beyond its id.

use layerleak_rules::{Confidence, Rule};

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
}
