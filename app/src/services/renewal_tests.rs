//! Renewal from the certificate against a real in-memory SurrealDB with the test clock: the product's window,
//! the same CSR or a new one or none yet, validations reused so the renewal issues at once, the versions, and
//! who may renew.

use super::order_tests::{csr, dcv_link, input, scope, world, World};
use super::{certificates, orders, products, renewal, Actor};
use crate::error::AppError;
use crate::model::*;
use chrono::Duration;

/// A 90-day certificate for `shop.example.com`, validated by e-mail the first time and reused after.
async fn issued(w: &World) -> IssuedCert {
    let mut order = input(w, "shop.example.com", csr(&["shop.example.com"]), DcvMethod::Email);
    order.validity_days = 90;
    let view = orders::create(&w.s, &w.admin, order).await.unwrap();
    if view.status != OrderStatus::Issued {
        let token = dcv_link(&w.s, "admin@shop.example.com").await;
        orders::confirm_email_dcv(&w.s, &token).await.unwrap();
    }
    orders::view(&w.s, &w.admin, &view.id).await.unwrap().certificate.expect("issued")
}

fn same_csr() -> RenewInput {
    RenewInput::default()
}

fn conflict(r: Result<OrderView, AppError>) -> String {
    match r {
        Err(AppError::Conflict(m)) => m,
        other => panic!("not a conflict: {other:?}"),
    }
}

#[tokio::test]
async fn renewal_opens_thirty_days_before_expiry_and_with_the_same_csr_issues_at_once_as_a_new_version() {
    let w = world().await;
    let old = issued(&w).await;
    let opens = old.not_after - Duration::days(30);

    // Too early: the answer says when the window opens, and nothing is placed.
    let early = conflict(renewal::renew(&w.s, &w.admin, &old.id, same_csr()).await);
    assert_eq!(early, format!("Renewal opens on {}.", opens.format("%Y-%m-%d")));
    let detail = certificates::detail(&w.s, &w.admin, &old.id).await.unwrap();
    assert_eq!(detail.renewal.as_ref().unwrap().state, RenewalState::NotYet);
    assert_eq!(detail.versions.len(), 1);

    // Inside the window: the same product, names and validity, the same CSR, the validation reused.
    w.s.clock().advance(opens - w.s.now() + Duration::days(1));
    let renewed = renewal::renew(&w.s, &w.admin, &old.id, same_csr()).await.unwrap();
    assert_eq!(renewed.status, OrderStatus::Issued, "{:?}", renewed.failure);
    assert_eq!(renewed.names, vec!["shop.example.com".to_string()]);
    assert_eq!(renewed.validity_days, 90);
    assert!(renewed.dcv.iter().all(|d| d.reused), "{:?}", renewed.dcv);
    let new = renewed.certificate.clone().unwrap();
    assert_ne!(new.serial, old.serial);
    let renews = format!("renews certificate {} of order ", old.serial);
    assert!(
        renewed.events.iter().any(|e| e.kind == "renewal" && e.detail.starts_with(&renews)),
        "{:?}",
        renewed.events
    );

    // The old certificate says who renewed it and cannot be renewed twice; both pages list the two versions.
    let detail = certificates::detail(&w.s, &w.admin, &old.id).await.unwrap();
    let info = detail.renewal.unwrap();
    assert_eq!(info.state, RenewalState::Renewed);
    assert_eq!(info.renewed_by, Some((renewed.id.clone(), renewed.number.clone())));
    let serials: Vec<(String, bool)> = detail.versions.iter().map(|v| (v.serial.clone(), v.current)).collect();
    assert_eq!(serials, vec![(old.serial.clone(), true), (new.serial.clone(), false)]);
    let newer = certificates::detail(&w.s, &w.admin, &new.id).await.unwrap();
    let serials: Vec<(String, bool)> = newer.versions.iter().map(|v| (v.serial.clone(), v.current)).collect();
    assert_eq!(serials, vec![(old.serial.clone(), false), (new.serial.clone(), true)]);
    assert_eq!(newer.renewal.unwrap().state, RenewalState::NotYet);
    let again = conflict(renewal::renew(&w.s, &w.admin, &old.id, same_csr()).await);
    assert_eq!(again, format!("Renewed by order {}.", renewed.number));
}

#[tokio::test]
async fn a_renewal_takes_a_new_csr_or_none_yet_and_after_the_window_a_new_order_is_needed() {
    let w = world().await;
    let old = issued(&w).await;
    w.s.clock().advance(old.not_after - w.s.now() - Duration::days(5));

    // A new CSR must be given when chosen; none yet leaves the order waiting for it.
    let empty = RenewInput { csr_choice: RenewCsr::New, csr: "  ".into() };
    let e = renewal::renew(&w.s, &w.admin, &old.id, empty).await.unwrap_err();
    assert!(e.for_field("csr").is_some(), "{e:?}");
    let later = RenewInput { csr_choice: RenewCsr::Later, csr: String::new() };
    let draft = renewal::renew(&w.s, &w.admin, &old.id, later).await.unwrap();
    assert_eq!(draft.status, OrderStatus::Draft);
    assert!(draft.actions.submit_csr && draft.actions.invite, "the CSR can be made in the browser or by a link");

    // A cancelled renewal leaves the certificate to renew again, here with a new key.
    orders::cancel(&w.s, &w.admin, &draft.id, "new key after all").await.unwrap();
    let new_key = RenewInput { csr_choice: RenewCsr::New, csr: csr(&["shop.example.com"]) };
    let renewed = renewal::renew(&w.s, &w.admin, &old.id, new_key).await.unwrap();
    assert_eq!(renewed.status, OrderStatus::Issued);
    let csr_pem = renewed.csr_pem.clone().unwrap();
    let original_order = certificates::detail(&w.s, &w.admin, &old.id).await.unwrap().summary.order_id;
    let original = orders::view(&w.s, &w.admin, &original_order).await.unwrap().csr_pem.unwrap();
    assert_ne!(csr_pem, original);

    // Thirty-one days after expiry the window has closed.
    let other = issued(&w).await;
    w.s.clock().advance(other.not_after - w.s.now() + Duration::days(31));
    let late = conflict(renewal::renew(&w.s, &w.admin, &other.id, same_csr()).await);
    let closed = (other.not_after + Duration::days(30)).format("%Y-%m-%d");
    assert_eq!(late, format!("The renewal period ended on {closed}: place a new order."));
}

#[tokio::test]
async fn a_product_sets_its_renewal_window_and_a_revoked_certificate_is_not_renewed() {
    let w = world().await;
    let operator = Actor { user_id: None, email: "olga@signet.test".into(), ip: "127.0.0.1".into() };
    let product = |before: u32, after: u32| ProductInput {
        name: "TLS DV".into(),
        profile: Profile::ServerDv,
        wildcard: true,
        max_names: 5,
        validity_days: "90, 199".into(),
        key_types: vec![KeyType::P256, KeyType::Rsa],
        auto_approve: false,
        active: true,
        renew_before_days: before,
        renew_after_days: after,
        auto_renew_default: false,
    };
    let e = products::update(&w.s, &operator, &w.product, product(0, 91)).await.unwrap_err();
    assert!(e.for_field("renew_before_days").is_some() && e.for_field("renew_after_days").is_some(), "{e:?}");
    // TBS's 90 days before expiry: a 90-day certificate can be renewed from the day it is issued.
    products::update(&w.s, &operator, &w.product, product(90, 0)).await.unwrap();
    let cert = issued(&w).await;
    let info = certificates::detail(&w.s, &w.admin, &cert.id).await.unwrap().renewal.unwrap();
    assert_eq!(info.state, RenewalState::Open);
    assert_eq!(info.closes_at, cert.not_after);

    let reason = RevokeInput { reason: RevocationReason::KeyCompromise, comment: String::new() };
    certificates::revoke(&w.s, &w.admin, &cert.id, reason).await.unwrap();
    let refused = conflict(renewal::renew(&w.s, &w.admin, &cert.id, same_csr()).await);
    assert!(refused.contains("revoked"), "{refused}");
}

#[tokio::test]
async fn another_issuer_or_client_cannot_renew_a_certificate_or_change_its_choices_and_its_own_customer_can() {
    let w = world().await;
    let cert = issued(&w).await;
    w.s.clock().advance(cert.not_after - w.s.now() - Duration::days(1));
    let stranger = scope(&w.issuer, "someone@else.test", false, Some("no-such-client"));
    let other_issuer = scope(&w.other_issuer, "bo@other.test", true, None);
    for outsider in [&stranger, &other_issuer] {
        let r = renewal::renew(&w.s, outsider, &cert.id, same_csr()).await;
        assert!(matches!(r, Err(AppError::NotFound)), "{r:?}");
        let choices = RenewalChoices { auto_renew: true, do_not_renew: true };
        let r = renewal::set_choices(&w.s, outsider, &cert.id, choices).await;
        assert!(matches!(r, Err(AppError::NotFound)), "{r:?}");
        let r = super::install_check::check(&w.s, outsider, &cert.id, CheckInput::default()).await;
        assert!(matches!(r, Err(AppError::NotFound)), "{r:?}");
    }
    let info = certificates::detail(&w.s, &w.admin, &cert.id).await.unwrap().renewal.unwrap();
    assert!(!info.auto_renew, "the outsiders changed nothing");
    assert_eq!(orders::list(&w.s, &w.admin, None, 1).await.unwrap().total, 1, "nothing was placed");
    let customer = scope(&w.issuer, "iva@shop.example.com", false, Some(&w.client));
    let renewed = renewal::renew(&w.s, &customer, &cert.id, same_csr()).await.unwrap();
    assert_eq!(renewed.status, OrderStatus::Issued);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renewals_placed_at_the_same_moment_place_one_renewal_and_the_others_hear_why() {
    let w = world().await;
    let cert = issued(&w).await;
    w.s.clock().advance(cert.not_after - w.s.now() - Duration::days(1));
    let attempts: Vec<_> = (0..6)
        .map(|_| {
            let (s, admin, id) = (w.s.clone(), w.admin.clone(), cert.id.clone());
            tokio::spawn(async move { renewal::renew(&s, &admin, &id, same_csr()).await })
        })
        .collect();
    let mut placed = 0;
    for attempt in attempts {
        match attempt.await.unwrap() {
            Ok(_) => placed += 1,
            Err(AppError::Conflict(m)) => {
                assert!(m.contains("being placed right now") || m.starts_with("Renewed by order"), "{m}");
            }
            Err(e) => panic!("a renewal failed with {e:?}"),
        }
    }
    assert_eq!(placed, 1);
    assert_eq!(orders::list(&w.s, &w.admin, None, 1).await.unwrap().total, 2, "the original and one renewal");
    assert_eq!(certificates::detail(&w.s, &w.admin, &cert.id).await.unwrap().versions.len(), 2);
    // Once placed, the claim is gone: the renewed certificate says so, not "being placed".
    let again = conflict(renewal::renew(&w.s, &w.admin, &cert.id, same_csr()).await);
    assert!(again.starts_with("Renewed by order"), "{again}");
}
