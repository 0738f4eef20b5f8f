//! What an issuer sends its clients: the kinds of template, their versions and previews, and the seal
//! certificate e-mail with its parts and history.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The documents and e-mails an issuer sends, in SafeSigned's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TemplateKind {
    /// The printable A4 certificate (PDF).
    CertificatePdf,
    /// The first e-mail to a client, with the seal code.
    CertificateEmail,
    /// After "+ Extend" or an irregular renewal.
    FollowupEmail,
    /// To a client whose seal was copied.
    ActivityReport,
    /// The layout every newsletter is written in.
    Newsletter,
}

impl TemplateKind {
    pub const ALL: [TemplateKind; 5] = [
        TemplateKind::CertificatePdf,
        TemplateKind::CertificateEmail,
        TemplateKind::FollowupEmail,
        TemplateKind::ActivityReport,
        TemplateKind::Newsletter,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TemplateKind::CertificatePdf => "certificate_pdf",
            TemplateKind::CertificateEmail => "certificate_email",
            TemplateKind::FollowupEmail => "followup_email",
            TemplateKind::ActivityReport => "activity_report",
            TemplateKind::Newsletter => "newsletter",
        }
    }

    pub fn parse(s: &str) -> Option<TemplateKind> {
        TemplateKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            TemplateKind::CertificatePdf => "Certificate PDF",
            TemplateKind::CertificateEmail => "Web certificate e-mail",
            TemplateKind::FollowupEmail => "Follow-up e-mail",
            TemplateKind::ActivityReport => "Activity report e-mail",
            TemplateKind::Newsletter => "Newsletter",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            TemplateKind::CertificatePdf => {
                "The printable A4 certificate. Each line of the text is a line on the page: \"# \" starts the \
                 title, \"## \" a heading; the logo, the QR code and the verified page's address are placed by \
                 the layout."
            }
            TemplateKind::CertificateEmail => {
                "The first e-mail to a client, with the seal code and the optional attachments (instructions, QR \
                 code, printable certificate)."
            }
            TemplateKind::FollowupEmail => {
                "The e-mail after an extension or an irregular renewal, with the updated QR code and printable \
                 certificate."
            }
            TemplateKind::ActivityReport => "A report to a client whose seal was copied onto other sites.",
            TemplateKind::Newsletter => "The layout around every newsletter an issuer writes.",
        }
    }

    /// Whether the template has an HTML part (every e-mail does; the PDF is made from the text).
    pub fn has_html(self) -> bool {
        self != TemplateKind::CertificatePdf
    }
}

/// A template's parts: the subject (the PDF's title), the HTML body and the plain-text body.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TemplateSource {
    pub subject: String,
    #[serde(default)]
    pub html: String,
    pub text: String,
}

/// A variable a template may use, listed beside the editor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateVariable {
    pub name: String,
    pub description: String,
}

/// Whose version of a template is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TemplateOwner {
    /// Shipped in the binary.
    BuiltIn,
    /// The operator's version for every issuer without its own.
    Default,
    /// The operator's version for one issuer.
    Issuer,
}

impl TemplateOwner {
    pub fn label(self) -> &'static str {
        match self {
            TemplateOwner::BuiltIn => "built-in",
            TemplateOwner::Default => "default for all issuers",
            TemplateOwner::Issuer => "this issuer's own",
        }
    }
}

/// One saved version of a template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateVersion {
    pub version: i64,
    pub author_email: String,
    pub created_at: DateTime<Utc>,
}

/// A template rendered: with sample data for a preview, or with a client's data for sending.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Rendered {
    pub subject: String,
    pub html: String,
    pub text: String,
}

/// A template as the editor and the read-only view show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateView {
    pub kind: TemplateKind,
    /// The version in use: whose, and which (0 for the built-in one).
    pub owner: TemplateOwner,
    pub version: i64,
    pub source: TemplateSource,
    pub variables: Vec<TemplateVariable>,
    /// The versions saved for the owner being looked at (an issuer's own, or the default), newest first.
    pub versions: Vec<TemplateVersion>,
    /// Rendered on sample data.
    pub preview: Rendered,
}

/// Which of a seal e-mail's parts go out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SealMailParts {
    /// The personal message typed above the template's text.
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub include_message: bool,
    #[serde(default)]
    pub instructions: bool,
    #[serde(default)]
    pub seal_code: bool,
    #[serde(default)]
    pub qr_code: bool,
    #[serde(default)]
    pub pdf: bool,
    /// The client's own files to attach, by id.
    #[serde(default)]
    pub files: Vec<String>,
}

impl Default for SealMailParts {
    fn default() -> Self {
        SealMailParts {
            message: String::new(),
            include_message: false,
            instructions: true,
            seal_code: true,
            qr_code: true,
            pdf: true,
            files: Vec::new(),
        }
    }
}

/// The seal e-mail form: first e-mail or follow-up, recipients and parts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SealMailInput {
    pub kind: TemplateKind,
    /// Comma- or line-separated addresses; the client's contact when empty.
    #[serde(default)]
    pub recipients: String,
    pub parts: SealMailParts,
}

/// A file that goes with an e-mail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttachmentInfo {
    pub filename: String,
    pub content_type: String,
    pub size: usize,
}

/// The e-mail as it would go out, shown beside the seal certificate before sending.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SealMailPreview {
    pub recipients: Vec<String>,
    pub rendered: Rendered,
    pub attachments: Vec<AttachmentInfo>,
    /// Which template version it uses, in words.
    pub template: String,
}

/// One e-mail sent about a client or a seal: what, when, to whom, and whether the SMTP server took it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentMail {
    pub id: String,
    pub to: String,
    pub subject: String,
    pub kind: String,
    pub template: String,
    pub attachments: Vec<String>,
    pub status: super::MailStatus,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// A file of a client's, kept to be attached to its e-mails.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientFile {
    pub id: String,
    pub filename: String,
    pub content_type: String,
    pub size: usize,
    pub uploaded_by: String,
    pub created_at: DateTime<Utc>,
}

/// When a client hears that its seal was copied (an issuer's setting).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityReports {
    Off,
    /// Within a minute of the copy being recorded.
    Immediate,
    /// Once a day, what was recorded since the last report.
    Daily,
    /// On Mondays, what was recorded since the last report.
    Weekly,
}

impl ActivityReports {
    pub const ALL: [ActivityReports; 4] =
        [ActivityReports::Off, ActivityReports::Immediate, ActivityReports::Daily, ActivityReports::Weekly];

    pub fn as_str(self) -> &'static str {
        match self {
            ActivityReports::Off => "off",
            ActivityReports::Immediate => "immediate",
            ActivityReports::Daily => "daily",
            ActivityReports::Weekly => "weekly",
        }
    }

    pub fn parse(s: &str) -> Option<ActivityReports> {
        ActivityReports::ALL.into_iter().find(|a| a.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ActivityReports::Off => "Off",
            ActivityReports::Immediate => "Immediately",
            ActivityReports::Daily => "Daily",
            ActivityReports::Weekly => "Weekly (Mondays)",
        }
    }
}
