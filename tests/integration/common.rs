//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use serde_json::Value;

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The seed reports: (stem, path).
pub fn seeds() -> Vec<(String, PathBuf)> {
    let mut out: Vec<_> = std::fs::read_dir(fixture(""))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .map(|p| (p.file_stem().unwrap().to_string_lossy().into_owned(), p))
        .collect();
    out.sort();
    out
}

/// A nested JSON object flattened to `a.b.c` paths.
pub fn flatten(value: &Value) -> Vec<(String, Value)> {
    fn walk(prefix: &str, v: &Value, out: &mut Vec<(String, Value)>) {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    let p = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&p, v, out);
                }
            }
            other => out.push((prefix.to_string(), other.clone())),
        }
    }
    let mut out = Vec::new();
    walk("", value, &mut out);
    out
}

/// Every cell of `expected` (a `tables` object) against the report's, as mismatch lines.
pub fn table_mismatches(report: &nianbao::Report, expected: &Value) -> Vec<String> {
    let got = serde_json::to_value(&report.tables).unwrap();
    let got: std::collections::HashMap<String, Value> = flatten(&got).into_iter().collect();
    let mut bad = Vec::new();
    for (path, want) in flatten(expected) {
        let have = got
            .get(&path)
            .cloned()
            .unwrap_or(Value::String("<missing>".into()));
        let same = match (have.as_f64(), want.as_f64()) {
            (Some(a), Some(b)) => (a - b).abs() < 1e-9,
            _ => have == want,
        };
        if !same {
            bad.push(format!("{path}: expected {want}, got {have}"));
        }
    }
    bad
}

pub fn read(path: &Path) -> nianbao::Report {
    nianbao::read_report(path, &nianbao::Forms::builtin(), &nianbao::Options::default())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The command that runs the `nianbao` binary with `args` in `dir`: the one cargo built for
/// these tests, or the one `NIANBAO_BIN` names (to run the suite against a release build).
/// With `NIANBAO_MEASURE=FILE` set, each run goes through GNU time, which appends its wall
/// time in seconds, peak resident memory in KiB, the folder and the arguments to FILE: the
/// hostile-input timings of issue 13 come from there (`.ci/measure-hostile`).
pub fn nianbao_command(args: &[&str], dir: &Path) -> std::process::Command {
    let bin = std::env::var_os("NIANBAO_BIN")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_nianbao").into());
    let mut cmd = match std::env::var_os("NIANBAO_MEASURE") {
        Some(log) => {
            let mut c = std::process::Command::new("/usr/bin/time");
            let label = dir.file_name().unwrap_or_default().to_string_lossy().into_owned();
            c.arg("-a")
                .arg("-o")
                .arg(log)
                .arg("-f")
                .arg(format!("%e\t%M\t{label}\t{}", args.join(" ").replace('%', "%%")))
                .arg(bin);
            c
        }
        None => std::process::Command::new(bin),
    };
    cmd.args(args).current_dir(dir);
    cmd
}

/// Runs the `nianbao` binary in `dir`.
pub fn nianbao(args: &[&str], dir: &Path) -> std::process::Output {
    nianbao_command(args, dir).output().unwrap()
}

/// The longest a test lets the binary run: past it the child is killed and the test fails,
/// so a hang fails a test rather than CI.
pub const DEADLINE: std::time::Duration = std::time::Duration::from_secs(60);

/// Runs the `nianbao` binary in `dir` with `envs` set and standard input closed, under
/// [`DEADLINE`]; its output and how long it took. The pipes are drained on their own threads,
/// so a chatty child cannot stall on a full pipe.
pub fn nianbao_within(
    args: &[&str],
    dir: &Path,
    envs: &[(&str, &str)],
) -> (std::process::Output, std::time::Duration) {
    use std::process::Stdio;
    let start = std::time::Instant::now();
    let mut child = nianbao_command(args, dir)
        .envs(envs.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let drain = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            pipe.read_to_end(&mut v).ok();
            v
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > DEADLINE {
            child.kill().ok();
            child.wait().ok();
            panic!("nianbao {args:?} did not finish within {DEADLINE:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let took = start.elapsed();
    let output = std::process::Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    };
    (output, took)
}

pub fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A 2019-form report built by hand: every cell a different number (table 二's 本年增/减
/// negative), table 四's totals adding up as a real report's do.
pub fn report_2019() -> nianbao::Report {
    use nianbao::Report;
    use nianbao::model::{Block, Cell, Section, Table, Tables};
    let forms = nianbao::Forms::builtin();
    let form = forms.get("2019").expect("the 2019 form");
    let mut tables = Tables::empty(form);
    let mut n = 0.0;
    for def in &form.tables {
        let table: &mut Table = tables.get_mut(&def.key).unwrap();
        for row in def.rows() {
            for (c, col) in row.block.columns.iter().enumerate() {
                n += 1.0;
                let v = if col.signed { -n } else { n };
                table.set(row.index, c, Cell::Number(v));
            }
        }
    }
    // Table 四's totals add up (R4), as a real report's do.
    let review = tables.get_mut("review_litigation").unwrap();
    for row in &mut review.rows {
        let sum: f64 = row
            .cells
            .iter()
            .filter(|c| c.0 != "total")
            .filter_map(|c| c.1.number())
            .sum();
        if let Some(total) = row.cells.iter_mut().find(|c| c.0 == "total") {
            total.1 = Cell::Number(sum);
        }
    }
    let mut sections = vec![Section {
        key: None,
        heading: None,
        blocks: vec![Block::Paragraph {
            text: "本报告依据《中华人民共和国政府信息公开条例》编制。".into(),
        }],
    }];
    for sec in &form.sections {
        let mut blocks = Vec::new();
        match form.tables.iter().find(|t| t.section == sec.key) {
            Some(t) => blocks.push(Block::Table { table: t.key.clone() }),
            None => blocks.push(Block::Paragraph {
                text: "本年度工作情况良好，无其他需要报告的事项。".into(),
            }),
        }
        sections.push(Section {
            key: Some(sec.key.clone()),
            heading: Some(sec.title()),
            blocks,
        });
    }
    Report {
        form: "2019".into(),
        title: Some("某某县人民政府2020年政府信息公开工作年度报告".into()),
        organization: Some("某某县人民政府".into()),
        year: Some(2020),
        sections,
        tables,
        not_applicable: Vec::new(),
        diagnostics: Vec::new(),
    }
}

/// The Huaian report's tables, read off the published PDF by hand.
pub fn huaian_expected() -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(fixture("huaian-2024/expected-tables.json")).unwrap())
        .unwrap()
}

/// The Huaian report came back whole: every cell, its issuing body and year, no error.
pub fn assert_whole_huaian(report: &nianbao::Report) {
    let bad = table_mismatches(report, &huaian_expected()["tables"]);
    assert!(bad.is_empty(), "{} wrong:\n{}", bad.len(), bad.join("\n"));
    assert_eq!(report.organization.as_deref(), Some("淮安市人民政府"));
    assert_eq!(report.year, Some(2024));
    assert!(
        !nianbao::diag::has_errors(&report.diagnostics),
        "{:#?}",
        report.diagnostics
    );
}

/// A PDF from its objects' bodies, numbered from 1 (object 1 is the catalog), with a
/// classic cross-reference table.
pub fn pdf_of_objects<O: AsRef<[u8]>>(objs: &[O]) -> Vec<u8> {
    let mut out = b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objs.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n", i + 1).bytes());
        out.extend_from_slice(o.as_ref());
        out.extend(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objs.len() + 1).bytes());
    for o in offsets {
        out.extend(format!("{o:010} 00000 n \n").bytes());
    }
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objs.len() + 1
        )
        .bytes(),
    );
    out
}

/// Asserts that a run on the input `name` was refused as the hostile-input tests require:
/// exit 2, no panic, one line on stderr naming the file and holding `reason`.
pub fn assert_one_line_refusal(code: Option<i32>, err: &str, name: &str, reason: &str) {
    assert_eq!(code, Some(2), "{name}: {err}");
    assert!(!err.contains("panicked"), "{name}: {err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "{name}: one line: {err}");
    assert!(
        lines[0].contains(name) && lines[0].contains(reason),
        "{name}: {err}"
    );
}

/// DejaVu Serif (a TrueType face), where the machine has it, and the built-in style with the
/// body's families replaced by it: a PDF set in a TrueType rather than a CFF face.
pub fn dejavu_style() -> Option<(PathBuf, nianbao::style::Style)> {
    let ttf = PathBuf::from("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf");
    if !ttf.is_file() {
        return None;
    }
    let text = include_str!("../../templates/styles/gbt9704.toml").replace(
        "\"仿宋_GB2312\", \"FangSong_GB2312\", \"仿宋\", \"FangSong\", \"STFangsong\"",
        "\"DejaVu Serif\"",
    );
    Some((ttf, nianbao::style::Style::parse("test.toml", &text).unwrap()))
}
