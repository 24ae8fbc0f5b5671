//! Tarballs written member by member.

use std::path::Path;

/// One member of a tarball written by [`write_tar`].
#[derive(Clone, Debug)]
pub enum Member {
    /// A regular file.
    File(String, Vec<u8>),
    /// A file whose name is carried in a PAX `path` record, the header holding a stub.
    PaxFile(String, Vec<u8>),
    /// A symbolic link to the given target.
    Symlink(String, String),
}

/// Writes a tarball of `members` at `path` (GNU headers, so long names become
/// `././@LongLink` records).
pub fn write_tar(path: &Path, members: impl IntoIterator<Item = Member>) {
    let mut builder = tar::Builder::new(std::fs::File::create(path).unwrap());
    for member in members {
        match member {
            Member::File(name, data) => {
                let mut header = tar::Header::new_gnu();
                header.set_size(data.len() as u64);
                header.set_mode(0o644);
                builder.append_data(&mut header, &name, data.as_slice()).unwrap();
            }
            Member::PaxFile(name, data) => {
                builder.append_pax_extensions([("path", name.as_bytes())]).unwrap();
                let mut header = tar::Header::new_ustar();
                header.set_path("pax-stub").unwrap();
                header.set_size(data.len() as u64);
                header.set_mode(0o644);
                header.set_cksum();
                builder.append(&header, data.as_slice()).unwrap();
            }
            Member::Symlink(name, target) => {
                let mut header = tar::Header::new_gnu();
                header.set_entry_type(tar::EntryType::Symlink);
                header.set_size(0);
                header.set_mode(0o777);
                builder.append_link(&mut header, &name, &target).unwrap();
            }
        }
    }
    builder.finish().unwrap();
}

/// Appends a regular file whose name is written as is, up to 100 bytes (`tar::Builder`
/// refuses `..` and strips a leading `/`).
pub fn raw_tar_entry<W: std::io::Write>(b: &mut tar::Builder<W>, name: &[u8], data: &[u8]) {
    let mut h = tar::Header::new_old();
    h.as_old_mut().name[..name.len()].copy_from_slice(name);
    h.set_size(data.len() as u64);
    h.set_mode(0o644);
    h.set_entry_type(tar::EntryType::Regular);
    h.set_cksum();
    b.append(&h, data).unwrap();
}

/// `n` as a tar number field of 12 bytes in base-256 (the GNU encoding for values octal
/// cannot hold).
pub fn base256(n: u64) -> [u8; 12] {
    let mut f = [0u8; 12];
    f[4..].copy_from_slice(&n.to_be_bytes());
    f[0] = 0x80;
    f
}

/// The blocks of an old-GNU sparse file at `path`, declaring `real` bytes, whose one data
/// segment `data` lies at offset `at`: its header and `data` padded to a whole block (no
/// end-of-archive blocks).
pub fn gnu_sparse_entry(path: &str, real: u64, at: u64, data: &[u8]) -> Vec<u8> {
    let mut h = tar::Header::new_gnu();
    h.set_path(path).unwrap();
    h.set_entry_type(tar::EntryType::GNUSparse);
    h.set_size(data.len() as u64);
    h.set_mode(0o600);
    let gnu = h.as_gnu_mut().unwrap();
    gnu.realsize = base256(real);
    gnu.sparse[0].offset = base256(at);
    gnu.sparse[0].numbytes = base256(data.len() as u64);
    h.set_cksum();
    let mut blocks = h.as_bytes().to_vec();
    blocks.extend_from_slice(data);
    blocks.resize(512 + data.len().div_ceil(512) * 512, 0);
    blocks
}
