//! The built-in rules under the same checks as `layerleak rules check`: lints, every example
//! through the real engine alone and with the full set, negatives, straddled streaming.
//! All failures are printed together.

use layerleak_engine::check;
use layerleak_rules::Severity;

#[test]
fn builtin_rules_pass_every_check() {
    let outcome = check::check_sources(layerleak_rules::embedded_sources());
    let mut report = String::new();
    for d in &outcome.diagnostics {
        report.push_str(&format!("{d}\n"));
    }
    println!("{report}");
    let errors = outcome.count(Severity::Error);
    assert_eq!(errors, 0, "{errors} rule errors:\n{report}");
    let rules = outcome.rules.expect("no errors means the rules are usable");
    assert!(rules.len() >= 120, "only {} rules; the issue asks for at least 120", rules.len());
}
