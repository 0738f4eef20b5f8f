//! The OCSP responder at `/ocsp` (RFC 6960, RFC 5019 profile): which CA a request names, the status of the
//! serial, and responses signed by the issuing CA itself.
//!
//! Responses are signed once and served from a cache (keyed by the exact request) until they are an hour old or
//! the CA's revocation state changes. Every instance notices a change on any instance by the CA's CRL number, which every revocation
//! raises and which it reads at most every `EPOCH_CHECK`. Requests with a nonce are signed fresh (the nonce is
//! echoed). The root is never asked to sign here: its key stays offline, and issuing CAs are checked against
//! the root's ARL; a request about them is `unauthorized`.

use super::{signer_for_row, unb64};
use crate::model::RevocationReason;
use crate::pki::ocsp::{self, Answer, IssuerHashes, Refusal, ResponseSigner, Status};
use crate::services::AppState;
use crate::store::{CaId, CaRow};
use bytes::Bytes;
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// A response is valid this long (the Baseline Requirements: at least 8 hours, at most 10 days)…
pub const RESPONSE_VALIDITY: Duration = Duration::days(4);
/// …and signed again once it is this old, so that a cached copy is never near its end.
const RESIGN_AFTER: Duration = Duration::hours(1);
/// How often an instance reads a CA's CRL number to notice revocations made on other instances.
const EPOCH_CHECK: std::time::Duration = std::time::Duration::from_secs(2);
/// How long the list of CAs (and the hashes that name them) is kept.
const RESPONDERS_FOR: std::time::Duration = std::time::Duration::from_secs(30);
/// Responses kept at most; the cache starts again empty beyond (a flood of distinct serials).
const MAX_CACHED: usize = 200_000;

/// A response ready to send, with what HTTP caches need, rendered once when it is signed: a cached answer
/// costs a map lookup and a reference count, nothing per request.
#[derive(Debug)]
pub struct OcspReply {
    pub der: Bytes,
    /// For successful responses: thisUpdate and nextUpdate, for Last-Modified, Expires and max-age.
    pub validity: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// A strong ETag of the response (quoted).
    pub etag: String,
    /// thisUpdate and nextUpdate as HTTP dates (Last-Modified, Expires).
    pub last_modified: String,
    pub expires: String,
}

impl OcspReply {
    fn refused(refusal: Refusal) -> Arc<OcspReply> {
        Arc::new(OcspReply {
            der: Bytes::from(ocsp::refusal_response(refusal)),
            validity: None,
            etag: String::new(),
            last_modified: String::new(),
            expires: String::new(),
        })
    }

    fn signed(der: Vec<u8>, this_update: DateTime<Utc>, next_update: DateTime<Utc>) -> Arc<OcspReply> {
        let digest = ring::digest::digest(&ring::digest::SHA256, &der);
        Arc::new(OcspReply {
            etag: format!("\"{}\"", hex::encode(&digest.as_ref()[..16])),
            last_modified: http_date(this_update),
            expires: http_date(next_update),
            der: Bytes::from(der),
            validity: Some((this_update, next_update)),
        })
    }
}

fn http_date(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

struct Responder {
    ca: CaRow,
    hashes: IssuerHashes,
}

/// A signed answer to one exact request, with the CA that signed it and the CA's CRL number it was made under.
struct Cached {
    ca_id: Arc<str>,
    reply: Arc<OcspReply>,
    epoch: i64,
}

#[derive(Default)]
pub struct OcspCache {
    responders: Mutex<Option<(Instant, Arc<Vec<Responder>>)>>,
    /// The DER request → its answer. Keyed by the request itself, not the serial: the response echoes the
    /// request's CertID (SHA-1 or SHA-256 hashes), so two requests about one certificate get two responses.
    responses: Mutex<HashMap<Box<[u8]>, Cached>>,
    /// CA id → its CRL number and when it was read.
    epochs: Mutex<HashMap<String, (Instant, i64)>>,
}

impl OcspCache {
    /// Drops what was said about a CA's certificates (one was revoked here).
    pub fn forget_ca(&self, ca_id: &str) {
        self.epochs.lock().unwrap_or_else(|p| p.into_inner()).remove(ca_id);
        self.responses.lock().unwrap_or_else(|p| p.into_inner()).retain(|_, c| &*c.ca_id != ca_id);
    }

    fn cached(&self, request_der: &[u8]) -> Option<(Arc<str>, Arc<OcspReply>, i64)> {
        let responses = self.responses.lock().unwrap_or_else(|p| p.into_inner());
        let c = responses.get(request_der)?;
        Some((c.ca_id.clone(), c.reply.clone(), c.epoch))
    }

    fn keep(&self, request_der: &[u8], cached: Cached) {
        let mut responses = self.responses.lock().unwrap_or_else(|p| p.into_inner());
        if responses.len() >= MAX_CACHED {
            responses.clear();
        }
        responses.insert(request_der.into(), cached);
    }
}

/// Answers a DER OCSP request. Never fails: what cannot be answered gets an OCSP error status.
pub async fn respond(state: &AppState, request_der: &[u8]) -> Arc<OcspReply> {
    let now = state.now();
    if let Some((ca_id, reply, made_under)) = state.ca_runtime().ocsp.cached(request_der) {
        let young = reply.validity.is_some_and(|(this_update, _)| now - this_update < RESIGN_AFTER);
        if young && epoch(state, &ca_id).await.is_ok_and(|e| e == made_under) {
            return reply;
        }
    }
    let request = match ocsp::parse_request(request_der) {
        Ok(r) => r,
        Err(refusal) => return OcspReply::refused(refusal),
    };
    match answer(state, &request, request_der, now).await {
        Ok(reply) => reply,
        Err(refusal) => OcspReply::refused(refusal),
    }
}

async fn answer(
    state: &AppState,
    request: &ocsp::Request,
    request_der: &[u8],
    now: DateTime<Utc>,
) -> Result<Arc<OcspReply>, Refusal> {
    let responders = responders(state).await?;
    // One response is signed by one CA: every certificate asked about must be of the same CA.
    let mut ca: Option<&Responder> = None;
    for query in &request.queries {
        let found = responders.iter().find(|r| r.hashes.matches(query)).ok_or(Refusal::Unauthorized)?;
        if ca.is_some_and(|c| c.ca.id != found.ca.id) {
            return Err(Refusal::Unauthorized);
        }
        ca = Some(found);
    }
    let responder = ca.ok_or(Refusal::Malformed)?;
    if responder.ca.kind == "root" {
        return Err(Refusal::Unauthorized);
    }
    let ca_id = &responder.ca.id;
    // Read before the statuses: a revocation in between raises it, and the answer is not kept past it.
    let epoch = epoch(state, ca_id.key()).await?;
    let mut answers = Vec::with_capacity(request.queries.len());
    for query in &request.queries {
        let status = match state.store().serial_status(ca_id, &query.serial_hex).await.map_err(internal)? {
            // Signet never issued this serial: never "good" (Baseline Requirements 4.9.10).
            None => Status::Unknown,
            Some(row) => match row.revoked_at {
                Some(at) => Status::Revoked {
                    at,
                    reason: row.revocation_reason.as_deref().and_then(RevocationReason::parse).map(|r| r.code()),
                },
                None => Status::Good,
            },
        };
        answers.push(Answer { query, status });
    }
    let signer = signer_for_row(state, &responder.ca).await.map_err(|_| Refusal::InternalError)?;
    let sign = |data: &[u8]| signer.sign_bytes(data);
    let response_signer = ResponseSigner {
        algorithm: ocsp::signature_algorithm(signer.algorithm()),
        responder_key: signer.hashes.responder_key(),
        sign: &sign,
    };
    let next_update = now + RESPONSE_VALIDITY;
    let der = ocsp::signed_response(request, &answers, now, next_update, &response_signer)?;
    let reply = OcspReply::signed(der, now, next_update);
    // A request with a nonce is answered once: the nonce makes it unique.
    if !request.has_nonce() {
        let cached = Cached { ca_id: ca_id.key().into(), reply: reply.clone(), epoch };
        state.ca_runtime().ocsp.keep(request_der, cached);
    }
    Ok(reply)
}

fn internal(e: surrealdb::Error) -> Refusal {
    tracing::error!(error = %e, "OCSP lookup failed");
    Refusal::InternalError
}

/// Every CA with the hashes OCSP requests name it by.
async fn responders(state: &AppState) -> Result<Arc<Vec<Responder>>, Refusal> {
    let cache = &state.ca_runtime().ocsp;
    if let Some((at, list)) = cache.responders.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
        if at.elapsed() < RESPONDERS_FOR {
            return Ok(list.clone());
        }
    }
    let mut list = Vec::new();
    for ca in state.store().cas().await.map_err(internal)? {
        let der = unb64(&ca.cert_der).map_err(|_| Refusal::InternalError)?;
        if let Some(hashes) = IssuerHashes::of_ca(&der) {
            list.push(Responder { ca, hashes });
        }
    }
    let list = Arc::new(list);
    *cache.responders.lock().unwrap_or_else(|p| p.into_inner()) = Some((Instant::now(), list.clone()));
    Ok(list)
}

/// The CA's CRL number, read at most every `EPOCH_CHECK`.
async fn epoch(state: &AppState, ca_id: &str) -> Result<i64, Refusal> {
    let cache = &state.ca_runtime().ocsp;
    if let Some((at, n)) = cache.epochs.lock().unwrap_or_else(|p| p.into_inner()).get(ca_id) {
        if at.elapsed() < EPOCH_CHECK {
            return Ok(*n);
        }
    }
    let n = state.store().crl(&CaId::new(ca_id)).await.map_err(internal)?.map(|c| c.number).unwrap_or(0);
    cache.epochs.lock().unwrap_or_else(|p| p.into_inner()).insert(ca_id.to_string(), (Instant::now(), n));
    Ok(n)
}

/// A CA was created or revoked: the list of responders is read again.
pub fn forget_responders(state: &AppState) {
    *state.ca_runtime().ocsp.responders.lock().unwrap_or_else(|p| p.into_inner()) = None;
}
