//! Whether an inbound message really comes from its `From:` address, as far as the server that
//! received it could tell (RFC 8601 `Authentication-Results`: SPF, DKIM, DMARC). Only headers
//! written by our own receiving server count, named by its authserv-id in the settings: any
//! other such header was written by someone on the way, maybe the sender. Pure.

/// What the receiving server found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SenderCheck {
    /// DMARC passed, or DKIM or SPF passed for the `From:` domain.
    Pass,
    /// The server found the sender forged (DMARC, DKIM or SPF failed, nothing passed).
    Fail(String),
    /// No result of our server (none configured, no header, or nothing conclusive).
    Unknown,
}

fn domain_of(address: &str) -> &str {
    address.rsplit_once('@').map_or("", |(_, d)| d)
}

/// `d` is the `From:` domain or one of its parents (`comune.padova.it` signs for
/// `servizi.comune.padova.it`), never a bare top-level domain.
fn aligned(d: &str, from_domain: &str) -> bool {
    let d = d.trim().trim_start_matches('@').to_ascii_lowercase();
    !d.is_empty()
        && d.contains('.')
        && (from_domain == d || from_domain.ends_with(&format!(".{d}")))
}

/// Judges the `Authentication-Results` headers of a message from `from`.
pub fn check(results: &[String], authserv_id: Option<&str>, from: &str) -> SenderCheck {
    let Some(ours) = authserv_id.map(str::trim).filter(|s| !s.is_empty()) else {
        return SenderCheck::Unknown;
    };
    let from_domain = domain_of(from).to_ascii_lowercase();
    let mut failed = Vec::new();
    let mut passed = false;
    for header in results {
        let mut parts = header.split(';');
        let id = parts
            .next()
            .and_then(|p| p.split_whitespace().next())
            .unwrap_or("");
        if !id.eq_ignore_ascii_case(ours) {
            continue;
        }
        for resinfo in parts {
            let mut words = resinfo.split_whitespace();
            let Some((method, result)) = words.next().and_then(|w| w.split_once('=')) else {
                continue;
            };
            let (method, result) = (method.to_ascii_lowercase(), result.to_ascii_lowercase());
            let prop = |name: &str| {
                resinfo
                    .split_whitespace()
                    .find_map(|w| {
                        w.split_once('=')
                            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
                    })
                    .map(|(_, v)| {
                        v.trim_matches(|c| c == '"' || c == '(' || c == ')')
                            .to_owned()
                    })
            };
            match (method.as_str(), result.as_str()) {
                ("dmarc", "pass") => passed = true,
                ("dkim", "pass") => {
                    let d = prop("header.d")
                        .or_else(|| prop("header.i").map(|i| domain_of(&i).to_owned()));
                    if d.is_some_and(|d| aligned(&d, &from_domain)) {
                        passed = true;
                    }
                }
                ("spf", "pass") => {
                    let d = prop("smtp.mailfrom").map(|m| {
                        if m.contains('@') {
                            domain_of(&m).to_owned()
                        } else {
                            m
                        }
                    });
                    if d.is_some_and(|d| aligned(&d, &from_domain)) {
                        passed = true;
                    }
                }
                ("dmarc" | "dkim" | "spf", "fail") => failed.push(method.to_uppercase()),
                _ => {}
            }
        }
    }
    if passed {
        SenderCheck::Pass
    } else if !failed.is_empty() {
        SenderCheck::Fail(format!(
            "il server di posta {ours} non ha autenticato il mittente ({} non superato)",
            failed.join(", ")
        ))
    } else {
        SenderCheck::Unknown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ar(s: &str) -> Vec<String> {
        vec![s.to_owned()]
    }

    #[test]
    fn only_our_server_is_believed() {
        let from = "referente@comune.abano.pd.it";
        let pass = ar("mx.cst.example.it; dmarc=pass header.from=comune.abano.pd.it");
        assert_eq!(
            check(&pass, Some("mx.cst.example.it"), from),
            SenderCheck::Pass
        );
        assert_eq!(
            check(&pass, None, from),
            SenderCheck::Unknown,
            "nothing configured"
        );
        let forged = ar("mx.cst.example.it.evil; dmarc=pass");
        assert_eq!(
            check(&forged, Some("mx.cst.example.it"), from),
            SenderCheck::Unknown
        );
        let fail = ar("MX.cst.example.it; spf=fail smtp.mailfrom=x@evil.example; dmarc=fail");
        assert!(matches!(
            check(&fail, Some("mx.cst.example.it"), from),
            SenderCheck::Fail(r) if r.contains("SPF, DMARC")
        ));
    }

    #[test]
    fn dkim_and_spf_count_only_for_the_from_domain() {
        let id = Some("mx.cst.example.it");
        let from = "ced@servizi.comune.padova.it";
        let dkim = ar("mx.cst.example.it 1; dkim=pass header.d=comune.padova.it header.s=sel");
        assert_eq!(check(&dkim, id, from), SenderCheck::Pass);
        let other = ar("mx.cst.example.it; dkim=pass header.d=mailer.example; spf=neutral");
        assert_eq!(check(&other, id, from), SenderCheck::Unknown);
        let spf = ar("mx.cst.example.it; spf=pass smtp.mailfrom=ced@servizi.comune.padova.it");
        assert_eq!(check(&spf, id, from), SenderCheck::Pass);
        let tld = ar("mx.cst.example.it; dkim=pass header.d=it");
        assert_eq!(check(&tld, id, from), SenderCheck::Unknown);
        let mixed = ar("mx.cst.example.it; spf=fail smtp.mailfrom=evil.example; dkim=pass header.d=comune.padova.it");
        assert_eq!(
            check(&mixed, id, from),
            SenderCheck::Pass,
            "DKIM aligned wins"
        );
    }
}
