//! The baseline of the local-archive scan benchmark: the time to only gunzip every layer of
//! a `docker save` archive, one after the other, on one core.
//!
//! ```text
//! cargo run --release -p layerleak-benches --bin gunzip_layers -- IMAGE.tar [--sha256]
//! ```
//!
//! Reads `manifest.json`, then streams each layer member of the archive through flate2's
//! `MultiGzDecoder` (the backend this package is built with: zlib-rs by default, as in
//! `layerleak`) into a reused 256 KiB buffer, discarding the output. With `--sha256` it also
//! hashes the compressed bytes, as `layerleak` does to verify each blob's digest. Prints one
//! line: `gunzip_seconds=… compressed_bytes=… uncompressed_bytes=… layers=…`.

use std::{
    collections::HashSet,
    fs::File,
    io::{self, BufReader, Read},
    path::PathBuf,
    time::Instant,
};

use sha2::{Digest as _, Sha256};

/// Passes reads through, hashing them.
struct Hashed<R> {
    inner: R,
    hash: Option<Sha256>,
}

impl<R: Read> Read for Hashed<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(h) = &mut self.hash {
            h.update(&buf[..n]);
        }
        Ok(n)
    }
}

/// The layer member names `manifest.json` lists (without a JSON parser: names are quoted
/// strings after `"Layers":[`).
fn layer_names(manifest: &str) -> HashSet<String> {
    let Some(start) = manifest.find("\"Layers\"") else { return HashSet::new() };
    let rest = &manifest[start..];
    let list = &rest[rest.find('[').map_or(0, |i| i + 1)..rest.find(']').unwrap_or(rest.len())];
    list.split(',')
        .map(|s| s.trim().trim_matches('"').to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

fn main() -> io::Result<()> {
    let mut args = std::env::args_os().skip(1);
    let Some(path) = args.next().map(PathBuf::from) else {
        eprintln!("usage: gunzip_layers IMAGE.tar [--sha256]");
        std::process::exit(2);
    };
    let hash = args.next().is_some_and(|a| a == "--sha256");
    let mut manifest = String::new();
    for entry in tar::Archive::new(BufReader::new(File::open(&path)?)).entries()? {
        let mut entry = entry?;
        if entry.path_bytes().as_ref() == b"manifest.json" {
            entry.read_to_string(&mut manifest)?;
        }
    }
    let layers = layer_names(&manifest);
    let mut buf = vec![0u8; 256 * 1024];
    let (mut compressed, mut uncompressed, mut count) = (0u64, 0u64, 0usize);
    let start = Instant::now();
    for entry in tar::Archive::new(File::open(&path)?).entries()? {
        let entry = entry?;
        if !layers.contains(&*String::from_utf8_lossy(&entry.path_bytes())) {
            continue;
        }
        compressed += entry.size();
        count += 1;
        let input = Hashed { inner: entry, hash: hash.then(Sha256::new) };
        let mut gz =
            flate2::bufread::MultiGzDecoder::new(BufReader::with_capacity(64 * 1024, input));
        loop {
            match gz.read(&mut buf)? {
                0 => break,
                n => uncompressed += n as u64,
            }
        }
        if let Some(h) = gz.into_inner().into_inner().hash {
            std::hint::black_box(h.finalize());
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "gunzip_seconds={secs:.3} compressed_bytes={compressed} uncompressed_bytes={uncompressed} layers={count}"
    );
    Ok(())
}
