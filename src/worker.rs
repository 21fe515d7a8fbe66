//! Reading each input in a child process, as Apache Tika's forking parser does: budgets in the
//! readers refuse what we know to be hostile, and for what remains (a loop or an allocation
//! inside docx-rs, lopdf or html5ever) a file's reading and normalizing cannot abort or hang
//! the batch around it.
//!
//! The CLI re-executes its own binary with the hidden subcommand `__read <path> [reading
//! options]` ([`WORKER_COMMAND`]), one child a file, under resource limits set in the child
//! before `exec` (address space [`Isolation::memory_bytes`], CPU time a backstop past the
//! deadline), in its own process group (a terminal's Ctrl-C reaches the parent only, which kills
//! its children on the way out; a parent that dies takes its children with it). The child
//! prints the [`Report`] (or the reason it could not read it) as JSON on standard output in a
//! lossless wire form ([`encode`], [`decode`]: every cell bit for bit, every diagnostic with
//! its line and cells), and the parent writes the outputs itself. The parent waits up to the
//! per-file deadline ([`Isolation::timeout`]), then kills the child and reports the file in one
//! line; a child killed by a signal or out of memory is one line too.
//!
//! The library's [`crate::read_report`] is unchanged and reads in the calling process; so does
//! the CLI where re-execution is not possible ([`Isolation::current`] is `None` when
//! [`std::env::current_exe`] fails, or on a platform other than Unix; a child that cannot be
//! spawned is read in process too) or when `--in-process` asks for it.

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::diag::Diagnostic;
use crate::error::{Error, ErrorKind};
use crate::form::Forms;
use crate::model::{Cell, Report, Row, Section, Table, Tables};
use crate::normalize::Options;
use crate::read::ReadOptions;
use crate::{Trace, read_report_traced, read_report_with};

/// The hidden subcommand a worker runs: `nianbao __read <path> [reading options]`.
pub const WORKER_COMMAND: &str = "__read";

/// The test-only trigger honoured by the worker subcommand alone: `hang:NAME`, `abort:NAME`
/// or `oom:NAME` makes the worker reading a file named `NAME` loop forever, abort, or
/// allocate past its memory limit, so the tests can prove the deadline and the crash reports.
pub const TEST_TRIGGER: &str = "NIANBAO_TEST_WORKER";

/// The address space a worker may use, 1 GiB: a real report (< 5 MB) is read in tens of MB,
/// and the debug binary (its embedded 25 MB of fonts mapped) starts in well under 100 MB. An
/// input that needs more is refused as "out of memory" rather than taking the machine's.
pub const DEFAULT_MEMORY_BYTES: u64 = 1 << 30;

/// The per-file deadline of the CLI's `--timeout`, in seconds: the slowest of the 38 corpus
/// reports is read in 1.1 s by a debug build on a loaded machine (load 15 on 2 cores), so 30 s
/// leaves a wide margin for a slow machine and a debug build; a release build is faster.
pub const DEFAULT_TIMEOUT_SECS: u64 = 30;

/// The most a worker's answer may hold, 256 MB: a report's JSON is a few hundred KB.
const MAX_ANSWER_BYTES: u64 = 256 << 20;

/// How reading is isolated: the program to re-execute and its reading options, the limits.
#[derive(Debug, Clone)]
pub struct Isolation {
    /// The program re-executed (this binary).
    pub exe: PathBuf,
    /// The reading options as command-line arguments after `__read <path>`.
    pub args: Vec<OsString>,
    /// The per-file wall-clock deadline; `None`: no limit.
    pub timeout: Option<Duration>,
    /// The child's address-space limit (`RLIMIT_AS`), in bytes.
    pub memory_bytes: u64,
    /// Set by Ctrl-C or SIGTERM: the child is killed and the read fails as interrupted.
    pub stop: Option<&'static AtomicBool>,
}

impl Isolation {
    /// Isolation through this very binary, or `None` where it cannot be re-executed
    /// (`current_exe` fails, or not on Unix): reading then happens in process.
    pub fn current(args: Vec<OsString>, timeout: Option<Duration>) -> Option<Isolation> {
        if !cfg!(unix) {
            return None;
        }
        let exe = std::env::current_exe().ok()?;
        Some(Isolation {
            exe,
            args,
            timeout,
            memory_bytes: DEFAULT_MEMORY_BYTES,
            stop: None,
        })
    }
}

/// The message of a read abandoned because the run was interrupted.
pub const INTERRUPTED: &str = "已中断，未读完 (interrupted while reading this file)";

/// Reads and normalizes one report: in a worker process when `isolation` is given (see the
/// module), else in this process with a panic caught as an internal error.
///
/// # Errors
/// The reader's own refusal; a panic ([`ErrorKind::Internal`]); from a worker, a deadline
/// passed or memory exhausted ([`ErrorKind::Limit`]), a crash ([`ErrorKind::Unusable`]), or
/// an interruption ([`ErrorKind::Interrupted`], [`INTERRUPTED`]). Each one line, about `path`.
pub fn read(
    isolation: Option<&Isolation>,
    path: &Path,
    forms: &Forms,
    opts: &Options,
    read: &ReadOptions,
) -> Result<Report, Error> {
    if let Some(iso) = isolation {
        // A worker that cannot be started: read here instead.
        if let Ok(result) = read_isolated(iso, path, false) {
            return result.map(|(r, _)| r).map_err(|e| about(e, path));
        }
    }
    read_in_process(path, forms, opts, read)
}

/// [`read`] with the report's [`Trace`] (its source lines and each row's line), which the
/// worker sends with the report: the source is read once, under the worker's limits.
///
/// # Errors
/// As [`read`].
pub fn read_traced(
    isolation: Option<&Isolation>,
    path: &Path,
    forms: &Forms,
    opts: &Options,
    read: &ReadOptions,
) -> Result<(Report, Trace), Error> {
    if let Some(iso) = isolation
        && let Ok(result) = read_isolated(iso, path, true)
    {
        return result.map_err(|e| about(e, path));
    }
    caught(path, || read_report_traced(path, forms, opts, read))
}

/// `read()`'s result, a panic in it caught as an internal error about `path`.
fn caught<T>(path: &Path, read: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)).unwrap_or_else(|_| {
        Err(Error::internal("内部错误 (internal error while reading this file)").with_path(path))
    })
}

/// A worker's error about `path`: the path the worker named (carried as text, so a name that is
/// not UTF-8 comes back changed) or none becomes `path` itself.
fn about(e: Error, path: &Path) -> Error {
    match e.path() {
        Some(p) if p.to_string_lossy() != path.to_string_lossy() => e,
        _ => e.with_path(path),
    }
}

/// [`read_report_with`] with a panic caught as an internal error.
///
/// # Errors
/// As [`read_report_with`]; a panic as [`ErrorKind::Internal`], about `path`.
pub fn read_in_process(
    path: &Path,
    forms: &Forms,
    opts: &Options,
    read: &ReadOptions,
) -> Result<Report, Error> {
    caught(path, || read_report_with(path, forms, opts, read))
}

/// The worker's flag asking for the report's [`Trace`] with it.
pub const TRACE_FLAG: &str = "--trace";

/// Reads `path` in a worker (with its trace when `trace`; else the trace is empty); `Err`
/// when the worker could not be started.
fn read_isolated(
    iso: &Isolation,
    path: &Path,
    trace: bool,
) -> std::io::Result<Result<(Report, Trace), Error>> {
    use std::process::{Command, Stdio};
    let mut cmd = Command::new(&iso.exe);
    cmd.arg(WORKER_COMMAND)
        .arg(path)
        .args(&iso.args)
        .args(trace.then_some(TRACE_FLAG))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let memory = iso.memory_bytes;
        // The CPU-time backstop: past the wall-clock deadline with a margin, for a child the
        // parent could not kill (SIGXCPU at the soft limit, SIGKILL at the hard one).
        let cpu = iso
            .timeout
            .map(|t| t.as_secs().saturating_mul(2).saturating_add(10));
        // SAFETY: between fork and exec only async-signal-safe system calls are made; nothing
        // allocates or takes a lock.
        unsafe {
            cmd.pre_exec(move || {
                let limit = libc::rlimit {
                    rlim_cur: memory as libc::rlim_t,
                    rlim_max: memory as libc::rlim_t,
                };
                if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                if let Some(cpu) = cpu {
                    let limit = libc::rlimit {
                        rlim_cur: cpu as libc::rlim_t,
                        rlim_max: cpu.saturating_add(5) as libc::rlim_t,
                    };
                    if libc::setrlimit(libc::RLIMIT_CPU, &limit) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                }
                // Its own process group: a terminal's Ctrl-C goes to the parent, which kills
                // the children itself.
                libc::setpgid(0, 0);
                // A parent that dies (even by SIGKILL) takes the child with it.
                #[cfg(target_os = "linux")]
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
    }
    let mut child = cmd.spawn()?;
    let started = Instant::now();
    let (tx, rx) = std::sync::mpsc::channel();
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let out_thread = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = (&mut stdout).take(MAX_ANSWER_BYTES).read_to_end(&mut bytes);
        let _ = tx.send(());
        bytes
    });
    let err_thread = std::thread::spawn(move || {
        // Only the tail matters (the reason of a crash); the rest is read and dropped.
        let mut tail = Vec::new();
        let mut buf = [0u8; 4096];
        while let Ok(n) = stderr.read(&mut buf) {
            if n == 0 {
                break;
            }
            tail.extend_from_slice(&buf[..n]);
            if tail.len() > 8192 {
                tail.drain(..tail.len() - 4096);
            }
        }
        tail
    });
    // Wait for the child's answer (its standard output closing), the deadline, or a stop.
    let mut ended = None;
    loop {
        let slice = Duration::from_millis(50);
        let wait = match iso.timeout {
            Some(t) => match t.checked_sub(started.elapsed()) {
                Some(left) => left.min(slice),
                None => {
                    ended = Some(Ended::Deadline(t));
                    break;
                }
            },
            None => slice,
        };
        if iso.stop.is_some_and(|s| s.load(Ordering::SeqCst)) {
            ended = Some(Ended::Stopped);
            break;
        }
        match rx.recv_timeout(wait) {
            Ok(()) | Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
        }
    }
    if ended.is_some() {
        let _ = child.kill();
    }
    let status = child.wait();
    let answer = out_thread.join().unwrap_or_default();
    let tail = err_thread.join().unwrap_or_default();
    Ok(match ended {
        Some(Ended::Deadline(t)) => Err(Error::limit(format!(
            "读取超时 (reading did not finish within {} s; the reader was stopped — `--timeout SECS` sets the limit, 0 for none)",
            t.as_secs()
        ))),
        Some(Ended::Stopped) => Err(Error::interrupted(INTERRUPTED)),
        None => answer_of(status, &answer, &tail, iso.memory_bytes),
    })
}

enum Ended {
    Deadline(Duration),
    Stopped,
}

/// The report, or the one-line reason, from a worker's exit status, its standard output and
/// the tail of its standard error.
fn answer_of(
    status: std::io::Result<std::process::ExitStatus>,
    answer: &[u8],
    tail: &[u8],
    memory: u64,
) -> Result<(Report, Trace), Error> {
    let tail = String::from_utf8_lossy(tail);
    let out_of_memory = || {
        Error::limit(format!(
            "读取失败：内存不足 (reading failed: out of memory; the limit is {} MB)",
            memory >> 20
        ))
    };
    let status =
        status.map_err(|e| Error::unusable(format!("读取失败 (reading failed: {e})")).with_source(e))?;
    if status.success()
        && let Ok(text) = std::str::from_utf8(answer)
        && let Ok(result) = decode_traced(text)
    {
        return result;
    }
    if tail.contains("memory allocation of") || tail.contains("out of memory") {
        return Err(out_of_memory());
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            let what = match sig {
                libc::SIGXCPU => " (CPU time limit)",
                libc::SIGSEGV => " (segmentation fault)",
                libc::SIGABRT => " (abort)",
                libc::SIGKILL => " (killed)",
                _ => "",
            };
            return Err(Error::unusable(format!(
                "读取失败 (reading failed: the reader was killed by signal {sig}{what})"
            )));
        }
    }
    let last = tail
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    let last: String = last.chars().take(200).collect();
    Err(Error::unusable(match status.code() {
        Some(0) => "读取失败 (reading failed: the reader's answer could not be read)".to_string(),
        Some(c) if last.is_empty() => format!("读取失败 (reading failed: the reader exited with status {c})"),
        Some(c) => format!("读取失败 (reading failed: the reader exited with status {c}: {last})"),
        None => "读取失败 (reading failed: the reader ended without a status)".to_string(),
    }))
}

/// The worker's side: reads `path` with the options given, honours [`TEST_TRIGGER`], and
/// prints the result's wire form on standard output. Returns the process's exit status (0
/// whenever an answer was printed; the answer says whether reading succeeded).
pub fn serve(path: &Path, forms: &Forms, opts: &Options, read: &ReadOptions, trace: bool) -> u8 {
    use std::io::Write;
    if let Ok(trigger) = std::env::var(TEST_TRIGGER)
        && let Some((what, name)) = trigger.split_once(':')
        && path.file_name().is_some_and(|n| n.to_string_lossy() == name)
    {
        match what {
            "hang" => loop {
                std::thread::sleep(Duration::from_secs(3600));
            },
            "abort" => std::process::abort(),
            "oom" => {
                let mut v: Vec<u8> = Vec::new();
                // Far past the worker's limit: the allocation fails and the process aborts.
                v.reserve_exact(std::hint::black_box(8usize << 30));
                v.push(1);
                std::hint::black_box(&v);
            }
            _ => {}
        }
    }
    let text = if trace {
        encode_traced(&caught(path, || read_report_traced(path, forms, opts, read)))
    } else {
        encode(&read_in_process(path, forms, opts, read))
    };
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => 0,
        Err(_) => 2,
    }
}

/// A cell on the wire: blank, not applicable, or a number by its bits (exact, NaN and
/// infinities included).
#[derive(Serialize, Deserialize)]
enum WireCell {
    B,
    X,
    N(u64),
}

/// A report on the wire: [`Report`] field for field, its tables as plain lists (the report
/// JSON's own form turns a not-applicable cell into `null` and cannot carry a non-finite
/// number).
#[derive(Serialize, Deserialize)]
struct WireReport {
    form: String,
    title: Option<String>,
    organization: Option<String>,
    year: Option<i32>,
    sections: Vec<Section>,
    tables: Vec<(String, WireTable)>,
    not_applicable: Vec<String>,
    diagnostics: Vec<Diagnostic>,
    /// The [`Trace`], when asked for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    source: Vec<(usize, String)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    rows: Vec<(String, usize)>,
}

/// A table on the wire: its rows by key, each row's cells by column key.
type WireTable = Vec<(String, Vec<(String, WireCell)>)>;

/// A worker's answer.
#[derive(Serialize, Deserialize)]
enum Answer {
    Report(Box<WireReport>),
    /// The error's kind ([`ErrorKind::name`]), the path it is about and its message (its
    /// source stays in the worker).
    Error(String, Option<String>, String),
}

/// The wire form of a reading's result, one JSON document.
pub fn encode(result: &Result<Report, Error>) -> String {
    encode_parts(result.as_ref().map(|r| (r, None)))
}

/// [`encode`] with the report's [`Trace`].
pub fn encode_traced(result: &Result<(Report, Trace), Error>) -> String {
    encode_parts(result.as_ref().map(|(r, t)| (r, Some(t))))
}

fn encode_parts(result: Result<(&Report, Option<&Trace>), &Error>) -> String {
    let empty = Trace::default();
    let answer = match result {
        Ok((report, trace)) => {
            let trace = trace.unwrap_or(&empty);
            // Destructured whole: a field added to `Report` must be added here too.
            let Report {
                form,
                title,
                organization,
                year,
                sections,
                tables,
                not_applicable,
                diagnostics,
            } = report.clone();
            let tables = tables
                .0
                .into_iter()
                .map(|(key, table)| {
                    let rows = table
                        .rows
                        .into_iter()
                        .map(|row| {
                            let cells = row
                                .cells
                                .into_iter()
                                .map(|(k, c)| {
                                    let c = match c {
                                        Cell::Blank => WireCell::B,
                                        Cell::NotApplicable => WireCell::X,
                                        Cell::Number(n) => WireCell::N(n.to_bits()),
                                    };
                                    (k, c)
                                })
                                .collect();
                            (row.key, cells)
                        })
                        .collect();
                    (key, rows)
                })
                .collect();
            Answer::Report(Box::new(WireReport {
                form,
                title,
                organization,
                year,
                sections,
                tables,
                not_applicable,
                diagnostics,
                source: trace.source.clone(),
                rows: trace.rows.iter().map(|(k, v)| (k.clone(), *v)).collect(),
            }))
        }
        Err(e) => {
            let path = e.path().map(|p| p.to_string_lossy().into_owned());
            Answer::Error(e.kind().name().into(), path, e.message().into())
        }
    };
    serde_json::to_string(&answer).expect("a report always serializes")
}

/// A reading's result from its wire form ([`encode`]).
///
/// # Errors
/// The text is not a worker's answer.
pub fn decode(text: &str) -> Result<Result<Report, Error>, serde_json::Error> {
    Ok(decode_traced(text)?.map(|(r, _)| r))
}

/// A reading's result with its [`Trace`] from its wire form ([`encode_traced`]; an answer
/// without one has an empty trace).
///
/// # Errors
/// The text is not a worker's answer.
pub fn decode_traced(text: &str) -> Result<Result<(Report, Trace), Error>, serde_json::Error> {
    Ok(match serde_json::from_str::<Answer>(text)? {
        Answer::Report(w) => {
            let WireReport {
                form,
                title,
                organization,
                year,
                sections,
                tables,
                not_applicable,
                diagnostics,
                source,
                rows,
            } = *w;
            let tables = Tables(
                tables
                    .into_iter()
                    .map(|(key, rows)| {
                        let rows = rows
                            .into_iter()
                            .map(|(key, cells)| Row {
                                key,
                                cells: cells
                                    .into_iter()
                                    .map(|(k, c)| {
                                        let c = match c {
                                            WireCell::B => Cell::Blank,
                                            WireCell::X => Cell::NotApplicable,
                                            WireCell::N(bits) => Cell::Number(f64::from_bits(bits)),
                                        };
                                        (k, c)
                                    })
                                    .collect(),
                            })
                            .collect();
                        (key, Table { rows })
                    })
                    .collect(),
            );
            Ok((
                Report {
                    form,
                    title,
                    organization,
                    year,
                    sections,
                    tables,
                    not_applicable,
                    diagnostics,
                },
                Trace {
                    source,
                    rows: rows.into_iter().collect(),
                },
            ))
        }
        Answer::Error(kind, path, message) => {
            let e = Error::new(
                ErrorKind::from_name(&kind).unwrap_or(ErrorKind::Unusable),
                message,
            );
            Err(match path {
                Some(p) => e.with_path(p),
                None => e,
            })
        }
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_trace_goes_over_the_wire_and_back() {
        let forms = Forms::builtin();
        let path = std::path::Path::new("tests/fixtures/000_7a31bcbeafe9deac.txt");
        let traced =
            crate::read_report_traced(path, &forms, &Options::default(), &ReadOptions::default()).unwrap();
        assert!(traced.1.source.len() > 50 && traced.1.rows.len() > 30);
        let back = decode_traced(&encode_traced(&Ok(traced.clone())))
            .unwrap()
            .unwrap();
        assert_eq!(back, traced);
        // Without a trace asked for, none travels.
        let plain = decode_traced(&encode(&Ok(traced.0.clone()))).unwrap().unwrap();
        assert_eq!(plain.1, crate::Trace::default());
    }

    use super::*;

    #[test]
    fn a_report_survives_the_wire_bit_for_bit() {
        let forms = Forms::builtin();
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "txt") {
                continue;
            }
            let Ok(mut report) = crate::read_report(&path, &forms, &Options::default()) else {
                continue;
            };
            // Cells the report JSON cannot carry: not applicable, non-finite, a fraction.
            if let Some((_, table)) = report.tables.0.first_mut()
                && let Some(row) = table.rows.first_mut()
                && row.cells.len() >= 3
            {
                row.cells[0].1 = Cell::NotApplicable;
                row.cells[1].1 = Cell::Number(f64::INFINITY);
                row.cells[2].1 = Cell::Number(0.1 + 0.2);
            }
            let back = decode(&encode(&Ok(report.clone()))).unwrap().unwrap();
            assert_eq!(back, report, "{}", path.display());
            assert_eq!(format!("{back:?}"), format!("{report:?}"));
            seen += 1;
        }
        assert!(seen >= 3, "{seen}");
        let gone = Error::io("x", std::io::Error::from(std::io::ErrorKind::NotFound));
        let err = decode(&encode(&Err(gone))).unwrap().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        assert_eq!(err.path(), Some(Path::new("x")));
        assert_eq!(err.to_string().matches('x').count(), 1, "{err}");
    }
}
