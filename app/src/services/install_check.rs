//! The installation check (TBS's green / orange / red): Signet connects to a host the certificate covers, reads
//! the chain it serves and says, in words, whether it serves the newest version of this certificate with its
//! complete chain and far from expiry. On demand from the certificate page or the API, and every few hours for
//! the installations an issuer chose to monitor, with a notice to the contacts when the colour changes.

use super::orders::Scope;
use super::renewal::Renewable;
use super::tls_peer::{self, Target};
use super::{mail, Actor, AppState};
use crate::error::{AppError, AppResult};
use crate::model::*;
use crate::store::CertificateId;
use chrono::{DateTime, Duration, TimeZone, Utc};
use x509_parser::prelude::*;

/// A monitored installation is checked again after this long.
const MONITOR_HOURS: i64 = 6;
/// Orange from this many days before expiry.
const EXPIRING_DAYS: i64 = 30;

/// The check panel of an issued certificate: where it was checked, whether it is monitored, the last outcome.
pub(super) async fn panel(state: &AppState, r: &Renewable) -> AppResult<CheckPanel> {
    let record = state.store().check_record(&CertificateId::new(&r.cert_id)).await?;
    Ok(CheckPanel {
        host: record.check_host.unwrap_or_else(|| default_host(&r.cert.names)),
        port: record.check_port.and_then(|p| u16::try_from(p).ok()).unwrap_or(443),
        monitor: record.check_monitor.unwrap_or(false),
        last: record.check_last.and_then(|j| serde_json::from_str(&j).ok()),
    })
}

/// The first name that is not a wildcard (a wildcard's base domain otherwise).
fn default_host(names: &[String]) -> String {
    names
        .iter()
        .find(|n| !n.starts_with("*."))
        .or(names.first())
        .map(|n| n.trim_start_matches("*.").to_string())
        .unwrap_or_default()
}

/// Runs the check for a certificate the viewer may see, and keeps its settings and outcome.
pub async fn check(state: &AppState, scope: &Scope, cert_id: &str, input: CheckInput) -> AppResult<InstallCheck> {
    let r = Renewable::load(state, scope, cert_id).await?.ok_or(AppError::NotFound)?;
    let host = match input.host.trim().trim_end_matches('.').to_lowercase() {
        h if h.is_empty() => default_host(&r.cert.names),
        h => h,
    };
    if !r.cert.names.iter().any(|n| covers(n, &host)) {
        let names = r.cert.names.join(", ");
        return Err(AppError::field("host", format!("Check one of the certificate's names ({names}).")));
    }
    let port = match input.port.trim() {
        "" => 443,
        p => p
            .parse::<u16>()
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| AppError::field("port", "A port from 1 to 65535."))?,
    };
    let outcome = run(state, &r, &host, port).await?;
    let json = serde_json::to_string(&outcome).map_err(|_| AppError::Internal)?;
    state.store().save_check(&CertificateId::new(cert_id), &host, port, input.monitor, &json, state.now()).await?;
    Ok(outcome)
}

/// The check as the REST API runs it: `host` and `port` (the stored ones, else the first name on 443), the
/// monitoring left as it is.
pub async fn check_keeping_monitor(
    state: &AppState,
    scope: &Scope,
    cert_id: &str,
    host: Option<String>,
    port: Option<u16>,
) -> AppResult<InstallCheck> {
    let r = Renewable::load(state, scope, cert_id).await?.ok_or(AppError::NotFound)?;
    let current = panel(state, &r).await?;
    let input = CheckInput {
        host: host.unwrap_or(current.host),
        port: port.unwrap_or(current.port).to_string(),
        monitor: current.monitor,
    };
    check(state, scope, cert_id, input).await
}

/// The monitored installations due for a check: each checked, kept, and its contacts told when the colour
/// changed. The number checked.
pub async fn run_monitored(state: &AppState) -> AppResult<usize> {
    let now = state.now();
    let due = state.store().monitored_checks_due(now - Duration::hours(MONITOR_HOURS), now).await?;
    for m in &due {
        let actor = Actor { user_id: None, email: "Signet (installation check)".into(), ip: String::new() };
        let scope = Scope { issuer: m.issuer.clone(), client: None, can_approve: false, user_id: None, actor };
        let Some(r) = Renewable::load(state, &scope, m.id.key()).await? else { continue };
        let before = panel(state, &r).await?;
        let input = CheckInput { host: before.host.clone(), port: before.port.to_string(), monitor: true };
        let outcome = check(state, &scope, m.id.key(), input).await?;
        if before.last.as_ref().is_some_and(|last| last.colour != outcome.colour) {
            notify_change(state, &r, &outcome).await?;
        }
    }
    Ok(due.len())
}

async fn notify_change(state: &AppState, r: &Renewable, outcome: &InstallCheck) -> AppResult<()> {
    let link = format!("{}/certificates/{}", state.settings().public_url, r.cert_id);
    let text =
        mail::texts::installation_changed(&outcome.host, outcome.port, outcome.colour.label(), &outcome.reasons, &link);
    let to = super::expiry::contacts(Some(&r.order.parties), r.order.notify.as_deref().unwrap_or_default());
    let issuer = &r.order.issuer;
    for address in to {
        mail::send(state, &address, &text.subject, &text.body, Some(issuer)).await?;
    }
    Ok(())
}

/// Whether certificate name `name` covers `host` (a wildcard covers one label).
fn covers(name: &str, host: &str) -> bool {
    let name = name.to_lowercase();
    match name.strip_prefix("*.") {
        Some(base) => host.split_once('.').is_some_and(|(label, rest)| !label.is_empty() && rest == base),
        None => name == host,
    }
}

/// Connects and judges what the host serves.
async fn run(state: &AppState, r: &Renewable, host: &str, port: u16) -> AppResult<InstallCheck> {
    let now = state.now();
    let connect = state.settings().check_tls_connect.as_ref().map(|h| format!("{h}:{port}"));
    let target = match &connect {
        Some(c) => Target::Override(c),
        None => Target::Public(port),
    };
    let outcome = |colour, reasons, served_serial| InstallCheck {
        colour,
        host: host.to_string(),
        port,
        reasons,
        checked_at: now,
        served_serial,
    };
    let chain = match tls_peer::handshake(target, host, None).await {
        Ok(peer) if !peer.chain.is_empty() => peer.chain,
        Ok(_) => return Ok(outcome(CheckColour::Red, vec![format!("{host} presented no certificate.")], None)),
        Err(why) => return Ok(outcome(CheckColour::Red, vec![why], None)),
    };
    let Ok((_, leaf)) = X509Certificate::from_der(&chain[0]) else {
        let why = format!("The certificate {host} serves cannot be read.");
        return Ok(outcome(CheckColour::Red, vec![why], None));
    };
    let served = crate::services::ca::serial_hex(&chain[0]);
    let line = state.store().certificate_versions(&CertificateId::new(&r.cert_id)).await?;
    let known = state.store().certificate_by_serial(&served).await?;
    let ours = known.as_ref().is_some_and(|k| {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.decode(&k.der).is_ok_and(|der| der == chain[0])
    });
    let facts = Served {
        host,
        leaf: &leaf,
        serial: &served,
        position: line.iter().position(|v| v.serial == served && ours),
        newest: line.last().map(|v| (v.serial.clone(), v.not_after)),
        revoked: ours && known.as_ref().is_some_and(|k| k.revoked),
        chain: &chain,
    };
    let (colour, reasons) = judge(&facts, now);
    Ok(outcome(colour, reasons, Some(served)))
}

/// What the host served, beside this certificate's line of versions.
struct Served<'a> {
    host: &'a str,
    leaf: &'a X509Certificate<'a>,
    serial: &'a str,
    /// Where the served certificate is in the line (oldest first), if it is one of its versions.
    position: Option<usize>,
    /// The newest version's serial and expiry.
    newest: Option<(String, DateTime<Utc>)>,
    revoked: bool,
    chain: &'a [Vec<u8>],
}

fn judge(s: &Served, now: DateTime<Utc>) -> (CheckColour, Vec<String>) {
    let day = |t: DateTime<Utc>| t.format("%Y-%m-%d").to_string();
    let not_after = Utc.timestamp_opt(s.leaf.validity().not_after.timestamp(), 0).single().unwrap_or(now);
    let names = served_names(s.leaf);
    let mut red = Vec::new();
    if !names.iter().any(|n| covers(n, s.host)) {
        red.push(format!("The certificate served names {}, not {}.", names.join(", "), s.host));
    }
    if not_after < now {
        red.push(format!("The certificate served expired on {}.", day(not_after)));
    }
    if s.revoked {
        red.push(format!("The certificate served (serial {}) was revoked.", s.serial));
    }
    if s.position.is_none() {
        red.push(format!(
            "{} serves another certificate (serial {}, issued by {}), not this one or a renewal of it.",
            s.host,
            s.serial,
            s.leaf.issuer()
        ));
    }
    if !red.is_empty() {
        return (CheckColour::Red, red);
    }
    let mut orange = Vec::new();
    if let Some((newest, newest_until)) = &s.newest {
        if newest != s.serial {
            orange.push(format!(
                "{} still serves an older version (serial {}); install the newest (serial {newest}, valid until {}).",
                s.host,
                s.serial,
                day(*newest_until)
            ));
        }
    }
    if not_after - now < Duration::days(EXPIRING_DAYS) {
        orange.push(format!(
            "The certificate served expires in {} days ({}).",
            (not_after - now).num_days(),
            day(not_after)
        ));
    }
    if let Some(problem) = chain_problem(s.leaf, s.chain) {
        orange.push(problem);
    }
    if !orange.is_empty() {
        return (CheckColour::Orange, orange);
    }
    let fine = format!(
        "{} serves the newest certificate (serial {}) with its complete chain, valid until {}.",
        s.host,
        s.serial,
        day(not_after)
    );
    (CheckColour::Green, vec![fine])
}

fn served_names(cert: &X509Certificate) -> Vec<String> {
    cert.subject_alternative_name()
        .ok()
        .flatten()
        .map(|san| {
            san.value
                .general_names
                .iter()
                .filter_map(|g| match g {
                    GeneralName::DNSName(d) => Some(d.to_lowercase()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The chain after the leaf must start with the certificate that signed it (the root may be left out).
fn chain_problem(leaf: &X509Certificate, chain: &[Vec<u8>]) -> Option<String> {
    let rest: Vec<X509Certificate> =
        chain[1..].iter().filter_map(|der| X509Certificate::from_der(der).ok().map(|(_, c)| c)).collect();
    let signed = |parent: &X509Certificate| {
        parent.subject() == leaf.issuer() && leaf.verify_signature(Some(parent.public_key())).is_ok()
    };
    match rest.iter().position(signed) {
        Some(0) => None,
        Some(_) => {
            Some("The chain is out of order: the issuing CA's certificate is not right after the server's.".into())
        }
        None => Some(format!(
            "The chain is incomplete: the server does not send the issuing CA's certificate ({}).",
            leaf.issuer()
        )),
    }
}
