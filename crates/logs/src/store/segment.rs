//! A segment: the messages of one entity committed in one batch, packed into one blob (one row
//! of `log_segments`). Writing a row per batch instead of a row per message is what lets the
//! store keep up with a syslog daemon writing a plain file; the blob is also exactly what the
//! batch's hash covers. Parsed fields are not stored: the raw bytes are parsed again when read
//! (the parser is pure), except the stated time, which depends on the source's time zone at
//! receipt.
//!
//! Layout (integers little-endian):
//!
//! ```text
//! messages: { received i64 | stated i64 (i64::MIN: none) | source i64 (0: none)
//!             | peer u16 | transport u8 | len u32 | raw [len] } × count
//! peers:    { len u8 | peer [len] } × npeers
//! trailer:  count u32 | npeers u16 | peers_at u32 | "CSTSEG1\n"
//! ```
//!
//! It is stored compressed ([`pack`]: LZ4 block format, the plain size first, then
//! `"CSTSEGZ\n"`): syslog text shrinks about four times, and bytes not written (and not
//! synced) are what made the store faster than a daemon appending plain text to a file.
//! [`unpack`] reads both forms; the chain's hash covers the stored bytes.

use std::collections::HashMap;
use std::sync::Arc;

use crate::ingest::{Record, Transport};

const MAGIC: &[u8; 8] = b"CSTSEG1\n";
/// The end of a compressed segment: the segment above, LZ4-compressed (block format, its plain
/// size first, little-endian u32), then these 8 bytes.
const PACKED: &[u8; 8] = b"CSTSEGZ\n";
/// A segment is never larger than this once unpacked (50,000 messages of 64 KiB would be
/// more, but a batch is closed well before: this bounds what a tampered size can ask for).
const MAX_PLAIN: usize = 1 << 30;

/// Compresses a finished segment.
pub fn pack(plain: &[u8]) -> Vec<u8> {
    let mut out = lz4_flex::block::compress_prepend_size(plain);
    out.extend_from_slice(PACKED);
    out
}

/// The segment as written, from what is stored (compressed or not).
pub fn unpack(stored: &[u8]) -> Result<std::borrow::Cow<'_, [u8]>, Unreadable> {
    let Some(body) = stored.strip_suffix(PACKED.as_slice()) else {
        return Ok(std::borrow::Cow::Borrowed(stored));
    };
    let bad = Unreadable("blocco compresso illeggibile");
    let size = take::<4>(body, 0)
        .map(u32::from_le_bytes)
        .ok_or(bad.clone())? as usize;
    if size > MAX_PLAIN {
        return Err(bad);
    }
    lz4_flex::block::decompress_size_prepended(body)
        .map(std::borrow::Cow::Owned)
        .map_err(|_| bad)
}
const TRAILER: usize = 4 + 2 + 4 + 8;
const HEAD: usize = 8 + 8 + 8 + 2 + 1 + 4;

/// Builds one segment from records.
#[derive(Default)]
pub struct SegmentWriter {
    buf: Vec<u8>,
    peers: Vec<Arc<str>>,
    index: HashMap<Arc<str>, u16>,
    count: u32,
}

impl SegmentWriter {
    /// A writer on `buf` (emptied; its memory reused), with room for `bytes`.
    pub fn reusing(mut buf: Vec<u8>, bytes: usize) -> Self {
        buf.clear();
        buf.reserve(bytes);
        Self {
            buf,
            ..Default::default()
        }
    }

    pub fn push(&mut self, r: &Record) {
        let peer = match self.index.get(&r.peer) {
            Some(i) => *i,
            None => {
                let i = u16::try_from(self.peers.len()).unwrap_or(u16::MAX);
                self.peers.push(r.peer.clone());
                self.index.insert(r.peer.clone(), i);
                i
            }
        };
        let stated = r.stated.unwrap_or(i64::MIN);
        self.buf.extend_from_slice(&r.received.to_le_bytes());
        self.buf.extend_from_slice(&stated.to_le_bytes());
        self.buf
            .extend_from_slice(&r.source_id.unwrap_or(0).to_le_bytes());
        self.buf.extend_from_slice(&peer.to_le_bytes());
        self.buf.push(transport_code(r.transport));
        let raw = r.raw.bytes();
        let len = u32::try_from(raw.len()).unwrap_or(u32::MAX);
        self.buf.extend_from_slice(&len.to_le_bytes());
        self.buf.extend_from_slice(raw);
        self.count += 1;
    }

    pub fn count(&self) -> u32 {
        self.count
    }

    pub fn finish(mut self) -> Vec<u8> {
        let peers_at = u32::try_from(self.buf.len()).unwrap_or(u32::MAX);
        for p in &self.peers {
            let b = p.as_bytes();
            let n = b.len().min(255);
            self.buf.push(n as u8);
            self.buf.extend_from_slice(&b[..n]);
        }
        self.buf.extend_from_slice(&self.count.to_le_bytes());
        let np = u16::try_from(self.peers.len()).unwrap_or(u16::MAX);
        self.buf.extend_from_slice(&np.to_le_bytes());
        self.buf.extend_from_slice(&peers_at.to_le_bytes());
        self.buf.extend_from_slice(MAGIC);
        self.buf
    }
}

fn transport_code(t: Transport) -> u8 {
    match t {
        Transport::Udp => 1,
        Transport::Tcp => 2,
        Transport::Tls => 3,
        Transport::Relay => 4,
    }
}

fn transport_of(c: u8) -> Option<Transport> {
    Some(match c {
        1 => Transport::Udp,
        2 => Transport::Tcp,
        3 => Transport::Tls,
        4 => Transport::Relay,
        _ => return None,
    })
}

/// A stored message read back out of a segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored<'a> {
    /// Position in the segment (the message's id is the segment's first id plus this).
    pub index: u32,
    pub received: i64,
    pub stated: Option<i64>,
    pub source_id: Option<i64>,
    pub peer: &'a str,
    pub transport: Transport,
    pub raw: &'a [u8],
}

/// A segment that does not read back: it was altered or cut.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable(pub &'static str);

/// A parsed segment: its peers, and its messages in order.
pub struct Segment<'a> {
    data: &'a [u8],
    peers: Vec<&'a str>,
    count: u32,
    messages_end: usize,
}

fn take<const N: usize>(d: &[u8], at: usize) -> Option<[u8; N]> {
    d.get(at..at + N)?.try_into().ok()
}

impl<'a> Segment<'a> {
    pub fn read(data: &'a [u8]) -> Result<Segment<'a>, Unreadable> {
        let bad = Unreadable("struttura del blocco non valida");
        if data.len() < TRAILER || &data[data.len() - 8..] != MAGIC {
            return Err(Unreadable("blocco troncato o senza firma di fine"));
        }
        let t = data.len() - TRAILER;
        let count = u32::from_le_bytes(take(data, t).ok_or(bad.clone())?);
        let np = u16::from_le_bytes(take(data, t + 4).ok_or(bad.clone())?);
        let peers_at = u32::from_le_bytes(take(data, t + 6).ok_or(bad.clone())?) as usize;
        if peers_at > t {
            return Err(bad);
        }
        let mut peers = Vec::with_capacity(usize::from(np));
        let mut at = peers_at;
        for _ in 0..np {
            let n = usize::from(*data.get(at).ok_or(bad.clone())?);
            let p = data.get(at + 1..at + 1 + n).ok_or(bad.clone())?;
            peers.push(std::str::from_utf8(p).map_err(|_| bad.clone())?);
            at += 1 + n;
        }
        if at != t {
            return Err(bad);
        }
        Ok(Segment {
            data,
            peers,
            count,
            messages_end: peers_at,
        })
    }

    pub fn count(&self) -> u32 {
        self.count
    }

    pub fn peers(&self) -> &[&'a str] {
        &self.peers
    }

    /// The messages in order; an error where the blob stops making sense.
    pub fn messages(&self) -> Messages<'_, 'a> {
        Messages {
            seg: self,
            at: 0,
            index: 0,
        }
    }
}

pub struct Messages<'s, 'a> {
    seg: &'s Segment<'a>,
    at: usize,
    index: u32,
}

impl<'a> Iterator for Messages<'_, 'a> {
    type Item = Result<Stored<'a>, Unreadable>;

    fn next(&mut self) -> Option<Self::Item> {
        let d: &'a [u8] = self.seg.data;
        let end = self.seg.messages_end;
        if self.at >= end {
            if self.index == self.seg.count {
                return None;
            }
            // Said once; then the iterator ends.
            self.index = self.seg.count;
            return Some(Err(Unreadable(
                "numero di messaggi diverso da quello dichiarato",
            )));
        }
        let bad = Unreadable("messaggio illeggibile nel blocco");
        let a = self.at;
        let one = (|| {
            if a + HEAD > end {
                return None;
            }
            let received = i64::from_le_bytes(take(d, a)?);
            let stated = i64::from_le_bytes(take(d, a + 8)?);
            let source = i64::from_le_bytes(take(d, a + 16)?);
            let peer = u16::from_le_bytes(take(d, a + 24)?);
            let transport = transport_of(d[a + 26])?;
            let len = u32::from_le_bytes(take(d, a + 27)?) as usize;
            let raw = d
                .get(a + HEAD..a + HEAD + len)
                .filter(|_| a + HEAD + len <= end)?;
            let peer = self.seg.peers.get(usize::from(peer))?;
            Some((
                Stored {
                    index: self.index,
                    received,
                    stated: (stated != i64::MIN).then_some(stated),
                    source_id: (source != 0).then_some(source),
                    peer,
                    transport,
                    raw,
                },
                a + HEAD + len,
            ))
        })();
        match one {
            Some((m, next)) => {
                self.at = next;
                self.index += 1;
                Some(Ok(m))
            }
            None => {
                self.at = end;
                self.index = self.seg.count;
                Some(Err(bad))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_packed_segment_unpacks_to_itself_and_a_forged_size_is_refused() {
        let mut w = SegmentWriter::default();
        for i in 0..200 {
            w.push(&record(
                i,
                "10.0.0.1",
                format!("<13>Dec  4 10:00:00 h app: messaggio {i}").as_bytes(),
                None,
            ));
        }
        let plain = w.finish();
        let packed = pack(&plain);
        assert!(
            packed.len() < plain.len() / 2,
            "{} of {}",
            packed.len(),
            plain.len()
        );
        assert_eq!(unpack(&packed).unwrap().as_ref(), plain.as_slice());
        assert_eq!(unpack(&plain).unwrap().as_ref(), plain.as_slice());
        let mut forged = packed.clone();
        forged[..4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(unpack(&forged).is_err());
        let mut cut = packed.clone();
        cut.drain(10..30);
        assert!(unpack(&cut).is_err() || Segment::read(&unpack(&cut).unwrap()).is_err());
    }

    fn record(received: i64, peer: &str, raw: &[u8], source: Option<i64>) -> Record {
        let at = chrono::DateTime::from_timestamp_micros(received).unwrap();
        let m = syslog::parse(raw, at, &syslog::SourceTime::default());
        Record {
            entity_id: 1,
            source_id: source,
            received,
            peer: peer.into(),
            transport: Transport::Tcp,
            raw: crate::ingest::Raw::copy_of(raw),
            stated: m.timestamp.map(|t| t.timestamp_micros()),
            sequence: None,
            hostname: None,
            access: None,
        }
    }

    proptest! {
        #[test]
        fn a_segment_reads_back_what_was_written(
            msgs in proptest::collection::vec(
                (0i64..4_000_000_000_000_000, 0usize..3, proptest::collection::vec(any::<u8>(), 0..300), proptest::option::of(1i64..99)),
                0..40)
        ) {
            let peers = ["10.0.0.1", "2001:db8::7", "192.0.2.200"];
            let records: Vec<Record> = msgs
                .iter()
                .map(|(t, p, raw, s)| record(*t, peers[*p], raw, *s))
                .collect();
            let mut w = SegmentWriter::default();
            for r in &records {
                w.push(r);
            }
            let blob = w.finish();
            let seg = Segment::read(&blob).unwrap();
            prop_assert_eq!(seg.count() as usize, records.len());
            let back: Vec<Stored> = seg.messages().collect::<Result<_, _>>().unwrap();
            prop_assert_eq!(back.len(), records.len());
            for (i, (m, r)) in back.iter().zip(&records).enumerate() {
                prop_assert_eq!(m.index as usize, i);
                prop_assert_eq!(m.received, r.received);
                prop_assert_eq!(m.raw, r.raw.bytes());
                prop_assert_eq!(m.peer, &*r.peer);
                prop_assert_eq!(m.source_id, r.source_id);
                prop_assert_eq!(m.stated, r.stated);
            }
        }

        #[test]
        fn a_damaged_segment_never_panics(
            cut in 0usize..400, flip in 0usize..400, byte in any::<u8>()
        ) {
            let mut w = SegmentWriter::default();
            w.push(&record(1, "10.0.0.1", b"<13>uno", None));
            w.push(&record(2, "10.0.0.2", b"<13>due", Some(3)));
            let mut blob = w.finish();
            if flip < blob.len() {
                blob[flip] = byte;
            }
            blob.truncate(cut.min(blob.len()));
            if let Ok(seg) = Segment::read(&blob) {
                for m in seg.messages() {
                    let _ = m;
                }
            }
        }
    }

    #[test]
    fn a_cut_segment_is_unreadable() {
        let mut w = SegmentWriter::default();
        w.push(&record(1, "10.0.0.1", b"<13>uno", None));
        let blob = w.finish();
        assert!(Segment::read(&blob[..blob.len() - 1]).is_err());
        assert!(Segment::read(b"").is_err());
    }
}
