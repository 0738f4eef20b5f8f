//! Invitation links for a CSR. Whoever may hand in an order's CSR may instead e-mail a single-use link that
//! expires in a week to somebody else (the administrator of the server, say); that person, without an account,
//! sees what is being ordered, generates the key and the CSR in their browser, and hands the CSR in. The CSR
//! gets exactly the checks of one given on the order page, and the order continues the same way.
//!
//! Invitations hand the CSR to `orders`; orders list an order's invitations from the rows alone (the state of a
//! link is `InvitationState::of`), so the dependency goes one way.

use super::orders::{self, CsrOutcome, CsrSubmitter, Scope};
use super::products::product_of;
use super::{audit, mail, secrets, AppState};
use crate::error::{AppError, AppResult, Checks};
use crate::model::*;
use crate::store::{CsrInvitationRow, NewCsrInvitation, OrderRow};
use chrono::{DateTime, Duration, Utc};

/// One invitation to the same address per order in this many minutes (a mistyped click sends no flood).
const RESEND_MINUTES: i64 = 10;
/// At most this many invitations for one order in 24 hours.
const MAX_PER_DAY: usize = 5;

pub const USED: &str = "This invitation link has already been used.";
pub const CLOSED: &str = "This order no longer needs a CSR.";

/// Sends an invitation link for the CSR of a draft order. Authorised like handing in the CSR oneself.
pub async fn invite(state: &AppState, scope: &Scope, order_id: &str, email: &str, name: &str) -> AppResult<OrderView> {
    let order = orders::load(state, &scope.store_scope(), order_id).await?;
    orders::refuse_if_acme(&order, "makes the key and hands in the CSR itself")?;
    if order.status != OrderStatus::Draft {
        return Err(AppError::Conflict(
            "This order has its CSR already: an invitation link is for an order that waits for its CSR.".into(),
        ));
    }
    let email = validate::normalize_email(email);
    let name = name.trim();
    Checks::new()
        .check("email", validate::email(&email))
        .check("name", validate::required(name, "name", 200))
        .finish()?;
    let now = state.now();
    let earlier = state.store().csr_invitations_of_order(&order.id).await?;
    if earlier.iter().any(|i| i.email == email && now - i.created_at < Duration::minutes(RESEND_MINUTES)) {
        return Err(AppError::Conflict(format!(
            "An invitation to {email} went out less than {RESEND_MINUTES} minutes ago; wait a little before sending \
             another."
        )));
    }
    if earlier.iter().filter(|i| now - i.created_at < Duration::days(1)).count() >= MAX_PER_DAY {
        return Err(AppError::Conflict(format!(
            "This order had {MAX_PER_DAY} invitations in the last 24 hours; wait before sending another."
        )));
    }

    let sender_name = match &scope.user_id {
        Some(user) => state.store().user_by_id(user).await?.map(|u| u.name.trim().to_string()),
        None => None,
    }
    .filter(|n| !n.is_empty())
    .unwrap_or_else(|| scope.actor.email.clone());
    let sender = sender_line(&sender_name, &scope.actor.email);
    let product = state.store().product(&order.product).await?.map(product_of).ok_or(AppError::Internal)?;
    let token = secrets::random_token();
    let expires = now + Duration::days(INVITATION_DAYS);
    let url = format!("{}{INVITATION_PATH}{token}", state.settings().public_url);
    let text = mail::texts::csr_invitation(&mail::texts::CsrInvitation {
        name,
        sender: &sender,
        sender_name: &sender_name,
        organisation: &order.parties.organisation.name,
        number: &order.number,
        product: &product.name,
        names: &order.names,
        link: &url,
        days: INVITATION_DAYS,
        until: &expires.format("%Y-%m-%d %H:%M").to_string(),
    });
    let issuer = &order.issuer;
    let message = mail::prepare(state, &email, &text.subject, &text.body, Some(issuer));
    let audit =
        audit::entry(state, &scope.actor, Some(issuer), None, "order.invite_csr", &order.number, format!("to {email}"));
    let invitation = NewCsrInvitation {
        cert_order: order.id.clone(),
        issuer: order.issuer.clone(),
        token_hash: secrets::token_hash(&token),
        email: email.clone(),
        name: name.to_string(),
        created_by: scope.user_id.clone(),
        created_by_email: scope.actor.email.clone(),
        created_by_name: sender_name,
        created_at: now,
        expires_at: expires,
    };
    let detail = format!("CSR invitation sent to {email}");
    state.store().create_csr_invitation(invitation, (&scope.actor.email, &detail), audit, message).await?;
    mail::wake(state);
    orders::view(state, scope, order_id).await
}

/// What the recipient of a link sees. Anyone with the link; an unknown link is `NotFound`.
pub async fn invitation(state: &AppState, token: &str) -> AppResult<InvitationView> {
    let (row, order) = find(state, token).await?;
    let product = state.store().product(&order.product).await?.map(product_of).ok_or(AppError::Internal)?;
    Ok(InvitationView {
        state: state_of(&row, order.status, state.now()),
        order_number: order.number,
        organisation: order.parties.organisation,
        product_name: order.product_name,
        profile: product.profile,
        names: order.names,
        key_types: product.key_types,
        invited_name: row.name,
        invited_email: row.email,
        invited_by: row.created_by_name,
        invited_by_email: row.created_by_email,
        expires_at: row.expires_at,
    })
}

/// The recipient hands in the CSR. A CSR that fails a check comes back in the report (`accepted: false`) and
/// the link stays open; an accepted one uses the link up and the order continues.
pub async fn submit_invited_csr(state: &AppState, token: &str, csr_text: &str) -> AppResult<CsrReport> {
    let (row, order) = find(state, token).await?;
    refuse_unless_open(&row, state_of(&row, order.status, state.now()))?;
    let by = CsrSubmitter {
        actor: &row.email,
        how: Some(format!("submitted through the invitation link by {}", row.email)),
        invitation: Some(&row.id),
    };
    match orders::attach_csr(state, &order, csr_text, by).await? {
        CsrOutcome::Attached(report) => {
            tell_sender(state, &row, &order).await?;
            Ok(report)
        }
        CsrOutcome::Rejected(report) => Ok(report),
        CsrOutcome::NotDraft | CsrOutcome::InvitationGone => {
            // Something changed while the CSR was checked: say what it is now.
            let (row, order) = find(state, token).await?;
            refuse_unless_open(&row, state_of(&row, order.status, state.now()))?;
            Err(AppError::Refused(USED.into()))
        }
    }
}

async fn find(state: &AppState, token: &str) -> AppResult<(CsrInvitationRow, OrderRow)> {
    if token.len() < 20 {
        return Err(AppError::NotFound);
    }
    let row = state.store().csr_invitation_by_token(&secrets::token_hash(token)).await?.ok_or(AppError::NotFound)?;
    let order = state.store().order_by_id_any(&row.cert_order).await?.ok_or(AppError::NotFound)?;
    Ok((row, order))
}

/// Where the link stands now.
fn state_of(row: &CsrInvitationRow, order_status: OrderStatus, now: DateTime<Utc>) -> InvitationState {
    InvitationState::of(row.used_at, row.expires_at, order_status, now)
}

fn refuse_unless_open(row: &CsrInvitationRow, state: InvitationState) -> AppResult<()> {
    match state {
        InvitationState::Open => Ok(()),
        InvitationState::Used => Err(AppError::Refused(USED.into())),
        InvitationState::Closed => Err(AppError::Refused(CLOSED.into())),
        InvitationState::Expired => Err(AppError::Refused(format!(
            "This invitation link has expired; ask {} for a new one.",
            sender_line(&row.created_by_name, &row.created_by_email)
        ))),
    }
}

/// "Ana Horvat (ana@example.com)", or just the address when there is no name.
fn sender_line(name: &str, email: &str) -> String {
    if name.is_empty() || name == email {
        email.to_string()
    } else {
        format!("{name} ({email})")
    }
}

/// Lets the person who sent the link know that the CSR is in and the order moved on.
async fn tell_sender(state: &AppState, row: &CsrInvitationRow, order: &OrderRow) -> AppResult<()> {
    let to = &row.created_by_email;
    if validate::email(to).is_some() {
        return Ok(());
    }
    let text = mail::texts::csr_handed_in(
        &row.created_by_name,
        &row.email,
        &order.number,
        order.id.key(),
        &state.settings().public_url,
    );
    mail::send(state, to, &text.subject, &text.body, Some(&order.issuer)).await
}
