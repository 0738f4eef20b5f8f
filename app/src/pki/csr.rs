//! CSR intake: decoding (PEM, base64 or DER), structure, signature, key policy, names and subject.
//!
//! Everything here takes untrusted bytes and must never panic: `fuzz/` feeds it arbitrary input.
//! Each failure has its own message, written for the person who pasted the CSR.

use crate::model::{CheckLevel, CsrCheck, CsrReport, KeyType, Likeness, Organisation, SubjectComparison};
use base64::Engine;
use sha2::{Digest, Sha256};
use x509_parser::prelude::*;

/// Far above any real CSR (an RSA 8192 CSR with many names is under 10 KB).
pub const MAX_CSR_BYTES: usize = 64 * 1024;

const PEM_HEADERS: [&str; 2] = ["-----BEGIN CERTIFICATE REQUEST-----", "-----BEGIN NEW CERTIFICATE REQUEST-----"];
const PEM_FOOTERS: [&str; 2] = ["-----END CERTIFICATE REQUEST-----", "-----END NEW CERTIFICATE REQUEST-----"];

/// Why a CSR could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CsrError {
    Empty,
    TooLarge,
    PrivateKey,
    Certificate,
    Header,
    Footer,
    Base64,
    Structure(String),
    Signature,
}

impl CsrError {
    /// Which check failed, in the order the checks run.
    pub fn check_label(&self) -> &'static str {
        match self {
            CsrError::Empty | CsrError::TooLarge | CsrError::PrivateKey | CsrError::Certificate | CsrError::Header => {
                "PEM header"
            }
            CsrError::Footer => "PEM footer",
            CsrError::Base64 => "Base64",
            CsrError::Structure(_) => "DER structure",
            CsrError::Signature => "Signature",
        }
    }

    pub fn message(&self) -> String {
        match self {
            CsrError::Empty => "The CSR is empty: paste it or choose a file.".into(),
            CsrError::TooLarge => format!("This is larger than any CSR ({} KB at most).", MAX_CSR_BYTES / 1024),
            CsrError::PrivateKey => "This is a private key, not a CSR. Keep your private key to yourself: paste the \
                                     CSR, which starts with -----BEGIN CERTIFICATE REQUEST-----."
                .into(),
            CsrError::Certificate => "This is a certificate, not a certificate signing request: paste the CSR, which \
                                      starts with -----BEGIN CERTIFICATE REQUEST-----."
                .into(),
            CsrError::Header => "The CSR must start with the line -----BEGIN CERTIFICATE REQUEST-----.".into(),
            CsrError::Footer => "The CSR must end with the line -----END CERTIFICATE REQUEST----- (was the end cut \
                                 off when copying?)."
                .into(),
            CsrError::Base64 => "The text between the BEGIN and END lines is not valid base64 (were characters \
                                 changed or lost when copying?)."
                .into(),
            CsrError::Structure(detail) => {
                format!("The CSR's contents are damaged and cannot be read as a certificate request ({detail}).")
            }
            CsrError::Signature => "The CSR's signature does not match its public key: it was altered after it was \
                                    made. Make a new CSR."
                .into(),
        }
    }
}

/// A CSR that decoded, parsed and whose signature verified.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedCsr {
    pub der: Vec<u8>,
    /// The SubjectPublicKeyInfo, DER.
    pub spki: Vec<u8>,
    /// SHA-256 of the SubjectPublicKeyInfo, hex: recognises the same key in later CSRs.
    pub key_fingerprint: String,
    pub key_type: Option<KeyType>,
    /// e.g. "ECDSA P-256", "RSA 1024", "Ed25519".
    pub key_label: String,
    /// RSA modulus size; 0 for other keys.
    pub rsa_bits: usize,
    /// False when the key is one Signet refuses anyway and cannot verify (RSA under 2048 bits, P-521…).
    pub signature_checked: bool,
    pub subject: Subject,
    /// DNS names and e-mail addresses from the subjectAltName request, lower case.
    pub san_names: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Subject {
    pub common_name: String,
    pub organization: String,
    pub organizational_unit: String,
    pub locality: String,
    pub state: String,
    pub country: String,
    pub email: String,
}

impl ParsedCsr {
    /// Every name the CSR asks for: the SANs and the common name (when it looks like a host name or an
    /// address rather than a label such as "My server"), de-duplicated, lower case.
    pub fn names(&self) -> Vec<String> {
        let mut names = self.san_names.clone();
        let cn = self.subject.common_name.trim().to_lowercase();
        let is_name = (cn.contains('.') || cn.contains('@')) && !cn.contains(char::is_whitespace);
        if is_name && !names.contains(&cn) {
            names.push(cn);
        }
        names
    }

    pub fn pem(&self) -> String {
        to_pem("CERTIFICATE REQUEST", &self.der)
    }
}

/// PEM text with 64-character lines.
pub fn to_pem(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// PEM, bare base64 or DER bytes → DER.
pub fn decode(input: &[u8]) -> Result<Vec<u8>, CsrError> {
    if input.len() > MAX_CSR_BYTES {
        return Err(CsrError::TooLarge);
    }
    // DER starts with a SEQUENCE tag; text never does.
    if input.first() == Some(&0x30) {
        return Ok(input.to_vec());
    }
    let text = String::from_utf8_lossy(input);
    let text = text.trim();
    if text.is_empty() {
        return Err(CsrError::Empty);
    }
    if text.contains("PRIVATE KEY-----") {
        return Err(CsrError::PrivateKey);
    }
    let body = if text.contains("-----BEGIN") || text.contains("-----END") {
        if text.contains("-----BEGIN CERTIFICATE-----") || text.contains("-----BEGIN TRUSTED CERTIFICATE-----") {
            return Err(CsrError::Certificate);
        }
        let (start, header) =
            PEM_HEADERS.iter().find_map(|h| text.find(h).map(|at| (at, *h))).ok_or(CsrError::Header)?;
        let after = &text[start + header.len()..];
        let end = PEM_FOOTERS.iter().find_map(|f| after.find(f)).ok_or(CsrError::Footer)?;
        after[..end].to_string()
    } else {
        text.to_string()
    };
    let cleaned: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    if cleaned.is_empty() {
        return Err(CsrError::Base64);
    }
    base64::engine::general_purpose::STANDARD.decode(cleaned.as_bytes()).map_err(|_| CsrError::Base64)
}

/// Decodes, parses and verifies the signature.
pub fn parse(input: &[u8]) -> Result<ParsedCsr, CsrError> {
    let der = decode(input)?;
    let (rest, csr) = X509CertificationRequest::from_der(&der).map_err(|e| CsrError::Structure(short_error(&e)))?;
    if !rest.is_empty() {
        return Err(CsrError::Structure(format!("{} unexpected bytes after the request", rest.len())));
    }
    let info = &csr.certification_request_info;
    let spki = info.subject_pki.raw.to_vec();
    let (key_type, key_label, rsa_bits) = describe_key(&info.subject_pki);
    // Keys refused by the key check cannot always be verified (ring has no RSA below 2048 bits, no P-521):
    // the key check then gives the reason instead of a misleading signature failure.
    let signature_checked = key_type.is_some() && (key_type != Some(KeyType::Rsa) || rsa_bits >= 2048);
    if signature_checked {
        csr.verify_signature().map_err(|_| CsrError::Signature)?;
    }
    let mut san_names = Vec::new();
    if let Some(extensions) = csr.requested_extensions() {
        for ext in extensions {
            if let ParsedExtension::SubjectAlternativeName(san) = ext {
                for name in &san.general_names {
                    let value = match name {
                        GeneralName::DNSName(n) | GeneralName::RFC822Name(n) => n.trim().to_lowercase(),
                        _ => continue,
                    };
                    if !value.is_empty() && !san_names.contains(&value) {
                        san_names.push(value);
                    }
                }
            }
        }
    }
    let first = |it: &mut dyn Iterator<Item = &AttributeTypeAndValue>| {
        it.next().and_then(|a| a.as_str().ok()).unwrap_or("").trim().to_string()
    };
    let s = &info.subject;
    let email_oid = x509_parser::oid_registry::OID_PKCS9_EMAIL_ADDRESS;
    let subject = Subject {
        common_name: first(&mut s.iter_common_name()),
        organization: first(&mut s.iter_organization()),
        organizational_unit: first(&mut s.iter_organizational_unit()),
        locality: first(&mut s.iter_locality()),
        state: first(&mut s.iter_state_or_province()),
        country: first(&mut s.iter_country()),
        email: first(&mut s.iter_by_oid(&email_oid)),
    };
    Ok(ParsedCsr {
        key_fingerprint: hex::encode(Sha256::digest(&spki)),
        der: der.clone(),
        spki,
        key_type,
        key_label,
        rsa_bits,
        signature_checked,
        subject,
        san_names,
    })
}

fn short_error(e: &dyn std::fmt::Display) -> String {
    let text = e.to_string();
    text.chars().take(120).collect()
}

pub(crate) fn describe_key(spki: &SubjectPublicKeyInfo) -> (Option<KeyType>, String, usize) {
    let alg = spki.algorithm.algorithm.to_id_string();
    match alg.as_str() {
        "1.2.840.113549.1.1.1" => {
            let bits = match spki.parsed() {
                Ok(x509_parser::public_key::PublicKey::RSA(rsa)) => rsa.key_size(),
                _ => 0,
            };
            (Some(KeyType::Rsa), format!("RSA {bits}"), bits)
        }
        "1.2.840.10045.2.1" => {
            let curve = spki.algorithm.parameters.as_ref().and_then(|p| p.as_oid().ok()).map(|o| o.to_id_string());
            match curve.as_deref() {
                Some("1.2.840.10045.3.1.7") => (Some(KeyType::P256), "ECDSA P-256".into(), 0),
                Some("1.3.132.0.34") => (Some(KeyType::P384), "ECDSA P-384".into(), 0),
                Some("1.3.132.0.35") => (None, "ECDSA P-521".into(), 0),
                Some(other) => (None, format!("ECDSA on curve {other}"), 0),
                None => (None, "ECDSA without a named curve".into(), 0),
            }
        }
        "1.3.101.112" => (None, "Ed25519".into(), 0),
        "1.3.101.113" => (None, "Ed448".into(), 0),
        "1.2.840.10040.4.1" => (None, "DSA".into(), 0),
        other => (None, format!("an unknown key type ({other})"), 0),
    }
}

/// What the order expects of the CSR.
pub struct Expectations<'a> {
    pub names: &'a [String],
    pub key_types: &'a [KeyType],
    pub organisation: Option<&'a Organisation>,
    /// An earlier order or certificate with the same public key, if any (its order number).
    pub key_seen_in: Option<String>,
}

/// Runs every check. A CSR that cannot be read gives a report with the failing check and nothing else.
pub fn check(parsed: &Result<ParsedCsr, CsrError>, expect: &Expectations) -> CsrReport {
    let pass = |label: &str, message: String| CsrCheck { label: label.into(), level: CheckLevel::Pass, message };
    let csr = match parsed {
        Err(e) => {
            return CsrReport {
                accepted: false,
                checks: vec![CsrCheck { label: e.check_label().into(), level: CheckLevel::Fail, message: e.message() }],
                subject: vec![],
                key: String::new(),
                names: vec![],
            }
        }
        Ok(csr) => csr,
    };
    let mut checks = vec![
        pass("PEM and base64", "The CSR decodes.".into()),
        pass("DER structure", "The CSR is a well-formed PKCS#10 request.".into()),
        if csr.signature_checked {
            pass("Signature", "The signature matches the public key.".into())
        } else {
            CsrCheck {
                label: "Signature".into(),
                level: CheckLevel::Warning,
                message: "Not checked: the key is of a kind Signet does not accept (see below).".into(),
            }
        },
    ];
    checks.push(key_check(csr, expect.key_types));
    checks.extend(name_checks(&csr.names(), expect.names));
    match &expect.key_seen_in {
        Some(order) => checks.push(CsrCheck {
            label: "Key reuse".into(),
            level: CheckLevel::Warning,
            message: format!(
                "This public key was already used in order {order}. A new key for each certificate is safer; \
                 you may go on with this one."
            ),
        }),
        None => checks.push(pass("Key reuse", "This key has not been seen before.".into())),
    }
    let subject = expect.organisation.map(|org| compare_subject(&csr.subject, org)).unwrap_or_default();
    CsrReport {
        accepted: checks.iter().all(|c| c.level != CheckLevel::Fail),
        checks,
        subject,
        key: csr.key_label.clone(),
        names: csr.names(),
    }
}

fn key_check(csr: &ParsedCsr, allowed: &[KeyType]) -> CsrCheck {
    let fail = |message: String| CsrCheck { label: "Key".into(), level: CheckLevel::Fail, message };
    match csr.key_type {
        None => fail(format!(
            "The CSR's key is {}; Signet accepts RSA of 2048 bits or more, ECDSA P-256 and ECDSA P-384.",
            csr.key_label
        )),
        Some(KeyType::Rsa) if csr.rsa_bits < 2048 => {
            fail(format!("RSA keys must have at least 2048 bits; this one has {}.", csr.rsa_bits))
        }
        Some(KeyType::Rsa) if csr.rsa_bits % 8 != 0 || csr.rsa_bits > 8192 => {
            fail(format!("An RSA modulus of {} bits is not accepted (2048 to 8192, a multiple of 8).", csr.rsa_bits))
        }
        Some(k) if !allowed.contains(&k) => fail(format!(
            "This product accepts {}; the CSR has {}.",
            allowed.iter().map(|k| k.label()).collect::<Vec<_>>().join(", "),
            csr.key_label
        )),
        Some(_) => CsrCheck {
            label: "Key".into(),
            level: CheckLevel::Pass,
            message: format!("{} is accepted.", csr.key_label),
        },
    }
}

fn name_checks(in_csr: &[String], ordered: &[String]) -> Vec<CsrCheck> {
    let mut checks = Vec::new();
    let extra: Vec<&String> = in_csr.iter().filter(|n| !ordered.contains(n)).collect();
    let missing: Vec<&String> = ordered.iter().filter(|n| !in_csr.contains(n)).collect();
    let list = |v: &[&String]| v.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
    if !extra.is_empty() {
        checks.push(CsrCheck {
            label: "Names".into(),
            level: CheckLevel::Fail,
            message: format!(
                "The CSR asks for {}, which the order does not name. Add the name to the order or make a CSR \
                 with the order's names.",
                list(&extra)
            ),
        });
    }
    if in_csr.is_empty() {
        checks.push(CsrCheck {
            label: "Names".into(),
            level: CheckLevel::Warning,
            message: "The CSR names nothing; the certificate will carry the order's names.".into(),
        });
    } else if !missing.is_empty() {
        checks.push(CsrCheck {
            label: "Names".into(),
            level: CheckLevel::Warning,
            message: format!(
                "The CSR does not name {}; the certificate will carry all of the order's names anyway.",
                list(&missing)
            ),
        });
    } else if extra.is_empty() {
        checks.push(CsrCheck {
            label: "Names".into(),
            level: CheckLevel::Pass,
            message: "The CSR's names are the order's names.".into(),
        });
    }
    checks
}

/// The subject fields beside the organisation's data: same, similar (case, accents, punctuation, legal
/// form, or one containing the other) or different. Fields the CSR leaves out are not compared.
pub fn compare_subject(subject: &Subject, org: &Organisation) -> Vec<SubjectComparison> {
    [
        ("Organisation (O)", &subject.organization, &org.name),
        ("Locality (L)", &subject.locality, &org.city),
        ("Country (C)", &subject.country, &org.country),
    ]
    .into_iter()
    .filter(|(_, csr, _)| !csr.trim().is_empty())
    .map(|(field, csr, known)| SubjectComparison {
        field: field.into(),
        in_csr: csr.trim().to_string(),
        in_organisation: known.trim().to_string(),
        likeness: likeness(csr, known),
    })
    .collect()
}

pub fn likeness(a: &str, b: &str) -> Likeness {
    let collapse = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapse(a) == collapse(b) {
        return Likeness::Same;
    }
    let (fa, fb) = (fold(a), fold(b));
    if fa.is_empty() || fb.is_empty() {
        return Likeness::Different;
    }
    if fa == fb || fa.contains(&fb) || fb.contains(&fa) {
        return Likeness::Similar;
    }
    let longest = fa.chars().count().max(fb.chars().count());
    if edit_distance(&fa, &fb) * 5 <= longest {
        Likeness::Similar
    } else {
        Likeness::Different
    }
}

/// Lower case, accents and punctuation removed, legal forms dropped: "Žutić & Sons d.o.o." → "zutic sons".
fn fold(s: &str) -> String {
    const LEGAL_FORMS: [&str; 14] =
        ["doo", "dd", "ltd", "limited", "inc", "llc", "gmbh", "ag", "sa", "sarl", "bv", "plc", "srl", "co"];
    let plain: String = s
        .to_lowercase()
        .chars()
        .map(crate::model::validate::fold_letter)
        .map(|c| match c {
            c if c.is_alphanumeric() || c.is_whitespace() => c,
            '.' => '\u{0}',
            _ => ' ',
        })
        .filter(|c| *c != '\u{0}')
        .collect();
    plain.split_whitespace().filter(|w| !LEGAL_FORMS.contains(w)).collect::<Vec<_>>().join(" ")
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (row[j + 1] + 1).min(row[j] + 1).min(prev + usize::from(ca != *cb));
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}
