//! Sign-in, sessions, lockout, password changes and resets, invitations.

use super::mail::{self, texts};
use super::{audit, secrets, Actor, AppState};
use crate::error::{AppError, AppResult, Checks};
use crate::model::{validate, InvitationInfo, IssuerChoice, Role, Viewer};
use crate::store::{is_duplicate, ClientId, IssuerId, SessionId, SessionRow, UserId, UserRow};
use chrono::Duration;

pub const MAX_FAILED_LOGINS: i64 = 5;
pub const LOCK_MINUTES: i64 = 15;
pub const RESET_LINK_HOURS: i64 = 1;
/// Reset links e-mailed to one address in an hour, at most.
pub const MAX_RESETS_PER_HOUR: usize = 3;
pub const INVITE_LINK_DAYS: i64 = 7;

/// The same words for an unknown e-mail and a wrong password.
pub const BAD_CREDENTIALS: &str = "The e-mail and password do not match. Please try again.";
/// Shown for any e-mail with too many failures, whether or not an account exists.
pub const LOCKED: &str = "Too many failed sign-ins with this e-mail: sign-in is locked for 15 minutes. \
     You can reset your password, or ask your issuer admin to unlock the account.";

/// A resolved, live session.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: SessionId,
    pub user: UserRow,
    pub issuer: Option<IssuerId>,
}

/// Creates an account with a password, e.g. the operator at first run or from the command line.
pub async fn create_operator(state: &AppState, email: &str, name: &str, password: &str) -> AppResult<UserRow> {
    let email = validate::normalize_email(email);
    Checks::new()
        .check("email", validate::email(&email))
        .check("name", validate::required(name, "name", 200))
        .check("password", validate::password(password))
        .finish()?;
    let hash = secrets::hash_password(password);
    let user = state.store().create_user(&email, name.trim(), Some(hash), true, state.now()).await.map_err(|e| {
        if is_duplicate(&e) {
            AppError::field("email", "An account with this e-mail already exists.")
        } else {
            AppError::from(e)
        }
    })?;
    let actor = Actor { user_id: Some(user.id.clone()), email: user.email.clone(), ip: "local".into() };
    audit::record(state, &actor, None, "operator.create", &user.email, "operator account created").await?;
    Ok(user)
}

/// Whether a first-run setup link is (still) valid: the printed token, and no operator yet.
pub async fn setup_link_valid(state: &AppState, token: &str) -> AppResult<bool> {
    Ok(state.setup_token_matches(token) && state.store().count_operators().await? == 0)
}

/// First-run setup through the printed link.
pub async fn setup_operator(
    state: &AppState,
    token: &str,
    email: &str,
    name: &str,
    password: &str,
    confirm: &str,
) -> AppResult<()> {
    if !state.setup_token_matches(token) || state.store().count_operators().await? > 0 {
        return Err(AppError::Refused(
            "This setup link is not valid any more. An operator exists already, or Signet was restarted and \
             printed a new link."
                .into(),
        ));
    }
    Checks::new().check("confirm", validate::password_confirmation(password, confirm)).finish()?;
    create_operator(state, email, name, password).await?;
    state.clear_setup_token();
    Ok(())
}

/// Checks the credentials and opens a new session. Returns the session token for the cookie.
pub async fn login(state: &AppState, email: &str, password: &str, ip: &str, user_agent: &str) -> AppResult<String> {
    let email = validate::normalize_email(email);
    if email.is_empty() || password.is_empty() {
        return Err(AppError::Refused("Enter your e-mail and password.".into()));
    }
    let now = state.now();
    let store = state.store();
    let guard = store.login_guard(&email).await?;
    let active_lock = guard.as_ref().and_then(|g| g.locked_until).filter(|until| *until > now);
    if active_lock.is_some() {
        secrets::burn_password_check(password);
        return Err(AppError::Refused(LOCKED.into()));
    }
    let user = store.user_by_email(&email).await?;
    let ok = match user.as_ref().and_then(|u| u.password_hash.as_deref()) {
        Some(hash) => secrets::verify_password(password, hash),
        None => {
            secrets::burn_password_check(password);
            false
        }
    };

    if !ok {
        // Audited for unknown addresses too (for the operator), so that a failure takes the same work either way.
        let actor = Actor { user_id: user.as_ref().map(|u| u.id.clone()), email: email.clone(), ip: ip.to_string() };
        let issuers = match &user {
            Some(user) => store.memberships_of_user(&user.id).await?.into_iter().map(|m| m.issuer).collect(),
            None => Vec::new(),
        };
        audit_sign_in(state, &actor, &issuers, "auth.failed", "wrong password").await?;
        // Counted in the database, not from the count read above: parallel attempts each count.
        let failures =
            store.record_login_failure(&email, MAX_FAILED_LOGINS, now + Duration::minutes(LOCK_MINUTES), now).await?;
        let locks = failures >= MAX_FAILED_LOGINS;
        // The attempt that locked it tells the owner; the ones racing it do not mail again.
        if let (true, Some(user)) = (failures == MAX_FAILED_LOGINS, &user) {
            let actor = Actor { user_id: Some(user.id.clone()), email: user.email.clone(), ip: ip.to_string() };
            audit::record(state, &actor, None, "auth.locked", &user.email, "locked after 5 failed sign-ins").await?;
            let text = texts::account_locked(&user.name, failures, LOCK_MINUTES, ip, &state.settings().public_url);
            mail::send(state, &user.email, &text.subject, &text.body, None).await?;
        }
        return Err(AppError::Refused(if locks { LOCKED.into() } else { BAD_CREDENTIALS.into() }));
    }

    let user = user.ok_or(AppError::Internal)?;
    if guard.is_some() {
        store.clear_login_guard(&email).await?;
    }
    let issuers: Vec<IssuerId> = store.memberships_of_user(&user.id).await?.into_iter().map(|m| m.issuer).collect();
    let token = secrets::random_token();
    store.create_session(&secrets::token_hash(&token), &user.id, issuers.first(), now, ip, user_agent).await?;
    let actor = Actor { user_id: Some(user.id.clone()), email: user.email.clone(), ip: ip.to_string() };
    audit_sign_in(state, &actor, &issuers, "auth.login", "signed in").await?;
    Ok(token)
}

/// A sign-in or a failed one goes to the audit log of every issuer the person belongs to, so that its admins
/// see their people's sign-ins; a person of no issuer (an operator, an unknown address) to the operator's.
async fn audit_sign_in(
    state: &AppState,
    actor: &Actor,
    issuers: &[IssuerId],
    action: &str,
    what: &str,
) -> AppResult<()> {
    if issuers.is_empty() {
        return audit::record(state, actor, None, action, &actor.email, what).await;
    }
    for issuer in issuers {
        audit::record(state, actor, Some(issuer), action, &actor.email, what).await?;
    }
    Ok(())
}

/// The live session for a cookie token, or `None`. Expired sessions are removed; live ones are touched.
pub async fn resolve_session(state: &AppState, token: &str) -> AppResult<Option<Session>> {
    if token.is_empty() || token.len() > 100 {
        return Ok(None);
    }
    let store = state.store();
    let Some(row) = store.session_by_token(&secrets::token_hash(token)).await? else {
        return Ok(None);
    };
    let now = state.now();
    let settings = state.settings();
    if now - row.last_seen_at > settings.session_idle || now - row.created_at > settings.session_max {
        store.delete_session(&row.id).await?;
        return Ok(None);
    }
    let Some(user) = store.user_by_id(&row.user).await? else {
        store.delete_session(&row.id).await?;
        return Ok(None);
    };
    // Writing on every request is wasteful; a minute's precision is plenty for the idle timeout.
    // Parallel requests of one browser may all try at once; the losers' write conflicts change nothing that
    // matters, so they are not the request's failure.
    if now - row.last_seen_at > Duration::seconds(60) {
        if let Err(e) = store.touch_session(&row.id, now).await {
            tracing::debug!(error = %e, "session last-seen time not updated");
        }
    }
    let SessionRow { id, issuer, .. } = row;
    Ok(Some(Session { id, user, issuer }))
}

/// Ends a session without an audit entry: the browser's previous session when it signs in again.
pub async fn end_session(state: &AppState, session: &Session) -> AppResult<()> {
    Ok(state.store().delete_session(&session.id).await?)
}

/// Removes sessions past their idle or absolute limit (they are refused on use anyway).
pub async fn purge_sessions(state: &AppState) -> AppResult<()> {
    let now = state.now();
    let settings = state.settings();
    Ok(state.store().purge_sessions(now - settings.session_idle, now - settings.session_max).await?)
}

/// The client a customer of `issuer` works for; `None` when they were taken off it meanwhile.
pub async fn customer_client(state: &AppState, session: &Session, issuer: &IssuerId) -> AppResult<Option<ClientId>> {
    Ok(state.store().customer_client(&session.user.id, issuer).await?)
}

pub async fn logout(state: &AppState, session: &Session, ip: &str) -> AppResult<()> {
    state.store().delete_session(&session.id).await?;
    let actor = Actor { user_id: Some(session.user.id.clone()), email: session.user.email.clone(), ip: ip.to_string() };
    audit::record(state, &actor, None, "auth.logout", &session.user.email, "signed out").await
}

/// Everything the app shell shows about the signed-in person. The current issuer falls back to the first
/// membership if the one in the session is gone (membership removed meanwhile).
pub async fn viewer(state: &AppState, session: &Session) -> AppResult<Viewer> {
    let memberships = state.store().memberships_of_user(&session.user.id).await?;
    let issuers: Vec<IssuerChoice> = memberships
        .into_iter()
        .map(|m| IssuerChoice { id: m.issuer.key().to_string(), slug: m.slug, name: m.name, role: m.role })
        .collect();
    let current = session
        .issuer
        .as_ref()
        .and_then(|id| issuers.iter().find(|i| id.is(&i.id)))
        .or_else(|| issuers.first())
        .cloned();
    Ok(Viewer {
        user_id: session.user.key(),
        email: session.user.email.clone(),
        name: session.user.name.clone(),
        operator: session.user.operator,
        issuers,
        current,
    })
}

/// Switches the issuer the session works in; only to an issuer the person belongs to.
pub async fn select_issuer(state: &AppState, session: &Session, issuer: &IssuerId) -> AppResult<()> {
    if state.store().role_in_issuer(&session.user.id, issuer).await?.is_none() {
        return Err(AppError::NotFound);
    }
    state.store().set_session_issuer(&session.id, issuer).await?;
    Ok(())
}

pub async fn change_password(
    state: &AppState,
    session: &Session,
    actor: &Actor,
    current: &str,
    new: &str,
    confirm: &str,
) -> AppResult<()> {
    let hash = session.user.password_hash.as_deref().unwrap_or_default();
    if !secrets::verify_password(current, hash) {
        return Err(AppError::field("current", "Your current password is not correct."));
    }
    Checks::new()
        .check("password", validate::password(new))
        .check("confirm", validate::password_confirmation(new, confirm))
        .finish()?;
    let user = session.user.key();
    state.store().set_password(&UserId::new(&user), &secrets::hash_password(new)).await?;
    // Other devices signed in with the old password are signed out.
    state.store().delete_sessions_of_user(&UserId::new(&user), Some(&session.id)).await?;
    state.store().void_link_tokens(&UserId::new(&user), "reset", state.now()).await?;
    audit::record(state, actor, None, "account.password", &session.user.email, "password changed").await
}

pub async fn update_own_name(state: &AppState, session: &Session, actor: &Actor, name: &str) -> AppResult<()> {
    Checks::new().check("name", validate::required(name, "name", 200)).finish()?;
    state.store().set_user_name(&session.user.id, name.trim()).await?;
    audit::record(state, actor, None, "account.update", &session.user.email, format!("name: {}", name.trim())).await
}

/// Sends a reset link if an account exists. The answer is the same either way.
pub async fn request_password_reset(state: &AppState, email: &str, ip: &str) -> AppResult<()> {
    let email = validate::normalize_email(email);
    Checks::new().check("email", validate::email(&email)).finish()?;
    let Some(user) = state.store().user_by_email(&email).await? else {
        return Ok(());
    };
    let now = state.now();
    // A known address must not be mail-bombed through this form: a few links an hour, then silence (the
    // answer stays the same, so the form does not tell whether the address has an account).
    let recent = state.store().link_tokens_made_since(&user.id, "reset", now - Duration::hours(1)).await?;
    if recent >= MAX_RESETS_PER_HOUR {
        let actor = Actor { user_id: None, email: email.clone(), ip: ip.to_string() };
        let detail = format!("not sent: {MAX_RESETS_PER_HOUR} reset links in the last hour already");
        return audit::record(state, &actor, None, "auth.reset_throttled", &email, detail).await;
    }
    let token = secrets::random_token();
    state.store().void_link_tokens(&user.id, "reset", now).await?;
    state
        .store()
        .create_link_token(
            &secrets::token_hash(&token),
            "reset",
            &user.id,
            None,
            now,
            now + Duration::hours(RESET_LINK_HOURS),
        )
        .await?;
    let text = texts::password_reset(&user.name, ip, &state.settings().public_url, &token);
    mail::send(state, &user.email, &text.subject, &text.body, None).await?;
    let actor = Actor { user_id: None, email: email.clone(), ip: ip.to_string() };
    audit::record(state, &actor, None, "auth.reset_requested", &email, "reset link sent").await
}

/// The message for a link that cannot be used, whatever the reason.
const LINK_INVALID: &str = "This link is not valid any more: it was used already or it has expired. \
     You can ask for a new one.";

/// Sets a new password through a reset link; the link works once and for one hour. Also lifts a lockout.
pub async fn reset_password(state: &AppState, token: &str, new: &str, confirm: &str, ip: &str) -> AppResult<()> {
    Checks::new()
        .check("password", validate::password(new))
        .check("confirm", validate::password_confirmation(new, confirm))
        .finish()?;
    let row = usable_link(state, token, "reset").await?;
    if !state.store().consume_link_token(&row.id, state.now()).await? {
        return Err(AppError::Refused(LINK_INVALID.into()));
    }
    let user = state.store().user_by_id(&row.user).await?.ok_or(AppError::NotFound)?;
    state.store().set_password(&user.id, &secrets::hash_password(new)).await?;
    state.store().clear_login_guard(&user.email).await?;
    state.store().delete_sessions_of_user(&user.id, None).await?;
    let actor = Actor { user_id: Some(user.id.clone()), email: user.email.clone(), ip: ip.to_string() };
    audit::record(state, &actor, None, "auth.reset", &user.email, "password reset by e-mailed link").await
}

async fn usable_link(state: &AppState, token: &str, purpose: &str) -> AppResult<crate::store::LinkTokenRow> {
    let invalid = || AppError::Refused(LINK_INVALID.into());
    if token.is_empty() || token.len() > 100 {
        return Err(invalid());
    }
    let row = state.store().link_token(&secrets::token_hash(token)).await?.ok_or_else(invalid)?;
    if row.purpose != purpose || row.used_at.is_some() || row.expires_at <= state.now() {
        return Err(invalid());
    }
    Ok(row)
}

/// Adds a person to an issuer as staff (admin or user): creates the account if needed and e-mails an invitation.
pub async fn invite(
    state: &AppState,
    actor: &Actor,
    issuer_id: &IssuerId,
    email: &str,
    name: &str,
    role: Role,
) -> AppResult<()> {
    if role == Role::Customer {
        return Err(AppError::field("role", "Customers are invited from their client's page."));
    }
    invite_member(state, actor, issuer_id, email, name, role, None).await
}

/// Adds a person of a client business as a customer of the issuer.
pub async fn invite_customer(
    state: &AppState,
    actor: &Actor,
    issuer_id: &IssuerId,
    client: &str,
    email: &str,
    name: &str,
) -> AppResult<()> {
    let client = ClientId::new(client);
    state.store().client(issuer_id, &client).await?.ok_or(AppError::NotFound)?;
    invite_member(state, actor, issuer_id, email, name, Role::Customer, Some(&client)).await
}

/// The customers of one of the issuer's clients.
pub async fn customers(state: &AppState, issuer_id: &IssuerId, client: &str) -> AppResult<Vec<crate::model::Customer>> {
    state.store().client(issuer_id, &ClientId::new(client)).await?.ok_or(AppError::NotFound)?;
    let members = state.store().customers_of_client(issuer_id, &ClientId::new(client)).await?;
    Ok(members
        .into_iter()
        .map(|m| crate::model::Customer {
            user_id: m.user.key().to_string(),
            email: m.email,
            name: m.name,
            pending: !m.has_password,
        })
        .collect())
}

/// Takes a customer off a client (and so out of the issuer). Only customers of this client can be removed here.
pub async fn remove_customer(
    state: &AppState,
    actor: &Actor,
    issuer_id: &IssuerId,
    client: &str,
    user: &str,
) -> AppResult<()> {
    let customer = state
        .store()
        .customers_of_client(issuer_id, &ClientId::new(client))
        .await?
        .into_iter()
        .find(|m| m.user.is(user))
        .ok_or(AppError::NotFound)?;
    state.store().remove_membership(&UserId::new(user), issuer_id).await?;
    audit::record(state, actor, Some(issuer_id), "customer.remove", &customer.email, format!("client: {client}")).await
}

async fn invite_member(
    state: &AppState,
    actor: &Actor,
    issuer_id: &IssuerId,
    email: &str,
    name: &str,
    role: Role,
    client: Option<&ClientId>,
) -> AppResult<()> {
    let email = validate::normalize_email(email);
    Checks::new()
        .check("email", validate::email(&email))
        .check("name", validate::required(name, "name", 200))
        .finish()?;
    let store = state.store();
    let now = state.now();
    let issuer = store.issuer_by_id(issuer_id).await?.ok_or(AppError::NotFound)?;
    let user = match store.user_by_email(&email).await? {
        Some(u) => u,
        None => store.create_user(&email, name.trim(), None, false, now).await?,
    };
    if store.role_in_issuer(&user.id, issuer_id).await?.is_some() {
        return Err(AppError::field("email", "This person is already a member of this issuer."));
    }
    store.add_membership(&user.id, issuer_id, role, client, now).await.map_err(|e| {
        if is_duplicate(&e) {
            AppError::field("email", "This person is already a member of this issuer.")
        } else {
            AppError::from(e)
        }
    })?;
    let token = if user.password_hash.is_some() {
        None
    } else {
        let token = secrets::random_token();
        store
            .create_link_token(
                &secrets::token_hash(&token),
                "invite",
                &user.id,
                Some(issuer_id),
                now,
                now + Duration::days(INVITE_LINK_DAYS),
            )
            .await?;
        Some(token)
    };
    // Someone with an account already is greeted by the name they chose; a new person by the name given here.
    let greeting = if token.is_some() { name.trim() } else { user.name.as_str() };
    let text = texts::member_invitation(
        greeting,
        &actor.email,
        &IssuerId::new(&issuer.name),
        &role.label().to_lowercase(),
        &state.settings().public_url,
        token.as_deref().map(|t| (t, INVITE_LINK_DAYS)),
    );
    mail::send(state, &email, &text.subject, &text.body, Some(issuer_id)).await?;
    let detail = match client {
        Some(c) => format!("role: {}, client: {c}", role.as_str()),
        None => format!("role: {}", role.as_str()),
    };
    audit::record(state, actor, Some(issuer_id), "member.invite", &email, detail).await
}

/// What an invitation link is for, so that the page can greet the person.
pub async fn invitation_info(state: &AppState, token: &str) -> AppResult<InvitationInfo> {
    let row = usable_link(state, token, "invite").await?;
    let user = state.store().user_by_id(&row.user).await?.ok_or(AppError::NotFound)?;
    let issuer_name = match &row.issuer {
        Some(i) => state.store().issuer_by_id(&i).await?.map(|i| i.name),
        None => None,
    };
    Ok(InvitationInfo { email: user.email, name: user.name, issuer_name, has_password: user.password_hash.is_some() })
}

/// Accepts an invitation: the person chooses their name and password. The link works once.
pub async fn accept_invitation(
    state: &AppState,
    token: &str,
    name: &str,
    password: &str,
    confirm: &str,
    ip: &str,
) -> AppResult<()> {
    Checks::new()
        .check("name", validate::required(name, "name", 200))
        .check("password", validate::password(password))
        .check("confirm", validate::password_confirmation(password, confirm))
        .finish()?;
    let row = usable_link(state, token, "invite").await?;
    let user = state.store().user_by_id(&row.user).await?.ok_or(AppError::NotFound)?;
    if user.password_hash.is_some() {
        return Err(AppError::Refused("This account has a password already: sign in instead.".into()));
    }
    if !state.store().consume_link_token(&row.id, state.now()).await? {
        return Err(AppError::Refused(LINK_INVALID.into()));
    }
    state.store().set_user_name(&user.id, name.trim()).await?;
    state.store().set_password(&user.id, &secrets::hash_password(password)).await?;
    let actor = Actor { user_id: Some(user.id.clone()), email: user.email.clone(), ip: ip.to_string() };
    audit::record(state, &actor, row.issuer.as_ref(), "member.accept", &user.email, "invitation accepted").await
}
