//! Validation of an order's names as the validation authority runs it: which method may prove a target, the
//! HTTP and DNS checks of pending names (on demand and in the background), and e-mail validation (the approval
//! link, its page, its confirmation). It records what it proves and never decides issuance: the orders'
//! `lifecycle` does that when a caller tells it something changed.

use super::super::products::product_of;
use super::super::{mail, secrets, AppState};
use crate::error::{AppError, AppResult};
use crate::model::*;
use crate::store::{ClientId, OrderId, OrderRow, OrderScope};
use chrono::Duration;

/// How long an e-mailed approval link works.
const EMAIL_LINK_HOURS: i64 = 24;

/// Checks a method for a target and works out the e-mail address.
pub(in crate::services) fn dcv_choice(
    profile: Profile,
    names: &[String],
    target: &str,
    method: DcvMethod,
    mailbox: &str,
) -> AppResult<Option<String>> {
    if !profile.is_server() {
        return if method == DcvMethod::Email {
            Ok(Some(target.to_string()))
        } else {
            Err(AppError::field("dcv", "An e-mail address is validated by e-mail."))
        };
    }
    match method {
        DcvMethod::Http if wildcard_at(names, target) => Err(AppError::field(
            "dcv",
            format!("*.{target} is a wildcard: validate it by DNS or e-mail (BR 3.2.2.4.18 excludes HTTP)."),
        )),
        DcvMethod::Email => {
            let local = if mailbox.trim().is_empty() { "admin" } else { mailbox.trim() };
            if !DCV_MAILBOXES.contains(&local) {
                return Err(AppError::field("dcv", format!("Choose one of {}@{target}.", DCV_MAILBOXES.join("@, "))));
            }
            Ok(Some(format!("{local}@{target}")))
        }
        _ => Ok(None),
    }
}

/// Sends the approval link for every e-mail validation of the order that has none running (or for `only`).
pub(in crate::services) async fn send_email_validations(
    state: &AppState,
    order: &OrderId,
    number: &str,
    organisation: &str,
    only: Option<&str>,
) -> AppResult<()> {
    let now = state.now();
    for d in state.store().dcvs_of_order(order).await? {
        if d.method != DcvMethod::Email || d.status == DcvStatus::Valid || only.is_some_and(|o| o != d.name) {
            continue;
        }
        let Some(to) = d.email_to.clone() else { continue };
        let token = secrets::random_token();
        let expires = now + Duration::hours(EMAIL_LINK_HOURS);
        state.store().set_dcv_email_token(&d.id, &secrets::token_hash(&token), expires).await?;
        let link = format!("{}/dcv/{token}", state.settings().public_url);
        let text = mail::texts::email_validation(organisation, number, &d.name, EMAIL_LINK_HOURS, &link);
        mail::send(state, &to, &text.subject, &text.body, None).await?;
        state
            .store()
            .add_order_event(order, now, "Signet", "dcv.email", &format!("approval link sent to {to}"))
            .await?;
    }
    Ok(())
}

/// Changes how one name of an open order is validated; an e-mail choice sends the approval link at once.
pub(in crate::services) async fn change_method(
    state: &AppState,
    order: &OrderRow,
    actor: &str,
    choice: &DcvChoice,
) -> AppResult<()> {
    let product = state.store().product(&order.product).await?.map(product_of).ok_or(AppError::Internal)?;
    let dcvs = state.store().dcvs_of_order(&order.id).await?;
    let d = dcvs.iter().find(|d| d.name == choice.name).ok_or(AppError::NotFound)?;
    if d.status == DcvStatus::Valid {
        return Err(AppError::Conflict(format!("{} is validated already.", d.name)));
    }
    let email_to = dcv_choice(product.profile, &order.names, &d.name, choice.method, &choice.mailbox)?;
    let sent_at = d.email_expires_at.map(|e| e - Duration::hours(EMAIL_LINK_HOURS));
    if choice.method == DcvMethod::Email && sent_at.is_some_and(|t| state.now() - t < Duration::minutes(10)) {
        return Err(AppError::Conflict(format!(
            "An approval e-mail for {} went out less than 10 minutes ago; wait a little before sending another.",
            d.name
        )));
    }
    state.store().set_dcv_method(&d.id, choice.method.as_str(), email_to.clone()).await?;
    let detail = match &email_to {
        Some(to) => format!("{}: {} to {to}", d.name, choice.method.label()),
        None => format!("{}: {}", d.name, choice.method.label()),
    };
    state.store().add_order_event(&order.id, state.now(), actor, "dcv.method", &detail).await?;
    if choice.method == DcvMethod::Email {
        send_email_validations(state, &order.id, &order.number, &order.client_name, Some(&d.name)).await?;
    }
    Ok(())
}

/// Runs the HTTP and DNS checks of the order's pending names and records each outcome.
pub(in crate::services) async fn run_checks(state: &AppState, order: &OrderRow) -> AppResult<()> {
    for d in state.store().dcvs_of_order(&order.id).await? {
        if d.status == DcvStatus::Valid || d.method == DcvMethod::Email {
            continue;
        }
        let method = d.method;
        let outcome = super::check(state, method, &d.name, &d.file, &d.token).await;
        let ok = outcome.is_ok();
        state.store().record_dcv_check(&d.id, state.now(), outcome).await?;
        if ok {
            state
                .store()
                .add_order_event(
                    &order.id,
                    state.now(),
                    "Signet",
                    "dcv.valid",
                    &format!("{} by {}", d.name, method.label()),
                )
                .await?;
        }
    }
    Ok(())
}

/// The orders with pending HTTP or DNS validations, each once, for the background re-check; the scope reads
/// each order as its issuer and client may.
pub(in crate::services) async fn orders_to_recheck(state: &AppState) -> AppResult<Vec<(OrderScope, String)>> {
    let pending = state.store().pending_dcvs(50).await?;
    let mut seen: Vec<OrderId> = Vec::new();
    let mut out = Vec::new();
    for (order, issuer, client) in pending {
        if seen.contains(&order) {
            continue;
        }
        seen.push(order.clone());
        out.push((OrderScope { issuer, client: Some(ClientId::new(client)) }, order.key().to_string()));
    }
    Ok(out)
}

/// What the e-mailed validation link is about (the page shows it before the recipient confirms).
pub async fn email_dcv_info(state: &AppState, token: &str) -> AppResult<EmailDcvInfo> {
    let d = state.store().dcv_by_email_token(&secrets::token_hash(token)).await?.ok_or(AppError::NotFound)?;
    let order = state.store().order_by_id_any(&d.cert_order).await?.ok_or(AppError::NotFound)?;
    let state_label = if d.status == DcvStatus::Valid {
        "valid"
    } else if d.email_expires_at.is_none_or(|e| e <= state.now()) || !order.status.open() {
        "expired"
    } else {
        "pending"
    };
    Ok(EmailDcvInfo {
        domain: d.name,
        order_number: order.number,
        organisation: order.client_name,
        names: order.names,
        sent_to: d.email_to.unwrap_or_default(),
        state: state_label.into(),
    })
}

/// What confirming an e-mailed link did.
pub(in crate::services) enum Confirmation {
    /// The name is validated now; whether its order issues is for the caller to ask.
    Validated(OrderRow),
    /// Nothing to confirm (validated already, expired, or the order closed): the link's page as it is.
    Unchanged(EmailDcvInfo),
}

/// The recipient confirms: the name is validated.
pub(in crate::services) async fn confirm_email(state: &AppState, token: &str) -> AppResult<Confirmation> {
    let info = email_dcv_info(state, token).await?;
    if info.state != "pending" {
        return Ok(Confirmation::Unchanged(info));
    }
    let d = state.store().dcv_by_email_token(&secrets::token_hash(token)).await?.ok_or(AppError::NotFound)?;
    state.store().record_dcv_check(&d.id, state.now(), Ok(())).await?;
    let order = state.store().order_by_id_any(&d.cert_order).await?.ok_or(AppError::NotFound)?;
    state
        .store()
        .add_order_event(&order.id, state.now(), &info.sent_to, "dcv.valid", &format!("{} by e-mail", info.domain))
        .await?;
    Ok(Confirmation::Validated(order))
}
