//! The browser's key and CSR code, run natively and checked with `openssl`: what openssl accepts here is
//! what the Wasm build produces, since it is the same code.

use super::*;
use crate::model::Organisation;
use crate::pki::csr::{self, Expectations};
use std::path::PathBuf;
use std::process::Command;

struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("signet-keygen-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
    fn write(&self, file: &str, bytes: impl AsRef<[u8]>) -> String {
        let path = self.0.join(file);
        std::fs::write(&path, bytes).unwrap();
        path.to_string_lossy().into_owned()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn openssl(args: &[&str]) -> (bool, String) {
    let out = Command::new("openssl").args(args).output().expect("openssl is installed");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

fn subject() -> Subject {
    Subject {
        common_name: "shop.example.com".into(),
        organisation: "Shop d.o.o.".into(),
        unit: "Web".into(),
        locality: "Ljubljana".into(),
        state: "Osrednjeslovenska".into(),
        country: "si".into(),
        email: "it@shop.example.com".into(),
    }
}

fn names() -> Vec<String> {
    vec!["shop.example.com".into(), "www.shop.example.com".into()]
}

#[test]
fn every_key_type_makes_a_csr_that_openssl_verifies_and_signet_accepts() {
    let scratch = Scratch::new("csr");
    for algorithm in KeyAlgorithm::ALL {
        let key = PrivateKey::generate(algorithm).unwrap();
        let csr_pem = make_csr(&key, &subject(), &names()).unwrap();
        let path = scratch.write("req.csr", &csr_pem);
        let (ok, text) = openssl(&["req", "-in", &path, "-noout", "-verify", "-subject", "-text"]);
        assert!(ok, "{algorithm:?}: {text}");
        assert!(text.contains("verify OK") || text.contains("Certificate request self-signature verify OK"), "{text}");
        assert!(text.contains("CN=shop.example.com") || text.contains("CN = shop.example.com"), "{text}");
        assert!(text.contains("C=SI") || text.contains("C = SI"), "{text}");
        assert!(text.contains("DNS:www.shop.example.com"), "{text}");
        match algorithm.rsa_bits() {
            Some(bits) => assert!(text.contains(&format!("Public-Key: ({bits} bit)")), "{text}"),
            None => assert!(text.contains("id-ecPublicKey"), "{text}"),
        }

        // The same checks a pasted CSR goes through on the server.
        let org = Organisation {
            name: "Shop d.o.o.".into(),
            city: "Ljubljana".into(),
            country: "SI".into(),
            ..Default::default()
        };
        let expected = names();
        let report = csr::check(
            &csr::parse(csr_pem.as_bytes()),
            &Expectations {
                names: &expected,
                key_types: &[algorithm.policy()],
                organisation: Some(&org),
                key_seen_in: None,
            },
        );
        assert!(report.accepted, "{algorithm:?}: {report:?}");
    }
}

#[test]
fn the_saved_key_file_opens_with_openssl_and_only_with_its_password() {
    let scratch = Scratch::new("pkey");
    for algorithm in [KeyAlgorithm::P256, KeyAlgorithm::P384, KeyAlgorithm::Rsa2048] {
        let key = PrivateKey::generate(algorithm).unwrap();
        let file = key.to_encrypted_pem("correct horse battery").unwrap();
        assert!(file.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"), "{file}");
        let key_path = scratch.write("key.pem", &file);
        let csr_path = scratch.write("req.csr", make_csr(&key, &subject(), &names()).unwrap());

        let (ok, from_key) = openssl(&["pkey", "-in", &key_path, "-passin", "pass:correct horse battery", "-pubout"]);
        assert!(ok, "{algorithm:?}: {from_key}");
        let (_, from_csr) = openssl(&["req", "-in", &csr_path, "-noout", "-pubkey"]);
        assert_eq!(from_key.trim(), from_csr.trim(), "the key file holds the CSR's key");
        let (ok, text) = openssl(&["pkey", "-in", &key_path, "-passin", "pass:wrong password", "-noout"]);
        assert!(!ok, "openssl must refuse a wrong password: {text}");

        // Read back by Signet (for the PKCS#12 export): right password, wrong password.
        let again = PrivateKey::from_pem(&file, "correct horse battery").unwrap();
        assert_eq!(again.public, key.public);
        assert_eq!(PrivateKey::from_pem(&file, "wrong password").err(), Some(KeygenError::WrongPassword));
        assert_eq!(
            KeygenError::WrongPassword.to_string(),
            "The password is wrong, or the file is not the key file you saved."
        );
    }
}

#[test]
fn keys_made_by_openssl_are_read_in_every_usual_form() {
    let scratch = Scratch::new("forms");
    let path = scratch.0.join("k.pem").to_string_lossy().into_owned();
    for (args, label) in [
        (vec!["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", &path], "ECDSA P-384"),
        (vec!["genrsa", "-traditional", "-out", &path, "2048"], "RSA 2048"),
        (vec!["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", &path], "ECDSA P-256"),
    ] {
        let (ok, text) = openssl(&args);
        assert!(ok, "{text}");
        let pem = std::fs::read_to_string(&path).unwrap();
        assert_eq!(PrivateKey::from_pem(&pem, "").unwrap().algorithm_label(), label, "{pem}");
    }
    let (ok, text) = openssl(&["genpkey", "-algorithm", "ED25519", "-out", &path]);
    assert!(ok, "{text}");
    let pem = std::fs::read_to_string(&path).unwrap();
    assert_eq!(PrivateKey::from_pem(&pem, "").err(), Some(KeygenError::UnsupportedKey));
    assert_eq!(
        PrivateKey::from_pem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", "").err(),
        Some(KeygenError::NotAKey)
    );
    assert_eq!(PrivateKey::from_pem("hello", "").err(), Some(KeygenError::NotAKey));
}

#[test]
fn bad_subjects_and_passwords_are_refused_in_words() {
    let key = PrivateKey::generate(KeyAlgorithm::P256).unwrap();
    let mut s = subject();
    s.country = "Slovenia".into();
    assert_eq!(
        make_csr(&key, &s, &names()).unwrap_err().to_string(),
        "The country is a two-letter code, such as FR or DE."
    );
    assert_eq!(key.to_encrypted_pem("short").unwrap_err().to_string(), "Choose a password of at least 8 characters.");
}

#[test]
fn the_self_signed_certificate_has_the_form_fields_and_dates() {
    let scratch = Scratch::new("self");
    let key = PrivateKey::generate(KeyAlgorithm::Rsa2048).unwrap();
    let day = |y| time::Date::from_calendar_date(y, time::Month::November, 22).unwrap().midnight().assume_utc();
    let (start, end) = (day(2026), day(2027));
    let pem = make_self_signed(&key, &subject(), &["www.shop.example.com".into()], start, end).unwrap();
    let path = scratch.write("self.pem", &pem);
    let (ok, text) = openssl(&["x509", "-in", &path, "-noout", "-text", "-dates"]);
    assert!(ok, "{text}");
    assert!(text.contains("notBefore=Nov 22 00:00:00 2026 GMT"), "{text}");
    assert!(text.contains("notAfter=Nov 22 00:00:00 2027 GMT"), "{text}");
    assert!(text.contains("O=Shop d.o.o.") || text.contains("O = Shop d.o.o."), "{text}");
    assert!(text.contains("DNS:shop.example.com, DNS:www.shop.example.com"), "{text}");
    assert!(text.contains("TLS Web Server Authentication"), "{text}");
    let (ok, text) = openssl(&["verify", "-partial_chain", "-trusted", &path, &path]);
    assert!(ok, "the signature is the key's own: {text}");
    assert!(make_self_signed(&key, &subject(), &[], end, start).is_err());
}

#[test]
fn the_pkcs12_file_opens_with_openssl_and_holds_key_and_chain() {
    let scratch = Scratch::new("p12");
    // A small CA issues the certificate for the browser-made key, as the issuing CA would.
    let ca_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(DnType::CommonName, "Test Issuing CA");
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca_params, ca_key);

    for algorithm in [KeyAlgorithm::P256, KeyAlgorithm::Rsa2048] {
        let key = PrivateKey::generate(algorithm).unwrap();
        let csr_pem = make_csr(&key, &subject(), &names()).unwrap();
        let leaf = rcgen::CertificateSigningRequestParams::from_pem(&csr_pem).unwrap().signed_by(&issuer).unwrap();
        let chain = format!("{}{}", leaf.pem(), ca_cert.pem());

        let p12 = build_pkcs12(&key, &chain, "shop.example.com", "export pass 1").unwrap();
        let path = scratch.write("bundle.p12", &p12);
        let (ok, text) = openssl(&["pkcs12", "-in", &path, "-passin", "pass:export pass 1", "-noenc", "-info"]);
        assert!(ok, "{algorithm:?}: {text}");
        assert!(text.contains("MAC: sha256"), "{text}");
        assert!(text.contains("PBES2, PBKDF2, AES-256-CBC"), "{text}");
        assert_eq!(text.matches("-----BEGIN CERTIFICATE-----").count(), 2, "{text}");
        assert!(text.contains("-----BEGIN PRIVATE KEY-----"), "{text}");
        assert!(text.contains("friendlyName: shop.example.com"), "{text}");
        let (ok, text) = openssl(&["pkcs12", "-in", &path, "-passin", "pass:not it", "-noout"]);
        assert!(!ok, "{text}");

        // Another key than the certificate's is refused before anything is written.
        let other = PrivateKey::generate(algorithm).unwrap();
        assert_eq!(build_pkcs12(&other, &chain, "x", "export pass 1").err(), Some(KeygenError::KeyMismatch));
    }
}
