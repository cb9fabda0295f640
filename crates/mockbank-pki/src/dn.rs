//! Distinguished names as RFC 4514 strings: RDNs in reverse order, `,`-separated, with the
//! short names of RFC 4514 §3 and dotted OIDs (hex-encoded values) for anything else —
//! what Java's `X500Principal.getName()` and Python's `rfc4514_string()` print. The short
//! names are `mockbank_core::dn`'s, the table DN strings are read with.

use mockbank_core::dn::rfc4514_name;
use x509_parser::der_parser::asn1_rs::{Tag, ToDer};
use x509_parser::x509::X509Name;

/// Escapes an attribute value (RFC 4514 §2.4).
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let last = value.chars().count().saturating_sub(1);
    for (i, c) in value.chars().enumerate() {
        let special = matches!(c, '"' | '+' | ',' | ';' | '<' | '>' | '\\')
            || (i == 0 && (c == '#' || c == ' '))
            || (i == last && c == ' ');
        if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
            // RFC 4514 §2.4: any character may be written as the hex of its UTF-8 bytes.
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("\\{b:02X}"));
            }
        } else {
            if special {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

/// The RFC 4514 string of a name.
pub fn rfc4514(name: &X509Name) -> String {
    let rdns: Vec<String> = name
        .iter_rdn()
        .map(|rdn| {
            rdn.iter()
                .map(|atv| {
                    let oid = atv.attr_type().to_id_string();
                    let value = atv.attr_value();
                    let text = match value.tag() {
                        Tag::Utf8String
                        | Tag::PrintableString
                        | Tag::Ia5String
                        | Tag::TeletexString
                        | Tag::BmpString
                        | Tag::UniversalString
                        | Tag::VisibleString => atv.as_str().ok().map(escape),
                        _ => None,
                    };
                    match (rfc4514_name(&oid), text) {
                        (Some(short), Some(text)) => format!("{short}={text}"),
                        (None, Some(text)) => format!("{oid}={text}"),
                        (_, None) => {
                            let hex: String = value
                                .to_der_vec()
                                .unwrap_or_default()
                                .iter()
                                .map(|b| format!("{b:02x}"))
                                .collect();
                            format!("{oid}=#{hex}")
                        }
                    }
                })
                .collect::<Vec<_>>()
                .join("+")
        })
        .collect();
    rdns.into_iter().rev().collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::{CertificateParams, DistinguishedName, DnType, KeyPair};

    fn subject_of(dn: DistinguishedName) -> String {
        let mut params = CertificateParams::default();
        params.distinguished_name = dn;
        let key = KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        let (_, parsed) = x509_parser::parse_x509_certificate(cert.der()).unwrap();
        rfc4514(parsed.subject())
    }

    #[test]
    fn reverse_order_short_names() {
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CountryName, "GB");
        dn.push(DnType::OrganizationName, "Example TPP Ltd");
        dn.push(DnType::OrganizationalUnitName, "0015800001041REAAY");
        dn.push(DnType::CommonName, "5rZPGKi3Hb3AbNDHdXpZwS");
        assert_eq!(
            subject_of(dn),
            "CN=5rZPGKi3Hb3AbNDHdXpZwS,OU=0015800001041REAAY,O=Example TPP Ltd,C=GB"
        );
    }

    #[test]
    fn every_rfc4514_short_name_is_printed_and_other_known_types_are_dotted() {
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CountryName, "GB");
        dn.push(DnType::StateOrProvinceName, "London");
        dn.push(DnType::LocalityName, "City");
        dn.push(DnType::CustomDnType(vec![2, 5, 4, 9]), "1 Street");
        dn.push(
            DnType::CustomDnType(vec![0, 9, 2342, 19200300, 100, 1, 25]),
            "example",
        );
        dn.push(
            DnType::CustomDnType(vec![0, 9, 2342, 19200300, 100, 1, 1]),
            "u1",
        );
        dn.push(DnType::CustomDnType(vec![2, 5, 4, 5]), "123");
        dn.push(
            DnType::CustomDnType(vec![2, 5, 4, 15]),
            "Private Organization",
        );
        dn.push(DnType::OrganizationalUnitName, "ou");
        dn.push(DnType::OrganizationName, "o");
        dn.push(DnType::CommonName, "cn");
        assert_eq!(
            subject_of(dn),
            "CN=cn,O=o,OU=ou,2.5.4.15=Private Organization,2.5.4.5=123,UID=u1,DC=example,\
             STREET=1 Street,L=City,ST=London,C=GB"
        );
    }

    #[test]
    fn special_characters_are_escaped_and_unknown_oids_dotted() {
        let mut dn = DistinguishedName::new();
        dn.push(DnType::OrganizationName, "Smith, Jones + Co");
        dn.push(DnType::CustomDnType(vec![2, 5, 4, 97]), "PSDFR-ACPR-12345");
        assert_eq!(
            subject_of(dn),
            "2.5.4.97=PSDFR-ACPR-12345,O=Smith\\, Jones \\+ Co"
        );
        assert_eq!(escape(" #a "), "\\ #a\\ ");
    }
}
