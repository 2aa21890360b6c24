//! The ingest pipeline: receivers turn frames into [`Record`]s (parsed, their access event
//! read out, their source and entity resolved) and hand them over in chunks through a bounded
//! channel; one collector gathers them into batches of at most ~100 ms (or `MAX_BATCH`
//! records), notes gaps in senders' sequence numbers, and has the store's writer commit each
//! batch in one transaction. Only then are the batch's messages counted as received
//! (`Stats::committed`). A full channel makes TCP receivers stop reading (the sender feels
//! TCP's back-pressure) and UDP datagrams wait in the kernel's buffer, whose drops the kernel
//! counts. A failed write is retried, never dropped.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::mpsc;

use crate::model::Cidr;
use crate::store::{micros, Location, LogStore};
use crate::LogsError;

/// The longest a message waits in memory before its batch is committed.
pub const BATCH_WINDOW: Duration = Duration::from_millis(100);
/// The most records in one batch.
pub const MAX_BATCH: usize = 50_000;
/// Chunks waiting for the collector (each at most one socket read's worth of messages).
const CHUNKS: usize = 64;

/// How a message arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    Udp,
    Tcp,
    Tls,
    /// Forwarded by another cst instance.
    Relay,
}

impl Transport {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Udp => "udp",
            Self::Tcp => "tcp",
            Self::Tls => "tls",
            Self::Relay => "relay",
        }
    }
}

/// The bytes of one socket read, shared by the records framed out of it (one allocation per
/// read, not per message).
#[derive(Debug, Clone)]
pub struct Raw {
    buf: Arc<Vec<u8>>,
    start: u32,
    len: u32,
}

impl Raw {
    pub fn bytes(&self) -> &[u8] {
        let s = self.start as usize;
        self.buf.get(s..s + self.len as usize).unwrap_or_default()
    }

    /// A copy of `b` on its own (tests).
    #[cfg(test)]
    pub(crate) fn copy_of(b: &[u8]) -> Raw {
        Raw {
            len: u32::try_from(b.len()).unwrap_or(u32::MAX),
            buf: Arc::new(b.to_vec()),
            start: 0,
        }
    }
}

/// One received message, ready to store: its raw bytes and what was read out of them that the
/// store needs (the parsed fields are read again from the raw bytes when shown).
#[derive(Debug, Clone)]
pub struct Record {
    /// 0: from an unknown source, in quarantine.
    pub entity_id: i64,
    pub source_id: Option<i64>,
    /// Receive time, µs since the epoch.
    pub received: i64,
    pub peer: Arc<str>,
    pub transport: Transport,
    pub raw: Raw,
    /// The time the message states, µs.
    pub stated: Option<i64>,
    /// RFC 5424 `sequenceId`.
    pub sequence: Option<u64>,
    /// The host name the message states, kept when a sequence number or an access event needs it.
    pub hostname: Option<Box<str>>,
    /// The access event, its host defaulting to the message's host name.
    pub access: Option<Box<syslog::AccessEvent>>,
}

/// The frames of one read, parsed, before they become records sharing one buffer.
#[derive(Default)]
pub struct Chunk {
    bytes: Vec<u8>,
    parts: Vec<Part>,
}

struct Part {
    start: u32,
    len: u32,
    from: Resolved,
    peer: Arc<str>,
    received: i64,
    stated: Option<i64>,
    sequence: Option<u64>,
    hostname: Option<Box<str>>,
    access: Option<Box<syslog::AccessEvent>>,
}

impl Chunk {
    pub fn with_capacity(bytes: usize) -> Self {
        Self {
            bytes: Vec::with_capacity(bytes),
            parts: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.parts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    /// Parses one frame into the chunk.
    pub fn add(&mut self, raw: &[u8], peer: &Arc<str>, from: &Resolved, received: i64) {
        let at = chrono::DateTime::from_timestamp_micros(received).unwrap_or_default();
        let m = syslog::parse(raw, at, &from.time);
        let access = syslog::extract(&m).map(|mut a| {
            if a.host.is_none() {
                a.host.clone_from(&m.hostname);
            }
            Box::new(a)
        });
        let hostname = if m.sequence.is_some() {
            m.hostname.map(String::into_boxed_str)
        } else {
            None
        };
        let start = u32::try_from(self.bytes.len()).unwrap_or(u32::MAX);
        self.bytes.extend_from_slice(raw);
        self.parts.push(Part {
            start,
            len: u32::try_from(raw.len()).unwrap_or(u32::MAX),
            from: from.clone(),
            peer: peer.clone(),
            received,
            stated: m.timestamp.map(|t| t.timestamp_micros()),
            sequence: m.sequence,
            hostname,
            access,
        });
    }

    pub fn into_records(self, transport: Transport) -> Vec<Record> {
        let buf = Arc::new(self.bytes);
        self.parts
            .into_iter()
            .map(|p| Record {
                entity_id: p.from.entity_id,
                source_id: p.from.source_id,
                received: p.received,
                peer: p.peer,
                transport,
                raw: Raw {
                    buf: buf.clone(),
                    start: p.start,
                    len: p.len,
                },
                stated: p.stated,
                sequence: p.sequence,
                hostname: p.hostname,
                access: p.access,
            })
            .collect()
    }
}

/// Counters of this process's receivers and writer, for `/metrics` and the pages.
#[derive(Debug, Default)]
pub struct Stats {
    /// Frames read off the sockets (not yet stored).
    pub received: AtomicU64,
    /// Messages committed to the store: the count that says "received".
    pub committed: AtomicU64,
    pub batches: AtomicU64,
    /// Committed messages from unknown sources.
    pub quarantined: AtomicU64,
    pub access_events: AtomicU64,
    /// Gaps found in senders' sequence numbers.
    pub gaps: AtomicU64,
    /// Over-long LF frames cut to the maximum.
    pub truncated: AtomicU64,
    /// Connections closed for a broken octet count.
    pub framing_errors: AtomicU64,
    pub tls_failures: AtomicU64,
    /// Failed commits (each retried).
    pub write_errors: AtomicU64,
    pub connections: AtomicI64,
    /// When the last batch was committed (µs since the epoch).
    pub last_commit: AtomicI64,
    /// The UDP ports listened on, for the kernel's drop counters.
    pub udp_ports: RwLock<Vec<u16>>,
}

impl Stats {
    /// Datagrams the kernel dropped on our UDP sockets (buffer full), from `/proc/net/udp*`.
    pub fn udp_kernel_drops(&self) -> u64 {
        let ports = self.udp_ports.read().map(|p| p.clone()).unwrap_or_default();
        if ports.is_empty() {
            return 0;
        }
        ["/proc/net/udp", "/proc/net/udp6"]
            .iter()
            .filter_map(|f| std::fs::read_to_string(f).ok())
            .map(|t| udp_drops(&t, &ports))
            .sum()
    }
}

/// The `drops` column of the sockets bound to `ports` in a `/proc/net/udp` table.
pub fn udp_drops(table: &str, ports: &[u16]) -> u64 {
    table
        .lines()
        .skip(1)
        .filter_map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            let port = cols.get(1)?.rsplit(':').next()?;
            let port = u16::from_str_radix(port, 16).ok()?;
            if !ports.contains(&port) {
                return None;
            }
            cols.last()?.parse::<u64>().ok()
        })
        .sum()
}

/// Where a message comes from, once its peer is looked up.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub entity_id: i64,
    pub source_id: Option<i64>,
    pub time: syslog::SourceTime,
}

impl Resolved {
    pub fn quarantine() -> Self {
        Self {
            entity_id: 0,
            source_id: None,
            time: syslog::SourceTime::default(),
        }
    }
}

/// The registered sources as the receivers look them up: by certificate fingerprint first,
/// then the longest network holding the peer's address.
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    networks: Vec<(Cidr, Resolved)>,
    fingerprints: HashMap<String, Resolved>,
}

impl SourceMap {
    pub fn new(sources: &[crate::Source]) -> Self {
        let mut m = SourceMap::default();
        for s in sources {
            let time = syslog::SourceTime {
                zone: s.time_zone.parse().unwrap_or(chrono_tz::Europe::Rome),
                year: None,
            };
            let r = Resolved {
                entity_id: s.entity_id,
                source_id: Some(s.id),
                time,
            };
            if let Some(f) = &s.fingerprint {
                m.fingerprints.insert(f.clone(), r.clone());
            }
            if let Some(c) = s.address.as_deref().and_then(|a| a.parse::<Cidr>().ok()) {
                m.networks.push((c, r));
            }
        }
        m.networks.sort_by_key(|n| std::cmp::Reverse(n.0.prefix));
        m
    }

    pub fn resolve(&self, ip: IpAddr, fingerprint: Option<&str>) -> Resolved {
        if let Some(r) = fingerprint.and_then(|f| self.fingerprints.get(f)) {
            return r.clone();
        }
        self.networks
            .iter()
            .find(|(c, _)| c.contains(ip))
            .map_or_else(Resolved::quarantine, |(_, r)| r.clone())
    }
}

/// The running pipeline. Cheap to clone; the collector ends when every clone is dropped and
/// what was sent is committed.
/// Records handed to the collector, and who waits for their commit (a relay's sender).
type Delivery = (Vec<Record>, Option<tokio::sync::oneshot::Sender<()>>);

#[derive(Clone)]
pub struct Ingest {
    tx: mpsc::Sender<Delivery>,
    pub stats: Arc<Stats>,
    sources: Arc<RwLock<Arc<SourceMap>>>,
    clock: kernel::time::Clock,
}

impl Ingest {
    /// Starts the collector and the store's writer. The returned handle finishes when the
    /// pipeline has committed everything it was given.
    pub fn start(
        store: &LogStore,
        sources: SourceMap,
        clock: kernel::time::Clock,
    ) -> Result<(Ingest, tokio::task::JoinHandle<()>), LogsError> {
        let (tx, rx) = mpsc::channel(CHUNKS);
        let stats = Arc::new(Stats::default());
        let done = match store.location().clone() {
            Location::Sqlite(path) => {
                let mut writer =
                    Writer::Sqlite(crate::store::sqlite_writer::SqliteWriter::open(&path)?);
                let stats = stats.clone();
                let (done_tx, done_rx) = tokio::sync::oneshot::channel::<()>();
                std::thread::Builder::new()
                    .name("cst-log-writer".into())
                    .spawn(move || {
                        let rt = match tokio::runtime::Builder::new_current_thread()
                            .enable_time()
                            .build()
                        {
                            Ok(rt) => rt,
                            Err(e) => {
                                tracing::error!("log writer: {e}");
                                return;
                            }
                        };
                        rt.block_on(collect(rx, &stats, &mut writer));
                        let _ = done_tx.send(());
                    })
                    .map_err(|e| LogsError::Store(e.to_string()))?;
                tokio::spawn(async move {
                    let _ = done_rx.await;
                })
            }
            Location::Postgres(_) => {
                let mut writer = Writer::Postgres(crate::store::pg_writer::PgWriter::new(store));
                let stats = stats.clone();
                tokio::spawn(async move {
                    collect(rx, &stats, &mut writer).await;
                })
            }
        };
        Ok((
            Ingest {
                tx,
                stats,
                sources: Arc::new(RwLock::new(Arc::new(sources))),
                clock,
            },
            done,
        ))
    }

    /// Replaces the source map (after sources change).
    pub fn set_sources(&self, map: SourceMap) {
        if let Ok(mut s) = self.sources.write() {
            *s = Arc::new(map);
        }
    }

    pub fn sources(&self) -> Arc<SourceMap> {
        self.sources.read().map(|s| s.clone()).unwrap_or_default()
    }

    /// Now, in µs, by the pipeline's clock.
    pub fn now(&self) -> i64 {
        micros(self.clock.now())
    }

    /// Hands records to the collector; waits while the pipeline is full (back-pressure).
    pub async fn send(&self, chunk: Vec<Record>) -> Result<(), LogsError> {
        if chunk.is_empty() {
            return Ok(());
        }
        self.stats
            .received
            .fetch_add(chunk.len() as u64, Ordering::Relaxed);
        self.tx
            .send((chunk, None))
            .await
            .map_err(|_| LogsError::Store("la scrittura dei log si è fermata".into()))
    }

    /// Hands records to the collector and waits until the batch holding them is committed
    /// (what a relay answers only after).
    pub async fn send_committed(&self, chunk: Vec<Record>) -> Result<(), LogsError> {
        if chunk.is_empty() {
            return Ok(());
        }
        let stopped = || LogsError::Store("la scrittura dei log si è fermata".into());
        self.stats
            .received
            .fetch_add(chunk.len() as u64, Ordering::Relaxed);
        let (done, wait) = tokio::sync::oneshot::channel();
        self.tx
            .send((chunk, Some(done)))
            .await
            .map_err(|_| stopped())?;
        wait.await.map_err(|_| stopped())
    }
}

/// A gap in a sender's RFC 5424 sequence numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    pub entity_id: i64,
    pub peer: Arc<str>,
    pub app: String,
    pub expected: u64,
    pub got: u64,
    pub at: i64,
}

/// The last sequence number seen per sender (peer and host name: RFC 5424 §7.3.1's
/// `sequenceId` counts the messages the originator's syslog process sends, from 1 to
/// 2147483647, then wraps to 1).
#[derive(Default)]
pub struct Sequences(HashMap<(Arc<str>, String), u64>);

impl Sequences {
    pub fn observe(&mut self, r: &Record) -> Option<Gap> {
        let seq = r.sequence?;
        let app = r.hostname.as_deref().unwrap_or("-").to_owned();
        let last = self.0.insert((r.peer.clone(), app.clone()), seq)?;
        let expected = if last >= 2_147_483_647 { 1 } else { last + 1 };
        // A restart of the sender begins again at 1: not a gap.
        (seq != expected && seq != 1 && seq > last).then(|| Gap {
            entity_id: r.entity_id,
            peer: r.peer.clone(),
            app,
            expected,
            got: seq,
            at: r.received,
        })
    }
}

/// The store's writer of each database.
enum Writer {
    Sqlite(crate::store::sqlite_writer::SqliteWriter),
    Postgres(crate::store::pg_writer::PgWriter),
}

impl Writer {
    async fn write(&mut self, batch: &[Record], gaps: &[Gap]) -> Result<Written, LogsError> {
        match self {
            // On the writer's own thread: blocking here blocks nobody else.
            Writer::Sqlite(w) => w.write(batch, gaps),
            Writer::Postgres(w) => w.write(batch, gaps).await,
        }
    }
}

/// Gathers chunks into batches and commits each, retrying a failed commit until it succeeds.
async fn collect(mut rx: mpsc::Receiver<Delivery>, stats: &Stats, writer: &mut Writer) {
    let mut sequences = Sequences::default();
    // Kept between batches: its memory is reused, not asked of the system again.
    let mut batch: Vec<Record> = Vec::new();
    let mut waiting = Vec::new();
    loop {
        let Some((mut first, ack)) = rx.recv().await else {
            return;
        };
        let deadline = Instant::now() + BATCH_WINDOW;
        batch.clear();
        batch.append(&mut first);
        waiting.extend(ack);
        while batch.len() < MAX_BATCH {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            match tokio::time::timeout(left, rx.recv()).await {
                Ok(Some((mut more, ack))) => {
                    batch.append(&mut more);
                    waiting.extend(ack);
                }
                Ok(None) | Err(_) => break,
            }
        }
        let gaps: Vec<Gap> = batch.iter().filter_map(|r| sequences.observe(r)).collect();
        let mut delay = Duration::from_millis(100);
        loop {
            match writer.write(&batch, &gaps).await {
                Ok(w) => {
                    stats.committed.fetch_add(w.messages, Ordering::Relaxed);
                    stats.batches.fetch_add(1, Ordering::Relaxed);
                    stats
                        .quarantined
                        .fetch_add(w.quarantined, Ordering::Relaxed);
                    stats.access_events.fetch_add(w.access, Ordering::Relaxed);
                    stats.gaps.fetch_add(gaps.len() as u64, Ordering::Relaxed);
                    stats
                        .last_commit
                        .store(micros(chrono::Utc::now()), Ordering::Relaxed);
                    for done in waiting.drain(..) {
                        let _ = done.send(());
                    }
                    break;
                }
                Err(e) => {
                    stats.write_errors.fetch_add(1, Ordering::Relaxed);
                    tracing::error!("log batch of {} not stored, retrying: {e}", batch.len());
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(5));
                }
            }
        }
    }
}

/// What one commit stored.
#[derive(Debug, Default, Clone, Copy)]
pub struct Written {
    pub messages: u64,
    pub quarantined: u64,
    pub access: u64,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_kernels_drop_counter_is_read_for_our_ports() {
        let table = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n\
          120: 0100007F:15B3 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 12345 2 0000000000000000 17\n\
          121: 0100007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 12346 2 0000000000000000 5\n";
        assert_eq!(udp_drops(table, &[0x15B3]), 17);
        assert_eq!(udp_drops(table, &[0x15B3, 0x35]), 22);
        assert_eq!(udp_drops(table, &[1]), 0);
    }
}
