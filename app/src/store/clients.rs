//! Clients of an issuer and their domains. Every query names the issuer, so one issuer never reaches
//! another's rows even with a guessed id.

use super::{retry_conflicts, ClientId, DbResult, DomainId, IssuerId, Store};
use crate::model::{Client, ClientInput};
use chrono::{DateTime, Utc};
use surrealdb::types::SurrealValue;

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct ClientListRow {
    pub id: ClientId,
    pub name: String,
    pub path: String,
    pub city: String,
    pub email: String,
    pub domains: i64,
    pub seals: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct DomainRow {
    pub id: DomainId,
    pub client: ClientId,
    pub host: String,
    pub description: String,
}

pub(super) const CLIENT_FIELDS: &str =
    "record::id(id) AS id, name, path, registration_number, address, city, postal_code, country, \
     industry, contact_person, email, phone, created_at";

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct ClientParams {
    name: String,
    path: String,
    path_key: String,
    registration_number: String,
    address: String,
    city: String,
    postal_code: String,
    country: String,
    industry: String,
    contact_person: String,
    email: String,
    phone: String,
    search: String,
}

impl From<&ClientInput> for ClientParams {
    fn from(c: &ClientInput) -> Self {
        let t = |s: &str| s.trim().to_string();
        let search = [&c.name, &c.path, &c.email, &c.registration_number, &c.city]
            .iter()
            .map(|s| s.trim().to_lowercase())
            .collect::<Vec<_>>()
            .join(" ");
        ClientParams {
            name: t(&c.name),
            path: t(&c.path),
            path_key: c.path.trim().to_lowercase(),
            registration_number: t(&c.registration_number),
            address: t(&c.address),
            city: t(&c.city),
            postal_code: t(&c.postal_code),
            country: t(&c.country),
            industry: t(&c.industry),
            contact_person: t(&c.contact_person),
            email: c.email.trim().to_lowercase(),
            phone: t(&c.phone),
            search,
        }
    }
}

const CLIENT_SET: &str = "name = $c.name, path = $c.path, path_key = $c.path_key, \
     registration_number = $c.registration_number, address = $c.address, city = $c.city, \
     postal_code = $c.postal_code, country = $c.country, industry = $c.industry, \
     contact_person = $c.contact_person, email = $c.email, phone = $c.phone, search = $c.search";

impl Store {
    pub async fn create_client(&self, issuer: &IssuerId, c: &ClientInput, now: DateTime<Utc>) -> DbResult<Client> {
        let row: Option<Client> = self
            .db
            .query(format!(
                "LET $created = CREATE ONLY client SET issuer = $issuer, {CLIENT_SET}, created_at = $now;
                 SELECT {CLIENT_FIELDS} FROM ONLY $created.id;"
            ))
            .bind(("issuer", issuer.record()))
            .bind(("c", ClientParams::from(c)))
            .bind(("now", now))
            .await?
            .check()?
            .take(1)?;
        row.ok_or_else(|| surrealdb::Error::internal("CREATE returned nothing".into()))
    }

    pub async fn update_client(&self, issuer: &IssuerId, client: &ClientId, c: &ClientInput) -> DbResult<()> {
        retry_conflicts(|| async {
            self.db
                .query(format!("UPDATE $id SET {CLIENT_SET} WHERE issuer = $issuer"))
                .bind(("id", client.record()))
                .bind(("issuer", issuer.record()))
                .bind(("c", ClientParams::from(c)))
                .await?
                .check()?;
            Ok(())
        })
        .await
    }

    pub async fn client(&self, issuer: &IssuerId, client: &ClientId) -> DbResult<Option<Client>> {
        self.db
            .query(format!("SELECT {CLIENT_FIELDS} FROM client WHERE id = $id AND issuer = $issuer LIMIT 1"))
            .bind(("id", client.record()))
            .bind(("issuer", issuer.record()))
            .await?
            .take(0)
    }

    /// The clients an order can be placed for, by name (the order wizard's choice).
    pub async fn clients_for_order(&self, issuer: &IssuerId) -> DbResult<Vec<Client>> {
        self.db
            .query(format!("SELECT {CLIENT_FIELDS} FROM client WHERE issuer = $issuer ORDER BY name LIMIT 1000"))
            .bind(("issuer", issuer.record()))
            .await?
            .take(0)
    }

    pub async fn client_by_path(&self, issuer: &IssuerId, path: &str) -> DbResult<Option<Client>> {
        self.db
            .query(format!("SELECT {CLIENT_FIELDS} FROM client WHERE issuer = $issuer AND path_key = $key LIMIT 1"))
            .bind(("issuer", issuer.record()))
            .bind(("key", path.to_lowercase()))
            .await?
            .take(0)
    }

    /// A page of the client list; `search` (lower-case) matches name, path, e-mail, registration number, city.
    pub async fn list_clients(
        &self,
        issuer: &IssuerId,
        search: &str,
        start: usize,
        limit: usize,
    ) -> DbResult<(Vec<ClientListRow>, usize)> {
        let mut response = self
            .db
            .query(
                "SELECT id, name, path, city, email, created_at,
                    count(SELECT id FROM domain WHERE client = $parent.id) AS domains,
                    count(SELECT id FROM seal WHERE client = $parent.id) AS seals
                 FROM client WHERE issuer = $issuer AND ($search = '' OR string::contains(search, $search))
                 ORDER BY name LIMIT $limit START $start;
                 RETURN count(SELECT id FROM client
                    WHERE issuer = $issuer AND ($search = '' OR string::contains(search, $search)));",
            )
            .bind(("issuer", issuer.record()))
            .bind(("search", search.to_string()))
            .bind(("start", start as i64))
            .bind(("limit", limit as i64))
            .await?
            .check()?;
        let rows: Vec<ClientListRow> = response.take(0)?;
        let total: Option<i64> = response.take(1)?;
        Ok((rows, total.unwrap_or(0).max(0) as usize))
    }

    pub async fn count_clients(&self, issuer: &IssuerId) -> DbResult<usize> {
        let n: Option<i64> = self
            .db
            .query("RETURN count(SELECT id FROM client WHERE issuer = $issuer)")
            .bind(("issuer", issuer.record()))
            .await?
            .take(0)?;
        Ok(n.unwrap_or(0).max(0) as usize)
    }

    pub async fn create_domain(
        &self,
        issuer: &IssuerId,
        client: &ClientId,
        host: &str,
        description: &str,
        now: DateTime<Utc>,
    ) -> DbResult<()> {
        self.db
            .query(
                "CREATE domain CONTENT { issuer: $issuer, client: $client, host: $host, description: $description,
                 created_at: $now }",
            )
            .bind(("issuer", issuer.record()))
            .bind(("client", client.record()))
            .bind(("host", host.to_string()))
            .bind(("description", description.to_string()))
            .bind(("now", now))
            .await?
            .check()?;
        Ok(())
    }

    pub async fn update_domain(
        &self,
        issuer: &IssuerId,
        domain: &DomainId,
        host: &str,
        description: &str,
    ) -> DbResult<()> {
        self.db
            .query("UPDATE $id SET host = $host, description = $description WHERE issuer = $issuer")
            .bind(("id", domain.record()))
            .bind(("issuer", issuer.record()))
            .bind(("host", host.to_string()))
            .bind(("description", description.to_string()))
            .await?
            .check()?;
        Ok(())
    }

    /// Deletes a domain and takes it off every seal certificate of the client.
    pub async fn delete_domain(&self, issuer: &IssuerId, domain: &DomainId) -> DbResult<()> {
        self.db
            .query(
                "BEGIN;
                 UPDATE seal SET domains -= $id WHERE issuer = $issuer AND domains CONTAINS $id;
                 DELETE domain WHERE id = $id AND issuer = $issuer;
                 COMMIT;",
            )
            .bind(("id", domain.record()))
            .bind(("issuer", issuer.record()))
            .await?
            .check()?;
        Ok(())
    }

    pub async fn domain(&self, issuer: &IssuerId, domain: &DomainId) -> DbResult<Option<DomainRow>> {
        self.db
            .query("SELECT id, client, host, description FROM domain WHERE id = $id AND issuer = $issuer LIMIT 1")
            .bind(("id", domain.record()))
            .bind(("issuer", issuer.record()))
            .await?
            .take(0)
    }

    pub async fn domain_by_host(&self, issuer: &IssuerId, host: &str) -> DbResult<Option<(DomainRow, String)>> {
        #[derive(SurrealValue)]
        #[surreal(crate = "surrealdb::types")]
        struct Row {
            id: DomainId,
            client: ClientId,
            host: String,
            description: String,
            client_name: String,
        }
        let row: Option<Row> = self
            .db
            .query(
                "SELECT id, client, host, description, client.name AS client_name FROM domain
                 WHERE issuer = $issuer AND host = $host LIMIT 1",
            )
            .bind(("issuer", issuer.record()))
            .bind(("host", host.to_string()))
            .await?
            .take(0)?;
        Ok(row.map(|r| {
            (DomainRow { id: r.id, client: r.client, host: r.host, description: r.description }, r.client_name)
        }))
    }

    pub async fn domains_of_client(&self, issuer: &IssuerId, client: &ClientId) -> DbResult<Vec<DomainRow>> {
        // The inner query can only use the `domain_client` index; with both conditions in one WHERE the planner
        // picks the issuer's prefix of `domain_host` and reads every domain of the issuer.
        self.db
            .query(
                "SELECT id, client, host, description FROM (SELECT * FROM domain WHERE client = $client)
                 WHERE issuer = $issuer ORDER BY host",
            )
            .bind(("client", client.record()))
            .bind(("issuer", issuer.record()))
            .await?
            .take(0)
    }
}
