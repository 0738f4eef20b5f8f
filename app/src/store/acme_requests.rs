//! What ACME requests read and write, each in one round trip: the nonce used up with the signing account (shared
//! by the requests arriving together), an order of the account with its authorizations, and what newOrder checks
//! before it places anything.
//!
//! Why: an ACME issuance is several signed requests where a REST one is one, and every SurrealDB query is its
//! own transaction that parses the definitions of the tables it touches afresh (see `bundles`). As for the
//! other bundles, each lookup binds its values as parameters rather than naming `$parent`.

use super::acme::{AccountRow, ACCOUNT_FIELDS};
use super::bundles::PRODUCT_FIELDS;
use super::orders::ORDER_FIELDS;
use super::validations::DCV_FIELDS;
use super::{
    retry_conflicts, rid, transaction, AcmeAccount, AcmeAccountId, DbResult, DcvRow, OrderId, OrderRow, OrderScope,
    ProductId, ProductRow, Store,
};
use chrono::{DateTime, Utc};
use surrealdb::types::{RecordId, SurrealValue};

/// What the request's nonce and signer turned out to be.
pub enum AcmeIntake {
    /// The nonce was used before, on some instance.
    NonceUsed,
    /// The nonce is now used; the account the request named, if it named one and it exists.
    Fresh(Option<AcmeAccount>),
}

/// One request's nonce (made at `made_at`) and the account it names.
pub(super) struct Intake {
    nonce: String,
    made_at: DateTime<Utc>,
    account: Option<String>,
}

/// Requests waiting for their nonce to be used up.
pub(super) type AcmeIntakes = super::batch::Batcher<Intake, DbResult<AcmeIntake>>;

/// A used nonce as stored.
#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct NonceMark {
    id: RecordId,
    created_at: DateTime<Utc>,
}

/// What the intake transaction answers: the group's nonces that were used before, and the accounts.
#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct Taken {
    used: Vec<RecordId>,
    accounts: Vec<AccountRow>,
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
    pub products: Vec<ProductId>,
    /// Those products as they are now (a deleted one is missing).
    pub product_rows: Vec<ProductRow>,
    pub hosts: Vec<String>,
}

impl Store {
    /// Uses up the nonce made at `made_at` and reads the account with key `account`: used nonces are kept (until
    /// `prune_acme_nonces`) so that a second use fails on any instance. Requests arriving together share one
    /// transaction (see `batch`): every signed ACME request writes its nonce, and under load those writes, not
    /// the requests' own work, would otherwise be most of what the database does.
    pub async fn acme_intake(
        &self,
        nonce: &str,
        made_at: DateTime<Utc>,
        account: Option<&str>,
    ) -> DbResult<AcmeIntake> {
        let item = Intake { nonce: nonce.to_string(), made_at, account: account.map(str::to_string) };
        self.acme_intakes
            .submit(self, item, Store::serve_intakes)
            .await
            .unwrap_or_else(|| Err(surrealdb::Error::internal("the shared ACME nonce write stopped".into())))
    }

    /// The intakes of a group, in the order given. If the shared transaction fails, each intake is tried alone
    /// and gets its own answer.
    async fn serve_intakes(self, group: Vec<Intake>) -> Vec<DbResult<AcmeIntake>> {
        match retry_conflicts(|| self.take_in(&group)).await {
            Ok(answers) => answers.into_iter().map(Ok).collect(),
            Err(_) if group.len() > 1 => {
                let mut answers = Vec::with_capacity(group.len());
                for item in group {
                    let alone = [item];
                    answers.push(retry_conflicts(|| self.take_in(&alone)).await.map(|mut a| a.remove(0)));
                }
                answers
            }
            Err(e) => vec![Err(e)],
        }
    }

    /// One transaction: which of the group's nonces were used before, and their marks written; then the
    /// accounts the requests name. A nonce that two concurrent transactions (on this instance or another) both
    /// find unused is written by both, so one of them conflicts and is run again, finding it used.
    async fn take_in(&self, group: &[Intake]) -> DbResult<Vec<AcmeIntake>> {
        let mut nonces: Vec<&str> = group.iter().map(|i| i.nonce.as_str()).collect();
        nonces.sort_unstable();
        nonces.dedup();
        let marks: Vec<NonceMark> = nonces
            .iter()
            .filter_map(|n| group.iter().find(|i| i.nonce == *n))
            .map(|i| NonceMark { id: rid("acme_nonce", &i.nonce), created_at: i.made_at })
            .collect();
        let ids: Vec<RecordId> = marks.iter().map(|m| m.id.clone()).collect();
        let accounts: Vec<RecordId> =
            group.iter().filter_map(|i| i.account.as_deref()).map(|a| rid("acme_account", a)).collect();
        let mut response = self
            .db
            .query(format!(
                "BEGIN;
                 LET $used = (SELECT VALUE id FROM $ids);
                 INSERT IGNORE INTO acme_nonce $marks RETURN NONE;
                 COMMIT;
                 RETURN {{ used: $used, accounts: (SELECT {ACCOUNT_FIELDS} FROM $accounts) }};"
            ))
            .bind(("ids", ids))
            .bind(("marks", marks))
            .bind(("accounts", accounts))
            .await
            .and_then(transaction)?;
        let last = response.num_statements().saturating_sub(1);
        let taken: Option<Taken> = response.take(last)?;
        let Taken { used, accounts } =
            taken.ok_or_else(|| surrealdb::Error::internal("no ACME intake answer".into()))?;
        let accounts: Vec<AcmeAccount> = accounts.into_iter().map(AcmeAccount::from).collect();
        let mut seen: Vec<&str> = Vec::with_capacity(group.len());
        let answers = group
            .iter()
            .map(|item| {
                // A nonce sent twice in one group is used up by the first request that sent it.
                let first = !seen.contains(&item.nonce.as_str());
                seen.push(&item.nonce);
                if !first || used.contains(&rid("acme_nonce", &item.nonce)) {
                    return AcmeIntake::NonceUsed;
                }
                let account = item.account.as_deref().and_then(|a| accounts.iter().find(|row| row.id.is(a)));
                AcmeIntake::Fresh(account.cloned())
            })
            .collect();
        Ok(answers)
    }

    /// Forgets the used nonces made before `before` (too old to be used anyway).
    pub async fn prune_acme_nonces(&self, before: DateTime<Utc>) -> DbResult<()> {
        self.db.query("DELETE acme_nonce WHERE created_at < $before").bind(("before", before)).await?.check()?;
        Ok(())
    }

    /// Order `id` if the ACME account `account` placed it for the scope's client, with its validations and
    /// what it replaces.
    pub async fn acme_order(
        &self,
        scope: &OrderScope,
        account: &AcmeAccountId,
        id: &OrderId,
    ) -> DbResult<Option<AcmeOrder>> {
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
            .bind(("id", id.record()))
            .bind(("issuer", scope.issuer.record()))
            .bind(("client", scope.client.as_ref().map(|c| c.record())))
            .bind(("account", account.record()))
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
            .query(format!(
                "LET $products = (SELECT VALUE products FROM ONLY $binding) ?? [];
                 RETURN {{
                    orders_since: count(SELECT id FROM cert_order WHERE acme_account = $account
                        AND created_at > $hour_ago),
                    pending_authorizations: count(SELECT id FROM dcv WHERE status = 'pending'
                        AND cert_order.status = 'draft' AND cert_order.created_at > $open_since
                        AND cert_order.acme_account.binding = $binding),
                    products: $products,
                    product_rows: (SELECT {PRODUCT_FIELDS} FROM $products),
                    hosts: (SELECT VALUE host FROM (SELECT * FROM domain WHERE client = $client)
                        WHERE issuer = $issuer),
                 }}"
            ))
            .bind(("account", account.id.record()))
            .bind(("binding", account.binding.record()))
            .bind(("client", account.client.record()))
            .bind(("issuer", account.issuer.record()))
            .bind(("hour_ago", hour_ago))
            .bind(("open_since", open_since))
            .await?
            .take(1)?;
        facts.ok_or_else(|| surrealdb::Error::internal("newOrder's facts were not read".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn requests_sending_one_nonce_at_the_same_moment_use_it_once_and_others_are_not_held_up() {
        let store = Store::in_memory().await;
        let now = Utc::now();
        let (a, b, c) = tokio::join!(
            store.acme_intake("n1", now, None),
            store.acme_intake("n1", now, None),
            store.acme_intake("n2", now, None)
        );
        let fresh = |i: &DbResult<AcmeIntake>| matches!(i, Ok(AcmeIntake::Fresh(None)));
        assert_eq!([fresh(&a), fresh(&b)].iter().filter(|f| **f).count(), 1, "one of the two uses of n1 is refused");
        assert!(fresh(&c), "n2 is used for the first time");
        assert!(matches!(store.acme_intake("n2", now, None).await, Ok(AcmeIntake::NonceUsed)));
    }
}
