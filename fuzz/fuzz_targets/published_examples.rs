//! Arbitrary text as the published-example catalogue: the lint never panics, and every
//! entry it returns is sorted by value.
#![no_main]

use layerleak_rules::check_published_examples;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let (examples, _) = check_published_examples(text);
    assert!(examples.windows(2).all(|w| w[0].value <= w[1].value));
});
