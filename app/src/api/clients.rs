//! An issuer's clients and their domains.

use crate::error::AppError;
use crate::model::{Client, ClientDetail, ClientFile, ClientInput, ClientSummary, Domain, Page, SentMail};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::guard::{require, Need};
#[cfg(feature = "ssr")]
use crate::services::clients;

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
    clients::domains(&ctx.state, &issuer, &client_id).await
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

/// Every e-mail sent to the client, newest first.
#[server(prefix = "/_sf", endpoint = "clients/mail-history")]
pub async fn client_mail_history(id: String) -> Result<Vec<SentMail>, AppError> {
    let ctx = require(Need::IssuerMember).await?;
    crate::services::seal_mail::client_history(&ctx.state, &ctx.issuer_id()?, &id).await
}

#[server(prefix = "/_sf", endpoint = "clients/files")]
pub async fn client_files(client_id: String) -> Result<Vec<ClientFile>, AppError> {
    let ctx = require(Need::IssuerMember).await?;
    crate::services::client_files::list(&ctx.state, &ctx.issuer_id()?, &client_id).await
}

/// The file is read in the browser and sent as a data URL; the server checks its type and size.
#[server(prefix = "/_sf", endpoint = "clients/upload-file")]
pub async fn upload_client_file(
    client_id: String,
    filename: String,
    data_url: String,
) -> Result<Vec<ClientFile>, AppError> {
    let ctx = require(Need::IssuerMember).await?;
    crate::services::client_files::upload(&ctx.state, &ctx.actor, &ctx.issuer_id()?, &client_id, &filename, &data_url)
        .await
}

#[server(prefix = "/_sf", endpoint = "clients/remove-file")]
pub async fn remove_client_file(client_id: String, file_id: String) -> Result<Vec<ClientFile>, AppError> {
    let ctx = require(Need::IssuerMember).await?;
    crate::services::client_files::remove(&ctx.state, &ctx.actor, &ctx.issuer_id()?, &client_id, &file_id).await
}
