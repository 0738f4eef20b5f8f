use super::*;
use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, Ed25519KeyPair, KeyPair, RsaKeyPair};
use serde_json::json;

/// A test account key of each accepted type, signing as an ACME client would.
enum TestKey {
    Ec(EcdsaKeyPair, bool),
    Rsa(RsaKeyPair),
    Ed(Ed25519KeyPair),
}

fn ec(p384: bool) -> TestKey {
    let rng = SystemRandom::new();
    let alg =
        if p384 { &signature::ECDSA_P384_SHA384_FIXED_SIGNING } else { &signature::ECDSA_P256_SHA256_FIXED_SIGNING };
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(alg, &rng).unwrap();
    TestKey::Ec(EcdsaKeyPair::from_pkcs8(alg, pkcs8.as_ref(), &rng).unwrap(), p384)
}

fn rsa() -> TestKey {
    TestKey::Rsa(RsaKeyPair::from_der(include_bytes!("test_rsa_2048.der")).unwrap())
}

fn ed() -> TestKey {
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
    TestKey::Ed(Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap())
}

fn b64u(b: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(b)
}

impl TestKey {
    fn alg(&self) -> &'static str {
        match self {
            TestKey::Ec(_, false) => "ES256",
            TestKey::Ec(_, true) => "ES384",
            TestKey::Rsa(_) => "RS256",
            TestKey::Ed(_) => "EdDSA",
        }
    }
    fn jwk(&self) -> Value {
        match self {
            TestKey::Ec(k, p384) => {
                let point = k.public_key().as_ref();
                let half = (point.len() - 1) / 2;
                json!({"kty": "EC", "crv": if *p384 { "P-384" } else { "P-256" },
                       "x": b64u(&point[1..=half]), "y": b64u(&point[half + 1..])})
            }
            TestKey::Rsa(k) => {
                let c = signature::RsaPublicKeyComponents::<Vec<u8>>::from(k.public());
                json!({"kty": "RSA", "n": b64u(&c.n), "e": b64u(&c.e)})
            }
            TestKey::Ed(k) => json!({"kty": "OKP", "crv": "Ed25519", "x": b64u(k.public_key().as_ref())}),
        }
    }
    fn sign(&self, message: &[u8]) -> Vec<u8> {
        let rng = SystemRandom::new();
        match self {
            TestKey::Ec(k, _) => k.sign(&rng, message).unwrap().as_ref().to_vec(),
            TestKey::Rsa(k) => {
                let mut sig = vec![0; k.public().modulus_len()];
                k.sign(&signature::RSA_PKCS1_SHA256, &rng, message, &mut sig).unwrap();
                sig
            }
            TestKey::Ed(k) => k.sign(message).as_ref().to_vec(),
        }
    }
    /// A flattened JWS with the key embedded (as newAccount sends it).
    fn request(&self, url: &str, payload: &[u8]) -> Vec<u8> {
        let header = json!({"alg": self.alg(), "nonce": "n1", "url": url, "jwk": self.jwk()});
        self.request_with(&header, payload)
    }
    fn request_with(&self, header: &Value, payload: &[u8]) -> Vec<u8> {
        let protected = b64u(header.to_string().as_bytes());
        let payload = b64u(payload);
        let sig = self.sign(format!("{protected}.{payload}").as_bytes());
        json!({"protected": protected, "payload": payload, "signature": b64u(&sig)}).to_string().into_bytes()
    }
}

fn verified(body: &[u8]) -> AcmeResult<Jws> {
    let jws = parse(body)?;
    let key = AccountKey::from_jwk(jws.protected.jwk.as_ref().unwrap())?;
    jws.verify(&key)?;
    Ok(jws)
}

#[test]
fn requests_signed_with_each_accepted_key_type_verify_and_carry_their_payload() {
    for key in [ec(false), ec(true), rsa(), ed()] {
        let jws = verified(&key.request("https://ca/acme/new-account", br#"{"termsOfServiceAgreed":true}"#))
            .unwrap_or_else(|p| panic!("{}: {}", key.alg(), p.detail));
        assert_eq!(jws.protected.url, "https://ca/acme/new-account");
        assert_eq!(jws.protected.nonce.as_deref(), Some("n1"));
        assert_eq!(jws.payload, br#"{"termsOfServiceAgreed":true}"#);
    }
}

#[test]
fn a_changed_payload_or_signature_does_not_verify() {
    for key in [ec(false), rsa(), ed()] {
        let body = key.request("https://ca/acme/new-order", b"{}");
        let mut v: Value = serde_json::from_slice(&body).unwrap();
        let tampered_payload = {
            let mut v = v.clone();
            v["payload"] = json!(b64u(b"{\"identifiers\":[]}"));
            v.to_string()
        };
        let problem = verified(tampered_payload.as_bytes()).unwrap_err();
        assert!(problem.is(ProblemType::Malformed), "{}", problem.detail);
        assert!(problem.detail.contains("signature does not verify"));
        let mut sig = URL_SAFE_NO_PAD.decode(v["signature"].as_str().unwrap()).unwrap();
        sig[5] ^= 1;
        v["signature"] = json!(b64u(&sig));
        assert!(verified(v.to_string().as_bytes()).is_err(), "{}", key.alg());
    }
}

#[test]
fn an_algorithm_that_does_not_fit_the_key_is_bad_signature_algorithm() {
    let key = ec(false);
    for alg in ["ES384", "RS256", "HS256", "none"] {
        let header = json!({"alg": alg, "nonce": "n", "url": "u", "jwk": key.jwk()});
        let problem = verified(&key.request_with(&header, b"{}")).unwrap_err();
        assert!(problem.is(ProblemType::BadSignatureAlgorithm), "{alg}: {}", problem.detail);
    }
}

#[test]
fn garbage_truncated_and_incomplete_bodies_are_malformed_never_a_panic() {
    let key = ec(false);
    let good = key.request("u", b"{}");
    let mut bodies: Vec<Vec<u8>> = (0..good.len()).step_by(7).map(|n| good[..n].to_vec()).collect();
    bodies.push(b"\xff\xfe garbage".to_vec());
    bodies.push(br#"{"protected":"!!","payload":"","signature":""}"#.to_vec());
    bodies.push(br#"{"protected":"e30","payload":"","signature":""}"#.to_vec());
    bodies.push(json!({"protected": "e30", "payload": "", "signature": "", "header": {}}).to_string().into_bytes());
    // Both "jwk" and "kid".
    let both = json!({"alg": "ES256", "nonce": "n", "url": "u", "jwk": key.jwk(), "kid": "k"});
    bodies.push(key.request_with(&both, b"{}"));
    for body in bodies {
        let problem = verified(&body).unwrap_err();
        assert!(problem.is(ProblemType::Malformed) || problem.is(ProblemType::BadPublicKey), "{}", problem.detail);
    }
}

#[test]
fn weak_or_unknown_keys_are_bad_public_key() {
    for jwk in [
        json!({"kty": "EC", "crv": "P-521", "x": "AA", "y": "AA"}),
        json!({"kty": "EC", "crv": "P-256", "x": "AAAA", "y": "AAAA"}),
        json!({"kty": "RSA", "n": b64u(&[0xc5; 128]), "e": "AQAB"}),
        json!({"kty": "oct", "k": "c2VjcmV0"}),
        json!({"kty": "OKP", "crv": "X25519", "x": b64u(&[1; 32])}),
    ] {
        assert!(AccountKey::from_jwk(&jwk).unwrap_err().is(ProblemType::BadPublicKey), "{jwk}");
    }
}

#[test]
fn the_thumbprint_is_rfc_7638s_worked_example() {
    // RFC 7638 section 3.1.
    let jwk = json!({
        "kty": "RSA",
        "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
        "e": "AQAB",
        "alg": "RS256",
        "kid": "2011-04-29"
    });
    let key = AccountKey::from_jwk(&jwk).unwrap();
    assert_eq!(key.thumbprint(), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
}

fn eab(kid: &str, url: &str, jwk: &Value, hmac_key: &[u8], alg: &str) -> Value {
    let protected = b64u(json!({"alg": alg, "kid": kid, "url": url}).to_string().as_bytes());
    let payload = b64u(jwk.to_string().as_bytes());
    let tag = ring::hmac::sign(
        &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, hmac_key),
        format!("{protected}.{payload}").as_bytes(),
    );
    json!({"protected": protected, "payload": payload, "signature": b64u(tag.as_ref())})
}

#[test]
fn an_external_account_binding_verifies_only_with_its_hmac_key_url_and_account_key() {
    let url = "https://ca/acme/new-account";
    let key = ec(false);
    let account = AccountKey::from_jwk(&key.jwk()).unwrap();
    let binding = binding_of(&eab("kid-1", url, &key.jwk(), b"secret", "HS256"), url, &account).unwrap();
    assert_eq!(binding.kid, "kid-1");
    binding.verify(b"secret").unwrap();
    assert!(binding.verify(b"another").unwrap_err().is(ProblemType::Unauthorized));

    let elsewhere = binding_of(&eab("kid-1", "https://ca/other", &key.jwk(), b"secret", "HS256"), url, &account);
    assert!(elsewhere.err().unwrap().is(ProblemType::Unauthorized));
    let other_key = ec(false).jwk();
    let for_another_key = binding_of(&eab("kid-1", url, &other_key, b"secret", "HS256"), url, &account);
    assert!(for_another_key.err().unwrap().is(ProblemType::Unauthorized));
    let weak = binding_of(&eab("kid-1", url, &key.jwk(), b"secret", "none"), url, &account).unwrap();
    assert!(weak.verify(b"secret").unwrap_err().is(ProblemType::BadSignatureAlgorithm));
}

#[test]
fn the_dns_01_value_is_the_base64url_sha256_of_the_key_authorization() {
    // RFC 8555 8.4's construction, checked against an independent SHA-256 (sha2).
    use sha2::Digest;
    let ka = key_authorization("evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA", "thumb");
    assert_eq!(ka, "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA.thumb");
    assert_eq!(dns01_value(&ka), b64u(&sha2::Sha256::digest(ka.as_bytes())));
}
