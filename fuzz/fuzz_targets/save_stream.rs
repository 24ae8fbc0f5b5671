//! A `docker save` stream of arbitrary bytes (legacy or OCI layout inside): the tar read,
//! `manifest.json`, `index.json`, manifests and configs parsed, every platform resolved and
//! every layer blob opened and read. Must never panic or take unbounded memory.
#![no_main]

use std::io::Read;

use layerleak_image::{ImageSource, PlatformSelector, read_save_stream};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(mut archive) = read_save_stream(data, "fuzz.tar", |_blob| {}) else { return };
    let Ok(images) = archive.resolve(&PlatformSelector::All) else { return };
    let mut buf = vec![0u8; 16 * 1024];
    for image in &images {
        let _ = image.created_by(0);
        for layer in &image.layers {
            if let Ok(mut blob) = archive.open_blob(&layer.descriptor) {
                while matches!(blob.read(&mut buf), Ok(n) if n > 0) {}
            }
        }
    }
});
