//! Newsletters (issuer staff), the issuer's industries (kept by its admins), and whether a client unsubscribed.

use crate::error::AppError;
use crate::model::{
    NewsletterAudience, NewsletterDetail, NewsletterDraft, NewsletterSetup, NewsletterSummary, Rendered,
};
use chrono::{DateTime, Utc};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::guard::{require, Need};
#[cfg(feature = "ssr")]
use crate::services::{clients, newsletters};

#[server(prefix = "/_sf", endpoint = "newsletters/setup")]
pub async fn newsletter_choices() -> Result<NewsletterSetup, AppError> {
    let ctx = require(Need::IssuerMember).await?;
    newsletters::setup(&ctx.state, &ctx.issuer_id()?).await
}

#[server(prefix = "/_sf", endpoint = "newsletters/audience")]
pub async fn count_newsletter_audience(industry: String) -> Result<NewsletterAudience, AppError> {
    let ctx = require(Need::IssuerMember).await?;
    newsletters::audience(&ctx.state, &ctx.issuer_id()?, &industry).await
}

#[server(prefix = "/_sf", endpoint = "newsletters/preview")]
pub async fn preview_newsletter(draft: NewsletterDraft) -> Result<Rendered, AppError> {
    let ctx = require(Need::IssuerMember).await?;
    newsletters::preview(&ctx.state, &ctx.issuer_id()?, &draft).await
}

/// Sends the draft to the signed-in person; returns their address.
#[server(prefix = "/_sf", endpoint = "newsletters/test")]
pub async fn send_test_newsletter(draft: NewsletterDraft) -> Result<String, AppError> {
    let ctx = require(Need::IssuerMember).await?;
    newsletters::send_test(&ctx.state, &ctx.actor, &ctx.issuer_id()?, &draft).await
}

/// Sends the newsletter to its audience; returns its id.
#[server(prefix = "/_sf", endpoint = "newsletters/send")]
pub async fn send_newsletter(draft: NewsletterDraft) -> Result<String, AppError> {
    let ctx = require(Need::IssuerMember).await?;
    newsletters::send(&ctx.state, &ctx.actor, &ctx.issuer_id()?, draft).await
}

#[server(prefix = "/_sf", endpoint = "newsletters/list")]
pub async fn list_newsletters() -> Result<Vec<NewsletterSummary>, AppError> {
    let ctx = require(Need::IssuerMember).await?;
    newsletters::list(&ctx.state, &ctx.issuer_id()?).await
}

#[server(prefix = "/_sf", endpoint = "newsletters/detail")]
pub async fn get_newsletter(id: String) -> Result<NewsletterDetail, AppError> {
    let ctx = require(Need::IssuerMember).await?;
    newsletters::detail(&ctx.state, &ctx.issuer_id()?, &id).await
}

/// The issuer's own list of industries.
#[server(prefix = "/_sf", endpoint = "newsletters/industries")]
pub async fn issuer_industries() -> Result<Vec<String>, AppError> {
    let ctx = require(Need::IssuerMember).await?;
    newsletters::industries(&ctx.state, &ctx.issuer_id()?).await
}

/// Saves the list, one industry per line.
#[server(prefix = "/_sf", endpoint = "newsletters/set-industries")]
pub async fn set_issuer_industries(industries: String) -> Result<(), AppError> {
    let ctx = require(Need::IssuerAdmin).await?;
    let list = industries.lines().map(str::to_string).collect();
    newsletters::set_industries(&ctx.state, &ctx.actor, &ctx.issuer_id()?, list).await
}

/// When a client unsubscribed from newsletters, or None.
#[server(prefix = "/_sf", endpoint = "newsletters/client")]
pub async fn client_unsubscribed(client_id: String) -> Result<Option<DateTime<Utc>>, AppError> {
    let ctx = require(Need::IssuerMember).await?;
    let issuer = ctx.issuer_id()?;
    clients::get(&ctx.state, &issuer, &client_id).await?;
    newsletters::unsubscribed_at(&ctx.state, &issuer, &client_id).await
}
