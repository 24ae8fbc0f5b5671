//! Engine throughput against layer decompression. See `benches/README.md`.

use std::{hint::black_box, sync::OnceLock, time::Duration};

use criterion::{BenchmarkGroup, Criterion, SamplingMode, Throughput, measurement::WallTime};
use layerleak_benches::{
    FEED_CHUNK, KeywordCounter, TREE_ROOTS, dense_text, flate2_backend, gunzip_len, gzip,
    prefilter_only_rules, random_bytes, scan_chunked, tree_tar,
};
use layerleak_engine::{Scanner, ScannerBuilder};
use layerleak_rules::Rules;

/// Size the tree sample aims at; the result lands a little below.
const TREE_TARGET: usize = 320 * 1024 * 1024;
/// Below this the tree is too small to be representative; the bench says so.
const TREE_MIN: usize = 256 * 1024 * 1024;
const RANDOM_LEN: usize = 64 * 1024 * 1024;
const DENSE_LEN: usize = 16 * 1024 * 1024;
const GZIP_LEVEL: u32 = 6;

struct Inputs {
    tree: Vec<u8>,
    random: Vec<u8>,
    dense: Vec<u8>,
    tree_gz: OnceLock<Vec<u8>>,
}

impl Inputs {
    fn make() -> Inputs {
        let (tree, stats) = tree_tar(TREE_ROOTS, TREE_TARGET).expect("tar into memory");
        eprintln!("tree: {} bytes of tar; {stats}", tree.len());
        if tree.len() < TREE_MIN {
            eprintln!("warning: tree input is under {TREE_MIN} bytes; figures are not comparable");
        }
        Inputs {
            tree,
            random: random_bytes(RANDOM_LEN, 0x5EED_0001),
            dense: dense_text(DENSE_LEN, 0x5EED_0002),
            tree_gz: OnceLock::new(),
        }
    }

    /// Compressed on first use only, so runs filtered to the scan groups skip it.
    fn tree_gz(&self) -> &[u8] {
        self.tree_gz.get_or_init(|| {
            let gz = gzip(&self.tree, GZIP_LEVEL).expect("gzip into memory");
            eprintln!(
                "tree.gz: {} bytes (level {GZIP_LEVEL}, {}), ratio {:.2}",
                gz.len(),
                flate2_backend(),
                self.tree.len() as f64 / gz.len() as f64
            );
            gz
        })
    }

    fn all(&self) -> [(&'static str, &[u8]); 3] {
        [("tree", &self.tree), ("random", &self.random), ("dense", &self.dense)]
    }
}

fn slow_group<'c>(c: &'c mut Criterion, name: &str) -> BenchmarkGroup<'c, WallTime> {
    let mut g = c.benchmark_group(name);
    g.sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(12));
    g
}

fn scan_groups(c: &mut Criterion, inputs: &Inputs, rules: &Rules) {
    let scanner = Scanner::new(rules).expect("embedded rules compile");
    let dummy = prefilter_only_rules(rules).expect("prefilter-only rules load");
    let prefilter_only = Scanner::new(&dummy).expect("prefilter-only rules compile");
    let keywords = KeywordCounter::new(&scanner);
    eprintln!(
        "rules: {} ({} keywords), overlap {} bytes, buffer {} bytes, feed chunk {FEED_CHUNK}",
        scanner.rules().len(),
        keywords.keywords().len(),
        scanner.overlap(),
        scanner.buffer_capacity()
    );

    let mut g = slow_group(c, "scan");
    for (name, hay) in inputs.all() {
        let mut stream = scanner.stream();
        let mut reported = false;
        g.throughput(Throughput::Bytes(hay.len() as u64));
        g.bench_function(name, |b| {
            // Once, and only when the filter selects this bench.
            if !std::mem::replace(&mut reported, true) {
                let (matches, hits) = (scan_chunked(&mut stream, hay), keywords.count(hay));
                eprintln!("scan/{name}: {matches} matches, {hits} keyword hits");
            }
            b.iter(|| scan_chunked(&mut stream, black_box(hay)));
        });
    }
    g.finish();

    let mut g = slow_group(c, "prefilter-only");
    for (name, hay) in inputs.all() {
        let mut stream = prefilter_only.stream();
        g.throughput(Throughput::Bytes(hay.len() as u64));
        g.bench_function(name, |b| b.iter(|| scan_chunked(&mut stream, black_box(hay))));
    }
    g.finish();

    // The aho-corasick crate's DFA over the same keywords, outside the engine: the baseline
    // the engine's own keyword DFA is measured against. Tree only, to keep the run short.
    let mut g = slow_group(c, "aho-corasick");
    for (name, hay) in inputs.all().into_iter().take(1) {
        g.throughput(Throughput::Bytes(hay.len() as u64));
        g.bench_function(name, |b| b.iter(|| keywords.count(black_box(hay))));
    }
    g.finish();
}

fn gunzip_group(c: &mut Criterion, inputs: &Inputs) {
    let mut g = slow_group(c, "gunzip");
    g.throughput(Throughput::Bytes(inputs.tree.len() as u64));
    let mut buf = vec![0u8; FEED_CHUNK];
    g.bench_function("tree", |b| {
        let gz = inputs.tree_gz();
        b.iter(|| {
            let n = gunzip_len(black_box(gz), &mut buf).expect("valid gzip");
            assert_eq!(n, inputs.tree.len() as u64);
            n
        });
    });
    g.finish();
}

/// One gzip layer (the tree) walked and scanned file by file, as `layerleak scan` does:
/// `layer/serial` decompresses on the same thread, `layer/threaded` on other threads
/// ([`layerleak_layer::walk_layer_threaded`]). Throughput counts uncompressed bytes.
#[cfg(feature = "layer")]
fn layer_group(c: &mut Criterion, inputs: &Inputs, rules: &Rules) {
    use layerleak_engine::{FnSink, Match, StreamScan};
    use layerleak_layer::{Entry, Flow, LayerError, Limits, walk_layer, walk_layer_threaded};

    fn visit(
        stream: &mut StreamScan<'_>,
        matches: &mut u64,
        entry: Entry<'_>,
    ) -> Result<Flow, LayerError> {
        if entry.meta().has_content() {
            let (_, content) = entry.into_parts();
            let sink = FnSink(|_: &Match<'_>| {
                *matches += 1;
                true
            });
            stream.read_from(content, sink).map_err(|e| match e {
                layerleak_engine::ScanError::Io(source) => LayerError::Stream { offset: 0, source },
                layerleak_engine::ScanError::Sink(never) => match never {},
            })?;
        }
        Ok(Flow::Continue)
    }

    let scanner = Scanner::new(rules).expect("embedded rules compile");
    let limits = Limits::default();
    let mut g = slow_group(c, "layer");
    g.throughput(Throughput::Bytes(inputs.tree.len() as u64));
    let mut stream = scanner.stream();
    g.bench_function("serial", |b| {
        let gz = inputs.tree_gz();
        b.iter(|| {
            let mut matches = 0;
            walk_layer(black_box(gz), &limits, |e| visit(&mut stream, &mut matches, e))
                .expect("walks");
            matches
        });
    });
    g.bench_function("threaded", |b| {
        let gz = inputs.tree_gz();
        b.iter(|| {
            let mut matches = 0;
            walk_layer_threaded(black_box(gz), &limits, |e| visit(&mut stream, &mut matches, e))
                .expect("walks");
            matches
        });
    });
    g.finish();
}

fn compile_group(c: &mut Criterion, rules: &Rules) {
    let mut g = c.benchmark_group("compile");
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    // Parsing and linting the embedded TOML files.
    g.bench_function("rules", |b| b.iter(|| Rules::embedded().expect("loads")));
    // What a scan pays before its first byte: regexes compile on a rule's first candidate.
    g.bench_function("scanner", |b| b.iter(|| Scanner::new(black_box(rules)).expect("compiles")));
    // Every regex up front, as `rules check` does.
    g.bench_function("scanner-eager", |b| {
        b.iter(|| {
            ScannerBuilder::new().compile_eagerly(true).build(black_box(rules)).expect("compiles")
        });
    });
    g.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    eprintln!("flate2 backend: {}", flate2_backend());
    let rules = Rules::embedded().expect("embedded rules load");
    compile_group(&mut c, &rules);
    let inputs = Inputs::make();
    scan_groups(&mut c, &inputs, &rules);
    gunzip_group(&mut c, &inputs);
    #[cfg(feature = "layer")]
    layer_group(&mut c, &inputs, &rules);
    c.final_summary();
}
