//! Recall and false-positive rate of the default rules on the conformance vectors in
//! `../shared/conformance/` (see its README). Prints both figures and every miss.

use std::path::PathBuf;

use layerleak_engine::{Scanner, conformance};
use layerleak_rules::Rules;

/// Where the vectors are: `LAYERLEAK_CONFORMANCE`, or `shared/` beside the repository.
fn vectors_path() -> PathBuf {
    std::env::var_os("LAYERLEAK_CONFORMANCE").map_or_else(
        || {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../../shared/conformance/noseyparker.jsonl")
        },
        PathBuf::from,
    )
}

#[test]
fn conformance_recall_and_false_positive_rate() {
    let path = vectors_path();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read the conformance vectors at {} ({e}); set LAYERLEAK_CONFORMANCE",
            path.display()
        )
    });
    let vectors = conformance::parse(&text).unwrap_or_else(|(line, e)| panic!("line {line}: {e}"));
    let scanner = Scanner::new(&Rules::embedded().expect("built-in rules load"))
        .expect("built-in rules compile");
    let report = conformance::run(&scanner, &vectors);
    println!(
        "conformance: recall {:.1}% ({}/{}), false-positive rate {:.1}% ({}/{})",
        report.recall(),
        report.found,
        report.positives,
        report.false_positive_rate(),
        report.false_positives.len(),
        report.negatives
    );
    for (id, text) in &report.misses {
        println!("MISS {id}: {}", text.escape_debug());
    }
    for (id, by, text) in &report.false_positives {
        println!("FP {id} (matched by {}): {}", by.join(","), text.escape_debug());
    }
    assert!(report.recall() >= 90.0, "recall {:.1}% is below 90%", report.recall());
    assert!(
        report.false_positive_rate() <= 5.0,
        "false-positive rate {:.1}% is above 5%",
        report.false_positive_rate()
    );
}
