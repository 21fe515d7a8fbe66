//! R6 across years (issue 16): `check --previous`, the pairing of consecutive years in a
//! batch, and `compare`.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{fixture, nianbao, read, stderr, stdout};

/// Seed 000 (登封市人民政府办公室, 2023; no applications at all) as JSON of `year`, with
/// `carried_over` applicants of natural persons, all granted (so R1–R3 hold), written to `dir`.
fn year_json(dir: &Path, year: i32, carried_over: u32) -> PathBuf {
    let report = read(&fixture("000_7a31bcbeafe9deac.txt"));
    let mut v: Value = serde_json::to_value(&report).unwrap();
    v["year"] = year.into();
    v["title"] = format!("登封市人民政府办公室{year}年政府信息公开工作年度报告").into();
    let apps = &mut v["tables"]["applications"];
    for row in ["carried_over", "granted", "total_processed"] {
        apps[row]["natural_person"] = carried_over.into();
        apps[row]["total"] = carried_over.into();
    }
    let path = dir.join(format!("dengfeng-{year}.json"));
    std::fs::write(&path, serde_json::to_string(&v).unwrap()).unwrap();
    path
}

#[test]
fn check_previous_passes_a_consistent_pair_and_names_the_columns_of_an_inconsistent_one() {
    let dir = tempfile::tempdir().unwrap();
    let last = year_json(dir.path(), 2022, 0);
    let this = year_json(dir.path(), 2023, 0);
    let o = nianbao(
        &[
            "check",
            this.to_str().unwrap(),
            "--previous",
            last.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(!stdout(&o).contains("R6"), "{}", stdout(&o));

    // 2023 says 3 applications were carried over; 2022 carried none forward.
    let this = year_json(dir.path(), 2023, 3);
    let o = nianbao(
        &[
            "check",
            this.to_str().unwrap(),
            "--previous",
            last.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    let r6: Vec<&str> = out.lines().filter(|l| l.contains("error[R6]")).collect();
    assert_eq!(r6.len(), 2, "{out}");
    assert!(
        r6[0].contains("[applications.carried_over.natural_person]") && r6[0].contains("「自然人」列"),
        "{out}"
    );
    assert!(
        r6[1].contains("[applications.carried_over.total]") && r6[1].contains("「总计」列"),
        "{out}"
    );
    assert!(r6[0].contains("为 3") && r6[0].contains("为 0"), "{out}");
    // Nothing else fails: R1–R3 hold in both.
    assert_eq!(out.matches("error[").count(), 2, "{out}");
}

#[test]
fn a_batch_of_three_years_pairs_each_with_the_year_before() {
    let dir = tempfile::tempdir().unwrap();
    let years = dir.path().join("years");
    std::fs::create_dir(&years).unwrap();
    year_json(&years, 2021, 0);
    year_json(&years, 2022, 0);
    year_json(&years, 2023, 3);
    let o = nianbao(
        &["check", "--format", "json", years.to_str().unwrap()],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let files: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let r6_of = |year: &str| -> Vec<String> {
        let file = files
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["file"].as_str().unwrap().contains(year))
            .unwrap();
        file["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["code"] == "R6")
            .map(|d| d["cell"].as_str().unwrap().to_string())
            .collect()
    };
    // 2021 → 2022 holds; 2022 → 2023 fails, named in both reports by their own cells.
    assert!(r6_of("2021").is_empty());
    assert_eq!(
        r6_of("2022"),
        [
            "applications.carried_forward.natural_person",
            "applications.carried_forward.total"
        ]
    );
    assert_eq!(
        r6_of("2023"),
        [
            "applications.carried_over.natural_person",
            "applications.carried_over.total"
        ]
    );
}

#[test]
fn compare_shows_both_years_side_by_side_with_the_differences() {
    let dir = tempfile::tempdir().unwrap();
    let last = year_json(dir.path(), 2022, 0);
    let this = year_json(dir.path(), 2023, 3);
    let o = nianbao(
        &["compare", last.to_str().unwrap(), this.to_str().unwrap()],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("比较 (compare): "), "{out}");
    assert!(out.contains("2022 年") && out.contains("2023 年"), "{out}");
    assert!(
        out.contains("二、上年结转政府信息公开申请数量 / 自然人\t0 → 3\t+3"),
        "{out}"
    );
    assert!(out.contains("（6 处不同 (cells differ)）"), "{out}");
    assert!(
        out.contains("error[R6] [applications.carried_over.total]"),
        "{out}"
    );

    let o = nianbao(
        &[
            "compare",
            "--format",
            "json",
            last.to_str().unwrap(),
            this.to_str().unwrap(),
        ],
        dir.path(),
    );
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["a"]["year"], 2022);
    assert_eq!(v["b"]["year"], 2023);
    let cell = v["tables"][1]["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["path"] == "applications.granted.natural_person")
        .unwrap();
    assert_eq!(
        (cell["a"].as_f64(), cell["b"].as_f64(), cell["change"].as_f64()),
        (Some(0.0), Some(3.0), Some(3.0))
    );
    assert_eq!(v["r6"].as_array().unwrap().len(), 2);

    // The same year twice: nothing differs and R6 is not checked.
    let o = nianbao(
        &[
            "compare",
            "--changed",
            last.to_str().unwrap(),
            last.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("未检查"), "{}", stdout(&o));
}

#[test]
fn reports_not_known_to_be_of_one_body_are_never_paired() {
    let dir = tempfile::tempdir().unwrap();
    let last = year_json(dir.path(), 2022, 0);
    let this = year_json(dir.path(), 2023, 3);
    // Another body's report of the year before: a note, no R6.
    let mut other: Value = serde_json::from_str(&std::fs::read_to_string(&last).unwrap()).unwrap();
    other["organization"] = "新郑市政务服务和大数据管理局".into();
    let other_path = dir.path().join("other-2022.json");
    std::fs::write(&other_path, other.to_string()).unwrap();
    let o = nianbao(
        &[
            "check",
            this.to_str().unwrap(),
            "--previous",
            other_path.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(
        !stdout(&o).contains("R6") && stderr(&o).contains("R6 not checked"),
        "{}",
        stderr(&o)
    );
    // A title naming no particular body (本局) pairs with nothing, in a batch or in compare.
    let folder = dir.path().join("generic");
    std::fs::create_dir(&folder).unwrap();
    for (path, year) in [(&last, 2022), (&this, 2023)] {
        let mut v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        v["organization"] = "本局".into();
        std::fs::write(folder.join(format!("{year}.json")), v.to_string()).unwrap();
    }
    let o = nianbao(&["check", folder.to_str().unwrap()], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(!stdout(&o).contains("R6"), "{}", stdout(&o));
    let o = nianbao(
        &[
            "compare",
            folder.join("2022.json").to_str().unwrap(),
            folder.join("2023.json").to_str().unwrap(),
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("未检查 R6"), "{}", stdout(&o));
    // A batch says what it paired.
    let pairs = dir.path().join("pairs");
    std::fs::create_dir(&pairs).unwrap();
    year_json(&pairs, 2022, 0);
    year_json(&pairs, 2023, 0);
    let o = nianbao(&["check", pairs.to_str().unwrap()], dir.path());
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o).matches("note[year_pair]").count(), 2, "{}", stdout(&o));
}
