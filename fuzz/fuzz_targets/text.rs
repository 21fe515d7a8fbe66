//! The text reader on any bytes, through decoding (encoding detection included).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok((text, _)) = nianbao::read::encoding::decode(data, None) {
        let _ = nianbao::read::read_text(&text);
    }
});
