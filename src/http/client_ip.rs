//! Who the client is: the TCP peer, or — only when the peer is a trusted proxy — the address
//! that proxy reports in `X-Forwarded-For`. Read right to left, skipping trusted hops, so a
//! client cannot spoof its address by sending its own header.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;

use super::extract::ClientIp;
use crate::app::AppState;

pub fn resolve(peer: IpAddr, forwarded_for: Option<&str>, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let Some(header) = forwarded_for else {
        return peer;
    };
    let mut client = peer;
    for hop in header.rsplit(',') {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !is_trusted(&ip) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    client
}

pub async fn client_ip(State(app): State<AppState>, mut req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::from([127, 0, 0, 1]));
    let xff = req.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok());
    let ip = resolve(peer, xff, &app.config.trusted_proxies);
    req.extensions_mut().insert(ClientIp(ip));
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn untrusted_peers_cannot_spoof() {
        assert_eq!(resolve(ip("203.0.113.9"), Some("1.2.3.4"), &[]), ip("203.0.113.9"));
    }

    #[test]
    fn trusted_proxy_reports_the_nearest_untrusted_hop() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        assert_eq!(resolve(ip("10.0.0.2"), Some("6.6.6.6, 198.51.100.7"), &trusted), ip("198.51.100.7"));
        assert_eq!(resolve(ip("10.0.0.2"), Some("198.51.100.7, 10.0.0.5"), &trusted), ip("198.51.100.7"));
        assert_eq!(resolve(ip("10.0.0.2"), None, &trusted), ip("10.0.0.2"));
        assert_eq!(resolve(ip("10.0.0.2"), Some("garbage"), &trusted), ip("10.0.0.2"));
    }
}
