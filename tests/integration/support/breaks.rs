//! Breakages: what extraction and OCR do to a table, applied to the typed lines of a rendered
//! table before they become text.

use super::layout::{Cell, Joiner, Kind, Line, TableText};
use super::rng::Rng;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breakage {
    /// An extra empty cell in a row.
    PadInsert,
    /// An empty (padding) cell of a row removed; in layouts without empty cells, the gap
    /// between two cells shrunk to one space, so they read as one (`…政府信息 746`).
    PadRemove,
    /// A value lost: the row has one value fewer.
    DropValue,
    /// A row label split by stray spaces.
    LabelSpaces,
    /// Characters of a label read as look-alikes or junk, or lost.
    LabelGarble,
    /// Group labels lost.
    GroupLost,
    /// `O` or `〇` for `0`, `l` or `I` for `1` in values.
    DigitConfusion,
    /// Full-width digits.
    FullWidth,
    /// Blank lines inside the table.
    BlankLines,
    /// OCR junk tokens: `†`, `\top`, `, , ,`.
    Junk,
}

impl Breakage {
    pub const ALL: [Breakage; 10] = [
        Breakage::PadInsert,
        Breakage::PadRemove,
        Breakage::DropValue,
        Breakage::LabelSpaces,
        Breakage::LabelGarble,
        Breakage::GroupLost,
        Breakage::DigitConfusion,
        Breakage::FullWidth,
        Breakage::BlankLines,
        Breakage::Junk,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Breakage::PadInsert => "pad-insert",
            Breakage::PadRemove => "pad-remove",
            Breakage::DropValue => "drop-value",
            Breakage::LabelSpaces => "label-spaces",
            Breakage::LabelGarble => "label-garble",
            Breakage::GroupLost => "group-lost",
            Breakage::DigitConfusion => "digit-confusion",
            Breakage::FullWidth => "full-width",
            Breakage::BlankLines => "blank-lines",
            Breakage::Junk => "junk",
        }
    }

    /// Padding cells only show in layouts that print empty cells.
    fn applies_to(self, joiner: Joiner) -> bool {
        match self {
            Breakage::PadInsert => matches!(joiner, Joiner::Tab | Joiner::Pipe),
            _ => true,
        }
    }
}

/// One applied breakage, for the report.
pub struct Applied {
    pub kind: Breakage,
    /// The table it was applied to.
    pub table: String,
    pub detail: String,
}

/// Applies 0 to 4 random breakages to the tables.
pub fn apply_random(tables: &mut [TableText], rng: &mut Rng) -> Vec<Applied> {
    let count = *rng.pick(&[0, 0, 1, 1, 1, 2, 2, 3, 4]);
    apply_many(tables, rng, count)
}

/// Applies `count` random breakages (table 三 most often).
pub fn apply_many(tables: &mut [TableText], rng: &mut Rng, count: usize) -> Vec<Applied> {
    let mut applied = Vec::new();
    let mut attempts = 0;
    while applied.len() < count && attempts < 50 {
        attempts += 1;
        let t = match rng.below(10) {
            0 | 1 => "active_disclosure",
            2 | 3 => "review_litigation",
            _ => "applications",
        };
        let Some(table) = tables.iter_mut().find(|x| x.key == t) else {
            continue;
        };
        let kind = *rng.pick(&Breakage::ALL);
        if !kind.applies_to(table.joiner) {
            continue;
        }
        if let Some(detail) = apply(kind, table, rng) {
            applied.push(Applied {
                kind,
                table: table.key.clone(),
                detail,
            });
        }
    }
    applied
}

/// Applies one breakage; `None` when the table offers no target for it.
pub fn apply(kind: Breakage, table: &mut TableText, rng: &mut Rng) -> Option<String> {
    match kind {
        Breakage::PadInsert => {
            let l = pick_line(table, rng, Line::has_values)?;
            let line = &mut table.lines[l];
            let first_value = line.cells.iter().position(|c| c.kind == Kind::Value)?;
            let at = match rng.below(3) {
                0 => first_value,
                1 => rng.range(first_value, line.cells.len()),
                _ => line.cells.len(),
            };
            line.cells.insert(at, Cell::pad());
            Some(format!("{} extra empty cell at {at}", row_name(line)))
        }
        Breakage::PadRemove if matches!(table.joiner, Joiner::Spaces | Joiner::OnePerLine { .. }) => {
            let l = pick_line(table, rng, |l| {
                l.has_values() && l.cells.iter().filter(|c| !c.text.is_empty()).count() >= 2
            })?;
            let line = &mut table.lines[l];
            let full: Vec<usize> = (0..line.cells.len())
                .filter(|&i| !line.cells[i].text.is_empty())
                .collect();
            let k = rng.below(full.len() - 1);
            let (a, b) = (full[k], full[k + 1]);
            let second = line.cells.remove(b);
            let first = &mut line.cells[a];
            let before = first.text.clone();
            first.text = format!("{before} {}", second.text);
            if second.kind == Kind::Label || second.kind == Kind::Group {
                first.kind = second.kind;
            }
            Some(format!(
                "{} cells glued: {:?}",
                row_name(line),
                line.cells[a].text
            ))
        }
        Breakage::PadRemove => {
            let has_pad = |l: &Line| l.raw.is_none() && l.cells.iter().any(|c| c.kind == Kind::Pad);
            let l = pick_line(table, rng, |l| l.row.is_some() && has_pad(l))?;
            let line = &mut table.lines[l];
            let pads: Vec<usize> = (0..line.cells.len())
                .filter(|&i| line.cells[i].kind == Kind::Pad)
                .collect();
            let at = *rng.pick(&pads);
            line.cells.remove(at);
            Some(format!("{} empty cell {at} removed", row_name(line)))
        }
        Breakage::DropValue => {
            let l = pick_line(table, rng, Line::has_values)?;
            let line = &mut table.lines[l];
            let vals: Vec<usize> = (0..line.cells.len())
                .filter(|&i| line.cells[i].kind == Kind::Value)
                .collect();
            let cell = line.cells.remove(*rng.pick(&vals));
            Some(format!(
                "dropped {} = {}",
                cell.path.unwrap_or_default(),
                cell.text
            ))
        }
        Breakage::LabelSpaces => {
            let (l, c) = pick_cell(table, rng, |c| {
                matches!(c.kind, Kind::Label | Kind::Group) && c.text.chars().count() >= 3
            })?;
            let cell = &mut table.lines[l].cells[c];
            let before = cell.text.clone();
            let mut chars: Vec<char> = before.chars().collect();
            let ordinal = ordinal_len(&chars);
            if ordinal > 0 && rng.chance(0.4) {
                // The enumerator set apart (`1.  属于国家秘密`): with two spaces or more it
                // becomes a cell of its own in space layouts.
                for _ in 0..rng.range(1, 3) {
                    chars.insert(ordinal, ' ');
                }
            } else {
                for _ in 0..rng.range(1, 2) {
                    let at = rng.range(1, chars.len() - 1);
                    let spaces = if rng.chance(0.2) { 2 } else { 1 };
                    for _ in 0..spaces {
                        chars.insert(at, ' ');
                    }
                }
            }
            cell.text = chars.into_iter().collect();
            Some(format!("label {before:?} → {:?}", cell.text))
        }
        Breakage::LabelGarble => {
            let (l, c) = pick_cell(table, rng, |c| {
                matches!(c.kind, Kind::Label | Kind::Group | Kind::Header) && c.text.chars().count() >= 2
            })?;
            let cell = &mut table.lines[l].cells[c];
            let before = cell.text.clone();
            cell.text = garble(&before, rng);
            (cell.text != before).then(|| format!("label {before:?} → {:?}", cell.text))
        }
        Breakage::GroupLost => {
            let groups: Vec<(usize, usize)> = cells_where(table, |c| c.kind == Kind::Group);
            if groups.is_empty() {
                return None;
            }
            let chosen: Vec<(usize, usize)> = if rng.chance(0.3) {
                groups
            } else {
                vec![*rng.pick(&groups)]
            };
            let mut lost = Vec::new();
            for &(l, c) in chosen.iter().rev() {
                let line = &mut table.lines[l];
                lost.push(line.cells[c].text.clone());
                if matches!(table.joiner, Joiner::Tab | Joiner::Pipe) {
                    line.cells[c] = Cell::pad();
                } else {
                    line.cells.remove(c);
                }
            }
            lost.reverse();
            Some(format!("group labels lost: {}", lost.join(" | ")))
        }
        Breakage::DigitConfusion => {
            let candidates = cells_where(table, |c| c.kind == Kind::Value && c.text.contains(['0', '1']));
            if candidates.is_empty() {
                return None;
            }
            let mut out = Vec::new();
            for _ in 0..rng.range(1, 4) {
                let (l, c) = *rng.pick(&candidates);
                let cell = &mut table.lines[l].cells[c];
                let before = cell.text.clone();
                let all = rng.chance(0.3);
                let mut done = false;
                cell.text = before
                    .chars()
                    .map(|ch| {
                        if done && !all {
                            return ch;
                        }
                        let swapped = match ch {
                            '0' => *rng.pick(&['O', 'O', 'o', '〇']),
                            '1' => *rng.pick(&['l', 'l', 'I']),
                            _ => return ch,
                        };
                        done = true;
                        swapped
                    })
                    .collect();
                out.push(format!(
                    "{} {before} → {}",
                    cell.path.clone().unwrap_or_default(),
                    cell.text
                ));
            }
            Some(out.join(", "))
        }
        Breakage::FullWidth => {
            let rows: Vec<usize> = if rng.chance(0.25) {
                (0..table.lines.len())
                    .filter(|&l| table.lines[l].has_values())
                    .collect()
            } else {
                vec![pick_line(table, rng, Line::has_values)?]
            };
            for &l in &rows {
                for cell in table.lines[l].cells.iter_mut().filter(|c| c.kind == Kind::Value) {
                    cell.text = cell.text.chars().map(full_width).collect();
                }
            }
            Some(format!("full-width digits in {} line(s)", rows.len()))
        }
        Breakage::BlankLines => {
            let n = rng.range(1, 3);
            for _ in 0..n {
                let at = rng.range(1, table.lines.len());
                table.lines.insert(at, Line::blank());
            }
            Some(format!("{n} blank line(s)"))
        }
        Breakage::Junk => {
            let junk = *rng.pick(&["†", "\\top", ", , ,", "‡", "†"]);
            match rng.below(3) {
                0 => {
                    let l = pick_line(table, rng, |l| l.raw.is_none() && !l.cells.is_empty())?;
                    let line = &mut table.lines[l];
                    let at = rng.range(0, line.cells.len());
                    line.cells.insert(at, Cell::junk(junk));
                    Some(format!("junk {junk:?} as cell {at} of {}", row_name(line)))
                }
                1 => {
                    let (l, c) = pick_cell(table, rng, |c| c.kind == Kind::Label)?;
                    let cell = &mut table.lines[l].cells[c];
                    cell.text = format!("{} {junk}", cell.text);
                    Some(format!("junk after label {:?}", cell.text))
                }
                _ => {
                    let at = rng.range(1, table.lines.len());
                    table.lines.insert(at, Line::raw(junk));
                    Some(format!("junk line {junk:?}"))
                }
            }
        }
    }
}

/// The length of a label's enumerator (`1.`, `1、`, `（一）`, `(一)`, `三、`), 0 when none.
fn ordinal_len(chars: &[char]) -> usize {
    let digits = chars.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits > 0 {
        return match chars.get(digits) {
            Some('.' | '、' | '．') => digits + 1,
            _ => 0,
        };
    }
    if matches!(chars.first(), Some('（' | '(')) {
        return chars
            .iter()
            .position(|&c| c == '）' || c == ')')
            .map_or(0, |p| p + 1);
    }
    match chars.get(1) {
        Some('、') => 2,
        _ => 0,
    }
}

fn row_name(line: &Line) -> String {
    line.row.clone().unwrap_or_else(|| "header".into())
}

fn pick_line(table: &TableText, rng: &mut Rng, pred: impl Fn(&Line) -> bool) -> Option<usize> {
    let lines: Vec<usize> = (0..table.lines.len())
        .filter(|&l| pred(&table.lines[l]))
        .collect();
    (!lines.is_empty()).then(|| *rng.pick(&lines))
}

fn cells_where(table: &TableText, pred: impl Fn(&Cell) -> bool) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (l, line) in table.lines.iter().enumerate() {
        if line.raw.is_some() {
            continue;
        }
        for (c, cell) in line.cells.iter().enumerate() {
            if pred(cell) {
                out.push((l, c));
            }
        }
    }
    out
}

fn pick_cell(table: &TableText, rng: &mut Rng, pred: impl Fn(&Cell) -> bool) -> Option<(usize, usize)> {
    let cells = cells_where(table, pred);
    (!cells.is_empty()).then(|| *rng.pick(&cells))
}

fn full_width(c: char) -> char {
    match c {
        '0'..='9' | '.' | ',' => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// Characters OCR confuses in these labels: each pair is a character and what it is read as.
const LOOK_ALIKES: &str = concat!(
    "本木 年牛 新薪 收牧 政玫 府腑 信言 公么 开幵 申甲 请清 数救 量最 上土 ",
    "结洁 转砖 度席 办为 理埋 果杲 予子 部郜 分兮 区匹 处外 计记 情清 形彤 ",
    "不木 其共 他地 属厲 于干 国围 家冢 秘泌 密蜜 法泫 律津 规现 禁襟 止上 ",
    "危卮 安按 全金 稳隐 保堡 护沪 第笫 方万 合含 权杈 益盖 内肉 事亊 务各 ",
    "四匹 过辻 程稈 性牲 案桉 卷券 查杳 询洵 项顶 无天 提堤 供洪 机杌 关美 ",
    "掌堂 握幄 相柤 没设 现观 成戌 需儒 要耍 另叧 制刺 作昨 补朴 正止 容客 ",
    "仍扔 明朋 确碓 访仿 报极 投没 诉拆 复夏 出岀 版板 物扬 由田 大太 反及 ",
    "认以 或戒 重童 具且 已己 获荻 取耿 人入 逾渝 期斯 通逋 知和 缴徼 纳呐 ",
    "费贵 用甩 再冉 七匕 总怠 下卞 续读 条杀 许汻 可叮 件仵 效郊 废庞 发友 ",
    "额颔 文丈 维堆 持特 审宙 未末 尚向 议仪 自白 然燃 企仝 构钩 织识 （( ",
    "）) 、, “\" 1l ., 一- 二= ",
);

/// Garbles a label: a few characters replaced by look-alikes or junk, or lost. At least the
/// better part of the label survives.
fn garble(s: &str, rng: &mut Rng) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    let n = chars.len();
    let ops = rng.range(1, (n / 6).clamp(1, 3));
    for _ in 0..ops {
        let i = rng.below(chars.len());
        let c = chars[i];
        let alike = LOOK_ALIKES.split_whitespace().find_map(|pair| {
            let mut it = pair.chars();
            (it.next() == Some(c)).then(|| it.next()).flatten()
        });
        match (rng.below(10), alike) {
            (0..=5, Some(a)) => chars[i] = a,
            (0..=6, _) => chars[i] = *rng.pick(&['†', '口', '□', '?']),
            (7..=8, _) if chars.len() > 3 => {
                chars.remove(i);
            }
            _ => chars.insert(i, *rng.pick(&['†', '·', '\'', '_'])),
        }
    }
    chars.into_iter().collect()
}
