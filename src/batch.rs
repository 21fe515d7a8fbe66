//! Batch conversion: files, folders and lists of paths, converted in parallel, each failure
//! contained to its own file, and an account of every file at the end.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;
use serde::Serialize;

use crate::diag::{Diagnostic, Severity};
use crate::error::Error;
use crate::files::write_set;
use crate::form::Forms;
use crate::normalize::Options;
use crate::read::ReadOptions;
use crate::style::Style;
use crate::write::{Context, OutputFormat};

/// The extensions a folder is searched for.
pub const INPUT_EXTENSIONS: &[&str] = &[
    "txt", "text", "md", "markdown", "docx", "json", "html", "htm", "pdf",
];

/// An input file, and the folder it was found under when it came from a folder (so the
/// output tree can mirror the input tree).
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    /// The input as messages name it: its path, or [`STDIN_NAME`] for a report on standard
    /// input.
    pub path: PathBuf,
    pub root: Option<PathBuf>,
    /// The file read, when it is not `path`: the copy of standard input.
    pub source: Option<PathBuf>,
    /// Why this input cannot be read, found while gathering the inputs (an unreadable folder):
    /// it fails with this reason, and the rest go on.
    pub problem: Option<String>,
}

impl Input {
    /// A file given as it is.
    pub fn file(path: impl Into<PathBuf>) -> Input {
        Input {
            path: path.into(),
            root: None,
            source: None,
            problem: None,
        }
    }

    /// The file to read.
    pub fn source(&self) -> &Path {
        self.source.as_deref().unwrap_or(&self.path)
    }
}

/// How a report on standard input is named in messages and reports.
pub const STDIN_NAME: &str = "<stdin>";

/// Expands the command line's inputs: files as they are, folders recursively by known
/// extension (hidden entries and nianbao's own outputs skipped; symbolic links followed, a
/// folder met twice — a link loop — walked once; a folder that cannot be read kept as an
/// input with its [`Input::problem`]),
/// `-` kept as it is (a report on standard input, see [`STDIN`]), then the paths listed in
/// `list`, one a line (`--files-from`), expanded the same way.
pub fn expand(args: &[PathBuf], list: &mut dyn BufRead) -> Vec<Input> {
    let mut out = Vec::new();
    for arg in args {
        if arg == Path::new(STDIN) {
            out.push(Input::file(arg.clone()));
        } else {
            push_path(arg, &mut out);
        }
    }
    let mut line = String::new();
    while list.read_line(&mut line).is_ok_and(|n| n > 0) {
        let p = line.trim_end_matches(['\n', '\r']);
        if !p.trim().is_empty() {
            push_path(Path::new(p), &mut out);
        }
        line.clear();
    }
    out
}

/// The input that stands for a report on standard input.
pub const STDIN: &str = "-";

/// The extension a report on standard input is read as, from its first bytes: `docx` for a
/// zip package, `pdf`, `json` for an object, `txt` otherwise (HTML is recognised from text).
pub fn sniff_extension(bytes: &[u8]) -> &'static str {
    let trimmed = bytes
        .strip_prefix(b"\xef\xbb\xbf")
        .unwrap_or(bytes)
        .trim_ascii_start();
    if bytes.starts_with(b"PK\x03\x04") {
        "docx"
    } else if bytes.starts_with(b"%PDF") {
        "pdf"
    } else if trimmed.starts_with(b"{") {
        "json"
    } else {
        "txt"
    }
}

fn push_path(path: &Path, out: &mut Vec<Input>) {
    if path.is_dir() {
        let mut found = Vec::new();
        let mut seen = Vec::new();
        walk(path, &mut found, &mut seen);
        found.sort_by(|a, b| a.0.cmp(&b.0));
        out.extend(found.into_iter().map(|(p, problem)| Input {
            path: p,
            root: Some(path.to_path_buf()),
            source: None,
            problem,
        }));
    } else {
        // A missing file is kept: it fails on its own, with its reason, and the rest go on.
        out.push(Input::file(path));
    }
}

/// A folder's identity, to walk each once however many links lead to it.
fn folder_id(meta: &std::fs::Metadata) -> (u64, u64) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        (meta.dev(), meta.ino())
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        (0, 0)
    }
}

/// The input files under `dir`, and each folder that could not be read with its reason.
/// Symbolic links are followed (to files and folders); `seen` holds the folders walked, so a
/// link back up the tree ends the walk there instead of looping.
fn walk(dir: &Path, out: &mut Vec<(PathBuf, Option<String>)>, seen: &mut Vec<(u64, u64)>) {
    let unreadable = |e: &std::io::Error| Some(format!("无法读取文件夹 (cannot read the folder: {e})"));
    if let Ok(meta) = std::fs::metadata(dir) {
        let id = folder_id(&meta);
        if cfg!(unix) && seen.contains(&id) {
            return;
        }
        seen.push(id);
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            out.push((dir.to_path_buf(), unreadable(&e)));
            return;
        }
    };
    for entry in entries {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                out.push((dir.to_path_buf(), unreadable(&e)));
                return;
            }
        };
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        let Ok(mut kind) = entry.file_type() else { continue };
        if kind.is_symlink() {
            // Followed; a dangling link is no input.
            match std::fs::metadata(&path) {
                Ok(meta) => kind = meta.file_type(),
                Err(_) => continue,
            }
        }
        if kind.is_dir() {
            walk(&path, out, seen);
        } else if kind.is_file() && has_input_extension(&path) && !written_by_nianbao(&path) {
            out.push((path, None));
        }
    }
}

/// Whether `path` is an output of nianbao, by the mark each writer leaves: the JSON's first
/// key `"generator": "nianbao …"`, the PDF's Producer `nianbao (…)`, the DOCX's
/// `docProps/app.xml` Application `nianbao`. A folder walk skips such files, so converting a
/// folder into itself again does not read last run's outputs as new reports; a file named
/// on the command line is read whatever its mark.
pub fn written_by_nianbao(path: &Path) -> bool {
    use std::io::Read;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    // A nianbao output is small; past this the file is not ours and not worth reading here.
    const MAX: u64 = 16 << 20;
    match ext.as_deref() {
        Some("json") => {
            let mut head = Vec::new();
            if file.take(256).read_to_end(&mut head).is_err() {
                return false;
            }
            let text = String::from_utf8_lossy(&head);
            let rest = text.trim_start_matches('\u{feff}').trim_start();
            let Some(rest) = rest.strip_prefix('{') else {
                return false;
            };
            let Some(rest) = rest.trim_start().strip_prefix("\"generator\"") else {
                return false;
            };
            let Some(rest) = rest.trim_start().strip_prefix(':') else {
                return false;
            };
            rest.trim_start().starts_with("\"nianbao")
        }
        Some("pdf") => {
            let mut bytes = Vec::new();
            if file.take(MAX).read_to_end(&mut bytes).is_err() {
                return false;
            }
            // "nianbao " as a UTF-16BE hex text string, or as a literal one.
            const HEX: &[u8] = b"/Producer<FEFF006E00690061006E00620061006F0020";
            const LITERAL: &[u8] = b"/Producer(nianbao ";
            bytes.windows(HEX.len()).any(|w| w.eq_ignore_ascii_case(HEX))
                || bytes.windows(LITERAL.len()).any(|w| w == LITERAL)
        }
        Some("docx") => {
            let Ok(mut zip) = zip::ZipArchive::new(file) else {
                return false;
            };
            let Ok(app) = zip.by_name("docProps/app.xml") else {
                return false;
            };
            let mut text = String::new();
            if app.take(64 << 10).read_to_string(&mut text).is_err() {
                return false;
            }
            text.contains("<Application>nianbao</Application>")
        }
        _ => false,
    }
}

fn has_input_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| INPUT_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Where outputs go.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// One file; its format from its extension.
    File(PathBuf),
    /// A folder: `<stem>.<ext>`, mirroring the input tree for inputs found in folders.
    Dir(PathBuf),
}

/// The output paths of every input for every format. Two inputs that would write the same
/// file (`a.txt` and `a.docx`) keep their extension in the output name (`a.txt.json`). When
/// the run has several input folders, each is mirrored under its own name (`convert 2023/
/// 2024/ -o out/` writes `out/2023/…` and `out/2024/…`), so the same relative name under two
/// roots never meets. Paths that still coincide (two roots of one name, two explicit files of
/// one name) are left for [`clashes`] to refuse.
pub fn output_paths(
    inputs: &[Input],
    target: &Target,
    formats: &[OutputFormat],
) -> Vec<Vec<(OutputFormat, PathBuf)>> {
    let mut roots: Vec<&PathBuf> = inputs.iter().filter_map(|i| i.root.as_ref()).collect();
    roots.dedup();
    roots.sort();
    roots.dedup();
    let mirror_roots = roots.len() > 1;
    let base = |input: &Input, keep_ext: bool| -> PathBuf {
        let rel = match &input.root {
            Some(root) => {
                let rel = input
                    .path
                    .strip_prefix(root)
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|_| PathBuf::from(input.path.file_name().unwrap_or_default()));
                if mirror_roots {
                    root_name(root).join(rel)
                } else {
                    rel
                }
            }
            None => PathBuf::from(input.path.file_name().unwrap_or_default()),
        };
        if keep_ext { rel } else { rel.with_extension("") }
    };
    let plain: Vec<PathBuf> = inputs.iter().map(|i| base(i, false)).collect();
    inputs
        .iter()
        .zip(&plain)
        .map(|(input, stem)| {
            let clash = plain.iter().filter(|p| *p == stem).count() > 1;
            formats
                .iter()
                .map(|&f| {
                    let path = match target {
                        Target::File(p) => p.clone(),
                        Target::Dir(dir) => {
                            let name = base(input, clash);
                            let file = format!("{}.{}", name.display(), f.extension());
                            dir.join(file)
                        }
                    };
                    (f, path)
                })
                .collect()
        })
        .collect()
}

/// The name a root folder is mirrored under: its last component (`2023` for `data/2023/`),
/// or that of its full path for `.`.
fn root_name(root: &Path) -> PathBuf {
    if let Some(name) = root.file_name() {
        return PathBuf::from(name);
    }
    root.canonicalize()
        .ok()
        .and_then(|c| c.file_name().map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("root"))
}

/// For each input, the other input whose outputs would land on one of its own, if any: both
/// are refused by name rather than one silently replacing the other.
pub fn clashes<'a>(inputs: &'a [Input], outputs: &[Vec<(OutputFormat, PathBuf)>]) -> Vec<Option<&'a Path>> {
    let mut owner: rustc_hash::FxHashMap<&Path, usize> = Default::default();
    let mut out = vec![None; inputs.len()];
    for (i, outs) in outputs.iter().enumerate() {
        for (_, p) in outs {
            match owner.get(p.as_path()) {
                Some(&j) if j != i => {
                    out[i] = Some(inputs[j].path.as_path());
                    out[j].get_or_insert(inputs[i].path.as_path());
                }
                Some(_) => {}
                None => {
                    owner.insert(p.as_path(), i);
                }
            }
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Converted; nothing repaired, nothing wrong.
    Clean,
    /// Converted with repairs, all reported.
    Repaired,
    /// Converted, but with rule violations or unresolved cells.
    Violations,
    /// Not converted: unusable input, an output could not be written, or `--strict`
    /// withheld the print outputs of a report with doubtful cells.
    Failed,
    /// Not started: the run was interrupted.
    Skipped,
    /// Not converted again: every output exists already, written by nianbao (a re-run after
    /// an interrupted batch); `--force` rewrites them.
    Kept,
}

/// What happened to one input.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    pub input: PathBuf,
    pub status: Status,
    pub outputs: Vec<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The [`ErrorKind`](crate::ErrorKind) of `error`, by its [name](crate::ErrorKind::name):
    /// `not_found`, `unusable`, `limit` …, for a program to tell failures apart.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_kind: Option<&'static str>,
    pub diagnostics: Vec<Diagnostic>,
}

impl FileReport {
    /// A failure of `input` with its reason and kind.
    fn failed(input: &Input, status: Status, error: String, kind: crate::error::ErrorKind) -> FileReport {
        FileReport {
            input: input.path.clone(),
            status,
            outputs: Vec::new(),
            error: Some(error),
            error_kind: Some(kind.name()),
            diagnostics: Vec::new(),
        }
    }
}

/// Everything a conversion needs besides its inputs; shared by every worker.
pub struct Plan<'a> {
    pub forms: &'a Forms,
    pub options: &'a Options,
    pub read: &'a ReadOptions,
    pub style: &'a Style,
    pub font_dirs: Vec<PathBuf>,
    /// Overwrite existing outputs.
    pub force: bool,
    /// Write no PDF or DOCX for a report with doubtful cells (`--strict`, see
    /// [`strict_refusal`]).
    pub strict: bool,
    /// Every input of the run, canonical: no output may replace one of them.
    pub protected: Vec<PathBuf>,
    /// Each input read in a worker process ([`crate::worker`]), or `None`: in this one.
    pub isolation: Option<&'a crate::worker::Isolation>,
}

/// Whether `format` is a print output, the kind `--strict` withholds: paper shows its marks
/// but cannot carry the diagnostics behind them. JSON carries them, and Markdown its marks
/// as text beside the values.
pub fn is_print(format: OutputFormat) -> bool {
    matches!(format, OutputFormat::Pdf | OutputFormat::Docx)
}

/// `--strict`'s one-line refusal for a report whose print outputs would mark doubtful cells
/// (see [`crate::present::grid::count_doubts`]), or `None` when they would mark nothing.
pub fn strict_refusal(form: &crate::form::Form, report: &crate::model::Report) -> Option<String> {
    let n = crate::present::grid::count_doubts(form, report);
    if n.is_empty() {
        return None;
    }
    let (tables_zh, tables_en) = if n.tables > 0 {
        (
            format!("，{} 张表整体存疑", n.tables),
            format!(", {} table(s) in doubt as a whole", n.tables),
        )
    } else {
        (String::new(), String::new())
    };
    Some(format!(
        "--strict：{} 个单元格存疑{tables_zh}，未写出 PDF/DOCX ({} doubtful cell(s){tables_en}; print outputs not written; `nianbao check` lists them)",
        n.cells, n.cells
    ))
}

/// The canonical paths of `inputs` (those that exist), for [`check_output`].
pub fn canonical_inputs(inputs: &[Input]) -> Vec<PathBuf> {
    inputs.iter().filter_map(|i| i.path.canonicalize().ok()).collect()
}

/// Whether `path` may be written: refused when it is one of the run's inputs (`protected`,
/// canonical), when it exists and is not a regular file (a device, a FIFO, a folder — it would
/// be replaced by a regular file), or when it exists and `force` is not given.
///
/// # Errors
/// [`ErrorKind::Usage`](crate::ErrorKind::Usage) about `path`, the reason one line in Chinese
/// and English.
pub fn check_output(path: &Path, protected: &[PathBuf], force: bool) -> Result<(), Error> {
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(());
    };
    let refuse = |m: &str| Err(Error::usage(m).with_path(path));
    if path.canonicalize().is_ok_and(|c| protected.contains(&c)) {
        return refuse("输出会覆盖输入 (the output would overwrite an input)");
    }
    if !meta.is_file() {
        return refuse("输出不是普通文件 (the output exists and is not a regular file)");
    }
    if !force {
        return refuse("输出文件已存在，使用 --force 覆盖 (output exists; use --force)");
    }
    Ok(())
}

/// Whether a report's outputs may be kept as they are instead of written again: without
/// `--force`, when every one of them exists, is a regular file that is not an input, and
/// carries nianbao's mark where its format has one ([`written_by_nianbao`]; Markdown has
/// none). Outputs appear as a set ([`crate::files::write_set`]), so after an interrupted batch a finished
/// report has all of them and an unfinished one none: a re-run keeps the first and converts
/// the second. Part of a set (another `--to` than last time) is still refused by
/// [`check_output`].
pub fn kept(outputs: &[(OutputFormat, PathBuf)], plan: &Plan) -> bool {
    !plan.force
        && !outputs.is_empty()
        && outputs.iter().all(|(f, p)| {
            std::fs::symlink_metadata(p).is_ok_and(|m| m.is_file())
                && !p.canonicalize().is_ok_and(|c| plan.protected.contains(&c))
                && (*f == OutputFormat::Markdown || written_by_nianbao(p))
        })
}

/// The note printed for a [`Status::Kept`] report.
pub const KEPT_NOTE: &str =
    "输出已存在，未重写 (its outputs exist already and were kept; --force rewrites them)";

/// Converts one input to its outputs. Never panics outward: a failure is a `Failed` report.
pub fn convert_one(input: &Input, outputs: &[(OutputFormat, PathBuf)], plan: &Plan) -> FileReport {
    if let Some(problem) = &input.problem {
        // A folder of the walk that cannot be read.
        return FileReport::failed(
            input,
            Status::Failed,
            problem.clone(),
            crate::error::ErrorKind::Io,
        );
    }
    let mut report = FileReport {
        input: input.path.clone(),
        status: Status::Failed,
        outputs: Vec::new(),
        error: None,
        error_kind: None,
        diagnostics: Vec::new(),
    };
    if kept(outputs, plan) {
        report.status = Status::Kept;
        report.outputs = outputs.iter().map(|(_, p)| p.clone()).collect();
        return report;
    }
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        convert_inner(input, outputs, plan)
    }));
    match result {
        Ok(Ok((diags, written, refused))) => {
            report.status = if refused.is_some() {
                Status::Failed
            } else {
                status_of(&diags)
            };
            // `--strict` withheld the print outputs: the report is not usable on paper.
            report.error_kind = refused.as_ref().map(|_| crate::error::ErrorKind::Unusable.name());
            report.error = refused;
            report.diagnostics = diags;
            report.outputs = written;
        }
        Ok(Err(e)) => {
            // A reading stopped by Ctrl-C or SIGTERM: not started, as far as the run goes.
            if plan
                .isolation
                .and_then(|i| i.stop)
                .is_some_and(|s| s.load(Ordering::SeqCst))
                && e.kind() == crate::error::ErrorKind::Interrupted
            {
                report.status = Status::Skipped;
            }
            // The report names its input: the error says its path only when it is another.
            report.error = Some(e.about(input.source()));
            report.error_kind = Some(e.kind().name());
        }
        Err(_) => {
            report.error = Some("内部错误 (internal error while converting this file)".into());
            report.error_kind = Some(crate::error::ErrorKind::Internal.name());
        }
    }
    report
}

/// A converted report's diagnostics, the outputs written, and `--strict`'s refusal of its
/// print outputs, if any.
type Converted = (Vec<Diagnostic>, Vec<PathBuf>, Option<String>);

fn convert_inner(
    input: &Input,
    outputs: &[(OutputFormat, PathBuf)],
    plan: &Plan,
) -> Result<Converted, Error> {
    for (_, path) in outputs {
        if same_file(path, input.source()) {
            return Err(
                Error::usage("输出会覆盖输入 (the output would overwrite the input)").with_path(path),
            );
        }
        check_output(path, &plan.protected, plan.force)?;
    }
    let report = crate::worker::read(
        plan.isolation,
        input.source(),
        plan.forms,
        plan.options,
        plan.read,
    )?;
    let form = plan
        .forms
        .get(&report.form)
        .ok_or_else(|| Error::usage(format!("未知的表格版本 (unknown form version) {}", report.form)))?;
    let ctx = Context {
        form,
        style: plan.style,
        font_dirs: plan.font_dirs.clone(),
    };
    // `--strict`: a report with doubtful cells gets no PDF or DOCX; the rest is written.
    let refused = if plan.strict && outputs.iter().any(|(f, _)| is_print(*f)) {
        strict_refusal(form, &report)
    } else {
        None
    };
    // Render everything first (side by side), then write: a failure leaves no partial set
    // of outputs.
    let rendered: Vec<(PathBuf, Vec<u8>, Vec<Diagnostic>)> = outputs
        .par_iter()
        .filter(|(f, _)| refused.is_none() || !is_print(*f))
        .map(|(f, p)| {
            f.render_with_diagnostics(&report, &ctx)
                .map(|(b, d)| (p.clone(), b, d))
        })
        .collect::<Result<_, _>>()?;
    let mut diagnostics = report.diagnostics;
    let mut files = Vec::new();
    for (path, bytes, diags) in rendered {
        files.push((path, bytes));
        // What rendering found (the PDF's fonts) joins the file's diagnostics, so the
        // status, `--report` and the exit status say it.
        for d in diags {
            if !diagnostics.contains(&d) {
                diagnostics.push(d);
            }
        }
    }
    write_set(&files)?;
    let written = files.into_iter().map(|(p, _)| p).collect();
    Ok((diagnostics, written, refused))
}

fn status_of(diags: &[Diagnostic]) -> Status {
    if diags.iter().any(|d| d.severity == Severity::Error) {
        Status::Violations
    } else if diags.iter().any(|d| d.severity == Severity::Warning) {
        Status::Repaired
    } else {
        Status::Clean
    }
}

pub fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// Converts every input on `jobs` threads (all cores when 0). `stop` set (by Ctrl-C) lets
/// the files in progress finish and skips the rest. `done` is called as each file ends.
pub fn convert_all(
    inputs: &[Input],
    outputs: &[Vec<(OutputFormat, PathBuf)>],
    plan: &Plan,
    jobs: usize,
    stop: &AtomicBool,
    done: &(dyn Fn(&FileReport) + Sync),
) -> Vec<FileReport> {
    let clash = clashes(inputs, outputs);
    let work = || {
        inputs
            .par_iter()
            .zip(outputs.par_iter())
            .zip(clash.par_iter())
            .map(|((input, outs), clash)| {
                let report = if input.problem.is_some() {
                    convert_one(input, outs, plan)
                } else if let Some(other) = clash {
                    FileReport::failed(
                        input,
                        Status::Failed,
                        format!(
                            "输出路径与另一输入相同，请改名 (its output path is also that of {}; rename one)",
                            other.display()
                        ),
                        crate::error::ErrorKind::Usage,
                    )
                } else if stop.load(Ordering::SeqCst) {
                    FileReport::failed(
                        input,
                        Status::Skipped,
                        "已中断，未处理 (interrupted before this file)".into(),
                        crate::error::ErrorKind::Interrupted,
                    )
                } else {
                    convert_one(input, outs, plan)
                };
                done(&report);
                release_free_memory();
                report
            })
            .collect()
    };
    // Finding and opening the fonts (a scan of the system's fonts among it) overlaps with
    // reading and normalizing the first reports; the first PDF waits for it if need be.
    let wants_pdf = outputs.iter().flatten().any(|(f, _)| *f == OutputFormat::Pdf);
    std::thread::scope(|scope| {
        if wants_pdf {
            scope.spawn(|| crate::fonts::resolve(plan.style, &plan.font_dirs));
        }
        match rayon::ThreadPoolBuilder::new().num_threads(jobs).build() {
            Ok(pool) => pool.install(work),
            Err(_) => work(),
        }
    })
}

/// Hands the memory a finished report freed back to the system. glibc keeps freed blocks
/// for reuse, and with a report's large short-lived buffers (font programs, deflate state)
/// on several threads its heaps fragmented: a batch of 1,000 grew to 80–150 MB where each
/// report needs a few. Trimming after each report keeps a batch near 30 MB.
fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free memory of the allocator's own heaps.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Counts by status, for the closing summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub clean: usize,
    pub repaired: usize,
    pub violations: usize,
    pub failed: usize,
    pub skipped: usize,
    /// Outputs there already, kept ([`Status::Kept`]).
    pub kept: usize,
}

impl Summary {
    pub fn of(reports: &[FileReport]) -> Summary {
        let mut s = Summary::default();
        for r in reports {
            match r.status {
                Status::Clean => s.clean += 1,
                Status::Repaired => s.repaired += 1,
                Status::Violations => s.violations += 1,
                Status::Failed => s.failed += 1,
                Status::Skipped => s.skipped += 1,
                Status::Kept => s.kept += 1,
            }
        }
        s
    }

    pub fn converted(&self) -> usize {
        self.clean + self.repaired + self.violations
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_expand_recursively_and_outputs_mirror_them() {
        let dir = std::env::temp_dir().join(format!("nianbao-batch-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("in/sub")).unwrap();
        std::fs::create_dir_all(dir.join("in/.hidden")).unwrap();
        for f in [
            "in/a.txt",
            "in/a.docx",
            "in/sub/b.md",
            "in/skip.png",
            "in/.hidden/c.txt",
        ] {
            std::fs::write(dir.join(f), "x").unwrap();
        }
        let inputs = expand(&[dir.join("in")], &mut std::io::empty());
        let names: Vec<_> = inputs
            .iter()
            .map(|i| i.path.strip_prefix(dir.join("in")).unwrap().to_path_buf())
            .collect();
        assert_eq!(
            names,
            [
                PathBuf::from("a.docx"),
                PathBuf::from("a.txt"),
                PathBuf::from("sub/b.md")
            ]
        );
        let outs = output_paths(&inputs, &Target::Dir(dir.join("out")), &[OutputFormat::Json]);
        assert_eq!(outs[0][0].1, dir.join("out/a.docx.json"));
        assert_eq!(outs[1][0].1, dir.join("out/a.txt.json"));
        assert_eq!(outs[2][0].1, dir.join("out/sub/b.json"));
        // Two roots: each mirrored under its name; explicit files of one name clash.
        std::fs::create_dir_all(dir.join("2023")).unwrap();
        std::fs::create_dir_all(dir.join("2024")).unwrap();
        std::fs::write(dir.join("2023/a.txt"), "x").unwrap();
        std::fs::write(dir.join("2024/a.txt"), "x").unwrap();
        let two = expand(&[dir.join("2023"), dir.join("2024/")], &mut std::io::empty());
        let outs = output_paths(&two, &Target::Dir(dir.join("out")), &[OutputFormat::Json]);
        assert_eq!(outs[0][0].1, dir.join("out/2023/a.json"));
        assert_eq!(outs[1][0].1, dir.join("out/2024/a.json"));
        assert_eq!(clashes(&two, &outs), [None, None]);
        let files = expand(
            &[dir.join("2023/a.txt"), dir.join("2024/a.txt")],
            &mut std::io::empty(),
        );
        let outs = output_paths(&files, &Target::Dir(dir.join("out")), &[OutputFormat::Json]);
        assert_eq!(
            clashes(&files, &outs),
            [Some(files[1].path.as_path()), Some(files[0].path.as_path())]
        );
        let listed = expand(&[PathBuf::from("-")], &mut "x/one.txt\n\nx/two.md\n".as_bytes());
        assert_eq!(listed.len(), 3);
        assert_eq!(
            listed[0].path,
            Path::new("-"),
            "`-` is a report on standard input"
        );
        assert_eq!(listed[2].path, Path::new("x/two.md"));
        assert_eq!(sniff_extension(b"%PDF-1.7"), "pdf");
        assert_eq!(sniff_extension(b"\xef\xbb\xbf \n{\"form\": 1}"), "json");
        assert_eq!(sniff_extension("一、总体情况".as_bytes()), "txt");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn outputs_appear_as_a_set_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        // The second rename fails: its destination is a folder.
        std::fs::create_dir_all(d.join("out/a.pdf/x")).unwrap();
        let files = vec![
            (d.join("out/a.json"), b"{}".to_vec()),
            (d.join("out/a.pdf"), b"%PDF".to_vec()),
            (d.join("out/a.docx"), b"PK".to_vec()),
        ];
        let err = write_set(&files).unwrap_err().to_string();
        assert!(err.contains("a.pdf") && err.contains("removed"), "{err}");
        let mut left: Vec<String> = std::fs::read_dir(d.join("out"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["a.pdf"], "no temporary file, no part of the set");
        std::fs::remove_dir_all(d.join("out/a.pdf")).unwrap();
        write_set(&files).unwrap();
        assert_eq!(std::fs::read(d.join("out/a.docx")).unwrap(), b"PK");
        assert_eq!(std::fs::read_dir(d.join("out")).unwrap().count(), 3);
    }
}
