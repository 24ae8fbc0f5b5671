//! Coverage by category: how many rules and providers the catalogue has for each tag.

use std::collections::{BTreeMap, BTreeSet};

use crate::{BuiltinRule, Rules};

/// The rules and providers of one category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryCoverage {
    /// The category, e.g. `cloud`.
    pub category: String,
    /// How many rules (provider and built-in) carry it.
    pub rules: usize,
    /// How many providers (the `<provider>` of `layerleak.<provider>.<n>`) have a rule with it.
    pub providers: usize,
}

/// The totals of a catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    /// Rules in all, provider and built-in.
    pub rules: usize,
    /// Built-in rules among them.
    pub builtin_rules: usize,
    /// Distinct providers of the provider rules (`generic` counts as one).
    pub providers: usize,
    /// Per category, sorted by name. A rule without categories counts under `uncategorized`.
    pub categories: Vec<CategoryCoverage>,
}

/// The provider segment of a rule id (`github` of `layerleak.github.1`).
fn provider(id: &str) -> &str {
    id.split('.').nth(1).unwrap_or(id)
}

/// Counts `rules` and `builtins` by category.
///
/// # Example
///
/// ```
/// use layerleak_rules::{Rules, builtin_rules, coverage};
///
/// let rules = Rules::embedded()?;
/// let c = coverage(&rules, builtin_rules());
/// assert_eq!(c.rules, rules.len() + builtin_rules().len());
/// assert!(c.categories.iter().any(|k| k.category == "private-key"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn coverage(rules: &Rules, builtins: &[BuiltinRule]) -> Coverage {
    let mut by_category: BTreeMap<&str, (usize, BTreeSet<&str>)> = BTreeMap::new();
    let tagged = rules
        .iter()
        .map(|r| (r.id(), r.syntax().categories.as_slice()))
        .chain(builtins.iter().map(|b| (b.id.as_str(), b.categories.as_slice())));
    for (id, categories) in tagged {
        let mut names: BTreeSet<&str> = categories.iter().map(String::as_str).collect();
        if names.is_empty() {
            names.insert("uncategorized");
        }
        for c in names {
            let entry = by_category.entry(c).or_default();
            entry.0 += 1;
            entry.1.insert(provider(id));
        }
    }
    let categories = by_category
        .into_iter()
        .map(|(category, (rules, providers))| CategoryCoverage {
            category: category.to_owned(),
            rules,
            providers: providers.len(),
        })
        .collect();
    let providers: BTreeSet<&str> = rules.iter().map(|r| provider(r.id())).collect();
    Coverage {
        rules: rules.len() + builtins.len(),
        builtin_rules: builtins.len(),
        providers: providers.len(),
        categories,
    }
}
