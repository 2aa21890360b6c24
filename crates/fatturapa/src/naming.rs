//! The SdI file name and the transmission counter.

use crate::model::TaxId;

/// How many progressive values exist: five base-36 digits.
const PROGRESSIVE_LIMIT: u64 = 36 * 36 * 36 * 36 * 36;

/// The file name the SdI requires: country and code of the transmitter, `_`, the
/// progressive, `.xml`: `IT01234567890_0000A.xml`.
pub fn file_name(transmitter: &TaxId, progressive: &str) -> String {
    format!(
        "{}{}_{}.xml",
        transmitter.country.trim().to_ascii_uppercase(),
        transmitter.code.trim().to_ascii_uppercase(),
        progressive.trim()
    )
}

/// ProgressivoInvio from a never-reused counter `n ≥ 1`: base 36, upper case, zero-padded
/// to five characters (`1` → `00001`, `36` → `00010`). `None` for 0 and beyond 36⁵ − 1.
pub fn progressive(n: u64) -> Option<String> {
    if n == 0 || n >= PROGRESSIVE_LIMIT {
        return None;
    }
    const DIGITS: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut out = [b'0'; 5];
    let mut rest = n;
    for slot in out.iter_mut().rev() {
        let d = usize::try_from(rest % 36).ok()?;
        *slot = *DIGITS.get(d)?;
        rest /= 36;
    }
    String::from_utf8(out.to_vec()).ok()
}
