use crate::TestApp;
use alphadome_crypto::SecretString;
use alphadome_service::graph::GraphClient;
use alphadome_testkit::{FakeGraph, TestDb, backend_test};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};

const PASSWORD: &str = "a long and honest passphrase";

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// The `name=value` part of a `Set-Cookie` header.
fn cookie(response: &reqwest::Response) -> String {
    response.headers()[SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_owned()
}

/// The CSRF token of the first form on `page`.
fn csrf_in(page: &str) -> String {
    page.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned()
}

/// Logs in through the form; returns the session cookie.
async fn log_in(app: &TestApp, email: &str) -> String {
    let client = no_redirects();
    let form = client.get(format!("{}/dashboard/login", app.base)).send().await.unwrap();
    let login_csrf = cookie(&form);
    let page = form.text().await.unwrap();
    assert!(page.contains("name=\"viewport\"") && page.contains("autocomplete=\"current-password\""));
    let csrf = login_csrf.split_once('=').unwrap().1.to_owned();
    let response = client
        .post(format!("{}/dashboard/login", app.base))
        .header(COOKIE, &login_csrf)
        .form(&[("email", email), ("password", PASSWORD), ("code", ""), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    cookie(&response)
}

async fn get(app: &TestApp, path: &str, session: &str) -> (StatusCode, String, Option<String>) {
    let response =
        no_redirects().get(format!("{}{path}", app.base)).header(COOKIE, session).send().await.unwrap();
    let location = response.headers().get(LOCATION).map(|l| l.to_str().unwrap().to_owned());
    (response.status(), response.text().await.unwrap(), location)
}

backend_test!(the_dashboard_logs_in_and_shows_each_admin_only_his_tenants, async |db: &TestDb| {
    let app = TestApp::spawn(db).await;
    app.create_tenant("shop", "1").await;
    app.create_tenant("other", "2").await;
    let shop = app.services.tenant("shop").await.unwrap();
    app.services.create_account("root@example.com", SecretString::from(PASSWORD), None, "t").await.unwrap();
    app.services
        .create_account("gideon@shop.co.ke", SecretString::from(PASSWORD), Some(shop.id), "t")
        .await
        .unwrap();

    // Not logged in: to the login page.
    let (status, _, location) = get(&app, "/dashboard", "").await;
    assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some("/dashboard/login")));

    // A login form without its CSRF cookie, or with a wrong password, changes nothing.
    let forged = no_redirects()
        .post(format!("{}/dashboard/login", app.base))
        .form(&[("email", "root@example.com"), ("password", PASSWORD), ("csrf", "guess")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(forged.headers().get(SET_COOKIE).is_none());

    let platform = log_in(&app, "root@example.com").await;
    let (status, page, _) = get(&app, "/dashboard", &platform).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("shop shop") && page.contains("other shop") && page.contains("root@example.com"));

    // A tenant admin lands on his own tenant and cannot reach another's page.
    let gideon = log_in(&app, "gideon@shop.co.ke").await;
    let (status, _, location) = get(&app, "/dashboard", &gideon).await;
    assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some("/dashboard/t/shop")));
    let (status, page, _) = get(&app, "/dashboard/t/shop", &gideon).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Messages per hour") && page.contains("<svg"));
    let (status, page, _) = get(&app, "/dashboard/t/shop/credentials", &gideon).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("/webhooks/whatsapp/shop"));
    let (status, page, _) = get(&app, "/dashboard/t/other", &gideon).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!page.contains("other shop"));
    assert_eq!(get(&app, "/dashboard/t/nonexistent", &gideon).await.0, StatusCode::NOT_FOUND);
    // His own audit log shows his login (escaped, never a secret); another tenant's is 404.
    let (status, page, _) = get(&app, "/dashboard/t/shop/audit", &gideon).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("account.login") && page.contains("account:gideon@shop.co.ke"));
    assert!(!page.contains(PASSWORD));
    assert_eq!(get(&app, "/dashboard/t/other/audit", &gideon).await.0, StatusCode::NOT_FOUND);

    // Switches and limits: saved all at once, or, on a bad value, nothing at all.
    let (status, page, _) = get(&app, "/dashboard/t/shop/settings", &gideon).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("name=\"max_messages_per_hour\"") && page.contains("name=\"is_bot_enabled\""));
    let page_csrf = csrf_in(&page);
    let save = |fields: Vec<(&'static str, String)>| {
        no_redirects()
            .post(format!("{}/dashboard/t/shop/settings", app.base))
            .header(COOKIE, &gideon)
            .form(&fields)
            .send()
    };
    let bad = save(vec![
        ("csrf", page_csrf.clone()),
        ("is_bot_enabled", "false".into()),
        ("max_messages_per_hour", "-5".into()),
    ])
    .await
    .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().await.unwrap().contains("Nothing was changed"));
    assert!(app.services.settings(shop.id).await.unwrap().is_bot_enabled, "unchanged");
    let good = save(vec![
        ("csrf", page_csrf.clone()),
        ("is_bot_enabled", "false".into()),
        ("max_messages_per_hour", "250".into()),
    ])
    .await
    .unwrap();
    assert_eq!(good.status(), StatusCode::OK);
    assert!(good.text().await.unwrap().contains("Saved."));
    let saved = app.services.settings(shop.id).await.unwrap();
    assert_eq!((saved.is_bot_enabled, saved.max_messages_per_hour), (false, 250));
    let forged = save(vec![("csrf", "forged".into()), ("is_bot_enabled", "true".into())]).await.unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(!app.services.settings(shop.id).await.unwrap().is_bot_enabled);
    assert_eq!(get(&app, "/dashboard/t/other/settings", &gideon).await.0, StatusCode::NOT_FOUND);

    // Logging out needs the page's CSRF token, and ends the session.
    let logout = |csrf: &str| {
        no_redirects()
            .post(format!("{}/dashboard/logout", app.base))
            .header(COOKIE, &gideon)
            .form(&[("csrf", csrf)])
            .send()
    };
    assert_eq!(logout("forged").await.unwrap().status(), StatusCode::FORBIDDEN);
    let (_, page, _) = get(&app, "/dashboard/t/shop", &gideon).await;
    let csrf = csrf_in(&page);
    assert_eq!(logout(&csrf).await.unwrap().status(), StatusCode::SEE_OTHER);
    assert_eq!(get(&app, "/dashboard/t/shop", &gideon).await.2.as_deref(), Some("/dashboard/login"));
});

/// The session's CSRF token, read off a page.
async fn csrf(app: &TestApp, session: &str) -> String {
    let (_, page, _) = get(app, "/dashboard/t/shop/chat", session).await;
    csrf_in(&page)
}

/// POSTs a dashboard form.
async fn post(app: &TestApp, path: &str, session: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
    let response = no_redirects()
        .post(format!("{}{path}", app.base))
        .header(COOKIE, session)
        .form(fields)
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

backend_test!(a_tenant_admin_runs_his_bot_from_the_dashboard, async |db: &TestDb| {
    use crate::replies::{NUMBER, TOKEN, customer_says, shop, worker};
    let graph = FakeGraph::start().await;
    let graph_url = graph.url.clone();
    let app = TestApp::spawn_with(db, |s| s.with_graph(GraphClient::new(&graph_url, "v23.0"))).await;
    shop(&app).await;
    app.create_tenant("other", "2").await;
    graph.add_number(NUMBER, TOKEN);
    let tenant = app.services.tenant("shop").await.unwrap();
    app.services
        .create_account("gideon@shop.co.ke", SecretString::from(PASSWORD), Some(tenant.id), "t")
        .await
        .unwrap();
    let gideon = log_in(&app, "gideon@shop.co.ke").await;
    let token = csrf(&app, &gideon).await;
    let worker = worker(&app, &graph);

    // Traffic: an FAQ answer, a question the bot cannot answer, and a draft in training mode.
    customer_says(&app, "wamid.D1", "what time do you open").await;
    customer_says(&app, "wamid.D2", "do you repair violins in Mombasa").await;
    worker.run_until_empty().await.unwrap();
    let sent = graph.texts().len();
    let on = vec![("enable_training_mode".to_owned(), "true".to_owned())];
    app.services.set_settings(tenant.id, &on, "t").await.unwrap();
    customer_says(&app, "wamid.D3", "what time do you open please").await;
    worker.run_until_empty().await.unwrap();
    assert_eq!(graph.texts().len(), sent, "a draft is not sent");

    let (status, page, _) = get(&app, "/dashboard/t/shop", &gideon).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Messages per hour") && page.contains("3 messages in"), "{page}");
    assert!(page.contains("faq") && page.contains("fallback") && page.contains("0 / 200000"));

    let (_, page, _) = get(&app, "/dashboard/t/shop/conversations", &gideon).await;
    assert!(page.contains("/dashboard/t/shop/conversations/254700000001"));
    let (_, page, _) = get(&app, "/dashboard/t/shop/conversations/254700000001", &gideon).await;
    assert!(page.contains("✓ sent") && page.contains("matched “What time do you open?”"), "{page}");
    assert!(page.contains("draft (training mode)"));
    // Both questions came before either answer, yet each answer follows its question.
    let at = |needle: &str| page.find(needle).unwrap_or_else(|| panic!("{needle} not shown"));
    assert!(at("what time do you open<") < at("Mon–Sat") && at("Mon–Sat") < at("do you repair violins"));

    // Review: the unanswered question becomes an FAQ entry in one step; the draft is dismissed.
    let queue = app.services.review_queue(tenant.id, 10).await.unwrap();
    assert_eq!(queue.len(), 2);
    let (_, page, _) = get(&app, "/dashboard/t/shop/review", &gideon).await;
    assert!(page.contains("do you repair violins in Mombasa") && page.contains("unanswered"));
    let unanswered = queue.iter().find(|i| !i.draft).unwrap();
    let draft = queue.iter().find(|i| i.draft).unwrap();
    let learn = format!("/dashboard/t/shop/review/{}", unanswered.id);
    let fields = [
        ("csrf", token.as_str()),
        ("action", "learn"),
        ("question", "Do you repair violins?"),
        ("answer", ""),
    ];
    let (status, page) = post(&app, &learn, &gideon, &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "an empty answer is refused");
    assert!(page.contains("Nothing was changed"));
    assert_eq!(app.services.review_queue(tenant.id, 10).await.unwrap().len(), 2);
    let fields = [
        ("csrf", token.as_str()),
        ("action", "learn"),
        ("question", "Do you repair violins?"),
        ("answer", "Yes, bring it to the shop."),
    ];
    let (status, page) = post(&app, &learn, &gideon, &fields).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Learned: “Do you repair violins?”"));
    let audit = app.services.store.tenant(tenant.id).audit_log(20).await.unwrap();
    let learned = audit.iter().find(|a| a.action == "training.add").expect("the entry is audited");
    assert_eq!(learned.detail.0["review"], serde_json::json!(unanswered.id), "naming the review item");
    let dismiss = format!("/dashboard/t/shop/review/{}", draft.id);
    let (status, _) = post(&app, &dismiss, &gideon, &[("csrf", &token), ("action", "dismiss")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(app.services.review_queue(tenant.id, 10).await.unwrap().is_empty());
    assert_eq!(post(&app, &learn, &gideon, &fields).await.0, StatusCode::UNPROCESSABLE_ENTITY, "once only");

    // The test chat answers from what was just learned, and says why.
    let (status, page) = post(
        &app,
        "/dashboard/t/shop/chat",
        &gideon,
        &[("csrf", &token), ("message", "do you repair violins")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Yes, bring it to the shop.") && page.contains("source: faq"), "{page}");

    // Knowledge: add (a bad entry changes nothing), search, import with a preview, export.
    let before = app.services.training(tenant.id, &Default::default()).await.unwrap().len();
    let add = |q: &'static str, a: &'static str| {
        [
            ("csrf", token.clone()),
            ("data_type", "faq".into()),
            ("question", q.into()),
            ("answer", a.into()),
            ("priority", "0".into()),
            ("is_active", "true".into()),
        ]
    };
    let (status, _) =
        post_owned(&app, "/dashboard/t/shop/knowledge", &gideon, &add("Do you sell capos?", "")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, page) =
        post_owned(&app, "/dashboard/t/shop/knowledge", &gideon, &add("Do you sell capos?", "Yes, KSh 800."))
            .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Added: “Do you sell capos?”"));
    assert_eq!(app.services.training(tenant.id, &Default::default()).await.unwrap().len(), before + 1);
    let (_, page, _) = get(&app, "/dashboard/t/shop/knowledge?q=capos", &gideon).await;
    assert!(page.contains("Do you sell capos?") && !page.contains("What time do you open?"));
    let bad_csv =
        "data_type,question,answer,category,priority,is_active\nfaq,Q1,A1,,0,true\nnonsense,Q2,A2,,0,true\n";
    let (status, page) = post(
        &app,
        "/dashboard/t/shop/knowledge/import",
        &gideon,
        &[("csrf", &token), ("action", "preview"), ("csv", bad_csv)],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("line 3"), "{page}");
    let csv = "data_type,question,answer,category,priority,is_active\nfaq,Do you deliver?,Yes in Nairobi.,,0,true\n";
    let (_, page) = post(
        &app,
        "/dashboard/t/shop/knowledge/import",
        &gideon,
        &[("csrf", &token), ("action", "preview"), ("csv", csv)],
    )
    .await;
    assert!(page.contains("Preview: 1 entries") && page.contains("Do you deliver?"));
    assert_eq!(
        app.services.training(tenant.id, &Default::default()).await.unwrap().len(),
        before + 1,
        "a preview imports nothing"
    );
    let (_, page) = post(
        &app,
        "/dashboard/t/shop/knowledge/import",
        &gideon,
        &[("csrf", &token), ("action", "import"), ("csv", csv)],
    )
    .await;
    assert!(page.contains("Imported 1 entries."));
    let (status, export, _) = get(&app, "/dashboard/t/shop/knowledge/export.csv", &gideon).await;
    assert_eq!(status, StatusCode::OK);
    assert!(export.starts_with("data_type,question,answer") && export.contains("Do you deliver?"));

    // Credentials: masked, tested against the Graph API, replaced write-only.
    let (_, page, _) = get(&app, "/dashboard/t/shop/credentials", &gideon).await;
    assert!(page.contains("6789") && !page.contains(TOKEN));
    let (_, page) = post(&app, "/dashboard/t/shop/credentials/test", &gideon, &[("csrf", &token)]).await;
    assert!(page.contains("Connected: Fake Business"), "{page}");
    let change = [
        ("csrf", token.as_str()),
        ("whatsapp_phone_number_id", NUMBER),
        ("whatsapp_access_token", "EAAGwrongTOKEN9999"),
    ];
    let (status, page) = post(&app, "/dashboard/t/shop/credentials", &gideon, &change).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Saved.") && page.contains("9999") && !page.contains("EAAGwrongTOKEN9999"));
    let (status, page) = post(&app, "/dashboard/t/shop/credentials/test", &gideon, &[("csrf", &token)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("rejected the access token (190)"));

    // Persona: saved, or refused whole on bad JSON.
    let persona = |context: &'static str| {
        [
            ("csrf", token.clone()),
            ("template_name", "default".into()),
            ("system_prompt", "You are Kassangas' helper.".into()),
            ("tone", "warm".into()),
            ("conversation_context", context.into()),
            ("max_response_length", "400".into()),
            ("is_default", "true".into()),
        ]
    };
    let (status, _) = post_owned(&app, "/dashboard/t/shop/persona", &gideon, &persona("{not json")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, page) =
        post_owned(&app, "/dashboard/t/shop/persona", &gideon, &persona("{\"city\":\"Nairobi\"}")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(app.services.template(tenant.id, "default").await.unwrap().fields.tone, "warm");

    // API keys: shown once, then revoked.
    let (_, page) =
        post(&app, "/dashboard/t/shop/keys", &gideon, &[("csrf", &token), ("name", "till")]).await;
    let key = page.split("id=\"new-key\">").nth(1).unwrap().split('<').next().unwrap().to_owned();
    assert!(app.services.authenticate(&key).await.is_ok());
    let (_, page, _) = get(&app, "/dashboard/t/shop/keys", &gideon).await;
    assert!(page.contains("till") && !page.contains(&key));
    let id = app.services.api_keys(Some(tenant.id)).await.unwrap()[0].id;
    let (_, page) =
        post(&app, &format!("/dashboard/t/shop/keys/{id}/revoke"), &gideon, &[("csrf", &token)]).await;
    assert!(page.contains("Revoked key “till”"));
    assert!(app.services.authenticate(&key).await.is_err());

    // A hand-off is shown and handed back.
    app.services.store.tenant(tenant.id).start_handoff("254700000001", "requested").await.unwrap();
    let (_, page, _) = get(&app, "/dashboard/t/shop/conversations/254700000001", &gideon).await;
    assert!(page.contains("Hand back to the bot"));
    let (_, page) =
        post(&app, "/dashboard/t/shop/conversations/254700000001/release", &gideon, &[("csrf", &token)])
            .await;
    assert!(page.contains("The bot answers this customer again."));
    assert!(app.services.handoffs(tenant.id).await.unwrap().is_empty());

    // Every page and form of another tenant is 404 for him, and a forged form changes nothing.
    for (method, path) in OTHER_PAGES {
        let status = match *method {
            "GET" => get(&app, path, &gideon).await.0,
            _ => post(&app, path, &gideon, &[("csrf", &token)]).await.0,
        };
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}");
    }
    let (status, _) = post(
        &app,
        "/dashboard/t/shop/knowledge",
        &gideon,
        &[("csrf", "forged"), ("question", "x"), ("answer", "y"), ("data_type", "faq")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(get(&app, "/dashboard/tenants/new", &gideon).await.0, StatusCode::NOT_FOUND, "platform only");
    let create = [("csrf", token.as_str()), ("client_name", "Mine"), ("slug", "mine")];
    assert_eq!(post(&app, "/dashboard/tenants/new", &gideon, &create).await.0, StatusCode::NOT_FOUND);
    assert!(app.services.tenant("mine").await.is_err());
});

/// Every page (GET) and form (POST) of a tenant in the dashboard, for the tenant `other`.
const OTHER_PAGES: &[(&str, &str)] = &[
    ("GET", "/dashboard/t/other"),
    ("POST", "/dashboard/t/other/active"),
    ("GET", "/dashboard/t/other/credentials"),
    ("POST", "/dashboard/t/other/credentials"),
    ("POST", "/dashboard/t/other/credentials/test"),
    ("GET", "/dashboard/t/other/persona"),
    ("POST", "/dashboard/t/other/persona"),
    ("GET", "/dashboard/t/other/knowledge"),
    ("POST", "/dashboard/t/other/knowledge"),
    ("GET", "/dashboard/t/other/knowledge/export.csv"),
    ("GET", "/dashboard/t/other/knowledge/import"),
    ("POST", "/dashboard/t/other/knowledge/import"),
    ("GET", "/dashboard/t/other/knowledge/00000000-0000-0000-0000-000000000000"),
    ("POST", "/dashboard/t/other/knowledge/00000000-0000-0000-0000-000000000000"),
    ("GET", "/dashboard/t/other/settings"),
    ("POST", "/dashboard/t/other/settings"),
    ("GET", "/dashboard/t/other/conversations"),
    ("GET", "/dashboard/t/other/conversations/254700000001"),
    ("POST", "/dashboard/t/other/conversations/254700000001/release"),
    ("GET", "/dashboard/t/other/review"),
    ("POST", "/dashboard/t/other/review/00000000-0000-0000-0000-000000000000"),
    ("GET", "/dashboard/t/other/chat"),
    ("POST", "/dashboard/t/other/chat"),
    ("GET", "/dashboard/t/other/keys"),
    ("POST", "/dashboard/t/other/keys"),
    ("POST", "/dashboard/t/other/keys/00000000-0000-0000-0000-000000000000/revoke"),
    ("GET", "/dashboard/t/other/audit"),
];

async fn post_owned(
    app: &TestApp,
    path: &str,
    session: &str,
    fields: &[(&str, String)],
) -> (StatusCode, String) {
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    post(app, path, session, &fields).await
}

backend_test!(the_platform_admin_provisions_a_tenant_and_its_admin, async |db: &TestDb| {
    let app = TestApp::spawn(db).await;
    app.services.create_account("root@example.com", SecretString::from(PASSWORD), None, "t").await.unwrap();
    let root = log_in(&app, "root@example.com").await;
    let (_, page, _) = get(&app, "/dashboard/tenants/new", &root).await;
    let token = csrf_in(&page);
    let form = |slug: &'static str, password: &'static str| {
        vec![
            ("csrf", token.clone()),
            ("client_name", "Uzima Chemist".into()),
            ("slug", slug.into()),
            ("whatsapp_phone_number_id", "5550001".into()),
            ("whatsapp_access_token", "EAAGuzimaTOKEN4321".into()),
            ("ai_provider", "none".into()),
            ("admin_email", "amina@uzima.co.ke".into()),
            ("admin_password", password.into()),
        ]
    };
    // A forged form changes nothing.
    let mut forged = form("uzima", PASSWORD);
    forged[0].1 = "forged".into();
    assert_eq!(post_owned(&app, "/dashboard/tenants/new", &root, &forged).await.0, StatusCode::FORBIDDEN);
    assert!(app.services.tenant("uzima").await.is_err());
    // A short password refuses the whole form: no tenant is made.
    let (status, page) = post_owned(&app, "/dashboard/tenants/new", &root, &form("uzima", "short")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("password") && page.contains("Uzima Chemist"), "the form keeps what was typed");
    assert!(app.services.tenant("uzima").await.is_err());
    let (status, page) = post_owned(&app, "/dashboard/tenants/new", &root, &form("uzima", PASSWORD)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("/webhooks/whatsapp/uzima"));
    let verify = page.split("id=\"verify-token\">").nth(1).unwrap().split('<').next().unwrap();
    assert_eq!(app.services.tenant("uzima").await.unwrap().profile.webhook_verify_token, verify);
    assert!(!page.contains("EAAGuzimaTOKEN4321"));

    // Its admin logs in to it; the platform list shows it with its health and can switch it off.
    let amina = log_in(&app, "amina@uzima.co.ke").await;
    assert_eq!(get(&app, "/dashboard", &amina).await.2.as_deref(), Some("/dashboard/t/uzima"));
    let (_, page, _) = get(&app, "/dashboard", &root).await;
    assert!(page.contains("Uzima Chemist") && page.contains("Replies queued") && page.contains("Unroutable"));
    let (status, page) =
        post(&app, "/dashboard/t/uzima/active", &root, &[("csrf", &token), ("active", "false")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Uzima Chemist is now inactive."));
    assert!(!app.services.tenant("uzima").await.unwrap().profile.is_active);
    // A tenant admin cannot switch tenants on or off, not even his own.
    let amina_token = {
        let (_, page, _) = get(&app, "/dashboard/t/uzima/chat", &amina).await;
        csrf_in(&page)
    };
    let (status, _) =
        post(&app, "/dashboard/t/uzima/active", &amina, &[("csrf", &amina_token), ("active", "true")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!app.services.tenant("uzima").await.unwrap().profile.is_active);
});

/// Submits the login form with `code`; returns the status and the page or redirect.
async fn submit_login(app: &TestApp, email: &str, code: &str) -> (StatusCode, String) {
    let client = no_redirects();
    let form = client.get(format!("{}/dashboard/login", app.base)).send().await.unwrap();
    let login_csrf = cookie(&form);
    let csrf = login_csrf.split_once('=').unwrap().1.to_owned();
    let response = client
        .post(format!("{}/dashboard/login", app.base))
        .header(COOKIE, &login_csrf)
        .form(&[("email", email), ("password", PASSWORD), ("code", code), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

backend_test!(the_dashboard_asks_for_the_second_factor_and_honours_session_expiry, async |db: &TestDb| {
    let app = TestApp::spawn(db).await;
    let account = app
        .services
        .create_account("root@example.com", SecretString::from(PASSWORD), None, "t")
        .await
        .unwrap();
    let setup = app.services.setup_totp(account.id).await.unwrap();
    let code = totp_rs::Builder::new()
        .with_secret(totp_rs::Secret::try_from_base32(&setup.secret).unwrap())
        .build()
        .unwrap()
        .generate_current()
        .to_string();
    app.services.confirm_totp(account.id, &code).await.unwrap();

    let (status, page) = submit_login(&app, "root@example.com", "").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(page.contains("role=\"alert\""), "{page}");
    let (status, _) = submit_login(&app, "root@example.com", &setup.recovery_codes[0]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "a recovery code is a second factor");

    // A session past its expiry leads back to the login page.
    let expired = "ads_expired-session-token";
    let hash = alphadome_crypto::hash_api_key(expired);
    let past = chrono::Utc::now() - chrono::Duration::minutes(1);
    app.services.store.start_session(account.id, &hash, past).await.unwrap();
    let (status, _, location) = get(&app, "/dashboard", &format!("alphadome_session={expired}")).await;
    assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some("/dashboard/login")));
});
