//! The outline and the metadata of reports broken the way real ones are (shapes and real
//! reports of the test corpus in `fixtures/corpus/`): decoy headings, a report on one line, archive
//! titles, year-first titles, Kangxi radicals, and the figures the prose quotes (R7).

use crate::common;

use common::{fixture, read};
use nianbao::model::{Block, Cell, Report};
use nianbao::{Forms, Options, Severity};

/// A corpus file by name: a shape, else a real report.
fn corpus_path(name: &str) -> std::path::PathBuf {
    let shape = fixture(&format!("corpus/shapes/{name}"));
    if shape.is_file() {
        shape
    } else {
        fixture(&format!("corpus/real/{name}"))
    }
}

fn corpus(name: &str) -> Report {
    read(&corpus_path(name))
}

fn from_text(text: &str) -> Report {
    nianbao::report_from_text(text, &Forms::builtin(), &Options::default()).unwrap()
}

fn corpus_text(name: &str) -> String {
    std::fs::read_to_string(corpus_path(name)).unwrap()
}

const KEYS: [&str; 6] = [
    "overview",
    "active_disclosure",
    "applications",
    "review_litigation",
    "problems",
    "other_matters",
];

fn section_keys(r: &Report) -> Vec<&str> {
    r.sections.iter().filter_map(|s| s.key.as_deref()).collect()
}

fn number(r: &Report, path: &str) -> Option<f64> {
    r.tables.cell(path).and_then(Cell::number)
}

fn codes(r: &Report, severity: Severity) -> Vec<&str> {
    r.diagnostics
        .iter()
        .filter(|d| d.severity == severity)
        .map(|d| d.code.as_str())
        .collect()
}

fn r7_errors(r: &Report) -> Vec<String> {
    r.diagnostics
        .iter()
        .filter(|d| d.code == "R7")
        .map(|d| format!("{} {}", d.cell.as_deref().unwrap_or(""), d.message))
        .collect()
}

#[test]
fn a_preamble_listing_the_parts_one_a_line_is_no_heading() {
    let r = corpus("decoy-1.txt");
    assert_eq!(section_keys(&r), KEYS);
    assert_eq!(r.sections[1].heading.as_deref(), Some("一、总体情况"));
    // The list stays in the preamble, and the tables are read.
    let preamble: String = r.sections[0]
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Paragraph { text } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert!(preamble.contains("主动公开政府信息情况"), "{preamble}");
    assert_eq!(
        number(&r, "active_disclosure.licensing.decisions"),
        Some(447228.0)
    );
    assert_eq!(number(&r, "applications.new_received.total"), Some(3119.0));
    assert_eq!(number(&r, "review_litigation.review.total"), Some(351.0));
    assert_eq!(r.organization.as_deref(), Some("淮安市人民政府"));
    assert!(codes(&r, Severity::Error).is_empty(), "{:?}", r.diagnostics);
}

#[test]
fn a_sub_heading_worded_like_a_section_and_headings_broken_after_the_ordinal() {
    let r = corpus("decoy-2.txt");
    assert_eq!(section_keys(&r), KEYS);
    // `二、` / `主动公开政府信息情况` is one heading again; nothing of it is left as text.
    for s in &r.sections {
        for b in &s.blocks {
            if let Block::Paragraph { text } | Block::Heading { text, .. } = b {
                assert!(
                    !["一、", "二、", "三、", "四、", "五、", "六、"].contains(&text.as_str()),
                    "{text}"
                );
            }
        }
    }
    // `（六）` / `因政府信息公开工作被申请行政复议…` stays a sub-heading of section 一.
    let overview = &r
        .sections
        .iter()
        .find(|s| s.key.as_deref() == Some("overview"))
        .unwrap();
    let text: String = overview
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Paragraph { text } | Block::Heading { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert!(text.contains("因政府信息公开工作被申请行政复议"), "{text}");
    assert_eq!(number(&r, "applications.new_received.total"), Some(220.0));
    assert_eq!(number(&r, "review_litigation.review.total"), Some(6.0));
    assert!(codes(&r, Severity::Error).is_empty(), "{:?}", r.diagnostics);
}

#[test]
fn section_like_sub_headings_in_section_one_of_the_2019_form() {
    let r = corpus("decoy-3.txt");
    assert_eq!(r.form, "2019");
    assert_eq!(section_keys(&r), KEYS);
    assert!(codes(&r, Severity::Error).is_empty(), "{:?}", r.diagnostics);
}

#[test]
fn a_report_on_one_line_has_its_sections_title_organization_and_year() {
    let r = corpus("concat-1.txt");
    assert_eq!(section_keys(&r), KEYS);
    assert_eq!(
        r.title.as_deref(),
        Some("新郑市政务服务和大数据管理局2023年政府信息公开工作年度报告")
    );
    assert_eq!(r.organization.as_deref(), Some("新郑市政务服务和大数据管理局"));
    assert_eq!(r.year, Some(2023));
    // The row label `一、本年新收…` inside the glued table is no heading.
    let headings: Vec<_> = r.sections.iter().filter_map(|s| s.heading.as_deref()).collect();
    assert_eq!(headings[1], "二、主动公开政府信息情况");
}

#[test]
fn headings_listed_inside_a_sentence_are_not_cut_out() {
    let text = corpus_text("decoy-1.txt").replacen(
        "本报告由总体情况\n、\n主动公开政府信息情况\n、\n",
        "本报告由一、总体情况，二、主动公开政府信息情况，",
        1,
    );
    let r = from_text(&text);
    assert_eq!(section_keys(&r), KEYS);
    assert_eq!(
        number(&r, "active_disclosure.licensing.decisions"),
        Some(447228.0)
    );
}

#[test]
fn archive_title_label_and_year_first_titles() {
    let r = corpus("titles-1.txt");
    assert_eq!(r.organization.as_deref(), Some("XX县人民政府"));
    assert_eq!(r.year, Some(2019));
    assert_eq!(
        r.title.as_deref(),
        Some("XX县人民政府2019年政府信息公开工作年度报告")
    );
    let r = corpus("titles-2.txt");
    assert_eq!(r.organization.as_deref(), Some("淮安市人民政府"));
    assert_eq!(r.year, Some(2024));
}

#[test]
fn kangxi_radicals_become_ideographs_everywhere() {
    let r = corpus("titles-3.txt");
    assert_eq!(r.organization.as_deref(), Some("新郑市政务服务和大数据管理局"));
    assert_eq!(
        r.title.as_deref(),
        Some("新郑市政务服务和大数据管理局2023年政府信息公开工作年度报告")
    );
    let radical = |t: &str| t.chars().any(|c| ('\u{2F00}'..='\u{2FD5}').contains(&c));
    for s in &r.sections {
        assert!(!s.heading.as_deref().is_some_and(radical));
        for b in &s.blocks {
            if let Block::Paragraph { text } | Block::Heading { text, .. } = b {
                assert!(!radical(text), "{text}");
            }
        }
    }
    assert_eq!(section_keys(&r), KEYS);
}

#[test]
fn no_title_means_no_organization_and_says_so() {
    let r = corpus("longgang-dept-2024-excerpt.txt");
    assert_eq!(r.organization, None);
    assert_eq!(r.year, Some(2024));
    assert!(
        codes(&r, Severity::Warning).contains(&"no_organization"),
        "{:?}",
        r.diagnostics
    );
    assert!(
        codes(&r, Severity::Warning).contains(&"no_year"),
        "{:?}",
        r.diagnostics
    );
}

#[test]
fn a_title_without_a_body_names_no_organization_and_says_so() {
    let text = corpus_text("titles-2.txt").replacen(
        "2024年淮安市人民政府政府信息公开工作年度报告",
        "2024年政府信息公开工作年度报告",
        1,
    );
    let r = from_text(&text);
    assert_eq!(r.organization, None);
    assert_eq!(r.year, Some(2024));
    assert!(
        codes(&r, Severity::Warning).contains(&"no_organization"),
        "{:?}",
        r.diagnostics
    );
}

#[test]
fn full_width_figures_in_the_prose_agree_with_the_tables() {
    let r = corpus("signs-2.txt");
    assert!(r7_errors(&r).is_empty(), "{:?}", r7_errors(&r));
}

#[test]
fn a_full_width_figure_that_disagrees_is_an_r7_error() {
    let text = corpus_text("signs-2.txt").replacen("行政复议３５１件", "行政复议３５０件", 1);
    let r = from_text(&text);
    let errors = r7_errors(&r);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("review_litigation.review.total"),
        "{errors:?}"
    );
    assert!(
        errors[0].contains("350") && errors[0].contains("351"),
        "{errors:?}"
    );
}

#[test]
fn applications_quoted_with_those_carried_over_agree() {
    // Huai'an: 3119 new, 34 carried over.
    let text = corpus_text("decoy-1.txt");
    let with = text.replacen("共受理政府信息公开申请3119件", "共受理政府信息公开申请3153件", 1);
    assert!(r7_errors(&from_text(&with)).is_empty());
    let wrong = text.replacen("共受理政府信息公开申请3119件", "共受理政府信息公开申请3150件", 1);
    let errors = r7_errors(&from_text(&wrong));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("applications.new_received.total"),
        "{errors:?}"
    );
}

#[test]
fn a_figure_broken_over_lines_is_still_quoted() {
    let text = corpus_text("decoy-2.txt");
    let broken = text.replacen(
        "本年度我局因政府信息公开工作被申请行政复议6件，",
        "本年度我局因政府信息公开工作被申请\n行政复议\n6\n件，",
        1,
    );
    assert_ne!(broken, text);
    assert!(r7_errors(&from_text(&broken)).is_empty());
    let wrong = text.replacen(
        "本年度我局因政府信息公开工作被申请行政复议6件，",
        "本年度我局因政府信息公开工作被申请\n行政复议\n7\n件，",
        1,
    );
    let errors = r7_errors(&from_text(&wrong));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("review_litigation.review.total"),
        "{errors:?}"
    );
}

#[test]
fn a_sentence_broken_over_lines_before_its_figure_is_still_quoted() {
    // `…共受` / `理政府信息公开申请3150件…`: a short line no paragraph rule joins to the
    // next; the quote straddles the break.
    let text = corpus_text("decoy-1.txt");
    let at = text.find("共受理政府信息公开申请3119件").expect("the quote");
    let head = text[..at].rfind('\n').map_or(0, |p| p + 1);
    let line_end = text[at..].find('\n').map_or(text.len(), |p| at + p);
    let rest = &text[at + "共受".len()..line_end];
    let broken = |figure: &str| {
        format!(
            "{}\n全市共受\n{}\n{}",
            &text[..head],
            rest.replacen("3119", figure, 1),
            &text[line_end + 1..]
        )
    };
    assert!(r7_errors(&from_text(&broken("3119"))).is_empty());
    let errors = r7_errors(&from_text(&broken("3150")));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("applications.new_received.total") && errors[0].contains("3150"),
        "{errors:?}"
    );
}

#[test]
fn a_heading_named_in_a_sentence_is_a_reference_and_one_ending_in_a_stop_a_heading() {
    let text = corpus_text("decoy-1.txt")
        .replacen(
            "圆满完成了各项任务。",
            "圆满完成了各项任务，数据详见二、主动公开政府信息情况。",
            1,
        )
        .replacen(
            "\n三、收到和处理政府信息公开申请情况\n",
            "\n三、收到和处理政府信息公开申请情况。\n",
            1,
        );
    let r = from_text(&text);
    assert_eq!(section_keys(&r), KEYS);
    let applications = r
        .sections
        .iter()
        .find(|s| s.key.as_deref() == Some("applications"))
        .unwrap();
    assert!(matches!(applications.blocks.first(), Some(Block::Table { .. })));
    assert_eq!(
        number(&r, "active_disclosure.licensing.decisions"),
        Some(447228.0)
    );
    assert_eq!(number(&r, "applications.new_received.total"), Some(3119.0));
}

/// A red-team case (`fixtures/redteam/`): inputs outside the corpus that once came out wrong.
fn redteam(name: &str) -> Report {
    read(&fixture(&format!("redteam/{name}")))
}

fn meta(r: &Report) -> (Option<&str>, Option<i32>) {
    (r.organization.as_deref(), r.year)
}

#[test]
fn title_with_a_year_in_chinese_numerals() {
    let r = redteam("min-title-cnyear.txt");
    assert_eq!(meta(&r), (Some("登封市人民政府办公室"), Some(2023)));
}

#[test]
fn bracketed_archive_label_and_leading_guanyu_are_no_part_of_the_body() {
    let r = redteam("min-title-bracket.txt");
    assert_eq!(meta(&r), (Some("登封市人民政府办公室"), Some(2023)));
    let r = redteam("min-title-guanyu.txt");
    assert_eq!(meta(&r), (Some("淮安市人民政府"), Some(2024)));
}

#[test]
fn site_links_before_the_title_give_way_to_the_heading_next_to_the_body() {
    let r = redteam("min-title-sitefirst.txt");
    assert_eq!(meta(&r), (Some("宝丰县大营镇人民政府"), Some(2023)));
    // The link naming another body is said: which title is the report's is a choice.
    let doubt = r
        .diagnostics
        .iter()
        .find(|d| d.code == "organization_doubtful")
        .expect("organization_doubtful");
    assert_eq!(doubt.severity, Severity::Error);
    assert!(doubt.message.contains("宝丰县人民政府"), "{}", doubt.message);
}

#[test]
fn navigation_lines_are_neither_title_nor_year() {
    let r = redteam("min-title-prevlink.txt");
    assert_eq!(meta(&r), (Some("登封市人民政府办公室"), Some(2023)));
    assert!(
        !r.diagnostics.iter().any(|d| d.code == "organization_doubtful"),
        "{:?}",
        r.diagnostics
    );
}

#[test]
fn a_year_mined_from_text_naming_several_years_is_an_error() {
    let text = std::fs::read_to_string(fixture("redteam/min-title-prevlink.txt")).unwrap();
    let body = text.split_once("\n\n").unwrap().1;
    let report = |preamble: &str| {
        from_text(&format!(
            "登封市人民政府办公室政府信息公开工作年度报告\n{preamble}\n\n{body}"
        ))
    };
    let r = report("本报告统计期限自2023年1月1日至2023年12月31日。2022年曾开展专项检查。");
    assert_eq!(r.year, Some(2023));
    let d = r
        .diagnostics
        .iter()
        .find(|d| d.code == "no_year")
        .expect("no_year");
    assert_eq!(d.severity, Severity::Error, "{}", d.message);
    assert!(
        d.message.contains("2023") && d.message.contains("2022"),
        "{}",
        d.message
    );
    // One year named throughout: a repair believed right, a warning.
    let r = report("本报告统计期限自2023年1月1日至2023年12月31日。");
    let d = r
        .diagnostics
        .iter()
        .find(|d| d.code == "no_year")
        .expect("no_year");
    assert_eq!((r.year, d.severity), (Some(2023), Severity::Warning));
}

#[test]
fn html_page_title_names_the_body_when_the_text_has_no_title() {
    let r = redteam("html-nortitle-huaian.html");
    assert_eq!(meta(&r), (Some("淮安市人民政府"), Some(2024)));
    // Taken from the site's name: said as a doubt.
    assert!(
        r.diagnostics
            .iter()
            .any(|d| d.code == "organization_doubtful" && d.severity == Severity::Error),
        "{:?}",
        r.diagnostics
    );
}

#[test]
fn r7_leaves_figures_of_other_periods_alone() {
    for name in ["r7trap1-huaian.txt", "r7trap3-huaian.txt"] {
        let r = redteam(name);
        assert!(r7_errors(&r).is_empty(), "{name}: {:?}", r7_errors(&r));
    }
    // The same quote about the report's own year is still compared.
    let text = std::fs::read_to_string(fixture("redteam/r7trap1-huaian.txt"))
        .unwrap()
        .replace(
            "2023年共收到政府信息公开申请2899件",
            "2024年共收到政府信息公开申请2899件",
        );
    let r = from_text(&text);
    assert!(
        r7_errors(&r).iter().any(|e| e.contains("2899")),
        "{:?}",
        r7_errors(&r)
    );
}

#[test]
fn body_from_an_info_name_label_a_bracketed_line_or_the_signature() {
    // `信息名称：…` is an archive's label.
    let r = redteam("title-archive-s003.txt");
    assert_eq!(meta(&r), (Some("浉河区人民政府办公室"), Some(2023)));
    // `2022年…年度报告` / `（管委会办公室）`.
    let r = redteam("title-noorg-s001.txt");
    assert_eq!(meta(&r), (Some("管委会办公室"), Some(2022)));
    // No body in the title: the one signing above the date, said as a repair.
    let r = redteam("org-signature-s003.txt");
    assert_eq!(meta(&r), (Some("浉河区人民政府办公室"), Some(2023)));
    assert!(
        r.diagnostics.iter().any(|d| d.code == "no_organization"
            && d.severity == Severity::Warning
            && d.message.contains("署名")),
        "{:?}",
        r.diagnostics
    );
}

/// A red-team case read whole: every cell as its hand-read expectation
/// (`fixtures/redteam/expected/`), no error.
fn assert_redteam_whole(name: &str) {
    let r = redteam(name);
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fixture(&format!("redteam/expected/{stem}.json"))).unwrap(),
    )
    .unwrap();
    let bad = common::table_mismatches(&r, &expected["tables"]);
    assert!(bad.is_empty(), "{name}: {bad:?}");
    let errors: Vec<_> = r
        .diagnostics
        .iter()
        .filter(|d| d.severity == nianbao::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{name}: {errors:?}");
}

#[test]
fn a_docx_whose_body_is_framed_in_a_one_cell_table_reads_as_its_body() {
    assert_redteam_whole("docx-nested-s002.docx");
}

#[test]
fn six_parts_numbered_1_to_6_or_as_parts_are_the_sections() {
    assert_redteam_whole("heading-arabic-s000.txt");
    assert_redteam_whole("heading-bufen-s003.txt");
}
