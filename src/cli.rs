//! The command line: a thin layer over the library.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::diag::{Diagnostic, Severity, has_errors};
use crate::form::Forms;
use crate::model::Report;
use crate::normalize::Options;
use crate::read::ReadOptions;
use crate::read_report_with;
use crate::style::Style;
use crate::write::{Context, OutputFormat, write_atomic};

/// Exit statuses.
pub mod exit {
    /// Clean.
    pub const OK: u8 = 0;
    /// Rule violations or unresolved cells.
    pub const VIOLATIONS: u8 = 1;
    /// Unusable input (or a usage error).
    pub const UNUSABLE: u8 = 2;
    /// Some files of a batch failed, others did not.
    pub const PARTIAL: u8 = 3;
}

#[derive(Debug, Parser)]
#[command(
    name = "nianbao",
    version,
    about = "政府信息公开工作年度报告：重建官方表格、校验勾稽关系、输出 JSON\nRebuild government information-disclosure annual reports into the official form, check them, write JSON"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, clap::Args)]
pub struct FormArgs {
    /// Form version to use instead of detecting it from the content (2021, 2019).
    #[arg(long, value_name = "VERSION")]
    pub form: Option<String>,
    /// A folder of form definitions (*.toml) replacing the built-in ones of the same version.
    #[arg(long, value_name = "DIR")]
    pub forms: Option<PathBuf>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ReadArgs {
    /// Text encoding of the inputs (gbk, gb18030, utf-16le, big5 …) instead of detecting it.
    #[arg(long, value_name = "NAME")]
    pub encoding: Option<String>,
}

impl ReadArgs {
    fn options(&self) -> ReadOptions {
        ReadOptions {
            encoding: self.encoding.clone(),
        }
    }
}

#[derive(Debug, Clone, clap::Args)]
pub struct LayoutArgs {
    /// A layout style file (TOML) instead of the built-in GB/T 9704 style.
    #[arg(long, value_name = "FILE")]
    pub style: Option<PathBuf>,
    /// A folder of fonts to prefer over the system's and the bundled ones.
    #[arg(long = "font-dir", value_name = "DIR")]
    pub font_dirs: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Convert reports into the official form (JSON).
    Convert {
        /// Input files (.txt, .md, .html, .docx, .json).
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// Output formats, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "json")]
        to: Vec<String>,
        /// Output: a file (format from its extension), a folder ending in `/`, or `-` for stdout.
        #[arg(short, long, value_name = "PATH")]
        output: Option<PathBuf>,
        #[command(flatten)]
        form: FormArgs,
        #[command(flatten)]
        read: ReadArgs,
        #[command(flatten)]
        layout: LayoutArgs,
    },
    /// Check reports: print every repair, unresolved cell and rule violation.
    Check {
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// How to print the diagnostics.
        #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
        format: CheckFormat,
        #[command(flatten)]
        form: FormArgs,
        #[command(flatten)]
        read: ReadArgs,
    },
    /// List the font each role of the layout style resolves to, and why.
    Fonts {
        #[command(flatten)]
        layout: LayoutArgs,
    },
    /// Print the JSON Schema of the report JSON that `convert` writes.
    Schema {
        /// A folder of form definitions (*.toml) replacing the built-in ones of the same version.
        #[arg(long, value_name = "DIR")]
        forms: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CheckFormat {
    Text,
    Json,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    ExitCode::from(run(cli))
}

pub fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Convert {
            inputs,
            to,
            output,
            form,
            read,
            layout,
        } => with_read(&read, |read| {
            with_forms(&form, |forms, opts| {
                convert(&inputs, &to, output.as_deref(), forms, opts, read, &layout)
            })
        }),
        Command::Check {
            inputs,
            format,
            form,
            read,
        } => with_read(&read, |read| {
            with_forms(&form, |forms, opts| check(&inputs, format, forms, opts, read))
        }),
        Command::Fonts { layout } => fonts(&layout),
        Command::Schema { forms } => schema(forms.as_deref()),
    }
}

/// Checks the reading options once, before any input is read.
fn with_read(args: &ReadArgs, f: impl FnOnce(&ReadOptions) -> u8) -> u8 {
    let opts = args.options();
    if let Err(e) = opts.forced_encoding() {
        return usage(&e.to_string());
    }
    f(&opts)
}

/// `nianbao schema`: the JSON Schema of the report JSON.
fn schema(dir: Option<&Path>) -> u8 {
    let forms = match dir {
        Some(dir) => match Forms::with_overrides(dir) {
            Ok(f) => f,
            Err(e) => return usage(&e.to_string()),
        },
        None => Forms::builtin(),
    };
    let text = serde_json::to_string_pretty(&crate::schema::report_schema(&forms)).expect("json");
    let mut out = std::io::stdout().lock();
    // A closed pipe (`nianbao schema | head`) is not an error worth a panic.
    let _ = writeln!(out, "{text}").and_then(|_| out.flush());
    exit::OK
}

fn with_forms(args: &FormArgs, f: impl FnOnce(&Forms, &Options) -> u8) -> u8 {
    let forms = match &args.forms {
        Some(dir) => match Forms::with_overrides(dir) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("nianbao: {e}");
                return exit::UNUSABLE;
            }
        },
        None => Forms::builtin(),
    };
    if let Some(v) = &args.form
        && forms.get(v).is_none()
    {
        eprintln!("nianbao: 未知的表格版本 (unknown form version) {v}");
        return exit::UNUSABLE;
    }
    f(
        &forms,
        &Options {
            form: args.form.clone(),
        },
    )
}

/// Where each output goes.
enum Target {
    Stdout,
    File(PathBuf),
    Dir(PathBuf),
}

fn target(output: Option<&Path>) -> Target {
    match output {
        Some(p) if p == Path::new("-") => Target::Stdout,
        Some(p) if p.to_string_lossy().ends_with(['/', '\\']) || p.is_dir() => Target::Dir(p.to_path_buf()),
        Some(p) => Target::File(p.to_path_buf()),
        None => Target::Dir(PathBuf::from(".")),
    }
}

fn convert(
    inputs: &[PathBuf],
    to: &[String],
    output: Option<&Path>,
    forms: &Forms,
    opts: &Options,
    read: &ReadOptions,
    layout: &LayoutArgs,
) -> u8 {
    let style = match &layout.style {
        Some(p) => match Style::load(p) {
            Ok(s) => s,
            Err(e) => return usage(&e.to_string()),
        },
        None => Style::builtin(),
    };
    let target = target(output);
    let formats: Vec<OutputFormat> = match &target {
        Target::File(p) => match OutputFormat::from_path(p) {
            Some(f) => vec![f],
            None => {
                return usage(&format!(
                    "无法从扩展名判断输出格式 (cannot tell the output format from {})",
                    p.display()
                ));
            }
        },
        _ => {
            let mut v = Vec::new();
            for name in to {
                match OutputFormat::parse(name) {
                    Some(f) if !v.contains(&f) => v.push(f),
                    Some(_) => {}
                    None => return usage(&format!("未知的输出格式 (unknown output format) {name}")),
                }
            }
            v
        }
    };
    if matches!(target, Target::Stdout | Target::File(_)) && inputs.len() > 1 {
        return usage("多个输入需要输出到文件夹 (several inputs need -o DIR/)");
    }
    if matches!(target, Target::Stdout) && (formats.len() != 1 || !formats[0].is_text()) {
        return usage("-o - 只能输出一种文本格式 (-o - writes a single text format: json)");
    }

    let mut failed = 0;
    let mut worst = exit::OK;
    for input in inputs {
        let report = match read_report_with(input, forms, opts, read) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("{}: error: {e}", input.display());
                failed += 1;
                continue;
            }
        };
        print_summary(input, &report);
        if has_errors(&report.diagnostics) {
            worst = worst.max(exit::VIOLATIONS);
        }
        let Some(form) = forms.get(&report.form) else {
            eprintln!("{}: error: unknown form version {}", input.display(), report.form);
            failed += 1;
            continue;
        };
        let ctx = Context {
            form,
            style: &style,
            font_dirs: layout.font_dirs.clone(),
        };
        for &format in &formats {
            let bytes = match format.render(&report, &ctx) {
                Ok(b) => b,
                Err(e) => {
                    eprintln!("{}: error: {e}", input.display());
                    failed += 1;
                    continue;
                }
            };
            let path = match &target {
                Target::Stdout => {
                    let mut out = std::io::stdout().lock();
                    if out.write_all(&bytes).and_then(|_| out.flush()).is_err() {
                        return exit::UNUSABLE;
                    }
                    continue;
                }
                Target::File(p) => p.clone(),
                Target::Dir(d) => d.join(format!(
                    "{}.{}",
                    input.file_stem().and_then(|s| s.to_str()).unwrap_or("report"),
                    format.extension()
                )),
            };
            if same_file(&path, input) {
                eprintln!(
                    "{}: error: 输出会覆盖输入 (the output would overwrite the input)",
                    input.display()
                );
                failed += 1;
                continue;
            }
            match write_atomic(&path, &bytes) {
                Ok(()) => eprintln!("{} → {}", input.display(), path.display()),
                Err(e) => {
                    eprintln!("{}: error: {e}", input.display());
                    failed += 1;
                }
            }
        }
    }
    if failed == 0 {
        worst
    } else if failed >= inputs.len() {
        exit::UNUSABLE
    } else {
        exit::PARTIAL
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

fn print_summary(input: &Path, report: &Report) {
    let count = |s: Severity| report.diagnostics.iter().filter(|d| d.severity == s).count();
    let (e, w) = (count(Severity::Error), count(Severity::Warning));
    if e + w > 0 {
        eprintln!(
            "{}: {e} 个错误 (errors), {w} 处修复 (repairs); `nianbao check` 列出详情 (lists them)",
            input.display()
        );
    }
}

fn check(inputs: &[PathBuf], format: CheckFormat, forms: &Forms, opts: &Options, read: &ReadOptions) -> u8 {
    let mut failed = 0;
    let mut worst = exit::OK;
    let mut json_out = Vec::new();
    for input in inputs {
        match read_report_with(input, forms, opts, read) {
            Ok(report) => {
                if has_errors(&report.diagnostics) {
                    worst = worst.max(exit::VIOLATIONS);
                }
                match format {
                    CheckFormat::Text => print_diagnostics(input, &report.diagnostics),
                    CheckFormat::Json => json_out.push(serde_json::json!({
                        "file": input.display().to_string(),
                        "status": if has_errors(&report.diagnostics) { "violations" } else { "ok" },
                        "diagnostics": report.diagnostics,
                    })),
                }
            }
            Err(e) => {
                failed += 1;
                match format {
                    CheckFormat::Text => println!("{}: error: {e}", input.display()),
                    CheckFormat::Json => json_out.push(serde_json::json!({
                        "file": input.display().to_string(),
                        "status": "unusable",
                        "error": e.to_string(),
                    })),
                }
            }
        }
    }
    if let CheckFormat::Json = format {
        let value = if inputs.len() == 1 {
            json_out.remove(0)
        } else {
            serde_json::Value::Array(json_out)
        };
        println!("{}", serde_json::to_string_pretty(&value).expect("json"));
    }
    if failed == 0 {
        worst
    } else if failed == inputs.len() {
        exit::UNUSABLE
    } else {
        exit::PARTIAL
    }
}

fn print_diagnostics(input: &Path, diags: &[Diagnostic]) {
    let name = input.display();
    for d in diags {
        let severity = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "repair",
            Severity::Info => "note",
        };
        let place = d
            .line
            .map(|l| format!("{name}:{l}"))
            .unwrap_or_else(|| name.to_string());
        let cell = d.cell.as_deref().map(|c| format!(" [{c}]")).unwrap_or_default();
        println!("{place}: {severity}[{}]{cell} {}", d.code, d.message);
    }
    let count = |s: Severity| diags.iter().filter(|d| d.severity == s).count();
    println!(
        "{name}: {} 个错误 (errors), {} 处修复 (repairs), {} 条说明 (notes)",
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info)
    );
}

/// `nianbao fonts`: each font role, the face it resolved to, where from and why.
fn fonts(layout: &LayoutArgs) -> u8 {
    let style = match &layout.style {
        Some(p) => match Style::load(p) {
            Ok(s) => s,
            Err(e) => return usage(&e.to_string()),
        },
        None => Style::builtin(),
    };
    let set = match crate::fonts::resolve(&style, &layout.font_dirs) {
        Ok(s) => s,
        Err(e) => return usage(&e.to_string()),
    };
    for (role, r) in &set.roles {
        let face = set.face(r.face);
        println!(
            "{role:<12} {} [{}] {}",
            face.family,
            r.origin.label(),
            face.path.display()
        );
        println!("{:<12} {}", "", r.reason);
    }
    exit::OK
}

fn usage(msg: &str) -> u8 {
    eprintln!("nianbao: {msg}");
    exit::UNUSABLE
}
