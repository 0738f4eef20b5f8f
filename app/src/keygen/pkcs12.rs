//! PKCS#12 (.p12/.pfx, RFC 7292) files as OpenSSL 3 writes them by default: the certificates in a
//! PBES2-encrypted bag, the key in a PBES2 shrouded key bag (PBKDF2-HMAC-SHA256, AES-256-CBC), and an
//! HMAC-SHA256 integrity MAC.
//!
//! The RustCrypto `pkcs12` crate gives the ASN.1 types and the PKCS#12 key derivation; the assembly is here.
//! (`p12-keystore` would write the file in one call, but it brings a second X.509 parser and a second random
//! number generator stack into the Wasm bundle.)

use cms::content_info::{CmsVersion, ContentInfo};
use cms::encrypted_data::EncryptedData;
use cms::enveloped_data::EncryptedContentInfo;
use hmac::{Hmac, Mac};
use pkcs8::der::asn1::{BmpString, OctetString, SetOfVec};
use pkcs8::der::{Any, Decode, Encode};
use pkcs8::pkcs5::{pbes2, EncryptionScheme};
use pkcs8::spki::AlgorithmIdentifierOwned;
use pkcs8::ObjectIdentifier;
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};
use x509_cert::attr::Attribute;

use super::{certificates_in, check_password, invalid, KeygenError, PrivateKey};

const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ID_ENCRYPTED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.6");
const FRIENDLY_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.20");
const LOCAL_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.21");
const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
/// OpenSSL 3's defaults for both the PBKDF2 and the MAC iterations.
const ITERATIONS: u32 = 2048;

/// A .p12 holding `key`, the first certificate of `chain_pem` (which must be the key's) and the rest of the
/// chain, protected by `export_password`.
pub fn build_pkcs12(
    key: &PrivateKey,
    chain_pem: &str,
    friendly_name: &str,
    export_password: &str,
) -> Result<Vec<u8>, KeygenError> {
    check_password(export_password)?;
    let certs = certificates_in(chain_pem)?;
    if !key.matches_certificate(&certs[0])? {
        return Err(KeygenError::KeyMismatch);
    }
    // The leaf and its key are paired by the SHA-1 of the certificate in OpenSSL; any shared value works,
    // and the SHA-256 prefix avoids bringing SHA-1 in.
    let local_key_id = Sha256::digest(&certs[0])[..20].to_vec();
    let attributes = |with_name: bool| -> Result<SetOfVec<Attribute>, KeygenError> {
        let mut set = SetOfVec::new();
        if with_name && !friendly_name.is_empty() {
            let name = BmpString::from_utf8(friendly_name).map_err(invalid)?;
            set.insert(attribute(FRIENDLY_NAME, Any::encode_from(&name).map_err(invalid)?)?).map_err(invalid)?;
        }
        let id = OctetString::new(local_key_id.clone()).map_err(invalid)?;
        set.insert(attribute(LOCAL_KEY_ID, Any::encode_from(&id).map_err(invalid)?)?).map_err(invalid)?;
        Ok(set)
    };

    // The certificates: one certBag each, the leaf marked with the key's id; encrypted together.
    let mut cert_bags = Vec::new();
    for (i, der) in certs.iter().enumerate() {
        let bag = pkcs12::cert_type::CertBag {
            cert_id: pkcs12::PKCS_12_X509_CERT_OID,
            cert_value: OctetString::new(der.clone()).map_err(invalid)?,
        };
        cert_bags.push(pkcs12::safe_bag::SafeBag {
            bag_id: pkcs12::PKCS_12_CERT_BAG_OID,
            bag_value: bag.to_der().map_err(invalid)?,
            bag_attributes: if i == 0 { Some(attributes(true)?) } else { None },
        });
    }
    let (mut salt, mut iv) = ([0u8; 16], [0u8; 16]);
    let scheme = new_scheme(&mut salt, &mut iv)?;
    let plain = cert_bags.to_der().map_err(invalid)?;
    let encrypted = scheme.encrypt(export_password.as_bytes(), &plain).map_err(invalid)?;
    let cert_data = EncryptedData {
        version: CmsVersion::V0,
        enc_content_info: EncryptedContentInfo {
            content_type: ID_DATA,
            content_enc_alg: algorithm(&scheme)?,
            encrypted_content: Some(OctetString::new(encrypted).map_err(invalid)?),
        },
        unprotected_attrs: None,
    };

    // The key: a pkcs8ShroudedKeyBag (an EncryptedPrivateKeyInfo).
    let (mut key_salt, mut key_iv) = ([0u8; 16], [0u8; 16]);
    let scheme = new_scheme(&mut key_salt, &mut key_iv)?;
    let key_der = key.pkcs8_der()?;
    let encrypted_key = scheme.encrypt(export_password.as_bytes(), key_der.as_bytes()).map_err(invalid)?;
    let shrouded = pkcs8::EncryptedPrivateKeyInfo { encryption_algorithm: scheme, encrypted_data: &encrypted_key };
    let key_bag = pkcs12::safe_bag::SafeBag {
        bag_id: pkcs12::PKCS_12_PKCS8_KEY_BAG_OID,
        bag_value: shrouded.to_der().map_err(invalid)?,
        bag_attributes: Some(attributes(true)?),
    };
    let key_contents = vec![key_bag].to_der().map_err(invalid)?;

    let auth_safe: Vec<ContentInfo> = vec![
        ContentInfo { content_type: ID_ENCRYPTED_DATA, content: Any::encode_from(&cert_data).map_err(invalid)? },
        ContentInfo {
            content_type: ID_DATA,
            content: Any::encode_from(&OctetString::new(key_contents).map_err(invalid)?).map_err(invalid)?,
        },
    ];
    let auth_safe_der = auth_safe.to_der().map_err(invalid)?;

    // The MAC over the authenticated safe, keyed by the PKCS#12 KDF (RFC 7292 appendix B).
    let mut mac_salt = [0u8; 16];
    OsRng.fill_bytes(&mut mac_salt);
    let mac_key = pkcs12::kdf::derive_key_utf8::<Sha256>(
        export_password,
        &mac_salt,
        pkcs12::kdf::Pkcs12KeyType::Mac,
        ITERATIONS as i32,
        32,
    )
    .map_err(invalid)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&mac_key).map_err(invalid)?;
    mac.update(&auth_safe_der);
    let digest = mac.finalize().into_bytes().to_vec();

    let pfx = pkcs12::pfx::Pfx {
        version: pkcs12::pfx::Version::V3,
        auth_safe: ContentInfo {
            content_type: ID_DATA,
            content: Any::encode_from(&OctetString::new(auth_safe_der).map_err(invalid)?).map_err(invalid)?,
        },
        mac_data: Some(pkcs12::mac_data::MacData {
            mac: pkcs12::digest_info::DigestInfo {
                algorithm: AlgorithmIdentifierOwned { oid: SHA256, parameters: Some(Any::null()) },
                digest: OctetString::new(digest).map_err(invalid)?,
            },
            mac_salt: OctetString::new(mac_salt.to_vec()).map_err(invalid)?,
            iterations: ITERATIONS as i32,
        }),
    };
    pfx.to_der().map_err(invalid)
}

fn attribute(oid: ObjectIdentifier, value: Any) -> Result<Attribute, KeygenError> {
    let mut values = SetOfVec::new();
    values.insert(value).map_err(invalid)?;
    Ok(Attribute { oid, values })
}

/// PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC, fresh salt and IV.
fn new_scheme<'a>(salt: &'a mut [u8; 16], iv: &'a mut [u8; 16]) -> Result<EncryptionScheme<'a>, KeygenError> {
    OsRng.fill_bytes(salt);
    OsRng.fill_bytes(iv);
    Ok(EncryptionScheme::Pbes2(pbes2::Parameters::pbkdf2_sha256_aes256cbc(ITERATIONS, salt, iv).map_err(invalid)?))
}

fn algorithm(scheme: &EncryptionScheme<'_>) -> Result<AlgorithmIdentifierOwned, KeygenError> {
    AlgorithmIdentifierOwned::from_der(&scheme.to_der().map_err(invalid)?).map_err(invalid)
}
