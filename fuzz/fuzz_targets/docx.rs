//! The DOCX reader on any bytes that pass the package limits.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = nianbao::read::limits::Limits::default();
    if nianbao::read::limits::check_package(data, &limits).is_ok() {
        let _ = nianbao::read::docx::read(data);
    }
});
