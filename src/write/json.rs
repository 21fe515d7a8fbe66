//! The JSON writer: nianbao's data format, the model as serde writes it.

use crate::model::Report;

pub fn to_string(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(report).expect("a report always serializes");
    s.push('\n');
    s
}
