//! Fixture builders and a reader that returns random short reads.

use std::io::{self, Read, Write};

use layerleak_layer::{Entry, EntryMeta, Flow, LayerError, Limits, walk_layer};

/// A reader returning seeded random short reads (1..=max bytes), the partial-read torture
/// of `tar:tests/all.rs`.
pub(crate) struct RandomReader<R> {
    inner: R,
    state: u64,
    max: usize,
}

impl<R: Read> RandomReader<R> {
    pub(crate) fn new(inner: R, seed: u64) -> Self {
        RandomReader {
            inner,
            state: seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1,
            max: 1 + (seed % 97) as usize,
        }
    }

    fn next(&mut self) -> u64 {
        // xorshift64
        let mut x = self.state;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.state = x;
        x
    }
}

impl<R: Read> Read for RandomReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let r = self.next();
        if r.is_multiple_of(13) {
            return Err(io::Error::new(io::ErrorKind::Interrupted, "interrupted for the test"));
        }
        let n = 1 + usize::try_from(r % self.max as u64).unwrap().min(buf.len() - 1);
        self.inner.read(&mut buf[..n])
    }
}

/// Every way a test reads an input: whole, and through random short reads of several seeds.
pub(crate) fn readers(data: &[u8]) -> Vec<(String, Box<dyn Read + '_>)> {
    let mut v: Vec<(String, Box<dyn Read + '_>)> = vec![("whole".into(), Box::new(data))];
    for seed in [1u64, 7, 42, 96] {
        v.push((format!("random seed {seed}"), Box::new(RandomReader::new(data, seed))));
    }
    v
}

/// A reader that fails with `kind` after `after` bytes.
pub(crate) struct FailAfter<R> {
    pub(crate) inner: R,
    pub(crate) after: usize,
    pub(crate) kind: io::ErrorKind,
}

impl<R: Read> Read for FailAfter<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.after == 0 {
            return Err(io::Error::new(self.kind, "source failed for the test"));
        }
        let n = buf.len().min(self.after);
        let n = self.inner.read(&mut buf[..n])?;
        self.after -= n;
        Ok(n)
    }
}

/// Deterministic bytes that do not compress (so compressed offsets track content).
pub(crate) fn noise(len: usize, seed: u64) -> Vec<u8> {
    // splitmix64
    let mut x = seed;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        out.extend_from_slice(&(z ^ (z >> 31)).to_le_bytes());
    }
    out.truncate(len);
    out
}

/// A tar builder over a Vec.
pub(crate) fn tar_builder() -> tar::Builder<Vec<u8>> {
    let mut b = tar::Builder::new(Vec::new());
    b.mode(tar::HeaderMode::Deterministic);
    b
}

pub(crate) fn add_file(b: &mut tar::Builder<Vec<u8>>, path: &str, data: &[u8]) {
    let mut h = tar::Header::new_gnu();
    h.set_size(data.len() as u64);
    h.set_mode(0o644);
    h.set_entry_type(tar::EntryType::Regular);
    b.append_data(&mut h, path, data).unwrap();
}

pub(crate) fn add_dir(b: &mut tar::Builder<Vec<u8>>, path: &str) {
    let mut h = tar::Header::new_gnu();
    h.set_size(0);
    h.set_mode(0o755);
    h.set_entry_type(tar::EntryType::Directory);
    b.append_data(&mut h, path, io::empty()).unwrap();
}

pub(crate) fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

pub(crate) fn zstd(data: &[u8]) -> Vec<u8> {
    zstd::stream::encode_all(data, 3).unwrap()
}

/// A walked entry: metadata and the content read during the visit.
#[derive(Debug)]
pub(crate) struct Seen {
    pub(crate) meta: EntryMeta,
    pub(crate) content: Vec<u8>,
}

/// Walk a layer blob, reading every entry's content.
pub(crate) fn walk_all<R: Read>(
    blob: R,
    limits: &Limits,
) -> (Vec<Seen>, Result<layerleak_layer::WalkSummary, LayerError>) {
    let mut seen = Vec::new();
    let res = walk_layer(blob, limits, |mut entry: Entry<'_>| {
        let mut content = Vec::new();
        let r = entry.read_to_end(&mut content);
        seen.push(Seen { meta: entry.meta().clone(), content });
        r.map_err(|source| LayerError::Stream { offset: 0, source })?;
        Ok::<_, LayerError>(Flow::Continue)
    });
    (seen, res)
}

pub(crate) fn paths(seen: &[Seen]) -> Vec<String> {
    seen.iter().map(|s| s.meta.path().as_bstr().to_string()).collect()
}
