//! The page's three files, built into the binary: no CDN, nothing fetched at run time. With
//! `NIANBAO_WEB_DIR` set (development), they are read from that folder on every request, so a
//! change to the page shows without a rebuild.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

const INDEX_HTML: &str = include_str!("../../web/index.html");
const APP_JS: &str = include_str!("../../web/app.js");
const APP_CSS: &str = include_str!("../../web/app.css");

/// The asset `name` (`index.html`, `app.js`, `app.css`) with its content type.
pub fn asset(name: &'static str) -> Response {
    let (embedded, content_type) = match name {
        "index.html" => (INDEX_HTML, "text/html; charset=utf-8"),
        "app.js" => (APP_JS, "text/javascript; charset=utf-8"),
        "app.css" => (APP_CSS, "text/css; charset=utf-8"),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    let body = std::env::var_os("NIANBAO_WEB_DIR")
        .and_then(|dir| std::fs::read_to_string(std::path::Path::new(&dir).join(name)).ok())
        .unwrap_or_else(|| embedded.to_string());
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}
