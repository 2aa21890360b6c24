//! Real mail servers on loopback for the e-mail tests: aiosmtpd (SMTP, storing what it
//! receives in a Maildir) and Debian's Dovecot (IMAP), each in its own temporary folder, on a
//! free port, stopped when dropped. `scripts/install-test-deps.sh` installs both.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub(crate) async fn wait_for(port: u16, what: &str, child: &mut Child, log: &std::path::Path) {
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!(
                "{what} exited ({status}): {}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "{what} did not open port {port}: {}",
        std::fs::read_to_string(log).unwrap_or_default()
    );
}

pub(crate) fn temp_dir(what: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("cst-{what}-{}", crate::unique()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A private certificate authority and a server certificate for 127.0.0.1 / localhost, made
/// with openssl in a temporary folder: the TLS tests trust it explicitly, as a centre would
/// trust its internal CA.
pub struct TestCa {
    pub dir: PathBuf,
}

impl TestCa {
    pub fn new() -> TestCa {
        let dir = temp_dir("ca");
        let run = |args: &[&str]| {
            let out = Command::new("openssl")
                .args(args)
                .current_dir(&dir)
                .output()
                .expect("openssl");
            assert!(
                out.status.success(),
                "openssl {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        std::fs::write(
            dir.join("ext.cnf"),
            "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                .to_owned()
                + "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
        )
        .unwrap();
        run(&[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "3",
            "-subj",
            "/CN=cst test CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ]);
        run(&[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=localhost",
        ]);
        run(&[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "3",
            "-extfile",
            "ext.cnf",
        ]);
        TestCa { dir }
    }

    /// The authority's certificate, PEM.
    pub fn ca_pem(&self) -> Vec<u8> {
        std::fs::read(self.dir.join("ca.pem")).unwrap()
    }
    pub fn cert(&self) -> PathBuf {
        self.dir.join("server.pem")
    }
    pub fn key(&self) -> PathBuf {
        self.dir.join("server.key")
    }
}

impl Default for TestCa {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TestCa {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// aiosmtpd with its Maildir handler.
pub struct SmtpServer {
    pub port: u16,
    /// Implicit TLS (`smtps://`) with a [`TestCa`] certificate.
    pub tls: bool,
    dir: PathBuf,
    child: Child,
}

impl SmtpServer {
    pub async fn start() -> SmtpServer {
        Self::start_on(free_port()).await
    }

    /// On a given port (a test that starts the server after the application, on the port the
    /// application was already told).
    pub async fn start_on(port: u16) -> SmtpServer {
        Self::launch(port, None).await
    }

    /// Implicit TLS on a free port, with the CA's server certificate.
    pub async fn start_tls(ca: &TestCa) -> SmtpServer {
        Self::launch(free_port(), Some(ca)).await
    }

    async fn launch(port: u16, ca: Option<&TestCa>) -> SmtpServer {
        let dir = temp_dir("smtp");
        let log = dir.join("smtpd.log");
        let mut cmd = Command::new("/usr/bin/python3");
        cmd.args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"));
        if let Some(ca) = ca {
            cmd.arg("--smtpscert")
                .arg(ca.cert())
                .arg("--smtpskey")
                .arg(ca.key());
        }
        let mut child = cmd
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(dir.join("maildir"))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("aiosmtpd (Debian python3-aiosmtpd): run scripts/install-test-deps.sh");
        wait_for(port, "aiosmtpd", &mut child, &log).await;
        SmtpServer {
            port,
            tls: ca.is_some(),
            dir,
            child,
        }
    }

    pub fn url(&self) -> String {
        if self.tls {
            format!("smtps://127.0.0.1:{}", self.port)
        } else {
            format!("smtp://127.0.0.1:{}", self.port)
        }
    }

    /// Every message received so far (raw), oldest first.
    pub fn messages(&self) -> Vec<Vec<u8>> {
        let mut files: Vec<_> = std::fs::read_dir(self.dir.join("maildir").join("new"))
            .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
        files.iter().map(|p| std::fs::read(p).unwrap()).collect()
    }

    /// Waits until at least `n` messages arrived.
    pub async fn wait_messages(&self, n: usize) -> Vec<Vec<u8>> {
        for _ in 0..300 {
            let m = self.messages();
            if m.len() >= n {
                return m;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {n} e-mails, got {}", self.messages().len());
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Dovecot serving IMAP (no TLS, loopback) for one user.
pub struct ImapServer {
    pub port: u16,
    /// Implicit TLS (`imaps://`) with a [`TestCa`] certificate.
    pub tls: bool,
    pub user: String,
    pub password: String,
    dir: PathBuf,
    child: Child,
}

impl ImapServer {
    pub async fn start() -> ImapServer {
        Self::launch(None).await
    }

    /// IMAPS only (no plain listener), with the CA's server certificate.
    pub async fn start_tls(ca: &TestCa) -> ImapServer {
        Self::launch(Some(ca)).await
    }

    async fn launch(ca: Option<&TestCa>) -> ImapServer {
        let dir = temp_dir("imap");
        let port = free_port();
        let d = dir.display();
        let uid = Command::new("id")
            .arg("-u")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse::<u32>().ok())
            .unwrap_or(0);
        let gid = Command::new("id")
            .arg("-g")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse::<u32>().ok())
            .unwrap_or(0);
        // As root Dovecot runs the mail processes as nobody; as anyone else, as that user.
        let (muid, mgid, extra) = if uid == 0 {
            (65534, 65534, String::new())
        } else {
            let me = std::env::var("USER").unwrap_or_else(|_| uid.to_string());
            (
                uid,
                gid,
                format!("default_internal_user = {me}\ndefault_login_user = {me}\n"),
            )
        };
        std::fs::create_dir_all(dir.join("mail")).unwrap();
        std::fs::create_dir_all(dir.join("run")).unwrap();
        std::fs::create_dir_all(dir.join("state")).unwrap();
        let _ = Command::new("chmod")
            .args(["0777"])
            .arg(dir.join("mail"))
            .status();
        let (ssl, plain, secure) = match ca {
            Some(ca) => (
                format!(
                    "ssl = required\nssl_cert = <{}\nssl_key = <{}\n",
                    ca.cert().display(),
                    ca.key().display()
                ),
                0,
                port,
            ),
            None => ("ssl = no\n".to_owned(), port, 0),
        };
        let conf = format!(
            "protocols = imap\nlisten = 127.0.0.1\nbase_dir = {d}/run\nstate_dir = {d}/state\n\
             instance_name = cst-test-{port}\nlog_path = {d}/dovecot.log\n{ssl}\
             disable_plaintext_auth = no\nauth_mechanisms = plain login\n\
             mail_location = maildir:{d}/mail/%u\nfirst_valid_uid = 1\n{extra}\
             passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {d}/users\n}}\n\
             userdb {{\n  driver = static\n  args = uid={muid} gid={mgid} home={d}/mail/%u\n}}\n\
             service imap-login {{\n  chroot =\n  inet_listener imap {{\n    address = 127.0.0.1\n    port = {plain}\n  }}\n  \
             inet_listener imaps {{\n    address = 127.0.0.1\n    port = {secure}\n  }}\n}}\n\
             service anvil {{\n  chroot =\n}}\n"
        );
        std::fs::write(dir.join("dovecot.conf"), conf).unwrap();
        std::fs::write(dir.join("users"), "helpdesk:{PLAIN}segreta-di-prova\n").unwrap();
        let log = dir.join("dovecot.log");
        let mut child = Command::new("/usr/sbin/dovecot")
            .arg("-F")
            .arg("-c")
            .arg(dir.join("dovecot.conf"))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.join("stderr.log")).unwrap())
            .spawn()
            .expect("Dovecot (Debian dovecot-imapd): run scripts/install-test-deps.sh");
        wait_for(port, "dovecot", &mut child, &log).await;
        ImapServer {
            port,
            tls: ca.is_some(),
            user: "helpdesk".into(),
            password: "segreta-di-prova".into(),
            dir,
            child,
        }
    }

    pub fn url(&self) -> String {
        format!(
            "{}://{}:{}@127.0.0.1:{}/INBOX",
            if self.tls { "imaps" } else { "imap" },
            self.user,
            self.password,
            self.port
        )
    }
}

impl Drop for ImapServer {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
