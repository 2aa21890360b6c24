//! The syslog receivers `cst serve` starts when asked: UDP (RFC 5426, one message per
//! datagram), TCP (RFC 6587: octet counting and LF framing on the same port) and TLS (RFC 5425,
//! with optional client certificates: a source may be registered by its certificate's SHA-256
//! fingerprint; the client proves it holds the key, no authority is needed).
//!
//! Every read turns into one chunk of records handed to the ingest pipeline; while the
//! pipeline is full a TCP or TLS connection is simply not read (the sender feels TCP's
//! back-pressure), so memory stays bounded under overload.

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinHandle;
use tokio_rustls::rustls;

use crate::ingest::{Chunk, Ingest, Transport};
use crate::model::canonical;
use crate::LogsError;

/// Connections served at once; more wait in the kernel's accept queue.
const MAX_CONNECTIONS: usize = 2048;
const READ_BUFFER: usize = 64 * 1024;
/// Datagrams gathered into one chunk when they arrive together.
const UDP_CHUNK: usize = 512;

/// Where to listen.
#[derive(Debug, Clone, Default)]
pub struct Listen {
    pub udp: Option<SocketAddr>,
    pub tcp: Option<SocketAddr>,
    pub tls: Option<TlsListen>,
}

#[derive(Debug, Clone)]
pub struct TlsListen {
    pub addr: SocketAddr,
    /// The server's certificate chain and private key, PEM.
    pub cert_pem: Vec<u8>,
    pub key_pem: Vec<u8>,
}

/// The addresses actually bound (a port 0 becomes the port the system chose).
#[derive(Debug, Clone, Default)]
pub struct Bound {
    pub udp: Option<SocketAddr>,
    pub tcp: Option<SocketAddr>,
    pub tls: Option<SocketAddr>,
}

/// Binds every configured listener and serves until `stop` turns true.
pub async fn start(
    ingest: &Ingest,
    listen: &Listen,
    stop: &watch::Receiver<bool>,
) -> Result<(Bound, Vec<JoinHandle<()>>), LogsError> {
    let mut bound = Bound::default();
    let mut tasks = Vec::new();
    let limit = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    if let Some(addr) = listen.udp {
        let sock = UdpSocket::bind(addr)
            .await
            .map_err(|e| LogsError::Store(format!("syslog UDP {addr}: {e}")))?;
        let local = sock
            .local_addr()
            .map_err(|e| LogsError::Store(e.to_string()))?;
        if let Ok(mut p) = ingest.stats.udp_ports.write() {
            p.push(local.port());
        }
        bound.udp = Some(local);
        tasks.push(tokio::spawn(udp(sock, ingest.clone(), stop.clone())));
    }
    if let Some(addr) = listen.tcp {
        let l = TcpListener::bind(addr)
            .await
            .map_err(|e| LogsError::Store(format!("syslog TCP {addr}: {e}")))?;
        bound.tcp = Some(
            l.local_addr()
                .map_err(|e| LogsError::Store(e.to_string()))?,
        );
        tasks.push(tokio::spawn(accept(
            l,
            None,
            ingest.clone(),
            stop.clone(),
            limit.clone(),
        )));
    }
    if let Some(t) = &listen.tls {
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls_config(t)?));
        let l = TcpListener::bind(t.addr)
            .await
            .map_err(|e| LogsError::Store(format!("syslog TLS {}: {e}", t.addr)))?;
        bound.tls = Some(
            l.local_addr()
                .map_err(|e| LogsError::Store(e.to_string()))?,
        );
        tasks.push(tokio::spawn(accept(
            l,
            Some(acceptor),
            ingest.clone(),
            stop.clone(),
            limit,
        )));
    }
    Ok((bound, tasks))
}

async fn stopped(mut rx: watch::Receiver<bool>) {
    while !*rx.borrow() {
        if rx.changed().await.is_err() {
            return;
        }
    }
}

async fn udp(sock: UdpSocket, ingest: Ingest, stop: watch::Receiver<bool>) {
    let mut buf = vec![0u8; 65_536];
    let stop = stopped(stop);
    tokio::pin!(stop);
    loop {
        let (n, from) = tokio::select! {
            r = sock.recv_from(&mut buf) => match r {
                Ok(v) => v,
                Err(e) => {
                    tracing::warn!("syslog UDP: {e}");
                    continue;
                }
            },
            () = &mut stop => return,
        };
        let now = ingest.now();
        let map = ingest.sources();
        let mut chunk = Chunk::with_capacity(n * 2);
        let take = |data: &[u8], from: SocketAddr, chunk: &mut Chunk| {
            let data = trim_datagram(data);
            if data.is_empty() {
                return;
            }
            let ip = canonical(from.ip());
            let peer: Arc<str> = ip.to_string().into();
            chunk.add(data, &peer, &map.resolve(ip, None), now);
        };
        take(&buf[..n], from, &mut chunk);
        while chunk.len() < UDP_CHUNK {
            match sock.try_recv_from(&mut buf) {
                Ok((n, from)) => take(&buf[..n], from, &mut chunk),
                Err(_) => break,
            }
        }
        let chunk = chunk.into_records(Transport::Udp);
        if ingest.send(chunk).await.is_err() {
            return;
        }
    }
}

/// A datagram without the line end or NUL some senders add.
fn trim_datagram(d: &[u8]) -> &[u8] {
    let mut end = d.len();
    while end > 0 && matches!(d[end - 1], b'\n' | b'\r' | 0) {
        end -= 1;
    }
    &d[..end]
}

async fn accept(
    l: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    ingest: Ingest,
    stop: watch::Receiver<bool>,
    limit: Arc<Semaphore>,
) {
    let stopping = stopped(stop.clone());
    tokio::pin!(stopping);
    loop {
        let permit = tokio::select! {
            p = limit.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => return },
            () = &mut stopping => return,
        };
        let (sock, from) = tokio::select! {
            r = l.accept() => match r {
                Ok(v) => v,
                Err(e) => {
                    tracing::warn!("syslog accept: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stopping => return,
        };
        let _ = sock.set_nodelay(true);
        let ingest = ingest.clone();
        let stop = stop.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let ip = canonical(from.ip());
            ingest.stats.connections.fetch_add(1, Ordering::Relaxed);
            match tls {
                None => stream(sock, ip, Transport::Tcp, None, &ingest, stop).await,
                Some(acceptor) => {
                    let hs = tokio::time::timeout(Duration::from_secs(15), acceptor.accept(sock));
                    match hs.await {
                        Ok(Ok(s)) => {
                            let fp = s
                                .get_ref()
                                .1
                                .peer_certificates()
                                .and_then(|c| c.first())
                                .map(|c| hex::encode(Sha256::digest(c.as_ref())));
                            stream(s, ip, Transport::Tls, fp, &ingest, stop).await;
                        }
                        Ok(Err(e)) => {
                            ingest.stats.tls_failures.fetch_add(1, Ordering::Relaxed);
                            tracing::info!("syslog TLS handshake from {ip}: {e}");
                        }
                        Err(_) => {
                            ingest.stats.tls_failures.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            }
            ingest.stats.connections.fetch_sub(1, Ordering::Relaxed);
        });
    }
}

/// Reads one connection to its end: frames, records, chunks.
async fn stream<S: AsyncRead + Unpin>(
    mut s: S,
    ip: IpAddr,
    transport: Transport,
    fingerprint: Option<String>,
    ingest: &Ingest,
    stop: watch::Receiver<bool>,
) {
    let peer: Arc<str> = ip.to_string().into();
    let mut framer = syslog::Framer::new();
    let mut buf = vec![0u8; READ_BUFFER];
    let mut counted = 0;
    let stopping = stopped(stop);
    tokio::pin!(stopping);
    loop {
        let n = tokio::select! {
            r = s.read(&mut buf) => r.unwrap_or(0),
            () = &mut stopping => 0,
        };
        let now = ingest.now();
        let from = ingest.sources().resolve(ip, fingerprint.as_deref());
        let mut chunk = Chunk::with_capacity(n + 256);
        let mut broken = false;
        if n > 0 {
            framer.push(&buf[..n]);
            loop {
                match framer.next_frame() {
                    Ok(Some(f)) => chunk.add(f, &peer, &from, now),
                    Ok(None) => break,
                    Err(e) => {
                        ingest.stats.framing_errors.fetch_add(1, Ordering::Relaxed);
                        tracing::info!("syslog from {ip}: {e:?}; connection closed");
                        broken = true;
                        break;
                    }
                }
            }
        } else if let Some(f) = framer.finish() {
            chunk.add(f, &peer, &from, now);
        }
        let chunk = chunk.into_records(transport);
        let truncated = framer.truncated();
        if truncated > counted {
            ingest
                .stats
                .truncated
                .fetch_add(truncated - counted, Ordering::Relaxed);
            counted = truncated;
        }
        if ingest.send(chunk).await.is_err() || n == 0 || broken {
            return;
        }
    }
}

/// The TLS server settings: our certificate, and client certificates asked for but optional,
/// accepted when the client proves it holds the certificate's key (the source is then found by
/// the certificate's fingerprint).
fn tls_config(t: &TlsListen) -> Result<rustls::ServerConfig, LogsError> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let bad = |what: &str, e: String| LogsError::Store(format!("syslog TLS, {what}: {e}"));
    let certs = CertificateDer::pem_slice_iter(&t.cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad("certificato", e.to_string()))?;
    if certs.is_empty() {
        return Err(bad("certificato", "nessun certificato PEM nel file".into()));
    }
    let key =
        PrivateKeyDer::from_pem_slice(&t.key_pem).map_err(|e| bad("chiave", e.to_string()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| bad("protocolli", e.to_string()))?
        .with_client_cert_verifier(Arc::new(AnyClientCert(provider)))
        .with_single_cert(certs, key)
        .map_err(|e| bad("certificato e chiave", e.to_string()))
}

/// Asks for a client certificate, does not require one, and accepts any whose key signed the
/// handshake: the registered fingerprint, not an authority, says whose it is.
#[derive(Debug)]
struct AnyClientCert(Arc<rustls::crypto::CryptoProvider>);

impl rustls::server::danger::ClientCertVerifier for AnyClientCert {
    fn client_auth_mandatory(&self) -> bool {
        false
    }
    fn root_hint_subjects(&self) -> &[rustls::DistinguishedName] {
        &[]
    }
    fn verify_client_cert(
        &self,
        _end_entity: &rustls::pki_types::CertificateDer<'_>,
        _intermediates: &[rustls::pki_types::CertificateDer<'_>],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::server::danger::ClientCertVerified, rustls::Error> {
        Ok(rustls::server::danger::ClientCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }
    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datagrams_lose_their_line_end() {
        assert_eq!(trim_datagram(b"<13>hi\r\n\0"), b"<13>hi");
        assert_eq!(trim_datagram(b"\n"), b"");
    }
}
