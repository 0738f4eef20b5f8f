//! Renewal and the installation check against the real binary over REST: a renewal inside the window (once,
//! not by another issuer), and the check against `openssl s_server` instances on loopback serving the newest
//! certificate (green), an older version or a chain without its issuing CA (orange), an expired certificate,
//! a revoked one and nothing at all (red).

#[path = "support/ca_world.rs"]
mod ca_world;
mod common;
use ca_world::*;
use common::free_port;
use serde_json::json;
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// The world's product with renewal open from 90 days before expiry: a fresh 90-day certificate can be renewed.
async fn open_renewal_at_issuance(w: &World) -> String {
    let (_, products) = w.api(reqwest::Method::GET, "/products", &w.key, None).await;
    let product = products[0]["id"].as_str().unwrap().to_string();
    let r = w
        .operator
        .call(
            "products/save",
            &[
                ("id", product.as_str()),
                ("product[name]", "TLS DV"),
                ("product[profile]", "server_dv"),
                ("product[wildcard]", "true"),
                ("product[max_names]", "5"),
                ("product[validity_days]", "90, 199"),
                ("product[key_types][0]", "p256"),
                ("product[auto_approve]", "false"),
                ("product[active]", "true"),
                ("product[renew_before_days]", "90"),
                ("product[renew_after_days]", "30"),
            ],
        )
        .await;
    assert!(r.ok(), "{r:?}");
    product
}

#[tokio::test]
async fn rest_renews_a_certificate_inside_its_window_once_and_another_issuer_cannot() {
    let w = world().await;
    let cert = issue(&w, "leaf").await;
    let id = cert["id"].as_str().unwrap();
    let renew = format!("/certificates/{id}/renew");

    // The product opens renewal 30 days before expiry: a fresh 90-day certificate is too early.
    let (status, early) = w.api(reqwest::Method::POST, &renew, &w.key, None).await;
    assert_eq!(status, 409, "{early}");
    assert!(early["error"].as_str().unwrap().starts_with("Renewal opens on "), "{early}");

    // With 90 days before expiry (TBS's window for one-year certificates) it is open from issuance.
    open_renewal_at_issuance(&w).await;
    let (status, _) = w.api(reqwest::Method::POST, &renew, &w.other_key, None).await;
    assert_eq!(status, 404, "another issuer's key finds no such certificate");
    let (status, garbage) = w.api(reqwest::Method::POST, &renew, &w.key, Some(json!({"csr": 7}))).await;
    assert_eq!(status, 422, "{garbage}");

    // No body: the same CSR; the validation is reused and the renewal is issued at once.
    let (status, renewed) = w.api(reqwest::Method::POST, &renew, &w.key, None).await;
    assert_eq!(status, 201, "{renewed}");
    assert_eq!(renewed["status"], "issued", "{renewed}");
    assert_ne!(renewed["certificate"]["serial"], cert["serial"]);
    assert_eq!(renewed["names"], json!(["shop.example.com"]));
    let (status, again) = w.api(reqwest::Method::POST, &renew, &w.key, None).await;
    assert_eq!(status, 409, "{again}");
    assert_eq!(again["error"], format!("Renewed by order {}.", renewed["number"].as_str().unwrap()));
}

/// `openssl s_server` on a loopback port presenting `cert` (and `chain` after it), until dropped.
struct TlsServer {
    child: Child,
    port: u16,
}

impl TlsServer {
    fn start(dir: &Path, cert: &str, key: &str, chain: Option<&str>) -> TlsServer {
        let port = free_port();
        let accept = format!("127.0.0.1:{port}");
        let mut args = vec!["s_server", "-accept", &accept, "-cert", cert, "-key", key, "-www", "-quiet"];
        if let Some(chain) = chain {
            args.extend(["-cert_chain", chain]);
        }
        let child = Command::new("openssl")
            .current_dir(dir)
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return TlsServer { child, port };
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("openssl s_server did not start on {port}");
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// GET /certificates/{id}/check for shop.example.com on `port`: (colour, reasons joined).
async fn check(w: &World, cert: &str, port: u16) -> (String, String) {
    let path = format!("/certificates/{cert}/check?host=shop.example.com&port={port}");
    let (status, outcome) = w.api(reqwest::Method::GET, &path, &w.key, None).await;
    assert_eq!(status, 200, "{outcome}");
    let reasons: Vec<&str> = outcome["reasons"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
    (outcome["colour"].as_str().unwrap().to_string(), reasons.join(" "))
}

#[tokio::test]
async fn the_installation_check_is_green_orange_or_red_as_openssl_s_server_serves_versions_chains_and_strangers() {
    // Connections go to loopback; the port is the one checked.
    let w = world_with(None, None, &[("SIGNET_CHECK_TLS_CONNECT", "127.0.0.1")]).await;
    open_renewal_at_issuance(&w).await;
    let dir = w.work.path();
    let v1 = issue(&w, "shop").await;
    let v1_id = v1["id"].as_str().unwrap().to_string();
    let (status, renewed) = w.api(reqwest::Method::POST, &format!("/certificates/{v1_id}/renew"), &w.key, None).await;
    assert_eq!(status, 201, "{renewed}");
    let v2_id = renewed["certificate"]["id"].as_str().unwrap().to_string();
    std::fs::write(dir.join("v1.pem"), w.download(&v1_id, "pem").await).unwrap();
    std::fs::write(dir.join("v2.pem"), w.download(&v2_id, "pem").await).unwrap();
    let chain = String::from_utf8(w.download(&v2_id, "chain").await).unwrap();
    let ca: String = chain.split_inclusive("-----END CERTIFICATE-----\n").skip(1).collect();
    std::fs::write(dir.join("ca.pem"), ca).unwrap();

    // The renewal (same CSR, so the same key) with its issuing CA: green, from either version's page.
    let newest = TlsServer::start(dir, "v2.pem", "shop.key", Some("ca.pem"));
    let (colour, why) = check(&w, &v2_id, newest.port).await;
    assert_eq!((colour.as_str(), why.contains("serves the newest certificate")), ("green", true), "{why}");
    assert_eq!(check(&w, &v1_id, newest.port).await.0, "green", "the old page sees its renewal installed");

    // The older version, or the newest without its issuing CA: orange, and why.
    let older = TlsServer::start(dir, "v1.pem", "shop.key", Some("ca.pem"));
    let (colour, why) = check(&w, &v2_id, older.port).await;
    assert_eq!((colour.as_str(), why.contains("still serves an older version")), ("orange", true), "{why}");
    let bare = TlsServer::start(dir, "v2.pem", "shop.key", None);
    let (colour, why) = check(&w, &v2_id, bare.port).await;
    assert_eq!((colour.as_str(), why.contains("The chain is incomplete")), ("orange", true), "{why}");

    // An expired certificate of somebody else's, and nothing listening: red.
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["shop.example.com".to_string()]).unwrap();
    params.not_before = rcgen::date_time_ymd(2020, 1, 1);
    params.not_after = rcgen::date_time_ymd(2021, 1, 1);
    std::fs::write(dir.join("expired.pem"), params.self_signed(&key).unwrap().pem()).unwrap();
    std::fs::write(dir.join("expired.key"), key.serialize_pem()).unwrap();
    let expired = TlsServer::start(dir, "expired.pem", "expired.key", None);
    let (colour, why) = check(&w, &v2_id, expired.port).await;
    assert_eq!((colour.as_str(), why.contains("expired on 2021-01-01")), ("red", true), "{why}");
    assert!(why.contains("serves another certificate"), "{why}");
    let (colour, why) = check(&w, &v2_id, free_port()).await;
    assert_eq!((colour.as_str(), why.contains("Could not connect")), ("red", true), "{why}");

    // A name the certificate does not cover is not checked; another issuer's key finds nothing.
    let path = format!("/certificates/{v2_id}/check?host=bank.example.org&port={}", newest.port);
    let (status, refused) = w.api(reqwest::Method::GET, &path, &w.key, None).await;
    assert_eq!(status, 422, "{refused}");
    let path = format!("/certificates/{v2_id}/check?host=shop.example.com&port={}", newest.port);
    assert_eq!(w.api(reqwest::Method::GET, &path, &w.other_key, None).await.0, 404);

    // Revoked: the same server turns red.
    let revoke = json!({"reason": "superseded"});
    let (status, _) =
        w.api(reqwest::Method::POST, &format!("/certificates/{v2_id}/revoke"), &w.key, Some(revoke)).await;
    assert_eq!(status, 200);
    let (colour, why) = check(&w, &v2_id, newest.port).await;
    assert_eq!((colour.as_str(), why.contains("was revoked")), ("red", true), "{why}");
}
