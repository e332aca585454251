//! A small W3C WebDriver client for end-to-end tests of the dashboard. It starts its own
//! `chromedriver`, which runs a headless Chromium with a fresh profile, and speaks the
//! protocol's JSON over HTTP with `reqwest`: the handful of calls tests need did not justify
//! fantoccini's thirty extra crates.
//!
//! Without chromedriver, [`Browser::start`] returns `None` so a plain `cargo test` passes on
//! a machine with only Rust; under CI (`CI` set) it panics instead, so a CI run can never
//! silently skip the browser tests. Every other call panics on a WebDriver error, naming the
//! error and the CSS selector concerned: in a test, that panic is the failure report.

use base64::Engine;
use reqwest::Method;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Special keys for [`Browser::press`] and [`Element::send_keys`], as WebDriver codes them.
pub mod keys {
    /// The Tab key.
    pub const TAB: &str = "\u{E004}";
    /// The Enter key.
    pub const ENTER: &str = "\u{E007}";
}

/// How long [`Browser::find`] and [`Browser::wait_for_text`] wait before failing.
const WAIT: Duration = Duration::from_secs(5);
/// The pause between two polls.
const POLL: Duration = Duration::from_millis(50);
/// How long chromedriver gets to start listening and to report ready.
const STARTUP: Duration = Duration::from_secs(10);
/// The JSON key under which WebDriver names an element.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
/// Headless without a sandbox (CI containers run as root), nothing that phones home or
/// updates itself mid-test, `/tmp` instead of a container's small `/dev/shm`, and a
/// desktop-sized window.
const CHROMIUM_ARGS: [&str; 8] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--window-size=1280,900",
];

/// An error answer from chromedriver.
#[derive(Debug)]
struct WdError {
    error: String,
    message: String,
}

impl std::fmt::Display for WdError {
    /// The message's first line: the rest is chromedriver's session info and stack trace.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let message = self.message.lines().next().unwrap_or_default();
        if message.starts_with(&self.error) {
            f.write_str(message)
        } else {
            write!(f, "{}: {message}", self.error)
        }
    }
}

/// A chromedriver process; killed and reaped on drop, even when the browser failed to start.
struct Driver {
    child: Child,
    /// `127.0.0.1:PORT`.
    addr: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A viewport set through Chrome's device emulation.
#[derive(Clone, Copy)]
struct Viewport {
    width: u32,
    mobile: bool,
}

/// A headless Chromium behind its own chromedriver; both end when it is dropped.
pub struct Browser {
    http: reqwest::Client,
    /// `http://127.0.0.1:PORT/session/ID`, the prefix of every command.
    session: String,
    session_id: String,
    /// The last [`Browser::set_viewport`], which a full-page screenshot keeps.
    viewport: Mutex<Option<Viewport>>,
    driver: Driver,
}

impl Drop for Browser {
    /// Ends the session first, so that chromedriver closes Chromium and all its processes
    /// exit: killing chromedriver alone would leave Chromium running, orphaned. The driver
    /// is killed after.
    fn drop(&mut self) {
        let _ = delete_session(&self.driver.addr, &self.session_id);
    }
}

impl Browser {
    /// Starts chromedriver on a free local port and opens a headless Chromium session, or
    /// returns `None` (after saying so) when chromedriver or Chromium is not installed.
    ///
    /// chromedriver: `ALPHADOME_CHROMEDRIVER`, else `/usr/bin/chromedriver`, else `PATH`.
    /// Chromium: `ALPHADOME_CHROMIUM`, else `/usr/bin/chromium`, else `PATH`.
    ///
    /// # Panics
    /// When either is missing and `CI` is set, or when they fail to start.
    pub async fn start() -> Option<Self> {
        let driver_path = locate("ALPHADOME_CHROMEDRIVER", "chromedriver");
        let chromium_path = locate("ALPHADOME_CHROMIUM", "chromium");
        let (Some(driver_path), Some(chromium_path)) = (driver_path, chromium_path) else {
            if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
                panic!("chromedriver not found: install chromium and chromium-driver");
            }
            eprintln!("SKIPPED: chromedriver or chromium not found; install chromium and chromium-driver");
            return None;
        };
        let driver = spawn_driver(&driver_path).await;
        let http =
            reqwest::Client::builder().timeout(Duration::from_secs(60)).build().expect("an HTTP client");
        let base = format!("http://{}", driver.addr);
        wait_ready(&http, &base).await;
        let session_id = new_session(&http, &base, &chromium_path).await;
        let session = format!("{base}/session/{session_id}");
        Some(Self { http, session, session_id, viewport: Mutex::new(None), driver })
    }

    /// Resizes the window (outer size: in headless Chromium the page gets about 143 px less
    /// height than the window, and the full width).
    pub async fn set_size(&self, width: u32, height: u32) {
        let rect = json!({ "width": width, "height": height });
        self.command(Method::POST, "/window/rect", rect, &format!("set the window to {width}x{height}"))
            .await;
    }

    /// Emulates a viewport of exactly `width` x `height` CSS pixels until the next call
    /// (Chrome's device metrics override: unlike the window rect, it sets the page's own
    /// size, and can emulate a phone). With `mobile`, the page is laid out as on a phone:
    /// `window.innerWidth` equals `width` only when the page has
    /// `<meta name="viewport" content="width=device-width">`, otherwise it is 980.
    pub async fn set_viewport(&self, width: u32, height: u32, mobile: bool) {
        let params = json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile });
        let body = json!({ "cmd": "Emulation.setDeviceMetricsOverride", "params": params });
        let context = format!("emulate a {width}x{height} viewport");
        self.command(Method::POST, "/goog/cdp/execute", body, &context).await;
        *self.viewport.lock().unwrap() = Some(Viewport { width, mobile });
    }

    /// Opens `url` and waits for it to load.
    pub async fn goto(&self, url: &str) {
        self.command(Method::POST, "/url", json!({ "url": url }), &format!("open {url}")).await;
    }

    /// The current page's URL.
    pub async fn current_url(&self) -> String {
        string(self.command(Method::GET, "/url", Value::Null, "read the URL").await)
    }

    /// The current page's title.
    pub async fn title(&self) -> String {
        string(self.command(Method::GET, "/title", Value::Null, "read the title").await)
    }

    /// The current page's HTML, as the browser now holds it.
    pub async fn source(&self) -> String {
        string(self.command(Method::GET, "/source", Value::Null, "read the page source").await)
    }

    /// Runs `script` as a function body with `arguments` = `args`, and returns what it returns.
    pub async fn execute(&self, script: &str, args: &[Value]) -> Value {
        let body = json!({ "script": script, "args": args });
        self.command(Method::POST, "/execute/sync", body, &format!("run script `{script}`")).await
    }

    /// The first element matching `css`, waiting up to 5 s for it to appear.
    ///
    /// # Panics
    /// When none appears, naming the selector and the page.
    pub async fn find(&self, css: &str) -> Element<'_> {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(element) = self.find_all(css).await.into_iter().next() {
                return element;
            }
            if Instant::now() >= deadline {
                panic!("no element matches `{css}` on {} after {WAIT:?}", self.current_url().await);
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Every element matching `css` now, without waiting.
    pub async fn find_all(&self, css: &str) -> Vec<Element<'_>> {
        let body = json!({ "using": "css selector", "value": css });
        let found = self.command(Method::POST, "/elements", body, &format!("find `{css}`")).await;
        let found = found.as_array().cloned().unwrap_or_default();
        found
            .iter()
            .map(|e| Element { browser: self, id: string(e[ELEMENT_KEY].clone()), css: css.into() })
            .collect()
    }

    /// Whether an element matches `css` now, without waiting.
    pub async fn exists(&self, css: &str) -> bool {
        !self.find_all(css).await.is_empty()
    }

    /// Replaces the text of the field matching `css` with `text`, as typed.
    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field.clear().await;
        field.send_keys(text).await;
    }

    /// Clicks the element matching `css`.
    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await;
    }

    /// The visible text of the element matching `css`.
    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await
    }

    /// Chooses `value` in the `<select>` matching `css` by clicking its option, as a user
    /// would. `css` must be a single selector (no comma).
    pub async fn select(&self, css: &str, value: &str) {
        let escaped = value.replace('\\', "\\\\").replace('\'', "\\'");
        self.click(&format!("{css} option[value='{escaped}']")).await;
    }

    /// Types `keys` (text or [`keys`] constants) into whatever element has the focus.
    pub async fn press(&self, keys: &str) {
        let active =
            self.command(Method::GET, "/element/active", Value::Null, "find the focused element").await;
        let element =
            Element { browser: self, id: string(active[ELEMENT_KEY].clone()), css: ":focus".into() };
        element.send_keys(keys).await;
    }

    /// Waits up to 5 s until the element matching `css` shows text containing `needle`, and
    /// returns that text. The element is looked up again on each poll, so it may be
    /// replaced by a navigation meanwhile.
    ///
    /// # Panics
    /// When the text never contains `needle`, with the last text seen.
    pub async fn wait_for_text(&self, css: &str, needle: &str) -> String {
        let deadline = Instant::now() + WAIT;
        let mut last = None;
        loop {
            if let Some(text) = self.try_text(css).await {
                if text.contains(needle) {
                    return text;
                }
                last = Some(text);
            }
            if Instant::now() >= deadline {
                let seen = last.map_or("no element matched".into(), |t| format!("last text {t:?}"));
                panic!("`{css}` never showed {needle:?} within {WAIT:?} ({seen})");
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// The text of the first element matching `css`, or `None` if there is none or it went
    /// stale between the lookup and the read.
    async fn try_text(&self, css: &str) -> Option<String> {
        let element = self.find_all(css).await.into_iter().next()?;
        self.try_command(Method::GET, &format!("/element/{}/text", element.id), Value::Null)
            .await
            .ok()
            .map(string)
    }

    /// Saves a PNG of the viewport to `path`, creating its folder.
    pub async fn screenshot(&self, path: &Path) {
        let encoded =
            string(self.command(Method::GET, "/screenshot", Value::Null, "take a screenshot").await);
        let png = base64::engine::general_purpose::STANDARD.decode(encoded).expect("a base64 screenshot");
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("create {}: {e}", parent.display()));
        }
        std::fs::write(path, png).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }

    /// Saves a PNG of the whole page to `path`: the viewport is first made as tall as the
    /// document (keeping its width and mobile mode), and stays so afterwards.
    pub async fn full_page_screenshot(&self, path: &Path) {
        let set = *self.viewport.lock().unwrap();
        let viewport = match set {
            Some(viewport) => viewport,
            None => Viewport { width: self.script_u32("return window.innerWidth").await, mobile: false },
        };
        let height = self.script_u32("return document.documentElement.scrollHeight").await;
        self.set_viewport(viewport.width, height, viewport.mobile).await;
        self.screenshot(path).await;
    }

    async fn script_u32(&self, script: &str) -> u32 {
        let value = self.execute(script, &[]).await;
        value
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or_else(|| panic!("`{script}` gave {value}"))
    }

    /// Sends a command of this session; panics with `context` and the WebDriver error.
    async fn command(&self, method: Method, path: &str, body: Value, context: &str) -> Value {
        self.try_command(method, path, body).await.unwrap_or_else(|e| panic!("could not {context}: {e}"))
    }

    async fn try_command(&self, method: Method, path: &str, body: Value) -> Result<Value, WdError> {
        call(&self.http, method, &format!("{}{path}", self.session), body).await
    }
}

/// An element of the page, by WebDriver's reference; it goes stale when the page changes.
pub struct Element<'b> {
    browser: &'b Browser,
    id: String,
    /// The selector it was found by, for error messages.
    css: String,
}

impl Element<'_> {
    /// Clicks it (scrolled into view; fails if something covers it).
    pub async fn click(&self) {
        self.command(Method::POST, "/click", json!({}), "click").await;
    }

    /// Empties it (an input, a textarea or an editable element).
    pub async fn clear(&self) {
        self.command(Method::POST, "/clear", json!({}), "clear").await;
    }

    /// Types `text` into it (text or [`keys`] constants), after focusing it.
    pub async fn send_keys(&self, text: &str) {
        self.command(Method::POST, "/value", json!({ "text": text }), &format!("type {text:?} into")).await;
    }

    /// Its visible text.
    pub async fn text(&self) -> String {
        string(self.command(Method::GET, "/text", Value::Null, "read the text of").await)
    }

    /// Its HTML attribute `name`, as written in the page; `None` when absent.
    pub async fn attr(&self, name: &str) -> Option<String> {
        let path = format!("/attribute/{name}");
        let value = self.command(Method::GET, &path, Value::Null, &format!("read attribute {name} of")).await;
        value.as_str().map(str::to_owned)
    }

    /// Its DOM property `name` (the live `value` of an input, `checked`, …).
    pub async fn property(&self, name: &str) -> Value {
        let path = format!("/property/{name}");
        self.command(Method::GET, &path, Value::Null, &format!("read property {name} of")).await
    }

    /// Whether it is a checked checkbox or radio button, or a selected option.
    pub async fn is_selected(&self) -> bool {
        self.command(Method::GET, "/selected", Value::Null, "read the selection of").await
            == Value::Bool(true)
    }

    /// Sends a command about this element; panics naming the action and the selector.
    async fn command(&self, method: Method, path: &str, body: Value, action: &str) -> Value {
        let path = format!("/element/{}{path}", self.id);
        let answer = self.browser.try_command(method, &path, body).await;
        answer.unwrap_or_else(|e| panic!("could not {action} `{}`: {e}", self.css))
    }
}

/// Sends one WebDriver command and unwraps its `value`.
///
/// # Panics
/// When chromedriver does not answer at all.
async fn call(http: &reqwest::Client, method: Method, url: &str, body: Value) -> Result<Value, WdError> {
    let mut request = http.request(method.clone(), url);
    if method == Method::POST {
        request = request.json(&body);
    }
    let answer = match request.send().await {
        Ok(response) => response.json::<Value>().await,
        Err(e) => Err(e),
    };
    let mut answer = answer.unwrap_or_else(|e| panic!("chromedriver did not answer {method} {url}: {e}"));
    let value = answer["value"].take();
    match value.get("error").and_then(Value::as_str) {
        Some(error) => Err(WdError { error: error.into(), message: string(value["message"].clone()) }),
        None => Ok(value),
    }
}

/// A JSON string's content, or the JSON text of anything else.
fn string(value: Value) -> String {
    match value {
        Value::String(s) => s,
        other => other.to_string(),
    }
}

/// The program named by the environment variable `var`, else `/usr/bin/{name}`, else the
/// first `name` on `PATH`. A variable naming a missing file finds nothing.
fn locate(var: &str, name: &str) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(var).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path)).filter(|p| p.is_file());
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut candidates = std::iter::once(PathBuf::from("/usr/bin")).chain(std::env::split_paths(&path));
    candidates.find_map(|dir| Some(dir.join(name)).filter(|p| p.is_file()))
}

/// Starts chromedriver with `--port=0`, which makes it pick a free port itself (no race
/// with another test binding the same port), and reads the port it reports.
async fn spawn_driver(path: &Path) -> Driver {
    let mut child = Command::new(path)
        .arg("--port=0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", path.display()));
    let stdout = child.stdout.take().expect("chromedriver's stdout");
    let mut driver = Driver { child, addr: String::new() };
    let (port_tx, port_rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || read_port(stdout, port_tx));
    let port = tokio::time::timeout(STARTUP, port_rx).await.ok().and_then(Result::ok);
    let port = port.unwrap_or_else(|| panic!("{} did not report the port it listens on", path.display()));
    driver.addr = format!("127.0.0.1:{port}");
    driver
}

/// Sends the port from chromedriver's "started successfully on port N." line, then keeps
/// reading its output until it exits, so that it never blocks on a full pipe.
fn read_port(stdout: ChildStdout, port_tx: tokio::sync::oneshot::Sender<u16>) {
    let mut port_tx = Some(port_tx);
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        let port = line.split("started successfully on port ").nth(1);
        if let Some(port) = port.and_then(|p| p.trim_end_matches('.').parse().ok())
            && let Some(tx) = port_tx.take()
        {
            let _ = tx.send(port);
        }
    }
}

/// Waits until chromedriver's `GET /status` says it is ready for a session.
async fn wait_ready(http: &reqwest::Client, base: &str) {
    let deadline = Instant::now() + STARTUP;
    loop {
        let status = http.get(format!("{base}/status")).send().await;
        let ready = match status {
            Ok(response) => response.json::<Value>().await.is_ok_and(|s| s["value"]["ready"] == true),
            Err(_) => false,
        };
        if ready {
            return;
        }
        assert!(Instant::now() < deadline, "chromedriver at {base} not ready after {STARTUP:?}");
        tokio::time::sleep(POLL).await;
    }
}

/// Opens a session running `chromium` headless with a fresh profile; returns its id.
async fn new_session(http: &reqwest::Client, base: &str, chromium: &Path) -> String {
    let options = json!({ "binary": chromium, "args": CHROMIUM_ARGS });
    let capabilities = json!({ "alwaysMatch": { "browserName": "chrome", "goog:chromeOptions": options } });
    let session =
        call(http, Method::POST, &format!("{base}/session"), json!({ "capabilities": capabilities })).await;
    let session =
        session.unwrap_or_else(|e| panic!("chromedriver could not start {}: {e}", chromium.display()));
    string(session["sessionId"].clone())
}

/// `DELETE /session/{id}` over a plain blocking socket, because `Drop` cannot await; it
/// returns once chromedriver answers, which it does after closing Chromium. Only the
/// answer's first bytes are awaited: chromedriver keeps the connection open regardless of
/// `Connection: close`, so reading to the end would wait for the timeout.
fn delete_session(addr: &str, id: &str) -> std::io::Result<()> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(STARTUP))?;
    let request = format!(
        "DELETE /session/{id} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes())?;
    stream.read_exact(&mut [0; 12])?;
    Ok(())
}
