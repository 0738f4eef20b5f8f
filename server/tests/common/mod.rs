//! Starts the real `signet` binary on a free port with a fresh data folder, and talks to it over HTTP
//! the way the browser does (server functions are form posts under /_sf).

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_signet");

pub struct Signet {
    pub child: Child,
    pub base: String,
    pub data: PathBuf,
    output: Arc<Mutex<String>>,
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// `signet admin create-operator`, password on standard input.
pub fn create_operator(data: &Path, email: &str, password: &str) {
    let mut child = Command::new(BIN)
        .args(["admin", "create-operator", "--email", email, "--name", "Olga Operator"])
        .arg("--data-dir")
        .arg(data)
        .env("SIGNET_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "create-operator failed: {}", String::from_utf8_lossy(&out.stderr));
}

/// A fresh instance whose operator `olga@signet.test` was created from the command line.
pub async fn with_operator(env: &[(&str, &str)]) -> (tempfile::TempDir, Signet, Client) {
    let data = tempfile::tempdir().unwrap();
    create_operator(data.path(), OPERATOR, OPERATOR_PASSWORD);
    let signet = Signet::start_with(data.path(), env).await;
    let client = signet.client();
    (data, signet, client)
}

pub const OPERATOR: &str = "olga@signet.test";
pub const OPERATOR_PASSWORD: &str = "operator passphrase 1";

impl Signet {
    pub async fn start(data: &Path) -> Signet {
        Self::start_with(data, &[]).await
    }

    pub async fn start_with(data: &Path, env: &[(&str, &str)]) -> Signet {
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let mut cmd = Command::new(BIN);
        cmd.arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--data-dir")
            .arg(data)
            .env("SIGNET_PUBLIC_URL", &base)
            .env("SIGNET_LOG", "warn")
            .env_remove("SIGNET_SMTP_URL")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        let output = Arc::new(Mutex::new(String::new()));
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let output = output.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    output.lock().unwrap().push_str(&(line + "\n"));
                }
            });
        }
        let signet = Signet { child, base, data: data.to_path_buf(), output };
        let deadline = Instant::now() + Duration::from_secs(60);
        let client = reqwest::Client::new();
        loop {
            if let Ok(r) = client.get(format!("{}/healthz", signet.base)).send().await {
                if r.status() == 200 {
                    break;
                }
            }
            assert!(Instant::now() < deadline, "signet did not start: {}", signet.output());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        signet
    }

    pub fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    /// Kills the process without warning (SIGKILL): no graceful shutdown, no flushing.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    pub fn client(&self) -> Client {
        Client {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: self.base.clone(),
        }
    }
}

impl Drop for Signet {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A browser-like session: a cookie jar and same-origin form posts.
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
}

/// What a server function answered.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: String,
}

impl Answer {
    pub fn ok(&self) -> bool {
        self.status < 300
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

impl Client {
    /// Calls a server function with form fields, as the hydrated page does.
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> Answer {
        let r = self
            .http
            .post(format!("{}/_sf/{endpoint}", self.base))
            .header("Origin", &self.base)
            .header("Sec-Fetch-Site", "same-origin")
            .form(form)
            .send()
            .await
            .unwrap();
        Answer { status: r.status().as_u16(), body: r.text().await.unwrap() }
    }

    pub async fn login(&self, email: &str, password: &str) -> Answer {
        self.call("auth/login", &[("email", email), ("password", password)]).await
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(format!("{}{path}", self.base)).send().await.unwrap()
    }
}

/// The links in the outbox that start with `prefix`, newest first, for mail to `to`.
pub async fn outbox_links(operator: &Client, to: &str, prefix: &str) -> Vec<String> {
    let answer = operator.call("admin/mail", &[("status", "")]).await;
    assert!(answer.ok(), "outbox: {answer:?}");
    let messages = answer.json()[1].as_array().cloned().unwrap_or_default();
    messages
        .iter()
        .filter(|m| m["to"] == to)
        .filter_map(|m| m["body"].as_str())
        .flat_map(|body| {
            body.split_whitespace().filter(|w| w.starts_with(prefix)).map(str::to_string).collect::<Vec<_>>()
        })
        .collect()
}

/// The operator creates an issuer with its first admin (who is invited by e-mail).
pub async fn create_issuer(operator: &Client, name: &str, slug: &str, admin: &str) {
    let r = operator
        .call("admin/create-issuer", &[("name", name), ("slug", slug), ("admin_email", admin), ("admin_name", admin)])
        .await;
    assert!(r.ok(), "{r:?}");
}

/// Accepts the invitation mailed to `email` (read from the operator's outbox) and signs in.
pub async fn accept(signet: &Signet, operator: &Client, email: &str, password: &str) -> Client {
    let prefix = format!("{}/invite/", signet.base);
    let links = outbox_links(operator, email, &prefix).await;
    let token =
        links.first().unwrap_or_else(|| panic!("invitation for {email}")).trim_start_matches(&prefix).to_string();
    let c = signet.client();
    let r = c
        .call(
            "auth/accept-invitation",
            &[("token", &token), ("name", email), ("password", password), ("confirm", password)],
        )
        .await;
    assert!(r.ok(), "accept {email}: {r:?}");
    assert!(c.login(email, password).await.ok());
    c
}
