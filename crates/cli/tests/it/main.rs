//! End-to-end tests of the `layerleak` binary. One test binary, one module per area.

mod common;
mod engine;
mod fixtures;
mod help;
mod real_image;
mod registry;
mod registry_mock;
mod registry_server;
mod registry_token;
mod rules;
mod scan;
mod scan_bad_input;
mod scan_encodings;
mod scan_formats;
mod scan_fs;
mod scan_straddle;
