//! The directory's rules for the URLs it mints into a software statement, read with the
//! `url` crate as the bank's checks read them (`mockbank_core::checks`: OBUK's redirect URI
//! rule refuses the same loopback hosts).

use url::{Host, Url};

/// Whether `uri` is an https URL on a public host, as a redirect URI minted without a
/// variant must be: written `https://` (any case) with a host that is neither `localhost`,
/// a `*.localhost` name nor a loopback address (in any of its spellings: `127.1`,
/// `2130706433`, `[::1]`, `[0:0:0:0:0:0:0:1]`), a valid port if any, and no fragment.
pub(crate) fn is_https_public(uri: &str) -> bool {
    // The URL parser also reads `https:host/path`, `https:///host`, `https:\\host` or a
    // leading space as `https://host`; a directory mints URIs written in full.
    let written_in_full = uri.get(..8).is_some_and(|scheme| {
        scheme.eq_ignore_ascii_case("https://") && !uri[8..].starts_with(['/', '\\'])
    });
    let Ok(url) = Url::parse(uri) else {
        return false;
    };
    written_in_full
        && url.scheme() == "https"
        && url.fragment().is_none()
        && !uri.contains('#')
        && !is_local(&url)
}

/// Localhost, a `*.localhost` name (RFC 6761 §6.3), a loopback address, or no host.
fn is_local(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => {
            let d = d.to_ascii_lowercase();
            d == "localhost" || d.ends_with(".localhost")
        }
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => true,
    }
}

/// The host of a URL as the URL parser serialises it (domains in lower case and ASCII,
/// IPv6 addresses in brackets), without user info or port.
pub(crate) fn host_of(uri: &str) -> Option<String> {
    Url::parse(uri)
        .ok()?
        .host_str()
        .filter(|h| !h.is_empty())
        .map(str::to_owned)
}

/// The origin of a URL (RFC 6454 §6.2): `scheme://host` and the port unless it is the
/// scheme's default; `None` for a URL without one (`mailto:`, `data:`).
pub(crate) fn origin_of(uri: &str) -> Option<String> {
    let origin = Url::parse(uri).ok()?.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_urls_on_public_hosts_are_accepted() {
        for ok in [
            "https://tpp.example.com/callback",
            "https://tpp.example.com:8443/cb?x=1",
            "https://tpp.example.com",
            "https://203.0.113.7/cb",
            "https://[2001:db8::1]/cb",
            "https://[2001:db8::1]:8443/cb",
            "https://0.0.0.0/cb",
            "https://localhost.example.com/cb",
            "https://tpp.example.com/a%20b",
            // The same as before, where the hand-written split was right too.
            "https://tpp.example.com/cb ",
            // Changed: a public DNS name whose first label is 127 (the split refused any
            // host starting with `127.`).
            "https://127.example.com/cb",
            // Changed: a scheme is case-insensitive (RFC 3986 §3.1), as the bank's checks
            // read it.
            "HTTPS://tpp.example.com/cb",
            // Changed: the host is after the user info (the split took `localhost`).
            "https://localhost:pw@tpp.example.com/cb",
        ] {
            assert!(is_https_public(ok), "{ok} was refused");
        }
    }

    #[test]
    fn other_urls_are_refused() {
        for bad in [
            "http://tpp.example.com/cb",
            "https://localhost/cb",
            "https://localhost:8443/cb",
            "https://app.localhost/cb",
            "https://127.0.0.1/cb",
            "https://127.1/cb",
            "https://[::1]:8443/cb",
            "https://tpp.example.com/cb#frag",
            "https://tpp.example.com/cb#",
            "https://",
            "https:///cb",
            "https:///tpp.example.com/cb",
            "https://\\tpp.example.com/cb",
            "https://:443/cb",
            "https:tpp.example.com/cb",
            " https://tpp.example.com/cb",
            "ftp://tpp.example.com/cb",
            "tpp.example.com/cb",
            "",
            // Changed (each accepted by the hand-written split, wrongly):
            // loopback hosts spelt otherwise,
            "https://LOCALHOST/cb",
            "https://App.LocalHost/cb",
            "https://[::1]/cb",
            "https://[0:0:0:0:0:0:0:1]/cb",
            "https://2130706433/cb",
            "https://0x7f.0.0.1/cb",
            // a loopback host behind user info,
            "https://user:pw@localhost/cb",
            "https://user@127.0.0.1/cb",
            // and URLs that are not URLs: a port that is none, a space in the host.
            "https://tpp.example.com:99999/cb",
            "https://tpp.example.com:port/cb",
            "https://tpp example.com/cb",
        ] {
            assert!(!is_https_public(bad), "{bad} was accepted");
        }
    }

    #[test]
    fn hosts_and_origins() {
        assert_eq!(
            host_of("https://tpp.example.com:8443/cb").as_deref(),
            Some("tpp.example.com")
        );
        assert_eq!(
            host_of("http://tpp.example.com/callback").as_deref(),
            Some("tpp.example.com")
        );
        assert_eq!(
            host_of("https://127.0.0.1/callback").as_deref(),
            Some("127.0.0.1")
        );
        // The split stopped at the first `:` (`[2001`) and kept user info and case.
        assert_eq!(
            host_of("https://[2001:db8::1]:8443/cb").as_deref(),
            Some("[2001:db8::1]")
        );
        assert_eq!(
            host_of("https://u@TPP.Example.com/cb").as_deref(),
            Some("tpp.example.com")
        );
        assert_eq!(host_of("not a url"), None);
        assert_eq!(host_of("mailto:a@b.example"), None);

        assert_eq!(
            origin_of("https://tpp.example.com/callback?x#y").as_deref(),
            Some("https://tpp.example.com")
        );
        assert_eq!(
            origin_of("https://tpp.example.com:8443/cb").as_deref(),
            Some("https://tpp.example.com:8443")
        );
        assert_eq!(
            origin_of("http://tpp.example.com/cb").as_deref(),
            Some("http://tpp.example.com")
        );
        // The split kept the default port, user info and the host's case.
        assert_eq!(
            origin_of("https://user:pw@TPP.example.com:443/cb").as_deref(),
            Some("https://tpp.example.com")
        );
        assert_eq!(origin_of("mailto:a@b.example"), None);
        assert_eq!(origin_of("no scheme"), None);
    }
}
