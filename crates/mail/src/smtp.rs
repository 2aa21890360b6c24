//! Outbound mail: [`Outgoing`] messages are queued inside the caller's transaction as
//! [`SEND_JOB`] jobs and sent by [`Sender`] through an SMTP server.

use std::sync::Arc;
use std::time::Duration;

use db::WriteTx;
use lettre::message::{header::ContentType, Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};
use worker::{Failure, Handler, Job, Retry};

use crate::MailError;

/// The job kind of an outbound message.
pub const SEND_JOB: &str = "mail.send";

/// A plain-text message to send. The sender's address is added when it is sent.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Outgoing {
    pub to: Vec<String>,
    pub subject: String,
    pub body: String,
    /// The Message-ID's local part (the domain is the sender's).
    pub local_id: String,
    /// Message-IDs (full, or local parts of ours) this one answers: In-Reply-To is the last.
    #[serde(default)]
    pub references: Vec<String>,
    /// An iCalendar object (RFC 6047, iMIP) sent with the text: a meeting request, its change
    /// or cancellation. It travels as the text's alternative, with its `METHOD`, and as an
    /// attached `invito.ics` for the programs that only read attachments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<String>,
}

/// Queues `m` in the caller's transaction: it is sent only if that commits, at most once per
/// `local_id`. Returns the job id (`None` if already queued).
pub async fn queue(tx: &mut WriteTx, m: &Outgoing) -> Result<Option<i64>, MailError> {
    if m.to.is_empty() || m.to.iter().any(|a| !crate::is_address(a)) {
        return Err(MailError::Address(m.to.join(", ")));
    }
    Ok(worker::enqueue(tx, SEND_JOB, m, Some(&format!("mail:{}", m.local_id)), None).await?)
}

/// Sends through one SMTP server as one sender address.
pub struct Sender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    domain: String,
}

impl Sender {
    /// `url`: `smtp://host:port` (plain, for a relay on the local network or loopback),
    /// `smtp://user:pass@host:587?tls=required` (STARTTLS) or `smtps://user:pass@host:465`;
    /// `from`: `Help desk <assistenza@cst.example.it>`.
    ///
    /// `ca_pem`: certificates (PEM) of a private certificate authority to trust besides the
    /// public ones, for a mail server with an internal certificate.
    pub fn new(url: &str, from: &str, ca_pem: Option<&[u8]>) -> Result<Self, MailError> {
        let from: Mailbox = from
            .parse()
            .map_err(|_| MailError::Address(from.to_owned()))?;
        let bad = |e: &dyn std::fmt::Display| MailError::Config(format!("SMTP «{url}»: {e}"));
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| bad(&e))?
            .timeout(Some(Duration::from_secs(30)));
        if let Some(pem) = ca_pem {
            crate::parse_ca(pem)?;
            // The URL chose the TLS mode; the parameters are rebuilt with the extra authority.
            let u = url::Url::parse(url).map_err(|e| bad(&e))?;
            let host = u.host_str().unwrap_or_default().to_owned();
            let params = || -> Result<TlsParameters, MailError> {
                TlsParameters::builder(host.clone())
                    .add_root_certificate(
                        Certificate::from_pem(pem)
                            .map_err(|e| MailError::Config(format!("certificati della CA: {e}")))?,
                    )
                    .build()
                    .map_err(|e| bad(&e))
            };
            let mode = u
                .query_pairs()
                .find(|(k, _)| k == "tls")
                .map(|(_, v)| v.into_owned());
            builder = match (u.scheme(), mode.as_deref()) {
                ("smtps", _) => builder.tls(Tls::Wrapper(params()?)),
                (_, Some("required")) => builder.tls(Tls::Required(params()?)),
                (_, Some("opportunistic")) => builder.tls(Tls::Opportunistic(params()?)),
                _ => builder,
            };
        }
        let transport = builder.build();
        let domain = from.email.domain().to_owned();
        Ok(Self {
            transport,
            from,
            domain,
        })
    }

    fn full_id(&self, id: &str) -> String {
        if id.contains('@') {
            format!(
                "<{}>",
                id.trim().trim_start_matches('<').trim_end_matches('>')
            )
        } else {
            format!("<{id}@{}>", self.domain)
        }
    }

    /// Builds the message as sent (also used by tests to check headers).
    pub fn build(&self, m: &Outgoing) -> Result<Message, Failure> {
        let mut b = Message::builder()
            .from(self.from.clone())
            .subject(m.subject.clone())
            .message_id(Some(self.full_id(&m.local_id)));
        for to in &m.to {
            let mb: Mailbox = to
                .parse()
                .map_err(|_| Failure::Permanent(format!("indirizzo «{to}» non valido")))?;
            b = b.to(mb);
        }
        if let Some(last) = m.references.last() {
            b = b.in_reply_to(self.full_id(last));
            let refs: Vec<String> = m.references.iter().map(|r| self.full_id(r)).collect();
            b = b.references(refs.join(" "));
        }
        let bad =
            |e: &dyn std::fmt::Display| Failure::Permanent(format!("messaggio non valido: {e}"));
        let Some(ics) = &m.calendar else {
            return b
                .header(ContentType::TEXT_PLAIN)
                .body(m.body.clone())
                .map_err(|e| bad(&e));
        };
        let method = ics
            .lines()
            .find_map(|l| l.trim_end().strip_prefix("METHOD:"))
            .filter(|v| v.chars().all(|c| c.is_ascii_alphabetic()))
            .unwrap_or("PUBLISH");
        let calendar_type =
            ContentType::parse(&format!("text/calendar; charset=utf-8; method={method}"))
                .map_err(|e| bad(&e))?;
        let file_type = ContentType::parse("application/ics").map_err(|e| bad(&e))?;
        b.multipart(
            MultiPart::mixed()
                .multipart(
                    MultiPart::alternative()
                        .singlepart(SinglePart::plain(m.body.clone()))
                        .singlepart(
                            SinglePart::builder()
                                .header(calendar_type)
                                .body(ics.clone()),
                        ),
                )
                .singlepart(Attachment::new("invito.ics".into()).body(ics.clone(), file_type)),
        )
        .map_err(|e| bad(&e))
    }

    /// Sends one message. A 5xx answer is permanent; anything else is worth retrying.
    pub async fn send(&self, m: &Outgoing) -> Result<(), Failure> {
        let msg = self.build(m)?;
        match self.transport.send(msg).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(Failure::Permanent(e.to_string())),
            Err(e) => Err(Failure::Transient(e.to_string())),
        }
    }

    /// The job handler for [`SEND_JOB`].
    pub fn handler(self: Arc<Self>) -> Handler {
        Arc::new(move |job: Job| {
            let me = self.clone();
            Box::pin(async move {
                let m: Outgoing = serde_json::from_str(&job.payload)
                    .map_err(|e| Failure::Permanent(format!("payload: {e}")))?;
                me.send(&m).await
            })
        })
    }
}

/// Retries of outbound mail: 10 attempts, from 30 seconds up to 2 hours apart (about 6 hours
/// in all), then the job is marked failed and shown to the administrators.
pub fn retry() -> Retry {
    Retry {
        max_attempts: 10,
        first_delay: Duration::from_secs(30),
        max_delay: Duration::from_secs(2 * 3600),
    }
}
