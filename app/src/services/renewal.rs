//! Renewal from the certificate: a new order of the same client with the same product, names, contacts,
//! validation methods and validity, with the same CSR, a new one, or none yet (made in the browser or by an
//! invitation link from the new order's page); only inside the product's renewal window; linked to the
//! certificate it renews, which makes the versions. Validations within the reuse period are reused, so a
//! renewal with a CSR is usually issued as it is placed.

use super::orders::{self, Scope};
use super::{audit, AppState};
use crate::error::{AppError, AppResult};
use crate::model::*;
use crate::store::{CertListRow, CertificateId, OrderId, OrderRow, TrackedId};
use chrono::{DateTime, Duration, Utc};

/// The renewal window of a certificate of `product` that expires at `not_after`.
pub fn window(product: &Product, not_after: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let before = Duration::days(product.renew_before_days.into());
    let after = Duration::days(product.renew_after_days.into());
    (not_after - before, not_after + after)
}

/// An issued certificate with its order and product, as renewal needs them.
pub(super) struct Renewable {
    pub cert_id: String,
    pub cert: CertListRow,
    pub order: OrderRow,
    pub product: Product,
}

impl Renewable {
    /// The certificate `cert_id` if `scope` may see it; `None` when it is not an issued one (watched, or not
    /// this viewer's).
    pub async fn load(state: &AppState, scope: &Scope, cert_id: &str) -> AppResult<Option<Renewable>> {
        let store_scope = scope.store_scope();
        let Some((cert, _)) = state.store().certificate_in_scope(&store_scope, &CertificateId::new(cert_id)).await?
        else {
            return Ok(None);
        };
        Renewable::of(state, scope, cert_id, cert).await.map(Some)
    }

    /// The same, for a certificate the caller has read in `scope` already.
    pub async fn of(state: &AppState, scope: &Scope, cert_id: &str, cert: CertListRow) -> AppResult<Renewable> {
        let store_scope = scope.store_scope();
        let order = state.store().order(&store_scope, &cert.cert_order).await?.ok_or(AppError::Internal)?;
        let product = state.store().product(&order.product).await?.ok_or(AppError::Internal)?;
        Ok(Renewable { cert_id: cert_id.to_string(), cert, order, product: orders::product_of(product) })
    }

    /// Where the certificate stands for renewal now.
    pub async fn info(&self, state: &AppState) -> AppResult<RenewalInfo> {
        let (opens_at, closes_at) = window(&self.product, self.cert.not_after);
        let renewed_by = state
            .store()
            .renewal_of(&CertificateId::new(&self.cert_id))
            .await?
            .map(|(id, number)| (id.key().to_string(), number));
        let (own, inherited, do_not_renew) = state.store().renewal_choices(&CertificateId::new(&self.cert_id)).await?;
        let auto_renew = own.or(inherited).unwrap_or(self.product.auto_renew_default);
        let now = state.now();
        let standing = if self.cert.revoked_at.is_some() {
            RenewalState::Revoked
        } else if renewed_by.is_some() {
            RenewalState::Renewed
        } else if do_not_renew {
            RenewalState::DoNotRenew
        } else if self.order.acme_account.is_some() {
            RenewalState::ByAcme
        } else if now < opens_at {
            RenewalState::NotYet
        } else if now > closes_at {
            RenewalState::Closed
        } else {
            RenewalState::Open
        };
        let same_csr = self.order.csr_pem.is_some();
        Ok(RenewalInfo { state: standing, opens_at, closes_at, renewed_by, same_csr, auto_renew })
    }
}

/// What an attempt to renew came to.
pub enum RenewAttempt {
    Placed(OrderView),
    /// Somebody else renewed it, or is placing its renewal right now: why, in words for a person.
    Elsewhere(String),
}

/// **Renew**: places the renewal order and links it to the certificate. Outside the window, or when the
/// certificate was renewed or revoked already, the answer says why (and when the window opens).
pub async fn renew(state: &AppState, scope: &Scope, cert_id: &str, input: RenewInput) -> AppResult<OrderView> {
    match attempt(state, scope, cert_id, input).await? {
        RenewAttempt::Placed(view) => Ok(view),
        RenewAttempt::Elsewhere(why) => Err(AppError::Conflict(why)),
    }
}

/// `renew`, telling a renewal by somebody else apart from a failure: the automatic renewal stays quiet when a
/// person renewed the certificate at the same moment.
pub async fn attempt(state: &AppState, scope: &Scope, cert_id: &str, input: RenewInput) -> AppResult<RenewAttempt> {
    let r = Renewable::load(state, scope, cert_id).await?.ok_or(AppError::NotFound)?;
    // One renewal is placed at a time (two people, or a person and the automatic renewal): the claim comes
    // before "is it renewed already?", so that whoever holds it sees any renewal placed before.
    if !state.store().claim_replacement(&CertificateId::new(cert_id), state.now()).await? {
        return Ok(RenewAttempt::Elsewhere(
            "A renewal of this certificate is being placed right now: reload the page in a moment.".into(),
        ));
    }
    let placed = place_renewal(state, scope, &r, input).await;
    state.store().release_replacement(&CertificateId::new(cert_id)).await?;
    placed
}

/// The renewal itself, with the certificate claimed.
async fn place_renewal(state: &AppState, scope: &Scope, r: &Renewable, input: RenewInput) -> AppResult<RenewAttempt> {
    let cert_id = r.cert_id.as_str();
    let info = r.info(state).await?;
    match info.state {
        RenewalState::Open => {}
        RenewalState::Renewed => return Ok(RenewAttempt::Elsewhere(info.explanation())),
        _ => return Err(AppError::Conflict(info.explanation())),
    }
    let csr = match input.csr_choice {
        RenewCsr::Same => r.order.csr_pem.clone().ok_or_else(|| {
            AppError::field("csr_choice", "The original order kept no CSR: paste a new one, or hand it in later.")
        })?,
        RenewCsr::New if input.csr.trim().is_empty() => {
            return Err(AppError::field("csr", "Paste the new CSR, or choose another option."))
        }
        RenewCsr::New => input.csr,
        RenewCsr::Later => String::new(),
    };
    let order = order_input(state, r, csr).await?;
    let placed = orders::create(state, scope, order).await?;
    let by = &scope.actor.email;
    state
        .store()
        .link_renewal(
            &OrderId::new(&placed.id),
            &CertificateId::new(cert_id),
            &r.order.id,
            &r.cert.serial,
            by,
            state.now(),
        )
        .await?;
    let detail = format!("renewed by order {}", placed.number);
    audit::record(state, &scope.actor, Some(&scope.issuer), "certificate.renew", &r.cert.serial, detail).await?;
    Ok(RenewAttempt::Placed(orders::view(state, scope, &placed.id).await?))
}

/// The renewal order: the original's client, product, names, contacts and validation methods, and its
/// validity if the product (and today's CA/Browser Forum limit) still allow it, else the longest allowed.
async fn order_input(state: &AppState, r: &Renewable, csr: String) -> AppResult<OrderInput> {
    let parties = r.order.parties.clone();
    let dcv = earlier_choices(state, &r.order).await?;
    Ok(OrderInput {
        client_id: r.order.client.key().to_string(),
        product_id: r.order.product.key().to_string(),
        validity_days: renewal_validity(state, &r.product, r.order.validity_days),
        names: r.order.names.join("\n"),
        corporate: parties.corporate,
        technical: parties.technical,
        csr,
        dcv,
        default_dcv: DcvMethod::Dns,
        notify: r.order.notify.clone().unwrap_or_default().join("\n"),
    })
}

/// How each name of `order` was validated, as the choices of a new order for the same names.
pub(super) async fn earlier_choices(state: &AppState, order: &OrderRow) -> AppResult<Vec<DcvChoice>> {
    Ok(state
        .store()
        .dcvs_of_order(&order.id)
        .await?
        .into_iter()
        .map(|d| {
            let mailbox = d.email_to.as_deref().and_then(|to| to.split('@').next()).unwrap_or_default().to_string();
            DcvChoice { method: d.method, name: d.name, mailbox }
        })
        .collect())
}

pub(super) fn renewal_validity(state: &AppState, product: &Product, original: i64) -> u32 {
    let cap = match product.profile.is_server() {
        true => max_server_validity_days(state.now().date_naive()),
        false => u32::MAX,
    };
    let allowed: Vec<u32> = product.validity_days.iter().copied().filter(|d| *d <= cap).collect();
    let original = u32::try_from(original).unwrap_or(0);
    match allowed.contains(&original) {
        true => original,
        false => allowed.into_iter().max().unwrap_or(original),
    }
}

/// Sets a certificate's automatic renewal and "do not renew" (for a watched certificate, only the latter: it
/// stops the reminders). Audited.
pub async fn set_choices(state: &AppState, scope: &Scope, cert_id: &str, choices: RenewalChoices) -> AppResult<()> {
    let what = format!("auto_renew={} do_not_renew={}", choices.auto_renew, choices.do_not_renew);
    match Renewable::load(state, scope, cert_id).await? {
        Some(r) => {
            if choices.auto_renew && r.order.acme_account.is_some() {
                return Err(AppError::field("auto_renew", "Its ACME client renews this certificate."));
            }
            let store = state.store();
            store.set_renewal_choices(&CertificateId::new(cert_id), choices.auto_renew, choices.do_not_renew).await?;
            audit::record(state, &scope.actor, Some(&scope.issuer), "certificate.renewal", &r.cert.serial, what).await
        }
        None => {
            let client = scope.client.as_ref();
            let (row, _, _) = state
                .store()
                .watched_in_scope(&scope.issuer, client, &TrackedId::new(cert_id))
                .await?
                .ok_or(AppError::NotFound)?;
            state.store().set_watched_do_not_renew(&TrackedId::new(cert_id), choices.do_not_renew).await?;
            audit::record(state, &scope.actor, Some(&scope.issuer), "certificate.renewal", &row.serial, what).await
        }
    }
}

/// The line of renewals `cert_id` is in, oldest first.
pub(super) async fn versions(state: &AppState, cert_id: &str) -> AppResult<Vec<CertificateVersion>> {
    let rows = state.store().certificate_versions(&CertificateId::new(cert_id)).await?;
    Ok(rows
        .into_iter()
        .map(|v| CertificateVersion {
            current: v.id.is(cert_id),
            id: v.id.key().to_string(),
            serial: v.serial,
            not_before: v.not_before,
            not_after: v.not_after,
            order_id: v.order.key().to_string(),
            order_number: v.order_number,
        })
        .collect())
}
