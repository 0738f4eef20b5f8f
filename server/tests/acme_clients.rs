//! Real ACME clients against the real binary: certbot (from PyPI, pinned in .ci/python-tools.txt) registers with
//! an external account binding, gets certificates by http-01 (its own standalone server, on the loopback port
//! Signet's HTTP connect setting points at) and by dns-01 (a manual auth hook writing the test DNS server's
//! records), renews when Signet's renewal information says so, and revokes one, which OCSP then reports; lego (Debian's package) gets one by http-01. openssl
//! verifies every certificate with its chain and pkilint lints it.

#[path = "support/ca_world.rs"]
mod ca_world;
mod common;
use ca_world::*;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A binding for the world's client (with `shop.example.com` as its domain): (key ID, HMAC key).
async fn binding(w: &World) -> (String, String) {
    let created = acme_binding(w).await;
    (created["kid"].as_str().unwrap().to_string(), created["hmac_key"].as_str().unwrap().to_string())
}

/// Runs a command and returns its output; fails the test with everything it printed if it fails.
fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{cmd:?} failed:\n{text}");
    text
}

struct Certbot {
    dirs: PathBuf,
    server: String,
}

impl Certbot {
    fn new(w: &World) -> Certbot {
        Certbot { dirs: w.work.path().join("certbot"), server: format!("{}/acme/directory", w.signet.base) }
    }
    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(python_tools().join("certbot"));
        let d = |sub: &str| self.dirs.join(sub).to_string_lossy().to_string();
        cmd.args(args).args([
            "--server",
            &self.server,
            "--non-interactive",
            "--config-dir",
            &d("config"),
            "--work-dir",
            &d("work"),
            "--logs-dir",
            &d("logs"),
        ]);
        cmd
    }
    fn live(&self, name: &str, file: &str) -> PathBuf {
        self.dirs.join("config/live").join(name).join(file)
    }
}

/// openssl verifies `leaf` with the chain file and the root the REST API hands out; pkilint finds nothing.
async fn verify(w: &World, leaf: &Path, chain: &Path) {
    let dir = w.work.path();
    let (_, listed) = w.api(reqwest::Method::GET, "/certificates", &w.key, None).await;
    let id = listed["items"][0]["id"].as_str().unwrap().to_string();
    std::fs::write(dir.join("root.pem"), w.download(&id, "root").await).unwrap();
    let root = dir.join("root.pem");
    let out =
        run(Command::new("openssl").arg("verify").arg("-CAfile").arg(&root).arg("-untrusted").arg(chain).arg(leaf));
    assert!(out.contains(": OK"), "{out}");
    assert_eq!(pkilint_errors(leaf), Vec::<String>::new(), "{}", leaf.display());
}

#[tokio::test]
async fn certbot_registers_gets_certificates_by_http_01_and_dns_01_renews_by_renewal_information_and_revokes() {
    let port = common::free_port();
    let w = world_with(Some(port), None, &[]).await;
    let (kid, hmac) = binding(&w).await;
    let certbot = Certbot::new(&w);

    // http-01: certbot's own standalone server answers on the loopback port Signet connects to.
    let port = port.to_string();
    let email = "ops@shop.example.com";
    run(&mut certbot.command(&[
        "certonly",
        "--standalone",
        "--http-01-address",
        "127.0.0.1",
        "--http-01-port",
        &port,
        "-d",
        "shop.example.com",
        "--agree-tos",
        "-m",
        email,
        "--eab-kid",
        &kid,
        "--eab-hmac-key",
        &hmac,
    ]));
    verify(&w, &certbot.live("shop.example.com", "cert.pem"), &certbot.live("shop.example.com", "chain.pem")).await;

    // certbot renew asks Signet's renewal information (RFC 9773): not due yet.
    // Without a terminal certbot sleeps up to eight minutes before renewing (spreading load on public CAs).
    let renew = [
        "renew",
        "--no-random-sleep-on-renew",
        "--cert-name",
        "shop.example.com",
        "--http-01-address",
        "127.0.0.1",
        "--http-01-port",
        &port,
    ];
    let out = run(&mut certbot.command(&renew));
    assert!(out.contains("not yet due for renewal"), "{out}");
    // The issuer revokes the certificate (superseded): renewal information now says "renew now". certbot keeps
    // the answer's Retry-After (6 hours) in the lineage's renewal file; dropping it stands for those hours.
    let (_, listed) = w.api(reqwest::Method::GET, "/certificates", &w.key, None).await;
    let first = listed["items"][0]["id"].as_str().unwrap().to_string();
    let body = json!({"reason": "superseded", "comment": "key rotation"});
    let (status, _) = w.api(reqwest::Method::POST, &format!("/certificates/{first}/revoke"), &w.key, Some(body)).await;
    assert_eq!(status, 200);
    let conf = certbot.dirs.join("config/renewal/shop.example.com.conf");
    let text = std::fs::read_to_string(&conf).unwrap();
    let kept: Vec<&str> = text.lines().filter(|l| !l.starts_with("ari_retry_after")).collect();
    std::fs::write(&conf, kept.join("\n") + "\n").unwrap();
    let out = run(&mut certbot.command(&renew));
    assert!(out.contains("Congratulations, all renewals succeeded"), "{out}");
    let (_, listed) = w.api(reqwest::Method::GET, "/certificates", &w.key, None).await;
    assert_ne!(listed["items"][0]["id"].as_str().unwrap(), first, "a new certificate: {listed}");
    verify(&w, &certbot.live("shop.example.com", "cert.pem"), &certbot.live("shop.example.com", "chain.pem")).await;

    // dns-01 with the same account: the hook publishes the TXT record in the test DNS server.
    let hook = format!(
        "{} {}",
        python_tools().join("python").display(),
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/certbot_dns_hook.py").display()
    );
    let cleanup = format!("{hook} --cleanup");
    run(certbot
        .command(&[
            "certonly",
            "--manual",
            "--preferred-challenges",
            "dns",
            "--manual-auth-hook",
            &hook,
            "--manual-cleanup-hook",
            &cleanup,
            "-d",
            "www.shop.example.com",
        ])
        .env("SIGNET_DNS_RECORDS", &w.dns.records));
    let www = certbot.live("www.shop.example.com", "cert.pem");
    verify(&w, &www, &certbot.live("www.shop.example.com", "chain.pem")).await;

    // The portal lists the three orders under the binding's client.
    let (_, orders) = w.api(reqwest::Method::GET, "/orders", &w.key, None).await;
    let issued = orders["items"].as_array().unwrap().iter().filter(|o| o["status"] == "issued").count();
    assert_eq!(issued, 3, "{orders}");

    // certbot revoke: OCSP says revoked.
    let cert = certbot.live("shop.example.com", "cert.pem");
    let cert_path = cert.to_string_lossy().to_string();
    run(&mut certbot.command(&[
        "revoke",
        "--cert-path",
        &cert_path,
        "--reason",
        "keycompromise",
        "--no-delete-after-revoke",
    ]));
    let chain = certbot.live("shop.example.com", "chain.pem");
    let url = format!("{}/ocsp", w.signet.base);
    let root = w.work.path().join("root.pem");
    let out = run(Command::new("openssl")
        .args(["ocsp", "-url", &url, "-issuer"])
        .arg(&chain)
        .arg("-cert")
        .arg(&cert)
        .arg("-CAfile")
        .arg(&root)
        .arg("-verify_other")
        .arg(&chain));
    assert!(out.contains(": revoked") && out.contains("Reason: keyCompromise"), "{out}");
}

#[tokio::test]
async fn lego_gets_a_certificate_by_http_01() {
    let port = common::free_port();
    let w = world_with(Some(port), None, &[]).await;
    let (kid, hmac) = binding(&w).await;
    let path = w.work.path().join("lego");
    let server = format!("{}/acme/directory", w.signet.base);
    let listen = format!("127.0.0.1:{port}");
    run(Command::new("lego")
        .args(["--server", &server, "--accept-tos", "--email", "ops@shop.example.com", "--eab", "--kid", &kid])
        .args(["--hmac", &hmac, "--domains", "shop.example.com", "--http", "--http.port", &listen, "--path"])
        .arg(&path)
        .arg("run"));
    let issued = std::fs::read_to_string(path.join("certificates/shop.example.com.crt")).unwrap();
    // lego stores the leaf followed by its chain.
    let pems: Vec<&str> = issued.split_inclusive("-----END CERTIFICATE-----\n").collect();
    assert!(pems.len() >= 2, "{issued}");
    std::fs::write(w.work.path().join("lego-leaf.pem"), pems[0]).unwrap();
    std::fs::write(w.work.path().join("lego-chain.pem"), pems[1..].concat()).unwrap();
    verify(&w, &w.work.path().join("lego-leaf.pem"), &w.work.path().join("lego-chain.pem")).await;
}
