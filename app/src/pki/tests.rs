//! CSR intake and the leaf profile, natively. (Bad CSRs made by openssl are tested against the running
//! server in server/tests/orders.rs.)

use super::csr::{self, CsrError, Expectations};
use super::pkcs7;
use crate::model::{KeyType, Likeness, Organisation};
use rcgen::{CertificateParams, DistinguishedName, DnType, KeyPair};

fn csr_pem(names: &[&str], org: &str) -> (String, KeyPair) {
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut params = CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, names[0]);
    if !org.is_empty() {
        dn.push(DnType::OrganizationName, org);
    }
    params.distinguished_name = dn;
    (params.serialize_request(&key).unwrap().pem().unwrap(), key)
}

fn expect<'a>(names: &'a [String], org: &'a Organisation) -> Expectations<'a> {
    Expectations { names, key_types: &[KeyType::P256, KeyType::Rsa], organisation: Some(org), key_seen_in: None }
}

#[test]
fn a_good_csr_passes_and_reports_its_key_and_names() {
    let (pem, _) = csr_pem(&["shop.example.com", "www.shop.example.com"], "Shop d.o.o.");
    let parsed = csr::parse(pem.as_bytes());
    let names = vec!["shop.example.com".to_string(), "www.shop.example.com".to_string()];
    let org = Organisation { name: "Shop d.o.o.".into(), ..Default::default() };
    let report = csr::check(&parsed, &expect(&names, &org));
    assert!(report.accepted, "{report:?}");
    assert_eq!(report.key, "ECDSA P-256");
    assert_eq!(report.names, names);
    assert_eq!(report.subject[0].likeness, Likeness::Same);
}

#[test]
fn each_decoding_failure_has_its_own_message() {
    let (pem, _) = csr_pem(&["shop.example.com"], "");
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let cases: Vec<(String, CsrError)> = vec![
        ("   ".into(), CsrError::Empty),
        ("-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----".into(), CsrError::PrivateKey),
        ("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----".into(), CsrError::Certificate),
        (format!("-----BEGIN CERTIFICATE REQUEST-----\n{body}"), CsrError::Footer),
        (format!("{body}\n-----END CERTIFICATE REQUEST-----"), CsrError::Header),
        ("-----BEGIN CERTIFICATE REQUEST-----\n@@@###\n-----END CERTIFICATE REQUEST-----".into(), CsrError::Base64),
    ];
    for (input, want) in cases {
        assert_eq!(csr::parse(input.as_bytes()).unwrap_err(), want, "{input}");
    }
    assert!(matches!(
        csr::parse(b"-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----"),
        Err(CsrError::Structure(_))
    ));
    // A bare base64 body and raw DER are accepted as well.
    assert!(csr::parse(body.as_bytes()).is_ok());
    let der = csr::decode(pem.as_bytes()).unwrap();
    assert!(csr::parse(&der).is_ok());
}

#[test]
fn a_tampered_csr_fails_the_signature_check() {
    let (pem, _) = csr_pem(&["shop.example.com"], "");
    let mut der = csr::decode(pem.as_bytes()).unwrap();
    // The common name's last byte: still well-formed, no longer what was signed.
    let at = der.windows(16).position(|w| w == b"shop.example.com").unwrap() + 15;
    der[at] = b'n';
    assert_eq!(csr::parse(&der).unwrap_err(), CsrError::Signature);
}

#[test]
fn names_and_keys_are_compared_with_the_order() {
    let (pem, _) = csr_pem(&["shop.example.com", "evil.example.net"], "");
    let names = vec!["shop.example.com".to_string()];
    let org = Organisation::default();
    let report = csr::check(&csr::parse(pem.as_bytes()), &expect(&names, &org));
    assert!(!report.accepted);
    assert!(report.failures()[0].contains("evil.example.net"), "{:?}", report.failures());

    let only_rsa = Expectations {
        names: &names,
        key_types: &[KeyType::Rsa],
        organisation: None,
        key_seen_in: Some("SMIB-2026-00001".into()),
    };
    let (pem, _) = csr_pem(&["shop.example.com"], "");
    let report = csr::check(&csr::parse(pem.as_bytes()), &only_rsa);
    assert!(report.failures().iter().any(|f| f.contains("This product accepts RSA")), "{report:?}");
    assert!(report.checks.iter().any(|c| c.message.contains("already used in order SMIB-2026-00001")));
}

#[test]
fn subject_fields_are_same_similar_or_different() {
    assert_eq!(csr::likeness("Žutić & Sons d.o.o.", "Žutić & Sons d.o.o."), Likeness::Same);
    assert_eq!(csr::likeness("ZUTIC & SONS DOO", "Žutić & Sons d.o.o."), Likeness::Similar);
    assert_eq!(csr::likeness("Zagreb", "Zagrebb"), Likeness::Similar);
    assert_eq!(csr::likeness("Acme Corp", "Žutić & Sons d.o.o."), Likeness::Different);
}

/// Every truncation and every single-byte change of a valid CSR is either accepted or refused with a
/// message: the intake never panics (the fuzz target explores much further).
#[test]
fn mangled_csrs_never_panic() {
    let (pem, _) = csr_pem(&["shop.example.com", "www.shop.example.com"], "Shop");
    let der = csr::decode(pem.as_bytes()).unwrap();
    let names = vec!["shop.example.com".to_string()];
    let org = Organisation::default();
    for cut in 0..der.len() {
        let _ = csr::check(&csr::parse(&der[..cut]), &expect(&names, &org));
    }
    for at in 0..der.len() {
        for flip in [0x01u8, 0x80, 0xff] {
            let mut d = der.clone();
            d[at] ^= flip;
            let _ = csr::check(&csr::parse(&d), &expect(&names, &org));
        }
    }
}

#[test]
fn a_p7b_bundle_holds_the_certificates() {
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["a.example.com".to_string()]).unwrap().self_signed(&key).unwrap();
    let bundle = pkcs7::certs_only(&[cert.der().to_vec(), cert.der().to_vec()]);
    assert_eq!(bundle[0], 0x30);
    assert!(bundle.windows(cert.der().len()).any(|w| w == cert.der().as_ref()));
}
