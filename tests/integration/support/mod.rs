//! Support for the breakage suite (`tests/integration/breakage.rs`): a rule-abiding random form, rendered
//! as report text in several layouts, then broken the way extraction and OCR break it.

pub mod breaks;
pub mod document;
pub mod kinds;
pub mod layout;
pub mod rng;
pub mod tables;
pub mod truth;
