//! `nianbao serve`: the whole job in a web page on the user's own machine — open reports, see
//! every doubtful cell on the official grid, fix cells and text with the rules re-checked as
//! they type, fill in an empty form, download PDF, DOCX, JSON, CSV and Markdown. Nothing is
//! uploaded anywhere: the server listens on 127.0.0.1 only, and the page's assets are in the
//! binary (no CDN; the Content-Security-Policy lets the page reach this server alone).
//!
//! The API the page uses is described in `docs/web-api.md`. Each request is stateless: the
//! page holds the working copy (in the browser's local storage) and sends the report with the
//! cells the user changed; the server reads, re-checks and renders with one [`Converter`].
//!
//! Safety, beside the loopback address: a request whose `Host` is not this server's own
//! (`127.0.0.1:PORT`, `localhost:PORT`) is refused, so a web page elsewhere cannot drive the
//! server through DNS rebinding; a `POST` must carry a JSON or octet-stream body (not a
//! form a foreign page could send without asking) and, when the browser names its origin,
//! come from this server's page. Uploaded files are read in a worker process under the same
//! limits and deadline as the command line ([`crate::worker`]): a hostile file gives the
//! CLI's one-line reason and the server goes on.

mod assets;
pub mod view;

use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Query, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::converter::Converter;
use crate::diag::Diagnostic;
use crate::error::Error;
use crate::model::Report;
use crate::worker::Isolation;
use crate::write::OutputFormat;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Reads, checks and renders every report.
    pub converter: Converter,
    /// Each uploaded file read in a worker process (`None`: in the server's own).
    pub isolation: Option<Isolation>,
    /// The largest upload, in bytes (the CLI's `--max-input-mb`).
    pub max_input_bytes: u64,
    /// The port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
}

/// The most reports one zip may hold, and cells one edit list may name.
const MAX_ZIP_REPORTS: usize = 1000;
const MAX_EDITED: usize = 100_000;
struct App {
    config: Config,
    /// The `Host` values this server answers to.
    hosts: [String; 2],
}

/// Starts the server and serves until Ctrl-C or SIGTERM. `ready` is called with the page's
/// address once the port is bound (the command line prints it and opens the browser).
///
/// # Errors
/// [`ErrorKind::Usage`](crate::ErrorKind::Usage) when the port cannot be bound (in use, or
/// privileged); [`ErrorKind::Io`](crate::ErrorKind::Io) when the runtime cannot start.
pub fn run(config: Config, ready: impl FnOnce(&str)) -> Result<(), Error> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::io("tokio", e))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, config.port))
            .await
            .map_err(|e| {
                Error::usage(format!(
                    "无法在 127.0.0.1:{} 上启动网页服务 (cannot listen on 127.0.0.1:{}: {e}); 用 --port 选另一个端口",
                    config.port, config.port
                ))
                .with_source(e)
            })?;
        let port = listener.local_addr().map_err(|e| Error::io("socket", e))?.port();
        let app = Arc::new(App {
            config,
            hosts: [format!("127.0.0.1:{port}"), format!("localhost:{port}")],
        });
        ready(&format!("http://127.0.0.1:{port}/"));
        axum::serve(listener, router(app))
            .with_graceful_shutdown(shutdown())
            .await
            .map_err(|e| Error::io("socket", e))
    })
}

/// Ctrl-C or SIGTERM.
async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(|| async { assets::asset("index.html") }))
        .route("/app.js", get(|| async { assets::asset("app.js") }))
        .route("/app.css", get(|| async { assets::asset("app.css") }))
        .route("/api/info", get(info))
        .route("/api/new", get(new_report))
        .route("/api/open", post(open))
        .route("/api/check", post(check))
        .route("/api/render", post(render))
        .route("/api/zip", post(zip))
        .layer(middleware::from_fn_with_state(app.clone(), guard))
        .layer(axum::extract::DefaultBodyLimit::disable())
        .with_state(app)
}

/// A JSON answer `{"ok": false, "error": …}` with `status`.
fn failure(status: StatusCode, error: &str, kind: Option<&str>) -> Response {
    let mut body = serde_json::json!({ "ok": false, "error": error });
    if let Some(kind) = kind {
        body["error_kind"] = kind.into();
    }
    json_response(status, &body)
}

fn json_response(status: StatusCode, value: &impl Serialize) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => (
            status,
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            bytes,
        )
            .into_response(),
        Err(e) => failure(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("内部错误 (internal error: {e})"),
            None,
        ),
    }
}

/// A request the server cannot answer with what it asked: `400` with the error's message and
/// kind.
fn refused(e: &Error) -> Response {
    failure(StatusCode::BAD_REQUEST, e.message(), Some(e.kind().name()))
}

/// The DNS-rebinding and cross-site guard (see the module).
async fn guard(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let host = req.headers().get(header::HOST).and_then(|h| h.to_str().ok());
    let Some(host) = host.filter(|h| app.hosts.iter().any(|a| a.eq_ignore_ascii_case(h))) else {
        return failure(
            StatusCode::FORBIDDEN,
            "拒绝访问：请求的主机名不是本机服务 (forbidden: the Host header is not this server's)",
            None,
        );
    };
    if req.method() == Method::POST {
        let origin = req.headers().get(header::ORIGIN).and_then(|o| o.to_str().ok());
        if origin.is_some_and(|o| !o.eq_ignore_ascii_case(&format!("http://{host}"))) {
            return failure(
                StatusCode::FORBIDDEN,
                "拒绝访问：请求来自其他网页 (forbidden: the request comes from another site)",
                None,
            );
        }
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|c| c.to_str().ok())
            .unwrap_or("");
        let essence = content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if essence != "application/json" && essence != "application/octet-stream" {
            return failure(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "请求格式不对 (the body must be application/json or application/octet-stream)",
                None,
            );
        }
    }
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data: blob:; frame-src 'self' blob:; \
             object-src 'self' blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'; \
             frame-ancestors 'self'; form-action 'none'; base-uri 'none'",
        ),
    );
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

/// The body, or a `413` past `limit` bytes.
async fn body_bytes(body: Body, limit: u64) -> Result<axum::body::Bytes, Response> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    axum::body::to_bytes(body, limit).await.map_err(|_| {
        failure(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!(
                "文件太大，超过 {} MB 的上限 (the file is larger than the {} MB limit; `nianbao serve --max-input-mb` raises it)",
                limit >> 20,
                limit >> 20
            ),
            Some("limit"),
        )
    })
}

/// Runs `f` off the async threads; a panic is an internal error, not a dropped connection.
async fn blocking(f: impl FnOnce() -> Response + Send + 'static) -> Response {
    tokio::task::spawn_blocking(move || {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|_| {
            failure(
                StatusCode::INTERNAL_SERVER_ERROR,
                "内部错误 (internal error while handling this request)",
                Some("internal"),
            )
        })
    })
    .await
    .unwrap_or_else(|_| {
        failure(
            StatusCode::INTERNAL_SERVER_ERROR,
            "内部错误 (internal error)",
            Some("internal"),
        )
    })
}

async fn info(State(app): State<Arc<App>>) -> Response {
    let forms: Vec<&str> = app
        .config
        .converter
        .forms()
        .forms
        .iter()
        .map(|f| f.version.as_str())
        .collect();
    json_response(
        StatusCode::OK,
        &serde_json::json!({
            "version": env!("CARGO_PKG_VERSION"),
            "forms": forms,
            "max_input_mb": app.config.max_input_bytes >> 20,
        }),
    )
}

#[derive(Deserialize)]
struct NewQuery {
    form: Option<String>,
}

async fn new_report(State(app): State<Arc<App>>, Query(q): Query<NewQuery>) -> Response {
    let forms = app.config.converter.forms();
    let form = match q.form.as_deref() {
        Some(v) => forms.get(v),
        None => Some(forms.newest()),
    };
    let Some(form) = form else {
        return failure(
            StatusCode::BAD_REQUEST,
            "未知的表格格式 (unknown form version)",
            Some("usage"),
        );
    };
    let report = view::empty_report(form);
    let doc = view::doc(&report, form, &[], &HashMap::new(), None);
    json_response(
        StatusCode::OK,
        &serde_json::json!({ "ok": true, "name": "新报告", "doc": doc }),
    )
}

#[derive(Deserialize)]
struct OpenQuery {
    name: Option<String>,
}

async fn open(State(app): State<Arc<App>>, Query(q): Query<OpenQuery>, body: Body) -> Response {
    let bytes = match body_bytes(body, app.config.max_input_bytes).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let name = clean_name(q.name.as_deref().unwrap_or(""));
    blocking(move || app.open(&name, &bytes)).await
}

#[derive(Deserialize)]
struct Edited {
    report: Value,
    #[serde(default)]
    edited: Vec<String>,
    #[serde(default)]
    name: Option<String>,
}

async fn check(State(app): State<Arc<App>>, body: Body) -> Response {
    let bytes = match body_bytes(body, app.config.max_input_bytes).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    blocking(move || match app.edited(&bytes) {
        Ok((report, edited, _)) => {
            let Some(form) = app.config.converter.forms().get(&report.form) else {
                return failure(
                    StatusCode::BAD_REQUEST,
                    "未知的表格格式 (unknown form version)",
                    Some("unusable"),
                );
            };
            let doc = view::doc(&report, form, &edited, &HashMap::new(), None);
            json_response(StatusCode::OK, &serde_json::json!({ "ok": true, "doc": doc }))
        }
        Err(e) => refused(&e),
    })
    .await
}

#[derive(Deserialize)]
struct RenderQuery {
    format: String,
}

async fn render(State(app): State<Arc<App>>, Query(q): Query<RenderQuery>, body: Body) -> Response {
    let bytes = match body_bytes(body, app.config.max_input_bytes).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    blocking(move || {
        let result = app
            .edited(&bytes)
            .and_then(|(report, _, name)| app.render(&report, &name, &q.format));
        match result {
            Ok((file, content_type, bytes)) => download(&file, content_type, bytes),
            Err(e) => refused(&e),
        }
    })
    .await
}

#[derive(Deserialize)]
struct ZipRequest {
    reports: Vec<Value>,
    #[serde(default)]
    formats: Vec<String>,
}

async fn zip(State(app): State<Arc<App>>, body: Body) -> Response {
    let bytes = match body_bytes(body, app.config.max_input_bytes.saturating_mul(4)).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    blocking(move || app.zip(&bytes)).await
}

fn download(file: &str, content_type: &'static str, bytes: Vec<u8>) -> Response {
    let ascii: String = file
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = percent_encoding::utf8_percent_encode(file, percent_encoding::NON_ALPHANUMERIC);
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

/// A file name as the user gave it, safe to create in a folder of our own: its last path
/// component, without control characters, at most 150 bytes (file systems allow 255) with
/// its extension kept; `report` when nothing is left.
fn clean_name(name: &str) -> String {
    const MAX_BYTES: usize = 150;
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let mut cleaned: String = last
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim_start_matches('.')
        .trim()
        .to_string();
    if cleaned.len() > MAX_BYTES {
        let ext = Path::new(&cleaned)
            .extension()
            .and_then(|e| e.to_str())
            .filter(|e| e.len() <= 10)
            .map(|e| format!(".{e}"))
            .unwrap_or_default();
        let mut cut = MAX_BYTES - ext.len();
        while !cleaned.is_char_boundary(cut) {
            cut -= 1;
        }
        cleaned = format!("{}{ext}", &cleaned[..cut]);
    }
    if cleaned.is_empty() {
        "report".to_string()
    } else {
        cleaned
    }
}

/// `name` without its extension: the stem outputs are named after.
fn stem(name: &str) -> String {
    let name = clean_name(name);
    match name.rsplit_once('.') {
        Some((s, _)) if !s.is_empty() => s.to_string(),
        _ => name,
    }
}

impl App {
    /// `/api/open`: the file read as the CLI reads it, as a `Doc` with its source lines.
    fn open(&self, name: &str, bytes: &[u8]) -> Response {
        let answer = |ok: Result<Value, Error>| match ok {
            Ok(doc) => json_response(
                StatusCode::OK,
                &serde_json::json!({ "ok": true, "name": name, "doc": doc }),
            ),
            Err(e) => json_response(
                StatusCode::OK,
                &serde_json::json!({
                    "ok": false,
                    "name": name,
                    "error": e.message(),
                    "error_kind": e.kind().name(),
                }),
            ),
        };
        answer(self.read_upload(name, bytes))
    }

    fn read_upload(&self, name: &str, bytes: &[u8]) -> Result<Value, Error> {
        let dir = tempfile::Builder::new()
            .prefix("nianbao-serve-")
            .tempdir()
            .map_err(|e| Error::io(std::env::temp_dir(), e))?;
        let known = [
            "txt", "text", "md", "markdown", "html", "htm", "xhtml", "docx", "pdf", "json",
        ];
        let has_known = Path::new(name)
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| known.contains(&e.to_ascii_lowercase().as_str()));
        let file = if has_known {
            name.to_string()
        } else {
            format!("{name}.{}", crate::batch::sniff_extension(bytes))
        };
        let path: PathBuf = dir.path().join(file);
        std::fs::write(&path, bytes).map_err(|e| Error::io(&path, e))?;
        let converter = &self.config.converter;
        // The source pane's text and each row's line come with the report from the worker:
        // the file is read once, under the worker's limits and deadline.
        let (mut report, trace) = converter.read_traced(self.config.isolation.as_ref(), &path)?;
        let form = converter
            .forms()
            .get(&report.form)
            .ok_or_else(|| Error::unusable("未知的表格格式 (unknown form version)"))?;
        if crate::read::Format::from_path(&path) == crate::read::Format::Json {
            // A report the page saved: what its reading found about the cells (inferred,
            // repaired) stays, as in a re-check; the rules run again.
            if let Ok(value) = serde_json::from_slice::<Value>(bytes) {
                report = self.prepare(value, Vec::new())?;
            }
        }
        let source = (!trace.source.is_empty()).then(|| {
            trace
                .source
                .into_iter()
                .map(|(line, text)| view::SourceLine { line, text })
                .collect()
        });
        let rows = trace.rows;
        let doc = view::doc(&report, form, &[], &rows, source);
        serde_json::to_value(&doc).map_err(|e| Error::internal(format!("内部错误 (internal error: {e})")))
    }

    /// The report of a `{report, edited, name}` body, re-checked with its edits.
    fn edited(&self, bytes: &[u8]) -> Result<(Report, Vec<String>, String), Error> {
        let body: Edited = serde_json::from_slice(bytes)
            .map_err(|e| Error::unusable(format!("请求无效 (invalid request: {e})")))?;
        let report = self.prepare(body.report, body.edited.clone())?;
        let name = stem(body.name.as_deref().unwrap_or(""));
        Ok((report, body.edited, name))
    }

    /// A report from the page: its shape checked against the form as a JSON input's is, its
    /// diagnostics worked out again ([`view::recheck`]).
    fn prepare(&self, value: Value, mut edited: Vec<String>) -> Result<Report, Error> {
        edited.truncate(MAX_EDITED);
        let prior: Vec<Diagnostic> = value
            .get("diagnostics")
            .cloned()
            .and_then(|d| serde_json::from_value(d).ok())
            .unwrap_or_default();
        let text = value.to_string();
        let forms = self.config.converter.forms();
        let mut report = crate::read::json::parse(&text, forms)?;
        let form = forms
            .get(&report.form)
            .ok_or_else(|| Error::unusable("未知的表格格式 (unknown form version)"))?;
        view::recheck(&mut report, form, prior, &edited);
        Ok(report)
    }

    /// The document of `format` for `report`: its file name, content type and bytes.
    fn render(
        &self,
        report: &Report,
        name: &str,
        format: &str,
    ) -> Result<(String, &'static str, Vec<u8>), Error> {
        let format = format.trim().to_ascii_lowercase();
        if format == "csv" {
            let forms = self.config.converter.forms();
            let file = PathBuf::from(format!("{name}.csv"));
            let records = [crate::extract::Record {
                file: &file,
                result: Ok(report),
            }];
            let csv = crate::extract::to_csv(forms, &records, true);
            return Ok((format!("{name}.csv"), "text/csv; charset=utf-8", csv.into_bytes()));
        }
        let Some(output) = OutputFormat::parse(&format) else {
            return Err(Error::usage(format!(
                "未知的输出格式 {format} (unknown output format; pdf, docx, json, csv or md)"
            )));
        };
        let rendered = self.config.converter.render(report, output)?;
        let content_type = match output {
            OutputFormat::Pdf => "application/pdf",
            OutputFormat::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            OutputFormat::Json => "application/json; charset=utf-8",
            OutputFormat::Markdown => "text/markdown; charset=utf-8",
        };
        Ok((
            format!("{name}.{}", output.extension()),
            content_type,
            rendered.bytes,
        ))
    }

    /// `/api/zip`: every report in every format asked (PDF, DOCX and JSON by default).
    fn zip(&self, bytes: &[u8]) -> Response {
        use std::io::Write;
        let request: ZipRequest = match serde_json::from_slice(bytes) {
            Ok(r) => r,
            Err(e) => {
                return failure(
                    StatusCode::BAD_REQUEST,
                    &format!("请求无效 (invalid request: {e})"),
                    Some("unusable"),
                );
            }
        };
        if request.reports.len() > MAX_ZIP_REPORTS {
            return failure(
                StatusCode::BAD_REQUEST,
                &format!("一次最多打包 {MAX_ZIP_REPORTS} 份报告 (at most {MAX_ZIP_REPORTS} reports a zip)"),
                Some("limit"),
            );
        }
        let mut formats: Vec<String> = Vec::new();
        for f in request.formats {
            let f = f.trim().to_ascii_lowercase();
            if !formats.contains(&f) {
                formats.push(f);
            }
        }
        if formats.is_empty() {
            formats = vec!["pdf".to_string(), "docx".to_string(), "json".to_string()];
        }
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        let mut taken = std::collections::HashSet::new();
        for item in request.reports {
            let body: Edited = match serde_json::from_value(item) {
                Ok(b) => b,
                Err(e) => {
                    return failure(
                        StatusCode::BAD_REQUEST,
                        &format!("请求无效 (invalid request: {e})"),
                        Some("unusable"),
                    );
                }
            };
            let mut name = stem(body.name.as_deref().unwrap_or(""));
            let mut n = 2;
            while !taken.insert(name.clone()) {
                name = format!("{} ({n})", stem(body.name.as_deref().unwrap_or("")));
                n += 1;
            }
            let report = match self.prepare(body.report, body.edited) {
                Ok(r) => r,
                Err(e) => {
                    return failure(
                        StatusCode::BAD_REQUEST,
                        &format!("{name}: {}", e.message()),
                        Some(e.kind().name()),
                    );
                }
            };
            for format in &formats {
                let (file, _, bytes) = match self.render(&report, &name, format) {
                    Ok(x) => x,
                    Err(e) => {
                        return failure(
                            StatusCode::BAD_REQUEST,
                            &format!("{name}: {}", e.message()),
                            Some(e.kind().name()),
                        );
                    }
                };
                if zip
                    .start_file(file, options)
                    .and_then(|()| zip.write_all(&bytes).map_err(Into::into))
                    .is_err()
                {
                    return failure(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "内部错误 (internal error writing the zip)",
                        Some("internal"),
                    );
                }
            }
        }
        match zip.finish() {
            Ok(cursor) => download("nianbao.zip", "application/zip", cursor.into_inner()),
            Err(_) => failure(
                StatusCode::INTERNAL_SERVER_ERROR,
                "内部错误 (internal error writing the zip)",
                Some("internal"),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cleaned_to_one_component() {
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("C:\\x\\年报.pdf"), "年报.pdf");
        assert_eq!(clean_name("..."), "report");
        assert_eq!(clean_name("a\u{0}b.txt"), "ab.txt");
        assert_eq!(stem("年报 2023.docx"), "年报 2023");
        let long = format!("{}.pdf", "很长的名字".repeat(40));
        let cut = clean_name(&long);
        assert!(cut.len() <= 150 && cut.ends_with(".pdf"), "{cut}");
    }
}
