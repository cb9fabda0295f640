//! Loading profile files: TOML → [`Profile`], with errors that name the file and line.

use std::collections::HashSet;
use std::sync::Arc;

use super::overlay;
use super::{CheckOverride, Profile, ProfileCheck, ProfileSettings};
use crate::checks::{self, ParamValue};

/// The profiles shipped in `profiles/`, built into the binary (the list is the folder's
/// `*.toml` files, read by `build.rs`).
pub fn builtin_sources() -> Vec<(&'static str, &'static str)> {
    const SHIPPED: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/builtin_profiles.rs"));
    SHIPPED.to_vec()
}

/// Path segments the server uses itself; a profile cannot take them.
const RESERVED_IDS: &[&str] = &["admin", "directory", "ui", "health", "well-known"];

/// A profile file that cannot be used, with the place to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct ProfileError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

/// All profiles served at once, in id order.
/// A profile id (its file's name) is a safe URL path segment and issuer path: lower-case
/// letters, digits, `.`, `_` and `-`, starting with a letter or digit, at most 64 characters,
/// and not one of the server's own top-level paths. `.`, `..` and `.well-known` are not ids.
pub fn check_id(id: &str) -> Result<(), String> {
    let safe = !id.is_empty()
        && id.len() <= 64
        && id.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if !safe {
        return Err(format!(
            "`{id}` is not a profile id: use lower-case letters, digits, `.`, `_` and `-`, starting with a letter or digit, at most 64 characters (the id is the file name and the issuer path)"
        ));
    }
    if RESERVED_IDS.contains(&id) {
        return Err(format!(
            "`{id}` is not a profile id: `/{id}` is one of mockbank's own paths ({})",
            RESERVED_IDS.join(", ")
        ));
    }
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct ProfileSet {
    // Shared: a set with overrides applied copies only the profiles it changes.
    profiles: Vec<Arc<Profile>>,
}

impl ProfileSet {
    /// Loads `(file name, contents)` pairs; files not ending in `.toml` are ignored.
    /// A file may extend another (`extends = "ID"`): one of these files, else a built-in
    /// profile.
    pub fn load<'a>(
        files: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, ProfileError> {
        let files: Vec<(&str, &str, &str)> = files
            .into_iter()
            .filter_map(|(name, src)| name.strip_suffix(".toml").map(|stem| (stem, name, src)))
            .collect();
        let mut profiles = Vec::new();
        for &(stem, name, src) in &files {
            if let Err(message) = check_id(stem) {
                return Err(ProfileError {
                    file: name.into(),
                    line: 0,
                    message,
                });
            }
            profiles.push(Arc::new(overlay::load(stem, name, src, &files)?));
        }
        if profiles.is_empty() {
            return Err(ProfileError {
                file: "profiles".into(),
                line: 0,
                message: "no profile files (*.toml) found".into(),
            });
        }
        profiles.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(ProfileSet { profiles })
    }

    /// The built-in profiles.
    pub fn builtin() -> Result<Self, ProfileError> {
        Self::load(builtin_sources())
    }

    pub fn get(&self, id: &str) -> Option<&Arc<Profile>> {
        self.profiles.iter().find(|p| p.id == id)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Profile> {
        self.profiles.iter().map(|p| &**p)
    }

    /// These profiles as their files define them, with `overrides` applied on top. An
    /// override naming a profile or check that is no longer there is ignored.
    pub fn with_overrides<'a>(
        &self,
        overrides: impl IntoIterator<Item = &'a CheckOverride>,
    ) -> Self {
        let mut set = self.clone();
        for p in &mut set.profiles {
            if p.checks.iter().any(ProfileCheck::overridden) {
                for c in &mut Arc::make_mut(p).checks {
                    c.enabled = c.default_enabled;
                }
            }
        }
        for o in overrides {
            let Some(p) = set.profiles.iter_mut().find(|p| p.id == o.profile) else {
                continue;
            };
            let Some(at) = p.checks.iter().position(|c| c.def.id == o.check) else {
                continue;
            };
            if p.checks[at].enabled != o.enabled {
                Arc::make_mut(p).checks[at].enabled = o.enabled;
            }
        }
        set
    }
}

impl Profile {
    /// Parses and validates one profile file (without `extends`; see [`ProfileSet::load`]).
    pub fn from_toml(id: &str, file: &str, src: &str) -> Result<Profile, ProfileError> {
        let err_at = |offset: usize, message: String| ProfileError {
            file: file.to_owned(),
            line: line_of(src, offset),
            message,
        };
        check_id(id).map_err(|m| err_at(0, m))?;
        let settings: ProfileSettings = toml::from_str(src).map_err(|e| {
            let offset = e.span().map(|s| s.start).unwrap_or(0);
            err_at(offset, e.message().trim().to_owned())
        })?;

        let mut checks_out = Vec::new();
        let mut seen = HashSet::new();
        for entry in &settings.checks {
            let check_id = entry.id.get_ref();
            let at = entry.id.span().start;
            let Some(def) = checks::find(check_id) else {
                return Err(err_at(
                    at,
                    format!("unknown check `{check_id}` (see `mockbank checks list`)"),
                ));
            };
            if !seen.insert(def.id) {
                return Err(err_at(at, format!("check `{check_id}` is listed twice")));
            }
            let params = match &entry.params {
                Some(p) => {
                    validate_params(def, p.get_ref()).map_err(|m| err_at(p.span().start, m))?;
                    p.get_ref().clone()
                }
                None => toml::Table::new(),
            };
            let error = entry.error.unwrap_or(def.error);
            let status = entry
                .status
                .unwrap_or(def.status.unwrap_or(error.default_status()));
            if !(400..=599).contains(&status) {
                return Err(err_at(
                    at,
                    format!("status {status} is not an error status"),
                ));
            }
            let mandatory = checks::every_profile()
                .iter()
                .any(|(c, _)| std::ptr::eq(*c, def));
            if mandatory && !entry.enabled {
                return Err(err_at(
                    at,
                    format!("check `{check_id}` runs in every profile and cannot be switched off"),
                ));
            }
            checks_out.push(ProfileCheck {
                def,
                params,
                severity: entry.severity,
                error,
                status,
                error_set: entry.error.is_some() || entry.status.is_some(),
                applicable: checks::applies(def, &settings),
                spec: entry.spec.clone().map_or(
                    std::borrow::Cow::Borrowed(def.spec),
                    std::borrow::Cow::Owned,
                ),
                enabled: entry.enabled,
                default_enabled: entry.enabled,
            });
        }
        // The checks every profile runs, in front of their phase when the file leaves them out.
        for &(def, place) in checks::every_profile() {
            if seen.contains(def.id) {
                continue;
            }
            let in_phase = |c: &ProfileCheck| c.def.phase == def.phase;
            let at = match place {
                checks::InPhase::First => checks_out.iter().position(in_phase),
                checks::InPhase::Last => checks_out.iter().rposition(in_phase).map(|i| i + 1),
            }
            .unwrap_or(checks_out.len());
            checks_out.insert(
                at,
                ProfileCheck {
                    def,
                    params: toml::Table::new(),
                    severity: crate::trace::Severity::Error,
                    error: def.error,
                    status: def.status.unwrap_or(def.error.default_status()),
                    error_set: false,
                    applicable: true,
                    spec: std::borrow::Cow::Borrowed(def.spec),
                    enabled: true,
                    default_enabled: true,
                },
            );
        }
        Ok(Profile {
            id: id.to_owned(),
            source: file.to_owned(),
            extends: None,
            resolved: src.into(),
            settings,
            checks: checks_out,
        })
    }
}

fn validate_params(def: &checks::CheckDef, table: &toml::Table) -> Result<(), String> {
    for (key, value) in table {
        let Some(spec) = def.params.iter().find(|p| p.name == key) else {
            let known: Vec<_> = def.params.iter().map(|p| p.name).collect();
            return Err(format!(
                "check `{}` has no parameter `{key}` (it takes {known:?})",
                def.id
            ));
        };
        let ok = match spec.default {
            ParamValue::Bool(_) => value.is_bool(),
            ParamValue::Int(_) => value.is_integer(),
            ParamValue::Str(_) => value.is_str(),
            ParamValue::OneOf(_, options) => value.as_str().is_some_and(|v| options.contains(&v)),
            ParamValue::List(_) => value
                .as_array()
                .is_some_and(|a| a.iter().all(toml::Value::is_str)),
        };
        if !ok {
            let expected = match spec.default {
                ParamValue::OneOf(_, options) => format!("one of {options:?}"),
                other => other.type_name().to_owned(),
            };
            return Err(format!(
                "parameter `{key}` of check `{}` must be {expected}",
                def.id
            ));
        }
    }
    Ok(())
}

pub(crate) fn line_of(src: &str, offset: usize) -> usize {
    src.get(..offset.min(src.len()))
        .map_or(1, |s| s.bytes().filter(|b| *b == b'\n').count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each shipped profile says what sets it apart: no two first-run cards carry the same
    /// description (an overlay that keeps its base's text reads as the base).
    #[test]
    fn shipped_profiles_have_descriptions_of_their_own() {
        let set = ProfileSet::builtin().unwrap();
        let mut seen = std::collections::HashMap::new();
        for p in set.iter() {
            assert!(!p.settings.description.trim().is_empty(), "{}", p.id);
            if let Some(other) = seen.insert(p.settings.description.clone(), p.id.clone()) {
                panic!("{} and {other} have the same description", p.id);
            }
        }
    }

    fn generic_source() -> &'static str {
        builtin_sources()
            .into_iter()
            .find(|(n, _)| *n == "generic.toml")
            .unwrap()
            .1
    }

    #[test]
    fn every_shipped_profile_loads() {
        let set = ProfileSet::builtin().unwrap();
        assert!(set.get("generic").is_some());
        for p in set.iter() {
            assert!(!p.checks.is_empty(), "{} runs no check", p.id);
        }
    }

    #[test]
    fn overrides_switch_checks_and_revert_to_the_file() {
        let base = ProfileSet::builtin().unwrap();
        let off = |profile: &str, check: &str| CheckOverride {
            profile: profile.into(),
            check: check.into(),
            enabled: false,
        };
        let overrides = [
            off("generic", "generic.redirect.no_fragment"),
            off("generic", "no.such.check"),
            off("no-such-profile", "generic.redirect.no_fragment"),
        ];
        let set = base.with_overrides(&overrides);
        let generic = set.get("generic").unwrap();
        let check = generic.check("generic.redirect.no_fragment").unwrap();
        assert!(!check.enabled && check.default_enabled && check.overridden());
        assert!(!generic.runs("generic.redirect.no_fragment"));
        // Other profiles and checks are untouched.
        let overridden = |s: &ProfileSet| {
            s.iter()
                .flat_map(|p| &p.checks)
                .filter(|c| c.overridden())
                .count()
        };
        assert_eq!(overridden(&set), 1);
        // Applying no overrides to an overridden set gives the files back.
        let reverted = set.with_overrides(&[]);
        assert_eq!(overridden(&reverted), 0);
        assert!(reverted
            .get("generic")
            .unwrap()
            .runs("generic.redirect.no_fragment"));
    }

    #[test]
    fn unknown_keys_name_file_and_line() {
        let generic = generic_source();
        let broken = generic.replacen("[management]", "[management]\nrotate_sometimes = true", 1);
        let err = Profile::from_toml("mine", "mine.toml", &broken).unwrap_err();
        let expected_line = broken
            .lines()
            .position(|l| l.starts_with("rotate_sometimes"))
            .unwrap()
            + 1;
        assert_eq!(err.file, "mine.toml");
        assert_eq!(err.line, expected_line);
        assert!(err.message.contains("rotate_sometimes"), "{}", err.message);
    }

    #[test]
    fn unknown_check_and_param_are_refused_with_their_line() {
        let generic = generic_source();
        let with_bad_check = format!("{generic}\n[[check]]\nid = \"generic.nope\"\n");
        let err = Profile::from_toml("x", "x.toml", &with_bad_check).unwrap_err();
        assert!(err.message.contains("unknown check `generic.nope`"));
        assert_eq!(err.line, with_bad_check.lines().count());

        let with_bad_param =
            generic.replace("params = { reject = false }", "params = { nope = 1 }");
        let err = Profile::from_toml("x", "x.toml", &with_bad_param).unwrap_err();
        assert!(
            err.message.contains("has no parameter `nope`"),
            "{}",
            err.message
        );
        let line = with_bad_param
            .lines()
            .position(|l| l.contains("nope = 1"))
            .unwrap()
            + 1;
        assert_eq!(err.line, line);
        let wrong_type = generic.replace(
            "params = { reject = false }",
            "params = { reject = \"yes\" }",
        );
        let err = Profile::from_toml("x", "x.toml", &wrong_type).unwrap_err();
        assert!(err.message.contains("must be a boolean"), "{}", err.message);
    }

    #[test]
    fn duplicate_checks_and_bad_ids_are_refused() {
        let generic = generic_source();
        let dup = format!("{generic}\n[[check]]\nid = \"generic.redirect.no_fragment\"\n");
        assert!(Profile::from_toml("x", "x.toml", &dup)
            .unwrap_err()
            .message
            .contains("listed twice"));
        assert!(Profile::from_toml("admin", "admin.toml", generic).is_err());
        assert!(Profile::from_toml("Bad Id", "Bad Id.toml", generic).is_err());
    }

    #[test]
    fn certificate_subject_templates_are_checked_at_load() {
        let generic = generic_source();
        let with = |subject: &str| {
            let src = generic.replacen(
                "[[check]]",
                &format!("[directory]\ntransport_subject = {subject}\n\n[[check]]"),
                1,
            );
            Profile::from_toml("x", "x.toml", &src)
        };
        let ok = with(r#"["UID={software_id}", "2.5.4.97=OFBBR-{org_id}", "businessCategory=Private Organization", "C=BR"]"#).unwrap();
        let attrs = &ok.settings.directory.transport_subject.attributes;
        assert_eq!(
            attrs[0],
            (
                "0.9.2342.19200300.100.1.1".to_owned(),
                "{software_id}".to_owned()
            )
        );
        assert_eq!(attrs[2].0, "2.5.4.15");
        let err = with(r#"["Nickname=x"]"#).unwrap_err();
        assert!(
            err.message.contains("`Nickname` is not an attribute type"),
            "{}",
            err.message
        );
        assert!(err.line > 1, "the line of the section");
        let err = with(r#"["CN={software}"]"#).unwrap_err();
        assert!(
            err.message.contains("unknown placeholder `{software}`"),
            "{}",
            err.message
        );
        assert!(with(r#"["no equals sign"]"#).is_err());
    }

    #[test]
    fn syntax_errors_point_at_the_line() {
        let err = Profile::from_toml("x", "x.toml", "title = \"a\"\nspec = \n").unwrap_err();
        assert_eq!(err.line, 2);
    }
}

#[cfg(test)]
mod docs {
    /// Every key a shipped profile uses is described in profiles/README.md.
    #[test]
    fn every_shipped_key_is_documented() {
        let readme = include_str!("../../../../profiles/README.md");
        for (file, src) in super::builtin_sources() {
            let table: toml::Table = toml::from_str(src).unwrap();
            let mut keys = Vec::new();
            for (k, v) in table.iter().filter(|(k, _)| *k != "check") {
                keys.push(k.clone());
                if let Some(inner) = v.as_table() {
                    keys.extend(inner.keys().cloned());
                }
            }
            for check in table
                .get("check")
                .and_then(|c| c.as_array())
                .into_iter()
                .flatten()
            {
                keys.extend(check.as_table().unwrap().keys().cloned());
            }
            for key in keys {
                let documented =
                    readme.contains(&format!("`{key}`")) || readme.contains(&format!("`[{key}]`"));
                assert!(
                    documented,
                    "{file}: `{key}` is not documented in profiles/README.md"
                );
            }
        }
    }
}
