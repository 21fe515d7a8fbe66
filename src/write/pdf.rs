//! The PDF writer: GB/T 9704 pages with the official tables and embedded font subsets.

use super::Context;
use crate::Error;
use crate::model::Report;

pub fn render(_report: &Report, _ctx: &Context) -> Result<Vec<u8>, Error> {
    Err(Error::Usage("PDF 输出尚未实现 (PDF output is not available yet)".into()))
}
