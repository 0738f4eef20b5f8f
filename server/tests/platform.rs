//! The binary as an operator meets it: start-up, the setup link, health, CSRF refusal, durability.

mod common;
use common::*;

#[tokio::test]
async fn help_documents_every_setting() {
    let out = std::process::Command::new(BIN).arg("--help").output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    for flag in [
        "--listen",
        "--data-dir",
        "--db",
        "--db-namespace",
        "--db-database",
        "--db-user",
        "--db-password",
        "--public-url",
        "--smtp-url",
        "--mail-from",
        "--session-idle-minutes",
        "--session-max-hours",
        "--trust-proxy",
        "--log",
        "SIGNET_DB",
        "SIGNET_SMTP_URL",
        "admin",
    ] {
        assert!(help.contains(flag), "--help mentions {flag}:\n{help}");
    }
}

#[tokio::test]
async fn first_run_prints_a_one_time_setup_link() {
    let data = tempfile::tempdir().unwrap();
    let signet = Signet::start(data.path()).await;
    let output = signet.output();
    let link = output
        .split_whitespace()
        .find(|w| w.starts_with(&format!("{}/setup/", signet.base)))
        .unwrap_or_else(|| panic!("setup link printed: {output}"))
        .to_string();
    let token = link.rsplit('/').next().unwrap();

    let c = signet.client();
    let page = c.get(&format!("/setup/{token}")).await.text().await.unwrap();
    assert!(page.contains("Create operator account"), "{page}");
    let wrong = c.get("/setup/not-the-token").await.text().await.unwrap();
    assert!(wrong.contains("This setup link is not valid"));

    let form = [
        ("token", token),
        ("email", "olga@signet.test"),
        ("name", "Olga"),
        ("password", "operator passphrase 1"),
        ("confirm", "operator passphrase 1"),
    ];
    assert!(c.call("auth/setup", &form).await.ok());
    let second = c.call("auth/setup", &form).await;
    assert!(!second.ok() && second.body.contains("not valid any more"), "{second:?}");
    assert!(c.login("olga@signet.test", "operator passphrase 1").await.ok());
}

#[tokio::test]
async fn healthz_reports_version_and_database() {
    let data = tempfile::tempdir().unwrap();
    let signet = Signet::start(data.path()).await;
    let r = signet.client().get("/healthz").await;
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["db"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    let (_data, signet, c) = with_operator(&[]).await;
    let form = [("email", "olga@signet.test"), ("password", "operator passphrase 1")];
    for (header, value) in [("Origin", "https://evil.example"), ("Sec-Fetch-Site", "cross-site"), ("Origin", "null")] {
        let r = c
            .http
            .post(format!("{}/_sf/auth/login", signet.base))
            .header(header, value)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{header}: {value}");
        assert!(r.headers().get("set-cookie").is_none());
    }
    assert!(c.login("olga@signet.test", "operator passphrase 1").await.ok());
}

#[tokio::test]
async fn session_cookie_is_http_only_and_same_site_and_renewed_at_login() {
    let (_data, _signet, c) = with_operator(&[]).await;
    let login = |c: &Client| {
        c.http
            .post(format!("{}/_sf/auth/login", c.base))
            .header("Origin", c.base.clone())
            .form(&[("email", "olga@signet.test"), ("password", "operator passphrase 1")])
            .send()
    };
    let first = login(&c).await.unwrap();
    let cookie = first.headers().get("set-cookie").unwrap().to_str().unwrap().to_string();
    assert!(cookie.starts_with("signet_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    let second = login(&c).await.unwrap();
    let cookie2 = second.headers().get("set-cookie").unwrap().to_str().unwrap().to_string();
    assert_ne!(cookie, cookie2, "a new session id at every sign-in");
    // The first session was ended by the second sign-in from the same browser.
    let viewer = c.call("auth/viewer", &[]).await;
    assert!(viewer.json()["email"] == "olga@signet.test");
    let logout = c.call("auth/logout", &[]).await;
    assert!(logout.ok());
    assert_eq!(c.call("auth/viewer", &[]).await.body, "null");
}

#[tokio::test]
async fn lockout_after_five_failures_for_existing_and_unknown_emails_alike() {
    let (_data, _signet, c) = with_operator(&[]).await;
    for email in ["olga@signet.test", "nobody@signet.test"] {
        let mut answers = Vec::new();
        for i in 0..6 {
            answers.push(c.login(email, &format!("wrong {i}")).await.body);
        }
        assert!(answers[..4].iter().all(|a| a.contains("do not match")), "{answers:?}");
        assert!(answers[4..].iter().all(|a| a.contains("locked for 15 minutes")), "{answers:?}");
    }
    let right = c.login("olga@signet.test", "operator passphrase 1").await;
    assert!(right.body.contains("locked for 15 minutes"), "{right:?}");
}

#[tokio::test]
async fn a_change_survives_sigkill() {
    let (data, signet, c) = with_operator(&[]).await;
    assert!(c.login("olga@signet.test", "operator passphrase 1").await.ok());
    let created = c
        .call(
            "admin/create-issuer",
            &[
                ("name", "Chamber of Commerce Split"),
                ("slug", "smib"),
                ("admin_email", "ana@smib.test"),
                ("admin_name", "Ana"),
            ],
        )
        .await;
    assert!(created.ok(), "{created:?}");
    let first_base = signet.base.clone();
    signet.kill();

    let signet = Signet::start(data.path()).await;
    let c = signet.client();
    assert!(c.login("olga@signet.test", "operator passphrase 1").await.ok());
    let issuers = c.call("admin/issuers", &[]).await.json();
    assert_eq!(issuers[0]["slug"], "smib", "{issuers}");
    // The invitation e-mail written in the same request is still in the outbox.
    assert_eq!(outbox_links(&c, "ana@smib.test", &format!("{first_base}/invite/")).await.len(), 1);
}

#[tokio::test]
async fn the_binary_alone_in_an_empty_folder_serves_pages_wasm_and_css() {
    let folder = tempfile::tempdir().unwrap();
    let copy = folder.path().join("signet");
    std::fs::copy(BIN, &copy).unwrap();
    let port = free_port();
    let mut child = std::process::Command::new(&copy)
        .current_dir(folder.path())
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .env("SIGNET_LOG", "warn")
        .env_remove("SIGNET_DATA_DIR")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let mut ready = false;
    for _ in 0..600 {
        if http.get(format!("{base}/healthz")).send().await.is_ok_and(|r| r.status() == 200) {
            ready = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let result = async {
        assert!(ready, "the copied binary started");
        let login = http.get(format!("{base}/login")).send().await.unwrap();
        assert_eq!(login.status(), 200);
        let html = login.text().await.unwrap();
        assert!(html.contains("/pkg/signet.js") && html.contains("/pkg/signet.wasm"), "{html}");
        for (path, kind) in [
            ("/pkg/signet.wasm", "application/wasm"),
            ("/pkg/signet.css", "text/css"),
            ("/pkg/signet.js", "javascript"),
        ] {
            let r = http.get(format!("{base}{path}")).send().await.unwrap();
            assert_eq!(r.status(), 200, "{path}");
            let ct = r.headers()["content-type"].to_str().unwrap().to_string();
            assert!(ct.contains(kind), "{path}: {ct}");
            assert!(!r.bytes().await.unwrap().is_empty());
        }
        assert_eq!(http.get(format!("{base}/no/such/page")).send().await.unwrap().status(), 404);
        // The data went to ./signet-data beside the binary.
        assert!(folder.path().join("signet-data").is_dir());
    }
    .await;
    let _ = child.kill();
    let _ = child.wait();
    result
}

#[tokio::test]
async fn mail_that_cannot_be_sent_stays_visible_with_its_error() {
    // Nothing listens on this port: every attempt fails.
    let smtp = format!("smtp://127.0.0.1:{}?tls=none", free_port());
    let (_data, _signet, c) = with_operator(&[("SIGNET_SMTP_URL", smtp.as_str())]).await;
    assert!(c.login("olga@signet.test", "operator passphrase 1").await.ok());
    let created = c
        .call(
            "admin/create-issuer",
            &[("name", "Issuer"), ("slug", "issuer"), ("admin_email", "ana@a.test"), ("admin_name", "Ana")],
        )
        .await;
    assert!(created.ok(), "{created:?}");
    let mut message = serde_json::Value::Null;
    for _ in 0..100 {
        let mail = c.call("admin/mail", &[("status", "")]).await.json();
        message = mail[1][0].clone();
        if message["attempts"].as_i64() >= Some(1) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(message["to"], "ana@a.test");
    assert_eq!(message["status"], "queued", "waiting for the next retry: {message}");
    assert!(message["last_error"].as_str().is_some_and(|e| !e.is_empty()), "{message}");
    // Resending is only for messages that have given up (or never went out); this one is still queued.
    let id = message["id"].as_str().unwrap();
    assert!(c.call("admin/resend-mail", &[("mail_id", id)]).await.body.contains("Only failed or outbox"));
}

#[tokio::test]
async fn a_remote_database_without_both_instance_keys_is_refused_at_start() {
    let data = tempfile::tempdir().unwrap();
    // Nothing listens there: the keys are checked before the database is opened.
    let remote = format!("ws://127.0.0.1:{}", free_port());
    let key = "11".repeat(32);
    let start = |env: &[(&str, &str)]| {
        let mut cmd = std::process::Command::new(BIN);
        cmd.args(["--data-dir"]).arg(data.path()).args(["--db", &remote]).env("SIGNET_LOG", "warn");
        for var in ["SIGNET_MASTER_KEY", "SIGNET_MASTER_KEY_FILE", "SIGNET_SEAL_LINK_KEY", "SIGNET_SEAL_LINK_KEY_FILE"]
        {
            cmd.env_remove(var);
        }
        cmd.envs(env.iter().copied());
        let out = cmd.output().unwrap();
        assert!(!out.status.success(), "signet must not serve: {env:?}");
        String::from_utf8_lossy(&out.stderr).to_string()
    };
    let neither = start(&[]);
    assert!(neither.contains("SIGNET_MASTER_KEY and SIGNET_SEAL_LINK_KEY"), "{neither}");
    let no_link_key = start(&[("SIGNET_MASTER_KEY", &key)]);
    assert!(no_link_key.contains("set SIGNET_SEAL_LINK_KEY"), "{no_link_key}");
    // The data folder's key files are not used for a remote database unless named.
    assert!(!data.path().join("master.key").exists());

    // Both given (one as a file): the keys pass, and Signet goes on to the database, which is not there.
    let file = data.path().join("link.key");
    std::fs::write(&file, [9u8; 32]).unwrap();
    let both = start(&[("SIGNET_MASTER_KEY", &key), ("SIGNET_SEAL_LINK_KEY_FILE", file.to_str().unwrap())]);
    assert!(both.contains("cannot open the database"), "{both}");
}

#[tokio::test]
async fn every_route_carries_the_security_headers() {
    let data = tempfile::tempdir().unwrap();
    let signet = Signet::start(data.path()).await;
    let c = signet.client();
    for path in [
        "/login",
        "/no/such/page",
        "/healthz",
        "/api/v1/openapi.json",
        "/api/v1/products",
        "/api/v1/no-such-endpoint",
        "/seal/nosuchseal.js",
        "/pki/none.crt",
        "/ocsp/AAAA",
        "/pkg/signet.css",
    ] {
        let r = c.get(path).await;
        let h = r.headers();
        assert_eq!(h.get("x-content-type-options").map(|v| v.to_str().unwrap()), Some("nosniff"), "{path}");
        assert!(h.get("referrer-policy").is_some(), "{path}: Referrer-Policy");
        assert!(h.get("content-security-policy").is_some(), "{path}: Content-Security-Policy");
    }
}

#[tokio::test]
async fn twenty_parallel_wrong_passwords_lock_the_account_without_a_server_error() {
    let (_data, signet, _c) = with_operator(&[]).await;
    let attempts = (0..20).map(|i| {
        let c = signet.client();
        async move { c.login(OPERATOR, &format!("wrong password {i}")).await }
    });
    let answers = futures::future::join_all(attempts).await;
    for a in &answers {
        assert!(a.status < 500, "no server error: {a:?}");
        assert!(a.body.contains("do not match") || a.body.contains("locked for 15 minutes"), "{a:?}");
    }
    assert!(answers.iter().any(|a| a.body.contains("locked for 15 minutes")), "{answers:?}");
    // Every failure was counted: the right password is refused now.
    let right = signet.client().login(OPERATOR, OPERATOR_PASSWORD).await;
    assert!(right.body.contains("locked for 15 minutes"), "{right:?}");
}

#[tokio::test]
async fn server_functions_answer_refusals_with_honest_statuses_and_the_same_json_error() {
    let (_data, signet, operator) = with_operator(&[]).await;
    let stranger = signet.client();
    let not_signed_in = stranger.call("admin/issuers", &[]).await;
    assert_eq!((not_signed_in.status, not_signed_in.body.as_str()), (401, "\"Unauthenticated\""));

    assert!(operator.login(OPERATOR, OPERATOR_PASSWORD).await.ok());
    let bad_slug = [("name", "X"), ("slug", "Not A Slug!"), ("admin_email", "x@x.test"), ("admin_name", "X")];
    let invalid = operator.call("admin/create-issuer", &bad_slug).await;
    assert_eq!(invalid.status, 422, "{invalid:?}");
    assert!(invalid.json()["Invalid"][0]["field"] == "slug", "{invalid:?}");

    let missing = operator.call("admin/issuer", &[("issuer_id", "nosuchissuer")]).await;
    assert_eq!((missing.status, missing.body.as_str()), (404, "\"NotFound\""));

    let root = [("common_name", "Signet Test Root"), ("organisation", "Signet")];
    assert!(operator.call("ca/create-root", &root).await.ok());
    let conflict = operator.call("ca/create-root", &root).await;
    assert_eq!(conflict.status, 409, "{conflict:?}");
    assert!(conflict.json()["Conflict"].as_str().unwrap().contains("exists already"), "{conflict:?}");

    create_issuer(&operator, "Issuer", "issuer", "ana@issuer.test").await;
    let admin = accept(&signet, &operator, "ana@issuer.test", "ana's passphrase").await;
    let no_right = admin.call("admin/issuers", &[]).await;
    assert_eq!((no_right.status, no_right.body.as_str()), (403, "\"Forbidden\""));
}
