//! Trust seals: a client's seal certificates, the seal list and the copy-attempt log.

use crate::error::AppError;
use crate::model::{
    CopyAttempt, Page, Seal, SealDetail, SealFilter, SealInput, SealMailInput, SealMailPreview, SentMail,
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::guard::{require, Need};
#[cfg(feature = "ssr")]
use crate::services::{seal_mail, seals};

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

#[server(prefix = "/_sf", endpoint = "seals/mail-preview")]
pub async fn preview_seal_mail(id: String, mail: SealMailInput) -> Result<SealMailPreview, AppError> {
    let ctx = require(Need::IssuerMember).await?;
    seal_mail::preview(&ctx.state, &ctx.issuer_id()?, &id, &mail).await
}

#[server(prefix = "/_sf", endpoint = "seals/mail-send")]
pub async fn send_seal_mail(id: String, mail: SealMailInput) -> Result<Vec<SentMail>, AppError> {
    let ctx = require(Need::IssuerMember).await?;
    seal_mail::send(&ctx.state, &ctx.actor, &ctx.issuer_id()?, &id, &mail).await
}

#[server(prefix = "/_sf", endpoint = "seals/mail-history")]
pub async fn seal_mail_history(id: String) -> Result<Vec<SentMail>, AppError> {
    let ctx = require(Need::IssuerMember).await?;
    seal_mail::history(&ctx.state, &ctx.issuer_id()?, &id).await
}
