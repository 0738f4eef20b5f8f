//! Recording and reading the audit log.

use super::csv_export::{self, CsvExport};
use super::{Actor, AppState};
use crate::error::{AppError, AppResult};
use crate::model::{AuditEntry, AuditFilter};
use crate::store::{AuditQuery, IssuerId, NewAudit};
use chrono::{NaiveDate, TimeZone, Utc};

/// Records one change. A failure to write the audit log is logged and fails the request: a change that
/// cannot be accounted for should be noticed.
pub async fn record(
    state: &AppState,
    actor: &Actor,
    issuer: Option<&IssuerId>,
    action: &str,
    target: &str,
    detail: impl Into<String>,
) -> AppResult<()> {
    record_about(state, actor, issuer, None, action, target, detail).await
}

/// Like `record`, for a change about one client, so that it also shows in that client's activity.
pub async fn record_about(
    state: &AppState,
    actor: &Actor,
    issuer: Option<&IssuerId>,
    subject: Option<&str>,
    action: &str,
    target: &str,
    detail: impl Into<String>,
) -> AppResult<()> {
    state.store().record_audit(entry(state, actor, issuer, subject, action, target, detail)).await?;
    Ok(())
}

/// An entry ready to be stored, for callers that store it inside their own transaction.
pub fn entry(
    state: &AppState,
    actor: &Actor,
    issuer: Option<&IssuerId>,
    subject: Option<&str>,
    action: &str,
    target: &str,
    detail: impl Into<String>,
) -> NewAudit {
    NewAudit {
        at: state.now(),
        actor: actor.user_id.clone(),
        actor_email: actor.email.clone(),
        issuer: issuer.cloned(),
        action: action.to_string(),
        target: target.to_string(),
        detail: detail.into(),
        ip: actor.ip.clone(),
        subject: subject.map(str::to_string),
    }
}

/// The most entries the audit page shows at once (the CSV export has every one).
pub const MAX_ROWS: i64 = 5000;

/// Lists entries, newest first. `issuer_scope` is `Some(id)` for issuer admins (forced to their issuer) and
/// `None` for the operator, who may pick an issuer by slug in the filter.
pub async fn list(
    state: &AppState,
    issuer_scope: Option<IssuerId>,
    filter: &AuditFilter,
    limit: i64,
) -> AppResult<Vec<AuditEntry>> {
    let Some(mut query) = query(state, issuer_scope, filter).await? else {
        return Ok(Vec::new());
    };
    query.limit = limit.clamp(1, MAX_ROWS);
    Ok(state.store().list_audit(query).await?)
}

/// The store query of a filter; `None` when it names an issuer that does not exist (nothing matches).
async fn query(
    state: &AppState,
    issuer_scope: Option<IssuerId>,
    filter: &AuditFilter,
) -> AppResult<Option<AuditQuery>> {
    let issuer = match issuer_scope {
        Some(id) => Some(id),
        None if !filter.issuer.trim().is_empty() => match state.store().issuer_by_slug(filter.issuer.trim()).await? {
            Some(i) => Some(IssuerId::new(i.id)),
            None => return Ok(None),
        },
        None => None,
    };
    let date = |field: &str, value: &str| -> AppResult<Option<NaiveDate>> {
        let v = value.trim();
        if v.is_empty() {
            return Ok(None);
        }
        NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| AppError::field(field, "Use a date like 2026-11-22."))
    };
    let from = date("from", &filter.from)?;
    let to = date("to", &filter.to)?;
    let nonempty = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
    Ok(Some(AuditQuery {
        issuer,
        actor: nonempty(&filter.actor),
        action: nonempty(&filter.action),
        from: from.and_then(|d| d.and_hms_opt(0, 0, 0)).map(|d| Utc.from_utc_datetime(&d)),
        to: to.and_then(|d| d.succ_opt()).and_then(|d| d.and_hms_opt(0, 0, 0)).map(|d| Utc.from_utc_datetime(&d)),
        limit: 1,
        start: 0,
    }))
}

/// The filtered audit log (every entry) as CSV.
#[derive(Clone)]
pub struct AuditExport {
    /// `None`: the filter matches nothing.
    query: Option<AuditQuery>,
}

/// Starts an export: the filter is checked now, so that a bad one is refused before anything is sent. Entries
/// written while the export runs are left out, so that they do not shift the chunks still to come.
pub async fn export(state: &AppState, issuer_scope: Option<IssuerId>, filter: &AuditFilter) -> AppResult<AuditExport> {
    let mut query = query(state, issuer_scope, filter).await?;
    if let Some(q) = query.as_mut() {
        let started = state.now() + chrono::Duration::microseconds(1);
        q.to = Some(q.to.map_or(started, |to| to.min(started)));
        q.limit = csv_export::CHUNK_ROWS as i64;
    }
    Ok(AuditExport { query })
}

impl CsvExport for AuditExport {
    async fn chunk(&self, state: &AppState, n: usize) -> AppResult<Option<String>> {
        let rows = match &self.query {
            Some(q) => {
                let q = AuditQuery { start: n as i64 * q.limit, ..q.clone() };
                state.store().list_audit(q).await?
            }
            None => Vec::new(),
        };
        if rows.is_empty() && n > 0 {
            return Ok(None);
        }
        let header: &[&str] = &["time (UTC)", "user", "issuer", "action", "target", "detail", "address"];
        csv_export::lines((n == 0).then_some(header), rows.iter().map(csv_row)).map(Some)
    }
}

fn csv_row(e: &AuditEntry) -> Vec<String> {
    vec![
        e.at.format("%Y-%m-%d %H:%M:%S").to_string(),
        e.actor_email.clone(),
        e.issuer.clone().unwrap_or_default(),
        e.action.clone(),
        e.target.clone(),
        e.detail.clone(),
        e.ip.clone(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_has_header_and_neutralises_formulas() {
        let entry = AuditEntry {
            id: "x".into(),
            at: Utc.with_ymd_and_hms(2026, 11, 22, 8, 30, 0).unwrap(),
            actor_email: "ana@smib.hr".into(),
            issuer: Some("smib".into()),
            action: "issuer.update".into(),
            target: "=HYPERLINK(\"x\")".into(),
            detail: "name, \"quoted\"".into(),
            ip: "127.0.0.1".into(),
        };
        let header: &[&str] = &["time (UTC)", "user", "issuer", "action", "target", "detail", "address"];
        let csv = csv_export::lines(Some(header), [csv_row(&entry)].into_iter()).unwrap();
        let mut lines = csv.lines();
        assert_eq!(lines.next().unwrap(), "time (UTC),user,issuer,action,target,detail,address");
        assert_eq!(
            lines.next().unwrap(),
            "2026-11-22 08:30:00,ana@smib.hr,smib,issuer.update,\"'=HYPERLINK(\"\"x\"\")\",\"name, \"\"quoted\"\"\",127.0.0.1"
        );
    }
}
