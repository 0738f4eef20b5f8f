//! ACME's records: external account bindings, accounts, nonces, and the lookups that tie orders, validations
//! and certificates to an account.

use super::{
    retry_conflicts, transaction, AcmeAccountId, AcmeBindingId, CertificateId, ClientId, DbResult, DcvId, IssuerId,
    OrderId, ProductId, Store,
};
use chrono::{DateTime, Utc};
use surrealdb::types::{RecordId, SurrealValue};

/// A binding as its issuer's admins see it (the HMAC key is never read back out, only `hmac_sealed`).
#[derive(Debug, Clone)]
pub struct AcmeBinding {
    pub kid: AcmeBindingId,
    pub issuer: IssuerId,
    pub client: ClientId,
    pub client_name: String,
    /// (id, name) of each product the binding allows, the first being the default.
    pub products: Vec<(ProductId, String)>,
    pub label: String,
    pub hmac_sealed: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub accounts: i64,
}

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct BindingRow {
    id: AcmeBindingId,
    issuer: IssuerId,
    client: ClientId,
    client_name: Option<String>,
    products: Vec<ProductId>,
    product_names: Vec<Option<String>>,
    label: String,
    hmac_sealed: String,
    created_by: String,
    created_at: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
    last_used_at: Option<DateTime<Utc>>,
    accounts: i64,
}

const BINDING_FIELDS: &str =
    "id, issuer, client, client.name AS client_name, products, products.name AS product_names, \
     label, hmac_sealed, created_by, created_at, revoked_at, last_used_at, \
     count(SELECT id FROM acme_account WHERE binding = $parent.id) AS accounts";

impl From<BindingRow> for AcmeBinding {
    fn from(r: BindingRow) -> Self {
        let names = r.product_names.into_iter().chain(std::iter::repeat(None));
        AcmeBinding {
            kid: r.id,
            issuer: r.issuer,
            client: r.client,
            client_name: r.client_name.unwrap_or_default(),
            products: r.products.into_iter().zip(names).map(|(id, name)| (id, name.unwrap_or_default())).collect(),
            label: r.label,
            hmac_sealed: r.hmac_sealed,
            created_by: r.created_by,
            created_at: r.created_at,
            revoked_at: r.revoked_at,
            last_used_at: r.last_used_at,
            accounts: r.accounts,
        }
    }
}

/// A binding to create; `kid` is chosen (and the HMAC key sealed for it) before the write.
pub struct NewAcmeBinding<'a> {
    pub kid: &'a AcmeBindingId,
    pub issuer: &'a IssuerId,
    pub client: &'a ClientId,
    pub products: &'a [ProductId],
    pub label: &'a str,
    pub hmac_sealed: &'a str,
    pub created_by: &'a str,
    pub now: DateTime<Utc>,
}

/// An ACME account.
#[derive(Debug, Clone)]
pub struct AcmeAccount {
    pub id: AcmeAccountId,
    pub issuer: IssuerId,
    pub client: ClientId,
    pub binding: AcmeBindingId,
    /// The canonical JWK (see `jws::AccountKey::canonical_jwk`).
    pub jwk: String,
    pub thumbprint: String,
    pub contact: Vec<String>,
    /// "valid", "deactivated" or "revoked".
    pub status: String,
    /// Whether the binding was revoked: the account may then do nothing more.
    pub binding_revoked: bool,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub(super) struct AccountRow {
    id: AcmeAccountId,
    issuer: IssuerId,
    client: ClientId,
    binding: AcmeBindingId,
    jwk: String,
    thumbprint: String,
    contact: Vec<String>,
    status: String,
    binding_revoked: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    last_used_at: Option<DateTime<Utc>>,
}

pub(super) const ACCOUNT_FIELDS: &str = "id, issuer, client, binding, jwk, thumbprint, contact, status, \
     binding.revoked_at AS binding_revoked, created_at, last_used_at";

impl From<AccountRow> for AcmeAccount {
    fn from(r: AccountRow) -> Self {
        AcmeAccount {
            id: r.id,
            issuer: r.issuer,
            client: r.client,
            binding: r.binding,
            jwk: r.jwk,
            thumbprint: r.thumbprint,
            contact: r.contact,
            status: r.status,
            binding_revoked: r.binding_revoked.is_some(),
            created_at: r.created_at,
            last_used_at: r.last_used_at,
        }
    }
}

/// An account to create under a binding.
pub struct NewAcmeAccount<'a> {
    pub id: &'a AcmeAccountId,
    pub binding: &'a AcmeBinding,
    pub jwk: &'a str,
    pub thumbprint: &'a str,
    pub contact: &'a [String],
    pub now: DateTime<Utc>,
}

/// What `create_acme_account` found.
pub enum AccountCreated {
    New(AcmeAccount),
    /// An account with this key existed already (RFC 8555 7.3.1: answer it, 200).
    Existing(AcmeAccount),
}

impl Store {
    pub async fn create_acme_binding(&self, b: NewAcmeBinding<'_>) -> DbResult<()> {
        self.db
            .query(
                "CREATE $id CONTENT { issuer: $issuer, client: $client, products: $products, label: $label,
                    hmac_sealed: $sealed, created_by: $by, created_at: $now }",
            )
            .bind(("id", b.kid.record()))
            .bind(("issuer", b.issuer.record()))
            .bind(("client", b.client.record()))
            .bind(("products", b.products.to_vec()))
            .bind(("label", b.label.to_string()))
            .bind(("sealed", b.hmac_sealed.to_string()))
            .bind(("by", b.created_by.to_string()))
            .bind(("now", b.now))
            .await?
            .check()?;
        Ok(())
    }

    pub async fn acme_bindings_of_issuer(&self, issuer: &IssuerId) -> DbResult<Vec<AcmeBinding>> {
        let rows: Vec<BindingRow> = self
            .db
            .query(format!("SELECT {BINDING_FIELDS} FROM acme_binding WHERE issuer = $issuer ORDER BY created_at DESC"))
            .bind(("issuer", issuer.record()))
            .await?
            .take(0)?;
        Ok(rows.into_iter().map(AcmeBinding::from).collect())
    }

    /// A binding by its key ID, whoever's it is (newAccount knows nothing else of the client yet).
    pub async fn acme_binding(&self, kid: &AcmeBindingId) -> DbResult<Option<AcmeBinding>> {
        let row: Option<BindingRow> = self
            .db
            .query(format!("SELECT {BINDING_FIELDS} FROM ONLY $id"))
            .bind(("id", kid.record()))
            .await?
            .take(0)?;
        Ok(row.map(AcmeBinding::from))
    }

    /// Revokes a binding of `issuer` once; its accounts can do nothing more from then on.
    pub async fn revoke_acme_binding(
        &self,
        issuer: &IssuerId,
        kid: &AcmeBindingId,
        now: DateTime<Utc>,
    ) -> DbResult<bool> {
        let changed: Vec<RecordId> = self
            .db
            .query("UPDATE $id SET revoked_at = $now WHERE issuer = $issuer AND revoked_at = NONE RETURN VALUE id")
            .bind(("id", kid.record()))
            .bind(("issuer", issuer.record()))
            .bind(("now", now))
            .await?
            .check()?
            .take(0)?;
        Ok(!changed.is_empty())
    }

    pub async fn acme_accounts_of_issuer(&self, issuer: &IssuerId) -> DbResult<Vec<AcmeAccount>> {
        let rows: Vec<AccountRow> = self
            .db
            .query(format!("SELECT {ACCOUNT_FIELDS} FROM acme_account WHERE issuer = $issuer ORDER BY created_at DESC"))
            .bind(("issuer", issuer.record()))
            .await?
            .take(0)?;
        Ok(rows.into_iter().map(AcmeAccount::from).collect())
    }

    /// Creates the account, or finds the one with the same key (the caller looked first; the unique index
    /// settles a concurrent registration of the same key).
    pub async fn create_acme_account(&self, a: NewAcmeAccount<'_>) -> DbResult<AccountCreated> {
        let b = a.binding;
        // One transaction, run again when it collides with another registration on the same binding (its
        // last use is written by both): many servers of one client register with one key ID at once.
        let created = retry_conflicts(|| async {
            let response = self
                .db
                .query(
                    "BEGIN;
                     CREATE $id CONTENT { issuer: $issuer, client: $client, binding: $binding, jwk: $jwk,
                        thumbprint: $thumbprint, contact: $contact, status: 'valid', created_at: $now,
                        last_used_at: $now };
                     UPDATE $binding SET last_used_at = $now;
                     COMMIT;",
                )
                .bind(("id", a.id.record()))
                .bind(("issuer", b.issuer.record()))
                .bind(("client", b.client.record()))
                .bind(("binding", b.kid.record()))
                .bind(("jwk", a.jwk.to_string()))
                .bind(("thumbprint", a.thumbprint.to_string()))
                .bind(("contact", a.contact.to_vec()))
                .bind(("now", a.now))
                .await?;
            transaction(response)
        })
        .await;
        match created {
            Ok(_) => {}
            // The same key registered by a concurrent request: the unique index kept one, which is the answer.
            Err(e) if e.message().contains("acme_account_thumbprint") => {}
            Err(e) => return Err(e),
        }
        match self.acme_account_by_thumbprint(a.thumbprint).await? {
            Some(account) if &account.id == a.id => Ok(AccountCreated::New(account)),
            Some(account) => Ok(AccountCreated::Existing(account)),
            None => Err(surrealdb::Error::internal("the account just created is not there".into())),
        }
    }

    pub async fn acme_account(&self, id: &AcmeAccountId) -> DbResult<Option<AcmeAccount>> {
        let row: Option<AccountRow> =
            self.db.query(format!("SELECT {ACCOUNT_FIELDS} FROM ONLY $id")).bind(("id", id.record())).await?.take(0)?;
        Ok(row.map(AcmeAccount::from))
    }

    pub async fn acme_account_by_thumbprint(&self, thumbprint: &str) -> DbResult<Option<AcmeAccount>> {
        let rows: Vec<AccountRow> = self
            .db
            .query(format!("SELECT {ACCOUNT_FIELDS} FROM acme_account WHERE thumbprint = $t LIMIT 1"))
            .bind(("t", thumbprint.to_string()))
            .await?
            .take(0)?;
        Ok(rows.into_iter().next().map(AcmeAccount::from))
    }

    /// Notes the account's (and its binding's) use, at most once a minute per account.
    pub async fn touch_acme_account(&self, account: &AcmeAccount, now: DateTime<Utc>) -> DbResult<()> {
        if account.last_used_at.is_some_and(|t| now - t < chrono::Duration::minutes(1)) {
            return Ok(());
        }
        // The binding is shared by all its accounts: a touch that collides with another runs again.
        retry_conflicts(|| async {
            let response = self
                .db
                .query(
                    "BEGIN;
                     UPDATE $id SET last_used_at = $now;
                     UPDATE $binding SET last_used_at = $now WHERE last_used_at = NONE OR last_used_at < $now;
                     COMMIT;",
                )
                .bind(("id", account.id.record()))
                .bind(("binding", account.binding.record()))
                .bind(("now", now))
                .await?;
            transaction(response).map(|_| ())
        })
        .await
    }

    pub async fn set_acme_account_contact(&self, id: &AcmeAccountId, contact: &[String]) -> DbResult<()> {
        self.db
            .query("UPDATE $id SET contact = $contact")
            .bind(("id", id.record()))
            .bind(("contact", contact.to_vec()))
            .await?
            .check()?;
        Ok(())
    }

    /// Deactivates a valid account (final).
    pub async fn deactivate_acme_account(&self, id: &AcmeAccountId) -> DbResult<()> {
        self.db
            .query("UPDATE $id SET status = 'deactivated' WHERE status = 'valid'")
            .bind(("id", id.record()))
            .await?
            .check()?;
        Ok(())
    }

    /// Moves an account to a new key; false when another account has that key already.
    pub async fn rollover_acme_account_key(&self, id: &AcmeAccountId, jwk: &str, thumbprint: &str) -> DbResult<bool> {
        let result = self
            .db
            .query("UPDATE $id SET jwk = $jwk, thumbprint = $t WHERE status = 'valid'")
            .bind(("id", id.record()))
            .bind(("jwk", jwk.to_string()))
            .bind(("t", thumbprint.to_string()))
            .await?
            .check();
        match result {
            Ok(_) => Ok(true),
            Err(e) if e.message().contains("acme_account_thumbprint") => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Ties an order placed over ACME to its account.
    pub async fn set_order_acme_account(&self, order: &OrderId, account: &AcmeAccountId) -> DbResult<()> {
        self.db
            .query("UPDATE $order SET acme_account = $account")
            .bind(("order", order.record()))
            .bind(("account", account.record()))
            .await?
            .check()?;
        Ok(())
    }

    /// The orders of an account, newest first (the account's `orders` list).
    pub async fn acme_orders_of_account(&self, account: &AcmeAccountId, limit: usize) -> DbResult<Vec<OrderId>> {
        self.db
            .query(
                "SELECT VALUE id FROM cert_order WHERE acme_account = $account ORDER BY created_at DESC LIMIT $limit",
            )
            .bind(("account", account.record()))
            .bind(("limit", limit as i64))
            .await?
            .take(0)
    }

    /// Records an ACME challenge's outcome on its validation: valid, or failed with the reason.
    pub async fn record_acme_challenge(
        &self,
        dcv: &DcvId,
        kind: &str,
        now: DateTime<Utc>,
        outcome: Result<(), String>,
    ) -> DbResult<()> {
        let (status, error) = match outcome {
            Ok(()) => ("valid", None),
            Err(e) => ("failed", Some(e)),
        };
        self.db
            .query(
                "UPDATE $d SET checks += 1, last_checked_at = $now, last_error = $error, status = $status,
                    acme_challenge = $kind, method = IF $kind = 'dns-01' THEN 'dns' ELSE 'http' END,
                    validated_at = IF $status = 'valid' THEN $now ELSE validated_at END
                 WHERE status = 'pending'",
            )
            .bind(("d", dcv.record()))
            .bind(("kind", kind.to_string()))
            .bind(("now", now))
            .bind(("status", status))
            .bind(("error", error))
            .await?
            .check()?;
        Ok(())
    }

    /// The certificate with this serial (hex, upper case, unique), for revocation by the certificate itself and
    /// renewal information.
    pub async fn certificate_by_serial(&self, serial: &str) -> DbResult<Option<SerialCertificate>> {
        let rows: Vec<SerialRow> = self
            .db
            .query(
                "SELECT id, issuer, client, cert_order, der, not_before, not_after, revoked_at,
                    ca.revoked_at AS ca_revoked_at FROM certificate WHERE serial = $serial LIMIT 1",
            )
            .bind(("serial", serial.to_string()))
            .await?
            .take(0)?;
        Ok(rows.into_iter().next().map(|r| SerialCertificate {
            id: r.id,
            issuer: r.issuer,
            client: r.client,
            order: r.cert_order,
            der: r.der,
            not_before: r.not_before,
            not_after: r.not_after,
            revoked: r.revoked_at.is_some(),
            ca_revoked: r.ca_revoked_at.is_some(),
        }))
    }
}

/// A certificate found by its serial.
#[derive(Debug, Clone)]
pub struct SerialCertificate {
    pub id: CertificateId,
    pub issuer: IssuerId,
    pub client: ClientId,
    pub order: OrderId,
    /// base64 DER, as stored.
    pub der: String,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    pub revoked: bool,
    /// Its issuing CA was revoked: the certificate should be replaced now.
    pub ca_revoked: bool,
}

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct SerialRow {
    id: CertificateId,
    issuer: IssuerId,
    client: ClientId,
    cert_order: OrderId,
    der: String,
    not_before: DateTime<Utc>,
    not_after: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
    ca_revoked_at: Option<DateTime<Utc>>,
}
