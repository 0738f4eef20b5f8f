//! The public side of trust seals: the seal script and frame, secure coded links (`/c/{token}`), verified
//! pages and the copy-attempt log. Everything here is reached without signing in, so it reveals only what a
//! seal shows anyway and never takes an issuer or client from anything but the seal id or a signed token.
//!
//! The hot path (script and frame) is served from a small in-memory cache of the seal's public facts, so a
//! busy web shop showing a seal does not turn into database load; every change to a seal or a domain clears
//! the cache, and entries also expire after `CACHE_TTL` (several Signet instances on one remote database).

use super::AppState;
use crate::error::{AppError, AppResult};
use crate::model::{Client, Domain, Seal, SealState};
use crate::store::{ClientId, IssuerId, SealId};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, NaiveDate, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

/// How long a secure coded link works after the seal frame minted it.
pub const LINK_LIFETIME_SECS: i64 = 600;
/// How long the cached public facts of a seal are used before they are read again.
pub const CACHE_TTL: Duration = Duration::from_secs(30);
/// At most this many distinct copying hosts are recorded per seal and day (a flood of forged reports stays small).
const MAX_ATTEMPTS_PER_SEAL_DAY: usize = 50;

/// The public facts of one seal: what the script, the frame and the verification page show.
#[derive(Debug, Clone)]
pub struct PublicSeal {
    pub id: String,
    pub issuer_id: String,
    pub issuer_slug: String,
    pub issuer_name: String,
    pub issuer_has_logo: bool,
    pub issuer_website: String,
    pub client_id: String,
    pub client: Client,
    pub type_name: String,
    pub level: String,
    pub seal_title: String,
    pub seal_subtitle: String,
    pub seal_color: String,
    pub seal_text_color: String,
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
    pub invalidated: bool,
    /// ASCII host names the seal may show on.
    pub hosts: Vec<String>,
    /// The seal script, rendered once when the facts are loaded: the hot path only clones a reference.
    pub script: axum::body::Bytes,
}

impl PublicSeal {
    pub fn state(&self, today: NaiveDate) -> SealState {
        SealState::on(today, self.valid_from, self.valid_to, self.invalidated)
    }
    pub fn allows_host(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.hosts.iter().any(|h| *h == host)
    }
}

/// The in-memory parts of the public seal service, kept in `AppState`.
pub struct SealRuntime {
    cache: RwLock<HashMap<String, (Instant, Arc<PublicSeal>)>>,
    /// Well-formed ids that are not seals, kept apart so that a flood of made-up ids cannot push real seals
    /// out of `cache`.
    unknown: RwLock<HashMap<String, Instant>>,
    dropped_reports: std::sync::atomic::AtomicU64,
    /// Rendered verified pages by address, with when they were rendered.
    pages: RwLock<HashMap<String, (Instant, axum::body::Bytes)>>,
    link_key: [u8; 32],
    /// (seal, host, day) already recorded, and how many hosts per (seal, day): keeps repeat reports off the
    /// database.
    seen: Mutex<(String, HashSet<(String, String)>, HashMap<String, usize>)>,
    reports: tokio::sync::mpsc::Sender<CopyReport>,
    receiver: Mutex<Option<tokio::sync::mpsc::Receiver<CopyReport>>>,
}

impl SealRuntime {
    pub fn new(link_key: [u8; 32]) -> Self {
        let (reports, receiver) = tokio::sync::mpsc::channel(1024);
        SealRuntime {
            cache: RwLock::new(HashMap::new()),
            unknown: RwLock::new(HashMap::new()),
            dropped_reports: std::sync::atomic::AtomicU64::new(0),
            pages: RwLock::new(HashMap::new()),
            link_key,
            seen: Mutex::new((String::new(), HashSet::new(), HashMap::new())),
            reports,
            receiver: Mutex::new(Some(receiver)),
        }
    }

    pub fn clear(&self) {
        self.cache.write().unwrap_or_else(|p| p.into_inner()).clear();
        self.unknown.write().unwrap_or_else(|p| p.into_inner()).clear();
        self.pages.write().unwrap_or_else(|p| p.into_inner()).clear();
    }

    /// A verified page rendered less than `CACHE_TTL` ago.
    pub fn cached_page(&self, key: &str) -> Option<axum::body::Bytes> {
        let pages = self.pages.read().unwrap_or_else(|p| p.into_inner());
        pages.get(key).filter(|(at, _)| at.elapsed() < CACHE_TTL).map(|(_, body)| body.clone())
    }

    /// Keeps a rendered verified page (only pages that exist are kept, so their number is bounded by the clients).
    pub fn keep_page(&self, key: String, body: axum::body::Bytes) {
        let mut pages = self.pages.write().unwrap_or_else(|p| p.into_inner());
        if pages.len() >= 100_000 {
            pages.retain(|_, (at, _)| at.elapsed() < CACHE_TTL);
        }
        pages.insert(key, (Instant::now(), body));
    }
}

/// Whether `id` has the form of a seal id (20 lower-case letters and digits). Anything else is refused before
/// it reaches the cache or the database.
pub fn is_seal_id(id: &str) -> bool {
    id.len() == 20 && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// Loads the public facts of a seal, from the cache when fresh. `None` for unknown ids.
pub async fn public_seal(state: &AppState, id: &str) -> AppResult<Option<Arc<PublicSeal>>> {
    if !is_seal_id(id) {
        return Ok(None);
    }
    let runtime = state.seal_runtime();
    if let Some((at, seal)) = runtime.cache.read().unwrap_or_else(|p| p.into_inner()).get(id) {
        if at.elapsed() < CACHE_TTL {
            return Ok(Some(seal.clone()));
        }
    }
    if let Some(at) = runtime.unknown.read().unwrap_or_else(|p| p.into_inner()).get(id) {
        if at.elapsed() < CACHE_TTL {
            return Ok(None);
        }
    }
    match load_public_seal(state, id).await? {
        Some(seal) => {
            let seal = Arc::new(seal);
            let mut cache = runtime.cache.write().unwrap_or_else(|p| p.into_inner());
            // Real seals only: the number of seals in the database bounds it. Expired entries go first.
            if cache.len() >= 200_000 {
                cache.retain(|_, (at, _)| at.elapsed() < CACHE_TTL);
            }
            cache.insert(id.to_string(), (Instant::now(), seal.clone()));
            Ok(Some(seal))
        }
        None => {
            let mut unknown = runtime.unknown.write().unwrap_or_else(|p| p.into_inner());
            if unknown.len() >= 10_000 {
                unknown.clear();
            }
            unknown.insert(id.to_string(), Instant::now());
            Ok(None)
        }
    }
}

async fn load_public_seal(state: &AppState, id: &str) -> AppResult<Option<PublicSeal>> {
    let store = state.store();
    let Some(row) = store.seal_by_public_id(&SealId::new(id)).await? else {
        return Ok(None);
    };
    let issuer_id = row.issuer.key().to_string();
    let (Some(issuer), Some(client), Some(cert_type)) = (
        store.issuer_by_id(&IssuerId::new(&issuer_id)).await?,
        store.client(&IssuerId::new(&issuer_id), &row.client).await?,
        store.cert_type(&row.cert_type).await?,
    ) else {
        return Ok(None);
    };
    let seal = super::seals::to_model(row, state.now().date_naive());
    let mut public = PublicSeal {
        id: seal.id,
        issuer_id,
        issuer_slug: issuer.slug,
        issuer_name: issuer.name,
        issuer_has_logo: issuer.has_logo,
        issuer_website: issuer.website,
        client_id: seal.client_id,
        client: client.into(),
        type_name: seal.type_name,
        level: seal.level,
        seal_title: cert_type.seal_title,
        seal_subtitle: cert_type.seal_subtitle,
        seal_color: cert_type.seal_color,
        seal_text_color: cert_type.seal_text_color,
        valid_from: seal.valid_from,
        valid_to: seal.valid_to,
        invalidated: seal.state == SealState::Invalidated,
        hosts: seal.domains.into_iter().map(|d| d.host).collect(),
        script: axum::body::Bytes::new(),
    };
    public.script = render_script(state, &public).into();
    Ok(Some(public))
}

/// The frame sizes of the seal styles, in CSS pixels: (width, height).
pub fn frame_size(style: &str) -> (u32, u32) {
    match style {
        "rectangle" => (220, 64),
        "notary" => (260, 112),
        _ => (180, 72),
    }
}

pub fn style_or_default(style: &str) -> &'static str {
    match style {
        "rectangle" => "rectangle",
        "notary" => "notary",
        _ => "classic",
    }
}

/// What the seal script of an unknown or currently invalid seal does: nothing.
pub const NO_SEAL_SCRIPT: &str = "/* Signet: this seal is not valid at the moment. */\n";

/// The seal script for one seal: the pre-rendered one while the certificate is valid, else a script that does
/// nothing.
pub fn seal_script(state: &AppState, seal: Option<&PublicSeal>) -> axum::body::Bytes {
    let today = state.now().date_naive();
    match seal.filter(|s| s.state(today).shows()) {
        Some(seal) => seal.script.clone(),
        None => axum::body::Bytes::from_static(NO_SEAL_SCRIPT.as_bytes()),
    }
}

/// Renders the seal script. It runs on the client's page: on a registered host it places the seal frame
/// (served by Signet, so the page cannot restyle or fake it); anywhere else it shows nothing and reports the
/// copy.
fn render_script(state: &AppState, seal: &PublicSeal) -> String {
    let origin = js(&state.settings().public_url);
    let id = js(&seal.id);
    let hosts = js(&seal.hosts);
    let title = js(&format!("{} – {}", seal.seal_title, seal.issuer_name));
    let sizes = js(&serde_json::json!({
        "rectangle": frame_size("rectangle"),
        "classic": frame_size("classic"),
        "notary": frame_size("notary"),
    }));
    format!(
        r#"/* Signet trust seal. Shown only on the certificate's registered domains. */
(function () {{
  var script = document.currentScript;
  if (!script) return;
  var origin = {origin}, id = {id}, hosts = {hosts}, sizes = {sizes};
  var host = location.hostname.toLowerCase().replace(/\.$/, "");
  if (hosts.indexOf(host) < 0) {{
    try {{ new Image().src = origin + "/seal/" + id + "/seen?u=" + encodeURIComponent(location.href); }} catch (e) {{}}
    return;
  }}
  var style = script.getAttribute("data-style") || "classic";
  if (!sizes[style]) style = "classic";
  var frame = document.createElement("iframe");
  frame.src = origin + "/seal/" + id + "/frame?style=" + style + "&origin=" + encodeURIComponent(location.origin);
  frame.title = {title};
  frame.width = sizes[style][0];
  frame.height = sizes[style][1];
  frame.setAttribute("scrolling", "no");
  frame.style.cssText = "border:0;overflow:hidden;display:inline-block;vertical-align:middle;max-width:100%;" +
    (style === "rectangle" ? "position:fixed;right:12px;bottom:12px;z-index:2147483000;" : "");
  if (style !== "rectangle") {{
    script.parentNode.insertBefore(frame, script);
  }} else if (document.body) {{
    document.body.appendChild(frame);
  }} else {{
    document.addEventListener("DOMContentLoaded", function () {{ document.body.appendChild(frame); }});
  }}
}})();
"#
    )
}

/// A value as a JavaScript literal: everything embedded in the script goes through JSON encoding.
fn js<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

/// `Content-Security-Policy: frame-ancestors` for a seal frame: only the certificate's domains, on any port
/// and over http or https, may embed it. Browsers enforce this themselves.
pub fn frame_ancestors(seal: &PublicSeal) -> String {
    let sources: Vec<String> =
        seal.hosts.iter().flat_map(|h| [format!("https://{h}:*"), format!("http://{h}:*")]).collect();
    if sources.is_empty() {
        "'none'".into()
    } else {
        sources.join(" ")
    }
}

#[derive(Serialize, Deserialize)]
struct LinkClaims {
    /// seal id
    s: String,
    /// origin of the page the seal was shown on, such as `https://shop.example`
    o: String,
    /// expiry, Unix seconds
    e: i64,
}

pub(crate) type HmacSha256 = Hmac<Sha256>;

/// Mints the token of a secure coded link for a seal shown on `origin`.
pub fn mint_link(state: &AppState, seal_id: &str, origin: &str) -> String {
    let claims =
        LinkClaims { s: seal_id.to_string(), o: origin.to_string(), e: state.now().timestamp() + LINK_LIFETIME_SECS };
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap_or_default());
    let tag = URL_SAFE_NO_PAD.encode(mac(state, payload.as_bytes()).finalize().into_bytes());
    format!("{payload}.{tag}")
}

/// An HMAC-SHA256 under the instance's link key, for other signed tokens (`signed_ids`, ACME nonces), each
/// with a purpose prefix of its own.
pub(crate) fn link_hmac(state: &AppState, data: &[u8]) -> HmacSha256 {
    mac(state, data)
}

fn mac(state: &AppState, data: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length; a 32-byte key never fails.
    let mut m = <HmacSha256 as Mac>::new_from_slice(&state.seal_runtime().link_key).expect("HMAC accepts any key");
    m.update(data);
    m
}

/// What a valid secure coded link leads to.
pub struct Verification {
    pub seal: Arc<PublicSeal>,
    pub state: SealState,
    /// Where "back to website" goes: the page's origin, whose host is one of the certificate's domains.
    pub back_to: String,
    pub verified_url: String,
}

/// Checks a token: signature, expiry, that the seal still exists and is valid, and that the origin's host is
/// still one of its domains. Any failure is the same `NotFound`, so a forger learns nothing.
pub async fn verify_link(state: &AppState, token: &str) -> AppResult<Verification> {
    let (payload, tag) = token.split_once('.').ok_or(AppError::NotFound)?;
    let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| AppError::NotFound)?;
    mac(state, payload.as_bytes()).verify_slice(&tag).map_err(|_| AppError::NotFound)?;
    let claims: LinkClaims = URL_SAFE_NO_PAD
        .decode(payload)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or(AppError::NotFound)?;
    if claims.e < state.now().timestamp() {
        return Err(AppError::NotFound);
    }
    let seal = public_seal(state, &claims.s).await?.ok_or(AppError::NotFound)?;
    let host = origin_host(&claims.o).ok_or(AppError::NotFound)?;
    let today = state.now().date_naive();
    if !seal.allows_host(&host) || !seal.state(today).shows() {
        return Err(AppError::NotFound);
    }
    let verified_url = verified_url(state, &seal.issuer_slug, &seal.client.path);
    Ok(Verification { state: seal.state(today), back_to: format!("{}/", claims.o), verified_url, seal })
}

/// The host of an origin such as `https://shop.example:8443`; `None` unless it is a plain http(s) origin.
pub fn origin_host(origin: &str) -> Option<String> {
    let rest = origin.strip_prefix("https://").or_else(|| origin.strip_prefix("http://"))?;
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (rest, None),
    };
    if let Some(p) = port {
        p.parse::<u16>().ok()?;
    }
    let ok = !host.is_empty()
        && host.len() <= 253
        && host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    ok.then(|| host.to_ascii_lowercase())
}

/// The public address of a client's verified page.
pub fn verified_url(state: &AppState, issuer_slug: &str, client_path: &str) -> String {
    format!("{}/v/{issuer_slug}/{client_path}", state.settings().public_url)
}

/// The address printed on a client's documents and in its QR code: on the issuer's own verified-pages host
/// when it has one (with the scheme of Signet's public URL), else under Signet's `/v/`.
pub fn verified_url_of(state: &AppState, issuer: &crate::model::Issuer, client_path: &str) -> String {
    match &issuer.verified_host {
        Some(host) => {
            let scheme = if state.settings().public_url.starts_with("http://") { "http" } else { "https" };
            format!("{scheme}://{host}/{client_path}")
        }
        None => verified_url(state, &issuer.slug, client_path),
    }
}

/// Everything a verified page shows.
pub struct VerifiedPage {
    pub issuer_id: String,
    pub issuer_name: String,
    pub issuer_has_logo: bool,
    pub issuer_website: String,
    pub issuer_email: String,
    pub issuer_phone: String,
    pub client: Client,
    pub domains: Vec<Domain>,
    pub seals: Vec<Seal>,
}

/// A client's verified page by issuer slug (or verified-pages host) and path; `NotFound` for anything unknown.
/// Whether `host` is an issuer's own verified-pages host (which then serves those pages and nothing else).
pub async fn is_verified_host(state: &AppState, host: &str) -> AppResult<bool> {
    Ok(state.store().issuer_by_verified_host(host).await?.is_some())
}

pub async fn verified_page(state: &AppState, issuer: IssuerBy<'_>, path: &str) -> AppResult<VerifiedPage> {
    if crate::model::validate::client_path(path).is_some() {
        return Err(AppError::NotFound);
    }
    let store = state.store();
    let issuer = match issuer {
        IssuerBy::Slug(slug) => store.issuer_by_slug(slug).await?,
        IssuerBy::Host(host) => store.issuer_by_verified_host(host).await?,
    }
    .ok_or(AppError::NotFound)?;
    let issuer_id = issuer.id.clone();
    let client = store.client_by_path(&IssuerId::new(&issuer_id), path).await?.ok_or(AppError::NotFound)?;
    let client_id = client.id.clone();
    let domains = store
        .domains_of_client(&IssuerId::new(&issuer_id), &ClientId::new(&client_id))
        .await?
        .into_iter()
        .map(Domain::from)
        .collect();
    let today = state.now().date_naive();
    let seals = store
        .seals_of_client(&IssuerId::new(&issuer_id), &ClientId::new(&client_id))
        .await?
        .into_iter()
        .map(|r| super::seals::to_model(r, today))
        .collect();
    Ok(VerifiedPage {
        issuer_id,
        issuer_name: issuer.name,
        issuer_has_logo: issuer.has_logo,
        issuer_website: issuer.website,
        issuer_email: issuer.contact_email,
        issuer_phone: issuer.contact_phone,
        client: client.into(),
        domains,
        seals,
    })
}

pub enum IssuerBy<'a> {
    Slug(&'a str),
    Host(&'a str),
}

/// A seal script that ran somewhere it may not show.
#[derive(Debug, Clone)]
pub struct CopyReport {
    pub seal_id: String,
    pub page_url: String,
    pub user_agent: String,
    pub at: DateTime<Utc>,
}

/// Takes a copy report from the seal script. Cheap and never waits: the report is checked against the
/// in-memory record of today's reports and handed to the background writer; when the writer is behind,
/// reports are dropped (and counted in the log) rather than slowing anyone's page.
pub fn report_copy(state: &AppState, seal_id: &str, page_url: &str, user_agent: &str) {
    if !is_seal_id(seal_id) {
        return;
    }
    let report = CopyReport {
        seal_id: seal_id.to_string(),
        page_url: page_url.chars().take(1000).collect(),
        user_agent: user_agent.chars().take(300).collect(),
        at: state.now(),
    };
    let runtime = state.seal_runtime();
    if runtime.reports.try_send(report).is_err() {
        // Logged at 1, 2, 4, 8 … drops, so that a flood cannot flood the log too.
        let n = runtime.dropped_reports.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        if n.is_power_of_two() {
            tracing::warn!(dropped = n, "copy-attempt queue is full; reports are being dropped");
        }
    }
}

/// The background writer of copy reports (started by the server with its other jobs).
pub async fn run_copy_writer(state: AppState) {
    let receiver = state.seal_runtime().receiver.lock().unwrap_or_else(|p| p.into_inner()).take();
    let Some(mut receiver) = receiver else {
        return;
    };
    while let Some(report) = receiver.recv().await {
        if let Err(e) = record_copy(&state, report).await {
            tracing::warn!(error = %e, "copy attempt not recorded");
        }
    }
}

/// Records one copy report, at most once per seal, host and day. Returns whether a row was written.
pub async fn record_copy(state: &AppState, report: CopyReport) -> AppResult<bool> {
    let Some(host) = page_host(&report.page_url) else {
        return Ok(false);
    };
    let Some(seal) = public_seal(state, &report.seal_id).await? else {
        return Ok(false);
    };
    if seal.allows_host(&host) {
        return Ok(false);
    }
    let day = report.at.format("%Y-%m-%d").to_string();
    {
        let mut seen = state.seal_runtime().seen.lock().unwrap_or_else(|p| p.into_inner());
        let (seen_day, pairs, per_seal) = &mut *seen;
        if *seen_day != day {
            *seen_day = day.clone();
            pairs.clear();
            per_seal.clear();
        }
        if pairs.contains(&(seal.id.clone(), host.clone())) {
            return Ok(false);
        }
        let count = per_seal.entry(seal.id.clone()).or_insert(0);
        if *count >= MAX_ATTEMPTS_PER_SEAL_DAY {
            return Ok(false);
        }
        *count += 1;
        pairs.insert((seal.id.clone(), host.clone()));
    }
    let (issuer, client, seal_rid) = (
        crate::store::IssuerId::new(&seal.issuer_id),
        crate::store::ClientId::new(&seal.client_id),
        crate::store::SealId::new(&seal.id),
    );
    let written = state
        .store()
        .record_copy_attempt(&issuer, &client, &seal_rid, &host, &report.page_url, &report.user_agent, &day, report.at)
        .await?;
    if written {
        tracing::info!(seal = %seal.id, host = %host, "seal copy attempt");
    }
    Ok(written)
}

/// The host of a page URL reported by the script (`https://copy.example/about` → `copy.example`).
fn page_host(url: &str) -> Option<String> {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit('@').next()?;
    let host = match authority.rsplit_once(':') {
        Some((h, p)) if p.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => authority,
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let ok = !host.is_empty()
        && host.len() <= 253
        && host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'[' || b == b']');
    ok.then_some(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_taken_from_urls_and_origins() {
        assert_eq!(page_host("https://copy.example/about?x=1").as_deref(), Some("copy.example"));
        assert_eq!(page_host("http://Copy.Example:8080/").as_deref(), Some("copy.example"));
        assert_eq!(page_host("http://user@copy.example/").as_deref(), Some("copy.example"));
        assert_eq!(page_host("javascript:alert(1)"), None);
        assert_eq!(page_host("https://<script>/"), None);
        assert_eq!(origin_host("http://shop.test:4000").as_deref(), Some("shop.test"));
        assert_eq!(origin_host("https://shop.test").as_deref(), Some("shop.test"));
        assert_eq!(origin_host("https://shop.test/path"), None);
        assert_eq!(origin_host("ftp://shop.test"), None);
    }
}
