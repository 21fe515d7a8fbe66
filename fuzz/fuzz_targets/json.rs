//! The report JSON loader on any text.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = nianbao::report_from_json(text, &nianbao::Forms::builtin());
    }
});
