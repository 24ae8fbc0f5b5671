//! [`walk_layer_threaded`]: a layer read and decompressed on other threads while the caller
//! walks it; [`walk_layer_offloaded`]: the caller reads while the others decompress and
//! walk.
//!
//! Decompression is the bound of a layer scan: it cannot be split, and everything around
//! it (reading and hashing the blob before, the tar walk and the rules after) is as much
//! work again. So each stage gets its own thread: one reads the blob (a verifying reader
//! hashes it there), one inflates, and the caller's walks and scans, and on two cores the
//! inflating thread never waits for the others. Stages are joined by bounded pipes of
//! [`PIPE_BUFFERS`] buffers of [`PIPE_BUFFER_BYTES`] that travel back once read, so memory
//! is fixed and no chunk is allocated.

use std::io::{self, Read};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};

use crate::compression::decompress;
use crate::entry::Entry;
use crate::error::LayerError;
use crate::limits::Limits;
use crate::walk::{Flow, WalkSummary, walk_limited};

/// How many buffers circulate in each pipe between two stages.
pub const PIPE_BUFFERS: usize = 4;

/// The size of each buffer of a pipe, in bytes.
pub const PIPE_BUFFER_BYTES: usize = 256 * 1024;

/// What a stage hands to the next.
enum Message {
    /// A buffer holding `len` bytes of the stream.
    Data(Vec<u8>, usize),
    /// The stream ended (and, for the decompressed stream, the blob was read to its end).
    End,
    /// The stream failed (decoder, limit, source or digest error): nothing follows.
    Failed(io::Error),
}

/// Like [`walk_layer`](crate::walk_layer), with the blob read on a second thread and
/// decompressed on a third; `visit` runs on the calling thread.
///
/// The walk sees exactly the bytes and errors it would see without the threads: a decoder
/// error, a [`Limits`] guard or an error of `blob` (such as a digest mismatch found by a
/// verifying reader at its end) arrives after every byte decoded before it, and is
/// returned as [`LayerError::Stream`]. Once the uncompressed stream ends, `blob` itself is
/// read to its end, so a verifying reader below always reaches its check; a failure there
/// is a [`LayerError::Stream`] at the end of the stream.
///
/// When the walk ends early (an error, [`Flow::Stop`]), the other threads stop at their
/// next buffer; this function returns once they have.
///
/// # Errors
///
/// As [`walk`](crate::walk()). If a thread cannot be started, a [`LayerError::Stream`] at offset 0 with
/// the system's error, before any entry. If another thread panics, the walk fails with a
/// [`LayerError::Stream`] at the point it reached; the panic goes no further.
///
/// # Memory usage
///
/// Two pipes of [`PIPE_BUFFERS`] × [`PIPE_BUFFER_BYTES`] plus the decompressor's own (see
/// [`Decompressor`](crate::Decompressor)).
///
/// # Example
///
/// ```
/// use std::io::Write;
/// use layerleak_layer::{walk_layer_threaded, Flow, LayerError, Limits};
///
/// let mut tar = tar::Builder::new(flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast()));
/// let mut h = tar::Header::new_gnu();
/// h.set_size(2);
/// h.set_cksum();
/// tar.append_data(&mut h, "etc/motd", &b"hi"[..])?;
/// let blob = tar.into_inner()?.finish()?;
///
/// let mut paths = Vec::new();
/// walk_layer_threaded(&blob[..], &Limits::default(), |entry| {
///     paths.push(entry.path().as_bstr().to_owned());
///     Ok::<_, LayerError>(Flow::Continue)
/// })?;
/// assert_eq!(paths, ["etc/motd"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn walk_layer_threaded<R, F, E>(blob: R, limits: &Limits, visit: F) -> Result<WalkSummary, E>
where
    R: Read + Send,
    F: FnMut(Entry<'_>) -> Result<Flow, E>,
    E: From<LayerError>,
{
    let (raw_pump, raw) = pipe();
    let (tar_pump, tar) = pipe();
    let limits = *limits;
    std::thread::scope(|s| {
        let not_started = |source| E::from(LayerError::Stream { offset: 0, source });
        let read = std::thread::Builder::new()
            .name("layer-read".to_owned())
            .spawn_scoped(s, move || raw_pump.run(blob, |_| Ok(())))
            .map_err(not_started)?;
        let inflate = std::thread::Builder::new()
            .name("layer-inflate".to_owned())
            .spawn_scoped(s, move || match decompress(raw, &limits) {
                Ok(stream) => tar_pump
                    .run(stream, |stream| io::copy(stream.source_mut(), &mut io::sink()).map(drop)),
                Err(e) => tar_pump.fail(e),
            })
            .map_err(not_started)?;
        let result = walk_limited(tar, &limits, visit);
        // Joined here, so a panic there is not propagated: the walk has already failed
        // with `PumpStopped`, as the pipe closed without an end.
        let _ = (read.join(), inflate.join());
        result
    })
}

/// Like [`walk_layer_threaded`], with the roles turned: the calling thread reads `blob`
/// into the pipe, a second thread decompresses and a third walks, calling `visit` there.
///
/// For a blob that cannot leave the calling thread: a member of a one-pass archive
/// stream (a `docker save` tarball read from a container engine) borrows the archive
/// reader. Only its bytes cross threads, in the pipe's recycled buffers, so the
/// decompression and the scan run beside the reading (and whatever the reader does, such
/// as hashing) as they do for a blob on disk. `blob` is read to its end unless the walk
/// stops early (an error, [`Flow::Stop`]); then reading stops at the next buffer, as for
/// [`walk_layer_threaded`].
///
/// # Errors
///
/// As [`walk_layer_threaded`].
///
/// # Panics
///
/// A panic in `visit` is resumed on the calling thread once the other threads have ended.
///
/// # Memory usage
///
/// As [`walk_layer_threaded`].
///
/// # Example
///
/// ```
/// use std::io::Read;
/// use layerleak_layer::{walk_layer_offloaded, Flow, LayerError, Limits};
///
/// let mut tar = tar::Builder::new(Vec::new());
/// let mut h = tar::Header::new_gnu();
/// h.set_size(2);
/// h.set_cksum();
/// tar.append_data(&mut h, "etc/motd", &b"hi"[..])?;
/// let blob = tar.into_inner()?;
///
/// let mut reader: &mut dyn Read = &mut &blob[..];
/// let mut paths = Vec::new();
/// walk_layer_offloaded(&mut reader, &Limits::default(), |entry| {
///     paths.push(entry.path().as_bstr().to_owned());
///     Ok::<_, LayerError>(Flow::Continue)
/// })?;
/// assert_eq!(paths, ["etc/motd"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn walk_layer_offloaded<F, E>(
    blob: &mut dyn Read,
    limits: &Limits,
    visit: F,
) -> Result<WalkSummary, E>
where
    F: FnMut(Entry<'_>) -> Result<Flow, E> + Send,
    E: From<LayerError> + Send,
{
    let (raw_pump, raw) = pipe();
    let (tar_pump, tar) = pipe();
    let limits = *limits;
    std::thread::scope(|s| {
        let not_started = |source| E::from(LayerError::Stream { offset: 0, source });
        let inflate = std::thread::Builder::new()
            .name("layer-inflate".to_owned())
            .spawn_scoped(s, move || match decompress(raw, &limits) {
                Ok(stream) => tar_pump
                    .run(stream, |stream| io::copy(stream.source_mut(), &mut io::sink()).map(drop)),
                Err(e) => tar_pump.fail(e),
            })
            .map_err(not_started)?;
        let walker = std::thread::Builder::new()
            .name("layer-walk".to_owned())
            .spawn_scoped(s, move || walk_limited(tar, &limits, visit))
            .map_err(not_started)?;
        raw_pump.run(blob, |_| Ok(()));
        let result = walker.join();
        let _ = inflate.join();
        result.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// A bounded pipe of recycled buffers: the writing and the reading end.
fn pipe() -> (Pump, PipeReader) {
    let (full_tx, full_rx) = mpsc::sync_channel(PIPE_BUFFERS);
    let (empty_tx, empty_rx) = mpsc::channel();
    (
        Pump { full: full_tx, empty: empty_rx, allocated: 0 },
        PipeReader { full: full_rx, empty: empty_tx, buf: Vec::new(), pos: 0, len: 0, end: None },
    )
}

/// The writing end of a pipe: fills buffers from a source and sends them.
struct Pump {
    full: SyncSender<Message>,
    empty: Receiver<Vec<u8>>,
    /// Buffers allocated so far (at most [`PIPE_BUFFERS`]).
    allocated: usize,
}

impl Pump {
    /// Copies `source` into the pipe until its end (then calls `finish` on it), an error,
    /// or the reader going away.
    fn run<S: Read>(mut self, mut source: S, finish: impl FnOnce(&mut S) -> io::Result<()>) {
        loop {
            let Some(mut buf) = self.buffer() else { return };
            let (len, result) = fill(&mut source, &mut buf);
            if len > 0 && self.full.send(Message::Data(buf, len)).is_err() {
                return;
            }
            match result {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return self.fail(e),
            }
        }
        let last = match finish(&mut source) {
            Ok(()) => Message::End,
            Err(e) => Message::Failed(e),
        };
        // The reader may be gone already: then nobody needs to know.
        let _ = self.full.send(last);
    }

    /// Ends the stream with `error`.
    fn fail(self, error: io::Error) {
        let _ = self.full.send(Message::Failed(error));
    }

    /// An empty buffer: a new one while fewer than [`PIPE_BUFFERS`] exist, else one the
    /// reader gave back. `None` when the reader is gone.
    fn buffer(&mut self) -> Option<Vec<u8>> {
        if self.allocated < PIPE_BUFFERS {
            self.allocated += 1;
            return Some(vec![0; PIPE_BUFFER_BYTES]);
        }
        self.empty.recv().ok()
    }
}

/// Reads into `buf` until it is full or the stream ends or fails. Returns how many bytes
/// were read and whether more may follow (`Ok(true)`), the stream ended (`Ok(false)`) or it
/// failed after those bytes.
fn fill(stream: &mut impl Read, buf: &mut [u8]) -> (usize, io::Result<bool>) {
    let mut len = 0;
    while len < buf.len() {
        match stream.read(&mut buf[len..]) {
            Ok(0) => return (len, Ok(false)),
            Ok(n) => len += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return (len, Err(e)),
        }
    }
    (len, Ok(true))
}

/// The reading end of a pipe: reads the buffers in order and gives them back.
struct PipeReader {
    full: Receiver<Message>,
    empty: Sender<Vec<u8>>,
    buf: Vec<u8>,
    pos: usize,
    len: usize,
    /// How the stream ended, once it has: `Ok(())` at its end, else the kind of its error.
    end: Option<Result<(), io::ErrorKind>>,
}

impl PipeReader {
    /// Makes the next buffer current. `Ok(false)` at the end of the stream.
    fn next_buffer(&mut self) -> io::Result<bool> {
        match self.end {
            Some(Ok(())) => return Ok(false),
            Some(Err(kind)) => {
                return Err(io::Error::new(
                    kind,
                    "the stream failed earlier; no more data can be read",
                ));
            }
            None => {}
        }
        if !self.buf.is_empty() {
            // The pump may have stopped already; the buffer is simply dropped then.
            let _ = self.empty.send(std::mem::take(&mut self.buf));
        }
        match self.full.recv() {
            Ok(Message::Data(buf, len)) => {
                self.buf = buf;
                self.pos = 0;
                self.len = len;
                Ok(true)
            }
            Ok(Message::End) => {
                self.end = Some(Ok(()));
                Ok(false)
            }
            Ok(Message::Failed(e)) => {
                self.end = Some(Err(e.kind()));
                Err(e)
            }
            Err(mpsc::RecvError) => {
                self.end = Some(Err(io::ErrorKind::Other));
                Err(io::Error::other(PumpStopped))
            }
        }
    }
}

/// A stage's thread ended without saying how the stream ended (it panicked).
#[derive(Debug, thiserror::Error)]
#[error("a reading or decompressing thread stopped before the end of the layer")]
struct PumpStopped;

impl Read for PipeReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        if self.pos == self.len && !self.next_buffer()? {
            return Ok(0);
        }
        let n = (self.len - self.pos).min(out.len());
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Yields `data`, then fails with `error` instead of ending.
    struct FailsAtEnd<'a> {
        data: &'a [u8],
        error: Option<io::Error>,
    }

    impl Read for FailsAtEnd<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.data.is_empty() {
                return match self.error.take() {
                    Some(e) => Err(e),
                    None => Ok(0),
                };
            }
            let n = self.data.len().min(buf.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    fn tar_of(files: &[(&str, usize)]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (i, (name, size)) in files.iter().enumerate() {
            let mut h = tar::Header::new_gnu();
            h.set_size(*size as u64);
            h.set_cksum();
            let body: Vec<u8> = (0..*size).map(|k| (k * 31 + i).to_le_bytes()[0]).collect();
            b.append_data(&mut h, name, &body[..]).unwrap();
        }
        b.into_inner().unwrap()
    }

    /// What a walk delivered: each file's path and content, and how it ended.
    type Walked = (Vec<(String, Vec<u8>)>, Result<WalkSummary, LayerError>);

    fn contents(blob: impl Read + Send, limits: &Limits) -> Walked {
        let mut seen = Vec::new();
        let result = walk_layer_threaded(blob, limits, |entry| {
            let (meta, content) = entry.into_parts();
            let mut body = Vec::new();
            content
                .read_to_end(&mut body)
                .map_err(|source| LayerError::Stream { offset: 0, source })?;
            seen.push((meta.path().as_bstr().to_string(), body));
            Ok::<_, LayerError>(Flow::Continue)
        });
        (seen, result)
    }

    #[test]
    fn delivers_the_same_entries_as_the_single_thread_walk() {
        // Several pipe buffers' worth, so buffers are recycled.
        let layer =
            tar_of(&[("a", 3 * PIPE_BUFFER_BYTES + 17), ("b", 5), ("c", 2 * PIPE_BUFFER_BYTES)]);
        let (seen, result) = contents(&layer[..], &Limits::default());
        let summary = result.unwrap();
        let mut expected = Vec::new();
        let single = crate::walk_layer(&layer[..], &Limits::default(), |entry| {
            let (meta, content) = entry.into_parts();
            let mut body = Vec::new();
            content
                .read_to_end(&mut body)
                .map_err(|source| LayerError::Stream { offset: 0, source })?;
            expected.push((meta.path().as_bstr().to_string(), body));
            Ok::<_, LayerError>(Flow::Continue)
        })
        .unwrap();
        assert_eq!(seen, expected);
        assert_eq!(summary, single);
    }

    #[test]
    fn an_error_at_the_end_of_the_blob_arrives_after_every_byte() {
        let layer = tar_of(&[("a", PIPE_BUFFER_BYTES + 1)]);
        let blob = FailsAtEnd {
            data: &layer,
            error: Some(io::Error::new(io::ErrorKind::InvalidData, "digest mismatch")),
        };
        let (seen, result) = contents(blob, &Limits::default());
        assert_eq!(seen.len(), 1, "{result:?}");
        match result.unwrap_err() {
            LayerError::Stream { offset, source } => {
                assert_eq!(offset, layer.len() as u64);
                assert_eq!(source.kind(), io::ErrorKind::InvalidData);
                // Wrapped by the decompressor, as without the threads.
                let decode = crate::find_cause::<crate::DecodeError>(&source).unwrap();
                assert_eq!(decode.compressed_offset, layer.len() as u64);
                let cause = std::error::Error::source(decode).unwrap();
                assert_eq!(cause.to_string(), "digest mismatch");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn a_limit_fails_the_walk_as_without_the_thread() {
        let layer = tar_of(&[("a", 4 * PIPE_BUFFER_BYTES), ("b", 10)]);
        let limits = Limits::default().with_max_layer_bytes(PIPE_BUFFER_BYTES as u64 + 100);
        let (seen, threaded) = contents(&layer[..], &limits);
        assert!(seen.is_empty());
        let single = crate::walk_layer(&layer[..], &limits, |entry| {
            let (_, content) = entry.into_parts();
            io::copy(content, &mut io::sink())
                .map_err(|source| LayerError::Stream { offset: 0, source })?;
            Ok::<_, LayerError>(Flow::Continue)
        });
        // Where the stream stops depends on read sizes; the limit and the bound do not.
        let (threaded, single) = (threaded.unwrap_err(), single.unwrap_err());
        assert!(matches!(threaded, LayerError::Stream { .. }));
        assert!(threaded.offset() <= PIPE_BUFFER_BYTES as u64 + 100);
        assert_eq!(threaded.limit(), single.limit());
        assert!(threaded.limit().is_some());
    }

    #[test]
    fn a_truncated_gzip_fails_as_without_the_thread() {
        let layer = tar_of(&[("a", 100_000), ("b", 3 * PIPE_BUFFER_BYTES), ("c", 10)]);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &layer).unwrap();
        let gz = gz.finish().unwrap();
        let cut = &gz[..gz.len() * 2 / 3];
        let (seen, threaded) = contents(cut, &Limits::default());
        let mut expected = Vec::new();
        let single = crate::walk_layer(cut, &Limits::default(), |entry| {
            let (meta, content) = entry.into_parts();
            let mut body = Vec::new();
            content
                .read_to_end(&mut body)
                .map_err(|source| LayerError::Stream { offset: 0, source })?;
            expected.push((meta.path().as_bstr().to_string(), body));
            Ok::<_, LayerError>(Flow::Continue)
        });
        assert_eq!(seen, expected);
        let (threaded, single) = (threaded.unwrap_err(), single.unwrap_err());
        let decode = |e: &LayerError| {
            let d = crate::find_cause::<crate::DecodeError>(e).expect("a decode error");
            (d.compression, d.source.kind())
        };
        assert!(matches!(threaded, LayerError::Stream { .. }));
        assert_eq!(decode(&threaded), decode(&single));
        assert_eq!(decode(&threaded).1, io::ErrorKind::UnexpectedEof);
    }

    #[test]
    fn a_panicking_reader_fails_the_walk_without_a_panic() {
        struct Panics;
        impl Read for Panics {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                panic!("the reader broke");
            }
        }
        let (seen, result) = contents(Panics, &Limits::default());
        assert!(seen.is_empty());
        let e = result.unwrap_err();
        assert!(matches!(e, LayerError::Stream { offset: 0, .. }));
        assert!(crate::find_cause::<PumpStopped>(&e).is_some(), "{e:?}");
    }

    #[test]
    fn stopping_early_ends_the_other_threads() {
        let layer = tar_of(&[("a", 1), ("b", 8 * PIPE_BUFFER_BYTES)]);
        let summary = walk_layer_threaded(&layer[..], &Limits::default(), |_| {
            Ok::<_, LayerError>(Flow::Stop)
        })
        .unwrap();
        assert!(summary.stopped);
    }

    /// Walks `blob` with [`walk_layer_offloaded`], reading every file.
    fn offloaded(mut blob: impl Read, limits: &Limits) -> Walked {
        let mut seen = Vec::new();
        let result = walk_layer_offloaded(&mut blob, limits, |entry| {
            let (meta, content) = entry.into_parts();
            let mut body = Vec::new();
            content
                .read_to_end(&mut body)
                .map_err(|source| LayerError::Stream { offset: 0, source })?;
            seen.push((meta.path().as_bstr().to_string(), body));
            Ok::<_, LayerError>(Flow::Continue)
        });
        (seen, result)
    }

    #[test]
    fn the_offloaded_walk_sees_what_the_threaded_walk_sees() {
        let layer =
            tar_of(&[("a", 3 * PIPE_BUFFER_BYTES + 17), ("b", 5), ("c", 2 * PIPE_BUFFER_BYTES)]);
        let gz = {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            std::io::Write::write_all(&mut e, &layer).unwrap();
            e.finish().unwrap()
        };
        for blob in [&layer, &gz] {
            let (seen, result) = offloaded(&blob[..], &Limits::default());
            let (expected, single) = contents(&blob[..], &Limits::default());
            assert_eq!(seen, expected);
            assert_eq!(result.unwrap(), single.unwrap());
        }
        // An error at the end of the blob (a digest mismatch) still comes after every byte.
        let blob = FailsAtEnd {
            data: &gz,
            error: Some(io::Error::new(io::ErrorKind::InvalidData, "digest mismatch")),
        };
        let (seen, result) = offloaded(blob, &Limits::default());
        assert_eq!(seen.len(), 3);
        let err = result.unwrap_err();
        assert_eq!(err.offset(), layer.len() as u64, "{err:?}");
    }

    #[test]
    fn the_offloaded_walk_stops_reading_when_the_walk_stops() {
        let layer = tar_of(&[("a", 10), ("b", 8 * PIPE_BUFFER_BYTES)]);
        let mut source = &layer[..];
        let summary = walk_layer_offloaded(&mut source, &Limits::default(), |_| {
            Ok::<_, LayerError>(Flow::Stop)
        })
        .unwrap();
        assert!(summary.stopped);
        // The reader stopped within the pipes' buffers, not at the end of the blob.
        let bound = 2 * (PIPE_BUFFERS + 2) * PIPE_BUFFER_BYTES;
        assert!(source.len() + bound >= layer.len(), "{} left", source.len());
        assert!(!source.is_empty());
    }
}
