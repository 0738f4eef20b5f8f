//! The registration authority: certificate orders from placement to issuance.
//!
//! Draft (CSR missing) → Pending approval (approval mode, placed by someone without the approval right)
//! → Awaiting validation → Issued; or Rejected / Cancelled. Issuance happens as soon as an order awaits
//! validation and every name is validated.

use super::{audit, ca, clients, dcv, invitations, mail, secrets, Actor, AppState};
use crate::error::{AppError, AppResult, Checks};
use crate::model::*;
use crate::pki::csr::{self, to_pem, Expectations};
use crate::pki::profile::{dns_name_problem, LeafSpec};
use crate::store::{
    key_of, latest_validations, new_key, rid, Attached, ClientRow, CsrAttachment, DcvRow, Issuance, IssuedOrder,
    NewCertificate, NewDcv, NewOrder, OrderDetails, OrderRow, OrderScope, OrderUpdate, ProductRow, ReuseLookup,
    ReuseQuery, Shown,
};
use chrono::{DateTime, Datelike, Duration, Utc};
use surrealdb::types::RecordId;

const PAGE_SIZE: usize = 50;
const EMAIL_LINK_HOURS: i64 = 24;

/// Who is acting on orders, and what they may see and do.
#[derive(Debug, Clone)]
pub struct Scope {
    pub issuer: String,
    /// A customer sees only this client's orders.
    pub client: Option<String>,
    /// Issuer admins approve; users and customers do not.
    pub can_approve: bool,
    pub user_id: Option<String>,
    pub actor: Actor,
}

impl Scope {
    pub(crate) fn store_scope(&self) -> OrderScope {
        OrderScope { issuer: self.issuer.clone(), client: self.client.clone() }
    }
}

/// Products on offer, the clients the person may order for, and today's CA/B limit.
pub async fn setup(state: &AppState, scope: &Scope) -> AppResult<OrderSetup> {
    let products = products(state).await?.into_iter().filter(|p| p.active).collect();
    let mut result = Vec::new();
    let clients = match &scope.client {
        Some(c) => vec![state.store().client(&scope.issuer, c).await?.ok_or(AppError::NotFound)?],
        None => state.store().clients_for_order(&scope.issuer).await?,
    };
    for c in clients {
        result.push(OrderClient {
            id: key_of(&c.id),
            organisation: Organisation {
                name: c.name.clone(),
                registration_number: c.registration_number.clone(),
                address: c.address.clone(),
                city: c.city.clone(),
                postal_code: c.postal_code.clone(),
                country: c.country.clone(),
            },
            contact: Contact { name: c.contact_person.clone(), email: c.email.clone(), phone: c.phone.clone() },
        });
    }
    Ok(OrderSetup {
        products,
        clients: result,
        max_server_days: max_server_validity_days(state.now().date_naive()),
        ca_ready: state.store().issuing_ca(&scope.issuer).await?.is_some(),
    })
}

pub async fn products(state: &AppState) -> AppResult<Vec<Product>> {
    Ok(state.store().products().await?.into_iter().map(product_of).collect())
}

pub fn product_of(r: crate::store::ProductRow) -> Product {
    Product {
        id: key_of(&r.id),
        name: r.name,
        profile: Profile::parse(&r.profile).unwrap_or(Profile::ServerDv),
        wildcard: r.wildcard,
        max_names: r.max_names.max(1) as u32,
        validity_days: r.validity_days.into_iter().map(|d| d.max(1) as u32).collect(),
        key_types: r.key_types.iter().filter_map(|k| KeyType::parse(k)).collect(),
        auto_approve: r.auto_approve,
        active: r.active,
    }
}

/// Splits, normalises and checks the order's names against the product.
pub fn parse_names(input: &str, product: &Product) -> AppResult<Vec<String>> {
    let mut names: Vec<String> = Vec::new();
    for raw in name_tokens(input) {
        let name = if product.profile.is_server() {
            let (wild, body) = match raw.strip_prefix("*.") {
                Some(rest) => (true, rest),
                None => (false, raw),
            };
            if wild && !product.wildcard {
                return Err(AppError::field("names", format!("{raw}: this product does not allow wildcard names.")));
            }
            let host = clients::normalize_host(body).map_err(|e| AppError::field("names", format!("{raw}: {e}")))?;
            let name = if wild { format!("*.{host}") } else { host };
            if let Some(problem) = dns_name_problem(&name) {
                return Err(AppError::field("names", format!("{raw}: {problem}.")));
            }
            name
        } else {
            let address = validate::normalize_email(raw);
            if validate::email(&address).is_some() {
                return Err(AppError::field("names", format!("{raw} is not an e-mail address.")));
            }
            address
        };
        if !names.contains(&name) {
            names.push(name);
        }
    }
    if names.is_empty() {
        return Err(AppError::field(
            "names",
            if product.profile.is_server() { "Give at least one domain name." } else { "Give the e-mail address." },
        ));
    }
    if names.len() > product.max_names as usize {
        return Err(AppError::field(
            "names",
            format!("This product covers at most {} name(s); the order has {}.", product.max_names, names.len()),
        ));
    }
    Ok(names)
}

/// The names typed into an order, one per token: separated by commas, semicolons or white space.
fn name_tokens(input: &str) -> impl Iterator<Item = &str> {
    input.split(|c: char| c == ',' || c == ';' || c.is_whitespace()).filter(|s| !s.is_empty())
}

/// The names as `parse_names` will most likely return them, before the product is known: mailboxes where
/// there is an `@`, host names otherwise; what does not parse is left out (the real parse reports it).
fn likely_names(input: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for raw in name_tokens(input) {
        let name = if raw.contains('@') {
            validate::normalize_email(raw)
        } else {
            let (wild, body) = raw.strip_prefix("*.").map_or((false, raw), |rest| (true, rest));
            match clients::normalize_host(body) {
                Ok(host) if wild => format!("*.{host}"),
                Ok(host) => host,
                Err(_) => continue,
            }
        };
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// What to look up for reusing earlier validations of `names`: each validation target, and whether a
/// wildcard needs it (an HTTP-file validation does not count for one).
fn reuse_queries(names: &[String]) -> Vec<ReuseQuery> {
    validation_targets(names)
        .into_iter()
        .map(|target| ReuseQuery {
            wildcard: names.iter().any(|n| n.starts_with("*.") && authorization_domain(n) == target),
            name: target,
        })
        .collect()
}

/// The domains (or mailboxes) whose control is proved for `names`: wildcards at their base domain.
fn validation_targets(names: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in names {
        let d = authorization_domain(n).to_string();
        if !out.contains(&d) {
            out.push(d);
        }
    }
    out
}

fn email_choices(profile: Profile, target: &str) -> Vec<String> {
    if profile.is_server() {
        DCV_MAILBOXES.iter().map(|m| format!("{m}@{target}")).collect()
    } else {
        vec![target.to_string()]
    }
}

/// Checks a method for a target and works out the e-mail address.
fn dcv_choice(
    profile: Profile,
    names: &[String],
    target: &str,
    method: DcvMethod,
    mailbox: &str,
) -> AppResult<Option<String>> {
    if !profile.is_server() {
        return if method == DcvMethod::Email {
            Ok(Some(target.to_string()))
        } else {
            Err(AppError::field("dcv", "An e-mail address is validated by e-mail."))
        };
    }
    let wildcard = names.iter().any(|n| n.starts_with("*.") && authorization_domain(n) == target);
    match method {
        DcvMethod::Http if wildcard => Err(AppError::field(
            "dcv",
            format!("*.{target} is a wildcard: validate it by DNS or e-mail (BR 3.2.2.4.18 excludes HTTP)."),
        )),
        DcvMethod::Email => {
            let local = if mailbox.trim().is_empty() { "admin" } else { mailbox.trim() };
            if !DCV_MAILBOXES.contains(&local) {
                return Err(AppError::field("dcv", format!("Choose one of {}@{target}.", DCV_MAILBOXES.join("@, "))));
            }
            Ok(Some(format!("{local}@{target}")))
        }
        _ => Ok(None),
    }
}

fn check_contact(checks: &mut Checks, field: &str, c: &Contact) {
    checks
        .check(&format!("{field}_name"), validate::required(&c.name, "name", 200))
        .check(&format!("{field}_email"), validate::email(&validate::normalize_email(&c.email)));
}

/// The CSR checks for an order being placed (the wizard's CSR step) or a CSR submitted later.
pub async fn inspect_csr(
    state: &AppState,
    issuer: &str,
    product: &Product,
    names: &[String],
    organisation: &Organisation,
    csr_text: &str,
    order: Option<&str>,
) -> AppResult<(CsrReport, Option<csr::ParsedCsr>)> {
    let parsed = csr::parse(csr_text.as_bytes());
    let key_seen_in = match &parsed {
        Ok(p) => state.store().order_with_key(issuer, &p.key_fingerprint, order).await?,
        Err(_) => None,
    };
    let report = csr_report(&parsed, key_seen_in, product, names, organisation);
    Ok((report, parsed.ok()))
}

/// The checks of a parsed CSR against an order; `key_seen_in` is an earlier order with the same public key.
fn csr_report(
    parsed: &Result<csr::ParsedCsr, csr::CsrError>,
    key_seen_in: Option<String>,
    product: &Product,
    names: &[String],
    organisation: &Organisation,
) -> CsrReport {
    csr::check(
        parsed,
        &Expectations {
            names,
            key_types: &product.key_types,
            organisation: if product.profile == Profile::ServerOv || product.profile.is_server() {
                Some(organisation)
            } else {
                None
            },
            key_seen_in,
        },
    )
}

/// The wizard's "check CSR" button: the report without placing anything.
pub async fn preview_csr(
    state: &AppState,
    scope: &Scope,
    client: &str,
    product: &str,
    names: &str,
    csr_text: &str,
) -> AppResult<CsrReport> {
    let product = active_product(state, product).await?;
    let names = parse_names(names, &product)?;
    let client = order_client(state, scope, client).await?;
    Ok(inspect_csr(state, &scope.issuer, &product, &names, &client.organisation, csr_text, None).await?.0)
}

async fn active_product(state: &AppState, id: &str) -> AppResult<Product> {
    active_product_of(state.store().product(id).await?)
}

fn active_product_of(row: Option<ProductRow>) -> AppResult<Product> {
    let p = row.map(product_of).ok_or_else(|| AppError::field("product_id", "Choose a product."))?;
    if !p.active {
        return Err(AppError::field("product_id", "This product is no longer offered."));
    }
    Ok(p)
}

async fn order_client(state: &AppState, scope: &Scope, client: &str) -> AppResult<OrderClient> {
    check_client_choice(scope, client)?;
    let c = state.store().client(&scope.issuer, client).await?.ok_or(AppError::NotFound)?;
    Ok(order_client_of(c))
}

/// A customer orders only for their own client; staff choose one.
fn check_client_choice(scope: &Scope, client: &str) -> AppResult<()> {
    if scope.client.as_deref().is_some_and(|c| c != client) {
        return Err(AppError::NotFound);
    }
    if client.trim().is_empty() {
        return Err(AppError::field("client_id", "Choose the organisation."));
    }
    Ok(())
}

fn order_client_of(c: ClientRow) -> OrderClient {
    OrderClient {
        id: key_of(&c.id),
        organisation: Organisation {
            name: c.name,
            registration_number: c.registration_number,
            address: c.address,
            city: c.city,
            postal_code: c.postal_code,
            country: c.country,
        },
        contact: Contact { name: c.contact_person, email: c.email, phone: c.phone },
    }
}

/// Places an order. With a CSR that fails a check nothing is stored and the checks say why.
pub async fn create(state: &AppState, scope: &Scope, mut input: OrderInput) -> AppResult<OrderView> {
    check_client_choice(scope, &input.client_id)?;
    // The CSR is parsed first so that the lookup of its public key joins the one read of the order's inputs.
    let parsed_csr = (!input.csr.trim().is_empty()).then(|| csr::parse(input.csr.as_bytes()));
    let fingerprint = parsed_csr.as_ref().and_then(|p| p.as_ref().ok()).map(|p| p.key_fingerprint.as_str());
    // So does the lookup of earlier validations, for the names as they will most likely be parsed; if the
    // product's rules parse them otherwise, they are looked up again below.
    let now = state.now();
    let reuse_since = now - Duration::days(dcv_reuse_days(now.date_naive()));
    let likely_reuse = reuse_queries(&likely_names(&input.names));
    let lookup = ReuseLookup { names: &likely_reuse, since: reuse_since };
    let inputs =
        state.store().order_inputs(&scope.issuer, &input.product_id, &input.client_id, fingerprint, &lookup).await?;
    let product_row = inputs.product.clone();
    let product = active_product_of(inputs.product)?;
    let client_name = inputs.client.as_ref().map(|c| c.name.clone()).unwrap_or_default();
    let client = order_client_of(inputs.client.ok_or(AppError::NotFound)?);
    let issuer = inputs.issuer.ok_or(AppError::NotFound)?;
    // Contacts left empty are the client's contact person (the REST API documents this default).
    for contact in [&mut input.corporate, &mut input.technical] {
        if contact.name.trim().is_empty() && contact.email.trim().is_empty() {
            *contact = client.contact.clone();
        }
    }
    let names = parse_names(&input.names, &product)?;
    let today = now.date_naive();
    let mut checks = Checks::new();
    if !product.validity_days.contains(&input.validity_days) {
        checks.check("validity_days", Some("Choose one of the product's validity periods.".to_string()));
    } else if product.profile.is_server() && input.validity_days > max_server_validity_days(today) {
        checks.check(
            "validity_days",
            Some(format!(
                "TLS server certificates issued today may be valid for at most {} days (CA/Browser Forum).",
                max_server_validity_days(today)
            )),
        );
    }
    if product.profile == Profile::ServerOv {
        let org = &client.organisation;
        let country = org.country.trim();
        if country.len() != 2 || !country.chars().all(|c| c.is_ascii_alphabetic()) || org.city.trim().is_empty() {
            checks.check(
                "client_id",
                Some(format!(
                    "An OV certificate names the organisation's city and its country as a two-letter code (such as \
                     HR); {} has city \"{}\" and country \"{}\". Correct the client's data first.",
                    org.name,
                    org.city.trim(),
                    country
                )),
            );
        }
    }
    check_contact(&mut checks, "corporate", &input.corporate);
    check_contact(&mut checks, "technical", &input.technical);
    checks.finish()?;

    let targets = validation_targets(&names);
    let mut choices = Vec::new();
    for t in &targets {
        let chosen = input.dcv.iter().find(|c| c.name == *t || authorization_domain(&c.name) == t);
        let (method, mailbox) = match chosen {
            Some(c) => (c.method, c.mailbox.as_str()),
            None if !product.profile.is_server() => (DcvMethod::Email, ""),
            None => (input.default_dcv, ""),
        };
        let email_to = dcv_choice(product.profile, &names, t, method, mailbox)?;
        choices.push((t.clone(), method, email_to));
    }

    let (report, parsed) = match parsed_csr {
        None => (None, None),
        Some(parsed) => {
            let report = csr_report(&parsed, inputs.key_seen_in, &product, &names, &client.organisation);
            if !report.accepted {
                return Err(AppError::field("csr", report.failures().join(" ")));
            }
            (Some(report), parsed.ok())
        }
    };

    let needs_approval = issuer.approval_mode && !scope.can_approve && !product.auto_approve;
    let status = match (&parsed, needs_approval) {
        (None, _) => OrderStatus::Draft,
        (Some(_), true) => OrderStatus::PendingApproval,
        (Some(_), false) => OrderStatus::AwaitingValidation,
    };
    let n = state.store().next_order_number(&scope.issuer, now.year()).await?;
    let number = format!("{}-{}-{n:05}", issuer.slug.to_uppercase(), now.year());
    let parties = OrderParties {
        organisation: client.organisation.clone(),
        corporate: tidy(&input.corporate),
        technical: tidy(&input.technical),
    };
    let reuse = reuse_queries(&names);
    let earlier_validations = if reuse == likely_reuse {
        latest_validations(inputs.validations)
    } else {
        let lookup = ReuseLookup { names: &reuse, since: reuse_since };
        state.store().recent_validations(&client.id, &lookup).await?
    };
    let order_id = rid("cert_order", &new_key());
    let id = key_of(&order_id);
    let mut dcvs = Vec::new();
    for ((target, method, email_to), earlier) in choices.iter().zip(earlier_validations) {
        let reused = earlier.is_some();
        dcvs.push(NewDcv {
            id: rid("dcv", &new_key()),
            cert_order: order_id.clone(),
            issuer: rid("issuer", &scope.issuer),
            client: rid("client", &client.id),
            name: target.clone(),
            method: method.as_str().into(),
            token: secrets::random_token(),
            file: short_token(),
            status: if reused { "valid" } else { "pending" }.into(),
            validated_at: earlier,
            reused,
            email_to: email_to.clone(),
        });
    }
    let order = NewOrder {
        issuer: rid("issuer", &scope.issuer),
        client: rid("client", &client.id),
        product: rid("product", &product.id),
        number: number.clone(),
        validity_days: i64::from(input.validity_days),
        names: names.clone(),
        status: status.as_str().into(),
        parties: serde_json::to_string(&parties).map_err(|_| AppError::Internal)?,
        csr_pem: parsed.as_ref().map(|p| p.pem()),
        csr_report: report.as_ref().and_then(|r| serde_json::to_string(r).ok()),
        key_fingerprint: parsed.as_ref().map(|p| p.key_fingerprint.clone()),
        approved: !needs_approval,
        approved_by: None,
        tracking_token: secrets::random_token(),
        created_by: scope.user_id.as_deref().map(|u| rid("user", u)),
        created_by_email: scope.actor.email.clone(),
        created_at: now,
        updated_at: now,
    };
    let created = format!("{} for {}", product.name, names.join(", "));
    let create_audit =
        audit::entry(state, &scope.actor, Some(&scope.issuer), None, "order.create", &number, names.join(", "));

    // The common case for scripts and renewals: a CSR, every name validated before, no approval. It is signed
    // first and stored in one transaction; anything else (or a refusal to sign) takes the stepwise path below.
    if let (Some(csr), OrderStatus::AwaitingValidation, true) = (&parsed, status, dcvs.iter().all(|d| d.reused)) {
        let facts = ToSign {
            id: &order_id,
            issuer: &order.issuer,
            client: &order.client,
            number: &number,
            names: &names,
            validity_days: order.validity_days,
            tracking_token: &order.tracking_token,
            parties: &parties,
            product: &product,
            csr,
        };
        if let Ok(Signed { issuance, ca_slug }) = sign_order(state, &facts).await? {
            let has_mail = issuance.mail.is_some();
            let placed = IssuedOrder {
                id: order_id.clone(),
                order: NewOrder { status: OrderStatus::Issued.as_str().into(), ..order.clone() },
                dcv: dcvs.clone(),
                created: (scope.actor.email.clone(), created.clone()),
                audit: create_audit.clone().into_record(),
                issuance,
            };
            let shown = Shown { product: product_row.ok_or(AppError::Internal)?, client_name, ca_slug };
            let details = state.store().create_issued_order(placed, shown).await?;
            if has_mail {
                mail::wake(state);
            }
            return build_view(state, details, Some(scope));
        }
    }

    state.store().create_order(&order_id, order, dcvs, (&scope.actor.email, &created)).await?;
    state.store().record_audit(create_audit).await?;
    send_email_validations(state, &order_id, &number, &client.organisation.name, None).await?;
    if status == OrderStatus::PendingApproval {
        notify_approvers(state, &scope.issuer, &id, &number).await?;
    }
    advance(state, &scope.store_scope(), &id).await?;
    view(state, scope, &id).await
}

fn tidy(c: &Contact) -> Contact {
    Contact { name: c.name.trim().into(), email: validate::normalize_email(&c.email), phone: c.phone.trim().into() }
}

fn short_token() -> String {
    secrets::random_token().chars().filter(|c| c.is_ascii_alphanumeric()).take(24).collect::<String>().to_lowercase()
}

/// Sends the approval link for every e-mail validation of the order that has none running (or for `only`).
async fn send_email_validations(
    state: &AppState,
    order: &RecordId,
    number: &str,
    organisation: &str,
    only: Option<&str>,
) -> AppResult<()> {
    let now = state.now();
    for d in state.store().dcvs_of_order(order).await? {
        if d.method != "email" || d.status == "valid" || only.is_some_and(|o| o != d.name) {
            continue;
        }
        let Some(to) = d.email_to.clone() else { continue };
        let token = secrets::random_token();
        let expires = now + Duration::hours(EMAIL_LINK_HOURS);
        state.store().set_dcv_email_token(&d.id, &secrets::token_hash(&token), expires).await?;
        let body = format!(
            "Hello,\n\n{organisation} ordered a certificate (order {number}) that covers {name}.\n\n\
             If you are responsible for {name} and agree, confirm it here (the link works for {EMAIL_LINK_HOURS} \
             hours):\n{url}/dcv/{token}\n\nIf you did not expect this, ignore this message: nothing will be issued \
             for {name} without your confirmation.\n",
            name = d.name,
            url = state.settings().public_url,
        );
        mail::send(state, &to, &format!("Confirm the certificate for {} (order {number})", d.name), &body, None)
            .await?;
        state
            .store()
            .add_order_event(order, now, "Signet", "dcv.email", &format!("approval link sent to {to}"))
            .await?;
    }
    Ok(())
}

async fn notify_approvers(state: &AppState, issuer: &str, id: &str, number: &str) -> AppResult<()> {
    let url = &state.settings().public_url;
    for m in state.store().members_of_issuer(issuer).await? {
        if m.role == "admin" && m.has_password {
            let body = format!(
                "Hello {name},\n\nOrder {number} waits for approval.\n\nReview it: {url}/orders/{id}\n\
                 All orders waiting: {url}/orders/approvals\n",
                name = m.name
            );
            mail::send(state, &m.email, &format!("Order {number} waits for your approval"), &body, Some(issuer))
                .await?;
        }
    }
    Ok(())
}

pub(super) async fn load(state: &AppState, scope: &OrderScope, id: &str) -> AppResult<OrderRow> {
    state.store().order(scope, id).await?.ok_or(AppError::NotFound)
}

/// Issues the order if it awaits validation and every name is validated.
async fn advance(state: &AppState, scope: &OrderScope, id: &str) -> AppResult<()> {
    let order = load(state, scope, id).await?;
    if order.status != OrderStatus::AwaitingValidation.as_str() {
        return Ok(());
    }
    let dcvs = state.store().dcvs_of_order(&order.id).await?;
    // A validation older than the reuse period no longer counts (an order can wait long for approval).
    let now = state.now();
    let oldest_allowed = now - Duration::days(dcv_reuse_days(now.date_naive()));
    let fresh = |d: &DcvRow| d.status == "valid" && d.validated_at.is_some_and(|t| t > oldest_allowed);
    for stale in dcvs.iter().filter(|d| d.status == "valid" && !fresh(d)) {
        state.store().expire_dcv(&stale.id).await?;
    }
    if dcvs.iter().all(fresh) && state.store().claim_for_issuance(&order.id, now).await? {
        let outcome = issue(state, &order).await;
        if !matches!(outcome, Ok(true)) {
            state.store().release_issuance_claim(&order.id).await?;
        }
        outcome?;
    }
    Ok(())
}

/// Signs and stores the certificate; Ok(true) when it was issued.
async fn issue(state: &AppState, order: &OrderRow) -> AppResult<bool> {
    let product = state.store().product(&key_of(&order.product)).await?.map(product_of).ok_or(AppError::Internal)?;
    let parties: OrderParties = serde_json::from_str(&order.parties).unwrap_or_default();
    let Some(parsed) = order.csr_pem.as_deref().and_then(|p| csr::parse(p.as_bytes()).ok()) else {
        return fail_issuance(state, order, "the CSR is missing or unreadable").await.map(|_| false);
    };
    let facts = ToSign {
        id: &order.id,
        issuer: &order.issuer,
        client: &order.client,
        number: &order.number,
        names: &order.names,
        validity_days: order.validity_days,
        tracking_token: &order.tracking_token,
        parties: &parties,
        product: &product,
        csr: &parsed,
    };
    let issuance = match sign_order(state, &facts).await? {
        Ok(signed) => signed.issuance,
        Err(why) => return fail_issuance(state, order, &why).await.map(|_| false),
    };
    let has_mail = issuance.mail.is_some();
    if !state.store().issue_order(&order.id, issuance).await? {
        return Ok(false);
    }
    if has_mail {
        mail::wake(state);
    }
    Ok(true)
}

/// What signing needs to know about an order (stored already, or about to be stored with its certificate).
struct ToSign<'a> {
    id: &'a RecordId,
    issuer: &'a RecordId,
    client: &'a RecordId,
    number: &'a str,
    names: &'a [String],
    validity_days: i64,
    tracking_token: &'a str,
    parties: &'a OrderParties,
    product: &'a Product,
    csr: &'a csr::ParsedCsr,
}

/// A signed certificate with everything issuing stores, and the slug of the CA that signed it.
struct Signed {
    issuance: Issuance,
    ca_slug: String,
}

/// Lints and signs the certificate and prepares everything issuing stores: the certificate row, the history
/// line, the audit entry and the e-mail to the technical contact. `Ok(Err(why))` when it may not be issued.
async fn sign_order(state: &AppState, order: &ToSign<'_>) -> AppResult<Result<Signed, String>> {
    let issuer = key_of(order.issuer);
    let now = state.now();
    let purpose = crate::pki::profile::CaPurpose::for_profile(order.product.profile);
    let signer = match ca::issuing_signer_for(state, &issuer, purpose).await {
        Ok(s) => s,
        Err(AppError::Conflict(m)) => return Ok(Err(m)),
        Err(e) => return Err(e),
    };
    let Some(key_type) = order.csr.key_type else {
        return Ok(Err("the CSR's key type is not accepted".into()));
    };
    let urls = ca::urls(state, &signer);
    let spec = LeafSpec {
        profile: order.product.profile,
        names: order.names,
        organisation: &order.parties.organisation,
        not_before: now,
        validity_days: order.validity_days.max(1) as u32,
        max_days: max_server_validity_days(now.date_naive()),
        serial: ca::new_serial(),
        key_type,
        urls: &urls,
    };
    let der = match ca::sign_leaf(&signer, &spec, &order.csr.spki) {
        Ok(der) => der,
        Err(findings) => return Ok(Err(findings)),
    };
    let serial = ca::serial_hex(&der);
    let not_after = spec.not_after();
    let until = not_after.format("%Y-%m-%d %H:%M UTC");
    let certificate = NewCertificate {
        issuer: order.issuer.clone(),
        client: order.client.clone(),
        cert_order: order.id.clone(),
        ca: signer.ca_id.clone(),
        serial: serial.clone(),
        names: order.names.to_vec(),
        subject: x509_subject(&der),
        not_before: now,
        not_after,
        der: base64_der(&der),
        key_fingerprint: order.csr.key_fingerprint.clone(),
        created_at: now,
    };
    let signet = Actor { user_id: None, email: "Signet".into(), ip: String::new() };
    let audit =
        audit::entry(state, &signet, Some(&issuer), None, "order.issue", order.number, format!("serial {serial}"));
    let technical = &order.parties.technical;
    let mail = (!technical.email.is_empty()).then(|| {
        let url = &state.settings().public_url;
        let body = format!(
            "Hello {name},\n\nThe certificate of order {number} for {names} is issued.\n\nDownload it in the format \
             your server needs (PEM, full chain, DER, PKCS#7): {url}/orders/{id}\nTrack the order without signing \
             in: {url}/track/{token}\n\nSerial number: {serial}\nValid until: {until}\n\n{pem}",
            name = technical.name,
            number = order.number,
            names = order.names.join(", "),
            id = key_of(order.id),
            token = order.tracking_token,
            pem = to_pem("CERTIFICATE", &der),
        );
        let subject = format!(
            "Your certificate for {} is issued (order {})",
            order.names.first().cloned().unwrap_or_default(),
            order.number
        );
        mail::prepare(state, &technical.email, &subject, &body, Some(&issuer))
    });
    Ok(Ok(Signed {
        issuance: Issuance {
            certificate,
            detail: format!("serial {serial}, valid until {until}"),
            audit: audit.into_record(),
            mail,
        },
        ca_slug: signer.slug.clone(),
    }))
}

fn base64_der(der: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(der)
}

fn x509_subject(der: &[u8]) -> String {
    use x509_parser::prelude::*;
    X509Certificate::from_der(der).map(|(_, c)| c.subject().to_string()).unwrap_or_default()
}

async fn fail_issuance(state: &AppState, order: &OrderRow, why: &str) -> AppResult<()> {
    let message = format!("Not issued: {why}.");
    if order.failure.as_deref() != Some(message.as_str()) {
        state
            .store()
            .set_order_fields(
                &order.id,
                OrderUpdate {
                    set_failure: true,
                    failure: Some(message.clone()),
                    now: Some(state.now()),
                    ..Default::default()
                },
            )
            .await?;
        state.store().add_order_event(&order.id, state.now(), "Signet", "issue.failed", &message).await?;
    }
    Ok(())
}

/// The status page.
pub async fn view(state: &AppState, scope: &Scope, id: &str) -> AppResult<OrderView> {
    let details = state.store().order_details(&scope.store_scope(), id).await?.ok_or(AppError::NotFound)?;
    build_view(state, details, Some(scope))
}

/// The read-only tracking page: anyone with the link, no actions, no tracking link.
pub async fn track(state: &AppState, token: &str) -> AppResult<OrderView> {
    if token.len() < 20 {
        return Err(AppError::NotFound);
    }
    let details = state.store().order_details_by_tracking(token).await?.ok_or(AppError::NotFound)?;
    build_view(state, details, None)
}

fn build_view(state: &AppState, details: OrderDetails, scope: Option<&Scope>) -> AppResult<OrderView> {
    let OrderDetails { order, product, dcvs, events, certificate, ca_slug, invitations } = details;
    let status = OrderStatus::parse(&order.status).unwrap_or(OrderStatus::Draft);
    let product = product.map(product_of).ok_or(AppError::Internal)?;
    let csr_report: Option<CsrReport> = order.csr_report.as_deref().and_then(|r| serde_json::from_str(r).ok());
    let dcv: Vec<DcvView> = dcvs.iter().map(|d| dcv_view(d, product.profile)).collect();
    let open = status.open();
    let actions = match scope {
        Some(s) => OrderActions {
            submit_csr: status == OrderStatus::Draft,
            change_dcv: open,
            approve: status == OrderStatus::PendingApproval && s.can_approve,
            cancel: open,
            invite: status == OrderStatus::Draft,
        },
        None => OrderActions::default(),
    };
    let invitations = match scope {
        Some(_) => invitations::infos(state, &order, invitations),
        None => Vec::new(),
    };
    let mut progress = vec![ProgressStep {
        label: "CSR check".into(),
        state: match (&csr_report, status) {
            (Some(_), _) => StepState::Done,
            (None, OrderStatus::Draft) => StepState::Current,
            _ => StepState::Skipped,
        },
        detail: csr_report.as_ref().map(|r| r.key.clone()).unwrap_or_else(|| "CSR not submitted yet".into()),
    }];
    for d in &dcv {
        progress.push(ProgressStep {
            label: format!("Validation of {}", d.name),
            state: match d.status {
                DcvStatus::Valid => StepState::Done,
                _ if !open => StepState::Skipped,
                _ => StepState::Current,
            },
            detail: match d.status {
                DcvStatus::Valid if d.reused => "validated earlier (reused)".into(),
                DcvStatus::Valid => format!("validated by {}", d.method.label()),
                _ => d.last_error.clone().unwrap_or_else(|| format!("waiting: {}", d.method.label())),
            },
        });
    }
    progress.push(ProgressStep {
        label: "Approval".into(),
        state: match status {
            OrderStatus::PendingApproval => StepState::Current,
            OrderStatus::Rejected => StepState::Failed,
            OrderStatus::Cancelled if !order.approved => StepState::Skipped,
            _ if order.approved => StepState::Done,
            _ => StepState::Waiting,
        },
        detail: match (&order.approved_by, order.approved) {
            (Some(by), _) => format!("approved by {by}"),
            (None, true) => "not required".into(),
            _ if status == OrderStatus::Rejected => order.reason.clone().unwrap_or_default(),
            _ => "waiting for an approver".into(),
        },
    });
    progress.push(ProgressStep {
        label: "Issuance".into(),
        state: match status {
            OrderStatus::Issued => StepState::Done,
            _ if order.failure.is_some() => StepState::Failed,
            OrderStatus::Rejected | OrderStatus::Cancelled => StepState::Skipped,
            _ => StepState::Waiting,
        },
        detail: certificate
            .as_ref()
            .map(|c| format!("serial {}", c.serial))
            .or_else(|| order.failure.clone())
            .unwrap_or_default(),
    });
    let issued = match certificate {
        Some(c) => {
            let der = {
                use base64::Engine;
                base64::engine::general_purpose::STANDARD.decode(&c.der).unwrap_or_default()
            };
            Some(IssuedCert {
                id: key_of(&c.id),
                serial: c.serial,
                subject: c.subject,
                names: c.names,
                not_before: c.not_before,
                not_after: c.not_after,
                pem: to_pem("CERTIFICATE", &der),
                ca: ca_slug.unwrap_or_default(),
            })
        }
        None => None,
    };
    Ok(OrderView {
        id: key_of(&order.id),
        number: order.number.clone(),
        status,
        client_id: key_of(&order.client),
        client_name: order.client_name.clone(),
        product_name: order.product_name.clone(),
        profile: product.profile,
        key_types: product.key_types.clone(),
        validity_days: order.validity_days.max(0) as u32,
        names: order.names.clone(),
        parties: serde_json::from_str(&order.parties).unwrap_or_default(),
        csr_pem: order.csr_pem.clone(),
        csr_report,
        dcv,
        progress,
        events: events
            .into_iter()
            .map(|e| OrderEvent { at: e.at, actor: e.actor, kind: e.kind, detail: e.detail })
            .collect(),
        reason: order.reason.clone(),
        failure: order.failure.clone(),
        certificate: issued,
        tracking_path: scope.map(|_| format!("/track/{}", order.tracking_token)),
        created_by: order.created_by_email.clone(),
        created_at: order.created_at,
        actions,
        invitations,
    })
}

fn dcv_view(d: &DcvRow, profile: Profile) -> DcvView {
    let method = DcvMethod::parse(&d.method).unwrap_or(DcvMethod::Dns);
    DcvView {
        name: d.name.clone(),
        method,
        status: DcvStatus::parse(&d.status).unwrap_or(DcvStatus::Pending),
        http_url: dcv::http_url(&d.name, &d.file),
        token: d.token.clone(),
        dns_name: dcv::dns_name(&d.name),
        email_to: d.email_to.clone(),
        email_choices: email_choices(profile, &d.name),
        checks: d.checks,
        last_checked_at: d.last_checked_at,
        last_error: d.last_error.clone(),
        validated_at: d.validated_at,
        reused: d.reused,
    }
}

pub async fn list(
    state: &AppState,
    scope: &Scope,
    status: Option<OrderStatus>,
    page: usize,
) -> AppResult<Page<OrderSummary>> {
    let page = page.clamp(1, 100_000);
    let (rows, total) = state
        .store()
        .orders(&scope.store_scope(), status.map(|s| s.as_str()), (page - 1) * PAGE_SIZE, PAGE_SIZE)
        .await?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(|r| OrderSummary {
                id: key_of(&r.id),
                number: r.number,
                status: OrderStatus::parse(&r.status).unwrap_or(OrderStatus::Draft),
                client_name: r.client_name,
                product_name: r.product_name,
                names: r.names,
                created_at: r.created_at,
                created_by: r.created_by_email,
            })
            .collect(),
        total,
        page,
        per_page: PAGE_SIZE,
    })
}

/// Submits the CSR of a draft ("skip and submit later").
pub async fn submit_csr(state: &AppState, scope: &Scope, id: &str, csr_text: &str) -> AppResult<OrderView> {
    let order = load(state, &scope.store_scope(), id).await?;
    let by = CsrSubmitter { actor: &scope.actor.email, how: None, invitation: None };
    match attach_csr(state, &order, csr_text, by).await? {
        CsrOutcome::Attached(_) => view(state, scope, id).await,
        CsrOutcome::Rejected(report) => Err(AppError::field("csr", report.failures().join(" "))),
        CsrOutcome::NotDraft | CsrOutcome::InvitationGone => {
            Err(AppError::Conflict("This order has its CSR already.".into()))
        }
    }
}

/// Who hands in the CSR of a draft order.
pub(super) struct CsrSubmitter<'a> {
    /// The name in the order's history.
    pub actor: &'a str,
    /// Said after the key in the history line ("submitted through the invitation link by …").
    pub how: Option<String>,
    /// The invitation link this submission uses up.
    pub invitation: Option<&'a RecordId>,
}

pub(super) enum CsrOutcome {
    /// Attached; the order moved on (approval, validation, issuance).
    Attached(CsrReport),
    /// A check failed; nothing changed.
    Rejected(CsrReport),
    /// The order does not wait for its CSR (any more).
    NotDraft,
    /// The invitation link was used or expired meanwhile.
    InvitationGone,
}

/// The CSR step of a stored order, whoever hands the CSR in: the same checks as when ordering (the order's
/// names, the product's key policy, the organisation's data, key reuse), then the CSR is attached and the order
/// continues exactly as if it had been given at ordering.
pub(super) async fn attach_csr(
    state: &AppState,
    order: &OrderRow,
    csr_text: &str,
    by: CsrSubmitter<'_>,
) -> AppResult<CsrOutcome> {
    if order.status != OrderStatus::Draft.as_str() {
        return Ok(CsrOutcome::NotDraft);
    }
    let id = key_of(&order.id);
    let issuer = key_of(&order.issuer);
    let product = state.store().product(&key_of(&order.product)).await?.map(product_of).ok_or(AppError::Internal)?;
    let parties: OrderParties = serde_json::from_str(&order.parties).unwrap_or_default();
    let (report, parsed) =
        inspect_csr(state, &issuer, &product, &order.names, &parties.organisation, csr_text, Some(&id)).await?;
    let parsed = match parsed {
        Some(p) if report.accepted => p,
        _ => return Ok(CsrOutcome::Rejected(report)),
    };
    let next = if order.approved { OrderStatus::AwaitingValidation } else { OrderStatus::PendingApproval };
    let detail = match &by.how {
        Some(how) => format!("{}, {how}", report.key),
        None => report.key.clone(),
    };
    let attachment = CsrAttachment {
        csr_pem: parsed.pem(),
        csr_report: serde_json::to_string(&report).ok(),
        key_fingerprint: parsed.key_fingerprint.clone(),
        status: next.as_str().into(),
        actor: by.actor.to_string(),
        detail,
        now: state.now(),
    };
    match state.store().attach_csr(&order.id, attachment, by.invitation).await? {
        Attached::Yes => {}
        Attached::NotDraft => return Ok(CsrOutcome::NotDraft),
        Attached::InvitationGone => return Ok(CsrOutcome::InvitationGone),
    }
    if next == OrderStatus::PendingApproval {
        notify_approvers(state, &issuer, &id, &order.number).await?;
    }
    advance(state, &OrderScope { issuer, client: None }, &id).await?;
    Ok(CsrOutcome::Attached(report))
}

/// Changes how one name is validated (until issuance).
pub async fn set_dcv(state: &AppState, scope: &Scope, id: &str, choice: DcvChoice) -> AppResult<OrderView> {
    let order = load(state, &scope.store_scope(), id).await?;
    if !OrderStatus::parse(&order.status).is_some_and(|s| s.open()) {
        return Err(AppError::Conflict(
            "The validation method can change only until the certificate is issued.".into(),
        ));
    }
    let product = state.store().product(&key_of(&order.product)).await?.map(product_of).ok_or(AppError::Internal)?;
    let dcvs = state.store().dcvs_of_order(&order.id).await?;
    let d = dcvs.iter().find(|d| d.name == choice.name).ok_or(AppError::NotFound)?;
    if d.status == "valid" {
        return Err(AppError::Conflict(format!("{} is validated already.", d.name)));
    }
    let email_to = dcv_choice(product.profile, &order.names, &d.name, choice.method, &choice.mailbox)?;
    let sent_at = d.email_expires_at.map(|e| e - Duration::hours(EMAIL_LINK_HOURS));
    if choice.method == DcvMethod::Email && sent_at.is_some_and(|t| state.now() - t < Duration::minutes(10)) {
        return Err(AppError::Conflict(format!(
            "An approval e-mail for {} went out less than 10 minutes ago; wait a little before sending another.",
            d.name
        )));
    }
    state.store().set_dcv_method(&d.id, choice.method.as_str(), email_to.clone()).await?;
    let detail = match &email_to {
        Some(to) => format!("{}: {} to {to}", d.name, choice.method.label()),
        None => format!("{}: {}", d.name, choice.method.label()),
    };
    state.store().add_order_event(&order.id, state.now(), &scope.actor.email, "dcv.method", &detail).await?;
    if choice.method == DcvMethod::Email {
        send_email_validations(state, &order.id, &order.number, &order.client_name, Some(&d.name)).await?;
    }
    view(state, scope, id).await
}

/// "Check now": runs the HTTP and DNS checks of the order's pending names, then issues if all are done.
pub async fn check_dcv(state: &AppState, scope: &Scope, id: &str) -> AppResult<OrderView> {
    let order = load(state, &scope.store_scope(), id).await?;
    if !OrderStatus::parse(&order.status).is_some_and(|s| s.open()) {
        return view(state, scope, id).await;
    }
    run_checks(state, &order).await?;
    advance(state, &scope.store_scope(), id).await?;
    view(state, scope, id).await
}

async fn run_checks(state: &AppState, order: &OrderRow) -> AppResult<()> {
    for d in state.store().dcvs_of_order(&order.id).await? {
        if d.status == "valid" || d.method == "email" {
            continue;
        }
        let method = DcvMethod::parse(&d.method).unwrap_or(DcvMethod::Dns);
        let outcome = dcv::check(state, method, &d.name, &d.file, &d.token).await;
        let ok = outcome.is_ok();
        state.store().record_dcv_check(&d.id, state.now(), outcome).await?;
        if ok {
            state
                .store()
                .add_order_event(
                    &order.id,
                    state.now(),
                    "Signet",
                    "dcv.valid",
                    &format!("{} by {}", d.name, method.label()),
                )
                .await?;
        }
    }
    Ok(())
}

/// The background re-check of pending HTTP and DNS validations.
pub async fn recheck_pending(state: &AppState) -> AppResult<usize> {
    let pending = state.store().pending_dcvs(50).await?;
    let mut seen: Vec<RecordId> = Vec::new();
    for (order, issuer, client) in pending {
        if seen.contains(&order) {
            continue;
        }
        seen.push(order.clone());
        let scope = OrderScope { issuer: key_of(&issuer), client: Some(client) };
        if let Some(row) = state.store().order(&scope, &key_of(&order)).await? {
            run_checks(state, &row).await?;
            advance(state, &scope, &key_of(&order)).await?;
        }
    }
    Ok(seen.len())
}

pub async fn approve(state: &AppState, scope: &Scope, id: &str) -> AppResult<OrderView> {
    if !scope.can_approve {
        return Err(AppError::NotFound);
    }
    let order = load(state, &scope.store_scope(), id).await?;
    if !state.store().set_order_status(&order.id, &["pending_approval"], "awaiting_validation", state.now()).await? {
        return Err(AppError::Conflict("This order is not waiting for approval.".into()));
    }
    state
        .store()
        .set_order_fields(
            &order.id,
            OrderUpdate {
                approved: Some(true),
                approved_by: Some(scope.actor.email.clone()),
                now: Some(state.now()),
                ..Default::default()
            },
        )
        .await?;
    state.store().add_order_event(&order.id, state.now(), &scope.actor.email, "approved", "").await?;
    audit::record(state, &scope.actor, Some(&scope.issuer), "order.approve", &order.number, "").await?;
    advance(state, &scope.store_scope(), id).await?;
    view(state, scope, id).await
}

pub async fn reject(state: &AppState, scope: &Scope, id: &str, reason: &str) -> AppResult<OrderView> {
    if !scope.can_approve {
        return Err(AppError::NotFound);
    }
    close(state, scope, id, reason, &["pending_approval"], OrderStatus::Rejected).await
}

pub async fn cancel(state: &AppState, scope: &Scope, id: &str, reason: &str) -> AppResult<OrderView> {
    close(state, scope, id, reason, &["draft", "pending_approval", "awaiting_validation"], OrderStatus::Cancelled).await
}

async fn close(
    state: &AppState,
    scope: &Scope,
    id: &str,
    reason: &str,
    from: &[&str],
    to: OrderStatus,
) -> AppResult<OrderView> {
    Checks::new().check("reason", validate::required(reason, "reason", 500)).finish()?;
    let order = load(state, &scope.store_scope(), id).await?;
    if !state.store().set_order_status(&order.id, from, to.as_str(), state.now()).await? {
        return Err(AppError::Conflict(format!("This order can no longer be {}.", to.label().to_lowercase())));
    }
    state
        .store()
        .set_order_fields(
            &order.id,
            OrderUpdate { reason: Some(reason.trim().into()), now: Some(state.now()), ..Default::default() },
        )
        .await?;
    state.store().add_order_event(&order.id, state.now(), &scope.actor.email, to.as_str(), reason.trim()).await?;
    audit::record(
        state,
        &scope.actor,
        Some(&scope.issuer),
        &format!("order.{}", to.as_str()),
        &order.number,
        reason.trim(),
    )
    .await?;
    view(state, scope, id).await
}

/// What the e-mailed validation link is about (the page shows it before the recipient confirms).
pub async fn email_dcv_info(state: &AppState, token: &str) -> AppResult<EmailDcvInfo> {
    let d = state.store().dcv_by_email_token(&secrets::token_hash(token)).await?.ok_or(AppError::NotFound)?;
    let order = state.store().order_by_id_any(&d.cert_order).await?.ok_or(AppError::NotFound)?;
    let state_label = if d.status == "valid" {
        "valid"
    } else if d.email_expires_at.is_none_or(|e| e <= state.now())
        || !OrderStatus::parse(&order.status).is_some_and(|s| s.open())
    {
        "expired"
    } else {
        "pending"
    };
    Ok(EmailDcvInfo {
        domain: d.name,
        order_number: order.number,
        organisation: order.client_name,
        names: order.names,
        sent_to: d.email_to.unwrap_or_default(),
        state: state_label.into(),
    })
}

/// The recipient confirms: the name is validated, and the order issues if it was the last one.
pub async fn confirm_email_dcv(state: &AppState, token: &str) -> AppResult<EmailDcvInfo> {
    let info = email_dcv_info(state, token).await?;
    if info.state != "pending" {
        return Ok(info);
    }
    let d = state.store().dcv_by_email_token(&secrets::token_hash(token)).await?.ok_or(AppError::NotFound)?;
    state.store().record_dcv_check(&d.id, state.now(), Ok(())).await?;
    let order = state.store().order_by_id_any(&d.cert_order).await?.ok_or(AppError::NotFound)?;
    state
        .store()
        .add_order_event(&order.id, state.now(), &info.sent_to, "dcv.valid", &format!("{} by e-mail", info.domain))
        .await?;
    let scope = OrderScope { issuer: key_of(&order.issuer), client: None };
    advance(state, &scope, &key_of(&order.id)).await?;
    email_dcv_info(state, token).await
}

/// A certificate download for someone who may see the order.
pub async fn download(
    state: &AppState,
    scope: &Scope,
    certificate: &str,
    format: ca::Format,
) -> AppResult<(Vec<u8>, String)> {
    let cert = state.store().certificate(&scope.issuer, certificate).await?.ok_or(AppError::NotFound)?;
    if scope.client.as_ref().is_some_and(|c| *c != key_of(&cert.client)) {
        return Err(AppError::NotFound);
    }
    let der = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.decode(&cert.der).map_err(|_| AppError::Internal)?
    };
    let bytes = ca::render(state, &cert.ca, &der, format).await?;
    let base = cert.names.first().map(|n| n.replace('*', "wildcard")).unwrap_or_else(|| "certificate".into());
    Ok((bytes, format.file_name(&base)))
}

pub fn now_str(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

use crate::model::validate;
