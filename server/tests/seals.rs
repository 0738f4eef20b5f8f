//! Trust seals over HTTP against the real binary: the seal script and frame, secure coded links, copy
//! attempts, verified pages, the CSV export, and the isolation of one issuer's clients from another's.

mod common;
use common::*;
use std::time::Duration;

const HOSTILE: &str = "<script>alert(1)</script> \"Shop\" & 'Sons'";

struct Shop {
    signet: Signet,
    operator: Client,
    staff: Client,
    other: Client,
    client_id: String,
    domain_id: String,
    seal_id: String,
}

fn today_plus(days: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(days)).to_string()
}

async fn shop(data: &std::path::Path) -> Shop {
    create_operator(data, OPERATOR, OPERATOR_PASSWORD);
    let signet = Signet::start(data).await;
    let operator = signet.client();
    assert!(operator.login(OPERATOR, OPERATOR_PASSWORD).await.ok());
    create_issuer(&operator, "Chamber of Commerce Split", "smib", "ana@smib.test").await;
    create_issuer(&operator, "Other", "other", "bo@other.test").await;
    let staff = accept(&signet, &operator, "ana@smib.test", "ana's passphrase").await;
    let other = accept(&signet, &operator, "bo@other.test", "bo's passphrase!").await;

    assert!(operator.call("catalog/save-group", &[("id", ""), ("name", "Web shops"), ("description", "")]).await.ok());
    let r = operator
        .call(
            "catalog/save-type",
            &[
                ("id", ""),
                ("cert_type[name]", "Trusted Shop"),
                ("cert_type[levels]", "Silver\nGold"),
                ("cert_type[seal_title]", "Verified business"),
                ("cert_type[seal_color]", "#1f6f43"),
                ("cert_type[seal_text_color]", "#ffffff"),
            ],
        )
        .await;
    assert!(r.ok(), "{r:?}");
    let catalog = staff.call("catalog/list", &[]).await.json();
    let type_id = catalog["types"][0]["id"].as_str().unwrap().to_string();

    let r = staff
        .call(
            "clients/create",
            &[
                ("client[name]", HOSTILE),
                ("client[path]", "shop"),
                ("client[city]", "Split"),
                ("client[email]", "info@shop.test"),
            ],
        )
        .await;
    assert!(r.status < 400, "{r:?}");
    let list = staff.call("clients/list", &[("search", ""), ("page", "1")]).await.json();
    let client_id = list["items"][0]["id"].as_str().unwrap().to_string();
    let r = staff
        .call(
            "clients/add-domain",
            &[("client_id", &client_id), ("host", "shop.test"), ("description", "Our <b>shop</b>")],
        )
        .await;
    assert!(r.ok(), "{r:?}");
    let domain_id = r.json()["id"].as_str().unwrap().to_string();
    let r = staff
        .call(
            "seals/create",
            &[
                ("client_id", &client_id),
                ("seal[type_id]", &type_id),
                ("seal[level]", "Gold"),
                ("seal[valid_from]", &today_plus(0)),
                ("seal[valid_to]", &today_plus(365)),
                ("seal[domains][0]", &domain_id),
            ],
        )
        .await;
    assert!(r.ok(), "{r:?}");
    let seal_id = r.json()["id"].as_str().unwrap().to_string();
    Shop { signet, operator, staff, other, client_id, domain_id, seal_id }
}

#[tokio::test]
async fn the_seal_shows_only_on_registered_domains_and_links_to_a_short_lived_verification() {
    let data = tempfile::tempdir().unwrap();
    let w = shop(data.path()).await;
    let visitor = w.signet.client();

    let script = visitor.get(&format!("/seal/{}.js", w.seal_id)).await;
    assert_eq!(script.status(), 200);
    assert!(script.headers()["content-type"].to_str().unwrap().starts_with("text/javascript"));
    let body = script.text().await.unwrap();
    assert!(body.contains(r#"hosts = ["shop.test"]"#) && body.contains("/frame?style="), "{body}");
    let unknown = visitor.get("/seal/doesnotexist.js").await;
    assert_eq!(unknown.status(), 404);
    assert!(!unknown.text().await.unwrap().contains("iframe"));

    // The frame may only be embedded by the certificate's domains; the browser enforces it.
    let frame =
        visitor.get(&format!("/seal/{}/frame?style=notary&origin=http%3A%2F%2Fshop.test%3A8080", w.seal_id)).await;
    assert_eq!(frame.status(), 200);
    let csp = frame.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.starts_with("frame-ancestors https://shop.test:* http://shop.test:*;"), "{csp}");
    assert!(frame.headers().get("x-frame-options").is_none());
    let html = frame.text().await.unwrap();
    assert!(html.contains("Verified business") && html.contains("Chamber of Commerce Split"));
    assert!(html.contains("&lt;script&gt;") && !html.contains("<script>alert"), "the company name is text");
    let link = html.split("href=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    assert!(link.starts_with(&format!("{}/c/", w.signet.base)), "{link}");

    // The secure coded link shows the short verified data and leads back to the website.
    let token = link.rsplit('/').next().unwrap();
    let page = visitor.get(&format!("/c/{token}")).await;
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains("is verified by Chamber of Commerce Split"), "{page}");
    assert!(page.contains("href=\"http://shop.test:8080/\""), "back to website");
    assert!(page.contains("/v/smib/shop"));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !page.contains("<script>alert"));

    // A forged token gets a clear page and no client data.
    let mut forged = token.to_string();
    forged.insert(3, 'x');
    for bad in [forged.as_str(), "not-a-token", "eyJzIjoiYSJ9.AAAA"] {
        let r = visitor.get(&format!("/c/{bad}")).await;
        assert_eq!(r.status(), 404);
        let text = r.text().await.unwrap();
        assert!(text.contains("This link is not valid") && !text.contains("Shop"), "{text}");
    }

    // A copy elsewhere: the frame is empty and the issuer sees the attempt.
    let copied = visitor.get(&format!("/seal/{}/frame?origin=http%3A%2F%2Fcopy.test", w.seal_id)).await;
    assert!(!copied.text().await.unwrap().contains("/c/"));
    let seen = visitor
        .http
        .get(format!("{}/seal/{}/seen?u=http%3A%2F%2Fcopier.test%2Fabout", w.signet.base, w.seal_id))
        .header("User-Agent", "Copy browser 1.0")
        .send()
        .await
        .unwrap();
    assert_eq!(seen.status(), 204);
    let mut hosts = Vec::new();
    for _ in 0..50 {
        let attempts = w.staff.call("seals/copy-attempts", &[]).await.json();
        hosts = attempts.as_array().unwrap().iter().map(|a| a["host"].as_str().unwrap().to_string()).collect();
        if hosts.len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    hosts.sort();
    assert_eq!(hosts, vec!["copier.test", "copy.test"]);
    let detail = w.staff.call("clients/detail", &[("id", &w.client_id)]).await.json();
    let on_client = detail["copy_attempts"].as_array().unwrap();
    assert!(on_client
        .iter()
        .any(|a| a["user_agent"] == "Copy browser 1.0" && a["page_url"] == "http://copier.test/about"));
    assert!(w.other.call("seals/copy-attempts", &[]).await.json().as_array().unwrap().is_empty());

    // Invalidated: the script shows nothing, the frame is gone and links stop working.
    assert!(w.staff.call("seals/invalidate", &[("id", &w.seal_id)]).await.ok());
    let body = visitor.get(&format!("/seal/{}.js", w.seal_id)).await.text().await.unwrap();
    assert!(!body.contains("iframe"), "{body}");
    let frame = visitor.get(&format!("/seal/{}/frame?origin=http%3A%2F%2Fshop.test", w.seal_id)).await;
    assert_eq!(frame.status(), 404);
    assert_eq!(visitor.get(&format!("/c/{token}")).await.status(), 404);
}

#[tokio::test]
async fn verified_pages_by_issuer_slug_and_on_the_issuers_own_host() {
    let data = tempfile::tempdir().unwrap();
    let w = shop(data.path()).await;
    let visitor = w.signet.client();
    let page = visitor.get("/v/smib/shop").await;
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["content-security-policy"].to_str().unwrap().contains("default-src 'none'"), true);
    let html = page.text().await.unwrap();
    assert!(html.contains("Commercial websites") && html.contains("shop.test"));
    assert!(html.contains("Our &lt;b&gt;shop&lt;/b&gt;") && !html.contains("<b>shop"));
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &quot;Shop&quot;")
            || html.contains("&lt;script&gt;alert(1)&lt;/script&gt; \"Shop\"")
    );
    assert!(html.contains("Trusted Shop") && html.contains("Valid"));
    for missing in ["/v/smib/nope", "/v/other/shop", "/v/nobody/shop", "/v/smib/a%2F..%2Fb"] {
        assert_eq!(visitor.get(missing).await.status(), 404, "{missing}");
    }

    // The issuer's own verified-pages host serves /{path}.
    let profile: Vec<(String, String)> = [
        ("name", "Chamber of Commerce Split"),
        ("slug", "smib"),
        ("address", ""),
        ("city", ""),
        ("postal_code", ""),
        ("country", ""),
        ("contact_email", ""),
        ("contact_phone", ""),
        ("website", ""),
        ("verified_host", "verified.smib.test"),
    ]
    .iter()
    .map(|(k, v)| (format!("profile[{k}]"), v.to_string()))
    .collect();
    let r = w
        .staff
        .call("issuer/update-profile", &profile.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect::<Vec<_>>())
        .await;
    assert!(r.ok(), "{r:?}");
    let own =
        visitor.http.get(format!("{}/shop", w.signet.base)).header("Host", "verified.smib.test").send().await.unwrap();
    assert_eq!(own.status(), 200);
    assert!(own.text().await.unwrap().contains("Commercial websites"));
    // Nothing else of Signet is served there: no sign-in page under a host the issuer controls.
    for path in
        ["/nope", "/login", "/clients", "/v/smib/shop", "/", "/api/v1/openapi.json", "/api/v1/products", "/healthz"]
    {
        let r = visitor
            .http
            .get(format!("{}{path}", w.signet.base))
            .header("Host", "verified.smib.test")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{path}");
        assert!(!r.text().await.unwrap().contains("Sign in"), "{path}");
    }
}

#[tokio::test]
async fn certificate_list_exports_csv_and_other_issuers_reach_nothing() {
    let data = tempfile::tempdir().unwrap();
    let w = shop(data.path()).await;
    let csv = w.staff.get("/_app/seals.csv?state=valid").await;
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-disposition"].to_str().unwrap().contains("signet-seals.csv"));
    let csv = csv.text().await.unwrap();
    assert!(csv.starts_with("client,type,level,valid from,valid to,state,domains,seal script,created\n"), "{csv}");
    assert!(csv.contains("Trusted Shop,Gold") && csv.contains("shop.test"), "{csv}");
    assert_eq!(w.staff.get("/_app/seals.csv?state=expired").await.text().await.unwrap().lines().count(), 1);
    assert_eq!(w.signet.client().get("/_app/seals.csv").await.status(), 401);
    let pdf_url = format!("/_app/seals/{}/certificate.pdf", w.seal_id);
    let pdf = w.staff.get(&pdf_url).await;
    assert_eq!((pdf.status().as_u16(), pdf.headers()["content-type"].to_str().unwrap()), (200, "application/pdf"));
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF-"), "the printable certificate");
    assert_eq!(w.signet.client().get(&pdf_url).await.status(), 401);
    assert_eq!(w.other.get(&pdf_url).await.status(), 404, "another issuer's seal is not found");
    assert_eq!(w.other.get("/_app/seals.csv").await.text().await.unwrap().lines().count(), 1);

    // Every call aimed at smib's client, domain or certificate is "not found" for another issuer's admin.
    let (c, d, s) = (w.client_id.as_str(), w.domain_id.as_str(), w.seal_id.as_str());
    let aimed: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("clients/get", vec![("id", c)]),
        ("clients/detail", vec![("id", c)]),
        ("clients/update", vec![("id", c), ("client[name]", "Taken"), ("client[path]", "taken")]),
        ("clients/domains", vec![("client_id", c)]),
        ("clients/add-domain", vec![("client_id", c), ("host", "evil.test"), ("description", "")]),
        ("clients/update-domain", vec![("domain_id", d), ("host", "evil.test"), ("description", "")]),
        ("clients/delete-domain", vec![("domain_id", d)]),
        ("seals/detail", vec![("id", s)]),
        ("seals/mail-history", vec![("id", s)]),
        ("clients/mail-history", vec![("id", c)]),
        ("clients/files", vec![("client_id", c)]),
        (
            "clients/upload-file",
            vec![("client_id", c), ("filename", "x.pdf"), ("data_url", "data:;base64,JVBERi0xLjcK")],
        ),
        ("clients/remove-file", vec![("client_id", c), ("file_id", "x")]),
        ("activity/client", vec![("client_id", c)]),
        ("activity/set-client", vec![("client_id", c), ("on", "false")]),
        ("seals/mail-preview", vec![("id", s), ("mail[kind]", "certificate_email"), ("mail[parts][pdf]", "true")]),
        ("seals/mail-send", vec![("id", s), ("mail[kind]", "certificate_email"), ("mail[parts][pdf]", "true")]),
        ("seals/extend", vec![("id", s)]),
        ("seals/invalidate", vec![("id", s)]),
        (
            "seals/edit",
            vec![
                ("id", s),
                ("seal[type_id]", "x"),
                ("seal[valid_from]", "2026-01-01"),
                ("seal[valid_to]", "2027-01-01"),
            ],
        ),
        (
            "seals/create",
            vec![
                ("client_id", c),
                ("seal[type_id]", "x"),
                ("seal[valid_from]", "2026-01-01"),
                ("seal[valid_to]", "2027-01-01"),
            ],
        ),
    ];
    // The template editor is the operator's: issuer staff are refused it and read their own issuer's only.
    let form = [("kind", "certificate_email"), ("issuer_id", ""), ("source[subject]", "x"), ("source[text]", "x")];
    let answer = w.staff.call("templates/save", &form).await;
    assert!(!answer.ok() && answer.body.contains("Forbidden"), "{answer:?}");
    let answer = w.staff.call("templates/operator", &[("kind", "certificate_email"), ("issuer_id", "")]).await;
    assert!(!answer.ok() && answer.body.contains("Forbidden"), "{answer:?}");
    assert!(w.staff.call("templates/issuer", &[("kind", "certificate_email")]).await.ok());
    for (endpoint, form) in &aimed {
        let answer = w.other.call(endpoint, form).await;
        assert!(!answer.ok() && answer.body.contains("NotFound"), "{endpoint}: {answer:?}");
    }
    for endpoint in ["clients/list", "seals/list", "issuer/dashboard"] {
        let form: Vec<(&str, &str)> = match endpoint {
            "clients/list" => vec![("search", ""), ("page", "1")],
            "seals/list" => vec![("filter[state]", "")],
            _ => vec![],
        };
        let answer = w.other.call(endpoint, &form).await;
        assert!(
            answer.ok() && !answer.body.contains("shop.test") && !answer.body.contains("Sons"),
            "{endpoint}: {answer:?}"
        );
    }
    // The catalogue is the operator's: issuer people read it but cannot change it.
    assert!(w.staff.call("catalog/list", &[]).await.ok());
    let r = w.staff.call("catalog/save-group", &[("id", ""), ("name", "Mine"), ("description", "")]).await;
    assert!(r.status == 403 && r.body.contains("Forbidden"), "{r:?}");
    let r = w
        .staff
        .call(
            "catalog/save-type",
            &[
                ("id", ""),
                ("cert_type[name]", "Mine"),
                ("cert_type[seal_title]", "x"),
                ("cert_type[seal_color]", "#000000"),
                ("cert_type[seal_text_color]", "#ffffff"),
            ],
        )
        .await;
    assert!(r.status == 403 && r.body.contains("Forbidden"), "{r:?}");

    // smib's data is unchanged.
    let detail = w.staff.call("seals/detail", &[("id", s)]).await.json();
    assert_eq!(detail["seal"]["state"], "valid");
    assert_eq!(detail["seal"]["domains"][0]["host"], "shop.test");
    let _ = &w.operator;
}

#[tokio::test]
async fn a_newsletter_carries_a_one_click_unsubscribe_link_that_works_without_a_session_and_stays_in_its_issuer() {
    let data = tempfile::tempdir().unwrap();
    let w = shop(data.path()).await;
    let draft = [("draft[subject]", "Winter hours"), ("draft[body]", "Closed on the 25th."), ("draft[industry]", "")];
    let count = w.staff.call("newsletters/audience", &[("industry", "")]).await.json();
    assert_eq!(count["recipients"], 1, "{count}");
    let sent = w.staff.call("newsletters/send", &draft).await;
    assert!(sent.ok(), "{sent:?}");
    let newsletter = sent.json().as_str().unwrap().to_string();

    // Another issuer's staff reach neither the newsletter nor the client's subscription.
    let answer = w.other.call("newsletters/detail", &[("id", &newsletter)]).await;
    assert!(!answer.ok() && answer.body.contains("NotFound"), "{answer:?}");
    let answer = w.other.call("newsletters/client", &[("client_id", &w.client_id)]).await;
    assert!(!answer.ok() && answer.body.contains("NotFound"), "{answer:?}");
    assert_eq!(w.other.call("newsletters/list", &[]).await.json(), serde_json::json!([]));
    let nobody = w.other.call("newsletters/send", &draft).await;
    assert!(!nobody.ok() && nobody.body.contains("None of your clients"), "{nobody:?}");

    let prefix = format!("{}/unsubscribe/", w.signet.base);
    let link = outbox_links(&w.operator, "info@shop.test", &prefix).await.remove(0);
    let stranger = w.signet.client();
    let page = stranger.get(&link[w.signet.base.len()..]).await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Unsubscribe from newsletters"), "opening the link changes nothing");
    assert_eq!(
        w.staff.call("newsletters/client", &[("client_id", &w.client_id)]).await.json(),
        serde_json::Value::Null
    );

    // RFC 8058: the mail program POSTs `List-Unsubscribe=One-Click`, with no cookie and no Origin.
    let one_click = reqwest::Client::new()
        .post(&link)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(one_click.status(), 200);
    assert!(one_click.text().await.unwrap().contains("You are unsubscribed"));
    let since = w.staff.call("newsletters/client", &[("client_id", &w.client_id)]).await.json();
    assert!(since.is_string(), "the client's page shows when: {since}");
    let count = w.staff.call("newsletters/audience", &[("industry", "")]).await.json();
    assert_eq!((count["recipients"].as_u64(), count["unsubscribed"].as_u64()), (Some(0), Some(1)), "{count}");
    let refused = w.staff.call("newsletters/send", &draft).await;
    assert!(!refused.ok() && refused.body.contains("1 unsubscribed"), "{refused:?}");

    let forged = format!("{}x", &link[..link.len() - 1]);
    let answer = reqwest::Client::new().post(&forged).body("List-Unsubscribe=One-Click").send().await.unwrap();
    assert_eq!(answer.status(), 404);
    let again = reqwest::Client::new().post(&link).body("subscribe=yes").send().await.unwrap();
    assert!(again.text().await.unwrap().contains("You are subscribed again"));
    assert_eq!(w.staff.call("newsletters/audience", &[("industry", "")]).await.json()["recipients"], 1);
}
