//! Arbitrary bytes as an apk `installed` database: parsing never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = layerleak_scan::fuzzing::parse_apk_installed(bytes);
});
