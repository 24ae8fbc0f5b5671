//! A reader wrapper that remembers the first error of the stream below an archive parser.
//!
//! Archive parsers (the `tar` crate, the zip walker) wrap or rephrase the errors of their
//! input. To report a failing *stream* (truncated gzip, digest mismatch, bomb guard) apart
//! from a corrupt *archive*, the input goes through a [`Tap`]: on the first error it keeps
//! the original `io::Error` in a shared [`TapState`] and hands the parser a stand-in with the
//! same kind. The walk then reports the original.

use std::cell::{Cell, RefCell};
use std::io::{self, Read};
use std::rc::Rc;

/// Shared between a [`Tap`] and the walk that owns it.
#[derive(Debug, Default)]
pub(crate) struct TapState {
    pos: Cell<u64>,
    failed_at: Cell<Option<u64>>,
    failure: RefCell<Option<io::Error>>,
}

impl TapState {
    /// Bytes read successfully so far.
    pub(crate) fn pos(&self) -> u64 {
        self.pos.get()
    }

    /// Whether the stream failed.
    pub(crate) fn failed(&self) -> bool {
        self.failed_at.get().is_some()
    }

    /// Take the original error and the offset it happened at, if the stream failed and the
    /// error was not taken before (it can only be moved out once; [`TapState::failed`] stays
    /// true).
    pub(crate) fn take_failure(&self) -> Option<(u64, io::Error)> {
        let at = self.failed_at.get()?;
        let err = self.failure.borrow_mut().take()?;
        Some((at, err))
    }
}

/// Marker payload of the stand-in error a [`Tap`] gives its parser.
#[derive(Debug, thiserror::Error)]
#[error("the underlying stream failed")]
pub(crate) struct StreamFailed;

/// See the module docs.
pub(crate) struct Tap<R> {
    inner: R,
    state: Rc<TapState>,
}

impl<R: Read> Tap<R> {
    pub(crate) fn new(inner: R) -> (Self, Rc<TapState>) {
        let state = Rc::new(TapState::default());
        (Tap { inner, state: Rc::clone(&state) }, state)
    }
}

impl<R: Read> Read for Tap<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.state.failed() {
            return Err(io::Error::other(StreamFailed));
        }
        loop {
            match self.inner.read(buf) {
                Ok(n) => {
                    self.state.pos.set(self.state.pos.get() + n as u64);
                    return Ok(n);
                }
                // Retried here because archive parsers (the `tar` crate among them) treat
                // `Interrupted` as fatal.
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let kind = e.kind();
                    self.state.failed_at.set(Some(self.state.pos.get()));
                    *self.state.failure.borrow_mut() = Some(e);
                    return Err(io::Error::new(kind, StreamFailed));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Failing(u8);
    impl Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.0 == 0 {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "boom"));
            }
            self.0 -= 1;
            buf[0] = 1;
            Ok(1)
        }
    }

    #[test]
    fn keeps_original_error_and_offset() {
        let (mut tap, state) = Tap::new(Failing(3));
        let mut v = Vec::new();
        let e = tap.read_to_end(&mut v).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
        assert_eq!(v.len(), 3);
        let (at, orig) = state.take_failure().unwrap();
        assert_eq!(at, 3);
        assert_eq!(orig.to_string(), "boom");
        assert!(tap.read(&mut [0]).is_err());
    }
}
