//! SMS for the entities' messages (issue 15).
//!
//! - [`text`]: a text as the networks count and carry it: GSM 03.38's 7-bit alphabet (160
//!   characters, 153 per part when concatenated; the extension characters count two) or UCS-2
//!   (70, 67 per part), split so that no part cuts a character (pure).
//! - [`pdu`]: SMPP 3.4's PDUs, encoded and decoded (pure).
//! - [`client`]: an SMPP session over TCP: bind, submit with a window of outstanding requests,
//!   delivery receipts answered and returned, unbind.

pub mod client;
pub mod pdu;
pub mod text;

pub use text::{Coding, Split};
