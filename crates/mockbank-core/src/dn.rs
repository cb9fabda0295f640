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
        return Ok(format!("#{}", hex.to_ascii_lowercase()));
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
