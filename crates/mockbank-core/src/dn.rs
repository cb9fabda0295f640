//! Distinguished names compared as names, not strings (RFC 4514 §2-3, RFC 4517 §4.2.15
//! distinguishedNameMatch): attribute types by OID whatever their spelling, values with
//! escapes undone, case and insignificant whitespace ignored, RDN order respected.

/// One attribute type and value.
type Ava = (String, String);

fn oid_of(attr: &str) -> String {
    let a = attr.trim().to_ascii_lowercase();
    let a = a.strip_prefix("oid.").unwrap_or(&a).to_owned();
    match a.as_str() {
        "cn" | "commonname" => "2.5.4.3",
        "l" | "localityname" => "2.5.4.7",
        "st" | "s" | "stateorprovincename" => "2.5.4.8",
        "o" | "organizationname" => "2.5.4.10",
        "ou" | "organizationalunitname" => "2.5.4.11",
        "c" | "countryname" => "2.5.4.6",
        "street" | "streetaddress" => "2.5.4.9",
        "dc" | "domaincomponent" => "0.9.2342.19200300.100.1.25",
        "uid" | "userid" => "0.9.2342.19200300.100.1.1",
        "serialnumber" => "2.5.4.5",
        "organizationidentifier" => "2.5.4.97",
        "emailaddress" | "e" => "1.2.840.113549.1.9.1",
        other => return other.to_owned(),
    }
    .to_owned()
}

/// Splits on unescaped `sep`, keeping escapes for later.
fn split_unescaped(s: &str, seps: &[char]) -> Vec<String> {
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            cur.push(c);
            if let Some(n) = chars.next() {
                cur.push(n);
            }
        } else if seps.contains(&c) {
            parts.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    parts.push(cur);
    parts
}

fn unescape(v: &str) -> String {
    let bytes: Vec<char> = v.chars().collect();
    let mut out = String::new();
    let mut raw: Vec<u8> = Vec::new();
    let mut i = 0;
    let flush = |raw: &mut Vec<u8>, out: &mut String| {
        if !raw.is_empty() {
            out.push_str(&String::from_utf8_lossy(raw));
            raw.clear();
        }
    };
    while i < bytes.len() {
        if bytes[i] == '\\' && i + 1 < bytes.len() {
            let hex: String = bytes[i + 1..bytes.len().min(i + 3)].iter().collect();
            if hex.len() == 2 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
                raw.push(u8::from_str_radix(&hex, 16).unwrap_or(b'?'));
                i += 3;
                continue;
            }
            flush(&mut raw, &mut out);
            out.push(bytes[i + 1]);
            i += 2;
        } else {
            flush(&mut raw, &mut out);
            out.push(bytes[i]);
            i += 1;
        }
    }
    flush(&mut raw, &mut out);
    out
}

/// Case-folded value with runs of whitespace collapsed and the ends trimmed.
fn normalise(v: &str) -> String {
    unescape(v.trim())
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Parses an RFC 4514 string into RDNs (each a sorted set of AVAs). `None` if malformed.
pub fn parse(dn: &str) -> Option<Vec<Vec<Ava>>> {
    if dn.trim().is_empty() {
        return Some(Vec::new());
    }
    split_unescaped(dn, &[',', ';'])
        .into_iter()
        .map(|rdn| {
            let mut avas = split_unescaped(&rdn, &['+'])
                .into_iter()
                .map(|ava| {
                    let (t, v) = ava.split_once('=')?;
                    (!t.trim().is_empty()).then(|| (oid_of(t), normalise(v)))
                })
                .collect::<Option<Vec<Ava>>>()?;
            avas.sort();
            Some(avas)
        })
        .collect()
}

/// Whether two RFC 4514 strings name the same entity.
pub fn equivalent(a: &str, b: &str) -> bool {
    match (parse(a), parse(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// The value of the first attribute of `attr` (e.g. `CN`) in a DN string.
pub fn attribute(dn: &str, attr: &str) -> Option<String> {
    let oid = oid_of(attr);
    parse(dn)?
        .into_iter()
        .flatten()
        .find(|(t, _)| *t == oid)
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_names_in_different_spellings_match() {
        let printed = "CN=5rZPGKi3Hb3AbNDHdXpZwS,OU=0015800001041REAAY,O=Example TPP Ltd,C=GB";
        assert!(equivalent(
            printed,
            "cn=5rzpgki3hb3abndhdxpzws, ou=0015800001041REAAY, o=Example  TPP Ltd, c=GB"
        ));
        assert!(equivalent(
            printed,
            "CN=5rZPGKi3Hb3AbNDHdXpZwS;OU=0015800001041REAAY;O=Example TPP Ltd;C=GB"
        ));
        assert!(equivalent(
            "2.5.4.97=PSDFR-ACPR-1,O=A\\, B",
            "organizationIdentifier=PSDFR-ACPR-1,O=A\\2C B"
        ));
        assert!(
            equivalent("CN=a+OU=b", "OU=b+CN=a"),
            "multi-valued RDNs are sets"
        );
    }

    #[test]
    fn different_names_do_not_match() {
        let printed = "CN=abc,OU=org,O=TPP,C=GB";
        assert!(
            !equivalent(printed, "C=GB,O=TPP,OU=org,CN=abc"),
            "order matters"
        );
        assert!(!equivalent(printed, "CN=abd,OU=org,O=TPP,C=GB"));
        assert!(!equivalent(printed, "CN=abc,OU=org,O=TPP"));
        assert!(!equivalent(printed, "garbage"));
        assert_eq!(attribute(printed, "cn").as_deref(), Some("abc"));
    }
}
