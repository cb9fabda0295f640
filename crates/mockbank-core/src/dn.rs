//! Distinguished names compared as names, not strings (RFC 4514 §2-3, RFC 4517 §4.2.15
//! distinguishedNameMatch): attribute types by OID whatever their spelling, values with
//! escapes undone, case and insignificant whitespace ignored, RDN order respected.

/// One attribute type and value.
type Ava = (String, String);

/// An attribute type this module knows by name.
struct AttributeType {
    /// Dotted OID.
    oid: &'static str,
    /// The names it is written with, compared without case; the first is the one printed.
    names: &'static [&'static str],
    /// RFC 4514 §3 lets a DN string name it by its first name; every other type is printed
    /// as its dotted OID.
    rfc4514: bool,
}

/// The one table of attribute type names and OIDs: what DN strings are read with here, and
/// what `mockbank-pki` prints certificate subjects with ([`rfc4514_name`]).
const ATTRIBUTE_TYPES: &[AttributeType] = &[
    descriptor("2.5.4.3", &["CN", "commonName"]),
    descriptor("2.5.4.7", &["L", "localityName"]),
    descriptor("2.5.4.8", &["ST", "S", "stateOrProvinceName"]),
    descriptor("2.5.4.10", &["O", "organizationName"]),
    descriptor("2.5.4.11", &["OU", "organizationalUnitName"]),
    descriptor("2.5.4.6", &["C", "countryName"]),
    descriptor("2.5.4.9", &["STREET", "streetAddress"]),
    descriptor("0.9.2342.19200300.100.1.25", &["DC", "domainComponent"]),
    descriptor("0.9.2342.19200300.100.1.1", &["UID", "userId"]),
    dotted("2.5.4.5", &["serialNumber"]),
    dotted("2.5.4.97", &["organizationIdentifier"]),
    dotted("2.5.4.15", &["businessCategory"]),
    dotted(
        "1.3.6.1.4.1.311.60.2.1.3",
        &["jurisdictionCountryName", "jurisdictionC"],
    ),
    dotted("1.2.840.113549.1.9.1", &["emailAddress", "E"]),
];

/// A type RFC 4514 §3 prints by its first name.
const fn descriptor(oid: &'static str, names: &'static [&'static str]) -> AttributeType {
    AttributeType {
        oid,
        names,
        rfc4514: true,
    }
}

/// A type known by name here, printed as its dotted OID.
const fn dotted(oid: &'static str, names: &'static [&'static str]) -> AttributeType {
    AttributeType {
        oid,
        names,
        rfc4514: false,
    }
}

/// The OID of an attribute type as written (`cn`, `OID.2.5.4.3`); an unknown name comes
/// back lower-cased.
fn oid_of(attr: &str) -> String {
    let a = attr.trim().to_ascii_lowercase();
    let a = a.strip_prefix("oid.").unwrap_or(&a);
    ATTRIBUTE_TYPES
        .iter()
        .find(|t| t.names.iter().any(|n| n.eq_ignore_ascii_case(a)))
        .map_or(a, |t| t.oid)
        .to_owned()
}

/// The name RFC 4514 §3 prints an attribute type with (`2.5.4.3` → `CN`); `None` for the
/// types a DN string writes as a dotted OID.
pub fn rfc4514_name(oid: &str) -> Option<&'static str> {
    ATTRIBUTE_TYPES
        .iter()
        .find(|t| t.rfc4514 && t.oid == oid)
        .map(|t| t.names[0])
}

/// The dotted OID of an attribute type name (`CN`, `organizationIdentifier`, `2.5.4.97`),
/// if it is one this module knows or a dotted OID.
pub fn attribute_oid(name: &str) -> Option<String> {
    let oid = oid_of(name);
    is_dotted_oid(&oid).then_some(oid)
}

/// Whether `t` is written as a dotted OID (`2.5.4.97`): two or more arcs of digits.
pub fn is_dotted_oid(t: &str) -> bool {
    t.split('.').count() >= 2
        && t.split('.')
            .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The attribute types RFC 4514 §3 lets a DN string name by descriptor; every other type
/// is written as a dotted OID with a `#` BER value (§2.3–2.4). The names of
/// `ATTRIBUTE_TYPES` marked `rfc4514`, in its order (a test holds them equal).
pub const RFC4514_DESCRIPTORS: &[&str] = &["CN", "L", "ST", "O", "OU", "C", "STREET", "DC", "UID"];

/// The attribute types of a DN string as written (`CN`, `2.5.4.97`, `organizationIdentifier`),
/// each with whether its value was written in `#` BER form.
pub fn written_types(dn: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut chars = dn.chars().peekable();
    while chars.peek().is_some() {
        let mut t = String::new();
        for c in chars.by_ref() {
            if c == '=' {
                break;
            }
            t.push(c);
        }
        while chars.peek() == Some(&' ') {
            chars.next();
        }
        let ber = chars.peek() == Some(&'#');
        while let Some(c) = chars.next() {
            if c == '\\' {
                chars.next();
            } else if matches!(c, ',' | '+' | ';') {
                break;
            }
        }
        out.push((t.trim().to_owned(), ber));
    }
    out
}

/// Characters RFC 4514 §3 lets through unescaped only inside a value, never at its ends
/// or as a raw control: it lists them as `escaped` (`"` `+` `,` `;` `<` `>`) and `ESC`.
fn needs_escape(c: char) -> bool {
    matches!(c, '"' | '+' | ',' | ';' | '<' | '>' | '\\')
}

/// A raw character no DN string may carry (controls and the Unicode line and paragraph
/// separators: RFC 4514 §2.4 has them written as `\XX` escapes).
fn forbidden_raw(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

/// An attribute type: a descriptor (`ALPHA *(ALPHA / DIGIT / "-")`) or a numeric OID,
/// optionally spelled `OID.1.2.3` (RFC 4514 §3, RFC 4512 §1.4).
fn attribute_type(t: &str) -> Result<String, String> {
    let bare = t
        .strip_prefix("OID.")
        .or_else(|| t.strip_prefix("oid."))
        .unwrap_or(t);
    let descr = bare.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && bare.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    let numeric = !bare.is_empty()
        && bare.split('.').count() >= 2
        && bare.split('.').all(|n| {
            !n.is_empty()
                && n.bytes().all(|b| b.is_ascii_digit())
                && (n == "0" || !n.starts_with('0'))
        });
    if descr || numeric {
        Ok(oid_of(bare))
    } else {
        Err(format!("`{t}` is not an attribute type"))
    }
}

/// Reads one attribute value from `chars` up to an unescaped `,` `;` `+` or the end,
/// undoing escapes (RFC 4514 §3 `string` / `hexstring`). Returns the value in its
/// comparison form.
fn attribute_value(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Result<String, String> {
    // Spaces around separators are tolerated (RFC 4514 §4 notes what RFC 1779 and 2253 printed).
    while chars.peek() == Some(&' ') {
        chars.next();
    }
    if chars.peek() == Some(&'#') {
        chars.next();
        let mut hex = String::new();
        while let Some(&c) = chars.peek() {
            if matches!(c, ',' | ';' | '+') {
                break;
            }
            chars.next();
            hex.push(c);
        }
        let hex = hex.trim_end_matches(' ');
        if hex.is_empty()
            || !hex.len().is_multiple_of(2)
            || !hex.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return Err("a `#` value must be an even number of hex digits (RFC 4514 §2.4)".into());
        }
        let hex = hex.to_ascii_lowercase();
        // RFC 4517 §4.2.15: values compare by their matching rule, so a string's BER
        // encoding (`2.5.4.97=#0C2A4F46…`, as Java and Open Finance Brasil print it) equals
        // the same string written as text.
        return Ok(match der_string(&hex) {
            Some(text) => normalise(&text),
            None => format!("#{hex}"),
        });
    }
    let mut raw: Vec<u8> = Vec::new();
    // Trailing spaces that were not escaped are not part of the value.
    let mut unescaped_trailing_spaces = 0;
    while let Some(&c) = chars.peek() {
        if matches!(c, ',' | ';' | '+') {
            break;
        }
        chars.next();
        if c == '\\' {
            let Some(n) = chars.next() else {
                return Err("a `\\` at the end escapes nothing".into());
            };
            if n.is_ascii_hexdigit() {
                let Some(m) = chars.next().filter(char::is_ascii_hexdigit) else {
                    return Err(format!(
                        "`\\{n}` is neither a hex pair nor an escaped special character"
                    ));
                };
                let byte = u8::from_str_radix(&format!("{n}{m}"), 16).map_err(|e| e.to_string())?;
                raw.push(byte);
            } else if needs_escape(n) || matches!(n, ' ' | '#' | '=') {
                let mut buf = [0u8; 4];
                raw.extend_from_slice(n.encode_utf8(&mut buf).as_bytes());
            } else {
                return Err(format!(
                    "`\\{n}` escapes a character that needs no escape (RFC 4514 §3)"
                ));
            }
            unescaped_trailing_spaces = 0;
            continue;
        }
        if forbidden_raw(c) {
            return Err(format!(
                "the raw character U+{:04X} must be escaped as `\\XX` (RFC 4514 §2.4)",
                c as u32
            ));
        }
        if matches!(c, '"' | '<' | '>') {
            return Err(format!("`{c}` must be escaped (RFC 4514 §2.4)"));
        }
        if c == ' ' {
            unescaped_trailing_spaces += 1;
        } else {
            unescaped_trailing_spaces = 0;
        }
        let mut buf = [0u8; 4];
        raw.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
    }
    raw.truncate(raw.len() - unescaped_trailing_spaces);
    let text = String::from_utf8(raw)
        .map_err(|_| "the hex escapes are not UTF-8 (RFC 4514 §3)".to_owned())?;
    Ok(normalise(&text))
}

/// The text of a DER-encoded directory string (UTF8String, PrintableString, IA5String,
/// TeletexString, BMPString), given as hex; `None` for any other encoding.
fn der_string(hex: &str) -> Option<String> {
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
        .collect::<Option<_>>()?;
    let (&tag, rest) = bytes.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, content) = match first {
        n if n < 0x80 => (n as usize, rest),
        0x81 => (*rest.first()? as usize, &rest[1..]),
        0x82 => (
            (*rest.first()? as usize) << 8 | *rest.get(1)? as usize,
            rest.get(2..)?,
        ),
        _ => return None,
    };
    if content.len() != len {
        return None;
    }
    match tag {
        0x0c | 0x13 | 0x16 | 0x14 => String::from_utf8(content.to_vec()).ok(),
        0x1e if len % 2 == 0 => {
            char::decode_utf16(content.chunks(2).map(|c| u16::from_be_bytes([c[0], c[1]])))
                .collect::<Result<String, _>>()
                .ok()
        }
        _ => None,
    }
}

/// Rewrites every attribute whose type is a dotted OID and whose value is text into the
/// BER form RFC 4514 §2.4 prescribes for dotted types (`#` and the hex of a UTF8String):
/// `2.5.4.97=OFBBR-1` becomes `2.5.4.97=#0C074F464242522D31`. Other attributes are kept as
/// written. The result names the same entity ([`equivalent`]).
pub fn with_ber_values_for_oids(dn: &str) -> String {
    let mut out = String::with_capacity(dn.len() * 2);
    let mut chars = dn.chars().peekable();
    while chars.peek().is_some() {
        let mut t = String::new();
        for c in chars.by_ref() {
            t.push(c);
            if c == '=' {
                break;
            }
        }
        out.push_str(&t);
        let mut raw = String::new();
        let mut value = Vec::new();
        let mut end = None;
        while let Some(c) = chars.next() {
            if matches!(c, ',' | '+' | ';') {
                end = Some(c);
                break;
            }
            raw.push(c);
            if c == '\\' {
                if let Some(n) = chars.next() {
                    raw.push(n);
                    if n.is_ascii_hexdigit() {
                        if let Some(m) = chars.next() {
                            raw.push(m);
                            value.push(u8::from_str_radix(&format!("{n}{m}"), 16).unwrap_or(b'?'));
                        }
                    } else {
                        let mut buf = [0u8; 4];
                        value.extend_from_slice(n.encode_utf8(&mut buf).as_bytes());
                    }
                }
            } else {
                let mut buf = [0u8; 4];
                value.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
        let name = t.trim_end_matches('=').trim();
        if is_dotted_oid(name) && !raw.starts_with('#') && value.len() < 0x80 {
            out.push_str(&format!("#0C{:02X}", value.len()));
            for b in &value {
                out.push_str(&format!("{b:02X}"));
            }
        } else {
            out.push_str(&raw);
        }
        if let Some(sep) = end {
            out.push(sep);
        }
    }
    out
}

/// Case-folded value with runs of spaces collapsed and the ends trimmed (RFC 4518 §2.6.1
/// insignificant space handling, for ASCII spaces).
fn normalise(v: &str) -> String {
    v.split(' ')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Parses an RFC 4514 string into RDNs (each a sorted set of AVAs), strictly: every
/// attribute type well formed, every special character escaped, no raw control character,
/// no stray `\`. Says why when it does not parse.
pub fn parse_strict(dn: &str) -> Result<Vec<Vec<Ava>>, String> {
    if dn.trim_matches(' ').is_empty() {
        return Ok(Vec::new());
    }
    let mut rdns = Vec::new();
    let mut avas = Vec::new();
    let mut chars = dn.chars().peekable();
    loop {
        let mut t = String::new();
        let mut has_value = false;
        for c in chars.by_ref() {
            if c == '=' {
                has_value = true;
                break;
            }
            t.push(c);
        }
        if !has_value {
            return Err(format!("`{t}` has no `=value`"));
        }
        let t = t.trim_matches(' ');
        if t.is_empty() {
            return Err("an attribute has no type (expected `TYPE=value`)".into());
        }
        let oid = attribute_type(t)?;
        let value = attribute_value(&mut chars)?;
        avas.push((oid, value));
        match chars.next() {
            Some('+') => continue,
            Some(',' | ';') => {
                avas.sort();
                rdns.push(std::mem::take(&mut avas));
            }
            None => {
                avas.sort();
                rdns.push(avas);
                return Ok(rdns);
            }
            Some(c) => return Err(format!("unexpected `{c}`")),
        }
    }
}

/// [`parse_strict`], without the reason.
pub fn parse(dn: &str) -> Option<Vec<Vec<Ava>>> {
    parse_strict(dn).ok()
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
    fn one_table_names_the_attribute_types_both_ways() {
        for (oid, short) in [
            ("2.5.4.3", "CN"),
            ("2.5.4.7", "L"),
            ("2.5.4.8", "ST"),
            ("2.5.4.10", "O"),
            ("2.5.4.11", "OU"),
            ("2.5.4.6", "C"),
            ("2.5.4.9", "STREET"),
            ("0.9.2342.19200300.100.1.25", "DC"),
            ("0.9.2342.19200300.100.1.1", "UID"),
        ] {
            assert_eq!(rfc4514_name(oid), Some(short), "{oid}");
            assert_eq!(attribute_oid(short).as_deref(), Some(oid), "{short}");
            assert_eq!(
                attribute_oid(&short.to_ascii_lowercase()).as_deref(),
                Some(oid)
            );
        }
        // Known by name, printed as dotted OIDs (RFC 4514 §3 has no descriptor for them).
        for (name, oid) in [
            ("serialNumber", "2.5.4.5"),
            ("organizationIdentifier", "2.5.4.97"),
            ("businessCategory", "2.5.4.15"),
            ("jurisdictionC", "1.3.6.1.4.1.311.60.2.1.3"),
            ("emailAddress", "1.2.840.113549.1.9.1"),
            ("E", "1.2.840.113549.1.9.1"),
        ] {
            assert_eq!(attribute_oid(name).as_deref(), Some(oid), "{name}");
            assert_eq!(rfc4514_name(oid), None, "{oid}");
        }
        assert_eq!(attribute_oid("commonName").as_deref(), Some("2.5.4.3"));
        assert_eq!(attribute_oid("S").as_deref(), Some("2.5.4.8"));
        assert_eq!(attribute_oid("OID.2.5.4.3").as_deref(), Some("2.5.4.3"));
        assert_eq!(attribute_oid("1.2.3.4").as_deref(), Some("1.2.3.4"));
        assert_eq!(attribute_oid("nickname"), None);
        assert_eq!(rfc4514_name("1.2.3.4"), None);
        // The descriptors the checks accept are the table's RFC 4514 names.
        let printed: Vec<&str> = ATTRIBUTE_TYPES
            .iter()
            .filter(|t| t.rfc4514)
            .map(|t| t.names[0])
            .collect();
        assert_eq!(printed, RFC4514_DESCRIPTORS);
    }

    #[test]
    fn strict_parsing_refuses_what_rfc4514_does_not_allow() {
        for bad in [
            "CN=abc\\",
            "CN=a\\bc",
            "CN=abc\u{2028}",
            "CN=a\u{0}b",
            "CN=a\"b",
            "=abc",
            "C N=abc",
            "CN=#abc",
            "CN=\\zz",
            "CN=\\c3\\28",
        ] {
            assert!(parse_strict(bad).is_err(), "{bad:?} parsed");
        }
        for good in [
            "CN=a\\,b",
            "CN=a\\2Cb",
            "2.5.4.3=x",
            "OID.2.5.4.3=x",
            "CN=#04024869",
            "CN=caf\\c3\\a9",
            "CN=\\ lead",
        ] {
            assert!(parse_strict(good).is_ok(), "{good:?} did not parse");
        }
        assert!(equivalent("CN=caf\\c3\\a9", "CN=café"));
    }

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
        // Open Finance Brasil's example: the organizationIdentifier as a UTF8String in hex.
        assert!(equivalent(
            "2.5.4.97=#0C2A4F464242522D36376335373838322D303433622D313165632D396130332D303234326163313330303033,CN=x",
            "organizationIdentifier=OFBBR-67c57882-043b-11ec-9a03-0242ac130003,CN=x"
        ));
        assert!(equivalent(
            "2.5.4.15=#131450726976617465204f7267616e697a6174696f6e",
            "businessCategory=Private Organization"
        ));
        let text = "UID=abc,2.5.4.97=OFBBR-1\\, x,CN=h.example,C=BR";
        let ber = with_ber_values_for_oids(text);
        assert_eq!(
            ber,
            "UID=abc,2.5.4.97=#0C0A4F464242522D312C2078,CN=h.example,C=BR"
        );
        assert!(equivalent(text, &ber));
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
        assert!(!equivalent(printed, "CN=abc,OU=org,O=TPP,C=GB\u{2028}"));
        assert!(!equivalent(printed, "CN=abc,OU=org,O=T\\PP,C=GB"));
        assert_eq!(attribute(printed, "cn").as_deref(), Some("abc"));
    }
}
