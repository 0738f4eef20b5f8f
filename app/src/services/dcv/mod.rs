//! The validation authority: proves control of a domain as CA/Browser Forum BR 3.2.2.4 describes.
//! HTTP file (3.2.2.4.18) and DNS TXT (3.2.2.4.7) are fetched here; e-mail (3.2.2.4.4) is proved by the
//! approval link. `orchestration` runs these for an order's names and records the outcomes.

mod orchestration;
mod tls_alpn;
pub use orchestration::email_dcv_info;
pub(super) use orchestration::{
    change_method, confirm_email, dcv_choice, orders_to_recheck, run_checks, send_email_validations, Confirmation,
};

use super::AppState;
use crate::model::DcvMethod;
use hickory_resolver::config::{NameServerConfig, ResolverConfig};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::proto::rr::RData;
use hickory_resolver::Resolver;
use sha2::Digest;
use std::net::SocketAddr;
use std::time::Duration;

/// Where validation looks. Tests point both at loopback servers.
#[derive(Debug, Clone, Default)]
pub struct DcvSettings {
    /// A DNS server to ask instead of the system's resolvers.
    pub dns_server: Option<SocketAddr>,
    /// Connect HTTP validation to this host:port instead of the domain on port 80 (Host stays the domain).
    pub http_connect: Option<String>,
    /// Connect ACME tls-alpn-01 to this host:port instead of the domain on port 443 (SNI stays the domain).
    pub tls_connect: Option<String>,
}

/// The HTTP client and DNS resolver, built once.
pub struct DcvRuntime {
    http: reqwest::Client,
    resolver: Option<Resolver<TokioRuntimeProvider>>,
    http_connect: Option<String>,
    tls_connect: Option<String>,
}

const FILE_LIMIT: usize = 16 * 1024;

/// BR 3.2.2.4.18 allows redirects only to http or https on the standard ports; a host must be a name (an IP
/// literal could aim Signet at its own network).
fn redirect_policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let url = attempt.url();
        let port_ok = matches!((url.scheme(), url.port_or_known_default()), ("http", Some(80)) | ("https", Some(443)));
        let named = url
            .host_str()
            .is_some_and(|h| h.trim_start_matches('[').trim_end_matches(']').parse::<std::net::IpAddr>().is_err());
        if attempt.previous().len() >= 3 {
            attempt.error("more than 3 redirects")
        } else if !port_ok || !named {
            attempt.error("a redirect to another port or to an address is not followed (BR 3.2.2.4.18)")
        } else {
            attempt.follow()
        }
    })
}

/// Resolves host names for HTTP validation, keeping only public addresses: a domain whose name points at
/// loopback, a private network or link-local space is not fetched.
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = format!("{}:0", name.as_str());
        Box::pin(async move {
            let found: Vec<std::net::SocketAddr> =
                tokio::net::lookup_host(host).await?.filter(|a| is_public(a.ip())).collect();
            if found.is_empty() {
                return Err("the domain has no public address".into());
            }
            Ok(Box::new(found.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

pub(super) fn is_public(ip: std::net::IpAddr) -> bool {
    match ip {
        std::net::IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (o[1] & 0xc0) == 64)
                || o[0] >= 224)
        }
        std::net::IpAddr::V6(v6) => {
            let s = v6.segments();
            !(v6.is_loopback() || v6.is_unspecified() || (s[0] & 0xfe00) == 0xfc00 || (s[0] & 0xffc0) == 0xfe80)
                && v6.to_ipv4_mapped().is_none_or(|v4| is_public(std::net::IpAddr::V4(v4)))
        }
    }
}

impl DcvRuntime {
    pub fn new(settings: &DcvSettings) -> DcvRuntime {
        let builder = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(redirect_policy())
            .user_agent("Signet domain validation");
        // With an explicit connect address (set by the operator) there is nothing to resolve or filter.
        let builder = match settings.http_connect {
            Some(_) => builder,
            None => builder.dns_resolver(std::sync::Arc::new(PublicOnly)),
        };
        let http = builder.build().unwrap_or_default();
        let resolver = match settings.dns_server {
            Some(addr) => {
                let mut ns = NameServerConfig::udp_and_tcp(addr.ip());
                for c in &mut ns.connections {
                    c.port = addr.port();
                }
                let config = ResolverConfig::from_name_servers(vec![ns]);
                let mut builder = Resolver::builder_with_config(config, TokioRuntimeProvider::default());
                builder.options_mut().cache_size = 0;
                builder.build().ok()
            }
            None => Resolver::builder_tokio()
                .ok()
                .map(|mut b| {
                    b.options_mut().cache_size = 0;
                    b
                })
                .and_then(|b| b.build().ok()),
        };
        DcvRuntime {
            http,
            resolver,
            http_connect: settings.http_connect.clone(),
            tls_connect: settings.tls_connect.clone(),
        }
    }
}

/// What the customer must publish, and where.
pub fn http_path(file: &str) -> String {
    format!("/.well-known/pki-validation/{file}.txt")
}

pub fn http_url(domain: &str, file: &str) -> String {
    format!("http://{domain}{}", http_path(file))
}

pub fn dns_name(domain: &str) -> String {
    format!("_pki-validation.{domain}")
}

/// Where an ACME client publishes a challenge's response (RFC 8555 8.3 and 8.4).
pub fn acme_http_path(token: &str) -> String {
    format!("/.well-known/acme-challenge/{token}")
}

pub fn acme_dns_name(domain: &str) -> String {
    format!("_acme-challenge.{domain}")
}

/// The ACME challenges Signet offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcmeChallenge {
    /// BR 3.2.2.4.19.
    Http01,
    /// BR 3.2.2.4.7.
    Dns01,
    /// RFC 8737, BR 3.2.2.4.20.
    TlsAlpn01,
}

impl AcmeChallenge {
    pub const ALL: [AcmeChallenge; 3] = [AcmeChallenge::Http01, AcmeChallenge::Dns01, AcmeChallenge::TlsAlpn01];
    pub fn as_str(self) -> &'static str {
        match self {
            AcmeChallenge::Http01 => "http-01",
            AcmeChallenge::Dns01 => "dns-01",
            AcmeChallenge::TlsAlpn01 => "tls-alpn-01",
        }
    }
    pub fn parse(s: &str) -> Option<AcmeChallenge> {
        AcmeChallenge::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// Checks an ACME challenge: the key authorization at the well-known URL, its digest in the TXT record, or the
/// digest in the certificate presented for acme-tls/1.
pub async fn check_acme(
    state: &AppState,
    challenge: AcmeChallenge,
    domain: &str,
    token: &str,
    key_authorization: &str,
) -> Result<(), String> {
    let rt = state.dcv_runtime();
    match challenge {
        AcmeChallenge::Http01 => check_http(rt, domain, &acme_http_path(token), key_authorization).await,
        AcmeChallenge::Dns01 => {
            check_dns(rt, &acme_dns_name(domain), &crate::pki::jws::dns01_value(key_authorization)).await
        }
        AcmeChallenge::TlsAlpn01 => {
            let digest = sha2::Sha256::digest(key_authorization.as_bytes());
            let target = match &rt.tls_connect {
                Some(connect) => super::tls_peer::Target::Override(connect),
                None => super::tls_peer::Target::Public(443),
            };
            tls_alpn::check(target, domain, &digest).await
        }
    }
}

/// Checks one domain by HTTP or DNS. The error is a sentence for the status page.
pub async fn check(state: &AppState, method: DcvMethod, domain: &str, file: &str, token: &str) -> Result<(), String> {
    match method {
        DcvMethod::Http => check_http(state.dcv_runtime(), domain, &http_path(file), token).await,
        DcvMethod::Dns => check_dns(state.dcv_runtime(), &dns_name(domain), token).await,
        DcvMethod::Email => Err("Waiting for the approval link in the e-mail to be followed.".into()),
    }
}

/// Fetches `path` from the domain and compares the body with `token`.
async fn check_http(rt: &DcvRuntime, domain: &str, path: &str, token: &str) -> Result<(), String> {
    let public = format!("http://{domain}{path}");
    let request = match &rt.http_connect {
        Some(connect) => rt.http.get(format!("http://{connect}{path}")).header("host", domain),
        // The domain written absolute (trailing dot), so that the resolver's search domains never turn `shop`
        // into `shop.internal.lan`.
        None => rt.http.get(format!("http://{domain}.{path}")),
    };
    let response = request.send().await.map_err(|e| {
        if e.is_timeout() {
            format!("{public} did not answer within 10 seconds.")
        } else if e.is_connect() {
            format!("Could not connect to {domain} on port 80.")
        } else {
            format!("{public} could not be fetched.")
        }
    })?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("{public} answered {status}; it must answer 200 with the validation value."));
    }
    let mut body = Vec::new();
    let mut response = response;
    while let Some(chunk) = response.chunk().await.map_err(|_| format!("{public} broke off the answer."))? {
        body.extend_from_slice(&chunk);
        if body.len() > FILE_LIMIT {
            return Err(format!("{public} is larger than a validation file can be."));
        }
    }
    let text = String::from_utf8_lossy(&body);
    if text.trim() == token {
        Ok(())
    } else {
        Err(format!("{public} does not hold the expected value (it must contain exactly the value shown)."))
    }
}

/// Looks for `token` among the TXT records at `record` (a name such as `_pki-validation.shop.example`).
async fn check_dns(rt: &DcvRuntime, record: &str, token: &str) -> Result<(), String> {
    let name = format!("{record}.");
    let resolver = rt.resolver.as_ref().ok_or("No DNS resolver is configured on the server.")?;
    let lookup = resolver.txt_lookup(name.as_str()).await.map_err(|e| {
        if e.is_no_records_found() || e.is_nx_domain() {
            format!("There is no TXT record at {record} yet (DNS changes can take a while).")
        } else {
            format!("The DNS lookup of {record} failed; Signet will try again.")
        }
    })?;
    let mut seen = Vec::new();
    for record in lookup.answers() {
        if let RData::TXT(txt) = &record.data {
            let value: String = txt.txt_data.iter().map(|part| String::from_utf8_lossy(part)).collect();
            if value.trim() == token {
                return Ok(());
            }
            seen.push(value);
        }
    }
    Err(format!(
        "The TXT record at {record} holds {}, not the expected value.",
        seen.iter().map(|v| format!("\"{}\"", v.chars().take(80).collect::<String>())).collect::<Vec<_>>().join(", ")
    ))
}
