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

fn check_json(c: &ProfileCheck) -> Value {
    json!({"enabled": c.runs(), "severity": c.severity, "error": c.error, "status": c.status,
           "params": c.params().effective()})
}

/// What differs between `a` and `b`: `{"a","b","settings":[{"key","a","b"}],
/// "discovery":[…], "checks":[{"id","a","b"}]}` (`null`: the profile does not list it).
pub fn diff(a: &Profile, b: &Profile, base_url: &str) -> Value {
    let settings = |p: &Profile| {
        let mut v = serde_json::to_value(&p.settings).unwrap_or(Value::Null);
        if let Some(m) = v.as_object_mut() {
            m.remove("check");
        }
        let mut out = Vec::new();
        flatten("", &v, &mut out);
        out
    };
    let mut ids: Vec<&str> = a.checks.iter().map(|c| c.def.id).collect();
    for c in &b.checks {
        if !ids.contains(&c.def.id) {
            ids.push(c.def.id);
        }
    }
    let checks: Vec<Value> = ids
        .into_iter()
        .filter_map(|id| {
            let av = a.check(id).map(check_json).unwrap_or(Value::Null);
            let bv = b.check(id).map(check_json).unwrap_or(Value::Null);
            (av != bv).then(|| json!({"id": id, "a": av, "b": bv}))
        })
        .collect();
    json!({
        "a": a.id, "b": b.id,
        "settings": differing(settings(a), settings(b)),
        "discovery": differing(discovery_rows(a, base_url), discovery_rows(b, base_url)),
        "checks": checks,
    })
}

/// The diff as text, one row per difference (for the command line).
pub fn render_text(d: &Value) -> String {
    let (a, b) = (
        d["a"].as_str().unwrap_or("a"),
        d["b"].as_str().unwrap_or("b"),
    );
    let mut out = Vec::new();
    for (section, key) in [("settings", "key"), ("discovery", "key"), ("checks", "id")] {
        let rows = d[section].as_array().cloned().unwrap_or_default();
        out.push(format!("== {section} ({} differ)", rows.len()));
        for r in rows {
            out.push(format!(
                "{}\n  {a}: {}\n  {b}: {}",
                r[key].as_str().unwrap_or(""),
                r["a"],
                r["b"]
            ));
        }
    }
    out.join("\n") + "\n"
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
        assert!(
            keys.contains(&"token_endpoint_auth_methods_supported"),
            "{keys:?}"
        );
        assert!(
            !keys.contains(&"registration_endpoint"),
            "same path under each issuer"
        );
        assert!(d["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == "stet.mgmt.same_org" && c["a"].is_null()));
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
}
