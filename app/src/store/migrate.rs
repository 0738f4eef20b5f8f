//! Numbered migrations, embedded at build time and applied in order exactly once.

use super::{DbResult, Store};
use chrono::Utc;

include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

#[derive(Debug, thiserror::Error)]
#[error("migration {file} failed: {error}")]
pub struct MigrationError {
    pub file: String,
    pub error: String,
}

impl Store {
    /// Applies every embedded migration that the database has not recorded yet. Each file runs in one
    /// transaction together with the record that it was applied, so a failure leaves nothing half-done.
    pub async fn migrate(&self) -> Result<Vec<String>, MigrationError> {
        self.apply_migrations(MIGRATIONS).await
    }

    async fn apply_migrations(&self, migrations: &[(&str, &str)]) -> Result<Vec<String>, MigrationError> {
        let bookkeeping = self
            .db
            .query(
                "DEFINE TABLE IF NOT EXISTS migration SCHEMAFULL;
                 DEFINE FIELD IF NOT EXISTS name ON migration TYPE string;
                 DEFINE FIELD IF NOT EXISTS applied_at ON migration TYPE datetime;
                 DEFINE INDEX IF NOT EXISTS migration_name ON migration FIELDS name UNIQUE;",
            )
            .await
            .and_then(|r| r.check().map(|_| ()));
        bookkeeping.map_err(|e| MigrationError { file: "(migration bookkeeping)".into(), error: e.to_string() })?;

        let applied = self
            .applied_migrations()
            .await
            .map_err(|e| MigrationError { file: "(migration bookkeeping)".into(), error: e.to_string() })?;
        let mut done = Vec::new();
        for (name, sql) in migrations {
            if applied.iter().any(|a| a == name) {
                continue;
            }
            // The file is ours, embedded at build time; only the bookkeeping values are bound.
            let query = format!(
                "BEGIN TRANSACTION;\n{sql}\n;CREATE migration CONTENT {{ name: $name, applied_at: $at }};\nCOMMIT TRANSACTION;"
            );
            let result = self.db.query(query).bind(("name", name.to_string())).bind(("at", Utc::now())).await;
            let error = match result {
                Err(e) => Some(e.to_string()),
                Ok(mut response) => {
                    let errors = response.take_errors();
                    let mut errors: Vec<_> = errors.into_iter().collect();
                    errors.sort_by_key(|(i, _)| *i);
                    // In a failed transaction every statement reports an error; the first one is the cause.
                    let messages: Vec<String> = errors.into_iter().map(|(_, e)| e.to_string()).collect();
                    messages
                        .iter()
                        .find(|m| !m.contains("not executed") && !m.contains("Cannot COMMIT"))
                        .or(messages.first())
                        .cloned()
                }
            };
            if let Some(error) = error {
                return Err(MigrationError { file: name.to_string(), error });
            }
            done.push(name.to_string());
        }
        Ok(done)
    }

    async fn applied_migrations(&self) -> DbResult<Vec<String>> {
        self.db.query("SELECT VALUE name FROM migration").await?.take(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{rid, DbSettings, IssuerId, OrderId};

    #[tokio::test]
    async fn migrations_apply_once() {
        let store = Store::in_memory().await;
        // Already applied by in_memory(): a second run does nothing.
        assert!(store.migrate().await.unwrap().is_empty());
        assert_eq!(store.applied_migrations().await.unwrap().len(), MIGRATIONS.len());
        assert!(MIGRATIONS.windows(2).all(|w| w[0].0 < w[1].0), "migrations are ordered");
    }

    #[tokio::test]
    async fn the_database_refuses_malformed_slugs_and_client_paths() {
        let store = Store::in_memory().await;
        let now = Utc::now();
        for good in ["smib", "smib-2", "a1-b2-c3"] {
            store.create_issuer(good, "Issuer", now).await.unwrap_or_else(|e| panic!("{good}: {e}"));
        }
        for bad in ["Smib", "s", "-smib", "smib-", "sm--ib", "sm_ib", "sm ib", "smïb", "smib/x"] {
            assert!(store.create_issuer(bad, "Issuer", now).await.is_err(), "slug {bad:?} was accepted");
        }
        let issuer = store.create_issuer("paths", "Issuer", now).await.unwrap();
        let issuer = IssuerId::new(issuer.id);
        let client =
            |path: &str| crate::model::ClientInput { name: "Shop".into(), path: path.into(), ..Default::default() };
        store.create_client(&issuer, &client("Shop-2"), now).await.unwrap();
        for bad in ["-shop", "shop-", "sh--op", "sh op", "shöp", "sh.op", ""] {
            assert!(store.create_client(&issuer, &client(bad), now).await.is_err(), "path {bad:?} was accepted");
        }
    }

    /// A store with the migrations before `name` applied, as a database of an older Signet.
    async fn before(name: &str) -> Store {
        let settings = DbSettings {
            endpoint: "mem://".into(),
            namespace: "test".into(),
            database: "test".into(),
            user: String::new(),
            password: String::new(),
        };
        let store = Store::connect(&settings).await.unwrap();
        let older: Vec<(&str, &str)> = MIGRATIONS.iter().copied().take_while(|(n, _)| *n < name).collect();
        store.apply_migrations(&older).await.unwrap();
        store
    }

    #[tokio::test]
    async fn order_parties_stored_as_json_text_become_an_object_that_reads_back_whole() {
        let store = before("0017_order_parties_object.surql").await;
        let now = Utc::now();
        let issuer = store.create_issuer("smib", "Issuer", now).await.unwrap();
        let issuer = IssuerId::new(issuer.id);
        let client =
            crate::model::ClientInput { name: "Shop d.o.o.".into(), path: "shop".into(), ..Default::default() };
        let client = store.create_client(&issuer, &client, now).await.unwrap();
        let json = r#"{"organisation":{"name":"Shop d.o.o.","registration_number":"HR123","address":"Obala 1",
            "city":"Split","postal_code":"21000","country":"HR"},
            "corporate":{"name":"Ana","email":"ana@shop.example.com","phone":""},
            "technical":{"name":"Iva","email":"iva@shop.example.com"}}"#;
        store
            .db
            .query(
                "CREATE cert_order:old CONTENT { issuer: $issuer, client: $client, product: product:p, number: 'SMIB-1',
                    validity_days: 90, names: ['shop.example.com'], status: 'issued', parties: $parties,
                    created_by_email: 'ana@shop.example.com', created_at: time::now(), updated_at: time::now() }",
            )
            .bind(("issuer", issuer.clone()))
            .bind(("client", rid("client", &client.id)))
            .bind(("parties", json.to_string()))
            .await
            .unwrap()
            .check()
            .unwrap();
        let applied = store.migrate().await.unwrap();
        assert_eq!(applied.first().map(String::as_str), Some("0017_order_parties_object.surql"));
        let parties = store.order_parties(&OrderId::new("old")).await.unwrap().expect("the order");
        assert_eq!(parties.organisation.name, "Shop d.o.o.");
        assert_eq!(parties.organisation.registration_number, "HR123");
        assert_eq!(parties.technical.email, "iva@shop.example.com");
        assert_eq!(parties.technical.phone, "", "a field older rows lack takes its default");
    }

    #[tokio::test]
    async fn order_parties_that_are_not_json_fail_the_migration_instead_of_becoming_empty() {
        let store = before("0017_order_parties_object.surql").await;
        let now = Utc::now();
        let issuer = store.create_issuer("smib", "Issuer", now).await.unwrap();
        let client = crate::model::ClientInput { name: "Shop".into(), path: "shop".into(), ..Default::default() };
        let client = store.create_client(&IssuerId::new(&issuer.id), &client, now).await.unwrap();
        store
            .db
            .query(
                "CREATE cert_order:broken CONTENT { issuer: $issuer, client: $client, product: product:p,
                    number: 'SMIB-2', validity_days: 90, names: ['shop.example.com'], status: 'issued',
                    parties: '{not json', created_by_email: 'a@b.example', created_at: time::now(),
                    updated_at: time::now() }",
            )
            .bind(("issuer", rid("issuer", &issuer.id)))
            .bind(("client", rid("client", &client.id)))
            .await
            .unwrap()
            .check()
            .unwrap();
        let err = store.migrate().await.unwrap_err();
        assert_eq!(err.file, "0017_order_parties_object.surql");
        assert!(err.error.contains("Invalid JSON"), "{}", err.error);
    }

    #[tokio::test]
    async fn a_failing_migration_names_its_file_and_leaves_nothing_behind() {
        let store = Store::in_memory().await;
        let bad = [(
            "9999_broken.surql",
            "DEFINE TABLE half_done SCHEMAFULL; DEFINE FIELD n ON half_done TYPE int; CREATE half_done SET n = 'not a number';",
        )];
        let err = store.apply_migrations(&bad).await.unwrap_err();
        assert_eq!(err.file, "9999_broken.surql");
        assert!(err.error.contains("half_done"), "the database's own message: {}", err.error);
        assert!(!store.applied_migrations().await.unwrap().contains(&"9999_broken.surql".to_string()));
        let tables: surrealdb::types::Value = store.db.query("INFO FOR DB").await.unwrap().take((0, "tables")).unwrap();
        assert!(!format!("{tables:?}").contains("half_done"), "the transaction was rolled back: {tables:?}");
    }
}
