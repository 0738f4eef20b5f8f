//! E-mail: every message is stored first, then sent by a background worker with retries. Without an SMTP
//! server the message stays in the outbox, where the operator reads it.

pub mod texts;

use super::AppState;
use crate::error::{AppError, AppResult};
use crate::model::MailStatus;
use crate::store::{ClientId, IssuerId, MailAttachment, MailContent, MailId, NewMail, SealId};
use chrono::Duration;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration as StdDuration;

/// Waits before the 2nd, 3rd, … attempt. After the last one the message is marked failed.
const RETRY_DELAYS_MINUTES: [i64; 5] = [1, 5, 15, 60, 240];

/// Stores a message for sending (or for the outbox) and wakes the worker.
pub async fn send(state: &AppState, to: &str, subject: &str, body: &str, issuer: Option<&IssuerId>) -> AppResult<()> {
    state.store().enqueue_mail(prepare(state, to, subject, body, issuer)).await?;
    wake(state);
    Ok(())
}

/// A message ready to be stored, for callers that store it inside their own transaction (then `wake`).
pub fn prepare(state: &AppState, to: &str, subject: &str, body: &str, issuer: Option<&IssuerId>) -> NewMail {
    let status = if state.settings().smtp_url.is_some() { MailStatus::Queued } else { MailStatus::Outbox };
    NewMail {
        to: to.to_string(),
        subject: subject.to_string(),
        body: body.to_string(),
        html: None,
        attachments: Vec::new(),
        issuer: issuer.cloned(),
        kind: None,
        client: None,
        seal: None,
        template: None,
        newsletter: None,
        unsubscribe_url: None,
        status: status.as_str().to_string(),
        attempts: 0,
        next_attempt_at: state.now(),
        created_at: state.now(),
    }
}

/// An e-mail to a client of an issuer: HTML with its plain-text alternative, attachments, and what it is about.
pub struct ClientMail {
    pub issuer: IssuerId,
    pub client: ClientId,
    pub seal: Option<SealId>,
    /// A template kind, such as `certificate_email`.
    pub kind: String,
    /// The template version it was written from, in words.
    pub template: String,
    pub subject: String,
    pub html: String,
    pub text: String,
    pub attachments: Vec<MailAttachment>,
}

/// Queues one copy of `mail` for each recipient and wakes the worker.
pub async fn send_to_client(state: &AppState, recipients: &[String], mail: ClientMail) -> AppResult<()> {
    for to in recipients {
        let mut queued = prepare(state, to, &mail.subject, &mail.text, Some(&mail.issuer));
        queued.html = Some(mail.html.clone());
        queued.attachments = mail.attachments.clone();
        queued.kind = Some(mail.kind.clone());
        queued.client = Some(mail.client.clone());
        queued.seal = mail.seal.clone();
        queued.template = Some(mail.template.clone());
        state.store().enqueue_mail(queued).await?;
    }
    wake(state);
    Ok(())
}

/// Tells the worker that a message was stored.
pub fn wake(state: &AppState) {
    state.mail_wakeup().notify_one();
}

/// The operator's view of outgoing mail (newest 200, of one status or all), and whether an SMTP server is set.
pub async fn outbox(state: &AppState, status: Option<MailStatus>) -> AppResult<(bool, Vec<crate::model::MailMessage>)> {
    let rows = state.store().list_mail(status, 200).await?;
    Ok((state.settings().smtp_url.is_some(), rows.into_iter().map(|r| r.into_model()).collect()))
}

/// Puts a failed or outbox message back in the queue. Only possible when SMTP is configured.
pub async fn resend(state: &AppState, mail: &str) -> AppResult<()> {
    if state.settings().smtp_url.is_none() {
        return Err(AppError::Refused(
            "No SMTP server is configured (SIGNET_SMTP_URL), so messages stay in the outbox.".into(),
        ));
    }
    if !state.store().requeue_mail(&MailId::new(mail), state.now()).await? {
        return Err(AppError::Conflict("Only failed or outbox messages can be sent again.".into()));
    }
    state.mail_wakeup().notify_one();
    Ok(())
}

/// The SMTP URL in lettre's form: `smtp://` means STARTTLS required unless the URL says `tls=none`
/// (a plain local relay) or `tls=opportunistic`.
pub fn lettre_url(url: &str) -> String {
    let url = url.trim();
    if !url.starts_with("smtp://") {
        return url.to_string();
    }
    let (base, query) = url.split_once('?').map_or((url, ""), |(b, q)| (b, q));
    let params: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
    if params.iter().any(|p| *p == "tls=none") {
        let rest: Vec<&str> = params.into_iter().filter(|p| !p.starts_with("tls=")).collect();
        return if rest.is_empty() { base.to_string() } else { format!("{base}?{}", rest.join("&")) };
    }
    if params.iter().any(|p| p.starts_with("tls=")) {
        return url.to_string();
    }
    let mut params = params;
    params.push("tls=required");
    format!("{base}?{}", params.join("&"))
}

/// Runs until the process ends: sends due messages, sleeps until woken or until the next retry is due.
pub async fn run_worker(state: AppState) {
    let Some(url) = state.settings().smtp_url.clone() else {
        tracing::info!("no SMTP server configured: e-mail is kept in the operator's outbox");
        return;
    };
    // lettre's pool keeps the connection open between messages: a newsletter's copies go over one session,
    // not a TCP connection and EHLO each.
    let transport = match AsyncSmtpTransport::<Tokio1Executor>::from_url(&lettre_url(&url)) {
        Ok(builder) => builder.timeout(Some(StdDuration::from_secs(30))).build(),
        Err(e) => {
            tracing::error!(error = %e, "SIGNET_SMTP_URL is not a valid SMTP URL; e-mail stays queued");
            return;
        }
    };
    if let Err(e) = state.store().requeue_interrupted_mail().await {
        tracing::error!(error = %e, "could not requeue interrupted mail");
    }
    loop {
        let sent_any = match send_due(&state, &transport).await {
            Ok(n) => n > 0,
            Err(e) => {
                tracing::error!(error = %e, "mail worker");
                false
            }
        };
        if !sent_any {
            tokio::select! {
                _ = state.mail_wakeup().notified() => {}
                _ = tokio::time::sleep(until_next_due(&state).await) => {}
            }
        }
    }
}

/// How long the worker may sleep: until the next queued message is due (newsletter copies are spread a
/// fraction of a second apart), and never more than 15 seconds.
async fn until_next_due(state: &AppState) -> StdDuration {
    let longest = StdDuration::from_secs(15);
    match state.store().next_mail_due().await {
        // At least a moment, so that a message another node holds does not spin this loop.
        Ok(Some(at)) => {
            (at - state.now()).to_std().unwrap_or(StdDuration::ZERO).clamp(StdDuration::from_millis(20), longest)
        }
        _ => longest,
    }
}

async fn send_due(state: &AppState, transport: &AsyncSmtpTransport<Tokio1Executor>) -> Result<usize, AppError> {
    let due = state.store().due_mail(state.now(), 20).await?;
    let mut handled = 0;
    for row in due {
        if !state.store().claim_mail(&row.id).await? {
            continue;
        }
        handled += 1;
        let attempts = row.attempts + 1;
        let content = state.store().mail_content(&row.id).await?;
        let result = match build_message(&state.settings().mail_from, &row.to, &row.subject, &row.body, content) {
            Ok(message) => transport.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => {
                tracing::info!(mail = %row.key(), "e-mail sent");
                state.store().mark_mail_sent(&row.id, attempts, state.now()).await?;
            }
            Err(error) => {
                let next = RETRY_DELAYS_MINUTES.get(attempts as usize - 1).map(|m| state.now() + Duration::minutes(*m));
                tracing::warn!(mail = %row.key(), attempts, %error, retry = next.is_some(), "e-mail not sent");
                state.store().mark_mail_attempt_failed(&row.id, attempts, &error, next).await?;
            }
        }
    }
    Ok(handled)
}

/// Plain text alone, or the text and HTML as alternatives, followed by the attachments.
fn build_message(from: &str, to: &str, subject: &str, body: &str, content: MailContent) -> Result<Message, String> {
    let from: Mailbox = from.parse().map_err(|e| format!("sender address {from:?} is invalid: {e}"))?;
    let to: Mailbox = to.parse().map_err(|e| format!("recipient address is invalid: {e}"))?;
    let mut builder = Message::builder().from(from).to(to).subject(subject);
    if let Some(url) = &content.unsubscribe_url {
        // RFC 8058: the mail program offers "Unsubscribe" and POSTs `List-Unsubscribe=One-Click` to the URL.
        builder = builder
            .raw_header(HeaderValue::new(HeaderName::new_from_ascii_str("List-Unsubscribe"), format!("<{url}>")))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".to_string(),
            ));
    }
    let message = match (content.html, content.attachments.is_empty()) {
        (None, true) => builder.header(ContentType::TEXT_PLAIN).body(body.to_string()),
        (html, _) => {
            let text = SinglePart::plain(body.to_string());
            let mut mixed = match html {
                Some(html) => MultiPart::mixed()
                    .multipart(MultiPart::alternative().singlepart(text).singlepart(SinglePart::html(html))),
                None => MultiPart::mixed().singlepart(text),
            };
            for file in content.attachments {
                let content_type = ContentType::parse(&file.content_type)
                    .map_err(|e| format!("attachment {:?} has an invalid type: {e}", file.filename))?;
                mixed = mixed.singlepart(Attachment::new(file.filename).body(file.data.to_vec(), content_type));
            }
            builder.multipart(mixed)
        }
    };
    message.map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls() {
        assert_eq!(lettre_url("smtp://u:p@mail.example:587"), "smtp://u:p@mail.example:587?tls=required");
        assert_eq!(lettre_url("smtp://127.0.0.1:2525?tls=none"), "smtp://127.0.0.1:2525");
        assert_eq!(lettre_url("smtp://h?tls=opportunistic"), "smtp://h?tls=opportunistic");
        assert_eq!(lettre_url("smtps://u:p@mail.example"), "smtps://u:p@mail.example");
        let plain = MailContent::default;
        assert!(build_message("Signet <s@x.hr>", "ana@smib.hr", "Hi", "Body", plain()).is_ok());
        assert!(build_message("Signet <s@x.hr>", "not an address", "Hi", "Body", plain()).is_err());
    }

    #[test]
    fn a_message_with_html_and_a_file_is_text_and_html_as_alternatives_then_the_file() {
        let content = MailContent {
            html: Some("<p>Body</p>".into()),
            attachments: vec![MailAttachment {
                filename: "certificate.pdf".into(),
                content_type: "application/pdf".into(),
                data: bytes::Bytes::from_static(b"%PDF-1.7"),
            }],
            unsubscribe_url: None,
        };
        let message = build_message("Signet <s@x.hr>", "ana@smib.hr", "Hi", "Body", content).unwrap();
        let raw = String::from_utf8(message.formatted()).unwrap();
        let (alternative, html, pdf) = (
            raw.find("multipart/alternative").unwrap(),
            raw.find("text/html").unwrap(),
            raw.find("filename=\"certificate.pdf\"").unwrap(),
        );
        assert!(raw.contains("multipart/mixed") && alternative < html && html < pdf, "{raw}");
        assert!(!raw.contains("List-Unsubscribe"), "{raw}");
    }

    #[test]
    fn a_newsletter_copy_carries_the_one_click_unsubscribe_headers() {
        let content = MailContent {
            html: Some("<p>News</p>".into()),
            attachments: Vec::new(),
            unsubscribe_url: Some("https://signet.test/unsubscribe/abc.def".into()),
        };
        let message = build_message("Signet <s@x.hr>", "ana@smib.hr", "News", "News", content).unwrap();
        let raw = String::from_utf8(message.formatted()).unwrap();
        assert!(raw.contains("List-Unsubscribe: <https://signet.test/unsubscribe/abc.def>\r\n"), "{raw}");
        assert!(raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"), "{raw}");
    }
}
