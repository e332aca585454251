//! The `alphadome` binary, run as an operator would, on both back ends.

use alphadome_testkit::{TestDb, backend_test};
use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Runs the binary against `db` with extra environment, feeding `stdin`.
fn run(db: &TestDb, args: &[&str], env: &[(&str, &str)], stdin: &str) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_alphadome"));
    cmd.args(["--database-url", &db.options.url, "--db-schema", &db.options.schema])
        .args(args)
        .env_remove("ALPHADOME_MASTER_KEY")
        .env_remove("DATABASE_URL")
        .env_remove("ALPHADOME_DATABASE_URL")
        .env("ALPHADOME_MASTER_KEY_FILE", db.dir.path().join("master.key"))
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("run alphadome");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn ok(output: Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "failed: {stderr}");
    String::from_utf8(output.stdout).unwrap()
}

fn fails(output: Output) -> String {
    assert!(!output.status.success(), "should have failed: {}", String::from_utf8_lossy(&output.stdout));
    String::from_utf8(output.stderr).unwrap()
}

const TOKEN: &str = "EAAGcliCANARY0123456789abcd";

backend_test!(tenants_are_provisioned_with_secrets_from_the_environment, async |db: &TestDb| {
    let created = ok(run(
        db,
        &[
            "tenant",
            "create",
            "--slug",
            "kassangas",
            "--name",
            "Kassangas Music Shop",
            "--phone",
            "0702245555",
            "--wa-phone-number-id",
            "106540352242922",
            "--wa-token-env",
            "KASSANGAS_TOKEN",
            "--json",
        ],
        &[("KASSANGAS_TOKEN", TOKEN)],
        "",
    ));
    let created: serde_json::Value = serde_json::from_str(&created).unwrap();
    assert_eq!(created["tenant"]["client_phone"], "254702245555");
    assert_eq!(created["tenant"]["whatsapp_access_token"], "…abcd");
    assert!(!created.to_string().contains(TOKEN));

    let shown = ok(run(db, &["tenant", "show", "kassangas"], &[], ""));
    assert!(shown.contains("…abcd") && !shown.contains(TOKEN), "{shown}");
    let listed: serde_json::Value =
        serde_json::from_str(&ok(run(db, &["tenant", "list", "--json"], &[], ""))).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);

    // The AI key can come from standard input.
    ok(run(
        db,
        &[
            "tenant",
            "update",
            "kassangas",
            "--ai-provider",
            "openai",
            "--ai-model",
            "gpt-4o-mini",
            "--ai-key-stdin",
        ],
        &[],
        "sk-from-stdin-5678\n",
    ));
    assert!(ok(run(db, &["tenant", "show", "kassangas"], &[], "")).contains("…5678"));

    // A duplicate is refused with one clear line, and a token cannot be given as a flag.
    let err = fails(run(db, &["tenant", "create", "--slug", "kassangas", "--name", "Again"], &[], ""));
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("slug is already in use"), "{err}");
    let err =
        fails(run(db, &["tenant", "create", "--slug", "x2", "--name", "X", "--wa-token", TOKEN], &[], ""));
    assert!(err.contains("--wa-token"), "{err}");
    let err = fails(run(
        db,
        &["tenant", "create", "--slug", "x2", "--name", "X", "--wa-token-env", "UNSET_VAR_123"],
        &[],
        "",
    ));
    assert!(err.contains("UNSET_VAR_123"), "{err}");
    let err = fails(run(db, &["tenant", "show", "nobody"], &[], ""));
    assert!(err.contains("tenant not found"), "{err}");

    ok(run(db, &["tenant", "deactivate", "kassangas"], &[], ""));
    let err = fails(run(db, &["tenant", "delete", "kassangas"], &[], ""));
    assert!(err.contains("--yes"), "{err}");
    ok(run(db, &["tenant", "delete", "kassangas", "--yes"], &[], ""));
    assert!(ok(run(db, &["tenant", "list", "--json"], &[], "")).trim() == "[]");
});

backend_test!(training_settings_templates_and_keys_from_the_command_line, async |db: &TestDb| {
    ok(run(db, &["tenant", "create", "--slug", "shop", "--name", "Shop"], &[], ""));
    let csv = "data_type,question,answer,category,priority,is_active\n\
               faq,When are you open?,\"Mon–Sat, 9am–6pm\",Hours,10,true\n\
               canned_reply,greeting,Karibu!,,0,true\n";
    let file = db.dir.path().join("faq.csv");
    std::fs::write(&file, csv).unwrap();
    let imported = ok(run(db, &["training", "import", "shop", file.to_str().unwrap()], &[], ""));
    assert!(imported.contains("imported 2 entries"), "{imported}");
    assert_eq!(ok(run(db, &["training", "export", "shop"], &[], "")), csv);

    let bad = db.dir.path().join("bad.csv");
    std::fs::write(&bad, format!("{csv}faq,Half a row\n")).unwrap();
    let err = fails(run(db, &["training", "import", "shop", bad.to_str().unwrap(), "--replace"], &[], ""));
    assert!(err.contains("line 4"), "{err}");
    assert_eq!(ok(run(db, &["training", "export", "shop"], &[], "")), csv, "a failed import changes nothing");
    let listed = ok(run(db, &["training", "list", "shop", "--search", "open"], &[], ""));
    assert!(listed.contains("When are you open?") && !listed.contains("greeting"), "{listed}");

    let set = ok(run(
        db,
        &["settings", "set", "shop", "enable_ai_responses=true", "max_messages_per_hour=50", "--json"],
        &[],
        "",
    ));
    let set: serde_json::Value = serde_json::from_str(&set).unwrap();
    assert_eq!(
        (set["enable_ai_responses"].as_bool(), set["max_messages_per_hour"].as_i64()),
        (Some(true), Some(50))
    );
    let err = fails(run(
        db,
        &["settings", "set", "shop", "is_bot_enabled=false", "max_messages_per_hour=lots"],
        &[],
        "",
    ));
    assert!(err.contains("max_messages_per_hour"), "{err}");
    assert!(
        ok(run(db, &["settings", "show", "shop"], &[], "")).contains("is_bot_enabled                 true")
    );

    ok(run(
        db,
        &[
            "template",
            "set",
            "shop",
            "--name",
            "support",
            "--system-prompt",
            "Help with repairs.",
            "--default",
        ],
        &[],
        "",
    ));
    let templates = ok(run(db, &["template", "list", "shop"], &[], ""));
    assert!(templates.lines().any(|l| l.starts_with("support") && l.contains("default")), "{templates}");

    let key: serde_json::Value = serde_json::from_str(&ok(run(
        db,
        &["apikey", "create", "--tenant", "shop", "--name", "ci", "--json"],
        &[],
        "",
    )))
    .unwrap();
    assert!(key["key"].as_str().unwrap().starts_with("adk_"));
    let id = key["id"].as_str().unwrap();
    let keys = ok(run(db, &["apikey", "list"], &[], ""));
    assert!(keys.contains(id) && !keys.contains(key["key"].as_str().unwrap()));
    ok(run(db, &["apikey", "revoke", id], &[], ""));
    assert!(ok(run(db, &["apikey", "list"], &[], "")).contains("revoked"));
});

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["tenant", "create", "--help"],
        vec!["tenant", "update", "--help"],
        vec!["training", "import", "--help"],
        vec!["template", "set", "--help"],
        vec!["settings", "set", "--help"],
        vec!["apikey", "create", "--help"],
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_alphadome")).args(&args).output().unwrap();
        assert!(output.status.success(), "{args:?}");
        assert!(String::from_utf8_lossy(&output.stdout).contains("Usage"), "{args:?}");
    }
}

backend_test!(serve_demo_answers_and_stops_gracefully_on_sigterm, async |db: &TestDb| {
    let (mut child, address, log) = start_serve(db, &["--demo"], &[]);
    let printed = log.text();
    assert!(printed.contains("demo tenant 'kassangas'") && printed.contains("training entries"), "{printed}");
    let health = reqwest::get(format!("{address}/readyz")).await.unwrap();
    assert_eq!(health.status(), reqwest::StatusCode::OK);

    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "graceful shutdown exits 0, got {status:?}");

    let listed = ok(run(db, &["training", "list", "kassangas", "--json"], &[], ""));
    assert!(serde_json::from_str::<serde_json::Value>(&listed).unwrap().as_array().unwrap().len() >= 12);
});

/// Everything a `serve` child writes to standard error, collected as it comes.
#[derive(Clone, Default)]
struct Log(std::sync::Arc<std::sync::Mutex<String>>);

impl Log {
    fn text(&self) -> String {
        self.0.lock().unwrap().clone()
    }

    fn push(&self, line: &str) {
        self.0.lock().unwrap().push_str(line);
    }
}

/// Starts `serve` with extra arguments and environment; returns the child, its address and
/// its log (standard error, still growing).
#[allow(clippy::zombie_processes, reason = "the caller sends SIGTERM and waits for the child")]
fn start_serve(db: &TestDb, args: &[&str], env: &[(&str, &str)]) -> (std::process::Child, String, Log) {
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_alphadome"))
        .args(["--database-url", &db.options.url, "--db-schema", &db.options.schema, "serve"])
        .args(if args.contains(&"--listen") { &[][..] } else { &["--listen", "127.0.0.1:0"][..] })
        .args(args)
        .env("ALPHADOME_MASTER_KEY_FILE", db.dir.path().join("master.key"))
        .env("RUST_LOG", "warn")
        .envs(env.iter().copied())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let log = Log::default();
    loop {
        let mut line = String::new();
        if stderr.read_line(&mut line).unwrap_or(0) == 0 {
            let status = child.wait();
            panic!("serve exited early: {status:?}: {}", log.text());
        }
        log.push(&line);
        if let Some(address) = line.trim().strip_prefix("alphadome listening on ") {
            // Keep draining stderr so the child never blocks on a full pipe.
            let rest = log.clone();
            std::thread::spawn(move || {
                for line in stderr.lines().map_while(Result::ok) {
                    rest.push(&line);
                    rest.push("\n");
                }
            });
            return (child, address.to_owned(), log);
        }
    }
}

const NUMBER: &str = "106540352242922";
const APP_SECRET: &str = "e2e-app-secret";

/// Creates the active tenant `shop` (business number [`NUMBER`]) with one FAQ.
fn provision_shop(db: &TestDb) {
    let create = [
        "tenant",
        "create",
        "--slug",
        "shop",
        "--name",
        "Shop",
        "--wa-phone-number-id",
        NUMBER,
        "--wa-token-env",
        "SHOP_TOKEN",
        "--active",
    ];
    ok(run(db, &create, &[("SHOP_TOKEN", TOKEN)], ""));
    let faq = db.dir.path().join("faq.csv");
    std::fs::write(
        &faq,
        "data_type,question,answer,category,priority,is_active\nfaq,Do you sell drums?,Yes we do!,,0,true\n",
    )
    .unwrap();
    ok(run(db, &["training", "import", "shop", faq.to_str().unwrap()], &[], ""));
}

/// A signed webhook delivery of one text message from `from` to [`NUMBER`].
fn text_delivery(wamid: &str, from: &str, text: &str) -> (String, String) {
    let body =
        serde_json::json!({ "object": "whatsapp_business_account", "entry": [{ "id": "waba", "changes": [{
        "field": "messages", "value": { "metadata": { "phone_number_id": NUMBER },
        "messages": [{ "from": from, "id": wamid, "timestamp": chrono::Utc::now().timestamp().to_string(),
                       "type": "text", "text": { "body": text } }] } }] }] })
        .to_string();
    let signature = alphadome_crypto::hub_signature(APP_SECRET.as_bytes(), body.as_bytes());
    (body, signature)
}

async fn post_delivery(client: &reqwest::Client, address: &str, (body, signature): (String, String)) -> bool {
    let sent = client
        .post(format!("{address}/webhooks/whatsapp"))
        .header("X-Hub-Signature-256", signature)
        .body(body)
        .send()
        .await;
    sent.is_ok_and(|r| r.status() == reqwest::StatusCode::OK)
}

/// Waits (bounded) until the fake has `count` text messages; returns them.
async fn wait_for_texts(
    graph: &alphadome_testkit::FakeGraph,
    count: usize,
) -> Vec<alphadome_testkit::Received> {
    for _ in 0..600 {
        let texts = graph.texts();
        if texts.len() >= count {
            return texts;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    graph.texts()
}

backend_test!(serve_answers_a_whatsapp_message_end_to_end, async |db: &TestDb| {
    let graph = alphadome_testkit::FakeGraph::start().await;
    provision_shop(db);
    let mut env =
        vec![("ALPHADOME_WHATSAPP_APP_SECRET", APP_SECRET), ("ALPHADOME_GRAPH_BASE_URL", graph.url.as_str())];
    // With Redis configured, the number's pace is kept there (shared by every process).
    let redis = alphadome_testkit::redis_url().await;
    let pace_key = format!("alphadome:pace:{NUMBER}");
    let mut started = 0;
    if let Some(url) = &redis {
        let (seconds, micros): (u64, u64) = redis_command(url, &redis::cmd("TIME")).await;
        started = seconds * 1_000_000 + micros;
        env.push(("ALPHADOME_REDIS_URL", url.as_str()));
    }
    let (child, address, _) = start_serve(db, &[], &env);
    let mut child = KillOnDrop(child);
    let delivery = text_delivery("wamid.E2E", "254700000009", "niaje, do you sell drums?");
    assert!(post_delivery(&reqwest::Client::new(), &address, delivery).await);

    // The worker answers in the background.
    let texts = wait_for_texts(&graph, 1).await;
    assert_eq!(texts.len(), 1, "one reply");
    assert_eq!(texts[0].body["text"]["body"], "Yes we do!");
    assert_eq!(texts[0].body["context"]["message_id"], "wamid.E2E");
    if let Some(url) = &redis {
        // The slot after the one the send took, by Redis's clock (µs): taken since the start.
        let next_slot: Option<u64> = redis_command(url, redis::cmd("GET").arg(&pace_key)).await;
        assert!(
            next_slot.is_some_and(|slot| slot > started),
            "the send took its slot in Redis: {next_slot:?}"
        );
    }

    Command::new("kill").args(["-TERM", &child.0.id().to_string()]).status().unwrap();
    assert!(child.0.wait().unwrap().success());
});

/// Runs one Redis command.
async fn redis_command<T: redis::FromRedisValue>(url: &str, command: &redis::Cmd) -> T {
    let client = redis::Client::open(url).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    command.query_async(&mut conn).await.unwrap()
}

backend_test!(serve_refuses_a_redis_url_it_cannot_use, async |db: &TestDb| {
    let err = fails(run(db, &["serve"], &[("ALPHADOME_REDIS_URL", "http://user:hunter2@cache:6379")], ""));
    assert!(err.contains("ALPHADOME_REDIS_URL must start with redis://"), "{err}");
    assert!(!err.contains("hunter2"), "the password is not shown: {err}");
});

backend_test!(a_kill_9_under_load_loses_nothing_and_answers_nothing_twice, async |db: &TestDb| {
    const MESSAGES: usize = 150;
    let graph = alphadome_testkit::FakeGraph::start().await;
    // Slow answers from Meta keep many sends in flight when the process dies.
    graph.set_delay(std::time::Duration::from_millis(300));
    provision_shop(db);
    // Both runs listen on one port, so Meta's retried receipts reach the restarted server.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let listen = format!("127.0.0.1:{port}");
    let env = [
        ("ALPHADOME_WHATSAPP_APP_SECRET", APP_SECRET),
        ("ALPHADOME_GRAPH_BASE_URL", graph.url.as_str()),
        ("ALPHADOME_WORKER_LEASE_SECONDS", "2"),
        ("ALPHADOME_WORKER_RECEIPT_WAIT_SECONDS", "4"),
    ];
    let (mut first, address, _) = start_serve(db, &["--listen", &listen], &env);
    graph.send_receipts_to(&format!("{address}/webhooks/whatsapp"), APP_SECRET);
    let client = reqwest::Client::new();
    let wamid = |i: usize| format!("wamid.LOAD{i:04}");
    let delivery = |i: usize| text_delivery(&wamid(i), &format!("2547100{i:05}"), "do you sell drums?");

    // Deliver in bursts; once a sixth of the replies went out, kill -9 in the middle of it
    // all (replies that Meta accepted but whose answer had not come back yet included).
    let mut acked = [false; MESSAGES];
    for burst in (0..MESSAGES).collect::<Vec<_>>().chunks(10) {
        let mut posts = tokio::task::JoinSet::new();
        for &i in burst {
            let (client, address, delivery) = (client.clone(), address.clone(), delivery(i));
            posts.spawn(async move { (i, post_delivery(&client, &address, delivery).await) });
        }
        while let Some(Ok((i, ok))) = posts.join_next().await {
            acked[i] = ok;
        }
        if burst.contains(&(MESSAGES / 2)) {
            wait_for_texts(&graph, MESSAGES / 6).await;
            let killed = Command::new("kill").args(["-KILL", &first.id().to_string()]).status().unwrap();
            assert!(killed.success());
            first.wait().unwrap();
        }
    }
    assert!(acked.iter().filter(|a| **a).count() > MESSAGES / 2, "the first process acknowledged half");
    let in_flight_at_kill = graph.texts().len();

    // Restart; Meta delivers again whatever was not acknowledged.
    let (second, again, _) = start_serve(db, &["--listen", &listen], &env);
    assert_eq!(again, address);
    let mut second = KillOnDrop(second);
    for (i, ack) in acked.iter().enumerate() {
        if !ack {
            assert!(post_delivery(&client, &address, delivery(i)).await, "redelivery of {i}");
        }
    }
    let texts = wait_for_texts(&graph, MESSAGES).await;
    // Give a duplicate, if the worker were to send one, the time to show up.
    tokio::time::sleep(std::time::Duration::from_secs(6)).await;
    let texts = if graph.texts().len() > texts.len() { graph.texts() } else { texts };
    let mut answered: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for text in &texts {
        *answered.entry(text.body["context"]["message_id"].as_str().unwrap().to_owned()).or_default() += 1;
    }
    for i in 0..MESSAGES {
        assert_eq!(answered.get(&wamid(i)), Some(&1), "{} answered exactly once", wamid(i));
    }
    assert_eq!(texts.len(), MESSAGES, "no other replies (before the kill: {in_flight_at_kill})");

    Command::new("kill").args(["-TERM", &second.0.id().to_string()]).status().unwrap();
    assert!(second.0.wait().unwrap().success());
});

/// Kills the child if the test fails before stopping it, so no server outlives its test.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

backend_test!(chat_shows_the_reply_and_why, async |db: &TestDb| {
    provision_shop(db);
    let answer = ok(run(db, &["chat", "shop", "--json", "-m", "niaje, mnauza drums?"], &[], ""));
    let answer: serde_json::Value = serde_json::from_str(&answer).unwrap();
    assert_eq!((answer["reply"].as_str(), answer["source"].as_str()), (Some("Yes we do!"), Some("faq")));
    let lines = ok(run(db, &["chat", "shop"], &[], "do you sell drums?\ndo you sell laptops?\n"));
    assert!(lines.contains("bot: Yes we do!") && lines.contains("[faq: \"Do you sell drums?\""), "{lines}");
    assert!(lines.contains("[fallback]"), "{lines}");
    assert!(fails(run(db, &["chat", "nobody", "-m", "hi"], &[], "")).contains("tenant"));

    assert!(ok(run(db, &["handoff", "list", "shop"], &[], "")).contains("no conversation is with a person"));
    assert!(fails(run(db, &["handoff", "release", "shop", "254700000001"], &[], "")).contains("not found"));

    let created = ok(run(
        db,
        &["user", "create", "--email", "gideon@shop.co.ke", "--tenant", "shop", "--password-stdin"],
        &[],
        "a long and honest passphrase\n",
    ));
    assert!(created.contains("gideon@shop.co.ke (tenant_admin)"), "{created}");
    assert!(
        fails(run(db, &["user", "create", "--email", "x@y.z", "--platform-admin"], &[], ""))
            .contains("password")
    );

    let audit = ok(run(db, &["audit", "--tenant", "shop"], &[], ""));
    assert!(audit.contains("tenant.create") && audit.contains("training.import"), "{audit}");
    assert!(!audit.contains(TOKEN), "secrets never appear in the audit log");
});

backend_test!(a_canary_secret_never_appears_in_storage_logs_or_answers, async |db: &TestDb| {
    const WA_CANARY: &str = "EAAGcanaryWHATSAPPtoken7f3k9q2x";
    const AI_CANARY: &str = "sk-canary-AIKEY-5m8n1b4v";
    const SECRET_CANARY: &str = "canary-app-secret-h2j6w0";
    let graph = alphadome_testkit::FakeGraph::start().await;
    let ai = alphadome_testkit::FakeAi::start().await;
    let create = [
        "tenant",
        "create",
        "--slug",
        "shop",
        "--name",
        "Shop",
        "--wa-phone-number-id",
        NUMBER,
        "--wa-token-env",
        "WA",
        "--wa-app-secret-env",
        "APP",
        "--ai-provider",
        "custom",
        "--ai-model",
        "llama3",
        "--ai-base-url",
        &ai.base_url,
        "--ai-key-env",
        "AI",
        "--active",
    ];
    let mut answers =
        vec![ok(run(db, &create, &[("WA", WA_CANARY), ("AI", AI_CANARY), ("APP", SECRET_CANARY)], ""))];
    let faq = db.dir.path().join("faq.csv");
    std::fs::write(
        &faq,
        "data_type,question,answer,category,priority,is_active\nfaq,Do you sell drums?,Yes!,,0,true\n",
    )
    .unwrap();
    answers.push(ok(run(db, &["training", "import", "shop", faq.to_str().unwrap()], &[], "")));
    answers.push(ok(run(db, &["settings", "set", "shop", "enable_ai_responses=true"], &[], "")));
    let key = ok(run(db, &["apikey", "create", "--name", "admin", "--json"], &[], ""));
    let key = serde_json::from_str::<serde_json::Value>(&key).unwrap()["key"].as_str().unwrap().to_owned();

    let env = [
        ("ALPHADOME_WHATSAPP_APP_SECRET", APP_SECRET),
        ("ALPHADOME_GRAPH_BASE_URL", graph.url.as_str()),
        ("RUST_LOG", "debug"),
    ];
    let (mut child, address, log) = start_serve(db, &[], &env);
    let client = reqwest::Client::new();
    assert!(
        post_delivery(&client, &address, text_delivery("wamid.C1", "254700000001", "do you sell drums?"))
            .await
    );
    assert!(
        post_delivery(&client, &address, text_delivery("wamid.C2", "254700000002", "can you tune a harp?"))
            .await
    );
    assert_eq!(wait_for_texts(&graph, 2).await.len(), 2);
    for path in [
        "/tenants",
        "/tenants/shop",
        "/tenants/shop/settings",
        "/tenants/shop/audit",
        "/audit",
        "/tenants/shop/training",
    ] {
        let response = client.get(format!("{address}/api/v1{path}")).bearer_auth(&key).send().await.unwrap();
        assert_eq!(response.status(), reqwest::StatusCode::OK, "{path}");
        answers.push(response.text().await.unwrap());
    }
    answers.push(ok(run(db, &["tenant", "show", "shop", "--json"], &[], "")));
    let audit = ok(run(db, &["audit", "--json"], &[], ""));
    // Each opening of a secret is on record: which one, and why (never its value).
    assert!(audit.contains("secret.open") && audit.contains("send WhatsApp replies"), "{audit}");
    assert!(audit.contains("call the AI model"), "{audit}");
    answers.push(audit);
    Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(child.wait().unwrap().success());

    // The secrets did their work: the token reached Meta and the key the AI provider.
    assert!(graph.texts().iter().all(|t| t.authorization == format!("Bearer {WA_CANARY}")));
    assert!(ai.requests().iter().any(|r| r.authorization == format!("Bearer {AI_CANARY}")));
    // And they appear nowhere else.
    let mut stored = Vec::new();
    for entry in std::fs::read_dir(db.dir.path()).unwrap() {
        stored.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    if db.backend == alphadome_store::Backend::Postgres {
        let dump = Command::new("pg_dump")
            .args(["--schema", &db.options.schema, "--dbname", &alphadome_testkit::postgres_url()])
            .output()
            .unwrap();
        assert!(dump.status.success(), "{}", String::from_utf8_lossy(&dump.stderr));
        assert!(String::from_utf8_lossy(&dump.stdout).contains("bot_tenants"));
        stored.extend(dump.stdout);
    }
    let stored = String::from_utf8_lossy(&stored);
    let log = log.text();
    assert!(log.contains("DEBUG"), "the log was captured at debug level");
    for canary in [WA_CANARY, AI_CANARY, SECRET_CANARY] {
        assert!(!stored.contains(canary), "{canary} in the database");
        assert!(!log.contains(canary), "{canary} in the log");
        for answer in &answers {
            assert!(!answer.contains(canary), "{canary} in an answer: {answer}");
        }
    }
});

backend_test!(keys_rotate_reseals_everything_while_serve_keeps_answering, async |db: &TestDb| {
    let graph = alphadome_testkit::FakeGraph::start().await;
    provision_shop(db);
    let env =
        [("ALPHADOME_WHATSAPP_APP_SECRET", APP_SECRET), ("ALPHADOME_GRAPH_BASE_URL", graph.url.as_str())];
    let (mut child, address, _) = start_serve(db, &[], &env);
    let client = reqwest::Client::new();
    assert!(
        post_delivery(&client, &address, text_delivery("wamid.K1", "254700000001", "do you sell drums?"))
            .await
    );
    assert_eq!(wait_for_texts(&graph, 1).await.len(), 1);

    let rotated = ok(run(db, &["keys", "rotate", "--json"], &[], ""));
    let rotated: serde_json::Value = serde_json::from_str(&rotated).unwrap();
    assert_eq!((rotated["key_version"].as_u64(), rotated["resealed"].as_u64()), (Some(2), Some(1)));
    let key_file = std::fs::read_to_string(db.dir.path().join("master.key")).unwrap();
    assert!(key_file.lines().any(|l| l.starts_with("1:")) && key_file.lines().any(|l| l.starts_with("2:")));
    let shown = ok(run(db, &["tenant", "show", "shop", "--json"], &[], ""));
    assert!(!shown.contains(TOKEN) && shown.contains(&TOKEN[TOKEN.len() - 4..]));

    // The running service opens the re-sealed token (it reloads the key file) and answers.
    assert!(
        post_delivery(&client, &address, text_delivery("wamid.K2", "254700000002", "do you sell drums?"))
            .await
    );
    let texts = wait_for_texts(&graph, 2).await;
    assert_eq!(texts.len(), 2);
    assert!(texts.iter().all(|t| t.authorization == format!("Bearer {TOKEN}")));
    assert!(ok(run(db, &["audit", "--tenant", "shop"], &[], "")).contains("secret.reseal"));
    // Nothing is left under the old version.
    let again: serde_json::Value =
        serde_json::from_str(&ok(run(db, &["keys", "rotate", "--json"], &[], ""))).unwrap();
    assert_eq!((again["key_version"].as_u64(), again["resealed"].as_u64()), (Some(3), Some(1)));

    Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(child.wait().unwrap().success());
});
