//! What the TLS tests against the real binary share: an operator, two issuers with their issuing CAs, a DV
//! product, a client and API keys; loopback web and DNS servers for validation; openssl and pkilint.
//! Included by the TLS test files with `#[path]`.

#![allow(dead_code)]

use super::common::*;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub fn python_tools() -> PathBuf {
    std::env::var("SIGNET_PYTHON_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(std::env::var("HOME").unwrap()).join(".cache/signet-tools/venv/bin"))
}

pub fn openssl(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("openssl").current_dir(dir).args(args).output().unwrap();
    assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// A CSR made by openssl: `key` is an openssl -newkey argument (rsa:2048, ec, ed25519).
pub fn openssl_csr(dir: &Path, name: &str, key: &[&str], subject: &str, sans: &[&str]) -> String {
    let mut args = vec!["req", "-new", "-nodes", "-keyout"];
    let key_file = format!("{name}.key");
    let csr_file = format!("{name}.csr");
    args.push(&key_file);
    args.extend_from_slice(key);
    args.extend_from_slice(&["-subj", subject, "-out", &csr_file]);
    let san = format!("subjectAltName={}", sans.iter().map(|s| format!("DNS:{s}")).collect::<Vec<_>>().join(","));
    if !sans.is_empty() {
        args.extend_from_slice(&["-addext", &san]);
    }
    openssl(dir, &args);
    std::fs::read_to_string(dir.join(csr_file)).unwrap()
}

/// A loopback web server for HTTP-file validation: answers the paths it was given, 404 otherwise.
pub async fn web_server(files: Arc<Mutex<HashMap<String, String>>>) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else { return };
            let files = files.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                let n = sock.read(&mut buf).await.unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..n]).to_string();
                let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
                let host = request
                    .lines()
                    .find_map(|l| l.strip_prefix("host: ").or_else(|| l.strip_prefix("Host: ")))
                    .unwrap_or("")
                    .trim()
                    .to_string();
                let body = files.lock().unwrap().get(&format!("{host}{path}")).cloned();
                let response = match body {
                    Some(b) => {
                        format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{b}", b.len())
                    }
                    None => "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_string(),
                };
                let _ = sock.write_all(response.as_bytes()).await;
            });
        }
    });
    port
}

pub struct DnsServer {
    pub child: std::process::Child,
    pub records: PathBuf,
    pub port: u16,
}

impl DnsServer {
    pub fn start(dir: &Path) -> DnsServer {
        let port = free_port();
        let records = dir.join("dns.json");
        std::fs::write(&records, "{}").unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/dns_server.py");
        let mut child = Command::new(python_tools().join("python"))
            .arg(script)
            .args(["--port", &port.to_string(), "--records"])
            .arg(&records)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("the Python test tools (.ci/signet.sh installs them)");
        let mut line = String::new();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.take().unwrap()), &mut line).unwrap();
        assert_eq!(line.trim(), "ready");
        DnsServer { child, records, port }
    }
    pub fn set(&self, records: Value) {
        std::fs::write(&self.records, records.to_string()).unwrap();
    }
}

impl Drop for DnsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct World {
    pub _data: tempfile::TempDir,
    pub work: tempfile::TempDir,
    pub signet: Signet,
    pub operator: Client,
    pub staff: Client,
    pub other: Client,
    pub client_id: String,
    pub key: String,
    pub other_key: String,
    pub files: Arc<Mutex<HashMap<String, String>>>,
    pub dns: DnsServer,
    pub http: reqwest::Client,
}

pub async fn world() -> World {
    world_with(None, None, &[]).await
}

/// The world, with HTTP validation connecting to `http_port` on loopback (where an ACME client's own
/// challenge server listens) instead of the world's web server, ACME tls-alpn-01 to `tls_port`, and `settings`
/// (more environment variables) for the binary.
pub async fn world_with(http_port: Option<u16>, tls_port: Option<u16>, settings: &[(&str, &str)]) -> World {
    let work = tempfile::tempdir().unwrap();
    let files = Arc::new(Mutex::new(HashMap::new()));
    let web_port = web_server(files.clone()).await;
    let dns = DnsServer::start(work.path());
    let data = tempfile::tempdir().unwrap();
    create_operator(data.path(), OPERATOR, OPERATOR_PASSWORD);
    let dns_addr = format!("127.0.0.1:{}", dns.port);
    let connect = format!("127.0.0.1:{}", http_port.unwrap_or(web_port));
    // Nothing listens on port 9 (discard): without a TLS port, tls-alpn-01 fails as on a closed port.
    let tls_connect = format!("127.0.0.1:{}", tls_port.unwrap_or(9));
    let mut env = vec![
        ("SIGNET_DCV_DNS_SERVER", dns_addr.as_str()),
        ("SIGNET_DCV_HTTP_CONNECT", connect.as_str()),
        ("SIGNET_DCV_TLS_CONNECT", tls_connect.as_str()),
        // Certificate URLs on a public-looking host, as in production (pkilint flags loopback addresses).
        ("SIGNET_PKI_URL", "http://pki.signet.example.com"),
    ];
    env.extend_from_slice(settings);
    let signet = Signet::start_with(data.path(), &env).await;
    let operator = signet.client();
    assert!(operator.login(OPERATOR, OPERATOR_PASSWORD).await.ok());
    create_issuer(&operator, "Chamber of Commerce Split", "smib", "ana@smib.test").await;
    create_issuer(&operator, "Other", "other", "bo@other.test").await;
    let staff = accept(&signet, &operator, "ana@smib.test", "ana's passphrase").await;
    let other = accept(&signet, &operator, "bo@other.test", "bo's passphrase!").await;
    assert!(operator
        .call("ca/create-root", &[("common_name", "Signet Test Root"), ("organisation", "Signet")])
        .await
        .ok());
    let overview = operator.call("ca/overview", &[]).await.json();
    for issuer in overview["issuers_without_ca"].as_array().unwrap() {
        let r = operator.call("ca/create-intermediate", &[("issuer_id", issuer[0].as_str().unwrap())]).await;
        assert!(r.ok(), "{r:?}");
    }
    let r = operator
        .call(
            "products/save",
            &[
                ("id", ""),
                ("product[name]", "TLS DV"),
                ("product[profile]", "server_dv"),
                ("product[wildcard]", "true"),
                ("product[max_names]", "5"),
                ("product[validity_days]", "90, 199"),
                ("product[key_types][0]", "rsa"),
                ("product[key_types][1]", "p256"),
                ("product[key_types][2]", "p384"),
                ("product[auto_approve]", "false"),
                ("product[active]", "true"),
            ],
        )
        .await;
    assert!(r.ok(), "{r:?}");
    for (who, name, path) in [(&staff, "Shop d.o.o.", "shop"), (&other, "Other shop", "other-shop")] {
        let r = who
            .call(
                "clients/create",
                &[
                    ("client[name]", name),
                    ("client[path]", path),
                    ("client[city]", "Split"),
                    ("client[country]", "HR"),
                    ("client[email]", "info@shop.example.com"),
                    ("client[contact_person]", "Iva Ivić"),
                ],
            )
            .await;
        assert!(r.status < 400, "{r:?}");
    }
    let list = staff.call("clients/list", &[("search", ""), ("page", "1")]).await.json();
    let client_id = list["items"][0]["id"].as_str().unwrap().to_string();
    let key = serde_json::from_str::<String>(&staff.call("api-keys/create", &[("name", "ci")]).await.body).unwrap();
    let other_key =
        serde_json::from_str::<String>(&other.call("api-keys/create", &[("name", "ci")]).await.body).unwrap();
    World {
        _data: data,
        work,
        signet,
        operator,
        staff,
        other,
        client_id,
        key,
        other_key,
        files,
        dns,
        http: reqwest::Client::new(),
    }
}

impl World {
    pub async fn api(&self, method: reqwest::Method, path: &str, key: &str, body: Option<Value>) -> (u16, Value) {
        let mut r = self.http.request(method, format!("{}/api/v1{path}", self.signet.base)).bearer_auth(key);
        if let Some(b) = body {
            r = r.json(&b);
        }
        let r = r.send().await.unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }
    pub async fn download(&self, cert: &str, format: &str) -> Vec<u8> {
        let r = self
            .http
            .get(format!("{}/api/v1/certificates/{cert}?format={format}", self.signet.base))
            .bearer_auth(&self.key)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{format}");
        r.bytes().await.unwrap().to_vec()
    }
}

/// An ACME binding made over REST for the world's client, with `shop.example.com` registered as its domain:
/// the answer of `POST /api/v1/acme/eab` (`kid`, `hmac_key`, `directory_url`).
pub async fn acme_binding(w: &World) -> Value {
    let r = w
        .staff
        .call("clients/add-domain", &[("client_id", &w.client_id), ("host", "shop.example.com"), ("description", "")])
        .await;
    assert!(r.ok(), "{r:?}");
    let (_, products) = w.api(reqwest::Method::GET, "/products", &w.key, None).await;
    let body = serde_json::json!({"client_id": w.client_id, "product_id": products[0]["id"], "label": "web servers"});
    let (status, created) = w.api(reqwest::Method::POST, "/acme/eab", &w.key, Some(body)).await;
    assert_eq!(status, 201, "{created}");
    created
}

pub fn dcv_of<'a>(order: &'a Value, name: &str) -> &'a Value {
    order["dcv"].as_array().unwrap().iter().find(|d| d["name"] == name).unwrap()
}

/// pkilint's findings of ERROR or FATAL severity for a DV certificate (PEM file).
pub fn pkilint_errors(file: &Path) -> Vec<String> {
    pkilint("lint_cabf_serverauth_cert", &["-t", "DV-FINAL-CERTIFICATE"], file)
}

/// The findings of ERROR or FATAL severity of one of pkilint's linters.
pub fn pkilint(linter: &str, args: &[&str], file: &Path) -> Vec<String> {
    let out = Command::new(python_tools().join(linter))
        .arg("lint")
        .args(args)
        .args(["-f", "JSON"])
        .arg(file)
        .output()
        .expect("pkilint (.ci/signet.sh installs it)");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!("{linter}: {} {}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    });
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["finding_descriptions"].as_array().cloned().unwrap_or_default())
        .filter(|f| f["severity"] == "ERROR" || f["severity"] == "FATAL")
        .map(|f| f.to_string())
        .collect()
}

/// Issues a 90-day certificate for `shop.example.com` over REST with HTTP-file validation, its key in
/// `{name}.key` of the work folder; its JSON.
pub async fn issue(w: &World, name: &str) -> Value {
    let dir = w.work.path();
    let (_, products) = w.api(reqwest::Method::GET, "/products", &w.key, None).await;
    let product_id = products[0]["id"].as_str().unwrap().to_string();
    let csr = openssl_csr(
        dir,
        name,
        &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
        "/CN=shop.example.com",
        &["shop.example.com"],
    );
    let (status, order) = w
        .api(
            reqwest::Method::POST,
            "/orders",
            &w.key,
            Some(json!({
                "client_id": w.client_id, "product_id": product_id, "validity_days": 90, "names": ["shop.example.com"],
                "csr": csr, "dcv_method": "http",
                "technical": {"name": "Iva", "email": "iva@shop.example.com", "phone": ""}
            })),
        )
        .await;
    assert_eq!(status, 201, "{order}");
    if order["status"] == "issued" {
        return order["certificate"].clone();
    }
    let http = &order["dcv"][0];
    let url = http["http_url"].as_str().unwrap().trim_start_matches("http://").to_string();
    w.files.lock().unwrap().insert(url, format!("{}\n", http["token"].as_str().unwrap()));
    let id = order["id"].as_str().unwrap();
    let (_, issued) = w.api(reqwest::Method::POST, &format!("/orders/{id}/dcv/check"), &w.key, None).await;
    assert_eq!(issued["status"], "issued", "{issued}");
    issued["certificate"].clone()
}
