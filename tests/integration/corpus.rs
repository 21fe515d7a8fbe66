//! The real-report corpus: real reports as people have them and whole reports in each shape
//! real text takes (`tests/fixtures/corpus/`, copied from `shared/corpus/`), scored cell by
//! cell as `shared/corpus/score.py` scores the binary.
//!
//! A cell is **exact** (equal to the hand-read value; `null` = no number in the input, or a
//! printed blank that comes back as the value R1–R4 force on it), **flagged** (wrong, but an
//! *error* diagnostic names it, its row or its table, or lists it in `cells`) or **silent**
//! (wrong and not flagged; a warning does not flag: it is a repair the tool believes right).
//! A **false alarm** is an error whose cell, row or table came out entirely exact; an
//! **exit-0 lie** is a file with flagged cells and no error. The test asserts none of the three
//! bad kinds, organization and year right on every file, and per kind at least the exact
//! cells reached so far (the floors below only ever go up).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use nianbao::diag::has_errors;
use nianbao::{Forms, Options, Severity};
use serde_json::Value;

/// Per kind (the file name up to its first `-`; `real` for the real reports): the fewest
/// exact cells allowed.
const FLOORS: &[(&str, usize)] = &[
    ("blank", 598),
    ("clean", 598),
    ("collapsed", 592),
    ("colorder", 598),
    ("concat", 598),
    ("decoy", 598),
    ("pipe", 598),
    ("real", 1520),
    ("redteam adcolperm", 398),
    ("redteam cellnote", 400),
    ("redteam appended", 400),
    ("redteam colperm", 400),
    ("redteam csv", 181),
    ("redteam docx", 200),
    ("redteam encoding", 198),
    ("redteam gbt", 200),
    ("redteam getText", 400),
    ("redteam heading", 600),
    ("redteam min", 200),
    ("redteam oneline", 200),
    ("redteam signs", 396),
    ("redteam t2endpage", 200),
    ("redteam t2narrow", 197),
    ("redteam zeromark", 200),
    ("signs", 598),
    ("split", 598),
    ("titles", 598),
];

#[derive(Default, Debug)]
struct Score {
    files: usize,
    cells: usize,
    determined: usize,
    determined_exact: usize,
    exact: usize,
    flagged: usize,
    silent: Vec<String>,
    alarms: Vec<String>,
    lies: Vec<String>,
    meta_wrong: Vec<String>,
}

fn flatten(v: &Value, prefix: &str, out: &mut BTreeMap<String, Option<f64>>) {
    if let Value::Object(map) = v {
        for (k, v) in map {
            let p = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            match v {
                Value::Object(_) => flatten(v, &p, out),
                other => {
                    out.insert(p, other.as_f64());
                }
            }
        }
    }
}

fn same(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() < 1e-6,
        (None, None) => true,
        _ => false,
    }
}

fn kind_of(dir: &str, stem: &str) -> String {
    if dir == "real" {
        "real".into()
    } else if dir == "../redteam" {
        format!("redteam {}", stem.split('-').next().unwrap_or(stem))
    } else {
        stem.split('-').next().unwrap_or(stem).to_string()
    }
}

fn score_file(path: &Path, expected: &Path, forms: &Forms, score: &mut Score) {
    let exp: Value = serde_json::from_str(&std::fs::read_to_string(expected).unwrap()).unwrap();
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let mut cells = BTreeMap::new();
    flatten(&exp["tables"], "", &mut cells);
    let mut blank = BTreeMap::new();
    flatten(&exp["blank_determined"], "", &mut blank);
    score.files += 1;
    score.cells += cells.len();
    score.determined += cells.values().filter(|v| v.is_some()).count();
    let report = match nianbao::read_report(path, forms, &Options::default()) {
        Ok(r) => r,
        Err(e) => {
            // A refusal with a reason flags every cell.
            score.flagged += cells.len();
            score.meta_wrong.push(format!("{name}: refused ({e})"));
            return;
        }
    };
    let out = serde_json::to_value(&report).unwrap();
    let mut got = BTreeMap::new();
    flatten(&out["tables"], "", &mut got);
    let mut flags = BTreeSet::new();
    for d in report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
    {
        flags.extend(d.cell.iter().cloned());
        flags.extend(d.cells.iter().cloned());
    }
    let mut exact = BTreeSet::new();
    let mut flagged = 0;
    for (p, want) in &cells {
        let have = got.get(p).copied().flatten();
        let row = p.rsplit_once('.').map_or(p.as_str(), |x| x.0);
        let table = p.split('.').next().unwrap_or_default();
        if same(*want, have) || (want.is_none() && blank.get(p).is_some_and(|b| same(*b, have))) {
            exact.insert(p.clone());
            if want.is_some() {
                score.determined_exact += 1;
            }
        } else if flags.contains(p) || flags.contains(row) || flags.contains(table) {
            flagged += 1;
        } else {
            score
                .silent
                .push(format!("{name}: {p} expected {want:?}, got {have:?}"));
        }
    }
    score.exact += exact.len();
    score.flagged += flagged;
    if flagged > 0 && !has_errors(&report.diagnostics) {
        score.lies.push(name.clone());
    }
    for d in report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
    {
        let Some(mut c) = d.cell.clone() else { continue };
        if cells.contains_key(&c) {
            c = c.rsplit_once('.').map_or(c.clone(), |x| x.0.to_string());
        }
        let covered: Vec<&String> = cells
            .keys()
            .filter(|p| **p == c || p.starts_with(&format!("{c}.")))
            .collect();
        if !covered.is_empty() && covered.iter().all(|p| cells[*p].is_some() && exact.contains(*p)) {
            score
                .alarms
                .push(format!("{name}: {} [{c}] {}", d.code, d.message));
        }
    }
    for key in ["organization", "year", "form"] {
        let Some(want) = exp.get(key) else { continue };
        let have = match key {
            "organization" => report.organization.as_deref().map(|s| Value::from(s.trim())),
            "year" => report.year.map(Value::from),
            _ => Some(Value::from(report.form.clone())),
        }
        .unwrap_or(Value::Null);
        if &have != want {
            score
                .meta_wrong
                .push(format!("{name}: {key} expected {want}, got {have}"));
        }
    }
}

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus")
}

#[test]
fn corpus_scores() {
    let forms = Forms::builtin();
    let mut by_kind: BTreeMap<String, Score> = BTreeMap::new();
    // `../redteam`: inputs outside the corpus, in shapes that once came out wrong.
    for dir in ["real", "shapes", "../redteam"] {
        let base = corpus_dir().join(dir);
        let mut names: Vec<_> = std::fs::read_dir(&base)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        names.sort();
        for path in names.into_iter().filter(|p| p.is_file()) {
            let stem = path.file_stem().unwrap().to_string_lossy().to_string();
            let expected = base.join("expected").join(format!("{stem}.json"));
            if !expected.is_file() {
                continue;
            }
            let score = by_kind.entry(kind_of(dir, &stem)).or_default();
            score_file(&path, &expected, &forms, score);
        }
    }
    let mut problems = Vec::new();
    let (mut det, mut det_exact, mut silent) = (0, 0, 0);
    println!("\ncorpus (tests/fixtures/corpus):");
    for (kind, s) in &by_kind {
        det += s.determined;
        det_exact += s.determined_exact;
        silent += s.silent.len();
        println!(
            "  {kind:<10} {:>2} files {:>5} exact {:>5} flagged {:>3} silent / {:>5}  determined exact {:5.1}%  alarms {}  lies {}  metadata wrong {}",
            s.files,
            s.exact,
            s.flagged,
            s.silent.len(),
            s.cells,
            100.0 * s.determined_exact as f64 / s.determined.max(1) as f64,
            s.alarms.len(),
            s.lies.len(),
            s.meta_wrong.len()
        );
        let floor = FLOORS.iter().find(|f| f.0 == kind).map_or(0, |f| f.1);
        if s.exact < floor {
            problems.push(format!(
                "{kind}: {} exact cells, fewer than the {floor} reached before",
                s.exact
            ));
        }
        problems.extend(s.silent.iter().map(|x| format!("silent {x}")));
        problems.extend(s.alarms.iter().map(|x| format!("false alarm {x}")));
        problems.extend(s.lies.iter().map(|x| format!("exit 0 with doubtful cells: {x}")));
        problems.extend(s.meta_wrong.iter().cloned());
    }
    println!(
        "  TOTAL determined exact {:.1}% ({det_exact}/{det}), {silent} silent",
        100.0 * det_exact as f64 / det.max(1) as f64
    );
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
