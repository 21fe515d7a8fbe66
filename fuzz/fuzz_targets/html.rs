//! The HTML reader on any text (it checks depth, elements, rows and cells itself).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = nianbao::read::html::read(text);
    }
});
