//! What Signet puts into certificates (CA and leaf profiles) and the lint every leaf passes before it is signed.
//!
//! Like Boulder, a leaf is first signed by a throw-away key, linted, and only then signed by the CA's key:
//! a certificate that would break the rules is never signed by the CA.

use crate::model::{KeyType, Organisation, Profile};
use chrono::{DateTime, Utc};
use rcgen::{
    BasicConstraints, CertificateParams, CrlDistributionPoint, CustomExtension, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyUsagePurpose, SanType, SerialNumber,
};
use x509_parser::prelude::*;

const OID_AIA: [u64; 9] = [1, 3, 6, 1, 5, 5, 7, 1, 1];
const OID_OCSP: [u64; 9] = [1, 3, 6, 1, 5, 5, 7, 48, 1];
const OID_CA_ISSUERS: [u64; 9] = [1, 3, 6, 1, 5, 5, 7, 48, 2];
const OID_CERTIFICATE_POLICIES: [u64; 4] = [2, 5, 29, 32];
pub const POLICY_DV: [u64; 6] = [2, 23, 140, 1, 2, 1];
pub const POLICY_OV: [u64; 6] = [2, 23, 140, 1, 2, 2];
/// S/MIME Baseline Requirements, mailbox-validated, strict (7.1.6.1): e-mail protection and nothing else.
pub const POLICY_SMIME_MAILBOX_STRICT: [u64; 7] = [2, 23, 140, 1, 5, 1, 3];
/// The longest validity the S/MIME Baseline Requirements allow a subscriber certificate (6.3.2).
pub const SMIME_MAX_DAYS: u32 = 825;

/// Where relying parties find the CA certificate, the CRL and the OCSP responder.
#[derive(Debug, Clone)]
pub struct CaUrls {
    pub ca_issuers: String,
    pub crl: String,
    pub ocsp: String,
}

impl CaUrls {
    pub fn for_ca(public_url: &str, slug: &str) -> CaUrls {
        let base = public_url.trim_end_matches('/');
        CaUrls {
            ca_issuers: format!("{base}/pki/{slug}.crt"),
            crl: format!("{base}/pki/{slug}.crl"),
            ocsp: format!("{base}/ocsp"),
        }
    }
}

/// A random positive serial of 128 bits (16 octets, first octet 0x01–0x7f so no sign byte is needed).
pub fn random_serial(random: [u8; 16]) -> SerialNumber {
    let mut bytes = random;
    bytes[0] = (bytes[0] & 0x7f).max(1);
    SerialNumber::from_slice(&bytes)
}

fn to_offset(t: DateTime<Utc>) -> ::time::OffsetDateTime {
    ::time::OffsetDateTime::from_unix_timestamp(t.timestamp()).unwrap_or(::time::OffsetDateTime::UNIX_EPOCH)
}

fn aia(urls: &CaUrls, with_ocsp: bool) -> CustomExtension {
    let der = yasna::construct_der(|w| {
        w.write_sequence(|w| {
            if with_ocsp {
                w.next().write_sequence(|w| {
                    w.next().write_oid(&yasna::models::ObjectIdentifier::from_slice(&OID_OCSP));
                    w.next().write_tagged_implicit(yasna::Tag::context(6), |w| w.write_ia5_string(&urls.ocsp));
                });
            }
            w.next().write_sequence(|w| {
                w.next().write_oid(&yasna::models::ObjectIdentifier::from_slice(&OID_CA_ISSUERS));
                w.next().write_tagged_implicit(yasna::Tag::context(6), |w| w.write_ia5_string(&urls.ca_issuers));
            });
        })
    });
    CustomExtension::from_oid_content(&OID_AIA, der)
}

fn policies(policy: &[u64]) -> CustomExtension {
    policies_of(&[policy])
}

fn policies_of(oids: &[&[u64]]) -> CustomExtension {
    let der = yasna::construct_der(|w| {
        w.write_sequence(|w| {
            for policy in oids {
                w.next().write_sequence(|w| w.next().write_oid(&yasna::models::ObjectIdentifier::from_slice(policy)))
            }
        })
    });
    CustomExtension::from_oid_content(&OID_CERTIFICATE_POLICIES, der)
}

/// A self-signed root: 20 years, path length 1 (root → issuing CA → leaf).
pub fn root_params(common_name: &str, organisation: &str, now: DateTime<Utc>, serial: [u8; 16]) -> CertificateParams {
    let mut p = CertificateParams::default();
    p.distinguished_name = ca_name(common_name, organisation);
    p.is_ca = IsCa::Ca(BasicConstraints::Constrained(1));
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p.not_before = to_offset(now);
    p.not_after = to_offset(now + chrono::Duration::days(20 * 365 + 5));
    p.serial_number = Some(random_serial(serial));
    p
}

/// What an issuing CA may issue: the TLS Baseline Requirements forbid e-mail protection in a TLS CA (7.1.2.10.6)
/// and the S/MIME ones server authentication in an S/MIME CA (7.1.2.2), so an issuer has one of each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaPurpose {
    /// TLS server and client certificates.
    Tls,
    /// S/MIME (e-mail protection) certificates.
    Smime,
}

impl CaPurpose {
    /// The CA's `kind` in the database.
    pub fn kind(self) -> &'static str {
        match self {
            CaPurpose::Tls => "intermediate",
            CaPurpose::Smime => "smime",
        }
    }

    /// The CA that signs certificates of `profile`.
    pub fn for_profile(profile: Profile) -> CaPurpose {
        match profile {
            Profile::Smime => CaPurpose::Smime,
            Profile::ServerDv | Profile::ServerOv | Profile::Client => CaPurpose::Tls,
        }
    }

    /// What an imported CA certificate was made for, from its extended key usage.
    pub fn of_certificate(cert: &X509Certificate) -> CaPurpose {
        match cert.extended_key_usage().ok().flatten() {
            Some(eku) if eku.value.email_protection && !eku.value.server_auth => CaPurpose::Smime,
            _ => CaPurpose::Tls,
        }
    }
}

/// An issuer's issuing CA of one purpose: 5 years, path length 0.
pub fn intermediate_params(
    purpose: CaPurpose,
    common_name: &str,
    organisation: &str,
    now: DateTime<Utc>,
    serial: [u8; 16],
    parent: &CaUrls,
) -> CertificateParams {
    let mut p = CertificateParams::default();
    p.distinguished_name = ca_name(common_name, organisation);
    p.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p.extended_key_usages = match purpose {
        CaPurpose::Tls => vec![ExtendedKeyUsagePurpose::ServerAuth, ExtendedKeyUsagePurpose::ClientAuth],
        CaPurpose::Smime => vec![ExtendedKeyUsagePurpose::EmailProtection],
    };
    p.not_before = to_offset(now);
    p.not_after = to_offset(now + chrono::Duration::days(5 * 365 + 1));
    p.serial_number = Some(random_serial(serial));
    p.use_authority_key_identifier_extension = true;
    p.crl_distribution_points = vec![CrlDistributionPoint { uris: vec![parent.crl.clone()] }];
    let policies = match purpose {
        CaPurpose::Tls => policies_of(&[&POLICY_DV, &POLICY_OV]),
        CaPurpose::Smime => policies(&POLICY_SMIME_MAILBOX_STRICT),
    };
    p.custom_extensions = vec![aia(parent, false), policies];
    p
}

fn ca_name(common_name: &str, organisation: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    if !organisation.trim().is_empty() {
        dn.push(DnType::OrganizationName, organisation.trim());
    }
    dn.push(DnType::CommonName, common_name.trim());
    dn
}

/// Everything a leaf certificate is made from.
pub struct LeafSpec<'a> {
    pub profile: Profile,
    pub names: &'a [String],
    pub organisation: &'a Organisation,
    pub not_before: DateTime<Utc>,
    pub validity_days: u32,
    /// A reissue keeps the original's expiry instead of counting `validity_days` from `not_before`.
    pub fixed_not_after: Option<DateTime<Utc>>,
    pub max_days: u32,
    pub serial: [u8; 16],
    pub key_type: KeyType,
    pub urls: &'a CaUrls,
}

impl LeafSpec<'_> {
    /// BR 6.3.2 counts the validity inclusively: notAfter − notBefore + 1 second.
    pub fn not_after(&self) -> DateTime<Utc> {
        self.fixed_not_after.unwrap_or_else(|| {
            self.not_before + chrono::Duration::days(i64::from(self.validity_days)) - chrono::Duration::seconds(1)
        })
    }
}

/// The leaf's parameters; errors name what in the order cannot go into a certificate.
pub fn leaf_params(spec: &LeafSpec) -> Result<CertificateParams, String> {
    let mut p = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    if spec.profile == Profile::ServerOv {
        let org = spec.organisation;
        let country = org.country.trim().to_uppercase();
        if country.len() != 2 || !country.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(format!(
                "An OV certificate names the organisation's country as a two-letter ISO code (such as HR); the \
                 client record has \"{}\". Correct the client's country.",
                org.country.trim()
            ));
        }
        if org.city.trim().is_empty() {
            return Err("An OV certificate names the organisation's locality: the client record has no city.".into());
        }
        dn.push(DnType::CountryName, country);
        dn.push(DnType::LocalityName, org.city.trim());
        dn.push(DnType::OrganizationName, org.name.trim());
    }
    // No common name: BR 7.1.2.7 calls it "NOT RECOMMENDED" for subscribers; clients read the SANs. With an
    // empty subject (DV), rcgen marks the subjectAltName critical, as RFC 5280 4.2.1.6 requires.
    p.distinguished_name = dn;
    p.subject_alt_names = spec
        .names
        .iter()
        .map(|n| {
            let ia5 = rcgen::string::Ia5String::try_from(n.as_str()).map_err(|_| format!("{n} is not ASCII"))?;
            Ok(if spec.profile.is_server() { SanType::DnsName(ia5) } else { SanType::Rfc822Name(ia5) })
        })
        .collect::<Result<_, String>>()?;
    p.is_ca = IsCa::ExplicitNoCa;
    p.key_usages = match (spec.profile, spec.key_type) {
        (Profile::Smime, KeyType::Rsa) | (Profile::ServerDv | Profile::ServerOv | Profile::Client, KeyType::Rsa) => {
            vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment]
        }
        _ => vec![KeyUsagePurpose::DigitalSignature],
    };
    p.extended_key_usages = match spec.profile {
        Profile::ServerDv | Profile::ServerOv => vec![ExtendedKeyUsagePurpose::ServerAuth],
        Profile::Client => vec![ExtendedKeyUsagePurpose::ClientAuth],
        Profile::Smime => vec![ExtendedKeyUsagePurpose::EmailProtection],
    };
    p.not_before = to_offset(spec.not_before);
    p.not_after = to_offset(spec.not_after());
    p.serial_number = Some(random_serial(spec.serial));
    p.use_authority_key_identifier_extension = true;
    p.crl_distribution_points = vec![CrlDistributionPoint { uris: vec![spec.urls.crl.clone()] }];
    p.custom_extensions = vec![aia(spec.urls, true)];
    match spec.profile {
        Profile::ServerDv => p.custom_extensions.push(policies(&POLICY_DV)),
        Profile::ServerOv => p.custom_extensions.push(policies(&POLICY_OV)),
        Profile::Smime => p.custom_extensions.push(policies(&POLICY_SMIME_MAILBOX_STRICT)),
        Profile::Client => {}
    }
    Ok(p)
}

/// Checks a to-be-issued leaf (DER) against the rules Signet promises. Each finding is a sentence.
pub fn lint(der: &[u8], spec: &LeafSpec) -> Vec<String> {
    let mut findings = Vec::new();
    let cert = match X509Certificate::from_der(der) {
        Ok((_, c)) => c,
        Err(e) => return vec![format!("the certificate does not parse: {e}")],
    };
    let serial = cert.raw_serial();
    if serial.is_empty() || serial.len() > 20 || serial[0] & 0x80 != 0 {
        findings.push("the serial number must be positive and at most 20 octets".into());
    }
    if serial.len() < 9 {
        findings.push("the serial number must carry at least 64 random bits".into());
    }
    let seconds = cert.validity().not_after.timestamp() - cert.validity().not_before.timestamp() + 1;
    if spec.profile.is_server() && seconds > i64::from(spec.max_days) * 86_400 {
        findings.push(format!(
            "the validity ({} days) exceeds the CA/Browser Forum limit of {} days",
            (seconds + 86_399) / 86_400,
            spec.max_days
        ));
    }
    if spec.profile == Profile::Smime && seconds > i64::from(SMIME_MAX_DAYS) * 86_400 {
        findings.push(format!(
            "the validity ({} days) exceeds the S/MIME Baseline Requirements' limit of {SMIME_MAX_DAYS} days",
            (seconds + 86_399) / 86_400
        ));
    }
    let mut sans = Vec::new();
    let mut has = (false, false, false, false, false); // (bc, ku, eku, aia, crl)
    for ext in cert.extensions() {
        match ext.parsed_extension() {
            ParsedExtension::SubjectAlternativeName(san) => {
                for n in &san.general_names {
                    match n {
                        GeneralName::DNSName(d) | GeneralName::RFC822Name(d) => sans.push(d.to_string()),
                        _ => findings.push("the subjectAltName holds a name type Signet does not issue".into()),
                    }
                }
            }
            ParsedExtension::BasicConstraints(bc) => {
                has.0 = true;
                if bc.ca {
                    findings.push("a subscriber certificate must not be a CA".into());
                }
            }
            ParsedExtension::KeyUsage(ku) => {
                has.1 = true;
                if ku.key_cert_sign() || ku.crl_sign() {
                    findings.push("a subscriber certificate must not sign certificates or CRLs".into());
                }
            }
            ParsedExtension::ExtendedKeyUsage(eku) => {
                has.2 = true;
                if eku.any {
                    findings.push("anyExtendedKeyUsage is not allowed".into());
                }
                if spec.profile.is_server() && (!eku.server_auth || eku.email_protection || eku.code_signing) {
                    findings.push("a TLS server certificate has serverAuth and nothing incompatible".into());
                }
            }
            ParsedExtension::AuthorityInfoAccess(_) => has.3 = true,
            ParsedExtension::CRLDistributionPoints(_) => has.4 = true,
            _ => {}
        }
    }
    for (present, what) in [
        (has.0, "basicConstraints"),
        (has.1, "keyUsage"),
        (has.2, "extendedKeyUsage"),
        (has.3, "authorityInfoAccess"),
        (has.4, "cRLDistributionPoints"),
    ] {
        if !present {
            findings.push(format!("the {what} extension is missing"));
        }
    }
    if sans.is_empty() {
        findings.push("the certificate names nothing (no subjectAltName)".into());
    }
    for name in &sans {
        let problem = if spec.profile.is_server() { dns_name_problem(name) } else { mailbox_problem(name) };
        if let Some(p) = problem {
            findings.push(format!("{name}: {p}"));
        }
    }
    for cn in cert.subject().iter_common_name() {
        let cn = cn.as_str().unwrap_or("").to_lowercase();
        if !sans.iter().any(|s| s.to_lowercase() == cn) {
            findings.push(format!("the common name {cn} is not one of the subjectAltNames"));
        }
    }
    findings
}

/// Why `name` cannot be a dNSName of a publicly-trusted TLS certificate (BR 7.1.4.2, RFC 5280 4.2.1.6).
pub fn dns_name_problem(name: &str) -> Option<String> {
    let body = name.strip_prefix("*.").unwrap_or(name);
    if name.len() > 253 {
        return Some("a host name has at most 253 characters".into());
    }
    if body.contains('*') {
        return Some("a wildcard may only be the whole left-most label (*.example.com)".into());
    }
    let labels: Vec<&str> = body.split('.').collect();
    if labels.len() < 2 {
        return Some("a single-label name cannot be certified; use the full domain name".into());
    }
    for label in &labels {
        if label.is_empty() || label.len() > 63 {
            return Some("each label has 1 to 63 characters".into());
        }
        if !label.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
            return Some("only letters a–z, digits, '-' and '.' are allowed (international names as xn--…)".into());
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Some("a label cannot start or end with '-'".into());
        }
    }
    if labels.last().is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit())) {
        return Some("an IP address is not a host name".into());
    }
    // Names that can never be public (RFC 2606, RFC 6761, RFC 6762, RFC 7686, RFC 8375, ICANN's .internal).
    const INTERNAL: [&str; 10] =
        ["localhost", "local", "internal", "test", "invalid", "example", "onion", "lan", "intranet", "corp"];
    let tld = labels.last().copied().unwrap_or_default();
    if INTERNAL.contains(&tld) || body.ends_with("home.arpa") {
        return Some(format!(".{tld} names are internal and cannot be in a publicly-trusted certificate"));
    }
    None
}

fn mailbox_problem(address: &str) -> Option<String> {
    match address.split_once('@') {
        Some((local, domain)) if !local.is_empty() && !local.contains(char::is_whitespace) => {
            dns_name_problem(domain).map(|p| format!("the domain part: {p}"))
        }
        _ => Some("an e-mail address is local-part@domain".into()),
    }
}
