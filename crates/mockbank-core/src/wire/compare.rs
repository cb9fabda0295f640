//! The comparison matrix: each case (a deviation of the reference TPP, `none` included)
//! against each profile, and the checks the correct registration ran per profile. What
//! differs is decided here, once, for the CLI's renderings and the UI alike.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::trace::OutcomeKind;

/// A named deviation of the reference TPP (`GET /admin/compare/cases`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct CompareCase {
    /// `none` is the correct registration.
    pub name: String,
    pub description: String,
    /// The profiles it means anything in.
    pub applies_to: Vec<String>,
}

/// `POST /admin/compare`: both default to all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct CompareRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub profiles: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub cases: Option<Vec<String>>,
}

/// One case against one profile.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct CompareCell {
    /// False: the case does not apply to the profile, and every other field is null.
    pub applicable: bool,
    /// Null when the request could not be sent; `error` then says why.
    pub status: Option<u16>,
    /// The answer's `error` code.
    pub error: Option<String>,
    /// The check that decided the response (the trace's `failed_check`).
    pub deciding_check: Option<String>,
    pub trace_id: Option<String>,
}

impl CompareCell {
    pub fn not_applicable() -> CompareCell {
        CompareCell::default()
    }

    /// A case that applies but whose request could not be sent.
    pub fn unsent(why: String) -> CompareCell {
        CompareCell {
            applicable: true,
            error: Some(why),
            ..CompareCell::default()
        }
    }

    /// As text: `201`, `400 invalid_redirect_uri (generic.redirect.no_fragment)`, `n/a`.
    pub fn text(&self) -> String {
        if !self.applicable {
            return "n/a".into();
        }
        let status = self.status_text();
        match (&self.error, &self.deciding_check) {
            (Some(e), Some(c)) => format!("{status} {e} ({c})"),
            (Some(e), None) => format!("{status} {e}"),
            (None, Some(c)) => format!("{status} ({c})"),
            (None, None) => status,
        }
    }

    /// The status, or `—` when nothing was answered.
    pub fn status_text(&self) -> String {
        self.status.map_or("—".to_owned(), |s| s.to_string())
    }

    /// What two cells must share to count as the same answer.
    fn answer(&self) -> (Option<u16>, Option<&str>, Option<&str>) {
        (
            self.status,
            self.error.as_deref(),
            self.deciding_check.as_deref(),
        )
    }
}

/// One case across the profiles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct CompareRow {
    pub case: String,
    /// By profile id.
    pub results: BTreeMap<String, CompareCell>,
    /// The case applies to at least one profile (a row of `n/a` only says nothing).
    pub applies: bool,
    /// The profiles it applies to do not all answer alike (status, error, deciding check).
    pub differs: bool,
}

impl CompareRow {
    pub fn new(case: String, results: BTreeMap<String, CompareCell>) -> CompareRow {
        let answers: Vec<_> = results
            .values()
            .filter(|c| c.applicable)
            .map(CompareCell::answer)
            .collect();
        CompareRow {
            case,
            applies: !answers.is_empty(),
            differs: answers.windows(2).any(|w| w[0] != w[1]),
            results,
        }
    }

    /// The cell of `profile` (not applicable when the matrix has no such column).
    pub fn cell(&self, profile: &str) -> CompareCell {
        self.results.get(profile).cloned().unwrap_or_default()
    }
}

/// A check's outcome on one profile's correct registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub enum CompareOutcome {
    Pass,
    Fail,
    Skip,
    /// The profile's correct registration did not run the check.
    Absent,
}

impl CompareOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            CompareOutcome::Pass => "pass",
            CompareOutcome::Fail => "fail",
            CompareOutcome::Skip => "skip",
            CompareOutcome::Absent => "absent",
        }
    }
}

impl From<OutcomeKind> for CompareOutcome {
    fn from(o: OutcomeKind) -> CompareOutcome {
        match o {
            OutcomeKind::Pass => CompareOutcome::Pass,
            OutcomeKind::Fail => CompareOutcome::Fail,
            OutcomeKind::Skip => CompareOutcome::Skip,
        }
    }
}

/// One check across the profiles' correct registrations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct CompareCheck {
    pub id: String,
    /// By profile id.
    pub outcomes: BTreeMap<String, CompareOutcome>,
    /// It ran on at least two profiles, not with the same outcome on each. A profile that
    /// does not run a check says nothing of its outcome: `absent` alone is no difference.
    pub differs: bool,
    /// It ran on some of the profiles only.
    pub partial: bool,
}

impl CompareCheck {
    pub fn new(id: String, outcomes: BTreeMap<String, CompareOutcome>) -> CompareCheck {
        let ran: Vec<CompareOutcome> = outcomes
            .values()
            .copied()
            .filter(|o| *o != CompareOutcome::Absent)
            .collect();
        CompareCheck {
            id,
            differs: ran.len() >= 2 && ran.windows(2).any(|w| w[0] != w[1]),
            partial: !ran.is_empty() && ran.len() < outcomes.len(),
            outcomes,
        }
    }

    pub fn outcome(&self, profile: &str) -> CompareOutcome {
        self.outcomes
            .get(profile)
            .copied()
            .unwrap_or(CompareOutcome::Absent)
    }
}

/// The comparison matrix; `checks` are the outcomes of the `none` case per profile.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct CompareMatrix {
    pub profiles: Vec<String>,
    pub cases: Vec<CompareRow>,
    pub checks: Vec<CompareCheck>,
}

/// A rendering the server makes of a matrix or a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub enum TextFormat {
    Markdown,
    Csv,
    /// Plain text, as `mockbank compare` prints it.
    Table,
}

/// `POST /admin/compare?format=…` and `GET /admin/report?format=markdown`: the rendering.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct TextExport {
    pub format: TextFormat,
    pub text: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(status: u16, error: Option<&str>) -> CompareCell {
        CompareCell {
            applicable: true,
            status: Some(status),
            error: error.map(str::to_owned),
            ..CompareCell::default()
        }
    }

    #[test]
    fn a_row_differs_only_where_applicable_cells_answer_differently() {
        let row = |cells: Vec<(&str, CompareCell)>| {
            CompareRow::new(
                "x".into(),
                cells.into_iter().map(|(p, c)| (p.to_owned(), c)).collect(),
            )
        };
        let same = row(vec![
            ("a", cell(201, None)),
            ("b", cell(201, None)),
            ("c", CompareCell::not_applicable()),
        ]);
        assert!(same.applies && !same.differs);
        let differs = row(vec![
            ("a", cell(201, None)),
            ("b", cell(400, Some("invalid_redirect_uri"))),
        ]);
        assert!(differs.differs);
        let none = row(vec![("a", CompareCell::not_applicable())]);
        assert!(!none.applies && !none.differs);
    }

    #[test]
    fn absent_is_no_difference_but_makes_a_check_partial() {
        use CompareOutcome::*;
        let check = |o: Vec<CompareOutcome>| {
            CompareCheck::new(
                "c".into(),
                o.into_iter()
                    .enumerate()
                    .map(|(i, o)| (format!("p{i}"), o))
                    .collect(),
            )
        };
        let c = check(vec![Pass, Absent, Pass]);
        assert!(!c.differs && c.partial);
        let c = check(vec![Pass, Fail, Absent]);
        assert!(c.differs && c.partial);
        let c = check(vec![Pass, Absent]);
        assert!(
            !c.differs && c.partial,
            "one profile ran it: nothing to compare"
        );
        let c = check(vec![Skip, Skip]);
        assert!(!c.differs && !c.partial);
        assert_eq!(c.outcome("nowhere"), Absent);
    }

    #[test]
    fn a_cell_reads_as_text() {
        let mut c = cell(400, Some("invalid_redirect_uri"));
        c.deciding_check = Some("generic.redirect.no_fragment".into());
        assert_eq!(
            c.text(),
            "400 invalid_redirect_uri (generic.redirect.no_fragment)"
        );
        assert_eq!(CompareCell::not_applicable().text(), "n/a");
        assert_eq!(CompareCell::unsent("refused".into()).text(), "— refused");
    }
}
