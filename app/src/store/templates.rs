//! Templates in versions: the operator's default for every issuer (`issuer` NONE) and issuers' own. A save never
//! changes a version; it adds the next one, so a sent e-mail can always say which version it used.

use super::{retry_conflicts, transaction, DbResult, IssuerId, Store};
use crate::model::{TemplateKind, TemplateSource, TemplateVersion};
use chrono::{DateTime, Utc};
use surrealdb::types::SurrealValue;

/// One saved version of a template.
#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct TemplateRow {
    pub version: i64,
    pub subject: String,
    pub html: String,
    pub text: String,
    pub author_email: String,
    pub created_at: DateTime<Utc>,
}

impl TemplateRow {
    pub fn source(&self) -> TemplateSource {
        TemplateSource { subject: self.subject.clone(), html: self.html.clone(), text: self.text.clone() }
    }
}

impl From<TemplateRow> for TemplateVersion {
    fn from(r: TemplateRow) -> Self {
        TemplateVersion { version: r.version, author_email: r.author_email, created_at: r.created_at }
    }
}

/// The newest versions that apply to an issuer: its own and the default.
#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct CurrentTemplates {
    pub own: Option<TemplateRow>,
    /// The default for every issuer.
    pub shared: Option<TemplateRow>,
}

const TEMPLATE_FIELDS: &str = "version, subject, html, text, author_email, created_at";

impl Store {
    /// The newest version of the issuer's own template (when `issuer` is given) and of the default.
    pub async fn current_templates(&self, issuer: Option<&IssuerId>, kind: TemplateKind) -> DbResult<CurrentTemplates> {
        let row: Option<CurrentTemplates> = self
            .db
            .query(format!(
                "RETURN {{
                    own: IF $issuer = NONE {{ NONE }} ELSE {{ (SELECT {TEMPLATE_FIELDS} FROM template
                        WHERE issuer = $issuer AND kind = $kind ORDER BY version DESC LIMIT 1)[0] }},
                    shared: (SELECT {TEMPLATE_FIELDS} FROM template
                        WHERE issuer = NONE AND kind = $kind ORDER BY version DESC LIMIT 1)[0],
                }}"
            ))
            .bind(("issuer", issuer.cloned()))
            .bind(("kind", kind.as_str()))
            .await?
            .take(0)?;
        Ok(row.unwrap_or(CurrentTemplates { own: None, shared: None }))
    }

    /// Every version saved for one owner (an issuer, or the default when `issuer` is None), newest first.
    pub async fn template_versions(&self, issuer: Option<&IssuerId>, kind: TemplateKind) -> DbResult<Vec<TemplateRow>> {
        self.db
            .query(format!(
                "SELECT {TEMPLATE_FIELDS} FROM template WHERE issuer = $issuer AND kind = $kind ORDER BY version DESC"
            ))
            .bind(("issuer", issuer.cloned()))
            .bind(("kind", kind.as_str()))
            .await?
            .take(0)
    }

    pub async fn template_version(
        &self,
        issuer: Option<&IssuerId>,
        kind: TemplateKind,
        version: i64,
    ) -> DbResult<Option<TemplateRow>> {
        let rows: Vec<TemplateRow> = self
            .db
            .query(format!(
                "SELECT {TEMPLATE_FIELDS} FROM template WHERE issuer = $issuer AND kind = $kind AND version = $version"
            ))
            .bind(("issuer", issuer.cloned()))
            .bind(("kind", kind.as_str()))
            .bind(("version", version))
            .await?
            .take(0)?;
        Ok(rows.into_iter().next())
    }

    /// Saves the next version for one owner; its number.
    pub async fn save_template(
        &self,
        issuer: Option<&IssuerId>,
        kind: TemplateKind,
        source: &TemplateSource,
        author_email: &str,
        now: DateTime<Utc>,
    ) -> DbResult<i64> {
        retry_conflicts(|| async {
            // The version read and the version written are one transaction: two saves at once conflict (the
            // unique index) and the later one runs again with the next number.
            let mut response = self
                .db
                .query(
                    "BEGIN TRANSACTION;
                     LET $last = (SELECT VALUE version FROM template
                         WHERE issuer = $issuer AND kind = $kind ORDER BY version DESC LIMIT 1)[0] ?? 0;
                     CREATE template CONTENT {
                         issuer: $issuer, kind: $kind, version: $last + 1, subject: $subject, html: $html,
                         text: $text, author_email: $author, created_at: $now
                     } RETURN NONE;
                     COMMIT TRANSACTION;
                     RETURN $last + 1;",
                )
                .bind(("issuer", issuer.cloned()))
                .bind(("kind", kind.as_str()))
                .bind(("subject", source.subject.clone()))
                .bind(("html", source.html.clone()))
                .bind(("text", source.text.clone()))
                .bind(("author", author_email.to_string()))
                .bind(("now", now))
                .await
                .and_then(transaction)?;
            let last = response.num_statements().saturating_sub(1);
            let version: Option<i64> = response.take(last)?;
            version.ok_or_else(|| surrealdb::Error::internal("the template version was not saved".into()))
        })
        .await
    }
}
