//! SurrealDB access: the only place that writes SurrealQL, always with bound parameters.
//!
//! Rows are private to this module tree; callers get the plain types of `crate::model` or small row structs, and
//! typed ids (`id::Id`) instead of SurrealDB's record ids.

mod accounts;
mod acme;
mod acme_requests;
mod activity;
mod api_keys;
mod audit;
mod batch;
mod bundles;
mod catalog;
mod certificates;
mod client_files;
mod clients;
mod expiry;
mod id;
mod install_check;
mod invitations;
mod issued;
mod issuers;
mod mail;
mod migrate;
mod newsletters;
mod orders;
mod pki;
mod renewal;
mod seals;
mod templates;
mod validations;
mod watched;

pub use accounts::*;
pub use acme::*;
pub use acme_requests::*;
pub use activity::*;
pub use api_keys::*;
pub use audit::*;
pub use bundles::*;
pub use certificates::*;
pub use client_files::*;
pub use clients::*;
pub use expiry::*;
pub use id::*;
pub use install_check::*;
pub use invitations::*;
pub use issued::*;
pub use issuers::*;
pub use mail::*;
pub use migrate::MigrationError;
pub use newsletters::*;
pub use orders::*;
pub use pki::*;
pub use renewal::*;
pub use seals::*;
pub use templates::*;
pub use validations::*;
pub use watched::*;

use surrealdb::engine::any::Any;
use surrealdb::opt::auth::Root;
use surrealdb::types::{RecordId, RecordIdKey};
use surrealdb::Surreal;

pub type DbResult<T> = Result<T, surrealdb::Error>;

/// Where the database is and how to sign in to it.
#[derive(Debug, Clone)]
pub struct DbSettings {
    /// `surrealkv://path`, `mem://`, `ws://host:port` or `wss://host`.
    pub endpoint: String,
    pub namespace: String,
    pub database: String,
    pub user: String,
    pub password: String,
}

#[derive(Clone)]
pub struct Store {
    db: Surreal<Any>,
    /// Order numbers come from one counter row per issuer and year, taken in batches (see `next_order_number`).
    order_numbers: std::sync::Arc<issued::OrderNumbers>,
    /// Orders issued as they are placed, written together (see `create_issued_order`).
    issued_writes: std::sync::Arc<issued::IssuedWrites>,
    /// Orders' inputs, read together for orders placed at the same moment (see `order_inputs`).
    input_reads: std::sync::Arc<bundles::InputReads>,
    /// API key holders read recently (see `api_key_holder`).
    key_holders: std::sync::Arc<bundles::KeyHolders>,
    /// ACME requests' nonces, used up together (see `acme_intake`).
    acme_intakes: std::sync::Arc<acme_requests::AcmeIntakes>,
}

impl Store {
    /// Connects (embedded or remote: one code path) and selects the namespace and database.
    pub async fn connect(settings: &DbSettings) -> DbResult<Store> {
        let db = surrealdb::engine::any::connect(settings.endpoint.as_str()).await?;
        if !settings.user.is_empty() {
            db.signin(Root { username: settings.user.clone(), password: settings.password.clone() }).await?;
        }
        db.use_ns(settings.namespace.as_str()).use_db(settings.database.as_str()).await?;
        Ok(Store {
            db,
            order_numbers: Default::default(),
            issued_writes: Default::default(),
            input_reads: Default::default(),
            key_holders: Default::default(),
            acme_intakes: Default::default(),
        })
    }

    /// A fresh in-memory database with every migration applied, for tests.
    pub async fn in_memory() -> Store {
        let store = Store::connect(&DbSettings {
            endpoint: "mem://".into(),
            namespace: "test".into(),
            database: "test".into(),
            user: String::new(),
            password: String::new(),
        })
        .await
        .expect("in-memory database");
        store.migrate().await.expect("migrations apply to an empty database");
        store
    }

    /// Whether the database answers; for `/healthz`.
    pub async fn ping(&self) -> bool {
        self.db.query("RETURN true").await.and_then(|mut r| r.take::<Option<bool>>(0)).ok().flatten() == Some(true)
    }
}

/// The key of a record id as text (`user:abc` → `abc`).
fn key_of(id: &RecordId) -> String {
    match &id.key {
        RecordIdKey::String(s) => s.clone(),
        RecordIdKey::Number(n) => n.to_string(),
        other => format!("{other:?}"),
    }
}

/// A record id from a table and a key given by a caller. The key is bound as a value, never parsed.
fn rid(table: &str, key: &str) -> RecordId {
    RecordId::new(table, key.to_string())
}

/// A fresh random record key (100 bits, lowercase base32), for records whose id is needed before they are
/// written, such as an order and its certificate stored in one transaction.
pub fn new_key() -> String {
    use rand::RngCore;
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut bytes = [0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| ALPHABET[usize::from(b & 31)] as char).collect()
}

/// Whether a database error is a write conflict with a concurrent transaction: nothing of the failed one was
/// written, and running it again will succeed once the other has committed. SurrealDB says so in the error's
/// details, or (for conflicts met by a statement inside a query) only in its message: "… can be retried".
pub fn is_conflict(e: &surrealdb::Error) -> bool {
    matches!(e.query_details(), Some(surrealdb::types::QueryError::TransactionConflict))
        || e.message().contains("can be retried")
}

/// The outcome of a query that runs as one transaction (`BEGIN … COMMIT`). When the transaction fails, every
/// statement reports an error and most only say "not executed"; this returns the one that tells why, a write
/// conflict first, so that `retry_conflicts` recognises it.
pub(crate) fn transaction(mut response: surrealdb::IndexedResults) -> DbResult<surrealdb::IndexedResults> {
    let mut errors: Vec<(usize, surrealdb::Error)> = response.take_errors().into_iter().collect();
    if errors.is_empty() {
        return Ok(response);
    }
    errors.sort_by_key(|(i, _)| *i);
    let telling =
        |e: &surrealdb::Error| !e.message().contains("not executed") && !e.message().contains("Cannot COMMIT");
    let at = errors
        .iter()
        .position(|(_, e)| is_conflict(e))
        .or_else(|| errors.iter().position(|(_, e)| telling(e)))
        .unwrap_or(0);
    Err(errors.swap_remove(at).1)
}

/// Attempts at a write that keeps meeting concurrent writers, before its conflict is the caller's error.
const WRITE_ATTEMPTS: u32 = 12;

/// Runs `write` again while it fails with a write conflict, up to `WRITE_ATTEMPTS` times, after a pause that
/// grows with each attempt and is random within it, so that writers that collided do not collide again.
/// `write` must be one statement or one transaction: a conflict then undid all of it.
pub(crate) async fn retry_conflicts<T, F, Fut>(mut write: F) -> DbResult<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = DbResult<T>>,
{
    let mut attempt = 1;
    loop {
        match write().await {
            Err(e) if attempt < WRITE_ATTEMPTS && is_conflict(&e) => {
                use rand::Rng;
                let ceiling_ms = 2u64.saturating_pow(attempt).min(200);
                let pause = rand::thread_rng().gen_range(1..=ceiling_ms);
                tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// Whether a database error is a unique-index violation.
pub fn is_duplicate(e: &surrealdb::Error) -> bool {
    e.is_already_exists() || e.message().contains("already contains")
}
