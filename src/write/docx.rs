//! The DOCX writer: an editable Word document with the official tables and Chinese fonts.

use super::Context;
use crate::Error;
use crate::model::Report;

pub fn render(_report: &Report, _ctx: &Context) -> Result<Vec<u8>, Error> {
    Err(Error::Usage("DOCX 输出尚未实现 (DOCX output is not available yet)".into()))
}
