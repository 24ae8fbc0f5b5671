//! The one bounded reader: every network body and every JSON document this crate holds in
//! memory (tokens, manifests, indexes, configs, error bodies, `manifest.json`,
//! `index.json`, docker `config.json`) is collected through a [`Collector`], which refuses
//! to grow past its limit. Nothing is sized from what the input declares (`Content-Length`,
//! a descriptor's `size`): the buffer grows with the bytes that actually arrive.

use std::io::{self, Read};

/// Why collecting stopped.
#[derive(Debug)]
pub(crate) enum Bounded {
    /// Reading failed.
    Io(io::Error),
    /// More than `limit` bytes arrived.
    Over {
        /// The limit that was hit.
        limit: u64,
    },
}

/// Collects bytes up to a limit.
#[derive(Debug)]
pub(crate) struct Collector {
    buf: Vec<u8>,
    limit: u64,
}

impl Collector {
    /// A collector that holds at most `limit` bytes.
    pub(crate) fn new(limit: u64) -> Collector {
        Collector { buf: Vec::new(), limit }
    }

    /// Appends `chunk`, or fails with [`Bounded::Over`] when the total would pass the limit.
    pub(crate) fn push(&mut self, chunk: &[u8]) -> Result<(), Bounded> {
        if (self.buf.len() as u64).saturating_add(chunk.len() as u64) > self.limit {
            return Err(Bounded::Over { limit: self.limit });
        }
        self.buf.extend_from_slice(chunk);
        Ok(())
    }

    /// The bytes collected.
    pub(crate) fn finish(self) -> Vec<u8> {
        self.buf
    }

    /// Reads `reader` to its end through the collector.
    pub(crate) fn read_all(mut self, mut reader: impl Read) -> Result<Vec<u8>, Bounded> {
        let mut chunk = [0u8; 16 * 1024];
        loop {
            match reader.read(&mut chunk) {
                Ok(0) => return Ok(self.finish()),
                Ok(n) => self.push(&chunk[..n])?,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Bounded::Io(e)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stops_at_the_limit_on_an_endless_reader() {
        let endless = io::repeat(b'x');
        assert!(matches!(
            Collector::new(1000).read_all(endless),
            Err(Bounded::Over { limit: 1000 })
        ));
        assert_eq!(Collector::new(3).read_all(&b"abc"[..]).unwrap(), b"abc");
    }
}
