//! The normalizer on any text: sections, table alignment, the rule solver, validation.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = nianbao::report_from_text(text, &nianbao::Forms::builtin(), &nianbao::Options::default());
    }
});
