//! The certificate authority: the hierarchy (a root and, per issuer, a TLS and an S/MIME issuing CA) and
//! signing.
//!
//! - `runtime`: CA keys sealed at rest and the caches of what the CAs sign;
//! - `issue`: signing an order's certificate and preparing what issuing stores with it;
//! - `crl`: each CA's CRL (the root's, its ARL, only when the operator acts);
//! - `ocsp`: the OCSP responder;
//! - `files`: the CA certificates and certificate downloads.
//!
//! The root's key is unsealed only by operator actions (`root_signer`), never by a request a stranger makes.

pub mod crl;
mod files;
mod issue;
pub mod ocsp;
mod runtime;

pub use files::{ca_certificate, chain_of, render, urls, Format};
pub(super) use issue::{issue, sign_order, Signed, ToSign};
use runtime::ISSUING_CA_REFRESH;
pub use runtime::{reseal_unbound_keys, CaRuntime};

use super::{audit, Actor, AppState};
use crate::error::{AppError, AppResult};
use crate::model::{CaImport, CaInfo, CaOverview};
use crate::pki::ocsp::IssuerHashes;
use crate::pki::profile::{self, CaPurpose, CaUrls, LeafSpec};
use crate::store::{new_key, CaId, CaRow, IssuerId, NewCa};
use base64::Engine;
use chrono::{DateTime, Utc};
use rcgen::{Issuer, KeyPair, PublicKeyData};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Instant;
use x509_parser::prelude::*;

/// A CA ready to sign: its key unsealed in memory only, and a throw-away key of the same kind for linting.
pub struct Signer {
    pub ca_id: CaId,
    pub slug: String,
    issuer: Issuer<'static, KeyPair>,
    lint_issuer: Issuer<'static, KeyPair>,
    /// This CA's certificate and its parents, DER, nearest first.
    pub chain: Vec<Vec<u8>>,
    pub not_after: DateTime<Utc>,
    /// How OCSP requests name this CA.
    pub hashes: IssuerHashes,
}

impl Signer {
    /// Signs `data` with the CA's key (for OCSP responses; certificates and CRLs sign through rcgen).
    pub fn sign_bytes(&self, data: &[u8]) -> Option<Vec<u8>> {
        rcgen::SigningKey::sign(self.issuer.key(), data).ok()
    }

    pub fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        self.issuer.key().algorithm()
    }
}

fn random16() -> [u8; 16] {
    let mut b = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut b);
    b
}

fn b64(der: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(der)
}

fn unb64(text: &str) -> AppResult<Vec<u8>> {
    base64::engine::general_purpose::STANDARD.decode(text).map_err(|_| AppError::Internal)
}

pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der).iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":")
}

fn info(row: &CaRow) -> CaInfo {
    let der = unb64(&row.cert_der).unwrap_or_default();
    CaInfo {
        id: row.id.key().to_string(),
        slug: row.slug.clone(),
        name: row.name.clone(),
        kind: row.kind.clone(),
        issuer_name: row.issuer_name.clone(),
        subject: row.subject.clone(),
        key_alg: row.key_alg.clone(),
        not_before: row.not_before,
        not_after: row.not_after,
        imported: row.imported,
        fingerprint: fingerprint(&der),
        revoked: row.revoked_at.map(|at| (at, row.revocation_reason.clone().unwrap_or_default())),
    }
}

pub async fn overview(state: &AppState) -> AppResult<CaOverview> {
    let rows = state.store().cas().await?;
    let mut without = Vec::new();
    for issuer in state.store().list_issuers().await? {
        let has = |kind: &str| {
            rows.iter().any(|r| r.issuer.as_ref() == Some(&issuer.id) && r.kind == kind && r.revoked_at.is_none())
        };
        if !has(CaPurpose::Tls.kind()) || !has(CaPurpose::Smime.kind()) {
            without.push((issuer.id.key().to_string(), issuer.name.clone()));
        }
    }
    let arl = match rows.iter().find(|r| r.kind == "root") {
        Some(root) => crl::arl_validity(state, &root.id)
            .await?
            .map(|(signed, until)| (signed, until, (until - state.now()).num_days())),
        None => None,
    };
    Ok(CaOverview { cas: rows.iter().map(info).collect(), issuers_without_ca: without, arl })
}

fn key_alg_label(key: &KeyPair) -> String {
    let alg = key.algorithm();
    if alg == &rcgen::PKCS_ECDSA_P384_SHA384 {
        "ECDSA P-384".into()
    } else if alg == &rcgen::PKCS_ECDSA_P256_SHA256 {
        "ECDSA P-256".into()
    } else {
        "RSA".into()
    }
}

fn subject_of(der: &[u8]) -> AppResult<(String, DateTime<Utc>, DateTime<Utc>)> {
    let (_, cert) = X509Certificate::from_der(der).map_err(|_| AppError::Internal)?;
    let at = |t: ASN1Time| DateTime::from_timestamp(t.timestamp(), 0).unwrap_or_default();
    Ok((cert.subject().to_string(), at(cert.validity().not_before), at(cert.validity().not_after)))
}

async fn unique_slug(state: &AppState, base: &str) -> AppResult<String> {
    let mut slug = base.to_string();
    let mut n = 2;
    while state.store().ca_by_slug(&slug).await?.is_some() {
        slug = format!("{base}-{n}");
        n += 1;
    }
    Ok(slug)
}

/// Creates the root: ECDSA P-384, 20 years, path length 1. There is one root at a time.
pub async fn create_root(state: &AppState, actor: &Actor, common_name: &str, organisation: &str) -> AppResult<CaInfo> {
    if common_name.trim().is_empty() || common_name.len() > 64 {
        return Err(AppError::field("common_name", "Give the root a name of 1 to 64 characters."));
    }
    if state.store().root_ca().await?.is_some() {
        return Err(AppError::Conflict("A root CA exists already.".into()));
    }
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).map_err(|_| AppError::Internal)?;
    let now = state.now();
    let params = profile::root_params(common_name, organisation, now, random16());
    let cert = params.self_signed(&key).map_err(|_| AppError::Internal)?;
    let slug = unique_slug(state, "root").await?;
    let id = store_ca(state, &slug, common_name, "root", None, None, cert.der(), &key, false).await?;
    audit::record(state, actor, None, "ca.root.create", &slug, common_name).await?;
    let row = state.store().ca_by_id(&id).await?.ok_or(AppError::Internal)?;
    // The first ARL, while the operator is at it: relying parties can check the root's list from the start.
    crl::sign_arl(state, &row).await?;
    Ok(info(&row))
}

#[allow(clippy::too_many_arguments)]
async fn store_ca(
    state: &AppState,
    slug: &str,
    name: &str,
    kind: &str,
    issuer: Option<IssuerId>,
    parent: Option<CaId>,
    der: &[u8],
    key: &KeyPair,
    imported: bool,
) -> AppResult<CaId> {
    let (subject, not_before, not_after) = subject_of(der)?;
    // The id is chosen here so that the key can be sealed bound to it before the row is written.
    let id = new_key();
    let sealed = state.ca_runtime().seal(&id, &key.serialize_der());
    let id = state
        .store()
        .create_ca(
            &CaId::new(&id),
            NewCa {
                slug: slug.to_string(),
                name: name.trim().to_string(),
                kind: kind.to_string(),
                issuer,
                parent,
                subject,
                cert_der: b64(der),
                key_sealed: sealed,
                key_alg: key_alg_label(key),
                not_before,
                not_after,
                imported,
                created_at: state.now(),
            },
        )
        .await?;
    // The new CA may be an issuer's issuing CA from now on.
    state.ca_runtime().lock_issuing().clear();
    Ok(id)
}

/// Creates the issuing CAs an issuer lacks under the root, one for TLS and one for S/MIME (the Baseline
/// Requirements keep the two apart): ECDSA P-256, 5 years, path length 0.
pub async fn create_intermediate(state: &AppState, actor: &Actor, issuer_id: &IssuerId) -> AppResult<Vec<CaInfo>> {
    let issuer = state.store().issuer_by_id(issuer_id).await?.ok_or(AppError::NotFound)?;
    let mut missing = Vec::new();
    for purpose in [CaPurpose::Tls, CaPurpose::Smime] {
        if state.store().issuing_ca_of(issuer_id, purpose.kind()).await?.is_none() {
            missing.push(purpose);
        }
    }
    if missing.is_empty() {
        return Err(AppError::Conflict(format!("{} has its issuing CAs already.", issuer.name)));
    }
    let root = state.store().root_ca().await?.ok_or_else(|| {
        AppError::Conflict("Create or import the root CA first: the issuing CA is signed by it.".into())
    })?;
    let root_signer = root_signer(state, &root).await?;
    let mut created = Vec::new();
    for purpose in missing {
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(|_| AppError::Internal)?;
        let (label, slug_suffix) = match purpose {
            CaPurpose::Tls => ("TLS CA", "ca"),
            CaPurpose::Smime => ("S/MIME CA", "smime-ca"),
        };
        let name = format!("{} {label}", issuer.name.chars().take(50).collect::<String>());
        let urls = CaUrls::for_ca(&state.settings().pki_url, &root.slug);
        let params = profile::intermediate_params(purpose, &name, &issuer.name, state.now(), random16(), &urls);
        let cert = params.signed_by(&key, &root_signer.issuer).map_err(|_| AppError::Internal)?;
        let slug = unique_slug(state, &format!("{}-{slug_suffix}", issuer.slug)).await?;
        let issuer_row = Some(IssuerId::new(&issuer.id));
        let kind = purpose.kind();
        let id =
            store_ca(state, &slug, &name, kind, issuer_row, Some(root.id.clone()), cert.der(), &key, false).await?;
        audit::record(state, actor, Some(issuer_id), "ca.intermediate.create", &slug, &name).await?;
        created.push(info(&state.store().ca_by_id(&id).await?.ok_or(AppError::Internal)?));
    }
    ocsp::forget_responders(state);
    Ok(created)
}

/// Revokes an issuing CA (the operator, with a reason): it signs nothing more, the root's ARL lists it at once,
/// and its issuer can be given a new issuing CA.
pub async fn revoke_issuing_ca(
    state: &AppState,
    actor: &Actor,
    ca_id: &str,
    reason: crate::model::RevocationReason,
) -> AppResult<CaInfo> {
    let ca = CaId::new(ca_id);
    let row = state.store().ca_by_id(&ca).await?.ok_or(AppError::NotFound)?;
    if row.kind == "root" {
        return Err(AppError::Refused("The root cannot be revoked; replace the hierarchy instead.".into()));
    }
    if !state.store().revoke_ca(&ca, reason.as_str(), state.now()).await? {
        return Err(AppError::Conflict(format!("{} was revoked already; revocation is final.", row.name)));
    }
    let root = state.store().root_ca().await?.ok_or(AppError::Internal)?;
    crl::sign_arl(state, &root).await?;
    state.ca_runtime().lock_issuing().clear();
    state.ca_runtime().lock().remove(ca_id);
    ocsp::forget_responders(state);
    audit::record(state, actor, row.issuer.as_ref(), "ca.revoke", &row.slug, reason.label()).await?;
    Ok(info(&state.store().ca_by_id(&ca).await?.ok_or(AppError::Internal)?))
}

/// Imports an existing CA certificate with its key (PEM; the key plain or encrypted PKCS#8).
pub async fn import(state: &AppState, actor: &Actor, input: CaImport) -> AppResult<CaInfo> {
    let cert_der = ::pem::parse(input.cert_pem.trim())
        .ok()
        .filter(|p| p.tag() == "CERTIFICATE")
        .map(|p| p.into_contents())
        .ok_or_else(|| AppError::field("cert_pem", "Paste the CA certificate in PEM (-----BEGIN CERTIFICATE-----)."))?;
    let (_, cert) = X509Certificate::from_der(&cert_der)
        .map_err(|_| AppError::field("cert_pem", "The certificate cannot be read."))?;
    let is_ca = cert.basic_constraints().ok().flatten().is_some_and(|bc| bc.value.ca);
    if !is_ca {
        return Err(AppError::field("cert_pem", "This is not a CA certificate (basicConstraints CA:TRUE is missing)."));
    }
    let key = read_private_key(&input.key_pem, &input.key_password)?;
    if key.subject_public_key_info() != cert.public_key().raw {
        return Err(AppError::field("key_pem", "This key does not belong to the certificate."));
    }
    let name =
        cert.subject().iter_common_name().next().and_then(|c| c.as_str().ok()).unwrap_or("Imported CA").to_string();
    let (kind, issuer, parent, slug_base) = if input.issuer_id.trim().is_empty() {
        if cert.subject() != cert.issuer() || cert.verify_signature(None).is_err() {
            return Err(AppError::field(
                "cert_pem",
                "A root must be self-signed; choose the issuer for an issuing CA.",
            ));
        }
        if state.store().root_ca().await?.is_some() {
            return Err(AppError::Conflict("A root CA exists already.".into()));
        }
        ("root", None, None, "root".to_string())
    } else {
        let issuer =
            state.store().issuer_by_id(&IssuerId::new(input.issuer_id.trim())).await?.ok_or(AppError::NotFound)?;
        let purpose = CaPurpose::of_certificate(&cert);
        if state.store().issuing_ca_of(&IssuerId::new(&issuer.id), purpose.kind()).await?.is_some() {
            let what = if purpose == CaPurpose::Smime { "an S/MIME" } else { "a TLS" };
            return Err(AppError::Conflict(format!("{} has {what} issuing CA already.", issuer.name)));
        }
        let root = state.store().root_ca().await?.ok_or_else(|| {
            AppError::Conflict("Import the root CA first, so that Signet can serve the whole chain.".into())
        })?;
        let root_der = unb64(&root.cert_der)?;
        let (_, root_cert) = X509Certificate::from_der(&root_der).map_err(|_| AppError::Internal)?;
        if cert.verify_signature(Some(root_cert.public_key())).is_err() {
            return Err(AppError::field("cert_pem", "This CA certificate was not signed by Signet's root CA."));
        }
        let slug_base = match purpose {
            CaPurpose::Tls => format!("{}-ca", issuer.slug),
            CaPurpose::Smime => format!("{}-smime-ca", issuer.slug),
        };
        (purpose.kind(), Some(IssuerId::new(&issuer.id)), Some(root.id.clone()), slug_base)
    };
    let slug = unique_slug(state, &slug_base).await?;
    let id = store_ca(state, &slug, &name, kind, issuer.clone(), parent, &cert_der, &key, true).await?;
    audit::record(state, actor, issuer.as_ref(), &format!("ca.{kind}.import"), &slug, &name).await?;
    let row = state.store().ca_by_id(&id).await?.ok_or(AppError::Internal)?;
    Ok(info(&row))
}

fn read_private_key(key_pem: &str, password: &str) -> AppResult<KeyPair> {
    let bad = |m: &str| AppError::field("key_pem", m);
    let block =
        ::pem::parse(key_pem.trim()).map_err(|_| bad("Paste the private key in PEM (-----BEGIN PRIVATE KEY-----)."))?;
    let der = match block.tag() {
        "PRIVATE KEY" => block.into_contents(),
        "ENCRYPTED PRIVATE KEY" => {
            if password.is_empty() {
                return Err(AppError::field("key_password", "This key is encrypted: give its password."));
            }
            let info = pkcs8::EncryptedPrivateKeyInfo::try_from(block.contents())
                .map_err(|_| bad("The encrypted key cannot be read."))?;
            info.decrypt(password.as_bytes())
                .map_err(|_| AppError::field("key_password", "The password does not open this key."))?
                .as_bytes()
                .to_vec()
        }
        "EC PRIVATE KEY" | "RSA PRIVATE KEY" => {
            return Err(bad("Convert the key to PKCS#8 first: openssl pkcs8 -topk8 -in ca.key -out ca-pkcs8.key"))
        }
        _ => return Err(bad("This is not a private key.")),
    };
    KeyPair::try_from(der.as_slice()).map_err(|_| bad("The key type is not supported (RSA, P-256 or P-384)."))
}

/// CA `ca`, ready to sign: one of the signers unsealed already, without reading its row, or else as
/// `signer_for_row`.
async fn signer_by_id(state: &AppState, ca: &str) -> AppResult<Arc<Signer>> {
    if let Some(s) = state.ca_runtime().lock().get(ca) {
        return Ok(s.clone());
    }
    let row = state.store().ca_by_id(&CaId::new(ca)).await?.ok_or(AppError::Internal)?;
    signer_for_row(state, &row).await
}

/// An online CA (an issuing CA) ready to sign; unsealed once per process. The root is refused here: its key
/// is unsealed only by `root_signer`, for the operator's actions.
async fn signer_for_row(state: &AppState, row: &CaRow) -> AppResult<Arc<Signer>> {
    let id = row.id.key().to_string();
    if row.kind == "root" {
        tracing::error!(ca = %row.slug, "the root's key was asked for outside an operator action; refused");
        return Err(AppError::Internal);
    }
    if let Some(s) = state.ca_runtime().lock().get(&id) {
        return Ok(s.clone());
    }
    let signer = Arc::new(unseal(state, row).await?);
    state.ca_runtime().lock().insert(id, signer.clone());
    Ok(signer)
}

/// The root, ready to sign, for an operator action (creating or revoking an issuing CA, signing the ARL).
/// Not kept: the key is dropped when the action is done.
pub(super) async fn root_signer(state: &AppState, root: &CaRow) -> AppResult<Signer> {
    state.ca_runtime().root_unseals.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    unseal(state, root).await
}

async fn unseal(state: &AppState, row: &CaRow) -> AppResult<Signer> {
    let id = row.id.key().to_string();
    let der = unb64(&row.cert_der)?;
    let key =
        KeyPair::try_from(state.ca_runtime().open(&id, &row.key_sealed)?.as_slice()).map_err(|_| AppError::Internal)?;
    let lint_key = if key.algorithm() == &rcgen::PKCS_ECDSA_P384_SHA384 {
        KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384)
    } else {
        KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
    }
    .map_err(|_| AppError::Internal)?;
    let issuer = Issuer::from_ca_cert_der(&der.clone().into(), key).map_err(|_| AppError::Internal)?;
    let lint_issuer = Issuer::from_ca_cert_der(&der.clone().into(), lint_key).map_err(|_| AppError::Internal)?;
    let hashes = IssuerHashes::of_ca(&der).ok_or(AppError::Internal)?;
    let mut chain = vec![der];
    let mut parent = row.parent.clone();
    while let Some(p) = parent {
        let prow = state.store().ca_by_id(&p).await?.ok_or(AppError::Internal)?;
        chain.push(unb64(&prow.cert_der)?);
        parent = prow.parent.clone();
    }
    Ok(Signer {
        ca_id: row.id.clone(),
        slug: row.slug.clone(),
        issuer,
        lint_issuer,
        chain,
        not_after: row.not_after,
        hashes,
    })
}

/// The issuer's TLS issuing CA, ready to sign.
pub async fn issuing_signer(state: &AppState, issuer: &IssuerId) -> AppResult<Arc<Signer>> {
    issuing_signer_for(state, issuer, CaPurpose::Tls).await
}

/// The issuer's issuing CA of `purpose`, ready to sign.
pub async fn issuing_signer_for(state: &AppState, issuer: &IssuerId, purpose: CaPurpose) -> AppResult<Arc<Signer>> {
    let cache_key = format!("{issuer}/{}", purpose.kind());
    if let Some((at, signer)) = state.ca_runtime().lock_issuing().get(&cache_key) {
        if at.elapsed() < ISSUING_CA_REFRESH {
            return Ok(signer.clone());
        }
    }
    let row = state.store().issuing_ca_of(issuer, purpose.kind()).await?.ok_or_else(|| {
        let what = if purpose == CaPurpose::Smime { "S/MIME issuing CA" } else { "issuing CA" };
        AppError::Conflict(format!("This issuer has no {what} yet: the operator creates it on the CA page"))
    })?;
    let signer = signer_for_row(state, &row).await?;
    state.ca_runtime().lock_issuing().insert(cache_key, (Instant::now(), signer.clone()));
    Ok(signer)
}

/// Signs a leaf: lint first (signed by a throw-away key), then the CA's signature. Errors are lint findings.
pub fn sign_leaf(signer: &Signer, spec: &LeafSpec, spki: &[u8]) -> Result<Vec<u8>, String> {
    let public = rcgen::SubjectPublicKeyInfo::from_der(spki).map_err(|_| "the CSR's key cannot be used".to_string())?;
    let params = profile::leaf_params(spec)?;
    let draft = params.signed_by(&public, &signer.lint_issuer).map_err(|e| format!("cannot build: {e}"))?;
    let findings = profile::lint(draft.der(), spec);
    if !findings.is_empty() {
        return Err(findings.join("; "));
    }
    if spec.not_after() > signer.not_after {
        return Err("the certificate would outlive its issuing CA; the operator must renew the CA".into());
    }
    let cert = params.signed_by(&public, &signer.issuer).map_err(|e| format!("cannot sign: {e}"))?;
    Ok(cert.der().to_vec())
}

pub fn serial_hex(der: &[u8]) -> String {
    X509Certificate::from_der(der).map(|(_, c)| hex::encode_upper(c.raw_serial())).unwrap_or_default()
}

pub fn new_serial() -> [u8; 16] {
    random16()
}
