//! The seal certificate e-mail and the templates it is written from, against a real (in-memory) SurrealDB and a
//! real SMTP server; the PDF is read back with poppler (pdftotext, pdffonts, pdftoppm) and the QR codes with
//! zbarimg, as a client's mail program and phone would.

use super::seal_pages::{self, CopyReport};
use super::smtp_sink::{Received, SmtpSink};
use super::{accounts, activity_reports, catalog, client_files, clients, issuers, mail, seal_mail, seals, templates};
use super::{Actor, AppState, Settings};
use crate::error::AppError;
use crate::model::{
    ActivityReports, CertTypeInput, ClientInput, MailStatus, SealInput, SealMailInput, SealMailParts, TemplateKind,
    TemplateOwner, TemplateSource,
};
use crate::store::IssuerId;
use mail_parser::{MessageParser, MimeHeaders};
use std::process::Command;

struct World {
    s: AppState,
    operator: Actor,
    staff: Actor,
    issuer: IssuerId,
    other_issuer: IssuerId,
    client: String,
    seal: String,
}

const CLIENT: &str = "Čokolada Đurđević & Šime d.o.o.";

/// The operator, the issuer smib with its admin Ana acting as staff, and another issuer: what the issuer-mail
/// tests (seal e-mails here, newsletters) start from.
pub(super) struct TwoIssuers {
    pub s: AppState,
    pub operator: Actor,
    pub staff: Actor,
    pub issuer: IssuerId,
    pub other_issuer: IssuerId,
}

pub(super) async fn two_issuers(settings: Settings) -> TwoIssuers {
    let s = super::test_state_with(settings).await;
    let olga = accounts::create_operator(&s, "olga@signet.test", "Olga", "operator passphrase").await.unwrap();
    let operator = Actor { user_id: Some(olga.id.clone()), email: olga.email.clone(), ip: "127.0.0.1".into() };
    let issuer = issuers::create(&s, &operator, "Chamber of Commerce Split", "smib", "ana@smib.test", "Ana").await;
    let issuer = IssuerId::new(issuer.unwrap().id);
    let other = issuers::create(&s, &operator, "Other", "other", "bo@other.test", "Bo").await.unwrap();
    let staff = Actor { user_id: None, email: "ana@smib.test".into(), ip: "127.0.0.1".into() };
    TwoIssuers { s, operator, staff, issuer, other_issuer: IssuerId::new(other.id) }
}

async fn world(settings: Settings) -> World {
    let TwoIssuers { s, operator, staff, issuer, other_issuer } = two_issuers(settings).await;
    let cert_type = CertTypeInput {
        name: "Trusted Shop".into(),
        levels: "Gold".into(),
        seal_title: "Verified business".into(),
        seal_color: "#1F6F43".into(),
        seal_text_color: "#ffffff".into(),
        ..Default::default()
    };
    catalog::save_type(&s, &operator, "", cert_type).await.unwrap();
    let type_id = catalog::types(&s).await.unwrap()[0].id.clone();
    let client = ClientInput {
        name: CLIENT.into(),
        path: "cokolada".into(),
        email: "zeljka@cokolada.test".into(),
        contact_person: "Željka Ćorić".into(),
        city: "Split".into(),
        ..Default::default()
    };
    let client = clients::create(&s, &staff, &issuer, client).await.unwrap();
    let domain = clients::add_domain(&s, &staff, &issuer, &client.id, "cokolada.test", "").await.unwrap();
    let seal = SealInput {
        type_id,
        level: "Gold".into(),
        valid_from: "2026-11-22".into(),
        valid_to: "2027-11-22".into(),
        domains: vec![domain.id],
    };
    let seal = seals::create(&s, &staff, &issuer, &client.id, seal).await.unwrap();
    World { s, operator, staff, issuer, other_issuer, client: client.id, seal: seal.id }
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn input(kind: TemplateKind, parts: SealMailParts) -> SealMailInput {
    SealMailInput { kind, recipients: String::new(), parts }
}

/// Runs a Debian tool on a file the test wrote; its standard output.
fn tool(program: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().unwrap_or_else(|e| panic!("{program} (.ci/signet.sh): {e}"));
    assert!(out.status.success(), "{program} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The QR code in a PNG, decoded.
fn qr_text(png: &std::path::Path) -> String {
    tool("zbarimg", &["--raw", "-q", png.to_str().unwrap()]).trim().to_string()
}

fn attachments(m: &Received) -> Vec<(String, String, Vec<u8>)> {
    let message = MessageParser::default().parse(m.raw.as_bytes()).expect("a MIME message");
    message
        .attachments()
        .map(|a| {
            let content_type =
                a.content_type().map(|c| format!("{}/{}", c.ctype(), c.subtype().unwrap_or(""))).unwrap();
            (a.attachment_name().unwrap_or("").to_string(), content_type, a.contents().to_vec())
        })
        .collect()
}

#[tokio::test]
async fn the_certificate_email_arrives_with_its_parts_a_readable_pdf_and_a_qr_code_to_the_verified_page() {
    let smtp = SmtpSink::start();
    let w = world(Settings { smtp_url: Some(smtp.url()), ..Settings::for_tests() }).await;
    tokio::spawn(mail::run_worker(w.s.clone()));
    let parts = SealMailParts { message: "Welcome aboard <3".into(), include_message: true, ..Default::default() };
    let preview = seal_mail::preview(&w.s, &w.issuer, &w.seal, &input(TemplateKind::CertificateEmail, parts.clone()))
        .await
        .unwrap();
    assert_eq!(preview.recipients, vec!["zeljka@cokolada.test"], "the client's contact by default");
    assert_eq!(preview.template, "Web certificate e-mail, built-in");
    assert_eq!(preview.attachments.len(), 2);

    let history = seal_mail::send(&w.s, &w.staff, &w.issuer, &w.seal, &input(TemplateKind::CertificateEmail, parts))
        .await
        .unwrap();
    assert_eq!(history.len(), 1);
    let m = smtp.wait_for("Your Trusted Shop certificate from Chamber of Commerce Split", 1).await.remove(0);
    assert_eq!(m.to, "zeljka@cokolada.test");
    let message = MessageParser::default().parse(m.raw.as_bytes()).unwrap();
    let html = message.body_html(0).unwrap().into_owned();
    let text = message.body_text(0).unwrap().into_owned();
    assert!(html.contains("Čokolada Đurđević &amp; Šime d.o.o.") && html.contains("Welcome aboard &lt;3"), "{html}");
    assert!(text.contains("Dear Željka Ćorić") && text.contains("Welcome aboard <3"), "{text}");
    let snippet = format!("<script src=\"https://signet.test/seal/{}.js\"", w.seal);
    assert!(text.contains(&snippet), "the seal code is in the text: {text}");
    assert!(html.contains("&lt;script src=") && !html.contains("<script"), "and escaped in the HTML: {html}");

    let files = attachments(&m);
    let names: Vec<&str> = files.iter().map(|(name, _, _)| name.as_str()).collect();
    assert_eq!(names, vec!["certificate-cokolada-durdevic-sime-d-o-o.pdf", "qr-code-cokolada-durdevic-sime-d-o-o.png"]);
    assert_eq!((files[0].1.as_str(), files[1].1.as_str()), ("application/pdf", "image/png"));

    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("certificate.pdf");
    std::fs::write(&pdf, &files[0].2).unwrap();
    let pdf_text = tool("pdftotext", &["-enc", "UTF-8", pdf.to_str().unwrap(), "-"]);
    for expected in [CLIENT, "Chamber of Commerce Split", "Trusted Shop · Gold", "2027-11-22", "cokolada.test"] {
        assert!(pdf_text.contains(expected), "{expected:?} in the PDF's text: {pdf_text}");
    }
    let fonts = tool("pdffonts", &[pdf.to_str().unwrap()]);
    assert!(fonts.lines().skip(2).all(|l| l.contains("DejaVuSans") && l.contains(" yes ")), "embedded: {fonts}");
    tool(
        "pdftoppm",
        &["-png", "-r", "150", "-singlefile", pdf.to_str().unwrap(), dir.path().join("page").to_str().unwrap()],
    );
    let url = "https://signet.test/v/smib/cokolada";
    assert_eq!(qr_text(&dir.path().join("page.png")), url, "the QR code printed on the certificate");
    let png = dir.path().join("qr.png");
    std::fs::write(&png, &files[1].2).unwrap();
    assert_eq!(qr_text(&png), url, "the QR code attached");
    assert!(pdf_text.contains(url), "the address is printed under the code");

    let mut sent = seal_mail::history(&w.s, &w.issuer, &w.seal).await.unwrap().remove(0);
    for _ in 0..200 {
        if sent.status == MailStatus::Sent {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        sent = seal_mail::history(&w.s, &w.issuer, &w.seal).await.unwrap().remove(0);
    }
    assert_eq!(sent.status, MailStatus::Sent, "the SMTP server took it: {sent:?}");
    assert_eq!((sent.kind.as_str(), sent.template.as_str()), ("certificate_email", "Web certificate e-mail, built-in"));
    assert_eq!(sent.attachments.len(), 2);
    let client_history = seal_mail::client_history(&w.s, &w.issuer, &w.client).await.unwrap();
    assert_eq!(client_history, vec![sent], "the client's history has it too");
}

#[tokio::test]
async fn the_follow_up_after_extend_has_the_new_dates_and_only_the_ticked_parts() {
    let w = world(Settings::for_tests()).await;
    seals::extend(&w.s, &w.staff, &w.issuer, &w.seal).await.unwrap();
    let instructions = "data:application/octet-stream;base64,JVBERi0xLjcKJeLjz9MKdHJhaWxlcgo8PD4+CiUlRU9GCg==";
    let own =
        client_files::upload(&w.s, &w.staff, &w.issuer, &w.client, "C:\\Upute\\Upute.pdf", instructions).await.unwrap();
    assert_eq!((own[0].filename.as_str(), own[0].content_type.as_str()), ("Upute.pdf", "application/pdf"));
    let files = vec![own[0].id.clone()];
    let parts = SealMailParts { seal_code: false, pdf: false, instructions: false, files, ..Default::default() };
    let mut follow_up = input(TemplateKind::FollowupEmail, parts);
    follow_up.recipients = "Zeljka@Cokolada.test; office@cokolada.test".into();
    let preview = seal_mail::preview(&w.s, &w.issuer, &w.seal, &follow_up).await.unwrap();
    assert_eq!(preview.recipients, vec!["zeljka@cokolada.test", "office@cokolada.test"]);
    assert_eq!(preview.rendered.subject, "Your Trusted Shop certificate is valid until 2028-11-22");
    assert!(!preview.rendered.text.contains("<script"), "no seal code when it is not ticked");
    let names: Vec<&str> = preview.attachments.iter().map(|a| a.filename.as_str()).collect();
    assert_eq!(names, vec!["qr-code-cokolada-durdevic-sime-d-o-o.png", "Upute.pdf"], "the client's own file too");
    seal_mail::send(&w.s, &w.staff, &w.issuer, &w.seal, &follow_up).await.unwrap();
    let history = seal_mail::history(&w.s, &w.issuer, &w.seal).await.unwrap();
    assert_eq!(history.len(), 2, "one message per recipient");
    assert!(history.iter().all(|m| m.status == MailStatus::Outbox && m.kind == "followup_email"));
}

#[tokio::test]
async fn bad_recipients_other_kinds_and_other_issuers_seals_are_refused() {
    let w = world(Settings::for_tests()).await;
    let mut bad = input(TemplateKind::CertificateEmail, SealMailParts::default());
    bad.recipients = "zeljka@cokolada.test, not-an-address".into();
    let e = seal_mail::send(&w.s, &w.staff, &w.issuer, &w.seal, &bad).await.unwrap_err();
    assert!(e.for_field("recipients").is_some_and(|m| m.contains("not-an-address")), "{e:?}");
    let program =
        "data:application/pdf;base64,TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    let e = client_files::upload(&w.s, &w.staff, &w.issuer, &w.client, "setup.pdf", program).await.unwrap_err();
    assert!(e.for_field("file").is_some_and(|m| m.contains("cannot be attached")), "a program is not a PDF: {e:?}");
    let big = format!("data:application/pdf;base64,{}", base64_of(&[b'%'; 2 * 1024 * 1024]));
    let e = client_files::upload(&w.s, &w.staff, &w.issuer, &w.client, "big.pdf", &big).await.unwrap_err();
    assert!(e.for_field("file").is_some_and(|m| m.contains("larger than 1 MB")), "{e:?}");
    let e = client_files::list(&w.s, &w.other_issuer, &w.client).await.unwrap_err();
    assert!(matches!(e, AppError::NotFound), "another issuer's client: {e:?}");
    let mut foreign = input(TemplateKind::CertificateEmail, SealMailParts::default());
    foreign.parts.files = vec!["not-a-file-of-this-client".into()];
    assert!(seal_mail::preview(&w.s, &w.issuer, &w.seal, &foreign).await.unwrap_err().for_field("files").is_some());
    let report = input(TemplateKind::ActivityReport, SealMailParts::default());
    assert!(seal_mail::preview(&w.s, &w.issuer, &w.seal, &report).await.unwrap_err().for_field("kind").is_some());
    let first = input(TemplateKind::CertificateEmail, SealMailParts::default());
    let e = seal_mail::send(&w.s, &w.staff, &w.other_issuer, &w.seal, &first).await.unwrap_err();
    assert!(matches!(e, AppError::NotFound), "{e:?}");
    assert!(seal_mail::history(&w.s, &w.issuer, &w.seal).await.unwrap().is_empty(), "nothing was queued");
}

#[tokio::test]
async fn an_issuers_own_template_is_used_for_its_mail_and_named_in_the_history() {
    let w = world(Settings::for_tests()).await;
    let kind = TemplateKind::CertificateEmail;
    let mut own = templates::catalogue::builtin(kind);
    own.subject = "Certificate for {{ client.name }}".into();
    let view = templates::save(&w.s, &w.operator, Some(&w.issuer), kind, own.clone()).await.unwrap();
    assert_eq!((view.owner, view.version, view.versions.len()), (TemplateOwner::Issuer, 1, 1));
    assert_eq!(view.preview.subject, "Certificate for Čokolada Đurđević & Šime <d.o.o.>", "sample data");

    let broken = TemplateSource { subject: "{{ client.name ".into(), ..own.clone() };
    let e = templates::save(&w.s, &w.operator, Some(&w.issuer), kind, broken).await.unwrap_err();
    assert!(e.for_field("subject").is_some_and(|m| m.starts_with("Line 1: syntax error")), "{e:?}");
    let again = templates::save(&w.s, &w.operator, Some(&w.issuer), kind, own).await.unwrap();
    assert_eq!(again.version, 2, "a refused save made no version");

    let first = input(TemplateKind::CertificateEmail, SealMailParts::default());
    let preview = seal_mail::preview(&w.s, &w.issuer, &w.seal, &first).await.unwrap();
    assert_eq!(preview.rendered.subject, format!("Certificate for {CLIENT}"));
    assert_eq!(preview.template, "Web certificate e-mail, this issuer's own version 2");
    let other = templates::view(&w.s, Some(&w.other_issuer), kind).await.unwrap();
    assert_eq!((other.owner, other.version), (TemplateOwner::BuiltIn, 0), "another issuer keeps the built-in one");

    let default = TemplateSource { subject: "Default: {{ seal.type }}".into(), ..templates::catalogue::builtin(kind) };
    templates::save(&w.s, &w.operator, None, kind, default).await.unwrap();
    let other = templates::view(&w.s, Some(&w.other_issuer), kind).await.unwrap();
    assert_eq!(
        (other.owner, other.version, other.preview.subject.as_str()),
        (TemplateOwner::Default, 1, "Default: Verified business")
    );
    let old = templates::version(&w.s, Some(&w.issuer), kind, 1).await.unwrap();
    assert_eq!(old.subject, "Certificate for {{ client.name }}");
}

#[tokio::test]
async fn a_client_whose_seal_was_copied_hears_of_it_once_unless_its_reports_are_off() {
    let w = world(Settings::for_tests()).await;
    let copy = |url: &str| CopyReport {
        seal_id: w.seal.clone(),
        page_url: url.into(),
        user_agent: "Test browser".into(),
        at: w.s.now(),
    };
    assert!(seal_pages::record_copy(&w.s, copy("https://copycat.test/about")).await.unwrap());
    assert_eq!(activity_reports::run_due(&w.s).await.unwrap(), 1, "daily by default: the day's first run reports");
    assert_eq!(activity_reports::run_due(&w.s).await.unwrap(), 0, "each copy is reported once");
    let sent = seal_mail::client_history(&w.s, &w.issuer, &w.client).await.unwrap();
    assert_eq!((sent.len(), sent[0].kind.as_str()), (1, "activity_report"));
    assert_eq!(sent[0].subject, "Your Chamber of Commerce Split seal was copied onto 1 other page");
    assert_eq!(sent[0].to, "zeljka@cokolada.test");

    activity_reports::set_schedule(&w.s, &w.staff, &w.issuer, ActivityReports::Immediate).await.unwrap();
    activity_reports::set_client_gets_reports(&w.s, &w.staff, &w.issuer, &w.client, false).await.unwrap();
    w.s.clock().advance(chrono::Duration::days(1));
    assert!(seal_pages::record_copy(&w.s, copy("https://copycat.test/other")).await.unwrap());
    assert_eq!(activity_reports::run_due(&w.s).await.unwrap(), 0, "reports turned off for this client");
    activity_reports::set_client_gets_reports(&w.s, &w.staff, &w.issuer, &w.client, true).await.unwrap();
    assert_eq!(activity_reports::run_due(&w.s).await.unwrap(), 1, "immediately, once on again");
    let (_, outbox) = mail::outbox(&w.s, None).await.unwrap();
    let report = outbox.iter().find(|m| m.subject.contains("was copied")).unwrap();
    assert!(
        report.body.contains("copycat.test") && report.body.contains("https://copycat.test/other"),
        "{}",
        report.body
    );
    assert!(!report.body.contains("https://copycat.test/about"), "the earlier copy was reported already");
    let e = activity_reports::set_client_gets_reports(&w.s, &w.staff, &w.other_issuer, &w.client, false).await;
    assert!(matches!(e, Err(AppError::NotFound)), "another issuer's client");
}
