//! TLS connections Signet makes to other people's servers (ACME tls-alpn-01, the installation check): the chain
//! the server presents is read whoever signed it (a challenge certificate is self-signed, an installed one may be
//! anybody's), while the handshake's signature is still checked with the leaf's key, so the server holds it.
//! Only public addresses are dialled, unless the operator points the connections elsewhere (split-horizon
//! networks, tests), so that nobody can aim Signet at its own network.

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use std::sync::Arc;
use std::time::Duration;
use x509_parser::prelude::*;

/// Where to connect.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    /// The domain's public addresses on this port.
    Public(u16),
    /// This host:port instead, as the operator configured (SNI stays the domain).
    Override(&'a str),
}

/// What the server presented: its chain (leaf first, DER) and the protocol it agreed to.
pub struct Peer {
    pub chain: Vec<Vec<u8>>,
    pub alpn: Option<Vec<u8>>,
}

/// Accepts any chain and checks the handshake's signatures with the leaf's key. webpki cannot be used: it
/// refuses the critical acmeIdentifier of a challenge certificate, and an installation check must read chains
/// that do not verify in order to say what is wrong with them.
#[derive(Debug)]
struct AnyChain;

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

impl ServerCertVerifier for AnyChain {
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

fn client_config(alpn: Option<&[u8]>) -> Result<rustls::ClientConfig, String> {
    let provider = rustls::crypto::ring::default_provider();
    let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(provider))
        .with_protocol_versions(rustls::ALL_VERSIONS)
        .map_err(|_| "TLS is not available on the server.".to_string())?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AnyChain))
        .with_no_client_auth();
    config.alpn_protocols = alpn.map(|p| vec![p.to_vec()]).unwrap_or_default();
    Ok(config)
}

/// Connects to `target` with SNI `domain` (and `alpn` when given) and reads what the server presents, within
/// 10 seconds. The error is a sentence for the person (or ACME client) who asked.
pub async fn handshake(target: Target<'_>, domain: &str, alpn: Option<&[u8]>) -> Result<Peer, String> {
    let config = client_config(alpn)?;
    let name = ServerName::try_from(domain.to_string()).map_err(|_| format!("{domain} is not a host name."))?;
    let port = match target {
        Target::Public(port) => port,
        Target::Override(connect) => connect.rsplit(':').next().and_then(|p| p.parse().ok()).unwrap_or(443),
    };
    let connect = async {
        let tcp = match target {
            Target::Override(connect) => tokio::net::TcpStream::connect(connect).await,
            Target::Public(port) => {
                // The domain written absolute, so that the resolver's search domains never apply.
                let found: Vec<std::net::SocketAddr> = tokio::net::lookup_host((format!("{domain}."), port))
                    .await
                    .map_err(|_| format!("{domain} has no address in the DNS."))?
                    .filter(|a| super::dcv::is_public(a.ip()))
                    .collect();
                if found.is_empty() {
                    return Err(format!("{domain} has no public address."));
                }
                tokio::net::TcpStream::connect(&found[..]).await
            }
        }
        .map_err(|_| format!("Could not connect to {domain} on port {port}."))?;
        tokio_rustls::TlsConnector::from(Arc::new(config))
            .connect(name, tcp)
            .await
            .map_err(|e| format!("The TLS handshake with {domain} on port {port} failed ({e})."))
    };
    let stream = tokio::time::timeout(Duration::from_secs(10), connect)
        .await
        .map_err(|_| format!("{domain} did not complete a TLS handshake within 10 seconds."))??;
    let (_, session) = stream.get_ref();
    let chain = session.peer_certificates().unwrap_or_default().iter().map(|c| c.as_ref().to_vec()).collect();
    Ok(Peer { chain, alpn: session.alpn_protocol().map(<[u8]>::to_vec) })
}
