//! Inbound messages as the help desk needs them.

use mail_parser::{MessageParser, MimeHeaders};
use sha2::{Digest, Sha256};

/// A file attached to an inbound message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub filename: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

/// An inbound message, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming {
    /// The Message-ID without brackets; for a message without one, `sha256:` and the hash of
    /// the whole message (the same message fetched twice gets the same id).
    pub message_id: String,
    /// The sender's address, lower case.
    pub from: String,
    pub from_name: String,
    pub subject: String,
    /// In-Reply-To then References, without brackets, in order, no repeats.
    pub references: Vec<String>,
    /// The plain-text body (HTML converted by the parser when there is no text part).
    pub text: String,
    pub attachments: Vec<Attachment>,
    /// Written by a machine in answer to something (RFC 3834 `Auto-Submitted`, `X-Autoreply`,
    /// `Precedence: auto_reply|bulk|junk`): an out-of-office notice is not the entity replying.
    pub automatic: bool,
    /// Every `Authentication-Results` header (RFC 8601), unfolded, in order: what the
    /// receiving servers found of SPF, DKIM and DMARC. Only the one written by our own server
    /// (its authserv-id) can be believed: see `helpdesk::email`.
    pub auth_results: Vec<String>,
    /// The first iCalendar object it carries (a `text/calendar` part or an `.ics` file): an
    /// answer to an invitation, when its method is `REPLY`.
    pub calendar: Option<String>,
}

fn ids(v: &mail_parser::HeaderValue<'_>) -> Vec<String> {
    if let Some(list) = v.as_text_list() {
        list.iter().map(|s| s.to_string()).collect()
    } else if let Some(s) = v.as_text() {
        s.split_whitespace().map(str::to_owned).collect()
    } else {
        Vec::new()
    }
}

fn clean_id(s: &str) -> String {
    s.trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim()
        .to_owned()
}

/// Parses a raw RFC 5322 message; `None` when it is not a message at all.
pub fn parse(raw: &[u8]) -> Option<Incoming> {
    let m = MessageParser::default().parse(raw)?;
    let message_id = match m.message_id().map(clean_id).filter(|s| !s.is_empty()) {
        Some(id) => id,
        None => format!("sha256:{}", hex::encode(Sha256::digest(raw))),
    };
    let (from, from_name) = m
        .from()
        .and_then(|a| a.first())
        .map(|a| {
            (
                a.address().unwrap_or("").trim().to_lowercase(),
                a.name().unwrap_or("").trim().to_owned(),
            )
        })
        .unwrap_or_default();
    let mut references = Vec::new();
    for id in ids(m.in_reply_to())
        .into_iter()
        .chain(ids(m.references()))
        .map(|s| clean_id(&s))
    {
        if !id.is_empty() && !references.contains(&id) {
            references.push(id);
        }
    }
    let text = m.body_text(0).map(|t| t.into_owned()).unwrap_or_default();
    let raw_header = |name: &str| {
        m.header_raw(name)
            .map(|v| v.trim().to_ascii_lowercase())
            .unwrap_or_default()
    };
    let auto_submitted = raw_header("Auto-Submitted");
    let precedence = raw_header("Precedence");
    let automatic = (!auto_submitted.is_empty() && auto_submitted != "no")
        || !raw_header("X-Autoreply").is_empty()
        || !raw_header("X-Autorespond").is_empty()
        || matches!(precedence.as_str(), "auto_reply" | "bulk" | "junk");
    let auth_results = m
        .headers()
        .iter()
        .filter(|h| {
            h.name
                .as_str()
                .eq_ignore_ascii_case("Authentication-Results")
        })
        .filter_map(|h| raw.get(h.offset_start as usize..h.offset_end as usize))
        .map(|v| {
            String::from_utf8_lossy(v)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let attachments = m
        .attachments()
        .map(|p| Attachment {
            filename: p.attachment_name().unwrap_or("allegato").to_owned(),
            content_type: p
                .content_type()
                .map(|c| match c.subtype() {
                    Some(s) => format!("{}/{}", c.ctype(), s),
                    None => c.ctype().to_owned(),
                })
                .unwrap_or_else(|| "application/octet-stream".into()),
            data: p.contents().to_vec(),
        })
        .collect();
    let calendar = m
        .parts
        .iter()
        .find(|p| {
            p.content_type().is_some_and(|c| {
                let sub = c.subtype().unwrap_or("").to_ascii_lowercase();
                (c.ctype().eq_ignore_ascii_case("text") && sub == "calendar")
                    || (c.ctype().eq_ignore_ascii_case("application") && sub == "ics")
            })
        })
        .map(|p| String::from_utf8_lossy(p.contents()).into_owned());
    Some(Incoming {
        calendar,
        message_id,
        from,
        from_name,
        subject: m.subject().unwrap_or("").trim().to_owned(),
        references,
        text,
        attachments,
        automatic,
        auth_results,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parses_headers_body_and_attachment() {
        let raw = b"From: Mario Rossi <Mario.Rossi@Comune.Example.it>\r\n\
To: assistenza@cst.example.it\r\n\
Subject: Re: [Ticket 2026/000123] Stampante\r\n\
Message-ID: <abc@mail.example.it>\r\n\
In-Reply-To: <t1.ff@cst.example.it>\r\n\
References: <t0.ee@cst.example.it> <t1.ff@cst.example.it>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"b\"\r\n\
\r\n\
--b\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
\r\n\
Funziona di nuovo, grazie.\r\n\
--b\r\n\
Content-Type: application/pdf\r\n\
Content-Disposition: attachment; filename=\"verbale.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
JVBERi0xLjQK\r\n\
--b--\r\n";
        let m = parse(raw).unwrap();
        assert_eq!(m.message_id, "abc@mail.example.it");
        assert_eq!(m.from, "mario.rossi@comune.example.it");
        assert_eq!(m.from_name, "Mario Rossi");
        assert_eq!(m.subject, "Re: [Ticket 2026/000123] Stampante");
        assert_eq!(
            m.references,
            vec!["t1.ff@cst.example.it", "t0.ee@cst.example.it"]
        );
        assert_eq!(m.text.trim(), "Funziona di nuovo, grazie.");
        assert_eq!(m.attachments.len(), 1);
        assert_eq!(m.attachments[0].filename, "verbale.pdf");
        assert_eq!(m.attachments[0].content_type, "application/pdf");
        assert_eq!(m.attachments[0].data, b"%PDF-1.4\n");
        assert!(!m.automatic);
    }

    #[test]
    fn out_of_office_replies_are_automatic() {
        let ooo = b"From: a@b.it\r\nSubject: Fuori ufficio\r\nAuto-Submitted: auto-replied\r\n\r\nRientro lunedi\r\n";
        assert!(parse(ooo).unwrap().automatic);
        let no = b"From: a@b.it\r\nSubject: x\r\nAuto-Submitted: no\r\n\r\nciao\r\n";
        assert!(!parse(no).unwrap().automatic);
        let bulk = b"From: a@b.it\r\nSubject: x\r\nPrecedence: bulk\r\n\r\nciao\r\n";
        assert!(parse(bulk).unwrap().automatic);
    }

    #[test]
    fn without_message_id_the_hash_is_the_id_and_is_stable() {
        let raw = b"From: a@b.it\r\nSubject: x\r\n\r\nciao\r\n";
        let a = parse(raw).unwrap();
        assert!(a.message_id.starts_with("sha256:"));
        assert_eq!(a.message_id, parse(raw).unwrap().message_id);
    }

    #[test]
    fn local_parts_and_addresses() {
        assert_eq!(crate::local_part("<t1.ff@cst.example.it>"), "t1.ff");
        assert!(crate::is_address("a.b@comune.padova.it"));
        assert!(!crate::is_address("a b@c.it"));
        assert!(!crate::is_address("@c.it"));
        assert!(!crate::is_address("a@c"));
    }
}
