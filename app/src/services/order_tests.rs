//! Orders, CSR checks, issuance and e-mail DCV against a real in-memory SurrealDB with a settable clock.
//! (HTTP and DNS validation run against loopback servers in server/tests/orders.rs.)

use super::orders::{self, Scope};
use super::{accounts, api_keys, ca, clients, issuers, products, Actor, AppState};
use crate::error::AppError;
use crate::model::*;
use crate::store::{CaId, CertificateId, ClientId, IssuerId};
use chrono::Duration;
use rcgen::{CertificateParams, KeyPair};
use x509_parser::prelude::*;

pub(super) struct World {
    pub s: AppState,
    pub issuer: IssuerId,
    pub other_issuer: IssuerId,
    pub client: String,
    pub product: String,
    pub admin: Scope,
}

pub(super) fn scope(issuer: &IssuerId, email: &str, can_approve: bool, client: Option<&str>) -> Scope {
    Scope {
        issuer: issuer.clone(),
        client: client.map(ClientId::new),
        can_approve,
        user_id: None,
        actor: Actor { user_id: None, email: email.into(), ip: "127.0.0.1".into() },
    }
}

pub(super) async fn world() -> World {
    world_with(super::Settings::for_tests()).await
}

/// The world with other settings (an SMTP server, say).
pub(super) async fn world_with(settings: super::Settings) -> World {
    let s = super::test_state_with(settings).await;
    let olga = accounts::create_operator(&s, "olga@signet.test", "Olga", "operator passphrase").await.unwrap();
    let operator = Actor { user_id: Some(olga.id.clone()), email: olga.email.clone(), ip: "127.0.0.1".into() };
    let issuer =
        issuers::create(&s, &operator, "Chamber of Commerce Split", "smib", "ana@smib.test", "Ana").await.unwrap();
    let issuer_id = IssuerId::new(&issuer.id);
    let other = issuers::create(&s, &operator, "Other", "other", "bo@other.test", "Bo").await.unwrap();
    ca::create_root(&s, &operator, "Signet Test Root", "Signet").await.unwrap();
    ca::create_intermediate(&s, &operator, &issuer_id).await.unwrap();
    let product = products::create(
        &s,
        &operator,
        ProductInput {
            name: "TLS DV".into(),
            profile: Profile::ServerDv,
            wildcard: true,
            max_names: 5,
            validity_days: "90, 199".into(),
            key_types: vec![KeyType::P256, KeyType::Rsa],
            auto_approve: false,
            active: true,
            renew_before_days: DEFAULT_RENEW_DAYS,
            renew_after_days: DEFAULT_RENEW_DAYS,
            auto_renew_default: false,
        },
    )
    .await
    .unwrap();
    let staff = Actor { user_id: None, email: "ana@smib.test".into(), ip: "127.0.0.1".into() };
    let client = clients::create(
        &s,
        &staff,
        &issuer_id,
        ClientInput {
            name: "Shop d.o.o.".into(),
            path: "shop".into(),
            email: "info@shop.example.com".into(),
            contact_person: "Iva".into(),
            city: "Split".into(),
            country: "HR".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let admin = scope(&issuer_id, "ana@smib.test", true, None);
    let other_issuer = IssuerId::new(other.id);
    World { s, issuer: issuer_id, other_issuer, client: client.id, product: product.id, admin }
}

pub(super) fn csr(names: &[&str]) -> String {
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut params = CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.serialize_request(&key).unwrap().pem().unwrap()
}

pub(super) fn input(w: &World, names: &str, csr_pem: String, method: DcvMethod) -> OrderInput {
    let contact = Contact { name: "Iva".into(), email: "iva@shop.example.com".into(), phone: String::new() };
    OrderInput {
        client_id: w.client.clone(),
        product_id: w.product.clone(),
        validity_days: 199,
        names: names.into(),
        corporate: contact.clone(),
        technical: contact,
        csr: csr_pem,
        dcv: vec![],
        default_dcv: method,
        notify: String::new(),
    }
}

/// The approval token from the last DCV e-mail (the outbox keeps every message).
pub(super) async fn dcv_link(s: &AppState, to: &str) -> String {
    let mail = s.store().list_mail(None, 200).await.unwrap();
    let body =
        &mail.iter().find(|m| m.to == to && m.subject.starts_with("Confirm the certificate")).expect("dcv mail").body;
    let at = body.find("/dcv/").unwrap() + 5;
    body[at..].split_whitespace().next().unwrap().to_string()
}

#[tokio::test]
async fn an_order_validated_by_email_is_issued_with_the_promised_profile() {
    let w = world().await;
    let view = orders::create(
        &w.s,
        &w.admin,
        input(
            &w,
            "shop.example.com\nwww.shop.example.com",
            csr(&["shop.example.com", "www.shop.example.com"]),
            DcvMethod::Email,
        ),
    )
    .await
    .unwrap();
    assert_eq!(view.status, OrderStatus::AwaitingValidation);
    assert_eq!(view.dcv.len(), 2);
    assert!(view.number.starts_with("SMIB-2026-"));
    assert!(view.certificate.is_none());

    for name in ["shop.example.com", "www.shop.example.com"] {
        let token = dcv_link(&w.s, &format!("admin@{name}")).await;
        let info = orders::email_dcv_info(&w.s, &token).await.unwrap();
        assert_eq!(info.state, "pending");
        let info = orders::confirm_email_dcv(&w.s, &token).await.unwrap();
        assert_eq!(info.state, "valid");
    }
    let view = orders::view(&w.s, &w.admin, &view.id).await.unwrap();
    assert_eq!(view.status, OrderStatus::Issued, "{:?}", view.failure);
    let cert = view.certificate.unwrap();
    let der = crate::pki::csr::decode(cert.pem.replace("CERTIFICATE", "CERTIFICATE REQUEST").as_bytes()).unwrap();
    let (_, x) = X509Certificate::from_der(&der).unwrap();
    let sans: Vec<String> =
        x.subject_alternative_name().unwrap().unwrap().value.general_names.iter().map(|n| n.to_string()).collect();
    assert_eq!(sans, vec!["DNSName(shop.example.com)", "DNSName(www.shop.example.com)"]);
    assert!(x.raw_serial().len() == 16 && x.raw_serial()[0] & 0x80 == 0);
    let seconds = x.validity().not_after.timestamp() - x.validity().not_before.timestamp() + 1;
    assert_eq!(seconds, 199 * 86_400);
    assert!(!x.basic_constraints().unwrap().unwrap().value.ca);
    assert!(x.extended_key_usage().unwrap().unwrap().value.server_auth);
    // The whole chain verifies: leaf by the issuing CA, issuing CA by the root, the root by itself.
    let ca_der = |row: crate::store::CaRow| {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.decode(row.cert_der).unwrap()
    };
    let issuing_der = ca_der(w.s.store().issuing_ca(&w.issuer).await.unwrap().unwrap());
    let root_der = ca_der(w.s.store().root_ca().await.unwrap().unwrap());
    let (_, issuing) = X509Certificate::from_der(&issuing_der).unwrap();
    let (_, root) = X509Certificate::from_der(&root_der).unwrap();
    assert_eq!(x.issuer(), issuing.subject());
    x.verify_signature(Some(issuing.public_key())).expect("the leaf is signed by the issuing CA");
    assert_eq!(issuing.issuer(), root.subject());
    issuing.verify_signature(Some(root.public_key())).expect("the issuing CA is signed by the root");
    root.verify_signature(None).expect("the root is self-signed");
    // The chain download carries the leaf and its CAs.
    let chain = ca::render(
        &w.s,
        &w.s.store().certificate(&w.issuer, &CertificateId::new(&cert.id)).await.unwrap().unwrap().ca,
        &der,
        ca::Format::P7b,
    )
    .await
    .unwrap();
    assert!(String::from_utf8(chain).unwrap().starts_with("-----BEGIN PKCS7-----"));
    // The technical contact got the certificate.
    let mail = w.s.store().list_mail(None, 200).await.unwrap();
    assert!(mail.iter().any(|m| m.to == "iva@shop.example.com" && m.subject.contains("is issued")));

    // A link works once: a used link says so.
    let token = dcv_link(&w.s, "admin@shop.example.com").await;
    assert_eq!(orders::email_dcv_info(&w.s, &token).await.unwrap().state, "valid");
}

#[tokio::test]
async fn the_next_order_reuses_completed_validation_and_issues_at_once() {
    let w = world().await;
    let first_csr = csr(&["shop.example.com"]);
    let first = orders::create(&w.s, &w.admin, input(&w, "shop.example.com", first_csr.clone(), DcvMethod::Email))
        .await
        .unwrap();
    let token = dcv_link(&w.s, "admin@shop.example.com").await;
    orders::confirm_email_dcv(&w.s, &token).await.unwrap();
    assert_eq!(orders::view(&w.s, &w.admin, &first.id).await.unwrap().status, OrderStatus::Issued);
    let second =
        orders::create(&w.s, &w.admin, input(&w, "shop.example.com", csr(&["shop.example.com"]), DcvMethod::Dns))
            .await
            .unwrap();
    assert_eq!(second.status, OrderStatus::Issued);
    assert!(second.dcv[0].reused);
    // The answer is read back inside the transaction that placed it: the same as the status page shows later.
    let kinds: Vec<&str> = second.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["created", "issued"]);
    let cert = second.certificate.as_ref().expect("the certificate is in the answer");
    assert!(cert.pem.starts_with("-----BEGIN CERTIFICATE-----") && !cert.ca.is_empty());
    let key_reuse = |view: &OrderView| {
        let report = view.csr_report.as_ref().expect("a CSR report");
        report.checks.iter().find(|c| c.label == "Key reuse").cloned().expect("a key reuse line")
    };
    // A fresh key: the report says so, without a warning.
    assert_eq!(key_reuse(&second).level, CheckLevel::Pass, "{:?}", key_reuse(&second));
    let later = orders::view(&w.s, &w.admin, &second.id).await.unwrap();
    assert_eq!(serde_json::to_value(&later).unwrap(), serde_json::to_value(&second).unwrap());
    // The first order's CSR again: reused validation still issues it, and the report warns of the old key.
    let third = orders::create(&w.s, &w.admin, input(&w, "shop.example.com", first_csr, DcvMethod::Dns)).await.unwrap();
    assert_eq!(third.status, OrderStatus::Issued);
    let warning = key_reuse(&third);
    assert_eq!(warning.level, CheckLevel::Warning);
    assert!(warning.message.contains(&first.number), "{warning:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renewals_placed_at_the_same_time_each_issue_with_their_own_number_and_certificate() {
    let w = world().await;
    let first =
        orders::create(&w.s, &w.admin, input(&w, "shop.example.com", csr(&["shop.example.com"]), DcvMethod::Email))
            .await
            .unwrap();
    orders::confirm_email_dcv(&w.s, &dcv_link(&w.s, "admin@shop.example.com").await).await.unwrap();
    // Placed at once, they are stored together (one shared write); each answer is still its own order.
    let mut placing = tokio::task::JoinSet::new();
    for _ in 0..12 {
        let (s, scope) = (w.s.clone(), w.admin.clone());
        let order = input(&w, "shop.example.com", csr(&["shop.example.com"]), DcvMethod::Dns);
        placing.spawn(async move { orders::create(&s, &scope, order).await });
    }
    let mut numbers = std::collections::BTreeSet::new();
    let mut serials = std::collections::BTreeSet::new();
    while let Some(placed) = placing.join_next().await {
        let placed = placed.unwrap().unwrap();
        assert_eq!(placed.status, OrderStatus::Issued);
        let later = orders::view(&w.s, &w.admin, &placed.id).await.unwrap();
        assert_eq!(serde_json::to_value(&later).unwrap(), serde_json::to_value(&placed).unwrap());
        numbers.insert(placed.number.clone());
        serials.insert(placed.certificate.expect("issued with its certificate").serial);
    }
    // Twelve numbers in a row after the first order's, and twelve different certificates.
    let base: u32 = first.number.rsplit('-').next().unwrap().parse().unwrap();
    let expected: std::collections::BTreeSet<String> =
        (base + 1..=base + 12).map(|n| format!("{}-{n:05}", first.number.rsplit_once('-').unwrap().0)).collect();
    assert_eq!(numbers, expected);
    assert_eq!(serials.len(), 12);
}

#[tokio::test]
async fn email_links_expire_after_24_hours() {
    let w = world().await;
    orders::create(&w.s, &w.admin, input(&w, "shop.example.com", csr(&["shop.example.com"]), DcvMethod::Email))
        .await
        .unwrap();
    let token = dcv_link(&w.s, "admin@shop.example.com").await;
    w.s.clock().advance(Duration::hours(25));
    assert_eq!(orders::confirm_email_dcv(&w.s, &token).await.unwrap().state, "expired");
    assert!(orders::email_dcv_info(&w.s, "not-a-token").await.is_err());
}

#[tokio::test]
async fn drafts_approval_rejection_and_cancellation() {
    let w = world().await;
    w.s.store().set_approval_mode(&w.issuer, true).await.unwrap();
    let user = scope(&w.issuer, "ivo@smib.test", false, None);
    let draft =
        orders::create(&w.s, &user, input(&w, "shop.example.com", String::new(), DcvMethod::Dns)).await.unwrap();
    assert_eq!(draft.status, OrderStatus::Draft);
    assert!(draft.actions.submit_csr && !draft.actions.approve);
    // A bad CSR is refused with the check's message and changes nothing.
    let err = orders::submit_csr(&w.s, &user, &draft.id, "-----BEGIN PRIVATE KEY-----").await.unwrap_err();
    assert!(err.for_field("csr").unwrap().contains("private key"));
    let pending = orders::submit_csr(&w.s, &user, &draft.id, &csr(&["shop.example.com"])).await.unwrap();
    assert_eq!(pending.status, OrderStatus::PendingApproval);
    assert!(matches!(orders::approve(&w.s, &user, &draft.id).await, Err(AppError::NotFound)));
    let approved = orders::approve(&w.s, &w.admin, &draft.id).await.unwrap();
    assert_eq!(approved.status, OrderStatus::AwaitingValidation);
    assert!(approved.progress.iter().any(|p| p.label == "Approval" && p.detail == "approved by ana@smib.test"));

    let other =
        orders::create(&w.s, &user, input(&w, "www.shop.example.com", csr(&["www.shop.example.com"]), DcvMethod::Dns))
            .await
            .unwrap();
    assert_eq!(other.status, OrderStatus::PendingApproval);
    let rejected = orders::reject(&w.s, &w.admin, &other.id, "Not our customer").await.unwrap();
    assert_eq!(rejected.status, OrderStatus::Rejected);
    assert_eq!(rejected.reason.as_deref(), Some("Not our customer"));

    let cancelled = orders::cancel(&w.s, &user, &approved.id, "Ordered by mistake").await.unwrap();
    assert_eq!(cancelled.status, OrderStatus::Cancelled);
    assert!(orders::cancel(&w.s, &user, &approved.id, "again").await.is_err());
}

#[tokio::test]
async fn orders_are_isolated_between_issuers_and_clients() {
    let w = world().await;
    let view =
        orders::create(&w.s, &w.admin, input(&w, "shop.example.com", csr(&["shop.example.com"]), DcvMethod::Dns))
            .await
            .unwrap();
    let stranger = scope(&w.other_issuer, "bo@other.test", true, None);
    assert!(matches!(orders::view(&w.s, &stranger, &view.id).await, Err(AppError::NotFound)));
    assert!(matches!(orders::cancel(&w.s, &stranger, &view.id, "x").await, Err(AppError::NotFound)));
    assert_eq!(orders::list(&w.s, &stranger, None, 1).await.unwrap().total, 0);
    // A customer of another client of the same issuer sees nothing either.
    let staff = Actor { user_id: None, email: "ana@smib.test".into(), ip: "127.0.0.1".into() };
    let other_client = clients::create(
        &w.s,
        &staff,
        &w.issuer,
        ClientInput {
            name: "Other".into(),
            path: "other".into(),
            email: "o@o.example.com".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let customer = scope(&w.issuer, "c@o.example.com", false, Some(&other_client.id));
    assert!(matches!(orders::view(&w.s, &customer, &view.id).await, Err(AppError::NotFound)));
    assert_eq!(orders::list(&w.s, &customer, None, 1).await.unwrap().total, 0);
    assert!(matches!(
        orders::create(&w.s, &customer, input(&w, "shop.example.com", String::new(), DcvMethod::Dns)).await,
        Err(AppError::NotFound)
    ));
    // The tracking link shows the order read-only.
    let token = view.tracking_path.unwrap().trim_start_matches("/track/").to_string();
    let tracked = orders::track(&w.s, &token).await.unwrap();
    assert_eq!(tracked.number, view.number);
    assert_eq!(tracked.actions, OrderActions::default());
    assert!(tracked.tracking_path.is_none());
    // The token is signed, not stored: a changed signature, or this signature on another order, opens nothing.
    let (order_key, tag) = token.split_once('.').expect("order id and signature");
    let mut forged = tag.to_string();
    forged.replace_range(0..1, if tag.starts_with('A') { "B" } else { "A" });
    for bad in [format!("{order_key}.{forged}"), format!("someotherorder.{tag}"), "x".repeat(43)] {
        assert_eq!(orders::track(&w.s, &bad).await.unwrap_err(), AppError::NotFound, "{bad}");
    }
}

#[tokio::test]
async fn names_methods_and_validity_are_checked_against_the_product() {
    let w = world().await;
    let err = orders::create(&w.s, &w.admin, input(&w, "https://shop.example.com/x", String::new(), DcvMethod::Dns))
        .await
        .unwrap_err();
    assert!(err.for_field("names").is_some());
    let err = orders::create(&w.s, &w.admin, input(&w, "*.shop.example.com", String::new(), DcvMethod::Http))
        .await
        .unwrap_err();
    assert!(err.for_field("dcv").unwrap().contains("wildcard"));
    let mut i = input(&w, "shop.example.com", String::new(), DcvMethod::Dns);
    i.validity_days = 365;
    assert!(orders::create(&w.s, &w.admin, i).await.unwrap_err().for_field("validity_days").is_some());
    let err = products::create(
        &w.s,
        &w.admin.actor,
        ProductInput {
            name: "Too long".into(),
            profile: Profile::ServerDv,
            wildcard: false,
            max_names: 1,
            validity_days: "398".into(),
            key_types: vec![KeyType::P256],
            auto_approve: false,
            active: true,
            renew_before_days: DEFAULT_RENEW_DAYS,
            renew_after_days: DEFAULT_RENEW_DAYS,
            auto_renew_default: false,
        },
    )
    .await
    .unwrap_err();
    assert!(err.for_field("validity_days").unwrap().contains("200 days"));
}

#[tokio::test]
async fn ca_keys_are_sealed_at_rest() {
    let w = world().await;
    let root = w.s.store().root_ca().await.unwrap().unwrap();
    let root_id = root.id.key().to_string();
    assert!(root.key_sealed.starts_with("v2."));
    let plain = w.s.ca_runtime().open(&root_id, &root.key_sealed).unwrap();
    assert!(!root.key_sealed.contains(&{
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(&plain)
    }));
    // Another master key cannot open it.
    let other = super::ca::CaRuntime::new([7u8; 32]);
    assert!(other.open(&root_id, &root.key_sealed).is_err());
    let overview = ca::overview(&w.s).await.unwrap();
    // The root, and the issuer's TLS and S/MIME issuing CAs.
    assert_eq!(overview.cas.len(), 3);
    assert_eq!(overview.issuers_without_ca.len(), 1);
}

#[tokio::test]
async fn a_sealed_ca_key_copied_into_another_cas_row_does_not_open_there() {
    let w = world().await;
    let root = w.s.store().root_ca().await.unwrap().unwrap();
    let issuing = w.s.store().issuing_ca(&w.issuer).await.unwrap().unwrap();
    let issuing_id = issuing.id.key().to_string();
    // The issuing CA's row now holds the root's sealed key: an attacker with write access to the database
    // would sign leaves with the root key this way if the seal were not bound to its row.
    assert!(w
        .s
        .store()
        .replace_ca_key_sealed(&CaId::new(&issuing_id), &issuing.key_sealed, &root.key_sealed)
        .await
        .unwrap());
    assert!(w.s.ca_runtime().open(&issuing_id, &root.key_sealed).is_err());
    assert!(w.s.ca_runtime().open(root.id.key(), &root.key_sealed).is_ok());
}

#[tokio::test]
async fn keys_sealed_before_binding_are_sealed_again_bound_to_their_ca_at_start() {
    let w = world().await;
    let root = w.s.store().root_ca().await.unwrap().unwrap();
    let root_id = root.id.key().to_string();
    let key = w.s.ca_runtime().open(&root_id, &root.key_sealed).unwrap();
    let unbound = w.s.ca_runtime().seal_unbound_for_tests(&key);
    assert!(w.s.store().replace_ca_key_sealed(&CaId::new(&root_id), &root.key_sealed, &unbound).await.unwrap());
    // Unbound keys are not used to sign until they are re-sealed.
    assert!(w.s.ca_runtime().open(&root_id, &unbound).is_err());

    assert_eq!(ca::reseal_unbound_keys(&w.s).await.unwrap(), 1);
    let resealed = w.s.store().root_ca().await.unwrap().unwrap().key_sealed;
    assert!(resealed.starts_with("v2."), "{resealed}");
    assert_eq!(w.s.ca_runtime().open(&root_id, &resealed).unwrap(), key);
    assert_eq!(ca::reseal_unbound_keys(&w.s).await.unwrap(), 0, "nothing left to re-seal");
}

#[tokio::test]
async fn an_http_validation_is_not_reused_for_a_wildcard_and_old_validations_lapse() {
    let w = world().await;
    // shop.example.com validated by e-mail… then an HTTP-validated name of the same client.
    let mut i = input(&w, "shop.example.com", csr(&["shop.example.com"]), DcvMethod::Email);
    i.dcv = vec![DcvChoice { name: "shop.example.com".into(), method: DcvMethod::Email, mailbox: String::new() }];
    orders::create(&w.s, &w.admin, i).await.unwrap();
    let token = dcv_link(&w.s, "admin@shop.example.com").await;
    orders::confirm_email_dcv(&w.s, &token).await.unwrap();
    // Mark the completed validation as done over HTTP, as a customer's HTTP file would have.
    w.s.store().mark_validations_http_for_tests(&ClientId::new(&w.client)).await;
    let wildcard =
        orders::create(&w.s, &w.admin, input(&w, "*.shop.example.com", csr(&["*.shop.example.com"]), DcvMethod::Dns))
            .await
            .unwrap();
    assert_eq!(wildcard.status, OrderStatus::AwaitingValidation);
    assert!(!wildcard.dcv[0].reused);
    let plain =
        orders::create(&w.s, &w.admin, input(&w, "shop.example.com", csr(&["shop.example.com"]), DcvMethod::Dns))
            .await
            .unwrap();
    assert_eq!(plain.status, OrderStatus::Issued);
    assert!(plain.dcv[0].reused);
    // The reused validation keeps its original date; 201 days later it no longer counts.
    let draft =
        orders::create(&w.s, &w.admin, input(&w, "shop.example.com", String::new(), DcvMethod::Dns)).await.unwrap();
    assert_eq!(draft.dcv[0].validated_at, plain.dcv[0].validated_at);
    w.s.clock().advance(Duration::days(201));
    let later = orders::submit_csr(&w.s, &w.admin, &draft.id, &csr(&["shop.example.com"])).await.unwrap();
    assert_eq!(later.status, OrderStatus::AwaitingValidation);
    assert_eq!(later.dcv[0].status, DcvStatus::Pending);
    assert!(later.dcv[0].last_error.as_deref().unwrap().contains("too old"));
}

#[tokio::test]
async fn internal_names_ov_data_and_email_floods_are_refused() {
    let w = world().await;
    for name in ["intranet.local", "db.internal", "shop.test", "printer.lan", "x.home.arpa", "foo.localhost"] {
        let err = orders::create(&w.s, &w.admin, input(&w, name, String::new(), DcvMethod::Dns)).await.unwrap_err();
        assert!(err.for_field("names").unwrap().contains("internal"), "{name}: {err:?}");
    }
    let order =
        orders::create(&w.s, &w.admin, input(&w, "shop.example.com", String::new(), DcvMethod::Email)).await.unwrap();
    let again = DcvChoice { name: "shop.example.com".into(), method: DcvMethod::Email, mailbox: "webmaster".into() };
    let err = orders::set_dcv(&w.s, &w.admin, &order.id, again.clone()).await.unwrap_err();
    assert!(err.to_string().contains("less than 10 minutes ago"), "{err}");
    w.s.clock().advance(Duration::minutes(11));
    let changed = orders::set_dcv(&w.s, &w.admin, &order.id, again).await.unwrap();
    assert_eq!(changed.dcv[0].email_to.as_deref(), Some("webmaster@shop.example.com"));

    // An OV certificate names the organisation: a client without a city, or without a two-letter country, is
    // refused before anything is signed with an empty or wrong subject.
    let operator = Actor { user_id: None, email: "olga@signet.test".into(), ip: "127.0.0.1".into() };
    let ov = ProductInput {
        name: "TLS OV".into(),
        profile: Profile::ServerOv,
        wildcard: false,
        max_names: 5,
        validity_days: "199".into(),
        key_types: vec![KeyType::P256],
        auto_approve: false,
        active: true,
        renew_before_days: DEFAULT_RENEW_DAYS,
        renew_after_days: DEFAULT_RENEW_DAYS,
        auto_renew_default: false,
    };
    let ov = products::create(&w.s, &operator, ov).await.unwrap();
    let staff = Actor { user_id: None, email: "ana@smib.test".into(), ip: "127.0.0.1".into() };
    for (city, country) in [("", "HR"), ("Split", "Croatia"), ("Split", "")] {
        let client = ClientInput {
            name: format!("OV {city} {country}"),
            path: format!("ov-{}{}", city.len(), country.len()),
            email: "info@shop.example.com".into(),
            city: city.into(),
            country: country.into(),
            ..Default::default()
        };
        let client = clients::create(&w.s, &staff, &w.issuer, client).await.unwrap();
        let order = OrderInput {
            client_id: client.id,
            product_id: ov.id.clone(),
            ..input(&w, "shop.example.com", csr(&["shop.example.com"]), DcvMethod::Dns)
        };
        let err = orders::create(&w.s, &w.admin, order).await.unwrap_err();
        let message = err.for_field("client_id").unwrap_or_else(|| panic!("{city}/{country}: {err:?}"));
        assert!(message.contains("An OV certificate names the organisation"), "{message}");
    }
}

#[tokio::test]
async fn api_keys_act_for_their_holder_as_the_holder_is_now() {
    let w = world().await;
    let staff = Actor { user_id: None, email: "ana@smib.test".into(), ip: "127.0.0.1".into() };
    accounts::invite_customer(&w.s, &staff, &w.issuer, &w.client, "cleo@shop.example.com", "Cleo").await.unwrap();
    let ana = w.s.store().user_by_email("ana@smib.test").await.unwrap().unwrap();
    let cleo = w.s.store().user_by_email("cleo@shop.example.com").await.unwrap().unwrap();
    let admin_key = api_keys::create(&w.s, &staff, &ana.id, &w.issuer, "ci").await.unwrap();
    let customer_key = api_keys::create(&w.s, &staff, &cleo.id, &w.issuer, "shop").await.unwrap();

    let admin = api_keys::authenticate(&w.s, &admin_key).await.unwrap();
    assert_eq!((admin.role, admin.client, admin.email.as_str()), (Role::Admin, None, "ana@smib.test"));
    assert_eq!(admin.issuer, w.issuer.clone());
    let customer = api_keys::authenticate(&w.s, &customer_key).await.unwrap();
    assert_eq!((customer.role, customer.client), (Role::Customer, Some(ClientId::new(&w.client))));

    let refused = |r: Result<api_keys::KeyHolder, AppError>| matches!(r, Err(AppError::Unauthenticated));
    assert!(refused(api_keys::authenticate(&w.s, "sgk_not-a-key").await));
    assert!(refused(api_keys::authenticate(&w.s, &admin_key.replace("sgk_", "xyz_")).await));
    // A revoked key, and the key of a customer taken off the client, stop working at once.
    let id = api_keys::list(&w.s, &ana.id).await.unwrap()[0].id.clone();
    api_keys::revoke(&w.s, &staff, &ana.id, &id).await.unwrap();
    assert!(refused(api_keys::authenticate(&w.s, &admin_key).await));
    accounts::remove_customer(&w.s, &staff, &w.issuer, &w.client, &cleo.key()).await.unwrap();
    assert!(refused(api_keys::authenticate(&w.s, &customer_key).await));
}

#[tokio::test]
async fn concurrent_decisions_on_one_order_leave_one_decision_and_no_server_error() {
    let w = world().await;
    w.s.store().set_approval_mode(&w.issuer, true).await.unwrap();
    let user = scope(&w.issuer, "ivo@smib.test", false, None);
    let pending =
        orders::create(&w.s, &user, input(&w, "shop.example.com", csr(&["shop.example.com"]), DcvMethod::Dns))
            .await
            .unwrap();
    assert_eq!(pending.status, OrderStatus::PendingApproval);
    // Two approvers click at once, four times each way: approve and reject.
    let decisions = (0..8).map(|i| {
        let (s, admin, id) = (w.s.clone(), w.admin.clone(), pending.id.clone());
        async move {
            if i % 2 == 0 {
                orders::approve(&s, &admin, &id).await
            } else {
                orders::reject(&s, &admin, &id, "Not our customer").await
            }
        }
    });
    let results = futures::future::join_all(decisions).await;
    let won: Vec<&OrderView> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(won.len(), 1, "one decision stands: {results:?}");
    for lost in results.iter().filter_map(|r| r.as_ref().err()) {
        assert!(
            matches!(lost, AppError::Conflict(_)),
            "the others are told it was decided, not a server error: {lost:?}"
        );
    }
    let after = orders::view(&w.s, &w.admin, &pending.id).await.unwrap();
    assert_eq!(after.status, won[0].status);
    let decided = after.events.iter().filter(|e| e.kind == "approved" || e.kind == "rejected").count();
    assert_eq!(decided, 1, "{:?}", after.events);
}
