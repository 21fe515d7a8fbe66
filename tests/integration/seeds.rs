//! The five seed reports and the Huaian report against tables read off them by hand.

use crate::common;

use common::{assert_whole_huaian, fixture, huaian_expected, read, seeds, table_mismatches};
use nianbao::Severity;
use serde_json::Value;

#[test]
fn every_seed_matches_its_hand_read_tables() {
    for (stem, path) in seeds() {
        let expected: Value = serde_json::from_str(
            &std::fs::read_to_string(fixture(&format!("expected/{stem}.json"))).unwrap(),
        )
        .unwrap();
        let report = read(&path);
        let bad = table_mismatches(&report, &expected["tables"]);
        assert!(bad.is_empty(), "{stem}:\n{}", bad.join("\n"));
        assert_eq!(report.form, expected["form"].as_str().unwrap(), "{stem}");
        assert_eq!(report.title.as_deref(), expected["title"].as_str(), "{stem}");
        assert_eq!(
            report.organization.as_deref(),
            expected["organization"].as_str(),
            "{stem}"
        );
        assert_eq!(report.year, expected["year"].as_i64().map(|y| y as i32), "{stem}");
        let errors: Vec<_> = report
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        assert!(errors.is_empty(), "{stem}: {errors:#?}");
        let keys: Vec<_> = report.sections.iter().filter_map(|s| s.key.as_deref()).collect();
        assert_eq!(
            keys,
            [
                "overview",
                "active_disclosure",
                "applications",
                "review_litigation",
                "problems",
                "other_matters"
            ],
            "{stem}"
        );
    }
}

#[test]
fn seed_003s_lost_cells_are_inferred_and_reported() {
    let report = read(&fixture("003_c73b0815ce023fc0.txt"));
    for row in ["new_received", "granted", "partially_granted", "carried_forward"] {
        let path = format!("applications.{row}");
        let d = report
            .diagnostics
            .iter()
            .find(|d| d.cell.as_deref() == Some(path.as_str()))
            .unwrap_or_else(|| panic!("no diagnostic for {path}"));
        assert_eq!(d.code, "inferred", "{d:?}");
        assert_eq!(d.severity, Severity::Warning);
        assert!(d.line.is_some());
    }
}

#[test]
fn huaian_layout_text_gives_every_real_number_in_place() {
    assert_whole_huaian(&read(&fixture("huaian-2024/layout.txt")));
}

#[test]
fn huaian_drawing_order_text_is_never_silently_wrong() {
    let expected = huaian_expected();
    let report = read(&fixture("huaian-2024/raw.txt"));
    for line in table_mismatches(&report, &expected["tables"]) {
        let path = line.split(':').next().unwrap();
        assert!(
            report.diagnostics.iter().any(|d| d.concerns(path)),
            "silently wrong: {line}"
        );
    }
}

#[test]
fn prose_keeps_urls_and_loses_ocr_spaces() {
    let report = read(&fixture("huaian-2024/layout.txt"));
    let text: String = serde_json::to_string(&report.sections).unwrap();
    assert!(text.contains("hazwgkc@163.com"));
    let report = read(&fixture("003_c73b0815ce023fc0.txt"));
    let text: String = serde_json::to_string(&report.sections).unwrap();
    assert!(
        text.contains("网站安全日常监测制度"),
        "OCR space inside a word is dropped"
    );
    assert!(!text.contains('†'));
}

#[test]
fn tables_are_found_by_their_headers_when_headings_are_lost() {
    let expected = huaian_expected();
    let text = std::fs::read_to_string(fixture("huaian-2024/layout.txt")).unwrap();
    let text: String = text
        .lines()
        .filter(|l| {
            !l.contains("三、收到和处理政府信息公开申请情况")
                && !l.contains("四、政府信息公开行政复议、行政诉讼情况")
        })
        .collect::<Vec<_>>()
        .join("\n");
    let report =
        nianbao::report_from_text(&text, &nianbao::Forms::builtin(), &nianbao::Options::default()).unwrap();
    let bad = table_mismatches(&report, &expected["tables"]);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    assert_eq!(
        report
            .diagnostics
            .iter()
            .filter(|d| d.code == "section_missing")
            .count(),
        2
    );
}
