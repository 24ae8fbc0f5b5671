//! Deterministic inputs and helpers shared by the `engine` benchmark and the `hotspots`
//! profiler.
//!
//! Inputs are made at run time so the repository carries no large fixtures:
//!
//! - [`tree_tar`]: a tar stream of a systematic sample of this machine's `/usr/share` and
//!   `/usr/lib` (text, documentation, ELF binaries, scripts), built in memory;
//! - [`random_bytes`]: uniformly random bytes from a seeded [`SplitMix64`];
//! - [`dense_text`]: config-like text where every few lines hold a realistic secret.
//!
//! The same machine and seed give the same bytes; the tree differs between machines, so
//! keep its [`TreeStats`] with the results.

use std::{
    fmt, fs,
    io::{self, Read as _, Write as _},
    path::{Path, PathBuf},
};

use aho_corasick::{AhoCorasick, AhoCorasickKind, Input, MatchKind};
use base64::Engine as _;
use layerleak_engine::{FnSink, Scanner, StreamScan};
use layerleak_rules::{RuleFile, Rules};

/// Chunk size fed to [`StreamScan::feed`]: what a layer reader typically hands over.
pub const FEED_CHUNK: usize = 64 * 1024;

/// Roots of the file-tree input, walked in this order.
pub const TREE_ROOTS: &[&str] = &["/usr/share", "/usr/lib"];

/// Files larger than this are left out of the tree so no single file dominates it.
pub const TREE_MAX_FILE: u64 = 8 * 1024 * 1024;

/// A small, fast, seeded PRNG (Vigna's SplitMix64): enough for benchmark inputs.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`; the tiny modulo bias is irrelevant here).
    pub fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next_u64() % n as u64).expect("below n, which is a usize")
    }

    /// A random element of `items`.
    pub fn pick<'a, T: ?Sized>(&mut self, items: &[&'a T]) -> &'a T {
        items[self.below(items.len())]
    }

    /// `n` random bytes of `alphabet`, appended to `out`.
    pub fn chars(&mut self, out: &mut String, alphabet: &[u8], n: usize) {
        out.extend((0..n).map(|_| char::from(alphabet[self.below(alphabet.len())])));
    }

    /// `min + below(spread)` random bytes of `alphabet`, as a new string.
    pub fn string_var(&mut self, alphabet: &[u8], min: usize, spread: usize) -> String {
        let n = min + self.below(spread);
        self.string(alphabet, n)
    }

    /// `n` random bytes of `alphabet`, as a new string.
    pub fn string(&mut self, alphabet: &[u8], n: usize) -> String {
        let mut s = String::with_capacity(n);
        self.chars(&mut s, alphabet, n);
        s
    }
}

/// `len` random bytes from `seed`.
pub fn random_bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut rng = SplitMix64::new(seed);
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        out.extend_from_slice(&rng.next_u64().to_le_bytes());
    }
    out.truncate(len);
    out
}

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const LOWER_DIGITS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
const UPPER_B32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const HEX: &[u8] = b"0123456789abcdef";
const PASSWORD: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#%+-=?@^_~";

/// A GitHub-style token `<prefix>_<30 base62><6 base62 CRC32>` with a valid checksum.
pub fn github_token(rng: &mut SplitMix64, prefix: &str) -> String {
    let random = rng.string(BASE62, 30);
    let mut n = crc32fast::hash(random.as_bytes());
    let mut check = [b'0'; 6];
    for slot in check.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    format!("{prefix}_{random}{}", String::from_utf8_lossy(&check))
}

fn jwt(rng: &mut SplitMix64) -> String {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = b64.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = format!(
        r#"{{"sub":"{}","name":"{}","iat":{}}}"#,
        rng.below(1_000_000_000),
        rng.string(LOWER_DIGITS, 10),
        1_600_000_000 + rng.below(100_000_000)
    );
    format!("{header}.{}.{}", b64.encode(payload), rng.string(BASE64URL, 43))
}

/// Appends a PEM private key block (random base64 body) of a random kind to `out`.
pub fn private_key(rng: &mut SplitMix64, out: &mut String) {
    let kind =
        rng.pick(&["RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY"]);
    out.push_str("-----BEGIN ");
    out.push_str(kind);
    out.push_str("-----\n");
    for _ in 0..(4 + rng.below(20)) {
        rng.chars(out, BASE64, 64);
        out.push('\n');
    }
    let tail = 20 + rng.below(40);
    rng.chars(out, BASE64, tail);
    out.push_str("==\n-----END ");
    out.push_str(kind);
    out.push_str("-----\n");
}

/// One line (or block) holding a secret.
fn secret_line(rng: &mut SplitMix64, out: &mut String) {
    let line = match rng.below(14) {
        0 => format!("GITHUB_TOKEN={}", github_token(rng, "ghp")),
        1 => {
            let prefix = rng.pick(&["gho", "ghu", "ghs"]);
            format!("  token: {}", github_token(rng, prefix))
        }
        2 => format!(
            "export AWS_ACCESS_KEY_ID={}{}",
            rng.pick(&["AKIA", "ASIA"]),
            rng.string(UPPER_B32, 16)
        ),
        3 => format!("aws_secret_access_key = {}", rng.string(BASE64, 40)),
        4 => {
            private_key(rng, out);
            return;
        }
        5 => format!(
            "{}={}",
            rng.pick(&[
                "DB_PASSWORD",
                "POSTGRES_PASSWORD",
                "MYSQL_ROOT_PASSWORD",
                "REDIS_PASSWORD"
            ]),
            rng.string_var(PASSWORD, 12, 12)
        ),
        6 => format!("    password: \"{}\"", rng.string(PASSWORD, 16)),
        7 => format!(
            "DATABASE_URL={}://{}:{}@db-{}.internal:{}/app",
            rng.pick(&["postgres", "postgresql", "mysql", "mongodb", "redis", "amqp"]),
            rng.pick(&["admin", "app", "svc_user", "root"]),
            rng.string(PASSWORD, 20),
            rng.string(LOWER_DIGITS, 6),
            rng.pick(&["5432", "3306", "27017", "6379", "5672"])
        ),
        8 => format!("Authorization: Bearer {}", jwt(rng)),
        9 => format!("glpat-{}", rng.string(BASE62, 20)),
        10 => format!(
            "SLACK_BOT_TOKEN=xoxb-{}-{}-{}",
            rng.below(1 << 40),
            rng.below(1 << 40),
            rng.string(BASE62, 24)
        ),
        11 => format!("stripe.api_key = \"sk_live_{}\"", rng.string(BASE62, 24)),
        12 => format!("//registry.npmjs.org/:_authToken={}", github_token(rng, "npm")),
        _ => format!("\"api_key\": \"{}\",", rng.string(HEX, 32)),
    };
    out.push_str(&line);
    out.push('\n');
}

/// One line of ordinary configuration, with no secret.
fn filler_line(rng: &mut SplitMix64, out: &mut String) {
    let word = |rng: &mut SplitMix64| rng.string_var(b"abcdefghijklmnopqrstuvwxyz", 3, 8);
    let line = match rng.below(8) {
        0 => format!("# {} {} {} {}", word(rng), word(rng), word(rng), word(rng)),
        1 => format!("{}_{} = {}", word(rng), word(rng), rng.below(100_000)),
        2 => format!("  {}: {}", word(rng), word(rng)),
        3 => format!("[{}.{}]", word(rng), word(rng)),
        4 => format!("\"{}\": \"{}/{}\",", word(rng), word(rng), word(rng)),
        5 => format!(
            "ENV {}_{} /usr/local/{}",
            word(rng).to_uppercase(),
            word(rng).to_uppercase(),
            word(rng)
        ),
        6 => format!("image: registry.example.org/{}/{}:{}", word(rng), word(rng), rng.below(40)),
        _ => format!(
            "2024-05-{:02}T12:{:02}:{:02}Z INFO {} {} in {}ms",
            1 + rng.below(28),
            rng.below(60),
            rng.below(60),
            word(rng),
            word(rng),
            rng.below(1000)
        ),
    };
    out.push_str(&line);
    out.push('\n');
}

/// About `len` bytes of config-like text where, on average, one line in four holds a
/// secret (GitHub, AWS, private keys, `.env` passwords, URIs with passwords, JWTs, …).
pub fn dense_text(len: usize, seed: u64) -> Vec<u8> {
    let mut rng = SplitMix64::new(seed);
    let mut out = String::with_capacity(len + 4096);
    while out.len() < len {
        if rng.below(4) == 0 {
            secret_line(&mut rng, &mut out);
        } else {
            filler_line(&mut rng, &mut out);
        }
    }
    out.into_bytes()
}

/// What went into [`tree_tar`].
#[derive(Debug, Clone, Default)]
pub struct TreeStats {
    /// Regular files seen (at most [`TREE_MAX_FILE`] bytes each).
    pub candidates: usize,
    /// Their total size.
    pub candidate_bytes: u64,
    /// Files put in the tar.
    pub files: usize,
    /// Their content bytes.
    pub content_bytes: u64,
    /// Content bytes of ELF files.
    pub elf_bytes: u64,
    /// Content bytes of files with no NUL byte in their first 8 KiB.
    pub text_bytes: u64,
    /// Files that could not be read, skipped.
    pub unreadable: usize,
}

impl fmt::Display for TreeStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pct = |x: u64| 100.0 * x as f64 / self.content_bytes.max(1) as f64;
        write!(
            f,
            "{} of {} files ({:.1} of {:.1} MB content): {:.0}% ELF, {:.0}% text, {:.0}% other binary; {} unreadable",
            self.files,
            self.candidates,
            self.content_bytes as f64 / 1e6,
            self.candidate_bytes as f64 / 1e6,
            pct(self.elf_bytes),
            pct(self.text_bytes),
            pct(self.content_bytes - self.elf_bytes - self.text_bytes),
            self.unreadable
        )
    }
}

fn walk(dir: &Path, out: &mut Vec<(PathBuf, u64)>) {
    let Ok(rd) = fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        let Ok(meta) = fs::symlink_metadata(&path) else { continue };
        if meta.is_dir() {
            walk(&path, out);
        } else if meta.is_file() && meta.len() > 0 && meta.len() <= TREE_MAX_FILE {
            out.push((path, meta.len()));
        }
    }
}

/// Bytes a file takes in a GNU tar: header, content padded to 512, and a long-name entry
/// when the path does not fit the header.
fn tar_entry_len(path: &Path, size: u64) -> u64 {
    let pad = |n: u64| n.div_ceil(512) * 512;
    let name = path.as_os_str().len() as u64;
    512 + pad(size) + if name > 100 { 512 + pad(name) } else { 0 }
}

/// A tar stream (in memory) of a systematic sample of the regular files under `roots`,
/// walked in sorted order, of about `target` bytes.
///
/// Symlinks, special files, unreadable files and files over [`TREE_MAX_FILE`] are skipped.
/// The sample takes files spread evenly over the whole sorted walk, so every kind of file
/// of the roots is represented (a prefix of the walk would be, say, all documentation).
/// Headers are deterministic (no mtime, owner or mode of this machine).
///
/// # Errors
///
/// Only if writing the tar into memory fails.
pub fn tree_tar(roots: &[&str], target: usize) -> io::Result<(Vec<u8>, TreeStats)> {
    let mut files = Vec::new();
    for root in roots {
        walk(Path::new(root), &mut files);
    }
    let mut stats = TreeStats {
        candidates: files.len(),
        candidate_bytes: files.iter().map(|(_, n)| n).sum(),
        ..TreeStats::default()
    };
    let costs: Vec<u64> = files.iter().map(|(p, n)| tar_entry_len(p, *n)).collect();
    // Take each file's share of `target` as credit; add a file whenever the credit covers
    // its tar entry. The tar then ends up just under `target` bytes.
    let total: u64 = costs.iter().sum::<u64>() + 1024;
    let fraction = (target as f64 / total as f64).min(1.0);
    let mut credit = 0.0f64;
    let mut builder = tar::Builder::new(Vec::with_capacity(target + 4096));
    for ((path, size), &cost) in files.iter().zip(&costs) {
        credit += cost as f64 * fraction;
        if credit < cost as f64 {
            continue;
        }
        let mut data = Vec::with_capacity(usize::try_from(*size).unwrap_or(0));
        match fs::File::open(path).and_then(|mut f| f.read_to_end(&mut data)) {
            Ok(_) => {}
            Err(_) => {
                stats.unreadable += 1;
                continue;
            }
        }
        if data.len() as u64 != *size {
            // Changed since it was listed: keep the size budget honest by skipping it.
            stats.unreadable += 1;
            continue;
        }
        credit -= cost as f64;
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_entry_type(tar::EntryType::Regular);
        let name = path.strip_prefix("/").unwrap_or(path);
        builder.append_data(&mut header, name, data.as_slice())?;
        stats.files += 1;
        stats.content_bytes += data.len() as u64;
        if data.starts_with(b"\x7fELF") {
            stats.elf_bytes += data.len() as u64;
        } else if !data[..data.len().min(8192)].contains(&0) {
            stats.text_bytes += data.len() as u64;
        }
    }
    let tar = builder.into_inner()?;
    Ok((tar, stats))
}

/// Gzip-compresses `data` at `level` with the flate2 backend this package was built with.
///
/// # Errors
///
/// Only if compression into memory fails.
pub fn gzip(data: &[u8], level: u32) -> io::Result<Vec<u8>> {
    let mut enc = flate2::write::GzEncoder::new(
        Vec::with_capacity(data.len() / 3),
        flate2::Compression::new(level),
    );
    enc.write_all(data)?;
    enc.finish()
}

/// Decompresses a gzip stream into a reused 64 KiB buffer (as a layer reader feeding the
/// scanner would); returns the decompressed length.
///
/// # Errors
///
/// If the stream is not valid gzip.
pub fn gunzip_len(gz: &[u8], buf: &mut [u8]) -> io::Result<u64> {
    let mut dec = flate2::bufread::GzDecoder::new(gz);
    let mut total = 0u64;
    loop {
        match dec.read(buf)? {
            0 => return Ok(total),
            n => total += n as u64,
        }
    }
}

/// The flate2 backend selected by this package's features.
pub fn flate2_backend() -> &'static str {
    if cfg!(feature = "zlib-ng") {
        "zlib-ng"
    } else if cfg!(feature = "zlib-rs") {
        "zlib-rs"
    } else if cfg!(feature = "miniz") {
        "miniz"
    } else {
        "unknown"
    }
}

/// Feeds `hay` to `stream` in [`FEED_CHUNK`] chunks, finishes, and returns the number of
/// matches reported.
pub fn scan_chunked(stream: &mut StreamScan<'_>, hay: &[u8]) -> u64 {
    let mut n = 0u64;
    let mut sink = FnSink(|_: &layerleak_engine::Match<'_>| {
        n += 1;
        true
    });
    for chunk in hay.chunks(FEED_CHUNK) {
        let Ok(_) = stream.feed(chunk, &mut sink);
    }
    let Ok(()) = stream.finish(&mut sink);
    n
}

/// A copy of `rules` whose patterns never match (they start with four bytes that valid
/// UTF-8 and ELF files practically never hold) but keep each rule's keywords and longest
/// match length.
///
/// A scanner built from it does all the work of the real one up to the regex: keyword
/// automaton, per-candidate dispatch, regex window set-up and a (literal-prefiltered,
/// hence nearly free) search of that window. The difference to the real scanner is the
/// cost of confirming candidates.
///
/// # Errors
///
/// When the generated rules fail to load (a rule whose longest match is under 4 bytes).
pub fn prefilter_only_rules(rules: &Rules) -> Result<Rules, layerleak_rules::Error> {
    let mut files: Vec<(String, RuleFile)> = Vec::new();
    for rule in rules {
        let mut syntax = rule.syntax().clone();
        let pad = rule.max_len().saturating_sub(4);
        syntax.pattern = format!(r"\xff\xfe\xfd\xfc[\x00-\xff]{{0,{pad}}}");
        // A paired rule's max_len already spans both halves: one pattern of that length.
        syntax.companion = None;
        match files.iter_mut().find(|(f, _)| f == rule.file()) {
            Some((_, file)) => file.rules.push(syntax),
            None => files.push((rule.file().to_owned(), RuleFile { rules: vec![syntax] })),
        }
    }
    let texts: Vec<(String, String)> = files
        .into_iter()
        .map(|(name, file)| {
            let text = toml::to_string(&file).expect("rule files serialize to TOML");
            (name, text)
        })
        .collect();
    Rules::from_sources(texts.iter().map(|(n, t)| (n.as_str(), t.as_str())))
}

/// The `aho-corasick` crate's DFA over the engine's keywords (ASCII case folding,
/// leftmost-longest, restart one byte after each hit, rules of prefix keywords folded in):
/// the same candidates as the engine's prefilter, found by the crate the engine's own DFA
/// replaced. For counting candidates per rule and as a speed baseline.
#[derive(Debug)]
pub struct KeywordCounter {
    ac: AhoCorasick,
    rules_for: Vec<Vec<usize>>,
    keywords: Vec<String>,
}

impl KeywordCounter {
    /// Builds the automaton over every keyword of `scanner`'s rules.
    ///
    /// # Panics
    ///
    /// If the automaton cannot be built (the engine would have failed too).
    pub fn new(scanner: &Scanner) -> KeywordCounter {
        let mut keywords: Vec<(String, Vec<usize>)> = Vec::new();
        for (r, rule) in scanner.rules().iter().enumerate() {
            for kw in rule.keywords() {
                let lower = kw.to_ascii_lowercase();
                match keywords.iter_mut().find(|(k, _)| *k == lower) {
                    Some((_, rs)) => rs.push(r),
                    None => keywords.push((lower, vec![r])),
                }
            }
        }
        let rules_for = keywords
            .iter()
            .map(|(k, _)| {
                let mut rs: Vec<usize> = keywords
                    .iter()
                    .filter(|(other, _)| k.starts_with(other.as_str()))
                    .flat_map(|(_, rs)| rs.iter().copied())
                    .collect();
                rs.sort_unstable();
                rs.dedup();
                rs
            })
            .collect();
        let ac = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(AhoCorasickKind::DFA))
            .build(keywords.iter().map(|(k, _)| k))
            .expect("keyword automaton builds");
        KeywordCounter { ac, rules_for, keywords: keywords.into_iter().map(|(k, _)| k).collect() }
    }

    /// Number of keyword hits in `hay`.
    pub fn count(&self, hay: &[u8]) -> u64 {
        let mut n = 0;
        self.for_each(hay, |_| n += 1);
        n
    }

    /// Calls `f(keyword index)` for every keyword hit, as the engine's prefilter walks.
    pub fn for_each(&self, hay: &[u8], mut f: impl FnMut(usize)) {
        let mut pos = 0;
        while let Some(m) = self.ac.find(Input::new(hay).span(pos..hay.len())) {
            f(m.pattern().as_usize());
            pos = m.start() + 1;
        }
    }

    /// The (lower-case) keywords, by index.
    pub fn keywords(&self) -> &[String] {
        &self.keywords
    }

    /// The rules a hit of keyword `k` is a candidate for.
    pub fn rules_for(&self, k: usize) -> &[usize] {
        &self.rules_for[k]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_are_deterministic() {
        assert_eq!(random_bytes(100, 7), random_bytes(100, 7));
        assert_ne!(random_bytes(100, 7), random_bytes(100, 8));
        assert_eq!(dense_text(10_000, 1), dense_text(10_000, 1));
        assert!(dense_text(10_000, 1).len() >= 10_000);
    }

    #[test]
    fn prefilter_only_rules_load_and_never_match_dense_text() {
        let rules = Rules::embedded().expect("embedded rules load");
        let dummy = prefilter_only_rules(&rules).expect("dummy rules load");
        assert_eq!(dummy.len(), rules.len());
        for (a, b) in rules.iter().zip(&dummy) {
            assert_eq!(a.keywords(), b.keywords());
            assert_eq!(a.max_len(), b.max_len(), "{}", a.id());
        }
        let scanner = Scanner::new(&dummy).expect("dummy rules compile");
        let mut stream = scanner.stream();
        assert_eq!(scan_chunked(&mut stream, &dense_text(200_000, 3)), 0);
    }

    #[test]
    fn dense_text_is_dense() {
        let rules = Rules::embedded().expect("embedded rules load");
        let scanner = Scanner::new(&rules).expect("rules compile");
        let mut stream = scanner.stream();
        let text = dense_text(200_000, 3);
        let n = scan_chunked(&mut stream, &text);
        assert!(n > 0, "no secret found in dense text");
        let counter = KeywordCounter::new(&scanner);
        assert!(counter.count(&text) >= n);
    }
}
