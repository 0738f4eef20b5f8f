//! The JWS intake of every ACME request (RFC 8555 6.2, RFC 7515 flattened JSON): parsing that never panics on
//! hostile input, signature checks with ring for the account key types ACME clients use (ES256, ES384, RS256,
//! EdDSA), the key's RFC 7638 thumbprint, and the external account binding's HMAC (RFC 8555 7.3.4).

use super::acme_problem::{AcmeResult, Problem, ProblemType};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::signature::{self, UnparsedPublicKey};
use serde::Deserialize;
use serde_json::Value;

/// The request body: a flattened JWS. Unprotected headers are not allowed (RFC 8555 6.2).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Flattened {
    protected: String,
    payload: String,
    signature: String,
}

/// The protected header of an ACME request.
#[derive(Debug, Clone, Deserialize)]
pub struct Protected {
    pub alg: String,
    #[serde(default)]
    pub nonce: Option<String>,
    pub url: String,
    /// The account key itself: newAccount, and revocation by the certificate's key.
    #[serde(default)]
    pub jwk: Option<Value>,
    /// The account URL: every other request.
    #[serde(default)]
    pub kid: Option<String>,
}

/// A parsed, not yet verified, request.
#[derive(Debug, Clone)]
pub struct Jws {
    pub protected: Protected,
    /// Empty for POST-as-GET.
    pub payload: Vec<u8>,
    signing_input: Vec<u8>,
    signature: Vec<u8>,
}

fn b64(field: &str, text: &str) -> AcmeResult<Vec<u8>> {
    URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .map_err(|_| Problem::malformed(format!("The JWS {field} is not base64url.")))
}

/// Parses a request body. Says what is wrong with one that is not an ACME JWS.
pub fn parse(body: &[u8]) -> AcmeResult<Jws> {
    let f: Flattened = serde_json::from_slice(body).map_err(|_| {
        Problem::malformed(
            "The body must be a JWS in flattened JSON form {\"protected\", \"payload\", \"signature\"} and nothing \
             else (RFC 8555 6.2).",
        )
    })?;
    let header = b64("protected header", &f.protected)?;
    let protected: Protected = serde_json::from_slice(&header).map_err(|_| {
        Problem::malformed(
            "The JWS protected header must be JSON with \"alg\", \"nonce\", \"url\" and \"jwk\" or \"kid\".",
        )
    })?;
    if protected.jwk.is_some() == protected.kid.is_some() {
        return Err(Problem::malformed("The JWS protected header must carry exactly one of \"jwk\" and \"kid\"."));
    }
    Ok(Jws {
        payload: b64("payload", &f.payload)?,
        signature: b64("signature", &f.signature)?,
        signing_input: format!("{}.{}", f.protected, f.payload).into_bytes(),
        protected,
    })
}

impl Jws {
    /// The payload as JSON; `{}` stands for an empty object where the RFC allows an empty payload.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> AcmeResult<T> {
        serde_json::from_slice(&self.payload)
            .map_err(|e| Problem::malformed(format!("The request's payload is not what this resource takes: {e}.")))
    }

    pub fn is_post_as_get(&self) -> bool {
        self.payload.is_empty()
    }

    /// Checks the signature with `key`, which must suit the header's algorithm.
    pub fn verify(&self, key: &AccountKey) -> AcmeResult<()> {
        key.verify(&self.protected.alg, &self.signing_input, &self.signature)
    }
}

/// An account public key, read from its JWK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountKey {
    /// An uncompressed point (0x04 ‖ x ‖ y) on P-256 or P-384.
    Ec {
        p384: bool,
        x: String,
        y: String,
        point: Vec<u8>,
    },
    Rsa {
        n: String,
        e: String,
        n_bytes: Vec<u8>,
        e_bytes: Vec<u8>,
    },
    Ed25519 {
        x: String,
        raw: Vec<u8>,
    },
}

/// The algorithms Signet accepts, for `badSignatureAlgorithm` answers.
pub const ALGORITHMS: [&str; 4] = ["ES256", "ES384", "RS256", "EdDSA"];

fn member<'a>(jwk: &'a Value, name: &str) -> AcmeResult<&'a str> {
    jwk.get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| Problem::new(ProblemType::BadPublicKey, format!("The JWK has no \"{name}\" member.")))
}

fn bad_key(detail: &str) -> Problem {
    Problem::new(ProblemType::BadPublicKey, detail)
}

impl AccountKey {
    pub fn from_jwk(jwk: &Value) -> AcmeResult<AccountKey> {
        let decode = |name: &str| -> AcmeResult<(String, Vec<u8>)> {
            let text = member(jwk, name)?.to_string();
            let bytes = URL_SAFE_NO_PAD.decode(&text).map_err(|_| bad_key("A JWK member is not base64url."))?;
            Ok((text, bytes))
        };
        match member(jwk, "kty")? {
            "EC" => {
                let (p384, len) = match member(jwk, "crv")? {
                    "P-256" => (false, 32),
                    "P-384" => (true, 48),
                    other => return Err(bad_key(&format!("Curve {other} is not accepted; use P-256 or P-384."))),
                };
                let (x, xb) = decode("x")?;
                let (y, yb) = decode("y")?;
                if xb.len() != len || yb.len() != len {
                    return Err(bad_key("The EC key's coordinates have the wrong length for its curve."));
                }
                let point = [&[4u8][..], &xb, &yb].concat();
                Ok(AccountKey::Ec { p384, x, y, point })
            }
            "RSA" => {
                let (n, n_bytes) = decode("n")?;
                let (e, e_bytes) = decode("e")?;
                let bits = n_bytes.iter().skip_while(|b| **b == 0).count() * 8;
                if !(2048..=8192).contains(&bits) {
                    return Err(bad_key("RSA account keys must have 2048 to 8192 bits."));
                }
                Ok(AccountKey::Rsa { n, e, n_bytes, e_bytes })
            }
            "OKP" => {
                if member(jwk, "crv")? != "Ed25519" {
                    return Err(bad_key("Of the OKP curves only Ed25519 is accepted."));
                }
                let (x, raw) = decode("x")?;
                if raw.len() != 32 {
                    return Err(bad_key("An Ed25519 key is 32 bytes."));
                }
                Ok(AccountKey::Ed25519 { x, raw })
            }
            other => Err(bad_key(&format!("Key type {other} is not accepted; use EC, RSA or OKP (Ed25519)."))),
        }
    }

    fn verify(&self, alg: &str, message: &[u8], sig: &[u8]) -> AcmeResult<()> {
        let ok = match (alg, self) {
            ("ES256", AccountKey::Ec { p384: false, point, .. }) => {
                UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point).verify(message, sig).is_ok()
            }
            ("ES384", AccountKey::Ec { p384: true, point, .. }) => {
                UnparsedPublicKey::new(&signature::ECDSA_P384_SHA384_FIXED, point).verify(message, sig).is_ok()
            }
            ("RS256", AccountKey::Rsa { n_bytes, e_bytes, .. }) => {
                signature::RsaPublicKeyComponents { n: n_bytes, e: e_bytes }
                    .verify(&signature::RSA_PKCS1_2048_8192_SHA256, message, sig)
                    .is_ok()
            }
            ("EdDSA", AccountKey::Ed25519 { raw, .. }) => {
                UnparsedPublicKey::new(&signature::ED25519, raw).verify(message, sig).is_ok()
            }
            (alg, _) if !ALGORITHMS.contains(&alg) => {
                return Err(Problem::new(
                    ProblemType::BadSignatureAlgorithm,
                    format!("Algorithm {alg} is not accepted; use one of {}.", ALGORITHMS.join(", ")),
                ))
            }
            (alg, _) => {
                return Err(Problem::new(
                    ProblemType::BadSignatureAlgorithm,
                    format!("Algorithm {alg} does not fit the account key's type and curve."),
                ))
            }
        };
        if ok {
            Ok(())
        } else {
            Err(Problem::malformed("The JWS signature does not verify with the key it names."))
        }
    }

    /// The JWK with only the members RFC 7638 names, in its canonical form (members in lexicographic order,
    /// no white space): what is hashed for the thumbprint and what Signet stores.
    pub fn canonical_jwk(&self) -> String {
        match self {
            AccountKey::Ec { p384, x, y, .. } => {
                let crv = if *p384 { "P-384" } else { "P-256" };
                format!(r#"{{"crv":"{crv}","kty":"EC","x":"{x}","y":"{y}"}}"#)
            }
            AccountKey::Rsa { n, e, .. } => format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#),
            AccountKey::Ed25519 { x, .. } => format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#),
        }
    }

    /// The RFC 7638 thumbprint (SHA-256, base64url), which key authorizations end with.
    pub fn thumbprint(&self) -> String {
        URL_SAFE_NO_PAD.encode(ring::digest::digest(&ring::digest::SHA256, self.canonical_jwk().as_bytes()))
    }
}

/// The external account binding of a newAccount request (RFC 8555 7.3.4), parsed but not yet checked.
pub struct Binding {
    pub kid: String,
    jws: Jws,
}

/// Reads `externalAccountBinding`: a JWS with an HMAC algorithm, the binding's key ID, the request's URL, and
/// the account's JWK as its payload.
pub fn binding_of(eab: &Value, url: &str, account_key: &AccountKey) -> AcmeResult<Binding> {
    let jws = parse(eab.to_string().as_bytes())
        .map_err(|p| Problem::malformed(format!("externalAccountBinding: {}", p.detail)))?;
    let kid = jws.protected.kid.clone().ok_or_else(|| Problem::malformed("externalAccountBinding has no \"kid\"."))?;
    if jws.protected.nonce.is_some() {
        return Err(Problem::malformed("externalAccountBinding must not carry a nonce (RFC 8555 7.3.4)."));
    }
    if jws.protected.url != url {
        return Err(Problem::unauthorized_binding("its \"url\" is not the newAccount URL"));
    }
    let payload: Value = serde_json::from_slice(&jws.payload)
        .map_err(|_| Problem::malformed("externalAccountBinding's payload must be the account's JWK."))?;
    if AccountKey::from_jwk(&payload).ok().as_ref() != Some(account_key) {
        return Err(Problem::unauthorized_binding("its payload is not the key this request is signed with"));
    }
    Ok(Binding { kid, jws })
}

impl Binding {
    /// Checks the binding's MAC with the key given to the client (raw bytes).
    pub fn verify(&self, hmac_key: &[u8]) -> AcmeResult<()> {
        let alg = match self.jws.protected.alg.as_str() {
            "HS256" => ring::hmac::HMAC_SHA256,
            "HS384" => ring::hmac::HMAC_SHA384,
            "HS512" => ring::hmac::HMAC_SHA512,
            other => {
                return Err(Problem::new(
                    ProblemType::BadSignatureAlgorithm,
                    format!("externalAccountBinding uses {other}; use HS256, HS384 or HS512."),
                ))
            }
        };
        let key = ring::hmac::Key::new(alg, hmac_key);
        ring::hmac::verify(&key, &self.jws.signing_input, &self.jws.signature)
            .map_err(|_| Problem::unauthorized_binding("its MAC does not verify with the binding's HMAC key"))
    }
}

impl Problem {
    fn unauthorized_binding(why: &str) -> Problem {
        Problem::new(
            ProblemType::Unauthorized,
            format!("The external account binding is refused: {why}. Check the key ID and HMAC key you were given."),
        )
    }
}

/// What a challenge's response must hold (RFC 8555 8.1).
pub fn key_authorization(token: &str, thumbprint: &str) -> String {
    format!("{token}.{thumbprint}")
}

/// The TXT value of a dns-01 challenge: base64url(SHA-256(key authorization)).
pub fn dns01_value(key_authorization: &str) -> String {
    URL_SAFE_NO_PAD.encode(ring::digest::digest(&ring::digest::SHA256, key_authorization.as_bytes()))
}

#[cfg(test)]
#[path = "jws_tests.rs"]
mod tests;
