//! nianbao's integration tests, in one binary so that the crate and its dependencies are
//! linked once rather than once per file (ripgrep's `tests/integration/` shape). Each module
//! is one subject; run one with `cargo test --test integration <module>::`.
//!
//! Fixtures are in `tests/fixtures/` ([`common::fixture`]); `support` builds the breakage
//! suite's reports.

mod common;
mod support;

mod batch;
mod breakage;
mod cli;
mod corpus;
mod docx;
mod grid;
mod hostile;
mod hostile_markup;
mod hostile_options;
mod hostile_pdf;
mod inputs;
mod isolation;
mod layers;
mod library;
mod outline;
mod pdf;
mod pdf_reader;
mod pdfa;
mod present;
mod seeds;
mod web;
mod years;
