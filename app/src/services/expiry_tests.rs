//! The renewal job with the test clock, its mail delivered to a real SMTP server (aiosmtpd): a certificate
//! walks through its reminders to expiry; one with automatic renewal is renewed at the start of its window
//! (validation reused, issued at once) and gets no reminder; "do not renew" stops both; a watched certificate
//! is reminded too; each notice goes out once however often the job runs.

use super::order_tests::{csr, dcv_link, input, world_with, World};
use super::smtp_sink::SmtpSink;
use super::{expiry, mail, orders, renewal, watched, Settings};
use crate::keygen::{make_self_signed, KeyAlgorithm, PrivateKey, Subject};
use crate::model::*;
use crate::store::CertificateId;
use chrono::{DateTime, Duration, Utc};

/// A 90-day certificate for `name` (below shop.example.com), with `ops@shop.example.com` as an extra address.
async fn issued(w: &World, name: &str) -> IssuedCert {
    let mut order = input(w, name, csr(&[name]), DcvMethod::Email);
    order.validity_days = 90;
    order.notify = "ops@shop.example.com".into();
    let view = orders::create(&w.s, &w.admin, order).await.unwrap();
    if view.status != OrderStatus::Issued {
        orders::confirm_email_dcv(&w.s, &dcv_link(&w.s, &format!("admin@{name}")).await).await.unwrap();
    }
    orders::view(&w.s, &w.admin, &view.id).await.unwrap().certificate.expect("issued")
}

async fn run_at(w: &World, at: DateTime<Utc>) -> expiry::JobReport {
    let now = w.s.now();
    w.s.clock().advance(at - now);
    expiry::run_due(&w.s).await.unwrap()
}

#[tokio::test]
async fn a_certificate_walks_through_its_reminders_and_one_with_automatic_renewal_is_renewed_instead() {
    let smtp = SmtpSink::start();
    let w = world_with(Settings { smtp_url: Some(smtp.url()), ..Settings::for_tests() }).await;
    tokio::spawn(mail::run_worker(w.s.clone()));
    let reminded = issued(&w, "shop.example.com").await;
    let renewing = issued(&w, "www.shop.example.com").await;
    let quiet = issued(&w, "old.shop.example.com").await;
    let on = RenewalChoices { auto_renew: true, do_not_renew: false };
    renewal::set_choices(&w.s, &w.admin, &renewing.id, on).await.unwrap();
    let stop = RenewalChoices { auto_renew: false, do_not_renew: true };
    renewal::set_choices(&w.s, &w.admin, &quiet.id, stop).await.unwrap();
    let start = w.s.now();
    let key = PrivateKey::generate(KeyAlgorithm::P256).unwrap();
    let from = time::OffsetDateTime::from_unix_timestamp(start.timestamp()).unwrap();
    let subject = Subject { common_name: "intranet.shop.example.com".into(), ..Default::default() };
    // An hour before the issued ones expire, so that the same runs find it due.
    let until = from + time::Duration::days(90) - time::Duration::hours(1);
    let pem = make_self_signed(&key, &subject, &[], from, until).unwrap();
    watched::track(&w.s, &w.admin, &pem).await.unwrap();

    // Nothing is due two months before expiry.
    assert_eq!(run_at(&w, reminded.not_after - Duration::days(61)).await, expiry::JobReport::default());

    // The window opens: the auto-renewing certificate is renewed (its validation reused, issued at once) and
    // gets no reminder; the others get their 30-day notice, to the contacts and the extra address.
    let report = run_at(&w, reminded.not_after - Duration::days(30)).await;
    assert_eq!(report, expiry::JobReport { renewals: 1, notices: 2, revocations: 0 });
    let renewed = smtp.wait_for("Your certificate for www.shop.example.com is issued", 2).await;
    assert_eq!(renewed.len(), 2, "the original and its renewal, each to the technical contact");
    let notices = smtp.wait_for("expires in 30 days", 3).await;
    let mut to: Vec<String> = notices.iter().map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(to, ["ana@smib.test", "iva@shop.example.com", "ops@shop.example.com"], "{notices:?}");
    let first = notices.iter().find(|m| m.subject.contains("for shop.example.com")).unwrap();
    assert!(first.body.contains(&format!("/certificates/{}", reminded.id)), "{}", first.body);
    let detail = super::certificates::detail(&w.s, &w.admin, &renewing.id).await.unwrap();
    assert_eq!(detail.renewal.unwrap().state, RenewalState::Renewed);
    let renewal_order = &detail.versions[1];
    let new = super::certificates::detail(&w.s, &w.admin, &renewal_order.id).await.unwrap();
    let history = new.history.iter().map(|e| (e.actor.clone(), e.kind.clone())).collect::<Vec<_>>();
    assert!(history.contains(&(expiry::AUTO_RENEWAL_ACTOR.to_string(), "renewal".to_string())), "{history:?}");

    // Running again at the same moment sends nothing more; then 14, 7 and 1 days before, and at expiry.
    assert_eq!(run_at(&w, w.s.now()).await, expiry::JobReport::default());
    for (days, subject) in [(14, "expires in 14 days"), (7, "expires in 7 days"), (1, "expires tomorrow")] {
        let report = run_at(&w, reminded.not_after - Duration::days(days)).await;
        assert_eq!(report.notices, 2, "{days} days before");
        smtp.wait_for(subject, 3).await;
    }
    assert_eq!(run_at(&w, reminded.not_after + Duration::hours(1)).await.notices, 2);
    let expired = smtp.wait_for("expired on", 3).await;
    assert!(expired.iter().all(|m| m.body.contains("expired on")));
    assert_eq!(run_at(&w, reminded.not_after + Duration::days(3)).await, expiry::JobReport::default());

    // The page lists the notices sent; "do not renew" got none, and nothing went to it.
    let detail = super::certificates::detail(&w.s, &w.admin, &reminded.id).await.unwrap();
    assert_eq!(detail.notices.iter().map(|n| n.days).collect::<Vec<_>>(), vec![30, 14, 7, 1, 0]);
    assert!(super::certificates::detail(&w.s, &w.admin, &quiet.id).await.unwrap().notices.is_empty());
    let about_quiet = |m: &super::smtp_sink::Received| m.subject.contains("old.shop.example.com");
    assert!(smtp.received().iter().filter(|m| about_quiet(m)).all(|m| !m.subject.contains("expire")));
}

#[tokio::test]
async fn an_automatic_renewal_meeting_a_renewal_a_person_is_placing_mails_nobody_that_it_failed() {
    let w = world_with(Settings::for_tests()).await;
    let cert = issued(&w, "shop.example.com").await;
    let on = RenewalChoices { auto_renew: true, do_not_renew: false };
    renewal::set_choices(&w.s, &w.admin, &cert.id, on).await.unwrap();
    let now = w.s.now();
    w.s.clock().advance(cert.not_after - Duration::days(30) - now);
    // A person clicked Renew a moment ago: their renewal holds the certificate's claim while it is placed.
    assert!(w.s.store().claim_replacement(&CertificateId::new(&cert.id), w.s.now()).await.unwrap());

    let report = expiry::run_due(&w.s).await.unwrap();
    assert_eq!(report, expiry::JobReport::default(), "the job placed nothing and sent no reminder");
    let (_, outbox) = mail::outbox(&w.s, None).await.unwrap();
    let about_renewal: Vec<&str> =
        outbox.iter().map(|m| m.subject.as_str()).filter(|s| s.contains("automatic renewal")).collect();
    assert!(about_renewal.is_empty(), "nobody is told the renewal failed: {about_renewal:?}");
}
