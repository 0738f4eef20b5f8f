//! Recording and reading the audit log.

use super::{Actor, AppState};
use crate::error::{AppError, AppResult};
use crate::model::{AuditEntry, AuditFilter};
use crate::store::{AuditQuery, NewAudit};
use chrono::{NaiveDate, TimeZone, Utc};

/// Records one change. A failure to write the audit log is logged and fails the request: a change that
/// cannot be accounted for should be noticed.
pub async fn record(
    state: &AppState,
    actor: &Actor,
    issuer: Option<&str>,
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
    issuer: Option<&str>,
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
    issuer: Option<&str>,
    subject: Option<&str>,
    action: &str,
    target: &str,
    detail: impl Into<String>,
) -> NewAudit {
    NewAudit {
        at: state.now(),
        actor: actor.user_id.clone(),
        actor_email: actor.email.clone(),
        issuer: issuer.map(str::to_string),
        action: action.to_string(),
        target: target.to_string(),
        detail: detail.into(),
        ip: actor.ip.clone(),
        subject: subject.map(str::to_string),
    }
}

pub const MAX_ROWS: i64 = 5000;

/// Lists entries. `issuer_scope` is `Some(id)` for issuer admins (forced to their issuer) and `None` for the
/// operator, who may pick an issuer by slug in the filter.
pub async fn list(
    state: &AppState,
    issuer_scope: Option<String>,
    filter: &AuditFilter,
    limit: i64,
) -> AppResult<Vec<AuditEntry>> {
    let issuer = match issuer_scope {
        Some(id) => Some(id),
        None if !filter.issuer.trim().is_empty() => match state.store().issuer_by_slug(filter.issuer.trim()).await? {
            Some(i) => Some(i.key()),
            None => return Ok(Vec::new()),
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
    let rows = state
        .store()
        .list_audit(AuditQuery {
            issuer,
            actor: nonempty(&filter.actor),
            action: nonempty(&filter.action),
            from: from.and_then(|d| d.and_hms_opt(0, 0, 0)).map(|d| Utc.from_utc_datetime(&d)),
            to: to.and_then(|d| d.succ_opt()).and_then(|d| d.and_hms_opt(0, 0, 0)).map(|d| Utc.from_utc_datetime(&d)),
            limit: limit.clamp(1, MAX_ROWS),
        })
        .await?;
    Ok(rows.into_iter().map(|r| r.into_model()).collect())
}

/// The entries as CSV, with a header line.
pub fn to_csv(entries: &[AuditEntry]) -> AppResult<String> {
    let rows = entries.iter().map(|e| {
        vec![
            e.at.format("%Y-%m-%d %H:%M:%S").to_string(),
            e.actor_email.clone(),
            e.issuer.clone().unwrap_or_default(),
            e.action.clone(),
            e.target.clone(),
            e.detail.clone(),
            e.ip.clone(),
        ]
    });
    csv_document(&["time (UTC)", "user", "issuer", "action", "target", "detail", "address"], rows)
}

/// A CSV document with a header line; every cell is neutralised against spreadsheet formulas.
pub fn csv_document(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> AppResult<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let internal = |e: csv::Error| {
        tracing::error!(error = %e, "csv export");
        AppError::Internal
    };
    w.write_record(header).map_err(internal)?;
    for row in rows {
        w.write_record(row.iter().map(|cell| neutralise(cell))).map_err(internal)?;
    }
    let bytes = w.into_inner().map_err(|e| internal(e.into_error().into()))?;
    String::from_utf8(bytes).map_err(|_| AppError::Internal)
}

/// Spreadsheets run cells that start with = + - @ as formulas; a leading apostrophe keeps them text.
fn neutralise(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    }
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
        let csv = to_csv(&[entry]).unwrap();
        let mut lines = csv.lines();
        assert_eq!(lines.next().unwrap(), "time (UTC),user,issuer,action,target,detail,address");
        assert_eq!(
            lines.next().unwrap(),
            "2026-11-22 08:30:00,ana@smib.hr,smib,issuer.update,\"'=HYPERLINK(\"\"x\"\")\",\"name, \"\"quoted\"\"\",127.0.0.1"
        );
    }
}
