//! Service tests against a real (in-memory) SurrealDB with a clock the tests move.

use super::{account_sessions, accounts, issuers, Actor, AppState};
use crate::error::AppError;
use crate::model::{MailStatus, Role};
use crate::store::{IssuerId, UserId};
use chrono::Duration;

async fn state() -> AppState {
    super::test_state().await
}

fn operator_actor(user: &crate::store::UserRow) -> Actor {
    Actor { user_id: Some(user.id.clone()), email: user.email.clone(), ip: "127.0.0.1".into() }
}

/// The token of the last link to `to` in the outbox that starts with `prefix`.
async fn link_token(s: &AppState, to: &str, prefix: &str) -> String {
    let mail = s.store().list_mail(Some(MailStatus::Outbox), 100).await.unwrap();
    let body = &mail.iter().find(|m| m.to == to).expect("a message").body;
    let at = body.find(prefix).expect("a link") + prefix.len();
    body[at..].split_whitespace().next().unwrap().to_string()
}

#[tokio::test]
async fn lockout_lasts_fifteen_minutes() {
    let s = state().await;
    accounts::create_operator(&s, "olga@signet.test", "Olga", "operator passphrase").await.unwrap();
    for _ in 0..4 {
        let e = accounts::login(&s, "olga@signet.test", "wrong", "ip", "ua").await.unwrap_err();
        assert_eq!(e, AppError::Refused(accounts::BAD_CREDENTIALS.into()));
    }
    let e = accounts::login(&s, "olga@signet.test", "wrong", "ip", "ua").await.unwrap_err();
    assert_eq!(e, AppError::Refused(accounts::LOCKED.into()));
    assert!(accounts::login(&s, "olga@signet.test", "operator passphrase", "ip", "ua").await.is_err());
    s.clock().advance(Duration::minutes(14));
    assert!(accounts::login(&s, "olga@signet.test", "operator passphrase", "ip", "ua").await.is_err());
    s.clock().advance(Duration::minutes(2));
    assert!(accounts::login(&s, "olga@signet.test", "operator passphrase", "ip", "ua").await.is_ok());
    // A success starts the count again.
    for _ in 0..4 {
        let _ = accounts::login(&s, "olga@signet.test", "wrong", "ip", "ua").await;
    }
    assert!(accounts::login(&s, "olga@signet.test", "operator passphrase", "ip", "ua").await.is_ok());
}

#[tokio::test]
async fn reset_link_works_once_and_for_one_hour() {
    let s = state().await;
    accounts::create_operator(&s, "olga@signet.test", "Olga", "operator passphrase").await.unwrap();
    accounts::request_password_reset(&s, "olga@signet.test", "ip").await.unwrap();
    // Unknown e-mails get the same answer and no message.
    accounts::request_password_reset(&s, "nobody@signet.test", "ip").await.unwrap();
    let token = link_token(&s, "olga@signet.test", "/reset-password/").await;

    s.clock().advance(Duration::minutes(61));
    let expired = accounts::reset_password(&s, &token, "a new passphrase", "a new passphrase", "ip").await;
    assert!(matches!(expired, Err(AppError::Refused(m)) if m.contains("not valid any more")));

    accounts::request_password_reset(&s, "olga@signet.test", "ip").await.unwrap();
    let token = link_token(&s, "olga@signet.test", "/reset-password/").await;
    s.clock().advance(Duration::minutes(59));
    accounts::reset_password(&s, &token, "a new passphrase", "a new passphrase", "ip").await.unwrap();
    assert!(accounts::reset_password(&s, &token, "third passphrase", "third passphrase", "ip").await.is_err());
    assert!(accounts::login(&s, "olga@signet.test", "operator passphrase", "ip", "ua").await.is_err());
    assert!(accounts::login(&s, "olga@signet.test", "a new passphrase", "ip", "ua").await.is_ok());
}

#[tokio::test]
async fn sessions_expire_when_idle_and_at_the_absolute_limit() {
    let s = state().await;
    accounts::create_operator(&s, "olga@signet.test", "Olga", "operator passphrase").await.unwrap();
    let token = accounts::login(&s, "olga@signet.test", "operator passphrase", "ip", "ua").await.unwrap();
    // 12 × 59 minutes = 11 h 48 min: never idle for an hour, still within 12 hours.
    for _ in 0..12 {
        s.clock().advance(Duration::minutes(59));
        assert!(accounts::resolve_session(&s, &token).await.unwrap().is_some());
    }
    s.clock().advance(Duration::minutes(59));
    assert!(accounts::resolve_session(&s, &token).await.unwrap().is_none(), "12 hours at most");

    let token = accounts::login(&s, "olga@signet.test", "operator passphrase", "ip", "ua").await.unwrap();
    s.clock().advance(Duration::minutes(61));
    assert!(accounts::resolve_session(&s, &token).await.unwrap().is_none(), "an hour idle signs out");
}

#[tokio::test]
async fn a_person_sees_where_they_are_signed_in_and_ends_other_sessions_but_never_someone_elses() {
    let s = state().await;
    let olga = accounts::create_operator(&s, "olga@signet.test", "Olga", "operator passphrase").await.unwrap();
    let ivan = accounts::create_operator(&s, "ivan@signet.test", "Ivan", "operator passphrase").await.unwrap();
    let laptop_ua = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";
    let phone_ua = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) Version/18.1 Mobile/15E148 Safari/604.1";
    let laptop = accounts::login(&s, "olga@signet.test", "operator passphrase", "192.0.2.10", laptop_ua).await.unwrap();
    let here = accounts::resolve_session(&s, &laptop).await.unwrap().unwrap();
    s.clock().advance(Duration::minutes(2));
    let phone = accounts::login(&s, "olga@signet.test", "operator passphrase", "198.51.100.7", phone_ua).await.unwrap();
    let ivan_token =
        accounts::login(&s, "ivan@signet.test", "operator passphrase", "203.0.113.5", "curl/8").await.unwrap();
    let ivans = accounts::resolve_session(&s, &ivan_token).await.unwrap().unwrap();

    let list = account_sessions::list(&s, &here).await.unwrap();
    let seen: Vec<(&str, &str, bool)> = list.iter().map(|x| (x.device.as_str(), x.ip.as_str(), x.current)).collect();
    assert_eq!(
        seen,
        vec![("Safari on iPhone", "198.51.100.7", false), ("Chrome on Linux", "192.0.2.10", true)],
        "last used first, this browser marked, nobody else's sessions"
    );

    let e = account_sessions::end(&s, &ivans, &operator_actor(&ivan), &list[0].id).await.unwrap_err();
    assert_eq!(e, AppError::NotFound, "another person's session is not found");
    assert!(accounts::resolve_session(&s, &phone).await.unwrap().is_some());
    let own = account_sessions::end(&s, &here, &operator_actor(&olga), &list[1].id).await.unwrap_err();
    assert!(matches!(own, AppError::Refused(m) if m.contains("sign out instead")));

    account_sessions::end(&s, &here, &operator_actor(&olga), &list[0].id).await.unwrap();
    assert!(accounts::resolve_session(&s, &phone).await.unwrap().is_none(), "the phone is signed out");
    assert!(accounts::resolve_session(&s, &laptop).await.unwrap().is_some(), "this browser is not");

    let tablet = accounts::login(&s, "olga@signet.test", "operator passphrase", "192.0.2.11", "").await.unwrap();
    account_sessions::end_others(&s, &here, &operator_actor(&olga)).await.unwrap();
    assert!(accounts::resolve_session(&s, &tablet).await.unwrap().is_none());
    assert!(accounts::resolve_session(&s, &laptop).await.unwrap().is_some());
    assert!(accounts::resolve_session(&s, &ivan_token).await.unwrap().is_some(), "Ivan is still signed in");
}

#[tokio::test]
async fn invitation_creates_an_account_that_works_once() {
    let s = state().await;
    let olga = accounts::create_operator(&s, "olga@signet.test", "Olga", "operator passphrase").await.unwrap();
    let actor = operator_actor(&olga);
    let issuer =
        issuers::create(&s, &actor, "Chamber of Commerce Split", "smib", "Ana@SMIB.test", "Ana").await.unwrap();
    let dup = issuers::create(&s, &actor, "Other", "smib", "x@x.test", "X").await.unwrap_err();
    assert_eq!(dup.for_field("slug").as_deref(), Some("Another issuer uses this short name already."));

    let token = link_token(&s, "ana@smib.test", "/invite/").await;
    let info = accounts::invitation_info(&s, &token).await.unwrap();
    assert_eq!(info.issuer_name.as_deref(), Some("Chamber of Commerce Split"));
    accounts::accept_invitation(&s, &token, "Ana Admin", "ana passphrase 1", "ana passphrase 1", "ip").await.unwrap();
    assert!(accounts::accept_invitation(&s, &token, "Ana", "other passphrase", "other passphrase", "ip")
        .await
        .is_err());
    accounts::login(&s, "ana@smib.test", "a wrong passphrase", "192.0.2.9", "ua").await.unwrap_err();
    s.clock().advance(Duration::seconds(1));
    let ana_token = accounts::login(&s, "ana@smib.test", "ana passphrase 1", "ip", "ua").await.unwrap();
    let session = accounts::resolve_session(&s, &ana_token).await.unwrap().unwrap();
    // The issuer's audit log has its people's sign-ins and failed sign-ins.
    let log = super::audit::list(&s, Some(IssuerId::new(&issuer.id)), &Default::default(), 100).await.unwrap();
    let sign_ins: Vec<(&str, &str)> =
        log.iter().filter(|e| e.action.starts_with("auth.")).map(|e| (e.action.as_str(), e.ip.as_str())).collect();
    assert_eq!(sign_ins, vec![("auth.login", "ip"), ("auth.failed", "192.0.2.9")], "newest first");
    let viewer = accounts::viewer(&s, &session).await.unwrap();
    assert_eq!(viewer.current.as_ref().map(|c| (c.slug.as_str(), c.role)), Some(("smib", Role::Admin)));

    // The last admin cannot be demoted or removed.
    let ana =
        Actor { user_id: Some(UserId::new(viewer.user_id.clone())), email: viewer.email.clone(), ip: "ip".into() };
    assert!(matches!(
        issuers::set_role(&s, &ana, &IssuerId::new(&issuer.id), &viewer.user_id, Role::User).await,
        Err(AppError::Conflict(_))
    ));
    assert!(matches!(
        issuers::remove_member(&s, &ana, &IssuerId::new(&issuer.id), &viewer.user_id).await,
        Err(AppError::Conflict(_))
    ));
    // Inviting the same person twice is refused at the e-mail field.
    let again =
        accounts::invite(&s, &ana, &IssuerId::new(&issuer.id), "ana@smib.test", "Ana", Role::User).await.unwrap_err();
    assert!(again.for_field("email").is_some());
}

#[tokio::test]
async fn profile_rules_are_enforced_on_the_server() {
    let s = state().await;
    let olga = accounts::create_operator(&s, "olga@signet.test", "Olga", "operator passphrase").await.unwrap();
    let actor = operator_actor(&olga);
    let a = issuers::create(&s, &actor, "A", "issuer-a", "a@a.test", "A").await.unwrap();
    issuers::create(&s, &actor, "B", "issuer-b", "b@b.test", "B").await.unwrap();
    let mut p = crate::model::IssuerProfile { name: "A".into(), slug: "issuer-b".into(), ..Default::default() };
    assert!(issuers::update_profile(&s, &actor, &IssuerId::new(&a.id), p.clone())
        .await
        .unwrap_err()
        .for_field("slug")
        .is_some());
    p.slug = "issuer-a".into();
    p.contact_email = "nope".into();
    p.website = "javascript:alert(1)".into();
    let e = issuers::update_profile(&s, &actor, &IssuerId::new(&a.id), p.clone()).await.unwrap_err();
    assert!(e.for_field("contact_email").is_some() && e.for_field("website").is_some());
    p.contact_email = "info@a.test".into();
    p.website = "https://a.test".into();
    p.name = "<script>alert(1)</script> \"A\"".into();
    let saved = issuers::update_profile(&s, &actor, &IssuerId::new(&a.id), p).await.unwrap();
    assert_eq!(saved.name, "<script>alert(1)</script> \"A\"", "stored as typed; the UI escapes it");
    let svg = "data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+";
    assert!(issuers::set_logo(&s, &actor, &IssuerId::new(&a.id), Some(svg)).await.is_err());
}

#[tokio::test]
async fn a_verified_pages_host_cannot_be_signets_own_an_ip_address_or_another_issuers() {
    let s = state().await;
    let olga = accounts::create_operator(&s, "olga@signet.test", "Olga", "operator passphrase").await.unwrap();
    let actor = operator_actor(&olga);
    let a = issuers::create(&s, &actor, "A", "issuer-a", "a@a.test", "A").await.unwrap();
    let b = issuers::create(&s, &actor, "B", "issuer-b", "b@b.test", "B").await.unwrap();
    let profile = |slug: &str, host: &str| crate::model::IssuerProfile {
        name: slug.into(),
        slug: slug.into(),
        verified_host: host.into(),
        ..Default::default()
    };
    // Signet's public host (https://signet.test) and PKI host (http://pki.signet.test), in any case.
    for host in ["signet.test", "SIGNET.test.", "pki.signet.test", "192.0.2.10", "10.0.0.1"] {
        let e =
            issuers::update_profile(&s, &actor, &IssuerId::new(&a.id), profile("issuer-a", host)).await.unwrap_err();
        assert!(e.for_field("verified_host").is_some(), "{host} refused: {e:?}");
    }
    issuers::update_profile(&s, &actor, &IssuerId::new(&a.id), profile("issuer-a", "verified.a.test")).await.unwrap();
    let e = issuers::update_profile(&s, &actor, &IssuerId::new(&b.id), profile("issuer-b", "verified.a.test"))
        .await
        .unwrap_err();
    assert_eq!(e.for_field("verified_host").as_deref(), Some("Another issuer uses this host name already."));
    // The database keeps the host unique too, whatever a caller skipped.
    let e = s
        .store()
        .update_issuer_profile(&IssuerId::new(&b.id), &profile("issuer-b", "verified.a.test"))
        .await
        .unwrap_err();
    assert!(crate::store::is_duplicate(&e), "{e}");
    // Issuers without a host of their own do not collide.
    issuers::update_profile(&s, &actor, &IssuerId::new(&b.id), profile("issuer-b", "")).await.unwrap();
    issuers::create(&s, &actor, "C", "issuer-c", "c@c.test", "C").await.unwrap();
}

#[tokio::test]
async fn reset_requests_for_one_address_send_at_most_three_links_an_hour() {
    let s = state().await;
    accounts::create_operator(&s, "olga@signet.test", "Olga", "operator passphrase").await.unwrap();
    let resets = |s: &AppState| {
        let s = s.clone();
        async move {
            let mail = s.store().list_mail(Some(MailStatus::Outbox), 100).await.unwrap();
            mail.iter().filter(|m| m.to == "olga@signet.test" && m.body.contains("/reset-password/")).count()
        }
    };
    for _ in 0..10 {
        // The same answer every time, sent or not.
        accounts::request_password_reset(&s, "olga@signet.test", "ip").await.unwrap();
        s.clock().advance(Duration::seconds(1));
    }
    assert_eq!(resets(&s).await, accounts::MAX_RESETS_PER_HOUR);
    // The last link sent still works.
    let token = link_token(&s, "olga@signet.test", "/reset-password/").await;
    accounts::reset_password(&s, &token, "a new passphrase", "a new passphrase", "ip").await.unwrap();

    s.clock().advance(Duration::minutes(61));
    accounts::request_password_reset(&s, "olga@signet.test", "ip").await.unwrap();
    assert_eq!(resets(&s).await, accounts::MAX_RESETS_PER_HOUR + 1, "an hour later a new link goes out");
}

#[tokio::test]
async fn the_audit_export_holds_every_entry_past_the_old_five_thousand_cap() {
    use super::{audit, csv_export};
    let s = state().await;
    let olga = accounts::create_operator(&s, "olga@signet.test", "Olga", "operator passphrase").await.unwrap();
    let actor = operator_actor(&olga);
    const ENTRIES: usize = 5_001;
    for n in 0..ENTRIES {
        audit::record(&s, &actor, None, "test.entry", &format!("entry {n}"), "").await.unwrap();
    }
    let filter = crate::model::AuditFilter { action: "test.entry".into(), ..Default::default() };
    let csv = csv_export::collect(&s, &audit::export(&s, None, &filter).await.unwrap()).await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "time (UTC),user,issuer,action,target,detail,address");
    assert_eq!(lines.len(), 1 + ENTRIES, "a header and every entry");
    // Each entry once, none twice at a chunk border.
    let targets: std::collections::HashSet<&str> = lines[1..].iter().map(|l| l.split(',').nth(4).unwrap()).collect();
    assert_eq!(targets.len(), ENTRIES);
}
