//! The raw-deflate engine under the gzip framing of [`crate::gzip`]: Intel ISA-L with the
//! `isal` feature (the default; faster than zlib-rs on x86-64, see benches/runs/), else
//! zlib-rs through flate2 (for platforms where ISA-L does not build:
//! `--no-default-features`).
//!
//! Both behave the same to the framing: each call inflates what it can, says how much
//! input it took and output it gave and whether the deflate stream ended, and at the end
//! gives back the input it took beyond the deflate data (ISA-L reads ahead into its bit
//! buffer; zlib stops exactly at the end).

use std::io;

/// What one [`RawInflate::step`] did.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Step {
    /// Input bytes taken.
    pub(crate) consumed: usize,
    /// Output bytes written to the front of the output buffer.
    pub(crate) produced: usize,
    /// The deflate stream ended.
    pub(crate) finished: bool,
}

/// A raw-deflate inflater (see the module docs).
#[derive(Debug)]
pub(crate) struct RawInflate {
    #[cfg(feature = "isal")]
    inner: layerleak_isal::Inflater,
    #[cfg(not(feature = "isal"))]
    inner: flate2::Decompress,
}

impl RawInflate {
    /// An inflater at the start of a deflate stream.
    pub(crate) fn new() -> RawInflate {
        #[cfg(feature = "isal")]
        let inner = layerleak_isal::Inflater::new();
        #[cfg(not(feature = "isal"))]
        let inner = flate2::Decompress::new(false);
        RawInflate { inner }
    }

    /// Starts the next deflate stream.
    pub(crate) fn reset(&mut self) {
        #[cfg(feature = "isal")]
        self.inner.reset();
        #[cfg(not(feature = "isal"))]
        self.inner.reset(false);
    }

    /// Inflates from `input` into `out`; `eof` says no input follows `input`.
    ///
    /// # Errors
    ///
    /// Corrupt deflate data, as [`io::ErrorKind::InvalidInput`].
    pub(crate) fn step(&mut self, input: &[u8], out: &mut [u8], eof: bool) -> io::Result<Step> {
        #[cfg(feature = "isal")]
        {
            let _ = eof;
            let p = self
                .inner
                .inflate(input, out)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
            Ok(Step { consumed: p.consumed, produced: p.produced, finished: p.finished })
        }
        #[cfg(not(feature = "isal"))]
        {
            use flate2::{FlushDecompress, Status};
            let (in_before, out_before) = (self.inner.total_in(), self.inner.total_out());
            let flush = if eof { FlushDecompress::Finish } else { FlushDecompress::None };
            let status = self
                .inner
                .decompress(input, out, flush)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
            let consumed = usize::try_from(self.inner.total_in() - in_before)
                .expect("inflate consumes at most its input");
            let produced = usize::try_from(self.inner.total_out() - out_before)
                .expect("inflate produces at most its output");
            Ok(Step { consumed, produced, finished: status == Status::StreamEnd })
        }
    }

    /// After the stream [finished](Step::finished): the input taken beyond the deflate
    /// data, which comes before any input not taken (at most 8 bytes).
    pub(crate) fn take_unused(&mut self) -> Vec<u8> {
        #[cfg(feature = "isal")]
        return self.inner.take_unused();
        #[cfg(not(feature = "isal"))]
        Vec::new()
    }
}
