//! The text-layer PDF reader on any bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = nianbao::read::pdf::read(data);
});
