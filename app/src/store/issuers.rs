//! Issuers and memberships.

use super::{ClientId, DbResult, IssuerId, Store, UserId};
use crate::model::{Issuer, IssuerProfile, Role};
use chrono::{DateTime, Utc};
use surrealdb::types::SurrealValue;

/// One of a person's issuers.
#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct MembershipRow {
    pub issuer: IssuerId,
    pub slug: String,
    pub name: String,
    #[surreal(wrap)]
    pub role: Role,
}

/// One person of an issuer.
#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct MemberRow {
    pub user: UserId,
    pub email: String,
    pub name: String,
    pub has_password: bool,
    #[surreal(wrap)]
    pub role: Role,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct IssuerListRow {
    pub id: IssuerId,
    pub slug: String,
    pub name: String,
    pub members: i64,
    pub admins: Vec<String>,
    pub created_at: DateTime<Utc>,
}

pub(super) const ISSUER_FIELDS: &str =
    "record::id(id) AS id, slug, name, address, city, postal_code, country, contact_email, contact_phone, \
     website, verified_host, logo != NONE AS has_logo, approval_mode ?? false AS approval_mode, \
     expiry_notice_days ?? [30, 14, 7, 1] AS expiry_notice_days, created_at";

impl Store {
    pub async fn create_issuer(&self, slug: &str, name: &str, now: DateTime<Utc>) -> DbResult<Issuer> {
        let row: Option<Issuer> = self
            .db
            .query(format!(
                "LET $created = CREATE ONLY issuer CONTENT {{ slug: $slug, name: $name, created_at: $now }};
                 SELECT {ISSUER_FIELDS} FROM ONLY $created.id;"
            ))
            .bind(("slug", slug.to_string()))
            .bind(("name", name.to_string()))
            .bind(("now", now))
            .await?
            .check()?
            .take(1)?;
        row.ok_or_else(|| surrealdb::Error::internal("CREATE returned nothing".into()))
    }

    pub async fn issuer_by_id(&self, issuer: &IssuerId) -> DbResult<Option<Issuer>> {
        self.db.query(format!("SELECT {ISSUER_FIELDS} FROM ONLY $id")).bind(("id", issuer.record())).await?.take(0)
    }

    pub async fn issuer_by_slug(&self, slug: &str) -> DbResult<Option<Issuer>> {
        self.db
            .query(format!("SELECT {ISSUER_FIELDS} FROM issuer WHERE slug = $slug LIMIT 1"))
            .bind(("slug", slug.to_string()))
            .await?
            .take(0)
    }

    pub async fn issuer_by_verified_host(&self, host: &str) -> DbResult<Option<Issuer>> {
        self.db
            .query(format!("SELECT {ISSUER_FIELDS} FROM issuer WHERE verified_host = $host LIMIT 1"))
            .bind(("host", host.to_string()))
            .await?
            .take(0)
    }

    pub async fn list_issuers(&self) -> DbResult<Vec<IssuerListRow>> {
        self.db
            .query(
                "SELECT id, slug, name, created_at,
                    count(SELECT id FROM membership WHERE issuer = $parent.id) AS members,
                    (SELECT VALUE user.email FROM membership WHERE issuer = $parent.id AND role = 'admin') AS admins
                 FROM issuer ORDER BY name",
            )
            .await?
            .take(0)
    }

    pub async fn count_issuers(&self) -> DbResult<usize> {
        let n: Option<i64> = self.db.query("RETURN count(SELECT id FROM issuer)").await?.take(0)?;
        Ok(n.unwrap_or(0) as usize)
    }

    pub async fn update_issuer_profile(&self, issuer: &IssuerId, p: &IssuerProfile) -> DbResult<()> {
        let host = p.verified_host.trim();
        self.db
            .query(
                "UPDATE $id SET name = $p.name, slug = $p.slug, address = $p.address, city = $p.city,
                 postal_code = $p.postal_code, country = $p.country, contact_email = $p.contact_email,
                 contact_phone = $p.contact_phone, website = $p.website, verified_host = $host",
            )
            .bind(("id", issuer.record()))
            .bind(("p", ProfileParams::from(p)))
            .bind(("host", (!host.is_empty()).then(|| host.to_string())))
            .await?
            .check()?;
        Ok(())
    }

    pub async fn set_approval_mode(&self, issuer: &IssuerId, on: bool) -> DbResult<()> {
        self.db
            .query("UPDATE $id SET approval_mode = $on")
            .bind(("id", issuer.record()))
            .bind(("on", on))
            .await?
            .check()?;
        Ok(())
    }

    pub async fn set_issuer_logo(&self, issuer: &IssuerId, logo: Option<(String, String)>) -> DbResult<()> {
        let (content_type, data) = match logo {
            Some((t, d)) => (Some(t), Some(d)),
            None => (None, None),
        };
        self.db
            .query("UPDATE $id SET logo_type = $type, logo = $data")
            .bind(("id", issuer.record()))
            .bind(("type", content_type))
            .bind(("data", data))
            .await?
            .check()?;
        Ok(())
    }

    /// The logo as (content type, base64 data).
    pub async fn issuer_logo(&self, issuer: &IssuerId) -> DbResult<Option<(String, String)>> {
        #[derive(SurrealValue)]
        #[surreal(crate = "surrealdb::types")]
        struct Logo {
            logo_type: Option<String>,
            logo: Option<String>,
        }
        let row: Option<Logo> =
            self.db.query("SELECT logo_type, logo FROM ONLY $id").bind(("id", issuer.record())).await?.take(0)?;
        Ok(row.and_then(|l| Some((l.logo_type?, l.logo?))))
    }

    // ----- memberships -----

    pub async fn memberships_of_user(&self, user: &UserId) -> DbResult<Vec<MembershipRow>> {
        self.db
            .query(
                "SELECT issuer, issuer.slug AS slug, issuer.name AS name, role FROM membership
                 WHERE user = $user ORDER BY name",
            )
            .bind(("user", user.record()))
            .await?
            .take(0)
    }

    pub async fn role_in_issuer(&self, user: &UserId, issuer: &IssuerId) -> DbResult<Option<Role>> {
        let role: Option<String> = self
            .db
            .query("SELECT VALUE role FROM membership WHERE user = $user AND issuer = $issuer LIMIT 1")
            .bind(("user", user.record()))
            .bind(("issuer", issuer.record()))
            .await?
            .take(0)?;
        // A role this build does not know is an error, not "no role".
        role.map(|r| Role::parse(&r).ok_or_else(|| surrealdb::Error::internal(format!("unknown role {r:?}"))))
            .transpose()
    }

    /// The client a customer belongs to (None for staff and strangers).
    pub async fn customer_client(&self, user: &UserId, issuer: &IssuerId) -> DbResult<Option<ClientId>> {
        self.db
            .query(
                "SELECT VALUE client FROM membership
                 WHERE user = $user AND issuer = $issuer AND role = \"customer\" LIMIT 1",
            )
            .bind(("user", user.record()))
            .bind(("issuer", issuer.record()))
            .await?
            .take(0)
    }

    /// The customers of one client.
    pub async fn customers_of_client(&self, issuer: &IssuerId, client: &ClientId) -> DbResult<Vec<MemberRow>> {
        self.db
            .query(
                "SELECT user, user.email AS email, user.name AS name, user.password_hash != NONE AS has_password,
                    role, created_at
                 FROM membership WHERE issuer = $issuer AND client = $client AND role = \"customer\" ORDER BY email",
            )
            .bind(("issuer", issuer.record()))
            .bind(("client", client.record()))
            .await?
            .take(0)
    }

    pub async fn members_of_issuer(&self, issuer: &IssuerId) -> DbResult<Vec<MemberRow>> {
        self.db
            .query(
                "SELECT user, user.email AS email, user.name AS name, user.password_hash != NONE AS has_password,
                    role, created_at
                 FROM membership WHERE issuer = $issuer AND role != \"customer\" ORDER BY email",
            )
            .bind(("issuer", issuer.record()))
            .await?
            .take(0)
    }

    pub async fn add_membership(
        &self,
        user: &UserId,
        issuer: &IssuerId,
        role: Role,
        client: Option<&ClientId>,
        now: DateTime<Utc>,
    ) -> DbResult<()> {
        self.db
            .query(
                "CREATE membership CONTENT { user: $user, issuer: $issuer, role: $role, client: $client,
                 created_at: $now }",
            )
            .bind(("user", user.record()))
            .bind(("issuer", issuer.record()))
            .bind(("client", client.map(|c| c.record())))
            .bind(("role", role.as_str()))
            .bind(("now", now))
            .await?
            .check()?;
        self.forget_key_holders();
        Ok(())
    }

    pub async fn set_member_role(&self, user: &UserId, issuer: &IssuerId, role: Role) -> DbResult<()> {
        self.db
            .query("UPDATE membership SET role = $role WHERE user = $user AND issuer = $issuer")
            .bind(("user", user.record()))
            .bind(("issuer", issuer.record()))
            .bind(("role", role.as_str()))
            .await?
            .check()?;
        self.forget_key_holders();
        Ok(())
    }

    pub async fn remove_membership(&self, user: &UserId, issuer: &IssuerId) -> DbResult<()> {
        self.db
            .query("DELETE membership WHERE user = $user AND issuer = $issuer")
            .bind(("user", user.record()))
            .bind(("issuer", issuer.record()))
            .await?
            .check()?;
        self.forget_key_holders();
        Ok(())
    }

    pub async fn count_admins(&self, issuer: &IssuerId) -> DbResult<usize> {
        let n: Option<i64> = self
            .db
            .query("RETURN count(SELECT id FROM membership WHERE issuer = $issuer AND role = 'admin')")
            .bind(("issuer", issuer.record()))
            .await?
            .take(0)?;
        Ok(n.unwrap_or(0) as usize)
    }

    pub async fn count_pending_invitations(&self, issuer: &IssuerId, now: DateTime<Utc>) -> DbResult<usize> {
        let n: Option<i64> = self
            .db
            .query(
                "RETURN count(SELECT id FROM link_token WHERE issuer = $issuer AND purpose = 'invite'
                 AND used_at = NONE AND expires_at > $now)",
            )
            .bind(("issuer", issuer.record()))
            .bind(("now", now))
            .await?
            .take(0)?;
        Ok(n.unwrap_or(0) as usize)
    }
}

/// The profile as a bound object (the struct of `model` is shared with the browser and has no database traits).
#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct ProfileParams {
    name: String,
    slug: String,
    address: String,
    city: String,
    postal_code: String,
    country: String,
    contact_email: String,
    contact_phone: String,
    website: String,
}

impl From<&IssuerProfile> for ProfileParams {
    fn from(p: &IssuerProfile) -> Self {
        ProfileParams {
            name: p.name.trim().to_string(),
            slug: p.slug.trim().to_string(),
            address: p.address.trim().to_string(),
            city: p.city.trim().to_string(),
            postal_code: p.postal_code.trim().to_string(),
            country: p.country.trim().to_string(),
            contact_email: p.contact_email.trim().to_string(),
            contact_phone: p.contact_phone.trim().to_string(),
            website: p.website.trim().to_string(),
        }
    }
}
