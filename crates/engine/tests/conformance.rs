//! Recall and false-positive rate of the default rules on the conformance vectors in
//! `../shared/conformance/` (see its README). Prints the raw figures over every vector,
//! the figures adjusted for the hand-reviewed labels in `conformance_review.toml`, and
//! every miss and false positive.

use std::path::PathBuf;

use layerleak_engine::{Scanner, conformance};
use layerleak_rules::Rules;
use serde::Deserialize;

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

#[derive(Deserialize)]
struct ReviewFile {
    review: Vec<Review>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Review {
    rule: String,
    contains: Option<String>,
    expect: String,
    verdict: String,
    reason: String,
}

impl Review {
    fn covers(&self, v: &conformance::Vector) -> bool {
        self.rule == v.rule_id
            && self.expect == v.expect
            && self.contains.as_ref().is_none_or(|c| v.text.contains(c))
    }
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
    let reviews: ReviewFile = toml::from_str(include_str!("conformance_review.toml"))
        .expect("conformance_review.toml parses");
    let scanner = Scanner::new(&Rules::embedded().expect("built-in rules load"))
        .expect("built-in rules compile");

    let raw = conformance::run(&scanner, &vectors);
    println!(
        "conformance (raw, {} vectors): recall {:.1}% ({}/{}), false-positive rate {:.1}% ({}/{})",
        vectors.len(),
        raw.recall(),
        raw.found,
        raw.positives,
        raw.false_positive_rate(),
        raw.false_positives.len(),
        raw.negatives
    );

    let mut used = vec![false; reviews.review.len()];
    let kept: Vec<conformance::Vector> = vectors
        .iter()
        .filter(|v| match reviews.review.iter().position(|r| r.covers(v)) {
            Some(i) => {
                used[i] = true;
                false
            }
            None => true,
        })
        .cloned()
        .collect();
    let adjusted = conformance::run(&scanner, &kept);
    println!(
        "conformance (adjusted, {} reviewed vectors left out): recall {:.1}% ({}/{}), false-positive rate {:.1}% ({}/{})",
        vectors.len() - kept.len(),
        adjusted.recall(),
        adjusted.found,
        adjusted.positives,
        adjusted.false_positive_rate(),
        adjusted.false_positives.len(),
        adjusted.negatives
    );
    for r in &reviews.review {
        println!("reviewed {} {} ({}): {}", r.rule, r.expect, r.verdict, r.reason);
    }
    for (id, text) in &adjusted.misses {
        println!("MISS {id}: {}", text.escape_debug());
    }
    for (id, by, text) in &adjusted.false_positives {
        println!("FP {id} (matched by {}): {}", by.join(","), text.escape_debug());
    }

    let stale: Vec<_> =
        reviews.review.iter().zip(&used).filter(|(_, u)| !**u).map(|(r, _)| &r.rule).collect();
    assert!(stale.is_empty(), "review entries that match no vector: {stale:?}");
    // A reviewed negative must really be reported, or the review is wrong.
    for r in reviews.review.iter().filter(|r| r.verdict == "real_secret") {
        assert!(
            raw.false_positives.iter().any(
                |(id, _, t)| *id == r.rule && r.contains.as_ref().is_none_or(|c| t.contains(c))
            ),
            "{} is reviewed as a real secret but no rule reports it",
            r.rule
        );
    }
    assert!(adjusted.recall() >= 90.0, "adjusted recall {:.1}% is below 90%", adjusted.recall());
    assert!(
        adjusted.false_positive_rate() <= 5.0,
        "adjusted false-positive rate {:.1}% is above 5%",
        adjusted.false_positive_rate()
    );
    assert!(raw.recall() >= 80.0, "raw recall {:.1}% fell below the 80% floor", raw.recall());
}
