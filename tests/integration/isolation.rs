//! Each input is read in a worker process: a reader that hangs, aborts or runs out of memory
//! costs its own file one line, and the batch beside it goes on. The worker misbehaves on
//! demand through its test-only trigger (`NIANBAO_TEST_WORKER=hang:NAME|abort:NAME|oom:NAME`).

use crate::common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{fixture, stderr};

/// Runs the binary in `dir` with `trigger` set, failing the test (not hanging it) past 60 s.
fn run(dir: &Path, trigger: &str, args: &[&str]) -> (Output, Duration) {
    common::nianbao_within(args, dir, &[("NIANBAO_TEST_WORKER", trigger)])
}

/// A folder `in/` holding `good.txt` and `bad.txt`, both a real report.
fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("in")).unwrap();
    for name in ["good.txt", "bad.txt"] {
        std::fs::copy(
            fixture("000_7a31bcbeafe9deac.txt"),
            dir.path().join("in").join(name),
        )
        .unwrap();
    }
    dir
}

/// The one stderr line naming `bad.txt`; there is exactly one.
fn bad_line(o: &Output) -> String {
    let err = stderr(o);
    let lines: Vec<&str> = err.lines().filter(|l| l.contains("bad.txt")).collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(lines[0].contains(": error: "), "{err}");
    lines[0].to_string()
}

#[test]
fn a_reader_past_its_deadline_is_stopped_and_the_batch_goes_on() {
    let dir = folder();
    let d = dir.path();
    let (o, took) = run(
        d,
        "hang:bad.txt",
        &["convert", "in", "-o", "out/", "--timeout", "2"],
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let line = bad_line(&o);
    assert!(line.contains("reading did not finish within 2 s"), "{line}");
    assert!(took < Duration::from_secs(30), "{took:?}");
    // The good file's output, the same as read in process; nothing for the bad one.
    let good = std::fs::read_to_string(d.join("out/good.json")).unwrap();
    assert!(!d.join("out/bad.json").exists());
    let (o, _) = run(
        d,
        "",
        &["convert", "in/good.txt", "-o", "same.json", "--in-process"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(d.join("same.json")).unwrap(), good);
    // `check` and `extract` read through workers too.
    let (o, _) = run(d, "hang:bad.txt", &["check", "in", "--timeout", "1"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(bad_line(&o).contains("within 1 s"));
    assert!(String::from_utf8_lossy(&o.stdout).contains("good.txt: 0 个错误"));
    let (o, _) = run(
        d,
        "hang:bad.txt",
        &["extract", "in", "-o", "t.csv", "--timeout", "1"],
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(bad_line(&o).contains("within 1 s"));
    // A single file to standard output, as the corpus is scored.
    let (o, _) = run(
        d,
        "hang:bad.txt",
        &["convert", "in/bad.txt", "-o", "-", "--timeout", "1"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
}

#[test]
fn a_reader_that_aborts_or_runs_out_of_memory_costs_one_line() {
    let dir = folder();
    let d = dir.path();
    let (o, _) = run(d, "abort:bad.txt", &["convert", "in", "-o", "out/"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(bad_line(&o).contains("killed by signal 6"), "{}", stderr(&o));
    assert!(d.join("out/good.json").is_file());
    let (o, took) = run(d, "oom:bad.txt", &["convert", "in", "-o", "out2/"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        bad_line(&o).contains("reading failed: out of memory"),
        "{}",
        stderr(&o)
    );
    assert!(d.join("out2/good.json").is_file());
    assert!(took < Duration::from_secs(30), "{took:?}");
    // Without the trigger both files convert: the worker itself starts under its limits.
    let (o, _) = run(d, "", &["convert", "in", "-o", "out3/"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

/// The workers running in folder `needle`.
fn processes_mentioning(needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let in_dir = std::fs::read_link(entry.path().join("cwd"))
            .is_ok_and(|c| c.display().to_string().trim_end_matches('/') == needle);
        if let Ok(cmd) = std::fs::read(entry.path().join("cmdline")) {
            let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
            if in_dir && cmd.contains("__read") {
                found.push(cmd);
            }
        }
    }
    found
}

#[test]
#[cfg(target_os = "linux")]
fn sigterm_is_not_held_up_by_a_reader_and_leaves_no_worker_behind() {
    let dir = folder();
    let d = dir.path();
    let started = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(["convert", "in/bad.txt", "-o", "out/", "--timeout", "0"])
        .current_dir(d)
        .env("NIANBAO_TEST_WORKER", "hang:bad.txt")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let needle = d.canonicalize().unwrap().display().to_string();
    let needle = needle.trim_end_matches('/');
    // Wait for the worker to be reading.
    while processes_mentioning(needle).is_empty() {
        assert!(started.elapsed() < Duration::from_secs(30), "no worker started");
        std::thread::sleep(Duration::from_millis(50));
    }
    // SAFETY: a signal to the child we spawned.
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGTERM);
    }
    let stopped = Instant::now();
    let mut child = child;
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if stopped.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("SIGTERM was held up by the reader");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(
        stopped.elapsed() < Duration::from_secs(5),
        "{:?}",
        stopped.elapsed()
    );
    assert_eq!(status.code(), Some(2));
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(err.contains("interrupted"), "{err}");
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(processes_mentioning(needle), Vec::<String>::new());
}
