//! Hostile input outside the document readers (issue 13): JSON input, `--forms`, `--style`,
//! `--font-dir`, the numeric options, figures beyond any count, and the title's layout. Each
//! case runs the binary under a deadline, so a hang fails the test instead of CI.

use crate::common;

use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use common::{fixture, stderr};
use serde_json::Value;

/// Runs `nianbao args` in `dir` under the deadline, without the system's fonts.
fn run(args: &[&str], dir: &Path) -> Output {
    common::nianbao_within(args, dir, &[("NIANBAO_NO_SYSTEM_FONTS", "1")]).0
}

/// Exit 2 with one line on stderr holding every one of `words`.
fn assert_refused(o: &Output, words: &[&str]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "one line: {err}");
    for w in words {
        assert!(lines[0].contains(w), "{w:?} not in {err}");
    }
}

/// A report JSON with the given title and the cell `active_disclosure.regulations.issued`.
fn report_json(title: &str, issued: &str) -> String {
    format!(
        r#"{{"form": "2021", "title": {}, "organization": "某某县人民政府", "year": 2023,
            "sections": [], "tables": {{"active_disclosure": {{"regulations": {{"issued": {issued}}}}}}}}}"#,
        serde_json::to_string(title).unwrap()
    )
}

/// A form-file case: its name, how the built-in form text is spoiled, words of the refusal.
type FormCase = (&'static str, fn(&str) -> String, &'static [&'static str]);

#[test]
fn json_input_obeys_the_input_limit_even_from_a_device() {
    let dir = tempfile::tempdir().unwrap();
    // A `*.json` that is /dev/zero: read through a cap, refused at the limit.
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.json")).unwrap();
    let o = run(&["convert", "zero.json", "-o", "out/"], dir.path());
    assert_refused(&o, &["zero.json", "larger than 64 MB"]);
    // A regular JSON file over --max-input-mb is refused before it is read.
    let big = report_json(&"年".repeat(10), &format!("1{}", " ".repeat(2 << 20)));
    std::fs::write(dir.path().join("big.json"), big).unwrap();
    let o = run(
        &["convert", "big.json", "--max-input-mb", "1", "-o", "out/"],
        dir.path(),
    );
    assert_refused(&o, &["big.json", "larger than 1 MB"]);
    // The batch beside it goes on.
    std::fs::create_dir(dir.path().join("in")).unwrap();
    std::fs::rename(dir.path().join("big.json"), dir.path().join("in/big.json")).unwrap();
    std::fs::write(
        dir.path().join("in/good.json"),
        report_json("某某县人民政府2023年政府信息公开工作年度报告", "1"),
    )
    .unwrap();
    let o = run(
        &["convert", "in", "--max-input-mb", "1", "-o", "out/"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(dir.path().join("out/good.json").is_file());
}

#[test]
fn a_json_title_beyond_the_budget_is_refused_and_one_within_it_sets_quickly() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("long.json"),
        report_json(&"长".repeat(5_000_000), "1"),
    )
    .unwrap();
    let o = run(&["convert", "long.json", "--to", "pdf", "-o", "out/"], dir.path());
    assert_refused(&o, &["long.json", "title", "5000000 characters", "300"]);

    // 300 characters: set on a few centred lines, a PDF written.
    let title = format!("某某县人民政府2023年政府信息公开工作年度报告{}", "附".repeat(275));
    std::fs::write(dir.path().join("ok.json"), report_json(&title, "1")).unwrap();
    let start = Instant::now();
    let o = run(&["convert", "ok.json", "--to", "pdf", "-o", "out/"], dir.path());
    assert!(o.status.code() != Some(2), "{}", stderr(&o));
    assert!(dir.path().join("out/ok.pdf").is_file());
    assert!(start.elapsed() < Duration::from_secs(30));
}

#[test]
fn json_text_beyond_its_budgets_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let with_sections = |sections: Value| {
        let mut v: Value =
            serde_json::from_str(&report_json("某某县人民政府2023年政府信息公开工作年度报告", "1")).unwrap();
        v["sections"] = sections;
        v.to_string()
    };
    let long = serde_json::json!([{"key": null, "heading": null,
        "blocks": [{"type": "paragraph", "text": "文".repeat(1_200_000)}]}]);
    let many = Value::Array(
        (0..2000)
            .map(|_| serde_json::json!({"key": null, "heading": null, "blocks": [{"type": "table", "table": "applications"}]}))
            .collect(),
    );
    let blocks = serde_json::json!([{"key": null, "heading": null,
        "blocks": vec![serde_json::json!({"type": "paragraph", "text": "x"}); 30_000]}]);
    for (name, sections, words) in [
        ("long.json", long, &["1200000 characters", "1000000"][..]),
        ("many.json", many, &["2000 sections", "64"][..]),
        ("blocks.json", blocks, &["30000 blocks", "20000"][..]),
    ] {
        std::fs::write(dir.path().join(name), with_sections(sections)).unwrap();
        let o = run(&["convert", name, "--to", "pdf", "-o", "out/"], dir.path());
        let mut all = vec![name];
        all.extend_from_slice(words);
        assert_refused(&o, &all);
    }
}

#[test]
fn a_figure_beyond_any_count_is_no_number_anywhere() {
    let dir = tempfile::tempdir().unwrap();
    // In JSON input: refused, naming the cell (never read as blank).
    for (name, figure) in [
        ("e300.json", "1e300".to_string()),
        ("digits.json", "9".repeat(400)),
    ] {
        std::fs::write(
            dir.path().join(name),
            report_json("某某县人民政府2023年政府信息公开工作年度报告", &figure),
        )
        .unwrap();
        let o = run(&["convert", name, "-o", "out/"], dir.path());
        assert_refused(&o, &[name, "regulations"]);
    }

    // In a text report: the cell unresolved, with an error naming it; no `inf` in any output.
    let text = std::fs::read_to_string(fixture("000_7a31bcbeafe9deac.txt")).unwrap();
    for digits in [400, 1_000_000] {
        let figure = "7".repeat(digits);
        let hostile = text.replacen(
            "行政规范性文件\t5\t0\t50",
            &format!("行政规范性文件\t5\t0\t{figure}"),
            1,
        );
        assert_ne!(hostile, text);
        std::fs::write(dir.path().join("long.txt"), &hostile).unwrap();
        let o = run(
            &["convert", "long.txt", "--to", "json,md", "-o", "out/", "--force"],
            dir.path(),
        );
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let json = std::fs::read_to_string(dir.path().join("out/long.json")).unwrap();
        let md = std::fs::read_to_string(dir.path().join("out/long.md")).unwrap();
        // As a word: `inferred` and `information` are fine.
        let words = |s: &str| {
            s.split(|c: char| !c.is_ascii_alphanumeric())
                .any(|w| w.eq_ignore_ascii_case("inf") || w.eq_ignore_ascii_case("nan"))
        };
        assert!(!words(&md) && !words(&json), "inf or NaN written");
        let v: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(
            v["tables"]["active_disclosure"]["normative_documents"]["in_force"],
            Value::Null
        );
        let path = "active_disclosure.normative_documents.in_force";
        let names = |v: &Value| {
            v["diagnostics"].as_array().unwrap().iter().any(|d| {
                d["severity"] == "error"
                    && (d["cell"].as_str().is_some_and(|c| path.starts_with(c))
                        || d["cells"]
                            .as_array()
                            .is_some_and(|cs| cs.iter().any(|c| c == path)))
            })
        };
        assert!(names(&v), "{json}");

        // The round trip keeps the doubt: the cell is still blank, and still named.
        std::fs::write(dir.path().join("again.json"), &json).unwrap();
        let o = run(&["convert", "again.json", "-o", "back/", "--force"], dir.path());
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let back: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join("back/again.json")).unwrap())
                .unwrap();
        assert!(names(&back), "{back}");
    }
}

/// The 2021 form with `edit` applied to its text.
fn form_with(dir: &Path, edit: impl Fn(&str) -> String) {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/forms/2021.toml"))
            .unwrap();
    let edited = edit(&text);
    assert_ne!(edited, text);
    let forms = dir.join("forms");
    std::fs::create_dir_all(&forms).unwrap();
    std::fs::write(forms.join("2021.toml"), edited).unwrap();
}

#[test]
fn a_broken_form_file_is_refused_with_the_field_named() {
    let cases: [FormCase; 6] = [
        (
            "cycle",
            |t| {
                t.replace(
                    r#"{ id = "results", label"#,
                    r#"{ id = "results", parent = "other", label"#,
                )
            },
            &["applications", "results", "cycle"],
        ),
        (
            "rowspan",
            |t| t.replace("colspan = 3, rowspan = 3", "colspan = 3, rowspan = 1000000000"),
            &["header[0][0]", "rowspan = 1000000000"],
        ),
        (
            "colspan",
            |t| {
                t.replace(
                    r#"{ text = "申请人情况", colspan = 7 }"#,
                    r#"{ text = "申请人情况", colspan = 1000000000000 }"#,
                )
            },
            &["header[0][1]", "colspan"],
        ),
        (
            "label columns",
            |t| t.replace("label_columns = 3", "label_columns = 1000000000000"),
            &["applications", "label_columns = 1000000000000"],
        ),
        (
            "duplicate",
            |t| {
                t.replacen(
                    r#"{ key = "commercial", label = "商业企业" },"#,
                    r#"{ key = "commercial", label = "商业企业" }, { key = "commercial", label = "x" },"#,
                    1,
                )
            },
            &["columns", "commercial twice"],
        ),
        (
            "unknown parent",
            |t| {
                t.replace(
                    r#"label = "（三）不予公开", parent = "results""#,
                    r#"label = "（三）不予公开", parent = "nowhere""#,
                )
            },
            &["withheld", "nowhere"],
        ),
    ];
    for (what, edit, words) in cases {
        let dir = tempfile::tempdir().unwrap();
        form_with(dir.path(), edit);
        std::fs::copy(fixture("000_7a31bcbeafe9deac.txt"), dir.path().join("a.txt")).unwrap();
        let o = run(
            &[
                "convert", "a.txt", "--forms", "forms", "--to", "pdf", "-o", "out/",
            ],
            dir.path(),
        );
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{what}: {err}");
        assert_eq!(err.lines().count(), 1, "{what}: {err}");
        assert!(err.contains("2021.toml"), "{what}: {err}");
        for w in words {
            assert!(err.contains(w), "{what}: {w:?} not in {err}");
        }
    }
}

#[test]
fn style_numbers_out_of_physical_sense_are_refused_with_the_field_named() {
    let builtin =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/styles/gbt9704.toml"))
            .unwrap();
    let cases = [
        ("width_mm = 210.0", "width_mm = 0.0", "page.width_mm"),
        ("width_mm = 210.0", "width_mm = nan", "page.width_mm"),
        ("height_mm = 297.0", "height_mm = inf", "page.height_mm"),
        (
            "margin_left_mm = 28.0",
            "margin_left_mm = -5.0",
            "page.margin_left_mm",
        ),
        (
            "margin_left_mm = 28.0",
            "margin_left_mm = 170.0",
            "page.margin_left_mm",
        ),
        (
            "margin_top_mm = 37.0",
            "margin_top_mm = 250.0",
            "page: the margins leave a text block",
        ),
        (
            "line_pitch_pt = 28.95",
            "line_pitch_pt = 0.0",
            "page.line_pitch_pt",
        ),
        (
            "line_pitch_pt = 28.95",
            "line_pitch_pt = -inf",
            "page.line_pitch_pt",
        ),
        ("lines_per_page = 22", "lines_per_page = 0", "page.lines_per_page"),
        ("size_pt = 22.0", "size_pt = nan", "elements.title.size_pt"),
        ("size_pt = 22.0", "size_pt = 1000.0", "elements.title.size_pt"),
        ("size_pt = 9.0", "size_pt = 0.0", "elements.table_small.size_pt"),
        (
            "widths_mm = [39.0, 39.0",
            "widths_mm = [-39.0, 39.0",
            "tables.active_disclosure.widths_mm[0]",
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("000_7a31bcbeafe9deac.txt"), dir.path().join("a.txt")).unwrap();
    for (from, to, field) in cases {
        let style = builtin.replacen(from, to, 1);
        assert_ne!(style, builtin, "{from}");
        std::fs::write(dir.path().join("s.toml"), style).unwrap();
        let o = run(
            &[
                "convert", "a.txt", "--style", "s.toml", "--to", "pdf", "-o", "out/",
            ],
            dir.path(),
        );
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{to}: {err}");
        assert_eq!(err.lines().count(), 1, "{to}: {err}");
        assert!(err.contains("s.toml") && err.contains(field), "{to}: {err}");
        assert!(!dir.path().join("out/a.pdf").exists(), "{to}");
    }
    // The built-in style itself, written out, is accepted.
    std::fs::write(dir.path().join("s.toml"), &builtin).unwrap();
    let o = run(
        &[
            "convert", "a.txt", "--style", "s.toml", "--to", "pdf", "-o", "out/",
        ],
        dir.path(),
    );
    assert!(o.status.code() != Some(2), "{}", stderr(&o));
    assert!(dir.path().join("out/a.pdf").is_file());
}

/// Writes into `fonts` two crafted collections: a TTC header declaring 2^32 − 1 faces with
/// room for three offsets, and one declaring 1000 faces with all their offsets (pointing at
/// nothing).
fn write_crafted_collections(fonts: &Path) {
    std::fs::create_dir_all(fonts).unwrap();
    let mut ttc = b"ttcf\0\x01\0\0\xff\xff\xff\xff".to_vec();
    ttc.extend_from_slice(&[0u8; 12]);
    std::fs::write(fonts.join("evil.ttc"), &ttc).unwrap();
    let mut many = b"ttcf\0\x01\0\0\0\0\x03\xe8".to_vec();
    many.extend(std::iter::repeat_n(0u8, 4 * 1000));
    std::fs::write(fonts.join("many.otc"), &many).unwrap();
}

#[test]
fn a_crafted_font_collection_among_the_system_fonts_is_skipped_not_walked() {
    let dir = tempfile::tempdir().unwrap();
    let fonts = dir.path().join("fonts");
    write_crafted_collections(&fonts);
    // The system's fonts, as fontconfig names them: only that folder.
    let conf = dir.path().join("fonts.conf");
    std::fs::write(
        &conf,
        format!(
            "<?xml version=\"1.0\"?><fontconfig><dir>{}</dir></fontconfig>",
            fonts.display()
        ),
    )
    .unwrap();
    let index = dir.path().join("index.json");
    std::fs::copy(fixture("000_7a31bcbeafe9deac.txt"), dir.path().join("a.txt")).unwrap();
    let (o, took) = common::nianbao_within(
        &["convert", "a.txt", "--to", "pdf", "-o", "out/"],
        dir.path(),
        &[
            ("FONTCONFIG_FILE", conf.to_str().unwrap()),
            ("NIANBAO_FONT_INDEX", index.to_str().unwrap()),
        ],
    );
    assert!(took < Duration::from_secs(30), "{took:?}");
    assert!(o.status.code() != Some(2), "{}", stderr(&o));
    assert!(dir.path().join("out/a.pdf").is_file());
    // The system was scanned (the index written) and neither collection offered a face.
    let index = std::fs::read_to_string(&index).unwrap();
    assert!(
        index.contains("fonts.conf") && !index.contains("evil.ttc"),
        "{index}"
    );
}

#[test]
fn a_font_collection_declaring_too_many_faces_is_skipped_not_walked() {
    let dir = tempfile::tempdir().unwrap();
    let fonts = dir.path().join("fonts");
    write_crafted_collections(&fonts);
    std::fs::copy(fixture("000_7a31bcbeafe9deac.txt"), dir.path().join("a.txt")).unwrap();
    let start = Instant::now();
    let o = run(
        &[
            "convert",
            "a.txt",
            "--font-dir",
            "fonts",
            "--to",
            "pdf,json",
            "-o",
            "out/",
        ],
        dir.path(),
    );
    assert!(start.elapsed() < Duration::from_secs(30));
    assert!(o.status.code() != Some(2), "{}", stderr(&o));
    assert!(dir.path().join("out/a.pdf").is_file());

    // A --font-dir that is not there is refused.
    let o = run(
        &[
            "convert",
            "a.txt",
            "--font-dir",
            "/nonexistent/nianbao",
            "-o",
            "x/",
        ],
        dir.path(),
    );
    assert_refused(&o, &["/nonexistent/nianbao"]);
}

#[test]
fn numeric_options_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("000_7a31bcbeafe9deac.txt"), dir.path().join("a.txt")).unwrap();
    // --max-input-mb at 2^44 and beyond overflowed the byte count (every input "empty").
    for mb in ["17592186044416", "18446744073709551615", "0"] {
        let o = run(
            &["convert", "a.txt", "--max-input-mb", mb, "-o", "out/"],
            dir.path(),
        );
        assert_eq!(o.status.code(), Some(2), "{mb}: {}", stderr(&o));
        assert!(stderr(&o).contains("--max-input-mb"), "{}", stderr(&o));
    }
    let o = run(
        &["convert", "a.txt", "--max-input-mb", "1024", "-o", "out/"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(dir.path().join("out/a.json").is_file());

    // --jobs 100000: capped with a note, and the batch runs.
    let o = run(
        &["convert", "a.txt", "--jobs", "100000", "-o", "jobs/"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("capped"), "{}", stderr(&o));
    assert!(dir.path().join("jobs/a.json").is_file());
    let o = run(
        &["extract", "a.txt", "--jobs", "100000", "-o", "a.csv"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn full_width_figures_in_the_prose_are_read() {
    let forms = nianbao::Forms::builtin();
    let mut report = common::report_2019();
    let received = report
        .tables
        .cell("applications.new_received.total")
        .and_then(|c| c.number())
        .unwrap();
    let full: String = common_fullwidth(received as u64);
    let say = |report: &mut nianbao::Report, n: &str| {
        report.sections[0].blocks = vec![nianbao::model::Block::Paragraph {
            text: format!("本年度共收到政府信息公开申请{n}件。"),
        }];
    };
    say(&mut report, &full);
    let diags = nianbao::normalize::validate::check(forms.get("2019").unwrap(), &report);
    assert!(!diags.iter().any(|d| d.code == "R7"), "{diags:?}");
    say(&mut report, &common_fullwidth(received as u64 + 1));
    let diags = nianbao::normalize::validate::check(forms.get("2019").unwrap(), &report);
    assert!(diags.iter().any(|d| d.code == "R7"), "{diags:?}");

    // A year written in full-width digits is the report's year.
    let text = std::fs::read_to_string(fixture("000_7a31bcbeafe9deac.txt")).unwrap();
    let full_year = text.replacen(
        "登封市人民政府办公室 2023 年",
        "登封市人民政府办公室 ２０２３ 年",
        1,
    );
    assert_ne!(full_year, text);
    let r = nianbao::report_from_text(&full_year, &forms, &nianbao::Options::default()).unwrap();
    assert_eq!(r.year, Some(2023));
}

fn common_fullwidth(n: u64) -> String {
    n.to_string()
        .chars()
        .map(|c| char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap())
        .collect()
}

/// A style or form file that is no TOML: one line naming the file once, with the line and
/// column of the fault (the TOML parser's own message spans five lines with a snippet).
#[test]
fn a_style_or_form_file_that_is_no_toml_is_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(fixture("000_7a31bcbeafe9deac.txt"), d.join("a.txt")).unwrap();
    std::fs::write(d.join("s.toml"), "[page]\nwidth_mm = \n[[").unwrap();
    std::fs::create_dir(d.join("forms")).unwrap();
    std::fs::write(d.join("forms/f.toml"), "[page]\nwidth_mm = \n[[").unwrap();
    for (args, words) in [
        (
            &["convert", "a.txt", "--style", "s.toml", "-o", "x/"][..],
            &["s.toml", "样式文件无效", "invalid style"][..],
        ),
        (
            &["convert", "a.txt", "--forms", "forms", "-o", "x/"],
            &["f.toml", "表格定义无效", "invalid form definition"],
        ),
    ] {
        let o = run(args, d);
        assert_refused(&o, words);
        assert!(stderr(&o).contains("line 2, column 12"), "{}", stderr(&o));
        let name = words[0];
        assert_eq!(stderr(&o).matches(name).count(), 1, "{}", stderr(&o));
    }
}
