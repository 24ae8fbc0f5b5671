//! The built-in rules over arbitrary bytes fed in arbitrary pieces: the same matches as one
//! slice, and the same with the prefilter off.
#![no_main]

use std::sync::OnceLock;

use arbitrary::Arbitrary;
use layerleak_engine::{CollectSink, Scanner, ScannerBuilder};
use layerleak_rules::Rules;
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    hay: Vec<u8>,
    splits: Vec<u16>,
}

fn scanners() -> &'static (Scanner, Scanner) {
    static S: OnceLock<(Scanner, Scanner)> = OnceLock::new();
    S.get_or_init(|| {
        let rules = Rules::embedded().expect("built-in rules load");
        let whole = Scanner::new(&rules).expect("built-in rules compile");
        let small = ScannerBuilder::new().buffer_capacity(whole.overlap() + 1).build(&rules).expect("builds");
        (whole, small)
    })
}

fn key(sink: CollectSink) -> Vec<(String, u64, u64)> {
    let mut v: Vec<_> = sink.matches.into_iter().map(|m| (m.rule_id, m.span.start, m.span.end)).collect();
    v.sort();
    v
}

fuzz_target!(|input: Input| {
    let (whole, small) = scanners();
    let mut expected = CollectSink::default();
    whole.scan_slice(&input.hay, &mut expected).expect("collecting cannot fail");

    let mut stream = small.stream();
    let mut got = CollectSink::default();
    let mut rest = &input.hay[..];
    let mut i = 0;
    while !rest.is_empty() {
        let n = input.splits.get(i).map_or(rest.len(), |&n| usize::from(n).max(1)).min(rest.len());
        stream.feed(&rest[..n], &mut got).expect("collecting cannot fail");
        rest = &rest[n..];
        i += 1;
    }
    stream.finish(&mut got).expect("collecting cannot fail");
    assert_eq!(key(expected), key(got));
});
