//! Side-by-side comparison for bank teams: each case (a [`Deviation`], `none` included)
//! through the reference client against each profile, and the happy path's check outcomes
//! per profile — the contract's JSON, and the same as a text table, Markdown or CSV.

use serde_json::{json, Map, Value};

use crate::{Deviation, Session, Target};

/// How a comparison is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Table,
    Markdown,
    Csv,
}

impl Format {
    pub fn parse(name: &str) -> Option<Format> {
        match name {
            "json" => Some(Format::Json),
            "table" | "text" => Some(Format::Table),
            "markdown" | "md" => Some(Format::Markdown),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }
}

/// The deviations as `mockbank tpp deviations --format json` lists them.
pub fn cases_json(flavors: &[(String, crate::Flavor, Value)]) -> Value {
    Deviation::ALL
        .iter()
        .map(|d| {
            let applies: Vec<&str> = flavors
                .iter()
                .filter(|(_, f, protection)| d.applies_to(*f, protection))
                .map(|(id, _, _)| id.as_str())
                .collect();
            json!({"name": d.name(), "description": d.description(), "applies_to": applies})
        })
        .collect()
}

fn not_applicable() -> Value {
    json!({"applicable": false, "status": null, "error": null, "deciding_check": null, "trace_id": null})
}

/// One profile's column: every case, and the happy path's trace.
async fn column(
    target: &Target,
    profile: &str,
    cases: &[Deviation],
) -> (Vec<Value>, Option<Value>) {
    let session = match Session::open(target, profile).await {
        Ok(s) => s,
        Err(e) => {
            let cell = json!({"applicable": true, "status": null, "error": format!("{e:#}"), "deciding_check": null, "trace_id": null});
            return (cases.iter().map(|_| cell.clone()).collect(), None);
        }
    };
    let mut cells = Vec::new();
    let mut happy = None;
    for case in cases {
        if !session.applies(*case) {
            cells.push(not_applicable());
            continue;
        }
        let cell = match session.register(*case).await {
            Ok(out) => {
                let trace = match &out.trace_id {
                    Some(id) => target.trace(id).await,
                    None => None,
                };
                if *case == Deviation::None {
                    happy = trace.clone();
                }
                let deciding = trace
                    .as_ref()
                    .and_then(|t| t["failed_check"].as_str())
                    .map(str::to_owned);
                json!({
                    "applicable": true, "status": out.status,
                    "error": out.response.get("error").filter(|e| e.is_string()),
                    "deciding_check": deciding, "trace_id": out.trace_id,
                })
            }
            Err(e) => {
                json!({"applicable": true, "status": null, "error": format!("could not send: {e:#}"), "deciding_check": null, "trace_id": null})
            }
        };
        cells.push(cell);
    }
    (cells, happy)
}

/// Runs `cases` against `profiles`, one profile after the other (so each profile's traces
/// stay together and in case order).
pub async fn compare(target: &Target, profiles: &[String], cases: &[Deviation]) -> Value {
    let mut columns = Vec::with_capacity(profiles.len());
    for p in profiles {
        columns.push(column(target, p, cases).await);
    }
    let rows: Vec<Value> = cases
        .iter()
        .enumerate()
        .map(|(i, case)| {
            let results: Map<String, Value> = profiles
                .iter()
                .zip(&columns)
                .map(|(p, (cells, _))| (p.clone(), cells[i].clone()))
                .collect();
            json!({"case": case.name(), "results": results})
        })
        .collect();
    // Check ids in the order they first appear, profile by profile.
    let mut ids: Vec<String> = Vec::new();
    let outcomes: Vec<Map<String, Value>> = columns
        .iter()
        .map(|(_, happy)| {
            let mut m = Map::new();
            for c in happy
                .as_ref()
                .and_then(|t| t["checks"].as_array())
                .into_iter()
                .flatten()
            {
                let id = c["id"].as_str().unwrap_or_default().to_owned();
                if !ids.contains(&id) {
                    ids.push(id.clone());
                }
                m.insert(id, c["outcome"].clone());
            }
            m
        })
        .collect();
    let checks: Vec<Value> = ids
        .iter()
        .map(|id| {
            let per: Map<String, Value> = profiles
                .iter()
                .zip(&outcomes)
                .map(|(p, m)| {
                    (
                        p.clone(),
                        m.get(id).cloned().unwrap_or_else(|| "absent".into()),
                    )
                })
                .collect();
            json!({"id": id, "outcomes": per})
        })
        .collect();
    json!({"profiles": profiles, "cases": rows, "checks": checks})
}

/// A cell as text: `201`, `400 invalid_redirect_uri (generic.redirect.no_fragment)`, `n/a`.
pub fn cell_text(cell: &Value) -> String {
    if cell["applicable"] == false {
        return "n/a".into();
    }
    let status = cell["status"]
        .as_u64()
        .map_or("—".to_owned(), |s| s.to_string());
    match (cell["error"].as_str(), cell["deciding_check"].as_str()) {
        (Some(e), Some(c)) => format!("{status} {e} ({c})"),
        (Some(e), None) => format!("{status} {e}"),
        (None, Some(c)) => format!("{status} ({c})"),
        (None, None) => status,
    }
}

/// Whether the applicable cells of a row differ.
pub fn row_differs(row: &Value, profiles: &[String]) -> bool {
    let key = |c: &Value| {
        (
            c["status"].clone(),
            c["error"].clone(),
            c["deciding_check"].clone(),
        )
    };
    let cells: Vec<_> = profiles
        .iter()
        .map(|p| &row["results"][p])
        .filter(|c| c["applicable"] != false)
        .map(key)
        .collect();
    cells.windows(2).any(|w| w[0] != w[1])
}

/// Prints a comparison in `format`.
pub fn render(v: &Value, format: Format) -> String {
    if format == Format::Json {
        return serde_json::to_string_pretty(v).unwrap_or_default();
    }
    let profiles: Vec<String> = v["profiles"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let mut header = vec!["case".to_owned()];
    header.extend(profiles.iter().cloned());
    let mut rows: Vec<Vec<String>> = Vec::new();
    for row in v["cases"].as_array().into_iter().flatten() {
        let mut r = vec![row["case"].as_str().unwrap_or_default().to_owned()];
        if format != Format::Csv && row_differs(row, &profiles) {
            r[0] = format!("{} *", r[0]);
        }
        r.extend(profiles.iter().map(|p| cell_text(&row["results"][p])));
        rows.push(r);
    }
    let mut check_rows: Vec<Vec<String>> = Vec::new();
    for c in v["checks"].as_array().into_iter().flatten() {
        let mut r = vec![c["id"].as_str().unwrap_or_default().to_owned()];
        r.extend(
            profiles
                .iter()
                .map(|p| c["outcomes"][p].as_str().unwrap_or("absent").to_owned()),
        );
        check_rows.push(r);
    }
    match format {
        Format::Csv => {
            // RFC 4180 quoting (a field with a comma, quote, CR or LF is quoted) by the csv
            // crate; the two tables are separated by an empty line.
            let table = |head: &[String], rows: &[Vec<String>]| {
                let mut w = csv::WriterBuilder::new()
                    .terminator(csv::Terminator::Any(b'\n'))
                    .from_writer(Vec::new());
                for r in std::iter::once(head).chain(rows.iter().map(Vec::as_slice)) {
                    // Writing to memory cannot fail.
                    let _ = w.write_record(r);
                }
                w.into_inner()
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_default()
            };
            let mut ch = vec!["check".to_owned()];
            ch.extend(profiles.iter().cloned());
            format!("{}\n{}", table(&header, &rows), table(&ch, &check_rows))
        }
        Format::Markdown => {
            let line = |cells: &[String]| {
                format!(
                    "| {} |",
                    cells
                        .iter()
                        .map(|c| c.replace('|', "\\|"))
                        .collect::<Vec<_>>()
                        .join(" | ")
                )
            };
            let sep = |n: usize| format!("|{}", "---|".repeat(n));
            let mut out = vec![
                "## Cases (status, error, deciding check; * = the profiles differ)".to_owned(),
                String::new(),
                line(&header),
                sep(header.len()),
            ];
            out.extend(rows.iter().map(|r| line(r)));
            out.push(String::new());
            out.push("## Checks of the correct registration".to_owned());
            out.push(String::new());
            let mut ch = vec!["check".to_owned()];
            ch.extend(profiles.iter().cloned());
            out.push(line(&ch));
            out.push(sep(ch.len()));
            out.extend(check_rows.iter().map(|r| line(r)));
            out.join("\n") + "\n"
        }
        _ => {
            let table = |head: &[String], body: &[Vec<String>]| {
                let widths: Vec<usize> = (0..head.len())
                    .map(|i| {
                        body.iter()
                            .map(|r| r[i].chars().count())
                            .chain([head[i].chars().count()])
                            .max()
                            .unwrap_or(0)
                    })
                    .collect();
                let fmt = |r: &[String]| {
                    r.iter()
                        .zip(&widths)
                        .map(|(c, w)| format!("{c:<w$}"))
                        .collect::<Vec<_>>()
                        .join("  ")
                        .trim_end()
                        .to_owned()
                };
                let mut out = vec![fmt(head)];
                out.extend(body.iter().map(|r| fmt(r)));
                out.join("\n")
            };
            let mut ch = vec!["check".to_owned()];
            ch.extend(profiles.iter().cloned());
            format!("{}\n\n{}\n", table(&header, &rows), table(&ch, &check_rows))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Value {
        json!({"profiles": ["a", "b"], "cases": [
            {"case": "none", "results": {"a": {"applicable": true, "status": 201, "error": null, "deciding_check": null, "trace_id": "t1"},
                                          "b": {"applicable": true, "status": 400, "error": "invalid_redirect_uri", "deciding_check": "x.y", "trace_id": "t2"}}},
            {"case": "rs256", "results": {"a": {"applicable": false, "status": null, "error": null, "deciding_check": null, "trace_id": null},
                                           "b": {"applicable": true, "status": 400, "error": "e", "deciding_check": "c, d", "trace_id": null}}}],
            "checks": [{"id": "x.y", "outcomes": {"a": "pass", "b": "fail"}}]})
    }

    #[test]
    fn renders_every_format() {
        let v = sample();
        let md = render(&v, Format::Markdown);
        assert!(
            md.contains("| none * | 201 | 400 invalid_redirect_uri (x.y) |"),
            "{md}"
        );
        assert!(md.contains("| rs256 | n/a |"), "{md}");
        let csv = render(&v, Format::Csv);
        assert!(csv.contains("rs256,n/a,\"400 e (c, d)\""), "{csv}");
        assert!(csv.contains("x.y,pass,fail"));
        // Hardening, third round, finding 13: a CR alone is quoted too.
        let mut odd = v.clone();
        odd["checks"][0]["id"] = "x\ry".into();
        let csv = render(&odd, Format::Csv);
        assert!(csv.contains("\"x\ry\",pass,fail"), "{csv:?}");
        let table = render(&v, Format::Table);
        assert!(table.lines().next().unwrap().starts_with("case"));
        assert!(row_differs(&v["cases"][0], &["a".into(), "b".into()]));
        assert!(!row_differs(&v["cases"][1], &["a".into(), "b".into()]));
    }
}
