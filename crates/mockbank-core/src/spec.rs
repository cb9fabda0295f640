//! Where a spec reference can be read: `RFC 7592 §2.2`, `OBIE DCR v3.2 §3.1`,
//! `generic.md §12` (the notes shipped in `docs/specs/`) — a public URL for every source a
//! check or a profile cites. The reports link these; the UI reads the same table
//! (`ui/src/generated/spec-sources.json`, kept equal by a test).

/// Sources by the prefix their references start with, and where to read them. The longest
/// matching prefix wins (`OIDC-Reg` before `OIDC`).
pub const SOURCES: &[(&str, &str)] = &[
    (
        "OIDC-Reg",
        "https://openid.net/specs/openid-connect-registration-1_0.html",
    ),
    (
        "OIDC Core",
        "https://openid.net/specs/openid-connect-core-1_0.html",
    ),
    (
        "OIDC-Discovery",
        "https://openid.net/specs/openid-connect-discovery-1_0.html",
    ),
    (
        "FAPI 1.0 Advanced",
        "https://openid.net/specs/openid-financial-api-part-2-1_0.html",
    ),
    (
        "FAPI-RW",
        "https://openid.net/specs/openid-financial-api-part-2-ID2.html",
    ),
    (
        "OBIE DCR v3.2",
        "https://openbankinguk.github.io/dcr-docs-pub/v3.2/dynamic-client-registration.html",
    ),
    (
        "OBIE Directory",
        "https://openbanking.atlassian.net/wiki/spaces/DZ/overview",
    ),
    (
        "OFB DCR 1.0",
        "https://github.com/OpenBanking-Brasil/specs-seguranca",
    ),
    ("STET V1.6", "https://www.stet.eu/en/psd2/"),
    (
        "ETSI TS 119 495",
        "https://www.etsi.org/deliver/etsi_ts/119400_119499/119495/",
    ),
    (
        "ETSI EN 319 412-4",
        "https://www.etsi.org/deliver/etsi_en/319400_319499/31941204/",
    ),
    (
        "ETSI EN 319 412-5",
        "https://www.etsi.org/deliver/etsi_en/319400_319499/31941205/",
    ),
    (
        "PSD2 Art. 14",
        "https://eur-lex.europa.eu/eli/dir/2015/2366/oj",
    ),
    (
        "EBA Q&A 2021_6029",
        "https://www.eba.europa.eu/single-rule-book-qa/qna/view/publicId/2021_6029",
    ),
    (
        "Keycloak",
        "https://www.keycloak.org/docs/latest/securing_apps/#_client_registration_policies",
    ),
    ("WSO2", "https://ob.docs.wso2.com/"),
    ("Airlock IAM", "https://docs.airlock.com/iam/"),
];

/// The notes in `docs/specs/` that references name by file (`generic.md §12`).
pub const REPOSITORY_DOCS: &[&str] = &["generic.md", "stet.md", "obuk-v3.2.md"];

/// Where `docs/specs/` is published: the repository's own copy.
fn repository_doc(file: &str) -> String {
    format!(
        "{}/blob/main/docs/specs/{file}",
        env!("CARGO_PKG_REPOSITORY")
    )
}

/// A link for one reference, such as `RFC 6749 §3.1.2` or `OBIE DCR v3.2 §3.1`.
pub fn url(reference: &str) -> Option<String> {
    let r = reference.trim();
    if let Some(rest) = r.strip_prefix("RFC") {
        let rest = rest.trim_start();
        let number: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if number.is_empty() {
            return None;
        }
        let section = rest
            .split_once('§')
            .map(|(_, s)| {
                s.trim()
                    .chars()
                    .take_while(|c| c.is_ascii_digit() || *c == '.')
                    .collect::<String>()
            })
            .map(|s| s.trim_end_matches('.').to_owned())
            .filter(|s| !s.is_empty());
        return Some(match section {
            Some(s) => format!("https://www.rfc-editor.org/rfc/rfc{number}#section-{s}"),
            None => format!("https://www.rfc-editor.org/rfc/rfc{number}"),
        });
    }
    if let Some(doc) = REPOSITORY_DOCS.iter().find(|d| r.starts_with(*d)) {
        return Some(repository_doc(doc));
    }
    SOURCES
        .iter()
        .filter(|(prefix, _)| r.starts_with(prefix))
        .max_by_key(|(prefix, _)| prefix.len())
        .map(|(_, url)| (*url).to_owned())
}

/// A check's `spec` ("RFC 7592 §2, RFC 6750 §2.1") as its references, each with its link.
/// A bare section continues the source before it: in `RFC 7591 §2.3, §3.1.1` the second
/// is `RFC 7591 §3.1.1`.
pub fn links(spec: &str) -> Vec<(String, Option<String>)> {
    let mut source = String::new();
    spec.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|r| {
            let full = if r.starts_with('§') {
                format!("{source} {r}")
            } else {
                source = r.split('§').next().unwrap_or(r).trim().to_owned();
                r.to_owned()
            };
            (r.to_owned(), url(&full))
        })
        .collect()
}

/// The table the UI links with: `{"repository_docs":{file:url},"sources":[[prefix,url]…]}`.
/// A struct, not a `Value`: its key order is the same with or without serde_json's
/// `preserve_order` (which another crate of the workspace may switch on).
#[derive(serde::Serialize)]
pub struct Sources {
    repository_docs: std::collections::BTreeMap<&'static str, String>,
    sources: &'static [(&'static str, &'static str)],
}

pub fn sources() -> Sources {
    Sources {
        repository_docs: REPOSITORY_DOCS
            .iter()
            .map(|d| (*d, repository_doc(d)))
            .collect(),
        sources: SOURCES,
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    fn repo() -> &'static Path {
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
    }

    #[test]
    fn rfcs_link_to_their_section() {
        assert_eq!(
            super::url("RFC 6749 §3.1.2").as_deref(),
            Some("https://www.rfc-editor.org/rfc/rfc6749#section-3.1.2")
        );
        assert_eq!(
            super::url("RFC 7591").as_deref(),
            Some("https://www.rfc-editor.org/rfc/rfc7591")
        );
        assert!(super::url("OIDC-Reg §2").unwrap().contains("registration"));
        assert!(super::url("stet.md §4")
            .unwrap()
            .ends_with("/docs/specs/stet.md"));
        assert_eq!(super::url("somebody's wiki"), None);
        let both = super::links("RFC 7591 §2.3, §3.1.1");
        assert_eq!(both[1].0, "§3.1.1");
        assert_eq!(
            both[1].1.as_deref(),
            Some("https://www.rfc-editor.org/rfc/rfc7591#section-3.1.1")
        );
    }

    /// Every reference a check or a shipped profile cites can be read: a public URL, and
    /// for the notes shipped in `docs/specs/`, a file there with the cited section.
    #[test]
    fn every_cited_reference_resolves() {
        let set = crate::ProfileSet::builtin().unwrap();
        let cited: Vec<String> = crate::checks::catalogue()
            .map(|c| c.spec.to_owned())
            .chain(set.iter().map(|p| p.settings.spec.clone()))
            .chain(
                set.iter()
                    .flat_map(|p| p.checks.iter().map(|c| c.spec.to_string())),
            )
            .collect();
        let mut unresolved = Vec::new();
        for spec in cited {
            for (reference, url) in super::links(&spec) {
                if url.is_none() {
                    unresolved.push(reference.clone());
                }
                let Some(doc) = super::REPOSITORY_DOCS
                    .iter()
                    .find(|d| reference.starts_with(*d))
                else {
                    continue;
                };
                let text = std::fs::read_to_string(repo().join("docs/specs").join(doc))
                    .unwrap_or_else(|e| panic!("{reference}: docs/specs/{doc} ships ({e})"));
                if let Some((_, section)) = reference.split_once('§') {
                    let section = section.trim().trim_end_matches(" table");
                    let top = section.split('.').next().unwrap_or(section);
                    assert!(
                        text.lines().any(|l| l.starts_with(&format!("## {top}. "))),
                        "{reference}: docs/specs/{doc} has no section {top}"
                    );
                }
            }
        }
        assert!(
            unresolved.is_empty(),
            "references without a link: {unresolved:?}"
        );
    }

    #[test]
    fn the_ui_links_with_the_same_table() {
        let path = repo().join("ui/src/generated/spec-sources.json");
        let now = serde_json::to_string_pretty(&super::sources()).unwrap() + "\n";
        if std::env::var_os("MOCKBANK_UPDATE_TS").is_some() {
            std::fs::write(&path, &now).unwrap();
        }
        let kept = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            kept == now,
            "{} is stale: run `MOCKBANK_UPDATE_TS=1 cargo test -p mockbank-core spec`",
            path.display()
        );
    }
}
