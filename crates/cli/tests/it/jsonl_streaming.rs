//! JSON Lines are written image by image as each image completes: the lines of one
//! platform are out while the other platform's layer is still being read.
//!
//! The arm64 layer (a real gzip blob in a real OCI layout) is held back by a gate that
//! opens only when the amd64 image's `image` line has been flushed to the output. If the
//! report waited for the whole run, the gate would never open: it gives up after a
//! minute and the test fails, instead of hanging.

use std::io::{self, Read, Write};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use layerleak_engine::Scanner;
use layerleak_image::{BlobOpener, Descriptor, PlatformSelector};
use layerleak_report::{JsonLinesReporter, Redaction};
use layerleak_rules::Rules;
use layerleak_scan::{Pipeline, ReportSink, ScanOptions};

use crate::fixtures::{E, LayerBlob, digest, layer};
use crate::report_formats::{GH, NPM, jsonl_sequence, parse_lines, two_platforms};
use crate::schemas::{assert_valid, jsonl_v1};

/// How long the held-back layer waits for the first image's lines.
const PATIENCE: Duration = Duration::from_secs(60);

/// Opens when the first `image` line has been flushed; remembers the output at that
/// moment.
#[derive(Debug, Default)]
struct Gate {
    seen: Mutex<Option<String>>,
    opened: Condvar,
    /// Set by the held reader when it goes on: the output when the gate opened, or `None`
    /// if it gave up after [`PATIENCE`].
    released: Mutex<Option<Option<String>>>,
}

impl Gate {
    /// Waits for the gate, then records how it was released.
    fn wait(&self) {
        let seen = self.seen.lock().unwrap();
        let (seen, _) = self.opened.wait_timeout_while(seen, PATIENCE, |s| s.is_none()).unwrap();
        *self.released.lock().unwrap() = Some(seen.clone());
    }
}

/// The report's destination: a shared buffer that opens the gate when a flush has written
/// an `image` line.
struct Output {
    buf: Arc<Mutex<Vec<u8>>>,
    gate: Arc<Gate>,
}

impl Write for Output {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.lock().unwrap().extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        let text = String::from_utf8(self.buf.lock().unwrap().clone()).unwrap();
        if text.lines().any(|l| l.starts_with(r#"{"type":"image""#)) {
            let mut seen = self.gate.seen.lock().unwrap();
            if seen.is_none() {
                *seen = Some(text);
                self.gate.opened.notify_all();
            }
        }
        Ok(())
    }
}

/// The layout's opener, with the blob `held` held back until the gate opens.
#[derive(Debug)]
struct Held {
    inner: Arc<dyn BlobOpener>,
    held: String,
    gate: Arc<Gate>,
}

impl BlobOpener for Held {
    fn open(&self, desc: &Descriptor) -> layerleak_image::Result<Box<dyn Read + Send>> {
        let reader = self.inner.open(desc)?;
        if desc.digest.to_string() != self.held {
            return Ok(reader);
        }
        Ok(Box::new(GatedReader { inner: reader, gate: Some(self.gate.clone()) }))
    }
}

/// Blocks its first read until the gate opens (or gives up).
struct GatedReader {
    inner: Box<dyn Read + Send>,
    gate: Option<Arc<Gate>>,
}

impl Read for GatedReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(gate) = self.gate.take() {
            gate.wait();
        }
        self.inner.read(buf)
    }
}

#[test]
fn jsonl_lines_of_one_image_are_out_before_the_next_image_is_read() {
    let amd64 = LayerBlob::gzip(&layer(vec![E::File("app/t", format!("{GH}\n").into_bytes())]));
    let arm64 =
        LayerBlob::gzip(&layer(vec![E::File("srv/t", format!("npm {NPM}\n").into_bytes())]));
    let held = digest(&arm64.stored);
    let dir = two_platforms([amd64, arm64]);

    let mut source = layerleak_image::open_path(dir.path()).unwrap();
    let images = source.resolve(&PlatformSelector::All).unwrap();
    let gate = Arc::new(Gate::default());
    let opener = Held { inner: source.blob_opener(), held, gate: gate.clone() };
    // Two workers, whatever the cores: one is held on the arm64 layer while the other
    // scans the amd64 one.
    let pipeline = Pipeline::new(
        Scanner::new(&Rules::embedded().unwrap()).unwrap(),
        ScanOptions::new().with_workers(2),
    );
    let buf = Arc::new(Mutex::new(Vec::new()));
    let mut reporter =
        JsonLinesReporter::new(Output { buf: buf.clone(), gate: gate.clone() }, Redaction::Redact);
    let mut sink = ReportSink::new(&mut reporter, "two-platforms");
    let outcome = pipeline.scan_images_to(&images, &opener, &mut sink);
    sink.finish(&outcome.summary()).unwrap();

    let at_release = gate.released.lock().unwrap().clone().expect("the arm64 layer was read");
    let at_release = at_release.expect("the amd64 lines were flushed while arm64 was held");
    assert_eq!(
        jsonl_sequence(&parse_lines(&at_release)),
        ["begin", "finding linux/amd64", "image linux/amd64"]
    );

    let out = String::from_utf8(buf.lock().unwrap().clone()).unwrap();
    let lines = parse_lines(&out);
    let v = jsonl_v1();
    for l in &lines {
        assert_valid(&v, l);
    }
    assert_eq!(
        jsonl_sequence(&lines),
        [
            "begin",
            "finding linux/amd64",
            "image linux/amd64",
            "finding linux/arm64",
            "image linux/arm64",
            "summary"
        ]
    );
    assert!(!out.contains(GH) && !out.contains(NPM), "secrets are redacted");
    assert_eq!(lines[3]["data"]["locations"][0]["path"], "srv/t");
    assert_eq!(lines[3]["data"]["locations"][0]["status"]["state"], "present_in_final");

    // The same lines as when the whole outcome is reported at the end (images complete
    // here in image order).
    let mut whole = Vec::new();
    outcome
        .report("two-platforms", &mut JsonLinesReporter::new(&mut whole, Redaction::Redact))
        .unwrap();
    assert_eq!(String::from_utf8(whole).unwrap(), out);
}
