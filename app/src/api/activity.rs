//! Activity reports: the issuer's schedule and each client's opt-out.

use crate::error::AppError;
use crate::model::ActivityReports;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::guard::{require, Need};
#[cfg(feature = "ssr")]
use crate::services::activity_reports;

#[server(prefix = "/_sf", endpoint = "activity/schedule")]
pub async fn activity_schedule() -> Result<ActivityReports, AppError> {
    let ctx = require(Need::IssuerMember).await?;
    activity_reports::schedule(&ctx.state, &ctx.issuer_id()?).await
}

#[server(prefix = "/_sf", endpoint = "activity/set-schedule")]
pub async fn set_activity_schedule(schedule: ActivityReports) -> Result<(), AppError> {
    let ctx = require(Need::IssuerAdmin).await?;
    activity_reports::set_schedule(&ctx.state, &ctx.actor, &ctx.issuer_id()?, schedule).await
}

#[server(prefix = "/_sf", endpoint = "activity/client")]
pub async fn client_reports(client_id: String) -> Result<bool, AppError> {
    let ctx = require(Need::IssuerMember).await?;
    activity_reports::client_gets_reports(&ctx.state, &ctx.issuer_id()?, &client_id).await
}

#[server(prefix = "/_sf", endpoint = "activity/set-client")]
pub async fn set_client_reports(client_id: String, on: bool) -> Result<(), AppError> {
    let ctx = require(Need::IssuerMember).await?;
    activity_reports::set_client_gets_reports(&ctx.state, &ctx.actor, &ctx.issuer_id()?, &client_id, on).await
}
