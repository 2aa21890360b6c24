//! A real S3 server for tests: PyPI's `moto` in server mode, installed by
//! `scripts/install-test-deps.sh` in `target/moto-venv`, started on a free loopback port and
//! killed when dropped.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

pub struct Moto {
    child: Child,
    pub endpoint: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Where `moto_server` is: `target/moto-venv/bin/moto_server` of this workspace.
pub fn moto_server() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"),
        PathBuf::from,
    );
    target.join("moto-venv/bin/moto_server")
}

impl Moto {
    /// Starts the server and waits until it answers. Panics (failing the test, not skipping
    /// it) when moto is not installed.
    #[allow(clippy::panic)]
    pub async fn start() -> Moto {
        let bin = moto_server();
        assert!(
            bin.exists(),
            "{} is missing: run scripts/install-test-deps.sh",
            bin.display()
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or(0);
        let child = Command::new(&bin)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{}: {e}", bin.display()));
        let endpoint = format!("http://127.0.0.1:{port}");
        let moto = Moto { child, endpoint };
        for _ in 0..300 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return moto;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("moto_server did not start on port {port}");
    }

    /// The environment an `s3://` target reads, pointing at this server.
    pub fn env(&self) -> impl Fn(&str) -> Option<String> + '_ {
        move |k: &str| match k {
            "AWS_ENDPOINT_URL" => Some(self.endpoint.clone()),
            "AWS_ACCESS_KEY_ID" => Some("prova".into()),
            "AWS_SECRET_ACCESS_KEY" => Some("segreta".into()),
            "AWS_REGION" => Some("eu-south-1".into()),
            _ => None,
        }
    }
}
