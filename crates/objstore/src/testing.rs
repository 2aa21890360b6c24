//! A real S3 server for tests: PyPI's `moto` in server mode, installed by
//! `scripts/install-test-deps.sh` in `target/moto-venv`, started on a free loopback port and
//! killed when dropped. A missing moto fails the test (it is not skipped).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use crate::s3::tags;

pub struct Moto {
    child: Child,
    pub endpoint: String,
    pub access_key: String,
    pub secret_key: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Where `moto_server` is: `moto-venv/bin/moto_server` under `$CARGO_TARGET_DIR`, else under
/// this workspace's `target/`.
pub fn moto_server() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"),
        PathBuf::from,
    );
    target.join("moto-venv/bin/moto_server")
}

/// An IAM query request to moto, while it checks no signatures (only the credential scope
/// of the `Authorization` header is read, to route it to IAM).
#[allow(clippy::panic)]
async fn iam(endpoint: &str, form: &[(&str, &str)]) -> String {
    let answer = reqwest::Client::new()
        .post(format!("{endpoint}/"))
        .header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=prova/20250101/us-east-1/iam/aws4_request, \
             SignedHeaders=host, Signature=0",
        )
        .form(&[form, &[("Version", "2010-05-08")]].concat())
        .send()
        .await
        .unwrap_or_else(|e| panic!("moto IAM {form:?}: {e}"));
    let status = answer.status();
    let text = answer.text().await.unwrap_or_default();
    assert!(status.is_success(), "moto IAM {form:?}: {status} {text}");
    text
}

impl Moto {
    /// Starts the server and waits until it answers. It accepts any credentials and checks
    /// no signature. Panics (failing the test, not skipping it) when moto is not installed.
    #[allow(clippy::panic)]
    pub async fn start() -> Moto {
        let bin = moto_server();
        assert!(
            bin.exists(),
            "{} is missing: run scripts/install-test-deps.sh (it installs moto[server] there)",
            bin.display()
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("no free port: {e}"));
        let child = Command::new(&bin)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{}: {e}", bin.display()));
        let endpoint = format!("http://127.0.0.1:{port}");
        let moto = Moto {
            child,
            endpoint,
            access_key: "prova".into(),
            secret_key: "segreta".into(),
        };
        let client = reqwest::Client::new();
        let ready = format!("{}/moto-api/", moto.endpoint);
        for _ in 0..600 {
            if client.get(&ready).send().await.is_ok() {
                return moto;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("moto_server did not answer on port {port} within 30 s");
    }

    /// Starts the server with one IAM user allowed `s3:*`, and from then on has it check
    /// every request's signature as AWS does (botocore's SigV4). [`Moto::env`] hands out
    /// that user's keys.
    #[allow(clippy::panic)]
    pub async fn start_checking_signatures() -> Moto {
        let mut moto = Moto::start().await;
        let e = moto.endpoint.clone();
        iam(&e, &[("Action", "CreateUser"), ("UserName", "cst")]).await;
        let key = iam(&e, &[("Action", "CreateAccessKey"), ("UserName", "cst")]).await;
        let field = |tag: &str| {
            tags(&key, tag)
                .into_iter()
                .next()
                .unwrap_or_else(|| panic!("moto CreateAccessKey without {tag}: {key}"))
        };
        moto.access_key = field("AccessKeyId");
        moto.secret_key = field("SecretAccessKey");
        let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;
        iam(
            &e,
            &[
                ("Action", "PutUserPolicy"),
                ("UserName", "cst"),
                ("PolicyName", "s3"),
                ("PolicyDocument", policy),
            ],
        )
        .await;
        moto.check_signatures(true).await;
        moto
    }

    /// Turns moto's signature checks on (from the next request) or off. Off is for
    /// requests whose query has a character such as `/` (a listing's `prefix` and
    /// `delimiter`): moto rebuilds the query through werkzeug, which decodes `%2F`, and then
    /// refuses the signature AWS asks for (`%2F`, as botocore signs too).
    #[allow(clippy::panic)]
    pub async fn check_signatures(&self, on: bool) {
        let reset = reqwest::Client::new()
            .post(format!("{}/moto-api/reset-auth", self.endpoint))
            .header("content-type", "text/plain")
            .body(if on { "0" } else { "inf" })
            .send()
            .await
            .unwrap_or_else(|err| panic!("moto reset-auth: {err}"));
        assert!(reset.status().is_success(), "moto reset-auth: {reset:?}");
    }

    /// The environment an `s3://` target reads, pointing at this server.
    pub fn env(&self) -> impl Fn(&str) -> Option<String> + '_ {
        move |k: &str| match k {
            "AWS_ENDPOINT_URL" => Some(self.endpoint.clone()),
            "AWS_ACCESS_KEY_ID" => Some(self.access_key.clone()),
            "AWS_SECRET_ACCESS_KEY" => Some(self.secret_key.clone()),
            "AWS_REGION" => Some("eu-south-1".into()),
            _ => None,
        }
    }
}
