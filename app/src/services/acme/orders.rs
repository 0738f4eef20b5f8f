//! ACME orders (RFC 8555 7.4, 7.5): an ACME order is a Signet order of the binding's client, placed without a
//! CSR; each validation target is an authorization whose challenges the validation authority checks, finalize
//! hands the CSR to the order's CSR step, and the one issuance decision does the rest (approval mode included).

use super::jws::key_authorization;
use super::problem::{AcmeResult, Problem, ProblemType};
use super::{scope_of, url, AppState, Reply, ReplyBody, Resource, Verified};
use crate::error::AppError;
use crate::model::{authorization_domain, max_server_validity_days, wildcard_at, DcvChoice, DcvMethod, OrderInput};
use crate::model::{DcvStatus, OrderStatus, Product};
use crate::services::dcv::{self, AcmeChallenge};
use crate::services::orders::{self as portal, CsrOutcome, CsrSubmitter};
use crate::store::{AcmeAccount, AcmeAccountId, AcmeOrder, DcvId, DcvRow, OrderId, OrderRow, OrderScope};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::Duration;
use serde::Deserialize;
use serde_json::{json, Map, Value};

/// How long an ACME order stays open (its `expires`).
const ORDER_DAYS: i64 = 7;

/// A product's name as a profile name: lower case, words joined by hyphens ("TLS DV 90" → "tls-dv-90").
pub(super) fn profile_name(product: &Product) -> String {
    let words: Vec<String> = product
        .name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    words.join("-")
}

fn acme_products(products: Vec<Product>) -> impl Iterator<Item = Product> {
    products.into_iter().filter(|p| p.active && p.profile.is_server())
}

/// `meta.profiles`: the TLS server products on offer, each with what it issues.
pub(super) async fn profiles(state: &AppState) -> AcmeResult<Map<String, Value>> {
    let products = portal::products(state).await?;
    Ok(acme_products(products)
        .map(|p| {
            let days: Vec<String> = p.validity_days.iter().map(u32::to_string).collect();
            let wildcard = if p.wildcard { ", wildcards allowed" } else { "" };
            let text = format!("{} ({} days, up to {} names{wildcard})", p.name, days.join("/"), p.max_names);
            (profile_name(&p), Value::String(text))
        })
        .collect())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewOrder {
    identifiers: Vec<Identifier>,
    #[serde(default)]
    not_before: Option<String>,
    #[serde(default)]
    not_after: Option<String>,
    #[serde(default)]
    profile: Option<String>,
    /// The certificate this order renews (RFC 9773).
    #[serde(default)]
    replaces: Option<String>,
}

#[derive(Deserialize)]
struct Identifier {
    #[serde(rename = "type")]
    kind: String,
    value: String,
}

fn rejected(detail: impl Into<String>) -> Problem {
    Problem::new(ProblemType::RejectedIdentifier, detail)
}

/// newOrder: checks the names against the binding (its client's domains, its product) and places the order.
pub(super) async fn new_order(state: &AppState, request: &Verified) -> AcmeResult<Reply> {
    let account = request.account()?;
    let input: NewOrder = request.jws.json()?;
    if input.not_before.is_some() || input.not_after.is_some() {
        return Err(Problem::malformed(
            "Signet sets a certificate's validity from the product; leave notBefore and notAfter out.",
        ));
    }
    let limits = &state.settings().acme;
    let hour_ago = state.now() - Duration::hours(1);
    let open_since = state.now() - Duration::days(ORDER_DAYS);
    let facts = state.store().acme_new_order_facts(account, hour_ago, open_since).await?;
    let per_hour = limits.orders_per_hour;
    if facts.orders_since >= i64::from(per_hour) {
        return Err(Problem::rate_limited(
            format!("This account placed {per_hour} orders in the last hour, its limit; wait a while."),
            600,
        ));
    }
    let pending = limits.pending_authorizations;
    if facts.pending_authorizations >= i64::from(pending) {
        return Err(Problem::rate_limited(
            format!(
                "The accounts of this binding hold {pending} authorizations waiting for a challenge, their limit; \
                 answer or let those orders lapse first."
            ),
            300,
        ));
    }
    let allowed: Vec<String> = facts.products.iter().map(|id| id.key().to_string()).collect();
    let offered = acme_products(facts.product_rows.into_iter().map(portal::product_of).collect()).collect();
    let product = binding_product(&allowed, offered, input.profile.as_deref())?;
    let names = identifiers(&input.identifiers)?;
    check_owned(&facts.hosts, &names)?;
    let replaced = match &input.replaces {
        Some(cert_id) => Some(super::renewal::replaced(state, account, cert_id, &names).await?),
        None => None,
    };
    let validity = product
        .validity_days
        .iter()
        .copied()
        .filter(|d| *d <= max_server_validity_days(state.now().date_naive()))
        .max();
    let validity = validity.ok_or_else(|| {
        rejected(format!("Product {} has no validity period that TLS certificates may have today.", product.name))
    })?;
    let dcv = dcv_choices(&names);
    let order_input = OrderInput {
        client_id: account.client.key().to_string(),
        product_id: product.id.clone(),
        validity_days: validity,
        names: names.join("\n"),
        corporate: Default::default(),
        technical: Default::default(),
        csr: String::new(),
        dcv,
        default_dcv: DcvMethod::Dns,
        notify: String::new(),
    };
    let scope = scope_of(account, &request.ip);
    let placement = portal::Placement { acme_account: Some(account.id.key()), ..Default::default() };
    let placed = portal::place(state, &scope, order_input, placement).await.map_err(|e| match e {
        AppError::Invalid(fields) => rejected(fields.into_iter().map(|f| f.message).collect::<Vec<_>>().join(" ")),
        other => Problem::from(other),
    })?;
    if let Some(old) = &replaced {
        let der = base64::engine::general_purpose::STANDARD.decode(&old.der).unwrap_or_default();
        let serial = crate::services::ca::serial_hex(&der);
        state
            .store()
            .link_renewal(&OrderId::new(placed.id()), &old.id, &old.order, &serial, "ACME", state.now())
            .await?;
    }
    let order = load(state, account, placed.id()).await?;
    order_reply(state, &order, 201)
}

/// Of the binding's products (`allowed`, the first being the default) those on offer, the one `profile` names or
/// else the first.
fn binding_product(allowed: &[String], products: Vec<Product>, profile: Option<&str>) -> AcmeResult<Product> {
    let chosen = match profile {
        None => allowed.iter().find_map(|id| products.iter().find(|p| p.id == *id)),
        Some(name) => products.iter().find(|p| profile_name(p) == name),
    };
    match chosen {
        Some(p) => Ok(p.clone()),
        None if products.is_empty() => {
            Err(rejected("None of this binding's products is offered any more; ask your issuer for a new binding."))
        }
        None => Err(Problem::new(
            ProblemType::InvalidProfile,
            format!(
                "Profile {} is not one this account may use; choose one of: {}.",
                profile.unwrap_or_default(),
                products.iter().map(profile_name).collect::<Vec<_>>().join(", ")
            ),
        )),
    }
}

fn identifiers(ids: &[Identifier]) -> AcmeResult<Vec<String>> {
    if ids.is_empty() {
        return Err(Problem::malformed("An order needs at least one identifier."));
    }
    let mut names: Vec<String> = Vec::new();
    for id in ids {
        if id.kind != "dns" {
            return Err(Problem::new(
                ProblemType::UnsupportedIdentifier,
                format!("Identifiers of type {} are not issued; only \"dns\".", id.kind),
            ));
        }
        let name = id.value.trim().trim_end_matches('.').to_lowercase();
        if !names.contains(&name) {
            names.push(name);
        }
    }
    Ok(names)
}

/// Each name must be one of the client's `domains` (as registered) or below one: an ACME account orders only
/// for what its client is known to hold.
fn check_owned(domains: &[String], names: &[String]) -> AcmeResult<()> {
    let hosts: Vec<String> = domains.iter().map(|d| d.trim_end_matches('.').to_lowercase()).collect();
    let foreign: Vec<&String> = names
        .iter()
        .filter(|n| {
            let base = authorization_domain(n);
            !hosts.iter().any(|h| base == h || base.ends_with(&format!(".{h}")))
        })
        .collect();
    if foreign.is_empty() {
        return Ok(());
    }
    let listed = foreign.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
    Err(rejected(if hosts.is_empty() {
        format!("{listed}: the account's client has no domains registered with its issuer; ask the issuer to add them.")
    } else {
        format!("{listed} is not one of the client's domains ({}) or below one.", hosts.join(", "))
    }))
}

/// The method each target is recorded with until a challenge proves it: DNS for a wildcard's base, HTTP else.
fn dcv_choices(names: &[String]) -> Vec<DcvChoice> {
    crate::model::validation_targets(names)
        .into_iter()
        .map(|t| {
            let method = if wildcard_at(names, &t) { DcvMethod::Dns } else { DcvMethod::Http };
            DcvChoice { name: t, method, mailbox: String::new() }
        })
        .collect()
}

/// The account's order `id`, with its authorizations.
async fn load(state: &AppState, account: &AcmeAccount, id: &str) -> AcmeResult<AcmeOrder> {
    let scope = OrderScope { issuer: account.issuer.clone(), client: Some(account.client.clone()) };
    state.store().acme_order(&scope, &account.id, &OrderId::new(id)).await?.ok_or_else(|| Problem::not_found("order"))
}

/// The ACME state of an order (RFC 8555 7.1.6). An order still without its CSR after `ORDER_DAYS` has expired.
fn order_status(row: &OrderRow, dcvs: &[DcvRow], now: chrono::DateTime<chrono::Utc>) -> &'static str {
    let expired = now > row.created_at + Duration::days(ORDER_DAYS);
    match row.status {
        OrderStatus::Draft if expired => "invalid",
        OrderStatus::Draft if dcvs.iter().any(|d| d.status == DcvStatus::Failed) => "invalid",
        OrderStatus::Draft if dcvs.iter().all(|d| d.status == DcvStatus::Valid) => "ready",
        OrderStatus::Draft => "pending",
        OrderStatus::PendingApproval | OrderStatus::AwaitingValidation => "processing",
        OrderStatus::Issued => "valid",
        OrderStatus::Rejected | OrderStatus::Cancelled => "invalid",
    }
}

fn order_reply(state: &AppState, order: &AcmeOrder, status: u16) -> AcmeResult<Reply> {
    let (row, dcvs) = (&order.order, &order.dcvs);
    let id = row.id.key().to_string();
    let acme_status = order_status(row, dcvs, state.now());
    let mut body = json!({
        "status": acme_status,
        "expires": row.created_at + Duration::days(ORDER_DAYS),
        "identifiers": row.names.iter().map(|n| json!({"type": "dns", "value": n})).collect::<Vec<_>>(),
        "authorizations": dcvs.iter().map(|d| url(state, &Resource::Authz(d.id.key().to_string()))).collect::<Vec<_>>(),
        "finalize": url(state, &Resource::Finalize(id.clone())),
    });
    if let Some(cert) = &row.certificate {
        body["certificate"] = json!(url(state, &Resource::Cert(cert.key().to_string())));
    }
    if let Some(replaced) = &order.replaces {
        body["replaces"] = json!(super::renewal::cert_id_of(replaced));
    }
    if acme_status == "invalid" {
        let expired = format!("it expired after {ORDER_DAYS} days without being finalized.");
        let why = row.reason.clone().or_else(|| dcvs.iter().find_map(|d| d.last_error.clone())).unwrap_or(expired);
        body["error"] = json!(Problem::new(ProblemType::Unauthorized, format!("The order was closed: {why}")));
    }
    let mut reply = Reply::json(status, body).at(url(state, &Resource::Order(id)));
    if acme_status == "processing" {
        reply.retry_after = Some(if row.approved { 2 } else { 60 });
    }
    Ok(reply)
}

/// POST-as-GET of an order.
pub(super) async fn order(state: &AppState, request: &Verified, id: &str) -> AcmeResult<Reply> {
    let order = load(state, request.account()?, id).await?;
    order_reply(state, &order, 200)
}

/// The account's orders, newest first (RFC 8555 7.1.2.1).
pub(super) async fn list(state: &AppState, request: &Verified, id: &str) -> AcmeResult<Reply> {
    let account = request.account()?;
    if !account.id.is(id) {
        return Err(Problem::new(ProblemType::Unauthorized, "Only the account itself may list its orders."));
    }
    let ids = state.store().acme_orders_of_account(&AcmeAccountId::new(id), 1000).await?;
    let urls: Vec<String> = ids.into_iter().map(|o| url(state, &Resource::Order(o.key().to_string()))).collect();
    Ok(Reply::json(200, json!({ "orders": urls })))
}

/// A validation of one of the account's orders, with the order.
async fn authz_of(state: &AppState, account: &AcmeAccount, id: &str) -> AcmeResult<(DcvRow, OrderRow)> {
    let dcv = state.store().dcv(&DcvId::new(id)).await?.ok_or_else(|| Problem::not_found("authorization"))?;
    let order = load(state, account, dcv.cert_order.key()).await.map_err(|_| Problem::not_found("authorization"))?;
    Ok((dcv, order.order))
}

/// The challenges offered for a validation target: DNS only where it stands for a wildcard (BR 3.2.2.4.19 and
/// .20 do not cover wildcards).
fn offered(order: &OrderRow, dcv: &DcvRow) -> Vec<AcmeChallenge> {
    if wildcard_at(&order.names, &dcv.name) {
        vec![AcmeChallenge::Dns01]
    } else {
        AcmeChallenge::ALL.to_vec()
    }
}

fn challenge_json(state: &AppState, dcv: &DcvRow, kind: AcmeChallenge, order: &OrderRow) -> Value {
    let proved_by = dcv.acme_challenge.as_deref().and_then(AcmeChallenge::parse);
    // A validation reused from an earlier order counts for whichever challenge is asked.
    let status = match dcv.status {
        DcvStatus::Valid if proved_by.is_none_or(|p| p == kind) => "valid",
        DcvStatus::Failed if proved_by == Some(kind) => "invalid",
        _ if order_closed(order) || dcv.status != DcvStatus::Pending => "invalid",
        _ => "pending",
    };
    let mut c = json!({
        "type": kind.as_str(),
        "url": url(state, &Resource::Challenge(dcv.id.key().to_string(), kind.as_str().into())),
        "token": dcv.token,
        "status": status,
    });
    if status == "valid" {
        c["validated"] = json!(dcv.validated_at);
    }
    if status == "invalid" {
        if let Some(e) = &dcv.last_error {
            c["error"] = json!(Problem::new(problem_kind(kind, e), e.clone()));
        }
    }
    c
}

fn order_closed(order: &OrderRow) -> bool {
    matches!(order.status, OrderStatus::Cancelled | OrderStatus::Rejected)
}

/// The RFC's error type for a failed check, from what went wrong.
fn problem_kind(kind: AcmeChallenge, error: &str) -> ProblemType {
    match kind {
        AcmeChallenge::Dns01 if error.contains("lookup") || error.contains("no TXT") => ProblemType::Dns,
        AcmeChallenge::Http01 if error.contains("connect") || error.contains("did not answer") => {
            ProblemType::Connection
        }
        _ => ProblemType::IncorrectResponse,
    }
}

fn authz_json(state: &AppState, dcv: &DcvRow, order: &OrderRow) -> Value {
    let status = match dcv.status {
        DcvStatus::Valid => "valid",
        DcvStatus::Failed => "invalid",
        _ if order_closed(order) => "deactivated",
        DcvStatus::Pending => "pending",
    };
    let wildcard = wildcard_at(&order.names, &dcv.name) && !order.names.contains(&dcv.name);
    let mut a = json!({
        "identifier": {"type": "dns", "value": dcv.name},
        "status": status,
        "expires": order.created_at + Duration::days(ORDER_DAYS),
        "challenges": offered(order, dcv).into_iter().map(|k| challenge_json(state, dcv, k, order)).collect::<Vec<_>>(),
    });
    if wildcard {
        a["wildcard"] = json!(true);
    }
    a
}

/// POST-as-GET of an authorization.
pub(super) async fn authorization(state: &AppState, request: &Verified, id: &str) -> AcmeResult<Reply> {
    let (dcv, order) = authz_of(state, request.account()?, id).await?;
    Ok(Reply::json(200, authz_json(state, &dcv, &order)))
}

/// A challenge: POST `{}` asks Signet to check it (at once; the answer says how it went), POST-as-GET reads it.
pub(super) async fn challenge(state: &AppState, request: &Verified, id: &str, kind: &str) -> AcmeResult<Reply> {
    let account = request.account()?;
    let (mut dcv, order) = authz_of(state, account, id).await?;
    let kind = AcmeChallenge::parse(kind)
        .filter(|k| offered(&order, &dcv).contains(k))
        .ok_or_else(|| Problem::not_found("challenge"))?;
    let up = url(state, &Resource::Authz(id.to_string()));
    let asked = !request.jws.is_post_as_get();
    let open = order.status == OrderStatus::Draft && state.now() <= order.created_at + Duration::days(ORDER_DAYS);
    if asked && dcv.status == DcvStatus::Pending && open {
        let ka = key_authorization(&dcv.token, &account.thumbprint);
        let outcome = dcv::check_acme(state, kind, &dcv.name, &dcv.token, &ka).await;
        state.store().record_acme_challenge(&DcvId::new(id), kind.as_str(), state.now(), outcome.clone()).await?;
        let actor = scope_of(account, &request.ip).actor.email;
        match &outcome {
            Ok(()) => {
                let detail = format!("{} by ACME {}", dcv.name, kind.as_str());
                state.store().add_order_event(&order.id, state.now(), &actor, "dcv.valid", &detail).await?;
            }
            Err(e) => {
                let reason = format!("ACME {} validation of {} failed: {e}", kind.as_str(), dcv.name);
                let scope = scope_of(account, &request.ip);
                portal::cancel(state, &scope, order.id.key(), &reason).await?;
            }
        }
        dcv = state.store().dcv(&DcvId::new(id)).await?.ok_or_else(|| Problem::not_found("challenge"))?;
    }
    let order = load(state, account, order.id.key()).await?.order;
    Ok(Reply::json(200, challenge_json(state, &dcv, kind, &order)).link(up, "up"))
}

#[derive(Deserialize)]
struct Finalize {
    csr: String,
}

/// finalize: the CSR goes through the order's CSR step (the same checks as in the portal), then the order is
/// issued at once, or waits for approval in approval mode.
pub(super) async fn finalize(state: &AppState, request: &Verified, id: &str) -> AcmeResult<Reply> {
    let account = request.account()?;
    let AcmeOrder { order: row, dcvs, .. } = load(state, account, id).await?;
    let status = order_status(&row, &dcvs, state.now());
    if status != "ready" {
        return Err(Problem::new(
            ProblemType::OrderNotReady,
            format!("The order is {status}; finalize it when every authorization is valid (status \"ready\")."),
        ));
    }
    let input: Finalize = request.jws.json()?;
    let der = URL_SAFE_NO_PAD
        .decode(input.csr.trim_end_matches('='))
        .map_err(|_| Problem::new(ProblemType::BadCsr, "The CSR must be base64url DER."))?;
    let pem = pem::encode(&pem::Pem::new("CERTIFICATE REQUEST", der));
    let by = CsrSubmitter {
        actor: &scope_of(account, &request.ip).actor.email,
        how: Some("over ACME".into()),
        invitation: None,
    };
    match portal::attach_csr(state, &row, &pem, by).await? {
        CsrOutcome::Attached(_) => {}
        CsrOutcome::Rejected(report) => return Err(Problem::new(ProblemType::BadCsr, report.failures().join(" "))),
        CsrOutcome::NotDraft | CsrOutcome::InvitationGone => {
            return Err(Problem::new(ProblemType::OrderNotReady, "The order has its CSR already."))
        }
    }
    let order = load(state, account, id).await?;
    order_reply(state, &order, 200)
}

/// The certificate with its chain (RFC 8555 7.4.2), for the account's client.
pub(super) async fn certificate(state: &AppState, request: &Verified, id: &str) -> AcmeResult<Reply> {
    let scope = scope_of(request.account()?, &request.ip);
    let (bytes, _) = portal::download(state, &scope, id, crate::services::ca::Format::ChainPem).await.map_err(|e| {
        if e == AppError::NotFound {
            Problem::not_found("certificate")
        } else {
            e.into()
        }
    })?;
    let pem = String::from_utf8(bytes).map_err(|_| Problem::from(AppError::Internal))?;
    Ok(Reply { status: 200, body: ReplyBody::Pem(pem), location: None, links: Vec::new(), retry_after: None })
}
