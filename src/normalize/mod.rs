//! The normalizer: a [`RawDoc`] from any reader becomes a [`Report`] in the official form.
//!
//! text cleanup → section detection → table alignment onto the form → validation.

pub mod align;
pub mod cells;
pub mod order;
pub mod sections;
pub mod similarity;
pub mod solve;
pub mod solver;
pub mod tables;
pub mod text;
pub mod validate;

use crate::diag::{Diagnostic, Severity, code};
use crate::error::Error;
use crate::form::{Form, Forms};
use crate::model::{Block, Report, Section, Table, Tables};
use crate::read::{RawBlock, RawDoc};

/// Choices a user can force instead of detection.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The form version (`2021`, `2019`); detected from content when `None`.
    pub form: Option<String>,
}

/// The report in `raw`, rebuilt on the form.
///
/// # Errors
/// As [`normalize_traced`].
pub fn normalize(raw: &RawDoc, forms: &Forms, opts: &Options) -> Result<Report, Error> {
    normalize_traced(raw, forms, opts).map(|(report, _)| report)
}

/// The source line of each table row's values, by row path (`applications.new_received`).
pub type RowLines = std::collections::HashMap<String, usize>;

/// [`normalize`], with the source line each table row was read from (a page showing the
/// source beside the form points at it).
///
/// # Errors
/// [`ErrorKind::Unusable`](crate::ErrorKind::Unusable): no usable report in `raw` (no text,
/// no tables of the form); [`ErrorKind::Usage`](crate::ErrorKind::Usage): a forced form
/// version that is not among `forms`.
pub fn normalize_traced(raw: &RawDoc, forms: &Forms, opts: &Options) -> Result<(Report, RowLines), Error> {
    let mut row_lines = RowLines::new();
    // The one place every reader's text passes: Kangxi radicals (`⼯`, `⼤`) become the
    // ideographs they look like, and invisible characters go, before anything reads a word.
    let blocks: Vec<RawBlock> = raw
        .blocks
        .iter()
        .filter(|b| !sections::block_text(b).is_some_and(text::is_page_number))
        .map(unify_block)
        .collect();
    let mut diags = raw.notes.clone();
    let form = match &opts.form {
        Some(v) => forms
            .get(v)
            .ok_or_else(|| Error::usage(format!("未知的表格版本 (unknown form version) {v}")))?,
        None => detect_form(forms, &blocks, &mut diags),
    };

    let mut blocks = sections::outline_blocks(form, blocks);
    // Two whole reports in one input: the first is read, and the second said (its tables
    // would otherwise be taken under the first one's title).
    let (mut headings, second) = sections::outline(form, &blocks);
    if let Some(cut) = second {
        let what = sections::block_text(&blocks[cut])
            .unwrap_or_default()
            .trim()
            .to_string();
        let line = blocks[cut].line();
        diags.push(
            Diagnostic::new(
                Severity::Warning,
                code::SECOND_REPORT,
                format!(
                    "第 {line} 行起是另一份年度报告「{}」，只读取了此前的第一份 (a second report starts at line {line}; only the first is read)",
                    what.chars().take(60).collect::<String>()
                ),
            )
            .at(Some(line)),
        );
        blocks.truncate(cut);
    }
    // A table whose section heading was not found (garbled by OCR, or left out) is found by
    // its own header; its section then starts at the table. Before the first heading found
    // stand the title and the preamble; with none found (every heading left out), anywhere.
    let first_heading = headings.first().map_or(0, |h| h.1);
    let anchored = sections::anchor_tables(form, &blocks, &mut headings, first_heading);
    let first_heading = headings.first().map_or(blocks.len(), |h| h.1);
    let title = sections::find_title(&blocks, first_heading);
    let (mut organization, mut year) = title
        .as_ref()
        .map_or((None, None), |t| sections::title_parts(&t.text));
    // No title in the text: an HTML page's `<title>` may still name the body and the year.
    let from_page = title
        .is_none()
        .then_some(raw.page_title.as_deref())
        .flatten()
        .and_then(|p| Some((p, sections::page_title_parts(p)?)));
    if title.is_none() {
        diags.push(Diagnostic::new(
            Severity::Info,
            code::NO_TITLE,
            "未找到报告标题 (no title found)",
        ));
    }
    match from_page {
        Some((page, (org, page_year, site))) if org.is_some() => {
            organization = org;
            year = page_year;
            let org = organization.as_deref().unwrap_or_default();
            diags.push(if site {
                // The site's owner is not always the body that issued the report.
                Diagnostic::new(
                    Severity::Error,
                    code::ORGANIZATION_DOUBTFUL,
                    format!("正文无标题，发布机关取自网页标题「{page}」中的网站名称「{org}」，可能有误 (organization doubtful)"),
                )
            } else {
                Diagnostic::new(
                    Severity::Warning,
                    code::NO_TITLE,
                    format!("正文无标题，发布机关取自网页标题「{page}」 (organization from the page title)"),
                )
            });
            if let Some(why) = sections::doubtful_organization(org) {
                diags.push(Diagnostic::new(
                    Severity::Error,
                    code::ORGANIZATION_DOUBTFUL,
                    format!("从网页标题读出的发布机关「{org}」可疑：{why} (organization doubtful)"),
                ));
            }
        }
        _ => match (organization.is_none(), sections::signature(&blocks)) {
            // No body in the title: the one that signs the report above its date.
            (true, Some(signed)) => {
                diags.push(Diagnostic::new(
                    Severity::Warning,
                    code::NO_ORGANIZATION,
                    format!("标题中没有发布机关，取文末署名「{signed}」 (organization from the signature)"),
                ));
                organization = Some(signed);
            }
            _ => diags.extend(metadata_diagnostics(title.as_ref(), organization.as_deref())),
        },
    }
    if year.is_none() {
        let (most, all) = sections::named_years(&blocks);
        year = most;
        diags.push(match year {
            // The year the text names most often (the statistics period, 2023年1月1日至…)
            // is the report's year in every report seen; said, because it is a guess.
            Some(y) if all.len() <= 1 => Diagnostic::new(
                Severity::Warning,
                code::NO_YEAR,
                format!("标题中没有年度，按正文中最常出现的年份取 {y} 年 (year taken from the text)"),
            ),
            // The text names other years too: the most named one may not be the report's.
            Some(y) => Diagnostic::new(
                Severity::Error,
                code::NO_YEAR,
                format!(
                    "标题中没有年度，正文提到多个年份（{}），按最常出现的取 {y} 年，可能有误 (year doubtful)",
                    all.iter().map(i32::to_string).collect::<Vec<_>>().join("、")
                ),
            ),
            None => Diagnostic::new(Severity::Warning, code::NO_YEAR, "未找到报告年度 (no year found)"),
        });
    }

    let mut report = Report {
        form: form.version.clone(),
        title: title.as_ref().map(|t| t.text.clone()),
        organization,
        year,
        sections: Vec::new(),
        tables: Tables::empty(form),
        not_applicable: Vec::new(),
        diagnostics: Vec::new(),
    };

    // The preamble: between the title and the first heading.
    let preamble_start = title.as_ref().map_or(0, |t| t.last + 1);
    // Whether the prose was broken at every styled run, judged on the parts that are prose
    // only (the preamble and the sections without a table): a table's cells are short too.
    let broken = {
        let mut prose = prose_lines(&blocks[preamble_start.min(first_heading)..first_heading]);
        for (k, &(s, start)) in headings.iter().enumerate() {
            let end = headings.get(k + 1).map_or(blocks.len(), |h| h.1);
            if !form.tables.iter().any(|t| t.section == form.sections[s].key) {
                prose.extend(prose_lines(&blocks[(start + 1).min(end)..end]));
            }
        }
        broken_at_runs(prose.iter().map(|(_, l)| l.as_str()))
    };
    if preamble_start < first_heading {
        let blocks = prose_blocks(&blocks[preamble_start..first_heading], broken);
        if !blocks.is_empty() {
            report.sections.push(Section {
                key: None,
                heading: None,
                blocks,
            });
        }
    }

    let mut table_found = vec![false; form.tables.len()];
    for (k, &(s, start)) in headings.iter().enumerate() {
        let end = headings.get(k + 1).map_or(blocks.len(), |h| h.1);
        let def = &form.sections[s];
        let body_start = if anchored.contains(&s) { start } else { start + 1 };
        let body = &blocks[body_start..end];
        let mut section = Section {
            key: Some(def.key.clone()),
            heading: Some(def.title()),
            blocks: Vec::new(),
        };
        match form.tables.iter().position(|t| t.section == def.key) {
            Some(t) => {
                let table_def = &form.tables[t];
                // A line of rows run together with their labels is a table however long.
                let tabular = |b: &RawBlock| sections::is_tabular(b) || align::is_glued(b);
                let first = body.iter().position(tabular);
                let last = body.iter().rposition(tabular);
                if let (Some(first), Some(last)) = (first, last) {
                    section.blocks.extend(prose_blocks(&body[..first], broken));
                    section.blocks.push(Block::Table {
                        table: table_def.key.clone(),
                    });
                    // Nothing after the table: the input may stop inside it (an excerpt).
                    let ends_input = end == blocks.len() && last + 1 == body.len();
                    let result = tables::read_table_ending(form, table_def, &body[first..=last], ends_input);
                    if body[first..=last].iter().any(|b| match b {
                        RawBlock::Text { text, .. } => crate::diag::marks::any_in(text),
                        RawBlock::Row { cells, .. } => cells.iter().any(|c| crate::diag::marks::any_in(c)),
                    }) {
                        diags.push(
                            Diagnostic::new(
                                Severity::Error,
                                code::MARKED_DOUBTFUL,
                                format!(
                                    "原文表格中有标为存疑的单元格（{} 无法确定，{} 不符合勾稽关系），表中数值未经核实 (the source marks cells of table {} as doubtful)",
                                    crate::diag::marks::UNRESOLVED,
                                    crate::diag::marks::RULE,
                                    table_def.key
                                ),
                            )
                            .cell(table_def.key.clone()),
                        );
                    }
                    table_found[t] = result.found;
                    if let Some(slot) = report.tables.get_mut(&table_def.key) {
                        *slot = result.table;
                    }
                    diags.extend(result.diagnostics);
                    report.not_applicable.extend(result.not_applicable);
                    row_lines.extend(result.row_lines);
                    section.blocks.extend(prose_blocks(&body[last + 1..], broken));
                } else {
                    section.blocks.extend(prose_blocks(body, broken));
                }
            }
            None => section.blocks.extend(prose_blocks(body, broken)),
        }
        report.sections.push(section);
    }

    // A text with none of the tables is refused, unless its outline shows it is an annual
    // report (most of the six section headings): then its tables are reported missing (each
    // an error) and its title, organization, year and sections still come out.
    let outlined = headings.len() - anchored.len() >= 4;
    if !table_found.iter().any(|&f| f) && !outlined {
        return Err(Error::unusable(
            "未找到年度报告的统计表格 (no tables of the annual report form found)",
        ));
    }
    for (t, def) in form.tables.iter().enumerate() {
        if !table_found[t] {
            report.tables.0.retain(|(k, _)| k != &def.key);
            report
                .tables
                .0
                .insert(t.min(report.tables.0.len()), (def.key.clone(), Table::empty(def)));
            diags.retain(|d| {
                !d.cell
                    .as_deref()
                    .is_some_and(|c| c.starts_with(&format!("{}.", def.key)) || c == def.key)
            });
            let heading = form.section(&def.section).map(|s| s.title()).unwrap_or_default();
            diags.push(
                Diagnostic::new(
                    Severity::Error,
                    code::TABLE_MISSING,
                    format!("未找到「{heading}」的表格 (table not found)"),
                )
                .cell(def.key.clone()),
            );
        }
    }
    for &s in &anchored {
        diags.push(Diagnostic::new(
            Severity::Info,
            code::SECTION_MISSING,
            format!(
                "未找到章节标题「{}」，按表头确定了表格位置 (heading not found; table found by its header)",
                form.sections[s].title()
            ),
        ));
    }
    for def in &form.sections {
        if !report.sections.iter().any(|s| s.key.as_deref() == Some(&def.key)) {
            diags.push(Diagnostic::new(
                Severity::Info,
                code::SECTION_MISSING,
                format!("未找到章节「{}」 (section not found)", def.title()),
            ));
        }
    }
    diags.extend(validate::check(form, &report));
    report.diagnostics = diags;
    // What a report's JSON may hold, so that every report written as JSON reads back.
    crate::read::json::budgets(&report).map_err(|e| {
        Error::limit(format!(
            "报告内容超出上限 (the report is larger than a report may be: {e}); 这不像一份年度报告"
        ))
    })?;
    Ok((report, row_lines))
}

/// What is missing or doubtful in the organization read from the title: a missing one is a
/// warning (the field is left null, nothing is claimed); a doubtful one an error (it is kept
/// as read, and may be wrong).
fn metadata_diagnostics(title: Option<&sections::Title>, organization: Option<&str>) -> Vec<Diagnostic> {
    match (title, organization) {
        (None, _) => vec![Diagnostic::new(
            Severity::Warning,
            code::NO_ORGANIZATION,
            "没有标题，未能确定发布机关 (no title: organization unknown)",
        )],
        (Some(t), None) => vec![Diagnostic::new(
            Severity::Warning,
            code::NO_ORGANIZATION,
            format!("标题「{}」中没有发布机关 (no organization in the title)", t.text),
        )],
        (Some(t), Some(org)) => {
            let mut out: Vec<Diagnostic> = sections::doubtful_organization(org)
                .map(|why| {
                    Diagnostic::new(
                        Severity::Error,
                        code::ORGANIZATION_DOUBTFUL,
                        format!("从标题读出的发布机关「{org}」可疑：{why} (organization doubtful)"),
                    )
                })
                .into_iter()
                .collect();
            // Lines before the title that read like titles of other bodies' reports (a
            // site's links): which one is this report's is a guess.
            let rivals: Vec<String> = t
                .others
                .iter()
                .filter_map(|o| sections::title_parts(o).0)
                .filter(|o| o != org)
                .collect();
            if out.is_empty() && !rivals.is_empty() {
                out.push(Diagnostic::new(
                    Severity::Error,
                    code::ORGANIZATION_DOUBTFUL,
                    format!(
                        "正文前有多个标题，发布机关取紧邻正文的「{org}」，另有「{}」 (organization doubtful)",
                        rivals.join("」「")
                    ),
                ));
            }
            out
        }
    }
}

/// A block as a reader sees it: Kangxi radicals made unified ideographs, invisible
/// characters taken out ([`text::unify`]).
fn unify_block(block: &RawBlock) -> RawBlock {
    match block {
        RawBlock::Text { line, text, heading } => RawBlock::Text {
            line: *line,
            text: text::unify(text).unwrap_or_else(|| text.clone()),
            heading: *heading,
        },
        RawBlock::Row { line, cells, exact } => RawBlock::Row {
            line: *line,
            cells: cells
                .iter()
                .map(|c| text::unify(c).unwrap_or_else(|| c.clone()))
                .collect(),
            exact: *exact,
        },
    }
}

/// The form version the content shows (its marker labels), else the one for the year.
fn detect_form<'f>(forms: &'f Forms, blocks: &[RawBlock], diags: &mut Vec<Diagnostic>) -> &'f Form {
    let all: String = blocks
        .iter()
        .map(|b| match b {
            RawBlock::Text { text, .. } => text::squash(text),
            RawBlock::Row { cells, .. } => cells.iter().map(|c| text::squash(c)).collect(),
        })
        .collect();
    let score = |f: &Form| {
        f.markers
            .iter()
            .filter(|m| all.contains(&text::squash(m)))
            .count()
    };
    let best = forms
        .forms
        .iter()
        .max_by_key(|f| (score(f), f.first_year))
        .expect("a form");
    let form = if score(best) > 0 {
        best
    } else {
        let year = sections::most_named_year(blocks);
        forms
            .forms
            .iter()
            .filter(|f| year.is_none_or(|y| f.first_year <= y))
            .max_by_key(|f| f.first_year)
            .unwrap_or_else(|| forms.newest())
    };
    diags.push(Diagnostic::new(
        Severity::Info,
        code::FORM_DETECTED,
        format!(
            "表格格式：{} 版 ({}; form {})",
            form.version, form.name, form.version
        ),
    ));
    form
}

/// The prose lines of `blocks`, cleaned (a row's cells joined), page numbers and empty
/// lines left out.
fn prose_lines(blocks: &[RawBlock]) -> Vec<(&RawBlock, String)> {
    blocks
        .iter()
        .map(|block| {
            let raw = match block {
                RawBlock::Text { text, .. } => text.clone(),
                RawBlock::Row { cells, .. } => cells
                    .iter()
                    .map(|c| c.trim())
                    .filter(|c| !c.is_empty())
                    .collect::<Vec<_>>()
                    .join("  "),
            };
            (block, text::clean_prose(&raw))
        })
        .filter(|(_, line)| !line.is_empty() && !text::is_page_number(line))
        .collect()
}

/// Prose blocks: cleaned paragraphs and sub-headings, with lines broken inside a sentence
/// joined again. `broken`: the document's prose was broken at every styled run (see
/// [`broken_at_runs`]), so a line goes on with any paragraph that has not ended.
pub fn prose_blocks(blocks: &[RawBlock], broken: bool) -> Vec<Block> {
    let lines = prose_lines(blocks);
    let mut out: Vec<Block> = Vec::new();
    let mut open_paragraph = false;
    // An enumerator alone on its line (`（一）` / `主动公开情况`) goes before the next line.
    let mut held: Option<String> = None;
    for (block, line) in lines {
        let line = match held.take() {
            Some(ordinal) => ordinal + &line,
            None => line,
        };
        if text::leading_ordinal(&line).is_some_and(|(_, end)| end >= line.len()) {
            held = Some(line);
            continue;
        }
        let marked = matches!(block, RawBlock::Text { heading: Some(_), .. });
        let level = if marked {
            Some(sections::subheading_level(&line).unwrap_or(2))
        } else {
            sections::subheading_level(&line)
        };
        if let Some(level) = level {
            out.push(Block::Heading { level, text: line });
            open_paragraph = false;
            continue;
        }
        // Broken at runs, a run-in heading's last words come on a line of their own
        // (`（一）主动公开` / `方面。`).
        if broken
            && let Some(Block::Heading { text: heading, .. }) = out.last_mut()
            && !sections::ends_sentence(heading)
            && line.chars().count() <= 8
            && line.ends_with(['。', '：'])
            && text::leading_ordinal(&line).is_none()
        {
            heading.push_str(&line);
            continue;
        }
        // A document's date on its own line (the signature's, `2024年1月15日`) is a line of
        // its own: it goes on no paragraph, and none goes on it.
        // A date alone is short: a paragraph grown long is none (and is not scanned again for
        // every line joined to it).
        let is_date =
            |t: &str| t.len() <= 64 && sections::split_signature(t).is_some_and(|(body, _)| body.is_none());
        let fragment = match out.last() {
            Some(Block::Paragraph { text: prev }) => continues_fragment(prev, &line) && !is_date(prev),
            _ => false,
        };
        // Text broken at every styled run: a line goes on with a paragraph that has not
        // ended its sentence, however short either is.
        // There a closing quote or bracket ends a run, not a sentence (`…年报专栏”` /
        // `（https://…）` / `下载。`).
        let run_on = broken
            && match out.last() {
                Some(Block::Paragraph { text: prev }) => {
                    let ended = sections::ends_sentence(prev.trim_end_matches(['”', '’', '」', '）', ')']));
                    !ended && !is_date(prev) && !is_field(prev)
                }
                _ => false,
            };
        let continues = (open_paragraph || fragment || run_on)
            && text::leading_ordinal(&line).is_none()
            && !is_date(&line);
        // No sentence, nor a paragraph, starts with a comma or a closing mark.
        let tail = line.starts_with(|c: char| "，、,。；：！？）)”’」』》".contains(c));
        match out.last_mut() {
            Some(Block::Paragraph { text: prev }) if continues || tail => prev.push_str(&line),
            _ => out.push(Block::Paragraph { text: line.clone() }),
        }
        let last = match out.last() {
            Some(Block::Paragraph { text }) => text.as_str(),
            _ => "",
        };
        open_paragraph = !sections::ends_sentence(last) && line.chars().count() >= 15;
    }
    out.extend(held.map(|text| Block::Paragraph { text }));
    out
}

/// A line that is a labelled field of a page's header (`发布机构：…`, `栏目：…`): a short
/// name of words, then a colon. What follows a field is a line of its own.
fn is_field(line: &str) -> bool {
    // The name is at most six characters: only the line's head is looked at.
    let head = line.char_indices().nth(7).map_or(line, |(at, _)| &line[..at]);
    head.find(['：', ':']).is_some_and(|at| {
        (2..=6).contains(&head[..at].chars().count()) && head[..at].chars().all(text::is_ideograph)
    })
}

/// Whether prose lines were broken at every styled run rather than at the line's width
/// (a crawler's or an extractor's text: `202` / `2` / `年政务公开工作要点`): five lines or
/// more, and a sixth of them or more, are fragments of four characters or fewer that end no
/// sentence and start no numbered item.
pub fn broken_at_runs<'a>(lines: impl Iterator<Item = &'a str>) -> bool {
    let (mut all, mut fragments) = (0usize, 0usize);
    for line in lines {
        all += 1;
        if line.chars().count() <= 4
            && !sections::ends_sentence(line)
            && text::leading_ordinal(line).is_none()
        {
            fragments += 1;
        }
    }
    fragments >= 5 && fragments * 6 >= all
}

/// Whether a short line goes on with the paragraph before it though that paragraph is short
/// too: a crawler or an extractor that breaks a line at every styled run leaves
/// `发生行政复议` / `6` / `件，…`. The paragraph ends in no sentence end, and either it ends
/// in a digit or the line starts with one, or with what cannot start a sentence (a measure
/// word after a figure, a comma, a closing bracket or quotation mark, a sentence's end).
fn continues_fragment(prev: &str, line: &str) -> bool {
    if sections::ends_sentence(prev) {
        return false;
    }
    let digit = |c: char| c.is_ascii_digit() || ('０'..='９').contains(&c);
    prev.chars().last().is_some_and(digit)
        || line
            .chars()
            .next()
            .is_some_and(|c| digit(c) || "件个条项次人年月日%％，、,）)。；：！？”’」』》".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(texts: &[&str]) -> Vec<RawBlock> {
        RawBlock::lines(texts)
    }

    fn paragraphs(blocks: &[Block]) -> Vec<&str> {
        blocks
            .iter()
            .filter_map(|b| match b {
                Block::Paragraph { text } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_sentence_end_or_closing_quote_alone_on_a_line_goes_on_the_paragraph_before() {
        // pdftotext breaks a line at every styled run: `…“政府信息公开年报` / `”` / `。`.
        let out = prose_blocks(
            &lines(&[
                "我局在门户网站开设“政府信息公开年报",
                "”",
                "内容保障",
                "。",
                "2022年共发布信息20条。",
            ]),
            false,
        );
        assert_eq!(
            paragraphs(&out),
            [
                "我局在门户网站开设“政府信息公开年报”",
                "内容保障。",
                "2022年共发布信息20条。"
            ]
        );
    }

    #[test]
    fn a_date_alone_on_its_line_is_kept_apart_from_the_body_before_it() {
        let out = prose_blocks(
            &lines(&[
                "本年度未收取信息处理费。",
                "新郑市政务服务和大数据管理局",
                "2024年1月15日",
            ]),
            false,
        );
        assert_eq!(
            paragraphs(&out),
            [
                "本年度未收取信息处理费。",
                "新郑市政务服务和大数据管理局",
                "2024年1月15日"
            ]
        );
    }

    /// Lines as an extractor leaves them when it breaks text at every styled run.
    const BROKEN: [&str; 14] = [
        "发布机构：莆田市文旅局",
        "栏目：政府信息公开年报",
        "根据",
        "202",
        "2",
        "年政务公开工作要点",
        "、《福建省政府信息公开办法》",
        "（一）",
        "主动公开",
        "方面。",
        "我局",
        "公开了",
        "政府信息共164件。",
        "2023年1月13日",
    ];

    #[test]
    fn text_broken_at_every_styled_run_is_told_from_text_broken_at_its_width() {
        assert!(broken_at_runs(BROKEN.into_iter()));
        let wrapped = [
            "2023年，本机关认真贯彻落实《条例》，围绕中心工作，",
            "全面推进政务公开。",
            "（一）主动公开情况",
            "全年主动公开信息132条。",
            "附件",
            "政务公开工作要点",
        ];
        assert!(!broken_at_runs(wrapped.into_iter()));
    }

    #[test]
    fn prose_broken_at_every_styled_run_is_joined_into_its_sentences() {
        let out = prose_blocks(&lines(&BROKEN), true);
        assert_eq!(
            paragraphs(&out),
            [
                "发布机构：莆田市文旅局",
                "栏目：政府信息公开年报",
                "根据2022年政务公开工作要点、《福建省政府信息公开办法》",
                "我局公开了政府信息共164件。",
                "2023年1月13日",
            ]
        );
        assert!(
            out.iter()
                .any(|b| matches!(b, Block::Heading { text, .. } if text == "（一）主动公开方面。"))
        );
    }
}
