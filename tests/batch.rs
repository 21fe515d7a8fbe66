//! Many reports at once: folders, bad files among good ones, the run's account, data export.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use common::{fixture, nianbao, stderr};

/// A folder of good reports with bad files among them.
fn mixed_folder(dir: &Path) {
    std::fs::create_dir_all(dir.join("in/2023")).unwrap();
    for (stem, path) in common::seeds() {
        std::fs::copy(path, dir.join(format!("in/2023/{stem}.txt"))).unwrap();
    }
    std::fs::copy(fixture("huaian-2024/layout.txt"), dir.join("in/huaian.txt")).unwrap();
    std::fs::write(dir.join("in/empty.txt"), b"").unwrap();
    std::fs::write(dir.join("in/binary.txt"), [0u8, 1, 2, 3, 255, 0, 7]).unwrap();
    std::fs::write(dir.join("in/truncated.docx"), b"PK\x03\x04\x14\x00\x00\x00").unwrap();
    std::fs::write(
        dir.join("in/wrong-types.json"),
        br#"{"form": 2021, "tables": []}"#,
    )
    .unwrap();
    std::fs::write(dir.join("in/notes.png"), b"not an input").unwrap();
}

#[test]
fn a_batch_converts_the_good_files_and_accounts_for_the_bad() {
    let dir = tempfile::tempdir().unwrap();
    mixed_folder(dir.path());
    let o = nianbao(
        &[
            "convert",
            "in",
            "--to",
            "json,docx",
            "-o",
            "out/",
            "--report",
            "run.json",
            "--jobs",
            "2",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let err = stderr(&o);
    for bad in ["empty.txt", "binary.txt", "truncated.docx", "wrong-types.json"] {
        assert!(
            err.lines().any(|l| l.contains(bad) && l.contains("error")),
            "{bad}: {err}"
        );
    }
    // The good ones, in a mirrored tree; nothing for the bad ones, no temporary files.
    assert!(dir.path().join("out/2023/003_c73b0815ce023fc0.json").is_file());
    assert!(dir.path().join("out/2023/003_c73b0815ce023fc0.docx").is_file());
    assert!(dir.path().join("out/huaian.json").is_file());
    for bad in ["empty", "binary", "truncated", "wrong-types", "notes"] {
        assert!(!dir.path().join(format!("out/{bad}.json")).exists(), "{bad}");
    }
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("run.json")).unwrap()).unwrap();
    let files = report["files"].as_array().unwrap();
    assert_eq!(files.len(), 10);
    assert_eq!(files.iter().filter(|f| f["status"] == "failed").count(), 4);
    assert_eq!(report["summary"]["failed"], 4);
    assert_eq!(report["summary"]["converted"], 6);
    assert!(err.contains("失败 (failed) 4"), "{err}");
}

#[test]
fn existing_outputs_are_kept_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("004_c4cb64a14b625d7c.txt"), dir.path().join("a.txt")).unwrap();
    assert_eq!(
        nianbao(&["convert", "a.txt", "-o", "a.json"], dir.path())
            .status
            .code(),
        Some(0)
    );
    std::fs::write(dir.path().join("a.json"), "mine").unwrap();
    let o = nianbao(&["convert", "a.txt", "-o", "a.json"], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--force"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.json")).unwrap(),
        "mine"
    );
    let o = nianbao(&["convert", "a.txt", "-o", "a.json", "--force"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        std::fs::read_to_string(dir.path().join("a.json"))
            .unwrap()
            .contains("\"tables\"")
    );
}

#[test]
fn paths_can_come_on_standard_input() {
    let dir = tempfile::tempdir().unwrap();
    let list = format!(
        "{}\n{}\n",
        fixture("000_7a31bcbeafe9deac.txt").display(),
        fixture("001_43a537ac175a5a3b.txt").display()
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(["convert", "--files-from", "-", "-o", "out/"])
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(list.as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(dir.path().join("out/000_7a31bcbeafe9deac.json").is_file());
    assert!(dir.path().join("out/001_43a537ac175a5a3b.json").is_file());
}

#[test]
fn extract_writes_one_row_a_report() {
    let dir = tempfile::tempdir().unwrap();
    mixed_folder(dir.path());
    let o = nianbao(&["extract", "in", "-o", "table.csv", "--excel"], dir.path());
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let csv = std::fs::read_to_string(dir.path().join("table.csv")).unwrap();
    assert!(csv.starts_with('\u{feff}'));
    let lines: Vec<&str> = csv.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), 1 + 10);
    let header: Vec<&str> = lines[0].trim_start_matches('\u{feff}').split(',').collect();
    let col = header
        .iter()
        .position(|h| *h == "applications.new_received.total")
        .unwrap();
    let huaian: Vec<&str> = lines
        .iter()
        .find(|l| l.contains("huaian.txt"))
        .unwrap()
        .split(',')
        .collect();
    assert_eq!(huaian[col], "3119");
    assert_eq!(huaian[2], "淮安市人民政府");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("empty.txt") && l.contains(",failed,"))
    );

    let o = nianbao(&["extract", "in/huaian.txt", "-o", "rows.jsonl"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let row: serde_json::Value = serde_json::from_str(
        std::fs::read_to_string(dir.path().join("rows.jsonl"))
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(row["review_litigation.review.total"], 351);
}

#[test]
fn the_same_name_under_two_roots_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (year, seed) in [
        ("2023", "000_7a31bcbeafe9deac.txt"),
        ("2024", "001_43a537ac175a5a3b.txt"),
    ] {
        std::fs::create_dir_all(d.join(year)).unwrap();
        std::fs::copy(fixture(seed), d.join(year).join("a.txt")).unwrap();
    }
    let o = nianbao(&["convert", "2023", "2024/", "-o", "out/", "--jobs", "2"], d);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let a = std::fs::read_to_string(d.join("out/2023/a.json")).unwrap();
    let b = std::fs::read_to_string(d.join("out/2024/a.json")).unwrap();
    assert_ne!(a, b, "each root keeps its own report");
    // Two explicit files of one name: both refused by name, neither written.
    let o = nianbao(&["convert", "2023/a.txt", "2024/a.txt", "-o", "flat/"], d);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("rename one") && err.contains("2024/a.txt"), "{err}");
    assert!(!d.join("flat/a.json").exists());
    // No temporary file is left anywhere.
    let mut stack = vec![d.to_path_buf()];
    while let Some(p) = stack.pop() {
        for e in std::fs::read_dir(&p).unwrap() {
            let e = e.unwrap();
            assert!(
                !e.file_name().to_string_lossy().ends_with(".tmp"),
                "{:?}",
                e.path()
            );
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            }
        }
    }
}

#[test]
fn a_folder_converted_into_itself_again_reads_only_its_reports() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("in")).unwrap();
    std::fs::copy(fixture("000_7a31bcbeafe9deac.txt"), d.join("in/a.txt")).unwrap();
    let o = nianbao(&["convert", "in", "--to", "json,pdf,docx", "-o", "in/"], d);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let json = std::fs::read_to_string(d.join("in/a.json")).unwrap();
    assert!(
        json.trim_start().starts_with("{\n  \"generator\": \"nianbao "),
        "{json}"
    );
    let o = nianbao(
        &[
            "convert",
            "in",
            "--to",
            "json,pdf,docx",
            "-o",
            "in/",
            "--force",
            "--report",
            "run.json",
        ],
        d,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let run: serde_json::Value = serde_json::from_slice(&std::fs::read(d.join("run.json")).unwrap()).unwrap();
    let files: Vec<&str> = run["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["input"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["in/a.txt"], "last run's outputs are not inputs");
    let mut names: Vec<String> = std::fs::read_dir(d.join("in"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["a.docx", "a.json", "a.pdf", "a.txt"]);
    // extract counts the report once.
    let o = nianbao(&["extract", "in", "-o", "rows.jsonl"], d);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(d.join("rows.jsonl"))
            .unwrap()
            .lines()
            .count(),
        1
    );
    // Named explicitly, an output is an input again: regenerating from an edited JSON works.
    let o = nianbao(&["convert", "in/a.json", "--to", "pdf", "-o", "re/"], d);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(d.join("re/a.pdf").is_file());
}

#[test]
fn jobs_are_capped_and_a_huge_count_does_not_hang() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("000_7a31bcbeafe9deac.txt"), dir.path().join("a.txt")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(["convert", "a.txt", "-o", "out/", "--jobs", "100000"])
        .current_dir(dir.path())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > std::time::Duration::from_secs(60) {
            let _ = child.kill();
            panic!("--jobs 100000 hung");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("capped to"), "{}", stderr(&o));
    let o = nianbao(
        &["extract", "a.txt", "-o", "rows.csv", "--jobs", "100000"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn extract_for_excel_defuses_formulas_but_keeps_negative_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(fixture("000_7a31bcbeafe9deac.txt"), d.join("a.txt")).unwrap();
    let o = nianbao(&["convert", "a.txt", "-o", "a.json"], d);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(d.join("a.json")).unwrap()).unwrap();
    v["organization"] = "=1+2".into();
    std::fs::write(d.join("evil.json"), serde_json::to_string(&v).unwrap()).unwrap();
    let o = nianbao(&["extract", "evil.json", "-o", "rows.csv", "--excel"], d);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    let csv = std::fs::read_to_string(d.join("rows.csv")).unwrap();
    let row = csv.split("\r\n").nth(1).unwrap();
    assert!(row.contains(",'=1+2,"), "{row}");
    assert!(!row.split(',').any(|f| f.starts_with(['=', '+', '@'])), "{row}");
}

#[cfg(unix)]
#[test]
fn sigterm_stops_a_batch_like_ctrl_c_and_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("in")).unwrap();
    let seeds = common::seeds();
    for i in 0..300 {
        let (_, path) = &seeds[i % seeds.len()];
        std::fs::copy(path, d.join(format!("in/r{i:03}.txt"))).unwrap();
    }
    let child = Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args([
            "convert",
            "in",
            "--to",
            "json,pdf,docx",
            "-o",
            "out/",
            "--jobs",
            "1",
            "--report",
            "run.json",
        ])
        .current_dir(d)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Once the first outputs appear, the batch is under way.
    let start = std::time::Instant::now();
    while !d.join("out/r000.json").exists() && start.elapsed() < std::time::Duration::from_secs(60) {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // SAFETY: kill only sends a signal to the child started above.
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGTERM);
    }
    let o = child.wait_with_output().unwrap();
    let err = stderr(&o);
    assert!(err.contains("已中断 (interrupted)"), "{err}");
    assert_eq!(o.status.code(), Some(3), "{err}");
    let run: serde_json::Value = serde_json::from_slice(&std::fs::read(d.join("run.json")).unwrap()).unwrap();
    assert!(run["summary"]["skipped"].as_u64().unwrap() > 0);
    for e in std::fs::read_dir(d.join("out")).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.ends_with(".tmp"), "{name}");
    }
}
