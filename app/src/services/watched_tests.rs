//! Certificates tracked for expiry: what is kept, what is refused, and who sees what.

use super::order_tests::{scope, world};
use super::watched;
use crate::error::AppError;
use crate::keygen::{make_self_signed, KeyAlgorithm, PrivateKey, Subject};

/// A certificate valid for `days` from `now`: the test state's clock, which is fixed and not today's date.
fn self_signed(now: chrono::DateTime<chrono::Utc>, cn: &str, days: i64) -> (String, PrivateKey) {
    let key = PrivateKey::generate(KeyAlgorithm::P256).unwrap();
    let start = time::OffsetDateTime::from_unix_timestamp(now.timestamp()).unwrap();
    let subject = Subject { common_name: cn.into(), country: "HR".into(), ..Default::default() };
    let pem = make_self_signed(&key, &subject, &[], start, start + time::Duration::days(days)).unwrap();
    (pem, key)
}

#[tokio::test]
async fn a_self_signed_certificate_is_kept_with_its_dates_and_only_its_owner_sees_it() {
    let w = world().await;
    let (pem, _) = self_signed(w.s.now(), "intranet.shop.example.com", 30);
    let kept = watched::track(&w.s, &w.admin, &pem).await.unwrap();
    assert_eq!(kept.common_name, "intranet.shop.example.com");
    assert_eq!(kept.names, vec!["intranet.shop.example.com".to_string()]);
    assert!(kept.self_signed);
    assert!((28..=30).contains(&kept.days_left), "{}", kept.days_left);

    let list = watched::list(&w.s, &w.admin).await.unwrap();
    assert_eq!(list.len(), 1);
    // A customer of the client, and staff of another issuer, see none of it and cannot remove it.
    let customer = scope(&w.issuer, "iva@shop.example.com", false, Some(&w.client));
    assert!(watched::list(&w.s, &customer).await.unwrap().is_empty());
    let other = scope(&w.other_issuer, "bo@other.test", true, None);
    assert!(watched::list(&w.s, &other).await.unwrap().is_empty());
    assert_eq!(watched::remove(&w.s, &other, &list[0].id).await.err(), Some(AppError::NotFound));
    watched::remove(&w.s, &w.admin, &list[0].id).await.unwrap();
    assert!(watched::list(&w.s, &w.admin).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_private_key_or_garbage_is_refused_in_words() {
    let w = world().await;
    let (_, key) = self_signed(w.s.now(), "x.example.com", 10);
    let key_file = key.to_encrypted_pem("a long password").unwrap();
    let err = watched::track(&w.s, &w.admin, &key_file).await.unwrap_err();
    assert!(err.to_string().contains("This is a private key"), "{err}");
    let err = watched::track(&w.s, &w.admin, "hello").await.unwrap_err();
    assert!(err.to_string().contains("neither a certificate"), "{err}");
    let err = watched::track(&w.s, &w.admin, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("cannot be read"), "{err}");
    assert!(watched::list(&w.s, &w.admin).await.unwrap().is_empty());
}
