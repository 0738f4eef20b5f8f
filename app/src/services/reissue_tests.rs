//! Reissue against a real in-memory SurrealDB with the test clock: a new name validated alone while the others
//! are reused, the original's expiry kept, the original revoked on the chosen day by the renewal job (and not
//! before), a lost key revoking it at once, and the form's refusals.

use super::order_tests::{csr, dcv_link, input, world, World};
use super::{ca, certificates, expiry, orders, reissue};
use crate::error::AppError;
use crate::model::*;
use crate::store::CertificateId;
use chrono::Duration;
use x509_parser::prelude::*;

/// A 90-day certificate for `shop.example.com`, validated by e-mail.
async fn issued(w: &World) -> IssuedCert {
    let mut order = input(w, "shop.example.com", csr(&["shop.example.com"]), DcvMethod::Email);
    order.validity_days = 90;
    let view = orders::create(&w.s, &w.admin, order).await.unwrap();
    if view.status != OrderStatus::Issued {
        orders::confirm_email_dcv(&w.s, &dcv_link(&w.s, "admin@shop.example.com").await).await.unwrap();
    }
    orders::view(&w.s, &w.admin, &view.id).await.unwrap().certificate.expect("issued")
}

async fn crl_serials(w: &World, slug: &str) -> Vec<String> {
    let der = ca::crl::crl(&w.s, slug).await.unwrap();
    let (_, crl) = CertificateRevocationList::from_der(&der).unwrap();
    crl.iter_revoked_certificates().map(|r| hex::encode_upper(r.raw_serial())).collect()
}

#[tokio::test]
async fn a_reissue_with_a_new_name_validates_only_it_keeps_the_expiry_and_revokes_the_original_on_the_day() {
    let w = world().await;
    let old = issued(&w).await;
    w.s.clock().advance(Duration::days(10));
    let day = (w.s.now() + Duration::days(5)).date_naive();
    let names = "shop.example.com\nwww.shop.example.com";
    let request = ReissueInput {
        reason: ReissueReason::NamesChanged,
        names: names.into(),
        csr: csr(&["shop.example.com", "www.shop.example.com"]),
        old: OldCertificate::RevokeOn,
        revoke_on: day.format("%Y-%m-%d").to_string(),
        ..Default::default()
    };
    let placed = reissue::reissue(&w.s, &w.admin, &old.id, request).await.unwrap();
    assert_eq!(placed.status, OrderStatus::AwaitingValidation);
    let pending: Vec<(&str, bool)> = placed.dcv.iter().map(|d| (d.name.as_str(), d.reused)).collect();
    assert_eq!(pending, [("shop.example.com", true), ("www.shop.example.com", false)]);
    orders::confirm_email_dcv(&w.s, &dcv_link(&w.s, "admin@www.shop.example.com").await).await.unwrap();
    let done = orders::view(&w.s, &w.admin, &placed.id).await.unwrap();
    let new = done.certificate.expect("issued once the new name is validated");
    assert_eq!(new.not_after, old.not_after, "the original's expiry");
    assert_eq!(new.names, ["shop.example.com", "www.shop.example.com"]);
    assert!(
        done.events.iter().any(|e| e.kind == "reissue" && e.detail.ends_with("(Change of names)")),
        "{:?}",
        done.events
    );

    // The inventory shows the scheduled revocation; the job leaves it alone until the day, then revokes it.
    let detail = certificates::detail(&w.s, &w.admin, &old.id).await.unwrap();
    let at = detail.summary.revocation_scheduled.expect("scheduled");
    assert_eq!(at.date_naive(), day);
    assert_eq!(detail.versions.len(), 2);
    w.s.clock().advance(at - w.s.now() - Duration::hours(1));
    assert_eq!(expiry::run_due(&w.s).await.unwrap().revocations, 0);
    assert!(crl_serials(&w, &old.ca).await.is_empty());
    w.s.clock().advance(Duration::hours(2));
    assert_eq!(expiry::run_due(&w.s).await.unwrap().revocations, 1);
    assert_eq!(crl_serials(&w, &old.ca).await, vec![old.serial.clone()]);
    let revoked = certificates::detail(&w.s, &w.admin, &old.id).await.unwrap().summary;
    assert_eq!(revoked.revocation.map(|r| r.reason), Some(RevocationReason::Superseded));
    assert_eq!(revoked.revocation_scheduled, None);
    assert_eq!(expiry::run_due(&w.s).await.unwrap().revocations, 0, "once");
}

#[tokio::test]
async fn a_lost_key_revokes_the_original_at_once_and_the_form_says_what_is_wrong() {
    let w = world().await;
    let old = issued(&w).await;
    let bad = ReissueInput {
        reason: ReissueReason::Other,
        old: OldCertificate::RevokeOn,
        revoke_on: (w.s.now() + Duration::days(31)).format("%Y-%m-%d").to_string(),
        ..Default::default()
    };
    let e = reissue::reissue(&w.s, &w.admin, &old.id, bad).await.unwrap_err();
    assert!(e.for_field("reason_text").is_some() && e.for_field("revoke_on").is_some(), "{e:?}");

    let lost = ReissueInput {
        reason: ReissueReason::KeyLost,
        csr: csr(&["shop.example.com"]),
        old: OldCertificate::RevokeNow,
        ..Default::default()
    };
    let placed = reissue::reissue(&w.s, &w.admin, &old.id, lost).await.unwrap();
    assert_eq!(placed.status, OrderStatus::Issued, "the validation is reused");
    let revoked = certificates::detail(&w.s, &w.admin, &old.id).await.unwrap().summary.revocation.unwrap();
    assert_eq!(revoked.reason, RevocationReason::KeyCompromise);
    assert_eq!(revoked.comment, format!("Reissued as order {}.", placed.number));
    let again = ReissueInput { csr: csr(&["shop.example.com"]), ..Default::default() };
    let refused = reissue::reissue(&w.s, &w.admin, &old.id, again).await.unwrap_err();
    assert!(matches!(refused, AppError::Conflict(ref m) if m.contains("revoked")), "{refused:?}");
}

#[tokio::test]
async fn a_scheduled_revocation_cancelled_is_not_carried_out_and_another_issuer_cannot_cancel_it() {
    let w = world().await;
    let old = issued(&w).await;
    let day = (w.s.now() + Duration::days(3)).date_naive();
    let request = ReissueInput {
        reason: ReissueReason::KeyTypeChanged,
        csr: csr(&["shop.example.com"]),
        old: OldCertificate::RevokeOn,
        revoke_on: day.format("%Y-%m-%d").to_string(),
        ..Default::default()
    };
    reissue::reissue(&w.s, &w.admin, &old.id, request).await.unwrap();
    let other_issuer = super::order_tests::scope(&w.other_issuer, "bo@other.test", true, None);
    let r = reissue::cancel_scheduled_revocation(&w.s, &other_issuer, &old.id).await;
    assert!(matches!(r, Err(AppError::NotFound)), "{r:?}");
    let scheduled = certificates::detail(&w.s, &w.admin, &old.id).await.unwrap().summary.revocation_scheduled;
    assert!(scheduled.is_some(), "the outsider cancelled nothing");

    reissue::cancel_scheduled_revocation(&w.s, &w.admin, &old.id).await.unwrap();
    let kept = certificates::detail(&w.s, &w.admin, &old.id).await.unwrap().summary;
    assert_eq!(kept.revocation_scheduled, None);
    let again = reissue::cancel_scheduled_revocation(&w.s, &w.admin, &old.id).await;
    assert!(matches!(&again, Err(AppError::Conflict(m)) if m.contains("No revocation is scheduled")), "{again:?}");
    w.s.clock().advance(Duration::days(4));
    assert_eq!(expiry::run_due(&w.s).await.unwrap().revocations, 0);
    assert!(crl_serials(&w, &old.ca).await.is_empty(), "the certificate was kept");
    assert_eq!(certificates::detail(&w.s, &w.admin, &old.id).await.unwrap().summary.revocation, None);
}

#[tokio::test]
async fn a_reissue_while_a_renewal_or_reissue_of_the_certificate_is_being_placed_is_refused_and_places_nothing() {
    let w = world().await;
    let old = issued(&w).await;
    // Another person's renewal or reissue of this certificate is being placed right now.
    assert!(w.s.store().claim_replacement(&CertificateId::new(&old.id), w.s.now()).await.unwrap());
    let request = || ReissueInput { csr: csr(&["shop.example.com"]), ..Default::default() };
    let refused = reissue::reissue(&w.s, &w.admin, &old.id, request()).await.unwrap_err();
    assert!(matches!(refused, AppError::Conflict(ref m) if m.contains("being placed right now")), "{refused:?}");
    assert_eq!(orders::list(&w.s, &w.admin, None, 1).await.unwrap().total, 1, "only the original order");

    // Once that one is placed, the certificate can be reissued.
    w.s.store().release_replacement(&CertificateId::new(&old.id)).await.unwrap();
    reissue::reissue(&w.s, &w.admin, &old.id, request()).await.unwrap();
    assert_eq!(orders::list(&w.s, &w.admin, None, 1).await.unwrap().total, 2);
}
