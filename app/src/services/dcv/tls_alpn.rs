//! ACME tls-alpn-01 (RFC 8737, BR 3.2.2.4.20): a TLS connection to the domain on port 443 with SNI the domain
//! and ALPN `acme-tls/1`; the server must present a certificate for exactly that name carrying the critical
//! acmeIdentifier extension with the SHA-256 of the key authorization. The certificate is self-signed by design,
//! so it is not checked against any root; the handshake's signature, checked with the certificate's key, still
//! proves the server holds that key.

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use std::sync::Arc;
use std::time::Duration;
use x509_parser::prelude::*;

const ACME_TLS_ALPN: &[u8] = b"acme-tls/1";
/// id-pe-acmeIdentifier (RFC 8737 6.1).
const ACME_IDENTIFIER_OID: &str = "1.3.6.1.5.5.7.1.31";

/// Accepts the challenge certificate whoever signed it (it is self-signed) and checks the handshake's
/// signatures with its key. webpki cannot do the latter: it refuses the certificate's critical acmeIdentifier.
#[derive(Debug)]
struct ChallengeCertificate;

/// The handshake signature schemes accepted, with ring's algorithm for each.
const SCHEMES: [(SignatureScheme, &dyn ring::signature::VerificationAlgorithm); 7] = [
    (SignatureScheme::ECDSA_NISTP256_SHA256, &ring::signature::ECDSA_P256_SHA256_ASN1),
    (SignatureScheme::ECDSA_NISTP384_SHA384, &ring::signature::ECDSA_P384_SHA384_ASN1),
    (SignatureScheme::ED25519, &ring::signature::ED25519),
    (SignatureScheme::RSA_PSS_SHA256, &ring::signature::RSA_PSS_2048_8192_SHA256),
    (SignatureScheme::RSA_PSS_SHA384, &ring::signature::RSA_PSS_2048_8192_SHA384),
    (SignatureScheme::RSA_PKCS1_SHA256, &ring::signature::RSA_PKCS1_2048_8192_SHA256),
    (SignatureScheme::RSA_PKCS1_SHA384, &ring::signature::RSA_PKCS1_2048_8192_SHA384),
];

fn verify_with_certificate_key(
    message: &[u8],
    cert: &CertificateDer<'_>,
    dss: &DigitallySignedStruct,
) -> Result<HandshakeSignatureValid, rustls::Error> {
    let bad = || rustls::Error::General("the handshake signature does not verify with the certificate's key".into());
    let (_, parsed) = X509Certificate::from_der(cert.as_ref()).map_err(|_| bad())?;
    let key = parsed.tbs_certificate.subject_pki.subject_public_key.data.as_ref();
    let (_, algorithm) = SCHEMES.iter().find(|(s, _)| *s == dss.scheme).ok_or_else(bad)?;
    ring::signature::UnparsedPublicKey::new(*algorithm, key).verify(message, dss.signature()).map_err(|_| bad())?;
    Ok(HandshakeSignatureValid::assertion())
}

impl ServerCertVerifier for ChallengeCertificate {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_with_certificate_key(message, cert, dss)
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_with_certificate_key(message, cert, dss)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        SCHEMES.iter().map(|(s, _)| *s).collect()
    }
}

fn client_config() -> Result<rustls::ClientConfig, String> {
    let provider = rustls::crypto::ring::default_provider();
    let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(provider))
        .with_protocol_versions(rustls::ALL_VERSIONS)
        .map_err(|_| "TLS is not available on the server.".to_string())?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(ChallengeCertificate))
        .with_no_client_auth();
    config.alpn_protocols = vec![ACME_TLS_ALPN.to_vec()];
    Ok(config)
}

/// Checks the challenge at `connect` (host:port; the domain on 443 unless the operator set another) for
/// `domain`, expecting `digest` (SHA-256 of the key authorization). The error is a sentence for the client.
pub(super) async fn check(connect: &str, domain: &str, digest: &[u8]) -> Result<(), String> {
    let config = client_config()?;
    let name = ServerName::try_from(domain.to_string()).map_err(|_| format!("{domain} is not a host name."))?;
    let handshake = async {
        let tcp = tokio::net::TcpStream::connect(connect)
            .await
            .map_err(|_| format!("Could not connect to {domain} on port 443."))?;
        tokio_rustls::TlsConnector::from(Arc::new(config))
            .connect(name, tcp)
            .await
            .map_err(|e| format!("The TLS handshake with {domain} for acme-tls/1 failed ({e})."))
    };
    let stream = tokio::time::timeout(Duration::from_secs(10), handshake)
        .await
        .map_err(|_| format!("{domain} did not complete a TLS handshake within 10 seconds."))??;
    let (_, session) = stream.get_ref();
    if session.alpn_protocol() != Some(ACME_TLS_ALPN) {
        return Err(format!("{domain} did not agree to the acme-tls/1 protocol (ALPN)."));
    }
    let cert = session.peer_certificates().and_then(|c| c.first()).ok_or("No certificate was presented.")?;
    check_certificate(cert.as_ref(), domain, digest)
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
