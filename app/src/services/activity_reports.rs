//! Activity reports: a client whose seal was copied onto other sites hears of it — immediately, daily or on
//! Mondays, as its issuer chose — in an e-mail written from the issuer's activity report template.

use super::mail::{self, ClientMail};
use super::templates::{self, ClientVars, IssuerVars};
use super::{audit, clients, issuers, Actor, AppState};
use crate::error::AppResult;
use crate::model::{ActivityReports, TemplateKind};
use crate::store::{ClientId, IssuerId, UnreportedCopy};
use chrono::{Datelike, Weekday};
use serde::Serialize;

#[derive(Serialize)]
struct Attempt {
    at: String,
    host: String,
    page_url: String,
}

#[derive(Serialize)]
struct ReportContext<'a> {
    issuer: IssuerVars<'a>,
    client: ClientVars<'a>,
    attempts: &'a [Attempt],
    period: String,
}

/// The issuer's schedule, for its profile page.
pub async fn schedule(state: &AppState, issuer: &IssuerId) -> AppResult<ActivityReports> {
    Ok(state.store().activity_reports_of(issuer).await?)
}

pub async fn set_schedule(
    state: &AppState,
    actor: &Actor,
    issuer: &IssuerId,
    schedule: ActivityReports,
) -> AppResult<()> {
    state.store().set_activity_reports(issuer, schedule).await?;
    audit::record(state, actor, Some(issuer), "issuer.activity_reports", schedule.label(), "activity reports").await
}

/// Whether one client gets reports (the issuer can turn them off per client).
pub async fn client_gets_reports(state: &AppState, issuer: &IssuerId, client: &str) -> AppResult<bool> {
    clients::get(state, issuer, client).await?;
    Ok(state.store().client_gets_reports(issuer, &ClientId::new(client)).await?)
}

pub async fn set_client_gets_reports(
    state: &AppState,
    actor: &Actor,
    issuer: &IssuerId,
    client: &str,
    on: bool,
) -> AppResult<()> {
    let c = clients::get(state, issuer, client).await?;
    state.store().set_client_gets_reports(issuer, &ClientId::new(client), on).await?;
    let detail = if on { "activity reports on" } else { "activity reports off" };
    audit::record_about(state, actor, Some(issuer), Some(client), "client.activity_reports", &c.name, detail).await
}

/// Whether this run is the issuer's time to report: every run for "immediately", the first run of a day or of
/// a Monday otherwise (claimed in the database, so one instance reports and the others do not).
async fn due(state: &AppState, issuer: &IssuerId, schedule: ActivityReports) -> AppResult<bool> {
    let today = state.now().date_naive();
    let key = match schedule {
        ActivityReports::Off => return Ok(false),
        ActivityReports::Immediate => return Ok(true),
        ActivityReports::Daily => format!("activity:{issuer}:{today}"),
        ActivityReports::Weekly if today.weekday() == Weekday::Mon => format!("activity:{issuer}:{today}"),
        ActivityReports::Weekly => return Ok(false),
    };
    Ok(state.store().claim_once(&key).await?)
}

/// Sends the reports that are due; how many e-mails were queued.
pub async fn run_due(state: &AppState) -> AppResult<usize> {
    let mut queued = 0;
    for issuer in state.store().reporting_issuers().await? {
        if due(state, &issuer.id, issuer.activity_reports).await? {
            queued += report(state, &issuer.id).await?;
        }
    }
    Ok(queued)
}

/// Reports the issuer's unreported copy attempts, one e-mail per client.
async fn report(state: &AppState, issuer_id: &IssuerId) -> AppResult<usize> {
    let copies = state.store().claim_unreported_copies(issuer_id).await?;
    if copies.is_empty() {
        return Ok(0);
    }
    let issuer = issuers::get(state, issuer_id).await?;
    let mut by_client: Vec<(ClientId, Vec<UnreportedCopy>)> = Vec::new();
    for copy in copies {
        match by_client.iter_mut().find(|(c, _)| *c == copy.client) {
            Some((_, list)) => list.push(copy),
            None => by_client.push((copy.client.clone(), vec![copy])),
        }
    }
    let mut queued = 0;
    for (client_id, mut list) in by_client {
        let Ok(client) = clients::get(state, issuer_id, client_id.key()).await else { continue };
        if client.email.trim().is_empty() {
            continue;
        }
        list.sort_by_key(|c| c.at);
        let attempts: Vec<Attempt> = list
            .iter()
            .map(|c| Attempt {
                at: c.at.format("%Y-%m-%d %H:%M UTC").to_string(),
                host: c.host.clone(),
                page_url: c.page_url.clone(),
            })
            .collect();
        let (first, last) = (list[0].at.date_naive(), list[list.len() - 1].at.date_naive());
        let period = if first == last { first.to_string() } else { format!("{first} – {last}") };
        let context = ReportContext {
            issuer: IssuerVars::of(&issuer),
            client: ClientVars::of(&client),
            attempts: &attempts,
            period,
        };
        let (rendered, template) =
            templates::render_for(state, issuer_id, TemplateKind::ActivityReport, &context).await?;
        let mail = ClientMail {
            issuer: issuer_id.clone(),
            client: client_id.clone(),
            seal: None,
            kind: TemplateKind::ActivityReport.as_str().to_string(),
            template,
            subject: rendered.subject,
            html: rendered.html,
            text: rendered.text,
            attachments: Vec::new(),
        };
        mail::send_to_client(state, &[client.email.trim().to_lowercase()], mail).await?;
        queued += 1;
    }
    Ok(queued)
}
