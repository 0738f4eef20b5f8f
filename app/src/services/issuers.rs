//! Issuers: creation by the operator, the profile, the logo and the people.

use super::{accounts, audit, Actor, AppState};
use crate::error::{AppError, AppResult, Checks};
use crate::model::{validate, Issuer, IssuerOverview, IssuerProfile, IssuerSummary, Member, OperatorOverview, Role};
use crate::model::{AuditFilter, MailStatus};
use crate::store::{is_duplicate, IssuerId, UserId};

pub const MAX_LOGO_BYTES: usize = 256 * 1024;

/// The operator creates an issuer with its first admin, who gets an invitation e-mail.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    name: &str,
    slug: &str,
    admin_email: &str,
    admin_name: &str,
) -> AppResult<Issuer> {
    let slug = slug.trim().to_lowercase();
    Checks::new()
        .check("name", validate::required(name, "issuer name", 200))
        .check("slug", validate::slug(&slug))
        .check("admin_email", validate::email(admin_email))
        .check("admin_name", validate::required(admin_name, "admin's name", 200))
        .finish()?;
    let issuer = state.store().create_issuer(&slug, name.trim(), state.now()).await.map_err(|e| {
        if is_duplicate(&e) {
            AppError::field("slug", "Another issuer uses this short name already.")
        } else {
            AppError::from(e)
        }
    })?;
    audit::record(state, actor, Some(&IssuerId::new(&issuer.id)), "issuer.create", &slug, name.trim()).await?;
    accounts::invite(state, actor, &IssuerId::new(&issuer.id), admin_email, admin_name, Role::Admin).await?;
    Ok(issuer)
}

pub async fn list(state: &AppState) -> AppResult<Vec<IssuerSummary>> {
    Ok(state
        .store()
        .list_issuers()
        .await?
        .into_iter()
        .map(|r| IssuerSummary {
            id: r.id.key().to_string(),
            slug: r.slug,
            name: r.name,
            members: r.members.max(0) as usize,
            admins: r.admins,
            created_at: r.created_at,
        })
        .collect())
}

pub async fn get(state: &AppState, issuer: &IssuerId) -> AppResult<Issuer> {
    Ok(state.store().issuer_by_id(issuer).await?.ok_or(AppError::NotFound)?)
}

pub async fn update_profile(state: &AppState, actor: &Actor, issuer: &IssuerId, p: IssuerProfile) -> AppResult<Issuer> {
    let p = IssuerProfile {
        slug: p.slug.trim().to_lowercase(),
        verified_host: p.verified_host.trim().trim_end_matches('.').to_lowercase(),
        ..p
    };
    Checks::new()
        .check("name", validate::required(&p.name, "issuer name", 200))
        .check("slug", validate::slug(&p.slug))
        .check("address", validate::optional_text(&p.address, "address", 300))
        .check("city", validate::optional_text(&p.city, "city", 100))
        .check("postal_code", validate::optional_text(&p.postal_code, "postal code", 20))
        .check("country", validate::optional_text(&p.country, "country", 100))
        .check("contact_email", validate::optional_email(&p.contact_email))
        .check("contact_phone", validate::phone(&p.contact_phone))
        .check("website", validate::optional_url(&p.website))
        .check("verified_host", validate::optional_host_name(&p.verified_host))
        .finish()?;
    let store = state.store();
    if let Some(other) = store.issuer_by_slug(&p.slug).await? {
        if !issuer.is(&other.id) {
            return Err(AppError::field("slug", "Another issuer uses this short name already."));
        }
    }
    if !p.verified_host.is_empty() {
        if let Some(problem) = own_host_problem(state, &p.verified_host) {
            return Err(AppError::field("verified_host", problem));
        }
        if let Some(other) = store.issuer_by_verified_host(&p.verified_host).await? {
            if !issuer.is(&other.id) {
                return Err(AppError::field("verified_host", HOST_TAKEN));
            }
        }
    }
    let before = store.issuer_by_id(issuer).await?.ok_or(AppError::NotFound)?;
    store.update_issuer_profile(issuer, &p).await.map_err(|e| {
        // Two unique indexes: the database names the one that refused.
        match is_duplicate(&e) {
            true if e.to_string().contains("issuer_verified_host") => AppError::field("verified_host", HOST_TAKEN),
            true => AppError::field("slug", "Another issuer uses this short name already."),
            false => AppError::from(e),
        }
    })?;
    let after = store.issuer_by_id(issuer).await?.ok_or(AppError::NotFound)?;
    audit::record(state, actor, Some(issuer), "issuer.update", &after.slug, describe_changes(&before, &after)).await?;
    state.invalidate_seal_cache();
    Ok(after)
}

/// Approval mode: orders placed by people without the approval right wait for an admin's approval.
/// The days before expiry the issuer's certificate contacts are reminded ("30, 14, 7, 1"); audited.
pub async fn set_expiry_notice_days(
    state: &AppState,
    actor: &Actor,
    issuer: &IssuerId,
    text: &str,
) -> AppResult<Vec<i64>> {
    let days = crate::model::parse_notice_days(text).map_err(|m| AppError::field("days", m))?;
    state.store().set_expiry_notice_days(issuer, days.clone()).await?;
    let shown = days.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
    audit::record(state, actor, Some(issuer), "issuer.expiry_notices", "", shown).await?;
    Ok(days)
}

pub async fn set_approval_mode(state: &AppState, actor: &Actor, issuer: &IssuerId, on: bool) -> AppResult<()> {
    state.store().set_approval_mode(issuer, on).await?;
    audit::record(state, actor, Some(issuer), "issuer.approval_mode", "", on.to_string()).await
}

const HOST_TAKEN: &str = "Another issuer uses this host name already.";

/// A verified-pages host serves that issuer's verified pages and nothing else, so it must not be a name Signet
/// itself answers to (its public or PKI address: `/pki/*`, `/healthz` and the app would vanish for everyone),
/// nor an IP address (any visitor who types the server's address would get this issuer's pages).
fn own_host_problem(state: &AppState, host: &str) -> Option<String> {
    let settings = state.settings();
    let own = [settings.public_host(), settings.pki_host()];
    if own.iter().any(|h| h.eq_ignore_ascii_case(host)) {
        return Some(format!(
            "{host} is Signet's own address. Choose a host name of your own that points to Signet, like \
             verified.example.org."
        ));
    }
    let last_label = host.rsplit('.').next().unwrap_or("");
    if host.parse::<std::net::IpAddr>().is_ok() || last_label.bytes().all(|b| b.is_ascii_digit()) {
        return Some("Enter a host name, not an IP address, like verified.example.org.".into());
    }
    None
}

fn describe_changes(a: &Issuer, b: &Issuer) -> String {
    let fields: [(&str, &str, &str); 10] = [
        ("name", &a.name, &b.name),
        ("slug", &a.slug, &b.slug),
        ("address", &a.address, &b.address),
        ("city", &a.city, &b.city),
        ("postal code", &a.postal_code, &b.postal_code),
        ("country", &a.country, &b.country),
        ("contact e-mail", &a.contact_email, &b.contact_email),
        ("contact phone", &a.contact_phone, &b.contact_phone),
        ("website", &a.website, &b.website),
        ("verified-pages host", a.verified_host.as_deref().unwrap_or(""), b.verified_host.as_deref().unwrap_or("")),
    ];
    let changed: Vec<String> = fields.iter().filter(|(_, x, y)| x != y).map(|(n, _, y)| format!("{n}: {y}")).collect();
    if changed.is_empty() {
        "no change".into()
    } else {
        changed.join("; ")
    }
}

/// Stores a logo given as a `data:` URL (PNG, JPEG or WebP, at most 256 KB); `None` removes it.
/// SVG is refused: it can carry script.
pub async fn set_logo(state: &AppState, actor: &Actor, issuer: &IssuerId, data_url: Option<&str>) -> AppResult<()> {
    use base64::Engine;
    let logo = match data_url {
        None => None,
        Some(url) => {
            let invalid = || AppError::field("logo", "Choose a PNG, JPEG or WebP image of at most 256 KB.");
            let (head, data) = url.split_once(',').ok_or_else(invalid)?;
            if !head.ends_with(";base64") {
                return Err(invalid());
            }
            let bytes = base64::engine::general_purpose::STANDARD.decode(data.trim()).map_err(|_| invalid())?;
            if bytes.len() > MAX_LOGO_BYTES {
                return Err(invalid());
            }
            let content_type = sniff_image(&bytes).ok_or_else(invalid)?;
            Some((content_type.to_string(), base64::engine::general_purpose::STANDARD.encode(&bytes)))
        }
    };
    let removed = logo.is_none();
    let issuer_row = state.store().issuer_by_id(issuer).await?.ok_or(AppError::NotFound)?;
    state.store().set_issuer_logo(issuer, logo).await?;
    let detail = if removed { "logo removed" } else { "logo uploaded" };
    audit::record(state, actor, Some(issuer), "issuer.logo", &issuer_row.slug, detail).await?;
    state.invalidate_seal_cache();
    Ok(())
}

/// The image type from its first bytes; the declared type is not trusted.
fn sniff_image(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.len() > 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// The logo bytes and content type, for the public logo endpoint.
pub async fn logo(state: &AppState, issuer: &IssuerId) -> AppResult<(String, Vec<u8>)> {
    use base64::Engine;
    let (content_type, data) = state.store().issuer_logo(issuer).await?.ok_or(AppError::NotFound)?;
    let bytes = base64::engine::general_purpose::STANDARD.decode(data).map_err(|_| AppError::Internal)?;
    Ok((content_type, bytes))
}

pub async fn members(state: &AppState, issuer: &IssuerId) -> AppResult<Vec<Member>> {
    let rows = state.store().members_of_issuer(issuer).await?;
    let emails = rows.iter().map(|r| r.email.clone()).collect();
    let locked = state.store().locked_emails(emails, state.now()).await?;
    Ok(rows
        .into_iter()
        .map(|r| Member {
            user_id: r.user.key().to_string(),
            locked: locked.contains(&r.email),
            email: r.email,
            name: r.name,
            role: r.role,
            pending: !r.has_password,
            since: r.created_at,
        })
        .collect())
}

/// Finds a member of this issuer; anybody else is "not found", whatever exists elsewhere.
async fn member(state: &AppState, issuer: &IssuerId, user: &str) -> AppResult<Member> {
    members(state, issuer).await?.into_iter().find(|m| m.user_id == user).ok_or(AppError::NotFound)
}

pub async fn set_role(state: &AppState, actor: &Actor, issuer: &IssuerId, user: &str, role: Role) -> AppResult<()> {
    let m = member(state, issuer, user).await?;
    if role == Role::Customer {
        return Err(AppError::field("role", "Customers are invited from their client's page."));
    }
    if m.role == Role::Admin && role != Role::Admin && state.store().count_admins(issuer).await? <= 1 {
        return Err(AppError::Conflict("An issuer needs at least one admin: make somebody else admin first.".into()));
    }
    state.store().set_member_role(&UserId::new(user), issuer, role).await?;
    audit::record(state, actor, Some(issuer), "member.role", &m.email, format!("role: {}", role.as_str())).await
}

pub async fn remove_member(state: &AppState, actor: &Actor, issuer: &IssuerId, user: &str) -> AppResult<()> {
    let m = member(state, issuer, user).await?;
    if m.role == Role::Admin && state.store().count_admins(issuer).await? <= 1 {
        return Err(AppError::Conflict("An issuer needs at least one admin: make somebody else admin first.".into()));
    }
    state.store().remove_membership(&UserId::new(user), issuer).await?;
    audit::record(state, actor, Some(issuer), "member.remove", &m.email, "removed from issuer").await
}

/// Lifts a sign-in lockout of a member of this issuer.
pub async fn unlock_member(state: &AppState, actor: &Actor, issuer: &IssuerId, user: &str) -> AppResult<()> {
    let m = member(state, issuer, user).await?;
    state.store().clear_login_guard(&m.email).await?;
    audit::record(state, actor, Some(issuer), "member.unlock", &m.email, "sign-in lock lifted").await
}

pub async fn overview(state: &AppState, issuer: &IssuerId) -> AppResult<IssuerOverview> {
    let issuer_model = get(state, issuer).await?;
    let members = state.store().members_of_issuer(issuer).await?.len();
    let pending = state.store().count_pending_invitations(issuer, state.now()).await?;
    let mut missing = Vec::new();
    for (label, value) in [
        ("address", &issuer_model.address),
        ("city", &issuer_model.city),
        ("country", &issuer_model.country),
        ("contact e-mail", &issuer_model.contact_email),
        ("contact phone", &issuer_model.contact_phone),
    ] {
        if value.trim().is_empty() {
            missing.push(label.to_string());
        }
    }
    if !issuer_model.has_logo {
        missing.push("logo".into());
    }
    let recent = audit::list(state, Some(issuer.clone()), &AuditFilter::default(), 8).await?;
    Ok(IssuerOverview { issuer: issuer_model, members, pending_invitations: pending, profile_missing: missing, recent })
}

pub async fn operator_overview(state: &AppState) -> AppResult<OperatorOverview> {
    let store = state.store();
    let waiting = store.count_mail(MailStatus::Queued).await? + store.count_mail(MailStatus::Outbox).await?;
    Ok(OperatorOverview {
        issuers: store.count_issuers().await?,
        users: store.count_users().await?,
        mail_waiting: waiting,
        mail_failed: store.count_mail(MailStatus::Failed).await?,
        smtp_configured: state.settings().smtp_url.is_some(),
        recent: audit::list(state, None, &AuditFilter::default(), 8).await?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_sniffed() {
        assert_eq!(sniff_image(b"\x89PNG\r\n\x1a\nrest"), Some("image/png"));
        assert_eq!(sniff_image(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(sniff_image(b"<svg onload=alert(1)>"), None);
    }
}
