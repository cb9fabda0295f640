//! Side-by-side comparison for bank teams: each case (a [`Deviation`], `none` included)
//! through the reference client against each profile, and the happy path's check outcomes
//! per profile — the contract's JSON, and the same as a text table, Markdown or CSV.

use std::collections::BTreeMap;

use mockbank_core::trace::Trace;
use mockbank_core::wire::compare::{
    CompareCase, CompareCell, CompareCheck, CompareMatrix, CompareOutcome, CompareRow,
};

use crate::{Deviation, Flavor, ProtectionSummary, Session, Target};

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

/// The deviations as `mockbank tpp deviations --format json` lists them, with the profiles
/// (id, flavor, protection) each applies to.
pub fn cases(profiles: &[(String, Flavor, ProtectionSummary)]) -> Vec<CompareCase> {
    Deviation::ALL
        .iter()
        .map(|d| CompareCase {
            name: d.name().to_owned(),
            description: d.description().to_owned(),
            applies_to: profiles
                .iter()
                .filter(|(_, f, protection)| d.applies_to(*f, protection))
                .map(|(id, _, _)| id.clone())
                .collect(),
        })
        .collect()
}

/// One profile's column: every case, and the happy path's trace.
async fn column(
    target: &Target,
    profile: &str,
    cases: &[Deviation],
) -> (Vec<CompareCell>, Option<Trace>) {
    let session = match Session::open(target, profile).await {
        Ok(s) => s,
        Err(e) => {
            let cell = CompareCell::unsent(format!("{e:#}"));
            return (cases.iter().map(|_| cell.clone()).collect(), None);
        }
    };
    let mut cells = Vec::new();
    let mut happy = None;
    for case in cases {
        if !session.applies(*case) {
            cells.push(CompareCell::not_applicable());
            continue;
        }
        let cell = match session.register(*case).await {
            Ok(out) => {
                let trace = match &out.trace_id {
                    Some(id) => target.trace(id).await,
                    None => None,
                };
                let deciding_check = trace.as_ref().and_then(|t| t.failed_check.clone());
                if *case == Deviation::None {
                    happy = trace;
                }
                CompareCell {
                    applicable: true,
                    status: Some(out.status),
                    error: out.response["error"].as_str().map(str::to_owned),
                    deciding_check,
                    trace_id: out.trace_id,
                }
            }
            Err(e) => CompareCell::unsent(format!("could not send: {e:#}")),
        };
        cells.push(cell);
    }
    (cells, happy)
}

/// Runs `cases` against `profiles`, one profile after the other (so each profile's traces
/// stay together and in case order).
pub async fn compare(target: &Target, profiles: &[String], cases: &[Deviation]) -> CompareMatrix {
    let mut columns = Vec::with_capacity(profiles.len());
    for p in profiles {
        columns.push(column(target, p, cases).await);
    }
    // The clients and organisations made for the comparison are leftovers: the bank can
    // clear them in one action. A bank that cannot be told keeps them; the matrix stands.
    if let Err(e) = target.tag_made("compare").await {
        tracing::warn!("the comparison's clients were not tagged as leftovers: {e:#}");
    }
    let rows = cases
        .iter()
        .enumerate()
        .map(|(i, case)| {
            let results = profiles
                .iter()
                .zip(&columns)
                .map(|(p, (cells, _))| (p.clone(), cells[i].clone()))
                .collect();
            CompareRow::new(case.name().to_owned(), results)
        })
        .collect();
    // Check ids in the order they first appear, profile by profile.
    let mut ids: Vec<String> = Vec::new();
    let outcomes: Vec<BTreeMap<&str, CompareOutcome>> = columns
        .iter()
        .map(|(_, happy)| {
            let mut m = BTreeMap::new();
            for c in happy.iter().flat_map(|t| &t.checks) {
                if !ids.iter().any(|id| id == &c.id) {
                    ids.push(c.id.to_string());
                }
                m.insert(&*c.id, c.outcome.into());
            }
            m
        })
        .collect();
    let checks = ids
        .iter()
        .map(|id| {
            let per = profiles
                .iter()
                .zip(&outcomes)
                .map(|(p, m)| {
                    let o = m.get(id.as_str()).copied();
                    (p.clone(), o.unwrap_or(CompareOutcome::Absent))
                })
                .collect();
            CompareCheck::new(id.clone(), per)
        })
        .collect();
    CompareMatrix {
        profiles: profiles.to_vec(),
        cases: rows,
        checks,
    }
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
fn short_cell(cell: &CompareCell, notes: &mut Vec<String>) -> String {
    if !cell.applicable {
        return "n/a".into();
    }
    let status = cell.status_text();
    let mut text = match &cell.error {
        Some(e) => format!("{status} {e}"),
        None => status,
    };
    if let Some(check) = &cell.deciding_check {
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
pub fn render(v: &CompareMatrix, format: Format) -> String {
    if format == Format::Json {
        return serde_json::to_string_pretty(v).unwrap_or_default();
    }
    let profiles = &v.profiles;
    let mut header = vec!["case".to_owned()];
    header.extend(profiles.iter().cloned());
    let shown: Vec<&CompareRow> = v
        .cases
        .iter()
        .filter(|row| format == Format::Csv || row.applies)
        .collect();
    let hidden = v.cases.len() - shown.len();
    let checks = &v.checks;
    let differing = checks.iter().filter(|c| c.differs).count();
    let partial = checks.iter().filter(|c| c.partial).count();
    let case_label = |row: &CompareRow| {
        if format != Format::Csv && row.differs {
            format!("{} *", row.case)
        } else {
            row.case.clone()
        }
    };
    let check_row = |c: &CompareCheck| {
        let mut r = vec![if format != Format::Csv && c.differs {
            format!("{} *", c.id)
        } else {
            c.id.clone()
        }];
        r.extend(profiles.iter().map(|p| c.outcome(p).as_str().to_owned()));
        r
    };
    let check_rows: Vec<Vec<String>> = checks.iter().map(check_row).collect();
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
                    r.extend(profiles.iter().map(|p| row.cell(p).text()));
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
                    r.extend(profiles.iter().map(|p| row.cell(p).text()));
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
                            .map(|p| short_cell(&row.cell(p), &mut notes)),
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

    fn cell(status: u16, error: Option<&str>, check: Option<&str>) -> CompareCell {
        CompareCell {
            applicable: true,
            status: Some(status),
            error: error.map(str::to_owned),
            deciding_check: check.map(str::to_owned),
            trace_id: Some("t".into()),
        }
    }

    fn matrix(
        profiles: &[&str],
        rows: Vec<(&str, Vec<CompareCell>)>,
        checks: Vec<(&str, Vec<CompareOutcome>)>,
    ) -> CompareMatrix {
        let by_profile =
            |cells: Vec<CompareCell>| profiles.iter().map(|p| p.to_string()).zip(cells).collect();
        CompareMatrix {
            profiles: profiles.iter().map(|p| p.to_string()).collect(),
            cases: rows
                .into_iter()
                .map(|(case, cells)| CompareRow::new(case.into(), by_profile(cells)))
                .collect(),
            checks: checks
                .into_iter()
                .map(|(id, o)| {
                    CompareCheck::new(
                        id.into(),
                        profiles.iter().map(|p| p.to_string()).zip(o).collect(),
                    )
                })
                .collect(),
        }
    }

    fn sample() -> CompareMatrix {
        use CompareOutcome::*;
        matrix(
            &["a", "b"],
            vec![
                (
                    "none",
                    vec![
                        cell(201, None, None),
                        cell(400, Some("invalid_redirect_uri"), Some("x.y")),
                    ],
                ),
                (
                    "rs256",
                    vec![
                        CompareCell::not_applicable(),
                        cell(400, Some("e"), Some("c, d")),
                    ],
                ),
            ],
            vec![("x.y", vec![Pass, Fail])],
        )
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
        odd.checks[0].id = "x\ry".into();
        let csv = render(&odd, Format::Csv);
        assert!(csv.contains("\"x\ry\",pass,fail"), "{csv:?}");
        let table = render(&v, Format::Table);
        assert!(table.lines().any(|l| l.starts_with("case ")), "{table}");
        assert!(v.cases[0].differs);
        assert!(!v.cases[1].differs);
        let json: CompareMatrix = serde_json::from_str(&render(&v, Format::Json)).unwrap();
        assert_eq!(json, v, "the JSON reads back as the matrix");
    }

    #[test]
    fn the_table_fits_its_width_and_drops_cases_that_apply_nowhere() {
        let profiles = [
            "generic",
            "stet",
            "obuk-v3.2",
            "obuk-v3.2-lenient",
            "obuk-v3.2-sag",
            "ofb",
            "fapi",
            "x",
        ];
        let long = cell(
            400,
            Some("invalid_software_statement"),
            Some("obuk.ssa.signature_valid_and_very_long_name"),
        );
        let v = matrix(
            &profiles,
            vec![
                ("tampered_ssa", vec![long; profiles.len()]),
                (
                    "nowhere",
                    vec![CompareCell::not_applicable(); profiles.len()],
                ),
            ],
            vec![(
                "generic.redirect.no_fragment",
                vec![CompareOutcome::Pass; profiles.len()],
            )],
        );
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
