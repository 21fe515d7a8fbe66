//! A whole report as text: title, preamble, the six sections with prose, and the three tables.

use nianbao::form::Form;

use super::breaks::{self, Applied};
use super::layout::{Layout, Style, TableText, wrap};
use super::rng::Rng;
use super::tables::{self, Ctx};
use super::truth::{self, Truth};

pub struct Case {
    pub layout: Layout,
    /// The case's notable style choices, for the report.
    pub style: String,
    /// Tables the style itself disturbs beyond the layout (labels displaced).
    pub disturbed: Vec<String>,
    pub text: String,
    pub truth: Truth,
    pub breakages: Vec<Applied>,
    /// The organization and year the title names.
    pub org: String,
    pub year: usize,
}

pub fn build(form: &Form, layout: Layout, rng: &mut Rng) -> Case {
    build_with(form, layout, rng, breaks::apply_random)
}

/// A case whose tables are altered by `alter` (the random breakages, or a test's own).
pub fn build_with(
    form: &Form,
    layout: Layout,
    rng: &mut Rng,
    alter: impl FnOnce(&mut [TableText], &mut Rng) -> Vec<Applied>,
) -> Case {
    let truth = truth::generate(form, rng);
    let style = Style::random(layout, rng);
    let ctx = Ctx {
        form,
        truth: &truth,
        style: &style,
    };
    let mut tables = vec![
        tables::active_disclosure(&ctx, rng),
        tables::applications(&ctx, rng),
        tables::review_litigation(&ctx, rng),
    ];
    let breakages = alter(&mut tables, rng);
    let (text, org, year) = assemble(form, &style, &truth, &tables, rng);
    let disturbed = if style.displaced_labels {
        vec!["applications".to_string()]
    } else {
        Vec::new()
    };
    Case {
        layout,
        style: style.summary(),
        disturbed,
        text,
        truth,
        breakages,
        org,
        year,
    }
}

const PLACES: &[&str] = &[
    "登封市",
    "宝丰县",
    "浉河区",
    "新郑市",
    "淮安市",
    "桐庐县",
    "临川区",
    "南康区",
    "古田县",
    "江宁区",
    "汝州市",
    "光山县",
    "义乌市",
    "宜兴市",
    "平度市",
    "鹿邑县",
];

const BODIES: &[&str] = &[
    "人民政府办公室",
    "人民政府",
    "发展和改革委员会",
    "教育局",
    "民政局",
    "司法局",
    "财政局",
    "自然资源和规划局",
    "生态环境局",
    "住房和城乡建设局",
    "交通运输局",
    "农业农村局",
    "商务局",
    "卫生健康委员会",
    "应急管理局",
    "市场监督管理局",
    "政务服务和大数据管理局",
    "大营镇人民政府",
];

const ORDINALS: [&str; 5] = ["一", "二", "三", "四", "五"];

/// Lines of text with the habits of the source: PDF text wraps prose, numbers its pages and
/// starts each page with a form feed; other sources keep a paragraph on one line.
struct Writer {
    lines: Vec<String>,
    pdf: bool,
    width: usize,
    page_len: usize,
    on_page: usize,
    page: usize,
    form_feed: bool,
}

impl Writer {
    fn push(&mut self, line: String) {
        let ff = if std::mem::take(&mut self.form_feed) {
            "\u{c}"
        } else {
            ""
        };
        self.lines.push(format!("{ff}{line}"));
        self.on_page += 1;
    }

    fn blank(&mut self) {
        self.lines.push(String::new());
    }

    /// At a break between blocks of prose, ends the page if it is full.
    fn maybe_break(&mut self, rng: &mut Rng) {
        if !self.pdf || self.on_page < self.page_len {
            return;
        }
        self.page += 1;
        let number = format!("-{}-", self.page);
        let indent = if self.page % 2 == 1 { 42 } else { rng.range(0, 1) };
        self.blank();
        self.lines.push(format!("{}{number}", " ".repeat(indent)));
        self.on_page = 0;
        self.form_feed = true;
    }

    fn paragraph(&mut self, text: &str, rng: &mut Rng) {
        if self.pdf {
            let indent = *rng.pick(&["   ", "      "]);
            for (i, piece) in wrap(text, self.width).into_iter().enumerate() {
                let lead = if i == 0 { indent } else { "" };
                self.push(format!("{lead}{piece}"));
                self.maybe_break(rng);
            }
        } else {
            self.push(text.to_string());
            self.blank();
        }
    }

    fn heading(&mut self, text: &str, markdown: Option<usize>, rng: &mut Rng) {
        self.maybe_break(rng);
        match markdown {
            Some(level) => {
                self.push(format!("{} {text}", "#".repeat(level)));
                self.blank();
            }
            None if self.pdf => {
                let indent = *rng.pick(&["   ", "     ", ""]);
                self.push(format!("{indent}{text}"));
            }
            None => {
                self.push(text.to_string());
                self.blank();
            }
        }
    }

    fn table(&mut self, table: &TableText, rng: &mut Rng) {
        if !self.pdf || rng.chance(0.5) {
            self.blank();
        }
        for line in table.render() {
            self.push(line);
        }
        self.blank();
        self.maybe_break(rng);
    }
}

fn assemble(
    form: &Form,
    st: &Style,
    truth: &Truth,
    tables: &[TableText],
    rng: &mut Rng,
) -> (String, String, usize) {
    let org = format!("{}{}", rng.pick(PLACES), rng.pick(BODIES));
    let year = rng.range(2021, 2024);
    let mut w = Writer {
        lines: Vec::new(),
        pdf: st.pdf_prose,
        width: 2 * rng.range(27, 31),
        page_len: rng.range(26, 40),
        on_page: 0,
        page: 0,
        form_feed: false,
    };
    let md = st.markdown_headings;

    // The title: <body><year>年政府信息公开工作年度报告, its last words taken from the form's name.
    let name = form.name.split("格式").next().unwrap_or(&form.name).to_string();
    if rng.chance(0.5) {
        w.blank();
        w.blank();
    }
    let spaced_year = rng.chance(0.4);
    let y = if spaced_year {
        format!(" {year} 年")
    } else {
        format!("{year}年")
    };
    let mut name_printed = name.clone();
    if rng.chance(0.2) {
        // An OCR space inside the title (…工作 年度报告).
        let chars: Vec<char> = name.chars().collect();
        let at = rng.range(chars.len() - 5, chars.len() - 2);
        name_printed = format!(
            "{} {}",
            chars[..at].iter().collect::<String>(),
            chars[at..].iter().collect::<String>()
        );
    }
    let hash = if md { "# " } else { "" };
    if w.pdf && rng.chance(0.5) {
        w.push(format!("{}{org}", " ".repeat(12)));
        w.push(format!("     {}{name_printed}", y.trim()));
    } else {
        w.push(format!("{hash}{org}{y}{name_printed}"));
    }
    w.blank();
    if w.pdf {
        w.blank();
    }

    // The preamble.
    if rng.chance(0.7) {
        let text = format!(
            "本报告由{org}根据《中华人民共和国政府信息公开条例》（以下简称《条例》）规定编制。报告所列统计期限自{year}年1月1日至{year}年12月31日。如对本报告有疑问，请与{org}联系（电话：0{}-{}）。",
            rng.range(371, 379),
            rng.range(60_000_000, 69_999_999)
        );
        w.paragraph(&text, rng);
    }

    let cell = |p: &str| truth.value(p) as u64;
    for sec in &form.sections {
        let title = if !sec.variants.is_empty() && rng.chance(0.2) {
            format!("{}、{}", sec.number, rng.pick(&sec.variants))
        } else {
            sec.title()
        };
        w.heading(&title, md.then_some(2), rng);
        let table = form
            .tables
            .iter()
            .find(|t| t.section == sec.key)
            .and_then(|t| tables.iter().find(|x| x.key == t.key));
        match sec.key.as_str() {
            "overview" => {
                w.paragraph(
                    &format!(
                        "{year}年，{org}深入贯彻落实《条例》要求，坚持以公开为常态、不公开为例外，全面推进政务公开工作，现将有关情况报告如下。"
                    ),
                    rng,
                );
                let topics = [
                    ("主动公开", format!("全年通过门户网站主动公开政府信息{}条，其中政策解读{}篇。", rng.range(20, 6000), rng.range(1, 60))),
                    ("依申请公开", if rng.chance(0.5) {
                        format!(
                            "{year}年共新收政府信息公开申请{}件，上年结转{}件，办结{}件，结转下年度继续办理{}件。",
                            cell("applications.new_received.total"),
                            cell("applications.carried_over.total"),
                            cell("applications.total_processed.total"),
                            cell("applications.carried_forward.total"),
                        )
                    } else {
                        "畅通依申请公开受理渠道，规范办理流程，严格按照法定时限答复。".to_string()
                    }),
                    ("政府信息管理", "严格落实公开前保密审查制度，坚持“先审查、后公开”和“一事一审”原则，动态调整主动公开目录。".to_string()),
                    ("政府信息公开平台建设", format!("持续优化政府网站信息公开专栏，加强政务新媒体管理，全年运维政务新媒体{}个。", rng.range(1, 90))),
                    ("监督保障", format!("将政务公开工作纳入年度绩效考核，组织业务培训{}次，未发生责任追究情况。", rng.range(1, 12))),
                ];
                let inline = rng.chance(0.5);
                for (i, (topic, body)) in topics.iter().enumerate() {
                    let sub = format!("（{}）{topic}情况", ORDINALS[i]);
                    if inline {
                        w.paragraph(&format!("{sub}。{body}"), rng);
                    } else {
                        w.heading(&sub, md.then_some(3), rng);
                        w.paragraph(body, rng);
                    }
                }
            }
            "problems" => {
                w.paragraph(
                    "一是政务公开工作人员业务水平有待提高；二是政策解读形式较为单一，解读质量有待提升。",
                    rng,
                );
                w.paragraph(
                    "下一步，我们将加强业务培训，丰富解读形式，持续提升政务公开工作质效。",
                    rng,
                );
            }
            "other_matters" => {
                let fee = if rng.chance(0.6) {
                    "依据《政府信息公开信息处理费管理办法》规定，本年度未收取政府信息公开信息处理费。"
                        .to_string()
                } else {
                    format!("{year}年共收取政府信息公开信息处理费{}元。", rng.range(100, 9000))
                };
                w.paragraph(&fee, rng);
            }
            key => {
                let intro = match key {
                    "review_litigation" => format!(
                        "全年因政府信息公开工作被申请行政复议{}件，被提起行政诉讼{}件。",
                        cell("review_litigation.review.total"),
                        cell("review_litigation.litigation_direct.total")
                            + cell("review_litigation.litigation_after_review.total"),
                    ),
                    _ => format!("{year}年度有关情况统计如下。"),
                };
                let before = rng.chance(0.5);
                if before {
                    w.paragraph(&intro, rng);
                }
                if let Some(t) = table {
                    w.table(t, rng);
                }
                if !before && rng.chance(0.5) {
                    w.paragraph(&intro, rng);
                }
            }
        }
    }
    if w.pdf {
        w.blank();
        w.push(format!("-{}-", w.page + 1));
    }
    let mut text = w.lines.join("\n");
    text.push('\n');
    (text, org, year)
}
