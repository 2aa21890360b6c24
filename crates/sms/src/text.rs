//! How a text travels as SMS: its coding and its parts, as every network counts them.

/// GSM 03.38's default alphabet, in code order (0x1B, the escape, is a placeholder here).
const BASIC: [char; 128] = [
    '@', '£', '$', '¥', 'è', 'é', 'ù', 'ì', 'ò', 'Ç', '\n', 'Ø', 'ø', '\r', 'Å', 'å', //
    'Δ', '_', 'Φ', 'Γ', 'Λ', 'Ω', 'Π', 'Ψ', 'Σ', 'Θ', 'Ξ', '\u{1b}', 'Æ', 'æ', 'ß', 'É', //
    ' ', '!', '"', '#', '¤', '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/', //
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?', //
    '¡', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O', //
    'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', 'Ä', 'Ö', 'Ñ', 'Ü', '§', //
    '¿', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', //
    'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 'ä', 'ö', 'ñ', 'ü', 'à', //
];

/// The extension table: characters sent as the escape and a code, counting two.
const EXTENSION: [(char, u8); 10] = [
    ('\u{0c}', 0x0A),
    ('^', 0x14),
    ('{', 0x28),
    ('}', 0x29),
    ('\\', 0x2F),
    ('[', 0x3C),
    ('~', 0x3D),
    (']', 0x3E),
    ('|', 0x40),
    ('€', 0x65),
];

/// The most parts a message may have.
pub const MAX_PARTS: usize = 10;

/// The septets of a character in the GSM alphabet (the escape and its code for the
/// extension), or `None` outside it.
pub fn gsm(c: char) -> Option<Vec<u8>> {
    if c == '\u{1b}' {
        return None;
    }
    if let Some(i) = BASIC.iter().position(|&b| b == c) {
        return Some(vec![u8::try_from(i).unwrap_or(0)]);
    }
    EXTENSION
        .iter()
        .find(|(e, _)| *e == c)
        .map(|(_, code)| vec![0x1B, *code])
}

/// How a text is carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    /// GSM 03.38, 7 bits (SMPP data_coding 0, one septet per octet).
    Gsm7,
    /// UCS-2 big-endian (SMPP data_coding 8).
    Ucs2,
}

impl Coding {
    pub fn data_coding(self) -> u8 {
        match self {
            Coding::Gsm7 => 0x00,
            Coding::Ucs2 => 0x08,
        }
    }
    /// (alone, per part when concatenated), in characters of the coding.
    pub fn limits(self) -> (usize, usize) {
        match self {
            Coding::Gsm7 => (160, 153),
            Coding::Ucs2 => (70, 67),
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Coding::Gsm7 => "gsm7",
            Coding::Ucs2 => "ucs2",
        }
    }
}

/// A text ready to send: its coding, the characters that forced UCS-2 (if any), and the
/// bytes of each part (without the header that joins them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    pub coding: Coding,
    /// Characters outside the GSM alphabet, each once, in order of appearance.
    pub unicode: Vec<char>,
    /// Characters as the networks count them (septets, or UTF-16 units).
    pub length: usize,
    pub parts: Vec<Vec<u8>>,
}

/// Splits a text into parts: one when it fits alone, else parts of 153 septets (or 67 UTF-16
/// units), never cutting an escape sequence or a surrogate pair.
pub fn split(text: &str) -> Split {
    let mut unicode: Vec<char> = vec![];
    for c in text.chars() {
        if gsm(c).is_none() && !unicode.contains(&c) {
            unicode.push(c);
        }
    }
    let (coding, units): (Coding, Vec<Vec<u8>>) = if unicode.is_empty() {
        (
            Coding::Gsm7,
            text.chars().map(|c| gsm(c).unwrap_or_default()).collect(),
        )
    } else {
        (
            Coding::Ucs2,
            text.chars()
                .map(|c| {
                    let mut b = [0u16; 2];
                    c.encode_utf16(&mut b)
                        .iter()
                        .flat_map(|u| u.to_be_bytes())
                        .collect()
                })
                .collect(),
        )
    };
    // The width of a character in the coding's units.
    let width = |u: &Vec<u8>| match coding {
        Coding::Gsm7 => u.len(),
        Coding::Ucs2 => u.len() / 2,
    };
    let length: usize = units.iter().map(width).sum();
    let (alone, each) = coding.limits();
    let mut parts: Vec<Vec<u8>> = vec![];
    if length <= alone {
        parts.push(units.concat());
    } else {
        let (mut cur, mut n) = (vec![], 0);
        for u in &units {
            if n + width(u) > each {
                parts.push(std::mem::take(&mut cur));
                n = 0;
            }
            cur.extend_from_slice(u);
            n += width(u);
        }
        if !cur.is_empty() {
            parts.push(cur);
        }
    }
    if text.is_empty() {
        parts = vec![vec![]];
    }
    Split {
        coding,
        unicode,
        length,
        parts,
    }
}

/// The header that joins the parts of a concatenated message (8-bit reference).
pub fn udh(reference: u8, total: u8, seq: u8) -> [u8; 6] {
    [0x05, 0x00, 0x03, reference, total, seq]
}

/// Decodes unpacked GSM septets back to text (for receipts and tests).
pub fn gsm_decode(bytes: &[u8]) -> String {
    let mut out = String::new();
    let mut esc = false;
    for &b in bytes {
        if esc {
            out.push(
                EXTENSION
                    .iter()
                    .find(|(_, code)| *code == b)
                    .map_or(' ', |(c, _)| *c),
            );
            esc = false;
        } else if b == 0x1B {
            esc = true;
        } else {
            out.push(BASIC.get(usize::from(b & 0x7F)).copied().unwrap_or('?'));
        }
    }
    out
}

#[cfg(test)]
mod tests;
