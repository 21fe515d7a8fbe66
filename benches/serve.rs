//! The web page's server work (issue 15's targets: a report opened and drawn in under 1 s, an
//! edit re-checked in under 100 ms, on this 2-core machine): what `/api/open` does for
//! Huai'an's PDF (read with its trace, in process; the view the page draws, as JSON), and
//! what `/api/check` does for one edited cell (the report's JSON parsed and checked against the
//! form, the rules run again, the view as JSON). The browser test
//! (`tests/integration/web.rs`) measures the same round trips in Chromium and prints them.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use nianbao::serve::view;
use nianbao::{Forms, Options};

fn serve(c: &mut Criterion) {
    let forms = Forms::builtin();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/huaian-2024/report.pdf");
    let read = nianbao::read::ReadOptions::default();
    let opts = Options::default();

    c.bench_function("serve_open_huaian", |b| {
        b.iter(|| {
            let (report, trace) =
                nianbao::read_report_traced(black_box(&path), &forms, &opts, &read).expect("reads");
            let form = forms.get(&report.form).expect("form");
            let source = trace
                .source
                .into_iter()
                .map(|(line, text)| view::SourceLine { line, text })
                .collect();
            serde_json::to_vec(&view::doc(&report, form, &[], &trace.rows, Some(source))).expect("json")
        })
    });

    let (report, _) = nianbao::read_report_traced(&path, &forms, &opts, &read).expect("reads");
    let mut value = serde_json::to_value(&report).expect("json");
    value["tables"]["applications"]["new_received"]["natural_person"] = 3008.into();
    let edited = vec!["applications.new_received.natural_person".to_string()];
    let text = value.to_string();
    c.bench_function("serve_recheck_edit", |b| {
        b.iter(|| {
            let mut edit = nianbao::read::json::parse(black_box(&text), &forms).expect("parses");
            let form = forms.get(&edit.form).expect("form");
            view::recheck(&mut edit, form, report.diagnostics.clone(), &edited);
            serde_json::to_vec(&view::doc(&edit, form, &edited, &Default::default(), None)).expect("json")
        })
    });
}

criterion_group!(benches, serve);
criterion_main!(benches);
