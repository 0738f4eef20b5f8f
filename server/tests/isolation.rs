//! Tenant isolation: a person of issuer A gets a clean "not found / not allowed" for every server function
//! aimed at issuer B's data, and B's data stays as it was.

mod common;
use common::*;

struct World {
    _signet: Signet,
    operator: Client,
    a_admin: Client,
    a_user: Client,
    b_issuer: String,
    b_admin_id: String,
    b_mail_id: String,
}

async fn world(data: &std::path::Path) -> World {
    create_operator(data, OPERATOR, OPERATOR_PASSWORD);
    let signet = Signet::start(data).await;
    let operator = signet.client();
    assert!(operator.login(OPERATOR, OPERATOR_PASSWORD).await.ok());
    create_issuer(&operator, "Issuer A", "issuer-a", "admin@a.test").await;
    create_issuer(&operator, "Issuer B", "issuer-b", "admin@b.test").await;
    let a_admin = accept(&signet, &operator, "admin@a.test", "admin a passphrase").await;
    let b_admin = accept(&signet, &operator, "admin@b.test", "admin b passphrase").await;
    assert!(a_admin
        .call("issuer/invite", &[("email", "user@a.test"), ("name", "A user"), ("role", "user")])
        .await
        .ok());
    let a_user = accept(&signet, &operator, "user@a.test", "user a passphrase").await;
    // B's admin leaves a trace of work in B.
    let p = profile("Issuer B", "issuer-b", "Split");
    let r = b_admin
        .call("issuer/update-profile", &p.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect::<Vec<_>>())
        .await;
    assert!(r.ok(), "{r:?}");

    let issuers = operator.call("admin/issuers", &[]).await.json();
    let b_issuer = issuers.as_array().unwrap().iter().find(|i| i["slug"] == "issuer-b").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let detail = operator.call("admin/issuer", &[("issuer_id", &b_issuer)]).await.json();
    let b_admin_id = detail[1][0]["user_id"].as_str().unwrap().to_string();
    let mail = operator.call("admin/mail", &[("status", "")]).await.json();
    let b_mail_id = mail[1].as_array().unwrap().iter().find(|m| m["to"] == "admin@b.test").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    World { _signet: signet, operator, a_admin, a_user, b_issuer, b_admin_id, b_mail_id }
}

fn profile(name: &str, slug: &str, city: &str) -> Vec<(String, String)> {
    [
        ("name", name),
        ("slug", slug),
        ("address", ""),
        ("city", city),
        ("postal_code", ""),
        ("country", ""),
        ("contact_email", ""),
        ("contact_phone", ""),
        ("website", ""),
        ("verified_host", ""),
    ]
    .iter()
    .map(|(k, v)| (format!("profile[{k}]"), v.to_string()))
    .collect()
}

/// Refused as not found (another issuer's thing) or as not allowed (a role without the right).
fn refused(answer: &Answer) -> bool {
    !answer.ok() && (answer.body.contains("NotFound") || answer.body.contains("Forbidden"))
}

#[tokio::test]
async fn people_of_issuer_a_cannot_reach_issuer_b() {
    let data = tempfile::tempdir().unwrap();
    let w = world(data.path()).await;
    let b = w.b_issuer.as_str();
    let b_admin = w.b_admin_id.as_str();
    let b_mail = w.b_mail_id.as_str();

    // Every server function that names something, aimed at B. The issuer-scoped ones take the issuer from
    // the session, so B's ids are "not found" in A.
    let aimed_at_b: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("account/select-issuer", vec![("issuer_id", b)]),
        ("issuer/member-role", vec![("user_id", b_admin), ("role", "user")]),
        ("issuer/remove-member", vec![("user_id", b_admin)]),
        ("issuer/unlock-member", vec![("user_id", b_admin)]),
        ("admin/issuers", vec![]),
        (
            "admin/create-issuer",
            vec![("name", "X"), ("slug", "x-issuer"), ("admin_email", "x@x.test"), ("admin_name", "X")],
        ),
        ("admin/issuer", vec![("issuer_id", b)]),
        ("admin/invite-admin", vec![("issuer_id", b), ("email", "evil@a.test"), ("name", "Evil")]),
        ("admin/unlock", vec![("issuer_id", b), ("user_id", b_admin)]),
        ("admin/mail", vec![("status", "")]),
        ("admin/resend-mail", vec![("mail_id", b_mail)]),
    ];
    for who in [&w.a_admin, &w.a_user] {
        for (endpoint, form) in &aimed_at_b {
            let answer = who.call(endpoint, form).await;
            assert!(refused(&answer), "{endpoint} must be refused, got {answer:?}");
        }
    }

    // What A's people can call shows A only.
    let profile_a = w.a_user.call("issuer/profile", &[]).await.json();
    assert_eq!(profile_a["slug"], "issuer-a");
    let members = w.a_admin.call("issuer/members", &[]).await.json();
    assert!(members.as_array().unwrap().iter().all(|m| m["email"].as_str().unwrap().ends_with("@a.test")), "{members}");
    let dashboard = w.a_admin.call("issuer/dashboard", &[]).await.json();
    assert_eq!(dashboard["issuer"]["issuer"]["slug"], "issuer-a");
    assert!(dashboard["operator"].is_null());

    // The audit log is scoped to A whatever the filter asks for.
    let audit = w.a_admin.call("admin/audit", &[("filter[issuer]", "issuer-b")]).await.json();
    let entries = audit.as_array().unwrap();
    assert!(!entries.is_empty());
    assert!(entries.iter().all(|e| e["issuer"] == "issuer-a"), "{audit}");
    let csv = w.a_admin.get("/_app/audit.csv?issuer=issuer-b").await.text().await.unwrap();
    assert!(csv.contains("issuer-a") && !csv.contains("issuer-b"), "{csv}");

    // Issuer users are not admins: member management, the audit log and the profile are refused.
    for (endpoint, form) in [
        ("issuer/members", vec![]),
        ("issuer/invite", vec![("email", "x@a.test"), ("name", "X"), ("role", "admin")]),
        ("admin/audit", vec![("filter[actor]", "")]),
        ("issuer/logo", vec![("logo", "")]),
        ("acme/bindings", vec![]),
        (
            "acme/create-binding",
            vec![("binding[client_id]", "x"), ("binding[product_id]", "x"), ("binding[label]", "")],
        ),
        ("acme/revoke-binding", vec![("kid", "x")]),
    ] {
        assert!(refused(&w.a_user.call(endpoint, &form).await), "{endpoint}");
    }
    let p = profile("Taken over", "issuer-a", "");
    let r = w
        .a_user
        .call("issuer/update-profile", &p.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect::<Vec<_>>())
        .await;
    assert!(refused(&r), "{r:?}");
    assert_eq!(w.a_user.get("/_app/audit.csv").await.status(), 403);

    // Signed out, everything but the public pages asks to sign in.
    let stranger = w._signet.client();
    assert!(stranger.call("issuer/profile", &[]).await.body.contains("Unauthenticated"));
    assert_eq!(stranger.get("/_app/audit.csv").await.status(), 401);

    // B is untouched.
    let detail = w.operator.call("admin/issuer", &[("issuer_id", b)]).await.json();
    assert_eq!(detail[0]["city"], "Split");
    assert_eq!(detail[1].as_array().unwrap().len(), 1);
    assert_eq!(detail[1][0]["role"], "admin");
    let issuers = w.operator.call("admin/issuers", &[]).await.json();
    assert_eq!(issuers.as_array().unwrap().len(), 2, "nothing was created by A");
}

/// Every server function must be covered by the cases above or be one of the public or own-account calls.
#[test]
fn every_server_function_is_covered() {
    let covered = [
        "account/select-issuer",
        "issuer/member-role",
        "issuer/remove-member",
        "issuer/unlock-member",
        "admin/issuers",
        "admin/create-issuer",
        "admin/issuer",
        "admin/invite-admin",
        "admin/unlock",
        "admin/mail",
        "admin/resend-mail",
        "issuer/profile",
        "issuer/members",
        "issuer/dashboard",
        "admin/audit",
        "issuer/invite",
        "issuer/logo",
        "issuer/update-profile",
        // Trust seals: covered in tests/seals.rs (`certificate_list_exports_csv_and_other_issuers_reach_nothing`).
        "clients/get",
        "clients/detail",
        "clients/update",
        "clients/domains",
        "clients/add-domain",
        "clients/update-domain",
        "clients/delete-domain",
        "clients/create",
        "clients/list",
        "seals/detail",
        "seals/extend",
        "seals/invalidate",
        "seals/edit",
        "seals/create",
        "seals/list",
        "seals/copy-attempts",
        "catalog/list",
        "catalog/save-group",
        "catalog/save-type",
        // What an issuer sends its clients: covered in tests/seals.rs too (another issuer's admin gets "not
        // found" for the seal's e-mail, its history, the client's files and report setting, the PDF; issuer
        // staff are refused the operator's template editor).
        "seals/mail-preview",
        "seals/mail-send",
        "seals/mail-history",
        "clients/mail-history",
        "clients/files",
        "clients/upload-file",
        "clients/remove-file",
        "activity/client",
        "activity/set-client",
        "templates/operator",
        "templates/preview",
        "templates/save",
        "templates/version",
        // Reads the session's own issuer's templates only:
        "templates/issuer",
        // Like approval mode, they read and change only the session's own issuer:
        "activity/schedule",
        "activity/set-schedule",
        "newsletters/setup",
        "newsletters/industries",
        "newsletters/set-industries",
        "newsletters/preview",
        "newsletters/test",
        // Newsletters: covered in tests/seals.rs (`a_newsletter_carries_a_one_click_unsubscribe_link…`: another
        // issuer gets "not found" for the newsletter and the client, an empty list, and its sends reach nobody).
        "newsletters/audience",
        "newsletters/send",
        "newsletters/list",
        "newsletters/detail",
        "newsletters/client",
        // Certificates: covered in tests/orders.rs (`another_issuer_reaches_no_order`).
        "ca/overview",
        "ca/create-root",
        "ca/create-intermediate",
        "ca/import",
        "products/list",
        "products/save",
        "orders/setup",
        "orders/check-csr",
        "orders/create",
        "orders/list",
        "orders/get",
        "orders/submit-csr",
        "orders/invite-csr",
        "orders/set-dcv",
        "orders/check-dcv",
        "orders/approve",
        "orders/reject",
        "orders/cancel",
        "orders/approval-mode",
        // Like approval mode, it changes only the session's own issuer (issuer admins):
        "orders/expiry-notices",
        "customers/list",
        "customers/invite",
        "customers/remove",
        "ca/sign-root-crl",
        "ca/revoke",
        // The inventory and revocation: covered in app services::revocation_tests
        // (`customers_revoke_their_clients_certificates…`: another issuer and another client's customer neither
        // list, open nor revoke) and tests/revocation.rs (REST: another issuer's key gets 404 and an empty list).
        "certificates/list",
        "certificates/get",
        "certificates/revoke",
        // Renewal: covered in app services::renewal_tests (`another_issuer_or_client_cannot_renew…`: another
        // issuer's staff and another client's customer get "not found", no order and no changed choice), and
        // the installation check (app services::renewal_tests: outsiders get "not found").
        "certificates/renew",
        "certificates/renewal-choices",
        "certificates/check",
        "certificates/reissue",
        // Cancelling a scheduled revocation: app services::reissue_tests (`…cancelled…`: another issuer's staff
        // get "not found" and the revocation stays scheduled).
        "certificates/cancel-revocation",
        // The caller's own column choice:
        "certificates/columns",
        "certificates/save-columns",
        // Certificates watched for expiry: covered in app services::tracked_tests
        // (`…only_its_owner_sees_it`: another issuer and a customer see and remove nothing).
        "tools/tracked",
        "tools/track",
        "tools/untrack",
        // ACME bindings: issuer users are refused above; another issuer's binding is not found (its revocation
        // names the session's issuer), and a binding of one issuer cannot name another's client (app
        // services::acme_tests, `an_account_of_one_issuer_never_sees_another_issuers_orders`).
        "acme/bindings",
        "acme/create-binding",
        "acme/revoke-binding",
        // Public, or acting on the caller's own account only:
        "orders/track",
        "dcv/info",
        "dcv/confirm",
        "invitation/get",
        "invitation/submit-csr",
        "api-keys/list",
        "api-keys/create",
        "api-keys/revoke",
        "auth/viewer",
        "auth/setup-status",
        "auth/setup",
        "auth/login",
        "auth/logout",
        "auth/request-reset",
        "auth/reset",
        "auth/invitation",
        "auth/accept-invitation",
        "account/password",
        "account/name",
        "account/sessions",
        // Ends only the caller's own sessions: another person's is not found (services::tests).
        "account/end-session",
        "account/end-other-sessions",
    ];
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../app/src/api");
    for entry in std::fs::read_dir(dir).unwrap() {
        let source = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for part in source.split("endpoint = \"").skip(1) {
            let endpoint = part.split('"').next().unwrap();
            assert!(covered.contains(&endpoint), "server function {endpoint} has no isolation case");
        }
    }
}
