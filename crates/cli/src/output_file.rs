//! The `--output` file: checked before the scan, created at the first write.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

/// A report file created when the report first writes to it (or flushes), so a run that
/// fails before it has anything to say (a target that cannot be opened) leaves no empty
/// file behind, and an earlier report at that path is kept.
#[derive(Debug)]
pub(crate) struct OutputFile {
    path: PathBuf,
    file: Option<BufWriter<File>>,
}

impl OutputFile {
    /// Checks now what can be checked without creating the file, so a mistyped path fails
    /// before a long scan rather than after it: the directory must exist, and the path
    /// must not be a directory.
    pub(crate) fn new(path: &Path) -> Result<OutputFile> {
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        if !parent.is_dir() {
            bail!(
                "cannot write the report to {}: no directory {}",
                path.display(),
                parent.display()
            );
        }
        if path.is_dir() {
            bail!("cannot write the report to {}: it is a directory", path.display());
        }
        Ok(OutputFile { path: path.to_owned(), file: None })
    }

    fn file(&mut self) -> io::Result<&mut BufWriter<File>> {
        if self.file.is_none() {
            let file = File::create(&self.path).map_err(|e| {
                io::Error::new(e.kind(), format!("cannot create {}: {e}", self.path.display()))
            })?;
            self.file = Some(BufWriter::new(file));
        }
        Ok(self.file.as_mut().expect("just created"))
    }
}

impl Write for OutputFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file()?.write(buf)
    }

    /// Creates the file if nothing was written yet: a report that flushes is complete, even
    /// if empty.
    fn flush(&mut self) -> io::Result<()> {
        self.file()?.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_at_the_first_write_and_not_before() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.jsonl");
        let mut out = OutputFile::new(&path).unwrap();
        assert!(!path.exists());
        out.write_all(b"{}\n").unwrap();
        out.flush().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"{}\n");
    }

    #[test]
    fn an_unused_file_leaves_an_earlier_report_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        std::fs::write(&path, "earlier").unwrap();
        drop(OutputFile::new(&path).unwrap());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "earlier");
    }

    #[test]
    fn a_flush_alone_creates_an_empty_report() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("empty.txt");
        OutputFile::new(&path).unwrap().flush().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"");
    }

    #[test]
    fn missing_directories_and_directories_fail_up_front() {
        let dir = tempfile::tempdir().unwrap();
        let missing = OutputFile::new(&dir.path().join("no/such/report.json")).unwrap_err();
        assert!(missing.to_string().contains("no directory"), "{missing}");
        let is_dir = OutputFile::new(dir.path()).unwrap_err();
        assert!(is_dir.to_string().contains("is a directory"), "{is_dir}");
        assert!(OutputFile::new(Path::new("relative.json")).is_ok());
    }
}
