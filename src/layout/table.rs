//! The official tables, from the print grid of [`crate::present::grid`]: column widths from the
//! style, full borders, text wrapped inside each cell, the tall group label set one character
//! a line, and pages breaking between rows with the header rows repeated and a spanning
//! label continued.

use std::ops::Range;

use super::text::{self, Glyph};
use super::{Flow, Rect, Rule, baseline_in, natural, place_line};
use crate::present::grid::{CellRole, GridCell, PrintGrid};

const PAD_X: f64 = 2.0;
const PAD_Y: f64 = 2.5;
const LEADING: f64 = 1.25;
const MIN_ROW: f64 = 17.0;
const BORDER: f64 = 0.6;
/// Vertical text: the advance down the column, in em.
const VERTICAL_PITCH: f64 = 1.1;
/// A doubtful value's mark: its size against the text's, and how far it is raised, in em.
const MARK_SCALE: f64 = 0.65;
const MARK_RAISE: f64 = 0.25;
/// The fewest rows a table carries over to its next page, where it can.
const WIDOW: usize = 3;
/// Rows a group label may span and still be kept on one page.
const KEEP_SPAN: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq)]
enum HAlign {
    Left,
    Center,
}

/// A cell's text set in lines.
struct Set {
    size: f64,
    lines: Vec<Vec<Glyph>>,
}

impl Set {
    fn height(&self, vertical: bool) -> f64 {
        if vertical {
            self.lines.iter().map(|l| l.len()).sum::<usize>() as f64 * self.size * VERTICAL_PITCH
                + 2.0 * PAD_Y
        } else {
            self.lines.len() as f64 * self.size * LEADING + 2.0 * PAD_Y
        }
    }
}

fn align(cell: &GridCell) -> HAlign {
    match cell.role {
        CellRole::Label if cell.rowspan == 1 => HAlign::Left,
        _ => HAlign::Center,
    }
}

/// Sets a cell's text at `size` in the inner width `inner`.
fn set_text(flow: &mut Flow, role: usize, cell: &GridCell, size: f64, inner: f64) -> Set {
    let glyphs = text::shape(flow.fonts, role, cell.text.trim(), &mut flow.missing);
    if cell.vertical {
        let lines = glyphs
            .into_iter()
            .filter(|g| !g.ch.is_whitespace())
            .map(|g| vec![g])
            .collect();
        return Set { size, lines };
    }
    let chars: Vec<char> = glyphs.iter().map(|g| g.ch).collect();
    let widths: Vec<f64> = glyphs.iter().map(|g| g.advance * size).collect();
    let ranges = cell_lines(&chars, &widths, inner, align(cell) == HAlign::Center);
    let lines = ranges.into_iter().map(|r| glyphs[r].to_vec()).collect();
    Set { size, lines }
}

/// The lines a cell's text breaks into in the inner width `inner` (`widths`: each
/// character's advance): a centred text of several lines in lines of about equal length
/// (`even_lines`), and no text with one character alone on its last line (`不予公` / `开`).
/// The DOCX writer breaks its table cells with this too, so Word and LibreOffice break them
/// where the PDF does.
pub fn cell_lines(chars: &[char], widths: &[f64], inner: f64, centred: bool) -> Vec<Range<usize>> {
    let ranges = text::break_lines(chars, widths, inner, 0.0);
    let widow = ranges.last().is_some_and(|r| r.len() == 1);
    if ranges.len() > 1 && (centred || widow) {
        even_lines(chars, widths, inner, ranges.len())
    } else {
        ranges
    }
}

/// Centred text of several lines set in lines of about equal length, a leading `（三）` on a
/// line of its own (`（三）` / `不予` / `公开`, not `（三）` / `不予公` / `开`).
fn even_lines(chars: &[char], widths: &[f64], inner: f64, n: usize) -> Vec<Range<usize>> {
    if chars.first() == Some(&'（')
        && let Some(close) = chars.iter().position(|&c| c == '）')
        && close + 1 < chars.len()
        && close <= 4
        && widths[..=close].iter().sum::<f64>() <= inner
    {
        let rest = &chars[close + 1..];
        let rest_w = &widths[close + 1..];
        let k = text::break_lines(rest, rest_w, inner, 0.0).len();
        if k < n {
            let mut out: Vec<Range<usize>> = Vec::with_capacity(k + 1);
            out.push(0..close + 1);
            out.extend(
                super::balanced(rest, rest_w, inner, k)
                    .into_iter()
                    .map(|r| r.start + close + 1..r.end + close + 1),
            );
            return out;
        }
    }
    super::balanced(chars, widths, inner, n)
}

/// Whether some unbreakable piece of the text is wider than `inner` at `size`.
fn too_narrow(flow: &mut Flow, role: usize, text: &str, size: f64, inner: f64) -> bool {
    let glyphs = text::shape(flow.fonts, role, text.trim(), &mut flow.missing);
    let chars: Vec<char> = glyphs.iter().map(|g| g.ch).collect();
    text::atoms(&chars)
        .into_iter()
        .any(|a| glyphs[a].iter().map(|g| g.advance * size).sum::<f64>() > inner + 1e-6)
}

/// The font sizes a cell may take, largest first.
fn sizes(flow: &Flow) -> [f64; 3] {
    let normal = flow.style.element("table").size_pt;
    let small = flow.style.element("table_small").size_pt;
    [normal, small, small.min(7.5)]
}

fn cell_width(cell: &GridCell, widths: &[f64]) -> f64 {
    widths[cell.col..(cell.col + cell.colspan).min(widths.len())]
        .iter()
        .sum()
}

/// Sets a cell at its normal size, or the small one where a word would not fit.
fn set_cell(flow: &mut Flow, role: usize, cell: &GridCell, widths: &[f64]) -> Set {
    let inner = cell_width(cell, widths) - 2.0 * PAD_X;
    let [normal, small, _] = sizes(flow);
    let size = if !cell.vertical && too_narrow(flow, role, &cell.text, normal, inner) {
        small
    } else {
        normal
    };
    set_text(flow, role, cell, size, inner)
}

fn header_like(grid: &PrintGrid, r: usize) -> bool {
    grid.row_cells(r)
        .all(|c| matches!(c.role, CellRole::Header | CellRole::Caption))
}

/// Whether the table may break before row `b`: not inside the header, not after a caption,
/// not through a group label (but for the tall vertical one, continued on the next page when
/// both parts are tall enough to hold it at `small` points).
fn may_break_before(grid: &PrintGrid, heights: &[f64], b: usize, small: f64) -> bool {
    let vertical_fits = |c: &GridCell| {
        let n = c.text.chars().filter(|ch| !ch.is_whitespace()).count() as f64;
        let need = n * small * VERTICAL_PITCH + 2.0 * PAD_Y;
        let end = (c.row + c.rowspan).min(heights.len());
        heights[c.row..b].iter().sum::<f64>() >= need && heights[b..end].iter().sum::<f64>() >= need
    };
    b > 0
        && b < grid.rows
        && b > grid.header_rows
        && !header_like(grid, b - 1)
        && !grid.cells.iter().any(|c| {
            c.row < b
                && b < c.row + c.rowspan
                && (if c.vertical {
                    !vertical_fits(c)
                } else {
                    c.rowspan <= KEEP_SPAN
                })
        })
}

/// Lays the table out from the flow's position, over as many pages as it takes.
pub(crate) fn place(grid: &PrintGrid, widths: &[f64], flow: &mut Flow) {
    let role = flow.fonts.role(&flow.style.element("table").font);
    let widths: Vec<f64> = if widths.len() == grid.columns {
        widths.to_vec()
    } else {
        vec![flow.width / grid.columns.max(1) as f64; grid.columns]
    };
    let sets: Vec<Set> = grid
        .cells
        .iter()
        .map(|c| set_cell(flow, role, c, &widths))
        .collect();

    // Row heights: each row as tall as its single-row cells need, then spanning cells'
    // shortfall shared out over the rows they span.
    let mut heights = vec![MIN_ROW; grid.rows];
    for (c, s) in grid.cells.iter().zip(&sets) {
        if c.rowspan == 1 {
            heights[c.row] = heights[c.row].max(s.height(c.vertical));
        }
    }
    let mut spanning: Vec<usize> = (0..grid.cells.len())
        .filter(|&i| grid.cells[i].rowspan > 1)
        .collect();
    spanning.sort_by_key(|&i| grid.cells[i].rowspan);
    for i in spanning {
        let c = &grid.cells[i];
        let rows = c.row..(c.row + c.rowspan).min(grid.rows);
        let have: f64 = heights[rows.clone()].iter().sum();
        let need = sets[i].height(c.vertical);
        if need > have {
            let extra = (need - have) / rows.len() as f64;
            for r in rows {
                heights[r] += extra;
            }
        }
    }

    // Pagination: rows on each page, the header rows repeated on continuation pages.
    let header: Vec<usize> = (0..grid.header_rows.min(grid.rows)).collect();
    let header_h: f64 = header.iter().map(|&r| heights[r]).sum();
    let mut next = 0;
    let mut placed_any = false;
    while next < grid.rows {
        let mut y = flow.y();
        let bottom = flow.bottom();
        let repeat = placed_any && !header.is_empty();
        if repeat {
            y += header_h;
        }
        let start = next;
        let mut end = start;
        let mut acc = y;
        while end < grid.rows && acc + heights[end] <= bottom + 1e-6 {
            acc += heights[end];
            end += 1;
        }
        let stop = if end == grid.rows {
            end
        } else {
            // Not one or two lone rows carried over to the next page, if that can be helped.
            let small = sizes(flow)[1];
            let allowed = |b: &usize| may_break_before(grid, &heights, *b, small);
            let widow_free = (start + 1..=end)
                .rev()
                .filter(allowed)
                .find(|&b| grid.rows - b >= WIDOW);
            match widow_free.or_else(|| (start + 1..=end).rev().find(allowed)) {
                Some(b) => b,
                None if flow.is_fresh() => end.max(start + 1),
                None => start,
            }
        };
        if stop == start {
            flow.new_page();
            continue;
        }
        let mut rows: Vec<usize> = if repeat { header.clone() } else { Vec::new() };
        rows.extend(start..stop);
        let y_end = draw(grid, &sets, &heights, &widths, &rows, flow.y(), flow, role);
        placed_any = true;
        next = stop;
        if next < grid.rows {
            flow.new_page();
        } else {
            // A little air between the table and what follows.
            flow.set_y(y_end + 3.0);
        }
    }
}

/// Draws the given rows (in order, contiguous runs) from `top`; returns the bottom edge.
#[allow(clippy::too_many_arguments)]
fn draw(
    grid: &PrintGrid,
    sets: &[Set],
    heights: &[f64],
    widths: &[f64],
    rows: &[usize],
    top: f64,
    flow: &mut Flow,
    role: usize,
) -> f64 {
    let mut row_y = vec![f64::NAN; grid.rows];
    let mut y = top;
    for &r in rows {
        row_y[r] = y;
        y += heights[r];
    }
    let bottom = y;
    let left = flow.left;
    let mut col_x = vec![left];
    for w in widths {
        col_x.push(col_x.last().expect("x") + w);
    }
    for (i, cell) in grid.cells.iter().enumerate() {
        let here: Vec<usize> = (cell.row..(cell.row + cell.rowspan).min(grid.rows))
            .filter(|r| !row_y[*r].is_nan())
            .collect();
        let Some(&first) = here.first() else { continue };
        let rect = Rect {
            x: col_x[cell.col],
            y: row_y[first],
            w: cell_width(cell, widths),
            h: here.iter().map(|&r| heights[r]).sum(),
        };
        border(flow, rect);
        let whole = here.len() == cell.rowspan;
        if whole {
            let set = Set {
                size: sets[i].size,
                lines: sets[i].lines.clone(),
            };
            text_in(flow, role, cell, &set, rect);
        } else {
            // A label continued on another page: set again to fit the part that is here.
            let inner = rect.w - 2.0 * PAD_X;
            let mut fitted = None;
            for size in sizes(flow) {
                let s = set_text(flow, role, cell, size, inner);
                if s.height(cell.vertical) <= rect.h + 1e-6 {
                    fitted = Some(s);
                    break;
                }
            }
            let set = match fitted {
                Some(s) => s,
                None if cell.vertical => {
                    let n = cell.text.chars().filter(|c| !c.is_whitespace()).count().max(1);
                    let size = ((rect.h - 2.0 * PAD_Y) / (n as f64 * VERTICAL_PITCH)).min(sizes(flow)[2]);
                    set_text(flow, role, cell, size.max(1.0), inner)
                }
                None => {
                    // Keep the lines that fit; the whole label is on the other part.
                    let mut s = set_text(flow, role, cell, sizes(flow)[2], inner);
                    let fit = ((rect.h - 2.0 * PAD_Y) / (s.size * LEADING)).floor().max(0.0) as usize;
                    s.lines.truncate(fit);
                    s
                }
            };
            text_in(flow, role, cell, &set, rect);
        }
    }
    bottom
}

fn border(flow: &mut Flow, r: Rect) {
    let page = flow.page();
    let (x1, y1, x2, y2) = (r.x, r.y, r.x + r.w, r.y + r.h);
    for (a, b, c, d) in [
        (x1, y1, x2, y1),
        (x2, y1, x2, y2),
        (x1, y2, x2, y2),
        (x1, y1, x1, y2),
    ] {
        page.rules.push(Rule {
            x1: a,
            y1: b,
            x2: c,
            y2: d,
            width: BORDER,
        });
    }
}

/// Draws a cell's lines inside `rect`, centred vertically, a doubtful value's mark
/// ([`crate::present::grid::Doubt::mark`]) after its last line.
fn text_in(flow: &mut Flow, role: usize, cell: &GridCell, set: &Set, rect: Rect) {
    let size = set.size;
    let mark_text = cell.doubt.mark();
    let mark_glyphs = text::shape(flow.fonts, role, &mark_text, &mut flow.missing);
    let mark = mark_glyphs.as_slice();
    let set = if set.lines.is_empty() && !mark.is_empty() {
        &Set {
            size,
            lines: vec![Vec::new()],
        }
    } else {
        set
    };
    let page = flow.page();
    if cell.vertical {
        let pitch = size * VERTICAL_PITCH;
        let total = set.lines.len() as f64 * pitch;
        let mut y = rect.y + (rect.h - total) / 2.0;
        for line in &set.lines {
            let w = natural(line, size);
            let mut x = rect.x + (rect.w - w) / 2.0;
            let mut baseline = baseline_in(y, pitch, size);
            // Set upright, a comma or full stop sits in the upper right of its square.
            if line.len() == 1 && "、，。".contains(line[0].ch) {
                x += 0.55 * size;
                baseline -= 0.6 * size;
            }
            place_line(page, line, None, x, baseline, size, rect);
            y += pitch;
        }
        return;
    }
    let lead = size * LEADING;
    let total = set.lines.len() as f64 * lead;
    let mut y = rect.y + (rect.h - total) / 2.0;
    let inner_x = rect.x + PAD_X;
    let inner_w = rect.w - 2.0 * PAD_X;
    let last = set.lines.len().saturating_sub(1);
    for (i, line) in set.lines.iter().enumerate() {
        let w = natural(line, size);
        // A doubtful value carries its mark raised after it, the pair centred together; a
        // blank doubtful cell shows the mark alone, at the text's size.
        let mark = (i == last && !mark.is_empty()).then_some(mark);
        let (mark_size, mark_w) = match mark {
            Some(m) if line.is_empty() => (size, natural(m, size)),
            Some(m) => (size * MARK_SCALE, natural(m, size * MARK_SCALE)),
            None => (size, 0.0),
        };
        let x = match align(cell) {
            HAlign::Left => inner_x,
            HAlign::Center => inner_x + (inner_w - w - mark_w).max(0.0) / 2.0,
        };
        let baseline = baseline_in(y, lead, size);
        place_line(page, line, None, x, baseline, size, rect);
        if let Some(m) = mark {
            let raise = if line.is_empty() { 0.0 } else { MARK_RAISE * size };
            let mx = (x + w).min(rect.x + rect.w - mark_w);
            place_line(page, m, None, mx, baseline - raise, mark_size, rect);
        }
        y += lead;
    }
}
