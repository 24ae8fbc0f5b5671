//! Status resolution against a model: layers of file writes, whiteouts and opaque
//! directories over a small tree, resolved by `Resolver` and by replaying them on a map of
//! the final filesystem. A file is present in the final image exactly when the replay keeps
//! it; otherwise the layer named is the first later one that deleted or rewrote it.
#![no_main]

use std::collections::BTreeMap;

use arbitrary::Arbitrary;
use layerleak_layer::{PathIndex, Resolver, Status};
use libfuzzer_sys::fuzz_target;

/// Directories `d0`..`d2`; files `f0`..`f2` at the top and in each directory.
const DIRS: usize = 3;
const FILES: usize = 3;

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Op {
    Write { dir: Option<u8>, file: u8 },
    WhiteoutFile { dir: Option<u8>, file: u8 },
    WhiteoutDir { dir: u8 },
    Opaque { dir: u8 },
}

fn dir_name(d: u8) -> String {
    format!("d{}", usize::from(d) % DIRS)
}

fn file_path(dir: Option<u8>, file: u8) -> String {
    let f = format!("f{}", usize::from(file) % FILES);
    match dir {
        Some(d) => format!("{}/{f}", dir_name(d)),
        None => f,
    }
}

fn under(path: &str, dir: &str) -> bool {
    path.strip_prefix(dir).is_some_and(|rest| rest.starts_with('/'))
}

fuzz_target!(|layers: Vec<Vec<Op>>| {
    if layers.len() > 8 {
        return;
    }
    let mut indexes = Vec::new();
    // The replay: each file path in the final filesystem and the layer that wrote it.
    let mut fs: BTreeMap<String, usize> = BTreeMap::new();
    // For each (layer, path) written, the first later layer that removed or rewrote it.
    let mut written: BTreeMap<(usize, String), Option<usize>> = BTreeMap::new();
    for (k, ops) in layers.iter().enumerate() {
        let mut index = PathIndex::new();
        let mut removed: Vec<String> = Vec::new();
        // Whiteouts and opaque directories hide lower layers only, whatever their order.
        for op in ops {
            match *op {
                Op::WhiteoutFile { dir, file } => {
                    let p = file_path(dir, file);
                    index.add_whiteout(p.as_bytes());
                    removed.extend(fs.keys().filter(|q| **q == p).cloned());
                }
                Op::WhiteoutDir { dir } => {
                    let d = dir_name(dir);
                    index.add_whiteout(d.as_bytes());
                    removed.extend(fs.keys().filter(|q| under(q, &d)).cloned());
                }
                Op::Opaque { dir } => {
                    let d = dir_name(dir);
                    index.add_opaque(d.as_bytes());
                    index.add_written(d.as_bytes(), true);
                    removed.extend(fs.keys().filter(|q| under(q, &d)).cloned());
                }
                Op::Write { .. } => {}
            }
        }
        for p in removed {
            if let Some(layer) = fs.remove(&p) {
                written.entry((layer, p)).and_modify(|by| *by = by.or(Some(k)));
            }
        }
        for op in ops {
            if let Op::Write { dir, file } = *op {
                let p = file_path(dir, file);
                if let Some(d) = dir {
                    index.add_written(dir_name(d).as_bytes(), true);
                }
                index.add_written(p.as_bytes(), false);
                if let Some(old) = fs.insert(p.clone(), k) {
                    if old != k {
                        written.entry((old, p.clone())).and_modify(|by| *by = by.or(Some(k)));
                    }
                }
                written.insert((k, p), None);
            }
        }
        indexes.push(index);
    }
    let resolver = Resolver::new(&indexes);
    for ((layer, path), by) in &written {
        let got = resolver.status(*layer, path.as_bytes());
        match (by, got) {
            (None, Status::PresentInFinal) => {}
            (Some(k), Status::Deleted { layer: j } | Status::Overwritten { layer: j }) if *k == j => {}
            _ => panic!("layer {layer} {path}: expected removal by {by:?}, got {got:?}"),
        }
    }
});
