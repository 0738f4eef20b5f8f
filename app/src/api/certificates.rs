//! The TLS certificates inventory and details page, and revocation (staff: the issuer's certificates;
//! customers: their client's).

use crate::error::AppError;
use crate::model::{
    CertificateDetail, CertificateFilter, CertificateSummary, CheckInput, InstallCheck, OrderView, Page,
};
use crate::model::{ReissueInput, RenewInput, RenewalChoices, RevokeInput};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::guard::{require, scope_of, Need};
#[cfg(feature = "ssr")]
use crate::services::certificates;

#[server(prefix = "/_sf", endpoint = "certificates/list")]
pub async fn list_certificates(filter: CertificateFilter) -> Result<Page<CertificateSummary>, AppError> {
    let ctx = require(Need::OrderDesk).await?;
    certificates::list(&ctx.state, &scope_of(&ctx)?, &filter).await
}

#[server(prefix = "/_sf", endpoint = "certificates/get")]
pub async fn get_certificate(id: String) -> Result<CertificateDetail, AppError> {
    let ctx = require(Need::OrderDesk).await?;
    certificates::detail(&ctx.state, &scope_of(&ctx)?, &id).await
}

#[server(prefix = "/_sf", endpoint = "certificates/revoke")]
pub async fn revoke_certificate(id: String, input: RevokeInput) -> Result<CertificateSummary, AppError> {
    let ctx = require(Need::OrderDesk).await?;
    certificates::revoke(&ctx.state, &scope_of(&ctx)?, &id, input).await
}

/// **Renew**: the renewal order, placed and linked to the certificate.
#[server(prefix = "/_sf", endpoint = "certificates/renew")]
pub async fn renew_certificate(id: String, input: RenewInput) -> Result<OrderView, AppError> {
    let ctx = require(Need::OrderDesk).await?;
    crate::services::renewal::renew(&ctx.state, &scope_of(&ctx)?, &id, input).await
}

/// Automatic renewal and "do not renew" of a certificate.
#[server(prefix = "/_sf", endpoint = "certificates/renewal-choices")]
pub async fn set_renewal_choices(id: String, choices: RenewalChoices) -> Result<(), AppError> {
    let ctx = require(Need::OrderDesk).await?;
    crate::services::renewal::set_choices(&ctx.state, &scope_of(&ctx)?, &id, choices).await
}

/// The installation check of a host the certificate covers (and whether to keep checking it).
#[server(prefix = "/_sf", endpoint = "certificates/check")]
pub async fn check_installation(id: String, input: CheckInput) -> Result<InstallCheck, AppError> {
    let ctx = require(Need::OrderDesk).await?;
    crate::services::install_check::check(&ctx.state, &scope_of(&ctx)?, &id, input).await
}

/// **Reissue**: a new CSR (and names), the original's expiry, the original kept or revoked.
#[server(prefix = "/_sf", endpoint = "certificates/reissue")]
pub async fn reissue_certificate(id: String, input: ReissueInput) -> Result<OrderView, AppError> {
    let ctx = require(Need::OrderDesk).await?;
    crate::services::reissue::reissue(&ctx.state, &scope_of(&ctx)?, &id, input).await
}

/// Keeps a reissued certificate after all: its scheduled revocation is cancelled.
#[server(prefix = "/_sf", endpoint = "certificates/cancel-revocation")]
pub async fn cancel_scheduled_revocation(id: String) -> Result<(), AppError> {
    let ctx = require(Need::OrderDesk).await?;
    crate::services::reissue::cancel_scheduled_revocation(&ctx.state, &scope_of(&ctx)?, &id).await
}

/// The columns this person shows in the inventory.
#[server(prefix = "/_sf", endpoint = "certificates/columns")]
pub async fn certificate_columns() -> Result<Vec<String>, AppError> {
    let ctx = require(Need::OrderDesk).await?;
    certificates::columns(&ctx.state, &scope_of(&ctx)?).await
}

#[server(prefix = "/_sf", endpoint = "certificates/save-columns")]
pub async fn save_certificate_columns(columns: Vec<String>) -> Result<Vec<String>, AppError> {
    let ctx = require(Need::OrderDesk).await?;
    certificates::set_columns(&ctx.state, &scope_of(&ctx)?, columns).await
}
