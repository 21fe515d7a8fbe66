//! The PDF writer: page size, size budget, embedded font subsets, nothing overflowing its
//! box, font fallback, and the tables surviving a round trip through `pdftotext -layout`.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use nianbao::fonts;
use nianbao::layout::{self, text};
use nianbao::model::{Block, Report};
use nianbao::style::Style;
use nianbao::write::{Context, pdf};
use nianbao::{Forms, Options};

/// The reports of the fixtures: every seed and the Huai'an 2024 report (real numbers).
fn seeds() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    v.sort();
    v.push(dir.join("huaian-2024/layout.txt"));
    v
}

fn read(path: &Path, forms: &Forms) -> Report {
    nianbao::read_report(path, forms, &Options::default())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The PDF and the messages of its missing-character diagnostics (`font_missing_char`).
fn render(report: &Report, forms: &Forms, style: &Style) -> (Vec<u8>, Vec<String>) {
    let ctx = Context {
        form: forms.get(&report.form).unwrap(),
        style,
        font_dirs: Vec::new(),
    };
    let (bytes, diags) = pdf::render_with_diagnostics(report, &ctx).unwrap();
    let missing = diags
        .into_iter()
        .filter(|d| d.code == nianbao::diag::code::FONT_MISSING_CHAR)
        .map(|d| d.message)
        .collect();
    (bytes, missing)
}

/// Size budget per PDF (issue 3): the bundled faces are slimmed and put on a 160-unit em
/// (fonts/README.md), so a report's fonts take ~110 KB; unsubset fonts would take 6–20 MB.
const MAX_BYTES: usize = 150 * 1000;

#[test]
fn every_seed_renders_a4_with_embedded_subset_fonts() {
    let forms = Forms::builtin();
    let style = Style::builtin();
    for path in seeds() {
        let report = read(&path, &forms);
        let (bytes, _) = render(&report, &forms, &style);
        let name = path.display();
        assert!(bytes.len() <= MAX_BYTES, "{name}: {} bytes", bytes.len());
        let doc = lopdf::Document::load_mem(&bytes).unwrap();
        let pages = doc.get_pages();
        assert!(!pages.is_empty(), "{name}");
        for (_, id) in pages {
            let page = doc.get_dictionary(id).unwrap();
            let mbox = page.get(b"MediaBox").unwrap().as_array().unwrap();
            let n: Vec<f32> = mbox.iter().map(|o| o.as_float().unwrap()).collect();
            assert!(
                (n[2] - n[0] - 595.28).abs() < 0.5 && (n[3] - n[1] - 841.89).abs() < 0.5,
                "{name}: {n:?}"
            );
        }
        let mut fonts = 0;
        for obj in doc.objects.values() {
            let Ok(dict) = obj.as_dict() else { continue };
            if dict.get(b"Subtype").and_then(|o| o.as_name()).ok() != Some(b"Type0".as_slice()) {
                continue;
            }
            fonts += 1;
            let base = String::from_utf8_lossy(dict.get(b"BaseFont").unwrap().as_name().unwrap()).to_string();
            let (tag, _) = base
                .split_once('+')
                .unwrap_or_else(|| panic!("{name}: {base} is not a subset"));
            assert!(
                tag.len() == 6 && tag.chars().all(|c| c.is_ascii_uppercase()),
                "{name}: {base}"
            );
            assert!(dict.get(b"ToUnicode").is_ok(), "{name}: {base} has no ToUnicode");
            let descendants = dict.get(b"DescendantFonts").unwrap().as_array().unwrap();
            let cid = match &descendants[0] {
                lopdf::Object::Reference(r) => doc.get_dictionary(*r).unwrap(),
                o => o.as_dict().unwrap(),
            };
            let fd = doc
                .get_dictionary(cid.get(b"FontDescriptor").unwrap().as_reference().unwrap())
                .unwrap();
            assert!(
                fd.get(b"FontFile2").is_ok() || fd.get(b"FontFile3").is_ok(),
                "{name}: {base} is not embedded"
            );
        }
        assert!(fonts >= 2, "{name}: {fonts} fonts");
        // The document information.
        let info = doc
            .get_dictionary(doc.trailer.get(b"Info").unwrap().as_reference().unwrap())
            .unwrap();
        let date = info.get(b"CreationDate").unwrap().as_str().unwrap();
        assert!(!date.starts_with(b"D:1970"), "{name}");
        assert!(
            info.get(b"Author").is_ok() == report.organization.is_some(),
            "{name}"
        );
        assert!(doc.catalog().unwrap().get(b"Lang").is_ok(), "{name}");
    }
}

/// Every text line of the laid-out document stands inside its box (cell or text block).
fn assert_nothing_overflows(doc: &layout::Document) {
    for p in &doc.pages {
        for l in &p.lines {
            assert!(
                l.container.contains(&l.rect, 0.01),
                "{:?} overflows {:?}: {}",
                l.rect,
                l.container,
                l.text
            );
        }
    }
}

#[test]
fn nothing_overflows_its_box() {
    let forms = Forms::builtin();
    let style = Style::builtin();
    let set = fonts::resolve(&style, &[]).unwrap();
    for path in seeds() {
        let report = read(&path, &forms);
        let ctx = Context {
            form: forms.get(&report.form).unwrap(),
            style: &style,
            font_dirs: Vec::new(),
        };
        let doc = layout::layout(&report, &ctx, &set);
        let page = layout::Rect {
            x: 0.0,
            y: 0.0,
            w: doc.width,
            h: doc.height,
        };
        let mut lines = 0;
        for (n, p) in doc.pages.iter().enumerate() {
            for l in &p.lines {
                lines += 1;
                assert!(
                    l.container.contains(&l.rect, 0.01),
                    "{} page {}: {:?} overflows {:?}: {}",
                    path.display(),
                    n + 1,
                    l.rect,
                    l.container,
                    l.text
                );
                assert!(page.contains(&l.container, 0.01));
            }
        }
        // Every table value is drawn.
        let tables: usize = report
            .tables
            .0
            .iter()
            .map(|(_, t)| t.rows.iter().map(|r| r.cells.len()).sum::<usize>())
            .sum();
        assert!(lines > tables / 2, "{}: {lines} lines", path.display());
    }
}

#[test]
fn a_character_missing_from_a_face_comes_from_the_fallback() {
    let style = Style::builtin();
    let set = fonts::resolve(&style, &[]).unwrap();
    let body = set.role("body");
    let fallback = set.fallback.expect("a fallback face");
    // 浉 (浉河区) is not in FandolFang; the fallback face has it.
    if !set.face(body).has('浉') {
        let mut missing = text::Missing::default();
        let g = text::shape(&set, body, "浉河区", &mut missing);
        assert_eq!(g[0].face, fallback);
        assert_eq!(g[1].face, body);
        assert!(missing.0.is_empty());
    }
    let mut missing = text::Missing::default();
    let g = text::shape(&set, body, "a\u{10FFFD}b", &mut missing);
    assert_eq!(g.len(), 3, "the character is kept, not dropped");
    assert_eq!(missing.0, vec!['\u{10FFFD}']);
}

#[test]
fn a_character_no_face_has_is_reported() {
    let forms = Forms::builtin();
    let style = Style::builtin();
    let mut report = read(&seeds()[0], &forms);
    report.sections[0].blocks.push(Block::Paragraph {
        text: "缺字\u{10FFFD}测试".into(),
    });
    let (bytes, warnings) = render(&report, &forms, &style);
    assert!(!bytes.is_empty());
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("U+10FFFD"), "{warnings:?}");
}

/// Keeps a rendered PDF for a look when `NIANBAO_PDF_TEST_OUT` names a folder.
fn keep(name: &str, bytes: &[u8]) {
    if let Some(dir) = std::env::var_os("NIANBAO_PDF_TEST_OUT") {
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.pdf")), bytes).unwrap();
    }
}

fn pdftotext(bytes: &[u8], name: &str) -> Option<String> {
    let dir = std::env::temp_dir().join(format!("nianbao-pdf-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok()?;
    let pdf = dir.join(format!("{name}.pdf"));
    std::fs::write(&pdf, bytes).ok()?;
    let out = Command::new("pdftotext")
        .arg("-layout")
        .arg(&pdf)
        .arg("-")
        .output()
        .ok()?;
    let _ = std::fs::remove_file(&pdf);
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn tables_survive_pdftotext() {
    if Command::new("pdftotext").arg("-v").output().is_err() {
        eprintln!("pdftotext is not installed: round trip skipped");
        return;
    }
    let forms = Forms::builtin();
    let style = Style::builtin();
    for path in seeds() {
        let report = read(&path, &forms);
        let (bytes, _) = render(&report, &forms, &style);
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        keep(&name, &bytes);
        let text = pdftotext(&bytes, &name).expect("pdftotext runs");
        let back = nianbao::report_from_text(&text, &forms, &Options::default())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(back.form, report.form, "{}", path.display());
        for (key, table) in &report.tables.0 {
            let other = back
                .tables
                .get(key)
                .unwrap_or_else(|| panic!("{}: no table {key}", path.display()));
            for (row, orow) in table.rows.iter().zip(&other.rows) {
                assert_eq!(row, orow, "{}: table {key}", path.display());
            }
        }
        assert_eq!(back.tables, report.tables, "{}", path.display());
    }
}

#[test]
fn wide_numbers_stay_inside_narrow_cells() {
    let forms = Forms::builtin();
    let style = Style::builtin();
    let set = fonts::resolve(&style, &[]).unwrap();
    let mut report = read(seeds().last().unwrap(), &forms);
    for (_, table) in &mut report.tables.0 {
        for row in &mut table.rows {
            for cell in &mut row.cells {
                cell.1 = nianbao::model::Cell::Number(123456789.25);
            }
        }
    }
    let ctx = Context {
        form: forms.get(&report.form).unwrap(),
        style: &style,
        font_dirs: Vec::new(),
    };
    let doc = layout::layout(&report, &ctx, &set);
    assert_nothing_overflows(&doc);
    let drawn: String = doc
        .pages
        .iter()
        .flat_map(|p| p.runs.iter().map(|r| r.text.clone()))
        .collect();
    assert!(drawn.matches("123456789.25").count() + drawn.matches("123456789").count() > 0);
}

#[test]
fn body_face_lacks_shi_so_the_fallback_is_exercised() {
    // Guards the fallback test above: with the bundled faces, 浉 must come from the fallback.
    let style = Style::builtin();
    let set = fonts::resolve(&style, &[]).unwrap();
    let body = set.face(set.role("body"));
    if body.path.ends_with("FandolFang-Regular.otf") {
        assert!(!body.has('浉'));
        assert!(set.face(set.fallback.unwrap()).has('浉'));
    }
}

/// A 2019-form report built by hand, every cell a different number (table 二's 本年增/减
/// negative): the trial form's grids lay out without overflow and survive pdftotext.
#[test]
fn a_2019_form_report_lays_out_and_round_trips() {
    let forms = Forms::builtin();
    let style = Style::builtin();
    let form = forms.get("2019").expect("the 2019 form");
    let report = common::report_2019();
    let set = fonts::resolve(&style, &[]).unwrap();
    let ctx = Context {
        form,
        style: &style,
        font_dirs: Vec::new(),
    };
    let doc = layout::layout(&report, &ctx, &set);
    assert_nothing_overflows(&doc);
    let (bytes, warnings) = render(&report, &forms, &style);
    assert!(warnings.is_empty(), "{warnings:?}");
    keep("form2019", &bytes);
    let Some(text) = pdftotext(&bytes, "form2019") else {
        return;
    };
    let back = nianbao::report_from_text(&text, &forms, &Options::default()).unwrap();
    assert_eq!(back.form, "2019");
    for (key, table) in &report.tables.0 {
        assert_eq!(Some(table), back.tables.get(key), "table {key}\n{text}");
    }
}

#[test]
fn a_role_whose_face_is_nowhere_borrows_the_body_face() {
    let text = include_str!("../../templates/styles/gbt9704.toml")
        .replace(
            "\"Noto Serif CJK SC\", \"Source Han Serif SC\", \"Noto Sans CJK SC\"",
            "\"No Such Family\"",
        )
        .replace("NotoSerifCJKsc-Regular.otf", "no-such-file.otf")
        .replace("\"黑体\", \"SimHei\", \"STHeiti\"", "\"No Such Hei\"")
        .replace("FandolHei-Regular.otf", "no-such-hei.otf");
    let style = Style::parse("test.toml", &text).unwrap();
    let set = fonts::resolve(&style, &[]).unwrap();
    assert!(set.fallback.is_none());
    assert!(!set.roles.contains_key("fallback"));
    assert_eq!(set.roles["heading1"].origin, fonts::Origin::StandIn);
    assert_eq!(set.roles["heading1"].face, set.role("body"));
}

#[test]
fn every_table_is_printed_even_without_its_place_in_the_text() {
    let forms = Forms::builtin();
    let style = Style::builtin();
    let mut report = read(seeds().last().unwrap(), &forms);
    for s in &mut report.sections {
        s.blocks.retain(|b| !matches!(b, Block::Table { .. }));
    }
    report
        .sections
        .retain(|s| s.key.as_deref() != Some("review_litigation"));
    let (bytes, _) = render(&report, &forms, &style);
    let Some(text) = pdftotext(&bytes, "no-table-blocks") else {
        return;
    };
    assert!(text.contains("四、政府信息公开行政复议、行政诉讼情况"), "{text}");
    let back = nianbao::report_from_text(&text, &forms, &Options::default()).unwrap();
    assert_eq!(back.tables, report.tables);
}

/// A TrueType face (the official 仿宋_GB2312 and its kin are TrueType) is embedded as a
/// `CIDFontType2` subset, and the tables read back from the PDF are the report's.
#[test]
fn a_truetype_face_is_embedded_and_reads_back() {
    let Some((ttf, style)) = common::dejavu_style() else {
        eprintln!("no DejaVu Serif on this machine: TrueType embedding test skipped");
        return;
    };
    let forms = Forms::builtin();
    let path = seeds().pop().unwrap();
    let mut report = read(&path, &forms);
    // Accented letters are composite glyphs: their parts join the subset after them.
    report.sections[0].blocks.push(Block::Paragraph {
        text: "Ángel Çelik Èze".into(),
    });
    let ctx = Context {
        form: forms.get(&report.form).unwrap(),
        style: &style,
        font_dirs: vec![ttf.parent().unwrap().to_path_buf()],
    };
    let (bytes, _) = pdf::render_with_diagnostics(&report, &ctx).unwrap();
    let doc = lopdf::Document::load_mem(&bytes).unwrap();
    let truetype = doc.objects.values().find_map(|o| {
        let d = o.as_dict().ok()?;
        (d.get(b"Subtype").ok()?.as_name().ok()? == b"CIDFontType2").then_some(d)
    });
    let cid_font = truetype.expect("a CIDFontType2 font");
    let name = cid_font.get(b"BaseFont").unwrap().as_name().unwrap();
    assert!(
        name.ends_with(b"+DejaVuSerif"),
        "{}",
        String::from_utf8_lossy(name)
    );
    assert_eq!(
        cid_font.get(b"CIDToGIDMap").unwrap().as_name().unwrap(),
        b"Identity"
    );
    let descriptor = doc
        .get_dictionary(cid_font.get(b"FontDescriptor").unwrap().as_reference().unwrap())
        .unwrap();
    assert!(descriptor.has(b"FontFile2"));

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("truetype.pdf");
    std::fs::write(&out, &bytes).unwrap();
    let back = nianbao::read_report(&out, &forms, &Options::default()).unwrap();
    assert_eq!(back.tables, report.tables);
}

/// The Huai'an report with one number changed through its JSON: 「（二）部分公开」/「商业企业」
/// one more, so R3 fails along that row and R2 down the 商业企业 column.
fn report_breaking_rules(forms: &Forms) -> Report {
    let report = read(seeds().last().unwrap(), forms);
    let json = nianbao::write::json::to_string(&report);
    let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let cell = &mut v["tables"]["applications"]["partially_granted"]["commercial"];
    *cell = (cell.as_f64().unwrap() + 1.0).into();
    nianbao::report_from_json(&v.to_string(), forms).unwrap()
}

/// The row of table 三 `row` as `pdftotext -layout` prints its values: each value, `▲`
/// after those in `marked` columns, blanks between.
fn values_pattern(report: &Report, row: &str, marked: &[&str]) -> regex::Regex {
    let cols = [
        "natural_person",
        "commercial",
        "research",
        "public_interest",
        "legal_service",
        "other_org",
        "total",
    ];
    let parts: Vec<String> = cols
        .iter()
        .map(|c| {
            let v = match report.tables.cell(&format!("applications.{row}.{c}")) {
                Some(nianbao::model::Cell::Number(v)) => v.to_string(),
                other => panic!("{row}.{c}: {other:?}"),
            };
            let mark = if marked.contains(c) { "▲" } else { "" };
            format!("{}{mark}", regex::escape(&v))
        })
        .collect();
    regex::Regex::new(&format!(r"(^|\s){}(\s|$)", parts.join(r"\s+"))).unwrap()
}

#[test]
fn doubtful_cells_are_marked_in_their_cell_with_a_note_under_their_table() {
    if Command::new("pdftotext").arg("-v").output().is_err() {
        eprintln!("pdftotext is not installed: doubtful-cell test skipped");
        return;
    }
    let forms = Forms::builtin();
    let style = Style::builtin();
    let report = report_breaking_rules(&forms);
    let codes: Vec<&str> = report.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["R2", "R3"], "{:?}", report.diagnostics);
    let (bytes, _) = render(&report, &forms, &style);
    keep("doubtful-rules", &bytes);
    let text = pdftotext(&bytes, "doubtful-rules").unwrap();
    // The row of R3: every value marked. A row R2's column crosses: its 商业企业 value alone.
    let every = [
        "natural_person",
        "commercial",
        "research",
        "public_interest",
        "legal_service",
        "other_org",
        "total",
    ];
    assert!(
        values_pattern(&report, "partially_granted", &every).is_match(&text),
        "{text}"
    );
    let state_secret = values_pattern(&report, "withheld.state_secret", &["commercial"]);
    let line = text.lines().find(|l| l.contains("1.属于国家秘密")).unwrap();
    assert!(state_secret.is_match(line), "{line}");
    // A row no failing rule touches but for its 商业企业 cell, and the first row, untouched.
    let new_received = values_pattern(&report, "new_received", &["commercial"]);
    assert!(
        !new_received.is_match(&text),
        "R2 runs over the processed rows only"
    );
    assert!(
        values_pattern(&report, "new_received", &[]).is_match(&text),
        "{text}"
    );
    // One mark a cell: R2's column and R3's row both hold the crossing cell, marked once.
    assert_eq!(text.matches("▲▲").count(), 0);
    assert!(!text.contains('※'), "nothing is unresolved");
    // The note, once, under table 三: after its last row, before the next section.
    let note = "注：表中标▲的单元格不符合勾稽关系。";
    assert_eq!(text.matches(note).count(), 1, "{text}");
    let at = text.find(note).unwrap();
    assert!(text.find("四、结转下年度继续办理").unwrap() < at);
    assert!(at < text.find("四、政府信息公开行政复议").unwrap());

    // The same report unbroken: no mark, no note.
    let clean = read(seeds().last().unwrap(), &forms);
    let (bytes, _) = render(&clean, &forms, &style);
    let text = pdftotext(&bytes, "clean").unwrap();
    assert!(
        !text.contains('▲') && !text.contains('※') && !text.contains("表中标"),
        "{text}"
    );
}

/// The Huai'an report with 「规章」's row unresolved (its second cell blank) and table 四
/// unresolved as a whole, as the normalizer reports a row whose reading is not determined and
/// table 四's one print row.
fn report_with_unresolved(forms: &Forms) -> Report {
    use nianbao::diag::{Diagnostic, Severity};
    let mut report = read(seeds().last().unwrap(), forms);
    let table = report.tables.get_mut("active_disclosure").unwrap();
    table.set(0, 1, nianbao::model::Cell::Blank);
    report.diagnostics.push(
        Diagnostic::new(Severity::Error, "unresolved", "「规章」无法确定")
            .cell("active_disclosure.regulations"),
    );
    report
        .diagnostics
        .push(Diagnostic::new(Severity::Error, "unresolved", "表四无法确定").cell("review_litigation"));
    report
}

#[test]
fn unresolved_cells_are_marked_and_a_table_in_doubt_as_a_whole_is_noted() {
    let forms = Forms::builtin();
    let style = Style::builtin();
    let report = report_with_unresolved(&forms);
    let (bytes, _) = render(&report, &forms, &style);
    keep("doubtful-unresolved", &bytes);
    // Nothing drawn outside its box, the marks included.
    let set = fonts::resolve(&style, &[]).unwrap();
    let ctx = Context {
        form: forms.get(&report.form).unwrap(),
        style: &style,
        font_dirs: Vec::new(),
    };
    assert_nothing_overflows(&layout::layout(&report, &ctx, &set));
    let Some(text) = pdftotext(&bytes, "doubtful-unresolved") else {
        return;
    };
    // 「规章」: an unresolved row, each of its three cells marked, the blank one too.
    let table = report.tables.get("active_disclosure").unwrap();
    let value = |c: usize| table.get(0, c).number().unwrap().to_string();
    let line = text.lines().find(|l| l.trim_start().starts_with("规章")).unwrap();
    let cells: Vec<&str> = line.split_whitespace().skip(1).collect();
    assert_eq!(
        cells,
        [format!("{}※", value(0)), "※".into(), format!("{}※", value(2))],
        "{line}"
    );
    // The next row is not in doubt.
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("行政规范性文件"))
        .unwrap();
    assert!(!line.contains('※'), "{line}");
    let note = "注：表中标※的单元格无法从原文确定。";
    assert_eq!(text.matches(note).count(), 1, "{text}");
    assert!(text.find("行政规范性文件").unwrap() < text.find(note).unwrap());
    // Table 四 unresolved as a whole: said under it, no cell of it marked.
    let whole = "注：本表数值无法从原文确定。";
    assert_eq!(text.matches(whole).count(), 1, "{text}");
    let table4 = text.find("四、政府信息公开行政复议").unwrap();
    let at = text.find(whole).unwrap();
    assert!(table4 < at && !text[table4..at].contains('※'));
    assert!(!text.contains('▲'));
}

/// What the fonts did is said in the diagnostics: a character no face has is an error (it
/// prints as an empty box), one drawn from the fallback face a note.
#[test]
fn font_fallback_and_missing_characters_are_diagnostics() {
    use nianbao::diag::{Severity, code};
    let forms = Forms::builtin();
    let style = Style::builtin();
    let mut report = read(&seeds()[0], &forms);
    report.sections[0].blocks.push(Block::Paragraph {
        text: "浉河区缺字\u{10FFFD}测试".into(),
    });
    let ctx = Context {
        form: forms.get(&report.form).unwrap(),
        style: &style,
        font_dirs: Vec::new(),
    };
    let (bytes, diags) = pdf::render_with_diagnostics(&report, &ctx).unwrap();
    assert!(!bytes.is_empty());
    let missing: Vec<_> = diags
        .iter()
        .filter(|d| d.code == code::FONT_MISSING_CHAR)
        .collect();
    assert_eq!(missing.len(), 1, "{diags:?}");
    assert_eq!(missing[0].severity, Severity::Error);
    assert!(missing[0].message.contains("U+10FFFD"), "{diags:?}");
    let set = fonts::resolve(&style, &[]).unwrap();
    if !set.face(set.role("body")).has('浉') {
        let fallback = diags
            .iter()
            .find(|d| d.code == code::FONT_FALLBACK)
            .unwrap_or_else(|| panic!("{diags:?}"));
        assert_eq!(fallback.severity, Severity::Info);
        assert!(fallback.message.contains('浉'), "{diags:?}");
    }
    // Without the odd characters: no error, and no note about the fallback face.
    report.sections[0].blocks.pop();
    let (_, diags) = pdf::render_with_diagnostics(&report, &ctx).unwrap();
    assert!(!nianbao::diag::has_errors(&diags), "{diags:?}");
    assert!(diags.iter().all(|d| d.code != code::FONT_FALLBACK), "{diags:?}");
}
