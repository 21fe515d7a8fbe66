//! Many reports at once: folders, bad files among good ones, the run's account, data export.

use crate::common;

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

#[test]
fn a_rerun_after_an_interrupted_batch_keeps_the_finished_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("in")).unwrap();
    for (i, (_, path)) in common::seeds().iter().take(3).enumerate() {
        std::fs::copy(path, d.join(format!("in/r{i}.txt"))).unwrap();
    }
    let o = nianbao(&["convert", "in", "--to", "json,docx", "-o", "out/"], d);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    // As an interrupted batch leaves it: r2 not done (outputs appear as a set or not at all).
    std::fs::remove_file(d.join("out/r2.json")).unwrap();
    std::fs::remove_file(d.join("out/r2.docx")).unwrap();
    let before = std::fs::metadata(d.join("out/r0.json"))
        .unwrap()
        .modified()
        .unwrap();
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
        ],
        d,
    );
    let err = stderr(&o);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{err}");
    assert_eq!(
        err.matches("were kept; --force rewrites them").count(),
        2,
        "{err}"
    );
    assert!(!err.contains("error"), "{err}");
    assert!(d.join("out/r2.json").is_file() && d.join("out/r2.docx").is_file());
    assert_eq!(
        std::fs::metadata(d.join("out/r0.json"))
            .unwrap()
            .modified()
            .unwrap(),
        before
    );
    let run: serde_json::Value = serde_json::from_slice(&std::fs::read(d.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["summary"]["failed"], 0);
    assert_eq!(run["summary"]["kept"], 2);
    assert_eq!(run["summary"]["converted"], 1);
    // Part of a set (another `--to`) is not kept: refused as before, `--force` rewrites.
    let o = nianbao(&["convert", "in/r0.txt", "--to", "json,pdf", "-o", "out/"], d);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    assert!(!d.join("out/r0.pdf").exists());
}

#[cfg(unix)]
#[test]
fn symlinks_in_a_folder_are_followed_once_and_an_unreadable_folder_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("in/sub")).unwrap();
    std::fs::create_dir_all(d.join("elsewhere")).unwrap();
    std::fs::copy(fixture("000_7a31bcbeafe9deac.txt"), d.join("elsewhere/b.txt")).unwrap();
    std::fs::copy(fixture("000_7a31bcbeafe9deac.txt"), d.join("in/a.txt")).unwrap();
    std::os::unix::fs::symlink(d.join("elsewhere/b.txt"), d.join("in/linked.txt")).unwrap();
    std::os::unix::fs::symlink(d.join("elsewhere"), d.join("in/sub/there")).unwrap();
    // A loop: a link back to the root.
    std::os::unix::fs::symlink(d.join("in"), d.join("in/sub/loop")).unwrap();
    std::os::unix::fs::symlink(d.join("nowhere.txt"), d.join("in/dangling.txt")).unwrap();
    let o = nianbao(&["convert", "in", "-o", "out/", "--report", "run.json"], d);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let run: serde_json::Value = serde_json::from_slice(&std::fs::read(d.join("run.json")).unwrap()).unwrap();
    let mut files: Vec<&str> = run["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["input"].as_str().unwrap())
        .collect();
    files.sort();
    assert_eq!(files, ["in/a.txt", "in/linked.txt", "in/sub/there/b.txt"]);
    assert!(d.join("out/linked.json").is_file());
    assert!(d.join("out/sub/there/b.json").is_file());
    // An unreadable folder: one line naming it, the rest converted, exit 3. Root reads
    // every folder, so there the case cannot be built.
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::create_dir_all(d.join("in/locked")).unwrap();
        std::fs::set_permissions(d.join("in/locked"), std::fs::Permissions::from_mode(0o000)).unwrap();
        let o = nianbao(&["convert", "in", "-o", "out2/"], d);
        std::fs::set_permissions(d.join("in/locked"), std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
        let err = stderr(&o);
        let lines: Vec<&str> = err.lines().filter(|l| l.contains("locked")).collect();
        assert_eq!(lines.len(), 1, "{err}");
        assert!(lines[0].contains("cannot read the folder"), "{err}");
        assert!(d.join("out2/a.json").is_file());
    }
}

#[test]
fn a_report_on_standard_input_is_named_stdin_and_needs_an_output_file() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let report = std::fs::read(fixture("000_7a31bcbeafe9deac.txt")).unwrap();
    let run = |args: &[&str], input: &[u8]| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_nianbao"))
            .args(args)
            .current_dir(d)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let _ = child.stdin.take().unwrap().write_all(input);
        child.wait_with_output().unwrap()
    };
    for args in [&["convert", "-"][..], &["convert", "-", "-o", "out/"]] {
        let o = run(args, &report);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("-o FILE"), "{}", stderr(&o));
        assert_eq!(std::fs::read_dir(d).unwrap().count(), 0, "nothing written");
    }
    let o = run(&["convert", "-", "-o", "r.json", "--report", "run.json"], &report);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let run_json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("run.json")).unwrap()).unwrap();
    assert_eq!(run_json["files"][0]["input"], "<stdin>");
    assert!(d.join("r.json").is_file());
    // Diagnostics and errors name it `<stdin>`, never a temporary path.
    let o = run(&["check", "-"], &report);
    assert!(stdout_of(&o).contains("<stdin>: 0 个错误"), "{}", stdout_of(&o));
    let o = run(&["check", "-"], b"");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).starts_with("<stdin>: error:"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("nianbao-stdin"), "{}", stderr(&o));
}

fn stdout_of(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Not yet so: a marked cell (`9▲`, `※`) is classified unreadable and then inferred by the
/// rules with a warning (`9▲` read back as an inferred 0: silent). Needs a cell kind that
/// is in doubt and never inferred, in normalize (cells, align, the solver).
#[test]
fn marked_cells_read_back_from_our_pdf_and_docx_are_errors_not_values() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let forms = nianbao::Forms::builtin();
    let report = nianbao::read_report(
        &fixture("huaian-2024/layout.txt"),
        &forms,
        &nianbao::Options::default(),
    )
    .unwrap();
    // One number changed (R2 and R3 fail: cells marked ▲) and one cell blank (marked ※).
    let mut v: serde_json::Value = serde_json::from_str(&nianbao::write::json::to_string(&report)).unwrap();
    v["tables"]["applications"]["granted"]["research"] = 9.into();
    v["tables"]["applications"]["new_received"]["other_org"] = serde_json::Value::Null;
    std::fs::write(d.join("broken.json"), v.to_string()).unwrap();
    let broken = nianbao::report_from_json(&v.to_string(), &forms).unwrap();
    let doubtful: Vec<String> = broken
        .diagnostics
        .iter()
        .filter(|x| x.severity == nianbao::Severity::Error)
        .flat_map(|x| {
            if x.cells.is_empty() {
                x.cell.clone().into_iter().collect()
            } else {
                x.cells.clone()
            }
        })
        .filter(|c| c.starts_with("applications."))
        .collect();
    assert!(doubtful.len() > 3, "{doubtful:?}");
    let o = nianbao(&["convert", "broken.json", "--to", "pdf,docx", "-o", "out/"], d);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    for ext in ["pdf", "docx"] {
        let back = nianbao::read_report(
            &d.join(format!("out/broken.{ext}")),
            &forms,
            &nianbao::Options::default(),
        )
        .unwrap();
        let errors: Vec<&nianbao::Diagnostic> = back
            .diagnostics
            .iter()
            .filter(|x| x.severity == nianbao::Severity::Error)
            .collect();
        for cell in &doubtful {
            assert!(
                errors.iter().any(|e| e.concerns(cell)),
                "{ext}: {cell} marked but read back without an error: {:?} {:#?}",
                back.tables.cell(cell),
                errors
            );
        }
    }
}
