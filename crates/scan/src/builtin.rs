//! The built-in rules as the scan uses them: secret-bearing file paths and secret-named
//! variables, defined in the catalogue ([`layerleak_rules::builtin_rules`]) and reported
//! under their own rule ids.

use layerleak_rules::{BuiltinKind, BuiltinRule, builtin_rules};

/// The rule of secret-named variables, labels and build arguments (the catalogue checks
/// there is exactly one).
pub(crate) fn secret_name_rule() -> &'static BuiltinRule {
    builtin_rules()
        .iter()
        .find(|r| r.kind == BuiltinKind::SecretName)
        .expect("the catalogue's lint requires one secret_name rule")
}

/// The path rules, in catalogue order (the first that matches a file checks it).
pub(crate) fn path_rules() -> impl Iterator<Item = &'static BuiltinRule> {
    builtin_rules().iter().filter(|r| r.kind == BuiltinKind::Path)
}
