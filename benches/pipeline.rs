//! The pipeline's stages, one seed report at a time, and a batch: what issue 7's targets
//! are measured by. Fonts are loaded once, before the timed loops, as a batch run does.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use nianbao::style::Style;
use nianbao::write::{Context, OutputFormat};
use nianbao::{Forms, Options};

fn seed_text() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/003_c73b0815ce023fc0.txt");
    std::fs::read_to_string(path).expect("seed")
}

/// A real-shaped broken report: tables 三 and 四 with every row's cells run together
/// (`shared/corpus` shape `concat-3`), which only the whole-table solver reads.
fn concat_text() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus/shapes/concat-3.txt");
    std::fs::read_to_string(path).expect("concat shape")
}

fn pipeline(c: &mut Criterion) {
    let forms = Forms::builtin();
    let style = Style::builtin();
    let text = seed_text();
    let opts = Options::default();
    let report = nianbao::report_from_text(&text, &forms, &opts).expect("seed reads");
    let ctx = Context {
        form: forms.get(&report.form).expect("form"),
        style: &style,
        font_dirs: Vec::new(),
    };
    OutputFormat::Pdf.render(&report, &ctx).expect("renders");

    c.bench_function("normalize_seed", |b| {
        b.iter(|| nianbao::report_from_text(black_box(&text), &forms, &opts).expect("reads"))
    });
    let concat = concat_text();
    c.bench_function("normalize_concat", |b| {
        // The report may still be refused or partly unresolved: the cost is what is measured.
        b.iter(|| black_box(nianbao::report_from_text(black_box(&concat), &forms, &opts).is_ok()))
    });
    c.bench_function("docx_seed", |b| {
        b.iter(|| {
            OutputFormat::Docx
                .render(black_box(&report), &ctx)
                .expect("renders")
        })
    });
    c.bench_function("convert_all_formats", |b| {
        b.iter(|| {
            let r = nianbao::report_from_text(black_box(&text), &forms, &opts).expect("reads");
            for f in [OutputFormat::Json, OutputFormat::Pdf, OutputFormat::Docx] {
                black_box(f.render(&r, &ctx).expect("renders"));
            }
        })
    });
    c.bench_function("batch_100_json_pdf_docx", |b| {
        b.iter(|| {
            for _ in 0..100 {
                let r = nianbao::report_from_text(black_box(&text), &forms, &opts).expect("reads");
                for f in [OutputFormat::Json, OutputFormat::Pdf, OutputFormat::Docx] {
                    black_box(f.render(&r, &ctx).expect("renders"));
                }
            }
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = pipeline
}
criterion_main!(benches);
