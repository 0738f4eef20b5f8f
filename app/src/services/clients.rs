//! Clients of an issuer and their domains (steps 1 and 2 of the SafeSigned wizard).

use super::{audit, newsletters, seals, Actor, AppState};
use crate::error::{AppError, AppResult, Checks};
use crate::model::{validate, Client, ClientDetail, ClientInput, ClientSummary, Domain, Page};
use crate::store::{is_duplicate, ClientId, DomainId, DomainRow, IssuerId};

pub const CLIENTS_PER_PAGE: usize = 25;

impl From<DomainRow> for Domain {
    fn from(r: DomainRow) -> Self {
        Domain { id: r.id.key().to_string(), display: display_host(&r.host), host: r.host, description: r.description }
    }
}

/// The Unicode form of a stored (ASCII) host name, for people to read.
pub fn display_host(host: &str) -> String {
    let (unicode, result) = idna::domain_to_unicode(host);
    if result.is_ok() {
        unicode
    } else {
        host.to_string()
    }
}

/// The ASCII form of a domain as typed: lower case, punycode for international names, no trailing dot.
pub fn normalize_host(input: &str) -> AppResult<String> {
    if let Some(problem) = validate::domain(input) {
        return Err(AppError::field("host", problem));
    }
    let trimmed = input.trim().trim_end_matches('.');
    let ascii = idna::domain_to_ascii(trimmed)
        .map_err(|_| AppError::field("host", "This is not a valid domain name. Check its spelling."))?;
    if let Some(problem) = validate::host_name(&ascii) {
        return Err(AppError::field("host", problem));
    }
    Ok(ascii)
}

fn check(c: &ClientInput) -> AppResult<()> {
    Checks::new()
        .check("name", validate::required(&c.name, "company name", 200))
        .check("path", validate::client_path(&c.path))
        .check("registration_number", validate::optional_text(&c.registration_number, "registration number", 60))
        .check("address", validate::optional_text(&c.address, "address", 300))
        .check("city", validate::optional_text(&c.city, "city", 100))
        .check("postal_code", validate::optional_text(&c.postal_code, "postal code", 20))
        .check("country", validate::optional_text(&c.country, "country", 100))
        .check("industry", validate::optional_text(&c.industry, "industry", 100))
        .check("contact_person", validate::optional_text(&c.contact_person, "contact person", 200))
        .check("email", validate::optional_email(&c.email))
        .check("phone", validate::phone(&c.phone))
        .finish()
}

fn path_taken(e: surrealdb::Error) -> AppError {
    if is_duplicate(&e) {
        AppError::field("path", "Another client of yours already uses this verified page path.")
    } else {
        AppError::from(e)
    }
}

pub async fn create(state: &AppState, actor: &Actor, issuer: &IssuerId, mut c: ClientInput) -> AppResult<Client> {
    check(&c)?;
    c.industry = newsletters::listed_industry(state, issuer, &c.industry, None).await?;
    if state.store().client_by_path(issuer, c.path.trim()).await?.is_some() {
        return Err(AppError::field("path", "Another client of yours already uses this verified page path."));
    }
    let row = state.store().create_client(issuer, &c, state.now()).await.map_err(path_taken)?;
    let client = Client::from(row);
    audit::record_about(state, actor, Some(issuer), Some(&client.id), "client.create", &client.name, &client.path)
        .await?;
    Ok(client)
}

pub async fn update(
    state: &AppState,
    actor: &Actor,
    issuer: &IssuerId,
    id: &str,
    mut c: ClientInput,
) -> AppResult<Client> {
    check(&c)?;
    let before = get(state, issuer, id).await?;
    c.industry = newsletters::listed_industry(state, issuer, &c.industry, Some(&before.industry)).await?;
    if let Some(other) = state.store().client_by_path(issuer, c.path.trim()).await? {
        if other.id != id {
            return Err(AppError::field("path", "Another client of yours already uses this verified page path."));
        }
    }
    state.store().update_client(issuer, &ClientId::new(id), &c).await.map_err(path_taken)?;
    let after = get(state, issuer, id).await?;
    let detail = describe_changes(&ClientInput::from(&before), &ClientInput::from(&after));
    audit::record_about(state, actor, Some(issuer), Some(id), "client.update", &after.name, detail).await?;
    state.invalidate_seal_cache();
    Ok(after)
}

fn describe_changes(a: &ClientInput, b: &ClientInput) -> String {
    let fields = [
        ("name", &a.name, &b.name),
        ("verified page path", &a.path, &b.path),
        ("registration number", &a.registration_number, &b.registration_number),
        ("address", &a.address, &b.address),
        ("city", &a.city, &b.city),
        ("postal code", &a.postal_code, &b.postal_code),
        ("country", &a.country, &b.country),
        ("industry", &a.industry, &b.industry),
        ("contact person", &a.contact_person, &b.contact_person),
        ("e-mail", &a.email, &b.email),
        ("phone", &a.phone, &b.phone),
    ];
    let changed: Vec<String> = fields.iter().filter(|(_, x, y)| x != y).map(|(n, _, y)| format!("{n}: {y}")).collect();
    if changed.is_empty() {
        "no change".into()
    } else {
        changed.join("; ")
    }
}

pub async fn get(state: &AppState, issuer: &IssuerId, id: &str) -> AppResult<Client> {
    Ok(state.store().client(issuer, &ClientId::new(id)).await?.ok_or(AppError::NotFound)?.into())
}

/// The domains registered for one of the issuer's clients.
pub async fn domains(state: &AppState, issuer: &IssuerId, client: &str) -> AppResult<Vec<Domain>> {
    get(state, issuer, client).await?;
    Ok(state.store().domains_of_client(issuer, &ClientId::new(client)).await?.into_iter().map(Domain::from).collect())
}

pub async fn list(state: &AppState, issuer: &IssuerId, search: &str, page: usize) -> AppResult<Page<ClientSummary>> {
    let page = page.max(1);
    let search = search.trim().to_lowercase();
    let (rows, total) =
        state.store().list_clients(issuer, &search, (page - 1) * CLIENTS_PER_PAGE, CLIENTS_PER_PAGE).await?;
    let items = rows
        .into_iter()
        .map(|r| ClientSummary {
            id: r.id.key().to_string(),
            name: r.name,
            path: r.path,
            city: r.city,
            email: r.email,
            domains: r.domains.max(0) as usize,
            seals: r.seals.max(0) as usize,
            created_at: r.created_at,
        })
        .collect();
    Ok(Page { items, total, page, per_page: CLIENTS_PER_PAGE })
}

pub async fn detail(state: &AppState, issuer: &IssuerId, id: &str) -> AppResult<ClientDetail> {
    let client = get(state, issuer, id).await?;
    let store = state.store();
    let domains = store.domains_of_client(issuer, &ClientId::new(id)).await?.into_iter().map(Domain::from).collect();
    let today = state.now().date_naive();
    let seals = store
        .seals_of_client(&issuer, &ClientId::new(id))
        .await?
        .into_iter()
        .map(|r| seals::to_model(r, today))
        .collect();
    let copy_attempts = store
        .copy_attempts(issuer, Some(&ClientId::new(id)), 200)
        .await?
        .into_iter()
        .map(seals::copy_attempt_model)
        .collect();
    let activity = store.audit_about(issuer, id, 100).await?;
    let issuer_row = store.issuer_by_id(issuer).await?.ok_or(AppError::NotFound)?;
    let verified_url = super::seal_pages::verified_url(state, &issuer_row.slug, &client.path);
    Ok(ClientDetail { client, domains, seals, copy_attempts, activity, verified_url })
}

/// Step 2: adds one domain of a client.
pub async fn add_domain(
    state: &AppState,
    actor: &Actor,
    issuer: &IssuerId,
    client: &str,
    host: &str,
    description: &str,
) -> AppResult<Domain> {
    let c = get(state, issuer, client).await?;
    let host = normalize_host(host)?;
    Checks::new().check("description", validate::optional_text(description, "description", 500)).finish()?;
    ensure_host_free(state, issuer, &host, None).await?;
    state.store().create_domain(issuer, &ClientId::new(client), &host, description.trim(), state.now()).await.map_err(
        |e| {
            if is_duplicate(&e) {
                AppError::field("host", format!("{} is already registered.", display_host(&host)))
            } else {
                AppError::from(e)
            }
        },
    )?;
    audit::record_about(state, actor, Some(issuer), Some(client), "domain.add", &c.name, display_host(&host)).await?;
    state.invalidate_seal_cache();
    let (row, _) = state.store().domain_by_host(issuer, &host).await?.ok_or(AppError::Internal)?;
    Ok(row.into())
}

async fn ensure_host_free(state: &AppState, issuer: &IssuerId, host: &str, except: Option<&str>) -> AppResult<()> {
    if let Some((row, owner)) = state.store().domain_by_host(issuer, host).await? {
        if Some(row.id.key()) != except {
            return Err(AppError::field(
                "host",
                format!("{} is already registered for the client {owner}.", display_host(host)),
            ));
        }
    }
    Ok(())
}

pub async fn update_domain(
    state: &AppState,
    actor: &Actor,
    issuer: &IssuerId,
    domain: &str,
    host: &str,
    description: &str,
) -> AppResult<()> {
    let before = state.store().domain(issuer, &DomainId::new(domain)).await?.ok_or(AppError::NotFound)?;
    let host = normalize_host(host)?;
    Checks::new().check("description", validate::optional_text(description, "description", 500)).finish()?;
    ensure_host_free(state, issuer, &host, Some(domain)).await?;
    state.store().update_domain(issuer, &DomainId::new(domain), &host, description.trim()).await?;
    let client = before.client.key().to_string();
    let c = get(state, issuer, &client).await?;
    let detail = format!("{} → {}", display_host(&before.host), display_host(&host));
    audit::record_about(state, actor, Some(issuer), Some(&client), "domain.update", &c.name, detail).await?;
    state.invalidate_seal_cache();
    Ok(())
}

pub async fn delete_domain(state: &AppState, actor: &Actor, issuer: &IssuerId, domain: &str) -> AppResult<()> {
    let before = state.store().domain(issuer, &DomainId::new(domain)).await?.ok_or(AppError::NotFound)?;
    state.store().delete_domain(issuer, &DomainId::new(domain)).await?;
    let client = before.client.key().to_string();
    let c = get(state, issuer, &client).await?;
    audit::record_about(
        state,
        actor,
        Some(issuer),
        Some(&client),
        "domain.delete",
        &c.name,
        display_host(&before.host),
    )
    .await?;
    state.invalidate_seal_cache();
    Ok(())
}
