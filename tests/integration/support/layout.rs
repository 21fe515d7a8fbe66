//! The printed shape of a case: its layout, the per-case style choices, and table lines made of
//! typed cells that breakages can edit before the lines are joined into text.

use super::rng::Rng;

/// The seven table layouts the suite renders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// (a) tab-separated, as DOCX text exports give it (seeds 000–004).
    Tabs,
    /// (b) `pdftotext -layout`: runs of spaces, long labels wrapped around their values.
    Pdf,
    /// (c) one cell a line, as plain `pdftotext` gives it.
    CellPerLine,
    /// (d) labels wrapped over lines before a line of values.
    WrappedLabels,
    /// (e) a page break inside table 三, with a page number and maybe the header again.
    PageBreak,
    /// (f) 三、本年度办理结果 set vertically, one character a line among the rows.
    VerticalGroup,
    /// (g) Markdown pipe tables.
    Markdown,
}

impl Layout {
    pub const ALL: [Layout; 7] = [
        Layout::Tabs,
        Layout::Pdf,
        Layout::CellPerLine,
        Layout::WrappedLabels,
        Layout::PageBreak,
        Layout::VerticalGroup,
        Layout::Markdown,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Layout::Tabs => "a-tabs",
            Layout::Pdf => "b-pdf-layout",
            Layout::CellPerLine => "c-cell-per-line",
            Layout::WrappedLabels => "d-wrapped-labels",
            Layout::PageBreak => "e-page-break",
            Layout::VerticalGroup => "f-vertical-group",
            Layout::Markdown => "g-markdown",
        }
    }
}

/// How the cells of a table line are joined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Joiner {
    Tab,
    /// Cells placed at columns with runs of spaces, as `pdftotext -layout` does.
    Spaces,
    Pipe,
    /// Every cell on a line of its own, with a blank line after each when `blank`.
    OnePerLine {
        blank: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A data row's label.
    Label,
    /// A group label (三、本年度办理结果, （三）不予公开 …) or a piece of one.
    Group,
    Value,
    /// An empty cell kept by the exporter (merged cells, padding).
    Pad,
    /// Header text and block captions.
    Header,
    /// OCR junk.
    Junk,
}

#[derive(Debug, Clone)]
pub struct Cell {
    pub text: String,
    pub kind: Kind,
    /// The display column the cell starts at (space layouts only).
    pub x: Option<usize>,
    /// The cell path of a value cell.
    pub path: Option<String>,
}

impl Cell {
    fn new(kind: Kind, text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            kind,
            x: None,
            path: None,
        }
    }

    pub fn pad() -> Cell {
        Cell::new(Kind::Pad, "")
    }

    pub fn label(text: impl Into<String>) -> Cell {
        Cell::new(Kind::Label, text)
    }

    pub fn group(text: impl Into<String>) -> Cell {
        Cell::new(Kind::Group, text)
    }

    pub fn header(text: impl Into<String>) -> Cell {
        Cell::new(Kind::Header, text)
    }

    pub fn junk(text: impl Into<String>) -> Cell {
        Cell::new(Kind::Junk, text)
    }

    pub fn value(text: impl Into<String>, path: &str) -> Cell {
        Cell {
            path: Some(path.to_string()),
            ..Cell::new(Kind::Value, text)
        }
    }

    pub fn at(mut self, x: usize) -> Cell {
        self.x = Some(x);
        self
    }
}

#[derive(Debug, Clone, Default)]
pub struct Line {
    pub cells: Vec<Cell>,
    /// The data row the line belongs to (`applications.granted`); table 四's line of values
    /// carries the table key.
    pub row: Option<String>,
    /// Printed as is, ignoring `cells` (blank lines, page numbers, Markdown rules).
    pub raw: Option<String>,
    /// First line of a new page: `pdftotext` puts a form feed before it.
    pub form_feed: bool,
}

impl Line {
    pub fn cells(cells: Vec<Cell>) -> Line {
        Line {
            cells,
            ..Line::default()
        }
    }

    pub fn raw(text: impl Into<String>) -> Line {
        Line {
            raw: Some(text.into()),
            ..Line::default()
        }
    }

    pub fn blank() -> Line {
        Line::raw("")
    }

    pub fn for_row(mut self, row: &str) -> Line {
        self.row = Some(row.to_string());
        self
    }

    pub fn has_values(&self) -> bool {
        self.raw.is_none() && self.cells.iter().any(|c| c.kind == Kind::Value)
    }
}

/// One rendered table before it becomes text.
pub struct TableText {
    pub key: String,
    pub joiner: Joiner,
    pub lines: Vec<Line>,
}

impl TableText {
    pub fn render(&self) -> Vec<String> {
        let mut out = Vec::new();
        for line in &self.lines {
            let ff = if line.form_feed { "\u{c}" } else { "" };
            if let Some(raw) = &line.raw {
                out.push(format!("{ff}{raw}"));
                continue;
            }
            if line.cells.iter().all(|c| c.text.is_empty()) {
                continue;
            }
            match self.joiner {
                Joiner::Tab => {
                    let cells: Vec<&str> = line.cells.iter().map(|c| c.text.as_str()).collect();
                    out.push(format!("{ff}{}", cells.join("\t")));
                }
                Joiner::Pipe => {
                    let cells: Vec<&str> = line.cells.iter().map(|c| c.text.as_str()).collect();
                    out.push(format!("{ff}| {} |", cells.join(" | ")));
                }
                Joiner::Spaces => out.push(format!("{ff}{}", place(&line.cells))),
                Joiner::OnePerLine { blank } => {
                    let mut first = true;
                    for c in line.cells.iter().filter(|c| !c.text.is_empty()) {
                        let ff = if first { ff } else { "" };
                        first = false;
                        out.push(format!("{ff}{}", c.text));
                        if blank {
                            out.push(String::new());
                        }
                    }
                }
            }
        }
        out
    }
}

/// Cells at their columns, at least two spaces apart, as `pdftotext -layout` prints them.
fn place(cells: &[Cell]) -> String {
    let mut out = String::new();
    let mut cursor = 0;
    for c in cells.iter().filter(|c| !c.text.is_empty()) {
        let gap = if cursor == 0 { 0 } else { 2 };
        let target = c.x.unwrap_or(0).max(cursor + gap);
        out.push_str(&" ".repeat(target - cursor));
        out.push_str(&c.text);
        cursor = target + width(&c.text);
    }
    out
}

/// Display width: CJK and full-width forms take two columns.
pub fn width(s: &str) -> usize {
    s.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()
}

fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

/// Wraps text into pieces of at most `max` display columns, never splitting a run of ASCII
/// letters or digits.
pub fn wrap(s: &str, max: usize) -> Vec<String> {
    let mut atoms: Vec<String> = Vec::new();
    for c in s.chars() {
        match atoms.last_mut() {
            Some(a) if c.is_ascii_alphanumeric() && a.chars().all(|x| x.is_ascii_alphanumeric()) => a.push(c),
            _ => atoms.push(c.to_string()),
        }
    }
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    for a in atoms {
        // Chinese typesetting keeps closing punctuation off the start of a line.
        let closing = a.starts_with(['，', '。', '、', '）', '：', '；', '”', ',', ')']);
        if !cur.is_empty() && width(&cur) + width(&a) > max && !closing {
            out.push(std::mem::take(&mut cur).trim().to_string());
        }
        cur.push_str(&a);
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out.retain(|p| !p.is_empty());
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paren {
    /// As the form prints them: （一）
    Full,
    /// (一)予以公开
    Ascii,
    /// (一) 予以公开 (区分处理的, 只计这一情形, 不计其他情形) — as in seed 000.
    AsciiSpaced,
}

/// Everything a case chooses about how its text looks, apart from breakages.
pub struct Style {
    pub layout: Layout,
    pub joiner: Joiner,
    pub paren: Paren,
    /// `1.` as `1. ` or `1、`.
    pub ordinal: &'static str,
    pub ascii_quotes: bool,
    /// Merged label cells keep all their empty cells (else one fewer, as in seed 000).
    pub full_label_cells: bool,
    pub trailing_pads: usize,
    /// Counts of 1000 and more printed with thousands separators.
    pub thousands: bool,
    /// Label wrap widths (display columns) for sub-rows and for B–C merged rows.
    pub wrap_sub: usize,
    pub wrap_bc: usize,
    /// Header cells of one column wrap at this many characters.
    pub header_wrap: usize,
    /// Table 四's header splits 结果维持 as 结果 维持 (seed 000).
    pub header_split: bool,
    /// Tab layouts: the outer group label stands on the middle row of its rows (seed 003),
    /// not on the first.
    pub group_middle: bool,
    /// Space layouts: where values start and how far apart they stand.
    pub x0: usize,
    pub step: usize,
    pub step4: usize,
    /// Space layouts: group labels of sub-groups wrapped on lines of their own around the
    /// group's middle row (else on the group's first row).
    pub group_lines: bool,
    /// Space layouts: chance of a blank line after a row.
    pub blank_rows: f64,
    /// One-cell-a-line layout: long labels wrapped over lines.
    pub wrap_cells: bool,
    /// One-cell-a-line layout: the left columns' labels of the first result rows come late,
    /// after a later row's values, as plain `pdftotext` emits them (huaian raw.txt).
    pub displaced_labels: bool,
    /// Prose wrapped like PDF text (else one paragraph a line).
    pub pdf_prose: bool,
    pub markdown_headings: bool,
}

impl Style {
    pub fn random(layout: Layout, rng: &mut Rng) -> Style {
        let joiner = match layout {
            Layout::Tabs => Joiner::Tab,
            Layout::Pdf => Joiner::Spaces,
            Layout::CellPerLine => Joiner::OnePerLine {
                blank: rng.chance(0.5),
            },
            Layout::WrappedLabels => {
                if rng.chance(0.7) {
                    Joiner::Spaces
                } else {
                    Joiner::Tab
                }
            }
            Layout::PageBreak => {
                if rng.chance(0.5) {
                    Joiner::Spaces
                } else {
                    Joiner::Tab
                }
            }
            Layout::VerticalGroup => {
                if rng.chance(0.75) {
                    Joiner::Spaces
                } else {
                    Joiner::Tab
                }
            }
            Layout::Markdown => Joiner::Pipe,
        };
        let spaces = joiner == Joiner::Spaces;
        Style {
            layout,
            joiner,
            paren: *rng.pick(&[Paren::Full, Paren::Full, Paren::Ascii, Paren::AsciiSpaced]),
            ordinal: [".", ".", ". ", "、"][rng.below(4)],
            ascii_quotes: rng.chance(0.3),
            full_label_cells: joiner == Joiner::Pipe || rng.chance(0.5),
            trailing_pads: if joiner == Joiner::Tab {
                *rng.pick(&[0, 0, 1, 3])
            } else {
                0
            },
            thousands: rng.chance(0.1),
            wrap_sub: rng.range(24, 30),
            wrap_bc: rng.range(34, 40),
            header_wrap: rng.range(3, 4),
            header_split: rng.chance(0.5),
            group_middle: joiner == Joiner::Tab && rng.chance(0.3),
            x0: rng.range(46, 52),
            step: rng.range(8, 11),
            step4: rng.range(6, 8),
            group_lines: rng.chance(0.5),
            blank_rows: *rng.pick(&[0.0, 0.3, 0.8]),
            wrap_cells: rng.chance(0.5),
            displaced_labels: layout == Layout::CellPerLine && rng.chance(0.35),
            pdf_prose: (spaces && rng.chance(0.85)) || rng.chance(0.15),
            markdown_headings: joiner == Joiner::Pipe || rng.chance(0.1),
        }
    }

    /// The choices worth knowing when reading a failing case.
    pub fn summary(&self) -> String {
        let mut parts = vec![format!("{:?}", self.joiner), format!("parens {:?}", self.paren)];
        parts.push(format!("ordinal {:?}", self.ordinal));
        if self.joiner == Joiner::Tab && !self.full_label_cells {
            parts.push("merged label cells collapsed".into());
        }
        if self.group_middle {
            parts.push("outer group label on its middle row".into());
        }
        if self.joiner == Joiner::Spaces && self.group_lines {
            parts.push("sub-group labels on lines of their own".into());
        }
        if self.displaced_labels {
            parts.push("left-column labels displaced".into());
        }
        if self.thousands {
            parts.push("thousands separators".into());
        }
        parts.join(", ")
    }

    /// A label as this case prints it: the form's text with the case's punctuation habits.
    pub fn styled(&self, label: &str) -> String {
        let chars: Vec<char> = label.chars().collect();
        let mut out = String::new();
        for (i, &c) in chars.iter().enumerate() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1).copied();
            let cjk = |c: Option<char>| c.is_some_and(|c| c as u32 >= 0x3400);
            match (c, self.paren) {
                ('（', Paren::Ascii) => out.push('('),
                ('）', Paren::Ascii) => out.push(')'),
                ('（', Paren::AsciiSpaced) => out.push_str(if cjk(prev) { " (" } else { "(" }),
                ('）', Paren::AsciiSpaced) => out.push_str(if cjk(next) { ") " } else { ")" }),
                ('，', Paren::Ascii) => out.push(','),
                ('，', Paren::AsciiSpaced) => out.push_str(", "),
                ('：', Paren::Ascii | Paren::AsciiSpaced) => out.push(':'),
                ('“' | '”', _) if self.ascii_quotes => out.push('"'),
                ('.', _) if i > 0 && chars[..i].iter().all(char::is_ascii_digit) => {
                    out.push_str(self.ordinal)
                }
                _ => out.push(c),
            }
        }
        out
    }

    /// A count or decimal as this case prints it.
    pub fn number(&self, text: &str) -> String {
        if !self.thousands {
            return text.to_string();
        }
        let (int, frac) = text.split_once('.').map_or((text, None), |(i, f)| (i, Some(f)));
        if int.len() <= 3 {
            return text.to_string();
        }
        let mut grouped = String::new();
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        match frac {
            Some(f) => format!("{grouped}.{f}"),
            None => grouped,
        }
    }
}
