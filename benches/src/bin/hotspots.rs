//! Where scan time goes, through the engine's public API only.
//!
//! ```text
//! cargo run --release -p layerleak-benches --bin hotspots -- [tree|random|dense] [--top N]
//! ```
//!
//! Prints, for one input: the full scan, the scan with never-matching patterns (prefilter
//! and dispatch only), and the `aho-corasick` crate's DFA over the same keywords; then per keyword its hits, and per
//! rule its keyword candidates, matches (and filter rejections), and the time of a scanner
//! holding that rule alone, with its regex (`full`) and with a never-matching one (`pre`).
//! `full - pre` is what confirming that rule's candidates costs.

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use layerleak_benches::{
    KeywordCounter, TREE_ROOTS, dense_text, prefilter_only_rules, random_bytes, scan_chunked,
    tree_tar,
};
use layerleak_engine::{FnSink, Match, Scanner, ScannerBuilder};
use layerleak_rules::Rules;

/// Best of `runs` timings of `f`.
fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut out = None;
    for _ in 0..runs {
        let t = Instant::now();
        let r = f();
        best = best.min(t.elapsed());
        out = Some(r);
    }
    (best, out.expect("runs > 0"))
}

fn mbps(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / d.as_secs_f64() / 1e6
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut input = "tree".to_owned();
    let mut top = 25usize;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--top" => top = args.next().and_then(|n| n.parse().ok()).expect("--top N"),
            other => other.clone_into(&mut input),
        }
    }
    let hay = match input.as_str() {
        "tree" => {
            let (tar, stats) = tree_tar(TREE_ROOTS, 320 * 1024 * 1024).expect("tar into memory");
            eprintln!("tree: {} bytes; {stats}", tar.len());
            tar
        }
        "random" => random_bytes(64 * 1024 * 1024, 0x5EED_0001),
        "dense" => dense_text(16 * 1024 * 1024, 0x5EED_0002),
        other => panic!("unknown input {other:?}: tree, random or dense"),
    };
    let len = hay.len();
    let rules = Rules::embedded().expect("embedded rules load");
    let dummy = prefilter_only_rules(&rules).expect("prefilter-only rules load");
    let (compile, scanner) = best(3, || Scanner::new(&rules).expect("rules compile"));
    let prefilter_only = Scanner::new(&dummy).expect("dummy rules compile");
    let keywords = KeywordCounter::new(&scanner);
    println!(
        "input {input}: {len} bytes; {} rules, {} keywords; compile {:.1} ms",
        rules.len(),
        keywords.keywords().len(),
        compile.as_secs_f64() * 1e3
    );

    let mut stream = scanner.stream();
    let (t_full, n_full) = best(3, || scan_chunked(&mut stream, &hay));
    let mut stream = prefilter_only.stream();
    let (t_pre, _) = best(3, || scan_chunked(&mut stream, &hay));
    let (t_ac, n_ac) = best(3, || keywords.count(&hay));
    println!(
        "full scan        {:8.1} MB/s  {:7.0} ms  {n_full} matches",
        mbps(len, t_full),
        t_full.as_secs_f64() * 1e3
    );
    println!(
        "prefilter only   {:8.1} MB/s  {:7.0} ms",
        mbps(len, t_pre),
        t_pre.as_secs_f64() * 1e3
    );
    println!(
        "aho-corasick DFA {:8.1} MB/s  {:7.0} ms  {n_ac} hits",
        mbps(len, t_ac),
        t_ac.as_secs_f64() * 1e3
    );

    // Hits per keyword and candidates per rule, as the engine's prefilter sees them.
    let mut per_kw = vec![0u64; keywords.keywords().len()];
    let mut per_rule = vec![0u64; rules.len()];
    keywords.for_each(&hay, |k| {
        per_kw[k] += 1;
        for &r in keywords.rules_for(k) {
            per_rule[r] += 1;
        }
    });
    let mut kws: Vec<(usize, u64)> = per_kw.iter().copied().enumerate().collect();
    kws.sort_by_key(|k| std::cmp::Reverse(k.1));
    println!("\ntop keywords by hits (per MB of input):");
    for &(k, n) in kws.iter().take(top).filter(|(_, n)| *n > 0) {
        let rs: Vec<&str> =
            keywords.rules_for(k).iter().map(|&r| scanner.rules()[r].id()).collect();
        println!(
            "  {:>24} {n:>10} {:>9.1}  {}",
            format!("{:?}", keywords.keywords()[k]),
            n as f64 * 1e6 / len as f64,
            rs.join(" ")
        );
    }

    // Matches and rejections per rule.
    let rejecting = ScannerBuilder::new().report_rejected(true).build(&rules).expect("compiles");
    let mut matched: HashMap<usize, (u64, u64)> = HashMap::new();
    let mut sink = FnSink(|m: &Match<'_>| {
        let e = matched.entry(m.rule_index).or_default();
        if m.rejected.is_some() {
            e.1 += 1;
        } else {
            e.0 += 1;
        }
        true
    });
    let mut stream = rejecting.stream();
    for chunk in hay.chunks(layerleak_benches::FEED_CHUNK) {
        let Ok(_) = stream.feed(chunk, &mut sink);
    }
    let Ok(()) = stream.finish(&mut sink);

    // Per-rule cost: a scanner holding that rule alone, real and never-matching.
    let mut rows = Vec::new();
    for (r, rule) in rules.iter().enumerate() {
        let (m, rej) = matched.get(&r).copied().unwrap_or_default();
        let (full, pre) = if per_rule[r] == 0 {
            (Duration::ZERO, Duration::ZERO)
        } else {
            let one = Scanner::new(&Rules::from_rules(vec![rule.clone()])).expect("compiles");
            let one_pre = Scanner::new(&Rules::from_rules(vec![
                dummy.iter().nth(r).expect("same length").clone(),
            ]))
            .expect("compiles");
            let mut s = one.stream();
            let (full, _) = best(2, || scan_chunked(&mut s, &hay));
            let mut s = one_pre.stream();
            let (pre, _) = best(2, || scan_chunked(&mut s, &hay));
            (full, pre)
        };
        rows.push((r, per_rule[r], m, rej, full, pre));
    }
    rows.sort_by(|a, b| {
        (b.4.saturating_sub(b.5)).cmp(&a.4.saturating_sub(a.5)).then(b.1.cmp(&a.1))
    });
    println!("\nrules by confirmation cost (rule alone: full - pre), ms:");
    println!(
        "  {:<28} {:>10} {:>8} {:>8} {:>8} {:>8} {:>8}",
        "rule", "cands", "matches", "rejected", "full", "pre", "confirm"
    );
    for &(r, c, m, rej, full, pre) in rows.iter().take(top) {
        println!(
            "  {:<28} {c:>10} {m:>8} {rej:>8} {:>8.0} {:>8.0} {:>8.0}",
            scanner.rules()[r].id(),
            full.as_secs_f64() * 1e3,
            pre.as_secs_f64() * 1e3,
            full.saturating_sub(pre).as_secs_f64() * 1e3
        );
    }
    let silent = rows.iter().filter(|row| row.1 == 0).count();
    println!("  ({silent} rules had no candidate)");
}
