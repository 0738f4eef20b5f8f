//! What ACME requests read and write, each in one round trip: the nonce used up with the signing account, an
//! order of the account with its authorizations, and what newOrder checks before it places anything.
//!
//! Why: an ACME issuance is several signed requests where a REST one is one, and every SurrealDB query is its
//! own transaction that parses the definitions of the tables it touches afresh (see `bundles`). As for the
//! other bundles, each lookup binds its values as parameters rather than naming `$parent`.

use super::acme::{AccountRow, ACCOUNT_FIELDS};
use super::orders::ORDER_FIELDS;
use super::validations::DCV_FIELDS;
use super::{is_duplicate, rid, AcmeAccount, DbResult, DcvRow, OrderRow, OrderScope, Store};
use chrono::{DateTime, Utc};
use surrealdb::types::{RecordId, SurrealValue};

/// What the request's nonce and signer turned out to be.
pub enum AcmeIntake {
    /// The nonce was used before, on some instance.
    NonceUsed,
    /// The nonce is now used; the account the request named, if it named one and it exists.
    Fresh(Option<AcmeAccount>),
}

/// An ACME order: the order, its validations (by name) and the certificate a renewal replaces (base64 DER).
#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct AcmeOrder {
    pub order: OrderRow,
    pub dcvs: Vec<DcvRow>,
    pub replaces: Option<String>,
}

/// What newOrder checks before placing: the account's recent orders, the binding's waiting authorizations,
/// the binding's products (the first being the default) and the client's domains.
#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct NewOrderFacts {
    pub orders_since: i64,
    pub pending_authorizations: i64,
    pub products: Vec<RecordId>,
    pub hosts: Vec<String>,
}

impl Store {
    /// Uses up the nonce made at `made_at` and reads the account with key `account`, in one round trip: used
    /// nonces are kept (until `prune_acme_nonces`) so that a second use fails on any instance.
    pub async fn acme_intake(
        &self,
        nonce: &str,
        made_at: DateTime<Utc>,
        account: Option<&str>,
    ) -> DbResult<AcmeIntake> {
        let mut query = self
            .db
            .query("CREATE $nonce CONTENT { created_at: $made_at } RETURN NONE")
            .bind(("nonce", rid("acme_nonce", nonce)))
            .bind(("made_at", made_at));
        if let Some(account) = account {
            query = query
                .query(format!("SELECT {ACCOUNT_FIELDS} FROM ONLY $account"))
                .bind(("account", rid("acme_account", account)));
        }
        let mut response = query.await?;
        let mut errors = response.take_errors();
        if let Some(e) = errors.remove(&0) {
            return if is_duplicate(&e) { Ok(AcmeIntake::NonceUsed) } else { Err(e) };
        }
        if let Some((_, e)) = errors.into_iter().next() {
            return Err(e);
        }
        let row: Option<AccountRow> = if account.is_some() { response.take(1)? } else { None };
        Ok(AcmeIntake::Fresh(row.map(AcmeAccount::from)))
    }

    /// Forgets the used nonces made before `before` (too old to be used anyway).
    pub async fn prune_acme_nonces(&self, before: DateTime<Utc>) -> DbResult<()> {
        self.db.query("DELETE acme_nonce WHERE created_at < $before").bind(("before", before)).await?.check()?;
        Ok(())
    }

    /// Order `id` if the ACME account `account` placed it for the scope's client, with its validations and
    /// what it replaces.
    pub async fn acme_order(&self, scope: &OrderScope, account: &str, id: &str) -> DbResult<Option<AcmeOrder>> {
        self.db
            .query(format!(
                "LET $o = (SELECT {ORDER_FIELDS} FROM $id WHERE issuer = $issuer AND client = $client
                    AND acme_account = $account)[0];
                 RETURN IF $o = NONE THEN NONE ELSE {{
                    order: $o,
                    dcvs: (SELECT {DCV_FIELDS} FROM dcv WHERE cert_order = $id ORDER BY name),
                    replaces: (SELECT VALUE replaces.der FROM ONLY $id),
                 }} END;"
            ))
            .bind(("id", rid("cert_order", id)))
            .bind(("issuer", rid("issuer", &scope.issuer)))
            .bind(("client", scope.client.as_deref().map(|c| rid("client", c))))
            .bind(("account", rid("acme_account", account)))
            .await?
            .take(1)
    }

    /// What newOrder of `account` (of `binding`, for the client) checks: its orders placed since `hour_ago`,
    /// the binding's authorizations of orders placed since `open_since` that wait for a challenge, the
    /// binding's products and the client's domains.
    pub async fn acme_new_order_facts(
        &self,
        account: &AcmeAccount,
        hour_ago: DateTime<Utc>,
        open_since: DateTime<Utc>,
    ) -> DbResult<NewOrderFacts> {
        // The domains' inner query can only use the `domain_client` index (see `domains_of_client`).
        let facts: Option<NewOrderFacts> = self
            .db
            .query(
                "RETURN {
                    orders_since: count(SELECT id FROM cert_order WHERE acme_account = $account
                        AND created_at > $hour_ago),
                    pending_authorizations: count(SELECT id FROM dcv WHERE status = 'pending'
                        AND cert_order.status = 'draft' AND cert_order.created_at > $open_since
                        AND cert_order.acme_account.binding = $binding),
                    products: (SELECT VALUE products FROM ONLY $binding) ?? [],
                    hosts: (SELECT VALUE host FROM (SELECT * FROM domain WHERE client = $client)
                        WHERE issuer = $issuer),
                 }",
            )
            .bind(("account", rid("acme_account", &account.id)))
            .bind(("binding", rid("acme_binding", &account.binding)))
            .bind(("client", rid("client", &account.client)))
            .bind(("issuer", rid("issuer", &account.issuer)))
            .bind(("hour_ago", hour_ago))
            .bind(("open_since", open_since))
            .await?
            .take(0)?;
        facts.ok_or_else(|| surrealdb::Error::internal("newOrder's facts were not read".into()))
    }
}
