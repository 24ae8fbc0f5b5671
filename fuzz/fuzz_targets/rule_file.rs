//! Arbitrary rule files: loading and compiling never panics; invalid input is an error.
#![no_main]

use layerleak_engine::ScannerBuilder;
use layerleak_rules::Rules;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(rules) = Rules::from_sources([("fuzz.toml", text)]) {
        let _ = ScannerBuilder::new().compile_eagerly(true).build(&rules);
    }
});
