//! ACME issuance load: CONCURRENCY accounts (one external account binding), each in a loop for SECONDS:
//! newOrder for NAME (its authorization already valid by reuse, so the order is `ready` at once) → finalize with
//! the CSR → download the certificate chain (polling the order only while it is still processing). Prints one
//! JSON line: complete issuances per second, p50/p99 of one whole issuance, and the failures.
//!
//!   acme-load DIRECTORY_URL KID HMAC_KEY_B64URL CSR_DER_FILE NAME SECONDS CONCURRENCY

#[path = "../../../tests/support/acme_http.rs"]
mod acme_http;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use instant_acme::{Account, ExternalAccountKey, Identifier, NewAccount, NewOrder, OrderStatus, RetryPolicy};
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Load {
    name: String,
    csr: Vec<u8>,
    until: Instant,
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [directory, kid, hmac, csr_file, name, seconds, concurrency] = &args[..] else {
        eprintln!("usage: acme-load DIRECTORY_URL KID HMAC_KEY CSR_DER_FILE NAME SECONDS CONCURRENCY");
        std::process::exit(2);
    };
    let hmac = URL_SAFE_NO_PAD.decode(hmac).expect("the HMAC key is base64url");
    let csr = std::fs::read(csr_file).expect("the CSR file (DER)");
    let seconds: u64 = seconds.parse().expect("SECONDS");
    let concurrency: usize = concurrency.parse().expect("CONCURRENCY");

    // The accounts are registered before the clock starts: the benchmark is issuance, not registration.
    // One HTTP client (one connection pool) for all of them, as one load generator has.
    let http = reqwest::Client::new();
    // One after the other: registration is not what is measured (the parallel case is a test in app).
    let mut accounts: Vec<Account> = Vec::new();
    for _ in 0..concurrency {
        let eab = ExternalAccountKey::new(kid.clone(), &hmac);
        let new = NewAccount { contact: &[], terms_of_service_agreed: true, only_return_existing: false };
        let builder = acme_http::builder_keeping(http.clone(), Default::default());
        let (account, _) = builder.create(&new, directory.clone(), Some(&eab)).await.expect("an ACME account");
        accounts.push(account);
    }

    let started = Instant::now();
    let load = Arc::new(Load { name: name.clone(), csr, until: started + Duration::from_secs(seconds) });
    let workers = accounts.into_iter().map(|account| tokio::spawn(worker(account, load.clone())));
    let mut latencies = Vec::new();
    let mut failures = Vec::new();
    for outcome in futures::future::join_all(workers).await {
        let (done, failed) = outcome.expect("a worker");
        latencies.extend(done);
        failures.extend(failed);
    }
    let elapsed = started.elapsed().as_secs_f64();
    for failure in failures.iter().take(3) {
        eprintln!("{failure}");
    }
    latencies.sort();
    let at = |q: f64| {
        let i = ((q * latencies.len() as f64) as usize).min(latencies.len().saturating_sub(1));
        latencies.get(i).map(|d| d.as_secs_f64() * 1000.0).unwrap_or(0.0)
    };
    let report = serde_json::json!({
        "issued": latencies.len(),
        "failed": failures.len(),
        "seconds": (elapsed * 10.0).round() / 10.0,
        "per_second": (latencies.len() as f64 / elapsed).round(),
        "p50_ms": (at(0.5) * 10.0).round() / 10.0,
        "p99_ms": (at(0.99) * 10.0).round() / 10.0,
    });
    println!("{report}");
}

/// One account's loop: whole issuances until the time is up; each one's duration, and what failed.
async fn worker(account: Account, load: Arc<Load>) -> (Vec<Duration>, Vec<String>) {
    let (mut done, mut failed) = (Vec::new(), Vec::new());
    while Instant::now() < load.until {
        let t = Instant::now();
        match issue(&account, &load).await {
            Ok(()) => done.push(t.elapsed()),
            Err(e) => failed.push(e),
        }
    }
    (done, failed)
}

async fn issue(account: &Account, load: &Load) -> Result<(), String> {
    let ids = [Identifier::Dns(load.name.clone())];
    let mut order = account.new_order(&NewOrder::new(&ids)).await.map_err(|e| format!("newOrder: {e}"))?;
    if order.state().status != OrderStatus::Ready {
        return Err(format!("the order is {:?}, not ready: the validation was not reused", order.state().status));
    }
    order.finalize_csr(&load.csr).await.map_err(|e| format!("finalize: {e}"))?;
    // Signet answers finalize with the order `valid` when it could sign at once; a client then downloads the
    // certificate without polling (`certificate` polls once only when the order is still processing).
    let chain = match order.certificate().await.map_err(|e| format!("certificate: {e}"))? {
        Some(chain) => chain,
        None => {
            let retries = RetryPolicy::new().initial_delay(Duration::from_millis(50)).timeout(Duration::from_secs(30));
            order.poll_certificate(&retries).await.map_err(|e| format!("certificate: {e}"))?
        }
    };
    match chain.contains("-----BEGIN CERTIFICATE-----") {
        true => Ok(()),
        false => Err("the certificate download is not a PEM chain".into()),
    }
}
