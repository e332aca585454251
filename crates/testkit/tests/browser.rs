//! Smoke test of the WebDriver client against a real headless Chromium: a tiny form served
//! by axum, filled with the mouse and with the keyboard, on a phone-sized viewport, and
//! photographed. Each test skips itself when chromedriver is not installed (outside CI).

use alphadome_testkit::browser::{Browser, keys};
use axum::Form;
use axum::response::Html;
use axum::routing::get;
use std::collections::HashMap;

/// A form whose submission comes back echoed in `#echo`.
const PAGE: &str = r#"<!doctype html>
<html><head><meta name="viewport" content="width=device-width, initial-scale=1"><title>Form</title></head>
<body>
<form method="post" action="/">
  <input id="name" name="name">
  <select id="plan" name="plan"><option value="free">Free</option><option value="pro">Pro</option></select>
  <button id="send" type="submit">Send</button>
</form>
<p id="echo">ECHO</p>
</body></html>"#;

/// Serves [`PAGE`] on a free local port; returns its URL.
async fn serve() -> String {
    let app = axum::Router::new().route("/", get(async || page("nothing yet")).post(submitted));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind the test page");
    let url = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

async fn submitted(Form(fields): Form<HashMap<String, String>>) -> Html<String> {
    let field = |name: &str| fields.get(name).map(|v| v.replace('&', "&amp;").replace('<', "&lt;"));
    page(&format!("name={} plan={}", field("name").unwrap_or_default(), field("plan").unwrap_or_default()))
}

fn page(echo: &str) -> Html<String> {
    Html(PAGE.replace("ECHO", echo))
}

/// A browser on the test page, or `None` to skip.
async fn open() -> Option<Browser> {
    let browser = Browser::start().await?;
    browser.goto(&serve().await).await;
    Some(browser)
}

#[tokio::test]
async fn fills_selects_and_submits_with_the_mouse() {
    let Some(browser) = open().await else { return };
    assert_eq!(browser.title().await, "Form");
    browser.fill("#name", "Amina <3").await;
    browser.select("#plan", "pro").await;
    assert!(browser.find("#plan option[value='pro']").await.is_selected().await);
    assert_eq!(browser.find("#name").await.property("value").await, "Amina <3");
    browser.click("#send").await;
    let echo = browser.wait_for_text("#echo", "name=").await;
    assert_eq!(echo, "name=Amina <3 plan=pro");
    assert!(browser.source().await.contains("name=Amina &lt;3"));
}

#[tokio::test]
async fn tab_focuses_the_field_and_enter_submits() {
    let Some(browser) = open().await else { return };
    browser.press(keys::TAB).await;
    assert_eq!(browser.execute("return document.activeElement.id", &[]).await, "name");
    browser.press("Zed").await;
    browser.press(keys::ENTER).await;
    assert_eq!(browser.wait_for_text("#echo", "name=").await, "name=Zed plan=free");
    assert!(!browser.exists("#missing").await);
    assert_eq!(browser.find("#name").await.attr("id").await.as_deref(), Some("name"));
}

#[tokio::test]
async fn a_phone_viewport_is_exactly_360_css_pixels_wide() {
    let Some(browser) = open().await else { return };
    browser.set_viewport(360, 740, true).await;
    assert_eq!(browser.execute("return window.innerWidth", &[]).await, 360);
    browser.goto(&browser.current_url().await).await;
    assert_eq!(
        browser.execute("return [window.innerWidth, window.innerHeight]", &[]).await,
        serde_json::json!([360, 740])
    );
}

#[tokio::test]
async fn screenshots_are_png_files_and_full_page_ones_are_whole() {
    let Some(browser) = open().await else { return };
    let dir = tempfile::tempdir().expect("a temporary folder");
    let shot = dir.path().join("shots/page.png");
    browser.screenshot(&shot).await;
    let png = std::fs::read(&shot).expect("the screenshot");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");

    browser.execute("document.body.style.height = '3000px'", &[]).await;
    let full = dir.path().join("full.png");
    browser.full_page_screenshot(&full).await;
    let (width, height) = png_size(&std::fs::read(&full).expect("the full-page screenshot"));
    assert_eq!(width, 1280);
    assert!(height > 3000, "the full page is {height} px tall");
}

/// A PNG's width and height, from its header chunk.
fn png_size(png: &[u8]) -> (u32, u32) {
    let number = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    (number(16), number(20))
}
