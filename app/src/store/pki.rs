//! The CA hierarchy, products and issued certificates.

use super::{CaId, CertificateId, ClientId, DbResult, IssuerId, OrderId, ProductId, Store};
use chrono::{DateTime, Utc};
use surrealdb::types::{RecordId, SurrealValue};

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct CaRow {
    pub id: CaId,
    pub slug: String,
    pub name: String,
    pub kind: String,
    pub issuer: Option<IssuerId>,
    pub issuer_name: Option<String>,
    pub parent: Option<CaId>,
    pub subject: String,
    pub cert_der: String,
    pub key_sealed: String,
    pub key_alg: String,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    pub imported: bool,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revocation_reason: Option<String>,
}

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct NewCa {
    pub slug: String,
    pub name: String,
    pub kind: String,
    pub issuer: Option<IssuerId>,
    pub parent: Option<CaId>,
    pub subject: String,
    pub cert_der: String,
    pub key_sealed: String,
    pub key_alg: String,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    pub imported: bool,
    pub created_at: DateTime<Utc>,
}

const CA_FIELDS: &str = "id, slug, name, kind, issuer, issuer.name AS issuer_name, parent, subject, cert_der, \
     key_sealed, key_alg, not_before, not_after, imported, revoked_at, revocation_reason";

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct ProductRow {
    pub id: ProductId,
    pub name: String,
    pub profile: String,
    pub wildcard: bool,
    pub max_names: i64,
    pub validity_days: Vec<i64>,
    pub key_types: Vec<String>,
    pub auto_approve: bool,
    pub active: bool,
    pub renew_before_days: i64,
    pub renew_after_days: i64,
    pub auto_renew_default: Option<bool>,
}

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct ProductParams {
    pub name: String,
    pub profile: String,
    pub wildcard: bool,
    pub max_names: i64,
    pub validity_days: Vec<i64>,
    pub key_types: Vec<String>,
    pub auto_approve: bool,
    pub active: bool,
    pub renew_before_days: i64,
    pub renew_after_days: i64,
    pub auto_renew_default: bool,
}

const PRODUCT_SET: &str = "name = $p.name, profile = $p.profile, wildcard = $p.wildcard, max_names = $p.max_names, \
     validity_days = $p.validity_days, key_types = $p.key_types, auto_approve = $p.auto_approve, active = $p.active, \
     renew_before_days = $p.renew_before_days, renew_after_days = $p.renew_after_days, \
     auto_renew_default = $p.auto_renew_default";

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct CertificateRow {
    pub id: CertificateId,
    pub issuer: IssuerId,
    pub client: ClientId,
    pub cert_order: OrderId,
    pub ca: CaId,
    pub serial: String,
    pub names: Vec<String>,
    pub subject: String,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    pub der: String,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revocation_reason: Option<String>,
}

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct NewCertificate {
    pub issuer: IssuerId,
    pub client: ClientId,
    pub cert_order: OrderId,
    pub ca: CaId,
    pub serial: String,
    pub names: Vec<String>,
    pub subject: String,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    pub der: String,
    pub key_fingerprint: String,
    pub created_at: DateTime<Utc>,
}

pub(super) const CERT_FIELDS: &str =
    "id, issuer, client, cert_order, ca, serial, names, subject, not_before, not_after, der, revoked_at, \
     revocation_reason";

impl Store {
    /// Writes a CA under the key its sealed private key is bound to.
    pub async fn create_ca(&self, key: &CaId, ca: NewCa) -> DbResult<CaId> {
        let id: Option<CaId> = self
            .db
            .query("LET $created = CREATE ONLY $id CONTENT $ca; RETURN $created.id;")
            .bind(("id", key.record()))
            .bind(("ca", ca))
            .await?
            .check()?
            .take(1)?;
        id.ok_or_else(|| surrealdb::Error::internal("CREATE returned nothing".into()))
    }

    /// Replaces a CA's sealed key if it is still `old`; whether it was replaced.
    pub async fn replace_ca_key_sealed(&self, ca: &CaId, old: &str, new: &str) -> DbResult<bool> {
        let changed: Vec<RecordId> = self
            .db
            .query("UPDATE $id SET key_sealed = $new WHERE key_sealed = $old RETURN VALUE id")
            .bind(("id", ca.record()))
            .bind(("old", old.to_string()))
            .bind(("new", new.to_string()))
            .await?
            .take(0)?;
        Ok(!changed.is_empty())
    }

    pub async fn cas(&self) -> DbResult<Vec<CaRow>> {
        self.db.query(format!("SELECT {CA_FIELDS} FROM ca ORDER BY kind DESC, created_at")).await?.take(0)
    }

    pub async fn ca_by_id(&self, id: &CaId) -> DbResult<Option<CaRow>> {
        self.db.query(format!("SELECT {CA_FIELDS} FROM ONLY $id")).bind(("id", id.record())).await?.take(0)
    }

    pub async fn ca_by_slug(&self, slug: &str) -> DbResult<Option<CaRow>> {
        self.db
            .query(format!("SELECT {CA_FIELDS} FROM ca WHERE slug = $slug LIMIT 1"))
            .bind(("slug", slug.to_string()))
            .await?
            .take(0)
    }

    /// The issuing CA of an issuer (the newest, if an older one was kept).
    /// The issuer's TLS issuing CA.
    pub async fn issuing_ca(&self, issuer: &IssuerId) -> DbResult<Option<CaRow>> {
        self.issuing_ca_of(issuer, "intermediate").await
    }

    /// The issuer's newest issuing CA of `kind` (`intermediate` for TLS, `smime`).
    pub async fn issuing_ca_of(&self, issuer: &IssuerId, kind: &str) -> DbResult<Option<CaRow>> {
        self.db
            .query(format!(
                "SELECT {CA_FIELDS}, created_at FROM ca WHERE issuer = $issuer AND kind = $kind AND revoked_at = NONE
                 ORDER BY created_at DESC LIMIT 1"
            ))
            .bind(("issuer", issuer.record()))
            .bind(("kind", kind.to_string()))
            .await?
            .take(0)
    }

    pub async fn root_ca(&self) -> DbResult<Option<CaRow>> {
        self.db
            .query(format!(
                "SELECT {CA_FIELDS}, created_at FROM ca WHERE kind = 'root' ORDER BY created_at DESC LIMIT 1"
            ))
            .await?
            .take(0)
    }

    pub async fn products(&self) -> DbResult<Vec<ProductRow>> {
        self.db.query("SELECT * FROM product ORDER BY name").await?.take(0)
    }

    pub async fn product(&self, id: &ProductId) -> DbResult<Option<ProductRow>> {
        self.db.query("SELECT * FROM ONLY $id").bind(("id", id.record())).await?.take(0)
    }

    pub async fn create_product(&self, p: ProductParams, now: DateTime<Utc>) -> DbResult<ProductId> {
        let id: Option<ProductId> = self
            .db
            .query(format!(
                "LET $created = CREATE ONLY product SET {PRODUCT_SET}, created_at = $now; RETURN $created.id;"
            ))
            .bind(("p", p))
            .bind(("now", now))
            .await?
            .check()?
            .take(1)?;
        id.ok_or_else(|| surrealdb::Error::internal("CREATE returned nothing".into()))
    }

    pub async fn update_product(&self, id: &ProductId, p: ProductParams) -> DbResult<bool> {
        let updated: Vec<RecordId> = self
            .db
            .query(format!("UPDATE $id SET {PRODUCT_SET} RETURN VALUE id"))
            .bind(("id", id.record()))
            .bind(("p", p))
            .await?
            .check()?
            .take(0)?;
        Ok(!updated.is_empty())
    }

    pub async fn create_certificate(&self, c: NewCertificate) -> DbResult<CertificateId> {
        let id: Option<CertificateId> = self
            .db
            .query("LET $created = CREATE ONLY certificate CONTENT $c; RETURN $created.id;")
            .bind(("c", c))
            .await?
            .check()?
            .take(1)?;
        id.ok_or_else(|| surrealdb::Error::internal("CREATE returned nothing".into()))
    }

    pub async fn certificate(&self, issuer: &IssuerId, id: &CertificateId) -> DbResult<Option<CertificateRow>> {
        let rows: Vec<CertificateRow> = self
            .db
            .query(format!("SELECT {CERT_FIELDS} FROM $id WHERE issuer = $issuer"))
            .bind(("id", id.record()))
            .bind(("issuer", issuer.record()))
            .await?
            .take(0)?;
        Ok(rows.into_iter().next())
    }

    /// An earlier order of this issuer whose CSR or certificate had the same public key (its number).
    pub async fn order_with_key(
        &self,
        issuer: &IssuerId,
        fingerprint: &str,
        except: Option<&OrderId>,
    ) -> DbResult<Option<String>> {
        let numbers: Vec<String> = self
            .db
            .query(
                "SELECT VALUE number FROM cert_order WHERE key_fingerprint = $fp AND issuer = $issuer AND id != $except
                 LIMIT 1",
            )
            .bind(("fp", fingerprint.to_string()))
            .bind(("issuer", issuer.record()))
            .bind(("except", except.map(|e| e.record())))
            .await?
            .take(0)?;
        Ok(numbers.into_iter().next())
    }
}
