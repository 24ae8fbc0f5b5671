//! The streaming contract, tested through every code path: one slice, a reader with random
//! partial reads, and `feed` with chunk sizes around the overlap, each with the prefilter on
//! and off, with the default buffer and the smallest workable one. All must agree.

use std::io::{self, Read};

use layerleak_engine::{CollectSink, FnSink, OwnedMatch, Scanner, ScannerBuilder};
use layerleak_rules::Rules;
use layerleak_testutil::RandomReader;
use proptest::prelude::*;

/// Rules of varied shapes: prefix keyword, keyword in the middle of the match, context
/// before the secret, word boundaries, alternation, a long bounded match, and a keyword at
/// either of two offsets from the match's start (anchored attempts at each).
const RULES: &str = r#"
[[rules]]
id = "layerleak.t.1"
name = "prefixed token"
pattern = '\b(?P<secret>tok_[A-Za-z0-9]{16})\b'
keywords = ["tok_"]
examples = ["tok_Qm7xW2pLk9Rt4Vz8"]

[[rules]]
id = "layerleak.t.2"
name = "keyword in the middle"
pattern = '(?P<secret>[a-z0-9]{6}-mid-[a-z0-9]{6})'
keywords = ["-mid-"]
examples = ["abc123-mid-def456"]

[[rules]]
id = "layerleak.t.3"
name = "context assignment"
pattern = '(?i)(?:secret|passwd)\s{0,3}[:=]\s{0,3}"?(?P<secret>[A-Za-z0-9/+]{12,40})'
keywords = ["secret", "passwd"]
examples = ["secret = Zm9vYmFyYmF6cXV4"]

[[rules]]
id = "layerleak.t.4"
name = "leftmost-first repetition"
pattern = 'qq[ab]{1,5}'
keywords = ["qq"]
examples = ["qqab"]

[[rules]]
id = "layerleak.t.5"
name = "long block"
pattern = '-----BEGIN T-----[A-Za-z0-9+/=\n]{16,400}-----END T-----'
keywords = ["BEGIN T"]
examples = ["-----BEGIN T-----\nQUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=\n-----END T-----"]

[[rules]]
id = "layerleak.t.6"
name = "keyword at two offsets"
pattern = '(?:git\+)?https://[a-z]{1,8}:(?P<secret>[A-Za-z0-9]{8,20})@'
keywords = ["https://"]
examples = ["git+https://ci:Rk4vT9qLw2Xp@"]

[[rules]]
id = "layerleak.t.7"
name = "paired: an id and the nearest 12-character key within 40 bytes"
pattern = '\bpid[0-9]{6}\b'
keywords = ["pid"]
companion = { pattern = '(?:^|[^A-Za-z0-9])(?P<secret>[A-Za-z0-9]{12})(?:[^A-Za-z0-9]|$)', within = 40 }
secret_must_contain = "upper_lower_digit"
examples = ["pid123456 Kq7mW2xR9vL4"]
"#;

fn rules() -> Rules {
    Rules::from_sources([("t.toml", RULES)]).expect("test rules are valid")
}

/// Matches of one rule come in stream order; across rules the order is unspecified, so
/// comparisons sort.
fn sorted(ms: &[OwnedMatch]) -> Vec<(String, u64, u64, u64, u64)> {
    let mut v: Vec<_> = ms.iter().map(key).collect();
    v.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
    v
}

fn key(m: &OwnedMatch) -> (String, u64, u64, u64, u64) {
    (m.rule_id.clone(), m.span.start, m.span.end, m.secret_span.start, m.secret_span.end)
}

/// Runs `hay` through every configuration and asserts they agree; returns the matches.
fn every_path(rules: &Rules, hay: &[u8]) -> Vec<(String, u64, u64, u64, u64)> {
    let reference = Scanner::new(rules).expect("builds");
    let mut sink = CollectSink::default();
    reference.scan_slice(hay, &mut sink).expect("infallible");
    let expected = sorted(&sink.matches);

    let overlap = reference.overlap();
    for prefilter in [true, false] {
        for capacity in [None, Some(overlap + 1), Some(overlap + 7)] {
            let mut b = ScannerBuilder::new();
            b.prefilter(prefilter);
            if let Some(c) = capacity {
                b.buffer_capacity(c);
            }
            let scanner = b.build(rules).expect("builds");
            let label = format!("prefilter={prefilter} capacity={capacity:?}");

            let mut sink = CollectSink::default();
            scanner.scan_slice(hay, &mut sink).expect("infallible");
            assert_eq!(sorted(&sink.matches), expected, "scan_slice {label}");

            let mut sink = CollectSink::default();
            scanner
                .scan_reader(RandomReader::new(hay, 0x9E37_79B9_7F4A_7C15, 97), &mut sink)
                .expect("reads");
            assert_eq!(sorted(&sink.matches), expected, "scan_reader {label}");

            for chunk in [1, 2, 7, overlap - 1, overlap, overlap + 1, 64 * 1024] {
                let mut stream = scanner.stream();
                let mut sink = CollectSink::default();
                for piece in hay.chunks(chunk) {
                    stream.feed(piece, &mut sink).expect("infallible");
                }
                stream.finish(&mut sink).expect("infallible");
                assert_eq!(sorted(&sink.matches), expected, "feed chunk={chunk} {label}");
            }
        }
    }
    expected
}

fn m(rule: &str, span: (u64, u64), secret: (u64, u64)) -> (String, u64, u64, u64, u64) {
    (format!("layerleak.t.{rule}"), span.0, span.1, secret.0, secret.1)
}

#[test]
fn single_token_has_absolute_offsets() {
    let hay = b"xx tok_Qm7xW2pLk9Rt4Vz8 yy";
    assert_eq!(every_path(&rules(), hay), vec![m("1", (3, 23), (3, 23))]);
}

#[test]
fn keyword_in_the_middle_and_context_rules() {
    let hay = b"id: abc123-mid-def456\nPASSWD: \"Zm9vYmFyYmF6cXV4\"\n";
    assert_eq!(
        every_path(&rules(), hay),
        vec![m("2", (4, 21), (4, 21)), m("3", (22, 47), (31, 47))]
    );
}

#[test]
fn keyword_at_either_offset_is_anchored_at_the_leftmost_start() {
    let rules = rules();
    let t6 = rules.iter().find(|r| r.id() == "layerleak.t.6").expect("t.6 exists");
    assert_eq!(t6.keyword_offsets(), Some(&[0, 4][..]));
    // With and without `git+`, and `git+` whose URL does not match (no password), so only
    // the later start can match there: none does.
    let hay = b"git+https://ci:Rk4vT9qLw2Xp@ https://cd:Wq8Lm3Np6Ks2@ git+https://ef@";
    assert_eq!(
        every_path(&rules, hay),
        vec![m("6", (0, 28), (15, 27)), m("6", (29, 53), (40, 52))]
    );
}

#[test]
fn leftmost_first_non_overlapping() {
    // `qq[ab]{1,5}` over "qqabqqqabbbbbb": after (0,4) no match starts at 4 ("qqq"), the
    // next is at 5 and takes five [ab] greedily; "qqab" inside it is not reported again.
    let hay = b"qqabqqqabbbbbb";
    assert_eq!(every_path(&rules(), hay), vec![m("4", (0, 4), (0, 4)), m("4", (5, 12), (5, 12))]);
}

#[test]
fn word_boundary_is_respected_across_chunks() {
    // The token is glued to a word character on the left: no match.
    let mut hay = vec![b'z'; 300];
    hay.extend_from_slice(b"tok_Qm7xW2pLk9Rt4Vz8 ");
    assert!(every_path(&rules(), &hay).is_empty());
}

#[test]
fn secrets_in_binary_input_are_found() {
    let mut hay: Vec<u8> =
        (0..5000u32).map(|i| i.wrapping_mul(2_654_435_761).to_be_bytes()[0]).collect();
    hay.extend_from_slice(b"\0\0tok_QWERTYuiop123456\0\x7fELF");
    hay.extend((0..3000u32).map(|i| (i * 7).to_le_bytes()[0]));
    assert_eq!(every_path(&rules(), &hay), vec![m("1", (5002, 5022), (5002, 5022))]);
}

#[test]
fn long_match_straddles_every_boundary() {
    let block = b"-----BEGIN T-----\nQUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5eg==\n-----END T-----";
    for pad in [0usize, 1, 100, 399, 400, 401, 811, 812, 813, 1500] {
        let mut hay = vec![b' '; pad];
        hay.extend_from_slice(block);
        hay.extend_from_slice(b"\n");
        let end = (pad + block.len()) as u64;
        assert_eq!(
            every_path(&rules(), &hay),
            vec![m("5", (pad as u64, end), (pad as u64, end))],
            "pad {pad}"
        );
    }
}

/// A paired rule reports the second half nearest its first half, in either order, once,
/// and only within its distance; chunking and the prefilter change nothing (`every_path`).
#[test]
fn paired_rules_report_the_nearest_second_half() {
    let rules = rules();
    let pair = |hay: &[u8]| -> Vec<_> {
        every_path(&rules, hay).into_iter().filter(|k| k.0 == "layerleak.t.7").collect()
    };
    // After, before, and with a NUL-separated string table between.
    assert_eq!(pair(b"pid123456 Kq7mW2xR9vL4\n"), vec![m("7", (0, 22), (10, 22))]);
    assert_eq!(pair(b"key=Kq7mW2xR9vL4; id=pid123456"), vec![m("7", (4, 30), (4, 16))]);
    assert_eq!(pair(b"\0pid123456\0eu-west\0Kq7mW2xR9vL4\0"), vec![m("7", (1, 31), (19, 31))]);
    // The nearer one wins; on a tie, the one after.
    assert_eq!(
        pair(b"Aa1Aa1Aa1Aa1 ....... pid123456 Kq7mW2xR9vL4"),
        vec![m("7", (21, 43), (31, 43))]
    );
    assert_eq!(pair(b"Aa1Aa1Aa1Aa1 pid123456 Kq7mW2xR9vL4"), vec![m("7", (13, 35), (23, 35))]);
    // Filtered candidates are skipped for the next (no capital, no lower case), and a
    // longer run is no candidate.
    assert_eq!(
        pair(b"pid123456 abcdefghijkl ABCDEFGH1234 Kq7mW2xR9vL4"),
        vec![m("7", (0, 48), (36, 48))]
    );
    assert_eq!(pair(b"pid123456 Kq7mW2xR9vL4zz"), vec![]);
    // Two first halves around one second half: reported once.
    assert_eq!(pair(b"pid123456 Kq7mW2xR9vL4 pid654321"), vec![m("7", (0, 22), (10, 22))]);
    // Too far (41 bytes between), or no first half: nothing.
    let far = [&b"pid123456"[..], &[b' '; 41], b"Kq7mW2xR9vL4"].concat();
    assert_eq!(pair(&far), vec![]);
    assert_eq!(pair(b"Kq7mW2xR9vL4 pid12345 Kq7mW2xR9vL4"), vec![]);
}

/// The pair is found at every position across a buffer boundary: the first half at the end
/// of one fill and the second at the start of the next, in both orders, with the smallest
/// buffer and one-byte chunks.
#[test]
fn pairs_straddling_a_buffer_boundary_are_found() {
    let rules = rules();
    let overlap = Scanner::new(&rules).expect("builds").overlap();
    for text in [&b"pid123456, \"Kq7mW2xR9vL4\""[..], b"Kq7mW2xR9vL4\n\n\npid123456"] {
        for at in (overlap - 40)..(overlap + 40) {
            let mut hay = vec![b'.'; at];
            hay.extend_from_slice(text);
            hay.extend_from_slice(b"\n");
            let found: Vec<_> =
                every_path(&rules, &hay).into_iter().filter(|k| k.0 == "layerleak.t.7").collect();
            assert_eq!(found.len(), 1, "at {at}");
            let secret = at as u64 + if text.starts_with(b"pid") { 12 } else { 0 };
            assert_eq!((found[0].3, found[0].4), (secret, secret + 12), "at {at}");
        }
    }
}

#[test]
fn placeholder_and_low_entropy_values_are_filtered_everywhere() {
    let hay = b"tok_xxxxxxxxxxxxxxxx tok_EXAMPLEEXAMPLE12 secret=${SECRET_VALUE_HERE}";
    assert!(every_path(&rules(), hay).is_empty());
}

#[test]
fn sink_can_stop_the_scan() {
    let scanner = Scanner::new(&rules()).expect("builds");
    let mut n = 0;
    scanner
        .scan_slice(
            b"tok_Qm7xW2pLk9Rt4Vz8 tok_Qm7xW2pLk9Rt4Vz9",
            FnSink(|_: &layerleak_engine::Match<'_>| {
                n += 1;
                false
            }),
        )
        .expect("infallible");
    assert_eq!(n, 1);
}

#[test]
fn stream_is_reusable_after_finish() {
    let scanner = Scanner::new(&rules()).expect("builds");
    let mut stream = scanner.stream();
    for _ in 0..3 {
        let mut sink = CollectSink::default();
        stream.feed(b"a tok_Qm7xW2pLk9Rt4Vz8", &mut sink).expect("infallible");
        stream.finish(&mut sink).expect("infallible");
        assert_eq!(sink.matches.len(), 1);
        assert_eq!(sink.matches[0].span.start, 2);
    }
}

#[test]
fn read_errors_are_reported_after_earlier_matches() {
    struct Failing(bool);
    impl Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.0 {
                return Err(io::Error::other("disk on fire"));
            }
            self.0 = true;
            let data = b"tok_Qm7xW2pLk9Rt4Vz8 ";
            buf[..data.len()].copy_from_slice(data);
            Ok(data.len())
        }
    }
    let scanner = Scanner::new(&rules()).expect("builds");
    let mut sink = CollectSink::default();
    let err = scanner.scan_reader(Failing(false), &mut sink).expect_err("read fails");
    assert!(matches!(err, layerleak_engine::ScanError::Io(_)));
}

/// Bytes biased towards keyword fragments so that candidates, near-misses and real matches
/// are frequent.
fn haystack() -> impl Strategy<Value = Vec<u8>> {
    let atoms = prop_oneof![
        Just(b"tok_".to_vec()),
        Just(b"-mid-".to_vec()),
        Just(b"qq".to_vec()),
        Just(b"secret=".to_vec()),
        Just(b"Passwd: ".to_vec()),
        Just(b"-----BEGIN T-----".to_vec()),
        Just(b"-----END T-----".to_vec()),
        Just(b"git+".to_vec()),
        Just(b"https://".to_vec()),
        Just(b":".to_vec()),
        Just(b"@".to_vec()),
        Just(b"pid123456".to_vec()),
        Just(b"Kq7mW2xR9vL4".to_vec()),
        Just(b"\n".to_vec()),
        Just(b" ".to_vec()),
        "[a-f0-9]{1,20}".prop_map(String::into_bytes),
        "[A-Za-z0-9/+]{1,30}".prop_map(String::into_bytes),
        "[ab]{1,6}".prop_map(String::into_bytes),
        proptest::collection::vec(any::<u8>(), 1..8),
    ];
    proptest::collection::vec(atoms, 0..120).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Any split points, any capacity: the same matches as one slice; prefilter on ≡ off.
    #[test]
    fn chunking_and_prefilter_never_change_matches(
        hay in haystack(),
        splits in proptest::collection::vec(1usize..64, 1..40),
        extra in 0usize..50,
        prefilter in any::<bool>(),
    ) {
        let rules = rules();
        let reference = Scanner::new(&rules).expect("builds");
        let mut sink = CollectSink::default();
        reference.scan_slice(&hay, &mut sink).expect("infallible");
        let expected = sorted(&sink.matches);

        let scanner = ScannerBuilder::new()
            .prefilter(prefilter)
            .buffer_capacity(reference.overlap() + 1 + extra)
            .build(&rules)
            .expect("builds");
        let mut stream = scanner.stream();
        let mut sink = CollectSink::default();
        let mut rest = &hay[..];
        let mut i = 0;
        while !rest.is_empty() {
            let n = splits[i % splits.len()].min(rest.len());
            stream.feed(&rest[..n], &mut sink).expect("infallible");
            rest = &rest[n..];
            i += 1;
        }
        stream.finish(&mut sink).expect("infallible");
        prop_assert_eq!(sorted(&sink.matches), expected);
    }
}
