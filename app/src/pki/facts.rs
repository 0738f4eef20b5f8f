//! What a certificate says, for people: the facts of the certificate details page.

use crate::model::CertificateFacts as Facts;
use x509_parser::prelude::*;

fn colon_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":")
}

/// Reads a DER certificate; None if it is not one.
pub fn read(der: &[u8]) -> Option<Facts> {
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    let (_, key_type, _) = super::csr::describe_key(cert.public_key());
    let mut facts = Facts {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        key_type,
        sha256: colon_hex(ring::digest::digest(&ring::digest::SHA256, der).as_ref()),
        sha1: colon_hex(ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, der).as_ref()),
        key_usage: Vec::new(),
        extended_key_usage: Vec::new(),
        ocsp_urls: Vec::new(),
        ca_issuers_urls: Vec::new(),
        crl_urls: Vec::new(),
    };
    for ext in cert.extensions() {
        match ext.parsed_extension() {
            ParsedExtension::KeyUsage(ku) => facts.key_usage = key_usages(ku),
            ParsedExtension::ExtendedKeyUsage(eku) => facts.extended_key_usage = extended_key_usages(eku),
            ParsedExtension::AuthorityInfoAccess(aia) => {
                for access in &aia.accessdescs {
                    if let GeneralName::URI(uri) = &access.access_location {
                        match access.access_method.to_id_string().as_str() {
                            "1.3.6.1.5.5.7.48.1" => facts.ocsp_urls.push(uri.to_string()),
                            "1.3.6.1.5.5.7.48.2" => facts.ca_issuers_urls.push(uri.to_string()),
                            _ => {}
                        }
                    }
                }
            }
            ParsedExtension::CRLDistributionPoints(points) => {
                for point in points.iter() {
                    if let Some(DistributionPointName::FullName(names)) = &point.distribution_point {
                        for name in names {
                            if let GeneralName::URI(uri) = name {
                                facts.crl_urls.push(uri.to_string());
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    Some(facts)
}

/// A CA certificate handed in with a watched one, as the chain shows it (no Signet slug).
pub fn read_chain_entry(der: &[u8]) -> Option<crate::model::ChainEntry> {
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    let not_after = chrono::DateTime::from_timestamp(cert.validity().not_after.timestamp(), 0)?;
    Some(crate::model::ChainEntry { subject: cert.subject().to_string(), slug: String::new(), not_after })
}

fn key_usages(ku: &KeyUsage) -> Vec<String> {
    [
        (ku.digital_signature(), "Digital signature"),
        (ku.non_repudiation(), "Content commitment"),
        (ku.key_encipherment(), "Key encipherment"),
        (ku.data_encipherment(), "Data encipherment"),
        (ku.key_agreement(), "Key agreement"),
        (ku.key_cert_sign(), "Certificate signing"),
        (ku.crl_sign(), "CRL signing"),
    ]
    .into_iter()
    .filter(|(set, _)| *set)
    .map(|(_, label)| label.to_string())
    .collect()
}

fn extended_key_usages(eku: &ExtendedKeyUsage) -> Vec<String> {
    let mut out = Vec::new();
    if eku.server_auth {
        out.push("TLS server authentication".to_string());
    }
    if eku.client_auth {
        out.push("TLS client authentication".to_string());
    }
    if eku.email_protection {
        out.push("E-mail protection".to_string());
    }
    if eku.code_signing {
        out.push("Code signing".to_string());
    }
    if eku.ocsp_signing {
        out.push("OCSP signing".to_string());
    }
    out.extend(eku.other.iter().map(|oid| oid.to_id_string()));
    out
}
