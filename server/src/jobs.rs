//! Background work that runs beside the web server.

use app::services::{expiry, mail, orders, seal_pages, AppState};
use std::time::Duration;

pub fn spawn(state: AppState) {
    tokio::spawn(mail::run_worker(state.clone()));
    tokio::spawn(seal_pages::run_copy_writer(state.clone()));
    tokio::spawn(recheck_validations(state.clone()));
    tokio::spawn(refresh_crls(state.clone()));
    tokio::spawn(renewals_and_reminders(state.clone()));
    tokio::spawn(activity_reports(state.clone()));
    tokio::spawn(purge_sessions(state));
}

/// Signs each issuing CA's CRL again when it is a day old (revocations sign one at once) and reminds the
/// operators of the root's ARL before it runs out.
async fn refresh_crls(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(600));
    loop {
        tick.tick().await;
        if let Err(e) = app::services::ca::crl::refresh_due(&state).await {
            tracing::warn!(error = %e, "CRL refresh failed");
        }
    }
}

/// Automatic renewals and expiry reminders every five minutes (every instance runs it; each renewal and each
/// notice happens once), and the monitored installation checks that are due.
async fn renewals_and_reminders(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(300));
    loop {
        tick.tick().await;
        match expiry::run_due(&state).await {
            Ok(r) if r.renewals + r.notices + r.revocations > 0 => {
                let (renewals, notices, revocations) = (r.renewals, r.notices, r.revocations);
                tracing::info!(renewals, notices, revocations, "renewals, reminders and scheduled revocations")
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "renewals and reminders failed"),
        }
        if let Err(e) = app::services::install_check::run_monitored(&state).await {
            tracing::warn!(error = %e, "monitored installation checks failed");
        }
    }
}

/// Activity reports to clients whose seals were copied, every minute (for issuers that report immediately;
/// the daily and weekly reports go out on the first run of their day, once across instances).
async fn activity_reports(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    loop {
        tick.tick().await;
        match app::services::activity_reports::run_due(&state).await {
            Ok(0) => {}
            Ok(reports) => tracing::info!(reports, "activity reports queued"),
            Err(e) => tracing::warn!(error = %e, "activity reports failed"),
        }
    }
}

/// Re-checks pending HTTP and DNS validations every minute, so that an order issues once the customer has
/// published the file or record, without anybody pressing "check now".
async fn recheck_validations(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    loop {
        tick.tick().await;
        if let Err(e) = orders::recheck_pending(&state).await {
            tracing::warn!(error = %e, "validation re-check failed");
        }
    }
}

/// Removes expired sessions and ACME nonces once an hour (they are refused on use anyway; this keeps the tables
/// small).
async fn purge_sessions(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tick.tick().await;
        if let Err(e) = app::services::accounts::purge_sessions(&state).await {
            tracing::warn!(error = %e, "session purge failed");
        }
        if let Err(p) = app::services::acme::prune_nonces(&state).await {
            tracing::warn!(detail = %p.detail, "ACME nonce purge failed");
        }
    }
}
