//! The DOCX reader on any bytes (it checks the package and each part it parses itself).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = nianbao::read::docx::read(data);
});
