//! Trust seals: the catalogue (operator writes, issuers read), clients, domains, seal certificates, the
//! dashboard figures and the copy-attempt log.

use crate::error::AppError;
use crate::model::{
    Catalog, CertTypeInput, Client, ClientDetail, ClientInput, ClientSummary, CopyAttempt, Domain, Page, Seal,
    SealDetail, SealFilter, SealInput,
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::guard::{require, Need};
#[cfg(feature = "ssr")]
use crate::services::{catalog, clients, seals};

// --- The catalogue -----------------------------------------------------------------------------------------

/// Groups and types; everybody signed in may read them (issuers see them read-only).
#[server(prefix = "/_sf", endpoint = "catalog/list")]
pub async fn load_catalog() -> Result<Catalog, AppError> {
    let ctx = require(Need::Signed).await?;
    Ok(Catalog {
        groups: catalog::groups(&ctx.state).await?,
        types: catalog::types(&ctx.state).await?,
        today: ctx.state.now().date_naive(),
    })
}

/// Creates a group (`id` empty) or changes one.
#[server(prefix = "/_sf", endpoint = "catalog/save-group")]
pub async fn save_cert_group(id: String, name: String, description: String) -> Result<(), AppError> {
    let ctx = require(Need::Operator).await?;
    catalog::save_group(&ctx.state, &ctx.actor, id.trim(), &name, &description).await
}

/// Creates a certificate type (`id` empty) or changes one.
#[server(prefix = "/_sf", endpoint = "catalog/save-type")]
pub async fn save_cert_type(id: String, cert_type: CertTypeInput) -> Result<(), AppError> {
    let ctx = require(Need::Operator).await?;
    catalog::save_type(&ctx.state, &ctx.actor, id.trim(), cert_type).await
}

// --- Clients and domains -----------------------------------------------------------------------------------

#[server(prefix = "/_sf", endpoint = "clients/list")]
pub async fn list_clients(search: String, page: usize) -> Result<Page<ClientSummary>, AppError> {
    let ctx = require(Need::IssuerMember).await?;
    clients::list(&ctx.state, &ctx.issuer_id()?, &search, page).await
}

/// Step 1 of the wizard. Without the Wasm the form post lands on the new client's domain step.
#[server(prefix = "/_sf", endpoint = "clients/create")]
pub async fn create_client(client: ClientInput) -> Result<Client, AppError> {
    let ctx = require(Need::IssuerMember).await?;
    let created = clients::create(&ctx.state, &ctx.actor, &ctx.issuer_id()?, client).await?;
    leptos_axum::redirect(&format!("/clients/new/{}/domains", created.id));
    Ok(created)
}

#[server(prefix = "/_sf", endpoint = "clients/update")]
pub async fn update_client(id: String, client: ClientInput) -> Result<Client, AppError> {
    let ctx = require(Need::IssuerMember).await?;
    clients::update(&ctx.state, &ctx.actor, &ctx.issuer_id()?, &id, client).await
}

#[server(prefix = "/_sf", endpoint = "clients/get")]
pub async fn get_client(id: String) -> Result<Client, AppError> {
    let ctx = require(Need::IssuerMember).await?;
    clients::get(&ctx.state, &ctx.issuer_id()?, &id).await
}

#[server(prefix = "/_sf", endpoint = "clients/detail")]
pub async fn load_client(id: String) -> Result<ClientDetail, AppError> {
    let ctx = require(Need::IssuerMember).await?;
    clients::detail(&ctx.state, &ctx.issuer_id()?, &id).await
}

#[server(prefix = "/_sf", endpoint = "clients/domains")]
pub async fn client_domains(client_id: String) -> Result<Vec<Domain>, AppError> {
    let ctx = require(Need::IssuerMember).await?;
    let issuer = ctx.issuer_id()?;
    clients::get(&ctx.state, &issuer, &client_id).await?;
    Ok(ctx.state.store().domains_of_client(&issuer, &client_id).await?.into_iter().map(Domain::from).collect())
}

#[server(prefix = "/_sf", endpoint = "clients/add-domain")]
pub async fn add_domain(client_id: String, host: String, description: String) -> Result<Domain, AppError> {
    let ctx = require(Need::IssuerMember).await?;
    clients::add_domain(&ctx.state, &ctx.actor, &ctx.issuer_id()?, &client_id, &host, &description).await
}

#[server(prefix = "/_sf", endpoint = "clients/update-domain")]
pub async fn update_domain(domain_id: String, host: String, description: String) -> Result<(), AppError> {
    let ctx = require(Need::IssuerMember).await?;
    clients::update_domain(&ctx.state, &ctx.actor, &ctx.issuer_id()?, &domain_id, &host, &description).await
}

#[server(prefix = "/_sf", endpoint = "clients/delete-domain")]
pub async fn delete_domain(domain_id: String) -> Result<(), AppError> {
    let ctx = require(Need::IssuerMember).await?;
    clients::delete_domain(&ctx.state, &ctx.actor, &ctx.issuer_id()?, &domain_id).await
}

// --- Seal certificates -------------------------------------------------------------------------------------

#[server(prefix = "/_sf", endpoint = "seals/create")]
pub async fn create_seal(client_id: String, seal: SealInput) -> Result<Seal, AppError> {
    let ctx = require(Need::IssuerMember).await?;
    seals::create(&ctx.state, &ctx.actor, &ctx.issuer_id()?, &client_id, seal).await
}

#[server(prefix = "/_sf", endpoint = "seals/detail")]
pub async fn load_seal(id: String) -> Result<SealDetail, AppError> {
    let ctx = require(Need::IssuerMember).await?;
    seals::detail(&ctx.state, &ctx.issuer_id()?, &id).await
}

#[server(prefix = "/_sf", endpoint = "seals/edit")]
pub async fn edit_seal(id: String, seal: SealInput) -> Result<Seal, AppError> {
    let ctx = require(Need::IssuerMember).await?;
    seals::edit(&ctx.state, &ctx.actor, &ctx.issuer_id()?, &id, seal).await
}

#[server(prefix = "/_sf", endpoint = "seals/extend")]
pub async fn extend_seal(id: String) -> Result<Seal, AppError> {
    let ctx = require(Need::IssuerMember).await?;
    seals::extend(&ctx.state, &ctx.actor, &ctx.issuer_id()?, &id).await
}

#[server(prefix = "/_sf", endpoint = "seals/invalidate")]
pub async fn invalidate_seal(id: String) -> Result<Seal, AppError> {
    let ctx = require(Need::IssuerMember).await?;
    seals::invalidate(&ctx.state, &ctx.actor, &ctx.issuer_id()?, &id).await
}

#[server(prefix = "/_sf", endpoint = "seals/list")]
pub async fn list_seals(filter: SealFilter) -> Result<Page<Seal>, AppError> {
    let ctx = require(Need::IssuerMember).await?;
    seals::list(&ctx.state, &ctx.issuer_id()?, &filter).await
}

#[server(prefix = "/_sf", endpoint = "seals/copy-attempts")]
pub async fn copy_attempts() -> Result<Vec<CopyAttempt>, AppError> {
    let ctx = require(Need::IssuerMember).await?;
    seals::copy_attempts(&ctx.state, &ctx.issuer_id()?).await
}
