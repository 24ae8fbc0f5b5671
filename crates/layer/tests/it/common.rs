//! Fixture builders, and the readers every input is read through.

use std::io::{self, Read};

use layerleak_layer::{Entry, EntryMeta, Flow, LayerError, Limits, walk_layer};
use layerleak_testutil::RandomReader;
pub(crate) use layerleak_testutil::{gzip, raw_tar_entry, zstd};

/// Every way a test reads an input: whole, and through random short reads of several seeds.
pub(crate) fn readers(data: &[u8]) -> Vec<(String, Box<dyn Read + '_>)> {
    let mut v: Vec<(String, Box<dyn Read + '_>)> = vec![("whole".into(), Box::new(data))];
    for seed in [1u64, 7, 42, 96] {
        let max = 1 + usize::try_from(seed % 97).unwrap();
        v.push((format!("random seed {seed}"), Box::new(RandomReader::new(data, seed, max))));
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
