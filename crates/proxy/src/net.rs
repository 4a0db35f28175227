//! Outbound safety: refuse private, loopback, link-local and metadata targets at connect time
//! (a DNS resolver that filters addresses) and before fetching (IP-literal URLs bypass DNS).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::error::ProxyError;

/// An IP network in CIDR notation, e.g. `10.0.0.0/8` or `::1/128`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl FromStr for Cidr {
    type Err = ProxyError;
    fn from_str(s: &str) -> Result<Self, ProxyError> {
        let (a, p) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = a.trim().parse().map_err(|_| {
            ProxyError::Config(format!("allow_private_networks: {s:?} is not a CIDR"))
        })?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match p {
            Some(p) => p
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| {
                    ProxyError::Config(format!("allow_private_networks: bad prefix in {s:?}"))
                })?,
            None => max,
        };
        Ok(Cidr { addr, prefix })
    }
}

impl Cidr {
    /// Whether `ip` is inside this network.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// IPv4-mapped IPv6 addresses are judged as the IPv4 address they carry.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(v6),
        },
        v4 => v4,
    }
}

/// True for addresses a public feed must never resolve to: loopback, private, link-local
/// (including cloud metadata 169.254.169.254), CGNAT, unspecified, multicast, documentation,
/// unique-local IPv6 and friends.
pub fn is_non_public(ip: IpAddr) -> bool {
    match canonical(ip) {
        IpAddr::V4(v4) => is_non_public_v4(v4),
        IpAddr::V6(v6) => is_non_public_v6(v6),
    }
}

fn is_non_public_v4(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || o[0] == 0
        || (o[0] == 100 && (o[1] & 0xc0) == 64) // 100.64.0.0/10 CGNAT
        || (o[0] == 192 && o[1] == 0 && o[2] == 0) // 192.0.0.0/24
        || (o[0] == 198 && (o[1] & 0xfe) == 18) // 198.18.0.0/15 benchmarking
        || o[0] >= 240
}

fn is_non_public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00 // unique local
        || (s[0] & 0xffc0) == 0xfe80 // link local
        || (s[0] & 0xffc0) == 0xfec0 // site local (deprecated)
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        || (s[0] == 0x64 && s[1] == 0xff9b) // NAT64 may reach private v4
        || s[0] == 0x2002 // 6to4 may embed private v4
}

/// Which non-public targets are nevertheless allowed.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// Networks the operator allowlisted (`allow_private_networks`).
    pub allowed_networks: Vec<Cidr>,
    /// Exact socket addresses allowed (the in-process demo publisher).
    pub allowed_sockets: Vec<SocketAddr>,
}

/// Why a target was refused (or could not be resolved): a short message for `/api/feeds`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub String);

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

impl Policy {
    /// Whether an IP (from DNS, port unknown) may be connected to.
    pub fn ip_allowed(&self, ip: IpAddr) -> bool {
        !is_non_public(ip) || self.allowed_networks.iter().any(|n| n.contains(ip))
    }

    /// Whether an IP-literal socket address may be connected to.
    pub fn socket_allowed(&self, addr: SocketAddr) -> bool {
        self.ip_allowed(addr.ip())
            || self
                .allowed_sockets
                .iter()
                .any(|a| a.ip() == canonical(addr.ip()) && a.port() == addr.port())
    }

    /// Checks a URL before fetching it: http(s) only, and IP literals must be allowed.
    pub fn check_url(&self, url: &url::Url) -> Result<(), Refused> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Refused(format!(
                "refused: scheme {} not allowed",
                url.scheme()
            )));
        }
        let port = url.port_or_known_default().unwrap_or(80);
        let ip = match url.host() {
            Some(url::Host::Ipv4(v4)) => IpAddr::V4(v4),
            Some(url::Host::Ipv6(v6)) => IpAddr::V6(v6),
            Some(url::Host::Domain(_)) => return Ok(()),
            None => return Err(Refused("refused: URL has no host".into())),
        };
        if self.socket_allowed(SocketAddr::new(ip, port)) {
            Ok(())
        } else {
            Err(Refused(format!("refused: private address {ip}")))
        }
    }
}

/// A reqwest DNS resolver that drops non-public addresses unless allowlisted, so a public
/// name that resolves to a private address is refused when connecting.
#[derive(Debug, Clone)]
pub struct GuardedResolver {
    policy: Arc<Policy>,
}

impl GuardedResolver {
    /// A resolver enforcing `policy`.
    pub fn new(policy: Arc<Policy>) -> Self {
        GuardedResolver { policy }
    }
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await
                .map_err(|_| {
                    Box::new(Refused(format!("DNS lookup failed for {host}")))
                        as Box<dyn std::error::Error + Send + Sync>
                })?
                .collect();
            let allowed: Vec<SocketAddr> = addrs
                .iter()
                .copied()
                .filter(|a| policy.ip_allowed(a.ip()))
                .collect();
            if allowed.is_empty() {
                let first = addrs
                    .first()
                    .map(|a| a.ip().to_string())
                    .unwrap_or_default();
                return Err(Box::new(Refused(format!(
                    "refused: {host} resolves to private address {first}"
                )))
                    as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_loopback_link_local_and_metadata_are_non_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_non_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["8.8.8.8", "151.101.1.1", "2a00:1450::1"] {
            assert!(!is_non_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn cidr_allowlist_and_exact_sockets() {
        let policy = Policy {
            allowed_networks: vec!["10.0.0.0/8".parse().unwrap()],
            allowed_sockets: vec!["127.0.0.1:4000".parse().unwrap()],
        };
        assert!(policy.ip_allowed("10.9.9.9".parse().unwrap()));
        assert!(!policy.ip_allowed("192.168.0.1".parse().unwrap()));
        let ok = url::Url::parse("http://127.0.0.1:4000/x").unwrap();
        let other_port = url::Url::parse("http://127.0.0.1:4001/x").unwrap();
        assert!(policy.check_url(&ok).is_ok());
        assert!(policy.check_url(&other_port).is_err());
        assert!(
            policy
                .check_url(&url::Url::parse("file:///etc/passwd").unwrap())
                .is_err()
        );
    }
}
