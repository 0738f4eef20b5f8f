//! Keys, CSRs, self-signed certificates and PKCS#12 files made on the customer's side.
//!
//! This module is pure Rust so that the code the browser runs (compiled to Wasm, see `browser`) is the code
//! the native unit tests check against `openssl`. Nothing here talks to the server: a private key made here
//! only ever leaves as a password-protected file the user saves.

mod pkcs12;
#[cfg(all(test, feature = "ssr"))]
mod tests;

#[cfg(feature = "hydrate")]
pub mod browser;

pub use pkcs12::build_pkcs12;

use pkcs8::der::Decode;
use pkcs8::{DecodePrivateKey, EncodePrivateKey, ObjectIdentifier};
use rand_core::{CryptoRngCore, OsRng, RngCore};
use rcgen::{
    CertificateParams, DistinguishedName, DnType, DnValue, ExtendedKeyUsagePurpose, IsCa, KeyUsagePurpose, SanType,
    SerialNumber, SignatureAlgorithm,
};
use serde::{Deserialize, Serialize};

use crate::model::KeyType;

/// The key types Signet makes: what the products' key policies accept (RSA of at least 2048 bits, P-256, P-384).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyAlgorithm {
    Rsa2048,
    Rsa3072,
    Rsa4096,
    P256,
    P384,
}

impl KeyAlgorithm {
    pub const ALL: [KeyAlgorithm; 5] = [Self::P256, Self::P384, Self::Rsa2048, Self::Rsa3072, Self::Rsa4096];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rsa2048 => "rsa2048",
            Self::Rsa3072 => "rsa3072",
            Self::Rsa4096 => "rsa4096",
            Self::P256 => "p256",
            Self::P384 => "p384",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Rsa2048 => "RSA 2048",
            Self::Rsa3072 => "RSA 3072",
            Self::Rsa4096 => "RSA 4096",
            Self::P256 => "ECDSA P-256",
            Self::P384 => "ECDSA P-384",
        }
    }
    /// The product key policy this key satisfies.
    pub fn policy(self) -> KeyType {
        match self {
            Self::Rsa2048 | Self::Rsa3072 | Self::Rsa4096 => KeyType::Rsa,
            Self::P256 => KeyType::P256,
            Self::P384 => KeyType::P384,
        }
    }
    /// The choices a product with these key policies offers, the quickest first.
    pub fn allowed_by(policies: &[KeyType]) -> Vec<KeyAlgorithm> {
        Self::ALL.into_iter().filter(|k| policies.is_empty() || policies.contains(&k.policy())).collect()
    }
    pub fn rsa_bits(self) -> Option<usize> {
        match self {
            Self::Rsa2048 => Some(2048),
            Self::Rsa3072 => Some(3072),
            Self::Rsa4096 => Some(4096),
            _ => None,
        }
    }
}

/// Everything that can go wrong, in words for the person at the keyboard.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeygenError {
    #[error("The password is wrong, or the file is not the key file you saved.")]
    WrongPassword,
    #[error("This file is not a private key file (expected a PEM file with a PRIVATE KEY block).")]
    NotAKey,
    #[error("This key type is not supported here (RSA of at least 2048 bits, ECDSA P-256 or P-384 are).")]
    UnsupportedKey,
    #[error("This private key does not belong to the certificate: choose the key file saved for this order.")]
    KeyMismatch,
    #[error("{0}")]
    Invalid(String),
}

fn invalid(e: impl std::fmt::Display) -> KeygenError {
    KeygenError::Invalid(e.to_string())
}

enum Secret {
    Rsa(Box<rsa::RsaPrivateKey>),
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
}

/// A private key with its public half in the form X.509 carries it.
pub struct PrivateKey {
    secret: Secret,
    /// The subjectPublicKey bits: PKCS#1 RSAPublicKey for RSA, the uncompressed point for EC keys.
    public: Vec<u8>,
}

const RSA_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const EC_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const P256_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const P384_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");

/// How the saved key file is protected: PBES2 with scrypt (N = 2^14, r = 8, p = 1: 16 MiB, within OpenSSL's
/// default scrypt memory limit so `openssl pkey -passin` opens it) and AES-256-CBC.
const SCRYPT_LOG_N: u8 = 14;

impl PrivateKey {
    /// A new key from the operating system's (or the browser's) random source.
    pub fn generate(algorithm: KeyAlgorithm) -> Result<Self, KeygenError> {
        Self::generate_with(algorithm, &mut OsRng)
    }

    pub fn generate_with(algorithm: KeyAlgorithm, rng: &mut impl CryptoRngCore) -> Result<Self, KeygenError> {
        let secret = match algorithm {
            KeyAlgorithm::P256 => Secret::P256(p256::ecdsa::SigningKey::random(rng)),
            KeyAlgorithm::P384 => Secret::P384(p384::ecdsa::SigningKey::random(rng)),
            rsa => {
                Secret::Rsa(Box::new(rsa::RsaPrivateKey::new(rng, rsa.rsa_bits().unwrap_or(2048)).map_err(invalid)?))
            }
        };
        Self::from_secret(secret)
    }

    fn from_secret(secret: Secret) -> Result<Self, KeygenError> {
        use rsa::pkcs1::EncodeRsaPublicKey;
        let public = match &secret {
            Secret::Rsa(k) => k.to_public_key().to_pkcs1_der().map_err(invalid)?.into_vec(),
            Secret::P256(k) => k.verifying_key().to_encoded_point(false).as_bytes().to_vec(),
            Secret::P384(k) => k.verifying_key().to_encoded_point(false).as_bytes().to_vec(),
        };
        Ok(PrivateKey { secret, public })
    }

    /// Reads an unencrypted PKCS#8 key (what WebCrypto exports, or `openssl genpkey` writes).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, KeygenError> {
        let info = pkcs8::PrivateKeyInfo::from_der(der).map_err(|_| KeygenError::NotAKey)?;
        let secret = if info.algorithm.oid == RSA_OID {
            let key = rsa::RsaPrivateKey::from_pkcs8_der(der).map_err(|_| KeygenError::NotAKey)?;
            if rsa::traits::PublicKeyParts::size(&key) < 256 {
                return Err(KeygenError::UnsupportedKey);
            }
            Secret::Rsa(Box::new(key))
        } else if info.algorithm.oid == EC_OID {
            let curve = info.algorithm.parameters_oid().map_err(|_| KeygenError::UnsupportedKey)?;
            if curve == P256_OID {
                Secret::P256(p256::ecdsa::SigningKey::from_pkcs8_der(der).map_err(|_| KeygenError::NotAKey)?)
            } else if curve == P384_OID {
                Secret::P384(p384::ecdsa::SigningKey::from_pkcs8_der(der).map_err(|_| KeygenError::NotAKey)?)
            } else {
                return Err(KeygenError::UnsupportedKey);
            }
        } else {
            return Err(KeygenError::UnsupportedKey);
        };
        Self::from_secret(secret)
    }

    /// Reads a key file: the encrypted PKCS#8 Signet saves, or the plain PKCS#8, PKCS#1 (`RSA PRIVATE KEY`)
    /// and SEC1 (`EC PRIVATE KEY`) files other tools write. `password` is only used for encrypted files.
    pub fn from_pem(text: &str, password: &str) -> Result<Self, KeygenError> {
        use rsa::pkcs1::DecodeRsaPrivateKey;
        let block = pem::parse(text.trim()).map_err(|_| KeygenError::NotAKey)?;
        match block.tag() {
            "ENCRYPTED PRIVATE KEY" => {
                let info =
                    pkcs8::EncryptedPrivateKeyInfo::from_der(block.contents()).map_err(|_| KeygenError::NotAKey)?;
                let plain = info.decrypt(password.as_bytes()).map_err(|_| KeygenError::WrongPassword)?;
                Self::from_pkcs8_der(plain.as_bytes())
            }
            "PRIVATE KEY" => Self::from_pkcs8_der(block.contents()),
            "RSA PRIVATE KEY" => {
                let key = rsa::RsaPrivateKey::from_pkcs1_der(block.contents()).map_err(|_| KeygenError::NotAKey)?;
                let der = key.to_pkcs8_der().map_err(invalid)?;
                Self::from_pkcs8_der(der.as_bytes())
            }
            "EC PRIVATE KEY" => {
                if let Ok(k) = p256::SecretKey::from_sec1_der(block.contents()) {
                    Self::from_secret(Secret::P256(k.into()))
                } else if let Ok(k) = p384::SecretKey::from_sec1_der(block.contents()) {
                    Self::from_secret(Secret::P384(k.into()))
                } else {
                    Err(KeygenError::UnsupportedKey)
                }
            }
            _ => Err(KeygenError::NotAKey),
        }
    }

    pub fn algorithm_label(&self) -> String {
        match &self.secret {
            Secret::Rsa(k) => format!("RSA {}", rsa::traits::PublicKeyParts::size(k.as_ref()) * 8),
            Secret::P256(_) => "ECDSA P-256".into(),
            Secret::P384(_) => "ECDSA P-384".into(),
        }
    }

    /// The unencrypted PKCS#8 DER. Only used to build files in memory (the encrypted key, PKCS#12).
    pub(crate) fn pkcs8_der(&self) -> Result<pkcs8::SecretDocument, KeygenError> {
        match &self.secret {
            Secret::Rsa(k) => k.to_pkcs8_der(),
            Secret::P256(k) => k.to_pkcs8_der(),
            Secret::P384(k) => k.to_pkcs8_der(),
        }
        .map_err(invalid)
    }

    /// The key file the user saves: `-----BEGIN ENCRYPTED PRIVATE KEY-----`, PBES2 (scrypt, AES-256-CBC).
    pub fn to_encrypted_pem(&self, password: &str) -> Result<String, KeygenError> {
        check_password(password)?;
        let doc = self.pkcs8_der()?;
        let info = pkcs8::PrivateKeyInfo::from_der(doc.as_bytes()).map_err(invalid)?;
        let mut salt = [0u8; 16];
        let mut iv = [0u8; 16];
        OsRng.fill_bytes(&mut salt);
        OsRng.fill_bytes(&mut iv);
        let scrypt = pkcs8::pkcs5::scrypt::Params::new(SCRYPT_LOG_N, 8, 1, 32).map_err(invalid)?;
        let params = pkcs8::pkcs5::pbes2::Parameters::scrypt_aes256cbc(scrypt, &salt, &iv).map_err(invalid)?;
        let encrypted = info.encrypt_with_params(params, password.as_bytes()).map_err(invalid)?;
        encrypted.to_pem("ENCRYPTED PRIVATE KEY", pkcs8::LineEnding::LF).map(|p| p.to_string()).map_err(invalid)
    }

    /// Whether the certificate (DER) carries this key's public half.
    pub fn matches_certificate(&self, cert_der: &[u8]) -> Result<bool, KeygenError> {
        let cert = x509_cert::Certificate::from_der(cert_der)
            .map_err(|_| KeygenError::Invalid("The certificate cannot be read.".into()))?;
        Ok(cert.tbs_certificate.subject_public_key_info.subject_public_key.raw_bytes() == self.public.as_slice())
    }
}

impl rcgen::PublicKeyData for PrivateKey {
    fn der_bytes(&self) -> &[u8] {
        &self.public
    }
    fn algorithm(&self) -> &'static SignatureAlgorithm {
        match self.secret {
            Secret::Rsa(_) => &rcgen::PKCS_RSA_SHA256,
            Secret::P256(_) => &rcgen::PKCS_ECDSA_P256_SHA256,
            Secret::P384(_) => &rcgen::PKCS_ECDSA_P384_SHA384,
        }
    }
}

impl rcgen::SigningKey for PrivateKey {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        use rsa::signature::{SignatureEncoding, Signer};
        Ok(match &self.secret {
            Secret::Rsa(k) => {
                let signer = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(k.as_ref().clone());
                signer.sign(msg).to_vec()
            }
            Secret::P256(k) => {
                let sig: p256::ecdsa::Signature = k.sign(msg);
                sig.to_der().as_bytes().to_vec()
            }
            Secret::P384(k) => {
                let sig: p384::ecdsa::Signature = k.sign(msg);
                sig.to_der().as_bytes().to_vec()
            }
        })
    }
}

/// A key file protected by a password nobody can recover must have a password worth the name.
pub fn check_password(password: &str) -> Result<(), KeygenError> {
    if password.chars().count() < 8 {
        return Err(KeygenError::Invalid("Choose a password of at least 8 characters.".into()));
    }
    Ok(())
}

/// The subject of a CSR or self-signed certificate (the fields of ispmanager's and TBS's forms).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    pub common_name: String,
    pub organisation: String,
    pub unit: String,
    pub locality: String,
    pub state: String,
    /// Two-letter ISO 3166 code.
    pub country: String,
    pub email: String,
}

impl Subject {
    fn distinguished_name(&self) -> Result<DistinguishedName, KeygenError> {
        let mut dn = DistinguishedName::new();
        let country = self.country.trim().to_ascii_uppercase();
        if !country.is_empty() {
            if country.len() != 2 || !country.chars().all(|c| c.is_ascii_alphabetic()) {
                return Err(KeygenError::Invalid("The country is a two-letter code, such as FR or DE.".into()));
            }
            dn.push(DnType::CountryName, DnValue::PrintableString(country.try_into().map_err(invalid)?));
        }
        for (kind, value, label, max) in [
            (DnType::StateOrProvinceName, &self.state, "state or region", 128),
            (DnType::LocalityName, &self.locality, "city", 128),
            (DnType::OrganizationName, &self.organisation, "organisation", 64),
            (DnType::OrganizationalUnitName, &self.unit, "unit", 64),
            (DnType::CommonName, &self.common_name, "common name", 64),
        ] {
            let value = value.trim();
            if value.chars().count() > max {
                return Err(KeygenError::Invalid(format!("The {label} is longer than {max} characters.")));
            }
            if !value.is_empty() {
                dn.push(kind, DnValue::Utf8String(value.to_string()));
            }
        }
        let email = self.email.trim();
        if !email.is_empty() {
            if !email.contains('@') || !email.is_ascii() {
                return Err(KeygenError::Invalid("The e-mail address is not valid.".into()));
            }
            // PKCS#9 emailAddress, an IA5String.
            let oid = vec![1, 2, 840, 113549, 1, 9, 1];
            dn.push(DnType::CustomDnType(oid), DnValue::Ia5String(email.to_string().try_into().map_err(invalid)?));
        }
        Ok(dn)
    }
}

/// Turns the order's names into subjectAltName entries: e-mail addresses for S/MIME, DNS names otherwise.
fn alt_names(names: &[String]) -> Result<Vec<SanType>, KeygenError> {
    names
        .iter()
        .map(|n| n.trim())
        .filter(|n| !n.is_empty())
        .map(|n| {
            if n.contains('@') {
                Ok(SanType::Rfc822Name(n.to_string().try_into().map_err(invalid)?))
            } else {
                Ok(SanType::DnsName(n.to_string().try_into().map_err(invalid)?))
            }
        })
        .collect()
}

/// A PKCS#10 CSR in PEM, signed by `key`, with the subject and the names as subjectAltName.
pub fn make_csr(key: &PrivateKey, subject: &Subject, names: &[String]) -> Result<String, KeygenError> {
    let mut params = CertificateParams::default();
    params.distinguished_name = subject.distinguished_name()?;
    params.subject_alt_names = alt_names(names)?;
    let csr = params.serialize_request(key).map_err(invalid)?;
    csr.pem().map_err(invalid)
}

/// A self-signed TLS server certificate, as ispmanager's form makes one: valid from `not_before` to
/// `not_after`, the common name and `names` as DNS names.
pub fn make_self_signed(
    key: &PrivateKey,
    subject: &Subject,
    names: &[String],
    not_before: time::OffsetDateTime,
    not_after: time::OffsetDateTime,
) -> Result<String, KeygenError> {
    if not_after <= not_before {
        return Err(KeygenError::Invalid("The expiry date must come after the start date.".into()));
    }
    let mut all: Vec<String> = Vec::new();
    for n in std::iter::once(&subject.common_name).chain(names) {
        let n = n.trim().to_lowercase();
        if !n.is_empty() && !all.contains(&n) {
            all.push(n);
        }
    }
    if all.is_empty() {
        return Err(KeygenError::Invalid("Give the common name (the domain the certificate is for).".into()));
    }
    let mut params = CertificateParams::default();
    params.distinguished_name = subject.distinguished_name()?;
    params.subject_alt_names = alt_names(&all)?;
    params.not_before = not_before;
    params.not_after = not_after;
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = match key.secret {
        Secret::Rsa(_) => vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment],
        _ => vec![KeyUsagePurpose::DigitalSignature],
    };
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let mut serial = [0u8; 16];
    OsRng.fill_bytes(&mut serial);
    serial[0] &= 0x7f;
    serial[0] |= 0x01;
    params.serial_number = Some(SerialNumber::from_slice(&serial));
    let cert = params.self_signed(key).map_err(invalid)?;
    Ok(cert.pem())
}

/// A file name for a certificate's files: its first name, without a wildcard label and any character a file
/// system might object to (`*.shop.example.com` → `shop.example.com.key`).
pub fn file_name(name: &str, extension: &str) -> String {
    let base: String = name
        .trim()
        .trim_start_matches("*.")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' })
        .collect();
    format!("{}.{extension}", if base.is_empty() { "certificate" } else { &base })
}

/// The DER blocks of every CERTIFICATE in a PEM text, in order.
pub fn certificates_in(pem_text: &str) -> Result<Vec<Vec<u8>>, KeygenError> {
    let blocks =
        pem::parse_many(pem_text).map_err(|_| KeygenError::Invalid("The certificate file cannot be read.".into()))?;
    let certs: Vec<Vec<u8>> =
        blocks.into_iter().filter(|b| b.tag() == "CERTIFICATE").map(|b| b.into_contents()).collect();
    if certs.is_empty() {
        return Err(KeygenError::Invalid("No certificate was found.".into()));
    }
    Ok(certs)
}
