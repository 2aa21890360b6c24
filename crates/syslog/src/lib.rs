//! Syslog as pure data, no I/O: the stream framing of RFC 6587 (octet counting and LF on one
//! TCP port), the message formats of RFC 5424 and RFC 3164 (a message is never refused: what
//! cannot be parsed keeps its raw text and the receive time), and the administrators' access
//! events read out of the messages of each device family (`access`).

pub mod access;
pub mod frame;
pub mod message;

pub use access::{extract, AccessEvent, Action, Outcome};
pub use frame::{FrameError, Framer};
pub use message::{parse, Format, Message, SourceTime};
