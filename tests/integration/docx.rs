//! The DOCX writer and reader: round trips of every seed, an edited JSON report, the
//! schema order of the written XML, hand-made DOCX inputs, and (when LibreOffice is
//! installed) that LibreOffice opens every written file.

use crate::common;

use std::io::Read;
use std::path::{Path, PathBuf};

use nianbao::model::{Cell, Report};
use nianbao::read::RawBlock;
use nianbao::style::Style;
use nianbao::write::{Context, OutputFormat};
use nianbao::{ErrorKind, Forms, Options};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The five seeds and the Huaian report (real non-zero numbers).
fn seeds() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(fixture(""))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    out.sort();
    out.push(fixture("huaian-2024/layout.txt"));
    assert!(out.len() >= 6, "{out:?}");
    out
}

fn render(report: &Report, forms: &Forms) -> Vec<u8> {
    let style = Style::builtin();
    let form = forms.get(&report.form).expect("form");
    let ctx = Context {
        form,
        style: &style,
        font_dirs: Vec::new(),
    };
    OutputFormat::Docx.render(report, &ctx).expect("DOCX renders")
}

fn write_docx(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(format!("{name}.docx"));
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Every cell of every table, as `(path, cell)`.
fn cells(report: &Report) -> Vec<(String, Cell)> {
    let mut out = Vec::new();
    for (key, table) in &report.tables.0 {
        for row in &table.rows {
            for (col, cell) in &row.cells {
                out.push((format!("{key}.{}.{col}", row.key), *cell));
            }
        }
    }
    out
}

fn assert_same_tables(stem: &str, a: &Report, b: &Report) {
    let (ca, cb) = (cells(a), cells(b));
    let diffs: Vec<String> = ca
        .iter()
        .zip(&cb)
        .filter(|(x, y)| x != y)
        .map(|(x, y)| format!("{}: {:?} → {} {:?}", x.0, x.1, y.0, y.1))
        .collect();
    assert_eq!(ca.len(), cb.len(), "{stem}: cell counts differ");
    assert!(
        diffs.is_empty(),
        "{stem}: {} cells differ:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
    assert_eq!(a.tables, b.tables, "{stem}");
}

#[test]
fn every_seed_round_trips_through_docx() {
    let forms = Forms::builtin();
    let dir = tempfile::tempdir().unwrap();
    for path in seeds() {
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        let report = nianbao::read_report(&path, &forms, &Options::default()).unwrap();
        let docx = write_docx(dir.path(), &stem, &render(&report, &forms));
        let back = nianbao::read_report(&docx, &forms, &Options::default())
            .unwrap_or_else(|e| panic!("{stem}: {e}"));
        assert_eq!(back.form, report.form, "{stem}");
        assert_same_tables(&stem, &report, &back);
        assert_eq!(back.title, report.title, "{stem}");
        let keys = |r: &Report| r.sections.iter().map(|s| s.key.clone()).collect::<Vec<_>>();
        assert_eq!(keys(&back), keys(&report), "{stem}");
        assert_eq!(back.sections, report.sections, "{stem}: prose differs");
    }
}

#[test]
fn the_huaian_round_trip_carries_real_numbers() {
    let forms = Forms::builtin();
    let report =
        nianbao::read_report(&fixture("huaian-2024/layout.txt"), &forms, &Options::default()).unwrap();
    let nonzero = cells(&report)
        .iter()
        .filter(|c| matches!(c.1, Cell::Number(n) if n != 0.0))
        .count();
    assert!(nonzero >= 10, "only {nonzero} non-zero cells");
    let dir = tempfile::tempdir().unwrap();
    let docx = write_docx(dir.path(), "huaian", &render(&report, &forms));
    let back = nianbao::read_report(&docx, &forms, &Options::default()).unwrap();
    assert_same_tables("huaian", &report, &back);
}

/// A 2019-form report built by hand, every cell a different number (table 二's 本年增/减
/// negative), survives the round trip: the other grid shapes of the trial form.
#[test]
fn a_2019_form_report_round_trips() {
    let forms = Forms::builtin();
    let report = common::report_2019();
    let dir = tempfile::tempdir().unwrap();
    let docx = write_docx(dir.path(), "form2019", &render(&report, &forms));
    if let Some(out) = std::env::var_os("NIANBAO_KEEP_DOCX") {
        // For looking at the output: `NIANBAO_KEEP_DOCX=/tmp/x cargo test --test integration docx::`.
        let _ = std::fs::create_dir_all(&out);
        let _ = std::fs::copy(&docx, Path::new(&out).join("form2019.docx"));
    }
    let back = nianbao::read_report(&docx, &forms, &Options::default()).unwrap();
    assert_eq!(back.form, "2019");
    assert_same_tables("form2019", &report, &back);
}

/// Replaces the value after the first `"key": ` found after `after` in a JSON text.
fn edit_json(text: &str, after: &str, key: &str, value: &str) -> String {
    let start = text.find(after).unwrap_or_else(|| panic!("{after} not in JSON"));
    let needle = format!("\"{key}\":");
    let at = start
        + text[start..]
            .find(&needle)
            .unwrap_or_else(|| panic!("{key} not after {after}"))
        + needle.len();
    let rest = &text[at..];
    let skip = rest.len() - rest.trim_start().len();
    let end = rest[skip..].find([',', '}', '\n']).unwrap() + skip;
    format!("{} {value}{}", &text[..at], &text[at + end..])
}

#[test]
fn a_hand_edited_json_report_shows_its_new_number_in_the_docx() {
    let forms = Forms::builtin();
    let report =
        nianbao::read_report(&fixture("huaian-2024/layout.txt"), &forms, &Options::default()).unwrap();
    let json = nianbao::write::json::to_string(&report);
    let edited = edit_json(&json, "\"regulations\"", "in_force", "4321");
    let edited = edit_json(&edited, "\"fees\"", "amount", "12.3456");
    assert_ne!(edited, json);
    let changed = nianbao::report_from_json(&edited, &forms).unwrap();
    assert_eq!(
        changed.tables.cell("active_disclosure.regulations.in_force"),
        Some(Cell::Number(4321.0))
    );

    let dir = tempfile::tempdir().unwrap();
    let docx = write_docx(dir.path(), "edited", &render(&changed, &forms));
    let back = nianbao::read_report(&docx, &forms, &Options::default()).unwrap();
    assert_eq!(
        back.tables.cell("active_disclosure.regulations.in_force"),
        Some(Cell::Number(4321.0))
    );
    assert_eq!(
        back.tables.cell("active_disclosure.fees.amount"),
        Some(Cell::Number(12.3456))
    );
    assert_same_tables("edited", &changed, &back);
}

// ---- the written package ----

fn parts(bytes: &[u8]) -> std::collections::BTreeMap<String, String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a ZIP package");
    let mut out = std::collections::BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        if f.is_dir() {
            continue;
        }
        let mut text = String::new();
        f.read_to_string(&mut text).unwrap();
        out.insert(f.name().to_string(), text);
    }
    out
}

const PPR: &[&str] = &[
    "pStyle",
    "keepNext",
    "keepLines",
    "pageBreakBefore",
    "framePr",
    "widowControl",
    "numPr",
    "suppressLineNumbers",
    "pBdr",
    "shd",
    "tabs",
    "suppressAutoHyphens",
    "kinsoku",
    "wordWrap",
    "overflowPunct",
    "topLinePunct",
    "autoSpaceDE",
    "autoSpaceDN",
    "bidi",
    "adjustRightInd",
    "snapToGrid",
    "spacing",
    "ind",
    "contextualSpacing",
    "mirrorIndents",
    "suppressOverlap",
    "jc",
    "textDirection",
    "textAlignment",
    "textboxTightWrap",
    "outlineLvl",
    "divId",
    "cnfStyle",
    "rPr",
    "sectPr",
    "pPrChange",
];
const RPR: &[&str] = &[
    "rStyle",
    "rFonts",
    "b",
    "bCs",
    "i",
    "iCs",
    "caps",
    "smallCaps",
    "strike",
    "dstrike",
    "outline",
    "shadow",
    "emboss",
    "imprint",
    "noProof",
    "snapToGrid",
    "vanish",
    "webHidden",
    "color",
    "spacing",
    "w",
    "kern",
    "position",
    "sz",
    "szCs",
    "highlight",
    "u",
    "effect",
    "bdr",
    "shd",
    "fitText",
    "vertAlign",
    "rtl",
    "cs",
    "em",
    "lang",
    "eastAsianLayout",
    "specVanish",
    "oMath",
];
const TBLPR: &[&str] = &[
    "tblStyle",
    "tblpPr",
    "tblOverlap",
    "bidiVisual",
    "tblStyleRowBandSize",
    "tblStyleColBandSize",
    "tblW",
    "jc",
    "tblCellSpacing",
    "tblInd",
    "tblBorders",
    "shd",
    "tblLayout",
    "tblCellMar",
    "tblLook",
    "tblCaption",
    "tblDescription",
];
const TCPR: &[&str] = &[
    "cnfStyle",
    "tcW",
    "gridSpan",
    "hMerge",
    "vMerge",
    "tcBorders",
    "shd",
    "noWrap",
    "tcMar",
    "textDirection",
    "tcFitText",
    "vAlign",
    "hideMark",
];
/// A choice in the schema; this is the order Word writes.
const TRPR: &[&str] = &[
    "cnfStyle",
    "divId",
    "gridBefore",
    "gridAfter",
    "wBefore",
    "wAfter",
    "cantSplit",
    "trHeight",
    "tblHeader",
    "tblCellSpacing",
    "jc",
    "hidden",
];
/// `headerReference` and `footerReference` share the first place (a choice group).
const SECTPR: &[&str] = &[
    "headerReference|footerReference",
    "footnotePr",
    "endnotePr",
    "type",
    "pgSz",
    "pgMar",
    "paperSrc",
    "pgBorders",
    "lnNumType",
    "pgNumType",
    "cols",
    "formProt",
    "vAlign",
    "noEndnote",
    "titlePg",
    "textDirection",
    "bidi",
    "rtlGutter",
    "docGrid",
    "printerSettings",
    "sectPrChange",
];
const TBLBORDERS: &[&str] = &["top", "left", "bottom", "right", "insideH", "insideV"];
const TBLCELLMAR: &[&str] = &["top", "left", "bottom", "right"];
const TBL: &[&str] = &["tblPr", "tblGrid", "tr"];
const TR: &[&str] = &["tblPrEx", "trPr", "tc"];
const TC: &[&str] = &["tcPr", "p|tbl"];
const P: &[&str] = &["pPr", "r"];
const STYLE: &[&str] = &[
    "name",
    "aliases",
    "basedOn",
    "next",
    "link",
    "autoRedefine",
    "hidden",
    "uiPriority",
    "semiHidden",
    "unhideWhenUsed",
    "qFormat",
    "locked",
    "personal",
    "personalCompose",
    "personalReply",
    "rsid",
    "pPr",
    "rPr",
    "tblPr",
    "trPr",
    "tcPr",
    "tblStylePr",
];
const FONT: &[&str] = &[
    "altName",
    "panose1",
    "charset",
    "family",
    "notTrueType",
    "pitch",
    "sig",
    "embedRegular",
    "embedBold",
    "embedItalic",
    "embedBoldItalic",
];
const BODY: &[&str] = &["p|tbl|sdt", "sectPr"];
/// CT_Compat (the legacy options this writer may use, then `compatSetting`).
const COMPAT: &[&str] = &[
    "useSingleBorderforContiguousCells",
    "wpJustification",
    "noTabHangInd",
    "noLeading",
    "spaceForUL",
    "noColumnBalance",
    "balanceSingleByteDoubleByteWidth",
    "noExtraLineSpacing",
    "doNotLeaveBackslashAlone",
    "ulTrailSpace",
    "doNotExpandShiftReturn",
    "spacingInWholePoints",
    "adjustLineHeightInTable",
    "useFELayout",
    "compatSetting",
];
const STYLES: &[&str] = &["docDefaults", "latentStyles", "style"];
const DOC_DEFAULTS: &[&str] = &["rPrDefault", "pPrDefault"];
const SETTINGS: &[&str] = &[
    "writeProtection",
    "view",
    "zoom",
    "removePersonalInformation",
    "removeDateAndTime",
    "doNotDisplayPageBoundaries",
    "displayBackgroundShape",
    "printPostScriptOverText",
    "printFractionalCharacterWidth",
    "printFormsData",
    "embedTrueTypeFonts",
    "embedSystemFonts",
    "saveSubsetFonts",
    "saveFormsData",
    "mirrorMargins",
    "alignBordersAndEdges",
    "bordersDoNotSurroundHeader",
    "bordersDoNotSurroundFooter",
    "gutterAtTop",
    "hideSpellingErrors",
    "hideGrammaticalErrors",
    "activeWritingStyle",
    "proofState",
    "formsDesign",
    "attachedTemplate",
    "linkStyles",
    "stylePaneFormatFilter",
    "stylePaneSortMethod",
    "documentType",
    "mailMerge",
    "revisionView",
    "trackRevisions",
    "doNotTrackMoves",
    "doNotTrackFormatting",
    "documentProtection",
    "autoFormatOverride",
    "styleLockTheme",
    "styleLockQFSet",
    "defaultTabStop",
    "autoHyphenation",
    "consecutiveHyphenLimit",
    "hyphenationZone",
    "doNotHyphenateCaps",
    "showEnvelope",
    "summaryLength",
    "clickAndTypeStyle",
    "defaultTableStyle",
    "evenAndOddHeaders",
    "bookFoldRevPrinting",
    "bookFoldPrinting",
    "bookFoldPrintingSheets",
    "drawingGridHorizontalSpacing",
    "drawingGridVerticalSpacing",
    "displayHorizontalDrawingGridEvery",
    "displayVerticalDrawingGridEvery",
    "doNotUseMarginsForDrawingGridOrigin",
    "drawingGridHorizontalOrigin",
    "drawingGridVerticalOrigin",
    "doNotShadeFormData",
    "noPunctuationKerning",
    "characterSpacingControl",
    "printTwoOnOne",
    "strictFirstAndLastChars",
    "noLineBreaksAfter",
    "noLineBreaksBefore",
    "savePreviewPicture",
    "doNotValidateAgainstSchema",
    "saveInvalidXml",
    "ignoreMixedContent",
    "alwaysShowPlaceholderText",
    "doNotDemarcateInvalidXml",
    "saveXmlDataOnly",
    "useXSLTWhenSaving",
    "saveThroughXslt",
    "showXMLTags",
    "alwaysMergeEmptyNamespace",
    "updateFields",
    "hdrShapeDefaults",
    "footnotePr",
    "endnotePr",
    "compat",
    "docVars",
    "rsids",
    "mathPr",
    "attachedSchema",
    "themeFontLang",
    "clrSchemeMapping",
    "doNotIncludeSubdocsInStats",
    "doNotAutoCompressPictures",
    "forceUpgrade",
    "captions",
    "readModeInkLockDown",
    "smartTagType",
    "schemaLibrary",
    "shapeDefaults",
    "doNotEmbedSmartTags",
    "decimalSymbol",
    "listSeparator",
];

fn rank(seq: &[&str], name: &str) -> Option<usize> {
    seq.iter().position(|s| s.split('|').any(|n| n == name))
}

/// Checks the children of every `w:<parent>` against the schema sequence; returns the
/// problems found and how many elements were checked.
fn check_order(part: &str, xml: &str, parent: &str, seq: &[&str], problems: &mut Vec<String>) -> usize {
    let doc = roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("{part}: {e}"));
    let mut checked = 0;
    for node in doc
        .descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == parent)
    {
        checked += 1;
        let mut last = 0;
        for child in node.children().filter(|c| c.is_element()) {
            let name = child.tag_name().name();
            match rank(seq, name) {
                None => problems.push(format!("{part}: <w:{parent}> has an unexpected child <w:{name}>")),
                Some(r) if r < last => problems.push(format!(
                    "{part}: <w:{name}> stands after <w:{}> in <w:{parent}>",
                    seq[last]
                )),
                Some(r) => last = r,
            }
        }
    }
    checked
}

#[test]
fn written_xml_follows_the_schema_order() {
    let forms = Forms::builtin();
    let report =
        nianbao::read_report(&fixture("huaian-2024/layout.txt"), &forms, &Options::default()).unwrap();
    let parts = parts(&render(&report, &forms));
    for name in [
        "word/document.xml",
        "word/styles.xml",
        "word/settings.xml",
        "word/footer1.xml",
        "word/footer2.xml",
    ] {
        assert!(parts.contains_key(name), "missing {name}: {:?}", parts.keys());
    }
    for (name, xml) in &parts {
        if name.ends_with(".xml") || name.ends_with(".rels") {
            roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("{name} is not well-formed: {e}"));
        }
    }
    let mut problems = Vec::new();
    let mut counts = std::collections::BTreeMap::new();
    let rules: &[(&str, &[&str])] = &[
        ("pPr", PPR),
        ("rPr", RPR),
        ("tblPr", TBLPR),
        ("tcPr", TCPR),
        ("trPr", TRPR),
        ("sectPr", SECTPR),
        ("tblBorders", TBLBORDERS),
        ("tblCellMar", TBLCELLMAR),
        ("tbl", TBL),
        ("tr", TR),
        ("tc", TC),
        ("p", P),
        ("style", STYLE),
        ("styles", STYLES),
        ("docDefaults", DOC_DEFAULTS),
        ("settings", SETTINGS),
        ("compat", COMPAT),
        ("font", FONT),
        ("body", BODY),
    ];
    for (name, xml) in &parts {
        if !name.starts_with("word/") || !name.ends_with(".xml") {
            continue;
        }
        for (parent, seq) in rules {
            *counts.entry(*parent).or_insert(0) += check_order(name, xml, parent, seq, &mut problems);
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    for key in [
        "pPr", "rPr", "tblPr", "tcPr", "trPr", "sectPr", "settings", "style",
    ] {
        assert!(counts[key] > 0, "no <w:{key}> was checked");
    }
}

fn attr<'a>(node: roxmltree::Node<'a, '_>, name: &str) -> Option<&'a str> {
    node.attributes().find(|a| a.name() == name).map(|a| a.value())
}

fn child<'a, 'i>(node: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

#[test]
fn written_docx_has_the_official_layout() {
    let forms = Forms::builtin();
    let style = Style::builtin();
    let report =
        nianbao::read_report(&fixture("huaian-2024/layout.txt"), &forms, &Options::default()).unwrap();
    let parts = parts(&render(&report, &forms));

    // Page: A4 and the GB/T 9704 margins, in twips.
    let doc = roxmltree::Document::parse(&parts["word/document.xml"]).unwrap();
    let sect = doc
        .descendants()
        .find(|n| n.tag_name().name() == "sectPr")
        .unwrap();
    let pg = child(sect, "pgSz").unwrap();
    assert_eq!((attr(pg, "w"), attr(pg, "h")), (Some("11906"), Some("16838")));
    let mar = child(sect, "pgMar").unwrap();
    assert_eq!(
        ["top", "bottom", "left", "right"].map(|k| attr(mar, k).unwrap().parse::<i64>().unwrap()),
        [2098, 1984, 1587, 1474]
    );
    let refs: Vec<_> = sect
        .children()
        .filter(|c| c.tag_name().name() == "footerReference")
        .collect();
    assert_eq!(
        refs.iter().map(|r| attr(*r, "type").unwrap()).collect::<Vec<_>>(),
        ["default", "even"]
    );

    // Tables: every row fills the grid, header rows repeat, no row splits.
    let tables: Vec<_> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "tbl")
        .collect();
    assert_eq!(tables.len(), 3);
    for (t, key) in tables
        .iter()
        .zip(["active_disclosure", "applications", "review_litigation"])
    {
        let grid: Vec<i64> = child(*t, "tblGrid")
            .unwrap()
            .children()
            .filter(|c| c.is_element())
            .map(|c| attr(c, "w").unwrap().parse().unwrap())
            .collect();
        let want: Vec<i64> = style.tables[key]
            .widths_mm
            .iter()
            .map(|mm| (mm * 1440.0 / 25.4).round() as i64)
            .collect();
        assert_eq!(grid, want, "{key}");
        let rows: Vec<_> = t.children().filter(|c| c.tag_name().name() == "tr").collect();
        for (i, tr) in rows.iter().enumerate() {
            let trpr = child(*tr, "trPr").unwrap();
            assert!(child(trpr, "cantSplit").is_some(), "{key} row {i}");
            let header = child(trpr, "tblHeader").is_some();
            assert_eq!(header, key != "active_disclosure" && i < 3, "{key} row {i}");
            let span: usize = tr
                .children()
                .filter(|c| c.tag_name().name() == "tc")
                .map(|tc| {
                    child(child(tc, "tcPr").unwrap(), "gridSpan")
                        .map_or(1, |g| attr(g, "val").unwrap().parse().unwrap())
                })
                .sum();
            assert_eq!(span, grid.len(), "{key} row {i}");
        }
    }
    let restarts = parts["word/document.xml"]
        .matches("<w:vMerge w:val=\"restart\"/>")
        .count();
    assert!(restarts >= 6, "{restarts} vertical merges");

    // Styles: East Asian faces from the style's font roles, sizes, indent, line pitch.
    let styles = &parts["word/styles.xml"];
    for (id, face, size) in [
        ("Title", "方正小标宋简体", 44),
        ("Normal", "仿宋_GB2312", 32),
        ("Heading1", "黑体", 32),
        ("Heading2", "楷体_GB2312", 32),
        ("TableText", "仿宋_GB2312", 21),
    ] {
        let sdoc = roxmltree::Document::parse(styles).unwrap();
        let s = sdoc
            .descendants()
            .find(|n| n.tag_name().name() == "style" && attr(*n, "styleId") == Some(id))
            .unwrap_or_else(|| panic!("no style {id}"));
        let rpr = child(s, "rPr").unwrap();
        assert_eq!(
            attr(child(rpr, "rFonts").unwrap(), "eastAsia"),
            Some(face),
            "{id}"
        );
        assert_eq!(
            attr(child(rpr, "rFonts").unwrap(), "ascii"),
            Some("Times New Roman"),
            "{id}"
        );
        assert_eq!(
            attr(child(rpr, "sz").unwrap(), "val"),
            Some(size.to_string().as_str()),
            "{id}"
        );
        if id == "Normal" {
            let ppr = child(s, "pPr").unwrap();
            assert_eq!(attr(child(ppr, "ind").unwrap(), "firstLine"), Some("640"));
            let sp = child(ppr, "spacing").unwrap();
            assert_eq!(
                (attr(sp, "line"), attr(sp, "lineRule")),
                (Some("579"), Some("exact"))
            );
        }
    }
    // Runs carry no direct formatting (the hairline paragraph after a table sets only its
    // own paragraph mark's size).
    assert!(!parts["word/document.xml"].contains("<w:r><w:rPr>"));

    // Footers: a PAGE field between dashes, odd right and even left; settings tell Word.
    for (name, jc) in [("word/footer1.xml", "right"), ("word/footer2.xml", "left")] {
        let f = &parts[name];
        assert!(
            f.contains("<w:instrText xml:space=\"preserve\"> PAGE </w:instrText>"),
            "{name}"
        );
        assert!(
            f.contains("fldCharType=\"begin\"") && f.contains("fldCharType=\"end\""),
            "{name}"
        );
        assert!(f.contains("— ") && f.contains(" —"), "{name}");
        assert!(f.contains(&format!("<w:jc w:val=\"{jc}\"/>")), "{name}");
    }
    assert!(parts["word/settings.xml"].contains("<w:evenAndOddHeaders/>"));

    // Core properties.
    let core = &parts["docProps/core.xml"];
    assert!(core.contains(&format!(
        "<dc:title>{}</dc:title>",
        report.title.as_deref().unwrap()
    )));
    assert!(core.contains(&format!(
        "<dc:creator>{}</dc:creator>",
        report.organization.as_deref().unwrap()
    )));
    assert!(core.contains("<dc:language>zh-CN</dc:language>"));
    assert!(core.contains("<dcterms:created xsi:type=\"dcterms:W3CDTF\">2"));
}

// ---- the reader on hand-made files ----

/// `docx/merges.docx` (made by hand): a heading style with a numeric id (as Chinese Word
/// writes them), a direct outline level, a style inheriting its level, a paragraph with a
/// hyperlink and tracked changes, and a table with `gridBefore`/`gridAfter`, `gridSpan` and
/// `vMerge`.
#[test]
fn reader_puts_every_cell_at_its_grid_column() {
    let doc = nianbao::read::read_path(&fixture("docx/merges.docx")).unwrap();
    let texts: Vec<(usize, &str, Option<u8>)> = doc
        .blocks
        .iter()
        .filter_map(|b| match b {
            RawBlock::Text { line, text, heading } => Some((*line, text.as_str(), *heading)),
            _ => None,
        })
        .collect();
    assert_eq!(
        texts,
        [
            (1, "某某局2024年政府信息公开工作年度报告", None),
            (2, "一、总体情况", Some(1)),
            (3, "（一）主动公开", Some(2)),
            (4, "继承样式的标题", Some(1)),
            (5, "正文一段。", None),
            (9, "表后一段。", None),
        ]
    );
    let rows: Vec<(usize, Vec<&str>, bool)> = doc
        .blocks
        .iter()
        .filter_map(|b| match b {
            RawBlock::Row { line, cells, exact } => {
                Some((*line, cells.iter().map(String::as_str).collect(), *exact))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        rows,
        [
            // `gridAfter` ends the row: the column after 右 holds no cell, so no blank cell.
            (6, vec!["", "宽", "", "右"], true),
            (7, vec!["纵", "1", "2", "", "4"], true),
            (8, vec!["", "5", "", "", "6"], true),
        ]
    );
}

/// The Huaian report written by nianbao and saved again by LibreOffice Writer: a DOCX from
/// another writer (its own styles, merges and table properties) reads to the same tables.
#[test]
fn a_docx_saved_by_libreoffice_reads_to_the_same_tables() {
    let forms = Forms::builtin();
    let text = nianbao::read_report(&fixture("huaian-2024/layout.txt"), &forms, &Options::default()).unwrap();
    let docx = nianbao::read_report(
        &fixture("docx/huaian-libreoffice.docx"),
        &forms,
        &Options::default(),
    )
    .unwrap();
    assert_same_tables("huaian-libreoffice", &text, &docx);
    assert_eq!(docx.title, text.title);
    assert_eq!(docx.sections, text.sections);
}

#[test]
fn broken_docx_files_are_unusable_with_a_reason() {
    for name in ["docx/truncated.docx", "docx/not-a-zip.docx"] {
        match nianbao::read_report(&fixture(name), &Forms::builtin(), &Options::default()) {
            Err(e) if e.kind() == ErrorKind::Unusable => {
                let reason = e.message();
                assert!(!reason.is_empty() && !reason.contains('\n'), "{name}: {reason:?}")
            }
            other => panic!("{name}: {other:?}"),
        }
    }
    // Arbitrary bytes behind a ZIP signature never panic.
    let mut seed = 0x2545_f491_u32;
    for len in [4usize, 30, 200, 2000] {
        let mut bytes = b"PK\x03\x04".to_vec();
        for _ in 0..len {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            bytes.push(seed as u8);
        }
        assert!(nianbao::read::docx::read(&bytes).is_err());
    }
}

// ---- LibreOffice ----

/// Runs a command, killing it after `secs` seconds: a hung office must not hang the tests.
fn run_bounded(cmd: &mut std::process::Command, secs: u64) -> std::process::Output {
    use std::process::Stdio;
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("soffice starts");
    let start = std::time::Instant::now();
    loop {
        if child.try_wait().expect("soffice runs").is_some() {
            return child.wait_with_output().expect("soffice output");
        }
        if start.elapsed().as_secs() > secs {
            let _ = child.kill();
            let out = child.wait_with_output().expect("soffice output");
            panic!(
                "soffice took over {secs} s: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

#[test]
fn libreoffice_opens_every_written_docx() {
    let Some(soffice) = ["soffice", "libreoffice"].into_iter().find(|c| {
        std::process::Command::new("sh")
            .args(["-c", &format!("command -v {c}")])
            .output()
            .is_ok_and(|o| o.status.success())
    }) else {
        eprintln!("skipped: LibreOffice (soffice) is not installed");
        return;
    };
    let forms = Forms::builtin();
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for path in seeds() {
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        let report = nianbao::read_report(&path, &forms, &Options::default()).unwrap();
        files.push(write_docx(dir.path(), &stem, &render(&report, &forms)));
    }
    let out = dir.path().join("pdf");
    let profile = dir.path().join("profile");
    let mut status = std::process::Command::new(soffice);
    status
        .arg(format!("-env:UserInstallation=file://{}", profile.display()))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(&out)
        .args(&files);
    let status = run_bounded(&mut status, 300);
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    for f in &files {
        let pdf = out.join(f.with_extension("pdf").file_name().unwrap());
        let bytes = std::fs::read(&pdf).unwrap_or_else(|e| panic!("{}: {e}", pdf.display()));
        assert!(
            bytes.starts_with(b"%PDF") && bytes.len() > 5000,
            "{}",
            pdf.display()
        );
    }

    // Saved again by LibreOffice as DOCX, every file still reads to the same tables.
    let resaved = dir.path().join("resaved");
    let mut again = std::process::Command::new(soffice);
    again
        .arg(format!("-env:UserInstallation=file://{}", profile.display()))
        .args(["--headless", "--convert-to", "docx:MS Word 2007 XML", "--outdir"])
        .arg(&resaved)
        .args(&files);
    let status = run_bounded(&mut again, 300);
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    for (f, path) in files.iter().zip(seeds()) {
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        let saved = resaved.join(f.file_name().unwrap());
        let report = nianbao::read_report(&path, &forms, &Options::default()).unwrap();
        let back = nianbao::read_report(&saved, &forms, &Options::default())
            .unwrap_or_else(|e| panic!("{}: {e}", saved.display()));
        assert_same_tables(&stem, &report, &back);
    }
}

/// The lines of each text block of a PDF, as `pdftotext -bbox-layout` finds them.
fn pdf_blocks(pdf: &Path) -> Vec<Vec<String>> {
    let out = std::process::Command::new("pdftotext")
        .arg("-bbox-layout")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext");
    let xml = String::from_utf8_lossy(&out.stdout).into_owned();
    let inner = |s: &str, tag: &str| -> Vec<String> {
        let (open, close) = (format!("<{tag}"), format!("</{tag}>"));
        let mut found = Vec::new();
        let mut rest = s;
        while let Some(a) = rest.find(&open) {
            let after = &rest[a..];
            let start = after.find('>').unwrap() + 1;
            let end = after.find(&close).unwrap();
            found.push(after[start..end].to_string());
            rest = &after[end + close.len()..];
        }
        found
    };
    inner(&xml, "block")
        .iter()
        .map(|b| {
            inner(b, "line")
                .iter()
                .map(|l| inner(l, "word").concat().replace("&amp;", "&"))
                .collect()
        })
        .collect()
}

/// Issue 16: the DOCX, opened in LibreOffice with a CJK font, paginates like the PDF: the same
/// number of pages, the title broken at the same places, and no table label (or any other
/// text block) with one character alone on its last line, for the seeds and Huai'an.
#[test]
fn libreoffice_paginates_the_docx_like_the_pdf() {
    let has = |c: &str| {
        std::process::Command::new("sh")
            .args(["-c", &format!("command -v {c}")])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !has("soffice") || !has("pdftotext") {
        eprintln!("skipped: LibreOffice (soffice) or pdftotext is not installed");
        return;
    }
    let cjk = std::process::Command::new("fc-list")
        .arg(":lang=zh")
        .output()
        .is_ok_and(|o| !o.stdout.is_empty());
    if !cjk {
        eprintln!("skipped: no CJK font for LibreOffice (Debian: fonts-noto-cjk)");
        return;
    }
    let forms = Forms::builtin();
    let style = Style::builtin();
    let dir = tempfile::tempdir().unwrap();
    let mut inputs = seeds();
    inputs.push(fixture("huaian-2024/report.pdf"));
    let mut files = Vec::new();
    for (i, path) in inputs.iter().enumerate() {
        let report = nianbao::read_report(path, &forms, &Options::default()).unwrap();
        let ctx = Context {
            form: forms.get(&report.form).unwrap(),
            style: &style,
            font_dirs: Vec::new(),
        };
        let stem = format!("r{i}");
        let pdf = dir.path().join(format!("{stem}.pdf"));
        std::fs::write(&pdf, OutputFormat::Pdf.render(&report, &ctx).unwrap()).unwrap();
        files.push((pdf, write_docx(dir.path(), &stem, &render(&report, &forms))));
    }
    let out = dir.path().join("lo");
    let profile = dir.path().join("profile");
    let mut cmd = std::process::Command::new("soffice");
    cmd.arg(format!("-env:UserInstallation=file://{}", profile.display()))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(&out)
        .args(files.iter().map(|f| &f.1));
    let status = run_bounded(&mut cmd, 300);
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    for ((pdf, docx), input) in files.iter().zip(&inputs) {
        let office = out.join(docx.with_extension("pdf").file_name().unwrap());
        let pages = |p: &Path| lopdf::Document::load(p).unwrap().get_pages().len();
        let name = input.display();
        assert_eq!(
            pages(pdf),
            pages(&office),
            "{name}: pages of the PDF and of the DOCX"
        );
        let (ours, theirs) = (pdf_blocks(pdf), pdf_blocks(&office));
        let title = |blocks: &[Vec<String>]| -> Vec<String> { blocks[0].iter().map(|l| squash(l)).collect() };
        assert_eq!(title(&ours), title(&theirs), "{name}: the title's lines");
        for (what, blocks) in [("PDF", &ours), ("DOCX", &theirs)] {
            for lines in blocks {
                // One character a line is the vertical group label, set so on purpose.
                let vertical = lines.iter().all(|l| l.chars().count() == 1);
                let last = lines.last().map(|l| l.chars().count()).unwrap_or(0);
                let cjk = lines
                    .last()
                    .is_some_and(|l| l.chars().all(|c| c as u32 >= 0x2E80));
                assert!(
                    vertical || lines.len() < 2 || last != 1 || !cjk,
                    "{name} ({what}): a character alone on its line: {lines:?}"
                );
            }
        }
    }
}

/// Corrupted copies of real DOCX files (bytes flipped inside the XML of a stored package)
/// are read or refused, never hang or crash.
#[test]
fn corrupted_docx_files_never_crash_the_reader() {
    let forms = Forms::builtin();
    let report =
        nianbao::read_report(&fixture("huaian-2024/layout.txt"), &forms, &Options::default()).unwrap();
    let original = render(&report, &forms);
    let mut seed = 0x9e37_79b9_u32;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed
    };
    let start = std::time::Instant::now();
    let (mut ok, mut refused) = (0, 0);
    for _ in 0..60 {
        let mut bytes = original.clone();
        for _ in 0..1 + next() % 8 {
            let at = next() as usize % bytes.len();
            bytes[at] = next() as u8;
        }
        match nianbao::read::docx::read(&bytes) {
            Ok(_) => ok += 1,
            Err(e) if matches!(e.kind(), ErrorKind::Unusable | ErrorKind::Limit) => {
                assert!(!e.message().contains('\n'), "{e}");
                refused += 1
            }
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(ok + refused, 60);
    assert!(start.elapsed().as_secs() < 60, "{:?}", start.elapsed());
}

// ---- doubtful cells ----

/// The text of a node's `w:t` descendants, and whether any of them is set superscript.
fn text_of(node: roxmltree::Node) -> (String, bool) {
    let mut text = String::new();
    let mut raised = false;
    for t in node.descendants().filter(|n| n.tag_name().name() == "t") {
        text.push_str(t.text().unwrap_or(""));
        let run = t.parent().unwrap();
        raised |= run
            .descendants()
            .any(|n| n.tag_name().name() == "vertAlign" && attr(n, "val") == Some("superscript"));
    }
    (text, raised)
}

/// The cells after the one reading `label` in its table row, as `(text, raised)`.
fn cells_after(doc: &roxmltree::Document, label: &str) -> Vec<(String, bool)> {
    let row = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "tr")
        .find(|tr| tr.children().any(|tc| text_of(tc).0 == label))
        .unwrap_or_else(|| panic!("no row {label}"));
    row.children()
        .filter(|n| n.tag_name().name() == "tc")
        .skip_while(|tc| text_of(*tc).0 != label)
        .skip(1)
        .map(text_of)
        .collect()
}

/// The paragraph right after the `n`th table.
fn after_table(doc: &roxmltree::Document, n: usize) -> String {
    let tbl = doc
        .descendants()
        .filter(|x| x.tag_name().name() == "tbl")
        .nth(n)
        .unwrap();
    let p = tbl.next_sibling_element().unwrap();
    assert_eq!(p.tag_name().name(), "p");
    text_of(p).0
}

#[test]
fn doubtful_cells_carry_their_mark_and_their_table_a_note() {
    let forms = Forms::builtin();
    let report =
        nianbao::read_report(&fixture("huaian-2024/layout.txt"), &forms, &Options::default()).unwrap();
    // Clean: no mark, no note.
    let clean = parts(&render(&report, &forms));
    let xml = &clean["word/document.xml"];
    assert!(!xml.contains('▲') && !xml.contains('※') && !xml.contains("表中标"));

    // 「1.属于国家秘密」/「商业企业」 one more: R3 fails along that row, R2 down the column.
    let json = nianbao::write::json::to_string(&report);
    let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
    v["tables"]["applications"]["withheld"]["state_secret"]["commercial"] = 7.into();
    let broken = nianbao::report_from_json(&v.to_string(), &forms).unwrap();
    let codes: Vec<&str> = broken.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["R2", "R3"], "{:?}", broken.diagnostics);
    let package = parts(&render(&broken, &forms));
    let doc = roxmltree::Document::parse(&package["word/document.xml"]).unwrap();
    let row = cells_after(&doc, "1.属于国家秘密");
    let texts: Vec<&str> = row.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(texts, ["2▲", "7▲", "0▲", "0▲", "0▲", "0▲", "2▲"]);
    assert!(row.iter().all(|(_, raised)| *raised), "the mark is superscript");
    // Another row R2's column crosses: its 商业企业 value alone.
    let row = cells_after(&doc, "2.重复申请");
    let marked: Vec<usize> = (0..row.len()).filter(|&i| row[i].0.ends_with('▲')).collect();
    assert_eq!(marked, [1], "{row:?}");
    // A row before the processed ones: nothing.
    assert!(
        cells_after(&doc, "一、本年新收政府信息公开申请数量")
            .iter()
            .all(|(t, _)| !t.contains('▲'))
    );
    assert_eq!(after_table(&doc, 0), "");
    assert_eq!(after_table(&doc, 1), "注：表中标▲的单元格不符合勾稽关系。");
    assert_eq!(after_table(&doc, 2), "");

    // Unresolved: 「规章」's row marked, its blank cell too (not raised: the mark stands
    // alone there); table 四, unresolved as a whole, noted under it.
    use nianbao::diag::{Diagnostic, Severity};
    let mut report = report;
    report
        .tables
        .get_mut("active_disclosure")
        .unwrap()
        .set(0, 1, Cell::Blank);
    report.diagnostics.push(
        Diagnostic::new(Severity::Error, "unresolved", "「规章」无法确定")
            .cell("active_disclosure.regulations"),
    );
    report
        .diagnostics
        .push(Diagnostic::new(Severity::Error, "unresolved", "表四无法确定").cell("review_litigation"));
    let table = report.tables.get("active_disclosure").unwrap();
    let value = |c: usize| table.get(0, c).number().unwrap().to_string();
    let package = parts(&render(&report, &forms));
    let doc = roxmltree::Document::parse(&package["word/document.xml"]).unwrap();
    assert_eq!(
        cells_after(&doc, "规章"),
        [
            (format!("{}※", value(0)), true),
            ("※".into(), false),
            (format!("{}※", value(2)), true)
        ]
    );
    assert!(
        cells_after(&doc, "行政规范性文件")
            .iter()
            .all(|(t, _)| !t.contains('※'))
    );
    assert_eq!(after_table(&doc, 0), "注：表中标※的单元格无法从原文确定。");
    assert_eq!(after_table(&doc, 1), "");
    assert_eq!(after_table(&doc, 2), "注：本表数值无法从原文确定。");
    assert!(!package["word/document.xml"].contains('▲'));
}
