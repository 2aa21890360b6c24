//! An SMPP 3.4 session with the provider: connect, bind as a transceiver (so that delivery
//! receipts come back on the same session), submit with up to `window` requests outstanding,
//! answer the provider's enquire_link and deliver_sm, unbind.

use std::collections::HashMap;
use std::time::Duration;

use thiserror::Error;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::pdu::{self, Pdu, Receipt, Submit};

#[derive(Debug, Error)]
pub enum SmppError {
    #[error("gateway SMS non raggiungibile: {0}")]
    Connect(String),
    #[error("il gateway SMS ha rifiutato l'accesso: {}", pdu::status_words(*.0))]
    Bind(u32),
    #[error("collegamento con il gateway SMS interrotto: {0}")]
    Broken(String),
    #[error("il gateway SMS non risponde da {0} secondi")]
    Timeout(u64),
    #[error("risposta non valida dal gateway SMS: {0}")]
    Protocol(String),
}

/// Where the provider is and who we are to it.
#[derive(Debug, Clone)]
pub struct Config {
    pub host: String,
    pub port: u16,
    pub system_id: String,
    pub password: String,
    /// The sender shown on phones: a number or up to 11 letters and digits.
    pub source: String,
    /// Requests outstanding at once.
    pub window: usize,
    /// How long any answer may take.
    pub timeout: Duration,
}

impl Config {
    /// From `smpp://system_id:password@host:port?source=Comune&window=10`.
    pub fn from_url(url: &str) -> Result<Config, String> {
        let rest = url
            .strip_prefix("smpp://")
            .ok_or("l'indirizzo del gateway SMS comincia con smpp://")?;
        let (main, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (auth, hostport) = main
            .rsplit_once('@')
            .ok_or("indicare utente e password: smpp://utente:password@host:porta")?;
        let (user, pass) = auth.split_once(':').unwrap_or((auth, ""));
        let (host, port) = hostport.rsplit_once(':').unwrap_or((hostport, "2775"));
        let port: u16 = port
            .parse()
            .map_err(|_| format!("porta «{port}» non valida"))?;
        let decode = |s: &str| {
            let mut out = Vec::new();
            let b = s.as_bytes();
            let mut i = 0;
            while i < b.len() {
                if b[i] == b'%' && i + 2 < b.len() {
                    if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                        out.push(v);
                        i += 3;
                        continue;
                    }
                }
                out.push(b[i]);
                i += 1;
            }
            String::from_utf8_lossy(&out).into_owned()
        };
        let mut c = Config {
            host: host.to_owned(),
            port,
            system_id: decode(user),
            password: decode(pass),
            source: "CST".to_owned(),
            window: 10,
            timeout: Duration::from_secs(30),
        };
        for kv in query.split('&').filter(|s| !s.is_empty()) {
            match kv.split_once('=') {
                Some(("source", v)) => c.source = decode(v),
                Some(("window", v)) => {
                    c.window = v
                        .parse()
                        .ok()
                        .filter(|w| (1..=100).contains(w))
                        .ok_or("window da 1 a 100")?;
                }
                _ => return Err(format!("parametro «{kv}» sconosciuto (source, window)")),
            }
        }
        if c.host.is_empty() || c.system_id.is_empty() {
            return Err("indicare host e utente del gateway SMS".into());
        }
        Ok(c)
    }
}

/// What the provider answered to one submit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Accepted, with the provider's id for it (receipts name it).
    Accepted(String),
    /// Refused with an SMPP status.
    Refused(u32),
}

/// What a batch of submits came to.
#[derive(Debug)]
pub struct Submitted {
    /// Each item's answer, in order; `None`: no answer (the session broke).
    pub outcomes: Vec<Option<Outcome>>,
    /// Items written to the provider: those from here on were never sent.
    pub sent: usize,
    pub error: Option<SmppError>,
}

pub struct Session {
    stream: TcpStream,
    seq: u32,
    timeout: Duration,
    /// Receipts read so far, not yet taken.
    receipts: Vec<Receipt>,
}

impl Session {
    /// Connects and binds as a transceiver.
    pub async fn open(c: &Config) -> Result<Session, SmppError> {
        let stream = tokio::time::timeout(c.timeout, TcpStream::connect((c.host.as_str(), c.port)))
            .await
            .map_err(|_| SmppError::Timeout(c.timeout.as_secs()))?
            .map_err(|e| SmppError::Connect(e.to_string()))?;
        stream.set_nodelay(true).ok();
        let mut s = Session {
            stream,
            seq: 0,
            timeout: c.timeout,
            receipts: vec![],
        };
        let seq = s.next_seq();
        s.write(&Pdu::new(
            pdu::BIND_TRANSCEIVER,
            seq,
            pdu::bind_body(&c.system_id, &c.password, "CST"),
        ))
        .await?;
        loop {
            let p = s.read().await?;
            match p.command {
                pdu::BIND_TRANSCEIVER_RESP if p.sequence == seq => {
                    if p.status != 0 {
                        return Err(SmppError::Bind(p.status));
                    }
                    return Ok(s);
                }
                pdu::GENERIC_NACK => return Err(SmppError::Bind(p.status)),
                _ => s.answer(&p).await?,
            }
        }
    }

    fn next_seq(&mut self) -> u32 {
        self.seq = if self.seq >= 0x7FFF_FFFF {
            1
        } else {
            self.seq + 1
        };
        self.seq
    }

    async fn write(&mut self, p: &Pdu) -> Result<(), SmppError> {
        self.stream
            .write_all(&p.encode())
            .await
            .map_err(|e| SmppError::Broken(e.to_string()))
    }

    async fn read(&mut self) -> Result<Pdu, SmppError> {
        let secs = self.timeout.as_secs();
        tokio::time::timeout(self.timeout, read_pdu(&mut self.stream))
            .await
            .map_err(|_| SmppError::Timeout(secs))?
    }

    /// Answers what the provider asks on its own: a receipt (kept), a keep-alive, an unbind.
    async fn answer(&mut self, p: &Pdu) -> Result<(), SmppError> {
        match p.command {
            pdu::DELIVER_SM => {
                if let Ok(d) = pdu::deliver_body(&p.body) {
                    if d.esm_class & 0x3C == 0x04 {
                        let text = if d.data_coding == 0x08 {
                            let u: Vec<u16> = d
                                .message
                                .chunks(2)
                                .filter(|c| c.len() == 2)
                                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                                .collect();
                            String::from_utf16_lossy(&u)
                        } else {
                            String::from_utf8_lossy(&d.message).into_owned()
                        };
                        if let Some(r) = pdu::receipt(&text) {
                            self.receipts.push(r);
                        }
                    }
                }
                self.write(&Pdu::new(pdu::DELIVER_SM_RESP, p.sequence, vec![0]))
                    .await
            }
            pdu::ENQUIRE_LINK => {
                self.write(&Pdu::new(pdu::ENQUIRE_LINK_RESP, p.sequence, vec![]))
                    .await
            }
            pdu::UNBIND => {
                self.write(&Pdu::new(pdu::UNBIND_RESP, p.sequence, vec![]))
                    .await?;
                Err(SmppError::Broken("il gateway ha chiuso la sessione".into()))
            }
            _ => Ok(()),
        }
    }

    /// Submits every item, keeping up to `window` outstanding: each item's answer in order,
    /// how many were written to the provider (those after were never sent), and the error that
    /// stopped it, if any.
    pub async fn submit_all(&mut self, items: &[Submit], window: usize) -> Submitted {
        let mut r = Submitted {
            outcomes: vec![None; items.len()],
            sent: 0,
            error: None,
        };
        let mut waiting: HashMap<u32, usize> = HashMap::new();
        let window = window.max(1);
        loop {
            while r.sent < items.len() && waiting.len() < window {
                let seq = self.next_seq();
                let pdu = Pdu::new(pdu::SUBMIT_SM, seq, pdu::submit_body(&items[r.sent]));
                // A write that fails may still have reached the provider in part: the item
                // counts as sent (in doubt), never to be sent again.
                waiting.insert(seq, r.sent);
                r.sent += 1;
                if let Err(e) = self.write(&pdu).await {
                    r.error = Some(e);
                    return r;
                }
            }
            if waiting.is_empty() {
                return r;
            }
            let p = match self.read().await {
                Ok(p) => p,
                Err(e) => {
                    r.error = Some(e);
                    return r;
                }
            };
            match p.command {
                pdu::SUBMIT_SM_RESP | pdu::GENERIC_NACK => {
                    let Some(i) = waiting.remove(&p.sequence) else {
                        continue;
                    };
                    r.outcomes[i] = Some(if p.status == 0 && p.command == pdu::SUBMIT_SM_RESP {
                        let id = pdu::Reader::new(&p.body)
                            .cstring("message_id")
                            .unwrap_or_default();
                        Outcome::Accepted(id)
                    } else {
                        Outcome::Refused(if p.status == 0 { 0x08 } else { p.status })
                    });
                }
                _ => {
                    if let Err(e) = self.answer(&p).await {
                        r.error = Some(e);
                        return r;
                    }
                }
            }
        }
    }

    /// Reads what the provider sends for up to `quiet` after the last PDU, answering it, and
    /// returns the receipts gathered (also those read while submitting).
    pub async fn receipts(&mut self, quiet: Duration) -> Vec<Receipt> {
        while let Ok(Ok(p)) = tokio::time::timeout(quiet, read_pdu(&mut self.stream)).await {
            if self.answer(&p).await.is_err() {
                break;
            }
        }
        std::mem::take(&mut self.receipts)
    }

    /// Says goodbye (best effort) and closes.
    pub async fn close(mut self) {
        let seq = self.next_seq();
        if self
            .write(&Pdu::new(pdu::UNBIND, seq, vec![]))
            .await
            .is_ok()
        {
            let _ = tokio::time::timeout(Duration::from_secs(2), async {
                while let Ok(p) = read_pdu(&mut self.stream).await {
                    if p.command == pdu::UNBIND_RESP {
                        break;
                    }
                }
            })
            .await;
        }
        let _ = self.stream.shutdown().await;
    }
}

async fn read_pdu(stream: &mut TcpStream) -> Result<Pdu, SmppError> {
    let mut head = [0u8; 4];
    stream
        .read_exact(&mut head)
        .await
        .map_err(|e| SmppError::Broken(e.to_string()))?;
    let n = Pdu::announced(&head).map_err(|e| SmppError::Protocol(e.to_string()))?;
    let mut buf = vec![0u8; n];
    buf[..4].copy_from_slice(&head);
    stream
        .read_exact(&mut buf[4..])
        .await
        .map_err(|e| SmppError::Broken(e.to_string()))?;
    Pdu::decode(&buf).map_err(|e| SmppError::Protocol(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gateway_is_named_by_a_url() {
        let c =
            Config::from_url("smpp://cst:s%40gret@sms.example.it:2776?source=ComunePD&window=20")
                .unwrap();
        assert_eq!(
            (
                c.host.as_str(),
                c.port,
                c.system_id.as_str(),
                c.password.as_str(),
                c.source.as_str(),
                c.window
            ),
            ("sms.example.it", 2776, "cst", "s@gret", "ComunePD", 20)
        );
        assert_eq!(Config::from_url("smpp://u:p@h").unwrap().port, 2775);
        for bad in [
            "http://x",
            "smpp://host:2775",
            "smpp://u:p@h:porta",
            "smpp://u:p@h?colore=blu",
        ] {
            assert!(Config::from_url(bad).is_err(), "{bad}");
        }
    }
}
