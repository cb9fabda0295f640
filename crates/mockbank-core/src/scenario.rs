//! Walkthrough scenarios as data: TOML files (the shipped ones in `scenarios/`, built into
//! the binary, and a user's own) that narrate a DCR flow step by step. Each step is one
//! action of the reference TPP client, with its narration, what to point at, and the
//! outcome to expect — so every scenario is also a test. Errors name the file and line.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::profile::load::line_of;
use crate::profile::ProfileError;

/// The scenarios shipped in `scenarios/`, built into the binary (the list is the folder's
/// `*.toml` files, read by `build.rs`).
pub fn builtin_sources() -> Vec<(&'static str, &'static str)> {
    const SHIPPED: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/builtin_scenarios.rs"));
    SHIPPED.to_vec()
}

/// What a step makes the reference TPP do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub enum Action {
    /// Narration only: nothing is sent.
    Narrate,
    /// Join the mock directory: organisation, software, certificates, keys and SSA.
    Onboard,
    /// Ask the bank for an initial access token (RFC 7591 §3), as a TPP gets one out of band.
    InitialAccessToken,
    /// Register (RFC 7591 §3.1), optionally with a deviation.
    Register,
    /// Client credentials at the token endpoint (RFC 6749 §4.4).
    Token,
    /// Read the registration (RFC 7592 §2.1).
    Read,
    /// Update it (RFC 7592 §2.2).
    Update,
    /// Delete it (RFC 7592 §2.3).
    Delete,
}

impl Action {
    pub fn name(self) -> &'static str {
        match self {
            Action::Narrate => "narrate",
            Action::Onboard => "onboard",
            Action::InitialAccessToken => "initial_access_token",
            Action::Register => "register",
            Action::Token => "token",
            Action::Read => "read",
            Action::Update => "update",
            Action::Delete => "delete",
        }
    }
}

/// What a trainer points the room at on a step.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct PointAt {
    /// Check ids whose outcome matters here.
    #[serde(default)]
    pub checks: Vec<String>,
    /// JWT claims or JSON members to look at.
    #[serde(default)]
    pub claims: Vec<String>,
    /// HTTP headers to look at.
    #[serde(default)]
    pub headers: Vec<String>,
}

/// The outcome a step must have.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Expect {
    /// The HTTP status of the step's (last) answer.
    pub status: Option<u16>,
    /// The deciding check: the one whose failure chose the error answer.
    pub check: Option<String>,
    /// The `error` code of the answer.
    pub error: Option<String>,
}

/// One step of a scenario.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub title: String,
    pub action: Action,
    /// The profile this step talks to, when not the scenario's (a comparison tour).
    pub profile: Option<String>,
    /// A named deviation of the reference client (`mockbank tpp deviations`).
    pub deviation: Option<String>,
    /// Markdown, with spec links.
    #[serde(default)]
    pub narration: String,
    #[serde(default)]
    pub point_at: PointAt,
    pub expect: Option<Expect>,
}

/// A walkthrough: a title, who it is for, the profiles it runs on, and its steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scenario {
    /// The file name without `.toml`.
    pub name: String,
    pub title: String,
    pub audience: String,
    /// The first is the default; a run may pick another of them.
    pub profiles: Vec<String>,
    pub summary: String,
    pub steps: Vec<Step>,
    /// Where it came from: `builtin` or a file path.
    pub source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioFile {
    title: String,
    audience: String,
    profiles: Vec<String>,
    #[serde(default)]
    summary: String,
    #[serde(rename = "step")]
    steps: Vec<toml::Spanned<Step>>,
}

/// What a scenario may name, to refuse typos at load time.
pub struct Vocabulary<'a> {
    /// The reference client's deviation names.
    pub deviations: &'a [&'a str],
    /// The profiles served (`None`: do not check).
    pub profiles: Option<&'a [String]>,
}

impl Scenario {
    /// Parses and validates one scenario file.
    pub fn from_toml(
        name: &str,
        file: &str,
        src: &str,
        known: &Vocabulary,
    ) -> Result<Scenario, ProfileError> {
        let err_at = |offset: usize, message: String| ProfileError {
            file: file.to_owned(),
            line: line_of(src, offset),
            message,
        };
        let parsed: ScenarioFile = toml::from_str(src).map_err(|e| {
            let offset = e.span().map(|s| s.start).unwrap_or(0);
            err_at(offset, e.message().trim().to_owned())
        })?;
        if parsed.profiles.is_empty() {
            return Err(err_at(
                0,
                "`profiles` must name at least one profile".into(),
            ));
        }
        if parsed.steps.is_empty() {
            return Err(err_at(0, "a scenario needs at least one `[[step]]`".into()));
        }
        let served = |p: &str| known.profiles.is_none_or(|all| all.iter().any(|s| s == p));
        if let Some(p) = parsed.profiles.iter().find(|p| !served(p)) {
            return Err(err_at(
                0,
                format!("`profiles` names `{p}`, which is not served"),
            ));
        }
        let mut steps = Vec::new();
        for spanned in parsed.steps {
            let at = spanned.span().start;
            let step = spanned.into_inner();
            if let Some(p) = step.profile.as_deref().filter(|p| !served(p)) {
                return Err(err_at(
                    at,
                    format!(
                        "step `{}` names profile `{p}`, which is not served",
                        step.title
                    ),
                ));
            }
            if let Some(d) = step.deviation.as_deref() {
                if !known.deviations.contains(&d) {
                    return Err(err_at(
                        at,
                        format!(
                            "step `{}`: no deviation `{d}` (see `mockbank tpp deviations`)",
                            step.title
                        ),
                    ));
                }
                if step.action != Action::Register {
                    return Err(err_at(
                        at,
                        format!(
                            "step `{}`: only a `register` step takes a deviation",
                            step.title
                        ),
                    ));
                }
            }
            let named = step
                .point_at
                .checks
                .iter()
                .chain(step.expect.iter().filter_map(|e| e.check.as_ref()));
            for id in named {
                if crate::checks::find(id).is_none() {
                    return Err(err_at(
                        at,
                        format!(
                            "step `{}`: no check `{id}` (see `mockbank checks list`)",
                            step.title
                        ),
                    ));
                }
            }
            if step.action == Action::Narrate && step.expect.is_some() {
                return Err(err_at(
                    at,
                    format!(
                        "step `{}`: a `narrate` step sends nothing to expect",
                        step.title
                    ),
                ));
            }
            steps.push(step);
        }
        let mut seen = HashSet::new();
        if let Some(dup) = steps.iter().find(|s| !seen.insert(s.title.as_str())) {
            return Err(err_at(0, format!("two steps are titled `{}`", dup.title)));
        }
        Ok(Scenario {
            name: name.to_owned(),
            title: parsed.title,
            audience: parsed.audience,
            profiles: parsed.profiles,
            summary: parsed.summary,
            steps,
            source: file.to_owned(),
        })
    }

    /// The profile step `index` talks to in a run on `run_profile`.
    pub fn profile_of<'a>(&'a self, step: &'a Step, run_profile: &'a str) -> &'a str {
        step.profile.as_deref().unwrap_or(run_profile)
    }
}

/// Loads `(file name, contents)` pairs (files not ending in `.toml` are ignored), sorted by
/// name; a later file of the same name replaces an earlier one (a user's own over a shipped
/// one).
pub fn load<'a>(
    files: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>,
    known: &Vocabulary,
) -> Result<Vec<Scenario>, ProfileError> {
    let mut out: Vec<Scenario> = Vec::new();
    for (name, path, src) in files {
        let Some(stem) = name.strip_suffix(".toml") else {
            continue;
        };
        let s = Scenario::from_toml(stem, path, src, known)?;
        out.retain(|o| o.name != s.name);
        out.push(s);
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// The shipped scenarios that run on the profiles served, then the `.toml` files of `dir`
/// (when given), which must name only profiles served.
pub fn load_with_dir(
    dir: Option<&std::path::Path>,
    known: &Vocabulary,
) -> Result<Vec<Scenario>, ProfileError> {
    let any_profile = Vocabulary {
        deviations: known.deviations,
        profiles: None,
    };
    let shipped: Vec<(String, String, String)> = builtin_sources()
        .into_iter()
        .map(|(n, s)| (n.to_owned(), format!("scenarios/{n}"), s.to_owned()))
        .collect();
    let mut all = load(
        shipped
            .iter()
            .map(|(n, p, s)| (n.as_str(), p.as_str(), s.as_str())),
        &any_profile,
    )?;
    if let Some(served) = known.profiles {
        // A user's own profile folder may not serve what a shipped scenario runs on.
        all.retain(|s| {
            s.profiles
                .iter()
                .chain(s.steps.iter().filter_map(|st| st.profile.as_ref()))
                .all(|p| served.contains(p))
        });
    }
    let Some(dir) = dir else {
        return Ok(all);
    };
    let entries = std::fs::read_dir(dir).map_err(|e| ProfileError {
        file: dir.display().to_string(),
        line: 0,
        message: format!("cannot read the scenarios folder: {e}"),
    })?;
    let mut paths: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    let mut files = Vec::new();
    for path in paths {
        let src = std::fs::read_to_string(&path).map_err(|e| ProfileError {
            file: path.display().to_string(),
            line: 0,
            message: e.to_string(),
        })?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        files.push((name, path.display().to_string(), src));
    }
    let own = load(
        files
            .iter()
            .map(|(n, p, s)| (n.as_str(), p.as_str(), s.as_str())),
        known,
    )?;
    // A user's scenario replaces a shipped one of the same name.
    all.retain(|s| !own.iter().any(|o| o.name == s.name));
    all.extend(own);
    all.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEVIATIONS: &[&str] = &["none", "tampered_ssa"];

    fn known() -> Vocabulary<'static> {
        Vocabulary {
            deviations: DEVIATIONS,
            profiles: None,
        }
    }

    #[test]
    fn shipped_scenarios_load() {
        let all = load_with_dir(None, &known_all()).unwrap();
        assert!(all.len() >= 8, "{} scenarios", all.len());
        for s in &all {
            assert!(!s.steps.is_empty());
            assert!(!s.title.is_empty() && !s.audience.is_empty());
        }
    }

    fn known_all() -> Vocabulary<'static> {
        // Every deviation name the shipped scenarios use must exist in mockbank-tpp; its
        // own test loads them with the real list. Here any name passes.
        static ANY: &[&str] = &[
            "none",
            "no_client_cert",
            "foreign_ca_cert",
            "expired_cert",
            "redirect_fragment",
            "missing_redirect_uris",
            "unknown_grant_type",
            "wrong_auth_method",
            "wrong_signing_key",
            "rs256",
            "expired_request",
            "replayed_jti",
            "tampered_ssa",
            "alg_none_ssa",
            "revoked_software",
            "redirect_not_in_ssa",
            "missing_ssa",
            "qseal_as_qwac",
            "missing_psd2_role",
            "no_initial_access_token",
            "reused_initial_access_token",
        ];
        Vocabulary {
            deviations: ANY,
            profiles: None,
        }
    }

    #[test]
    fn a_typo_is_refused_with_file_and_line() {
        let src = "title = \"t\"\naudience = \"a\"\nprofiles = [\"generic\"]\n\n[[step]]\ntitle = \"one\"\naction = \"register\"\nnarattion = \"typo\"\n";
        let err = Scenario::from_toml("x", "mine/x.toml", src, &known()).unwrap_err();
        assert_eq!(err.file, "mine/x.toml");
        assert_eq!(err.line, 8, "{err}");
        assert!(err.message.contains("narattion"), "{err}");
    }

    #[test]
    fn unknown_deviations_checks_and_profiles_are_refused() {
        let base = "title = \"t\"\naudience = \"a\"\nprofiles = [\"generic\"]\n\n[[step]]\ntitle = \"one\"\naction = \"register\"\n";
        let e = Scenario::from_toml(
            "x",
            "x.toml",
            &format!("{base}deviation = \"nope\"\n"),
            &known(),
        )
        .unwrap_err();
        assert!(
            e.message.contains("no deviation `nope`") && e.line == 5,
            "{e}"
        );
        let e = Scenario::from_toml(
            "x",
            "x.toml",
            &format!("{base}expect = {{ check = \"no.such\" }}\n"),
            &known(),
        )
        .unwrap_err();
        assert!(e.message.contains("no check `no.such`"), "{e}");
        let served = vec!["obuk-v3.2".to_owned()];
        let k = Vocabulary {
            deviations: DEVIATIONS,
            profiles: Some(&served),
        };
        let e = Scenario::from_toml("x", "x.toml", base, &k).unwrap_err();
        assert!(e.message.contains("`generic`, which is not served"), "{e}");
        let e = Scenario::from_toml(
            "x",
            "x.toml",
            &base.replace(
                "action = \"register\"\n",
                "action = \"narrate\"\nexpect = { status = 200 }\n",
            ),
            &known(),
        )
        .unwrap_err();
        assert!(e.message.contains("sends nothing"), "{e}");
    }

    #[test]
    fn a_user_file_replaces_a_shipped_one_of_the_same_name() {
        let a = "title = \"A\"\naudience = \"a\"\nprofiles = [\"generic\"]\n[[step]]\ntitle = \"s\"\naction = \"narrate\"\n";
        let b = a.replace("\"A\"", "\"B\"");
        let all = load(
            [
                ("x.toml", "builtin", a),
                ("x.toml", "mine/x.toml", b.as_str()),
            ],
            &known(),
        )
        .unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].title, "B");
    }
}
