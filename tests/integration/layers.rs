//! The layers of the crate (issue 14): each module may use only the modules of the layers
//! below its own, never one above it, and not another module of its own layer. The table is
//! the one in `src/lib.rs`'s documentation and the README's design section.
//!
//! The check reads every `src/**/*.rs` and finds each `crate::<module>` path, in `use` and in
//! code, including grouped uses (`use crate::{a, b::c}`); in `src/lib.rs` the modules are
//! named bare (`read::…`), in the binary (`src/main.rs`, `src/cli.rs`) as `nianbao::…`. A path to an item of the crate
//! root is the module it re-exports (`pub use error::Error` in `lib.rs`) or else the pipeline
//! entry, `lib`. Comments are skipped: a doc link may point anywhere.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The layers, bottom first. A module may use those of lower layers only.
const LAYERS: &[&[&str]] = &[
    // The crate's error type.
    &["error"],
    // Atomic file writing; diagnostics and their marks; the official forms as data.
    &["files", "diag", "form"],
    // The report and its figures and marks; the JSON Schema of its JSON.
    &["model", "schema"],
    // Each input format to a `RawDoc`; JSON input to a `Report` (`read::json`).
    &["read"],
    // `RawDoc` to `Report`: sections, tables, inference, the rules.
    &["normalize"],
    // The pipeline entry in `lib.rs`: `read_report`, `report_from_text`, `report_from_json`.
    &["lib"],
    // Reading in a child process.
    &["worker"],
    // The print style.
    &["style"],
    // What the print outputs share (grids, render context); the fonts and their embedding.
    &["present", "fonts"],
    // Pages of placed text.
    &["layout"],
    // JSON, PDF, DOCX, Markdown.
    &["write"],
    // Many files at once; data export; the library's front door (`Converter`).
    &["batch", "extract", "compare", "converter"],
    // The local web page's server (`nianbao serve`).
    &["serve"],
    // The binary: the command line (`cli.rs`) and `main.rs`.
    &["cli"],
    &["main"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src readable") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to: `src/read/pdf.rs` → `read`, `src/lib.rs` → `lib`.
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).expect("under src");
    let first = rel.components().next().expect("a component");
    let name = first.as_os_str().to_str().expect("utf-8 path");
    name.strip_suffix(".rs").unwrap_or(name).to_string()
}

/// The line without its comment: from a `//` outside a string literal.
fn code_of(line: &str) -> &str {
    let bytes = line.as_bytes();
    let mut in_string = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if in_string => i += 1,
            // A quote as a character, `'"'`, opens no string.
            b'\'' if !in_string && bytes.get(i + 1) == Some(&b'"') && bytes.get(i + 2) == Some(&b'\'') => {
                i += 2
            }
            b'"' => in_string = !in_string,
            b'/' if !in_string && bytes.get(i + 1) == Some(&b'/') => return &line[..i],
            _ => {}
        }
        i += 1;
    }
    line
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn ident_at(s: &str) -> &str {
    let end = s.find(|c: char| !is_ident_char(c)).unwrap_or(s.len());
    &s[..end]
}

/// The first path segment of each top-level item of a use group: `{a, b::c, D}` → a, b, D.
fn group_heads(s: &str) -> Vec<&str> {
    let mut heads = Vec::new();
    let mut depth = 0;
    let mut start = 1;
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    heads.push(ident_at(s[start..i].trim_start()));
                    break;
                }
            }
            ',' if depth == 1 => {
                heads.push(ident_at(s[start..i].trim_start()));
                start = i + 1;
            }
            _ => {}
        }
    }
    heads.retain(|h| !h.is_empty());
    heads
}

/// Every first segment after `prefix::` in `code`, with the prefix standing alone (not the
/// tail of a longer name or path: `nianbao::read` but not `x::read`).
fn heads_after<'a>(code: &'a str, prefix: &str) -> Vec<&'a str> {
    let needle = format!("{prefix}::");
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = code[from..].find(&needle) {
        let start = from + at;
        from = start + needle.len();
        let before = code[..start].chars().next_back();
        if before.is_some_and(|c| is_ident_char(c) || c == ':' || c == '$') {
            continue;
        }
        let rest = &code[from..];
        if rest.starts_with('{') {
            out.extend(group_heads(rest));
        } else {
            out.push(ident_at(rest));
        }
    }
    out.retain(|h| !h.is_empty());
    out
}

/// What the crate root re-exports: item name → its module (`Error` → `error`).
fn root_reexports(lib_rs: &str) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for line in lib_rs.lines() {
        let Some(rest) = line.trim().strip_prefix("pub use ") else {
            continue;
        };
        let rest = rest.trim_end_matches(';');
        let module = ident_at(rest).to_string();
        let names: Vec<&str> = match rest.find('{') {
            Some(b) => rest[b + 1..]
                .trim_end_matches('}')
                .split(',')
                .map(str::trim)
                .collect(),
            None => vec![rest.rsplit("::").next().unwrap_or(rest)],
        };
        for name in names.into_iter().filter(|n| !n.is_empty()) {
            map.insert(name.to_string(), module.clone());
        }
    }
    map
}

/// Every use of one module by another that goes up the layers or across one, as
/// `file:line: a uses b …`.
fn violations(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let lib_rs = std::fs::read_to_string(src.join("lib.rs")).expect("lib.rs");
    let reexports = root_reexports(&lib_rs);
    let modules: Vec<&str> = LAYERS.iter().flat_map(|l| l.iter().copied()).collect();
    let mut found = Vec::new();
    for file in &files {
        let from = module_of(src, file);
        let shown = file
            .strip_prefix(src.parent().expect("root"))
            .unwrap_or(file)
            .display();
        let Some(from_layer) = layer_of(&from) else {
            found.push(format!(
                "{shown}: module `{from}` has no place in the layer table"
            ));
            continue;
        };
        let text = std::fs::read_to_string(file).expect("readable");
        for (n, line) in text.lines().enumerate() {
            let code = code_of(line);
            let trimmed = code.trim_start();
            if trimmed.starts_with("pub mod ") || trimmed.starts_with("mod ") {
                continue;
            }
            // The root re-exporting a name (`pub use converter::Converter`) is no use of it.
            if from == "lib" && trimmed.starts_with("pub use ") {
                continue;
            }
            let mut heads = heads_after(code, "crate");
            match from.as_str() {
                // The root names its modules bare.
                "lib" => heads.extend(
                    modules
                        .iter()
                        .copied()
                        .filter(|m| !heads_after(code, m).is_empty()),
                ),
                "main" | "cli" => heads.extend(heads_after(code, "nianbao")),
                _ => {}
            }
            for head in heads {
                let to = if layer_of(head).is_some() {
                    head.to_string()
                } else {
                    reexports.get(head).cloned().unwrap_or_else(|| "lib".to_string())
                };
                if to == from {
                    continue;
                }
                let to_layer = layer_of(&to).expect("a module of the table");
                if to_layer > from_layer {
                    found.push(format!(
                        "{shown}:{}: `{from}` uses `{to}`, a layer above it: {}",
                        n + 1,
                        line.trim()
                    ));
                } else if to_layer == from_layer {
                    found.push(format!(
                        "{shown}:{}: `{from}` uses `{to}`, of its own layer: {}",
                        n + 1,
                        line.trim()
                    ));
                }
            }
        }
    }
    found.dedup();
    // A module of the table that no longer exists is a table out of date.
    for m in modules {
        let exists =
            m == "lib" || src.join(format!("{m}.rs")).exists() || src.join(m).join("mod.rs").exists();
        if !exists {
            found.push(format!("module `{m}` of the layer table is not in src/"));
        }
    }
    found
}

#[test]
fn no_module_uses_one_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let found = violations(&src);
    assert!(
        found.is_empty(),
        "uses against the layers (see src/lib.rs):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_check_sees_an_upward_use() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    for m in LAYERS.iter().flat_map(|l| l.iter()) {
        let file = if *m == "lib" {
            "lib.rs".to_string()
        } else {
            format!("{m}.rs")
        };
        std::fs::create_dir_all(&src).unwrap();
        std::fs::write(src.join(file), "").unwrap();
    }
    std::fs::write(src.join("lib.rs"), "pub mod model;\npub use error::Error;\n").unwrap();
    assert!(violations(&src).is_empty(), "{:?}", violations(&src));
    std::fs::create_dir_all(src.join("model")).unwrap();
    std::fs::remove_file(src.join("model.rs")).unwrap();
    std::fs::write(
        src.join("model/mod.rs"),
        "use crate::Error;\n// crate::write in a comment\nuse crate::{diag, form::{Form}};\n",
    )
    .unwrap();
    assert!(violations(&src).is_empty(), "{:?}", violations(&src));
    std::fs::write(src.join("model/cells.rs"), "fn f() { crate::normalize::x(); }\n").unwrap();
    std::fs::write(
        src.join("form.rs"),
        "use crate::{error::Error, diag::Diagnostic};\n",
    )
    .unwrap();
    std::fs::write(src.join("read.rs"), "fn g() -> crate::Report { todo!() }\n").unwrap();
    let found = violations(&src);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(
        found[0].contains("src/form.rs:1: `form` uses `diag`, of its own layer"),
        "{found:?}"
    );
    assert!(
        found[1].contains("src/model/cells.rs:1: `model` uses `normalize`, a layer above"),
        "{found:?}"
    );
    assert!(
        found[2].contains("src/read.rs:1: `read` uses `lib`, a layer above"),
        "{found:?}"
    );
}
