//! The breakage suite: random reports that obey the form's rules, printed in the layouts real
//! extracted reports come in, broken the way extraction and OCR break them, and read back.
//!
//! Every one of the 200 cells must come back exactly, or carry a diagnostic that names it (or
//! its row or table). A wrong value with no diagnostic is a silent-wrong cell, and the suite
//! allows none. Run with `cargo test --test breakage -- --nocapture` for the summary; failing
//! cases are written to `target/breakage-failures/`.
//!
//! `BREAKAGE_SEEDS=n` sets the seeds per layout (default 100); `BREAKAGE_CASE=n` runs one case
//! and prints its text; `BREAKAGE_DUMP=1` also writes every case that is not exact (flagged
//! cells only) to the failure folder; `BREAKAGE_HEAVY=k` applies k/2 to k breakages to every
//! case instead of 0 to 4 (exploration only: the default run is what the suite asserts on);
//! `BREAKAGE_OUT=dir` writes failing cases to `dir` instead.

#[path = "breakage/mod.rs"]
mod support;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Instant;

use nianbao::model::{Cell, Report};
use nianbao::{Forms, Options, Severity};

use support::breaks;
use support::document::{self, Case};
use support::layout::{Kind, Layout, TableText};
use support::rng::Rng;
use support::truth::cell_paths;

const SEEDS_PER_LAYOUT: usize = 100;
const MIN_CASES: usize = 500;
const SHOWN_FAILURES: usize = 10;

struct Wrong {
    path: String,
    expected: f64,
    got: Option<Cell>,
}

/// What one case came to.
struct Outcome {
    exact: usize,
    /// Wrong but named by a diagnostic.
    flagged: usize,
    /// Of those, the ones only weakly named: by Info diagnostics alone, or (a wrong number)
    /// by warnings about the whole table alone; with the diagnostics that name them.
    weak: Vec<(Wrong, Vec<String>)>,
    silent: Vec<Wrong>,
    /// Any warning or error diagnostic.
    warned: bool,
    /// Warnings and errors about a table no breakage touched (`code [cell]`).
    unprovoked: Vec<String>,
}

#[derive(Default)]
struct Tally {
    cases: usize,
    exact_cases: usize,
    cells: usize,
    exact_cells: usize,
    flagged_cells: usize,
    weak_cells: usize,
    silent_cells: usize,
    silent_cases: usize,
    errors: usize,
    warned_cases: usize,
    unprovoked_cases: usize,
}

impl Tally {
    fn add(&mut self, outcome: Result<&Outcome, ()>, cells: usize) {
        self.cases += 1;
        self.cells += cells;
        match outcome {
            Ok(o) => {
                self.exact_cells += o.exact;
                self.flagged_cells += o.flagged;
                self.weak_cells += o.weak.len();
                self.silent_cells += o.silent.len();
                self.exact_cases += usize::from(o.exact == cells);
                self.silent_cases += usize::from(!o.silent.is_empty());
                self.warned_cases += usize::from(o.warned);
                self.unprovoked_cases += usize::from(!o.unprovoked.is_empty());
            }
            Err(()) => self.errors += 1,
        }
    }
}

fn pct(n: usize, d: usize) -> f64 {
    if d == 0 { 0.0 } else { 100.0 * n as f64 / d as f64 }
}

fn case_seed(n: usize) -> u64 {
    0x6272_6561_6b61_6765 ^ (n as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

fn exact(got: Option<Cell>, expected: f64) -> bool {
    matches!(got, Some(Cell::Number(g)) if (g - expected).abs() <= 1e-9 * expected.abs().max(1.0))
}

fn judge(case: &Case, report: &Report, paths: &[String]) -> Outcome {
    let mut out = Outcome {
        exact: 0,
        flagged: 0,
        weak: Vec::new(),
        silent: Vec::new(),
        warned: report.diagnostics.iter().any(|d| d.severity >= Severity::Warning),
        unprovoked: report
            .diagnostics
            .iter()
            .filter(|d| d.severity >= Severity::Warning)
            .filter_map(|d| d.cell.as_deref().map(|c| (d, c)))
            .filter(|(_, c)| {
                let table = c.split('.').next().unwrap_or_default();
                !case.breakages.iter().any(|b| b.table == table) && !case.disturbed.iter().any(|t| t == table)
            })
            .map(|(d, c)| format!("{} [{c}]", d.code))
            .collect(),
    };
    for path in paths {
        let expected = case.truth.value(path);
        let got = report.tables.cell(path);
        if exact(got, expected) {
            out.exact += 1;
        } else if report.diagnostics.iter().any(|d| d.concerns(path)) {
            out.flagged += 1;
            let table = path.split('.').next().unwrap_or_default();
            // A wrong number deserves an error, or a warning about its cell or row; a blank
            // may stand under a warning about the whole table.
            let number = matches!(got, Some(Cell::Number(_)));
            let strong = report.diagnostics.iter().any(|d| {
                d.concerns(path)
                    && match d.severity {
                        Severity::Error => true,
                        Severity::Warning => !number || d.cell.as_deref() != Some(table),
                        Severity::Info => false,
                    }
            });
            if !strong {
                let codes = report
                    .diagnostics
                    .iter()
                    .filter(|d| d.concerns(path))
                    .map(|d| {
                        format!(
                            "{:?} {} [{}]",
                            d.severity,
                            d.code,
                            d.cell.as_deref().unwrap_or("-")
                        )
                    })
                    .collect();
                out.weak.push((
                    Wrong {
                        path: path.clone(),
                        expected,
                        got,
                    },
                    codes,
                ));
            }
        } else {
            out.silent.push(Wrong {
                path: path.clone(),
                expected,
                got,
            });
        }
    }
    out
}

fn show_cell(c: Option<Cell>) -> String {
    match c {
        Some(Cell::Number(n)) => format!("{n}"),
        Some(Cell::Blank) => "blank".into(),
        Some(Cell::NotApplicable) => "n/a".into(),
        None => "missing".into(),
    }
}

/// A case for a person: layout, style, breakages, wrong cells, and the diagnostics (all of
/// them when `all`, else warnings and errors).
fn describe(
    n: usize,
    case: &Case,
    result: &Result<Report, nianbao::Error>,
    outcome: Option<&Outcome>,
    all: bool,
) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "case {n} (seed {:#x}), layout {} ({})",
        case_seed(n),
        case.layout.name(),
        case.style
    );
    if case.breakages.is_empty() {
        let _ = writeln!(s, "  breakages: none");
    }
    for b in &case.breakages {
        let _ = writeln!(s, "  breakage {} in {}: {}", b.kind.name(), b.table, b.detail);
    }
    match result {
        Err(e) => {
            let _ = writeln!(s, "  report_from_text failed: {e}");
        }
        Ok(report) => {
            for w in outcome.map_or(&[][..], |o| &o.silent[..]) {
                let _ = writeln!(
                    s,
                    "  SILENT WRONG {}: expected {}, got {}",
                    w.path,
                    w.expected,
                    show_cell(w.got)
                );
            }
            for (w, codes) in outcome.map_or(&[][..], |o| &o.weak[..]) {
                let _ = writeln!(
                    s,
                    "  weakly flagged {}: expected {}, got {}, named only by {}",
                    w.path,
                    w.expected,
                    show_cell(w.got),
                    codes.join("; ")
                );
            }
            for d in report
                .diagnostics
                .iter()
                .filter(|d| all || d.severity >= Severity::Warning)
            {
                let _ = writeln!(
                    s,
                    "  diagnostic {:?} {} [{}] line {:?}: {}",
                    d.severity,
                    d.code,
                    d.cell.as_deref().unwrap_or("-"),
                    d.line,
                    d.message
                );
            }
        }
    }
    s
}

fn failure_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("BREAKAGE_OUT") {
        return PathBuf::from(dir);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("breakage-failures")
}

fn env_usize(name: &str) -> Option<usize> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

#[test]
fn breakage_suite() {
    let started = Instant::now();
    let forms = Forms::builtin();
    let form = forms.get("2021").expect("the 2021 form");
    let paths = cell_paths(form);
    assert_eq!(paths.len(), 200, "the 2021 form has 200 cells");
    let only = env_usize("BREAKAGE_CASE");
    let seeds = env_usize("BREAKAGE_SEEDS").unwrap_or(SEEDS_PER_LAYOUT);
    let dump = std::env::var_os("BREAKAGE_DUMP").is_some();
    let heavy = env_usize("BREAKAGE_HEAVY");
    let total = Layout::ALL.len() * seeds;
    let dir = failure_dir();
    if only.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    std::fs::create_dir_all(&dir).expect("failure directory");

    let mut all = Tally::default();
    let mut by_layout: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut by_breakage: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut shown = Vec::new();
    let mut unprovoked: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut weak_examples = Vec::new();
    for n in 0..total {
        if only.is_some_and(|o| o != n) {
            continue;
        }
        let layout = Layout::ALL[n % Layout::ALL.len()];
        let mut rng = Rng::new(case_seed(n));
        let case = match heavy {
            Some(k) => document::build_with(form, layout, &mut rng, |t, r| {
                let count = r.range(k.div_ceil(2), k);
                breaks::apply_many(t, r, count)
            }),
            None => document::build(form, layout, &mut rng),
        };
        if only.is_some() {
            println!("{}", case.text);
        }
        let result = nianbao::report_from_text(&case.text, &forms, &Options::default());
        let outcome = result.as_ref().ok().map(|r| judge(&case, r, &paths));
        let o = outcome.as_ref().ok_or(());
        all.add(o, paths.len());
        by_layout.entry(layout.name()).or_default().add(o, paths.len());
        let mut kinds: Vec<&str> = case.breakages.iter().map(|b| b.kind.name()).collect();
        kinds.sort_unstable();
        kinds.dedup();
        if kinds.is_empty() {
            kinds.push("(none)");
        }
        for k in kinds {
            by_breakage.entry(k).or_default().add(o, paths.len());
        }
        if let Some(o) = &outcome {
            let mut seen: Vec<&String> = o.unprovoked.iter().collect();
            seen.sort_unstable();
            seen.dedup();
            for u in seen {
                let entry = unprovoked
                    .entry(format!("{} {u}", layout.name()))
                    .or_insert((0, n));
                entry.0 += 1;
            }
        }
        for (w, codes) in outcome.as_ref().map_or(&[][..], |o| &o.weak[..]) {
            if weak_examples.len() < SHOWN_FAILURES {
                weak_examples.push(format!(
                    "  case {n} {}: {} expected {}, got {}, named only by {}",
                    layout.name(),
                    w.path,
                    w.expected,
                    show_cell(w.got),
                    codes.join("; ")
                ));
            }
        }
        let failed = outcome.as_ref().is_none_or(|o| !o.silent.is_empty());
        let inexact = outcome.as_ref().is_some_and(|o| o.exact < paths.len());
        if failed || only.is_some() || (dump && inexact) {
            if failed || dump {
                let notes = describe(n, &case, &result, outcome.as_ref(), true);
                let _ = std::fs::write(dir.join(format!("case-{n}.txt")), &case.text);
                let _ = std::fs::write(dir.join(format!("case-{n}.notes.txt")), notes);
            }
            if (failed && shown.len() < SHOWN_FAILURES) || only.is_some() {
                shown.push(describe(n, &case, &result, outcome.as_ref(), only.is_some()));
            }
        }
    }

    println!(
        "\nbreakage suite: {} cases ({} layouts × {seeds} seeds), {} cells, {:.1}s",
        all.cases,
        Layout::ALL.len(),
        all.cells,
        started.elapsed().as_secs_f64()
    );
    println!(
        "  exact cells {} ({:.2}%), exact cases {} ({:.1}%)",
        all.exact_cells,
        pct(all.exact_cells, all.cells),
        all.exact_cases,
        pct(all.exact_cases, all.cases)
    );
    println!(
        "  cases with warning/error diagnostics {}, wrong-but-flagged cells {} ({} of them only by Info or table-wide warnings)",
        all.warned_cases, all.flagged_cells, all.weak_cells
    );
    println!(
        "  cases with warnings/errors about a table no breakage touched: {}",
        all.unprovoked_cases
    );
    println!(
        "  SILENT-WRONG cells {} in {} cases; failed cases (Err) {}",
        all.silent_cells, all.silent_cases, all.errors
    );
    let header = format!(
        "  {:<18} {:>5} {:>7} {:>8} {:>7} {:>7} {:>5}",
        "", "cases", "exact%", "cells%", "silentC", "silentN", "err"
    );
    for (title, table) in [
        ("by layout", &by_layout),
        ("by breakage (cases with it)", &by_breakage),
    ] {
        println!("{title}:\n{header}");
        for (name, t) in table {
            println!(
                "  {:<18} {:>5} {:>6.1}% {:>7.2}% {:>7} {:>7} {:>5}",
                name,
                t.cases,
                pct(t.exact_cases, t.cases),
                pct(t.exact_cells, t.cells),
                t.silent_cases,
                t.silent_cells,
                t.errors
            );
        }
    }
    if !weak_examples.is_empty() {
        println!(
            "wrong cells named only by Info or table-wide warnings (first {}):",
            weak_examples.len()
        );
        for w in &weak_examples {
            println!("{w}");
        }
    }
    if !unprovoked.is_empty() {
        println!("unprovoked diagnostics (layout, code [cell]: cases, first case):");
        for (what, (count, first)) in &unprovoked {
            println!("  {what}: {count}, case {first}");
        }
    }
    if !shown.is_empty() {
        let what = if only.is_some() {
            "the case"
        } else {
            "first failing cases"
        };
        println!("\n{what} (texts in {}):", dir.display());
        for s in &shown {
            println!("{s}");
        }
    }

    if only.is_none() {
        assert!(all.cases >= MIN_CASES, "only {} cases ran", all.cases);
    }
    assert_eq!(
        all.silent_cells,
        0,
        "{} silent-wrong cells in {} cases (see {})",
        all.silent_cells,
        all.silent_cases,
        dir.display()
    );
    assert_eq!(all.errors, 0, "{} cases failed to read", all.errors);
}

/// Swaps the printed values of two rows of table 三.
fn swap_rows(tables: &mut [TableText], a: &str, b: &str) {
    let table = tables
        .iter_mut()
        .find(|t| t.key == "applications")
        .expect("table 三");
    let find = |row: &str| {
        table
            .lines
            .iter()
            .position(|l| l.has_values() && l.row.as_deref() == Some(row))
            .expect("the row's line of values")
    };
    let (la, lb) = (find(a), find(b));
    let texts = |l: usize| -> Vec<String> {
        let cells = &table.lines[l].cells;
        cells
            .iter()
            .filter(|c| c.kind == Kind::Value)
            .map(|c| c.text.clone())
            .collect()
    };
    let (ta, tb) = (texts(la), texts(lb));
    for (l, new) in [(la, tb), (lb, ta)] {
        let values = table.lines[l].cells.iter_mut().filter(|c| c.kind == Kind::Value);
        for (cell, text) in values.zip(new) {
            cell.text = text;
        }
    }
}

/// The harness itself: two result rows with their values swapped still obey every rule, so no
/// reader can tell; the judge must report exactly their differing cells as silent-wrong.
#[test]
fn harness_sees_swapped_rows() {
    let forms = Forms::builtin();
    let form = forms.get("2021").expect("the 2021 form");
    let paths = cell_paths(form);
    let def = form.table("applications").expect("table 三");
    let r2 = form.rules.iter().find(|r| r.id == "R2").expect("rule R2");
    let leaves: Vec<String> = r2
        .rhs
        .iter()
        .flat_map(|p| def.rows_matching(p))
        .map(|i| format!("{}.{}", def.key, def.row(i).expect("row").def.key))
        .collect();
    let (a, b) = (&leaves[0], &leaves[1]);
    let mut checked = 0;
    for n in 0..20 {
        let mut rng = Rng::new(case_seed(n));
        let case = document::build_with(form, Layout::Tabs, &mut rng, |tables, _| {
            swap_rows(tables, a, b);
            Vec::new()
        });
        let differing: Vec<&String> = paths
            .iter()
            .filter(|p| {
                let col = p.rsplit_once('.').expect("cell path").1;
                p.starts_with(&format!("{a}.")) && {
                    case.truth.value(p) != case.truth.value(&format!("{b}.{col}"))
                }
            })
            .collect();
        if differing.is_empty() {
            continue;
        }
        let report = nianbao::report_from_text(&case.text, &forms, &Options::default()).expect("a report");
        let outcome = judge(&case, &report, &paths);
        let silent: Vec<&String> = outcome.silent.iter().map(|w| &w.path).collect();
        assert!(
            silent.len() == 2 * differing.len()
                && silent
                    .iter()
                    .all(|p| p.starts_with(&format!("{a}.")) || p.starts_with(&format!("{b}."))),
            "case {n}: swapped {a} and {b} ({} cells differ), judge found {silent:?}",
            differing.len()
        );
        checked += 1;
    }
    assert!(checked >= 5, "too few cases with differing rows: {checked}");
}
