//! A file of arbitrary bytes under a name that makes it a nested archive (zip, jar, whl,
//! tar, tar.gz, gz, zst) or a plain file: every member read to the end through the UTF-16
//! view. Must never panic and must stay within the limits.
#![no_main]

use std::io::Read;

use arbitrary::Arbitrary;
use layerleak_layer::{Flow, Item, Limits, decode_text, walk_content};
use libfuzzer_sys::fuzz_target;

type BoxError = Box<dyn std::error::Error>;

const NAMES: &[&str] = &[
    "app/app.jar",
    "app/lib.zip",
    "site/pkg.whl",
    "srv/bundle.tar",
    "srv/bundle.tar.gz",
    "var/log/app.log.gz",
    "var/log/app.log.zst",
    "etc/app.conf",
    "bin/run.sh",
];

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    name: u8,
    bytes: &'a [u8],
}

fuzz_target!(|input: Input<'_>| {
    let name = NAMES[usize::from(input.name) % NAMES.len()];
    let limits = Limits::default().with_max_member_bytes(16 << 20).with_max_depth(3);
    let mut buf = vec![0u8; 16 * 1024];
    let _ = walk_content(name, input.bytes, &limits, |item| {
        if let Item::File(member) = item {
            let mut text = decode_text(member)?;
            while text.read(&mut buf)? > 0 {}
        }
        Ok::<_, BoxError>(Flow::Continue)
    });
});
