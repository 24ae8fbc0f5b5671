//! A real PostgreSQL for tests: Debian's `postgresql` binaries (`initdb`, `pg_ctl` under
//! /usr/lib/postgresql/VERSION/bin), a cluster made in a temporary directory, listening on
//! 127.0.0.1 with a free port (trust authentication for its one user), stopped on drop.
//! As root (CI), the cluster is run as the `postgres` user, since PostgreSQL refuses root.
//!
//! Without the binaries the tests print that they were skipped and what to install.

use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The cluster's user.
const USER: &str = "layerleak";

/// A running PostgreSQL cluster.
pub(crate) struct PgServer {
    bin: PathBuf,
    data: PathBuf,
    run_as: Option<&'static str>,
    port: u16,
    dir: tempfile::TempDir,
}

impl Drop for PgServer {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "immediate", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// The newest /usr/lib/postgresql/VERSION/bin holding `initdb` and `pg_ctl`.
fn binaries() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            (bin.join("initdb").is_file() && bin.join("pg_ctl").is_file()).then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

impl PgServer {
    /// Starts a cluster; `None` (after saying the test is skipped) without PostgreSQL.
    pub(crate) fn start(test: &str) -> Option<PgServer> {
        let Some(bin) = binaries() else {
            eprintln!(
                "SKIPPED {test}: PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): apt-get install postgresql"
            );
            return None;
        };
        let dir = tempfile::tempdir().unwrap();
        let run_as = is_root().then_some("postgres");
        if let Some(user) = run_as {
            let status = Command::new("chown").arg(user).arg(dir.path()).status().unwrap();
            assert!(status.success(), "chown {user} {}", dir.path().display());
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let server = PgServer { bin, data: dir.path().join("data"), run_as, port, dir };
        let socketdir = server.dir.path().to_owned();
        server.run(server.command("initdb").arg("-D").arg(&server.data).args([
            "-U",
            USER,
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        ]));
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {port} -k {} -c fsync=off",
            socketdir.display()
        );
        server.run(
            server
                .command("pg_ctl")
                .arg("-D")
                .arg(&server.data)
                .arg("-l")
                .arg(socketdir.join("log"))
                .args(["-w", "-o", &options, "start"]),
        );
        Some(server)
    }

    fn command(&self, program: &str) -> Command {
        let program = self.bin.join(program);
        match self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(program);
                c
            }
            None => Command::new(program),
        }
    }

    fn run(&self, command: &mut Command) {
        let o = command.output().unwrap();
        assert!(
            o.status.success(),
            "{command:?}: {}{}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr),
            std::fs::read_to_string(self.dir.path().join("log")).unwrap_or_default()
        );
    }

    /// The URL of its `postgres` database.
    pub(crate) fn url(&self) -> String {
        format!("postgres://{USER}@127.0.0.1:{}/postgres", self.port)
    }

    /// A connection, for the test's own queries.
    pub(crate) fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.url(), postgres::NoTls).unwrap()
    }
}
