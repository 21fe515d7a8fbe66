//! Converts one report to PDF with the library alone: `cargo run --example convert -- in.txt out.pdf`.
use nianbao::{Converter, write::OutputFormat};

fn main() -> Result<(), nianbao::Error> {
    let args: Vec<String> = std::env::args().collect();
    let converter = Converter::new();
    let report = converter.read(args[1].as_ref())?;
    let found = converter.write(&report, OutputFormat::Pdf, args[2].as_ref())?;
    for d in report.diagnostics.iter().chain(&found) {
        eprintln!("{}: {d}", args[1]);
    }
    Ok(())
}
