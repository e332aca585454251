//! The dashboard end to end in a real headless Chromium: a platform admin provisions a
//! tenant, its admin logs in (from the keyboard), adds an FAQ entry, asks it in the test chat,
//! imports a CSV, switches the bot off; another tenant's admin cannot reach any of it; every
//! main page fits a 360 px phone screen. Screenshots of the main pages at both widths go to
//! `ALPHADOME_SCREENSHOTS` when set (`docs/screenshots` refreshes the README's pictures).

use crate::TestApp;
use crate::replies::{NUMBER, customer_says, worker};
use alphadome_crypto::SecretString;
use alphadome_store::Backend;
use alphadome_testkit::browser::keys::{ENTER, TAB};
use alphadome_testkit::{Browser, FakeGraph, TestDb};
use std::path::PathBuf;

const PASSWORD: &str = "a long and honest passphrase";
const PHONE: (u32, u32) = (360, 740);
const DESKTOP: (u32, u32) = (1280, 900);

/// Logs in through the form from the keyboard: type, Tab to the next field, Enter to submit.
async fn log_in(browser: &Browser, base: &str, email: &str) {
    browser.goto(&format!("{base}/dashboard/login")).await;
    browser.find("#email").await.click().await;
    browser.press(email).await;
    browser.press(TAB).await;
    browser.press(PASSWORD).await;
    browser.press(ENTER).await;
    browser.wait_for_text("header", email).await;
}

async fn log_out(browser: &Browser) {
    browser.click("header button[type=submit]").await;
    browser.wait_for_text("h1", "Log in").await;
}

/// Where screenshots go, if anywhere.
fn screenshot_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("ALPHADOME_SCREENSHOTS")?;
    let dir = PathBuf::from(dir);
    // Relative to the workspace, not to this crate.
    Some(if dir.is_absolute() {
        dir
    } else {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").join(dir)
    })
}

/// Checks the page at phone width (nothing wider than the screen) and, when asked, saves
/// it at both widths.
async fn check_and_shoot(browser: &Browser, name: &str) {
    browser.set_viewport(PHONE.0, PHONE.1, true).await;
    let overflow = browser
        .execute("return document.documentElement.scrollWidth - window.innerWidth", &[])
        .await
        .as_i64()
        .unwrap();
    assert!(overflow <= 0, "{name} is {overflow} px wider than a 360 px phone");
    if let Some(dir) = screenshot_dir() {
        browser.full_page_screenshot(&dir.join(format!("{name}-phone.png"))).await;
        browser.set_viewport(DESKTOP.0, DESKTOP.1, false).await;
        browser.full_page_screenshot(&dir.join(format!("{name}-desktop.png"))).await;
    }
    browser.set_viewport(DESKTOP.0, DESKTOP.1, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_works_end_to_end_in_a_real_browser() {
    let Some(browser) = Browser::start().await else { return };
    let db = TestDb::new(Backend::Sqlite).await.unwrap();
    let app = TestApp::spawn(&db).await;
    let base = app.base.clone();
    app.services.create_account("root@example.com", SecretString::from(PASSWORD), None, "t").await.unwrap();
    browser.set_viewport(DESKTOP.0, DESKTOP.1, false).await;

    browser.goto(&format!("{base}/dashboard/login")).await;
    check_and_shoot(&browser, "login").await;

    // The platform admin provisions a tenant with its admin.
    log_in(&browser, &base, "root@example.com").await;
    browser.click("a[href='/dashboard/tenants/new']").await;
    browser.fill("#client_name", "Kassangas Music Shop").await;
    browser.fill("#slug", "shop").await;
    browser.fill("#whatsapp_phone_number_id", NUMBER).await;
    browser.fill("#whatsapp_access_token", "EAAGshopTOKEN0123456789").await;
    browser.fill("#admin_email", "gideon@kassangas.co.ke").await;
    browser.fill("#admin_password", PASSWORD).await;
    check_and_shoot(&browser, "new-tenant").await;
    browser.click("main button[type=submit]").await;
    let url = browser.wait_for_text("#webhook-url", "/webhooks/whatsapp/shop").await;
    assert!(url.ends_with("/webhooks/whatsapp/shop"));
    let verify = browser.text("#verify-token").await;
    let tenant = app.services.tenant("shop").await.unwrap();
    assert_eq!(tenant.profile.webhook_verify_token, verify);
    log_out(&browser).await;

    // Some traffic, so the overview and conversations have something to show.
    let graph = FakeGraph::start().await;
    app.create_tenant("other", "2").await;
    let faq = alphadome_core::training::TrainingFields {
        data_type: Some("faq".into()),
        question: Some("What time do you open?".into()),
        answer: Some("Mon–Sat 9am–6pm.".into()),
        ..Default::default()
    };
    app.services.add_training(tenant.id, &faq, "t").await.unwrap();
    customer_says(&app, "wamid.B1", "what time do you open").await;
    customer_says(&app, "wamid.B2", "do you repair violins in Mombasa").await;
    worker(&app, &graph).run_until_empty().await.unwrap();

    // Its admin logs in, lands on his overview, and adds an FAQ entry.
    log_in(&browser, &base, "gideon@kassangas.co.ke").await;
    browser.wait_for_text("h1", "Overview").await;
    check_and_shoot(&browser, "overview").await;
    browser.click("nav.tabs a[href='/dashboard/t/shop/knowledge']").await;
    browser.fill("#question", "Do you sell guitar strings?").await;
    browser.fill("#answer", "Yes: Ernie Ball and D'Addario, from KSh 900 a set.").await;
    browser.click("#add + form button[type=submit]").await;
    browser.wait_for_text(".flash", "Added").await;
    check_and_shoot(&browser, "knowledge").await;

    // He asks it in the test chat and sees the answer and why.
    browser.click("nav.tabs a[href='/dashboard/t/shop/chat']").await;
    browser.fill("#message", "do you sell guitar strings").await;
    browser.press(ENTER).await;
    let said = browser.wait_for_text("#transcript", "KSh 900").await;
    assert!(said.contains("source: faq") && said.contains("Do you sell guitar strings?"), "{said}");
    check_and_shoot(&browser, "test-chat").await;

    // He imports a CSV: a preview first, then the import.
    browser.goto(&format!("{base}/dashboard/t/shop/knowledge/import")).await;
    let csv = "data_type,question,answer,category,priority,is_active\n\
               faq,Do you deliver?,Yes within Nairobi.,,0,true\n\
               faq,Do you teach piano?,Yes: Saturday classes.,lessons,0,true\n";
    browser.fill("#csv", csv).await;
    browser.click("button[value=preview]").await;
    browser.wait_for_text("h2", "Preview: 2 entries").await;
    check_and_shoot(&browser, "import-preview").await;
    browser.click("button[value=import]").await;
    browser.wait_for_text(".flash", "Imported 2 entries.").await;
    let entries = app.services.training(tenant.id, &Default::default()).await.unwrap();
    assert!(entries.iter().any(|e| e.entry.question == "Do you teach piano?"));

    // He switches the bot off.
    browser.click("nav.tabs a[href='/dashboard/t/shop/settings']").await;
    browser.select("#is_bot_enabled", "false").await;
    browser.click("main form button[type=submit]").await;
    browser.wait_for_text(".flash", "Saved.").await;
    assert!(!app.services.settings(tenant.id).await.unwrap().is_bot_enabled);
    check_and_shoot(&browser, "settings").await;

    for (page, name) in [
        ("conversations", "conversations"),
        ("conversations/254700000001", "thread"),
        ("review", "review"),
        ("credentials", "credentials"),
        ("persona", "persona"),
        ("keys", "api-keys"),
    ] {
        browser.goto(&format!("{base}/dashboard/t/shop/{page}")).await;
        browser.find("nav.tabs").await;
        check_and_shoot(&browser, name).await;
    }
    log_out(&browser).await;

    // The platform's tenant list, with the new tenant in it.
    log_in(&browser, &base, "root@example.com").await;
    browser.wait_for_text("main", "Kassangas Music Shop").await;
    check_and_shoot(&browser, "tenants").await;
    log_out(&browser).await;

    // Another tenant's admin cannot reach any of the first tenant's pages.
    let other = app.services.tenant("other").await.unwrap();
    app.services
        .create_account("admin@other.co.ke", SecretString::from(PASSWORD), Some(other.id), "t")
        .await
        .unwrap();
    log_in(&browser, &base, "admin@other.co.ke").await;
    for page in ["", "/knowledge", "/chat", "/settings", "/conversations", "/credentials", "/keys"] {
        browser.goto(&format!("{base}/dashboard/t/shop{page}")).await;
        browser.wait_for_text("h1", "Not found").await;
        assert!(!browser.source().await.contains("Kassangas"), "{page}");
    }
}
