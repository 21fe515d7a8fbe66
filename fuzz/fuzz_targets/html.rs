//! The HTML reader on any text that passes the nesting limit.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let limits = nianbao::read::limits::Limits::default();
        if nianbao::read::limits::check_html_depth(text, &limits).is_ok() {
            let _ = nianbao::read::html::read(text);
        }
    }
});
