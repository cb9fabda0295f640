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
    // The clients and organisations made for the comparison are leftovers: the bank can
    // clear them in one action. A bank that cannot be told keeps them; the matrix stands.
    if let Err(e) = target.tag_made("compare").await {
        tracing::warn!("the comparison's clients were not tagged as leftovers: {e:#}");
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

/// Whether a case applies to at least one of `profiles` (a row of `n/a` only says nothing).
pub fn row_applies(row: &Value, profiles: &[String]) -> bool {
    profiles
        .iter()
        .any(|p| row["results"][p]["applicable"] != false)
}

/// The outcomes of a check on the profiles where it ran (not `absent`).
fn ran_outcomes<'a>(check: &'a Value, profiles: &[String]) -> Vec<&'a str> {
    profiles
        .iter()
        .map(|p| check["outcomes"][p].as_str().unwrap_or("absent"))
        .filter(|o| *o != "absent")
        .collect()
}

/// Whether a check's outcomes differ: it ran on at least two of `profiles` and not all of
/// those outcomes are the same. A check that one profile does not run is not a difference
/// of outcome ([`check_is_partial`] says that).
pub fn check_differs(check: &Value, profiles: &[String]) -> bool {
    let ran = ran_outcomes(check, profiles);
    ran.len() >= 2 && ran.windows(2).any(|w| w[0] != w[1])
}

/// Whether a check is absent on some of `profiles` (and ran on at least one).
pub fn check_is_partial(check: &Value, profiles: &[String]) -> bool {
    let ran = ran_outcomes(check, profiles).len();
    ran > 0 && ran < profiles.len()
}

/// The widest a text table gets: `COLUMNS` when the shell exports it, else 120.
fn table_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse::<usize>().ok())
        .filter(|w| *w >= 40)
        .unwrap_or(120)
}

/// `text` cut into lines of at most `width` characters, after a space, `_`, `.` or `-`
/// where it can (so `invalid_software_statement` breaks at its underscores).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut rest: Vec<char> = text.chars().collect();
    while rest.len() > width {
        let cut = (1..=width)
            .rev()
            .find(|&i| matches!(rest[i - 1], ' ' | '_' | '.' | '-'))
            .unwrap_or(width);
        let line: String = rest[..cut].iter().collect();
        lines.push(line.trim_end().to_owned());
        rest.drain(..cut);
        while rest.first() == Some(&' ') {
            rest.remove(0);
        }
    }
    lines.push(rest.into_iter().collect());
    lines
}

/// A text table no wider than `max` where it can be: each column as wide as its content,
/// the widest columns narrowed (their cells wrapped) until the table fits; two spaces
/// between columns, and an empty line between rows once any cell wraps.
fn text_table(head: &[String], body: &[Vec<String>], max: usize) -> String {
    let natural = |i: usize| {
        body.iter()
            .chain([&head.to_vec()])
            .map(|r| r[i].chars().count())
            .max()
            .unwrap_or(0)
    };
    let mut widths: Vec<usize> = (0..head.len()).map(natural).collect();
    // The narrowest a column gets: its longest word (up to 16), so names stay readable.
    let floor: Vec<usize> = (0..head.len())
        .map(|i| {
            body.iter()
                .chain([&head.to_vec()])
                .flat_map(|r| {
                    r[i].split_inclusive([' ', '_', '.', '-'])
                        .map(|w| w.trim_end_matches(' ').chars().count())
                })
                .max()
                .unwrap_or(1)
                .min(16)
        })
        .collect();
    let total = |w: &[usize]| w.iter().sum::<usize>() + 2 * w.len().saturating_sub(1);
    // The row names (case, check id) are narrowed last: first the profile columns.
    let keep_names = floor
        .iter()
        .enumerate()
        .map(|(i, f)| {
            if i == 0 {
                widths[0].min(44).max(*f)
            } else {
                *f
            }
        })
        .collect::<Vec<_>>();
    for floor in [&keep_names, &floor] {
        while total(&widths) > max {
            let Some(widest) = (0..widths.len())
                .filter(|&i| widths[i] > floor[i])
                .max_by_key(|&i| widths[i])
            else {
                break;
            };
            widths[widest] -= 1;
        }
    }
    let wraps = (0..head.len()).any(|i| natural(i) > widths[i]);
    let fmt = |r: &[String]| {
        let cells: Vec<Vec<String>> = r.iter().zip(&widths).map(|(c, w)| wrap(c, *w)).collect();
        let height = cells.iter().map(Vec::len).max().unwrap_or(1);
        (0..height)
            .map(|line| {
                cells
                    .iter()
                    .zip(&widths)
                    .map(|(c, w)| format!("{:<w$}", c.get(line).map_or("", String::as_str)))
                    .collect::<Vec<_>>()
                    .join("  ")
                    .trim_end()
                    .to_owned()
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let rule = widths
        .iter()
        .map(|w| "-".repeat(*w))
        .collect::<Vec<_>>()
        .join("  ");
    let mut out = vec![fmt(head), rule];
    for r in body {
        out.push(fmt(r));
        if wraps {
            out.push(String::new());
        }
    }
    out.join("\n").trim_end().to_owned()
}

/// A cell for the text table: the status and error, and the deciding check as a numbered
/// note (its id is printed once, under the table, instead of in every column).
fn short_cell(cell: &Value, notes: &mut Vec<String>) -> String {
    if cell["applicable"] == false {
        return "n/a".into();
    }
    let status = cell["status"]
        .as_u64()
        .map_or("—".to_owned(), |s| s.to_string());
    let mut text = match cell["error"].as_str() {
        Some(e) => format!("{status} {e}"),
        None => status,
    };
    if let Some(check) = cell["deciding_check"].as_str() {
        let n = match notes.iter().position(|c| c == check) {
            Some(i) => i + 1,
            None => {
                notes.push(check.to_owned());
                notes.len()
            }
        };
        text.push_str(&format!(" [{n}]"));
    }
    text
}

/// Prints a comparison in `format`. The table and Markdown leave out cases that apply to
/// none of the profiles (and say how many); CSV, for machines, keeps every row.
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
    let all_rows: Vec<&Value> = v["cases"].as_array().into_iter().flatten().collect();
    let shown: Vec<&Value> = all_rows
        .iter()
        .copied()
        .filter(|row| format == Format::Csv || row_applies(row, &profiles))
        .collect();
    let hidden = all_rows.len() - shown.len();
    let checks: Vec<&Value> = v["checks"].as_array().into_iter().flatten().collect();
    let differing = checks
        .iter()
        .filter(|c| check_differs(c, &profiles))
        .count();
    let partial = checks
        .iter()
        .filter(|c| check_is_partial(c, &profiles))
        .count();
    let case_label = |row: &Value| {
        let name = row["case"].as_str().unwrap_or_default().to_owned();
        if format != Format::Csv && row_differs(row, &profiles) {
            format!("{name} *")
        } else {
            name
        }
    };
    let check_row = |c: &Value| {
        let id = c["id"].as_str().unwrap_or_default().to_owned();
        let mut r = vec![if format != Format::Csv && check_differs(c, &profiles) {
            format!("{id} *")
        } else {
            id
        }];
        r.extend(
            profiles
                .iter()
                .map(|p| c["outcomes"][p].as_str().unwrap_or("absent").to_owned()),
        );
        r
    };
    let check_rows: Vec<Vec<String>> = checks.iter().map(|c| check_row(c)).collect();
    let mut check_head = vec!["check".to_owned()];
    check_head.extend(profiles.iter().cloned());
    let hidden_note = (hidden > 0).then(|| match hidden {
        1 => "1 case applies to none of these profiles: not shown.".to_owned(),
        n => format!("{n} cases apply to none of these profiles: not shown."),
    });
    let checks_note = format!(
        "{} check{}; {differing} differ (ran on two or more profiles with different outcomes); \
         {partial} run on only some of the profiles.",
        checks.len(),
        if checks.len() == 1 { "" } else { "s" }
    );
    match format {
        Format::Csv => {
            // RFC 4180 quoting (a field with a comma, quote, CR or LF is quoted) by the csv
            // crate; the two tables are separated by an empty line.
            let rows: Vec<Vec<String>> = shown
                .iter()
                .map(|row| {
                    let mut r = vec![case_label(row)];
                    r.extend(profiles.iter().map(|p| cell_text(&row["results"][p])));
                    r
                })
                .collect();
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
            format!(
                "{}\n{}",
                table(&header, &rows),
                table(&check_head, &check_rows)
            )
        }
        Format::Markdown => {
            let rows: Vec<Vec<String>> = shown
                .iter()
                .map(|row| {
                    let mut r = vec![case_label(row)];
                    r.extend(profiles.iter().map(|p| cell_text(&row["results"][p])));
                    r
                })
                .collect();
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
            if let Some(note) = &hidden_note {
                out.push(String::new());
                out.push(note.clone());
            }
            out.push(String::new());
            out.push("## Checks of the correct registration (* = outcomes differ)".to_owned());
            out.push(String::new());
            out.push(checks_note);
            out.push(String::new());
            out.push(line(&check_head));
            out.push(sep(check_head.len()));
            out.extend(check_rows.iter().map(|r| line(r)));
            out.join("\n") + "\n"
        }
        _ => {
            let mut notes = Vec::new();
            let rows: Vec<Vec<String>> = shown
                .iter()
                .map(|row| {
                    let mut r = vec![case_label(row)];
                    r.extend(
                        profiles
                            .iter()
                            .map(|p| short_cell(&row["results"][p], &mut notes)),
                    );
                    r
                })
                .collect();
            let max = table_width();
            let mut out = vec![
                "Cases: status, error and [deciding check]; * = the profiles differ".to_owned(),
                String::new(),
                text_table(&header, &rows, max),
            ];
            if !notes.is_empty() {
                out.push(String::new());
                out.extend(
                    notes
                        .iter()
                        .enumerate()
                        .map(|(i, c)| format!("[{}] {c}", i + 1)),
                );
            }
            if let Some(note) = hidden_note {
                out.push(String::new());
                out.extend(wrap(&note, max));
            }
            out.push(String::new());
            out.extend(wrap(
                &format!("Checks of the correct registration (* = outcomes differ): {checks_note}"),
                max,
            ));
            out.push(String::new());
            out.push(text_table(&check_head, &check_rows, max));
            out.join("\n") + "\n"
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
        assert!(table.lines().any(|l| l.starts_with("case ")), "{table}");
        assert!(row_differs(&v["cases"][0], &["a".into(), "b".into()]));
        assert!(!row_differs(&v["cases"][1], &["a".into(), "b".into()]));
    }

    #[test]
    fn checks_differ_only_where_two_profiles_ran_them() {
        let profiles: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        let check =
            |a: &str, b: &str, c: &str| json!({"id": "x", "outcomes": {"a": a, "b": b, "c": c}});
        assert!(check_differs(&check("pass", "fail", "absent"), &profiles));
        assert!(!check_differs(
            &check("pass", "absent", "absent"),
            &profiles
        ));
        assert!(!check_differs(&check("pass", "pass", "absent"), &profiles));
        assert!(check_is_partial(
            &check("pass", "pass", "absent"),
            &profiles
        ));
        assert!(!check_is_partial(&check("pass", "skip", "fail"), &profiles));
        assert!(!check_is_partial(
            &check("absent", "absent", "absent"),
            &profiles
        ));
    }

    #[test]
    fn the_table_fits_its_width_and_drops_cases_that_apply_nowhere() {
        let profiles: Vec<&str> = vec![
            "generic",
            "stet",
            "obuk-v3.2",
            "obuk-v3.2-lenient",
            "obuk-v3.2-sag",
            "ofb",
            "fapi",
            "x",
        ];
        let cell = json!({"applicable": true, "status": 400, "error": "invalid_software_statement",
                          "deciding_check": "obuk.ssa.signature_valid_and_very_long_name", "trace_id": "t"});
        let na = json!({"applicable": false, "status": null, "error": null, "deciding_check": null, "trace_id": null});
        let results = |c: &Value| -> Map<String, Value> {
            profiles
                .iter()
                .map(|p| (p.to_string(), c.clone()))
                .collect()
        };
        let v = json!({"profiles": profiles, "cases": [
            {"case": "tampered_ssa", "results": results(&cell)},
            {"case": "nowhere", "results": results(&na)}],
            "checks": [{"id": "generic.redirect.no_fragment", "outcomes": results(&json!("pass"))}]});
        std::env::set_var("COLUMNS", "100");
        let table = render(&v, Format::Table);
        std::env::remove_var("COLUMNS");
        let widest = table.lines().map(|l| l.chars().count()).max().unwrap();
        assert!(widest <= 100, "{widest} wide:\n{table}");
        assert!(!table.contains("nowhere"), "{table}");
        assert!(
            table.contains("1 case applies to none of these profiles: not shown."),
            "{table}"
        );
        assert!(
            table.contains("[1] obuk.ssa.signature_valid_and_very_long_name"),
            "{table}"
        );
        assert_eq!(
            table.matches("signature_valid").count(),
            1,
            "the check is named once: {table}"
        );
        let md = render(&v, Format::Markdown);
        assert!(!md.contains("| nowhere |"), "{md}");
        let csv = render(&v, Format::Csv);
        assert!(csv.contains("nowhere,n/a"), "CSV keeps every row: {csv}");
    }
}
