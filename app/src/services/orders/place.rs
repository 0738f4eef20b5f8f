//! Placing an order, from the wizard or the REST API: the inputs read together, the checks (product, validity,
//! organisation, contacts, CSR), the validations it starts or reuses, and the write. An order the lifecycle
//! finds ready as it is placed (the common case for scripts and renewals) is signed first and written with its
//! certificate in one shared transaction; any other is stored and goes the stepwise way.

use super::super::{audit, ca, dcv, mail, secrets, AppState};
use super::commands::notify_approvers;
use super::lifecycle::{self, Validation};
use super::names::{likely_names, parse_names, reuse_queries};
use super::{product_of, view, Scope};
use crate::error::{AppError, AppResult, Checks};
use crate::model::validate;
use crate::model::*;
use crate::pki::csr::{self, Expectations};
use crate::store::{
    latest_validations, AcmeAccountId, ClientId, DcvId, IssuedOrder, IssuerId, NewAudit, NewDcv, NewOrder, OrderId,
    ProductId, ProductRow, ReuseLookup, ReuseQuery, Shown,
};
use chrono::{DateTime, Datelike, Utc};

fn check_contact(checks: &mut Checks, field: &str, c: &Contact) {
    checks
        .check(&format!("{field}_name"), validate::required(&c.name, "name", 200))
        .check(&format!("{field}_email"), validate::email(&validate::normalize_email(&c.email)));
}

/// The CSR checks for an order being placed (the wizard's CSR step) or a CSR submitted later.
pub async fn inspect_csr(
    state: &AppState,
    issuer: &IssuerId,
    product: &Product,
    names: &[String],
    organisation: &Organisation,
    csr_text: &str,
    order: Option<&OrderId>,
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
pub(super) fn csr_report(
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
    active_product_of(state.store().product(&ProductId::new(id)).await?)
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
    let c = state.store().client(&scope.issuer, &ClientId::new(client)).await?.ok_or(AppError::NotFound)?;
    Ok(order_client_of(c))
}

/// A customer orders only for their own client; staff choose one.
fn check_client_choice(scope: &Scope, client: &str) -> AppResult<()> {
    if scope.client.as_ref().is_some_and(|c| !c.is(client)) {
        return Err(AppError::NotFound);
    }
    if client.trim().is_empty() {
        return Err(AppError::field("client_id", "Choose the organisation."));
    }
    Ok(())
}

pub(super) fn order_client_of(c: crate::model::Client) -> OrderClient {
    OrderClient {
        id: c.id,
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

/// What placing an order read before it checks anything.
struct Inputs {
    product: Product,
    /// As read, for the answer of an order issued as it is placed.
    product_row: ProductRow,
    client: OrderClient,
    issuer: crate::model::Issuer,
    /// The number of an earlier order of this issuer with the CSR's public key.
    key_seen_in: Option<String>,
    /// The client's validations of `likely_reuse`'s names (see `ReuseLookup`).
    validations: Vec<Vec<DateTime<Utc>>>,
    likely_reuse: Vec<ReuseQuery>,
}

/// Places an order. With a CSR that fails a check nothing is stored and the checks say why.
pub async fn create(state: &AppState, scope: &Scope, input: OrderInput) -> AppResult<OrderView> {
    create_as(state, scope, input, Placement::default()).await
}

/// How an order comes about beyond what a person fills in.
#[derive(Default, Clone, Copy)]
pub(in crate::services) struct Placement<'a> {
    /// Placed over ACME by this account.
    pub acme_account: Option<&'a str>,
    /// A reissue: the certificate keeps this expiry (the original's) instead of counting its validity.
    pub not_after: Option<DateTime<Utc>>,
}

/// Places an order as `placement` says (for an ACME account, or as a reissue with a fixed expiry).
pub(in crate::services) async fn create_as(
    state: &AppState,
    scope: &Scope,
    input: OrderInput,
    placement: Placement<'_>,
) -> AppResult<OrderView> {
    match place(state, scope, input, placement).await? {
        PlacedOrder::Issued(view) => Ok(view),
        PlacedOrder::Stepwise(id) => view::view(state, scope, &id).await,
    }
}

/// What placing an order came to.
pub(in crate::services) enum PlacedOrder {
    /// Issued as it was placed, with its page built from what was written.
    Issued(OrderView),
    /// Stored to go on step by step (a CSR, validations or an approval to come): its id.
    Stepwise(String),
}

impl PlacedOrder {
    pub(in crate::services) fn id(&self) -> &str {
        match self {
            PlacedOrder::Issued(view) => &view.id,
            PlacedOrder::Stepwise(id) => id,
        }
    }
}

/// `create_as` without the page of an order that was not issued, for callers that read it their own way
/// (ACME answers with its own order object).
pub(in crate::services) async fn place(
    state: &AppState,
    scope: &Scope,
    mut input: OrderInput,
    placement: Placement<'_>,
) -> AppResult<PlacedOrder> {
    check_client_choice(scope, &input.client_id)?;
    // The CSR is parsed first so that the lookup of its public key joins the one read of the order's inputs.
    let parsed_csr = (!input.csr.trim().is_empty()).then(|| csr::parse(input.csr.as_bytes()));
    let fingerprint = parsed_csr.as_ref().and_then(|p| p.as_ref().ok()).map(|p| p.key_fingerprint.as_str());
    let now = state.now();
    let reuse_since = lifecycle::oldest_allowed(now);
    let inputs = read_inputs(state, scope, &mut input, fingerprint, reuse_since).await?;
    let names = parse_names(&input.names, &inputs.product)?;
    check_order(&inputs, &input, now)?;
    let choices = dcv_choices(&inputs.product, &names, &input)?;
    let (report, parsed) = match parsed_csr {
        None => (None, None),
        Some(parsed) => {
            let report =
                csr_report(&parsed, inputs.key_seen_in.clone(), &inputs.product, &names, organisation(&inputs));
            if !report.accepted {
                return Err(AppError::field("csr", report.failures().join(" ")));
            }
            (Some(report), parsed.ok())
        }
    };

    let needs_approval = inputs.issuer.approval_mode && !scope.can_approve && !inputs.product.auto_approve;
    let status = match (&parsed, needs_approval) {
        (None, _) => OrderStatus::Draft,
        (Some(_), true) => OrderStatus::PendingApproval,
        (Some(_), false) => OrderStatus::AwaitingValidation,
    };
    let n = state.store().next_order_number(&scope.issuer, now.year()).await?;
    let number = format!("{}-{}-{n:05}", inputs.issuer.slug.to_uppercase(), now.year());
    let parties = OrderParties {
        organisation: inputs.client.organisation.clone(),
        corporate: tidy(&input.corporate),
        technical: tidy(&input.technical),
    };
    let earlier = earlier_validations(state, &inputs, &names, reuse_since).await?;
    let order_id = OrderId::fresh();
    let dcvs = new_dcvs(scope, &inputs, &order_id, choices, earlier);
    let order = NewOrder {
        issuer: scope.issuer.clone(),
        client: ClientId::new(&inputs.client.id),
        product: ProductId::new(&inputs.product.id),
        number: number.clone(),
        validity_days: i64::from(input.validity_days),
        names: names.clone(),
        status,
        parties,
        csr_pem: parsed.as_ref().map(|p| p.pem()),
        csr_report: report.as_ref().and_then(|r| serde_json::to_string(r).ok()),
        key_fingerprint: parsed.as_ref().map(|p| p.key_fingerprint.clone()),
        approved: !needs_approval,
        approved_by: None,
        created_by: scope.user_id.clone(),
        created_by_email: scope.actor.email.clone(),
        created_at: now,
        updated_at: now,
        acme_account: placement.acme_account.map(AcmeAccountId::new),
        notify: parse_notify(&input.notify).unwrap_or_default(),
        not_after: placement.not_after,
    };
    let placed = Placed {
        id: order_id,
        created: format!("{} for {}", inputs.product.name, names.join(", ")),
        audit: audit::entry(state, &scope.actor, Some(&scope.issuer), None, "order.create", &number, names.join(", ")),
        order,
        dcvs,
    };

    // The one decision, asked before anything is stored; the write follows from its answer.
    let validations: Vec<Validation> = placed.dcvs.iter().map(Validation::from).collect();
    if let (true, Some(csr)) = (lifecycle::ready_to_issue(Some(status), &validations, now), &parsed) {
        if let Some(view) = place_issued(state, scope, &placed, &inputs, csr).await? {
            return Ok(PlacedOrder::Issued(view));
        }
    }
    place_stepwise(state, scope, placed, status, &inputs.client.organisation.name).await.map(PlacedOrder::Stepwise)
}

/// What placing writes, whichever way.
struct Placed {
    id: OrderId,
    order: NewOrder,
    dcvs: Vec<NewDcv>,
    /// The history line ("DV for shop.example, …").
    created: String,
    audit: NewAudit,
}

/// Reads the order's inputs in one shared read, and fills in contacts left empty.
async fn read_inputs(
    state: &AppState,
    scope: &Scope,
    input: &mut OrderInput,
    fingerprint: Option<&str>,
    reuse_since: DateTime<Utc>,
) -> AppResult<Inputs> {
    // The earlier validations are looked up in the same read, for the names as they will most likely be
    // parsed; if the product's rules parse them otherwise, they are looked up again (`earlier_validations`).
    let likely_reuse = reuse_queries(&likely_names(&input.names));
    let lookup = ReuseLookup { names: &likely_reuse, since: reuse_since };
    let inputs = state
        .store()
        .order_inputs(
            &scope.issuer,
            &ProductId::new(&input.product_id),
            &ClientId::new(&input.client_id),
            fingerprint,
            &lookup,
        )
        .await?;
    let product_row = inputs.product.clone();
    let product = active_product_of(inputs.product)?;
    let client = order_client_of(inputs.client.ok_or(AppError::NotFound)?);
    let issuer = inputs.issuer.ok_or(AppError::NotFound)?;
    // Contacts left empty are the client's contact person (the REST API documents this default).
    for contact in [&mut input.corporate, &mut input.technical] {
        if contact.name.trim().is_empty() && contact.email.trim().is_empty() {
            *contact = client.contact.clone();
        }
    }
    Ok(Inputs {
        product,
        // An active product was read, so the row is there.
        product_row: product_row.ok_or(AppError::Internal)?,
        client,
        issuer,
        key_seen_in: inputs.key_seen_in,
        validations: inputs.validations,
        likely_reuse,
    })
}

fn organisation(inputs: &Inputs) -> &Organisation {
    &inputs.client.organisation
}

/// The checks of the order's validity, organisation and contacts against the product.
fn check_order(inputs: &Inputs, input: &OrderInput, now: DateTime<Utc>) -> AppResult<()> {
    let product = &inputs.product;
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
        let org = organisation(inputs);
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
    checks.check("notify", parse_notify(&input.notify).err());
    checks.finish()
}

/// The validation method (and e-mail address) of each validation target, as chosen or by default.
fn dcv_choices(
    product: &Product,
    names: &[String],
    input: &OrderInput,
) -> AppResult<Vec<(String, DcvMethod, Option<String>)>> {
    let mut choices = Vec::new();
    for t in validation_targets(names) {
        let chosen = input.dcv.iter().find(|c| c.name == t || authorization_domain(&c.name) == t);
        let (method, mailbox) = match chosen {
            Some(c) => (c.method, c.mailbox.as_str()),
            None if !product.profile.is_server() => (DcvMethod::Email, ""),
            None => (input.default_dcv, ""),
        };
        let email_to = dcv::dcv_choice(product.profile, names, &t, method, mailbox)?;
        choices.push((t, method, email_to));
    }
    Ok(choices)
}

/// For each validation target, when the client last validated it within the reuse period.
async fn earlier_validations(
    state: &AppState,
    inputs: &Inputs,
    names: &[String],
    since: DateTime<Utc>,
) -> AppResult<Vec<Option<DateTime<Utc>>>> {
    let reuse = reuse_queries(names);
    if reuse == inputs.likely_reuse {
        return Ok(latest_validations(inputs.validations.clone()));
    }
    let lookup = ReuseLookup { names: &reuse, since };
    Ok(state.store().recent_validations(&ClientId::new(&inputs.client.id), &lookup).await?)
}

/// The order's validations: reused where the client validated the target recently, pending otherwise.
fn new_dcvs(
    scope: &Scope,
    inputs: &Inputs,
    order_id: &OrderId,
    choices: Vec<(String, DcvMethod, Option<String>)>,
    earlier: Vec<Option<DateTime<Utc>>>,
) -> Vec<NewDcv> {
    choices
        .into_iter()
        .zip(earlier)
        .map(|((target, method, email_to), earlier)| {
            let reused = earlier.is_some();
            NewDcv {
                id: DcvId::fresh(),
                cert_order: order_id.clone(),
                issuer: scope.issuer.clone(),
                client: ClientId::new(&inputs.client.id),
                name: target,
                method,
                token: secrets::random_token(),
                file: short_token(),
                status: if reused { DcvStatus::Valid } else { DcvStatus::Pending },
                validated_at: earlier,
                reused,
                email_to,
            }
        })
        .collect()
}

/// Signs the order and writes it with its certificate in one shared transaction (`create_issued_order`).
/// `None` when the CA refuses to sign: the order then goes the stepwise way, which records why.
async fn place_issued(
    state: &AppState,
    scope: &Scope,
    placed: &Placed,
    inputs: &Inputs,
    csr: &csr::ParsedCsr,
) -> AppResult<Option<OrderView>> {
    let order = &placed.order;
    let facts = ca::ToSign {
        id: &placed.id,
        issuer: &order.issuer,
        client: &order.client,
        number: &order.number,
        names: &order.names,
        validity_days: order.validity_days,
        not_after: order.not_after,
        parties: &order.parties,
        product: &inputs.product,
        csr,
    };
    let Ok(ca::Signed { issuance, ca_slug }) = ca::sign_order(state, &facts).await? else {
        return Ok(None);
    };
    let has_mail = issuance.mail.is_some();
    let issued = IssuedOrder {
        id: placed.id.clone(),
        order: NewOrder { status: OrderStatus::Issued, ..order.clone() },
        dcv: placed.dcvs.clone(),
        created: (scope.actor.email.clone(), placed.created.clone()),
        audit: placed.audit.clone(),
        issuance,
    };
    let shown =
        Shown { product: inputs.product_row.clone(), client_name: inputs.client.organisation.name.clone(), ca_slug };
    let details = state.store().create_issued_order(issued, shown).await?;
    if has_mail {
        mail::wake(state);
    }
    view::build_view(state, details, Some(scope)).map(Some)
}

/// Stores the order as placed, starts its e-mail validations and asks for approval where needed; then the
/// lifecycle decides on the stored order (it may be signed after all, or record why not). Answers its id.
async fn place_stepwise(
    state: &AppState,
    scope: &Scope,
    placed: Placed,
    status: OrderStatus,
    organisation: &str,
) -> AppResult<String> {
    let Placed { id: order_id, order, dcvs, created, audit, .. } = placed;
    let id = order_id.key().to_string();
    let number = order.number.clone();
    // What follows reads the stored order again only where it can change something: an e-mail validation to
    // start, an order that awaits validation (a draft waits for its CSR, an order for its approval).
    let emails = dcvs.iter().any(|d| d.method == DcvMethod::Email && d.status != DcvStatus::Valid);
    state.store().create_order(&order_id, order, dcvs, (&scope.actor.email, &created), audit).await?;
    if emails {
        dcv::send_email_validations(state, &order_id, &number, organisation, None).await?;
    }
    if status == OrderStatus::PendingApproval {
        notify_approvers(state, &scope.issuer, &id, &number).await?;
    }
    if status == OrderStatus::AwaitingValidation {
        lifecycle::advance(state, &scope.store_scope(), &id).await?;
    }
    Ok(id)
}

fn tidy(c: &Contact) -> Contact {
    Contact { name: c.name.trim().into(), email: validate::normalize_email(&c.email), phone: c.phone.trim().into() }
}

fn short_token() -> String {
    secrets::random_token().chars().filter(|c| c.is_ascii_alphanumeric()).take(24).collect::<String>().to_lowercase()
}
