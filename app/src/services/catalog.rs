//! The operator's catalogue of certificate groups and types. Issuers read it; only the operator changes it.

use super::{audit, Actor, AppState};
use crate::error::{AppError, AppResult, Checks};
use crate::model::{validate, CertGroup, CertType, CertTypeInput};
use crate::store::{is_duplicate, CertGroupId, CertTypeId};

pub async fn groups(state: &AppState) -> AppResult<Vec<CertGroup>> {
    Ok(state.store().list_cert_groups().await?)
}

pub async fn types(state: &AppState) -> AppResult<Vec<CertType>> {
    Ok(state.store().list_cert_types().await?)
}

pub async fn cert_type(state: &AppState, id: &str) -> AppResult<CertType> {
    Ok(state.store().cert_type(&CertTypeId::new(id)).await?.ok_or(AppError::NotFound)?)
}

fn duplicate_name(e: surrealdb::Error, what: &str) -> AppError {
    if is_duplicate(&e) {
        AppError::field("name", format!("There is already a {what} with this name."))
    } else {
        AppError::from(e)
    }
}

/// Creates a group (`id` empty) or renames/describes one.
pub async fn save_group(state: &AppState, actor: &Actor, id: &str, name: &str, description: &str) -> AppResult<()> {
    Checks::new()
        .check("name", validate::required(name, "group name", 100))
        .check("description", validate::optional_text(description, "description", 1000))
        .finish()?;
    let (name, description) = (name.trim(), description.trim());
    if id.is_empty() {
        state
            .store()
            .create_cert_group(name, description, state.now())
            .await
            .map_err(|e| duplicate_name(e, "group"))?;
        audit::record(state, actor, None, "cert-group.create", name, description).await
    } else {
        state.store().cert_group(&CertGroupId::new(id)).await?.ok_or(AppError::NotFound)?;
        state
            .store()
            .update_cert_group(&CertGroupId::new(id), name, description)
            .await
            .map_err(|e| duplicate_name(e, "group"))?;
        audit::record(state, actor, None, "cert-group.update", name, description).await
    }
}

/// Creates a certificate type (`id` empty) or changes one.
pub async fn save_type(state: &AppState, actor: &Actor, id: &str, t: CertTypeInput) -> AppResult<()> {
    let levels = t.level_list();
    Checks::new()
        .check("name", validate::required(&t.name, "type name", 100))
        .check("description", validate::optional_text(&t.description, "description", 2000))
        .check("seal_title", validate::required(&t.seal_title, "seal title", 40))
        .check("seal_subtitle", validate::optional_text(&t.seal_subtitle, "seal subtitle", 40))
        .check("seal_color", validate::hex_color(&t.seal_color))
        .check("seal_text_color", validate::hex_color(&t.seal_text_color))
        .check(
            "levels",
            (levels.len() > 10 || levels.iter().any(|l| l.chars().count() > 40))
                .then(|| "Enter at most 10 levels, one per line, each at most 40 characters.".to_string()),
        )
        .finish()?;
    if !t.group_id.trim().is_empty() && state.store().cert_group(&CertGroupId::new(t.group_id.trim())).await?.is_none()
    {
        return Err(AppError::field("group_id", "Choose one of the groups."));
    }
    let summary = format!("levels: {}; seal: {} {}", levels.join(", "), t.seal_title.trim(), t.seal_color.trim());
    if id.is_empty() {
        state.store().create_cert_type(&t, state.now()).await.map_err(|e| duplicate_name(e, "certificate type"))?;
        audit::record(state, actor, None, "cert-type.create", t.name.trim(), summary).await
    } else {
        state.store().cert_type(&CertTypeId::new(id)).await?.ok_or(AppError::NotFound)?;
        state
            .store()
            .update_cert_type(&CertTypeId::new(id), &t)
            .await
            .map_err(|e| duplicate_name(e, "certificate type"))?;
        state.invalidate_seal_cache();
        audit::record(state, actor, None, "cert-type.update", t.name.trim(), summary).await
    }
}
