//! End-to-end tests of the `layerleak` binary. One test binary, one module per area.

mod common;
mod help;
mod rules;
mod scan_fs;
