//! Input formats: text encodings (GB18030, UTF-16 with BOM), saved HTML pages, Markdown with
//! embedded HTML tables (as MinerU writes it), the 2019 trial form, and the JSON Schema that
//! every JSON nianbao writes must satisfy.

use crate::common;

use crate::support;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{fixture, huaian_expected, read, seeds, table_mismatches};
use nianbao::form::{Form, Layout as TableLayout, TableDef};
use nianbao::read::{RawBlock, ReadOptions};
use nianbao::{Error, ErrorKind, Forms, Options, Report, Severity};
use serde_json::Value;

fn input(name: &str) -> PathBuf {
    fixture(&format!("inputs/{name}"))
}

fn read_with(path: &Path, encoding: Option<&str>) -> Result<Report, Error> {
    nianbao::read_report_with(
        path,
        &Forms::builtin(),
        &Options::default(),
        &ReadOptions {
            encoding: encoding.map(str::to_string),
            ..Default::default()
        },
    )
}

/// Every expected cell is right, or the cell is named by a diagnostic; returns the mismatches.
fn never_silently_wrong(name: &str, report: &Report, expected: &Value) -> Vec<String> {
    let bad = table_mismatches(report, expected);
    for line in &bad {
        let path = line.split(':').next().unwrap();
        assert!(
            report.diagnostics.iter().any(|d| d.concerns(path)),
            "{name}: silently wrong: {line}"
        );
    }
    bad
}

#[test]
fn gb18030_and_utf16_copies_give_identical_tables() {
    let expected = huaian_expected();
    let utf8 = read(&fixture("huaian-2024/layout.txt"));
    for (name, encoding) in [
        ("huaian-gb18030.txt", "gb18030"),
        ("huaian-utf16le.txt", "UTF-16LE"),
        ("huaian-utf16be.txt", "UTF-16BE"),
    ] {
        let report = read(&input(name));
        let bad = table_mismatches(&report, &expected["tables"]);
        assert!(bad.is_empty(), "{name}:\n{}", bad.join("\n"));
        assert_eq!(report.tables, utf8.tables, "{name}");
        assert_eq!(report.sections, utf8.sections, "{name}");
        assert_eq!(report.organization.as_deref(), Some("淮安市人民政府"));
        let note = report
            .diagnostics
            .iter()
            .find(|d| d.code == "encoding_detected")
            .unwrap_or_else(|| panic!("{name}: no encoding_detected note"));
        assert_eq!(note.severity, Severity::Info);
        assert!(note.message.contains(encoding), "{name}: {}", note.message);
        assert!(!nianbao::diag::has_errors(&report.diagnostics), "{name}");
    }
    assert!(!utf8.diagnostics.iter().any(|d| d.code == "encoding_detected"));
}

#[test]
fn a_forced_encoding_is_used_and_a_wrong_one_refused() {
    let gbk = input("huaian-gb18030.txt");
    let report = read_with(&gbk, Some("GBK")).unwrap();
    let bad = table_mismatches(&report, &huaian_expected()["tables"]);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    match read_with(&gbk, Some("utf-8")) {
        Err(e) if e.kind() == ErrorKind::Unusable => {
            let m = e.message();
            assert!(m.contains("UTF-8") && !m.contains('\n'), "{m}")
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(read_with(&gbk, Some("klingon")), Err(e) if e.kind() == ErrorKind::Usage));
}

#[test]
fn undetectable_bytes_and_binary_are_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let latin1 = dir.path().join("latin1.txt");
    std::fs::write(&latin1, b"Rapport annuel \xe9t\xe9 2024, caf\xe9 cr\xe8me\n").unwrap();
    match read_with(&latin1, None) {
        Err(e) if e.kind() == ErrorKind::Unusable => {
            let m = e.message();
            assert!(m.contains("invalid UTF-8 at byte 15"), "{m}");
            assert!(!m.contains('\n'));
        }
        other => panic!("{other:?}"),
    }
    let binary = dir.path().join("x.txt");
    std::fs::write(&binary, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0").unwrap();
    assert!(
        matches!(read_with(&binary, None), Err(e) if e.kind() == ErrorKind::Unusable && e.message().contains("binary"))
    );
}

#[test]
fn a_saved_web_page_gives_the_tables() {
    let report = read(&input("huaian.html"));
    let bad = never_silently_wrong("huaian.html", &report, &huaian_expected()["tables"]);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    assert_eq!(report.form, "2021");
    assert_eq!(report.organization.as_deref(), Some("淮安市人民政府"));
    assert_eq!(report.year, Some(2024));
    let text = serde_json::to_string(&report.sections).unwrap();
    for junk in [
        "搜索",
        "当前位置",
        "网站标识码",
        "999",
        "document.write",
        "分享到",
    ] {
        assert!(!text.contains(junk), "page chrome kept: {junk}");
    }
    assert!(text.contains("hazwgkc@163.com"));
    let keys: Vec<_> = report.sections.iter().filter_map(|s| s.key.as_deref()).collect();
    assert_eq!(keys.len(), 6, "{keys:?}");
    assert!(
        !nianbao::diag::has_errors(&report.diagnostics),
        "{:#?}",
        report.diagnostics
    );
}

#[test]
fn html_is_recognised_by_content_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("saved-page.txt");
    std::fs::copy(input("huaian.html"), &path).unwrap();
    let report = read(&path);
    assert!(table_mismatches(&report, &huaian_expected()["tables"]).is_empty());
}

#[test]
fn html_rows_keep_their_source_lines_and_spans() {
    let path = input("huaian.html");
    let source = std::fs::read_to_string(&path).unwrap();
    let doc = nianbao::read::read_path(&path).unwrap();
    let rows: Vec<(usize, &Vec<String>)> = doc
        .blocks
        .iter()
        .filter_map(|b| match b {
            RawBlock::Row { line, cells, exact } => {
                assert!(exact);
                Some((*line, cells))
            }
            _ => None,
        })
        .collect();
    // Every row stands on the source line of its <tr>.
    for (line, cells) in &rows {
        let src = source.lines().nth(line - 1).unwrap();
        let first = cells.iter().find(|c| !c.is_empty()).unwrap();
        assert!(src.contains(first.as_str()), "line {line}: {src} / {cells:?}");
    }
    let granted = rows
        .iter()
        .find(|(_, c)| c.iter().any(|x| x == "（一）予以公开"))
        .unwrap()
        .1;
    assert_eq!(granted.len(), 10);
    assert_eq!(granted[0], "三、本年度办理结果");
    assert_eq!(granted[2], "");
    let secret = rows
        .iter()
        .find(|(_, c)| c.iter().any(|x| x == "2.其他法律行政法规禁止公开"))
        .unwrap()
        .1;
    assert_eq!(&secret[..3], ["", "", "2.其他法律行政法规禁止公开"]);
    assert_eq!(secret[3], "30");
}

#[test]
fn markdown_with_html_tables_gives_the_tables() {
    let path = input("huaian-mineru.md");
    let report = read(&path);
    let bad = never_silently_wrong("huaian-mineru.md", &report, &huaian_expected()["tables"]);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    assert_eq!(report.organization.as_deref(), Some("淮安市人民政府"));
    assert!(
        !nianbao::diag::has_errors(&report.diagnostics),
        "{:#?}",
        report.diagnostics
    );

    // Lines stay those of the whole file: table rows on their <table> line, text after it
    // on its own line.
    let source = std::fs::read_to_string(&path).unwrap();
    let doc = nianbao::read::read_path(&path).unwrap();
    for b in &doc.blocks {
        let src = source.lines().nth(b.line() - 1).unwrap();
        match b {
            RawBlock::Row { cells, .. } => {
                let first = cells.iter().find(|c| !c.is_empty()).unwrap();
                assert!(
                    src.starts_with("<table>") && src.contains(first.as_str()),
                    "{b:?}"
                );
            }
            RawBlock::Text { text, .. } => assert!(src.contains(text.as_str()), "{b:?} / {src}"),
        }
    }
    // The same through report_from_text.
    let again = nianbao::report_from_text(&source, &Forms::builtin(), &Options::default()).unwrap();
    assert_eq!(again.tables, report.tables);
}

#[test]
fn the_2019_trial_form_is_detected_and_read() {
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(input("form2019.expected.json")).unwrap()).unwrap();
    let report = read(&input("form2019.txt"));
    assert_eq!(report.form, "2019");
    assert!(
        report
            .diagnostics
            .iter()
            .any(|d| d.code == "form_detected" && d.message.contains("2019")),
        "{:#?}",
        report.diagnostics
    );
    let bad = table_mismatches(&report, &expected["tables"]);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    // And every cell of the form is in the expected file: nothing is left unchecked.
    let got = common::flatten(&serde_json::to_value(&report.tables).unwrap());
    assert_eq!(got.len(), common::flatten(&expected["tables"]).len());
    assert_eq!(report.year, Some(2019));
    assert_eq!(report.organization.as_deref(), Some("XX县人民政府"));
    let errors: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

/// Every report the tests read, as the JSON nianbao writes for it.
fn written_jsons() -> Vec<(String, Value)> {
    let mut paths: Vec<PathBuf> = seeds().into_iter().map(|(_, p)| p).collect();
    paths.push(fixture("huaian-2024/layout.txt"));
    paths.push(fixture("huaian-2024/raw.txt"));
    for name in [
        "form2019.txt",
        "huaian.html",
        "huaian-mineru.md",
        "huaian-gb18030.txt",
        "huaian-utf16le.txt",
    ] {
        paths.push(input(name));
    }
    paths
        .iter()
        .map(|p| {
            let report = read(p);
            let json = nianbao::write::json::to_string(&report);
            (p.display().to_string(), serde_json::from_str(&json).unwrap())
        })
        .collect()
}

#[test]
fn the_schema_validates_every_written_json() {
    let out = Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .arg("schema")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let schema: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(schema, nianbao::schema::report_schema(&Forms::builtin()));
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let written = written_jsons();
    assert!(written.len() >= 12);
    for (name, json) in &written {
        let errors: Vec<String> = validator
            .iter_errors(json)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{name}:\n{}", errors.join("\n"));
    }
    // And what `convert` writes to stdout.
    let out = Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(["convert", "-o", "-"])
        .arg(input("form2019.txt"))
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(validator.is_valid(&json));

    // The schema is strict: a misspelt key, a string cell or a missing row fail it.
    let (_, good) = &written[0];
    let mut bad = good.clone();
    bad["tables"]["applications"]["granted"]["natural_persn"] = Value::from(1);
    assert!(!validator.is_valid(&bad));
    let mut bad = good.clone();
    bad["tables"]["applications"]["granted"]["total"] = Value::from("3");
    assert!(!validator.is_valid(&bad));
    let mut bad = good.clone();
    bad["tables"]["applications"]
        .as_object_mut()
        .unwrap()
        .remove("carried_forward");
    assert!(!validator.is_valid(&bad));
    let mut bad = good.clone();
    bad["form"] = Value::from("2019");
    assert!(!validator.is_valid(&bad), "2021 tables under form 2019");
}

#[test]
fn the_cli_takes_an_encoding() {
    let gbk = input("huaian-gb18030.txt");
    let out = Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(["check", "--encoding", "gbk", "--format", "json"])
        .arg(&gbk)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(["convert", "--encoding", "no-such", "-o", "-"])
        .arg(&gbk)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such"));
}

#[test]
fn a_gbk_page_declaring_its_charset_and_mineru_wrappers_read_alike() {
    let expected = huaian_expected();
    let dir = tempfile::tempdir().unwrap();
    let page = std::fs::read_to_string(input("huaian.html")).unwrap().replace(
        "<meta charset=\"utf-8\">",
        "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">",
    );
    let (gbk, _, unmappable) = encoding_rs::GB18030.encode(&page);
    assert!(!unmappable);
    let path = dir.path().join("page.htm");
    std::fs::write(&path, &gbk).unwrap();
    let report = read(&path);
    assert!(table_mismatches(&report, &expected["tables"]).is_empty());
    assert!(
        report
            .diagnostics
            .iter()
            .any(|d| d.code == "encoding_detected" && d.message.contains("declared charset"))
    );

    // MinerU wraps each table in <html><body>…</body></html>; the wrappers are no text.
    let md = std::fs::read_to_string(input("huaian-mineru.md"))
        .unwrap()
        .replace("<table>", "<html><body><table>")
        .replace("</table>", "</table></body></html>");
    let path = dir.path().join("mineru.md");
    std::fs::write(&path, md).unwrap();
    let report = read(&path);
    assert!(table_mismatches(&report, &expected["tables"]).is_empty());
    let text = serde_json::to_string(&report.sections).unwrap();
    assert!(!text.contains("<html") && !text.contains("body>"), "{text}");
    let doc = nianbao::read::read_path(&path).unwrap();
    assert!(
        !doc.blocks
            .iter()
            .any(|b| matches!(b, RawBlock::Text { text, .. } if text.contains('<')))
    );
}

/// A table of the form as HTML with the official merges (`rowspan`, `colspan`), its cells
/// printed from `value` (by path inside `tables`).
fn html_table(def: &TableDef, value: &dyn Fn(&str) -> String) -> String {
    let mut out = String::from("<table border=\"1\">\n");
    let path = |row: &str, col: &str| value(&format!("{}.{row}.{col}", def.key));
    let td = |text: &str, colspan: usize, rowspan: usize| {
        let mut attrs = String::new();
        if colspan > 1 {
            attrs.push_str(&format!(" colspan=\"{colspan}\""));
        }
        if rowspan > 1 {
            attrs.push_str(&format!(" rowspan=\"{rowspan}\""));
        }
        format!("<td{attrs}>{text}</td>")
    };
    let header = |out: &mut String| {
        for row in &def.header {
            out.push_str("<tr>");
            for cell in row {
                out.push_str(&td(&def.header_text(cell), cell.colspan, cell.rowspan));
            }
            out.push_str("</tr>\n");
        }
    };
    match def.layout {
        TableLayout::Blocks => {
            for block in &def.blocks {
                let n = block.columns.len();
                out.push_str(&format!(
                    "<tr>{}</tr>\n",
                    td(block.caption.as_deref().unwrap_or(""), 4, 1)
                ));
                out.push_str("<tr><td>信息内容</td>");
                for (i, c) in block.columns.iter().enumerate() {
                    out.push_str(&td(&c.label, if i + 1 == n { 4 - n } else { 1 }, 1));
                }
                out.push_str("</tr>\n");
                for row in &block.rows {
                    out.push_str(&format!("<tr>{}", td(&row.label, 1, 1)));
                    for (i, c) in block.columns.iter().enumerate() {
                        out.push_str(&td(
                            &path(&row.key, &c.key),
                            if i + 1 == n { 4 - n } else { 1 },
                            1,
                        ));
                    }
                    out.push_str("</tr>\n");
                }
            }
        }
        TableLayout::Grid => {
            header(&mut out);
            let rows: Vec<_> = def.rows().collect();
            let mut opened: Vec<String> = Vec::new();
            for r in &rows {
                out.push_str("<tr>");
                let chain = def.group_chain(r.def);
                for g in &chain {
                    if !opened.contains(&g.id) {
                        opened.push(g.id.clone());
                        let span = rows
                            .iter()
                            .filter(|x| def.group_chain(x.def).iter().any(|y| y.id == g.id))
                            .count();
                        out.push_str(&td(&g.label, 1, span));
                    }
                }
                out.push_str(&td(&r.def.label, def.label_columns - chain.len(), 1));
                for c in &r.block.columns {
                    out.push_str(&td(&path(&r.def.key, &c.key), 1, 1));
                }
                out.push_str("</tr>\n");
            }
        }
        TableLayout::SideBySide => {
            header(&mut out);
            out.push_str("<tr>");
            for r in def.rows() {
                for c in &r.block.columns {
                    out.push_str(&td(&path(&r.def.key, &c.key), 1, 1));
                }
            }
            out.push_str("</tr>\n");
        }
    }
    out.push_str("</table>");
    out
}

/// A whole report as a web page (`markdown`: as MinerU Markdown) around the form's tables.
fn report_page(form: &Form, value: &dyn Fn(&str) -> String, markdown: bool) -> String {
    let title = "宝丰县人民政府2024年政府信息公开工作年度报告";
    let mut body = Vec::new();
    body.push(if markdown {
        format!("# {title}")
    } else {
        format!("<h1>{title}</h1>")
    });
    for section in &form.sections {
        body.push(if markdown {
            format!("## {}", section.title())
        } else {
            format!("<h2>{}</h2>", section.title())
        });
        match form.tables.iter().find(|t| t.section == section.key) {
            Some(t) if markdown => body.push(html_table(t, value).replace('\n', "")),
            Some(t) => body.push(html_table(t, value)),
            None if markdown => body.push("本年度工作情况良好。".into()),
            None => body.push("<p>本年度工作情况<b>良好</b>。</p>".into()),
        }
    }
    if markdown {
        body.join("\n\n")
    } else {
        format!(
            "<!DOCTYPE html><html><head><script>var x = '<table>';</script></head><body>\n<nav><a href=\"/\">首页</a></nav>\n{}\n<footer>版权所有</footer></body></html>",
            body.join("\n")
        )
    }
}

#[test]
fn generated_reports_read_alike_as_html_markdown_and_legacy_encodings() {
    use support::layout::Layout;
    use support::rng::Rng;
    use support::truth::cell_paths;

    let forms = Forms::builtin();
    let form = forms.get("2021").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let opts = Options::default();
    let seeds = 30;
    let mut cells = 0;
    for seed in 0..seeds {
        let mut rng = Rng::new(0x1a2b_3c4d ^ seed);
        let layout = Layout::ALL[seed as usize % Layout::ALL.len()];
        let case = support::document::build_with(form, layout, &mut rng, |_, _| Vec::new());

        // The same text in UTF-8, GB18030 and UTF-16 gives the same report.
        let utf8 = nianbao::report_from_text(&case.text, &forms, &opts).unwrap();
        let (gb, _, unmappable) = encoding_rs::GB18030.encode(&case.text);
        assert!(!unmappable);
        let mut le = vec![0xFF, 0xFE];
        le.extend(case.text.encode_utf16().flat_map(u16::to_le_bytes));
        for (name, bytes) in [("gb18030.txt", gb.into_owned()), ("utf16.txt", le)] {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            let report = read(&path);
            assert_eq!(report.tables, utf8.tables, "seed {seed} {name}");
            assert_eq!(report.sections, utf8.sections, "seed {seed} {name}");
        }

        // The truth as an HTML page and as MinerU Markdown: every cell exact.
        let value = |p: &str| case.truth.text(p);
        for (name, text) in [
            ("page.html", report_page(form, &value, false)),
            ("mineru.md", report_page(form, &value, true)),
        ] {
            assert!(text.contains("rowspan=\"22\"") && text.contains("rowspan=\"8\""));
            let path = dir.path().join(name);
            std::fs::write(&path, &text).unwrap();
            let report = read(&path);
            for p in cell_paths(form) {
                let got = report.tables.cell(&p).and_then(|c| c.number());
                assert_eq!(got, Some(case.truth.value(&p)), "seed {seed} {name} {p}\n{text}");
                cells += 1;
            }
            assert!(
                !nianbao::diag::has_errors(&report.diagnostics),
                "seed {seed} {name}: {:#?}",
                report.diagnostics
            );
        }
    }
    assert_eq!(cells, seeds as usize * 2 * cell_paths(form).len());

    // The 2019 trial form the same way: detected, every cell exact.
    let form = forms.get("2019").unwrap();
    for seed in 0..10u64 {
        let truth = support::truth::generate(form, &mut Rng::new(0x2019 ^ seed));
        let value = |p: &str| truth.text(p);
        for (name, text) in [
            ("page2019.html", report_page(form, &value, false)),
            ("mineru2019.md", report_page(form, &value, true)),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, &text).unwrap();
            let report = read(&path);
            assert_eq!(report.form, "2019", "seed {seed} {name}");
            for p in cell_paths(form) {
                let got = report.tables.cell(&p).and_then(|c| c.number());
                assert_eq!(got, Some(truth.value(&p)), "seed {seed} {name} {p}\n{text}");
            }
        }
    }
}

/// A DOCX made by LibreOffice from a web page whose table 三 is split in two at a page
/// break, the second part without its header rows and with an empty spacer column.
#[test]
fn a_docx_table_split_in_two_gives_the_tables() {
    let report = read(&input("huaian-split-table.docx"));
    let bad = table_mismatches(&report, &huaian_expected()["tables"]);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    assert!(
        !report.diagnostics.iter().any(|d| d.severity == Severity::Error),
        "{:#?}",
        report.diagnostics
    );
}

#[test]
fn a_missing_file_and_a_file_that_is_no_report_are_told_apart_in_code() {
    use std::error::Error as _;
    let dir = tempfile::tempdir().unwrap();
    let forms = Forms::builtin();
    let missing = dir.path().join("missing.txt");
    let err = nianbao::read_report(&missing, &forms, &Options::default()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    assert_eq!(err.path(), Some(missing.as_path()));
    // The system's error is kept as the source, not repeated in the message.
    let io = err
        .source()
        .and_then(|s| s.downcast_ref::<std::io::Error>())
        .expect("io source");
    assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
    assert_eq!(err.to_string().matches("missing.txt").count(), 1, "{err}");

    let prose = dir.path().join("prose.txt");
    std::fs::write(&prose, "这是一段普通的文字，不是年度报告。\n").unwrap();
    let err = nianbao::read_report(&prose, &forms, &Options::default()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unusable, "{err}");
    assert_eq!(err.path(), Some(prose.as_path()));
    assert_eq!(err.to_string().matches("prose.txt").count(), 1, "{err}");
    assert!(err.source().is_none());

    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "").unwrap();
    let err = nianbao::read_report(&empty, &forms, &Options::default()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unusable, "{err}");

    let big = dir.path().join("big.txt");
    std::fs::write(&big, "年".repeat(1 << 20)).unwrap();
    let small = ReadOptions {
        limits: nianbao::read::limits::Limits {
            max_input_bytes: 1 << 20,
            ..Default::default()
        },
        ..Default::default()
    };
    let err = nianbao::read_report_with(&big, &forms, &Options::default(), &small).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Limit, "{err}");
}
