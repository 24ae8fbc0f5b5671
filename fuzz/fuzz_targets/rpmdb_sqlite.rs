//! Arbitrary bytes as an `rpmdb.sqlite`: opening and parsing never panics. Seed the corpus
//! with `crates/scan/tests/fixtures/rpm/rpmdb.sqlite` so mutations reach the header blobs.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = layerleak_scan::fuzzing::parse_rpmdb_sqlite(bytes);
});
