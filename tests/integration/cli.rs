//! The command line as a user meets it: exit statuses, messages, outputs.

use crate::common;

use std::path::Path;

use common::{fixture, nianbao, stderr, stdout};

#[test]
fn check_names_the_cell_and_rule_when_r1_fails() {
    let dir = tempfile::tempdir().unwrap();
    let seed = std::fs::read_to_string(fixture("001_43a537ac175a5a3b.txt")).unwrap();
    // 一、本年新收… natural_person: 0 → 5. R1 (column) and R3 (row) now fail there.
    let line = seed
        .lines()
        .find(|l| l.starts_with("一、本年新收政府信息公开申请数量"))
        .unwrap();
    let changed = line.replacen("\t0", "\t5", 1);
    let path = dir.path().join("changed.txt");
    std::fs::write(&path, seed.replace(line, &changed)).unwrap();
    let o = nianbao(&["check", path.to_str().unwrap()], dir.path());
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let out = stdout(&o);
    assert!(
        out.contains("error[R1] [applications]") && out.contains("「自然人」列"),
        "{out}"
    );
    assert!(out.contains("error[R3]"), "{out}");

    let o = nianbao(&["check", "--format", "json", path.to_str().unwrap()], dir.path());
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1, "an array also for one file");
    let v = &v[0];
    assert!(v["diagnostics"].as_array().unwrap().iter().any(|d| {
        d["code"] == "R1"
            && d["cell"] == "applications"
            && d["cells"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c == "applications.new_received.natural_person")
    }));
    // R3 lies in the row and names every cell of it.
    assert!(
        v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "R3"
                && d["cell"] == "applications.new_received"
                && d["cells"].as_array().unwrap().len() == 7)
    );
}

#[test]
fn clean_seed_checks_clean() {
    let o = nianbao(
        &["check", fixture("000_7a31bcbeafe9deac.txt").to_str().unwrap()],
        Path::new("."),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn unusable_inputs_exit_2_with_a_reason_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &[u8], &str); 4] = [
        ("empty.txt", b"", "empty"),
        (
            "binary.txt",
            &[0x89, b'P', b'N', b'G', 0, 0, 0, 13, 1, 2, 3, 0, 255, 254],
            "binary",
        ),
        (
            "prose.txt",
            "某某单位2023年工作总结\n\n今年我们做了很多工作。\n\n明年继续努力。\n".as_bytes(),
            "no tables",
        ),
        ("latin1.txt", &[b'a', 0xE9, 0xFF, b'b', b'\n'], "UTF-8"),
    ];
    for (name, bytes, reason) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let out_dir = dir.path().join("out");
        let o = nianbao(
            &[
                "convert",
                path.to_str().unwrap(),
                "-o",
                &format!("{}/", out_dir.display()),
            ],
            dir.path(),
        );
        assert_eq!(o.status.code(), Some(2), "{name}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains(reason), "{name}: {err}");
        assert_eq!(
            err.lines().filter(|l| l.contains("error")).count(),
            1,
            "{name}: one-line reason: {err}"
        );
        assert!(!err.contains("panicked"), "{name}: {err}");
        assert!(
            !out_dir.exists() || std::fs::read_dir(&out_dir).unwrap().next().is_none(),
            "{name}: no output"
        );
        let o = nianbao(&["check", path.to_str().unwrap()], dir.path());
        assert_eq!(o.status.code(), Some(2), "{name}");
    }
}

#[test]
fn convert_writes_to_stdout_a_file_or_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let seed = fixture("004_c4cb64a14b625d7c.txt");
    let seed = seed.to_str().unwrap();

    let o = nianbao(&["convert", seed, "-o", "-"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v["tables"]["applications"]["withheld"]["state_secret"]["natural_person"],
        0
    );
    assert_eq!(v["organization"], "新郑市政务服务和大数据管理局");

    let o = nianbao(&["convert", seed, "-o", "x.json"], dir.path());
    assert_eq!(o.status.code(), Some(0));
    assert!(dir.path().join("x.json").is_file());

    let o = nianbao(
        &[
            "convert",
            seed,
            fixture("000_7a31bcbeafe9deac.txt").to_str().unwrap(),
            "-o",
            "out/",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(dir.path().join("out/004_c4cb64a14b625d7c.json").is_file());
    assert!(dir.path().join("out/000_7a31bcbeafe9deac.json").is_file());
    // No temporary files are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("out"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn json_output_is_also_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let o = nianbao(
        &[
            "convert",
            fixture("huaian-2024/layout.txt").to_str().unwrap(),
            "-o",
            "h.json",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(dir.path().join("h.json")).unwrap();
    let edited = text.replacen("\"upheld\": 72", "\"upheld\": 73", 1);
    assert_ne!(text, edited);
    std::fs::write(dir.path().join("edited.json"), edited).unwrap();
    let o = nianbao(&["check", "edited.json"], dir.path());
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("error[R4] [review_litigation.review"),
        "{}",
        stdout(&o)
    );

    std::fs::write(
        dir.path().join("bad.json"),
        text.replacen("\"upheld\": 72", "\"upheld\": \"x\"", 1),
    )
    .unwrap();
    let o = nianbao(&["check", "bad.json"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("tables.review_litigation"), "{}", stderr(&o));
}

#[test]
fn an_output_never_overwrites_its_input() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("huaian-2024/layout.txt"), dir.path().join("a.txt")).unwrap();
    let o = nianbao(&["convert", "a.txt", "-o", "h.json"], dir.path());
    assert_eq!(o.status.code(), Some(0));
    let before = std::fs::read(dir.path().join("h.json")).unwrap();
    let o = nianbao(&["convert", "h.json", "-o", "h.json"], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(std::fs::read(dir.path().join("h.json")).unwrap(), before);
}

/// Runs `args` with standard output a pipe whose reader is already gone.
fn with_closed_stdout(args: &[&str]) -> std::process::Output {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}

#[test]
fn a_closed_pipe_ends_quietly_and_a_full_disk_is_one_line() {
    let seed = fixture("000_7a31bcbeafe9deac.txt");
    let seed = seed.to_str().unwrap();
    let commands: [&[&str]; 5] = [
        &["check", seed],
        &["check", "--format", "json", seed],
        &["fonts"],
        &["schema"],
        &["convert", seed, "-o", "-"],
    ];
    for args in commands {
        let o = with_closed_stdout(args);
        let err = stderr(&o);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(
            matches!(o.status.code(), Some(0 | 1)),
            "{args:?}: {:?} {err}",
            o.status
        );
        if Path::new("/dev/full").exists() {
            let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
            let o = std::process::Command::new(env!("CARGO_BIN_EXE_nianbao"))
                .args(args)
                .stdout(full)
                .output()
                .unwrap();
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
            assert!(!err.contains("panicked"), "{args:?}: {err}");
            assert!(err.contains("cannot write to standard output"), "{args:?}: {err}");
        }
    }
}

#[test]
fn outputs_never_destroy_inputs_devices_or_fifos() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(fixture("000_7a31bcbeafe9deac.txt"), d.join("a.txt")).unwrap();
    let before = std::fs::read(d.join("a.txt")).unwrap();
    // --report onto an input.
    let o = nianbao(
        &["convert", "a.txt", "-o", "out/", "--report", "a.txt", "--force"],
        d,
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("overwrite an input"), "{}", stderr(&o));
    assert_eq!(std::fs::read(d.join("a.txt")).unwrap(), before);
    // --report onto a device node stays a device.
    let o = nianbao(
        &[
            "convert",
            "a.txt",
            "-o",
            "out/",
            "--report",
            "/dev/null",
            "--force",
        ],
        d,
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("not a regular file"), "{}", stderr(&o));
    assert!(!std::fs::metadata("/dev/null").unwrap().is_file());
    // --report follows the no-overwrite rule.
    let o = nianbao(&["convert", "a.txt", "-o", "out/", "--report", "r.json"], d);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = nianbao(&["convert", "a.txt", "-o", "out2/", "--report", "r.json"], d);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    assert!(!d.join("out2").exists(), "nothing converted before the refusal");
    let o = nianbao(
        &["convert", "a.txt", "-o", "out2/", "--report", "r.json", "--force"],
        d,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // extract -o onto its own input, and onto an existing file.
    let o = nianbao(&["convert", "a.txt", "-o", "x.json"], d);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let json = std::fs::read(d.join("x.json")).unwrap();
    let o = nianbao(&["extract", "x.json", "-o", "x.json", "--force"], d);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(std::fs::read(d.join("x.json")).unwrap(), json);
    std::fs::write(d.join("data.csv"), "keep").unwrap();
    let o = nianbao(&["extract", "a.txt", "-o", "data.csv"], d);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(d.join("data.csv")).unwrap(), "keep");
    let o = nianbao(&["extract", "a.txt", "-o", "data.csv", "--force"], d);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // -o onto a FIFO stays a FIFO (and nothing blocks on it).
    let fifo = d.join("f.json");
    if std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success())
    {
        let o = nianbao(&["convert", "a.txt", "-o", "f.json", "--force"], d);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(!std::fs::metadata(&fifo).unwrap().is_file());
    }
    // --to that contradicts -o FILE is an error, not a silent JSON.
    let o = nianbao(&["convert", "a.txt", "--to", "pdf", "-o", "y.json"], d);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(!d.join("y.json").exists());
    let o = nianbao(&["convert", "a.txt", "--to", "json", "-o", "y.json"], d);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn check_takes_folders_lists_and_a_report_on_stdin() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("in")).unwrap();
    std::fs::copy(fixture("000_7a31bcbeafe9deac.txt"), d.join("in/a.txt")).unwrap();
    std::fs::write(d.join("in/empty.txt"), b"").unwrap();
    // A folder: one array, an object a file; the unusable file's error on stderr.
    let o = nianbao(&["check", "--format", "json", "in"], d);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let files = v.as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert!(
        files
            .iter()
            .any(|f| f["status"] == "unusable" && f["error"].is_string())
    );
    assert!(
        files
            .iter()
            .any(|f| f["status"] == "ok" && f["diagnostics"].is_array())
    );
    assert!(stderr(&o).contains("empty.txt: error:"), "{}", stderr(&o));
    let o = nianbao(&["check", "in"], d);
    assert!(!stdout(&o).contains("empty.txt: error:"), "errors go to stderr");
    // `-`: the report itself on standard input.
    let run = |args: &[&str], input: &[u8]| {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_nianbao"))
            .args(args)
            .current_dir(d)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // A refusal may come before standard input is read: the pipe is then closed.
        let _ = child.stdin.take().unwrap().write_all(input);
        child.wait_with_output().unwrap()
    };
    let report = std::fs::read(d.join("in/a.txt")).unwrap();
    let o = run(&["check", "-"], &report);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run(&["convert", "-", "-o", "-"], &report);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(json["tables"].is_object());
    // …and nianbao's JSON on stdin is read as JSON.
    let o = run(&["check", "-"], &o.stdout);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // `--files-from -`: a list of paths.
    let o = run(&["check", "--files-from", "-"], b"in/a.txt\n\nin/a.txt\n");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o).matches("in/a.txt: 0 个错误").count(),
        2,
        "{}",
        stdout(&o)
    );
    let o = run(&["check", "-", "--files-from", "-"], b"in/a.txt\n");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn strict_withholds_print_outputs_of_a_report_with_doubtful_cells() {
    let dir = tempfile::tempdir().unwrap();
    // The Huai'an report with one number changed in its JSON: R2 and R3 fail there.
    let forms = nianbao::Forms::builtin();
    let report = nianbao::read_report(
        &fixture("huaian-2024/layout.txt"),
        &forms,
        &nianbao::Options::default(),
    )
    .unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&nianbao::write::json::to_string(&report)).unwrap();
    v["tables"]["applications"]["granted"]["research"] = 9.into();
    let doubtful = dir.path().join("broken.json");
    std::fs::write(&doubtful, v.to_string()).unwrap();
    let broken = nianbao::report_from_json(&v.to_string(), &forms).unwrap();
    let n = nianbao::present::grid::count_doubts(forms.get("2021").unwrap(), &broken);
    assert!(n.cells > 0 && n.tables == 0, "{n:?}");
    let clean = fixture("000_7a31bcbeafe9deac.txt");
    let args = |input: &Path, out: &str| {
        vec![
            "convert".to_string(),
            input.to_str().unwrap().to_string(),
            "--to".into(),
            "pdf,docx,json".into(),
            "-o".into(),
            out.into(),
            "--strict".into(),
        ]
    };
    let run = |a: Vec<String>| {
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        nianbao(&a, dir.path())
    };
    // Doubtful: one line naming the file and the count, no PDF or DOCX, the JSON written.
    let o = run(args(&doubtful, "d/"));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    let line = err
        .lines()
        .find(|l| l.contains("--strict"))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(
        line.contains("broken.json") && line.contains(&format!("：{} 个单元格存疑，", n.cells)),
        "{line}"
    );
    let d = dir.path().join("d");
    assert!(d.join("broken.json").is_file());
    assert!(!d.join("broken.pdf").exists() && !d.join("broken.docx").exists());
    // Clean: everything written, exit 0.
    let o = run(args(&clean, "c/"));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let c = dir.path().join("c");
    for ext in ["pdf", "docx", "json"] {
        assert!(c.join(format!("000_7a31bcbeafe9deac.{ext}")).is_file(), "{ext}");
    }
    // Without --strict the doubtful report is written, marks and all (exit 1: errors).
    let mut a = args(&doubtful, "n/");
    a.pop();
    let o = run(a);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(dir.path().join("n/broken.pdf").is_file());
}

/// The `BaseFont` names of a PDF's Type 0 fonts, without their subset tags.
fn pdf_font_names(path: &Path) -> Vec<String> {
    let doc = lopdf::Document::load(path).unwrap();
    let mut names: Vec<String> = doc
        .objects
        .values()
        .filter_map(|o| {
            let d = o.as_dict().ok()?;
            (d.get(b"Subtype").ok()?.as_name().ok()? == b"Type0").then_some(())?;
            let base = String::from_utf8_lossy(d.get(b"BaseFont").ok()?.as_name().ok()?).into_owned();
            Some(base.split_once('+').map_or(base.clone(), |(_, n)| n.to_string()))
        })
        .collect();
    names.sort();
    names
}

/// Runs `binary` in `dir` with the system's fonts left out and `$NIANBAO_FONTS` an empty
/// folder, so only `--font-dir` and the faces built into the binary can be found.
fn isolated(binary: &Path, args: &[&str], dir: &Path) -> std::process::Output {
    let empty = dir.join("no-fonts-here");
    std::fs::create_dir_all(&empty).unwrap();
    std::process::Command::new(binary)
        .args(args)
        .current_dir(dir)
        .env("NIANBAO_NO_SYSTEM_FONTS", "1")
        .env("NIANBAO_FONTS", &empty)
        .output()
        .unwrap()
}

#[test]
fn a_copied_binary_sets_the_fandol_faces_built_into_it() {
    // The binary alone in a folder of its own, run from there: no fonts/ beside it, none
    // through $NIANBAO_FONTS, none from the system; the source tree is never searched.
    let dir = tempfile::tempdir().unwrap();
    let binary = dir.path().join("nianbao");
    std::fs::copy(env!("CARGO_BIN_EXE_nianbao"), &binary).unwrap();
    std::fs::copy(fixture("000_7a31bcbeafe9deac.txt"), dir.path().join("r.txt")).unwrap();
    let o = isolated(&binary, &["fonts"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let listing = stdout(&o);
    assert!(
        listing.contains("FandolFang [bundled] <built-in>/FandolFang-Regular.otf"),
        "{listing}"
    );
    let o = isolated(
        &binary,
        &["convert", "r.txt", "-o", "r.pdf", "--report", "run.json"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).lines().count() <= 1, "{}", stderr(&o));
    let names = pdf_font_names(&dir.path().join("r.pdf"));
    for face in ["FandolFang-Regular", "FandolHei-Regular", "FandolSong-Bold"] {
        assert!(names.iter().any(|n| n == face), "{face} not in {names:?}");
    }
    // The same faces as the binary cargo built, run where it was built (`cargo run`).
    let o = isolated(
        Path::new(env!("CARGO_BIN_EXE_nianbao")),
        &["convert", "r.txt", "-o", "built.pdf"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(pdf_font_names(&dir.path().join("built.pdf")), names);
    // The substitution is said in the file's diagnostics, as info (the documented fallback).
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("run.json")).unwrap()).unwrap();
    let diags = run["files"][0]["diagnostics"].as_array().unwrap();
    assert!(
        diags.iter().any(|d| d["code"] == "font_substituted"
            && d["severity"] == "info"
            && d["message"].as_str().unwrap().contains("[body]")
            && d["message"].as_str().unwrap().contains("FandolFang")),
        "{diags:?}"
    );
    assert_eq!(run["files"][0]["status"], "clean");
}

#[test]
fn a_truncated_font_in_font_dir_is_skipped_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let fonts = dir.path().join("fonts");
    std::fs::create_dir_all(&fonts).unwrap();
    let whole =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts/FandolFang-Regular.otf")).unwrap();
    std::fs::write(fonts.join("FandolFang-Regular.otf"), &whole[..whole.len() / 2]).unwrap();
    // A style that wants the FandolFang family first for the body: the cut copy in
    // --font-dir is found before the built-in face.
    let style = include_str!("../../templates/styles/gbt9704.toml").replace(
        "families = [\"仿宋_GB2312\"",
        "families = [\"FandolFang\", \"仿宋_GB2312\"",
    );
    assert!(style.contains("\"FandolFang\""));
    std::fs::write(dir.path().join("style.toml"), style).unwrap();
    std::fs::copy(fixture("000_7a31bcbeafe9deac.txt"), dir.path().join("r.txt")).unwrap();
    let args = [
        "convert",
        "r.txt",
        "-o",
        "r.pdf",
        "--style",
        "style.toml",
        "--font-dir",
        "fonts",
        "--report",
        "run.json",
    ];
    let o = isolated(Path::new(env!("CARGO_BIN_EXE_nianbao")), &args, dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let names = pdf_font_names(&dir.path().join("r.pdf"));
    assert!(names.iter().any(|n| n == "FandolFang-Regular"), "{names:?}");
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("run.json")).unwrap()).unwrap();
    let diags = run["files"][0]["diagnostics"].as_array().unwrap();
    assert!(
        diags.iter().any(|d| d["code"] == "font_unusable"
            && d["severity"] == "warning"
            && d["message"].as_str().unwrap().contains("FandolFang-Regular.otf")),
        "{diags:?}"
    );
    let o = isolated(
        Path::new(env!("CARGO_BIN_EXE_nianbao")),
        &["fonts", "--style", "style.toml", "--font-dir", "fonts"],
        dir.path(),
    );
    assert!(stdout(&o).contains("skipped"), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("<built-in>/FandolFang-Regular.otf"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_font_dir_that_does_not_exist_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("000_7a31bcbeafe9deac.txt"), dir.path().join("r.txt")).unwrap();
    for args in [
        &["convert", "r.txt", "--to", "pdf", "--font-dir", "/nonexistent"][..],
        &["fonts", "--font-dir", "/nonexistent"][..],
    ] {
        let o = nianbao(args, dir.path());
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = stderr(&o);
        assert!(err.contains("--font-dir /nonexistent"), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    assert!(!dir.path().join("r.pdf").exists());
}

#[test]
fn check_with_fonts_makes_a_character_no_face_has_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = std::fs::read_to_string(fixture("000_7a31bcbeafe9deac.txt")).unwrap();
    text.push_str("\n另有说明：缺字\u{10FFFD}测试，浉河区。\n");
    std::fs::write(dir.path().join("r.txt"), text).unwrap();
    let o = isolated(
        Path::new(env!("CARGO_BIN_EXE_nianbao")),
        &["check", "r.txt"],
        dir.path(),
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "without --fonts the layout is not made: {}",
        stdout(&o)
    );
    let o = isolated(
        Path::new(env!("CARGO_BIN_EXE_nianbao")),
        &["check", "--fonts", "--format", "json", "r.txt"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    // `check --format json` is an array, one object a file.
    let diags = v[0]["diagnostics"].as_array().unwrap();
    assert!(
        diags.iter().any(|d| d["code"] == "font_missing_char"
            && d["severity"] == "error"
            && d["message"].as_str().unwrap().contains("U+10FFFD")),
        "{diags:?}"
    );
    assert!(
        diags
            .iter()
            .any(|d| d["code"] == "font_fallback" && d["message"].as_str().unwrap().contains('浉')),
        "{diags:?}"
    );
    // A convert of the same file says the same, and exits 1.
    let o = isolated(
        Path::new(env!("CARGO_BIN_EXE_nianbao")),
        &["convert", "r.txt", "-o", "r.pdf", "--report", "run.json"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("run.json")).unwrap()).unwrap();
    assert_eq!(run["files"][0]["status"], "violations");
}

/// An error names its file once: `a.txt: error: 文件为空 …`, not `a.txt: error: a.txt: …`
/// (issue 14), in every command and in the `--report` file.
#[test]
fn a_refused_file_is_named_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("empty.txt"), "").unwrap();
    for args in [
        &["convert", "missing.txt", "-o", "out/"][..],
        &["check", "missing.txt"],
        &["extract", "missing.txt", "-o", "x.csv"],
    ] {
        let o = nianbao(args, d);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        let line = err.lines().find(|l| l.contains("error:")).expect("an error line");
        assert_eq!(line.matches("missing.txt").count(), 1, "{args:?}: {err}");
        assert!(
            line.contains("不存在 (no such file or directory)"),
            "{args:?}: {err}"
        );
    }
    let o = nianbao(
        &[
            "convert",
            "empty.txt",
            "missing.txt",
            "-o",
            "out/",
            "--report",
            "r.json",
        ],
        d,
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("r.json")).unwrap()).unwrap();
    for f in report["files"].as_array().unwrap() {
        let error = f["error"].as_str().unwrap();
        assert!(!error.contains(".txt"), "the file is named beside: {error}");
    }
    // A program tells the failures apart by their kind.
    let kinds: Vec<(&str, &str)> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["input"].as_str().unwrap(), f["error_kind"].as_str().unwrap()))
        .collect();
    assert_eq!(kinds, [("empty.txt", "unusable"), ("missing.txt", "not_found")]);
    let o = nianbao(&["check", "--format", "json", "empty.txt", "missing.txt"], d);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let kinds: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["error_kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["unusable", "not_found"]);
}
