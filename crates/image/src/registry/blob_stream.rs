//! A blob body downloaded by a tokio task and read synchronously.

use std::io::{self, Read};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::{Response, StatusCode};
use tokio::sync::mpsc;

use crate::digest::Digest;
use crate::error::Error;
use crate::registry::RegistryError;
use crate::registry::transport::{Target, Transport, error_chain};

/// How many chunks (each as the connection delivered it, typically 8–64 KiB) may wait
/// between the download task and the reader: the per-blob memory bound.
pub(crate) const CHANNEL_CHUNKS: usize = 16;

/// The reading end: a synchronous [`Read`] over the chunks the task sends.
///
/// A download failure arrives as an `io::Error` wrapping an [`Error::Registry`]. Dropping
/// the reader closes the channel, which stops the task.
#[derive(Debug)]
pub(crate) struct ChannelReader {
    rx: mpsc::Receiver<io::Result<Bytes>>,
    current: Bytes,
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        while self.current.is_empty() {
            match self.rx.blocking_recv() {
                None => return Ok(0),
                Some(Ok(chunk)) => self.current = chunk,
                Some(Err(e)) => return Err(e),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current.split_to(n));
        Ok(n)
    }
}

/// Starts streaming blob `digest` (`size` bytes) from `first`, the response to its GET:
/// returns the reader; the task runs on the current runtime. The download fails with
/// [`RegistryError::Deadline`] once it has waited for the registry longer in all than the
/// deadline for the bytes received so far (see
/// [`RegistryOptions::blob_deadline`](crate::registry::RegistryOptions::blob_deadline)).
///
/// When the connection fails mid-body, the task asks again from the first byte not yet
/// delivered (`Range: bytes=N-`), up to the transport's attempt count; a registry that
/// ignores the range and sends the whole blob has its first N bytes skipped. Digest and
/// size are not checked here: the caller wraps the reader in a
/// [`VerifyingReader`](crate::VerifyingReader).
pub(crate) fn spawn(
    runtime: &tokio::runtime::Handle,
    transport: Arc<Transport>,
    digest: Digest,
    size: u64,
    first: Response,
) -> ChannelReader {
    let (tx, rx) = mpsc::channel(CHANNEL_CHUNKS);
    runtime.spawn(async move {
        if let Err(e) = pump(&transport, &digest, size, first, &tx).await {
            // The reader may be gone; then nobody needs the error.
            let _ = tx.send(Err(io::Error::other(Error::Registry(e)))).await;
        }
    });
    ChannelReader { rx, current: Bytes::new() }
}

async fn pump(
    transport: &Transport,
    digest: &Digest,
    size: u64,
    first: Response,
    tx: &mpsc::Sender<io::Result<Bytes>>,
) -> Result<(), RegistryError> {
    let mut delivered: u64 = 0;
    let mut response = first;
    // Bytes of the current response to drop (a 200 answered to a range request).
    let mut skip: u64 = 0;
    let mut failures: u32 = 0;
    // Only the time spent waiting for the registry counts against the deadline, not the
    // time the reader (the scan) takes to accept what was delivered.
    // The allowance grows with the bytes received, not with the size the manifest
    // declares: a registry that trickles is cut off after the request deadline.
    let mut waited = Duration::ZERO;
    loop {
        let allowance = transport.blob_deadline(delivered);
        let started = Instant::now();
        let next = tokio::time::timeout(allowance.saturating_sub(waited), response.chunk()).await;
        waited += started.elapsed();
        let Ok(next) = next else {
            return Err(RegistryError::Deadline {
                registry: transport.host().to_owned(),
                what: format!("blob {digest}"),
                seconds: allowance.as_secs_f64(),
            });
        };
        match next {
            Ok(Some(mut chunk)) => {
                if skip > 0 {
                    let drop = skip.min(chunk.len() as u64);
                    skip -= drop;
                    // `drop` ≤ chunk.len(), so it fits in usize.
                    let _ = chunk.split_to(usize::try_from(drop).unwrap_or(chunk.len()));
                    if chunk.is_empty() {
                        continue;
                    }
                }
                delivered += chunk.len() as u64;
                if tx.send(Ok(chunk)).await.is_err() {
                    return Ok(());
                }
            }
            Ok(None) => return Ok(()),
            Err(e) => {
                failures += 1;
                if failures >= transport.attempts() || delivered >= size {
                    return Err(transport.transport_error(
                        Target::Blob(digest),
                        failures,
                        error_chain(&e),
                    ));
                }
                tokio::time::sleep(transport.backoff(failures)).await;
                let started = Instant::now();
                response = transport.get(Target::Blob(digest), delivered).await?;
                waited += started.elapsed();
                skip = if response.status() == StatusCode::PARTIAL_CONTENT { 0 } else { delivered };
            }
        }
    }
}
