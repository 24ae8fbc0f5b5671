//! Integration tests of `layerleak-layer`. Every fixture is built in code.

mod common;
mod compression;
mod hostile;
mod index;
mod nested;
mod records;
mod text;
mod walk;
mod zip_edges;
