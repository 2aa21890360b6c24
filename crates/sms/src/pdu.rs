//! SMPP 3.4 PDUs: the 16-octet header (length, command, status, sequence) and the bodies this
//! client sends and reads. Pure: bytes in, bytes out.

use thiserror::Error;

pub const BIND_TRANSCEIVER: u32 = 0x0000_0009;
pub const BIND_TRANSCEIVER_RESP: u32 = 0x8000_0009;
pub const SUBMIT_SM: u32 = 0x0000_0004;
pub const SUBMIT_SM_RESP: u32 = 0x8000_0004;
pub const DELIVER_SM: u32 = 0x0000_0005;
pub const DELIVER_SM_RESP: u32 = 0x8000_0005;
pub const UNBIND: u32 = 0x0000_0006;
pub const UNBIND_RESP: u32 = 0x8000_0006;
pub const ENQUIRE_LINK: u32 = 0x0000_0015;
pub const ENQUIRE_LINK_RESP: u32 = 0x8000_0015;
pub const GENERIC_NACK: u32 = 0x8000_0000;

/// The largest PDU accepted from the other side.
pub const MAX_PDU: usize = 64 * 1024;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum PduError {
    #[error("PDU di lunghezza non valida ({0} ottetti)")]
    Length(usize),
    #[error("PDU troncato: manca il campo {0}")]
    Truncated(&'static str),
}

/// A PDU as read: its header and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pdu {
    pub command: u32,
    pub status: u32,
    pub sequence: u32,
    pub body: Vec<u8>,
}

impl Pdu {
    pub fn new(command: u32, sequence: u32, body: Vec<u8>) -> Self {
        Self {
            command,
            status: 0,
            sequence,
            body,
        }
    }

    /// The PDU as bytes on the wire.
    pub fn encode(&self) -> Vec<u8> {
        let len = u32::try_from(16 + self.body.len()).unwrap_or(u32::MAX);
        let mut out = Vec::with_capacity(16 + self.body.len());
        for v in [len, self.command, self.status, self.sequence] {
            out.extend_from_slice(&v.to_be_bytes());
        }
        out.extend_from_slice(&self.body);
        out
    }

    /// The length a PDU announces in its first four octets.
    pub fn announced(head: &[u8; 4]) -> Result<usize, PduError> {
        let n = u32::from_be_bytes(*head) as usize;
        if !(16..=MAX_PDU).contains(&n) {
            return Err(PduError::Length(n));
        }
        Ok(n)
    }

    /// Decodes a whole PDU (its announced length included).
    pub fn decode(bytes: &[u8]) -> Result<Self, PduError> {
        if bytes.len() < 16 {
            return Err(PduError::Length(bytes.len()));
        }
        let word =
            |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
        let len = word(0) as usize;
        if len != bytes.len() || len > MAX_PDU {
            return Err(PduError::Length(len));
        }
        Ok(Self {
            command: word(4),
            status: word(8),
            sequence: word(12),
            body: bytes[16..].to_vec(),
        })
    }
}

fn cstring(out: &mut Vec<u8>, s: &str, max: usize) {
    let b = s.as_bytes();
    out.extend_from_slice(&b[..b.len().min(max - 1)]);
    out.push(0);
}

/// Reads the C-strings and octets of a body in order.
pub struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub fn new(b: &'a [u8]) -> Self {
        Self { b, at: 0 }
    }
    pub fn cstring(&mut self, field: &'static str) -> Result<String, PduError> {
        let rest = self.b.get(self.at..).ok_or(PduError::Truncated(field))?;
        let end = rest
            .iter()
            .position(|&c| c == 0)
            .ok_or(PduError::Truncated(field))?;
        let s = String::from_utf8_lossy(&rest[..end]).into_owned();
        self.at += end + 1;
        Ok(s)
    }
    pub fn octet(&mut self, field: &'static str) -> Result<u8, PduError> {
        let v = *self.b.get(self.at).ok_or(PduError::Truncated(field))?;
        self.at += 1;
        Ok(v)
    }
    pub fn octets(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], PduError> {
        let v = self
            .b
            .get(self.at..self.at + n)
            .ok_or(PduError::Truncated(field))?;
        self.at += n;
        Ok(v)
    }
}

/// bind_transceiver's body.
pub fn bind_body(system_id: &str, password: &str, system_type: &str) -> Vec<u8> {
    let mut b = vec![];
    cstring(&mut b, system_id, 16);
    cstring(&mut b, password, 9);
    cstring(&mut b, system_type, 13);
    b.push(0x34); // interface_version
    b.push(0); // addr_ton
    b.push(0); // addr_npi
    cstring(&mut b, "", 41); // address_range
    b
}

/// What a submit_sm carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submit {
    /// The sender: digits (an international number) or up to 11 letters and digits.
    pub source: String,
    /// The recipient's number as the networks see it (country code, digits only).
    pub destination: String,
    /// 0x40 when the message starts with a header joining parts.
    pub esm_class: u8,
    pub data_coding: u8,
    pub registered_delivery: bool,
    pub message: Vec<u8>,
}

/// submit_sm's body.
pub fn submit_body(s: &Submit) -> Vec<u8> {
    let mut b = vec![];
    cstring(&mut b, "", 6); // service_type
    let alpha = !s.source.chars().all(|c| c.is_ascii_digit());
    b.push(if alpha { 5 } else { 1 }); // source_addr_ton: alphanumeric or international
    b.push(if alpha { 0 } else { 1 }); // source_addr_npi
    cstring(&mut b, &s.source, 21);
    b.push(1); // dest_addr_ton: international
    b.push(1); // dest_addr_npi: E.164
    cstring(&mut b, &s.destination, 21);
    b.push(s.esm_class);
    b.push(0); // protocol_id
    b.push(0); // priority_flag
    cstring(&mut b, "", 17); // schedule_delivery_time
    cstring(&mut b, "", 17); // validity_period
    b.push(u8::from(s.registered_delivery));
    b.push(0); // replace_if_present_flag
    b.push(s.data_coding);
    b.push(0); // sm_default_msg_id
    b.push(u8::try_from(s.message.len()).unwrap_or(u8::MAX));
    b.extend_from_slice(&s.message[..s.message.len().min(254)]);
    b
}

/// A deliver_sm as read: who from, the flags and the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deliver {
    pub source: String,
    pub destination: String,
    pub esm_class: u8,
    pub data_coding: u8,
    pub message: Vec<u8>,
}

/// Decodes deliver_sm's body (the same layout as submit_sm's).
pub fn deliver_body(body: &[u8]) -> Result<Deliver, PduError> {
    let mut r = Reader::new(body);
    r.cstring("service_type")?;
    r.octet("source_addr_ton")?;
    r.octet("source_addr_npi")?;
    let source = r.cstring("source_addr")?;
    r.octet("dest_addr_ton")?;
    r.octet("dest_addr_npi")?;
    let destination = r.cstring("destination_addr")?;
    let esm_class = r.octet("esm_class")?;
    r.octet("protocol_id")?;
    r.octet("priority_flag")?;
    r.cstring("schedule_delivery_time")?;
    r.cstring("validity_period")?;
    r.octet("registered_delivery")?;
    r.octet("replace_if_present_flag")?;
    let data_coding = r.octet("data_coding")?;
    r.octet("sm_default_msg_id")?;
    let n = r.octet("sm_length")?;
    let message = r.octets(usize::from(n), "short_message")?.to_vec();
    Ok(Deliver {
        source,
        destination,
        esm_class,
        data_coding,
        message,
    })
}

/// A delivery receipt's outcome, from its text (`id:… stat:DELIVRD err:000 …`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub message_id: String,
    /// DELIVRD, EXPIRED, DELETED, UNDELIV, ACCEPTD, UNKNOWN, REJECTD.
    pub stat: String,
    pub err: String,
}

/// Reads a receipt's text; `None` when it is not one.
pub fn receipt(text: &str) -> Option<Receipt> {
    let field = |name: &str| {
        text.split_whitespace()
            .find_map(|w| w.strip_prefix(name).map(str::to_owned))
    };
    Some(Receipt {
        message_id: field("id:")?,
        stat: field("stat:")?,
        err: field("err:").unwrap_or_default(),
    })
}

/// A status code in words (SMPP 3.4 §5.1.3), for the sent-messages log.
pub fn status_words(status: u32) -> String {
    let w = match status {
        0x00 => "ok",
        0x01 => "lunghezza del messaggio non valida",
        0x04 => "sessione non autorizzata",
        0x08 => "errore del gateway",
        0x0A => "mittente non valido",
        0x0B => "numero del destinatario non valido",
        0x0D => "collegamento rifiutato",
        0x0E => "password non valida",
        0x0F => "nome di sistema non valido",
        0x14 => "coda del gateway piena",
        0x45 => "invio non riuscito",
        0x58 => "troppi messaggi: il gateway chiede di rallentare",
        0x61 => "ora di invio non valida",
        0x62 => "validità non valida",
        _ => "",
    };
    if w.is_empty() {
        format!("errore SMPP 0x{status:08X}")
    } else {
        format!("{w} (0x{status:02X})")
    }
}

/// Whether a refused submit may succeed later (a queue full, throttling, a gateway error).
pub fn retryable(status: u32) -> bool {
    matches!(status, 0x08 | 0x14 | 0x58 | 0x45)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_submit_round_trips_as_a_deliver_and_headers_are_checked() {
        let s = Submit {
            source: "ComunePD".into(),
            destination: "393471234567".into(),
            esm_class: 0x40,
            data_coding: 0,
            registered_delivery: true,
            message: vec![5, 0, 3, 1, 2, 1, 0x41],
        };
        let p = Pdu::new(SUBMIT_SM, 7, submit_body(&s));
        let wire = p.encode();
        assert_eq!(&wire[..4], &(wire.len() as u32).to_be_bytes());
        let back = Pdu::decode(&wire).unwrap();
        assert_eq!((back.command, back.sequence), (SUBMIT_SM, 7));
        let d = deliver_body(&back.body).unwrap();
        assert_eq!(
            (
                d.source.as_str(),
                d.destination.as_str(),
                d.esm_class,
                d.message.clone()
            ),
            ("ComunePD", "393471234567", 0x40, s.message.clone())
        );
        assert_eq!(Pdu::announced(&[0, 0, 0, 8]), Err(PduError::Length(8)));
        assert_eq!(
            Pdu::announced(&[0, 0x10, 0, 0]),
            Err(PduError::Length(0x10_0000))
        );
        assert!(deliver_body(&[0, 1]).is_err());
        assert!(Pdu::decode(&wire[..20]).is_err());
    }

    #[test]
    fn receipts_are_read_from_their_text() {
        let r = receipt("id:2038000001 sub:001 dlvrd:001 submit date:2612050449 done date:2612050449 stat:DELIVRD err:000 text:").unwrap();
        assert_eq!(
            (r.message_id.as_str(), r.stat.as_str(), r.err.as_str()),
            ("2038000001", "DELIVRD", "000")
        );
        assert!(receipt("ciao").is_none());
    }
}
