//! ACME's request checks and rules against a real in-memory SurrealDB, with requests signed here as a client
//! would sign them: nonces used once, the `url` header, keys of other accounts, isolation between issuers, key
//! rollover, deactivation, and approval mode. (Real clients run against the binary in server/tests/acme.rs.)

use super::acme::{self, problem::Problem, Reply, ReplyBody, Resource};
use super::order_tests::{csr, dcv_link, input, world, World};
use super::{clients, issuers, orders, Actor, AppState};
use crate::model::*;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use serde_json::{json, Value};

/// An ACME client: a P-256 key and, once registered, its account URL.
struct Client {
    key: EcdsaKeyPair,
    kid: Option<String>,
}

fn b64u(b: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(b)
}

impl Client {
    fn new() -> Client {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        Client {
            key: EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng).unwrap(),
            kid: None,
        }
    }
    fn jwk(&self) -> Value {
        let p = self.key.public_key().as_ref();
        json!({"kty": "EC", "crv": "P-256", "x": b64u(&p[1..33]), "y": b64u(&p[33..])})
    }
    fn sign(&self, header: Value, payload: &str) -> Vec<u8> {
        let protected = b64u(header.to_string().as_bytes());
        let payload = b64u(payload.as_bytes());
        let sig = self.key.sign(&SystemRandom::new(), format!("{protected}.{payload}").as_bytes()).unwrap();
        json!({"protected": protected, "payload": payload, "signature": b64u(sig.as_ref())}).to_string().into_bytes()
    }
    /// A request to `url` with `nonce`, signed with `kid` once registered (with the key before).
    fn request(&self, url: &str, nonce: &str, payload: &str) -> Vec<u8> {
        let header = match &self.kid {
            Some(kid) => json!({"alg": "ES256", "nonce": nonce, "url": url, "kid": kid}),
            None => json!({"alg": "ES256", "nonce": nonce, "url": url, "jwk": self.jwk()}),
        };
        self.sign(header, payload)
    }
    async fn post(&self, s: &AppState, r: Resource, payload: &str) -> Result<Reply, Problem> {
        let nonce = acme::new_nonce(s);
        acme::post(s, r.clone(), &self.request(&url(s, &r), &nonce, payload), "192.0.2.1").await
    }
    /// Registers with a binding of `kid` and `hmac` (base64url).
    async fn register(&mut self, s: &AppState, binding: &AcmeBindingCreated) -> Reply {
        let account_url = url(s, &Resource::NewAccount);
        let protected = b64u(json!({"alg": "HS256", "kid": binding.kid, "url": account_url}).to_string().as_bytes());
        let payload = b64u(self.jwk().to_string().as_bytes());
        let hmac = URL_SAFE_NO_PAD.decode(&binding.hmac_key).unwrap();
        let tag = ring::hmac::sign(
            &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &hmac),
            format!("{protected}.{payload}").as_bytes(),
        );
        let eab = json!({"protected": protected, "payload": payload, "signature": b64u(tag.as_ref())});
        let body = json!({"termsOfServiceAgreed": true, "externalAccountBinding": eab}).to_string();
        let reply = self.post(s, Resource::NewAccount, &body).await.unwrap();
        self.kid = reply.location.clone();
        reply
    }
}

fn url(s: &AppState, r: &Resource) -> String {
    let path = match r {
        Resource::NewAccount => "new-account".to_string(),
        Resource::NewOrder => "new-order".to_string(),
        Resource::KeyChange => "key-change".to_string(),
        Resource::Account(a) => format!("account/{a}"),
        Resource::Order(o) => format!("order/{o}"),
        Resource::Finalize(o) => format!("order/{o}/finalize"),
        Resource::Authz(a) => format!("authz/{a}"),
        Resource::Cert(c) => format!("cert/{c}"),
        other => panic!("no test URL for {other:?}"),
    };
    format!("{}/{path}", acme::base_url(s))
}

fn json_of(r: &Reply) -> &Value {
    match &r.body {
        ReplyBody::Json(v) => v,
        other => panic!("not JSON: {other:?}"),
    }
}

fn last_part(url: &str) -> String {
    url.rsplit('/').next().unwrap().to_string()
}

/// A binding for the world's client with `shop.example.com` as its domain.
async fn binding(w: &World) -> AcmeBindingCreated {
    let staff = Actor { user_id: None, email: "ana@smib.test".into(), ip: "127.0.0.1".into() };
    clients::add_domain(&w.s, &staff, &w.issuer, &w.client, "shop.example.com", "").await.unwrap();
    let input = AcmeBindingInput {
        client_id: w.client.clone(),
        product_id: w.product.clone(),
        more_product_ids: vec![],
        label: "ci".into(),
    };
    acme::bindings::create(&w.s, &staff, &w.issuer, &input).await.unwrap()
}

fn new_order(names: &[&str]) -> String {
    json!({"identifiers": names.iter().map(|n| json!({"type": "dns", "value": n})).collect::<Vec<_>>()}).to_string()
}

/// shop.example.com validated by e-mail on a portal order; then an ACME order for it (ready at once, the
/// validation reused) finalized with a CSR. The client, the order's id and the finalize answer.
async fn finalized_after_reuse(w: &World) -> (Client, String, Reply) {
    let view =
        orders::create(&w.s, &w.admin, input(w, "shop.example.com", csr(&["shop.example.com"]), DcvMethod::Email))
            .await
            .unwrap();
    orders::confirm_email_dcv(&w.s, &dcv_link(&w.s, "admin@shop.example.com").await).await.unwrap();
    assert_eq!(orders::view(&w.s, &w.admin, &view.id).await.unwrap().status, OrderStatus::Issued);

    let mut c = Client::new();
    c.register(&w.s, &binding(w).await).await;
    let placed = c.post(&w.s, Resource::NewOrder, &new_order(&["shop.example.com"])).await.unwrap();
    assert_eq!(json_of(&placed)["status"], "ready", "{:?}", json_of(&placed));
    let id = last_part(placed.location.as_deref().unwrap());
    let der = pem::parse(csr(&["shop.example.com"])).unwrap().into_contents();
    let finalized =
        c.post(&w.s, Resource::Finalize(id.clone()), &json!({"csr": b64u(&der)}).to_string()).await.unwrap();
    (c, id, finalized)
}

#[tokio::test]
async fn a_nonce_works_once_and_a_replayed_one_is_bad_nonce() {
    let w = world().await;
    let b = binding(&w).await;
    let mut c = Client::new();
    c.register(&w.s, &b).await;
    let nonce = acme::new_nonce(&w.s);
    let body = c.request(&url(&w.s, &Resource::NewOrder), &nonce, &new_order(&["shop.example.com"]));
    assert_eq!(acme::post(&w.s, Resource::NewOrder, &body, "192.0.2.1").await.unwrap().status, 201);
    let replayed = acme::post(&w.s, Resource::NewOrder, &body, "192.0.2.1").await.unwrap_err();
    assert!(replayed.is(acme::problem::ProblemType::BadNonce), "{replayed:?}");
    let made_up = c.request(&url(&w.s, &Resource::NewOrder), "made-up", &new_order(&["shop.example.com"]));
    assert!(acme::post(&w.s, Resource::NewOrder, &made_up, "192.0.2.1")
        .await
        .unwrap_err()
        .is(acme::problem::ProblemType::BadNonce));
}

#[tokio::test]
async fn a_nonce_from_one_instance_works_once_on_another_of_the_same_database_and_not_with_another_link_key() {
    let w = world().await;
    let b = binding(&w).await;
    let mut c = Client::new();
    c.register(&w.s, &b).await;
    let instance = |link_key: [u8; 32]| {
        let clock = super::clock::Clock::manual(w.s.now());
        AppState::new(w.s.store().clone(), clock, w.s.settings().clone()).with_link_key(link_key)
    };
    let (one, two, stranger) = (instance([7; 32]), instance([7; 32]), instance([8; 32]));
    let nonce = acme::new_nonce(&one);
    let body = c.request(&url(&one, &Resource::NewOrder), &nonce, &new_order(&["shop.example.com"]));
    let p = acme::post(&stranger, Resource::NewOrder, &body, "192.0.2.1").await.unwrap_err();
    assert!(p.is(acme::problem::ProblemType::BadNonce), "another link key does not know it: {p:?}");
    assert_eq!(acme::post(&two, Resource::NewOrder, &body, "192.0.2.1").await.unwrap().status, 201);
    let replayed = acme::post(&one, Resource::NewOrder, &body, "192.0.2.1").await.unwrap_err();
    assert!(replayed.is(acme::problem::ProblemType::BadNonce), "used on the other instance: {replayed:?}");
}

#[tokio::test]
async fn finalizing_an_order_whose_names_were_validated_answers_valid_with_the_certificate() {
    let w = world().await;
    let (c, id, finalized) = finalized_after_reuse(&w).await;
    let body = json_of(&finalized);
    assert_eq!(body["status"], "valid", "{body:?}");
    let cert = last_part(body["certificate"].as_str().expect("the certificate's URL"));
    let chain = c.post(&w.s, Resource::Cert(cert), "").await.unwrap();
    assert!(matches!(&chain.body, ReplyBody::Pem(p) if p.matches("BEGIN CERTIFICATE").count() >= 2), "leaf and CA");
    let order = orders::view(&w.s, &w.admin, &id).await.unwrap();
    assert_eq!(order.status, OrderStatus::Issued);
    let kinds: Vec<&str> = order.events.iter().map(|e| e.kind.as_str()).collect();
    assert!(kinds.contains(&"csr") && kinds.contains(&"issued"), "{kinds:?}");
}

#[tokio::test]
async fn a_request_naming_another_url_or_signed_by_another_key_is_refused() {
    let w = world().await;
    let b = binding(&w).await;
    let mut c = Client::new();
    c.register(&w.s, &b).await;
    let nonce = acme::new_nonce(&w.s);
    let elsewhere = c.request(&url(&w.s, &Resource::NewAccount), &nonce, &new_order(&["shop.example.com"]));
    let p = acme::post(&w.s, Resource::NewOrder, &elsewhere, "192.0.2.1").await.unwrap_err();
    assert!(p.is(acme::problem::ProblemType::Unauthorized) && p.detail.contains("url"), "{p:?}");

    // Another key claiming this account's URL.
    let impostor = Client { kid: c.kid.clone(), ..Client::new() };
    let p = impostor.post(&w.s, Resource::NewOrder, &new_order(&["shop.example.com"])).await.unwrap_err();
    assert!(p.detail.contains("signature does not verify"), "{p:?}");
    // An account URL that does not exist.
    let nobody = Client { kid: Some(format!("{}/account/nobody", acme::base_url(&w.s))), ..Client::new() };
    let p = nobody.post(&w.s, Resource::NewOrder, &new_order(&["shop.example.com"])).await.unwrap_err();
    assert!(p.is(acme::problem::ProblemType::AccountDoesNotExist), "{p:?}");
}

#[tokio::test]
async fn an_account_of_one_issuer_never_sees_another_issuers_orders() {
    let w = world().await;
    let mut ours = Client::new();
    ours.register(&w.s, &binding(&w).await).await;
    let placed = ours.post(&w.s, Resource::NewOrder, &new_order(&["shop.example.com"])).await.unwrap();
    let order_id = last_part(placed.location.as_deref().unwrap());
    let authz_id = last_part(json_of(&placed)["authorizations"][0].as_str().unwrap());

    // The other issuer's client and binding.
    let bo = Actor { user_id: None, email: "bo@other.test".into(), ip: "127.0.0.1".into() };
    let theirs_client = clients::create(
        &w.s,
        &bo,
        &w.other_issuer,
        ClientInput {
            name: "Other shop".into(),
            path: "other-shop".into(),
            email: "x@other.example".into(),
            contact_person: "X".into(),
            city: "Zagreb".into(),
            country: "HR".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let input = AcmeBindingInput {
        client_id: theirs_client.id,
        product_id: w.product.clone(),
        more_product_ids: vec![],
        label: String::new(),
    };
    let mut theirs = Client::new();
    theirs.register(&w.s, &acme::bindings::create(&w.s, &bo, &w.other_issuer, &input).await.unwrap()).await;
    for r in
        [Resource::Order(order_id.clone()), Resource::Authz(authz_id.clone()), Resource::Finalize(order_id.clone())]
    {
        let p = theirs.post(&w.s, r.clone(), "").await.unwrap_err();
        assert_eq!(p.status, 404, "{r:?}: {p:?}");
    }
    // And our own client's customer-like rights hold: a binding of issuer A cannot name B's client.
    let foreign = AcmeBindingInput {
        client_id: w.client.clone(),
        product_id: w.product.clone(),
        more_product_ids: vec![],
        label: String::new(),
    };
    let refused = acme::bindings::create(&w.s, &bo, &w.other_issuer, &foreign).await.unwrap_err();
    assert!(refused.for_field("client_id").is_some(), "{refused:?}");
}

#[tokio::test]
async fn key_rollover_moves_the_account_and_deactivation_ends_it() {
    let w = world().await;
    let mut c = Client::new();
    c.register(&w.s, &binding(&w).await).await;
    let account_url = c.kid.clone().unwrap();
    let account_id = last_part(&account_url);

    let fresh = Client::new();
    let change_url = format!("{}/key-change", acme::base_url(&w.s));
    let inner = fresh.sign(
        json!({"alg": "ES256", "url": change_url, "jwk": fresh.jwk()}),
        &json!({"account": account_url, "oldKey": c.jwk()}).to_string(),
    );
    let reply = c.post(&w.s, Resource::KeyChange, std::str::from_utf8(&inner).unwrap()).await.unwrap();
    assert_eq!(reply.status, 200);
    // The old key no longer signs for the account; the new one does.
    assert!(c.post(&w.s, Resource::Account(account_id.clone()), "").await.is_err());
    let moved = Client { kid: Some(account_url.clone()), ..fresh };
    assert_eq!(moved.post(&w.s, Resource::Account(account_id.clone()), "").await.unwrap().status, 200);

    let done = moved.post(&w.s, Resource::Account(account_id.clone()), r#"{"status":"deactivated"}"#).await.unwrap();
    assert_eq!(json_of(&done)["status"], "deactivated");
    let p = moved.post(&w.s, Resource::NewOrder, &new_order(&["shop.example.com"])).await.unwrap_err();
    assert!(p.is(acme::problem::ProblemType::Unauthorized) && p.detail.contains("deactivated"), "{p:?}");
}

#[tokio::test]
async fn in_approval_mode_a_finalized_acme_order_waits_processing_until_a_person_approves_it() {
    let w = world().await;
    let staff = Actor { user_id: None, email: "ana@smib.test".into(), ip: "127.0.0.1".into() };
    issuers::set_approval_mode(&w.s, &staff, &w.issuer, true).await.unwrap();
    let (c, id, finalized) = finalized_after_reuse(&w).await;
    assert_eq!(json_of(&finalized)["status"], "processing");
    assert!(finalized.retry_after.is_some());

    orders::approve(&w.s, &w.admin, &id).await.unwrap();
    let polled = c.post(&w.s, Resource::Order(id), "").await.unwrap();
    assert_eq!(json_of(&polled)["status"], "valid", "{:?}", json_of(&polled));
    assert!(json_of(&polled)["certificate"].as_str().is_some());
}

#[tokio::test]
async fn the_portal_shows_an_acme_order_as_run_by_its_client_and_refuses_its_csr_and_validation_steps() {
    let w = world().await;
    let mut c = Client::new();
    c.register(&w.s, &binding(&w).await).await;
    let placed = c.post(&w.s, Resource::NewOrder, &new_order(&["shop.example.com"])).await.unwrap();
    let id = last_part(placed.location.as_deref().unwrap());

    let view = orders::view(&w.s, &w.admin, &id).await.unwrap();
    assert!(view.acme);
    assert!(!view.actions.submit_csr && !view.actions.change_dcv && !view.actions.invite, "{:?}", view.actions);
    assert!(view.actions.cancel, "staff can still cancel it");
    assert_eq!(view.dcv[0].method_label(view.acme), "ACME challenge");

    let conflict = |e: crate::error::AppError| match e {
        crate::error::AppError::Conflict(m) => m,
        other => panic!("not a conflict: {other:?}"),
    };
    let choice = DcvChoice { name: "shop.example.com".into(), method: DcvMethod::Dns, mailbox: String::new() };
    let m = conflict(orders::set_dcv(&w.s, &w.admin, &id, choice).await.unwrap_err());
    assert!(m.contains("placed over ACME") && m.contains("challenge"), "{m}");
    let m = conflict(orders::check_dcv(&w.s, &w.admin, &id).await.unwrap_err());
    assert!(m.contains("placed over ACME"), "{m}");
    let pem = csr(&["shop.example.com"]);
    let m = conflict(orders::submit_csr(&w.s, &w.admin, &id, &pem).await.unwrap_err());
    assert!(m.contains("finalizes"), "{m}");
    let m = conflict(super::invitations::invite(&w.s, &w.admin, &id, "it@shop.example.com", "IT").await.unwrap_err());
    assert!(m.contains("placed over ACME"), "{m}");
}

#[tokio::test]
async fn an_order_not_finalized_within_seven_days_expires_and_its_challenges_are_no_longer_checked() {
    let w = world().await;
    let mut c = Client::new();
    c.register(&w.s, &binding(&w).await).await;
    let placed = c.post(&w.s, Resource::NewOrder, &new_order(&["shop.example.com"])).await.unwrap();
    assert_eq!(json_of(&placed)["status"], "pending");
    let id = last_part(placed.location.as_deref().unwrap());
    let authz = last_part(json_of(&placed)["authorizations"][0].as_str().unwrap());

    w.s.clock().advance(chrono::Duration::days(8));
    let order = c.post(&w.s, Resource::Order(id.clone()), "").await.unwrap();
    assert_eq!(json_of(&order)["status"], "invalid");
    assert!(json_of(&order)["error"]["detail"].as_str().unwrap().contains("expired"), "{:?}", json_of(&order));
    // Answering a challenge now changes nothing (nothing is fetched from the domain).
    let challenge = Resource::Challenge(authz, "http-01".into());
    let nonce = acme::new_nonce(&w.s);
    let url = format!(
        "{}/challenge/{}/http-01",
        acme::base_url(&w.s),
        match &challenge {
            Resource::Challenge(a, _) => a.clone(),
            _ => unreachable!(),
        }
    );
    let answered = acme::post(&w.s, challenge, &c.request(&url, &nonce, "{}"), "192.0.2.1").await.unwrap();
    assert_eq!(json_of(&answered)["status"], "pending", "{:?}", json_of(&answered));
    let finalize = c.post(&w.s, Resource::Finalize(id), r#"{"csr":"AA"}"#).await.unwrap_err();
    assert!(finalize.is(acme::problem::ProblemType::OrderNotReady), "{finalize:?}");
}

#[tokio::test]
async fn the_directory_names_the_terms_of_service_only_when_the_operator_set_them() {
    let w = world().await;
    let dir = acme::directory(&w.s).await.unwrap();
    assert_eq!(dir["meta"]["externalAccountRequired"], true);
    assert!(dir["meta"].get("termsOfService").is_none(), "{dir}");
    assert_eq!(dir["renewalInfo"], format!("{}/renewal-info", acme::base_url(&w.s)));
    let mut settings = w.s.settings().clone();
    settings.acme.terms_url = Some("https://ca.example/terms".into());
    let with_terms = AppState::new(w.s.store().clone(), super::clock::Clock::manual(w.s.now()), settings);
    let dir = acme::directory(&with_terms).await.unwrap();
    assert_eq!(dir["meta"]["termsOfService"], "https://ca.example/terms");
}

#[tokio::test]
async fn an_issuer_lists_and_revokes_only_its_own_bindings() {
    let w = world().await;
    let ours = binding(&w).await;
    let bo = Actor { user_id: None, email: "bo@other.test".into(), ip: "127.0.0.1".into() };
    assert!(acme::bindings::list(&w.s, &w.other_issuer).await.unwrap().is_empty());
    let refused = acme::bindings::revoke(&w.s, &bo, &w.other_issuer, &ours.kid).await.unwrap_err();
    assert_eq!(refused, crate::error::AppError::NotFound);
    let listed = acme::bindings::list(&w.s, &w.issuer).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].revoked_at.is_none(), "another issuer's revocation changed nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_servers_registering_with_one_binding_at_once_each_get_their_account() {
    let w = world().await;
    let b = binding(&w).await;
    let registrations: Vec<_> = (0..16)
        .map(|_| {
            let (s, b) = (w.s.clone(), b.clone());
            tokio::spawn(async move {
                let mut client = Client::new();
                let reply = client.register(&s, &b).await;
                // And the account answers as its own.
                let account = Resource::Account(last_part(client.kid.as_deref().unwrap()));
                let again = client.post(&s, account, "").await.map(|r| r.status);
                (reply.status, again)
            })
        })
        .collect();
    for r in registrations {
        assert_eq!(r.await.unwrap(), (201, Ok(200)));
    }
    let listed = acme::bindings::list(&w.s, &w.issuer).await.unwrap();
    assert_eq!(listed[0].accounts.len(), 16);
}
