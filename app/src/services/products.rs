//! Products: what customers can order (operator-managed).

use super::{audit, Actor, AppState};
use crate::error::{AppError, AppResult, Checks};
use crate::model::{max_server_validity_days, validate, KeyType, Product, ProductInput, Profile};
use crate::pki::profile::SMIME_MAX_DAYS;
use crate::store::{ProductId, ProductParams, ProductRow};

/// Renewal may open at most this many days before expiry (a year: TBS's 90 days suits one-year certificates).
const RENEW_BEFORE_MAX: u32 = 365;
/// And stay open at most this many days after it.
const RENEW_AFTER_MAX: u32 = 90;

fn params(state: &AppState, input: &ProductInput) -> AppResult<ProductParams> {
    let mut checks = Checks::new();
    checks.check("name", validate::required(&input.name, "name", 120));
    let mut days = Vec::new();
    for part in input.validity_days.split(|c: char| c == ',' || c.is_whitespace()).filter(|p| !p.is_empty()) {
        match part.parse::<u32>() {
            Ok(d) if (1..=3650).contains(&d) => {
                if !days.contains(&d) {
                    days.push(d)
                }
            }
            _ => {
                checks.check("validity_days", Some(format!("\"{part}\" is not a number of days (1 to 3650).")));
            }
        }
    }
    days.sort_unstable();
    let limit = max_server_validity_days(state.now().date_naive());
    if days.is_empty() {
        checks.check("validity_days", Some("Give at least one validity, in days (e.g. 90, 199).".into()));
    } else if input.profile.is_server() && days.iter().any(|d| *d > limit) {
        checks.check(
            "validity_days",
            Some(format!(
                "TLS server certificates issued today may be valid for at most {limit} days (CA/Browser Forum)."
            )),
        );
    } else if input.profile == Profile::Smime && days.iter().any(|d| *d > SMIME_MAX_DAYS) {
        checks.check(
            "validity_days",
            Some(format!(
                "S/MIME certificates may be valid for at most {SMIME_MAX_DAYS} days (S/MIME Baseline Requirements)."
            )),
        );
    }
    if input.key_types.is_empty() {
        checks.check("key_types", Some("Accept at least one key type.".into()));
    }
    if !(1..=100).contains(&input.max_names) {
        checks.check("max_names", Some("Between 1 and 100 names.".into()));
    }
    if !(1..=RENEW_BEFORE_MAX).contains(&input.renew_before_days) {
        checks.check(
            "renew_before_days",
            Some(format!("Renewal opens between 1 and {RENEW_BEFORE_MAX} days before expiry.")),
        );
    }
    if input.renew_after_days > RENEW_AFTER_MAX {
        checks.check(
            "renew_after_days",
            Some(format!("Renewal stays open at most {RENEW_AFTER_MAX} days after expiry.")),
        );
    }
    if input.wildcard && !input.profile.is_server() {
        checks.check("wildcard", Some("Only TLS server certificates can have wildcard names.".into()));
    }
    checks.finish()?;
    Ok(ProductParams {
        name: input.name.trim().into(),
        profile: input.profile.as_str().into(),
        wildcard: input.wildcard,
        max_names: i64::from(input.max_names),
        validity_days: days.into_iter().map(i64::from).collect(),
        key_types: input.key_types.iter().map(|k| k.as_str().to_string()).collect(),
        auto_approve: input.auto_approve,
        active: input.active,
        renew_before_days: i64::from(input.renew_before_days),
        renew_after_days: i64::from(input.renew_after_days),
        auto_renew_default: input.auto_renew_default,
    })
}

pub async fn create(state: &AppState, actor: &Actor, input: ProductInput) -> AppResult<Product> {
    let p = params(state, &input)?;
    let id = state.store().create_product(p, state.now()).await?;
    audit::record(state, actor, None, "product.create", &input.name, input.profile.as_str()).await?;
    state.store().product(&id).await?.map(product_of).ok_or(AppError::Internal)
}

pub async fn update(state: &AppState, actor: &Actor, id: &str, input: ProductInput) -> AppResult<Product> {
    let p = params(state, &input)?;
    if !state.store().update_product(&ProductId::new(id), p).await? {
        return Err(AppError::NotFound);
    }
    audit::record(state, actor, None, "product.update", &input.name, input.profile.as_str()).await?;
    state.store().product(&ProductId::new(id)).await?.map(product_of).ok_or(AppError::Internal)
}

/// A product as the model has it. Here rather than in `orders` so that signing (`ca`) and invitations can read
/// an order's product without depending on the registration authority.
pub fn product_of(r: ProductRow) -> Product {
    Product {
        id: r.id.key().to_string(),
        name: r.name,
        profile: Profile::parse(&r.profile).unwrap_or(Profile::ServerDv),
        wildcard: r.wildcard,
        max_names: r.max_names.max(1) as u32,
        validity_days: r.validity_days.into_iter().map(|d| d.max(1) as u32).collect(),
        key_types: r.key_types.iter().filter_map(|k| KeyType::parse(k)).collect(),
        auto_approve: r.auto_approve,
        active: r.active,
        renew_before_days: r.renew_before_days.max(1) as u32,
        renew_after_days: r.renew_after_days.max(0) as u32,
        auto_renew_default: r.auto_renew_default.unwrap_or(false),
    }
}
