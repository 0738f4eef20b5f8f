//! The domain, on the server. Services validate, decide and call the store; they know nothing of HTTP
//! beyond the caller's address, which the audit log records.

pub mod account_sessions;
pub mod accounts;
pub mod acme;
#[cfg(test)]
mod acme_tests;
pub mod activity_reports;
pub mod api_keys;
pub mod audit;
pub mod ca;
pub mod catalog;
pub mod certificates;
pub mod client_files;
pub mod clients;
pub mod clock;
pub mod csv_export;
pub mod dcv;
pub mod documents;
pub mod expiry;
#[cfg(test)]
mod expiry_tests;
pub mod install_check;
#[cfg(test)]
mod invitation_tests;
pub mod invitations;
pub mod issuers;
pub mod mail;
#[cfg(test)]
mod newsletter_tests;
pub mod newsletters;
#[cfg(test)]
mod order_tests;
pub mod orders;
pub mod products;
pub mod reissue;
#[cfg(test)]
mod reissue_tests;
pub mod renewal;
#[cfg(test)]
mod renewal_tests;
#[cfg(test)]
mod revocation_tests;
pub mod seal_mail;
#[cfg(test)]
mod seal_mail_tests;
pub mod seal_pages;
#[cfg(test)]
mod seal_tests;
pub mod seals;
pub mod secrets;
pub mod signed_ids;
#[cfg(test)]
mod smtp_sink;
pub mod templates;
#[cfg(test)]
mod tests;
pub mod tls_peer;
pub mod tracking;
pub mod watched;
#[cfg(test)]
mod watched_tests;

use crate::store::{Store, UserId};
use chrono::Duration;
use clock::Clock;
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

/// Settings the services need, taken from the server's `Config`.
#[derive(Debug, Clone)]
pub struct Settings {
    /// How people reach Signet, without a trailing slash; used in e-mailed links.
    pub public_url: String,
    pub session_idle: Duration,
    pub session_max: Duration,
    /// The SMTP URL as given (`smtp://…`, `smtps://…`); `None` keeps mail in the outbox.
    pub smtp_url: Option<String>,
    pub mail_from: String,
    /// Newsletter copies handed to the SMTP server per minute, across all issuers.
    pub newsletter_rate_per_minute: u32,
    /// How many reverse proxies in front of Signet append to `X-Forwarded-For` (0: none, use the peer address).
    pub trusted_proxies: usize,
    /// Base of the URLs written into certificates (AIA, CRL distribution point): plain http, as BR 7.1.2
    /// requires, without a trailing slash.
    pub pki_url: String,
    /// Where domain control validation looks (DNS server, HTTP connect override).
    pub dcv: dcv::DcvSettings,
    /// What the ACME server publishes and how much one account or binding may ask of it.
    pub acme: acme::AcmeSettings,
    /// The installation check connects to this host (the port stays the one checked) instead of the name's
    /// public addresses; for split-horizon networks and tests.
    pub check_tls_connect: Option<String>,
}

impl Settings {
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// The host name people reach Signet by (`https://signet.example.org:8443` → `signet.example.org`).
    pub fn public_host(&self) -> &str {
        host_of_url(&self.public_url)
    }

    /// The host name of the URLs written into certificates.
    pub fn pki_host(&self) -> &str {
        host_of_url(&self.pki_url)
    }

    /// What the service tests run with: outbox mail, no proxy, test host names.
    #[cfg(test)]
    pub fn for_tests() -> Settings {
        Settings {
            public_url: "https://signet.test".into(),
            session_idle: Duration::minutes(60),
            session_max: Duration::hours(12),
            smtp_url: None,
            mail_from: "Signet <signet@signet.test>".into(),
            newsletter_rate_per_minute: 600,
            trusted_proxies: 0,
            pki_url: "http://pki.signet.test".into(),
            dcv: Default::default(),
            acme: Default::default(),
            check_tls_connect: None,
        }
    }
}

/// `https://signet.example.org:8443/path` → `signet.example.org` (an IPv6 address without its brackets).
fn host_of_url(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => authority.split(':').next().unwrap_or(""),
    }
}

/// A fresh in-memory state whose clock stands still at 2026-11-22 09:00 UTC until a test moves it.
#[cfg(test)]
pub async fn test_state() -> AppState {
    test_state_with(Settings::for_tests()).await
}

#[cfg(test)]
pub async fn test_state_with(settings: Settings) -> AppState {
    use chrono::TimeZone;
    AppState::new(
        Store::in_memory().await,
        Clock::manual(chrono::Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0).unwrap()),
        settings,
    )
}

struct Inner {
    store: Store,
    clock: Clock,
    settings: Settings,
    mail_wakeup: Notify,
    setup_token: Mutex<Option<String>>,
    seals: seal_pages::SealRuntime,
    ca: ca::CaRuntime,
    dcv: dcv::DcvRuntime,
}

/// Everything a request needs, cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl AppState {
    pub fn new(store: Store, clock: Clock, settings: Settings) -> Self {
        // A random key until the server sets the one kept in the data folder (`with_link_key`).
        let seals = seal_pages::SealRuntime::new(secrets::random_key());
        // Likewise a random master key until the server sets the configured one (`with_master_key`).
        let ca = ca::CaRuntime::new(secrets::random_key());
        let dcv = dcv::DcvRuntime::new(&settings.dcv);
        AppState(Arc::new(Inner {
            store,
            clock,
            settings,
            mail_wakeup: Notify::new(),
            setup_token: Mutex::new(None),
            seals,
            ca,
            dcv,
        }))
    }

    /// Sets the key that seals CA private keys at rest; call right after `new`.
    pub fn with_master_key(mut self, key: [u8; 32]) -> Self {
        if let Some(inner) = Arc::get_mut(&mut self.0) {
            inner.ca = ca::CaRuntime::new(key);
        }
        self
    }
    pub fn ca_runtime(&self) -> &ca::CaRuntime {
        &self.0.ca
    }
    pub fn dcv_runtime(&self) -> &dcv::DcvRuntime {
        &self.0.dcv
    }

    /// Sets the key that signs secure coded links (`/c/{token}`); call right after `new`.
    pub fn with_link_key(mut self, key: [u8; 32]) -> Self {
        if let Some(inner) = Arc::get_mut(&mut self.0) {
            inner.seals = seal_pages::SealRuntime::new(key);
        }
        self
    }
    pub fn seal_runtime(&self) -> &seal_pages::SealRuntime {
        &self.0.seals
    }
    /// Forgets the cached public facts of seals; called after every change to a seal or a domain.
    pub fn invalidate_seal_cache(&self) {
        self.0.seals.clear();
    }
    /// The database, for services only: everything else goes through a service (see `api::tests`).
    pub fn store(&self) -> &Store {
        &self.0.store
    }
    /// Whether the database answers; for `/healthz`.
    pub async fn database_answers(&self) -> bool {
        self.0.store.ping().await
    }
    pub fn clock(&self) -> &Clock {
        &self.0.clock
    }
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.clock.now()
    }
    pub fn settings(&self) -> &Settings {
        &self.0.settings
    }
    pub fn mail_wakeup(&self) -> &Notify {
        &self.0.mail_wakeup
    }

    /// Creates the one-time setup token if no operator exists yet; returns it so start-up can print the link.
    pub async fn prepare_setup(&self) -> Result<Option<String>, crate::error::AppError> {
        if self.store().count_operators().await? > 0 {
            *self.lock_setup() = None;
            return Ok(None);
        }
        let token = secrets::random_token();
        *self.lock_setup() = Some(token.clone());
        Ok(Some(token))
    }

    /// Checks a setup token in constant time; true while no operator has been created with it.
    pub fn setup_token_matches(&self, token: &str) -> bool {
        match self.lock_setup().as_deref() {
            Some(expected) => constant_time_eq(expected.as_bytes(), token.as_bytes()),
            None => false,
        }
    }

    pub fn clear_setup_token(&self) {
        *self.lock_setup() = None;
    }

    fn lock_setup(&self) -> std::sync::MutexGuard<'_, Option<String>> {
        self.0.setup_token.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Who is acting and from where: what the audit log records for every change.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Option<UserId>,
    pub email: String,
    pub ip: String,
}
