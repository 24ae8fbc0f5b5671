//! Short reads on purpose.

use std::io::{self, Read};

/// A reader that returns between 1 and `max` bytes per read, and sometimes
/// [`io::ErrorKind::Interrupted`], decided by a seeded xorshift generator: exercises every
/// consumer's handling of short reads reproducibly (the partial-read torture of
/// `tar:tests/all.rs`).
#[derive(Debug)]
pub struct RandomReader<R> {
    inner: R,
    state: u64,
    max: usize,
}

impl<R: Read> RandomReader<R> {
    /// Reads of 1 to `max` bytes from `inner`, one in eleven interrupted.
    pub fn new(inner: R, seed: u64, max: usize) -> RandomReader<R> {
        RandomReader { inner, state: seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1, max: max.max(1) }
    }

    fn next(&mut self) -> u64 {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        self.state
    }
}

impl<R: Read> Read for RandomReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let roll = self.next();
        if roll.is_multiple_of(11) {
            return Err(io::Error::new(io::ErrorKind::Interrupted, "interrupted for the test"));
        }
        let len = buf.len().min(1 + usize::try_from(roll % self.max as u64).unwrap());
        self.inner.read(&mut buf[..len])
    }
}
