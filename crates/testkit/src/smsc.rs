//! A small SMSC speaking SMPP 3.4 (`smsc.pl`, Debian's Net::SMPP), for the SMS tests: it
//! accepts binds as `cst`/`secret`, answers every submit, refuses destinations starting with
//! 39000, sends receipts (UNDELIV for numbers ending in 99; for numbers ending in 98 on the
//! next session, as for a phone that was off) and logs what it received.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use crate::mailservers::{free_port, temp_dir, wait_for};

pub const SYSTEM_ID: &str = "cst";
pub const PASSWORD: &str = "secret";

/// One submit as the SMSC logged it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    pub id: String,
    pub destination: String,
    pub data_coding: u8,
    pub esm_class: u8,
    pub registered_delivery: u8,
    pub message: Vec<u8>,
}

pub struct Smsc {
    pub port: u16,
    dir: PathBuf,
    child: Child,
}

impl Smsc {
    pub async fn start() -> Smsc {
        Self::start_on(free_port()).await
    }

    pub async fn start_on(port: u16) -> Smsc {
        let dir = temp_dir("smsc");
        let log = dir.join("smsc.err");
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/smsc.pl");
        let mut child = Command::new("perl")
            .arg(script)
            .arg(port.to_string())
            .arg(dir.join("submits.log"))
            .arg(SYSTEM_ID)
            .arg(PASSWORD)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect(
                "perl with Net::SMPP (Debian libnet-smpp-perl): run scripts/install-test-deps.sh",
            );
        wait_for(port, "smsc.pl", &mut child, &log).await;
        Smsc { port, dir, child }
    }

    pub fn url(&self) -> String {
        format!(
            "smpp://{SYSTEM_ID}:{PASSWORD}@127.0.0.1:{}?source=ComunePD",
            self.port
        )
    }

    /// Every submit received so far, in order.
    pub fn submitted(&self) -> Vec<Submitted> {
        let text = std::fs::read_to_string(self.dir.join("submits.log")).unwrap_or_default();
        text.lines()
            .filter_map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                if f.first() != Some(&"SUBMIT") || f.len() < 7 {
                    return None;
                }
                let hex = f[6];
                let message = (0..hex.len() / 2)
                    .filter_map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok())
                    .collect();
                Some(Submitted {
                    id: f[1].to_owned(),
                    destination: f[2].to_owned(),
                    data_coding: f[3].parse().unwrap_or(0),
                    esm_class: f[4].parse().unwrap_or(0),
                    registered_delivery: f[5].parse().unwrap_or(0),
                    message,
                })
            })
            .collect()
    }

    /// The lines of refused submits and binds.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("submits.log")).unwrap_or_default()
    }

    /// Stops the SMSC (the gateway goes down).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Smsc {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
