//! Revocation against the real binary, checked from outside as a relying party would: REST revoke and the
//! inventory with isolation between issuers, `openssl ocsp` over POST and GET, `openssl verify -crl_check`,
//! pkilint on the CRL and the OCSP responses, and OCSP fed garbage, truncated and oversized requests.

#[path = "support/ca_world.rs"]
mod ca_world;
mod common;
use ca_world::*;
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;

/// openssl, whatever its exit status: (status ok, stdout + stderr).
fn openssl_any(dir: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new("openssl").current_dir(dir).args(args).output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

/// The leaf, the issuing CA and the root as PEM files in the work folder; the CA's slug.
async fn files_for(w: &World, cert: &Value, prefix: &str) -> String {
    let dir = w.work.path();
    let id = cert["id"].as_str().unwrap();
    std::fs::write(dir.join(format!("{prefix}.pem")), w.download(id, "pem").await).unwrap();
    std::fs::write(dir.join("root.pem"), w.download(id, "root").await).unwrap();
    let slug = cert["ca"].as_str().unwrap().to_string();
    let crt = w.http.get(format!("{}/pki/{slug}.crt", w.signet.base)).send().await.unwrap().bytes().await.unwrap();
    std::fs::write(dir.join("ca.crt"), &crt).unwrap();
    openssl(dir, &["x509", "-inform", "DER", "-in", "ca.crt", "-out", "ca.pem"]);
    slug
}

/// `openssl ocsp` over POST against Signet (with a nonce, openssl's default), the response verified against the
/// root; its text.
fn ocsp_post(w: &World, leaf: &str, respout: &str) -> String {
    let url = format!("{}/ocsp", w.signet.base);
    let (ok, text) = openssl_any(
        w.work.path(),
        &[
            "ocsp",
            "-issuer",
            "ca.pem",
            "-cert",
            leaf,
            "-url",
            &url,
            "-CAfile",
            "root.pem",
            "-verify_other",
            "ca.pem",
            "-resp_text",
            "-respout",
            respout,
        ],
    );
    assert!(ok, "{text}");
    assert!(text.contains("Response verify OK"), "{text}");
    // openssl sends a nonce by default and warns when the response does not echo it.
    assert!(text.contains("Nonce") && !text.contains("WARNING: no nonce"), "the nonce is echoed: {text}");
    text
}

async fn post_ocsp(w: &World, body: Vec<u8>) -> reqwest::Response {
    w.http
        .post(format!("{}/ocsp", w.signet.base))
        .header("content-type", "application/ocsp-request")
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_revoked_certificate_is_revoked_in_ocsp_over_post_and_get_and_in_the_crl() {
    let w = world().await;
    let dir = w.work.path();
    let cert = issue(&w, "one").await;
    let slug = files_for(&w, &cert, "leaf").await;
    let serial = cert["serial"].as_str().unwrap().to_string();

    // Good before: the responder signs with the issuing CA, and pkilint accepts the response.
    let text = ocsp_post(&w, "leaf.pem", "good.der");
    assert!(text.contains("leaf.pem: good"), "{text}");
    let errors = pkilint("lint_ocsp_response", &[], &dir.join("good.der"));
    assert!(errors.is_empty(), "pkilint: {errors:?}");

    // Another issuer's key neither sees nor revokes it; then the holder revokes it, once.
    let id = cert["id"].as_str().unwrap();
    let revoke = json!({"reason": "keyCompromise", "comment": "The server was broken into."});
    let (status, _) =
        w.api(reqwest::Method::POST, &format!("/certificates/{id}/revoke"), &w.other_key, Some(revoke.clone())).await;
    assert_eq!(status, 404);
    let (_, others) = w.api(reqwest::Method::GET, "/certificates", &w.other_key, None).await;
    assert_eq!(others["total"], 0, "{others}");
    let (status, revoked) =
        w.api(reqwest::Method::POST, &format!("/certificates/{id}/revoke"), &w.key, Some(revoke.clone())).await;
    assert_eq!(status, 200, "{revoked}");
    assert_eq!(revoked["state"], "revoked");
    assert_eq!(revoked["revocation"]["reason"], "keyCompromise");
    let (status, twice) =
        w.api(reqwest::Method::POST, &format!("/certificates/{id}/revoke"), &w.key, Some(revoke)).await;
    assert_eq!(status, 409);
    assert!(twice["error"].as_str().unwrap().contains("revocation is final"), "{twice}");
    let (status, bad) = w
        .api(
            reqwest::Method::POST,
            &format!("/certificates/{id}/revoke"),
            &w.key,
            Some(json!({"reason": "certificateHold"})),
        )
        .await;
    assert_eq!(status, 422, "{bad}");

    // OCSP over POST says revoked, with the reason.
    let text = ocsp_post(&w, "leaf.pem", "revoked.der");
    assert!(text.contains("leaf.pem: revoked"), "{text}");
    assert!(text.contains("Reason: keyCompromise"), "{text}");
    let errors = pkilint("lint_ocsp_response", &[], &dir.join("revoked.der"));
    assert!(errors.is_empty(), "pkilint: {errors:?}");

    // Over GET, as the Baseline Requirements ask, with what a CDN needs to cache it.
    openssl(dir, &["ocsp", "-issuer", "ca.pem", "-cert", "leaf.pem", "-no_nonce", "-reqout", "req.der"]);
    use base64::Engine;
    let request = base64::engine::general_purpose::STANDARD.encode(std::fs::read(dir.join("req.der")).unwrap());
    let encoded: String = request.replace('+', "%2B").replace('/', "%2F").replace('=', "%3D");
    let r = w.http.get(format!("{}/ocsp/{encoded}", w.signet.base)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/ocsp-response");
    let cache = r.headers()["cache-control"].to_str().unwrap().to_string();
    assert!(cache.contains("max-age=") && cache.contains("public"), "{cache}");
    let etag = r.headers()["etag"].clone();
    assert!(r.headers().contains_key("last-modified") && r.headers().contains_key("expires"));
    std::fs::write(dir.join("get.der"), r.bytes().await.unwrap()).unwrap();
    let text = openssl(dir, &["ocsp", "-respin", "get.der", "-resp_text", "-noverify"]);
    assert!(text.contains("Cert Status: revoked"), "{text}");
    let again =
        w.http.get(format!("{}/ocsp/{encoded}", w.signet.base)).header("if-none-match", etag).send().await.unwrap();
    assert_eq!(again.status(), 304, "a cached copy is revalidated by its ETag");
    assert_eq!(again.headers()["x-content-type-options"], "nosniff");

    // The same certificate named by SHA-256 hashes gets a response that names it so (not the SHA-1 one cached
    // above): openssl finds the certificate's status in it only if the CertID matches.
    let args = ["-issuer", "ca.pem", "-sha256", "-cert", "leaf.pem"];
    openssl(dir, &[&["ocsp", "-no_nonce", "-reqout", "req256.der"][..], &args].concat());
    let request = base64::engine::general_purpose::URL_SAFE.encode(std::fs::read(dir.join("req256.der")).unwrap());
    let r = w.http.get(format!("{}/ocsp/{request}", w.signet.base)).send().await.unwrap();
    std::fs::write(dir.join("get256.der"), r.bytes().await.unwrap()).unwrap();
    let (_, text) = openssl_any(dir, &[&["ocsp", "-respin", "get256.der", "-noverify"][..], &args].concat());
    assert!(text.contains("leaf.pem: revoked"), "{text}");

    // The CRL lists the serial with the reason; openssl refuses the certificate with it; pkilint accepts it.
    let crl = w.http.get(format!("{}/pki/{slug}.crl", w.signet.base)).send().await.unwrap();
    assert_eq!(crl.headers()["content-type"], "application/pkix-crl");
    std::fs::write(dir.join("ca.crl"), crl.bytes().await.unwrap()).unwrap();
    let text = openssl(dir, &["crl", "-inform", "DER", "-in", "ca.crl", "-CAfile", "ca.pem", "-noout", "-text"]);
    assert!(text.contains(&format!("Serial Number: {serial}")), "{text}");
    assert!(text.contains("Key Compromise"), "{text}");
    assert!(text.contains("X509v3 CRL Number"), "{text}");
    let errors = pkilint("lint_crl", &["-t", "CRL", "-p", "BR", "--document-format", "DER"], &dir.join("ca.crl"));
    assert!(errors.is_empty(), "pkilint: {errors:?}");
    openssl(dir, &["crl", "-inform", "DER", "-in", "ca.crl", "-out", "ca.crl.pem"]);
    let (ok, text) = openssl_any(
        dir,
        &["verify", "-crl_check", "-CAfile", "root.pem", "-untrusted", "ca.pem", "-CRLfile", "ca.crl.pem", "leaf.pem"],
    );
    assert!(!ok && text.contains("certificate revoked"), "{text}");

    // A second certificate stays good, and the inventory tells the two apart.
    let other = issue(&w, "two").await;
    files_for(&w, &other, "two").await;
    let text = ocsp_post(&w, "two.pem", "two.der");
    assert!(text.contains("two.pem: good"), "{text}");
    let (_, list) = w.api(reqwest::Method::GET, "/certificates?state=revoked", &w.key, None).await;
    assert_eq!(list["total"], 1, "{list}");
    assert_eq!(list["items"][0]["serial"], serial);
    let colons: Vec<String> = serial.as_bytes().chunks(2).map(|c| String::from_utf8_lossy(c).to_lowercase()).collect();
    let (_, found) = w.api(reqwest::Method::GET, &format!("/certificates?q={}", colons.join(":")), &w.key, None).await;
    assert_eq!(found["total"], 1, "a serial typed with colons and in lower case finds it: {found}");
    let (status, wrong) = w.api(reqwest::Method::GET, "/certificates?state=sleeping", &w.key, None).await;
    assert_eq!(status, 422, "{wrong}");

    // The root's ARL is there from the start (signed when the operator created the root), and lint-clean.
    let arl = w.http.get(format!("{}/pki/root.crl", w.signet.base)).send().await.unwrap();
    assert_eq!(arl.status(), 200);
    std::fs::write(dir.join("root.crl"), arl.bytes().await.unwrap()).unwrap();
    let errors = pkilint("lint_crl", &["-t", "ARL", "-p", "BR", "--document-format", "DER"], &dir.join("root.crl"));
    assert!(errors.is_empty(), "pkilint: {errors:?}");
}

#[tokio::test]
async fn ocsp_answers_garbage_unknown_serials_and_foreign_cas_without_a_server_error() {
    let w = world().await;
    let dir = w.work.path();
    let cert = issue(&w, "leaf").await;
    files_for(&w, &cert, "leaf").await;
    let url = format!("{}/ocsp", w.signet.base);

    // A serial Signet never issued is unknown, never good.
    let (ok, text) = openssl_any(
        dir,
        &[
            "ocsp",
            "-issuer",
            "ca.pem",
            "-serial",
            "0x0123456789ABCDEF0123456789ABCDEF",
            "-url",
            &url,
            "-CAfile",
            "root.pem",
            "-verify_other",
            "ca.pem",
            "-resp_text",
        ],
    );
    assert!(ok && text.contains(": unknown"), "{text}");

    // A CA Signet does not run: unauthorized.
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "x.key",
            "-subj",
            "/CN=Someone Else CA",
            "-days",
            "30",
            "-out",
            "x.pem",
        ],
    );
    let (_, text) = openssl_any(dir, &["ocsp", "-issuer", "x.pem", "-serial", "0x01", "-url", &url, "-noverify"]);
    assert!(text.to_lowercase().contains("unauthorized"), "{text}");

    // Garbage, a truncated request, an empty one and an oversized one: malformedRequest, never a 5xx.
    openssl(dir, &["ocsp", "-issuer", "ca.pem", "-cert", "leaf.pem", "-reqout", "req.der"]);
    let request = std::fs::read(dir.join("req.der")).unwrap();
    let bodies: Vec<Vec<u8>> = vec![
        b"not an OCSP request".to_vec(),
        request[..request.len() / 2].to_vec(),
        Vec::new(),
        [request.clone(), vec![0u8; 9_000]].concat(),
        vec![0x30, 0x84, 0xff, 0xff, 0xff, 0xff],
    ];
    for (n, body) in bodies.into_iter().enumerate() {
        let r = post_ocsp(&w, body).await;
        assert_eq!(r.status(), 200, "body {n}");
        let file = format!("bad{n}.der");
        std::fs::write(dir.join(&file), r.bytes().await.unwrap()).unwrap();
        // openssl exits with an error for an error response; what it prints is the answer.
        let (_, text) = openssl_any(dir, &["ocsp", "-respin", &file, "-resp_text", "-noverify"]);
        assert!(text.contains("malformedrequest"), "body {n}: {text}");
    }
    let r = w.http.get(format!("{}/ocsp/%%%not-base64", w.signet.base)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let r = post_ocsp(&w, vec![0u8; 100 * 1024]).await;
    assert!(r.status().is_client_error(), "a 100 KB body is refused unread: {}", r.status());
    // Signet still answers properly afterwards.
    let text = ocsp_post(&w, "leaf.pem", "after.der");
    assert!(text.contains("leaf.pem: good"), "{text}");
}
