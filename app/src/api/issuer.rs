//! Inside the issuer selected in the session: the dashboard, the profile and the people.

use crate::error::AppError;
use crate::model::{Issuer, IssuerOverview, IssuerProfile, Member, OperatorOverview};
#[cfg(feature = "ssr")]
use crate::store::IssuerId;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::guard::{require, Need};
#[cfg(feature = "ssr")]
use crate::model::Role;
#[cfg(feature = "ssr")]
use crate::services::issuers;

/// What the home page shows: the operator's instance overview and/or the current issuer's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DashboardData {
    pub operator: Option<OperatorOverview>,
    pub issuer: Option<IssuerOverview>,
    /// The trust-seal figures of the current issuer (in the same answer, so the page loads in one go).
    pub seals: Option<crate::model::SealOverview>,
}

#[server(prefix = "/_sf", endpoint = "issuer/dashboard")]
pub async fn load_dashboard() -> Result<DashboardData, AppError> {
    let ctx = require(Need::Signed).await?;
    let operator = match ctx.session.user.operator {
        true => Some(issuers::operator_overview(&ctx.state).await?),
        false => None,
    };
    let viewer = crate::services::accounts::viewer(&ctx.state, &ctx.session).await?;
    let (issuer, seals) = match viewer.current {
        // A customer sees their orders, never the issuer's figures.
        Some(current) if current.role == crate::model::Role::Customer => (None, None),
        Some(current) => (
            Some(issuers::overview(&ctx.state, &IssuerId::new(&current.id)).await?),
            Some(crate::services::seals::overview(&ctx.state, &IssuerId::new(&current.id)).await?),
        ),
        None => (None, None),
    };
    Ok(DashboardData { operator, issuer, seals })
}

#[server(prefix = "/_sf", endpoint = "issuer/profile")]
pub async fn get_issuer_profile() -> Result<Issuer, AppError> {
    let ctx = require(Need::IssuerMember).await?;
    issuers::get(&ctx.state, &ctx.issuer_id()?).await
}

#[server(prefix = "/_sf", endpoint = "issuer/update-profile")]
pub async fn update_issuer_profile(profile: IssuerProfile) -> Result<Issuer, AppError> {
    let ctx = require(Need::IssuerAdmin).await?;
    issuers::update_profile(&ctx.state, &ctx.actor, &ctx.issuer_id()?, profile).await
}

/// `logo` is a `data:` URL read by the browser, or empty to remove the logo.
#[server(prefix = "/_sf", endpoint = "issuer/logo")]
pub async fn set_issuer_logo(logo: String) -> Result<(), AppError> {
    let ctx = require(Need::IssuerAdmin).await?;
    let logo = (!logo.is_empty()).then_some(logo.as_str());
    issuers::set_logo(&ctx.state, &ctx.actor, &ctx.issuer_id()?, logo).await
}

#[server(prefix = "/_sf", endpoint = "issuer/members")]
pub async fn list_members() -> Result<Vec<Member>, AppError> {
    let ctx = require(Need::IssuerAdmin).await?;
    issuers::members(&ctx.state, &ctx.issuer_id()?).await
}

#[server(prefix = "/_sf", endpoint = "issuer/invite")]
pub async fn invite_member(email: String, name: String, role: String) -> Result<(), AppError> {
    let ctx = require(Need::IssuerAdmin).await?;
    let role = Role::parse(&role).ok_or_else(|| AppError::field("role", "Choose a role."))?;
    crate::services::accounts::invite(&ctx.state, &ctx.actor, &ctx.issuer_id()?, &email, &name, role).await
}

#[server(prefix = "/_sf", endpoint = "issuer/member-role")]
pub async fn set_member_role(user_id: String, role: String) -> Result<(), AppError> {
    let ctx = require(Need::IssuerAdmin).await?;
    let role = Role::parse(&role).ok_or_else(|| AppError::field("role", "Choose a role."))?;
    issuers::set_role(&ctx.state, &ctx.actor, &ctx.issuer_id()?, &user_id, role).await
}

#[server(prefix = "/_sf", endpoint = "issuer/remove-member")]
pub async fn remove_member(user_id: String) -> Result<(), AppError> {
    let ctx = require(Need::IssuerAdmin).await?;
    issuers::remove_member(&ctx.state, &ctx.actor, &ctx.issuer_id()?, &user_id).await
}

#[server(prefix = "/_sf", endpoint = "issuer/unlock-member")]
pub async fn unlock_member(user_id: String) -> Result<(), AppError> {
    let ctx = require(Need::IssuerAdmin).await?;
    issuers::unlock_member(&ctx.state, &ctx.actor, &ctx.issuer_id()?, &user_id).await
}
