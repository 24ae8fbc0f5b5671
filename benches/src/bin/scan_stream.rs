//! The streamed-scan benchmark: a `docker save` archive scanned as the stream a container
//! engine sends (`GET /images/{name}/get`), read once front to back, as
//! `layerleak scan docker:NAME` does.
//!
//! ```text
//! cargo run --release -p layerleak-benches --bin scan_stream -- IMAGE.tar
//! ```
//!
//! Feeds the file to [`Pipeline::scan_stream`] through a plain [`File`] (one pass, no
//! seeking, like an HTTP body) with the embedded rules and default options. Prints one
//! line: `scan_stream_seconds=… reading_thread_cpu_seconds=… findings=… blobs=…
//! bytes_scanned=… complete=…`; exits 1 if the scan is incomplete.
//!
//! `reading_thread_cpu_seconds` is the CPU time (user + system) of the thread that reads
//! the stream, from `/proc/thread-self/stat` (Linux; in `USER_HZ` = 100 ticks a second):
//! on idle cores the scan cannot finish sooner than that thread, whatever the others do.

use std::fs::File;
use std::path::PathBuf;
use std::time::Instant;

use layerleak_engine::Scanner;
use layerleak_image::PlatformSelector;
use layerleak_rules::Rules;
use layerleak_scan::{Pipeline, ScanOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Some(path) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: scan_stream IMAGE.tar");
        std::process::exit(2);
    };
    let pipeline = Pipeline::new(Scanner::new(&Rules::embedded()?)?, ScanOptions::new());
    let file = File::open(&path)?;
    let start = Instant::now();
    let outcome =
        pipeline.scan_stream(file, &path.display().to_string(), &PlatformSelector::Default)?;
    let secs = start.elapsed().as_secs_f64();
    let reading = thread_cpu_seconds().map_or_else(|| "unknown".to_owned(), |s| format!("{s:.2}"));
    println!(
        "scan_stream_seconds={secs:.3} reading_thread_cpu_seconds={reading} findings={} blobs={} bytes_scanned={} complete={}",
        outcome.findings.len(),
        outcome.blobs_scanned,
        outcome.bytes_scanned,
        outcome.is_complete()
    );
    if !outcome.is_complete() {
        for issue in &outcome.issues {
            eprintln!("{}: {}", issue.image, issue.reason);
        }
        std::process::exit(1);
    }
    Ok(())
}

/// User + system CPU time of the calling thread, from `/proc/thread-self/stat` (fields 14
/// and 15, after the parenthesised command name); `None` where that file is unavailable.
fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    let after_name = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after_name.split(' ').collect();
    // `after_name` starts at field 3 (state): utime and stime are fields 14 and 15.
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}
