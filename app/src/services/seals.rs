//! Seal certificates (step 3 of the wizard): issue, edit, extend, irregular renewal, invalidate; the
//! certificate list, its CSV export and the dashboard figures.

use super::csv_export::{self, CsvExport};
use super::{audit, clients, Actor, AppState};
use crate::error::{AppError, AppResult, Checks};
use crate::model::{
    validate, CopyAttempt, Domain, ExpiryEntry, Page, Seal, SealDetail, SealFilter, SealInput, SealOverview, SealState,
    EXPIRING_DAYS, SEAL_STYLES,
};
use crate::store::{
    CertTypeId, ClientId, CopyAttemptRow, DomainId, HistoryWrite, IssuerId, SealId, SealQuery, SealRow, SealWrite,
    ORDERINGS,
};
use chrono::{Datelike, Days, Months, NaiveDate};

pub const SEALS_PER_PAGE: usize = 50;

fn day(s: &str) -> NaiveDate {
    // Stored dates were checked on the way in; a broken one reads as the earliest day (so: expired).
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or(NaiveDate::MIN)
}

fn fmt(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub fn to_model(r: SealRow, today: NaiveDate) -> Seal {
    let (from, to) = (day(&r.valid_from), day(&r.valid_to));
    Seal {
        id: r.id.key().to_string(),
        client_id: r.client.key().to_string(),
        client_name: r.client_name,
        type_id: r.cert_type.key().to_string(),
        type_name: r.type_name,
        level: r.level,
        valid_from: from,
        valid_to: to,
        state: SealState::on(today, from, to, r.invalidated),
        domains: r.domain_rows.into_iter().map(Domain::from).collect(),
        created_at: r.created_at,
    }
}

pub fn copy_attempt_model(r: CopyAttemptRow) -> CopyAttempt {
    CopyAttempt {
        at: r.at,
        client_id: r.client.key().to_string(),
        client_name: r.client_name,
        seal_id: r.seal.key().to_string(),
        host: clients::display_host(&r.host),
        page_url: r.page_url,
        user_agent: r.user_agent,
    }
}

/// A random public seal id: 20 lower-case letters and digits (about 103 bits), hard to guess or enumerate.
fn new_seal_id() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rngs::OsRng;
    (0..20).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect()
}

/// Checks a seal form against the catalogue and the client's domains; returns what is written.
async fn checked(state: &AppState, issuer: &IssuerId, client: &str, s: &SealInput) -> AppResult<(SealWrite, String)> {
    let mut checks = Checks::new();
    checks
        .check("valid_from", validate::date(&s.valid_from))
        .check("valid_to", validate::date(&s.valid_to))
        .check("type_id", s.type_id.trim().is_empty().then(|| "Choose a certificate type.".to_string()));
    checks.finish()?;
    let (from, to) = (day(s.valid_from.trim()), day(s.valid_to.trim()));
    if to < from {
        return Err(AppError::field("valid_to", "Valid to must be on or after valid from."));
    }
    let cert_type = state
        .store()
        .cert_type(&CertTypeId::new(s.type_id.trim()))
        .await?
        .ok_or_else(|| AppError::field("type_id", "Choose one of the certificate types."))?;
    let level = s.level.trim().to_string();
    if !cert_type.levels.is_empty() && !cert_type.levels.contains(&level) {
        return Err(AppError::field("level", format!("Choose a level of {}.", cert_type.name)));
    }
    let own: Vec<DomainId> =
        state.store().domains_of_client(issuer, &ClientId::new(client)).await?.into_iter().map(|d| d.id).collect();
    let mut domains: Vec<DomainId> =
        s.domains.iter().map(|d| d.trim()).filter(|d| !d.is_empty()).map(DomainId::new).collect();
    domains.sort();
    domains.dedup();
    if domains.iter().any(|d| !own.contains(d)) {
        return Err(AppError::field("domains", "Choose among this client's domains."));
    }
    let level = if cert_type.levels.is_empty() { String::new() } else { level };
    Ok((
        SealWrite {
            cert_type: CertTypeId::new(cert_type.id.clone()),
            level,
            valid_from: fmt(from),
            valid_to: fmt(to),
            domains,
            invalidated: false,
        },
        cert_type.name,
    ))
}

fn history(state: &AppState, actor: &Actor, action: &str, detail: String) -> HistoryWrite {
    HistoryWrite { at: state.now(), actor_email: actor.email.clone(), action: action.into(), detail }
}

pub async fn create(state: &AppState, actor: &Actor, issuer: &IssuerId, client: &str, s: SealInput) -> AppResult<Seal> {
    let c = clients::get(state, issuer, client).await?;
    let (write, type_name) = checked(state, issuer, client, &s).await?;
    let id = new_seal_id();
    let detail = format!("{type_name} {} {} – {}", write.level, write.valid_from, write.valid_to);
    state
        .store()
        .create_seal(
            issuer,
            &ClientId::new(client),
            &SealId::new(&id),
            &write,
            history(state, actor, "created", detail.clone()),
        )
        .await?;
    audit::record_about(state, actor, Some(issuer), Some(client), "seal.create", &c.name, detail).await?;
    state.invalidate_seal_cache();
    get(state, issuer, &id).await
}

pub async fn get(state: &AppState, issuer: &IssuerId, id: &str) -> AppResult<Seal> {
    let row = state.store().seal(issuer, &SealId::new(id)).await?.ok_or(AppError::NotFound)?;
    Ok(to_model(row, state.now().date_naive()))
}

pub async fn detail(state: &AppState, issuer: &IssuerId, id: &str) -> AppResult<SealDetail> {
    let seal = get(state, issuer, id).await?;
    let client_domains = state
        .store()
        .domains_of_client(issuer, &ClientId::new(&seal.client_id))
        .await?
        .into_iter()
        .map(Domain::from)
        .collect();
    let history = state.store().seal_history(&SealId::new(id)).await?;
    let snippets = SEAL_STYLES.iter().map(|(style, label)| (label.to_string(), snippet(state, id, style))).collect();
    Ok(SealDetail { seal, client_domains, history, snippets })
}

/// The HTML that shows seal `id` in `style` on a client's page.
pub fn snippet(state: &AppState, id: &str, style: &str) -> String {
    let base = &state.settings().public_url;
    format!("<script src=\"{base}/seal/{id}.js\" data-style=\"{style}\" async></script>")
}

/// Applies a change to a seal certificate and keeps it in the history and the audit log.
async fn apply(
    state: &AppState,
    actor: &Actor,
    issuer: &IssuerId,
    before: &Seal,
    write: SealWrite,
    action: &str,
    detail: String,
) -> AppResult<Seal> {
    state
        .store()
        .update_seal(&issuer, &SealId::new(&before.id), &write, history(state, actor, action, detail.clone()))
        .await?;
    audit::record_about(
        state,
        actor,
        Some(issuer),
        Some(&before.client_id),
        &format!("seal.{action}"),
        &before.client_name,
        detail,
    )
    .await?;
    state.invalidate_seal_cache();
    get(state, issuer, &before.id).await
}

fn unchanged(seal: &Seal) -> SealWrite {
    SealWrite {
        cert_type: CertTypeId::new(seal.type_id.clone()),
        level: seal.level.clone(),
        valid_from: fmt(seal.valid_from),
        valid_to: fmt(seal.valid_to),
        domains: seal.domains.iter().map(|d| DomainId::new(d.id.clone())).collect(),
        invalidated: seal.state == SealState::Invalidated,
    }
}

/// "Edit certificate". A new valid-from is an irregular renewal and is recorded as such.
pub async fn edit(state: &AppState, actor: &Actor, issuer: &IssuerId, id: &str, s: SealInput) -> AppResult<Seal> {
    let before = get(state, issuer, id).await?;
    let (mut write, type_name) = checked(state, issuer, &before.client_id, &s).await?;
    let today = state.now().date_naive();
    // Still invalidated only while it stays ended; dates that make it current again lift the invalidation.
    write.invalidated = before.state == SealState::Invalidated && day(&write.valid_to) < today;
    let action = if write.valid_from != fmt(before.valid_from) { "renewed" } else { "edited" };
    let old = unchanged(&before);
    let mut changes = Vec::new();
    if write.cert_type != old.cert_type || write.level != old.level {
        changes.push(format!("type: {type_name} {}", write.level));
    }
    if write.valid_from != old.valid_from {
        changes.push(format!("valid from: {} → {}", old.valid_from, write.valid_from));
    }
    if write.valid_to != old.valid_to {
        changes.push(format!("valid to: {} → {}", old.valid_to, write.valid_to));
    }
    let mut old_domains = old.domains.clone();
    old_domains.sort();
    if write.domains != old_domains {
        changes.push(format!("domains: {}", write.domains.len()));
    }
    let detail = if changes.is_empty() { "no change".to_string() } else { changes.join("; ") };
    apply(state, actor, issuer, &before, write, action, detail).await
}

/// "+ Extend": one more year on valid-to.
pub async fn extend(state: &AppState, actor: &Actor, issuer: &IssuerId, id: &str) -> AppResult<Seal> {
    let before = get(state, issuer, id).await?;
    let mut write = unchanged(&before);
    let to = before.valid_to.checked_add_months(Months::new(12)).ok_or(AppError::Internal)?;
    write.valid_to = fmt(to);
    write.invalidated = before.state == SealState::Invalidated && to < state.now().date_naive();
    let detail = format!("valid to: {} → {}", fmt(before.valid_to), write.valid_to);
    apply(state, actor, issuer, &before, write, "extended", detail).await
}

/// "- Invalidate": valid-to becomes yesterday.
pub async fn invalidate(state: &AppState, actor: &Actor, issuer: &IssuerId, id: &str) -> AppResult<Seal> {
    let before = get(state, issuer, id).await?;
    if before.state == SealState::Invalidated {
        return Err(AppError::Conflict("This certificate is already invalidated.".into()));
    }
    let yesterday = state.now().date_naive().checked_sub_days(Days::new(1)).ok_or(AppError::Internal)?;
    if before.valid_from > state.now().date_naive() {
        return Err(AppError::Conflict(
            "This certificate has not started yet, so it cannot end yesterday. Change its dates in the edit form instead.".into(),
        ));
    }
    let mut write = unchanged(&before);
    // An already expired certificate keeps its end; it is only marked as invalidated.
    write.valid_to = fmt(before.valid_to.min(yesterday));
    write.invalidated = true;
    let detail = format!("valid to: {} → {}", fmt(before.valid_to), write.valid_to);
    apply(state, actor, issuer, &before, write, "invalidated", detail).await
}

/// Turns the list's filter into a store query; bad values get field messages.
fn query(state: &AppState, f: &SealFilter, start: usize, limit: usize) -> AppResult<SealQuery> {
    Checks::new()
        .check("expires_from", validate::optional_date(&f.expires_from))
        .check("expires_to", validate::optional_date(&f.expires_to))
        .check(
            "state",
            (!f.state.is_empty() && SealState::parse(&f.state).is_none()).then(|| "Choose a state.".to_string()),
        )
        .finish()?;
    let today = state.now().date_naive();
    let soon = today.checked_add_days(Days::new(EXPIRING_DAYS)).unwrap_or(today);
    let order = ORDERINGS.iter().find(|(k, _)| *k == f.sort).map(|(_, o)| *o).unwrap_or(ORDERINGS[0].1);
    let some = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
    Ok(SealQuery {
        state: SealState::parse(&f.state),
        cert_type: some(&f.type_id).map(CertTypeId::new),
        client_name: some(&f.client).map(|c| c.to_lowercase()),
        client: None,
        expires_from: some(&f.expires_from),
        expires_to: some(&f.expires_to),
        today: fmt(today),
        soon: fmt(soon),
        order,
        start,
        limit,
    })
}

pub async fn list(state: &AppState, issuer: &IssuerId, f: &SealFilter) -> AppResult<Page<Seal>> {
    let page = f.page.max(1);
    let q = query(state, f, (page - 1) * SEALS_PER_PAGE, SEALS_PER_PAGE)?;
    let (rows, total) = state.store().list_seals(issuer, &q).await?;
    let today = state.now().date_naive();
    Ok(Page { items: rows.into_iter().map(|r| to_model(r, today)).collect(), total, page, per_page: SEALS_PER_PAGE })
}

/// The filtered list (every page) as CSV.
#[derive(Clone)]
pub struct SealExport {
    issuer: String,
    filter: SealFilter,
    chunk_rows: usize,
}

/// Starts an export: the filter is checked now, so that a bad one is refused before anything is sent.
pub fn export(state: &AppState, issuer: &IssuerId, f: &SealFilter) -> AppResult<SealExport> {
    query(state, f, 0, 1)?;
    Ok(SealExport { issuer: issuer.to_string(), filter: f.clone(), chunk_rows: csv_export::CHUNK_ROWS })
}

impl SealExport {
    /// The same export read `rows` at a time (tests cross chunk borders with few seals).
    pub fn in_chunks_of(self, rows: usize) -> SealExport {
        SealExport { chunk_rows: rows.max(1), ..self }
    }
}

impl CsvExport for SealExport {
    async fn chunk(&self, state: &AppState, n: usize) -> AppResult<Option<String>> {
        let q = query(state, &self.filter, n * self.chunk_rows, self.chunk_rows)?;
        let (rows, _) = state.store().list_seals(&IssuerId::new(&self.issuer), &q).await?;
        if rows.is_empty() && n > 0 {
            return Ok(None);
        }
        let today = state.now().date_naive();
        let base = &state.settings().public_url;
        let rows = rows.into_iter().map(|r| to_model(r, today)).map(|s| {
            vec![
                s.client_name,
                s.type_name,
                s.level,
                fmt(s.valid_from),
                fmt(s.valid_to),
                s.state.label().to_string(),
                s.domains.iter().map(|d| d.display.clone()).collect::<Vec<_>>().join(" "),
                format!("{base}/seal/{}.js", s.id),
                s.created_at.format("%Y-%m-%d").to_string(),
            ]
        });
        let header: &[&str] =
            &["client", "type", "level", "valid from", "valid to", "state", "domains", "seal script", "created"];
        csv_export::lines((n == 0).then_some(header), rows).map(Some)
    }
}

/// The dashboard: issuance per month (12 months), expiring in the next 30 days, expired in the last 30.
pub async fn overview(state: &AppState, issuer: &IssuerId) -> AppResult<SealOverview> {
    let now = state.now();
    let today = now.date_naive();
    let this_month = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).ok_or(AppError::Internal)?;
    let first = this_month.checked_sub_months(Months::new(11)).ok_or(AppError::Internal)?;
    let since = first.and_hms_opt(0, 0, 0).ok_or(AppError::Internal)?.and_utc();
    let times = state.store().seal_creation_times(issuer, since).await?;
    let issued_per_month = (0..12)
        .filter_map(|i| first.checked_add_months(Months::new(i)))
        .map(|m| {
            let n = times.iter().filter(|t| t.year() == m.year() && t.month() == m.month()).count();
            (m.format("%Y-%m").to_string(), n)
        })
        .collect();
    let entry = |s: Seal| ExpiryEntry {
        client_id: s.client_id,
        client_name: s.client_name,
        seal_id: s.id,
        type_name: s.type_name,
        valid_to: s.valid_to,
        state: s.state,
    };
    let soon = SealFilter { state: "expiring".into(), ..Default::default() };
    let expiring = list(state, issuer, &soon).await?;
    let expiring_count = expiring.total;
    let expiring_soon = expiring.items.into_iter().map(entry).collect();
    let month_ago = today.checked_sub_days(Days::new(EXPIRING_DAYS)).ok_or(AppError::Internal)?;
    let yesterday = today.checked_sub_days(Days::new(1)).ok_or(AppError::Internal)?;
    let recent = SealFilter {
        expires_from: fmt(month_ago),
        expires_to: fmt(yesterday),
        sort: "-valid_to".into(),
        ..Default::default()
    };
    let recently_expired = list(state, issuer, &recent).await?.items.into_iter().map(entry).collect();
    let clients = state.store().count_clients(issuer).await?;
    let valid = SealFilter { state: "valid".into(), ..Default::default() };
    let valid_seals = list(state, issuer, &valid).await?.total + expiring_count;
    Ok(SealOverview { issued_per_month, expiring_soon, expiring_count, recently_expired, clients, valid_seals })
}

/// Copy attempts across the issuer, newest first: the "activity" view.
pub async fn copy_attempts(state: &AppState, issuer: &IssuerId) -> AppResult<Vec<CopyAttempt>> {
    Ok(state.store().copy_attempts(issuer, None, 500).await?.into_iter().map(copy_attempt_model).collect())
}
