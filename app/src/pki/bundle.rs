//! The certificates someone hands in to be watched: PEM (one or several blocks), DER, or a PKCS#7 bundle
//! (.p7b, in PEM or DER), leaf first.

use der::{Decode, Encode};
use x509_parser::prelude::*;

const PKCS7_SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
/// More than any real chain; a bundle beyond this is not a certificate chain.
const MAX_CERTIFICATES: usize = 10;

/// The certificates of `input` as DER, the leaf (the first that is not a CA) first, then the others in the
/// order given. The error says in words what was handed in instead.
pub fn read(input: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let text = std::str::from_utf8(input).ok().map(str::trim).filter(|t| t.starts_with("-----BEGIN"));
    let mut all = match text {
        Some(text) => from_pem(text)?,
        None => from_der(input)?,
    };
    if all.is_empty() {
        return Err("There is no certificate in this.".into());
    }
    if all.len() > MAX_CERTIFICATES {
        return Err(format!("This holds {} certificates; give the certificate and its chain only.", all.len()));
    }
    for der in &all {
        X509Certificate::from_der(der).map_err(|_| "A certificate in this cannot be read (its DER is damaged).")?;
    }
    if let Some(leaf) = all.iter().position(|der| !is_ca(der)) {
        let leaf = all.remove(leaf);
        all.insert(0, leaf);
    }
    Ok(all)
}

fn from_pem(text: &str) -> Result<Vec<Vec<u8>>, String> {
    let blocks =
        ::pem::parse_many(text).map_err(|_| "The PEM text cannot be read (a header, footer or base64 is damaged).")?;
    let mut out = Vec::new();
    for block in blocks {
        match block.tag() {
            "CERTIFICATE" => out.push(block.into_contents()),
            "PKCS7" => out.extend(pkcs7_certificates(block.contents()).ok_or("The PKCS#7 bundle cannot be read.")?),
            "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST" => {
                return Err("This is a CSR, not a certificate: watch the certificate issued for it.".into())
            }
            other => return Err(format!("A {other} block is not a certificate.")),
        }
    }
    Ok(out)
}

fn from_der(der: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    if X509Certificate::from_der(der).is_ok() {
        return Ok(vec![der.to_vec()]);
    }
    pkcs7_certificates(der)
        .ok_or_else(|| "This is neither a certificate (PEM or DER) nor a PKCS#7 bundle (.p7b).".into())
}

/// The certificates of a PKCS#7 SignedData (a .p7b), DER each.
fn pkcs7_certificates(der: &[u8]) -> Option<Vec<Vec<u8>>> {
    let info = cms::content_info::ContentInfo::from_der(der).ok()?;
    if info.content_type.to_string() != PKCS7_SIGNED_DATA {
        return None;
    }
    let signed: cms::signed_data::SignedData = info.content.decode_as().ok()?;
    let set = signed.certificates?;
    set.0
        .iter()
        .filter_map(|choice| match choice {
            cms::cert::CertificateChoices::Certificate(c) => Some(c.to_der().ok()),
            _ => None,
        })
        .collect()
}

fn is_ca(der: &[u8]) -> bool {
    X509Certificate::from_der(der)
        .ok()
        .and_then(|(_, c)| c.basic_constraints().ok().flatten().map(|b| b.value.ca))
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(ca: bool, name: &str) -> Vec<u8> {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let mut p = rcgen::CertificateParams::new(vec![name.to_string()]).unwrap();
        if ca {
            p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        }
        p.self_signed(&key).unwrap().der().to_vec()
    }

    #[test]
    fn pem_der_and_p7b_give_the_leaf_first() {
        let (ca, leaf) = (cert(true, "ca.example"), cert(false, "shop.example.com"));
        let pem =
            format!("{}{}", crate::pki::csr::to_pem("CERTIFICATE", &ca), crate::pki::csr::to_pem("CERTIFICATE", &leaf));
        assert_eq!(read(pem.as_bytes()).unwrap(), vec![leaf.clone(), ca.clone()]);
        assert_eq!(read(&leaf).unwrap(), vec![leaf.clone()]);
        let p7b = super::super::pkcs7::certs_only(&[ca.clone(), leaf.clone()]);
        assert_eq!(read(&p7b).unwrap(), vec![leaf.clone(), ca.clone()]);
        let p7b_pem = crate::pki::csr::to_pem("PKCS7", &p7b);
        assert_eq!(read(p7b_pem.as_bytes()).unwrap(), vec![leaf, ca]);
    }

    #[test]
    fn what_is_not_a_certificate_is_named() {
        assert!(read(b"-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----")
            .unwrap_err()
            .contains("CSR"));
        assert!(read(b"hello").unwrap_err().contains("neither a certificate"));
        assert!(read(b"-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----")
            .unwrap_err()
            .contains("cannot be read"));
    }
}
