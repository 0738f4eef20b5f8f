//! The files relying parties and subscribers download: CA certificates, and an issued certificate in the
//! formats servers need.

use super::{signer_by_id, unb64, Signer};
use crate::error::{AppError, AppResult};
use crate::model::ChainEntry;
use crate::pki::csr::to_pem;
use crate::pki::profile::CaUrls;
use crate::services::AppState;
use crate::store::CaId;

/// The DER certificate of a CA for `/pki/{slug}.crt`.
pub async fn ca_certificate(state: &AppState, slug: &str) -> AppResult<Vec<u8>> {
    let row = state.store().ca_by_slug(slug).await?.ok_or(AppError::NotFound)?;
    unb64(&row.cert_der)
}

/// Download formats of an issued certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Pem,
    Der,
    ChainPem,
    P7b,
    RootPem,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        Some(match s {
            "pem" => Format::Pem,
            "cer" | "der" => Format::Der,
            "chain" | "fullchain" => Format::ChainPem,
            "p7b" => Format::P7b,
            "root" => Format::RootPem,
            _ => return None,
        })
    }
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Pem | Format::ChainPem | Format::RootPem => "application/x-pem-file",
            Format::Der => "application/pkix-cert",
            Format::P7b => "application/x-pkcs7-certificates",
        }
    }
    pub fn file_name(self, base: &str) -> String {
        match self {
            Format::Pem => format!("{base}.pem"),
            Format::Der => format!("{base}.cer"),
            Format::ChainPem => format!("{base}.fullchain.pem"),
            Format::P7b => format!("{base}.p7b"),
            Format::RootPem => "root.pem".to_string(),
        }
    }
}

/// The bytes of a certificate download: `leaf` with the chain of the CA that signed it.
pub async fn render(state: &AppState, ca: &CaId, leaf: &[u8], format: Format) -> AppResult<Vec<u8>> {
    // A download needs only the chain, which the CA's signer holds: no read of the CA once it has signed.
    let signer = signer_by_id(state, ca.key()).await?;
    let chain = &signer.chain;
    Ok(match format {
        Format::Pem => to_pem("CERTIFICATE", leaf).into_bytes(),
        Format::Der => leaf.to_vec(),
        Format::ChainPem => {
            let mut out = to_pem("CERTIFICATE", leaf);
            // The root is left out: clients have it, and servers must not send it.
            for ca in chain.iter().take(chain.len().saturating_sub(1)) {
                out.push_str(&to_pem("CERTIFICATE", ca));
            }
            out.into_bytes()
        }
        Format::P7b => {
            let mut all = vec![leaf.to_vec()];
            all.extend(chain.iter().cloned());
            to_pem("PKCS7", &crate::pki::pkcs7::certs_only(&all)).into_bytes()
        }
        Format::RootPem => to_pem("CERTIFICATE", chain.last().map(|v| v.as_slice()).unwrap_or(leaf)).into_bytes(),
    })
}

pub fn urls(state: &AppState, signer: &Signer) -> CaUrls {
    CaUrls::for_ca(&state.settings().pki_url, &signer.slug)
}

/// The CA `ca_id` and its parents up to the root, nearest first (no key is unsealed).
pub async fn chain_of(state: &AppState, ca_id: &str) -> AppResult<Vec<ChainEntry>> {
    let mut chain = Vec::new();
    let mut next = Some(ca_id.to_string());
    while let Some(id) = next {
        let row = state.store().ca_by_id(&CaId::new(&id)).await?.ok_or(AppError::Internal)?;
        chain.push(ChainEntry { subject: row.subject.clone(), slug: row.slug.clone(), not_after: row.not_after });
        next = row.parent.as_ref().map(|id| id.key().to_string());
        if chain.len() > 4 {
            break;
        }
    }
    Ok(chain)
}
