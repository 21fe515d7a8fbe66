//! Diagnostics: every repair, every unresolved cell and every rule violation is one.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// A fact worth knowing that changes no number (the detected form, an OCR fix in a label).
    Info,
    /// A repair that put or changed a number: the result is believed right, and says how.
    Warning,
    /// A rule violation or a cell that could not be resolved: the result is not trustworthy there.
    Error,
}

/// The marks the print outputs set after a doubtful value, and that a reader of such a
/// document must not take for part of the value.
pub mod marks {
    /// Printed after an unresolved value: 无法从原文确定.
    pub const UNRESOLVED: &str = "※";
    /// Printed after a value in a failing rule: 不符合勾稽关系.
    pub const RULE: &str = "▲";

    /// `s` without the marks at its end (`22▲` → `22`, `※` → ``).
    pub fn strip(s: &str) -> &str {
        let mut s = s.trim_end();
        while let Some(rest) = s.strip_suffix(UNRESOLVED).or_else(|| s.strip_suffix(RULE)) {
            s = rest.trim_end();
        }
        s
    }

    /// Whether `s` holds either mark.
    pub fn any_in(s: &str) -> bool {
        s.contains(UNRESOLVED) || s.contains(RULE)
    }
}

/// Stable diagnostic codes. Scripts may match on them; never rename one.
pub mod code {
    pub const FORM_DETECTED: &str = "form_detected";
    pub const NO_TITLE: &str = "no_title";
    /// The issuing body could not be read from the title (or there is no title).
    pub const NO_ORGANIZATION: &str = "no_organization";
    /// The issuing body read from the title does not look like a name.
    pub const ORGANIZATION_DOUBTFUL: &str = "organization_doubtful";
    /// The title names no year: the year was taken from the text, or not found.
    pub const NO_YEAR: &str = "no_year";
    pub const SECTION_MISSING: &str = "section_missing";
    pub const TABLE_MISSING: &str = "table_missing";
    pub const ROW_MISSING: &str = "row_missing";
    pub const ROW_BY_POSITION: &str = "row_placed_by_position";
    pub const LABEL_REPAIRED: &str = "label_repaired";
    pub const ROW_UNMATCHED: &str = "row_unmatched";
    pub const VALUES_REALIGNED: &str = "values_realigned";
    pub const DIGIT_REPAIRED: &str = "digit_repaired";
    pub const UNREADABLE: &str = "unreadable_value";
    pub const INFERRED: &str = "inferred";
    pub const UNRESOLVED: &str = "unresolved";
    pub const NEGATIVE: &str = "R5";
    pub const PROSE_MISMATCH: &str = "R7";
    /// A figure the source gives in 元 under a header that says so, converted to the 万元
    /// the form keeps it in. Warning.
    pub const UNIT_CONVERTED: &str = "unit_converted";
    /// The input holds a second whole report after the first: only the first is read (the
    /// message names the line the second starts at). Warning.
    pub const SECOND_REPORT: &str = "second_report";
    /// R6 across years: the report was paired with the one of the year before or after (a
    /// batch pairs one body's consecutive years). Info.
    pub const YEAR_PAIR: &str = "year_pair";
    /// The source itself marks cells of a table as doubtful (the ※ and ▲ that nianbao's
    /// PDF and DOCX print): read back, those values are what was printed, not what is true.
    pub const MARKED_DOUBTFUL: &str = "marked_doubtful";
    /// PDF: a font role is set in a face other than the family the style wants first (a later
    /// family, or the bundled face: the documented fallback). Info.
    pub const FONT_SUBSTITUTED: &str = "font_substituted";
    /// PDF: no face was found for a role, not even the bundled one: another role's face
    /// stands in. Warning.
    pub const FONT_STAND_IN: &str = "font_stand_in";
    /// PDF: a font file found for a wanted family is truncated, corrupt or draws blank
    /// glyphs, and was skipped. Warning.
    pub const FONT_UNUSABLE: &str = "font_unusable";
    /// PDF: characters the role's face lacks, drawn from the fallback face. Info.
    pub const FONT_FALLBACK: &str = "font_fallback";
    /// PDF: a character no face has: it prints as an empty box. Error.
    pub const FONT_MISSING_CHAR: &str = "font_missing_char";
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable code from [`code`], or a rule id (`R1` … `R7`).
    pub code: String,
    /// What happened, in Chinese with the keys in brackets.
    pub message: String,
    /// The 1-based source line the diagnostic concerns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// The cell (or row) it concerns, as a path inside `tables`:
    /// `applications.new_received.total`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cell: Option<String>,
    /// Every cell the diagnostic puts in doubt, as paths inside `tables`, when that is more
    /// than `cell` says: for a failing rule (R1–R4), every cell of its equation, while `cell`
    /// names the row or table the equation lies in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cells: Vec<String>,
}

impl Severity {
    /// The word the command line shows it with: `error`, `repair` (a warning is a repair
    /// believed right), `note`.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "repair",
            Severity::Info => "note",
        }
    }
}

/// `error[R1] [applications.total_processed] …`: the severity's label, the code, the cell or
/// row when there is one, and the message (the source line is the caller's to show, beside
/// the file's name).
impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}[{}]", self.severity.label(), self.code)?;
        if let Some(cell) = &self.cell {
            write!(f, " [{cell}]")?;
        }
        write!(f, " {}", self.message)
    }
}

impl Diagnostic {
    pub fn new(severity: Severity, code: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity,
            code: code.to_string(),
            message: message.into(),
            line: None,
            cell: None,
            cells: Vec::new(),
        }
    }

    pub fn at(mut self, line: Option<usize>) -> Diagnostic {
        self.line = line;
        self
    }

    pub fn cell(mut self, path: impl Into<String>) -> Diagnostic {
        self.cell = Some(path.into());
        self
    }

    /// The cells in doubt besides `cell` (see [`Diagnostic::cells`]).
    pub fn cells(mut self, paths: impl IntoIterator<Item = String>) -> Diagnostic {
        self.cells = paths.into_iter().collect();
        self
    }

    /// Whether this diagnostic names `path`: itself, or a row or table containing it, in
    /// `cell` or in `cells`.
    pub fn concerns(&self, path: &str) -> bool {
        let covers = |c: &str| c == path || (path.starts_with(c) && path[c.len()..].starts_with('.'));
        self.cell.as_deref().is_some_and(covers) || self.cells.iter().any(|c| covers(c))
    }
}

/// Whether a diagnostic code is a rule id (`R1` … `R7`): a failing equation of the form, not a
/// value the reading could not determine.
pub fn is_rule(code: &str) -> bool {
    code.len() > 1 && code.starts_with('R') && code[1..].bytes().all(|b| b.is_ascii_digit())
}

/// Whether a report with these diagnostics needs a person's attention (exit status 1).
pub fn has_errors(diags: &[Diagnostic]) -> bool {
    diags.iter().any(|d| d.severity == Severity::Error)
}
