//! ACME against the real binary with instant-acme as the client: an external account binding made over REST,
//! account registration with it, http-01 and dns-01 against the loopback web and DNS servers, finalize and the
//! chain verified by openssl, the order in the portal's list under its client, renewal information (RFC 9773) and a
//! renewal with `replaces` in both orders' histories, revocation by the account with OCSP saying revoked, the
//! refusals (no binding, a foreign name, an unknown profile, garbage), tls-alpn-01, and the rate limits.

#[path = "support/acme_http.rs"]
mod acme_http;
#[path = "support/ca_world.rs"]
mod ca_world;
mod common;
use acme_http::{builder_keeping, LastHeaders};
use ca_world::*;
use instant_acme::{
    Account, AccountCredentials, ChallengeType, ExternalAccountKey, Identifier, NewAccount, NewOrder, OrderStatus,
    RetryPolicy, RevocationReason, RevocationRequest,
};
use serde_json::{json, Value};
use std::process::Command;
use std::time::Duration;

fn builder() -> instant_acme::AccountBuilder {
    builder_keeping(reqwest::Client::new(), LastHeaders::default())
}

/// An ACME world: the REST world with `shop.example.com` registered as the client's domain and a binding.
struct AcmeWorld {
    w: World,
    directory: String,
    kid: String,
    hmac: Vec<u8>,
}

async fn acme_world() -> AcmeWorld {
    acme_world_with(world().await).await
}

async fn acme_world_with(w: World) -> AcmeWorld {
    let created = acme_binding(&w).await;
    let directory = created["directory_url"].as_str().unwrap().to_string();
    assert_eq!(directory, format!("{}/acme/directory", w.signet.base));
    let kid = created["kid"].as_str().unwrap().to_string();
    use base64::Engine;
    let hmac = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(created["hmac_key"].as_str().unwrap()).unwrap();
    AcmeWorld { w, directory, kid, hmac }
}

impl AcmeWorld {
    async fn account(&self) -> (Account, AccountCredentials) {
        self.account_with(builder()).await
    }

    async fn account_with(&self, builder: instant_acme::AccountBuilder) -> (Account, AccountCredentials) {
        let eab = ExternalAccountKey::new(self.kid.clone(), &self.hmac);
        let new = NewAccount {
            contact: &["mailto:ops@shop.example.com"],
            terms_of_service_agreed: true,
            only_return_existing: false,
        };
        builder.create(&new, self.directory.clone(), Some(&eab)).await.expect("an account with the binding")
    }
}

fn retries() -> RetryPolicy {
    RetryPolicy::new().initial_delay(Duration::from_millis(100)).timeout(Duration::from_secs(20))
}

#[tokio::test]
async fn an_acme_client_gets_a_certificate_by_http_01_and_dns_01_sees_renewal_information_renews_with_replaces_and_revokes(
) {
    let a = acme_world().await;
    let w = &a.w;
    let (account, _) = a.account().await;
    let ids = [Identifier::Dns("shop.example.com".into()), Identifier::Dns("www.shop.example.com".into())];
    let mut order = account.new_order(&NewOrder::new(&ids)).await.unwrap();
    assert_eq!(order.state().status, OrderStatus::Pending);

    let mut authorizations = order.authorizations();
    while let Some(authz) = authorizations.next().await {
        let mut authz = authz.unwrap();
        let name = authz.identifier().to_string();
        let kind = if name == "shop.example.com" { ChallengeType::Http01 } else { ChallengeType::Dns01 };
        let mut challenge = authz.challenge(kind.clone()).expect("http-01 and dns-01 are offered");
        let ka = challenge.key_authorization();
        if kind == ChallengeType::Http01 {
            let path = format!("{name}/.well-known/acme-challenge/{}", challenge.token);
            w.files.lock().unwrap().insert(path, ka.as_str().to_string());
        } else {
            w.dns.set(json!({ format!("_acme-challenge.{name}"): [ka.dns_value()] }));
        }
        challenge.set_ready().await.unwrap();
    }
    assert_eq!(order.poll_ready(&retries()).await.unwrap(), OrderStatus::Ready);
    let _key_pem = order.finalize().await.unwrap();
    let chain = order.poll_certificate(&retries()).await.unwrap();

    // The chain verifies up to the root with openssl.
    let dir = w.work.path();
    let pems: Vec<&str> = chain.split_inclusive("-----END CERTIFICATE-----\n").collect();
    assert!(pems.len() >= 2, "leaf and issuing CA: {chain}");
    std::fs::write(dir.join("leaf.pem"), pems[0]).unwrap();
    std::fs::write(dir.join("ca.pem"), pems[1..].concat()).unwrap();
    let (_, listed) = w.api(reqwest::Method::GET, "/certificates", &w.key, None).await;
    let cert_id = listed["items"][0]["id"].as_str().unwrap().to_string();
    std::fs::write(dir.join("root.pem"), w.download(&cert_id, "root").await).unwrap();
    let verify = openssl(dir, &["verify", "-CAfile", "root.pem", "-untrusted", "ca.pem", "leaf.pem"]);
    assert!(verify.contains("leaf.pem: OK"), "{verify}");
    let text = openssl(dir, &["x509", "-in", "leaf.pem", "-noout", "-ext", "subjectAltName"]);
    assert!(text.contains("DNS:shop.example.com") && text.contains("DNS:www.shop.example.com"), "{text}");
    assert!(pkilint_errors(&dir.join("leaf.pem")).is_empty());

    // The portal lists the order under the binding's client, issued.
    let (_, orders) = w.api(reqwest::Method::GET, "/orders", &w.key, None).await;
    let placed = &orders["items"][0];
    assert_eq!(placed["status"], "issued", "{orders}");
    assert_eq!(placed["client_name"], "Shop d.o.o.", "{placed}");

    // Renewal information: the window opens at two thirds of the lifetime, well after today.
    let serial_hex = listed["items"][0]["serial"].as_str().unwrap().to_string();
    let aki = openssl(dir, &["x509", "-in", "leaf.pem", "-noout", "-ext", "authorityKeyIdentifier"]);
    let aki_hex: String = aki.lines().last().unwrap().trim().trim_start_matches("keyid:").replace(':', "");
    let cert_id = format!("{}.{}", b64u(&hex_bytes(&aki_hex)), b64u(&hex_bytes(&serial_hex)));
    let (window, retry_after) = renewal_info(&a.directory, &cert_id).await;
    assert!(retry_after > 0);
    let start = chrono::DateTime::parse_from_rfc3339(window["start"].as_str().unwrap()).unwrap();
    assert!(start > chrono::Utc::now() + chrono::Duration::days(30), "{window}");

    // A renewal names the certificate it replaces; both orders' histories say so.
    let replaces = instant_acme::CertificateIdentifier::new(
        rustls_pki_types::Der::from(hex_bytes(&aki_hex)),
        rustls_pki_types::Der::from(hex_bytes(&serial_hex)),
    );
    let renewal = account.new_order(&NewOrder::new(&ids).replaces(replaces)).await.unwrap();
    let renewal_id = renewal.url().rsplit('/').next().unwrap().to_string();
    let (_, renewal_view) = w.api(reqwest::Method::GET, &format!("/orders/{renewal_id}"), &w.key, None).await;
    let events = renewal_view["events"].to_string();
    assert!(events.contains(&format!("renews certificate {serial_hex}")), "{events}");

    // Revoked by the account: OCSP says so at once.
    let der = rustls_pki_types::CertificateDer::from(pem_body(pems[0]));
    account
        .revoke(&RevocationRequest { certificate: &der, reason: Some(RevocationReason::KeyCompromise) })
        .await
        .unwrap();
    let url = format!("{}/ocsp", w.signet.base);
    let ocsp = Command::new("openssl")
        .current_dir(dir)
        .args(["ocsp", "-issuer", "ca.pem", "-cert", "leaf.pem", "-url", &url, "-CAfile", "root.pem"])
        .output()
        .unwrap();
    let ocsp = String::from_utf8_lossy(&ocsp.stdout).to_string();
    assert!(ocsp.contains("leaf.pem: revoked"), "{ocsp}");
    assert!(ocsp.contains("Key Compromise") || ocsp.contains("keyCompromise"), "{ocsp}");
    // Renewal information now says: renew at once.
    let (window, _) = renewal_info(&a.directory, &cert_id).await;
    let start = chrono::DateTime::parse_from_rfc3339(window["start"].as_str().unwrap()).unwrap();
    assert!(start <= chrono::Utc::now(), "{window}");
    // A second revocation is alreadyRevoked.
    let again = account.revoke(&RevocationRequest { certificate: &der, reason: None }).await.err().unwrap();
    assert!(again.to_string().contains("alreadyRevoked"), "{again}");
}

fn hex_bytes(hex: &str) -> Vec<u8> {
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect()
}

fn b64u(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// GET renewalInfo/{certID} as RFC 9773 has clients ask: the suggested window, and `Retry-After` in seconds.
async fn renewal_info(directory: &str, cert_id: &str) -> (Value, u64) {
    let dir: Value = reqwest::get(directory).await.unwrap().json().await.unwrap();
    let r = reqwest::get(format!("{}/{cert_id}", dir["renewalInfo"].as_str().unwrap())).await.unwrap();
    assert_eq!(r.status(), 200);
    let retry: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    let body: Value = r.json().await.unwrap();
    (body["suggestedWindow"].clone(), retry)
}

/// The DER inside one PEM block.
fn pem_body(pem: &str) -> Vec<u8> {
    use base64::Engine;
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD.decode(b64).unwrap()
}

/// A raw POST with the directory's fresh nonce, for refusals no well-behaved client sends.
async fn raw_post(base: &str, path: &str, body: &str) -> (u16, Value) {
    let http = reqwest::Client::new();
    let r = http
        .post(format!("{base}/acme/{path}"))
        .header("content-type", "application/jose+json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("replay-nonce").is_some(), "every answer carries a nonce");
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn acme_refuses_accounts_without_binding_foreign_names_unknown_profiles_and_garbage() {
    let a = acme_world().await;
    let w = &a.w;

    // The directory says a binding is needed; an account without one is refused.
    let dir: Value = reqwest::get(&a.directory).await.unwrap().json().await.unwrap();
    assert_eq!(dir["meta"]["externalAccountRequired"], true);
    assert!(dir["meta"]["profiles"]["tls-dv"].as_str().unwrap().contains("TLS DV"), "{dir}");
    let new = NewAccount { contact: &[], terms_of_service_agreed: true, only_return_existing: false };
    let unbound = builder().create(&new, a.directory.clone(), None).await.err().unwrap();
    assert!(unbound.to_string().contains("externalAccountRequired"), "{unbound}");
    let wrong = ExternalAccountKey::new(a.kid.clone(), b"not the key");
    let refused = builder().create(&new, a.directory.clone(), Some(&wrong)).await.err().unwrap();
    assert!(refused.to_string().contains("unauthorized"), "{refused}");

    // Names the client does not hold, and an unknown profile.
    let (account, _) = a.account().await;
    let foreign = [Identifier::Dns("bank.example.org".into())];
    let e = account.new_order(&NewOrder::new(&foreign)).await.err().unwrap();
    assert!(e.to_string().contains("rejectedIdentifier") && e.to_string().contains("bank.example.org"), "{e}");
    let ids = [Identifier::Dns("shop.example.com".into())];
    let e = account.new_order(&NewOrder::new(&ids).profile("no-such-profile")).await.err().unwrap();
    assert!(e.to_string().contains("invalidProfile") && e.to_string().contains("tls-dv"), "{e}");

    // Garbage, truncated and unsigned bodies are problem documents, never a 500.
    for body in ["", "{", "garbage", r#"{"protected":"e30","payload":"","signature":""}"#] {
        let (status, problem) = raw_post(&w.signet.base, "new-order", body).await;
        assert_eq!(status, 400, "{body}: {problem}");
        assert!(problem["type"].as_str().unwrap().starts_with("urn:ietf:params:acme:error:"), "{problem}");
    }
}

#[derive(Debug)]
struct Fixed(std::sync::Arc<tokio_rustls::rustls::sign::CertifiedKey>);

impl tokio_rustls::rustls::server::ResolvesServerCert for Fixed {
    fn resolve(
        &self,
        _: tokio_rustls::rustls::server::ClientHello<'_>,
    ) -> Option<std::sync::Arc<tokio_rustls::rustls::sign::CertifiedKey>> {
        Some(self.0.clone())
    }
}

/// A tls-alpn-01 responder (RFC 8737): answers acme-tls/1 handshakes with the certificate it is given.
struct TlsAlpnResponder {
    port: u16,
    config: std::sync::Arc<std::sync::Mutex<Option<std::sync::Arc<tokio_rustls::rustls::ServerConfig>>>>,
}

impl TlsAlpnResponder {
    async fn start() -> TlsAlpnResponder {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let config: std::sync::Arc<std::sync::Mutex<Option<std::sync::Arc<tokio_rustls::rustls::ServerConfig>>>> =
            Default::default();
        let shared = config.clone();
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let Some(config) = shared.lock().unwrap().clone() else { continue };
                tokio::spawn(async move {
                    let _ = tokio_rustls::TlsAcceptor::from(config).accept(tcp).await;
                });
            }
        });
        TlsAlpnResponder { port, config }
    }

    /// Presents a self-signed certificate for `name` with the acmeIdentifier of `digest`.
    fn answer(&self, name: &str, digest: &[u8]) {
        use tokio_rustls::rustls;
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(vec![name.to_string()]).unwrap();
        params.custom_extensions = vec![rcgen::CustomExtension::new_acme_identifier(digest)];
        let cert = params.self_signed(&key).unwrap();
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let signing = provider
            .key_provider
            .load_private_key(rustls_pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()))
            .unwrap();
        // Through a resolver: `with_single_cert` would refuse the unknown critical acmeIdentifier extension.
        let certified = std::sync::Arc::new(rustls::sign::CertifiedKey::new(vec![cert.der().clone()], signing));
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(rustls::ALL_VERSIONS)
            .unwrap()
            .with_no_client_auth()
            .with_cert_resolver(std::sync::Arc::new(Fixed(certified)));
        config.alpn_protocols = vec![b"acme-tls/1".to_vec()];
        *self.config.lock().unwrap() = Some(std::sync::Arc::new(config));
    }
}

#[tokio::test]
async fn tls_alpn_01_validates_with_the_acme_identifier_certificate_and_refuses_a_wrong_one() {
    let responder = TlsAlpnResponder::start().await;
    let a = acme_world_with(world_with(None, Some(responder.port), &[]).await).await;
    let (account, _) = a.account().await;

    // A certificate with another key authorization's digest: the challenge, and so the order, fail.
    let ids = [Identifier::Dns("shop.example.com".into())];
    let mut order = account.new_order(&NewOrder::new(&ids)).await.unwrap();
    {
        let mut authorizations = order.authorizations();
        let mut authz = authorizations.next().await.unwrap().unwrap();
        let mut challenge = authz.challenge(ChallengeType::TlsAlpn01).expect("tls-alpn-01 is offered");
        responder.answer("shop.example.com", &[7u8; 32]);
        // Signet checks as the client answers: the answer is the failed challenge.
        let refused = challenge.set_ready().await.unwrap_err().to_string();
        assert!(refused.contains("incorrectResponse") && refused.contains("acmeIdentifier"), "{refused}");
    }
    assert_eq!(order.refresh().await.unwrap().status, OrderStatus::Invalid);

    // The right digest: valid, and the certificate is issued.
    let mut order = account.new_order(&NewOrder::new(&ids)).await.unwrap();
    {
        let mut authorizations = order.authorizations();
        let mut authz = authorizations.next().await.unwrap().unwrap();
        let mut challenge = authz.challenge(ChallengeType::TlsAlpn01).unwrap();
        responder.answer("shop.example.com", challenge.key_authorization().digest().as_ref());
        challenge.set_ready().await.unwrap();
    }
    assert_eq!(order.poll_ready(&retries()).await.unwrap(), OrderStatus::Ready);
    order.finalize().await.unwrap();
    let chain = order.poll_certificate(&retries()).await.unwrap();
    assert!(chain.contains("BEGIN CERTIFICATE"));
}

#[tokio::test]
async fn acme_limits_pending_authorizations_per_binding_and_orders_per_hour_per_account_with_retry_after() {
    let limits = [("SIGNET_ACME_ORDERS_PER_HOUR", "3"), ("SIGNET_ACME_PENDING_AUTHORIZATIONS", "2")];
    let a = acme_world_with(world_with(None, None, &limits).await).await;
    let last = LastHeaders::default();
    let (account, _) = a.account_with(builder_keeping(reqwest::Client::new(), last.clone())).await;
    let order_for = |name: &str| [Identifier::Dns(name.to_string())];
    let retry_after = || last.lock().unwrap().get("retry-after").map(|v| v.to_str().unwrap().to_string());

    // Two orders hold the binding's two pending authorizations: a third is refused until one is answered.
    let mut first = account.new_order(&NewOrder::new(&order_for("one.shop.example.com"))).await.unwrap();
    account.new_order(&NewOrder::new(&order_for("two.shop.example.com"))).await.unwrap();
    let refused = account.new_order(&NewOrder::new(&order_for("three.shop.example.com"))).await.err().unwrap();
    let refused = refused.to_string();
    assert!(refused.contains("rateLimited") && refused.contains("2 authorizations"), "{refused}");
    assert_eq!(retry_after().as_deref(), Some("300"));

    // Answering one frees its place; an order reusing that validation holds none.
    {
        let mut authorizations = first.authorizations();
        let mut authz = authorizations.next().await.unwrap().unwrap();
        let mut challenge = authz.challenge(ChallengeType::Http01).unwrap();
        let path = format!("one.shop.example.com/.well-known/acme-challenge/{}", challenge.token);
        a.w.files.lock().unwrap().insert(path, challenge.key_authorization().as_str().to_string());
        challenge.set_ready().await.unwrap();
    }
    assert_eq!(first.poll_ready(&retries()).await.unwrap(), OrderStatus::Ready);
    let mut reused = account.new_order(&NewOrder::new(&order_for("one.shop.example.com"))).await.unwrap();
    assert_eq!(reused.state().status, OrderStatus::Ready, "the validation is reused");

    // That was the account's third order this hour: the fourth is refused, whatever it asks for.
    let refused = account.new_order(&NewOrder::new(&order_for("one.shop.example.com"))).await.err().unwrap();
    let refused = refused.to_string();
    assert!(refused.contains("rateLimited") && refused.contains("3 orders in the last hour"), "{refused}");
    assert_eq!(retry_after().as_deref(), Some("600"));
}
