//! A streaming raw-deflate (RFC 1951) inflater over Intel ISA-L's `igzip`, behind a safe
//! API.
//!
//! ISA-L's inflate is hand-written assembly, faster than zlib on x86-64. This crate only
//! inflates: the caller frames the stream (a gzip member's header and trailer), hands
//! [`Inflater::inflate`] whatever input it has and an output buffer, and learns how much
//! was consumed and produced and whether the deflate stream ended. At the end, the input ISA-L had already
//! taken into its bit buffer but not used (at most 8 bytes: the start of a gzip trailer) is
//! given back by [`Inflater::take_unused`], so the caller reads on exactly where the
//! deflate data stopped.
//!
//! Memory: one boxed ISA-L state (about 85 KiB), nothing else.

use std::fmt;
use std::mem::MaybeUninit;

use isal_sys::igzip_lib as ffi;

/// Why inflating failed: the deflate data is invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InflateError {
    /// An invalid block header or block type.
    #[error("corrupt deflate stream: invalid block")]
    InvalidBlock,
    /// A Huffman code that decodes to no symbol.
    #[error("corrupt deflate stream: invalid symbol")]
    InvalidSymbol,
    /// A back reference before the start of the output.
    #[error("corrupt deflate stream: invalid distance too far back")]
    InvalidLookback,
    /// Any other failure ISA-L reports, with its code.
    #[error("corrupt deflate stream: ISA-L error {0}")]
    Other(i32),
}

/// What one [`Inflater::inflate`] call did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Input bytes taken (some may be given back by [`Inflater::take_unused`] at the end).
    pub consumed: usize,
    /// Output bytes written to the front of the output buffer.
    pub produced: usize,
    /// The deflate stream's last block ended: nothing more will be produced until
    /// [`Inflater::reset`].
    pub finished: bool,
}

/// A raw-deflate inflater (see the crate docs).
pub struct Inflater {
    state: Box<ffi::inflate_state>,
}

impl fmt::Debug for Inflater {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inflater")
            .field("block_state", &self.state.block_state)
            .field("total_out", &self.state.total_out)
            .finish_non_exhaustive()
    }
}

#[allow(unsafe_code)]
// SAFETY: the state's only pointers, `next_in` and `next_out`, are null between calls
// (`inflate` sets them for its call and clears them before it returns); the rest is plain
// data owned by the box. So the state can move to another thread.
unsafe impl Send for Inflater {}

impl Default for Inflater {
    fn default() -> Self {
        Self::new()
    }
}

impl Inflater {
    /// An inflater at the start of a raw deflate stream.
    #[must_use]
    pub fn new() -> Inflater {
        let mut uninit: Box<MaybeUninit<ffi::inflate_state>> = Box::new_uninit();
        #[allow(unsafe_code)]
        // SAFETY: `isal_inflate_init` writes every field of the state it is given (it
        // zeroes the whole structure first), so the state is initialised after it; the box
        // gives it a stable address for the pointers ISA-L keeps into its own buffers.
        let mut state = unsafe {
            ffi::isal_inflate_init(uninit.as_mut_ptr());
            uninit.assume_init()
        };
        state.crc_flag = ffi::ISAL_DEFLATE;
        state.next_in = std::ptr::null_mut();
        state.next_out = std::ptr::null_mut();
        Inflater { state }
    }

    /// Starts a new raw deflate stream (the next gzip member's body).
    pub fn reset(&mut self) {
        #[allow(unsafe_code)]
        // SAFETY: the state is initialised and exclusively borrowed.
        unsafe {
            ffi::isal_inflate_reset(&raw mut *self.state);
        }
        self.state.crc_flag = ffi::ISAL_DEFLATE;
    }

    /// Inflates from `input` into `out`.
    ///
    /// Returns as soon as the input is used up, the output is full or the stream ended.
    /// An empty `input` only flushes what ISA-L holds. Buffers larger than 4 GiB are used
    /// only up to 4 GiB.
    ///
    /// # Errors
    ///
    /// The deflate data is invalid; the inflater must then not be used again before
    /// [`Inflater::reset`].
    pub fn inflate(&mut self, input: &[u8], out: &mut [u8]) -> Result<Progress, InflateError> {
        if self.finished() {
            return Ok(Progress { consumed: 0, produced: 0, finished: true });
        }
        let avail_in = u32::try_from(input.len()).unwrap_or(u32::MAX);
        let avail_out = u32::try_from(out.len()).unwrap_or(u32::MAX);
        let state = &mut *self.state;
        // ISA-L takes `*mut` input, but never writes through it.
        state.next_in = input.as_ptr().cast_mut();
        state.avail_in = avail_in;
        state.next_out = out.as_mut_ptr();
        state.avail_out = avail_out;
        #[allow(unsafe_code)]
        // SAFETY: `next_in`/`avail_in` describe `input`, and `next_out`/`avail_out` `out`,
        // both borrowed for this call; ISA-L reads at most `avail_in` bytes and writes at
        // most `avail_out` bytes through them, and its other pointers point into the boxed
        // state itself. The pointers are cleared below, before the borrows end.
        let ret = unsafe { ffi::isal_inflate(state) };
        let consumed = (avail_in - state.avail_in) as usize;
        let produced = (avail_out - state.avail_out) as usize;
        state.next_in = std::ptr::null_mut();
        state.avail_in = 0;
        state.next_out = std::ptr::null_mut();
        state.avail_out = 0;
        match ret {
            0 => Ok(Progress { consumed, produced, finished: self.finished() }),
            ffi::ISAL_INVALID_BLOCK => Err(InflateError::InvalidBlock),
            ffi::ISAL_INVALID_SYMBOL => Err(InflateError::InvalidSymbol),
            ffi::ISAL_INVALID_LOOKBACK => Err(InflateError::InvalidLookback),
            code => Err(InflateError::Other(code)),
        }
    }

    /// Whether the deflate stream's last block ended.
    fn finished(&self) -> bool {
        self.state.block_state == ffi::isal_block_state_ISAL_BLOCK_FINISH
    }

    /// Once the stream [finished](Progress::finished): the input bytes that were consumed
    /// but follow the deflate data, in order (at most 8). They come before any input not
    /// consumed. Empty before the end, and after the first call.
    pub fn take_unused(&mut self) -> Vec<u8> {
        if !self.finished() {
            return Vec::new();
        }
        let state = &mut *self.state;
        // The bits left in the bit buffer after the final block: first the rest of the
        // byte that held its end (padding), then whole bytes of what follows.
        let len = u32::try_from(state.read_in_length).unwrap_or(0);
        let bytes = (state.read_in >> (len % 8)).to_le_bytes();
        state.read_in = 0;
        state.read_in_length = 0;
        bytes[..(len / 8) as usize].to_vec()
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use flate2::Compression;
    use flate2::write::DeflateEncoder;

    use super::*;

    fn deflate(data: &[u8], level: u32) -> Vec<u8> {
        let mut e = DeflateEncoder::new(Vec::new(), Compression::new(level));
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn sample(len: usize) -> Vec<u8> {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        (0..len)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                if i % 61 == 0 { b'\n' } else { b"abcdefgh token=0123"[(x % 19) as usize] }
            })
            .collect()
    }

    /// Inflates `stream` fed `cap` bytes at a time into `chunk`-byte outputs; returns the
    /// output and the bytes after the deflate data (given back plus never consumed).
    fn run(stream: &[u8], cap: usize, chunk: usize) -> Result<(Vec<u8>, Vec<u8>), InflateError> {
        let mut inf = Inflater::new();
        let (mut out, mut pos) = (Vec::new(), 0);
        let mut buf = vec![0u8; chunk];
        loop {
            let end = (pos + cap).min(stream.len());
            let p = inf.inflate(&stream[pos..end], &mut buf)?;
            pos += p.consumed;
            out.extend_from_slice(&buf[..p.produced]);
            if p.finished {
                let mut rest = inf.take_unused();
                rest.extend_from_slice(&stream[pos..]);
                return Ok((out, rest));
            }
            if p.consumed == 0 && p.produced == 0 && end == stream.len() {
                return Err(InflateError::Other(0));
            }
        }
    }

    #[test]
    fn inflates_and_gives_back_what_follows_at_any_buffer_size() {
        let trailer = b"TRAILER!and more after it";
        for level in [0, 1, 6, 9] {
            for data in [sample(300_000), sample(7), Vec::new()] {
                let mut stream = deflate(&data, level);
                stream.extend_from_slice(trailer);
                for (cap, chunk) in [(1, 1), (3, 7), (1, 65_536), (65_536, 1), (65_536, 262_144)] {
                    let (out, rest) = run(&stream, cap, chunk).unwrap();
                    assert!(out == data, "level {level} cap {cap} chunk {chunk}");
                    assert_eq!(rest, trailer, "level {level} cap {cap} chunk {chunk}");
                }
            }
        }
    }

    #[test]
    fn reset_starts_a_new_stream() {
        let (a, b) = (sample(70_000), sample(5_000));
        let mut inf = Inflater::new();
        for data in [&a, &b] {
            let stream = deflate(data, 6);
            let mut out = vec![0u8; data.len() + 1];
            let p = inf.inflate(&stream, &mut out).unwrap();
            assert!(p.finished);
            assert_eq!(&out[..p.produced], &data[..]);
            inf.reset();
        }
    }

    #[test]
    fn corrupt_data_is_an_error() {
        let mut stream = deflate(&sample(50_000), 6);
        for b in &mut stream[10..50] {
            *b = 0xff;
        }
        assert!(run(&stream, 4096, 4096).is_err());
    }

    #[test]
    fn truncated_data_never_finishes() {
        let stream = deflate(&sample(50_000), 6);
        let cut = &stream[..stream.len() / 2];
        let mut inf = Inflater::new();
        let mut out = vec![0u8; 200_000];
        let p = inf.inflate(cut, &mut out).unwrap();
        assert_eq!(p.consumed, cut.len());
        assert!(!p.finished);
        // Without more input, what ISA-L still holds comes out, then nothing.
        let mut produced = 1;
        for _ in 0..10 {
            let again = inf.inflate(&[], &mut out).unwrap();
            assert!(!again.finished);
            produced = again.produced;
            if produced == 0 {
                break;
            }
        }
        assert_eq!(produced, 0);
    }
}
