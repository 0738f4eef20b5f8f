//! Issued certificates after issuance: the inventory (search, filters, columns, CSV export), the details
//! page, and revocation by issuer staff or the client's own customers.

use super::csv_export::{self, CsvExport, CHUNK_ROWS};
use super::orders::Scope;
use super::{audit, ca, mail, AppState};
use crate::error::{AppError, AppResult};
use crate::model::*;
use crate::store::{
    CertListRow, CertQuery, CertificateId, ProductId, RevokeOutcome, TrackedId, WatchedListRow, CERT_ORDERINGS,
    WATCHED_ORDERINGS,
};
use chrono::{DateTime, NaiveDate, Utc};
use std::cmp::Ordering;

pub const CERTIFICATES_PER_PAGE: usize = 50;
/// The longest comment a revocation keeps.
pub const MAX_COMMENT: usize = 500;

fn summary_of(row: CertListRow, now: DateTime<Utc>) -> CertificateSummary {
    let revocation = row.revoked_at.map(|revoked_at| Revocation {
        revoked_at,
        reason: row
            .revocation_reason
            .as_deref()
            .and_then(RevocationReason::parse)
            .unwrap_or(RevocationReason::Unspecified),
        comment: row.revocation_comment.clone().unwrap_or_default(),
        revoked_by: row.revoked_by.clone().unwrap_or_default(),
    });
    CertificateSummary {
        id: row.id.key().to_string(),
        serial: row.serial,
        common_name: common_name(&row.subject).unwrap_or_else(|| row.names.first().cloned().unwrap_or_default()),
        state: CertState::of(now, row.not_after, revocation.is_some()),
        names: row.names,
        not_before: row.not_before,
        not_after: row.not_after,
        client_id: row.client.key().to_string(),
        client_name: row.client_name.unwrap_or_default(),
        order_id: row.cert_order.key().to_string(),
        order_number: row.order_number.unwrap_or_default(),
        product_name: row.product_name.unwrap_or_default(),
        ca: row.ca_slug.unwrap_or_default(),
        issued_at: row.created_at,
        revocation,
        source: CertSource::Issued,
        revocation_scheduled: row.revoke_at,
    }
}

fn watched_summary_of(row: WatchedListRow, now: DateTime<Utc>) -> CertificateSummary {
    CertificateSummary {
        id: row.id.key().to_string(),
        serial: row.serial,
        common_name: row.common_name,
        state: CertState::of(now, row.not_after, false),
        names: row.names,
        not_before: row.not_before,
        not_after: row.not_after,
        client_id: row.client.as_ref().map(|id| id.key().to_string()).unwrap_or_default(),
        client_name: row.client_name.unwrap_or_default(),
        order_id: String::new(),
        order_number: String::new(),
        product_name: String::new(),
        // Not one of Signet's CAs: the issuer's name as the certificate gives it.
        ca: row.issued_by,
        issued_at: row.added_at,
        revocation: None,
        source: CertSource::Watched,
        revocation_scheduled: None,
    }
}

/// The CN of an RFC 4514-style subject ("CN=shop.example.com, O=…").
fn common_name(subject: &str) -> Option<String> {
    subject.split(", ").find_map(|part| part.strip_prefix("CN=")).map(str::to_string)
}

/// Reads a serial typed with or without colons or spaces; None if it is not hex of a plausible length.
pub fn parse_serial(text: &str) -> Option<String> {
    let hex: String = text.chars().filter(|c| !matches!(c, ':' | ' ' | '-')).collect();
    (hex.len() >= 8 && hex.len() <= 42 && hex.chars().all(|c| c.is_ascii_hexdigit())).then(|| hex.to_uppercase())
}

fn day(field: &str, text: &str) -> AppResult<Option<NaiveDate>> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map(Some)
        .map_err(|_| AppError::field(field, "Give the date as YYYY-MM-DD."))
}

/// The sort the filter asks for: its index in `CERT_ORDERINGS` / `WATCHED_ORDERINGS`, and whether descending.
fn sort_of(f: &CertificateFilter) -> AppResult<(usize, bool)> {
    match f.sort.trim() {
        "" => Ok((0, true)),
        s => CERT_ORDERINGS
            .iter()
            .position(|(name, _, _)| *name == s)
            .map(|i| (i, f.desc))
            .ok_or_else(|| AppError::field("sort", format!("Sort by one of: {}.", CERTIFICATE_SORTS.join(", ")))),
    }
}

fn source_of(f: &CertificateFilter) -> AppResult<Option<CertSource>> {
    match f.source.trim() {
        "" => Ok(None),
        s => CertSource::parse(s)
            .map(Some)
            .ok_or_else(|| AppError::field("source", "Choose issued or watched (or neither).")),
    }
}

fn query(state: &AppState, f: &CertificateFilter, start: usize, limit: usize) -> AppResult<CertQuery> {
    let state_filter = match f.state.trim() {
        "" => None,
        s => Some(
            CertState::parse(s)
                .ok_or_else(|| AppError::field("state", "Choose valid, expiring, expired or revoked (or no state)."))?,
        ),
    };
    let (sort, desc) = sort_of(f)?;
    let order = if desc { CERT_ORDERINGS[sort].2 } else { CERT_ORDERINGS[sort].1 };
    source_of(f)?;
    let text = f.q.trim().to_lowercase();
    let midnight = |d: NaiveDate| d.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
    Ok(CertQuery {
        serial: parse_serial(&text),
        text: (!text.is_empty()).then_some(text),
        state: state_filter,
        product: Some(f.product.trim()).filter(|p| !p.is_empty()).map(ProductId::new),
        ca_slug: Some(f.ca.trim().to_string()).filter(|c| !c.is_empty()),
        issued_from: day("issued_from", &f.issued_from)?.and_then(midnight),
        issued_before: day("issued_to", &f.issued_to)?.and_then(|d| d.succ_opt()).and_then(midnight),
        now: state.now(),
        order,
        start,
        limit,
    })
}

/// A page of the inventory (staff: all of the issuer's; a customer: their client's): the certificates Signet
/// issued and those handed in to be watched, in one order.
pub async fn list(state: &AppState, scope: &Scope, f: &CertificateFilter) -> AppResult<Page<CertificateSummary>> {
    let page = f.page.clamp(1, 100_000);
    let start = (page - 1) * CERTIFICATES_PER_PAGE;
    let (items, total) = merged(state, scope, f, start, CERTIFICATES_PER_PAGE).await?;
    Ok(Page { items, total, page, per_page: CERTIFICATES_PER_PAGE })
}

/// Rows `start..start + limit` of both kinds in the filter's order: each kind's first `start + limit` rows,
/// merged. Pages stay exact because both kinds are sorted by the same keys (`CERT_ORDERINGS`,
/// `WATCHED_ORDERINGS`), which `compare` repeats.
async fn merged(
    state: &AppState,
    scope: &Scope,
    f: &CertificateFilter,
    start: usize,
    limit: usize,
) -> AppResult<(Vec<CertificateSummary>, usize)> {
    let q = query(state, f, 0, start + limit)?;
    let (sort, desc) = sort_of(f)?;
    let source = source_of(f)?;
    let now = state.now();
    let mut all: Vec<(String, CertificateSummary)> = Vec::new();
    let mut total = 0;
    if source != Some(CertSource::Watched) {
        let (rows, n) = state.store().list_certificates(&scope.store_scope(), &q).await?;
        total += n;
        all.extend(rows.into_iter().map(|r| (r.sort_name.clone(), summary_of(r, now))));
    }
    // Watched certificates have no product or Signet CA, and are never revoked by Signet.
    let watched_match = q.product.is_none() && q.ca_slug.is_none() && q.state != Some(CertState::Revoked);
    if source != Some(CertSource::Issued) && watched_match {
        let order = if desc { WATCHED_ORDERINGS[sort].2 } else { WATCHED_ORDERINGS[sort].1 };
        let (rows, n) = state.store().list_watched(&scope.issuer, scope.client.as_ref(), &q, order).await?;
        total += n;
        all.extend(rows.into_iter().map(|r| (r.sort_name.clone(), watched_summary_of(r, now))));
    }
    all.sort_by(|a, b| compare(sort, desc, a, b));
    Ok((all.into_iter().skip(start).take(limit).map(|(_, c)| c).collect(), total))
}

/// The inventory's order (`CERT_ORDERINGS[sort]`), for merging the two kinds.
fn compare(sort: usize, desc: bool, a: &(String, CertificateSummary), b: &(String, CertificateSummary)) -> Ordering {
    let ((an, a), (bn, b)) = (a, b);
    let flip = |o: Ordering| if desc { o.reverse() } else { o };
    let by_id = || if desc { b.id.cmp(&a.id) } else { a.id.cmp(&b.id) };
    match CERT_ORDERINGS[sort].0 {
        "not_after" => flip(a.not_after.cmp(&b.not_after)).then_with(by_id),
        "common_name" => flip(an.cmp(bn)).then_with(by_id),
        "client" => flip(a.client_name.cmp(&b.client_name))
            .then_with(|| b.issued_at.cmp(&a.issued_at))
            .then_with(|| a.id.cmp(&b.id)),
        "serial" => flip(a.serial.cmp(&b.serial)).then_with(by_id),
        _ => flip(a.issued_at.cmp(&b.issued_at)).then_with(by_id),
    }
}

/// The inventory filtered as `f` says, for `/_app/certificates.csv`.
#[derive(Clone)]
pub struct CertificateExport {
    scope: Scope,
    filter: CertificateFilter,
}

/// Checks the filter once, before the first byte is sent.
pub fn export(state: &AppState, scope: &Scope, filter: CertificateFilter) -> AppResult<CertificateExport> {
    query(state, &filter, 0, 1)?;
    Ok(CertificateExport { scope: scope.clone(), filter })
}

impl CsvExport for CertificateExport {
    /// The issued certificates first, a chunk at a time, then the watched ones.
    async fn chunk(&self, state: &AppState, n: usize) -> AppResult<Option<String>> {
        let source = self.filter.source.trim();
        let (mut summaries, issued_total) = if source != "watched" {
            let q = query(state, &self.filter, n * CHUNK_ROWS, CHUNK_ROWS)?;
            let (rows, total) = state.store().list_certificates(&self.scope.store_scope(), &q).await?;
            let now = state.now();
            (rows.into_iter().map(|r| summary_of(r, now)).collect::<Vec<_>>(), total)
        } else {
            (Vec::new(), 0)
        };
        let issued_chunks = issued_total.div_ceil(CHUNK_ROWS);
        if summaries.is_empty() && source != "issued" && n >= issued_chunks {
            let mut watched_only = self.filter.clone();
            watched_only.source = "watched".into();
            summaries =
                merged(state, &self.scope, &watched_only, (n - issued_chunks) * CHUNK_ROWS, CHUNK_ROWS).await?.0;
        }
        if summaries.is_empty() && n > 0 {
            return Ok(None);
        }
        let header: &[&str] = &[
            "common_name",
            "names",
            "serial",
            "state",
            "not_before",
            "not_after",
            "client",
            "order",
            "product",
            "ca",
            "revoked_at",
            "revocation_reason",
            "source",
        ];
        let lines = summaries.into_iter().map(|c| {
            vec![
                c.common_name,
                c.names.join(" "),
                c.serial,
                c.state.as_str().to_string(),
                c.not_before.to_rfc3339(),
                c.not_after.to_rfc3339(),
                c.client_name,
                c.order_number,
                c.product_name,
                c.ca,
                c.revocation.as_ref().map(|r| r.revoked_at.to_rfc3339()).unwrap_or_default(),
                c.revocation.as_ref().map(|r| r.reason.as_str().to_string()).unwrap_or_default(),
                if c.source == CertSource::Watched { "watched" } else { "issued" }.to_string(),
            ]
        });
        csv_export::lines((n == 0).then_some(header), lines).map(Some)
    }
}

/// The reasons this viewer may give.
pub fn reasons_for(scope: &Scope) -> Vec<RevocationReason> {
    RevocationReason::ALL.into_iter().filter(|r| scope.client.is_none() || r.for_customers()).collect()
}

/// Everything the details page shows of a certificate the viewer may see.
pub async fn detail(state: &AppState, scope: &Scope, id: &str) -> AppResult<CertificateDetail> {
    let Some((row, der_b64)) =
        state.store().certificate_in_scope(&scope.store_scope(), &CertificateId::new(id)).await?
    else {
        return watched_detail(state, scope, id).await;
    };
    let order = row.cert_order.clone();
    let ca_id = row.ca.key().to_string();
    let r = super::renewal::Renewable::of(state, scope, id, row.clone()).await?;
    let (renewal, check) = (Some(r.info(state).await?), Some(super::install_check::panel(state, &r).await?));
    let versions = super::renewal::versions(state, id).await?;
    let (_, _, do_not_renew) = state.store().renewal_choices(&CertificateId::new(id)).await?;
    let notices = notices(state, id, false).await?;
    let now = state.now();
    let summary = summary_of(row, now);
    let der = base64_decode(&der_b64)?;
    let parsed = crate::pki::facts::read(&der).ok_or(AppError::Internal)?;
    let chain = ca::chain_of(state, &ca_id).await?;
    let history = state.store().order_events(&order).await?.into_iter().map(super::orders::event_of).collect();
    let can_revoke = summary.revocation.is_none() && summary.state != CertState::Expired;
    Ok(CertificateDetail {
        days_left: (summary.not_after - now).num_days(),
        summary,
        facts: parsed,
        chain,
        pem: crate::pki::csr::to_pem("CERTIFICATE", &der),
        history,
        can_revoke,
        reasons: reasons_for(scope),
        renewal,
        versions,
        do_not_renew,
        notices,
        check,
    })
}

/// The details page of a watched certificate: what it says, the chain it was handed in with, no revocation.
async fn watched_detail(state: &AppState, scope: &Scope, id: &str) -> AppResult<CertificateDetail> {
    let (row, pem, chain) = state
        .store()
        .watched_in_scope(&scope.issuer, scope.client.as_ref(), &TrackedId::new(id))
        .await?
        .ok_or(AppError::NotFound)?;
    let now = state.now();
    let history = vec![OrderEvent {
        at: row.added_at,
        actor: row.added_by.clone(),
        kind: "watched".into(),
        detail: "Handed in to be watched for its expiry.".into(),
    }];
    let summary = watched_summary_of(row, now);
    let der = ::pem::parse(&pem).map_err(|_| AppError::Internal)?.into_contents();
    let facts = crate::pki::facts::read(&der).ok_or(AppError::Internal)?;
    let chain = chain
        .iter()
        .filter_map(|p| ::pem::parse(p).ok())
        .filter_map(|p| crate::pki::facts::read_chain_entry(p.contents()))
        .collect();
    Ok(CertificateDetail {
        days_left: (summary.not_after - now).num_days(),
        summary,
        facts,
        chain,
        pem,
        history,
        can_revoke: false,
        reasons: Vec::new(),
        renewal: None,
        versions: Vec::new(),
        do_not_renew: state.store().watched_do_not_renew(&TrackedId::new(id)).await?,
        notices: notices(state, id, true).await?,
        check: None,
    })
}

async fn notices(state: &AppState, id: &str, watched: bool) -> AppResult<Vec<ExpiryNotice>> {
    let rows = state.store().notices_of(id, watched).await?;
    Ok(rows.into_iter().map(|n| ExpiryNotice { days: n.days, sent_to: n.sent_to, sent_at: n.sent_at }).collect())
}

fn base64_decode(text: &str) -> AppResult<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(text).map_err(|_| AppError::Internal)
}

/// Revokes a certificate: final, audited, the order's contacts told, the CA's CRL and OCSP updated at once.
pub async fn revoke(state: &AppState, scope: &Scope, id: &str, input: RevokeInput) -> AppResult<CertificateSummary> {
    if !reasons_for(scope).contains(&input.reason) {
        return Err(AppError::field("reason", "Only the issuer's staff can revoke with \"Privilege withdrawn\"."));
    }
    let comment = input.comment.trim();
    if comment.chars().count() > MAX_COMMENT {
        return Err(AppError::field("comment", format!("Keep the comment to {MAX_COMMENT} characters.")));
    }
    let by = &scope.actor.email;
    let outcome = state
        .store()
        .revoke_certificate(
            &scope.store_scope(),
            &CertificateId::new(id),
            input.reason.as_str(),
            comment,
            by,
            state.now(),
        )
        .await?;
    let row = match outcome {
        RevokeOutcome::NotFound => return Err(AppError::NotFound),
        RevokeOutcome::AlreadyRevoked(row) => {
            let previous = summary_of(row, state.now()).revocation;
            let (at, reason) = previous.map(|r| (r.revoked_at, r.reason.label())).unwrap_or((state.now(), ""));
            return Err(AppError::Conflict(format!(
                "This certificate was revoked on {} ({reason}); revocation is final.",
                at.format("%Y-%m-%d %H:%M UTC")
            )));
        }
        RevokeOutcome::Revoked(row) => row,
    };
    ca::crl::after_revocation(state, &row.ca).await;
    let summary = summary_of(row.clone(), state.now());
    let detail = if comment.is_empty() {
        input.reason.label().to_string()
    } else {
        format!("{}: {comment}", input.reason.label())
    };
    state.store().add_order_event(&row.cert_order, state.now(), by, "revoked", &detail).await?;
    let target = format!("{} (serial {})", summary.common_name, summary.serial);
    audit::record_about(
        state,
        &scope.actor,
        Some(&scope.issuer),
        Some(&summary.client_id),
        "certificate.revoke",
        &target,
        &detail,
    )
    .await?;
    tell_contacts(state, scope, &row, &summary, input.reason, comment).await?;
    Ok(summary)
}

async fn tell_contacts(
    state: &AppState,
    scope: &Scope,
    row: &CertListRow,
    summary: &CertificateSummary,
    reason: RevocationReason,
    comment: &str,
) -> AppResult<()> {
    let parties = state.store().order_parties(&row.cert_order).await?.ok_or(AppError::Internal)?;
    let mut sent: Vec<String> = Vec::new();
    for contact in [&parties.technical, &parties.corporate] {
        let address = contact.email.trim().to_lowercase();
        if address.is_empty() || sent.contains(&address) {
            continue;
        }
        let text = mail::texts::certificate_revoked(&mail::texts::Revoked {
            name: &contact.name,
            number: &summary.order_number,
            names: &summary.names,
            serial: &summary.serial,
            reason: reason.label(),
            comment,
            by: &scope.actor.email,
            certificate_id: &summary.id,
            public_url: &state.settings().public_url,
        });
        mail::send(state, &address, &text.subject, &text.body, Some(&scope.issuer)).await?;
        sent.push(address);
    }
    Ok(())
}

/// The inventory columns this person chose, or the default ones.
pub async fn columns(state: &AppState, scope: &Scope) -> AppResult<Vec<String>> {
    let user = scope.user_id.as_ref().ok_or(AppError::Unauthenticated)?;
    let chosen = state.store().certificate_columns(&user).await?;
    Ok(chosen.unwrap_or_else(|| DEFAULT_CERTIFICATE_COLUMNS.iter().map(|c| c.to_string()).collect()))
}

pub async fn set_columns(state: &AppState, scope: &Scope, columns: Vec<String>) -> AppResult<Vec<String>> {
    let user = scope.user_id.as_ref().ok_or(AppError::Unauthenticated)?;
    let known: Vec<String> =
        CERTIFICATE_COLUMNS.iter().map(|(key, _)| key.to_string()).filter(|key| columns.contains(key)).collect();
    if known.is_empty() {
        return Err(AppError::field("columns", "Show at least one column."));
    }
    state.store().set_certificate_columns(&user, known.clone()).await?;
    Ok(known)
}
