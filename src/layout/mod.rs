//! Page layout after GB/T 9704: text measured by the fonts' advance widths, Chinese line
//! breaking with inter-character justification, pagination on the 22-line grid, the
//! official tables, and page numbers. The result is a list of pages of positioned text runs
//! and rules, which the PDF writer draws as they are; the line boxes it also records let
//! tests check that nothing overflows.
//!
//! Coordinates are in points from the top-left corner of the page.
//!
//! What is printed (title lines, headings and their styles, the tables' grids) is decided in
//! [`crate::present`]; the layout only places a [`Presentation`].
//!
//! In the layers, `layout` stands on [`crate::present`] (the [`Presentation`], the [`Context`]) and
//! [`crate::fonts`], and below [`crate::write`]: the PDF writer calls it, never the reverse.

pub mod table;
pub mod text;

use crate::fonts::FontSet;
use crate::model::Report;
use crate::present::{BODY_STYLE, Context, Item, Presentation, TITLE_STYLE};
use crate::style::{Align, Style};
use text::{Glyph, Missing};

pub const MM: f64 = 72.0 / 25.4;
/// Ascent and descent of a CJK face's body, in em.
const ASCENT: f64 = 0.88;
const DESCENT: f64 = 0.12;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    /// Whether `inner` lies inside this rectangle (with a tolerance of `eps` points).
    pub fn contains(&self, inner: &Rect, eps: f64) -> bool {
        inner.x >= self.x - eps
            && inner.y >= self.y - eps
            && inner.x + inner.w <= self.x + self.w + eps
            && inner.y + inner.h <= self.y + self.h + eps
    }
}

/// Text of one face and size on one baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub face: usize,
    pub size: f64,
    pub x: f64,
    pub baseline: f64,
    pub text: String,
    /// Extra space after each character, in points (inter-character justification).
    pub char_spacing: f64,
}

/// A straight rule (table borders).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    pub x1: f64,
    pub y1: f64,
    pub x2: f64,
    pub y2: f64,
    pub width: f64,
}

/// A laid-out line of text and the box it must stay in (text block or table cell).
#[derive(Debug, Clone, PartialEq)]
pub struct LineBox {
    pub rect: Rect,
    pub container: Rect,
    pub text: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    pub runs: Vec<Run>,
    pub rules: Vec<Rule>,
    pub lines: Vec<LineBox>,
}

#[derive(Debug, Clone)]
pub struct Document {
    pub width: f64,
    pub height: f64,
    pub pages: Vec<Page>,
    /// Characters no face has (the PDF writer reports each as a diagnostic,
    /// `font_missing_char`).
    pub missing: Vec<char>,
}

/// Places a line of glyphs: runs split by face and by the space after each glyph,
/// `gaps[i]` points after glyph `i` (justification, the grid's tracking, squeezed
/// punctuation); no gaps is none.
#[allow(clippy::too_many_arguments)]
pub(crate) fn place_line(
    page: &mut Page,
    glyphs: &[Glyph],
    gaps: Option<&[f64]>,
    x: f64,
    baseline: f64,
    size: f64,
    container: Rect,
) {
    if glyphs.is_empty() {
        return;
    }
    let gap = |i: usize| match gaps {
        _ if i + 1 >= glyphs.len() => 0.0,
        Some(g) => g[i],
        None => 0.0,
    };
    let mut pos = x;
    let mut i = 0;
    while i < glyphs.len() {
        let face = glyphs[i].face;
        let start = pos;
        let mode = gap(i);
        let mut text = String::new();
        loop {
            text.push(glyphs[i].ch);
            pos += glyphs[i].advance * size + gap(i);
            i += 1;
            // A run keeps one face and one spacing between its glyphs.
            if i >= glyphs.len() || glyphs[i].face != face || gap(i - 1) != mode {
                break;
            }
        }
        page.runs.push(Run {
            face,
            size,
            x: start,
            baseline,
            text,
            char_spacing: mode,
        });
    }
    let gaps: f64 = (0..glyphs.len()).map(gap).sum();
    let width = natural(glyphs, size) + gaps;
    page.lines.push(LineBox {
        rect: Rect {
            x,
            y: baseline - ASCENT * size,
            w: width,
            h: (ASCENT + DESCENT) * size,
        },
        container,
        text: glyphs.iter().map(|g| g.ch).collect(),
    });
}

/// The natural width of glyphs at `size`.
pub(crate) fn natural(glyphs: &[Glyph], size: f64) -> f64 {
    glyphs.iter().map(|g| g.advance * size).sum()
}

/// The baseline of a line of `size` centred in a band starting at `top` of height `band`.
pub(crate) fn baseline_in(top: f64, band: f64, size: f64) -> f64 {
    top + band / 2.0 + (ASCENT - DESCENT) / 2.0 * size
}

/// The running state of the text flow.
pub(crate) struct Flow<'a> {
    pub fonts: &'a FontSet,
    pub style: &'a Style,
    pub pages: Vec<Page>,
    /// The top of the next line on the last page.
    pub cursor: f64,
    pub top: f64,
    pub left: f64,
    pub width: f64,
    pub pitch: f64,
    pub lines_per_page: usize,
    pub missing: Missing,
}

impl Flow<'_> {
    pub fn new_page(&mut self) {
        self.pages.push(Page::default());
        self.cursor = self.top;
    }

    pub fn page(&mut self) -> &mut Page {
        if self.pages.is_empty() {
            self.new_page();
        }
        self.pages.last_mut().expect("page")
    }

    /// The text block's bottom edge.
    pub fn bottom(&self) -> f64 {
        self.top + self.pitch * self.lines_per_page as f64
    }

    pub fn y(&self) -> f64 {
        self.cursor
    }

    pub fn is_fresh(&self) -> bool {
        self.cursor <= self.top + 1e-6
    }

    /// Continues the text at `y` (below a table: the grid resumes from there).
    pub fn set_y(&mut self, y: f64) {
        self.cursor = y;
        if !self.fits(1) {
            self.new_page();
        }
    }

    /// Whether `n` more lines fit on this page.
    fn fits(&self, n: usize) -> bool {
        self.cursor + self.pitch * n as f64 <= self.bottom() + 1e-6
    }

    /// Starts a new page unless `n` more lines fit on this one.
    fn ensure(&mut self, n: usize) {
        if self.pages.is_empty() || (!self.is_fresh() && !self.fits(n)) {
            self.new_page();
        }
    }

    fn text_block(&self) -> Rect {
        Rect {
            x: self.left,
            y: self.top,
            w: self.width,
            h: self.bottom() - self.top,
        }
    }

    /// Breaks `text` into lines of the element `key`'s style and flows them. `keep` more
    /// lines must follow on the same page (headings are kept with what follows).
    fn paragraph(&mut self, key: &str, text: &str, keep: usize) {
        let el = self.style.element(key).clone();
        self.paragraph_as(el, text, keep, 0);
    }

    /// The note under a table (what its marks mean): table text, set flush left.
    fn table_note(&mut self, text: &str) {
        let mut el = self.style.element("table").clone();
        el.align = Align::Left;
        el.first_line_indent_chars = 0.0;
        self.paragraph_as(el, text, 0, 0);
    }

    /// The space between characters that sets `size` on the style's character grid: 28
    /// characters of 16 pt to a 156 mm line sit a little closer than their em (GB/T 9704's
    /// 字符网格); none for a centred line.
    fn tracking(&self, size: f64, align: Align) -> f64 {
        let cpl = self.style.page.chars_per_line.max(2) as f64;
        if align != Align::Center && size * cpl > self.width {
            (self.width - size * cpl) / (cpl - 1.0)
        } else {
            0.0
        }
    }

    /// The signature block (GB/T 9704-2012 7.3.5.2, a document without a seal): a blank line
    /// below the text, the issuing body two characters in from the right, the date on the
    /// next line starting two characters further right — or, when the date is the longer,
    /// the date two characters in from the right and the body moved left to match. A date
    /// alone stands four characters in from the right (7.3.5.1).
    fn signature(&mut self, organization: Option<&str>, date: &str) {
        let el = self.style.element(BODY_STYLE).clone();
        let role = self.fonts.role(&el.font);
        let size = el.size_pt;
        let tracking = self.tracking(size, Align::Left);
        let em = size + tracking;
        let date = text::shape(self.fonts, role, date.trim(), &mut self.missing);
        let org = organization.map(|o| text::shape(self.fonts, role, o.trim(), &mut self.missing));
        let width = |g: &[Glyph]| natural(g, size) + tracking * g.len().saturating_sub(1) as f64;
        let right = self.left + self.width;
        let d_w = width(&date);
        let o_w = org.as_deref().map(width);
        let (org_in, date_in) = crate::present::signature_indents(o_w.map(|w| w / em), d_w / em);
        let x_org = right - org_in * em - o_w.unwrap_or_default();
        let x_date = right - date_in * em - d_w;
        let lines = 1 + usize::from(org.is_some());
        if !self.is_fresh() {
            self.ensure(lines + 1);
            if !self.is_fresh() {
                self.cursor += self.pitch;
            }
        }
        let block = self.text_block();
        let gaps = |g: &[Glyph]| vec![tracking; g.len()];
        for (glyphs, x) in org.iter().map(|o| (o, x_org)).chain([(&date, x_date)]) {
            if glyphs.is_empty() {
                continue;
            }
            let baseline = baseline_in(self.y(), self.pitch, size);
            let x = x.max(self.left);
            let g = gaps(glyphs);
            let page = self.page();
            place_line(page, glyphs, Some(&g), x, baseline, size, block);
            self.cursor += self.pitch;
        }
    }

    /// [`Flow::paragraph`] with the element given. `keep`: lines that must follow the whole
    /// paragraph on its page (a heading's); `tail`: lines that must follow its last two lines
    /// (the signature block after the text's last paragraph), which move to the next page
    /// with them rather than leave it alone there.
    fn paragraph_as(&mut self, el: crate::style::Element, text: &str, keep: usize, tail: usize) {
        let role = self.fonts.role(&el.font);
        let glyphs = text::shape(self.fonts, role, text.trim(), &mut self.missing);
        if glyphs.is_empty() {
            return;
        }
        let size = el.size_pt;
        let chars: Vec<char> = glyphs.iter().map(|g| g.ch).collect();
        let tracking = self.tracking(size, el.align);
        let widths: Vec<f64> = glyphs.iter().map(|g| g.advance * size + tracking).collect();
        let indent = el.first_line_indent_chars * (size + tracking);
        let squeeze: Vec<f64> = text::squeeze(&chars).iter().map(|q| q * size).collect();
        let mut lines = text::break_lines_squeezed(&chars, &widths, &squeeze, self.width + tracking, indent);
        if el.align == Align::Center && lines.len() > 1 {
            // A centred line too wide (a title line [`crate::present::title`] judged to fit):
            // lines of about equal length.
            lines = balanced(&chars, &widths, self.width, lines.len());
        }
        let stretch = text::stretchable(&chars);
        self.ensure(if keep > 0 { lines.len() + keep } else { 1 });
        let block = self.text_block();
        let tail_from = lines.len().saturating_sub(2);
        for (i, range) in lines.iter().enumerate() {
            if !self.fits(1)
                || (tail > 0 && i == tail_from && !self.is_fresh() && !self.fits(lines.len() - i + tail))
            {
                self.new_page();
            }
            let line = &glyphs[range.clone()];
            let x0 = self.left + if i == 0 { indent } else { 0.0 };
            let avail = self.left + self.width - x0;
            let n = line.len();
            let w = natural(line, size) + tracking * (n - 1) as f64;
            let last = i + 1 == lines.len();
            let mut gaps = vec![tracking; n];
            let inner = range.start..range.end - 1;
            if w > avail + 1e-9 {
                // Over by what squeezing its punctuation to half width gains back.
                let total: f64 = squeeze[inner.clone()].iter().sum();
                let r = ((w - avail) / total.max(1e-9)).min(1.0);
                for (g, q) in gaps.iter_mut().zip(&squeeze[inner.clone()]) {
                    *g -= r * q;
                }
            } else if el.align == Align::Justify && !last && n > 1 {
                let stretch = &stretch[inner.clone()];
                let count = stretch.iter().filter(|s| **s).count();
                let s = (avail - w) / count.max(1) as f64;
                // A line with few break points (a long URL) is not stretched apart.
                if count > 0 && s > 0.0 && s < size * 0.6 {
                    for (g, st) in gaps.iter_mut().zip(stretch) {
                        if *st {
                            *g += s;
                        }
                    }
                }
            }
            let w = natural(line, size) + gaps[..n - 1].iter().sum::<f64>();
            let x = match el.align {
                Align::Center => self.left + (self.width - w) / 2.0,
                Align::Right => self.left + self.width - w,
                Align::Left | Align::Justify => x0,
            };
            let baseline = baseline_in(self.y(), self.pitch, size);
            let page = self.page();
            place_line(page, line, Some(&gaps), x, baseline, size, block);
            self.cursor += self.pitch;
        }
    }
}

/// Lines of about equal length, as many as `n` (a centred title of several lines).
pub(crate) fn balanced(chars: &[char], widths: &[f64], width: f64, n: usize) -> Vec<std::ops::Range<usize>> {
    let (mut lo, mut hi) = (widths.iter().sum::<f64>() / n as f64, width);
    for _ in 0..30 {
        let mid = (lo + hi) / 2.0;
        if text::break_lines(chars, widths, mid, 0.0).len() <= n {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    text::break_lines(chars, widths, hi, 0.0)
}

/// Lays out a report on pages: [`present`](crate::present::present) it, then
/// [`lay_out`] the presentation.
pub fn layout(report: &Report, ctx: &Context, fonts: &FontSet) -> Document {
    lay_out(&crate::present::present(report, ctx), ctx.style, fonts)
}

/// Lays out a presentation on pages of `style`: the title's lines as given, centred, and a
/// blank line; then each item, a heading kept with what follows it. Nothing here decides
/// what is printed, only where.
pub fn lay_out(doc: &Presentation, style: &Style, fonts: &FontSet) -> Document {
    let page = &style.page;
    let mut flow = Flow {
        fonts,
        style,
        pages: Vec::new(),
        cursor: 0.0,
        top: page.margin_top_mm * MM,
        left: page.margin_left_mm * MM,
        width: page.text_width_mm() * MM,
        pitch: page.line_pitch_pt,
        lines_per_page: page.lines_per_page.max(1) as usize,
        missing: Missing::default(),
    };
    flow.new_page();

    for line in &doc.title {
        flow.paragraph(TITLE_STYLE, line, 0);
    }
    flow.cursor += flow.pitch;

    let items = &doc.items;
    // Lines a heading keeps with it: a table's head and first rows, a sub-heading and its
    // first line, or the first line of a paragraph (a section's heading: its first line).
    let keep_with = |i: usize| match items.get(i) {
        Some(Item::Table(_)) => 4,
        Some(Item::Heading { level, .. }) if *level > 1 => 2,
        _ => 1,
    };
    for (i, item) in items.iter().enumerate() {
        match item {
            Item::Heading { style, text, .. } => flow.paragraph(style, text, keep_with(i + 1)),
            Item::Paragraph { text } => {
                // The text's last lines stay with the signature block after them.
                let tail = match items.get(i + 1) {
                    Some(Item::Signature { organization, .. }) => 2 + usize::from(organization.is_some()),
                    _ => 0,
                };
                let el = style.element(BODY_STYLE).clone();
                flow.paragraph_as(el, text, 0, tail);
            }
            Item::Signature { organization, date } => flow.signature(organization.as_deref(), date),
            Item::Table(t) => {
                let widths: Vec<f64> = t.widths_mm.iter().map(|w| w * MM).collect();
                table::place(&t.grid, &widths, &mut flow);
                if let Some(note) = &t.note {
                    flow.table_note(note);
                }
            }
        }
    }

    // Drop a trailing empty page.
    if flow.pages.len() > 1
        && flow
            .pages
            .last()
            .is_some_and(|p| p.runs.is_empty() && p.rules.is_empty())
    {
        flow.pages.pop();
    }
    page_numbers(&mut flow);

    Document {
        width: page.width_mm * MM,
        height: page.height_mm * MM,
        pages: flow.pages.clone(),
        missing: flow.missing.0.clone(),
    }
}

/// `— n —`, 7 mm below the text block: odd pages right, even pages left, one character in.
fn page_numbers(flow: &mut Flow) {
    let el = flow.style.element("page_number").clone();
    let role = flow.fonts.role(&el.font);
    let size = el.size_pt;
    let bottom = flow.bottom();
    let baseline = bottom + el.below_text_mm * MM + ASCENT * size;
    let (left, width) = (flow.left, flow.width);
    let page_height = flow.style.page.height_mm * MM;
    for n in 0..flow.pages.len() {
        let text = format!("— {} —", n + 1);
        let glyphs = text::shape(flow.fonts, role, &text, &mut flow.missing);
        let w = natural(&glyphs, size);
        let x = if (n + 1) % 2 == 1 {
            left + width - size - w
        } else {
            left + size
        };
        let band = Rect {
            x: left,
            y: bottom,
            w: width,
            h: page_height - bottom,
        };
        place_line(&mut flow.pages[n], &glyphs, None, x, baseline, size, band);
    }
}
