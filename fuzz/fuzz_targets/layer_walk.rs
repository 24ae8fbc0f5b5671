//! A layer blob of arbitrary bytes: compression sniffing, decompression under limits, the
//! tar walk, nested archives in every file and the UTF-16 view, read to the end. Must never
//! panic, and must stay within the limits (libFuzzer's `-rss_limit_mb` and `-timeout` catch
//! a bomb that gets through).
#![no_main]

use std::io::Read;

use layerleak_layer::{Flow, Item, Limits, decode_text, walk_content, walk_layer};
use libfuzzer_sys::fuzz_target;

type BoxError = Box<dyn std::error::Error>;

fuzz_target!(|blob: &[u8]| {
    let limits = Limits::default()
        .with_max_layer_bytes(64 << 20)
        .with_max_member_bytes(16 << 20)
        .with_max_depth(3);
    let mut buf = vec![0u8; 16 * 1024];
    let _ = walk_layer(blob, &limits, |entry| {
        if !entry.meta().has_content() {
            return Ok::<_, BoxError>(Flow::Continue);
        }
        let (meta, content) = entry.into_parts();
        walk_content(meta.path().as_bstr(), content, &limits, |item| {
            if let Item::File(member) = item {
                let mut text = decode_text(member)?;
                while text.read(&mut buf)? > 0 {}
            }
            Ok::<_, BoxError>(Flow::Continue)
        })
    });
});
