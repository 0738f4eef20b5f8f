//! Trust-seal services against a real (in-memory) SurrealDB with a clock the tests move.

use super::seal_pages::{self, CopyReport, IssuerBy};
use super::{accounts, catalog, clients, csv_export, issuers, seals, Actor, AppState};
use crate::error::AppError;
use crate::model::{CertTypeInput, ClientInput, SealFilter, SealInput, SealState};
use crate::store::IssuerId;
use chrono::Duration;

struct World {
    s: AppState,
    operator: Actor,
    staff: Actor,
    issuer: IssuerId,
    other_issuer: IssuerId,
    type_id: String,
}

async fn world() -> World {
    let s = super::test_state().await;
    let olga = accounts::create_operator(&s, "olga@signet.test", "Olga", "operator passphrase").await.unwrap();
    let operator = Actor { user_id: Some(olga.id.clone()), email: olga.email.clone(), ip: "127.0.0.1".into() };
    let issuer =
        issuers::create(&s, &operator, "Chamber of Commerce Split", "smib", "ana@smib.test", "Ana").await.unwrap();
    let other = issuers::create(&s, &operator, "Other", "other", "bo@other.test", "Bo").await.unwrap();
    catalog::save_group(&s, &operator, "", "Web shops", "Online retail").await.unwrap();
    let group = catalog::groups(&s).await.unwrap()[0].id.clone();
    catalog::save_type(
        &s,
        &operator,
        "",
        CertTypeInput {
            name: "Trusted Shop".into(),
            group_id: group,
            levels: "Silver\nGold".into(),
            seal_title: "Verified business".into(),
            seal_color: "#1F6F43".into(),
            seal_text_color: "#ffffff".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let type_id = catalog::types(&s).await.unwrap()[0].id.clone();
    let staff = Actor { user_id: None, email: "ana@smib.test".into(), ip: "127.0.0.1".into() };
    World { s, operator, staff, issuer: IssuerId::new(issuer.id), other_issuer: IssuerId::new(other.id), type_id }
}

fn client_input(name: &str, path: &str) -> ClientInput {
    ClientInput { name: name.into(), path: path.into(), email: "info@shop.test".into(), ..Default::default() }
}

fn seal_input(w: &World, domains: Vec<String>) -> SealInput {
    SealInput {
        type_id: w.type_id.clone(),
        level: "Gold".into(),
        valid_from: "2026-11-22".into(),
        valid_to: "2027-11-22".into(),
        domains,
    }
}

#[tokio::test]
async fn catalogue_rules() {
    let w = world().await;
    let t = &catalog::types(&w.s).await.unwrap()[0];
    assert_eq!(t.levels, vec!["Silver", "Gold"]);
    assert_eq!(t.seal_color, "#1f6f43", "colours are stored in lower case");
    assert_eq!(t.group_name.as_deref(), Some("Web shops"));
    let bad = CertTypeInput {
        name: "Trusted Shop".into(),
        seal_title: "x".into(),
        seal_color: "red".into(),
        seal_text_color: "#fff".into(),
        ..Default::default()
    };
    let e = catalog::save_type(&w.s, &w.operator, "", bad).await.unwrap_err();
    assert!(e.for_field("seal_color").is_some() && e.for_field("seal_text_color").is_some());
    let dup = CertTypeInput {
        name: "Trusted Shop".into(),
        seal_title: "x".into(),
        seal_color: "#000000".into(),
        seal_text_color: "#ffffff".into(),
        ..Default::default()
    };
    assert!(catalog::save_type(&w.s, &w.operator, "", dup).await.unwrap_err().for_field("name").is_some());
}

#[tokio::test]
async fn clients_and_domains_follow_the_guide() {
    let w = world().await;
    let (s, i) = (&w.s, &w.issuer);
    let c = clients::create(s, &w.staff, i, client_input("Client Ltd.", "client")).await.unwrap();
    // Paths: ASCII only, unique per issuer (regardless of case), free in another issuer.
    let e = clients::create(s, &w.staff, i, client_input("Other", "Client")).await.unwrap_err();
    assert!(e.for_field("path").is_some());
    assert!(clients::create(s, &w.staff, i, client_input("X", "klijent č"))
        .await
        .unwrap_err()
        .for_field("path")
        .is_some());
    clients::create(s, &w.staff, &w.other_issuer, client_input("Same path elsewhere", "client")).await.unwrap();

    // Domains: host names only; IDN kept as punycode and shown in Unicode; duplicates refused clearly.
    let d = clients::add_domain(s, &w.staff, i, &c.id, "Shop.Example.", "Our shop").await.unwrap();
    assert_eq!(d.host, "shop.example");
    let idn = clients::add_domain(s, &w.staff, i, &c.id, "žutić.hr", "").await.unwrap();
    assert_eq!(idn.host, "xn--uti-spa50d.hr");
    assert_eq!(idn.display, "žutić.hr");
    let e = clients::add_domain(s, &w.staff, i, &c.id, "https://shop.example/x", "").await.unwrap_err();
    assert!(e.for_field("host").unwrap().contains("without http://"));
    let e = clients::add_domain(s, &w.staff, i, &c.id, "shop.example", "").await.unwrap_err();
    assert!(e.for_field("host").unwrap().contains("already registered"), "{e:?}");

    // Another issuer cannot touch them.
    assert!(matches!(clients::get(s, &w.other_issuer, &c.id).await, Err(AppError::NotFound)));
    assert!(matches!(clients::delete_domain(s, &w.staff, &w.other_issuer, &d.id).await, Err(AppError::NotFound)));

    let page = clients::list(s, i, "CLIENT", 1).await.unwrap();
    assert_eq!((page.total, page.items[0].domains), (1, 2));
    assert_eq!(clients::list(s, i, "nothing like it", 1).await.unwrap().total, 0);
    let detail = clients::detail(s, i, &c.id).await.unwrap();
    assert_eq!(detail.verified_url, "https://signet.test/v/smib/client");
    assert!(detail.activity.iter().any(|a| a.action == "domain.add"));
}

#[tokio::test]
async fn seal_lifecycle_extend_renew_invalidate_with_history() {
    let w = world().await;
    let (s, i) = (&w.s, &w.issuer);
    let c = clients::create(s, &w.staff, i, client_input("Client Ltd.", "client")).await.unwrap();
    let d = clients::add_domain(s, &w.staff, i, &c.id, "shop.example", "").await.unwrap();
    let other = clients::create(s, &w.staff, i, client_input("Other", "other")).await.unwrap();
    let foreign = clients::add_domain(s, &w.staff, i, &other.id, "other.example", "").await.unwrap();

    // Domains must be the client's own; the level must be one of the type's.
    let e = seals::create(s, &w.staff, i, &c.id, seal_input(&w, vec![foreign.id.clone()])).await.unwrap_err();
    assert!(e.for_field("domains").is_some());
    let e = seals::create(s, &w.staff, i, &c.id, SealInput { level: "Platinum".into(), ..seal_input(&w, vec![]) })
        .await
        .unwrap_err();
    assert!(e.for_field("level").is_some());

    let seal = seals::create(s, &w.staff, i, &c.id, seal_input(&w, vec![d.id.clone()])).await.unwrap();
    assert_eq!(seal.state, SealState::Valid);
    assert_eq!(seal.id.len(), 20);

    s.clock().advance(Duration::minutes(1));
    let extended = seals::extend(s, &w.staff, i, &seal.id).await.unwrap();
    assert_eq!(extended.valid_to.to_string(), "2028-11-22");

    s.clock().advance(Duration::minutes(1));
    let invalidated = seals::invalidate(s, &w.staff, i, &seal.id).await.unwrap();
    assert_eq!((invalidated.valid_to.to_string(), invalidated.state), ("2026-11-21".into(), SealState::Invalidated));
    assert!(matches!(seals::invalidate(s, &w.staff, i, &seal.id).await, Err(AppError::Conflict(_))));

    // An irregular renewal: a new valid-from, and it is current again.
    s.clock().advance(Duration::minutes(1));
    let renewed = seals::edit(
        s,
        &w.staff,
        i,
        &seal.id,
        SealInput {
            valid_from: "2026-11-23".into(),
            valid_to: "2027-11-23".into(),
            ..seal_input(&w, vec![d.id.clone()])
        },
    )
    .await
    .unwrap();
    assert_eq!(renewed.state, SealState::Upcoming);
    let history = seals::detail(s, i, &seal.id).await.unwrap().history;
    let actions: Vec<&str> = history.iter().map(|h| h.action.as_str()).collect();
    assert_eq!(actions, vec!["renewed", "invalidated", "extended", "created"]);

    // Time passes: expiring within 30 days of valid-to, then expired.
    s.clock().advance(Duration::days(340));
    assert_eq!(seals::get(s, i, &seal.id).await.unwrap().state, SealState::Expiring);
    s.clock().advance(Duration::days(30));
    assert_eq!(seals::get(s, i, &seal.id).await.unwrap().state, SealState::Expired);

    // Invalidating an expired certificate keeps its end and marks it; one that has not started is refused.
    let ended = seals::invalidate(s, &w.staff, i, &seal.id).await.unwrap();
    assert_eq!((ended.valid_to.to_string(), ended.state), ("2027-11-23".into(), SealState::Invalidated));
    let later = SealInput { valid_from: "2030-01-01".into(), valid_to: "2031-01-01".into(), ..seal_input(&w, vec![]) };
    let upcoming = seals::create(s, &w.staff, i, &c.id, later).await.unwrap();
    assert!(matches!(seals::invalidate(s, &w.staff, i, &upcoming.id).await, Err(AppError::Conflict(_))));
    let far = SealInput { valid_to: "99999-01-01".into(), ..seal_input(&w, vec![]) };
    assert!(seals::create(s, &w.staff, i, &c.id, far).await.unwrap_err().for_field("valid_to").is_some());

    // Another issuer sees nothing.
    assert!(matches!(seals::get(s, &w.other_issuer, &seal.id).await, Err(AppError::NotFound)));
    assert!(matches!(seals::extend(s, &w.staff, &w.other_issuer, &seal.id).await, Err(AppError::NotFound)));
}

#[tokio::test]
async fn list_filters_dashboard_and_csv() {
    let w = world().await;
    let (s, i) = (&w.s, &w.issuer);
    for (n, (name, from, to)) in [
        ("Alpha", "2026-01-10", "2027-06-01"),
        ("Beta", "2026-02-01", "2026-12-10"),
        ("=Gamma", "2025-11-01", "2026-11-01"),
    ]
    .iter()
    .enumerate()
    {
        let c = clients::create(s, &w.staff, i, client_input(name, &format!("c{n}"))).await.unwrap();
        let input = SealInput { valid_from: from.to_string(), valid_to: to.to_string(), ..seal_input(&w, vec![]) };
        seals::create(s, &w.staff, i, &c.id, input).await.unwrap();
    }
    let list = |state: &str| SealFilter { state: state.into(), ..Default::default() };
    assert_eq!(seals::list(s, i, &list("")).await.unwrap().total, 3);
    assert_eq!(seals::list(s, i, &list("valid")).await.unwrap().items[0].client_name, "Alpha");
    assert_eq!(seals::list(s, i, &list("expiring")).await.unwrap().items[0].client_name, "Beta");
    assert_eq!(seals::list(s, i, &list("expired")).await.unwrap().items[0].client_name, "=Gamma");
    let by_name = SealFilter { client: "ALP".into(), ..Default::default() };
    assert_eq!(seals::list(s, i, &by_name).await.unwrap().total, 1);
    let window =
        SealFilter { expires_from: "2026-12-01".into(), expires_to: "2026-12-31".into(), ..Default::default() };
    assert_eq!(seals::list(s, i, &window).await.unwrap().items[0].client_name, "Beta");
    let bad = SealFilter { expires_from: "yesterday".into(), ..Default::default() };
    assert!(seals::list(s, i, &bad).await.unwrap_err().for_field("expires_from").is_some());
    assert_eq!(seals::list(s, &w.other_issuer, &list("")).await.unwrap().total, 0);

    let o = seals::overview(s, i).await.unwrap();
    assert_eq!(o.issued_per_month.len(), 12);
    assert_eq!(o.issued_per_month.last().unwrap(), &("2026-11".to_string(), 3));
    assert_eq!(o.expiring_soon.iter().map(|e| e.client_name.as_str()).collect::<Vec<_>>(), vec!["Beta"]);
    assert_eq!(o.recently_expired.iter().map(|e| e.client_name.as_str()).collect::<Vec<_>>(), vec!["=Gamma"]);

    let csv = csv_export::collect(s, &seals::export(s, i, &list("expired")).unwrap()).await.unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next().unwrap(), "client,type,level,valid from,valid to,state,domains,seal script,created");
    assert!(lines.next().unwrap().starts_with("'=Gamma,Trusted Shop,Gold,2025-11-01,2026-11-01,Expired,"));
}

#[tokio::test]
async fn seal_links_copy_attempts_and_verified_pages() {
    let w = world().await;
    let (s, i) = (&w.s, &w.issuer);
    let c = clients::create(s, &w.staff, i, client_input("<script>alert(1)</script> \"Shop\"", "shop")).await.unwrap();
    let d = clients::add_domain(s, &w.staff, i, &c.id, "shop.example", "Our <b>shop</b>").await.unwrap();
    let seal = seals::create(s, &w.staff, i, &c.id, seal_input(&w, vec![d.id.clone()])).await.unwrap();

    let public = seal_pages::public_seal(s, &seal.id).await.unwrap().unwrap();
    assert_eq!(seal_pages::frame_ancestors(&public), "https://shop.example:* http://shop.example:*");
    let script = String::from_utf8(seal_pages::seal_script(s, Some(&public)).to_vec()).unwrap();
    assert!(script.contains(r#"hosts = ["shop.example"]"#), "{script}");
    assert!(seal_pages::public_seal(s, "no-such-seal").await.unwrap().is_none());

    // A secure coded link works for 10 minutes, for its seal and origin only.
    let token = seal_pages::mint_link(s, &seal.id, "https://shop.example");
    let v = seal_pages::verify_link(s, &token).await.unwrap();
    assert_eq!(v.back_to, "https://shop.example/");
    assert_eq!(v.verified_url, "https://signet.test/v/smib/shop");
    let (payload, tag) = token.split_once('.').unwrap();
    let forged_payload = format!("{}.{tag}", payload.replace('A', "B"));
    assert!(seal_pages::verify_link(s, &forged_payload).await.is_err());
    assert!(seal_pages::verify_link(s, "garbage").await.is_err());
    let elsewhere = seal_pages::mint_link(s, &seal.id, "https://copy.example");
    assert!(seal_pages::verify_link(s, &elsewhere).await.is_err(), "a link for a host that is not a domain");
    s.clock().advance(Duration::minutes(11));
    assert!(seal_pages::verify_link(s, &token).await.is_err(), "expired after 10 minutes");

    // Copy attempts: recorded once per host and day, never for the seal's own domains.
    let report = |url: &str| CopyReport {
        seal_id: seal.id.clone(),
        page_url: url.into(),
        user_agent: "Test browser".into(),
        at: s.now(),
    };
    assert!(seal_pages::record_copy(s, report("https://copy.example/about")).await.unwrap());
    assert!(!seal_pages::record_copy(s, report("https://copy.example/other")).await.unwrap());
    assert!(!seal_pages::record_copy(s, report("https://shop.example/")).await.unwrap());
    s.clock().advance(Duration::days(1));
    assert!(seal_pages::record_copy(s, report("https://copy.example/about")).await.unwrap());
    let attempts = seals::copy_attempts(s, i).await.unwrap();
    assert_eq!(attempts.len(), 2);
    assert_eq!(
        (attempts[0].host.as_str(), attempts[0].page_url.as_str()),
        ("copy.example", "https://copy.example/about")
    );
    assert!(seals::copy_attempts(s, &w.other_issuer).await.unwrap().is_empty());

    // The verified page: by slug, or by the issuer's own host; unknown paths are not found.
    let page = seal_pages::verified_page(s, IssuerBy::Slug("smib"), "SHOP").await.unwrap();
    assert_eq!(page.domains[0].description, "Our <b>shop</b>");
    let html = crate::seal_html::verified_page(&page);
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !html.contains("<script>alert"));
    assert!(html.contains("Our &lt;b&gt;shop&lt;/b&gt;"));
    assert!(matches!(seal_pages::verified_page(s, IssuerBy::Slug("smib"), "nope").await, Err(AppError::NotFound)));
    assert!(matches!(seal_pages::verified_page(s, IssuerBy::Slug("other"), "shop").await, Err(AppError::NotFound)));
    assert!(matches!(seal_pages::verified_page(s, IssuerBy::Slug("smib"), "../x").await, Err(AppError::NotFound)));

    // Invalidated: the script shows nothing and links stop working.
    seals::invalidate(s, &w.staff, i, &seal.id).await.unwrap();
    let public = seal_pages::public_seal(s, &seal.id).await.unwrap().unwrap();
    assert_eq!(&seal_pages::seal_script(s, Some(&public))[..], seal_pages::NO_SEAL_SCRIPT.as_bytes());
    let token = seal_pages::mint_link(s, &seal.id, "https://shop.example");
    assert!(seal_pages::verify_link(s, &token).await.is_err());
}

#[tokio::test]
async fn parallel_edits_of_one_client_and_one_seal_all_land_without_an_error() {
    let w = world().await;
    let (s, i) = (&w.s, &w.issuer);
    let c = clients::create(s, &w.staff, i, client_input("Shop", "shop")).await.unwrap();
    let seal = seals::create(s, &w.staff, i, &c.id, seal_input(&w, vec![])).await.unwrap();
    const WRITERS: usize = 12;

    let names: Vec<String> = (0..WRITERS).map(|n| format!("Shop {n}")).collect();
    let edits = names.iter().map(|name| clients::update(s, &w.staff, i, &c.id, client_input(name, "shop")));
    for result in futures::future::join_all(edits).await {
        result.expect("every parallel client edit is saved");
    }
    let saved = clients::get(s, i, &c.id).await.unwrap();
    assert!(names.contains(&saved.name), "{}", saved.name);

    let ends: Vec<String> = (0..WRITERS).map(|n| format!("2027-12-{:02}", n + 1)).collect();
    let edits = ends.iter().map(|to| {
        let input = SealInput { valid_to: to.clone(), ..seal_input(&w, vec![]) };
        seals::edit(s, &w.staff, i, &seal.id, input)
    });
    for result in futures::future::join_all(edits).await {
        result.expect("every parallel seal edit is saved");
    }
    let detail = seals::detail(s, i, &seal.id).await.unwrap();
    assert!(ends.contains(&detail.seal.valid_to.to_string()), "{}", detail.seal.valid_to);
    // Each edit kept its history entry (plus the creation).
    assert_eq!(detail.history.len(), WRITERS + 1);
}

#[tokio::test]
async fn the_dashboard_counts_every_expiring_seal_and_the_export_crosses_chunk_borders() {
    let w = world().await;
    let (s, i) = (&w.s, &w.issuer);
    const SEALS: usize = 53;
    for n in 0..SEALS {
        let c =
            clients::create(s, &w.staff, i, client_input(&format!("Shop {n:02}"), &format!("shop{n}"))).await.unwrap();
        // Ends within the next 30 days: "expiring".
        let input =
            SealInput { valid_from: "2026-01-01".into(), valid_to: "2026-12-10".into(), ..seal_input(&w, vec![]) };
        seals::create(s, &w.staff, i, &c.id, input).await.unwrap();
    }
    let o = seals::overview(s, i).await.unwrap();
    assert_eq!(o.expiring_count, SEALS, "all of them, not the first page");
    assert_eq!(o.expiring_soon.len(), seals::SEALS_PER_PAGE);
    assert_eq!(o.valid_seals, SEALS);

    let export = seals::export(s, i, &SealFilter::default()).unwrap().in_chunks_of(10);
    let csv = csv_export::collect(s, &export).await.unwrap();
    let clients: std::collections::HashSet<&str> = csv.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(csv.lines().count(), 1 + SEALS);
    assert_eq!(clients.len(), SEALS, "each seal once");
}
