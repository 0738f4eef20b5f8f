//! Newsletters against a real (in-memory) SurrealDB and a real SMTP server: the audience by industry, the
//! copies as a mail program receives them (HTML escaped, the RFC 8058 headers), one-click unsubscribing, the
//! next newsletter skipping the client, the history, and one issuer never reaching another's.

use super::smtp_sink::SmtpSink;
use super::Settings;
use super::{clients, mail, newsletters};
use crate::error::AppError;
use crate::model::{ClientInput, MailStatus, NewsletterAudience, NewsletterDraft, RecipientStatus};
use chrono::Duration;
use mail_parser::MessageParser;

type World = super::seal_mail_tests::TwoIssuers;

async fn world(settings: Settings) -> World {
    super::seal_mail_tests::two_issuers(settings).await
}

async fn client(w: &World, name: &str, path: &str, industry: &str, email: &str) -> Result<String, AppError> {
    let input = ClientInput {
        name: name.into(),
        path: path.into(),
        industry: industry.into(),
        email: email.into(),
        ..Default::default()
    };
    Ok(clients::create(&w.s, &w.staff, &w.issuer, input).await?.id)
}

fn draft(subject: &str, body: &str, industry: &str) -> NewsletterDraft {
    NewsletterDraft { subject: subject.into(), body: body.into(), industry: industry.into() }
}

fn header<'a>(raw: &'a str, name: &str) -> Option<&'a str> {
    raw.lines().find_map(|l| l.strip_prefix(name).and_then(|rest| rest.strip_prefix(": ")))
}

#[tokio::test]
async fn a_newsletter_to_one_industry_reaches_only_it_and_a_one_click_unsubscribe_is_skipped_next_time() {
    let smtp = SmtpSink::start();
    let w = world(Settings { smtp_url: Some(smtp.url()), ..Settings::for_tests() }).await;
    tokio::spawn(mail::run_worker(w.s.clone()));
    newsletters::set_industries(&w.s, &w.staff, &w.issuer, vec!["Retail".into(), " Tourism ".into(), "retail".into()])
        .await
        .unwrap();
    assert_eq!(newsletters::industries(&w.s, &w.issuer).await.unwrap(), vec!["Retail", "Tourism"]);
    let unlisted = client(&w, "Mine d.o.o.", "mine", "Mining", "m@mine.test").await.unwrap_err();
    assert!(unlisted.for_field("industry").is_some_and(|m| m.contains("Retail, Tourism")), "{unlisted:?}");

    let ana = client(&w, "Čokolada Đurđević d.o.o.", "cokolada", "retail", "ana@cokolada.test").await.unwrap();
    client(&w, "Bura <Shop>", "bura", "Retail", "bo@bura.test").await.unwrap();
    client(&w, "Hotel Marjan", "marjan", "Tourism", "desk@marjan.test").await.unwrap();
    client(&w, "No Mail Retail", "nomail", "Retail", "").await.unwrap();
    assert_eq!(clients::get(&w.s, &w.issuer, &ana).await.unwrap().industry, "Retail", "spelt as the list spells it");
    let retail = newsletters::audience(&w.s, &w.issuer, "Retail").await.unwrap();
    assert_eq!(retail, NewsletterAudience { recipients: 2, unsubscribed: 0, without_email: 1 });

    let body = "Our seals <script>alert(1)</script> now come in three styles & colours.\n\nPick yours.";
    let first = newsletters::send(&w.s, &w.staff, &w.issuer, draft("Seal styles", body, "Retail")).await.unwrap();
    w.s.clock().advance(Duration::minutes(1));
    let copies = smtp.wait_for("Seal styles", 2).await;
    let mut to: Vec<&str> = copies.iter().map(|m| m.to.as_str()).collect();
    to.sort();
    assert_eq!(to, vec!["ana@cokolada.test", "bo@bura.test"], "the hotel is not in Retail, the last has no address");
    let to_ana = copies.iter().find(|m| m.to == "ana@cokolada.test").unwrap();
    let parsed = MessageParser::default().parse(to_ana.raw.as_bytes()).unwrap();
    let html = parsed.body_html(0).unwrap().into_owned();
    assert!(html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;") && !html.contains("<script"), "{html}");
    assert!(html.contains("Dear Čokolada Đurđević d.o.o."), "{html}");
    assert!(parsed.body_text(0).unwrap().contains("three styles & colours."));
    let link = header(&to_ana.raw, "List-Unsubscribe").expect("List-Unsubscribe").trim_matches(['<', '>']);
    assert_eq!(header(&to_ana.raw, "List-Unsubscribe-Post"), Some("List-Unsubscribe=One-Click"));
    // minijinja escapes '/' in HTML as well; a mail program reads `&#x2f;` as '/'.
    assert!(
        link.starts_with("https://signet.test/unsubscribe/") && html.contains(&link.replace('/', "&#x2f;")),
        "{link} in {html}"
    );

    // The client's mail program posts the one-click unsubscribe (the HTTP route is tested in server/tests).
    let token = link.rsplit('/').next().unwrap();
    let forged = format!("{}x", &token[..token.len() - 1]);
    assert!(matches!(newsletters::set_subscription(&w.s, &forged, false).await, Err(AppError::NotFound)));
    let target = newsletters::set_subscription(&w.s, token, false).await.unwrap();
    assert!(target.unsubscribed && target.client == "Čokolada Đurđević d.o.o.", "{target:?}");
    assert!(newsletters::unsubscribed_at(&w.s, &w.issuer, &ana).await.unwrap().is_some());
    let retail = newsletters::audience(&w.s, &w.issuer, "Retail").await.unwrap();
    assert_eq!(retail, NewsletterAudience { recipients: 1, unsubscribed: 1, without_email: 1 });

    let second = newsletters::send(&w.s, &w.staff, &w.issuer, draft("Winter hours", "Closed on the 25th.", "Retail"))
        .await
        .unwrap();
    w.s.clock().advance(Duration::minutes(1));
    let copies = smtp.wait_for("Winter hours", 1).await;
    assert_eq!(copies.iter().map(|m| m.to.as_str()).collect::<Vec<_>>(), vec!["bo@bura.test"]);

    let detail = newsletters::detail(&w.s, &w.issuer, &second).await.unwrap();
    assert_eq!((detail.summary.recipients, detail.summary.skipped), (1, 1));
    let skipped = detail.recipients.iter().find(|r| r.client_id == ana).expect("the unsubscribed client is listed");
    assert_eq!(skipped.status, RecipientStatus::Unsubscribed);
    let list = newsletters::list(&w.s, &w.issuer).await.unwrap();
    assert_eq!(list.iter().map(|n| n.id.as_str()).collect::<Vec<_>>(), vec![second.as_str(), first.as_str()]);
    assert_eq!(
        (list[1].subject.as_str(), list[1].audience(), list[1].author.as_str()),
        ("Seal styles", "Industry: Retail".into(), "ana@smib.test")
    );
    let delivered = newsletters::detail(&w.s, &w.issuer, &first).await.unwrap();
    assert!(delivered.recipients.iter().all(|r| r.status == RecipientStatus::Mail(MailStatus::Sent)), "{delivered:?}");

    // Another issuer sees none of it, and its newsletters reach none of these clients.
    assert!(matches!(newsletters::detail(&w.s, &w.other_issuer, &first).await, Err(AppError::NotFound)));
    assert!(newsletters::list(&w.s, &w.other_issuer).await.unwrap().is_empty());
    let nobody = newsletters::send(&w.s, &w.staff, &w.other_issuer, draft("Hello", "Hi.", "")).await.unwrap_err();
    assert!(matches!(&nobody, AppError::Refused(m) if m.contains("None of your clients")), "{nobody:?}");
}

#[tokio::test]
async fn a_newsletter_nobody_can_receive_is_refused_and_a_test_goes_only_to_its_author() {
    let w = world(Settings::for_tests()).await;
    client(&w, "Hotel Marjan", "marjan", "Tourism", "desk@marjan.test").await.unwrap();
    let refused = newsletters::send(&w.s, &w.staff, &w.issuer, draft("News", "Text.", "Retail")).await.unwrap_err();
    assert!(
        matches!(&refused, AppError::Refused(m) if m.contains("No client in Retail") && m.contains("Nothing was sent")),
        "{refused:?}"
    );
    let empty = newsletters::send(&w.s, &w.staff, &w.issuer, draft("News", " \n\n ", "")).await.unwrap_err();
    assert!(empty.for_field("body").is_some(), "{empty:?}");

    let preview = newsletters::preview(&w.s, &w.issuer, &draft("News <b>", "Text & more.", "")).await.unwrap();
    assert!(preview.html.contains("News &lt;b&gt;") && preview.html.contains("Dear Hotel Marjan"), "{}", preview.html);
    assert!(preview.html.contains("&#x2f;unsubscribe&#x2f;preview"), "a preview's link unsubscribes nobody");
    let to = newsletters::send_test(&w.s, &w.staff, &w.issuer, &draft("News", "Text.", "")).await.unwrap();
    assert_eq!(to, "ana@smib.test");
    let outbox = mail::outbox(&w.s, None).await.unwrap().1;
    let tests: Vec<&str> = outbox.iter().filter(|m| m.subject.contains("News")).map(|m| m.to.as_str()).collect();
    assert_eq!(tests, vec!["ana@smib.test"]);
    assert!(outbox.iter().any(|m| m.subject == "[Test] News"));
    assert!(newsletters::list(&w.s, &w.issuer).await.unwrap().is_empty(), "a test is not a newsletter");
}
