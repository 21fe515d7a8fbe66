//! The JSON writer: nianbao's data format, the model as serde writes it.

use crate::model::Report;

/// The first key of every JSON nianbao writes: `"generator": "nianbao <version>"`. A folder
/// walk skips files that carry it (last run's outputs are not new reports); reading ignores it.
pub const GENERATOR: &str = concat!("nianbao ", env!("CARGO_PKG_VERSION"));

/// The report as nianbao's JSON: the generator mark, then the model as serde writes it.
pub fn to_string(report: &Report) -> String {
    let mut map = serde_json::Map::new();
    map.insert("generator".into(), GENERATOR.into());
    if let serde_json::Value::Object(fields) =
        serde_json::to_value(report).expect("a report always serializes")
    {
        map.extend(fields);
    }
    let mut s = serde_json::to_string_pretty(&map).expect("a report always serializes");
    s.push('\n');
    s
}
