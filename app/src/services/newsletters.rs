//! Newsletters: issuer staff write one in the newsletter layout, to all their clients or to one industry, see
//! the count and a preview, send a test to themselves, then send it. Each copy is an ordinary message of the
//! outbox, due at the operator's sending rate and carrying its recipient's one-click unsubscribe link (RFC
//! 8058). Clients that unsubscribed are skipped, and each newsletter remembers whom it skipped.

use super::mail;
use super::templates::{self, catalogue, ClientVars, Compiled, IssuerVars};
use super::{audit, issuers, signed_ids, Actor, AppState};
use crate::error::Checks;
use crate::error::{AppError, AppResult};
use crate::model::validate;
use crate::model::{
    Client, Issuer, MailStatus, NewsletterAudience, NewsletterDetail, NewsletterDraft, NewsletterRecipient,
    NewsletterSetup, NewsletterSummary, RecipientStatus, Rendered, TemplateKind, UnsubscribeTarget,
};
use crate::store::{ClientId, IssuerId, NewsletterId, NewsletterRecord, NewsletterRow};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

/// The longest body a newsletter may have.
const MAX_BODY_CHARS: usize = 20_000;
/// How many industries an issuer's list may hold.
const MAX_INDUSTRIES: usize = 100;
/// How many copies the history page lists (the counts cover all of them).
const COPIES_LISTED: i64 = 1_000;

#[derive(Serialize)]
struct NewsletterVars<'a> {
    subject: &'a str,
    paragraphs: &'a [String],
}

#[derive(Serialize)]
struct NewsletterContext<'a> {
    issuer: IssuerVars<'a>,
    client: ClientVars<'a>,
    newsletter: NewsletterVars<'a>,
    unsubscribe_url: String,
}

fn check(draft: &NewsletterDraft) -> AppResult<()> {
    let body = if draft.body.chars().count() > MAX_BODY_CHARS {
        Some(format!("The text is longer than {MAX_BODY_CHARS} characters."))
    } else if draft.paragraphs().is_empty() {
        Some("Write the newsletter's text.".to_string())
    } else {
        None
    };
    Checks::new()
        .check("subject", validate::required(&draft.subject, "subject", 200))
        .check("body", body)
        .check("industry", validate::optional_text(&draft.industry, "industry", 100))
        .finish()
}

// --- industries ---

/// The issuer's own list of industries, for its profile.
pub async fn industries(state: &AppState, issuer: &IssuerId) -> AppResult<Vec<String>> {
    Ok(state.store().industries(issuer).await?)
}

/// Saves the issuer's list: trimmed, without blanks and without the same name twice.
pub async fn set_industries(state: &AppState, actor: &Actor, issuer: &IssuerId, list: Vec<String>) -> AppResult<()> {
    let mut kept: Vec<String> = Vec::new();
    for name in list.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        if let Some(message) = validate::optional_text(name, "industry", 100) {
            return Err(AppError::field("industries", format!("{name:?}: {message}")));
        }
        if !kept.iter().any(|k| k.to_lowercase() == name.to_lowercase()) {
            kept.push(name.to_string());
        }
    }
    if kept.len() > MAX_INDUSTRIES {
        return Err(AppError::field("industries", format!("Keep at most {MAX_INDUSTRIES} industries.")));
    }
    let detail = if kept.is_empty() { "none".to_string() } else { kept.join(", ") };
    state.store().set_industries(issuer, kept).await?;
    audit::record(state, actor, Some(issuer), "issuer.industries", "industries", detail).await
}

/// A client's industry as the issuer's list spells it. Refused when the issuer keeps a list and the value is
/// not on it, unless it is empty or the value already saved (a list changed later does not block other edits).
pub async fn listed_industry(
    state: &AppState,
    issuer: &IssuerId,
    industry: &str,
    saved: Option<&str>,
) -> AppResult<String> {
    let industry = industry.trim();
    if industry.is_empty() || saved.is_some_and(|s| s.trim() == industry) {
        return Ok(industry.to_string());
    }
    let list = state.store().industries(issuer).await?;
    if list.is_empty() {
        return Ok(industry.to_string());
    }
    match list.iter().find(|i| i.to_lowercase() == industry.to_lowercase()) {
        Some(listed) => Ok(listed.clone()),
        None => Err(AppError::field("industry", format!("Choose one of your industries: {}.", list.join(", ")))),
    }
}

/// What the newsletter form offers: every industry in use or on the list, and how fast copies go out.
pub async fn setup(state: &AppState, issuer: &IssuerId) -> AppResult<NewsletterSetup> {
    let mut industries = state.store().industries(issuer).await?;
    for used in state.store().client_industries(issuer).await? {
        if !industries.iter().any(|i| i.to_lowercase() == used.to_lowercase()) {
            industries.push(used);
        }
    }
    industries.sort_by_key(|i| i.to_lowercase());
    Ok(NewsletterSetup {
        industries,
        rate_per_minute: state.settings().newsletter_rate_per_minute,
        smtp: state.settings().smtp_url.is_some(),
    })
}

// --- writing and sending ---

pub async fn audience(state: &AppState, issuer: &IssuerId, industry: &str) -> AppResult<NewsletterAudience> {
    let rows = state.store().newsletter_audience(issuer, industry.trim()).await?;
    Ok(NewsletterAudience {
        recipients: rows.recipients.len(),
        unsubscribed: rows.unsubscribed.len(),
        without_email: rows.without_email,
    })
}

fn context<'a>(
    issuer: &'a Issuer,
    client: &'a Client,
    draft: &'a NewsletterDraft,
    paragraphs: &'a [String],
    unsubscribe_url: String,
) -> NewsletterContext<'a> {
    NewsletterContext {
        issuer: IssuerVars::of(issuer),
        client: ClientVars::of(client),
        newsletter: NewsletterVars { subject: draft.subject.trim(), paragraphs },
        unsubscribe_url,
    }
}

/// The sample client of the template previews, for a preview or a test before any client would receive it.
fn sample_client() -> Client {
    let sample = catalogue::sample(TemplateKind::Newsletter);
    let field = |name: &str| sample["client"][name].as_str().unwrap_or_default().to_string();
    Client {
        name: field("name"),
        contact_person: field("contact_person"),
        email: field("email"),
        city: field("city"),
        country: field("country"),
        industry: field("industry"),
        ..Client::default()
    }
}

/// A render of the draft as its first recipient (or the sample client) would get it, and the layout's version.
async fn render_one(state: &AppState, issuer_id: &IssuerId, draft: &NewsletterDraft) -> AppResult<(Rendered, String)> {
    check(draft)?;
    let issuer = issuers::get(state, issuer_id).await?;
    let client =
        state.store().newsletter_first_recipient(issuer_id, draft.industry.trim()).await?.unwrap_or_else(sample_client);
    let paragraphs = draft.paragraphs();
    // A preview's link unsubscribes nobody: it opens the page that says the link is not valid.
    let link = format!("{}/unsubscribe/preview", state.settings().public_url);
    templates::render_for(
        state,
        issuer_id,
        TemplateKind::Newsletter,
        &context(&issuer, &client, draft, &paragraphs, link),
    )
    .await
}

pub async fn preview(state: &AppState, issuer: &IssuerId, draft: &NewsletterDraft) -> AppResult<Rendered> {
    Ok(render_one(state, issuer, draft).await?.0)
}

/// Sends the draft to the person writing it, marked as a test; nothing is recorded as a newsletter.
pub async fn send_test(
    state: &AppState,
    actor: &Actor,
    issuer: &IssuerId,
    draft: &NewsletterDraft,
) -> AppResult<String> {
    let (rendered, _) = render_one(state, issuer, draft).await?;
    let mut message =
        mail::prepare(state, &actor.email, &format!("[Test] {}", rendered.subject), &rendered.text, Some(issuer));
    message.html = Some(rendered.html);
    message.kind = Some("newsletter_test".into());
    state.store().enqueue_mail(message).await?;
    mail::wake(state);
    Ok(actor.email.clone())
}

/// When each copy is due: one every `60 s / rate`, after the copies of newsletters already queued.
fn schedule(
    now: DateTime<Utc>,
    queue_end: Option<DateTime<Utc>>,
    rate_per_minute: u32,
    copies: usize,
) -> Vec<DateTime<Utc>> {
    let start = queue_end.filter(|end| *end > now).unwrap_or(now);
    let gap_micros = 60_000_000 / i64::from(rate_per_minute.max(1));
    (0..copies as i64).map(|i| start + Duration::microseconds(gap_micros * i)).collect()
}

/// Sends the newsletter: one copy per client of the audience that has an address and did not unsubscribe.
/// Refused when that is nobody. Returns the newsletter's id.
pub async fn send(state: &AppState, actor: &Actor, issuer_id: &IssuerId, draft: NewsletterDraft) -> AppResult<String> {
    check(&draft)?;
    let issuer = issuers::get(state, issuer_id).await?;
    let industry = draft.industry.trim().to_string();
    let audience = state.store().newsletter_audience(issuer_id, &industry).await?;
    if audience.recipients.is_empty() {
        let whom =
            if industry.is_empty() { "None of your clients".to_string() } else { format!("No client in {industry}") };
        return Err(AppError::Refused(format!(
            "{whom} can receive a newsletter ({} unsubscribed, {} without an e-mail address). Nothing was sent.",
            audience.unsubscribed.len(),
            audience.without_email
        )));
    }
    let (source, template) = templates::in_use_for(state, issuer_id, TemplateKind::Newsletter).await?;
    let compiled = Compiled::new(TemplateKind::Newsletter, &source).map_err(|_| AppError::Internal)?;
    let paragraphs = draft.paragraphs();
    let now = state.now();
    let due = schedule(
        now,
        state.store().newsletter_queue_end().await?,
        state.settings().newsletter_rate_per_minute,
        audience.recipients.len(),
    );
    let id = NewsletterId::fresh();
    let mut copies = Vec::with_capacity(audience.recipients.len());
    for (client, due_at) in audience.recipients.iter().zip(&due) {
        let link = unsubscribe_url(state, &client.id);
        let rendered = templates::sent_render(
            TemplateKind::Newsletter,
            &compiled,
            &context(&issuer, client, &draft, &paragraphs, link.clone()),
        )?;
        let mut copy = mail::prepare(state, client.email.trim(), &rendered.subject, &rendered.text, Some(issuer_id));
        copy.html = Some(rendered.html);
        copy.kind = Some(TemplateKind::Newsletter.as_str().to_string());
        copy.client = Some(ClientId::new(&client.id));
        copy.template = Some(template.clone());
        copy.newsletter = Some(id.clone());
        copy.unsubscribe_url = Some(link);
        copy.next_attempt_at = *due_at;
        copies.push(copy);
    }
    let recipients = copies.len();
    let queued_until = due.last().copied().unwrap_or(now);
    let newsletter = NewsletterRecord {
        issuer: issuer_id.clone(),
        subject: draft.subject.trim().to_string(),
        body: draft.body.clone(),
        industry: industry.clone(),
        author: actor.email.clone(),
        template,
        recipients: recipients as i64,
        skipped: audience.unsubscribed,
        created_at: now,
        queued_until,
    };
    state.store().create_newsletter(&id, newsletter).await?;
    state.store().queue_newsletter_copies(copies).await?;
    mail::wake(state);
    let whom = if industry.is_empty() { "all clients".to_string() } else { format!("industry {industry}") };
    audit::record(
        state,
        actor,
        Some(issuer_id),
        "newsletter.send",
        draft.subject.trim(),
        format!("{recipients} recipients, {whom}"),
    )
    .await?;
    Ok(id.key().to_string())
}

// --- history ---

/// The summaries of newsletters, with their copies counted in one query.
async fn summaries(state: &AppState, rows: &[NewsletterRow]) -> AppResult<Vec<NewsletterSummary>> {
    let ids: Vec<NewsletterId> = rows.iter().map(|row| row.id.clone()).collect();
    let counts = state.store().newsletter_counts(&ids).await?;
    let count = |id: &NewsletterId, wanted: MailStatus| {
        counts.iter().filter(|c| c.newsletter == *id && c.status == wanted).map(|c| c.n.max(0) as usize).sum::<usize>()
    };
    Ok(rows
        .iter()
        .map(|row| NewsletterSummary {
            id: row.id.key().to_string(),
            subject: row.record.subject.clone(),
            industry: row.record.industry.clone(),
            author: row.record.author.clone(),
            created_at: row.record.created_at,
            recipients: row.record.recipients.max(0) as usize,
            sent: count(&row.id, MailStatus::Sent),
            failed: count(&row.id, MailStatus::Failed),
            skipped: row.record.skipped.len(),
        })
        .collect())
}

/// The issuer's newsletters, newest first.
pub async fn list(state: &AppState, issuer: &IssuerId) -> AppResult<Vec<NewsletterSummary>> {
    summaries(state, &state.store().newsletters(issuer, 100).await?).await
}

/// One newsletter with its text and every recipient: each copy's state, and the clients it skipped.
pub async fn detail(state: &AppState, issuer: &IssuerId, id: &str) -> AppResult<NewsletterDetail> {
    let row = state.store().newsletter(issuer, &NewsletterId::new(id)).await?.ok_or(AppError::NotFound)?;
    let copies = state.store().newsletter_copies(issuer, &row.id, COPIES_LISTED).await?;
    let mut recipients: Vec<NewsletterRecipient> = copies
        .into_iter()
        .map(|c| NewsletterRecipient {
            client_id: c.client.key().to_string(),
            client: c.client_name,
            email: c.to,
            status: RecipientStatus::Mail(c.status),
            sent_at: c.sent_at,
            last_error: c.last_error,
        })
        .collect();
    recipients.extend(row.record.skipped.iter().map(|s| NewsletterRecipient {
        client_id: s.client.key().to_string(),
        client: s.name.clone(),
        email: s.email.clone(),
        status: RecipientStatus::Unsubscribed,
        sent_at: None,
        last_error: None,
    }));
    let summary = summaries(state, std::slice::from_ref(&row)).await?.remove(0);
    Ok(NewsletterDetail { summary, body: row.record.body.clone(), template: row.record.template.clone(), recipients })
}

// --- unsubscribing ---

/// Separates these tags from every other use of the link key.
const PURPOSE: &[u8] = b"signet newsletter unsubscribe v1\0";

/// A client's unsubscribe token: its id, signed (see `signed_ids`).
pub fn unsubscribe_token(state: &AppState, client_key: &str) -> String {
    signed_ids::sign(state, PURPOSE, client_key)
}

fn unsubscribe_url(state: &AppState, client_key: &str) -> String {
    format!("{}/unsubscribe/{}", state.settings().public_url, unsubscribe_token(state, client_key))
}

fn client_of_token(state: &AppState, token: &str) -> Option<ClientId> {
    signed_ids::verify(state, PURPOSE, token).map(ClientId::new)
}

/// Whom an unsubscribe link names; `NotFound` for a link Signet did not make or a client that is gone.
pub async fn unsubscribe_target(state: &AppState, token: &str) -> AppResult<UnsubscribeTarget> {
    let client = client_of_token(state, token).ok_or(AppError::NotFound)?;
    let row = state.store().unsubscribe_target(&client).await?.ok_or(AppError::NotFound)?;
    Ok(UnsubscribeTarget { client: row.client, issuer: row.issuer, unsubscribed: row.unsubscribed })
}

/// Unsubscribes the link's client from its issuer's newsletters (or, with `subscribe`, takes that back).
pub async fn set_subscription(state: &AppState, token: &str, subscribe: bool) -> AppResult<UnsubscribeTarget> {
    let client = client_of_token(state, token).ok_or(AppError::NotFound)?;
    state.store().unsubscribe_target(&client).await?.ok_or(AppError::NotFound)?;
    state.store().set_unsubscribed(&client, (!subscribe).then(|| state.now())).await?;
    tracing::info!(client = client.key(), subscribe, "newsletter subscription changed by its link");
    unsubscribe_target(state, token).await
}

/// When a client unsubscribed, for its page (None while it receives newsletters).
pub async fn unsubscribed_at(state: &AppState, issuer: &IssuerId, client: &str) -> AppResult<Option<DateTime<Utc>>> {
    Ok(state.store().unsubscribed_at(issuer, &ClientId::new(client)).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_are_spread_at_the_rate_and_queue_after_the_newsletters_already_waiting() {
        let now = DateTime::parse_from_rfc3339("2026-12-01T09:00:00Z").unwrap().with_timezone(&Utc);
        let due = schedule(now, None, 600, 3);
        assert_eq!(due, vec![now, now + Duration::milliseconds(100), now + Duration::milliseconds(200)]);
        let later = now + Duration::minutes(5);
        assert_eq!(schedule(now, Some(later), 60, 2), vec![later, later + Duration::seconds(1)]);
        assert_eq!(schedule(now, Some(now - Duration::hours(1)), 60, 1), vec![now], "a past end is no wait");
    }
}
