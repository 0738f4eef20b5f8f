//! The OCSP protocol (RFC 6960, profiled by RFC 5019): reading requests and writing signed responses. Which
//! CA and which status a request gets is the CA service's business (`services::ca::ocsp`); this module only
//! knows the encoding.

use chrono::{DateTime, Utc};
use der::asn1::{BitString, GeneralizedTime, Null, ObjectIdentifier, OctetString};
use der::{Decode, Encode};
use ring::digest;
use x509_cert::ext::pkix::CrlReason;
use x509_cert::ext::Extension;
use x509_cert::spki::AlgorithmIdentifierOwned;
use x509_ocsp::{
    BasicOcspResponse, CertId, CertStatus, OcspGeneralizedTime, OcspRequest, OcspResponse, ResponderId, ResponseData,
    RevokedInfo, SingleResponse, Version,
};

/// A request larger than this is refused unread: a real one names a few certificates in a few hundred bytes.
pub const MAX_REQUEST_BYTES: usize = 8 * 1024;
/// A request naming more certificates than this is malformed for Signet (RFC 5019 clients ask for one).
pub const MAX_CERTS_PER_REQUEST: usize = 10;

const SHA1: &str = "1.3.14.3.2.26";
const SHA256: &str = "2.16.840.1.101.3.4.2.1";
const NONCE: &str = "1.3.6.1.5.5.7.48.1.2";

/// The hash a request used for the issuer's name and key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IssuerHash {
    Sha1,
    Sha256,
}

impl IssuerHash {
    fn digest(self, data: &[u8]) -> Vec<u8> {
        let alg = match self {
            IssuerHash::Sha1 => &digest::SHA1_FOR_LEGACY_USE_ONLY,
            IssuerHash::Sha256 => &digest::SHA256,
        };
        digest::digest(alg, data).as_ref().to_vec()
    }
}

/// One certificate a request asks about.
#[derive(Debug, Clone)]
pub struct Query {
    pub hash: IssuerHash,
    pub issuer_name_hash: Vec<u8>,
    pub issuer_key_hash: Vec<u8>,
    /// The serial as the certificate encodes it, upper-case hex: how Signet stores serials.
    pub serial_hex: String,
    cert_id: CertId,
}

/// A request, read.
#[derive(Debug, Clone)]
pub struct Request {
    pub queries: Vec<Query>,
    /// The nonce extension as sent, to be echoed in the response.
    nonce: Option<Extension>,
}

impl Request {
    pub fn has_nonce(&self) -> bool {
        self.nonce.is_some()
    }
}

/// Why a request cannot be answered with certificate statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Malformed,
    Unauthorized,
    InternalError,
}

/// Reads a DER request. Anything that is not a well-formed request naming 1 to `MAX_CERTS_PER_REQUEST`
/// certificates with SHA-1 or SHA-256 issuer hashes is malformed.
pub fn parse_request(der: &[u8]) -> Result<Request, Refusal> {
    if der.is_empty() || der.len() > MAX_REQUEST_BYTES {
        return Err(Refusal::Malformed);
    }
    let request = OcspRequest::from_der(der).map_err(|_| Refusal::Malformed)?;
    let list = &request.tbs_request.request_list;
    if list.is_empty() || list.len() > MAX_CERTS_PER_REQUEST {
        return Err(Refusal::Malformed);
    }
    let mut queries = Vec::with_capacity(list.len());
    for single in list {
        let id = &single.req_cert;
        let hash = match id.hash_algorithm.oid.to_string().as_str() {
            SHA1 => IssuerHash::Sha1,
            SHA256 => IssuerHash::Sha256,
            _ => return Err(Refusal::Malformed),
        };
        queries.push(Query {
            hash,
            issuer_name_hash: id.issuer_name_hash.as_bytes().to_vec(),
            issuer_key_hash: id.issuer_key_hash.as_bytes().to_vec(),
            serial_hex: hex::encode_upper(id.serial_number.as_bytes()),
            cert_id: id.clone(),
        });
    }
    let nonce_oid = ObjectIdentifier::new_unwrap(NONCE);
    let nonce = request
        .tbs_request
        .request_extensions
        .as_ref()
        .and_then(|extensions| extensions.iter().find(|e| e.extn_id == nonce_oid).cloned());
    Ok(Request { queries, nonce })
}

/// The hashes by which a request names a CA: of its subject's DER and of its public key's bits.
#[derive(Debug, Clone)]
pub struct IssuerHashes {
    pub sha1: (Vec<u8>, Vec<u8>),
    pub sha256: (Vec<u8>, Vec<u8>),
}

impl IssuerHashes {
    /// From the CA certificate (DER). None if it cannot be read.
    pub fn of_ca(cert_der: &[u8]) -> Option<IssuerHashes> {
        let (_, cert) = x509_parser::parse_x509_certificate(cert_der).ok()?;
        let name = cert.subject().as_raw();
        let key = cert.public_key().subject_public_key.data.as_ref();
        let both = |h: IssuerHash| (h.digest(name), h.digest(key));
        Some(IssuerHashes { sha1: both(IssuerHash::Sha1), sha256: both(IssuerHash::Sha256) })
    }

    pub fn matches(&self, query: &Query) -> bool {
        let (name, key) = match query.hash {
            IssuerHash::Sha1 => &self.sha1,
            IssuerHash::Sha256 => &self.sha256,
        };
        *name == query.issuer_name_hash && *key == query.issuer_key_hash
    }

    /// The responder id by key: the SHA-1 of the CA's public key (RFC 6960 4.2.1).
    pub fn responder_key(&self) -> &[u8] {
        &self.sha1.1
    }
}

/// What is said about one certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Good,
    Revoked { at: DateTime<Utc>, reason: Option<u8> },
    Unknown,
}

/// One answer of a response.
pub struct Answer<'a> {
    pub query: &'a Query,
    pub status: Status,
}

/// How a CA signs: its signature algorithm and a function that signs bytes with its key.
pub struct ResponseSigner<'a> {
    pub algorithm: AlgorithmIdentifierOwned,
    pub responder_key: &'a [u8],
    pub sign: &'a dyn Fn(&[u8]) -> Option<Vec<u8>>,
}

/// The signature algorithm identifier for a CA key of this rcgen algorithm.
pub fn signature_algorithm(alg: &rcgen::SignatureAlgorithm) -> AlgorithmIdentifierOwned {
    let (oid, null_params) = if alg == &rcgen::PKCS_ECDSA_P384_SHA384 {
        ("1.2.840.10045.4.3.3", false)
    } else if alg == &rcgen::PKCS_ECDSA_P256_SHA256 {
        ("1.2.840.10045.4.3.2", false)
    } else {
        // RSA keys sign with PKCS#1 v1.5 and SHA-256, whose parameters are an explicit NULL.
        ("1.2.840.113549.1.1.11", true)
    };
    AlgorithmIdentifierOwned {
        oid: ObjectIdentifier::new_unwrap(oid),
        parameters: null_params.then(|| der::Any::from(Null)),
    }
}

fn time(t: DateTime<Utc>) -> Result<OcspGeneralizedTime, Refusal> {
    let secs = u64::try_from(t.timestamp()).map_err(|_| Refusal::InternalError)?;
    GeneralizedTime::from_unix_duration(std::time::Duration::from_secs(secs))
        .map(OcspGeneralizedTime)
        .map_err(|_| Refusal::InternalError)
}

fn crl_reason(code: u8) -> Option<CrlReason> {
    Some(match code {
        0 => CrlReason::Unspecified,
        1 => CrlReason::KeyCompromise,
        2 => CrlReason::CaCompromise,
        3 => CrlReason::AffiliationChanged,
        4 => CrlReason::Superseded,
        5 => CrlReason::CessationOfOperation,
        9 => CrlReason::PrivilegeWithdrawn,
        _ => return None,
    })
}

/// A successful response (DER) with one answer per query, valid from `this_update` to `next_update`, the
/// nonce echoed if the request had one.
pub fn signed_response(
    request: &Request,
    answers: &[Answer<'_>],
    this_update: DateTime<Utc>,
    next_update: DateTime<Utc>,
    signer: &ResponseSigner<'_>,
) -> Result<Vec<u8>, Refusal> {
    let mut responses = Vec::with_capacity(answers.len());
    for answer in answers {
        let cert_status = match answer.status {
            Status::Good => CertStatus::Good(Null),
            Status::Unknown => CertStatus::Unknown(Null),
            Status::Revoked { at, reason } => CertStatus::Revoked(RevokedInfo {
                revocation_time: time(at)?,
                revocation_reason: reason.and_then(crl_reason),
            }),
        };
        responses.push(SingleResponse {
            cert_id: answer.query.cert_id.clone(),
            cert_status,
            this_update: time(this_update)?,
            next_update: Some(time(next_update)?),
            single_extensions: None,
        });
    }
    let data = ResponseData {
        version: Version::V1,
        responder_id: ResponderId::ByKey(
            OctetString::new(signer.responder_key.to_vec()).map_err(|_| Refusal::InternalError)?,
        ),
        produced_at: time(this_update)?,
        responses,
        response_extensions: request.nonce.clone().map(|n| vec![n]),
    };
    let tbs = data.to_der().map_err(|_| Refusal::InternalError)?;
    let signature = (signer.sign)(&tbs).ok_or(Refusal::InternalError)?;
    let basic = BasicOcspResponse {
        tbs_response_data: data,
        signature_algorithm: signer.algorithm.clone(),
        signature: BitString::from_bytes(&signature).map_err(|_| Refusal::InternalError)?,
        certs: None,
    };
    OcspResponse::successful(basic).and_then(|r| r.to_der()).map_err(|_| Refusal::InternalError)
}

/// The unsigned response for a request that gets no statuses.
pub fn refusal_response(refusal: Refusal) -> Vec<u8> {
    let response = match refusal {
        Refusal::Malformed => OcspResponse::malformed_request(),
        Refusal::Unauthorized => OcspResponse::unauthorized(),
        Refusal::InternalError => OcspResponse::internal_error(),
    };
    // These three have no body to fail on; the fixed bytes are the fallback for the impossible case.
    response.to_der().unwrap_or_else(|_| vec![0x30, 0x03, 0x0a, 0x01, 0x02])
}
