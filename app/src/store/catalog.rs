//! The operator's catalogue: certificate groups and certificate types.

use super::{rid, CertGroupId, CertTypeId, DbResult, Store};
use crate::model::{CertGroup, CertType, CertTypeInput};
use chrono::{DateTime, Utc};
use surrealdb::types::{RecordId, SurrealValue};

const TYPE_FIELDS: &str = "record::id(id) AS id, name, description, \
     (IF cert_group != NONE THEN record::id(cert_group) END) AS group_id, cert_group.name AS group_name, levels, seal_title, \
     seal_subtitle, seal_color, seal_text_color";

/// A certificate type as bound into a query.
#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct TypeParams {
    name: String,
    description: String,
    cert_group: Option<RecordId>,
    levels: Vec<String>,
    seal_title: String,
    seal_subtitle: String,
    seal_color: String,
    seal_text_color: String,
}

impl From<&CertTypeInput> for TypeParams {
    fn from(t: &CertTypeInput) -> Self {
        let group = t.group_id.trim();
        TypeParams {
            name: t.name.trim().to_string(),
            description: t.description.trim().to_string(),
            cert_group: (!group.is_empty()).then(|| rid("cert_group", group)),
            levels: t.level_list(),
            seal_title: t.seal_title.trim().to_string(),
            seal_subtitle: t.seal_subtitle.trim().to_string(),
            seal_color: t.seal_color.trim().to_lowercase(),
            seal_text_color: t.seal_text_color.trim().to_lowercase(),
        }
    }
}

impl Store {
    pub async fn list_cert_groups(&self) -> DbResult<Vec<CertGroup>> {
        self.db
            .query(
                "SELECT record::id(id) AS id, name, description,
                    count(SELECT id FROM cert_type WHERE cert_group = $parent.id) AS types
                 FROM cert_group ORDER BY name",
            )
            .await?
            .take(0)
    }

    pub async fn cert_group(&self, group: &CertGroupId) -> DbResult<Option<CertGroup>> {
        self.db
            .query(
                "SELECT record::id(id) AS id, name, description,
                    count(SELECT id FROM cert_type WHERE cert_group = $parent.id) AS types
                 FROM ONLY $id",
            )
            .bind(("id", group.record()))
            .await?
            .take(0)
    }

    pub async fn create_cert_group(&self, name: &str, description: &str, now: DateTime<Utc>) -> DbResult<()> {
        self.db
            .query("CREATE cert_group CONTENT { name: $name, description: $description, created_at: $now }")
            .bind(("name", name.to_string()))
            .bind(("description", description.to_string()))
            .bind(("now", now))
            .await?
            .check()?;
        Ok(())
    }

    pub async fn update_cert_group(&self, group: &CertGroupId, name: &str, description: &str) -> DbResult<()> {
        self.db
            .query("UPDATE $id SET name = $name, description = $description")
            .bind(("id", group.record()))
            .bind(("name", name.to_string()))
            .bind(("description", description.to_string()))
            .await?
            .check()?;
        Ok(())
    }

    pub async fn list_cert_types(&self) -> DbResult<Vec<CertType>> {
        self.db.query(format!("SELECT {TYPE_FIELDS} FROM cert_type ORDER BY name")).await?.take(0)
    }

    pub async fn cert_type(&self, id: &CertTypeId) -> DbResult<Option<CertType>> {
        self.db.query(format!("SELECT {TYPE_FIELDS} FROM ONLY $id")).bind(("id", id.record())).await?.take(0)
    }

    pub async fn create_cert_type(&self, t: &CertTypeInput, now: DateTime<Utc>) -> DbResult<()> {
        self.db
            .query(
                "CREATE cert_type SET name = $t.name, description = $t.description, cert_group = $t.cert_group,
                 levels = $t.levels, seal_title = $t.seal_title, seal_subtitle = $t.seal_subtitle,
                 seal_color = $t.seal_color, seal_text_color = $t.seal_text_color, created_at = $now",
            )
            .bind(("t", TypeParams::from(t)))
            .bind(("now", now))
            .await?
            .check()?;
        Ok(())
    }

    pub async fn update_cert_type(&self, id: &CertTypeId, t: &CertTypeInput) -> DbResult<()> {
        self.db
            .query(
                "UPDATE $id SET name = $t.name, description = $t.description, cert_group = $t.cert_group,
                 levels = $t.levels, seal_title = $t.seal_title, seal_subtitle = $t.seal_subtitle,
                 seal_color = $t.seal_color, seal_text_color = $t.seal_text_color",
            )
            .bind(("id", id.record()))
            .bind(("t", TypeParams::from(t)))
            .await?
            .check()?;
        Ok(())
    }
}
