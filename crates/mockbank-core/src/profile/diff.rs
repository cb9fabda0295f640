//! Two profiles side by side: the settings, the discovery values and the checks that differ
//! (`mockbank profiles diff A B`, `GET /admin/profiles/diff`, the Profiles view).

use serde_json::{json, Map, Value};

use super::{Profile, ProfileCheck};

/// Flattens nested objects into dotted keys (`registration.format`); arrays stay values.
fn flatten(prefix: &str, v: &Value, out: &mut Vec<(String, Value)>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        other => out.push((prefix.to_owned(), other.clone())),
    }
}

/// The rows of `a` and `b` whose values differ, keys in `a`'s order then `b`'s.
fn differing(a: Vec<(String, Value)>, b: Vec<(String, Value)>) -> Vec<Value> {
    let bm: Map<String, Value> = b.iter().cloned().collect();
    let am: Map<String, Value> = a.iter().cloned().collect();
    let mut rows = Vec::new();
    for (k, av) in &a {
        let bv = bm.get(k).cloned().unwrap_or(Value::Null);
        if *av != bv {
            rows.push(json!({"key": k, "a": av, "b": bv}));
        }
    }
    for (k, bv) in &b {
        if !am.contains_key(k) && !bv.is_null() {
            rows.push(json!({"key": k, "a": null, "b": bv}));
        }
    }
    rows
}

/// A discovery document with the profile's own issuer written as `{issuer}`, so endpoint
/// URLs that differ only by the profile's path do not count as differences.
fn discovery_rows(p: &Profile, base_url: &str) -> Vec<(String, Value)> {
    let issuer = p.issuer(base_url);
    let doc = crate::discovery::document(p, base_url)
        .to_string()
        .replace(&issuer, "{issuer}");
    let mut out = Vec::new();
    flatten(
        "",
        &serde_json::from_str(&doc).unwrap_or(Value::Null),
        &mut out,
    );
    out
}

/// A check's configuration as `(field, value)` rows: `enabled`, `severity`, `error`,
/// `status`, then `params.NAME` for each parameter with its effective value.
fn check_fields(c: &ProfileCheck) -> Vec<(String, Value)> {
    let mut out = vec![
        ("enabled".to_owned(), Value::Bool(c.runs())),
        ("severity".to_owned(), json!(c.severity)),
        ("error".to_owned(), json!(c.error)),
        ("status".to_owned(), json!(c.status)),
    ];
    out.extend(
        c.params()
            .effective()
            .into_iter()
            .map(|(k, v)| (format!("params.{k}"), v)),
    );
    out
}

/// The fields of one check that differ between `a` and `b`; a parameter's row carries its
/// documentation (`doc`), which says what special values such as `0` mean.
fn check_changes(a: &ProfileCheck, b: &ProfileCheck) -> Vec<Value> {
    let bm: Map<String, Value> = check_fields(b).into_iter().collect();
    check_fields(a)
        .into_iter()
        .filter_map(|(field, av)| {
            let bv = bm.get(&field).cloned().unwrap_or(Value::Null);
            (av != bv).then(|| {
                let doc = field
                    .strip_prefix("params.")
                    .and_then(|name| a.def.params.iter().find(|p| p.name == name).map(|p| p.doc));
                json!({"field": field, "a": av, "b": bv, "doc": doc})
            })
        })
        .collect()
}

/// What differs between `a` and `b`: `{"a","b","settings":[{"key","a","b"}],
/// "discovery":[…], "checks":[{"id","title","only_in","changes":[{"field","a","b","doc"}]}]}`.
/// A discovery value that the settings already show (the same key, the same two values) is
/// not repeated; `only_in` is `"a"` or `"b"` for a check only one profile lists.
pub fn diff(a: &Profile, b: &Profile, base_url: &str) -> Value {
    let settings_rows = |p: &Profile| {
        let mut v = serde_json::to_value(&p.settings).unwrap_or(Value::Null);
        if let Some(m) = v.as_object_mut() {
            m.remove("check");
        }
        let mut out = Vec::new();
        flatten("", &v, &mut out);
        out
    };
    let settings = differing(settings_rows(a), settings_rows(b));
    let shown_in_settings = |row: &Value| {
        settings.iter().any(|s| {
            let key = s["key"].as_str().unwrap_or_default();
            let last = key.rsplit('.').next().unwrap_or(key);
            Some(last) == row["key"].as_str() && s["a"] == row["a"] && s["b"] == row["b"]
        })
    };
    let discovery: Vec<Value> = differing(discovery_rows(a, base_url), discovery_rows(b, base_url))
        .into_iter()
        .filter(|row| !shown_in_settings(row))
        .collect();
    let mut ids: Vec<&str> = a.checks.iter().map(|c| c.def.id).collect();
    for c in &b.checks {
        if !ids.contains(&c.def.id) {
            ids.push(c.def.id);
        }
    }
    let checks: Vec<Value> = ids
        .into_iter()
        .filter_map(|id| {
            let (ca, cb) = (a.check(id), b.check(id));
            let title = ca.or(cb).map(|c| c.def.title);
            match (ca, cb) {
                (Some(ca), Some(cb)) => {
                    let changes = check_changes(ca, cb);
                    (!changes.is_empty()).then(
                        || json!({"id": id, "title": title, "only_in": null, "changes": changes}),
                    )
                }
                (Some(_), None) => {
                    Some(json!({"id": id, "title": title, "only_in": "a", "changes": []}))
                }
                (None, Some(_)) => {
                    Some(json!({"id": id, "title": title, "only_in": "b", "changes": []}))
                }
                (None, None) => None,
            }
        })
        .collect();
    json!({
        "a": a.id, "b": b.id,
        "settings": settings,
        "discovery": discovery,
        "checks": checks,
    })
}

/// A value for a person: strings bare, everything else as JSON, `—` for absent.
fn show(v: &Value) -> String {
    match v {
        Value::Null => "—".to_owned(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// One check row's lines: `(field, a, b, doc)`, or the profile that alone lists it.
fn check_lines(r: &Value) -> Vec<(String, String, String, Option<String>)> {
    match r["only_in"].as_str() {
        Some(side) => {
            let listed = |s: &str| if s == side { "listed" } else { "not listed" };
            vec![("".into(), listed("a").into(), listed("b").into(), None)]
        }
        None => r["changes"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                (
                    c["field"].as_str().unwrap_or_default().to_owned(),
                    show(&c["a"]),
                    show(&c["b"]),
                    c["doc"].as_str().map(str::to_owned),
                )
            })
            .collect(),
    }
}

const SECTIONS: [(&str, &str); 3] = [("settings", "key"), ("discovery", "key"), ("checks", "id")];

/// The diff as text, one row per difference (for the command line).
pub fn render_text(d: &Value) -> String {
    let (a, b) = (
        d["a"].as_str().unwrap_or("a"),
        d["b"].as_str().unwrap_or("b"),
    );
    let mut out = Vec::new();
    for (section, key) in SECTIONS {
        let rows = d[section].as_array().cloned().unwrap_or_default();
        out.push(format!("== {section} ({} differ)", rows.len()));
        for r in rows {
            let name = r[key].as_str().unwrap_or_default();
            if section != "checks" {
                out.push(format!(
                    "{name}\n  {a}: {}\n  {b}: {}",
                    show(&r["a"]),
                    show(&r["b"])
                ));
                continue;
            }
            out.push(name.to_owned());
            for (field, va, vb, doc) in check_lines(&r) {
                let indent = if field.is_empty() {
                    "  ".to_owned()
                } else {
                    out.push(format!("  {field}"));
                    "    ".to_owned()
                };
                out.push(format!("{indent}{a}: {va}\n{indent}{b}: {vb}"));
                if let Some(doc) = doc {
                    out.push(format!("{indent}({doc})"));
                }
            }
        }
    }
    out.join("\n") + "\n"
}

/// A Markdown table cell: pipes escaped, code spans for values.
fn cell(s: &str) -> String {
    if s == "—" || s.is_empty() {
        s.to_owned()
    } else {
        format!("`{}`", s.replace('|', "\\|").replace('`', "'"))
    }
}

/// The diff as Markdown: a heading per section and a table of the differences, a check's
/// changed fields one per row with what a parameter means.
pub fn render_markdown(d: &Value) -> String {
    let (a, b) = (
        d["a"].as_str().unwrap_or("a"),
        d["b"].as_str().unwrap_or("b"),
    );
    let mut out = vec![format!("# Profiles `{a}` and `{b}`: what differs")];
    for (section, key) in SECTIONS {
        let rows = d[section].as_array().cloned().unwrap_or_default();
        out.push(String::new());
        out.push(format!(
            "## {} ({} differ)",
            capitalised(section),
            rows.len()
        ));
        if rows.is_empty() {
            continue;
        }
        out.push(String::new());
        if section == "checks" {
            out.push(format!("| check | field | {a} | {b} | meaning |"));
            out.push("|---|---|---|---|---|".into());
            for r in &rows {
                let id = r[key].as_str().unwrap_or_default();
                for (field, va, vb, doc) in check_lines(r) {
                    out.push(format!(
                        "| `{id}` | {} | {} | {} | {} |",
                        cell(&field),
                        cell(&va),
                        cell(&vb),
                        doc.unwrap_or_default().replace('|', "\\|")
                    ));
                }
            }
        } else {
            out.push(format!("| {key} | {a} | {b} |"));
            out.push("|---|---|---|".into());
            for r in &rows {
                out.push(format!(
                    "| `{}` | {} | {} |",
                    r[key].as_str().unwrap_or_default(),
                    cell(&show(&r["a"])),
                    cell(&show(&r["b"]))
                ));
            }
        }
    }
    out.join("\n") + "\n"
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use crate::profile::ProfileSet;

    #[test]
    fn generic_and_stet_differ_where_they_should() {
        let set = ProfileSet::builtin().unwrap();
        let d = super::diff(
            set.get("generic").unwrap(),
            set.get("stet").unwrap(),
            "https://h",
        );
        let keys: Vec<&str> = d["discovery"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["key"].as_str().unwrap())
            .collect();
        let settings: Vec<&str> = d["settings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["key"].as_str().unwrap())
            .collect();
        let auth_methods = "token_endpoint_auth_methods_supported";
        let in_settings = settings.iter().any(|k| k.ends_with(auth_methods));
        assert!(
            in_settings != keys.contains(&auth_methods),
            "the auth methods differ, shown once: settings {settings:?}, discovery {keys:?}"
        );
        assert!(
            !keys.contains(&"registration_endpoint"),
            "same path under each issuer"
        );
        assert!(d["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == "stet.mgmt.same_org" && c["only_in"] == "b"));
        let same = super::diff(
            set.get("generic").unwrap(),
            set.get("generic").unwrap(),
            "https://h",
        );
        assert_eq!(
            same["settings"].as_array().unwrap().len() + same["checks"].as_array().unwrap().len(),
            0
        );
    }

    #[test]
    fn a_changed_parameter_is_one_row_with_its_meaning() {
        let set = ProfileSet::builtin().unwrap();
        let d = super::diff(
            set.get("obuk-v3.2").unwrap(),
            set.get("obuk-v3.2-lenient").unwrap(),
            "https://h",
        );
        let age = d["checks"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r["changes"].as_array().unwrap().iter())
            .find(|c| c["field"] == "params.max_age_secs")
            .expect("the SSA age limit differs");
        assert_eq!(age["b"], 0);
        assert!(age["doc"].as_str().unwrap().contains("0: any age"), "{age}");
        let text = super::render_text(&d);
        assert!(text.contains("params.max_age_secs"), "{text}");
        assert!(
            text.contains("(Oldest acceptable SSA (0: any age).)"),
            "{text}"
        );
        assert!(
            !text.contains("\"params\""),
            "no whole check configs: {text}"
        );
    }

    #[test]
    fn markdown_is_tables_not_the_text() {
        let set = ProfileSet::builtin().unwrap();
        let d = super::diff(
            set.get("generic").unwrap(),
            set.get("stet").unwrap(),
            "https://h",
        );
        let md = super::render_markdown(&d);
        assert_ne!(md, super::render_text(&d));
        assert!(md.starts_with("# Profiles `generic` and `stet`"), "{md}");
        assert!(md.contains("## Settings ("), "{md}");
        assert!(
            md.contains("| check | field | generic | stet | meaning |"),
            "{md}"
        );
        assert!(
            md.contains("| `stet.mgmt.same_org` |  | `not listed` | `listed` |"),
            "{md}"
        );
        for line in md.lines().filter(|l| l.starts_with("| ")) {
            let cells = line.matches(" | ").count();
            assert!(
                cells == 2 || cells == 4,
                "a table row with the wrong cell count: {line}"
            );
        }
    }
}
