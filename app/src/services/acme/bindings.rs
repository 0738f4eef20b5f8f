//! External account bindings (RFC 8555 7.3.4), made by an issuer's admins for one client and its products:
//! the key ID and HMAC key an ACME client registers with. The HMAC key is shown once and kept sealed.

use super::accounts::bindings_aad;
use super::AppState;
use crate::error::{AppError, AppResult, Checks};
use crate::model::{validate, AcmeAccountInfo, AcmeBindingCreated, AcmeBindingInfo, AcmeBindingInput};
use crate::services::{audit, orders, secrets, Actor};
use crate::store::{new_key, AcmeBindingId, ClientId, IssuerId, NewAcmeBinding, ProductId};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// Creates a binding of `issuer`; the caller is one of its admins.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    issuer: &IssuerId,
    input: &AcmeBindingInput,
) -> AppResult<AcmeBindingCreated> {
    let label = input.label.trim();
    Checks::new()
        .check("client_id", validate::required(&input.client_id, "client", 64))
        .check("product_id", validate::required(&input.product_id, "product", 64))
        .check("label", (label.chars().count() > 120).then(|| "Keep the label to 120 characters.".to_string()))
        .finish()?;
    let client = state.store().client(issuer, &ClientId::new(&input.client_id)).await?;
    let client = client.ok_or_else(|| AppError::field("client_id", "Choose one of your clients."))?;
    let mut product_ids = vec![input.product_id.clone()];
    product_ids.extend(input.more_product_ids.iter().filter(|p| !product_ids.contains(p)).cloned().collect::<Vec<_>>());
    let products = orders::products(state).await?;
    for id in &product_ids {
        match products.iter().find(|p| p.id == *id) {
            Some(p) if p.active && p.profile.is_server() => {}
            Some(p) => {
                return Err(AppError::field(
                    "product_id",
                    format!("{} is not a TLS server product on offer; ACME issues only those.", p.name),
                ))
            }
            None => return Err(AppError::field("product_id", "Choose one of the products on offer.")),
        }
    }
    let kid = new_key();
    let (hmac_key, hmac_text) = hmac_key();
    let sealed = state.ca_runtime().seal(&bindings_aad(&kid), &hmac_key);
    state
        .store()
        .create_acme_binding(NewAcmeBinding {
            kid: &AcmeBindingId::new(&kid),
            issuer,
            client: &ClientId::new(&input.client_id),
            products: &product_ids.iter().map(ProductId::new).collect::<Vec<_>>(),
            label,
            hmac_sealed: &sealed,
            created_by: &actor.email,
            now: state.now(),
        })
        .await?;
    let detail = format!("for {}{}", client.name, if label.is_empty() { String::new() } else { format!(": {label}") });
    audit::record_about(state, actor, Some(issuer), Some(&input.client_id), "acme.binding.create", &kid, detail)
        .await?;
    Ok(AcmeBindingCreated { kid, hmac_key: hmac_text, directory_url: directory_url(state) })
}

/// A fresh HMAC key and its text (base64url), drawn again while the text starts with "-": certbot and lego
/// read `--eab-hmac-key -…` as another option and stop ("expected one argument"), which would happen to one
/// binding in 64. Leaving out those keys costs less than a bit of the key's 256.
fn hmac_key() -> ([u8; 32], String) {
    loop {
        let key = secrets::random_key();
        let text = URL_SAFE_NO_PAD.encode(key);
        if !text.starts_with('-') {
            return (key, text);
        }
    }
}

/// Where ACME clients are pointed (`--server` for certbot).
pub fn directory_url(state: &AppState) -> String {
    format!("{}/directory", super::base_url(state))
}

/// The issuer's bindings, newest first, each with its accounts.
pub async fn list(state: &AppState, issuer: &IssuerId) -> AppResult<Vec<AcmeBindingInfo>> {
    let accounts = state.store().acme_accounts_of_issuer(issuer).await?;
    Ok(state
        .store()
        .acme_bindings_of_issuer(issuer)
        .await?
        .into_iter()
        .map(|b| AcmeBindingInfo {
            accounts: accounts
                .iter()
                .filter(|a| a.binding == b.kid)
                .map(|a| AcmeAccountInfo {
                    id: a.id.key().to_string(),
                    status: if b.revoked_at.is_some() { "revoked".into() } else { a.status.clone() },
                    contact: a.contact.clone(),
                    created_at: a.created_at,
                    last_used_at: a.last_used_at,
                })
                .collect(),
            kid: b.kid.key().to_string(),
            client_id: b.client.key().to_string(),
            client_name: b.client_name,
            products: b.products.into_iter().map(|(_, name)| name).collect(),
            label: b.label,
            created_by: b.created_by,
            created_at: b.created_at,
            revoked_at: b.revoked_at,
            last_used_at: b.last_used_at,
        })
        .collect())
}

/// Revokes a binding: its accounts can place no more orders (certificates already issued stay valid).
pub async fn revoke(state: &AppState, actor: &Actor, issuer: &IssuerId, kid: &str) -> AppResult<()> {
    if !state.store().revoke_acme_binding(issuer, &AcmeBindingId::new(kid), state.now()).await? {
        return Err(AppError::NotFound);
    }
    audit::record(state, actor, Some(issuer), "acme.binding.revoke", kid, "").await
}

#[cfg(test)]
mod tests {
    #[test]
    fn hmac_keys_never_start_with_a_dash_that_certbot_would_read_as_an_option() {
        use base64::Engine;
        // One key in 64 would without the redraw: 5,000 of them would hold about 78.
        for _ in 0..5000 {
            let (key, text) = super::hmac_key();
            assert!(!text.starts_with('-'), "{text}");
            assert_eq!(super::URL_SAFE_NO_PAD.decode(&text).unwrap(), key);
        }
    }
}
