//! Where clients reach the server when that is not where it listens: the public URL
//! (`--public-url`), the extra certificate names (`--hostname`), the Host values the admin
//! API and the UI accept, and what the startup log says is exposed.

use std::fmt;
use std::net::{IpAddr, SocketAddr};

/// An `https://host[:port]` URL with no path: the base of every issuer and endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl {
    host: url::Host<String>,
    port: Option<u16>,
}

impl PublicUrl {
    /// Parses `https://host[:port][/]`; anything else (another scheme, a path, a query, user
    /// info) is refused with the reason, since issuers are built by appending to it.
    pub fn parse(text: &str) -> Result<Self, String> {
        let url = url::Url::parse(text.trim()).map_err(|e| format!("`{text}`: {e}"))?;
        if url.scheme() != "https" {
            return Err(format!(
                "`{text}`: the public URL must be https (mockbank serves TLS only)"
            ));
        }
        if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
            return Err(format!(
                "`{text}`: the public URL is a scheme, a host and a port, without a path (profiles are served under it at /PROFILE)"
            ));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(format!("`{text}`: the public URL carries no user info"));
        }
        let host = url
            .host()
            .ok_or_else(|| format!("`{text}`: no host"))?
            .to_owned();
        Ok(PublicUrl {
            host,
            port: url.port(),
        })
    }

    /// `https://host[:port]`, without a trailing slash.
    pub fn base_url(&self) -> String {
        match self.port {
            Some(port) => format!("https://{}:{port}", self.host),
            None => format!("https://{}", self.host),
        }
    }

    /// The host as a certificate names it (an IPv6 address without brackets).
    pub fn host(&self) -> String {
        match &self.host {
            url::Host::Domain(d) => d.to_ascii_lowercase(),
            url::Host::Ipv4(ip) => ip.to_string(),
            url::Host::Ipv6(ip) => ip.to_string(),
        }
    }

    /// The `Host` header values that name this URL (with and without the default port).
    fn authorities(&self) -> Vec<String> {
        let host = self.host.to_string().to_ascii_lowercase();
        match self.port {
            Some(port) => vec![format!("{host}:{port}")],
            None => vec![host.clone(), format!("{host}:443")],
        }
    }
}

impl std::str::FromStr for PublicUrl {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        PublicUrl::parse(s)
    }
}

impl fmt::Display for PublicUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.base_url())
    }
}

/// The `Host` values the admin API and the UI accept (a DNS-rebinding guard): the loopback
/// names on the listening port, the listening address itself, the public URL's authority,
/// and each `--hostname` on the listening port.
pub(crate) fn accepted_hosts(
    local: SocketAddr,
    public: Option<&PublicUrl>,
    hostnames: &[String],
) -> Vec<String> {
    let port = local.port();
    let mut hosts = vec![
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
    ];
    if !local.ip().is_unspecified() {
        hosts.push(bracketed(local.ip(), port));
    }
    hosts.extend(public.into_iter().flat_map(PublicUrl::authorities));
    hosts.extend(hostnames.iter().map(|name| match name.parse::<IpAddr>() {
        Ok(ip) => bracketed(ip, port),
        Err(_) => format!("{}:{port}", name.to_ascii_lowercase()),
    }));
    let mut seen = std::collections::HashSet::new();
    hosts.retain(|h| seen.insert(h.clone()));
    hosts
}

fn bracketed(ip: IpAddr, port: u16) -> String {
    match ip {
        IpAddr::V6(ip) => format!("[{ip}]:{port}"),
        IpAddr::V4(ip) => format!("{ip}:{port}"),
    }
}

/// What a listening address exposes, for the startup log: an operator who listens beyond
/// loopback is told so, with the names the certificate answers to.
#[derive(Debug, Clone)]
pub struct Exposure {
    pub beyond_loopback: bool,
    listen: SocketAddr,
    base_url: String,
    names: Vec<String>,
}

impl Exposure {
    pub fn of(listen: SocketAddr, base_url: &str, names: &[String]) -> Self {
        Exposure {
            beyond_loopback: !listen.ip().is_loopback(),
            listen,
            base_url: base_url.to_owned(),
            names: names.to_vec(),
        }
    }
}

impl fmt::Display for Exposure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scope = if self.listen.ip().is_unspecified() {
            "every network interface"
        } else if self.beyond_loopback {
            "a non-loopback address"
        } else {
            "loopback only"
        };
        write!(
            f,
            "listening on {} ({scope}): the registration, token and directory endpoints answer anyone who reaches this address; clients use {}; the server certificate names {}; the admin API needs the admin token",
            self.listen,
            self.base_url,
            self.names.join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_public_url_is_a_scheme_a_host_and_a_port() {
        let u = PublicUrl::parse("https://Sandbox.Bank.example:9443/").unwrap();
        assert_eq!(u.base_url(), "https://sandbox.bank.example:9443");
        assert_eq!(u.host(), "sandbox.bank.example");
        let v6 = PublicUrl::parse("https://[::1]:8443").unwrap();
        assert_eq!(v6.base_url(), "https://[::1]:8443");
        assert_eq!(v6.host(), "::1");
        // The default port is left out of the issuer, as clients write it.
        assert_eq!(
            PublicUrl::parse("https://bank.example:443")
                .unwrap()
                .base_url(),
            "https://bank.example"
        );
        for bad in [
            "http://bank.example",
            "https://bank.example/obuk",
            "https://bank.example/?x=1",
            "https://user@bank.example",
            "bank.example",
        ] {
            assert!(PublicUrl::parse(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn accepted_hosts_cover_loopback_the_public_url_and_each_hostname() {
        let listen: SocketAddr = "0.0.0.0:8443".parse().unwrap();
        let public = PublicUrl::parse("https://sandbox.example").unwrap();
        let hosts = accepted_hosts(
            listen,
            Some(&public),
            &["mockbank".into(), "10.0.0.5".into()],
        );
        for h in [
            "127.0.0.1:8443",
            "localhost:8443",
            "[::1]:8443",
            "sandbox.example",
            "sandbox.example:443",
            "mockbank:8443",
            "10.0.0.5:8443",
        ] {
            assert!(hosts.contains(&h.to_owned()), "{h} missing from {hosts:?}");
        }
        assert!(!hosts.iter().any(|h| h.starts_with("0.0.0.0")), "{hosts:?}");
    }

    #[test]
    fn the_log_says_what_every_interface_exposes() {
        let e = Exposure::of(
            "0.0.0.0:8443".parse().unwrap(),
            "https://mockbank:8443",
            &["localhost".into(), "mockbank".into()],
        );
        assert!(e.beyond_loopback);
        let text = e.to_string();
        assert!(text.contains("every network interface"), "{text}");
        assert!(text.contains("https://mockbank:8443"), "{text}");
        assert!(!Exposure::of("127.0.0.1:1".parse().unwrap(), "", &[]).beyond_loopback);
    }
}
