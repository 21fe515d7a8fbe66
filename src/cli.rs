//! The command line: a thin layer over the library.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::{Parser, Subcommand, ValueEnum};
use rayon::prelude::*;

use nianbao::diag::{Diagnostic, Severity, has_errors};
use nianbao::files::write_atomic;
use nianbao::form::Forms;
use nianbao::model::Report;
use nianbao::normalize::Options;
use nianbao::read::ReadOptions;
use nianbao::style::Style;
use nianbao::write::{Context, OutputFormat};
use nianbao::{batch, extract};

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
    about = "政府信息公开工作年度报告：重建官方表格、校验勾稽关系、输出 PDF、DOCX 与 JSON\nRebuild government information-disclosure annual reports into the official form, check them, write PDF, DOCX and JSON"
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
    /// The largest input file read, in MB (larger files are refused); at most 1024.
    #[arg(long, value_name = "MB", default_value_t = 64,
          value_parser = clap::value_parser!(u64).range(1..=MAX_INPUT_MB))]
    pub max_input_mb: u64,
    /// Read the paths of more inputs from FILE, one a line (`-`: from standard input).
    #[arg(long = "files-from", value_name = "FILE")]
    pub files_from: Option<PathBuf>,
    /// The longest one input may take to be read, in seconds (0: no limit); past it the
    /// reader is stopped and the file reported, and the batch goes on.
    #[arg(long, value_name = "SECS", default_value_t = nianbao::worker::DEFAULT_TIMEOUT_SECS)]
    pub timeout: u64,
    /// Read every input inside this process instead of one child process each: a little
    /// faster, but an input that crashes or hangs a reader then stops the whole run, and
    /// `--timeout` does not apply.
    #[arg(long)]
    pub in_process: bool,
}

/// The most `--max-input-mb` may allow: 1 GB, two hundred times a real report (< 5 MB) and
/// sixteen times the default. A larger figure guards nothing (a reader holds the whole input
/// and more in memory), and 2^44 MB or more overflowed the byte count: every input was then
/// read as empty.
pub const MAX_INPUT_MB: u64 = 1024;

impl ReadArgs {
    /// How inputs are read apart (see [`nianbao::worker`]): a worker process each, given these
    /// reading options and `form`'s, unless `--in-process` or the binary cannot re-execute.
    fn isolation(&self, form: &FormArgs) -> Option<nianbao::worker::Isolation> {
        if self.in_process {
            return None;
        }
        let mut args: Vec<std::ffi::OsString> = Vec::new();
        if let Some(e) = &self.encoding {
            args.extend(["--encoding".into(), e.into()]);
        }
        args.extend(["--max-input-mb".into(), self.max_input_mb.to_string().into()]);
        if let Some(f) = &form.form {
            args.extend(["--form".into(), f.into()]);
        }
        if let Some(dir) = &form.forms {
            args.extend(["--forms".into(), dir.into()]);
        }
        let timeout = (self.timeout > 0).then(|| std::time::Duration::from_secs(self.timeout));
        nianbao::worker::Isolation::current(args, timeout)
    }

    fn options(&self) -> ReadOptions {
        let limits = nianbao::read::limits::Limits {
            max_input_bytes: self.max_input_mb.saturating_mul(1 << 20),
            ..Default::default()
        };
        ReadOptions {
            encoding: self.encoding.clone(),
            limits,
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

#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// How many files to convert at once (0: one per core).
    #[arg(long, short = 'j', default_value_t = 0)]
    pub jobs: usize,
    /// Overwrite outputs that already exist.
    #[arg(long)]
    pub force: bool,
    /// Write every file's status and diagnostics to this JSON file.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Refuse to write PDF and DOCX for a report with doubtful cells (unresolved, or in a
    /// failing rule); its JSON and Markdown, which carry the doubts, are still written.
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Convert reports into the official form: PDF, DOCX, JSON, Markdown.
    Convert {
        /// Input files (.txt, .md, .html, .docx, .pdf, .json) or folders; `-` reads a report
        /// from standard input.
        inputs: Vec<PathBuf>,
        /// Output formats, comma-separated (default json). With `-o FILE` the format comes from
        /// the file's extension, and a `--to` that differs is an error.
        #[arg(long, value_delimiter = ',')]
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
        /// Write PDF/A-2b. Every PDF nianbao writes already is (XMP metadata, an sRGB output
        /// intent, a file identifier, every font embedded; docs/pdfa.md), save one with a
        /// character no font has, which has an error for it; so this changes nothing and is
        /// accepted for scripts that ask for it.
        #[arg(long)]
        pdfa: bool,
        #[command(flatten)]
        run: RunArgs,
    },
    /// Export the tables of many reports as data: one row a report, a column a cell.
    Extract {
        /// Input files or folders; `-` reads a report from standard input.
        inputs: Vec<PathBuf>,
        /// The data file: `.csv`, or `.jsonl` for JSON lines; `-` writes CSV to stdout.
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        /// Start the CSV with a byte-order mark, so Excel reads the Chinese right.
        #[arg(long)]
        excel: bool,
        /// How many files to read at once (0: one per core).
        #[arg(long, short = 'j', default_value_t = 0)]
        jobs: usize,
        /// Overwrite the data file if it exists.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        form: FormArgs,
        #[command(flatten)]
        read: ReadArgs,
    },
    /// Check reports: print every repair, unresolved cell and rule violation.
    Check {
        /// Input files or folders; `-` reads a report from standard input.
        inputs: Vec<PathBuf>,
        /// How to print the diagnostics. `json` prints an array, one object a file, whatever
        /// the number of files: `{"file", "status": "ok"|"violations"|"unusable",
        /// "diagnostics": [...]}` or, when unusable, `"error"` in place of the diagnostics.
        #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
        format: CheckFormat,
        /// Also lay each report out as the PDF would be and report what the fonts do: faces
        /// substituted, characters from the fallback face, characters no face has (an error).
        #[arg(long)]
        fonts: bool,
        /// Last year's report of the same body: R6 is checked (this year's carried-over
        /// applications equal last year's carried-forward, column by column). Without it,
        /// reports of one body in consecutive years among the inputs are paired by name and year.
        #[arg(long, value_name = "FILE")]
        previous: Option<PathBuf>,
        #[command(flatten)]
        form: FormArgs,
        #[command(flatten)]
        read: ReadArgs,
        #[command(flatten)]
        layout: LayoutArgs,
    },
    /// Start the local web page: open reports, see and fix doubtful cells, fill in an empty
    /// form, download PDF, DOCX, JSON, CSV and Markdown. Listens on 127.0.0.1 only; nothing
    /// leaves the machine.
    #[cfg(feature = "serve")]
    Serve {
        /// The port on 127.0.0.1 (0: any free port; the address is printed).
        #[arg(long, default_value_t = 8427)]
        port: u16,
        /// Open the page in the default browser.
        #[arg(long)]
        open: bool,
        #[command(flatten)]
        form: FormArgs,
        #[command(flatten)]
        read: ReadArgs,
        #[command(flatten)]
        layout: LayoutArgs,
    },
    /// Two years' reports of one body side by side: every table cell with both values and the
    /// change, and R6 (this year's carried-over = last year's carried-forward) when the years
    /// are consecutive. Exit 1 when R6 fails.
    Compare {
        /// The earlier report.
        a: PathBuf,
        /// The later report.
        b: PathBuf,
        /// `text`, or `json` (`{"a", "b", "tables": [{"key", "heading", "cells": [{"path",
        /// "row", "column", "a", "b", "change"}]}], "r6": [diagnostics]}`).
        #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
        format: CheckFormat,
        /// Only the cells whose values differ (text output).
        #[arg(long)]
        changed: bool,
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
    /// Internal: reads one input and prints the result in the worker's wire form (the CLI
    /// reads each input this way in a child process, see `worker`).
    #[command(name = "__read", hide = true)]
    Read {
        path: PathBuf,
        /// Send the report's trace (source lines, each row's line) with it.
        #[arg(long)]
        trace: bool,
        #[command(flatten)]
        form: FormArgs,
        #[command(flatten)]
        read: ReadArgs,
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
            pdfa: _,
            run,
        } => with_inputs(&inputs, &read, &form, |inputs, reading| {
            convert(inputs, &to, output.as_deref(), reading, &layout, &run)
        }),
        Command::Extract {
            inputs,
            output,
            excel,
            jobs,
            force,
            form,
            read,
        } => with_inputs(&inputs, &read, &form, |inputs, reading| {
            extract(inputs, &output, excel, reading, jobs, force)
        }),
        Command::Check {
            inputs,
            format,
            fonts,
            previous,
            form,
            read,
            layout,
        } => with_inputs(&inputs, &read, &form, |inputs, reading| {
            let fonts = if fonts { Some(&layout) } else { None };
            check(&inputs, format, reading, fonts, previous.as_deref())
        }),
        #[cfg(feature = "serve")]
        Command::Serve {
            port,
            open,
            form,
            read,
            layout,
        } => serve(port, open, &form, &read, &layout),
        Command::Compare {
            a,
            b,
            format,
            changed,
            form,
            read,
        } => with_inputs(&[a, b], &read, &form, |inputs, reading| {
            compare(&inputs, format, changed, reading)
        }),
        Command::Fonts { layout } => fonts(&layout),
        Command::Read {
            path,
            trace,
            form,
            read,
        } => with_read(&read, |read_opts| {
            with_forms(&form, |forms, opts| {
                nianbao::worker::serve(&path, forms, opts, read_opts, trace)
            })
        }),
        Command::Schema { forms } => schema(forms.as_deref()),
    }
}

/// The run's inputs gathered (files, folders, `-`, `--files-from`) with the reading options
/// and forms checked once, before any input is read; a usage error is exit 2.
fn with_inputs(
    inputs: &[PathBuf],
    read: &ReadArgs,
    form: &FormArgs,
    f: impl FnOnce(Vec<batch::Input>, &Reading) -> u8,
) -> u8 {
    with_read(read, |read_opts| {
        with_forms(form, |forms, opts| {
            // Holds a report read from standard input until the run is over.
            let mut stdin_dir = None;
            let inputs = match gather(inputs, read.files_from.as_deref(), read_opts, &mut stdin_dir) {
                Ok(i) => i,
                Err(e) => return usage(&e),
            };
            let isolation = read.isolation(form);
            let reading = Reading {
                forms,
                opts,
                read: read_opts,
                isolation: isolation.as_ref(),
            };
            f(inputs, &reading)
        })
    })
}

/// `nianbao serve`: the web page until Ctrl-C.
#[cfg(feature = "serve")]
fn serve(port: u16, open: bool, form: &FormArgs, read: &ReadArgs, layout: &LayoutArgs) -> u8 {
    with_read(read, |read_opts| {
        with_forms(form, |forms, _| {
            let style = match &layout.style {
                Some(p) => match Style::load(p) {
                    Ok(s) => s,
                    Err(e) => return usage(&e.to_string()),
                },
                None => Style::builtin(),
            };
            let mut converter = nianbao::Converter::new()
                .with_forms(forms.clone())
                .with_style(style)
                .with_limits(read_opts.limits);
            if let Some(v) = &form.form {
                converter = converter.with_form_version(v);
            }
            if let Some(e) = &read_opts.encoding {
                converter = converter.with_encoding(e);
            }
            let converter = match converter.with_font_dirs(layout.font_dirs.clone()) {
                Ok(c) => c,
                Err(e) => return usage(&e.to_string()),
            };
            let config = nianbao::serve::Config {
                converter,
                isolation: read.isolation(form),
                max_input_bytes: read_opts.limits.max_input_bytes,
                port,
            };
            let result = nianbao::serve::run(config, |url| {
                // Printing may fail (a closed pipe): the server runs on regardless.
                use std::io::Write;
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "nianbao 网页已启动 (the page is at) {url}");
                let _ = writeln!(
                    out,
                    "在浏览器中打开上面的地址；文件只在本机处理。按 Ctrl-C 停止 (Ctrl-C stops it)"
                );
                let _ = out.flush();
                if open && let Err(e) = webbrowser::open(url) {
                    eprintln!("nianbao: 无法打开浏览器 (cannot open a browser: {e}); 请手动打开 {url}");
                }
            });
            match result {
                Ok(()) => exit::OK,
                Err(e) => {
                    eprintln!("nianbao: {e}");
                    exit::UNUSABLE
                }
            }
        })
    })
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
    let text = serde_json::to_string_pretty(&nianbao::schema::report_schema(&forms)).expect("json");
    let mut out = Out::new();
    match out.line(&text).and_then(|_| out.flush()) {
        Ok(()) => exit::OK,
        Err(e) => stdout_failed(&e, exit::OK),
    }
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

/// The inputs of a run: the command line's (folders expanded), `-` read from standard input
/// into a temporary file (kept in `stdin_dir` for the run), and the paths listed by
/// `--files-from FILE|-`.
fn gather(
    args: &[PathBuf],
    files_from: Option<&Path>,
    read: &ReadOptions,
    stdin_dir: &mut Option<tempfile::TempDir>,
) -> Result<Vec<batch::Input>, String> {
    let stdin_report = args.iter().any(|a| a == Path::new(batch::STDIN));
    let mut inputs = match files_from {
        Some(p) if p == Path::new("-") => {
            if stdin_report {
                return Err("`-` 与 --files-from - 不能同时读取标准输入 (`-` and --files-from - both want standard input)".into());
            }
            batch::expand(args, &mut std::io::stdin().lock())
        }
        Some(p) => match std::fs::File::open(p) {
            Ok(f) => batch::expand(args, &mut std::io::BufReader::new(f)),
            Err(e) => return Err(format!("--files-from {}: {e}", p.display())),
        },
        None => batch::expand(args, &mut std::io::empty()),
    };
    if inputs
        .iter()
        .filter(|i| i.path == Path::new(batch::STDIN))
        .count()
        > 1
    {
        return Err("`-` 只能出现一次 (`-` may be given once)".into());
    }
    if let Some(input) = inputs.iter_mut().find(|i| i.path == Path::new(batch::STDIN)) {
        use std::io::Read;
        let mut bytes = Vec::new();
        let limit = read.limits.max_input_bytes;
        std::io::stdin()
            .lock()
            .take(limit.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| format!("标准输入 (standard input): {e}"))?;
        let dir = tempfile::Builder::new()
            .prefix("nianbao-stdin.")
            .tempdir()
            .map_err(|e| format!("标准输入 (standard input): {e}"))?;
        let path = dir
            .path()
            .join(format!("stdin.{}", batch::sniff_extension(&bytes)));
        // Over the limit: the reader refuses it with its usual reason.
        std::fs::write(&path, &bytes).map_err(|e| format!("标准输入 (standard input): {e}"))?;
        // Named `<stdin>` wherever it is reported; the copy is only read.
        input.path = PathBuf::from(batch::STDIN_NAME);
        input.source = Some(path);
        *stdin_dir = Some(dir);
    }
    Ok(inputs)
}

/// How reports are read: the forms, the normalizer's options, the reader's options.
#[derive(Clone, Copy)]
struct Reading<'a> {
    forms: &'a Forms,
    opts: &'a Options,
    read: &'a ReadOptions,
    /// Each input read in a worker process, or `None`: in this one.
    isolation: Option<&'a nianbao::worker::Isolation>,
}

impl Reading<'_> {
    /// Reads one input (in a worker when isolated).
    fn read(&self, path: &Path) -> Result<Report, nianbao::Error> {
        nianbao::worker::read(self.isolation, path, self.forms, self.opts, self.read)
    }
}

fn convert(
    inputs: Vec<batch::Input>,
    to: &[String],
    output: Option<&Path>,
    reading: &Reading,
    layout: &LayoutArgs,
    run: &RunArgs,
) -> u8 {
    let Reading {
        forms, opts, read, ..
    } = *reading;
    let stop = interrupt_flag();
    // The workers see the run's stop flag: Ctrl-C or SIGTERM kills the reading in progress.
    let isolation = reading.isolation.map(|i| nianbao::worker::Isolation {
        stop: Some(stop),
        ..i.clone()
    });
    let reading = &Reading {
        isolation: isolation.as_ref(),
        ..*reading
    };
    let style = match &layout.style {
        Some(p) => match Style::load(p) {
            Ok(s) => s,
            Err(e) => return usage(&e.to_string()),
        },
        None => Style::builtin(),
    };
    if let Err(e) = nianbao::fonts::check_font_dirs(&layout.font_dirs) {
        return usage(&e.to_string());
    }
    if inputs.is_empty() {
        return usage("没有找到输入文件 (no input files found)");
    }
    let target = target(output);
    let formats: Vec<OutputFormat> = match &target {
        Target::File(p) => match OutputFormat::from_path(p) {
            Some(f) if to.iter().any(|t| OutputFormat::parse(t) != Some(f)) => {
                return usage(&format!(
                    "--to {} 与输出文件的扩展名不符 (conflicts with the extension of {})",
                    to.join(","),
                    p.display()
                ));
            }
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
            let default = ["json".to_string()];
            let names = if to.is_empty() { &default[..] } else { to };
            for name in names {
                match OutputFormat::parse(name) {
                    Some(f) if !v.contains(&f) => v.push(f),
                    Some(_) => {}
                    None => return usage(&format!("未知的输出格式 (unknown output format) {name}")),
                }
            }
            v
        }
    };
    if matches!(target, Target::Dir(_)) && inputs.iter().any(|i| i.source.is_some()) {
        return usage(
            "标准输入的报告需要 -o FILE 或 -o - (a report on standard input needs -o FILE or -o -)",
        );
    }
    if matches!(target, Target::Stdout | Target::File(_)) && inputs.len() > 1 {
        return usage("多个输入需要输出到文件夹 (several inputs need -o DIR/)");
    }
    let batch_target = match &target {
        Target::Stdout => {
            if formats.len() != 1 || !formats[0].is_text() {
                return usage("-o - 只能输出一种文本格式 (-o - writes a single text format: json, md)");
            }
            return to_stdout(&inputs[0], formats[0], reading, &style, layout);
        }
        Target::File(p) => batch::Target::File(p.clone()),
        Target::Dir(d) => batch::Target::Dir(d.clone()),
    };
    if let Some(report) = &run.report
        && let Err(e) = batch::check_output(report, &batch::canonical_inputs(&inputs), run.force)
    {
        return usage(&format!("--report: {e}"));
    }
    let outputs = batch::output_paths(&inputs, &batch_target, &formats);
    let plan = batch::Plan {
        forms,
        options: opts,
        read,
        style: &style,
        font_dirs: layout.font_dirs.clone(),
        force: run.force,
        strict: run.strict,
        protected: batch::canonical_inputs(&inputs),
        isolation: reading.isolation,
    };
    let progress = Progress::new(inputs.len());
    let jobs = cap_jobs(run.jobs);
    let reports = batch::convert_all(&inputs, &outputs, &plan, jobs, stop, &|r| progress.done(r));
    progress.finish();
    finish_run(&reports, run.report.as_deref(), stop.load(Ordering::SeqCst))
}

/// A single text output to standard output.
fn to_stdout(
    input: &batch::Input,
    format: OutputFormat,
    reading: &Reading,
    style: &Style,
    layout: &LayoutArgs,
) -> u8 {
    let forms = reading.forms;
    let result = match &input.problem {
        Some(p) => Err(nianbao::Error::unusable(p.clone())),
        None => reading.read(input.source()),
    };
    let source = input.source();
    let input = input.path.as_path();
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{}: error: {}", input.display(), e.about(source));
            return exit::UNUSABLE;
        }
    };
    print_summary(input, &report);
    let Some(form) = forms.get(&report.form) else {
        return usage(&format!("unknown form version {}", report.form));
    };
    let ctx = Context {
        form,
        style,
        font_dirs: layout.font_dirs.clone(),
    };
    let bytes = match format.render(&report, &ctx) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{}: error: {}", input.display(), e.about(source));
            return exit::UNUSABLE;
        }
    };
    let status = if has_errors(&report.diagnostics) {
        exit::VIOLATIONS
    } else {
        exit::OK
    };
    let mut out = Out::new();
    match out.bytes(&bytes).and_then(|_| out.flush()) {
        Ok(()) => status,
        Err(e) => stdout_failed(&e, status),
    }
}

/// Set by Ctrl-C, SIGTERM or SIGHUP (ctrlc's `termination` feature): the files in progress
/// finish, the rest are skipped, and the summary and `--report` are written.
fn interrupt_flag() -> &'static AtomicBool {
    static STOP: AtomicBool = AtomicBool::new(false);
    static HANDLER: std::sync::Once = std::sync::Once::new();
    HANDLER.call_once(|| {
        let _ = ctrlc::set_handler(|| STOP.store(true, Ordering::SeqCst));
    });
    &STOP
}

/// A progress bar on a terminal; plain log lines otherwise.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    fn new(total: usize) -> Progress {
        let bar = (total > 1 && std::io::stderr().is_terminal()).then(|| {
            let bar = indicatif::ProgressBar::new(total as u64);
            if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {elapsed} {msg}")
            {
                bar.set_style(style);
            }
            bar
        });
        Progress { bar }
    }

    fn done(&self, r: &batch::FileReport) {
        let line = match (&r.error, r.status) {
            (Some(e), _) => format!("{}: error: {e}", r.input.display()),
            (None, batch::Status::Kept) => format!("{}: {}", r.input.display(), batch::KEPT_NOTE),
            (None, _) => {
                let outs: Vec<String> = r.outputs.iter().map(|p| p.display().to_string()).collect();
                let count = |s: Severity| r.diagnostics.iter().filter(|d| d.severity == s).count();
                let (e, w) = (count(Severity::Error), count(Severity::Warning));
                let note = if e + w > 0 {
                    format!("  [{e} 个错误 (errors), {w} 处修复 (repairs)]")
                } else {
                    String::new()
                };
                format!("{} → {}{note}", r.input.display(), outs.join(", "))
            }
        };
        match &self.bar {
            Some(bar) => {
                if r.error.is_some() || r.status == batch::Status::Kept {
                    bar.println(line);
                }
                bar.inc(1);
            }
            None => eprintln!("{line}"),
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// The closing summary, the `--report` file, and the exit status of a run.
fn finish_run(reports: &[batch::FileReport], report_file: Option<&Path>, interrupted: bool) -> u8 {
    let sum = batch::Summary::of(reports);
    if reports.len() > 1 || interrupted {
        eprintln!(
            "转换 (converted) {}：无问题 (clean) {}，有修复 (repaired) {}，有违规或未解决 (violations) {}；失败 (failed) {}{}",
            sum.converted(),
            sum.clean,
            sum.repaired,
            sum.violations,
            sum.failed,
            if sum.kept > 0 {
                format!("；输出已存在而保留 (kept, outputs already there) {}", sum.kept)
            } else {
                String::new()
            }
        );
    }
    if interrupted {
        eprintln!(
            "已中断 (interrupted)：已完成的文件已保存，{} 个文件未处理 ({} not started)",
            sum.skipped, sum.skipped
        );
    }
    if let Some(path) = report_file {
        let mut summary = serde_json::to_value(sum).expect("json");
        summary["converted"] = sum.converted().into();
        let value = serde_json::json!({ "summary": summary, "files": reports });
        let text = serde_json::to_string_pretty(&value).expect("json") + "\n";
        if let Err(e) = write_atomic(path, text.as_bytes()) {
            eprintln!("nianbao: {e}");
            return exit::UNUSABLE;
        }
    }
    let not_done = sum.failed + sum.skipped;
    if not_done == 0 {
        if sum.violations > 0 {
            exit::VIOLATIONS
        } else {
            exit::OK
        }
    } else if not_done == reports.len() {
        exit::UNUSABLE
    } else {
        exit::PARTIAL
    }
}

/// `nianbao extract`: one row a report, every cell a column.
fn extract(
    inputs: Vec<batch::Input>,
    output: &Path,
    excel: bool,
    reading: &Reading,
    jobs: usize,
    force: bool,
) -> u8 {
    let forms = reading.forms;
    if inputs.is_empty() {
        return usage("没有找到输入文件 (no input files found)");
    }
    if output != Path::new("-")
        && let Err(e) = batch::check_output(output, &batch::canonical_inputs(&inputs), force)
    {
        return usage(&e.to_string());
    }
    let ext = output
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let csv = match ext.as_deref() {
        _ if output == Path::new("-") => true,
        Some("csv") => true,
        Some("jsonl" | "ndjson" | "json") => false,
        _ => return usage("-o 应为 .csv 或 .jsonl 文件 (-o must name a .csv or .jsonl file)"),
    };
    let read_one = |input: &batch::Input| -> Result<nianbao::model::Report, String> {
        match &input.problem {
            Some(p) => Err(p.clone()),
            None => reading.read(input.source()).map_err(|e| e.about(input.source())),
        }
    };
    let work = || inputs.par_iter().map(read_one).collect::<Vec<_>>();
    let results = match rayon::ThreadPoolBuilder::new()
        .num_threads(cap_jobs(jobs))
        .build()
    {
        Ok(pool) => pool.install(work),
        Err(_) => work(),
    };
    let records: Vec<extract::Record> = inputs
        .iter()
        .zip(&results)
        .map(|(i, r)| extract::Record {
            file: &i.path,
            result: r.as_ref().map_err(Clone::clone),
        })
        .collect();
    for rec in &records {
        if let Err(e) = &rec.result {
            eprintln!("{}: error: {e}", rec.file.display());
        }
    }
    let text = if csv {
        extract::to_csv(forms, &records, excel)
    } else {
        extract::to_json_lines(forms, &records)
    };
    if output == Path::new("-") {
        let mut out = Out::new();
        if let Err(e) = out.bytes(text.as_bytes()).and_then(|_| out.flush()) {
            return stdout_failed(&e, exit::UNUSABLE);
        }
    } else if let Err(e) = write_atomic(output, text.as_bytes()) {
        eprintln!("nianbao: {e}");
        return exit::UNUSABLE;
    } else {
        eprintln!("{} 份报告 (reports) → {}", records.len(), output.display());
    }
    let failed = results.iter().filter(|r| r.is_err()).count();
    let violations = results.iter().flatten().any(|r| has_errors(&r.diagnostics));
    if failed == results.len() {
        exit::UNUSABLE
    } else if failed > 0 {
        exit::PARTIAL
    } else if violations {
        exit::VIOLATIONS
    } else {
        exit::OK
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

/// `nianbao check`; with `fonts`, each report is also laid out as its PDF would be and the
/// font diagnostics join its own.
fn check(
    inputs: &[batch::Input],
    format: CheckFormat,
    reading: &Reading,
    fonts: Option<&LayoutArgs>,
    previous: Option<&Path>,
) -> u8 {
    let forms = reading.forms;
    if inputs.is_empty() {
        return usage("没有找到输入文件 (no input files found)");
    }
    if previous.is_some() && inputs.len() != 1 {
        return usage(
            "--previous 只能与一份报告一起使用 (--previous goes with one input; a batch pairs consecutive years itself)",
        );
    }
    let style = match fonts.and_then(|l| l.style.as_ref()) {
        Some(p) => match Style::load(p) {
            Ok(s) => s,
            Err(e) => return usage(&e.to_string()),
        },
        None => Style::builtin(),
    };
    if let Some(layout) = fonts
        && let Err(e) = nianbao::fonts::check_font_dirs(&layout.font_dirs)
    {
        return usage(&e.to_string());
    }
    let read_one = |source: &Path, problem: Option<String>| {
        // A panic in one file fails that file, as in `convert`.
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let read = match problem {
                Some(p) => Err(nianbao::Error::unusable(p)),
                None => reading.read(source),
            };
            read.and_then(|mut report| {
                if let Some(layout) = fonts
                    && let Some(form) = forms.get(&report.form)
                {
                    let ctx = Context {
                        form,
                        style: &style,
                        font_dirs: layout.font_dirs.clone(),
                    };
                    let found = nianbao::write::pdf::font_check(&report, &ctx)?;
                    report.diagnostics.extend(found);
                }
                Ok(report)
            })
            .map_err(|e| (e.about(source), e.kind().name()))
        }))
        .unwrap_or_else(|_| {
            Err((
                "内部错误 (internal error while reading this file)".into(),
                nianbao::ErrorKind::Internal.name(),
            ))
        })
    };
    // Every file is read before any is printed: R6 pairs reports across the batch.
    let mut results: Vec<(&Path, Checked)> = inputs
        .iter()
        .map(|input| {
            (
                input.path.as_path(),
                read_one(input.source(), input.problem.clone()),
            )
        })
        .collect();
    if let Some(previous) = previous {
        let last = match read_one(previous, None) {
            Ok(r) => r,
            Err((e, _)) => return usage(&format!("--previous {}: {e}", previous.display())),
        };
        if let (path, Ok(report)) = &mut results[0] {
            let name = previous.display().to_string();
            if let Some(form) = forms.get(&report.form)
                && let Some(last_form) = forms.get(&last.form)
            {
                if !nianbao::normalize::validate::same_body(report, &last) {
                    eprintln!(
                        "{}: note: --previous {name} is not known to be of the same body ({} / {}): R6 not checked",
                        path.display(),
                        last.organization.as_deref().unwrap_or("?"),
                        report.organization.as_deref().unwrap_or("?")
                    );
                } else if report.year.zip(last.year).is_some_and(|(a, b)| a != b + 1) {
                    eprintln!(
                        "{}: note: --previous {name} is of {} and this report of {}: R6 compares consecutive years only",
                        path.display(),
                        last.year.unwrap_or_default(),
                        report.year.unwrap_or_default()
                    );
                }
                if nianbao::normalize::validate::same_body(report, &last) {
                    let this_name = path.display().to_string();
                    let (found, _) = nianbao::normalize::validate::year_over_year(
                        (form, report, &this_name),
                        (last_form, &last, &name),
                    );
                    report.diagnostics.extend(found);
                }
            }
        }
    } else {
        pair_years(&mut results, forms);
    }
    let mut failed = 0;
    let mut worst = exit::OK;
    let mut json_out = Vec::new();
    let mut out = Out::new();
    for (input, result) in results {
        match result {
            Ok(report) => {
                if has_errors(&report.diagnostics) {
                    worst = worst.max(exit::VIOLATIONS);
                }
                match format {
                    CheckFormat::Text => {
                        if let Err(e) = print_diagnostics(&mut out, input, &report.diagnostics) {
                            return stdout_failed(&e, worst);
                        }
                    }
                    CheckFormat::Json => json_out.push(serde_json::json!({
                        "file": input.display().to_string(),
                        "status": if has_errors(&report.diagnostics) { "violations" } else { "ok" },
                        "diagnostics": report.diagnostics,
                    })),
                }
            }
            Err((e, kind)) => {
                failed += 1;
                eprintln!("{}: error: {e}", input.display());
                if let CheckFormat::Json = format {
                    json_out.push(serde_json::json!({
                        "file": input.display().to_string(),
                        "status": "unusable",
                        "error": e,
                        "error_kind": kind,
                    }));
                }
            }
        }
    }
    let status = if failed == 0 {
        worst
    } else if failed == inputs.len() {
        exit::UNUSABLE
    } else {
        exit::PARTIAL
    };
    if let CheckFormat::Json = format {
        // Always an array, one object a file: the same shape for one file as for many.
        let text = serde_json::to_string_pretty(&json_out).expect("json");
        if let Err(e) = out.line(&text) {
            return stdout_failed(&e, status);
        }
    }
    match out.flush() {
        Ok(()) => status,
        Err(e) => stdout_failed(&e, status),
    }
}

/// A file as `check` read it: its report, or the reason and [`nianbao::ErrorKind`] name.
type Checked = Result<Report, (String, &'static str)>;

/// `nianbao compare A B`.
fn compare(inputs: &[batch::Input], format: CheckFormat, changed: bool, reading: &Reading) -> u8 {
    let [a, b] = inputs else {
        return usage("compare 需要两份报告 (compare takes two reports)");
    };
    let mut reports = Vec::new();
    for input in [a, b] {
        let read = match &input.problem {
            Some(p) => Err(nianbao::Error::unusable(p.clone())),
            None => reading.read(input.source()),
        };
        match read {
            Ok(r) => reports.push(r),
            Err(e) => {
                eprintln!("{}: error: {}", input.path.display(), e.about(input.source()));
                return exit::UNUSABLE;
            }
        }
    }
    let (a_name, b_name) = (a.path.display().to_string(), b.path.display().to_string());
    let found = nianbao::compare::compare(reading.forms, (&reports[0], &a_name), (&reports[1], &b_name));
    let text = match format {
        CheckFormat::Text => found.to_text(changed),
        CheckFormat::Json => serde_json::to_string_pretty(&found).expect("json"),
    };
    let status = if found.r6.is_empty() {
        exit::OK
    } else {
        exit::VIOLATIONS
    };
    let mut out = Out::new();
    match out.line(text.trim_end()).and_then(|_| out.flush()) {
        Ok(()) => status,
        Err(e) => stdout_failed(&e, status),
    }
}

/// R6 for every pair of reports of one body in consecutive years among `results`
/// ([`nianbao::normalize::validate::consecutive_years`]): each report of a failing pair gets
/// the errors naming its own cells.
fn pair_years(results: &mut [(&Path, Checked)], forms: &Forms) {
    let read: Vec<usize> = (0..results.len()).filter(|&i| results[i].1.is_ok()).collect();
    let reports: Vec<&Report> = read.iter().filter_map(|&i| results[i].1.as_ref().ok()).collect();
    let pairs = nianbao::normalize::validate::consecutive_years(&reports);
    let mut found: Vec<(usize, Vec<Diagnostic>)> = Vec::new();
    for (this, last) in pairs {
        let (a, b) = (read[this], read[last]);
        let (Ok(here), Ok(there)) = (&results[a].1, &results[b].1) else {
            continue;
        };
        let (Some(form), Some(last_form)) = (forms.get(&here.form), forms.get(&there.form)) else {
            continue;
        };
        let (mine, theirs) = nianbao::normalize::validate::year_over_year(
            (form, here, &results[a].0.display().to_string()),
            (last_form, there, &results[b].0.display().to_string()),
        );
        let note = |other: &Path, year: Option<i32>| {
            Diagnostic::new(
                Severity::Info,
                nianbao::diag::code::YEAR_PAIR,
                format!(
                    "跨年度核对 (R6)：与 {} 年的报告 {} 配对 (paired with the report of {} for R6)",
                    year.unwrap_or_default(),
                    other.display(),
                    year.unwrap_or_default()
                ),
            )
        };
        found.push((a, [vec![note(results[b].0, there.year)], mine].concat()));
        found.push((b, [vec![note(results[a].0, here.year)], theirs].concat()));
    }
    for (i, diags) in found {
        if let Ok(report) = &mut results[i].1 {
            report.diagnostics.extend(diags);
        }
    }
}

fn print_diagnostics(out: &mut Out, input: &Path, diags: &[Diagnostic]) -> std::io::Result<()> {
    let name = input.display();
    for d in diags {
        let place = d
            .line
            .map(|l| format!("{name}:{l}"))
            .unwrap_or_else(|| name.to_string());
        out.line(&format!("{place}: {d}"))?;
    }
    let count = |s: Severity| diags.iter().filter(|d| d.severity == s).count();
    out.line(&format!(
        "{name}: {} 个错误 (errors), {} 处修复 (repairs), {} 条说明 (notes)",
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info)
    ))
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
    let set = match nianbao::fonts::resolve(&style, &layout.font_dirs) {
        Ok(s) => s,
        Err(e) => return usage(&e.to_string()),
    };
    let mut out = Out::new();
    let mut write = || -> std::io::Result<()> {
        for (role, r) in &set.roles {
            let face = set.face(r.face);
            out.line(&format!(
                "{role:<12} {} [{}] {}",
                face.family,
                r.origin.label(),
                face.path.display()
            ))?;
            out.line(&format!("{:<12} {}", "", r.reason))?;
        }
        for why in &set.skipped {
            out.line(&format!("skipped      {why}"))?;
        }
        out.flush()
    };
    match write() {
        Ok(()) => exit::OK,
        Err(e) => stdout_failed(&e, exit::OK),
    }
}

/// Standard output for a command's results. A closed pipe (`nianbao check … | head -1`) ends
/// the command quietly; any other write error (a full disk) is one line on stderr and exit 2,
/// never a panic.
struct Out {
    out: std::io::StdoutLock<'static>,
}

impl Out {
    fn new() -> Out {
        Out {
            out: std::io::stdout().lock(),
        }
    }

    /// Writes `text` and a line break.
    fn line(&mut self, text: &str) -> std::io::Result<()> {
        self.out.write_all(text.as_bytes())?;
        self.out.write_all(b"\n")
    }

    /// Writes `bytes` as they are.
    fn bytes(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.out.write_all(bytes)
    }

    /// Flushes what is buffered: a write error shows at the latest here.
    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// The exit status after standard output failed: `status` (what the command had found so far)
/// when the reader went away, otherwise a one-line message and [`exit::UNUSABLE`].
fn stdout_failed(e: &std::io::Error, status: u8) -> u8 {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        status
    } else {
        eprintln!("nianbao: 无法写入标准输出 (cannot write to standard output): {e}");
        exit::UNUSABLE
    }
}

/// `--jobs` as the thread pools take it: 0 stays 0 (one a core); more than
/// [`MAX_JOBS_PER_CORE`] threads a core is capped there, with a note (`--jobs 100000` made
/// the pool spawn threads until the run hung).
fn cap_jobs(jobs: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let max = cores.saturating_mul(MAX_JOBS_PER_CORE).min(MAX_JOBS);
    if jobs > max {
        eprintln!(
            "nianbao: --jobs {jobs} 过大，改为 {max} (capped to {max}: {MAX_JOBS_PER_CORE} a core, {MAX_JOBS} at most)"
        );
        max
    } else {
        jobs
    }
}

/// The most threads a core `--jobs` may ask for: reading and rendering are CPU-bound, so more
/// buys nothing.
const MAX_JOBS_PER_CORE: usize = 4;

/// The most threads `--jobs` may ask for on any machine: each holds a report, its layout and
/// its fonts (tens of MB), so even a 256-core machine gains nothing past this many.
const MAX_JOBS: usize = 64;

fn usage(msg: &str) -> u8 {
    eprintln!("nianbao: {msg}");
    exit::UNUSABLE
}
