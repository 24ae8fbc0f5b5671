//! Writes the image of the local-archive scan benchmark (`benches/scan-image.sh`).
//!
//! ```text
//! cargo run --release -p layerleak-benches --bin gen_image -- OUT_DIR
//! ```
//!
//! Writes `OUT_DIR/image.tar` (a legacy `docker save` archive: `manifest.json`, the config
//! as `<hex>.json`, gzip layers as `<hex>.tar`), `OUT_DIR/oci/` (the same image as an OCI
//! image layout, layers hard-linked) and `OUT_DIR/planted.txt` (one line per planted
//! secret: layer, path, what). About 1.1 GB uncompressed in five gzip layers (level 6, as
//! `docker save`/`docker push` write them), one of which dominates:
//!
//! | layer | uncompressed | content |
//! | --- | --- | --- |
//! | 0 base | 300 MiB | a sample of this machine's `/usr/share` and `/usr/lib` ([`tree_tar`]) |
//! | 1 app | ≈ 160 MB | source files (code-like text), synthetic shared libraries, `.env`, `id_rsa`, settings |
//! | 2 data | 650 MiB | a 400 MiB binary model file and a 250 MiB log with secrets at 100 and 240 MiB |
//! | 3 cleanup | ≈ 1 MB | deletes `app/.env` (whiteout), overwrites the settings |
//! | 4 entry | ≈ 10 KB | an entrypoint script and a `.npmrc` with a token |
//!
//! Everything but layer 0 is generated from fixed seeds, so the same machine always writes
//! the same bytes. Synthetic "binary" data mixes a dictionary of short byte sequences,
//! random words, zero runs and symbol-like strings, so it compresses about as well as real
//! machine code (about 2.5–3×) and the scanner's keyword automaton sees realistic text in it.

use std::{
    fs::{self, File},
    io::{self, BufWriter, Read, Write},
    path::{Path, PathBuf},
    time::Instant,
};

use layerleak_benches::{SplitMix64, TREE_ROOTS, github_token, private_key, tree_tar};
use sha2::{Digest as _, Sha256};

const MIB: u64 = 1 << 20;

/// A writer that hashes what goes through it.
struct Hashing<W> {
    inner: W,
    hash: Sha256,
    len: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn hashing<W: Write>(inner: W) -> Hashing<W> {
    Hashing { inner, hash: Sha256::new(), len: 0 }
}

fn hex(hash: Sha256) -> String {
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// What one layer file turned out to be.
struct Layer {
    file: PathBuf,
    digest: String,
    size: u64,
    diff_id: String,
    uncompressed: u64,
    created_by: &'static str,
}

type Tar = tar::Builder<Hashing<flate2::write::GzEncoder<Hashing<BufWriter<File>>>>>;

/// Writes a gzip layer to `file` with `fill`, hashing both sides.
fn write_layer(
    file: &Path,
    created_by: &'static str,
    fill: impl FnOnce(&mut Tar) -> io::Result<()>,
) -> io::Result<Layer> {
    let out = hashing(BufWriter::with_capacity(1 << 20, File::create(file)?));
    let gz = flate2::write::GzEncoder::new(out, flate2::Compression::new(6));
    let mut tar = tar::Builder::new(hashing(gz));
    tar.mode(tar::HeaderMode::Deterministic);
    fill(&mut tar)?;
    let raw = tar.into_inner()?;
    let (uncompressed, diff_id) = (raw.len, hex(raw.hash));
    let mut compressed = raw.inner.finish()?;
    compressed.flush()?;
    Ok(Layer {
        file: file.to_owned(),
        size: compressed.len,
        digest: hex(compressed.hash),
        diff_id,
        uncompressed,
        created_by,
    })
}

fn add(tar: &mut Tar, path: &str, size: u64, data: impl Read) -> io::Result<()> {
    let mut h = tar::Header::new_gnu();
    h.set_size(size);
    h.set_mode(0o644);
    h.set_entry_type(tar::EntryType::Regular);
    tar.append_data(&mut h, path, data)
}

fn add_bytes(tar: &mut Tar, path: &str, data: &[u8]) -> io::Result<()> {
    add(tar, path, data.len() as u64, data)
}

/// Kinds of generated content.
#[derive(Clone, Copy)]
enum Kind {
    /// Source code and configuration: lines of identifiers, keywords and literals.
    Code,
    /// Log lines with timestamps, levels, words and numbers.
    Log,
    /// Machine-code-like bytes (see the module docs).
    Binary,
}

/// An endless, seeded stream of generated content, with lines planted at given offsets.
struct Content {
    kind: Kind,
    rng: SplitMix64,
    words: &'static [String],
    dict: &'static [Vec<u8>],
    /// `(offset, bytes)`, in order: each goes in at the first line boundary past `offset`.
    plants: Vec<(u64, Vec<u8>)>,
    produced: u64,
    buf: Vec<u8>,
    pos: usize,
    left: u64,
}

impl Content {
    fn new(kind: Kind, seed: u64, len: u64, plants: Vec<(u64, Vec<u8>)>) -> Content {
        let (words, dict) = vocab();
        Content {
            kind,
            rng: SplitMix64::new(seed),
            words,
            dict,
            plants,
            produced: 0,
            buf: Vec::new(),
            pos: 0,
            left: len,
        }
    }

    fn word(&mut self) -> &'static str {
        let w = self.words;
        // Skewed: low indices are far more frequent, as in real text.
        let i = self.rng.below(w.len()).min(self.rng.below(w.len()));
        &w[i]
    }

    /// Appends about 64 KiB to `buf`.
    fn refill(&mut self) {
        self.buf.clear();
        self.pos = 0;
        while self.buf.len() < 64 * 1024 {
            if let Some((at, _)) = self.plants.first()
                && self.produced + self.buf.len() as u64 >= *at
            {
                let (_, line) = self.plants.remove(0);
                self.buf.extend_from_slice(&line);
            }
            match self.kind {
                Kind::Code => self.code_line(),
                Kind::Log => self.log_line(),
                Kind::Binary => self.binary_piece(),
            }
        }
        self.produced += self.buf.len() as u64;
    }

    fn code_line(&mut self) {
        let indent = 4 * self.rng.below(4);
        self.buf.extend(std::iter::repeat_n(b' ', indent));
        let line = match self.rng.below(10) {
            0 => format!(
                "# {} {} {} {} {}",
                self.word(),
                self.word(),
                self.word(),
                self.word(),
                self.word()
            ),
            1 => format!(
                "def {}_{}(self, {}, {}={}):",
                self.word(),
                self.word(),
                self.word(),
                self.word(),
                self.rng.below(100)
            ),
            2 => format!(
                "{} = {}.{}({}, \"{}\")",
                self.word(),
                self.word(),
                self.word(),
                self.word(),
                self.word()
            ),
            3 => format!(
                "if {} is not None and {} > {}:",
                self.word(),
                self.word(),
                self.rng.below(1000)
            ),
            4 => format!("return {}[{}] + {}", self.word(), self.rng.below(64), self.word()),
            5 => format!("{}: {}", self.word(), self.word()),
            6 => format!("import {}.{}", self.word(), self.word()),
            7 => format!("self.{} = {}({})", self.word(), self.word(), self.word()),
            8 => String::new(),
            _ => format!(
                "raise {}Error(\"{} {} {}\")",
                self.word(),
                self.word(),
                self.word(),
                self.word()
            ),
        };
        self.buf.extend_from_slice(line.as_bytes());
        self.buf.push(b'\n');
    }

    fn log_line(&mut self) {
        let n = self.produced + self.buf.len() as u64;
        let line = format!(
            "2026-11-{:02}T{:02}:{:02}:{:02}.{:03}Z {} [{}] {} {} {} id={} took {}ms\n",
            1 + (n >> 24) % 28,
            (n >> 20) % 24,
            (n >> 14) % 60,
            (n >> 8) % 60,
            self.rng.below(1000),
            ["INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"][self.rng.below(6)],
            self.word(),
            self.word(),
            self.word(),
            self.word(),
            self.rng.next_u64() >> 16,
            self.rng.below(5000),
        );
        self.buf.extend_from_slice(line.as_bytes());
    }

    fn binary_piece(&mut self) {
        for _ in 0..16 {
            match self.rng.below(100) {
                0..62 => {
                    let d = self.dict;
                    let i = self.rng.below(d.len()).min(self.rng.below(d.len()));
                    self.buf.extend_from_slice(&d[i]);
                }
                62..86 => self.buf.extend_from_slice(&self.rng.next_u64().to_le_bytes()[..4]),
                86..94 => {
                    let n = 4 + self.rng.below(60);
                    self.buf.extend(std::iter::repeat_n(0, n));
                }
                _ => {
                    let s = format!("_ZN{}{}{}E", self.word(), self.rng.below(99), self.word());
                    self.buf.extend_from_slice(s.as_bytes());
                    self.buf.push(0);
                }
            }
        }
    }
}

impl Read for Content {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            return Ok(0);
        }
        if self.pos == self.buf.len() {
            self.refill();
        }
        let n = (self.buf.len() - self.pos).min(out.len());
        let n = n.min(usize::try_from(self.left).unwrap_or(usize::MAX));
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        self.left -= n as u64;
        Ok(n)
    }
}

/// The shared vocabulary and byte-sequence dictionary (fixed seed).
fn vocab() -> (&'static [String], &'static [Vec<u8>]) {
    static VOCAB: std::sync::OnceLock<(Vec<String>, Vec<Vec<u8>>)> = std::sync::OnceLock::new();
    let (w, d) = VOCAB.get_or_init(|| {
        let mut rng = SplitMix64::new(0x5eed_0001);
        let words =
            (0..4000).map(|_| rng.string_var(b"abcdefghijklmnopqrstuvwxyz_", 2, 10)).collect();
        let dict = (0..8192)
            .map(|_| (0..2 + rng.below(10)).map(|_| rng.next_u64().to_le_bytes()[0]).collect())
            .collect();
        (words, dict)
    });
    (w, d)
}

fn generated(tar: &mut Tar, path: &str, kind: Kind, seed: u64, len: u64) -> io::Result<()> {
    add(tar, path, len, Content::new(kind, seed, len, Vec::new()))
}

/// Records what was planted where, for the benchmark script to check against the report.
struct Planted(Vec<String>);

impl Planted {
    fn note(&mut self, layer: usize, path: &str, what: &str) {
        self.0.push(format!("{layer}\t{path}\t{what}"));
    }
}

fn base_layer(tar: &mut Tar) -> io::Result<()> {
    let (bytes, stats) = tree_tar(TREE_ROOTS, 300 << 20)?;
    eprintln!("layer 0: {stats}");
    // `tree_tar` ends with the end-of-archive blocks; the builder adds its own after them.
    let body = &bytes[..bytes.len() - 1024];
    tar.get_mut().write_all(body)
}

fn app_layer(tar: &mut Tar, planted: &mut Planted) -> io::Result<()> {
    let mut rng = SplitMix64::new(0xa11);
    let exts = ["py", "js", "go", "yaml", "json", "sh", "html", "md"];
    for i in 0..3000 {
        let len = 1024 + rng.below(60 * 1024) as u64;
        let path =
            format!("app/src/mod{}/{}_{i}.{}", i / 100, rng.string(b"abcdefghij", 6), exts[i % 8]);
        generated(tar, &path, Kind::Code, 0xc0de + i as u64, len)?;
    }
    for i in 0..20 {
        let len = (1 + rng.below(6) as u64) * MIB;
        generated(tar, &format!("usr/local/lib/libapp{i}.so.1"), Kind::Binary, 0xb1 + i, len)?;
    }
    let env = format!(
        "APP_ENV=production\nAWS_ACCESS_KEY_ID=AKIA{}\nAWS_SECRET_ACCESS_KEY={}\n",
        rng.string(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16),
        rng.string(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40)
    );
    add_bytes(tar, "app/.env", env.as_bytes())?;
    planted.note(1, "app/.env", "AWS key pair; deleted by layer 3");
    let mut key = String::new();
    private_key(&mut rng, &mut key);
    add_bytes(tar, "root/.ssh/id_rsa", key.as_bytes())?;
    planted.note(1, "root/.ssh/id_rsa", "private key");
    let settings =
        format!("server:\n  port: 8080\ngithub:\n  token: {}\n", github_token(&mut rng, "ghp"));
    add_bytes(tar, "app/config/settings.yaml", settings.as_bytes())?;
    planted.note(1, "app/config/settings.yaml", "GitHub token; overwritten by layer 3");
    Ok(())
}

fn data_layer(tar: &mut Tar, planted: &mut Planted) -> io::Result<()> {
    generated(tar, "opt/model/weights.bin", Kind::Binary, 0x3e1, 400 * MIB)?;
    let mut rng = SplitMix64::new(0xda7a);
    let slack = format!(
        "WARN retrying with SLACK_BOT_TOKEN=xoxb-{}-{}-{}\n",
        rng.below(1 << 40),
        rng.below(1 << 40),
        rng.string(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 24)
    );
    let stripe = format!(
        "DEBUG billing configured with sk_live_{}\n",
        rng.string(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 24)
    );
    let plants = vec![(100 * MIB, slack.into_bytes()), (240 * MIB, stripe.into_bytes())];
    let len = 250 * MIB;
    add(tar, "var/log/app/events.log", len, Content::new(Kind::Log, 0x109, len, plants))?;
    planted.note(2, "var/log/app/events.log", "Slack bot token at 100 MiB, Stripe key at 240 MiB");
    Ok(())
}

fn cleanup_layer(tar: &mut Tar) -> io::Result<()> {
    add_bytes(tar, "app/.wh..env", b"")?;
    add_bytes(
        tar,
        "app/config/settings.yaml",
        b"server:\n  port: 8080\ngithub:\n  token_file: /run/secrets/github\n",
    )?;
    generated(tar, "app/README.md", Kind::Code, 0x3ead, MIB)
}

fn entry_layer(tar: &mut Tar, planted: &mut Planted) -> io::Result<()> {
    add_bytes(
        tar,
        "usr/local/bin/entrypoint.sh",
        b"#!/bin/sh\nset -e\nexec python -m app \"$@\"\n",
    )?;
    let mut rng = SplitMix64::new(0x4e7);
    let npmrc = format!("//registry.npmjs.org/:_authToken={}\n", github_token(&mut rng, "npm"));
    add_bytes(tar, "root/.npmrc", npmrc.as_bytes())?;
    planted.note(4, "root/.npmrc", "npm token");
    generated(tar, "usr/local/share/app/NOTICE", Kind::Code, 0x4e8, 8 * 1024)
}

fn config_json(layers: &[Layer]) -> String {
    let diff_ids: Vec<String> =
        layers.iter().map(|l| format!("\"sha256:{}\"", l.diff_id)).collect();
    let history: Vec<String> = layers
        .iter()
        .map(|l| {
            format!(
                "{{\"created\":\"2026-11-01T00:00:00Z\",\"created_by\":{}}}",
                json_string(l.created_by)
            )
        })
        .collect();
    format!(
        concat!(
            "{{\"architecture\":\"amd64\",\"os\":\"linux\",",
            "\"config\":{{\"Env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\"APP_ENV=production\"],",
            "\"Entrypoint\":[\"/usr/local/bin/entrypoint.sh\"],\"WorkingDir\":\"/app\"}},",
            "\"rootfs\":{{\"type\":\"layers\",\"diff_ids\":[{}]}},\"history\":[{}]}}"
        ),
        diff_ids.join(","),
        history.join(",")
    )
}

fn json_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn sha256_hex(data: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(data);
    hex(h)
}

fn write_docker_save(out: &Path, layers: &[Layer], config: &str) -> io::Result<()> {
    let config_hex = sha256_hex(config.as_bytes());
    let names: Vec<String> = layers.iter().map(|l| format!("\"{}.tar\"", l.digest)).collect();
    let manifest = format!(
        "[{{\"Config\":\"{config_hex}.json\",\"RepoTags\":[\"bench/scan:1\"],\"Layers\":[{}]}}]",
        names.join(",")
    );
    let tmp = out.with_extension("tar.tmp");
    let mut tar = tar::Builder::new(BufWriter::with_capacity(1 << 20, File::create(&tmp)?));
    tar.mode(tar::HeaderMode::Deterministic);
    let header = |len: usize| {
        let mut h = tar::Header::new_gnu();
        h.set_size(len as u64);
        h.set_mode(0o644);
        h
    };
    tar.append_data(&mut header(config.len()), format!("{config_hex}.json"), config.as_bytes())?;
    for l in layers {
        let mut f = File::open(&l.file)?;
        tar.append_data(
            &mut header(usize::try_from(l.size).unwrap_or(usize::MAX)),
            format!("{}.tar", l.digest),
            &mut f,
        )?;
    }
    tar.append_data(&mut header(manifest.len()), "manifest.json", manifest.as_bytes())?;
    tar.into_inner()?.flush()?;
    fs::rename(tmp, out)
}

fn write_oci(dir: &Path, layers: &[Layer], config: &str) -> io::Result<()> {
    let blobs = dir.join("blobs/sha256");
    fs::create_dir_all(&blobs)?;
    let config_hex = sha256_hex(config.as_bytes());
    fs::write(blobs.join(&config_hex), config)?;
    for l in layers {
        let target = blobs.join(&l.digest);
        if !target.exists() {
            fs::hard_link(&l.file, &target).or_else(|_| fs::copy(&l.file, &target).map(drop))?;
        }
    }
    let descs: Vec<String> = layers
        .iter()
        .map(|l| format!("{{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:{}\",\"size\":{}}}", l.digest, l.size))
        .collect();
    let manifest = format!(
        "{{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:{config_hex}\",\"size\":{}}},\"layers\":[{}]}}",
        config.len(),
        descs.join(",")
    );
    let manifest_hex = sha256_hex(manifest.as_bytes());
    fs::write(blobs.join(&manifest_hex), &manifest)?;
    fs::write(dir.join("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}")?;
    fs::write(
        dir.join("index.json"),
        format!(
            "{{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:{manifest_hex}\",\"size\":{},\"annotations\":{{\"org.opencontainers.image.ref.name\":\"bench/scan:1\"}},\"platform\":{{\"architecture\":\"amd64\",\"os\":\"linux\"}}}}]}}",
            manifest.len()
        ),
    )
}

fn main() -> io::Result<()> {
    let Some(out) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: gen_image OUT_DIR");
        std::process::exit(2);
    };
    fs::create_dir_all(out.join("layers"))?;
    let start = Instant::now();
    let layer_file = |i: usize| out.join(format!("layers/{i}.tar.gz"));
    let mut planted = [Planted(Vec::new()), Planted(Vec::new()), Planted(Vec::new())];
    let [p1, p2, p4] = &mut planted;
    let results: Vec<io::Result<Layer>> = std::thread::scope(|s| {
        let jobs = vec![
            s.spawn(|| write_layer(&layer_file(2), "/bin/sh -c #(nop) COPY dir:data in /", |t| data_layer(t, p2))),
            s.spawn(|| write_layer(&layer_file(0), "/bin/sh -c #(nop) ADD file:base in /", base_layer)),
            s.spawn(|| write_layer(&layer_file(1), "/bin/sh -c #(nop) COPY dir:app in /", |t| app_layer(t, p1))),
            s.spawn(|| write_layer(&layer_file(3), "/bin/sh -c rm -f /app/.env && cp settings.clean.yaml /app/config/settings.yaml", cleanup_layer)),
            s.spawn(|| write_layer(&layer_file(4), "/bin/sh -c #(nop) COPY multi:entry in /", |t| entry_layer(t, p4))),
        ];
        jobs.into_iter().map(|j| j.join().expect("layer writer panicked")).collect()
    });
    let mut layers = results.into_iter().collect::<io::Result<Vec<Layer>>>()?;
    // Spawned biggest first; put them back in image order.
    layers.sort_by_key(|l| l.file.clone());
    let config = config_json(&layers);
    write_docker_save(&out.join("image.tar"), &layers, &config)?;
    let _ = fs::remove_dir_all(out.join("oci"));
    write_oci(&out.join("oci"), &layers, &config)?;
    let lines: Vec<String> = planted.into_iter().flat_map(|p| p.0).collect();
    fs::write(out.join("planted.txt"), lines.join("\n") + "\n")?;
    for (i, l) in layers.iter().enumerate() {
        println!(
            "layer {i}: {:>10} bytes gzip, {:>11} bytes tar (×{:.2}) sha256:{}",
            l.size,
            l.uncompressed,
            l.uncompressed as f64 / l.size as f64,
            l.digest
        );
    }
    let total: u64 = layers.iter().map(|l| l.uncompressed).sum();
    let gz: u64 = layers.iter().map(|l| l.size).sum();
    println!(
        "total: {gz} bytes gzip, {total} bytes uncompressed, written in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
