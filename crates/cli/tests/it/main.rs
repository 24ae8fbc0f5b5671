//! End-to-end tests of the `layerleak` binary. One test binary, one module per area.

mod capped;
mod checksum;
mod common;
mod engine;
mod fixtures;
mod gate;
mod help;
mod jsonl_streaming;
mod origin_image;
mod real_image;
mod registry;
mod registry_mock;
mod registry_server;
mod registry_token;
mod report_formats;
mod rules;
mod scan;
mod scan_bad_input;
mod scan_encodings;
mod scan_formats;
mod scan_fs;
mod scan_notices;
mod scan_straddle;
mod schemas;
