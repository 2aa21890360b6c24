//! RFC 6587 framing on one TCP port: a frame starting with a digit is octet-counted
//! (`LEN SP MSG`), anything else runs to the next LF (a trailing CR is dropped, NUL also ends a
//! frame as some senders use it). The framer is fed bytes as they arrive and hands out whole
//! frames; it never allocates per frame (frames borrow its buffer) and bounds what it keeps.
//!
//! Buffer handling: consumed bytes are not moved at once; `start` marks the first byte not yet
//! handed out and `push` compacts the buffer only when the consumed part is at least half of it,
//! so each byte is moved at most about once. The LF search resumes where the last one stopped,
//! so a frame arriving in many small pieces is scanned once.

use std::ops::Range;

/// Longest frame kept (RFC 5425 asks receivers to take at least 2 KiB, 8 KiB recommended; we
/// take 64 KiB). A longer LF frame is cut at this size and the rest skipped to the next LF; a
/// longer octet count is an error.
pub const MAX_FRAME: usize = 64 * 1024;

/// Most digits accepted in an octet count (`MAX_FRAME` has 5; one leading zero is tolerated).
const MAX_DIGITS: usize = 6;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameError {
    /// An octet count larger than `MAX_FRAME`, or not a number: the stream cannot be resynced.
    BadLength(String),
}

impl std::fmt::Display for FrameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::BadLength(why) => write!(f, "bad octet count: {why}"),
        }
    }
}

impl std::error::Error for FrameError {}

/// Splits a byte stream into frames. Frames borrow the internal buffer: use each one before
/// calling `push`, `next_frame` or `finish` again.
#[derive(Debug, Default)]
pub struct Framer {
    buf: Vec<u8>,
    /// First byte not yet handed out.
    start: usize,
    /// Where the LF search resumes (absolute index, `>= start`).
    scan: usize,
    /// Discarding the tail of a cut LF frame up to the next LF or NUL.
    skipping: bool,
    truncated: u64,
}

impl Framer {
    pub fn new() -> Self {
        Self::default()
    }

    /// Append received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        self.compact();
        self.buf.extend_from_slice(bytes);
    }

    /// Next whole frame (without the length prefix / the LF / trailing CR), or None when more
    /// bytes are needed. Octet counting when the frame starts with an ASCII digit (`LEN SP MSG`,
    /// RFC 6587 3.4.1; a LF or CR LF closing the counted bytes is dropped too), otherwise
    /// non-transparent framing up to LF or NUL. Empty frames are skipped. A LF frame longer than
    /// `MAX_FRAME` is cut to `MAX_FRAME` bytes and the rest up to the next LF discarded (counted
    /// by `truncated`). An octet count above `MAX_FRAME`, longer than 6 digits or not followed
    /// by SP is `FrameError::BadLength`: the caller closes the connection.
    pub fn next_frame(&mut self) -> Result<Option<&[u8]>, FrameError> {
        match self.next_range()? {
            Some(r) => Ok(self.buf.get(r)),
            None => Ok(None),
        }
    }

    /// What is left unframed at end of stream (a last frame without LF): Some(frame) if
    /// non-empty. Call it after `next_frame` returned `Ok(None)`. An incomplete octet-counted
    /// frame yields the bytes received after its prefix and counts as truncated; the tail of a
    /// cut LF frame yields nothing. The buffer is empty afterwards.
    pub fn finish(&mut self) -> Option<&[u8]> {
        let (s, end) = (self.start, self.buf.len());
        self.start = end;
        self.scan = end;
        if std::mem::take(&mut self.skipping) {
            return None;
        }
        let held = self.buf.get(s..end)?;
        let mut from = s;
        let mut partial = false;
        if held.first().is_some_and(u8::is_ascii_digit) {
            let digits = held.iter().take_while(|b| b.is_ascii_digit()).count();
            if held.get(digits) == Some(&b' ') {
                from = s + digits + 1;
                partial = true;
            }
        }
        let e = trim_end(&self.buf, from, end);
        if e <= from {
            return None;
        }
        if partial {
            self.truncated += 1;
        }
        self.buf.get(from..e)
    }

    /// LF frames cut at `MAX_FRAME` plus octet-counted frames cut by the end of the stream.
    pub fn truncated(&self) -> u64 {
        self.truncated
    }

    /// Bytes held and not yet handed out, for back-pressure accounting. After `next_frame`
    /// returned `Ok(None)` this is below `MAX_FRAME + 8`.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.start
    }

    fn compact(&mut self) {
        if self.start == 0 {
            return;
        }
        if self.start >= self.buf.len() {
            self.buf.clear();
            self.start = 0;
            self.scan = 0;
        } else if self.start * 2 >= self.buf.len() {
            self.buf.drain(..self.start);
            self.scan = self.scan.saturating_sub(self.start);
            self.start = 0;
        }
    }

    fn next_range(&mut self) -> Result<Option<Range<usize>>, FrameError> {
        loop {
            if self.skipping {
                match find_end(&self.buf, self.scan) {
                    Some(p) => {
                        self.skipping = false;
                        self.start = p + 1;
                        self.scan = p + 1;
                    }
                    None => {
                        self.start = self.buf.len();
                        self.scan = self.start;
                        return Ok(None);
                    }
                }
            }
            let Some(&first) = self.buf.get(self.start) else {
                return Ok(None);
            };
            let r = if first.is_ascii_digit() {
                self.counted()?
            } else {
                self.lf()
            };
            match r {
                Step::Frame(r) => return Ok(Some(r)),
                Step::Empty => {}
                Step::More => return Ok(None),
            }
        }
    }

    /// `LEN SP MSG` at `start`.
    fn counted(&mut self) -> Result<Step, FrameError> {
        let held = self.buf.get(self.start..).unwrap_or_default();
        let mut len = 0usize;
        let mut digits = 0;
        loop {
            match held.get(digits) {
                None => return Ok(Step::More),
                Some(b' ') => break,
                Some(&b) if b.is_ascii_digit() => {
                    if digits == MAX_DIGITS {
                        return Err(FrameError::BadLength(format!(
                            "octet count longer than {MAX_DIGITS} digits"
                        )));
                    }
                    len = len * 10 + usize::from(b - b'0');
                    digits += 1;
                }
                Some(&b) => {
                    return Err(FrameError::BadLength(format!(
                        "octet count followed by {:?} instead of a space",
                        char::from(b)
                    )))
                }
            }
        }
        if len > MAX_FRAME {
            return Err(FrameError::BadLength(format!(
                "octet count {len} exceeds {MAX_FRAME}"
            )));
        }
        let from = self.start + digits + 1;
        let end = from + len;
        if end > self.buf.len() {
            return Ok(Step::More);
        }
        self.start = end;
        self.scan = end;
        let mut e = end;
        if e > from && self.buf.get(e - 1) == Some(&b'\n') {
            e -= 1;
        }
        let e = trim_end(&self.buf, from, e);
        Ok(if e > from {
            Step::Frame(from..e)
        } else {
            Step::Empty
        })
    }

    /// Non-transparent framing: up to LF or NUL.
    fn lf(&mut self) -> Step {
        let s = self.start;
        match find_end(&self.buf, self.scan.max(s)) {
            Some(p) => {
                self.start = p + 1;
                self.scan = p + 1;
                let e = trim_end(&self.buf, s, p);
                if e == s {
                    Step::Empty
                } else if e - s > MAX_FRAME {
                    self.truncated += 1;
                    Step::Frame(s..s + MAX_FRAME)
                } else {
                    Step::Frame(s..e)
                }
            }
            None => {
                let held = self.buf.len() - s;
                let cr_last = self.buf.last() == Some(&b'\r');
                if held > MAX_FRAME + 1 || (held == MAX_FRAME + 1 && !cr_last) {
                    self.truncated += 1;
                    self.skipping = true;
                    self.start = s + MAX_FRAME;
                    self.scan = self.start;
                    Step::Frame(s..s + MAX_FRAME)
                } else {
                    self.scan = self.buf.len();
                    Step::More
                }
            }
        }
    }
}

enum Step {
    Frame(Range<usize>),
    Empty,
    More,
}

/// Index of the first LF or NUL at or after `from`.
fn find_end(buf: &[u8], from: usize) -> Option<usize> {
    buf.get(from..)?
        .iter()
        .position(|&b| b == b'\n' || b == 0)
        .map(|i| from + i)
}

/// `end` moved back over one trailing CR (not before `from`).
fn trim_end(buf: &[u8], from: usize, end: usize) -> usize {
    if end > from && buf.get(end - 1) == Some(&b'\r') {
        end - 1
    } else {
        end
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn all(f: &mut Framer) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        while let Some(x) = f.next_frame().unwrap() {
            out.push(x.to_vec());
        }
        out
    }

    #[test]
    fn lf_and_counted_mix() {
        let mut f = Framer::new();
        f.push(b"<13>a\r\n7 <13>b\nc\n\n\r\n<13>c\x00<1>d");
        assert_eq!(
            all(&mut f),
            vec![b"<13>a".to_vec(), b"<13>b\nc".to_vec(), b"<13>c".to_vec()]
        );
        assert_eq!(f.finish(), Some(&b"<1>d"[..]));
        assert_eq!(f.finish(), None);
        assert_eq!(f.buffered(), 0);
    }

    #[test]
    fn counted_drops_closing_newline() {
        let mut f = Framer::new();
        f.push(b"6 <13>a\n7 <13>b\r\n");
        assert_eq!(all(&mut f), vec![b"<13>a".to_vec(), b"<13>b".to_vec()]);
    }

    #[test]
    fn waits_for_more() {
        let mut f = Framer::new();
        f.push(b"1");
        assert_eq!(f.next_frame().unwrap(), None);
        f.push(b"0 <13>ab");
        assert_eq!(f.next_frame().unwrap(), None);
        f.push(b"cdef<13>x");
        assert_eq!(f.next_frame().unwrap(), Some(&b"<13>abcdef"[..]));
        assert_eq!(f.next_frame().unwrap(), None);
        f.push(b"y\n");
        assert_eq!(f.next_frame().unwrap(), Some(&b"<13>xy"[..]));
    }

    #[test]
    fn bad_lengths() {
        let mut f = Framer::new();
        f.push(b"12x <13>a");
        assert!(matches!(f.next_frame(), Err(FrameError::BadLength(_))));
        let mut f = Framer::new();
        f.push(b"65537 ");
        assert!(matches!(f.next_frame(), Err(FrameError::BadLength(_))));
        let mut f = Framer::new();
        f.push(b"1234567");
        assert!(matches!(f.next_frame(), Err(FrameError::BadLength(_))));
        let mut f = Framer::new();
        f.push(b"65536 ");
        assert_eq!(f.next_frame().unwrap(), None);
    }

    #[test]
    fn long_lf_frame_is_cut() {
        let mut f = Framer::new();
        let long = vec![b'a'; MAX_FRAME + 10];
        f.push(&long[..MAX_FRAME]);
        assert_eq!(f.next_frame().unwrap(), None);
        f.push(&long[MAX_FRAME..]);
        assert_eq!(f.next_frame().unwrap().map(<[u8]>::len), Some(MAX_FRAME));
        assert_eq!(f.next_frame().unwrap(), None);
        assert_eq!(f.buffered(), 0);
        f.push(b"bbb\nnext\n");
        assert_eq!(all(&mut f), vec![b"next".to_vec()]);
        assert_eq!(f.truncated(), 1);
    }

    #[test]
    fn exact_max_with_crlf_is_whole() {
        let mut f = Framer::new();
        let mut m = vec![b'a'; MAX_FRAME];
        m.extend_from_slice(b"\r");
        f.push(&m);
        assert_eq!(f.next_frame().unwrap(), None);
        f.push(b"\n");
        assert_eq!(f.next_frame().unwrap().map(<[u8]>::len), Some(MAX_FRAME));
        assert_eq!(f.truncated(), 0);
    }

    #[test]
    fn finish_partial_counted() {
        let mut f = Framer::new();
        f.push(b"20 <13>abc");
        assert_eq!(f.next_frame().unwrap(), None);
        assert_eq!(f.finish(), Some(&b"<13>abc"[..]));
        assert_eq!(f.truncated(), 1);
    }

    #[test]
    fn compaction_keeps_data() {
        let mut f = Framer::new();
        for i in 0..10_000u32 {
            f.push(format!("<13>m{i}\n<13>n").as_bytes());
            let a = f.next_frame().unwrap().map(<[u8]>::to_vec);
            assert!(a.is_some());
            f.push(b"\n");
            assert_eq!(f.next_frame().unwrap(), Some(&b"<13>n"[..]));
            assert_eq!(f.next_frame().unwrap(), None);
        }
        assert!(f.buf.capacity() < 1024);
    }
}
