//! End-to-end tests of the `layerleak` binary. One test binary, one module per area.

mod common;
mod fixtures;
mod help;
mod rules;
mod scan;
mod scan_fs;
