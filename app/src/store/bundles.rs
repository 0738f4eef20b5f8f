//! Reads that gather what one request needs in one round trip: the holder of an API key (kept for a moment,
//! see `api_key_holder`), the inputs of a new order with the validations it may reuse, and an order with
//! everything its status page shows.
//!
//! Why: every SurrealDB query is its own transaction, and each transaction parses the table definitions it
//! touches afresh. Placing an order read about twenty small queries; issuance through the REST API spent most
//! of its CPU there rather than on the certificate. Each statement below binds its lookup values as parameters
//! (or `LET` values, which the planner also sees), never `$parent`: a subquery on `$parent` scans the whole
//! table instead of its index.

use super::clients::CLIENT_FIELDS;
use super::invitations::INVITATION_FIELDS;
use super::issuers::ISSUER_FIELDS;
use super::orders::ORDER_FIELDS;
use super::pki::CERT_FIELDS;
use super::validations::DCV_FIELDS;
use super::{
    ApiKeyId, CertificateRow, ClientId, CsrInvitationRow, DbResult, DcvRow, EventRow, IssuerId, OrderId, OrderRow,
    OrderScope, ProductId, ProductRow, Store, UserId,
};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use surrealdb::engine::any::Any;
use surrealdb::method::Query;
use surrealdb::types::{RecordId, SurrealValue};

pub(super) const PRODUCT_FIELDS: &str =
    "id, name, profile, wildcard, max_names, validity_days, key_types, auto_approve, active, \
     renew_before_days, renew_after_days, auto_renew_default";

/// An API key with its holder's live membership and address.
#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct KeyHolderRow {
    pub key: Option<KeyPart>,
    pub member: Option<MemberPart>,
}

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct KeyPart {
    pub id: ApiKeyId,
    pub user: UserId,
    pub issuer: IssuerId,
    pub email: Option<String>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct MemberPart {
    pub role: String,
    pub client: Option<ClientId>,
}

/// How long a live API key's holder is used without reading it again, and how many are kept.
const KEY_HOLDER_FRESH: Duration = Duration::from_secs(2);
const KEY_HOLDERS_KEPT: usize = 10_000;

/// Live API key holders by secret hash, with when they were read.
#[derive(Default)]
pub(super) struct KeyHolders(Mutex<HashMap<String, (Instant, KeyHolderRow)>>);

impl KeyHolders {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, KeyHolderRow)>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// What placing an order reads before it checks anything.
#[derive(Debug, Clone, Default, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct OrderInputs {
    pub product: Option<ProductRow>,
    pub client: Option<crate::model::Client>,
    pub issuer: Option<crate::model::Issuer>,
    /// The number of an earlier order of this issuer with the CSR's public key.
    pub key_seen_in: Option<String>,
    /// For each name of the reuse lookup, the times the client validated it (see `recent_validations`).
    pub validations: Vec<Vec<DateTime<Utc>>>,
}

/// One caller's part of a shared read of order inputs.
pub(super) struct InputsRequest {
    issuer: RecordId,
    product: RecordId,
    client: RecordId,
    key_fingerprint: Option<String>,
    names: Vec<ReuseQuery>,
    since: DateTime<Utc>,
}

/// Callers waiting for their order's inputs.
pub(super) type InputReads = super::batch::Batcher<InputsRequest, DbResult<OrderInputs>>;

/// An order and everything its status page shows.
#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct OrderDetails {
    pub order: OrderRow,
    pub product: Option<ProductRow>,
    pub dcvs: Vec<DcvRow>,
    pub events: Vec<EventRow>,
    pub certificate: Option<CertificateRow>,
    pub ca_slug: Option<String>,
    pub invitations: Vec<CsrInvitationRow>,
}

/// One earlier validation a new order may reuse: the target and whether wildcards need more than HTTP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReuseQuery {
    pub name: String,
    pub wildcard: bool,
}

/// The client's validations of these names after `since`, looked up with the order's other inputs.
pub struct ReuseLookup<'a> {
    pub names: &'a [ReuseQuery],
    pub since: DateTime<Utc>,
}

impl Store {
    /// The key with this secret hash, its holder's membership in the key's issuer and the holder's address.
    /// Live keys are kept for `KEY_HOLDER_FRESH`: a script calling in a loop would otherwise pay this read on
    /// every call. Revoking a key and changing or ending a membership in this process take effect at once
    /// (`forget_key_holders`); done by another process sharing the database, within `KEY_HOLDER_FRESH`.
    pub async fn api_key_holder(&self, hash: &str) -> DbResult<KeyHolderRow> {
        if let Some((at, row)) = self.key_holders.lock().get(hash) {
            if at.elapsed() < KEY_HOLDER_FRESH {
                return Ok(row.clone());
            }
        }
        let row = self.read_api_key_holder(hash).await?;
        if row.key.as_ref().is_some_and(|k| k.revoked_at.is_none()) && row.member.is_some() {
            let mut cache = self.key_holders.lock();
            if cache.len() >= KEY_HOLDERS_KEPT {
                cache.retain(|_, (at, _)| at.elapsed() < KEY_HOLDER_FRESH);
            }
            if cache.len() < KEY_HOLDERS_KEPT {
                cache.insert(hash.to_string(), (Instant::now(), row.clone()));
            }
        }
        Ok(row)
    }

    /// Drops the kept API key holders, after a change to keys or memberships.
    pub(super) fn forget_key_holders(&self) {
        self.key_holders.lock().clear();
    }

    /// Notes in the kept holders when a key was last used (the store writes it at most once a minute).
    pub(super) fn note_key_used(&self, id: &ApiKeyId, at: DateTime<Utc>) {
        for (_, row) in self.key_holders.lock().values_mut() {
            if let Some(key) = row.key.as_mut().filter(|k| &k.id == id) {
                key.last_used_at = Some(at);
            }
        }
    }

    async fn read_api_key_holder(&self, hash: &str) -> DbResult<KeyHolderRow> {
        let row: Option<KeyHolderRow> = self
            .db
            .query(
                "LET $k = (SELECT id, user, issuer, user.email AS email, last_used_at, revoked_at FROM api_key
                    WHERE secret_hash = $hash LIMIT 1)[0];
                 RETURN { key: $k, member: (SELECT role, client FROM membership
                    WHERE user = $k.user AND issuer = $k.issuer LIMIT 1)[0] };",
            )
            .bind(("hash", hash.to_string()))
            .await?
            .take(1)?;
        Ok(row.unwrap_or(KeyHolderRow { key: None, member: None }))
    }

    /// The product, the client (only if it is the issuer's) and the issuer of a new order, an earlier order
    /// with the same public key when there is a CSR, and the client's validations the order may reuse. Read
    /// together with the inputs of orders placed at the same moment (see `batch`): each read transaction parses
    /// the definitions of the five tables afresh, which cost more than the lookups themselves.
    pub async fn order_inputs(
        &self,
        issuer: &IssuerId,
        product: &ProductId,
        client: &ClientId,
        key_fingerprint: Option<&str>,
        reuse: &ReuseLookup<'_>,
    ) -> DbResult<OrderInputs> {
        let request = InputsRequest {
            issuer: issuer.record(),
            product: product.record(),
            client: client.record(),
            key_fingerprint: key_fingerprint.map(str::to_string),
            names: reuse.names.to_vec(),
            since: reuse.since,
        };
        self.input_reads
            .submit(self, request, Store::read_inputs)
            .await
            .unwrap_or_else(|| Err(surrealdb::Error::internal("the shared read of order inputs stopped".into())))
    }

    /// The inputs of a group of orders in one read; if that fails, each alone, with its own error.
    async fn read_inputs(self, group: Vec<InputsRequest>) -> Vec<DbResult<OrderInputs>> {
        if group.len() > 1 {
            match self.inputs_of(&group).await {
                Ok(all) if all.len() == group.len() => return all.into_iter().map(Ok).collect(),
                Ok(_) => tracing::debug!(orders = group.len(), "a shared read answered short; each order alone"),
                Err(e) => tracing::debug!(orders = group.len(), error = %e, "a shared read failed; each order alone"),
            }
        }
        let mut answers = Vec::with_capacity(group.len());
        for request in &group {
            let one = self.inputs_of(std::slice::from_ref(request)).await;
            answers.push(one.map(|mut all| all.pop().unwrap_or_default()));
        }
        answers
    }

    async fn inputs_of(&self, group: &[InputsRequest]) -> DbResult<Vec<OrderInputs>> {
        let each: Vec<String> = group.iter().enumerate().map(|(c, r)| inputs_expression(c, r)).collect();
        let mut query = self.db.query(format!("RETURN [{}]", each.join(", ")));
        for (c, r) in group.iter().enumerate() {
            query = query
                .bind((format!("issuer_{c}"), r.issuer.clone()))
                .bind((format!("product_{c}"), r.product.clone()))
                .bind((format!("client_{c}"), r.client.clone()))
                .bind((format!("fp_{c}"), r.key_fingerprint.clone()));
            query = bind_reuse(query, c, &ReuseLookup { names: &r.names, since: r.since });
        }
        query.await?.take(0)
    }

    /// For each name, when this client last validated it after `since` (for reuse), in the order asked. An
    /// HTTP-file validation does not count for a wildcard (BR 3.2.2.4.18).
    pub async fn recent_validations(
        &self,
        client: &ClientId,
        reuse: &ReuseLookup<'_>,
    ) -> DbResult<Vec<Option<DateTime<Utc>>>> {
        if reuse.names.is_empty() {
            return Ok(Vec::new());
        }
        let query = self
            .db
            .query(format!("RETURN {}", validation_lookups(0, reuse.names.len())))
            .bind(("client_0", client.record()));
        let found: Vec<Vec<DateTime<Utc>>> = bind_reuse(query, 0, reuse).await?.take(0)?;
        Ok(latest_validations(found))
    }

    /// An order the caller may see, with its product, validations, history, certificate and invitations.
    pub async fn order_details(&self, scope: &OrderScope, id: &OrderId) -> DbResult<Option<OrderDetails>> {
        self.details_of(
            "SELECT {ORDER_FIELDS} FROM $id WHERE issuer = $issuer AND ($client = NONE OR client = $client)",
            vec![
                ("id", Some(id.record())),
                ("issuer", Some(scope.issuer.record())),
                ("client", scope.client.as_ref().map(|c| c.record())),
            ],
            None,
        )
        .await
    }

    /// The order behind a tracking link made before links were derived from the order: by its token's SHA-256.
    pub async fn order_details_by_tracking_hash(&self, hash: &str) -> DbResult<Option<OrderDetails>> {
        self.details_of(
            "SELECT {ORDER_FIELDS} FROM cert_order WHERE tracking_hash = $tracking LIMIT 1",
            Vec::new(),
            Some(hash),
        )
        .await
    }

    /// An order whatever its issuer: for a tracking link, whose signature the caller checked.
    pub async fn order_details_unscoped(&self, id: &OrderId) -> DbResult<Option<OrderDetails>> {
        self.details_of("SELECT {ORDER_FIELDS} FROM $id", vec![("id", Some(id.record()))], None).await
    }

    async fn details_of(
        &self,
        find: &str,
        ids: Vec<(&'static str, Option<RecordId>)>,
        token: Option<&str>,
    ) -> DbResult<Option<OrderDetails>> {
        let find = find.replace("{ORDER_FIELDS}", ORDER_FIELDS);
        let mut query = self.db.query(format!("LET $o = ({find})[0]; {}", details_statement()));
        for (name, value) in ids {
            query = query.bind((name, value));
        }
        if let Some(token) = token {
            query = query.bind(("tracking", token.to_string()));
        }
        Ok(sorted(query.await?.take(1)?))
    }
}

/// The lookups of caller `c` of a shared read, each value a bound parameter suffixed with `_{c}`.
fn inputs_expression(c: usize, request: &InputsRequest) -> String {
    // Without a CSR the key lookup is left out: drafts all share the empty fingerprint.
    let key_seen = if request.key_fingerprint.is_some() {
        format!(
            "(SELECT VALUE number FROM cert_order WHERE key_fingerprint = $fp_{c} AND issuer = $issuer_{c} LIMIT 1)[0]"
        )
    } else {
        "NONE".to_string()
    };
    format!(
        "{{
            product: (SELECT {PRODUCT_FIELDS} FROM ONLY $product_{c}),
            client: (SELECT {CLIENT_FIELDS} FROM client WHERE id = $client_{c} AND issuer = $issuer_{c} LIMIT 1)[0],
            issuer: (SELECT {ISSUER_FIELDS} FROM ONLY $issuer_{c}),
            key_seen_in: {key_seen},
            validations: {validations},
        }}",
        validations = validation_lookups(c, request.names.len()),
    )
}

/// An array with, per name, the times the client (`$client_{c}`) validated it: one subquery per name, each with
/// its own bound parameters, so that each uses the reuse index. The matching rows are few (one per real
/// validation) and the latest is picked in Rust: `ORDER BY validated_at DESC` would scan the index backwards,
/// which SurrealKV does slowly.
fn validation_lookups(c: usize, count: usize) -> String {
    let lookups: Vec<String> = (0..count)
        .map(|i| {
            format!(
                "(SELECT VALUE validated_at FROM dcv WHERE client = $client_{c} AND name = $n_{c}_{i} AND reused = false
                    AND status = 'valid' AND validated_at > $since_{c} AND ($w_{c}_{i} = false OR method != 'http'))"
            )
        })
        .collect();
    format!("[{}]", lookups.join(", "))
}

fn bind_reuse<'r>(mut query: Query<'r, Any>, c: usize, reuse: &ReuseLookup<'_>) -> Query<'r, Any> {
    query = query.bind((format!("since_{c}"), reuse.since));
    for (i, n) in reuse.names.iter().enumerate() {
        query = query.bind((format!("n_{c}_{i}"), n.name.clone())).bind((format!("w_{c}_{i}"), n.wildcard));
    }
    query
}

/// The latest validation per name, from what `validation_lookups` found.
pub fn latest_validations(found: Vec<Vec<DateTime<Utc>>>) -> Vec<Option<DateTime<Utc>>> {
    found.into_iter().map(|dates| dates.into_iter().max()).collect()
}

/// The statement that returns the details of the order in `$o` (a row with `ORDER_FIELDS`, or NONE). An order
/// issued as it is placed answers with the same details built from what it wrote (`create_issued_order`).
pub(super) fn details_statement() -> String {
    format!(
        "RETURN IF $o = NONE {{ NONE }} ELSE {{ {{
            order: $o,
            product: (SELECT {PRODUCT_FIELDS} FROM ONLY $o.product),
            dcvs: (SELECT {DCV_FIELDS} FROM dcv WHERE cert_order = $o.id ORDER BY name),
            events: (SELECT at, actor, kind, detail FROM order_event WHERE cert_order = $o.id ORDER BY at, id),
            certificate: IF $o.certificate = NONE {{ NONE }} ELSE {{ SELECT {CERT_FIELDS} FROM ONLY $o.certificate }},
            ca_slug: $o.certificate.ca.slug,
            invitations: (SELECT {INVITATION_FIELDS} FROM csr_invitation WHERE cert_order = $o.id),
         }} }};"
    )
}

/// Invitations newest first, sorted here for the same reason as the validations above; the history by time
/// as well (read inside the transaction that wrote it, SurrealDB once returned it out of order).
pub(super) fn sorted(details: Option<OrderDetails>) -> Option<OrderDetails> {
    details.map(|mut d| {
        d.invitations.sort_by(|a, b| b.created_at.cmp(&a.created_at));
        d.events.sort_by_key(|e| e.at);
        d
    })
}

/// What a CSR handed in to a draft order is judged and issued by: the order's product, an earlier order of the
/// issuer with the same public key, and the order's validations.
#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct CsrFacts {
    pub product: Option<ProductRow>,
    pub key_seen_in: Option<String>,
    pub dcvs: Vec<DcvRow>,
}

impl Store {
    /// The facts a CSR for `order` is judged by, in one round trip; `fingerprint` is the CSR's public key's,
    /// when it parsed.
    pub async fn csr_facts(&self, order: &OrderRow, fingerprint: Option<&str>) -> DbResult<CsrFacts> {
        let facts: Option<CsrFacts> = self
            .db
            .query(format!(
                "RETURN {{
                    product: (SELECT {PRODUCT_FIELDS} FROM ONLY $product),
                    key_seen_in: IF $fp = NONE THEN NONE ELSE (SELECT VALUE number FROM cert_order
                        WHERE key_fingerprint = $fp AND issuer = $issuer AND id != $order LIMIT 1)[0] END,
                    dcvs: (SELECT {DCV_FIELDS} FROM dcv WHERE cert_order = $order ORDER BY name),
                }}"
            ))
            .bind(("product", order.product.clone()))
            .bind(("fp", fingerprint.map(str::to_string)))
            .bind(("issuer", order.issuer.clone()))
            .bind(("order", order.id.clone()))
            .await?
            .take(0)?;
        facts.ok_or_else(|| surrealdb::Error::internal("the facts of a CSR were not read".into()))
    }
}
