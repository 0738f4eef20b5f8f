//! Invitation links for a CSR against a real in-memory SurrealDB with a settable clock.

use super::invitations::{self, CLOSED, USED};
use super::order_tests::{csr, dcv_link, input, scope, world, World};
use super::orders;
use super::AppState;
use crate::error::AppError;
use crate::model::*;
use chrono::Duration;

/// A draft of shop.example.com (no CSR yet), validated by e-mail.
async fn draft(w: &World) -> OrderView {
    let view =
        orders::create(&w.s, &w.admin, input(w, "shop.example.com", String::new(), DcvMethod::Email)).await.unwrap();
    assert_eq!(view.status, OrderStatus::Draft);
    view
}

/// The token of the last invitation e-mailed to `to`.
async fn invitation_link(s: &AppState, to: &str) -> String {
    let mail = s.store().list_mail(None, 200).await.unwrap();
    let body = &mail.iter().find(|m| m.to == to && m.body.contains(INVITATION_PATH)).expect("invitation mail").body;
    let at = body.find(INVITATION_PATH).unwrap() + INVITATION_PATH.len();
    body[at..].split_whitespace().next().unwrap().to_string()
}

#[tokio::test]
async fn the_invited_person_hands_in_the_csr_once_and_the_order_moves_on() {
    let w = world().await;
    let order = draft(&w).await;
    assert!(order.actions.invite);
    assert_eq!(order.key_types, vec![KeyType::P256, KeyType::Rsa]);
    assert!(order.invitations.is_empty());

    let view = invitations::invite(&w.s, &w.admin, &order.id, " IT@Shop.Example.com ", "Ivo IT").await.unwrap();
    assert_eq!(view.invitations.len(), 1);
    let sent = &view.invitations[0];
    assert_eq!((sent.email.as_str(), sent.name.as_str()), ("it@shop.example.com", "Ivo IT"));
    assert_eq!(sent.state, InvitationState::Open);
    assert_eq!(sent.expires_at - sent.created_at, Duration::days(7));
    assert!(view
        .events
        .iter()
        .any(|e| e.kind == "csr.invite" && e.detail == "CSR invitation sent to it@shop.example.com"));
    let audit = w.s.store().list_audit(crate::store::AuditQuery { limit: 50, ..Default::default() }).await.unwrap();
    assert!(audit.iter().any(|a| a.action == "order.invite_csr" && a.target == order.number));

    // The e-mail: who asks, for whom and what, the link, once and 7 days, the key stays in the browser.
    let mail = w.s.store().list_mail(None, 200).await.unwrap();
    let message = mail.iter().find(|m| m.to == "it@shop.example.com").unwrap();
    for expected in [
        "ana@smib.test",
        "Shop d.o.o.",
        "shop.example.com",
        &order.number,
        "https://signet.test/csr-invite/",
        "works once",
        "7 days",
        "never leaves",
    ] {
        assert!(message.body.contains(expected), "{expected:?} missing in:\n{}", message.body);
    }
    let token = invitation_link(&w.s, "it@shop.example.com").await;
    assert_eq!(token.len(), 43);
    // Only a hash of the token is stored.
    let stored = w.s.store().csr_invitation_hashes_for_tests().await;
    assert_eq!(stored, vec![super::secrets::token_hash(&token)]);

    let shown = invitations::invitation(&w.s, &token).await.unwrap();
    assert_eq!(shown.state, InvitationState::Open);
    assert_eq!(shown.order_number, order.number);
    assert_eq!(shown.organisation.name, "Shop d.o.o.");
    assert_eq!(shown.organisation.city, "Split");
    assert_eq!(shown.names, vec!["shop.example.com"]);
    assert_eq!(shown.key_types, vec![KeyType::P256, KeyType::Rsa]);
    assert_eq!(shown.product_name, "TLS DV");
    assert_eq!(shown.profile, Profile::ServerDv);
    assert_eq!(shown.invited_name, "Ivo IT");
    assert_eq!(shown.invited_by, "ana@smib.test");

    // A CSR that fails the checks comes back in the report; nothing is lost, the link stays open.
    let report = invitations::submit_invited_csr(&w.s, &token, &csr(&["evil.example.com"])).await.unwrap();
    assert!(!report.accepted);
    assert!(report.failures().join(" ").contains("evil.example.com"), "{:?}", report.failures());
    let report = invitations::submit_invited_csr(&w.s, &token, "-----BEGIN PRIVATE KEY-----").await.unwrap();
    assert!(!report.accepted);
    assert_eq!(invitations::invitation(&w.s, &token).await.unwrap().state, InvitationState::Open);
    assert_eq!(orders::view(&w.s, &w.admin, &order.id).await.unwrap().status, OrderStatus::Draft);

    // A good one is attached and the order continues as if it had been given at ordering.
    let report = invitations::submit_invited_csr(&w.s, &token, &csr(&["shop.example.com"])).await.unwrap();
    assert!(report.accepted, "{:?}", report.failures());
    let view = orders::view(&w.s, &w.admin, &order.id).await.unwrap();
    assert_eq!(view.status, OrderStatus::AwaitingValidation);
    assert!(view.csr_pem.is_some() && view.csr_report.as_ref().is_some_and(|r| r.accepted));
    assert!(!view.actions.invite && !view.actions.submit_csr);
    assert_eq!(view.invitations[0].state, InvitationState::Used);
    assert!(view.invitations[0].used_at.is_some());
    let event = view.events.iter().find(|e| e.kind == "csr").expect("a csr event");
    assert_eq!(event.actor, "it@shop.example.com");
    assert!(event.detail.contains("submitted through the invitation link by it@shop.example.com"), "{event:?}");
    // The sender hears of it.
    let mail = w.s.store().list_mail(None, 200).await.unwrap();
    assert!(mail.iter().any(|m| m.to == "ana@smib.test" && m.subject.contains(&order.number)));

    // The link works once.
    assert_eq!(invitations::invitation(&w.s, &token).await.unwrap().state, InvitationState::Used);
    let again = invitations::submit_invited_csr(&w.s, &token, &csr(&["shop.example.com"])).await.unwrap_err();
    assert_eq!(again, AppError::Refused(USED.into()));

    // The order goes on to issuance like any other.
    let dcv = dcv_link(&w.s, "admin@shop.example.com").await;
    orders::confirm_email_dcv(&w.s, &dcv).await.unwrap();
    let view = orders::view(&w.s, &w.admin, &order.id).await.unwrap();
    assert_eq!(view.status, OrderStatus::Issued, "{:?}", view.failure);
}

#[tokio::test]
async fn expired_and_closed_links_refuse_with_a_clear_message() {
    let w = world().await;
    let order = draft(&w).await;
    invitations::invite(&w.s, &w.admin, &order.id, "it@shop.example.com", "Ivo").await.unwrap();
    let first = invitation_link(&w.s, "it@shop.example.com").await;
    w.s.clock().advance(Duration::days(7) + Duration::minutes(1));
    assert_eq!(invitations::invitation(&w.s, &first).await.unwrap().state, InvitationState::Expired);
    let err = invitations::submit_invited_csr(&w.s, &first, &csr(&["shop.example.com"])).await.unwrap_err();
    assert_eq!(err, AppError::Refused("This invitation link has expired; ask ana@smib.test for a new one.".into()));
    let view = orders::view(&w.s, &w.admin, &order.id).await.unwrap();
    assert_eq!(view.status, OrderStatus::Draft);
    assert_eq!(view.invitations[0].state, InvitationState::Expired);

    // A new link works; once the CSR comes another way, the link is closed.
    invitations::invite(&w.s, &w.admin, &order.id, "it@shop.example.com", "Ivo").await.unwrap();
    let second = invitation_link(&w.s, "it@shop.example.com").await;
    assert_ne!(first, second);
    assert_eq!(invitations::invitation(&w.s, &second).await.unwrap().state, InvitationState::Open);
    orders::submit_csr(&w.s, &w.admin, &order.id, &csr(&["shop.example.com"])).await.unwrap();
    assert_eq!(invitations::invitation(&w.s, &second).await.unwrap().state, InvitationState::Closed);
    let err = invitations::submit_invited_csr(&w.s, &second, &csr(&["shop.example.com"])).await.unwrap_err();
    assert_eq!(err, AppError::Refused(CLOSED.into()));
    // And an order that has its CSR takes no invitation.
    let err = invitations::invite(&w.s, &w.admin, &order.id, "other@shop.example.com", "O").await.unwrap_err();
    assert!(matches!(err, AppError::Conflict(_)), "{err:?}");

    // A cancelled draft closes its links too.
    let other = draft(&w).await;
    invitations::invite(&w.s, &w.admin, &other.id, "it2@shop.example.com", "Ivo").await.unwrap();
    let third = invitation_link(&w.s, "it2@shop.example.com").await;
    orders::cancel(&w.s, &w.admin, &other.id, "Not needed").await.unwrap();
    assert_eq!(invitations::invitation(&w.s, &third).await.unwrap().state, InvitationState::Closed);
}

#[tokio::test]
async fn only_people_who_may_hand_in_the_csr_can_invite() {
    let w = world().await;
    let order = draft(&w).await;
    let stranger = scope(&w.other_issuer, "bo@other.test", true, None);
    let err = invitations::invite(&w.s, &stranger, &order.id, "x@evil.example.com", "X").await.unwrap_err();
    assert_eq!(err, AppError::NotFound);
    let staff = super::Actor { user_id: None, email: "ana@smib.test".into(), ip: "127.0.0.1".into() };
    let other_client = super::clients::create(
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
    let outsider = scope(&w.issuer, "c@o.example.com", false, Some(&other_client.id));
    let err = invitations::invite(&w.s, &outsider, &order.id, "x@evil.example.com", "X").await.unwrap_err();
    assert_eq!(err, AppError::NotFound);
    assert!(w.s.store().list_mail(None, 200).await.unwrap().iter().all(|m| m.to != "x@evil.example.com"));

    // The client's own customer may, with a real address and a name.
    let customer = scope(&w.issuer, "iva@shop.example.com", false, Some(&w.client));
    let err = invitations::invite(&w.s, &customer, &order.id, "not an address", "").await.unwrap_err();
    assert!(err.for_field("email").is_some() && err.for_field("name").is_some(), "{err:?}");
    let view = invitations::invite(&w.s, &customer, &order.id, "it@shop.example.com", "Ivo").await.unwrap();
    assert_eq!(view.invitations.len(), 1);
    assert_eq!(view.invitations[0].invited_by, "iva@shop.example.com");
    // The same address again within 10 minutes is refused; the tracking page lists no invitations.
    let err = invitations::invite(&w.s, &customer, &order.id, "it@shop.example.com", "Ivo").await.unwrap_err();
    assert!(err.to_string().contains("less than 10 minutes ago"), "{err}");
    let token = order.tracking_path.unwrap().trim_start_matches("/track/").to_string();
    assert!(orders::track(&w.s, &token).await.unwrap().invitations.is_empty());

    // Unknown links are not found.
    assert_eq!(invitations::invitation(&w.s, "not-a-real-invitation-token").await.unwrap_err(), AppError::NotFound);
    assert_eq!(invitations::invitation(&w.s, "").await.unwrap_err(), AppError::NotFound);
    let err = invitations::submit_invited_csr(&w.s, "not-a-real-invitation-token", &csr(&["shop.example.com"]))
        .await
        .unwrap_err();
    assert_eq!(err, AppError::NotFound);
}

#[tokio::test]
async fn of_two_concurrent_submissions_through_one_link_one_wins() {
    let w = world().await;
    let order = draft(&w).await;
    invitations::invite(&w.s, &w.admin, &order.id, "it@shop.example.com", "Ivo").await.unwrap();
    let token = invitation_link(&w.s, "it@shop.example.com").await;
    let (a, b) = (csr(&["shop.example.com"]), csr(&["shop.example.com"]));
    let (one, two) = tokio::join!(
        invitations::submit_invited_csr(&w.s, &token, &a),
        invitations::submit_invited_csr(&w.s, &token, &b)
    );
    let accepted = [&one, &two].into_iter().filter(|r| matches!(r, Ok(report) if report.accepted)).count();
    assert_eq!(accepted, 1, "{one:?} {two:?}");
    let refused = [&one, &two].into_iter().filter(|r| matches!(r, Err(AppError::Refused(m)) if m == USED)).count();
    assert_eq!(refused, 1, "{one:?} {two:?}");
    let view = orders::view(&w.s, &w.admin, &order.id).await.unwrap();
    assert_eq!(view.events.iter().filter(|e| e.kind == "csr").count(), 1);
    assert_eq!(view.status, OrderStatus::AwaitingValidation);
}

#[tokio::test]
async fn a_link_that_lapses_while_the_csr_is_checked_changes_nothing() {
    let w = world().await;
    let order = draft(&w).await;
    invitations::invite(&w.s, &w.admin, &order.id, "it@shop.example.com", "Ivo").await.unwrap();
    let order_id = crate::store::OrderId::new(&order.id);
    let row = w.s.store().csr_invitations_of_order(&order_id).await.unwrap().remove(0);
    w.s.clock().advance(Duration::days(8));
    let attachment = crate::store::CsrAttachment {
        csr_pem: csr(&["shop.example.com"]),
        csr_report: None,
        key_fingerprint: "f".into(),
        status: OrderStatus::AwaitingValidation.as_str().into(),
        actor: "it@shop.example.com".into(),
        detail: "x".into(),
        now: w.s.now(),
    };
    let outcome = w.s.store().attach_csr(&order_id, attachment, Some(&row.id), None).await.unwrap();
    assert_eq!(outcome, crate::store::Attached::InvitationGone);
    let view = orders::view(&w.s, &w.admin, &order.id).await.unwrap();
    assert_eq!(view.status, OrderStatus::Draft);
    assert!(view.csr_pem.is_none());
    assert!(view.events.iter().all(|e| e.kind != "csr"));
}
