//! ACME tls-alpn-01 (RFC 8737, BR 3.2.2.4.20): a TLS connection to the domain on port 443 with SNI the domain
//! and ALPN `acme-tls/1`; the server must present a certificate for exactly that name carrying the critical
//! acmeIdentifier extension with the SHA-256 of the key authorization. The certificate is self-signed by design,
//! so it is not checked against any root; the handshake's signature, checked with the certificate's key
//! (`tls_peer`), still proves the server holds that key.

use super::super::tls_peer::{self, Target};
use x509_parser::prelude::*;

const ACME_TLS_ALPN: &[u8] = b"acme-tls/1";
/// id-pe-acmeIdentifier (RFC 8737 6.1).
const ACME_IDENTIFIER_OID: &str = "1.3.6.1.5.5.7.1.31";

/// Checks the challenge at `target` (the domain's public addresses on 443 unless the operator set another
/// host:port) for `domain`, expecting `digest` (SHA-256 of the key authorization). The error is a sentence for
/// the client.
pub(super) async fn check(target: Target<'_>, domain: &str, digest: &[u8]) -> Result<(), String> {
    let peer = tls_peer::handshake(target, domain, Some(ACME_TLS_ALPN)).await?;
    if peer.alpn.as_deref() != Some(ACME_TLS_ALPN) {
        return Err(format!("{domain} did not agree to the acme-tls/1 protocol (ALPN)."));
    }
    let cert = peer.chain.first().ok_or("No certificate was presented.")?;
    check_certificate(cert, domain, digest)
}

/// The challenge certificate's rules (RFC 8737 3): one dNSName, the domain; a critical acmeIdentifier holding
/// the digest as a DER OCTET STRING.
fn check_certificate(der: &[u8], domain: &str, digest: &[u8]) -> Result<(), String> {
    let (_, cert) =
        X509Certificate::from_der(der).map_err(|_| "The presented certificate cannot be read.".to_string())?;
    let names: Vec<String> = cert
        .subject_alternative_name()
        .ok()
        .flatten()
        .map(|san| {
            san.value
                .general_names
                .iter()
                .map(|g| match g {
                    GeneralName::DNSName(d) => d.to_lowercase(),
                    other => format!("{other:?}"),
                })
                .collect()
        })
        .unwrap_or_default();
    if names != [domain.to_lowercase()] {
        return Err(format!("The certificate must name exactly {domain}; it names {}.", names.join(", ")));
    }
    let ext = cert
        .extensions()
        .iter()
        .find(|e| e.oid.to_id_string() == ACME_IDENTIFIER_OID)
        .ok_or("The certificate has no acmeIdentifier extension.")?;
    if !ext.critical {
        return Err("The certificate's acmeIdentifier extension must be critical.".into());
    }
    let expected = [&[0x04, digest.len() as u8][..], digest].concat();
    if ext.value != expected.as_slice() {
        return Err("The certificate's acmeIdentifier does not hold the SHA-256 of the key authorization.".into());
    }
    Ok(())
}
