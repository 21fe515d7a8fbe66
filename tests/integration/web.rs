//! `nianbao serve` in a real browser (issue 15): headless Chromium driven through
//! chromedriver (WebDriver, with fantoccini), against the binary cargo built, with every
//! request off the machine blocked (a proxy that does not exist; only loopback goes direct).
//!
//! Skipped, with the reason printed, only when `chromium` or `chromedriver` is not installed
//! (`.ci/run` installs Debian's `chromium` and `chromium-driver`). The server's own guards
//! (a foreign `Host`, a hostile file) are tested over plain HTTP without a browser.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use crate::common::fixture;

/// A `nianbao serve --port 0` child, killed on drop.
struct Server {
    child: Child,
    url: String,
    port: u16,
}

impl Server {
    fn start() -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_nianbao"))
            .args(["serve", "--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("nianbao serve starts");
        let mut line = String::new();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        out.read_line(&mut line).unwrap();
        // The rest of what it prints is read and dropped: the pipe stays open.
        std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .to_string();
        let port = url
            .trim_end_matches('/')
            .rsplit(':')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        Server { child, url, port }
    }

    /// A raw HTTP/1.1 request with this `Host` header: the status line and the body.
    fn request(
        &self,
        method: &str,
        path: &str,
        host: &str,
        content_type: &str,
        body: &[u8],
    ) -> (u16, String) {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(body).unwrap();
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).unwrap();
        let answer = String::from_utf8_lossy(&answer).into_owned();
        let status = answer
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let body = answer.split_once("\r\n\r\n").map_or("", |x| x.1).to_string();
        (status, body)
    }

    fn own_host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_foreign_host_or_origin_is_refused() {
    let server = Server::start();
    let (status, body) = server.request("GET", "/api/info", &server.own_host(), "text/plain", b"");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"forms\""), "{body}");
    // DNS rebinding: a page of evil.example whose name now points at 127.0.0.1.
    let (status, body) = server.request(
        "GET",
        "/",
        &format!("evil.example:{}", server.port),
        "text/plain",
        b"",
    );
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("Host"), "{body}");
    let (status, _) = server.request("GET", "/", "localhost:1", "text/plain", b"");
    assert_eq!(status, 403);
    // A form POST any page may send without asking is refused before it is read.
    let (status, body) = server.request(
        "POST",
        "/api/open?name=a.txt",
        &server.own_host(),
        "application/x-www-form-urlencoded",
        b"a=1",
    );
    assert_eq!(status, 415, "{body}");
}

#[test]
fn an_opened_file_comes_with_its_source_and_each_rows_line() {
    let server = Server::start();
    let seed = fixture("000_7a31bcbeafe9deac.txt");
    let (status, body) = server.request(
        "POST",
        "/api/open?name=seed.txt",
        &server.own_host(),
        "application/octet-stream",
        &std::fs::read(&seed).unwrap(),
    );
    assert_eq!(status, 200, "{body}");
    let doc = &serde_json::from_str::<Value>(&body).unwrap()["doc"];
    let source: Vec<(u64, String)> = doc["source"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["line"].as_u64().unwrap(),
                l["text"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let text = std::fs::read_to_string(&seed).unwrap();
    assert_eq!(
        source.len(),
        text.lines().filter(|l| !l.trim().is_empty()).count()
    );
    let cell = doc["tables"][1]["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["path"] == "applications.carried_over.total")
        .unwrap();
    let line = cell["line"].as_u64().unwrap();
    let (_, shown) = source.iter().find(|(l, _)| *l == line).unwrap();
    assert!(
        shown.starts_with("二、上年结转政府信息公开申请数量"),
        "line {line}: {shown}"
    );
    assert_eq!(
        text.lines().nth(line as usize - 1).unwrap().split('\t').next(),
        shown.split("  ").next()
    );
}

#[test]
fn hostile_files_get_the_clis_one_line_reason_and_the_server_goes_on() {
    let server = Server::start();
    let dirs = ["hostile-pdf", "hostile-docx", "hostile-markup"];
    let mut seen = 0;
    for dir in dirs {
        let mut files: Vec<PathBuf> = std::fs::read_dir(fixture(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for file in files {
            let bytes = std::fs::read(&file).unwrap();
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            let started = Instant::now();
            let (status, body) = server.request(
                "POST",
                &format!("/api/open?name={name}"),
                &server.own_host(),
                "application/octet-stream",
                &bytes,
            );
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "{name}: {:?}",
                started.elapsed()
            );
            assert_eq!(status, 200, "{name}: {body}");
            let answer: Value = serde_json::from_str(&body).unwrap();
            if answer["ok"] == false {
                let error = answer["error"].as_str().unwrap();
                assert!(
                    !error.contains('\n') && !error.is_empty() && !error.contains("panicked"),
                    "{name}: {error}"
                );
                assert!(answer["error_kind"].is_string(), "{name}: {body}");
            }
            seen += 1;
        }
    }
    assert!(seen >= 20, "{seen}");
    let (status, _) = server.request("GET", "/api/info", &server.own_host(), "text/plain", b"");
    assert_eq!(status, 200);
    // An upload over the limit: a clear refusal, not a dropped connection.
    let big = vec![b'a'; 65 << 20];
    let (status, body) = server.request(
        "POST",
        "/api/open?name=big.txt",
        &server.own_host(),
        "application/octet-stream",
        &big,
    );
    assert_eq!(status, 413, "{body}");
    assert!(body.contains("64 MB"), "{body}");
}

/// Why the browser tests cannot run here, if they cannot.
fn browser_missing() -> Option<String> {
    ["/usr/bin/chromium", "/usr/bin/chromedriver"]
        .iter()
        .find(|p| !Path::new(p).exists())
        .map(|p| format!("{p} is not installed (Debian: apt-get install chromium chromium-driver)"))
}

/// chromedriver on a free port, killed on drop.
struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    fn start() -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Driver { child, port }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn browser(driver: &Driver, downloads: &Path) -> Client {
    let profile = tempfile::tempdir().unwrap().keep();
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--no-first-run",
                "--disable-sync", "--disable-quic", "--window-size=1280,900",
                format!("--user-data-dir={}", profile.display()),
                // The network blocked: everything but loopback (which Chromium never sends
                // through a proxy) goes to a proxy that is not there.
                "--proxy-server=http://127.0.0.1:9",
            ],
            "prefs": {
                "download.default_directory": downloads.display().to_string(),
                "download.prompt_for_download": false,
            },
        },
    });
    let Value::Object(caps) = caps else { unreachable!() };
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a WebDriver session")
}

/// Waits until `script` (a JS expression) is truthy, up to 30 s; returns its value.
async fn until(client: &Client, what: &str, script: &str) -> Value {
    let started = Instant::now();
    loop {
        let v = client
            .execute(&format!("return ({script});"), vec![])
            .await
            .unwrap_or(Value::Null);
        let truthy = !matches!(&v, Value::Null | Value::Bool(false)) && v != json!("") && v != json!(0);
        if truthy {
            return v;
        }
        if started.elapsed() > Duration::from_secs(30) {
            let summary = client
                .execute("return document.body.innerText.slice(0, 2000);", vec![])
                .await
                .unwrap_or(Value::Null);
            panic!("timed out waiting for {what} ({script}); the page says: {summary}");
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Opens files through the page's file input, as a user picking them does.
async fn pick(client: &Client, files: &[&Path]) {
    let input = client.find(Locator::Css("#file-input")).await.unwrap();
    let paths: Vec<String> = files
        .iter()
        .map(|p| p.canonicalize().unwrap().display().to_string())
        .collect();
    input.send_keys(&paths.join("\n")).await.unwrap();
}

/// Sets a value cell's input and fires `input`, as typing does.
async fn type_cell(client: &Client, path: &str, value: &str) {
    client
        .execute(
            "const i = document.querySelector(`td[data-path='${arguments[0]}'] input`);
             i.focus(); i.value = arguments[1];
             i.dispatchEvent(new Event('input', {bubbles: true}));
             i.dispatchEvent(new Event('change', {bubbles: true}));",
            vec![json!(path), json!(value)],
        )
        .await
        .unwrap();
}

fn cell_js(path: &str) -> String {
    format!("document.querySelector(\"td[data-path='{path}']\")")
}

#[test]
fn the_page_in_a_real_browser() {
    if let Some(why) = browser_missing() {
        eprintln!("SKIPPED the_page_in_a_real_browser: {why}");
        return;
    }
    let server = Server::start();
    let driver = Driver::start();
    let downloads = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = browser(&driver, downloads.path()).await;
        let result = scenario(&client, &server, downloads.path()).await;
        let _ = client.close().await;
        result
    });
}

async fn scenario(client: &Client, server: &Server, downloads: &Path) {
    client.goto(&server.url).await.unwrap();
    until(
        client,
        "the page",
        "document.querySelector('#file-input') && window.nianbao",
    )
    .await;

    // 1. A seed: its tables show its numbers, and the page says it passes.
    let seed = fixture("000_7a31bcbeafe9deac.txt");
    let expected = crate::common::read(&seed);
    pick(client, &[&seed]).await;
    let total = "applications.new_received.total";
    until(
        client,
        "the seed's tables",
        &format!("{} && !window.nianbao.busy", cell_js(total)),
    )
    .await;
    let shown = client
        .execute(
            &format!("return {}.querySelector('input').value;", cell_js(total)),
            vec![],
        )
        .await
        .unwrap();
    let want = nianbao::model::fmt_num(expected.tables.cell(total).unwrap().number().unwrap());
    assert_eq!(shown, json!(want));
    let status = until(
        client,
        "the summary",
        "document.querySelector('#summary').dataset.status",
    )
    .await;
    assert_eq!(status, json!("pass"));

    // 2. A cell changed so that R1 fails: the equation's cells are marked, the summary says so.
    let cell = "applications.new_received.natural_person";
    let before = client
        .execute(
            &format!("return {}.querySelector('input').value;", cell_js(cell)),
            vec![],
        )
        .await
        .unwrap();
    let before = before.as_str().unwrap().to_string();
    let wrong = (before.parse::<i64>().unwrap() + 7).to_string();
    type_cell(client, cell, &wrong).await;
    until(
        client,
        "the rule marks",
        &format!(
            "{}.dataset.state === 'rule' && !window.nianbao.busy",
            cell_js(cell)
        ),
    )
    .await;
    // The time from an edit to its re-checked marks on the page, over five more edits.
    let mut times = Vec::new();
    for k in 1..=5 {
        client
            .execute("window.nianbao.lastCheckMs = null;", vec![])
            .await
            .unwrap();
        let value = (before.parse::<i64>().unwrap() + 7 + k).to_string();
        type_cell(client, cell, &value).await;
        let ms = until(
            client,
            "the check time",
            "!window.nianbao.busy && window.nianbao.lastCheckMs",
        )
        .await;
        times.push(ms.as_f64().unwrap());
    }
    times.sort_by(f64::total_cmp);
    let check_ms = times[2];
    let marked = client
        .execute(
            "return [...document.querySelectorAll(\"td[data-state='rule']\")].map(t => t.dataset.path);",
            vec![],
        )
        .await
        .unwrap();
    let marked: Vec<String> = serde_json::from_value(marked).unwrap();
    for p in [
        "applications.new_received.natural_person",
        "applications.carried_over.natural_person",
        "applications.total_processed.natural_person",
        "applications.carried_forward.natural_person",
        "applications.new_received.total",
    ] {
        assert!(
            marked.iter().any(|m| m == p),
            "{p} not marked; marked: {marked:?}"
        );
    }
    let summary = client.find(Locator::Css("#summary")).await.unwrap();
    assert_eq!(
        summary.attr("data-status").await.unwrap().as_deref(),
        Some("errors")
    );
    let text = summary.text().await.unwrap();
    assert!(text.contains("R1"), "the summary names the rule: {text}");

    // 3. Put back: clean again.
    type_cell(client, cell, &before).await;
    until(
        client,
        "the page clean again",
        "document.querySelector('#summary').dataset.status === 'pass' && !window.nianbao.busy",
    )
    .await;
    let marked = client
        .execute(
            "return document.querySelectorAll(\"td[data-state='rule']\").length;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(marked, json!(0));

    // 4. Huai'an's PDF: open and see its tables in under a second.
    let huaian = fixture("huaian-2024/report.pdf");
    pick(client, &[&huaian]).await;
    until(
        client,
        "Huai'an's tables",
        "document.querySelector(\".report-item[data-name='report.pdf']\") && !window.nianbao.busy && window.nianbao.lastOpenMs",
    )
    .await;
    let open_ms = client
        .execute("return window.nianbao.lastOpenMs;", vec![])
        .await
        .unwrap();
    eprintln!(
        "web: Huai'an opened and drawn in {open_ms} ms; a cell edit re-checked and redrawn in {check_ms} ms (median of {times:?})"
    );
    // Issue 15's targets (under 1 s to open Huai'an, under 100 ms to re-check an edit) are
    // measured here and printed; the server's share of both is the `serve` benchmark's.

    // 5. A hostile file: a clear message, and the server still answers.
    let hostile = fixture("hostile-docx/document-truncated.docx");
    pick(client, &[&hostile]).await;
    let error = until(
        client,
        "the hostile file's message",
        "(document.querySelector(\".report-item[data-name='document-truncated.docx'] .error\") || {}).textContent",
    )
    .await;
    let error = error.as_str().unwrap();
    assert!(error.contains("XML"), "{error}");
    let status = client
        .execute(
            "return document.querySelector(\".report-item[data-name='document-truncated.docx']\").dataset.status;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(status, json!("unreadable"));

    // 6. An empty 2021 form filled in, downloaded as PDF: the typed numbers are in it.
    client
        .find(Locator::Css("#new-2021"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let first = "applications.new_received.natural_person";
    until(
        client,
        "the empty form",
        &format!("{} && !window.nianbao.busy", cell_js(first)),
    )
    .await;
    let typed = [
        (first, "4321"),
        ("applications.new_received.commercial", "1234"),
        ("review_litigation.review.upheld", "5678"),
    ];
    for (path, value) in typed {
        let input = client
            .find(Locator::Css(&format!("td[data-path='{path}'] input")))
            .await
            .unwrap();
        input.click().await.unwrap();
        input.send_keys(value).await.unwrap();
    }
    until(
        client,
        "the typed values checked",
        &format!(
            "{}.dataset.state !== 'unresolved' && !window.nianbao.busy",
            cell_js(first)
        ),
    )
    .await;
    client
        .find(Locator::Css("#dl-pdf"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let pdf = wait_for_download(downloads, "pdf");
    let text = Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext");
    let text = String::from_utf8_lossy(&text.stdout);
    for (_, value) in typed {
        assert!(text.contains(value), "{value} not in the downloaded PDF");
    }
    // Cells still blank are marked unresolved on paper, as the CLI marks them.
    assert!(text.contains('※'), "blank cells unmarked in the PDF");

    // 7. Nothing left the machine: every resource the page loaded is this server's.
    let foreign = client
        .execute(
            "return performance.getEntriesByType('resource').map(e => e.name).filter(n => !n.startsWith(location.origin) && !n.startsWith('blob:') && !n.startsWith('data:'));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(foreign, json!([]));
}

/// The first `.ext` file to finish downloading into `dir`, within 30 s.
fn wait_for_download(dir: &Path, ext: &str) -> PathBuf {
    let started = Instant::now();
    loop {
        let found = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|e| e == ext));
        if let Some(p) = found
            && std::fs::metadata(&p).is_ok_and(|m| m.len() > 0)
        {
            return p;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no .{ext} downloaded into {}",
            dir.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
