//! What each kind of template is made of: the built-in version shipped in the binary, the variables it may use
//! and the sample data its preview (and the check on save) renders.

use crate::model::{TemplateKind, TemplateSource, TemplateVariable};
use serde_json::{json, Value};

macro_rules! builtin {
    ($name:literal, html) => {
        TemplateSource {
            subject: include_str!(concat!("defaults/", $name, ".subject")).trim().to_string(),
            html: include_str!(concat!("defaults/", $name, ".html")).to_string(),
            text: include_str!(concat!("defaults/", $name, ".txt")).to_string(),
        }
    };
    ($name:literal) => {
        TemplateSource {
            subject: include_str!(concat!("defaults/", $name, ".subject")).trim().to_string(),
            html: String::new(),
            text: include_str!(concat!("defaults/", $name, ".txt")).to_string(),
        }
    };
}

/// The version shipped in the binary (version 0), used until the operator saves one.
pub fn builtin(kind: TemplateKind) -> TemplateSource {
    match kind {
        TemplateKind::CertificatePdf => builtin!("certificate_pdf"),
        TemplateKind::CertificateEmail => builtin!("certificate_email", html),
        TemplateKind::FollowupEmail => builtin!("followup_email", html),
        TemplateKind::ActivityReport => builtin!("activity_report", html),
        TemplateKind::Newsletter => builtin!("newsletter", html),
    }
}

const COMMON: &[(&str, &str)] = &[
    ("issuer.name", "The issuer's name"),
    ("issuer.website", "The issuer's website"),
    ("issuer.contact_email", "The issuer's contact e-mail address"),
    ("issuer.contact_phone", "The issuer's contact phone"),
    ("issuer.address", "The issuer's street address"),
    ("issuer.city", "The issuer's city"),
    ("issuer.country", "The issuer's country"),
    ("client.name", "The client's business name"),
    ("client.contact_person", "The client's contact person (may be empty)"),
    ("client.email", "The client's e-mail address"),
    ("client.city", "The client's city"),
    ("client.country", "The client's country"),
    ("client.industry", "The client's industry"),
];

const SEAL: &[(&str, &str)] = &[
    ("seal.type", "The certificate type, such as \"Verified business\""),
    ("seal.level", "The level within the type (may be empty)"),
    ("seal.title", "The seal's headline"),
    ("seal.valid_from", "First day of validity (YYYY-MM-DD)"),
    ("seal.valid_to", "Last day of validity (YYYY-MM-DD)"),
    ("seal.domains", "The sites the seal shows on (a list: use join)"),
    ("verified_url", "The client's verified page (on the issuer's own host when it has one)"),
];

const SEAL_EMAIL: &[(&str, &str)] = &[
    ("message", "The personal message typed when sending (may be empty)"),
    ("seal_code", "The HTML code that shows the seal on the client's site"),
    ("parts.include_message", "Whether the personal message was ticked"),
    ("parts.instructions", "Whether the installation instructions were ticked"),
    ("parts.seal_code", "Whether the seal code was ticked"),
    ("parts.qr_code", "Whether the QR code is attached"),
    ("parts.pdf", "Whether the printable certificate is attached"),
    ("attachments", "The names of the attached files (a list)"),
];

const ACTIVITY: &[(&str, &str)] = &[
    ("attempts", "The copies: a list of objects with at, host and page_url"),
    ("period", "The period the report covers, in words (may be empty)"),
];

const NEWSLETTER: &[(&str, &str)] = &[
    ("newsletter.subject", "The newsletter's subject"),
    ("newsletter.paragraphs", "The newsletter's text, one entry per paragraph (a list)"),
    ("unsubscribe_url", "The client's one-click unsubscribe link"),
];

/// Every variable a template of `kind` may use, as listed beside the editor.
pub fn variables(kind: TemplateKind) -> Vec<TemplateVariable> {
    let own: &[&[(&str, &str)]] = match kind {
        TemplateKind::CertificatePdf => &[SEAL],
        TemplateKind::CertificateEmail | TemplateKind::FollowupEmail => &[SEAL, SEAL_EMAIL],
        TemplateKind::ActivityReport => &[ACTIVITY],
        TemplateKind::Newsletter => &[NEWSLETTER],
    };
    std::iter::once(COMMON)
        .chain(own.iter().copied())
        .flatten()
        .map(|(name, description)| TemplateVariable { name: name.to_string(), description: description.to_string() })
        .collect()
}

/// Sample data for a preview: a Croatian client with diacritics, and text that would break unescaped HTML.
pub fn sample(kind: TemplateKind) -> Value {
    let mut context = json!({
        "issuer": {
            "name": "Connet d.o.o.",
            "website": "https://connet.example",
            "contact_email": "trust@connet.example",
            "contact_phone": "+385 1 555 0100",
            "address": "Ilica 1",
            "city": "Zagreb",
            "country": "HR",
        },
        "client": {
            "name": "Čokolada Đurđević & Šime <d.o.o.>",
            "contact_person": "Željka Ćorić",
            "email": "zeljka@cokolada.example",
            "city": "Split",
            "country": "HR",
            "industry": "Retail",
        },
    });
    let extra = match kind {
        TemplateKind::CertificatePdf | TemplateKind::CertificateEmail | TemplateKind::FollowupEmail => json!({
            "seal": {
                "type": "Verified business",
                "level": "Gold",
                "title": "Verified business",
                "valid_from": "2026-01-15",
                "valid_to": "2027-01-14",
                "domains": ["cokolada.example", "shop.cokolada.example"],
            },
            "verified_url": "https://verify.connet.example/cokolada",
            "message": "Thank you for choosing us — the certificate is attached.",
            "seal_code": "<script src=\"https://signet.example/seal/sample.js\" data-style=\"standard\" async></script>",
            "parts": {"include_message": true, "instructions": true, "seal_code": true, "qr_code": true, "pdf": true},
            "attachments": ["certificate.pdf", "qr-code.png"],
        }),
        TemplateKind::ActivityReport => json!({
            "attempts": [
                {"at": "2026-12-01 09:14", "host": "copycat.example", "page_url": "https://copycat.example/about"},
                {"at": "2026-12-02 17:40", "host": "other.example", "page_url": "https://other.example/"},
            ],
            "period": "1–7 December 2026",
        }),
        TemplateKind::Newsletter => json!({
            "newsletter": {
                "subject": "New seal styles",
                "paragraphs": ["Our seals now come in three styles.", "Pick yours on the seal page."],
            },
            "unsubscribe_url": "https://signet.example/unsubscribe/sample",
        }),
    };
    if let (Some(base), Value::Object(extra)) = (context.as_object_mut(), extra) {
        base.extend(extra);
    }
    context
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variable_listed_beside_the_editor_is_in_the_sample_data() {
        for kind in TemplateKind::ALL {
            let sample = sample(kind);
            for variable in variables(kind) {
                let found = variable.name.split('.').try_fold(&sample, |value, part| value.get(part));
                assert!(found.is_some(), "{}: {} has no sample value", kind.as_str(), variable.name);
            }
        }
    }
}
