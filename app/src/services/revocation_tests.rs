//! Revocation, CRLs, OCSP and the inventory against a real in-memory SurrealDB. (openssl and pkilint check the
//! same from outside in server/tests/revocation.rs.)

use super::order_tests::{csr, dcv_link, input, scope, world, World};
use super::{ca, certificates, orders, Actor};
use crate::error::AppError;
use crate::model::*;
use crate::store::{CaId, CertificateId};
use x509_parser::prelude::*;

/// An issued certificate for `shop.example.com`, validated by e-mail the first time and reused after.
async fn issued(w: &World) -> IssuedCert {
    let view =
        orders::create(&w.s, &w.admin, input(w, "shop.example.com", csr(&["shop.example.com"]), DcvMethod::Email))
            .await
            .unwrap();
    if view.status != OrderStatus::Issued {
        let token = dcv_link(&w.s, "admin@shop.example.com").await;
        orders::confirm_email_dcv(&w.s, &token).await.unwrap();
    }
    orders::view(&w.s, &w.admin, &view.id).await.unwrap().certificate.expect("issued")
}

fn revoke_input(reason: RevocationReason) -> RevokeInput {
    RevokeInput { reason, comment: String::new() }
}

async fn crl_serials(w: &World, slug: &str) -> (u64, Vec<String>) {
    let der = ca::crl::crl(&w.s, slug).await.unwrap();
    let (_, crl) = CertificateRevocationList::from_der(&der).unwrap();
    let number = crl.crl_number().map(|n| n.to_u64_digits().first().copied().unwrap_or(0)).unwrap_or(0);
    (number, crl.iter_revoked_certificates().map(|r| hex::encode_upper(r.raw_serial())).collect())
}

#[tokio::test]
async fn customers_revoke_their_clients_certificates_with_the_reasons_they_may_give_once() {
    let w = world().await;
    let cert = issued(&w).await;
    let customer = scope(&w.issuer, "iva@shop.example.com", false, Some(&w.client));
    let stranger = scope(&w.issuer, "someone@else.test", false, Some("no-such-client"));
    let other_issuer = scope(&w.other_issuer, "bo@other.test", true, None);
    for outsider in [&stranger, &other_issuer] {
        let r = certificates::revoke(&w.s, outsider, &cert.id, revoke_input(RevocationReason::KeyCompromise)).await;
        assert!(matches!(r, Err(AppError::NotFound)), "{r:?}");
        assert_eq!(certificates::list(&w.s, outsider, &CertificateFilter::default()).await.unwrap().total, 0);
        assert!(matches!(certificates::detail(&w.s, outsider, &cert.id).await, Err(AppError::NotFound)));
    }
    let r = certificates::revoke(&w.s, &customer, &cert.id, revoke_input(RevocationReason::PrivilegeWithdrawn)).await;
    assert!(r.unwrap_err().for_field("reason").is_some(), "privilegeWithdrawn is the CA's reason");
    let long = RevokeInput { reason: RevocationReason::Superseded, comment: "x".repeat(501) };
    assert!(certificates::revoke(&w.s, &customer, &cert.id, long).await.unwrap_err().for_field("comment").is_some());

    let (_, before) = crl_serials(&w, &cert.ca).await;
    assert!(before.is_empty());
    let done = certificates::revoke(
        &w.s,
        &customer,
        &cert.id,
        RevokeInput { reason: RevocationReason::KeyCompromise, comment: "Server compromised".into() },
    )
    .await
    .unwrap();
    assert_eq!(done.state, CertState::Revoked);
    assert_eq!(done.revocation.as_ref().unwrap().revoked_by, "iva@shop.example.com");
    // Final: a second revocation (by staff too) is a conflict that says when and why.
    let again =
        certificates::revoke(&w.s, &w.admin, &cert.id, revoke_input(RevocationReason::PrivilegeWithdrawn)).await;
    match again {
        Err(AppError::Conflict(m)) => assert!(m.contains("Key compromise") && m.contains("final"), "{m}"),
        other => panic!("{other:?}"),
    }
    // The CRL lists it at once; the order, its history, the audit log and the contacts' mail say so.
    let (_, after) = crl_serials(&w, &cert.ca).await;
    assert_eq!(after, vec![cert.serial.clone()]);
    let detail = certificates::detail(&w.s, &customer, &cert.id).await.unwrap();
    assert!(!detail.can_revoke);
    assert!(!detail.reasons.contains(&RevocationReason::PrivilegeWithdrawn));
    assert!(detail.history.iter().any(|e| e.kind == "revoked" && e.detail == "Key compromise: Server compromised"));
    let order = orders::view(&w.s, &w.admin, &done.order_id).await.unwrap();
    assert_eq!(order.certificate.unwrap().revoked.map(|r| r.1), Some(RevocationReason::KeyCompromise));
    let mail = w.s.store().list_mail(None, 200).await.unwrap();
    assert!(mail.iter().any(|m| m.to == "iva@shop.example.com" && m.subject.contains("was revoked")));
    let query = crate::store::AuditQuery { limit: 100, ..Default::default() };
    let audit = w.s.store().list_audit(query).await.unwrap();
    assert!(audit.iter().any(|a| a.action == "certificate.revoke"), "{audit:?}");
}

#[tokio::test]
async fn crl_numbers_only_increase_and_ocsp_follows_revocation_from_its_cache() {
    let w = world().await;
    let first = issued(&w).await;
    let second = issued(&w).await;
    let (n0, _) = crl_serials(&w, &first.ca).await;
    certificates::revoke(&w.s, &w.admin, &first.id, revoke_input(RevocationReason::Superseded)).await.unwrap();
    let (n1, listed) = crl_serials(&w, &first.ca).await;
    assert!(n1 > n0, "{n0} then {n1}");
    assert_eq!(listed, vec![first.serial.clone()]);
    // Signing again (the daily job, another instance) takes the next number.
    let row = w.s.store().ca_by_slug(&first.ca).await.unwrap().unwrap();
    ca::crl::sign_issuing_crl(&w.s, &row).await.unwrap();
    let (n2, _) = crl_serials(&w, &first.ca).await;
    assert!(n2 > n1);

    // OCSP: asked twice about the good one, the same signed bytes come back (no signing per request);
    // revoking it changes the answer at once.
    let request = |serial: &str| ocsp_request(&w, &row, serial);
    let good = ca::ocsp::respond(&w.s, &request(&second.serial)).await;
    let cached = ca::ocsp::respond(&w.s, &request(&second.serial)).await;
    assert_eq!(good.der, cached.der);
    assert!(good.validity.is_some());
    certificates::revoke(&w.s, &w.admin, &second.id, revoke_input(RevocationReason::CessationOfOperation))
        .await
        .unwrap();
    let after = ca::ocsp::respond(&w.s, &request(&second.serial)).await;
    assert_ne!(after.der, good.der);
}

/// A DER OCSP request for `serial` under CA `row`, with SHA-1 issuer hashes as openssl sends them.
fn ocsp_request(w: &World, row: &crate::store::CaRow, serial: &str) -> Vec<u8> {
    use der::asn1::{Null, ObjectIdentifier, OctetString};
    use der::Encode;
    let _ = w;
    let ca_der = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.decode(&row.cert_der).unwrap()
    };
    let hashes = crate::pki::ocsp::IssuerHashes::of_ca(&ca_der).unwrap();
    let cert_id = x509_ocsp::CertId {
        hash_algorithm: x509_cert::spki::AlgorithmIdentifierOwned {
            oid: ObjectIdentifier::new_unwrap("1.3.14.3.2.26"),
            parameters: Some(der::Any::from(Null)),
        },
        issuer_name_hash: OctetString::new(hashes.sha1.0.clone()).unwrap(),
        issuer_key_hash: OctetString::new(hashes.sha1.1.clone()).unwrap(),
        serial_number: x509_cert::serial_number::SerialNumber::new(&hex::decode(serial).unwrap()).unwrap(),
    };
    let request = x509_ocsp::OcspRequest {
        tbs_request: x509_ocsp::TbsRequest {
            version: x509_ocsp::Version::V1,
            requestor_name: None,
            request_list: vec![x509_ocsp::Request { req_cert: cert_id, single_request_extensions: None }],
            request_extensions: None,
        },
        optional_signature: None,
    };
    request.to_der().unwrap()
}

#[tokio::test]
async fn no_request_a_stranger_can_make_unseals_the_root_key() {
    let w = world().await;
    let cert = issued(&w).await;
    let root = w.s.store().root_ca().await.unwrap().unwrap();
    let at_start = w.s.ca_runtime().root_unseal_count();
    // What anyone on the Internet can ask: CA certificates, every CRL, OCSP (also about the issuing CA,
    // which only the root could sign), and garbage.
    ca::ca_certificate(&w.s, &root.slug).await.unwrap();
    ca::ca_certificate(&w.s, &cert.ca).await.unwrap();
    ca::crl::crl(&w.s, &root.slug).await.unwrap();
    ca::crl::crl(&w.s, &cert.ca).await.unwrap();
    let issuing = w.s.store().ca_by_slug(&cert.ca).await.unwrap().unwrap();
    ca::ocsp::respond(&w.s, &ocsp_request(&w, &issuing, &cert.serial)).await;
    let issuing_der = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.decode(&issuing.cert_der).unwrap()
    };
    let about_issuing_ca = ocsp_request(&w, &root, &ca::serial_hex(&issuing_der));
    let reply = ca::ocsp::respond(&w.s, &about_issuing_ca).await;
    assert!(reply.validity.is_none(), "the root's key is offline: the responder does not answer for it");
    ca::ocsp::respond(&w.s, b"garbage").await;
    // Time passes: the stored ARL is served, never re-signed.
    w.s.clock().advance(chrono::Duration::days(3));
    ca::crl::refresh_due(&w.s).await.unwrap();
    ca::crl::crl(&w.s, &root.slug).await.unwrap();
    assert_eq!(w.s.ca_runtime().root_unseal_count(), at_start);

    // The operator's actions do use it: revoking the issuing CA lands in the root's ARL.
    let operator = Actor { user_id: None, email: "olga@signet.test".into(), ip: "127.0.0.1".into() };
    ca::revoke_issuing_ca(&w.s, &operator, issuing.id.key(), RevocationReason::KeyCompromise).await.unwrap();
    assert_eq!(w.s.ca_runtime().root_unseal_count(), at_start + 1);
    let (_, listed) = crl_serials(&w, &root.slug).await;
    assert_eq!(listed, vec![ca::serial_hex(&issuing_der)]);
    // The revoked CA signs nothing more: the issuer needs a new one.
    let r = orders::create(&w.s, &w.admin, input(&w, "shop.example.com", csr(&["shop.example.com"]), DcvMethod::Dns))
        .await
        .unwrap();
    assert_ne!(r.status, OrderStatus::Issued);
    assert_eq!(
        r.failure.as_deref(),
        Some("Not issued: This issuer has no issuing CA yet: the operator creates it on the CA page.")
    );
}

#[tokio::test]
async fn the_inventory_finds_by_name_serial_order_and_client_and_exports_what_it_filtered() {
    let w = world().await;
    let first = issued(&w).await;
    let second = issued(&w).await;
    certificates::revoke(&w.s, &w.admin, &second.id, revoke_input(RevocationReason::Superseded)).await.unwrap();
    let find = |q: &str, state: &str| CertificateFilter { q: q.into(), state: state.into(), ..Default::default() };
    let total = |p: Page<CertificateSummary>| p.total;
    assert_eq!(total(certificates::list(&w.s, &w.admin, &find("", "")).await.unwrap()), 2);
    assert_eq!(total(certificates::list(&w.s, &w.admin, &find("SHOP.example", "")).await.unwrap()), 2);
    assert_eq!(total(certificates::list(&w.s, &w.admin, &find("shop d.o.o", "revoked")).await.unwrap()), 1);
    assert_eq!(total(certificates::list(&w.s, &w.admin, &find(&first.serial.to_lowercase(), "")).await.unwrap()), 1);
    let valid = certificates::list(&w.s, &w.admin, &find("", "valid")).await.unwrap();
    assert_eq!(valid.items.iter().map(|c| c.id.clone()).collect::<Vec<_>>(), vec![first.id.clone()]);
    let number = valid.items[0].order_number.clone();
    assert_eq!(total(certificates::list(&w.s, &w.admin, &find(&number.to_lowercase(), "")).await.unwrap()), 1);
    assert_eq!(total(certificates::list(&w.s, &w.admin, &find("", "expiring")).await.unwrap()), 0);
    let bad_date = CertificateFilter { issued_from: "yesterday".into(), ..Default::default() };
    assert!(certificates::list(&w.s, &w.admin, &bad_date).await.unwrap_err().for_field("issued_from").is_some());

    let export = certificates::export(&w.s, &w.admin, find("", "revoked")).unwrap();
    let csv = super::csv_export::collect(&w.s, &export).await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[0].starts_with("common_name,names,serial,state"));
    assert!(lines[1].contains(&second.serial) && lines[1].contains("superseded"), "{csv}");
}

/// The CRL figure of the issue: 100,000 revoked entries (run with `--ignored --nocapture`, in release).
#[tokio::test]
#[ignore]
async fn crl_timing_with_100k_revoked_entries() {
    let w = world().await;
    let cert = issued(&w).await;
    let row = w.s.store().ca_by_slug(&cert.ca).await.unwrap().unwrap();
    let ca_key = row.id.key().to_string();
    let started = std::time::Instant::now();
    w.s.store().insert_revoked_for_benchmark(&CaId::new(&ca_key), 100_000, w.s.now()).await.unwrap();
    eprintln!("inserted 100,000 revoked certificates in {:?}", started.elapsed());
    let started = std::time::Instant::now();
    let der = ca::crl::sign_issuing_crl(&w.s, &row).await.unwrap();
    eprintln!("CRL with 100,000 entries: signed in {:?}, {} bytes", started.elapsed(), der.len());
}

#[tokio::test]
async fn a_certificate_handed_in_with_its_chain_is_in_the_same_inventory_and_details_view() {
    let w = world().await;
    let issued_cert = issued(&w).await;
    // A chain made elsewhere: a CA and a leaf it signed, handed in as a PKCS#7 bundle (CA first, as some
    // tools write it) and as a file (a data: URL of the DER).
    let ca_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(rcgen::DnType::CommonName, "Elsewhere CA");
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let leaf_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut leaf_params = rcgen::CertificateParams::new(vec!["intranet.shop.example.com".to_string()]).unwrap();
    leaf_params.not_before = ::time::OffsetDateTime::from_unix_timestamp(w.s.now().timestamp()).unwrap();
    leaf_params.not_after = leaf_params.not_before + ::time::Duration::days(20);
    let leaf = leaf_params.signed_by(&leaf_key, &issuer).unwrap();
    let p7b = crate::pki::pkcs7::certs_only(&[ca_cert.der().to_vec(), leaf.der().to_vec()]);
    let p7b_pem = crate::pki::csr::to_pem("PKCS7", &p7b);
    let kept = super::watched::track(&w.s, &w.admin, &p7b_pem).await.unwrap();
    assert_eq!(kept.names, vec!["intranet.shop.example.com".to_string()]);
    assert_eq!(kept.issued_by, "Elsewhere CA");
    {
        use base64::Engine;
        let url = format!(
            "data:application/pkix-cert;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(leaf.der())
        );
        super::watched::track(&w.s, &w.admin, &url).await.unwrap();
    }

    let all = certificates::list(&w.s, &w.admin, &CertificateFilter::default()).await.unwrap();
    assert_eq!(all.total, 3);
    let watched = CertificateFilter { source: "watched".into(), ..Default::default() };
    let watched = certificates::list(&w.s, &w.admin, &watched).await.unwrap();
    assert_eq!(watched.total, 2);
    assert!(watched.items.iter().all(|c| c.source == CertSource::Watched && c.state == CertState::Expiring));
    let expiring = CertificateFilter { state: "expiring".into(), ..Default::default() };
    assert_eq!(certificates::list(&w.s, &w.admin, &expiring).await.unwrap().total, 2);
    let by_name = CertificateFilter { q: "intranet".into(), sort: "common_name".into(), ..Default::default() };
    assert_eq!(certificates::list(&w.s, &w.admin, &by_name).await.unwrap().total, 2);
    // Sorted by expiry, the watched ones (20 days) come before the issued one (199 days), on every page size.
    let by_expiry = CertificateFilter { sort: "not_after".into(), ..Default::default() };
    let sorted = certificates::list(&w.s, &w.admin, &by_expiry).await.unwrap();
    assert_eq!(sorted.items.last().map(|c| c.id.clone()), Some(issued_cert.id.clone()));

    // The details page: what it says and the chain it came with; no revocation, no downloads of Signet's.
    let id = &watched.items[0].id;
    let detail = certificates::detail(&w.s, &w.admin, id).await.unwrap();
    assert_eq!(detail.summary.source, CertSource::Watched);
    assert!(!detail.can_revoke);
    assert_eq!(detail.facts.key_type, "ECDSA P-256");
    assert!(detail.facts.sha256.len() == 95 && detail.facts.sha1.len() == 59);
    let with_chain =
        certificates::list(&w.s, &w.admin, &CertificateFilter { source: "watched".into(), ..Default::default() })
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|c| c.id)
            .collect::<Vec<_>>();
    let chains: Vec<usize> = {
        let mut out = Vec::new();
        for id in &with_chain {
            out.push(certificates::detail(&w.s, &w.admin, id).await.unwrap().chain.len());
        }
        out.sort();
        out
    };
    assert_eq!(chains, vec![0, 1], "the bundle's CA is kept as its chain");
    let r = certificates::revoke(&w.s, &w.admin, id, revoke_input(RevocationReason::KeyCompromise)).await;
    assert!(matches!(r, Err(AppError::NotFound)), "Signet revokes only what it issued: {r:?}");
    // Another issuer sees none of it.
    let other = scope(&w.other_issuer, "bo@other.test", true, None);
    assert!(matches!(certificates::detail(&w.s, &other, id).await, Err(AppError::NotFound)));
    let csv =
        super::csv_export::collect(&w.s, &certificates::export(&w.s, &w.admin, CertificateFilter::default()).unwrap())
            .await
            .unwrap();
    assert_eq!(csv.lines().count(), 4, "{csv}");
    assert_eq!(csv.lines().filter(|l| l.ends_with(",watched")).count(), 2, "{csv}");
}

#[tokio::test]
async fn a_revocation_whose_crl_was_not_signed_is_listed_by_the_next_crl_job_run() {
    let w = world().await;
    let first = issued(&w).await;
    let second = issued(&w).await;
    certificates::revoke(&w.s, &w.admin, &first.id, revoke_input(RevocationReason::Superseded)).await.unwrap();
    let (n1, _) = crl_serials(&w, &first.ca).await;
    // What a revocation leaves when signing its CRL fails: the certificate revoked, the CRL number raised
    // (so that OCSP caches let go), and no CRL with that number.
    let now = w.s.now();
    w.s.store()
        .revoke_certificate(&w.admin.store_scope(), &CertificateId::new(&second.id), "keyCompromise", "", "test", now)
        .await
        .unwrap();
    let row = w.s.store().ca_by_slug(&first.ca).await.unwrap().unwrap();
    let taken = w.s.store().next_crl_number(&row.id).await.unwrap() as u64;
    let (_, listed) = crl_serials(&w, &first.ca).await;
    assert_eq!(listed, vec![first.serial.clone()], "the stored CRL does not list it yet");
    // The CRL is not due (signed moments ago), but the job sees the number no CRL carries and signs.
    ca::crl::refresh_due(&w.s).await.unwrap();
    let (n2, mut listed) = crl_serials(&w, &first.ca).await;
    listed.sort();
    let mut want = vec![first.serial.clone(), second.serial.clone()];
    want.sort();
    assert_eq!(listed, want);
    assert!(n2 > taken && taken > n1, "{n1}, {taken}, {n2}");
    // And once caught up, the next run leaves it alone.
    ca::crl::refresh_due(&w.s).await.unwrap();
    assert_eq!(crl_serials(&w, &first.ca).await.0, n2);
}

#[tokio::test]
async fn a_ca_that_cannot_sign_does_not_keep_the_crl_job_from_the_others() {
    let w = world().await;
    let issuing: Vec<_> = w.s.store().cas().await.unwrap().into_iter().filter(|c| c.kind != "root").collect();
    assert!(issuing.len() >= 2, "the issuer has a TLS and an S/MIME issuing CA");
    // Two days on, every issuing CA's CRL is due; the first CA the job meets has a key that does not unseal.
    w.s.clock().advance(chrono::Duration::days(2));
    let broken = &issuing[0];
    let broken_id = broken.id.key().to_string();
    assert!(w.s.store().replace_ca_key_sealed(&CaId::new(&broken_id), &broken.key_sealed, "v2.broken").await.unwrap());
    w.s.ca_runtime().forget_signers_for_tests();
    let numbers = |w: &World| {
        let ids: Vec<String> = issuing.iter().map(|c| c.id.key().to_string()).collect();
        let s = w.s.clone();
        async move {
            let mut n = Vec::new();
            for id in ids {
                n.push(s.store().crl(&CaId::new(&id)).await.unwrap().map(|c| c.der_number).unwrap_or(0));
            }
            n
        }
    };
    let before = numbers(&w).await;
    ca::crl::refresh_due(&w.s).await.unwrap();
    let after = numbers(&w).await;
    assert_eq!(after[0], before[0], "the broken CA signed nothing");
    for i in 1..issuing.len() {
        assert!(after[i] > before[i], "{} was renewed: {before:?} then {after:?}", issuing[i].slug);
    }
}
