//! `pdf_seed`: one seed report rendered as PDF. The report is read and the fonts are
//! resolved and parsed before the timed loop, as a batch run does once per process.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use nianbao::style::Style;
use nianbao::write::{Context, pdf};
use nianbao::{Forms, Options};

fn pdf_seed(c: &mut Criterion) {
    let forms = Forms::builtin();
    let style = Style::builtin();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/003_c73b0815ce023fc0.txt");
    let report = nianbao::read_report(&path, &forms, &Options::default()).expect("seed reads");
    let ctx = Context {
        form: forms.get(&report.form).expect("form"),
        style: &style,
        font_dirs: Vec::new(),
    };
    // Loads and parses the faces once.
    pdf::render(&report, &ctx).expect("renders");
    c.bench_function("pdf_seed", |b| {
        b.iter(|| pdf::render(black_box(&report), &ctx).expect("renders"))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = pdf_seed
}
criterion_main!(benches);
