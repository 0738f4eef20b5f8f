//! "Certificate info and sending e-mails": the e-mail to a client about one seal certificate — the first one
//! with the seal code, or the follow-up after an extension — with the parts the issuer's staff tick, written
//! from the issuer's templates and sent through the outbox; and the printable certificate on its own.

use super::documents::{pdf, qr::Qr};
use super::mail::{self, ClientMail};
use super::templates::{ClientVars, IssuerVars};
use super::{audit, client_files, clients, issuers, seal_pages, seals, templates, Actor, AppState};
use crate::error::{AppError, AppResult};
use crate::model::{
    validate, AttachmentInfo, Client, Issuer, Rendered, Seal, SealMailInput, SealMailParts, SealMailPreview, SentMail,
    TemplateKind,
};
use crate::store::{CertTypeId, ClientId, IssuerId, MailAttachment, SealId};
use serde::Serialize;

/// The most addresses one send goes to.
const MAX_RECIPIENTS: usize = 10;
/// The history lines a seal's page shows.
const HISTORY: i64 = 100;

/// Everything the templates of a seal may use (see `templates::catalogue` for the list the editor shows).
#[derive(Serialize)]
struct SealContext<'a> {
    issuer: IssuerVars<'a>,
    client: ClientVars<'a>,
    seal: SealVars<'a>,
    verified_url: &'a str,
    message: &'a str,
    seal_code: &'a str,
    parts: &'a SealMailParts,
    attachments: Vec<String>,
}

#[derive(Serialize)]
struct SealVars<'a> {
    r#type: &'a str,
    level: &'a str,
    title: &'a str,
    valid_from: String,
    valid_to: String,
    domains: Vec<&'a str>,
}

/// What a seal's documents are made from, read once per preview or send.
struct Facts {
    issuer: Issuer,
    client: Client,
    seal: Seal,
    seal_title: String,
    colour: String,
    verified_url: String,
    seal_code: String,
    logo: Option<(String, Vec<u8>)>,
}

async fn facts(state: &AppState, issuer_id: &IssuerId, seal_id: &str) -> AppResult<Facts> {
    let seal = seals::get(state, issuer_id, seal_id).await?;
    let issuer = issuers::get(state, issuer_id).await?;
    let client = clients::get(state, issuer_id, &seal.client_id).await?;
    let cert_type = state.store().cert_type(&CertTypeId::new(&seal.type_id)).await?;
    let (seal_title, colour) = cert_type.map(|t| (t.seal_title, t.seal_color)).unwrap_or_default();
    let logo = if issuer.has_logo { issuers::logo(state, issuer_id).await.ok() } else { None };
    Ok(Facts {
        verified_url: seal_pages::verified_url_of(state, &issuer, &client.path),
        seal_code: seals::snippet(state, seal_id, "standard"),
        issuer,
        client,
        seal,
        seal_title,
        colour,
        logo,
    })
}

fn context<'a>(f: &'a Facts, parts: &'a SealMailParts, attachments: Vec<String>) -> SealContext<'a> {
    SealContext {
        issuer: IssuerVars::of(&f.issuer),
        client: ClientVars::of(&f.client),
        seal: SealVars {
            r#type: &f.seal.type_name,
            level: &f.seal.level,
            title: &f.seal_title,
            valid_from: f.seal.valid_from.format("%Y-%m-%d").to_string(),
            valid_to: f.seal.valid_to.format("%Y-%m-%d").to_string(),
            domains: f.seal.domains.iter().map(|d| d.host.as_str()).collect(),
        },
        verified_url: &f.verified_url,
        message: parts.message.trim(),
        seal_code: &f.seal_code,
        parts,
        attachments,
    }
}

/// A file name from a client's name: letters and digits kept (diacritics folded), the rest one dash.
fn file_stem(name: &str) -> String {
    let folded: String = name.to_lowercase().chars().map(validate::fold_letter).collect();
    let stem =
        folded.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join("-");
    if stem.is_empty() {
        "client".into()
    } else {
        stem.chars().take(60).collect()
    }
}

/// The printable certificate of a seal, from the certificate template the issuer uses; its file name too.
async fn make_pdf(state: &AppState, issuer_id: &IssuerId, f: &Facts) -> AppResult<(String, Vec<u8>)> {
    let parts = SealMailParts::default();
    let (rendered, _) =
        templates::render_for(state, issuer_id, TemplateKind::CertificatePdf, &context(f, &parts, Vec::new())).await?;
    let bytes = pdf::certificate(&pdf::Certificate {
        title: &rendered.subject,
        text: &rendered.text,
        issuer_name: &f.issuer.name,
        logo: f.logo.as_ref().map(|(t, b)| (t.as_str(), b.as_slice())),
        colour: &f.colour,
        verified_url: &f.verified_url,
    })
    .map_err(|e| {
        tracing::error!(error = %e, "certificate PDF");
        AppError::Internal
    })?;
    Ok((format!("certificate-{}.pdf", file_stem(&f.client.name)), bytes))
}

/// The printable certificate of one seal, for downloading: its file name and bytes.
pub async fn certificate_pdf(state: &AppState, issuer_id: &IssuerId, seal_id: &str) -> AppResult<(String, Vec<u8>)> {
    let f = facts(state, issuer_id, seal_id).await?;
    make_pdf(state, issuer_id, &f).await
}

/// The attachments the ticked parts ask for.
async fn attachments(
    state: &AppState,
    issuer_id: &IssuerId,
    f: &Facts,
    parts: &SealMailParts,
) -> AppResult<Vec<MailAttachment>> {
    let mut files = Vec::new();
    if parts.pdf {
        let (filename, bytes) = make_pdf(state, issuer_id, f).await?;
        files.push(MailAttachment { filename, content_type: "application/pdf".into(), data: bytes.into() });
    }
    if parts.qr_code {
        let png = Qr::encode(&f.verified_url).and_then(|qr| qr.png(8)).map_err(|e| {
            tracing::error!(error = %e, "QR code");
            AppError::Internal
        })?;
        let filename = format!("qr-code-{}.png", file_stem(&f.client.name));
        files.push(MailAttachment { filename, content_type: "image/png".into(), data: png.into() });
    }
    files.extend(client_files::attachments(state, issuer_id, &f.client.id, &parts.files).await?);
    Ok(files)
}

/// The addresses typed (comma, semicolon or line separated), or the client's contact when none; each checked.
fn recipients(typed: &str, client: &Client) -> AppResult<Vec<String>> {
    let mut list: Vec<String> =
        typed.split([',', ';', '\n']).map(str::trim).filter(|a| !a.is_empty()).map(validate::normalize_email).collect();
    if list.is_empty() {
        if client.email.trim().is_empty() {
            return Err(AppError::field("recipients", "The client has no e-mail address: enter one."));
        }
        list.push(validate::normalize_email(&client.email));
    }
    let mut unique: Vec<String> = Vec::new();
    for address in list {
        if !unique.contains(&address) {
            unique.push(address);
        }
    }
    let list = unique;
    if list.len() > MAX_RECIPIENTS {
        return Err(AppError::field("recipients", format!("At most {MAX_RECIPIENTS} addresses at a time.")));
    }
    if let Some(bad) = list.iter().find(|a| validate::email(a).is_some()) {
        return Err(AppError::field("recipients", format!("{bad:?} is not an e-mail address.")));
    }
    Ok(list)
}

fn seal_kind(kind: TemplateKind) -> AppResult<TemplateKind> {
    match kind {
        TemplateKind::CertificateEmail | TemplateKind::FollowupEmail => Ok(kind),
        _ => Err(AppError::field("kind", "Choose the first e-mail or the follow-up e-mail.")),
    }
}

struct Written {
    recipients: Vec<String>,
    rendered: Rendered,
    template: String,
    files: Vec<MailAttachment>,
    facts: Facts,
}

async fn write(state: &AppState, issuer_id: &IssuerId, seal_id: &str, input: &SealMailInput) -> AppResult<Written> {
    let kind = seal_kind(input.kind)?;
    let facts = facts(state, issuer_id, seal_id).await?;
    let recipients = recipients(&input.recipients, &facts.client)?;
    let files = attachments(state, issuer_id, &facts, &input.parts).await?;
    let names = files.iter().map(|f| f.filename.clone()).collect();
    let (rendered, template) =
        templates::render_for(state, issuer_id, kind, &context(&facts, &input.parts, names)).await?;
    Ok(Written { recipients, rendered, template, files, facts })
}

/// The e-mail as it would go out, for the preview beside the seal certificate.
pub async fn preview(
    state: &AppState,
    issuer_id: &IssuerId,
    seal_id: &str,
    input: &SealMailInput,
) -> AppResult<SealMailPreview> {
    let w = write(state, issuer_id, seal_id, input).await?;
    Ok(SealMailPreview {
        recipients: w.recipients,
        rendered: w.rendered,
        attachments: w
            .files
            .iter()
            .map(|f| AttachmentInfo {
                filename: f.filename.clone(),
                content_type: f.content_type.clone(),
                size: f.data.len(),
            })
            .collect(),
        template: w.template,
    })
}

/// Queues the e-mail to each recipient; the seal's e-mail history afterwards.
pub async fn send(
    state: &AppState,
    actor: &Actor,
    issuer_id: &IssuerId,
    seal_id: &str,
    input: &SealMailInput,
) -> AppResult<Vec<SentMail>> {
    let w = write(state, issuer_id, seal_id, input).await?;
    let files: Vec<String> = w.files.iter().map(|f| f.filename.clone()).collect();
    let detail = format!(
        "{} to {}{}",
        input.kind.label(),
        w.recipients.join(", "),
        if files.is_empty() { String::new() } else { format!(" with {}", files.join(", ")) }
    );
    mail::send_to_client(
        state,
        &w.recipients,
        ClientMail {
            issuer: issuer_id.clone(),
            client: ClientId::new(&w.facts.client.id),
            seal: Some(SealId::new(seal_id)),
            kind: input.kind.as_str().to_string(),
            template: w.template,
            subject: w.rendered.subject,
            html: w.rendered.html,
            text: w.rendered.text,
            attachments: w.files,
        },
    )
    .await?;
    audit::record_about(
        state,
        actor,
        Some(issuer_id),
        Some(&w.facts.client.id),
        "seal.mail",
        &w.facts.client.name,
        detail,
    )
    .await?;
    history(state, issuer_id, seal_id).await
}

/// Every e-mail sent about one seal certificate, newest first.
pub async fn history(state: &AppState, issuer_id: &IssuerId, seal_id: &str) -> AppResult<Vec<SentMail>> {
    let seal = seals::get(state, issuer_id, seal_id).await?;
    let rows = state
        .store()
        .mail_about(issuer_id, &ClientId::new(&seal.client_id), Some(&SealId::new(seal_id)), HISTORY)
        .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Every e-mail sent to one client, newest first.
pub async fn client_history(state: &AppState, issuer_id: &IssuerId, client_id: &str) -> AppResult<Vec<SentMail>> {
    clients::get(state, issuer_id, client_id).await?;
    let rows = state.store().mail_about(issuer_id, &ClientId::new(client_id), None, HISTORY).await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_come_from_the_client_name_without_diacritics() {
        assert_eq!(file_stem("Čokolada Đurđević & Šime <d.o.o.>"), "cokolada-durdevic-sime-d-o-o");
        assert_eq!(file_stem("«»"), "client");
    }
}
