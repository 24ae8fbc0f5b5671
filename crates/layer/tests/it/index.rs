//! Status resolution across layers.

use layerleak_layer::{Flow, LayerError, Limits, PathIndex, Resolver, Status, walk_layer};

use crate::common::*;

/// Build a layer index from a list of operations: `+path` file, `/path` directory,
/// `-path` whiteout, `*dir` opaque, `~link>target` hard link.
fn layer(ops: &[&str]) -> PathIndex {
    let mut idx = PathIndex::new();
    for op in ops {
        let (kind, path) = op.split_at(1);
        match kind {
            "+" => idx.add_written(path.as_bytes(), false),
            "/" => idx.add_written(path.as_bytes(), true),
            "-" => idx.add_whiteout(path.as_bytes()),
            "*" => idx.add_opaque(path.as_bytes()),
            "~" => {
                let (link, target) = path.split_once('>').expect("~link>target");
                idx.add_hardlink(link.as_bytes(), target.as_bytes());
            }
            _ => panic!("bad op {op}"),
        }
    }
    idx
}

#[test]
fn untouched_file_is_present() {
    let layers = [layer(&["+etc/app.conf"]), layer(&["+other"])];
    let r = Resolver::new(&layers);
    assert_eq!(r.status(0, b"etc/app.conf"), Status::PresentInFinal);
    assert_eq!(r.status(1, b"other"), Status::PresentInFinal);
}

#[test]
fn deleted_in_a_later_layer() {
    let layers = [layer(&["+app/.env"]), layer(&["+x"]), layer(&["-app/.env"])];
    let r = Resolver::new(&layers);
    assert_eq!(r.status(0, b"app/.env"), Status::Deleted { layer: 2 });
}

#[test]
fn parent_whiteout_deletes_children() {
    let layers = [layer(&["/app", "+app/conf/key.pem"]), layer(&["-app"])];
    let r = Resolver::new(&layers);
    assert_eq!(r.status(0, b"app/conf/key.pem"), Status::Deleted { layer: 1 });
}

#[test]
fn opaque_dir_in_a_later_layer() {
    let layers = [layer(&["+cache/token", "+cachefile"]), layer(&["/cache", "*cache"])];
    let r = Resolver::new(&layers);
    assert_eq!(r.status(0, b"cache/token"), Status::Deleted { layer: 1 });
    // A sibling sharing the name prefix is not below the directory.
    assert_eq!(r.status(0, b"cachefile"), Status::PresentInFinal);
    // An opaque root hides everything below.
    let layers = [layer(&["+a/b"]), layer(&["*"])];
    assert_eq!(Resolver::new(&layers).status(0, b"a/b"), Status::Deleted { layer: 1 });
}

#[test]
fn overwritten_in_a_later_layer() {
    let layers = [layer(&["+etc/secret"]), layer(&["+etc/secret"]), layer(&["+etc/secret"])];
    let r = Resolver::new(&layers);
    assert_eq!(r.status(0, b"etc/secret"), Status::Overwritten { layer: 1 });
    assert_eq!(r.status(1, b"etc/secret"), Status::Overwritten { layer: 2 });
    assert_eq!(r.status(2, b"etc/secret"), Status::PresentInFinal);
}

#[test]
fn re_add_after_delete() {
    let layers = [layer(&["+f"]), layer(&["-f"]), layer(&["+f"])];
    let r = Resolver::new(&layers);
    assert_eq!(r.status(0, b"f"), Status::Deleted { layer: 1 });
    assert_eq!(r.status(2, b"f"), Status::PresentInFinal);
    // Whiteout and re-add in the same layer (`rm` then `COPY` squashed): overwritten.
    let layers = [layer(&["+f"]), layer(&["-f", "+f"])];
    assert_eq!(Resolver::new(&layers).status(0, b"f"), Status::Overwritten { layer: 1 });
    // Opaque parent and re-add of the same path in one layer: overwritten too.
    let layers = [layer(&["+d/f", "+d/g"]), layer(&["*d", "+d/f"])];
    let r = Resolver::new(&layers);
    assert_eq!(r.status(0, b"d/f"), Status::Overwritten { layer: 1 });
    assert_eq!(r.status(0, b"d/g"), Status::Deleted { layer: 1 });
}

#[test]
fn copy_up_is_overwritten_by_path() {
    // `RUN chmod 600 /app/key` copies the unchanged file into the next layer. By path that
    // is an overwrite; the scan crate merges the two locations by secret value.
    let layers = [layer(&["/app", "+app/key"]), layer(&["/app", "+app/key"])];
    let r = Resolver::new(&layers);
    assert_eq!(r.status(0, b"app/key"), Status::Overwritten { layer: 1 });
    assert_eq!(r.status(1, b"app/key"), Status::PresentInFinal);
}

#[test]
fn a_file_replacing_a_parent_directory_deletes_its_children() {
    let layers = [layer(&["/opt/app", "+opt/app/key"]), layer(&["+opt/app"])];
    let r = Resolver::new(&layers);
    assert_eq!(r.status(0, b"opt/app/key"), Status::Deleted { layer: 1 });
    // But a directory entry for the parent (a copy-up of the directory) changes nothing.
    let layers = [layer(&["+opt/app/key"]), layer(&["/opt/app"])];
    assert_eq!(Resolver::new(&layers).status(0, b"opt/app/key"), Status::PresentInFinal);
}

#[test]
fn earliest_later_layer_wins() {
    let layers = [
        layer(&["+a/b/c"]),
        layer(&["+x"]),
        layer(&["*a"]),
        layer(&["-a/b/c"]),
        layer(&["+a/b/c"]),
    ];
    assert_eq!(Resolver::new(&layers).status(0, b"a/b/c"), Status::Deleted { layer: 2 });
}

#[test]
fn indexes_built_from_walked_layers() {
    let mut l0 = tar_builder();
    add_dir(&mut l0, "app/");
    add_file(&mut l0, "app/.env", b"TOKEN=1");
    add_file(&mut l0, "app/keep", b"k");
    add_file(&mut l0, "tmp/cache/key", b"k");
    let mut l1 = tar_builder();
    add_file(&mut l1, "app/.wh..env", b"");
    add_file(&mut l1, "tmp/cache/.wh..wh..opq", b"");
    add_file(&mut l1, "app/keep", b"k2");
    let indexes: Vec<PathIndex> = [l0, l1]
        .into_iter()
        .map(|b| {
            let blob = gzip(&b.into_inner().unwrap());
            let mut idx = PathIndex::new();
            walk_layer(&blob[..], &Limits::default(), |e| {
                idx.record(e.meta());
                Ok::<_, LayerError>(Flow::Continue)
            })
            .unwrap();
            idx
        })
        .collect();
    assert!(indexes[1].deletes(b"app/.env"));
    assert!(indexes[1].masks(b"tmp/cache"));
    assert!(indexes[0].writes(b"app/.env"));
    let r = Resolver::new(&indexes);
    assert_eq!(r.status(0, b"app/.env"), Status::Deleted { layer: 1 });
    assert_eq!(r.status(0, b"tmp/cache/key"), Status::Deleted { layer: 1 });
    assert_eq!(r.status(0, b"app/keep"), Status::Overwritten { layer: 1 });
    assert_eq!(r.status(1, b"app/keep"), Status::PresentInFinal);
}

#[test]
fn a_hard_link_of_the_same_layer_keeps_a_deleted_file_present() {
    let layers = [layer(&["+app/key", "~app/key.bak>app/key"]), layer(&["-app/key"])];
    let r = Resolver::new(&layers);
    assert_eq!(r.path_status(0, b"app/key"), Status::Deleted { layer: 1 });
    assert_eq!(r.status(0, b"app/key"), Status::PresentInFinal);
}

#[test]
fn a_hard_link_in_a_later_layer_to_a_lower_file_keeps_it_present() {
    let layers = [layer(&["+app/key"]), layer(&["~keep>app/key"]), layer(&["-app"])];
    let r = Resolver::new(&layers);
    assert_eq!(r.path_status(0, b"app/key"), Status::Deleted { layer: 2 });
    assert_eq!(r.status(0, b"app/key"), Status::PresentInFinal);
}

#[test]
fn a_chain_of_hard_links_keeps_the_file_present() {
    let layers = [layer(&["+a"]), layer(&["~b>a"]), layer(&["~c>b"]), layer(&["-a", "-b"])];
    let r = Resolver::new(&layers);
    assert_eq!(r.status(0, b"a"), Status::PresentInFinal);
}

#[test]
fn when_every_name_is_gone_the_last_removal_decides() {
    let layers = [layer(&["+a", "~b>a"]), layer(&["-a"]), layer(&["+b"]), layer(&["+x"])];
    let r = Resolver::new(&layers);
    assert_eq!(r.status(0, b"a"), Status::Overwritten { layer: 2 });
}

#[test]
fn a_link_made_after_the_file_was_replaced_points_at_the_new_file() {
    let layers = [layer(&["+a"]), layer(&["+a"]), layer(&["~b>a"]), layer(&["-a"])];
    let r = Resolver::new(&layers);
    assert_eq!(r.status(0, b"a"), Status::Overwritten { layer: 1 });
    assert_eq!(r.status(1, b"a"), Status::PresentInFinal);
}

#[test]
fn a_link_replaced_in_its_own_layer_does_not_count() {
    // Layer 1 writes `a` again and links `b` to it: `b` is the new file, not layer 0's.
    let layers = [layer(&["+a"]), layer(&["+a", "~b>a"])];
    let r = Resolver::new(&layers);
    assert_eq!(r.status(0, b"a"), Status::Overwritten { layer: 1 });
    assert_eq!(r.status(1, b"a"), Status::PresentInFinal);
}

#[test]
fn a_link_to_another_path_does_not_count() {
    let layers = [layer(&["+a", "+other", "~b>other"]), layer(&["-a"])];
    let r = Resolver::new(&layers);
    assert_eq!(r.status(0, b"a"), Status::Deleted { layer: 1 });
}
