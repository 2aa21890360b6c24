//! The client's address. Directly connected, it is the peer. Behind a reverse proxy every
//! request comes from the proxy: when the peer is one of the configured trusted proxies, the
//! client is the right-most address of `X-Forwarded-For` that is not itself a trusted proxy
//! (addresses further left were written by the client and prove nothing).

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::HeaderMap;

use crate::AppState;

/// Pure: the client address of a request from `peer` with these headers.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let mut chain: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    chain.reverse();
    for hop in chain {
        match hop.parse::<IpAddr>() {
            Ok(ip) if trusted.contains(&ip) => continue,
            Ok(ip) => return ip,
            // A malformed hop: nothing further left can be trusted either.
            Err(_) => break,
        }
    }
    peer
}

/// Extractor of the client address (see the module).
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::from([127, 0, 0, 1]), |c| c.0.ip());
        Ok(Self(client_ip(
            peer,
            &parts.headers,
            &s.config.trusted_proxies,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    #[test]
    fn forwarded_for_counts_only_behind_a_trusted_proxy() {
        let proxy = ip("10.0.0.1");
        let trusted = [proxy, ip("10.0.0.2")];
        let h = headers(&["6.6.6.6, 203.0.113.7"]);
        // Not from the proxy: the header is the client's own words.
        assert_eq!(
            client_ip(ip("198.51.100.1"), &h, &trusted),
            ip("198.51.100.1")
        );
        // From the proxy: the right-most untrusted hop.
        assert_eq!(client_ip(proxy, &h, &trusted), ip("203.0.113.7"));
        let h = headers(&["203.0.113.7", "10.0.0.2"]);
        assert_eq!(client_ip(proxy, &h, &trusted), ip("203.0.113.7"));
        // Nothing usable: the proxy itself.
        assert_eq!(client_ip(proxy, &headers(&[]), &trusted), proxy);
        assert_eq!(client_ip(proxy, &headers(&["garbage"]), &trusted), proxy);
        assert_eq!(client_ip(proxy, &headers(&["::1"]), &trusted), ip("::1"));
    }
}
