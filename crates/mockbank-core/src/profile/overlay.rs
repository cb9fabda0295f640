//! Profile overlays: a file that says `extends = "ID"` is that profile with the file's own
//! entries merged on top. Tables merge key by key; `[[check]]` entries match by `id` (their
//! keys, `params` included, merge the same way) and new ones are appended.

use super::load::{builtin_sources, line_of, ProfileError};
use super::Profile;

/// How many profiles an `extends` chain may hold, the file itself included.
const MAX_DEPTH: usize = 16;

/// Loads `stem` from `src`, resolving `extends` against `files` (stem, file name, source)
/// and then the built-in profiles.
pub(crate) fn load(
    stem: &str,
    name: &str,
    src: &str,
    files: &[(&str, &str, &str)],
) -> Result<Profile, ProfileError> {
    let table = parse(name, src)?;
    let Some(base) = table.get("extends") else {
        return Profile::from_toml(stem, name, src);
    };
    let at = |key: &str| find_line(src, key).unwrap_or(1);
    let Some(base) = base.as_str().map(str::to_owned) else {
        return Err(ProfileError {
            file: name.into(),
            line: at("extends"),
            message: "`extends` names a profile id (a string)".into(),
        });
    };
    let merged = resolve(stem, name, src, files, &mut vec![stem.to_owned()])?;
    let merged_src = toml::to_string(&merged).map_err(|e| ProfileError {
        file: name.into(),
        line: 1,
        message: format!("the merged profile cannot be written as TOML: {e}"),
    })?;
    let mut profile = Profile::from_toml(stem, name, &merged_src)
        .map_err(|e| locate(e, name, src, &merged_src, &base))?;
    profile.extends = Some(base);
    Ok(profile)
}

fn parse(name: &str, src: &str) -> Result<toml::Table, ProfileError> {
    src.parse::<toml::Table>().map_err(|e| ProfileError {
        file: name.into(),
        line: e.span().map_or(1, |s| line_of(src, s.start)),
        message: e.message().trim().to_owned(),
    })
}

/// The file's table with every `extends` above it merged in (`extends` itself removed).
fn resolve(
    stem: &str,
    name: &str,
    src: &str,
    files: &[(&str, &str, &str)],
    chain: &mut Vec<String>,
) -> Result<toml::Table, ProfileError> {
    let mut table = parse(name, src)?;
    let Some(base) = table.remove("extends") else {
        return Ok(table);
    };
    let err = |message: String| ProfileError {
        file: name.into(),
        line: find_line(src, "extends").unwrap_or(1),
        message,
    };
    let base = base
        .as_str()
        .ok_or_else(|| err("`extends` names a profile id (a string)".into()))?
        .to_owned();
    // A file may extend the built-in profile of its own id (`generic.toml` extending
    // `generic`); any other repeat is a cycle.
    if base != stem && chain.contains(&base) {
        chain.push(base);
        return Err(err(format!(
            "`extends` goes round in a circle: {}",
            chain.join(" → ")
        )));
    }
    if chain.len() >= MAX_DEPTH {
        chain.push(base);
        return Err(err(format!(
            "`extends` chains {} profiles deep; at most {MAX_DEPTH} are allowed: {}",
            chain.len(),
            chain.join(" → ")
        )));
    }
    let builtins = builtin_sources();
    let found = files
        .iter()
        .find(|(s, _, _)| *s == base && *s != stem)
        .map(|&(s, n, t)| (s.to_owned(), n.to_owned(), t.to_owned()))
        .or_else(|| {
            builtins
                .iter()
                .find(|(n, _)| n.strip_suffix(".toml") == Some(base.as_str()))
                .map(|(n, t)| (base.clone(), format!("built-in {n}"), (*t).to_owned()))
        });
    let Some((base_stem, base_name, base_src)) = found else {
        return Err(err(format!(
            "`extends = \"{base}\"`: no such profile (neither a file here nor a built-in one)"
        )));
    };
    chain.push(base_stem.clone());
    let mut merged = resolve(&base_stem, &base_name, &base_src, files, chain)?;
    merge(&mut merged, table);
    Ok(merged)
}

/// Merges `overlay` into `base`: tables key by key, `check` arrays by `id`, anything else
/// replaced.
fn merge(base: &mut toml::Table, overlay: toml::Table) {
    for (key, value) in overlay {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Array(checks)), toml::Value::Array(more)) if key == "check" => {
                for entry in more {
                    let id = entry
                        .get("id")
                        .and_then(toml::Value::as_str)
                        .map(str::to_owned);
                    let existing = checks.iter_mut().find(|c| {
                        id.is_some() && c.get("id").and_then(toml::Value::as_str) == id.as_deref()
                    });
                    match (existing, entry) {
                        (Some(toml::Value::Table(old)), toml::Value::Table(new)) => merge(old, new),
                        (_, entry) => checks.push(entry),
                    }
                }
            }
            (Some(toml::Value::Table(old)), toml::Value::Table(new)) => merge(old, new),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

/// An error found in the merged profile, placed in the overlay file when the thing it names
/// is there, else at the overlay's `extends` line with the base named.
fn locate(e: ProfileError, name: &str, src: &str, merged: &str, base: &str) -> ProfileError {
    let offending = merged
        .lines()
        .nth(e.line.saturating_sub(1))
        .unwrap_or("")
        .trim();
    let named = e
        .message
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|t| !t.is_empty())
        .find_map(|t| find_line(src, t));
    let line = src
        .lines()
        .position(|l| !offending.is_empty() && l.trim() == offending)
        .map(|i| i + 1)
        .or(named);
    match line {
        Some(line) => ProfileError {
            file: name.into(),
            line,
            message: e.message,
        },
        None => ProfileError {
            file: name.into(),
            line: find_line(src, "extends").unwrap_or(1),
            message: format!("{} (in the merge with `{base}`)", e.message),
        },
    }
}

/// The first line that mentions `token` as a key, a quoted value or a table name.
fn find_line(src: &str, token: &str) -> Option<usize> {
    src.lines()
        .position(|l| {
            let l = l.trim_start();
            !l.starts_with('#')
                && (l.starts_with(&format!("{token} "))
                    || l.starts_with(&format!("{token}="))
                    || l.contains(&format!("\"{token}\""))
                    || l.contains(&format!("{token} ="))
                    || l.starts_with(&format!("[{token}]")))
        })
        .map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use crate::profile::ProfileSet;

    fn load(files: &[(&str, &str)]) -> Result<ProfileSet, crate::profile::ProfileError> {
        ProfileSet::load(files.iter().copied())
    }

    const OVERLAY: &str = r#"extends = "generic"
title = "Generic, lenient redirects"

[management]
rat_rotation = "never"

[[check]]
id = "generic.redirect.scheme"
params = { allow_http = true }

[[check]]
id = "generic.metadata.unknown"
enabled = false
"#;

    #[test]
    fn an_overlay_merges_tables_and_checks_by_id() {
        let set = load(&[("bank.toml", OVERLAY)]).unwrap();
        let bank = set.get("bank").unwrap();
        let generic = ProfileSet::builtin().unwrap();
        let generic = generic.get("generic").unwrap();
        assert_eq!(bank.extends.as_deref(), Some("generic"));
        assert_eq!(bank.settings.title, "Generic, lenient redirects");
        assert_eq!(
            bank.settings.management.rat_rotation,
            crate::profile::RatRotation::Never
        );
        // The rest of [management] comes from generic.
        assert_eq!(
            bank.settings.management.operations,
            generic.settings.management.operations
        );
        let scheme = bank.check("generic.redirect.scheme").unwrap();
        assert!(scheme.params().bool("allow_http"));
        // params merge: the base's other parameters stay.
        assert!(scheme.params().bool("allow_http_loopback"));
        assert!(!bank.check("generic.metadata.unknown").unwrap().enabled);
        // Same checks, same order.
        let ids = |p: &crate::Profile| p.checks.iter().map(|c| c.def.id).collect::<Vec<_>>();
        assert_eq!(ids(bank), ids(generic));
        assert!(bank.resolved.contains("allow_http = true"));
        assert!(!bank.resolved.contains("extends"));
    }

    #[test]
    fn overlays_chain_and_new_checks_are_appended() {
        let a = "extends = \"generic\"\ntitle = \"A\"\n";
        let b = "extends = \"a\"\ntitle = \"B\"\n[[check]]\nid = \"policy.scope.allowed\"\nparams = { allowed = [\"accounts\"] }\n";
        let set = load(&[("a.toml", a), ("b.toml", b)]).unwrap();
        let b = set.get("b").unwrap();
        assert_eq!(b.settings.title, "B");
        assert_eq!(
            b.check("policy.scope.allowed")
                .unwrap()
                .params()
                .list("allowed"),
            vec!["accounts"]
        );
        // A file in the folder wins over the built-in of the same id.
        let generic = "extends = \"generic\"\ntitle = \"mine\"\n";
        let err = load(&[("generic.toml", generic)]);
        assert_eq!(err.unwrap().get("generic").unwrap().settings.title, "mine");
    }

    #[test]
    fn overlay_errors_name_the_overlay_file_and_line() {
        let bad_check = format!("{OVERLAY}\n[[check]]\nid = \"no.such.check\"\n");
        let e = load(&[("bank.toml", &bad_check)]).unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("bank.toml", 16), "{e}");
        assert!(e.message.contains("unknown check `no.such.check`"), "{e}");

        let bad_param = OVERLAY.replace("allow_http = true", "allow_http = 3");
        let e = load(&[("bank.toml", &bad_param)]).unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("bank.toml", 9), "{e}");

        let bad_key = OVERLAY.replace("rat_rotation = \"never\"", "rat_rotashun = \"never\"");
        let e = load(&[("bank.toml", &bad_key)]).unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("bank.toml", 5), "{e}");

        let e = load(&[("bank.toml", "extends = \"nobody\"\n")]).unwrap_err();
        assert_eq!(e.line, 1);
        assert!(e.message.contains("no such profile"), "{e}");

        let e = load(&[
            ("a.toml", "extends = \"b\"\n"),
            ("b.toml", "extends = \"a\"\n"),
        ])
        .unwrap_err();
        assert!(e.message.contains("circle"), "{e}");

        let e = load(&[("bank.toml", "extends = \"generic\"\ntitle = \n")]).unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("bank.toml", 2), "{e}");
    }

    #[test]
    fn a_deep_chain_is_no_cycle_and_too_deep_says_so() {
        let chain = |n: usize| -> Vec<(String, String)> {
            (0..n)
                .map(|i| {
                    let base = if i == 0 {
                        "generic".to_owned()
                    } else {
                        format!("p{}", i - 1)
                    };
                    (
                        format!("p{i}.toml"),
                        format!("extends = \"{base}\"\ntitle = \"P{i}\"\n"),
                    )
                })
                .collect()
        };
        let files = chain(13);
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let set = load(&refs).expect("a 13-deep chain without a cycle loads");
        assert_eq!(set.get("p12").unwrap().extends.as_deref(), Some("p11"));
        let files = chain(20);
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let e = load(&refs).unwrap_err();
        assert!(
            e.message.contains("deep") && !e.message.contains("circle"),
            "{e}"
        );
    }
}
