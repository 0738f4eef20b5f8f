//! TLS orders over the REST API against the real binary: CSRs made by openssl, HTTP-file validation against
//! a loopback web server, DNS validation against a loopback DNS server, issuance checked by `openssl verify`
//! and pkilint, every download format read by openssl, bad CSRs refused with their own message, isolation,
//! and a schemathesis run over the OpenAPI document.

#[path = "support/ca_world.rs"]
mod ca_world;
mod common;
use ca_world::*;
use common::*;
use serde_json::{json, Value};
use std::process::Command;

#[tokio::test]
async fn rest_story_http_and_dns_validation_issue_a_certificate_that_openssl_and_pkilint_accept() {
    let w = world().await;
    let dir = w.work.path();
    let (status, products) = w.api(reqwest::Method::GET, "/products", &w.key, None).await;
    assert_eq!(status, 200);
    let product_id = products[0]["id"].as_str().unwrap().to_string();
    let csr = openssl_csr(
        dir,
        "shop",
        &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
        "/CN=shop.example.com/O=Shop d.o.o./L=Split/C=HR",
        &["shop.example.com", "www.shop.example.com"],
    );
    let (status, order) = w
        .api(reqwest::Method::POST, "/orders", &w.key, Some(json!({
            "client_id": w.client_id, "product_id": product_id, "validity_days": 199,
            "names": ["shop.example.com", "www.shop.example.com"], "csr": csr,
            "dcv": [{"name": "shop.example.com", "method": "http"}, {"name": "www.shop.example.com", "method": "dns"}]
        })))
        .await;
    assert_eq!(status, 201, "{order}");
    assert_eq!(order["status"], "awaiting_validation");
    assert_eq!(order["csr_report"]["accepted"], true);
    let similar: Vec<&Value> = order["csr_report"]["subject"].as_array().unwrap().iter().collect();
    assert!(similar.iter().all(|s| s["likeness"] == "same"), "{similar:?}");
    let id = order["id"].as_str().unwrap().to_string();

    // Nothing published yet: "check now" says what is missing.
    let (_, checked) = w.api(reqwest::Method::POST, &format!("/orders/{id}/dcv/check"), &w.key, None).await;
    assert_eq!(checked["status"], "awaiting_validation");
    assert!(dcv_of(&checked, "shop.example.com")["last_error"].as_str().unwrap().contains("404"));
    assert!(dcv_of(&checked, "www.shop.example.com")["last_error"].as_str().unwrap().contains("no TXT record"));

    // Publish the file and the TXT record, as the status page says.
    let http = dcv_of(&order, "shop.example.com");
    let url = http["http_url"].as_str().unwrap().trim_start_matches("http://").to_string();
    w.files.lock().unwrap().insert(url, format!("{}\n", http["token"].as_str().unwrap()));
    let dns = dcv_of(&order, "www.shop.example.com");
    w.dns.set(json!({ dns["dns_name"].as_str().unwrap(): [dns["token"]] }));
    let (_, issued) = w.api(reqwest::Method::POST, &format!("/orders/{id}/dcv/check"), &w.key, None).await;
    assert_eq!(issued["status"], "issued", "{issued}");
    let cert_id = issued["certificate"]["id"].as_str().unwrap().to_string();

    // Every format, read by openssl.
    for (format, file) in
        [("pem", "leaf.pem"), ("cer", "leaf.cer"), ("chain", "chain.pem"), ("p7b", "leaf.p7b"), ("root", "root.pem")]
    {
        std::fs::write(dir.join(file), w.download(&cert_id, format).await).unwrap();
    }
    let text = openssl(dir, &["x509", "-in", "leaf.pem", "-noout", "-text"]);
    assert!(text.contains("DNS:shop.example.com, DNS:www.shop.example.com"), "{text}");
    assert!(text.contains("CA Issuers - URI:http://pki.signet.example.com/pki/"), "{text}");
    assert!(text.contains("OCSP - URI:http://pki.signet.example.com/ocsp"), "{text}");
    assert!(text.contains("2.23.140.1.2.1"), "{text}");
    assert!(text.contains("TLS Web Server Authentication"), "{text}");
    assert!(text.contains("CA:FALSE"), "{text}");
    assert!(text.contains("Subject Key Identifier") && text.contains("Authority Key Identifier"), "{text}");
    let der_subject = openssl(dir, &["x509", "-inform", "DER", "-in", "leaf.cer", "-noout", "-serial"]);
    assert!(der_subject.starts_with("serial="));
    let p7 = openssl(dir, &["pkcs7", "-in", "leaf.p7b", "-print_certs", "-noout"]);
    assert_eq!(p7.matches("subject=").count(), 3, "{p7}");
    let verify = openssl(
        dir,
        &["verify", "-CAfile", "root.pem", "-untrusted", "chain.pem", "-purpose", "sslserver", "leaf.pem"],
    );
    assert!(verify.contains("leaf.pem: OK"), "{verify}");
    // The CSR's key is the certificate's key.
    let key_pub = openssl(dir, &["pkey", "-in", "shop.key", "-pubout"]);
    let cert_pub = openssl(dir, &["x509", "-in", "leaf.pem", "-noout", "-pubkey"]);
    assert_eq!(key_pub, cert_pub);
    let errors = pkilint_errors(&dir.join("leaf.pem"));
    assert!(errors.is_empty(), "pkilint: {errors:?}");

    // The CA files the certificate names are served: the issuing CA's certificate and a CRL it signed.
    let slug = issued["certificate"]["ca"].as_str().unwrap();
    let crt = w.http.get(format!("{}/pki/{slug}.crt", w.signet.base)).send().await.unwrap().bytes().await.unwrap();
    std::fs::write(dir.join("ca.crt"), &crt).unwrap();
    openssl(dir, &["x509", "-inform", "DER", "-in", "ca.crt", "-noout"]);
    let crl = w.http.get(format!("{}/pki/{slug}.crl", w.signet.base)).send().await.unwrap().bytes().await.unwrap();
    std::fs::write(dir.join("ca.crl"), &crl).unwrap();
    openssl(dir, &["x509", "-inform", "DER", "-in", "ca.crt", "-out", "ca.pem"]);
    let crl_text = openssl(dir, &["crl", "-inform", "DER", "-in", "ca.crl", "-CAfile", "ca.pem", "-noout", "-text"]);
    assert!(crl_text.contains("No Revoked Certificates"), "{crl_text}");

    // An RSA key for the same names: validation is reused, the certificate is issued at once.
    let rsa = openssl_csr(dir, "rsa", &["-newkey", "rsa:2048"], "/CN=shop.example.com", &["shop.example.com"]);
    let (status, again) = w
        .api(reqwest::Method::POST, "/orders", &w.key, Some(json!({
            "client_id": w.client_id, "product_id": product_id, "validity_days": 90, "names": ["shop.example.com"], "csr": rsa
        })))
        .await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(again["status"], "issued", "{again}");
    std::fs::write(dir.join("rsa.pem"), again["certificate"]["pem"].as_str().unwrap()).unwrap();
    let verify = openssl(dir, &["verify", "-CAfile", "root.pem", "-untrusted", "chain.pem", "rsa.pem"]);
    assert!(verify.contains("OK"));
    assert!(pkilint_errors(&dir.join("rsa.pem")).is_empty());

    // The list, and what other people get.
    let (_, list) = w.api(reqwest::Method::GET, "/orders?status=issued", &w.key, None).await;
    assert_eq!(list["total"], 2);
    let (status, _) = w.api(reqwest::Method::GET, &format!("/orders/{id}"), "sgk_wrong", None).await;
    assert_eq!(status, 401);
    let (status, _) = w.api(reqwest::Method::GET, &format!("/orders/{id}"), &w.other_key, None).await;
    assert_eq!(status, 404);
    let r = w
        .http
        .get(format!("{}/api/v1/certificates/{cert_id}", w.signet.base))
        .bearer_auth(&w.other_key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let (_, list) = w.api(reqwest::Method::GET, "/orders", &w.other_key, None).await;
    assert_eq!(list["total"], 0);
}

#[tokio::test]
async fn every_bad_csr_made_by_openssl_is_refused_with_its_own_message() {
    let w = world().await;
    let dir = w.work.path();
    let (_, products) = w.api(reqwest::Method::GET, "/products", &w.key, None).await;
    let product_id = products[0]["id"].as_str().unwrap().to_string();
    let good = openssl_csr(
        dir,
        "good",
        &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
        "/CN=shop.example.com",
        &["shop.example.com"],
    );
    let body: String = good.lines().filter(|l| !l.starts_with("-----")).collect::<Vec<_>>().join("\n");
    let mut der = Command::new("openssl")
        .args(["req", "-in"])
        .arg(dir.join("good.csr"))
        .args(["-outform", "DER"])
        .output()
        .unwrap()
        .stdout;
    let last = der.len() - 3;
    der[last] ^= 0x01;
    std::fs::write(dir.join("tampered.der"), &der).unwrap();
    let tampered = openssl(dir, &["req", "-inform", "DER", "-in", "tampered.der", "-outform", "PEM"]);
    let cases: Vec<(String, &str)> = vec![
        (
            openssl_csr(dir, "weak", &["-newkey", "rsa:1024"], "/CN=shop.example.com", &["shop.example.com"]),
            "at least 2048 bits; this one has 1024",
        ),
        (
            openssl_csr(
                dir,
                "p521",
                &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-521"],
                "/CN=shop.example.com",
                &["shop.example.com"],
            ),
            "ECDSA P-521",
        ),
        (openssl_csr(dir, "ed", &["-newkey", "ed25519"], "/CN=shop.example.com", &["shop.example.com"]), "Ed25519"),
        (
            openssl_csr(
                dir,
                "extra",
                &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
                "/CN=shop.example.com",
                &["shop.example.com", "bank.example.net"],
            ),
            "bank.example.net",
        ),
        (tampered, "signature does not match"),
        (format!("-----BEGIN CERTIFICATE REQUEST-----\n{body}\n"), "must end with"),
        (format!("{body}\n-----END CERTIFICATE REQUEST-----\n"), "must start with"),
        (
            format!(
                "-----BEGIN CERTIFICATE REQUEST-----\n{}\n-----END CERTIFICATE REQUEST-----\n",
                body.replace('A', "*")
            ),
            "not valid base64",
        ),
        (std::fs::read_to_string(dir.join("good.key")).unwrap(), "private key, not a CSR"),
        ("-----BEGIN CERTIFICATE REQUEST-----\nMIIBADCBpw==\n-----END CERTIFICATE REQUEST-----\n".into(), "damaged"),
    ];
    for (csr, message) in cases {
        let (status, answer) = w
            .api(reqwest::Method::POST, "/orders", &w.key, Some(json!({
                "client_id": w.client_id, "product_id": product_id, "validity_days": 90, "names": ["shop.example.com"], "csr": csr
            })))
            .await;
        assert_eq!(status, 422, "{message}: {answer}");
        let text = answer["error"].as_str().unwrap();
        assert!(text.contains(message), "expected “{message}”, got “{text}”");
    }
    // Nothing was stored.
    let (_, list) = w.api(reqwest::Method::GET, "/orders", &w.key, None).await;
    assert_eq!(list["total"], 0);
    // The same key twice: accepted, with a warning.
    for round in 0..2 {
        let (status, order) = w
            .api(reqwest::Method::POST, "/orders", &w.key, Some(json!({
                "client_id": w.client_id, "product_id": product_id, "validity_days": 90, "names": ["shop.example.com"], "csr": good
            })))
            .await;
        assert_eq!(status, 201);
        let warned = order["csr_report"]["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["level"] == "warning" && c["label"] == "Key reuse");
        assert_eq!(warned, round == 1, "{order}");
    }
}

#[tokio::test]
async fn another_issuer_reaches_no_order_and_staff_cannot_run_the_ca() {
    let w = world().await;
    let dir = w.work.path();
    let (_, products) = w.api(reqwest::Method::GET, "/products", &w.key, None).await;
    let product_id = products[0]["id"].as_str().unwrap().to_string();
    let csr = openssl_csr(
        dir,
        "a",
        &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
        "/CN=shop.example.com",
        &["shop.example.com"],
    );
    let (_, draft) = w
        .api(
            reqwest::Method::POST,
            "/orders",
            &w.key,
            Some(json!({
                "client_id": w.client_id, "product_id": product_id, "validity_days": 90, "names": ["shop.example.com"]
            })),
        )
        .await;
    assert_eq!(draft["status"], "draft");
    let id = draft["id"].as_str().unwrap();
    let refused = |a: &Answer| {
        !a.ok() && ["NotFound", "Forbidden", "Unauthenticated"].iter().any(|refusal| a.body.contains(refusal))
    };
    for (endpoint, form) in [
        ("orders/get", vec![("id", id)]),
        ("orders/submit-csr", vec![("id", id), ("csr", csr.as_str())]),
        ("orders/invite-csr", vec![("id", id), ("email", "evil@other.example.com"), ("name", "Evil")]),
        ("orders/set-dcv", vec![("id", id), ("name", "shop.example.com"), ("method", "dns"), ("mailbox", "")]),
        ("orders/check-dcv", vec![("id", id)]),
        ("orders/approve", vec![("id", id)]),
        ("orders/reject", vec![("id", id), ("reason", "x")]),
        ("orders/cancel", vec![("id", id), ("reason", "x")]),
        (
            "orders/check-csr",
            vec![
                ("client_id", w.client_id.as_str()),
                ("product_id", product_id.as_str()),
                ("names", "shop.example.com"),
                ("csr", csr.as_str()),
            ],
        ),
        ("customers/list", vec![("client_id", w.client_id.as_str())]),
        ("customers/invite", vec![("client_id", w.client_id.as_str()), ("email", "x@x.example.com"), ("name", "X")]),
        ("customers/remove", vec![("client_id", w.client_id.as_str()), ("user_id", "whoever")]),
    ] {
        let a = w.other.call(endpoint, &form).await;
        assert!(refused(&a), "{endpoint}: {a:?}");
    }
    let list = w.other.call("orders/list", &[("page", "1")]).await.json();
    assert_eq!(list["total"], 0);
    let setup = w.other.call("orders/setup", &[]).await.json();
    assert!(setup["clients"].as_array().unwrap().iter().all(|c| c["id"] != w.client_id.as_str()));
    for (endpoint, form) in [
        ("ca/overview", vec![]),
        ("ca/create-root", vec![("common_name", "Evil"), ("organisation", "")]),
        ("ca/create-intermediate", vec![("issuer_id", "x")]),
        ("ca/import", vec![("ca_import[issuer_id]", ""), ("ca_import[cert_pem]", "x"), ("ca_import[key_pem]", "y")]),
        ("ca/sign-root-crl", vec![]),
        ("ca/revoke", vec![("ca_id", "x"), ("reason", "keyCompromise")]),
    ] {
        assert!(refused(&w.staff.call(endpoint, &form).await), "{endpoint}");
    }
    let r = w.staff.call("products/save", &[("id", ""), ("product[name]", "x")]).await;
    assert!(r.status >= 400, "{r:?}");
    assert!(w.staff.call("orders/approval-mode", &[("on", "true")]).await.ok());
    assert!(w.other.call("orders/track", &[("token", "not-a-real-tracking-token")]).await.status >= 400);
    for (endpoint, form) in [
        ("invitation/get", vec![("token", "not-a-real-invitation-token")]),
        ("invitation/submit-csr", vec![("token", "not-a-real-invitation-token"), ("csr", csr.as_str())]),
    ] {
        let a = w.other.call(endpoint, &form).await;
        assert!(!a.ok() && a.body.contains("NotFound"), "{endpoint}: {a:?}");
    }
    // The draft is still a draft; nothing of it changed.
    let (_, still) = w.api(reqwest::Method::GET, &format!("/orders/{id}"), &w.key, None).await;
    assert_eq!(still["status"], "draft");
    assert_eq!(still["events"].as_array().unwrap().len(), 1);
    let _ = &w.operator;
}

#[tokio::test]
async fn an_invitation_link_hands_in_the_csr_without_an_account_once() {
    let w = world().await;
    let (_, products) = w.api(reqwest::Method::GET, "/products", &w.key, None).await;
    let product_id = products[0]["id"].as_str().unwrap().to_string();
    let (_, draft) = w
        .api(
            reqwest::Method::POST,
            "/orders",
            &w.key,
            Some(json!({
                "client_id": w.client_id, "product_id": product_id, "validity_days": 90, "names": ["shop.example.com"]
            })),
        )
        .await;
    let id = draft["id"].as_str().unwrap();
    assert_eq!(draft["actions"]["invite"], true, "{draft}");
    assert_eq!(draft["key_types"], json!(["rsa", "p256", "p384"]));
    let sent =
        w.staff.call("orders/invite-csr", &[("id", id), ("email", "it@shop.example.com"), ("name", "Ivo")]).await;
    assert!(sent.ok(), "{sent:?}");
    assert_eq!(sent.json()["invitations"][0]["state"], "open");
    let prefix = format!("{}/csr-invite/", w.signet.base);
    let link = outbox_links(&w.operator, "it@shop.example.com", &prefix).await.remove(0);
    let token = link.trim_start_matches(&prefix);

    // Somebody without an account opens it…
    let anyone = w.signet.client();
    let shown = anyone.call("invitation/get", &[("token", token)]).await;
    assert!(shown.ok(), "{shown:?}");
    let shown = shown.json();
    assert_eq!(shown["state"], "open");
    assert_eq!(shown["names"], json!(["shop.example.com"]));
    assert_eq!(shown["organisation"]["name"], "Shop d.o.o.");
    // …another site cannot post into it…
    let csr = openssl_csr(
        w.work.path(),
        "invited",
        &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
        "/CN=shop.example.com",
        &["shop.example.com"],
    );
    let forged = w
        .http
        .post(format!("{}/_sf/invitation/submit-csr", w.signet.base))
        .header("Origin", "https://evil.example.com")
        .header("Sec-Fetch-Site", "cross-site")
        .form(&[("token", token), ("csr", csr.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    // …and the CSR goes in once.
    let report = anyone.call("invitation/submit-csr", &[("token", token), ("csr", csr.as_str())]).await;
    assert!(report.ok(), "{report:?}");
    assert_eq!(report.json()["accepted"], true, "{report:?}");
    let again = anyone.call("invitation/submit-csr", &[("token", token), ("csr", csr.as_str())]).await;
    assert!(!again.ok() && again.body.contains("already been used"), "{again:?}");
    let (_, order) = w.api(reqwest::Method::GET, &format!("/orders/{id}"), &w.key, None).await;
    assert_eq!(order["status"], "awaiting_validation");
    assert_eq!(order["invitations"][0]["state"], "used");
    assert_eq!(order["actions"]["invite"], false);
}

#[tokio::test]
async fn schemathesis_finds_no_server_error_in_the_rest_api() {
    let w = world().await;
    let out = Command::new(python_tools().join("st"))
        .current_dir(w.work.path())
        .args(["run", &format!("{}/api/v1/openapi.json", w.signet.base)])
        .args(["-H", &format!("Authorization: Bearer {}", w.key)])
        .args(["--checks", "not_a_server_error", "--max-examples", "25", "--generation-database", "none", "--no-color"])
        .output()
        .expect("schemathesis (.ci/signet.sh installs it)");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "schemathesis: {report}\n{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        w.signet.output()
    );
}

impl World {
    /// A product of `profile` for mailboxes (the operator's), and its id.
    async fn mailbox_product(&self, name: &str, profile: &str, days: &str) -> Result<String, Answer> {
        let r = self
            .operator
            .call(
                "products/save",
                &[
                    ("id", ""),
                    ("product[name]", name),
                    ("product[profile]", profile),
                    ("product[wildcard]", "false"),
                    ("product[max_names]", "2"),
                    ("product[validity_days]", days),
                    ("product[key_types][0]", "p256"),
                    ("product[key_types][1]", "rsa"),
                    ("product[auto_approve]", "false"),
                    ("product[active]", "true"),
                ],
            )
            .await;
        if !r.ok() {
            return Err(r);
        }
        let (_, products) = self.api(reqwest::Method::GET, "/products", &self.key, None).await;
        Ok(products.as_array().unwrap().iter().find(|p| p["name"] == name).unwrap()["id"].as_str().unwrap().to_string())
    }

    /// Orders a certificate for `mailbox` with a CSR made by openssl, confirms the e-mailed validation link,
    /// and writes the certificate (`{name}.pem`), the chain (`{name}-chain.pem`) and the root (`root.pem`).
    async fn issue_for_mailbox(&self, name: &str, product: &str, mailbox: &str) {
        let dir = self.work.path();
        let san = format!("subjectAltName=email:{mailbox}");
        openssl(
            dir,
            &[
                "req",
                "-new",
                "-nodes",
                "-keyout",
                &format!("{name}.key"),
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-subj",
                &format!("/emailAddress={mailbox}"),
                "-addext",
                &san,
                "-out",
                &format!("{name}.csr"),
            ],
        );
        let csr = std::fs::read_to_string(dir.join(format!("{name}.csr"))).unwrap();
        let (status, order) = self
            .api(
                reqwest::Method::POST,
                "/orders",
                &self.key,
                Some(json!({
                    "client_id": self.client_id, "product_id": product, "validity_days": 365,
                    "names": [mailbox], "csr": csr, "dcv_method": "email"
                })),
            )
            .await;
        assert_eq!(status, 201, "{order}");
        assert_eq!(order["status"], "awaiting_validation", "{order}");
        let links = outbox_links(&self.operator, mailbox, &format!("{}/dcv/", self.signet.base)).await;
        let token =
            links.first().unwrap_or_else(|| panic!("a validation link to {mailbox}")).rsplit('/').next().unwrap();
        let confirmed = self.signet.client().call("dcv/confirm", &[("token", token)]).await;
        assert!(confirmed.ok(), "{confirmed:?}");
        let (_, issued) = self
            .api(reqwest::Method::GET, &format!("/orders/{}", order["id"].as_str().unwrap()), &self.key, None)
            .await;
        assert_eq!(issued["status"], "issued", "{issued}");
        let cert = issued["certificate"]["id"].as_str().unwrap();
        std::fs::write(dir.join(format!("{name}.pem")), self.download(cert, "pem").await).unwrap();
        std::fs::write(dir.join(format!("{name}-chain.pem")), self.download(cert, "chain").await).unwrap();
        std::fs::write(dir.join("root.pem"), self.download(cert, "root").await).unwrap();
    }
}

#[tokio::test]
async fn smime_and_client_certificates_verify_for_their_purpose_and_lint_clean() {
    let w = world().await;
    let dir = w.work.path();

    // S/MIME validity is capped by the S/MIME Baseline Requirements.
    let too_long = w.mailbox_product("S/MIME forever", "smime", "826").await.unwrap_err();
    assert!(too_long.body.contains("825 days"), "{too_long:?}");

    let smime = w.mailbox_product("S/MIME", "smime", "365").await.unwrap();
    w.issue_for_mailbox("smime", &smime, "iva@shop.example.com").await;
    let text = openssl(dir, &["x509", "-in", "smime.pem", "-noout", "-text"]);
    assert!(text.contains("E-mail Protection") && !text.contains("TLS Web"), "{text}");
    assert!(text.contains("2.23.140.1.5.1.3"), "the mailbox-validated strict policy: {text}");
    // Signed by the issuer's S/MIME CA, whose chain permits e-mail protection.
    let verify = openssl(
        dir,
        &["verify", "-CAfile", "root.pem", "-untrusted", "smime-chain.pem", "-purpose", "smimesign", "smime.pem"],
    );
    assert!(verify.contains("smime.pem: OK"), "{verify}");
    let chain = openssl(dir, &["crl2pkcs7", "-nocrl", "-certfile", "smime-chain.pem"]);
    std::fs::write(dir.join("smime-chain.p7"), chain).unwrap();
    let subjects = openssl(dir, &["pkcs7", "-in", "smime-chain.p7", "-print_certs", "-noout"]);
    assert!(subjects.contains("S/MIME CA"), "{subjects}");
    // The S/MIME type from the certificate's policy OID (mailbox-validated, strict).
    let errors = pkilint("lint_cabf_smime_cert", &["-d"], &dir.join("smime.pem"));
    assert!(errors.is_empty(), "pkilint: {errors:?}");

    let client = w.mailbox_product("TLS client", "client", "365").await.unwrap();
    w.issue_for_mailbox("client", &client, "ivo@shop.example.com").await;
    let verify = openssl(
        dir,
        &["verify", "-CAfile", "root.pem", "-untrusted", "client-chain.pem", "-purpose", "sslclient", "client.pem"],
    );
    assert!(verify.contains("client.pem: OK"), "{verify}");
    let text = openssl(dir, &["x509", "-in", "client.pem", "-noout", "-text"]);
    assert!(text.contains("TLS Web Client Authentication") && !text.contains("E-mail Protection"), "{text}");
    // No CA/B Forum profile covers TLS client certificates: RFC 5280's rules.
    let errors = pkilint("lint_pkix_cert", &[], &dir.join("client.pem"));
    assert!(errors.is_empty(), "pkilint: {errors:?}");
}
