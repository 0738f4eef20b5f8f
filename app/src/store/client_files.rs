//! A client's own files, attached to its e-mails when ticked.

use super::{ClientFileId, ClientId, DbResult, IssuerId, MailAttachment, Store};
use crate::model::ClientFile;
use chrono::{DateTime, Utc};
use surrealdb::types::SurrealValue;

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct ClientFileRow {
    pub id: ClientFileId,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub uploaded_by: String,
    pub created_at: DateTime<Utc>,
}

impl From<ClientFileRow> for ClientFile {
    fn from(r: ClientFileRow) -> Self {
        ClientFile {
            id: r.id.key().to_string(),
            filename: r.filename,
            content_type: r.content_type,
            size: usize::try_from(r.size).unwrap_or(0),
            uploaded_by: r.uploaded_by,
            created_at: r.created_at,
        }
    }
}

/// A file to keep.
#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct NewClientFile {
    pub issuer: IssuerId,
    pub client: ClientId,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub data: bytes::Bytes,
    pub uploaded_by: String,
    pub created_at: DateTime<Utc>,
}

const FILE_FIELDS: &str = "id, filename, content_type, size, uploaded_by, created_at";

impl Store {
    pub async fn add_client_file(&self, file: NewClientFile) -> DbResult<ClientFileId> {
        let id = ClientFileId::fresh();
        self.db
            .query("CREATE $id CONTENT $file RETURN NONE")
            .bind(("id", id.clone()))
            .bind(("file", file))
            .await?
            .check()?;
        Ok(id)
    }

    /// A client's files without their content, oldest first.
    pub async fn client_files(&self, issuer: &IssuerId, client: &ClientId) -> DbResult<Vec<ClientFileRow>> {
        self.db
            .query(format!(
                "SELECT {FILE_FIELDS} FROM client_file WHERE client = $client AND issuer = $issuer ORDER BY created_at"
            ))
            .bind(("issuer", issuer.clone()))
            .bind(("client", client.clone()))
            .await?
            .take(0)
    }

    /// The files among `ids` that belong to this client, with their content, ready to attach.
    pub async fn client_file_attachments(
        &self,
        issuer: &IssuerId,
        client: &ClientId,
        ids: Vec<ClientFileId>,
    ) -> DbResult<Vec<MailAttachment>> {
        self.db
            .query(
                "SELECT filename, content_type, data FROM client_file
                 WHERE id IN $ids AND client = $client AND issuer = $issuer ORDER BY created_at",
            )
            .bind(("ids", ids))
            .bind(("issuer", issuer.clone()))
            .bind(("client", client.clone()))
            .await?
            .take(0)
    }

    /// Removes one of the client's files; false when there was none.
    pub async fn delete_client_file(
        &self,
        issuer: &IssuerId,
        client: &ClientId,
        file: &ClientFileId,
    ) -> DbResult<bool> {
        let gone: Vec<ClientFileId> = self
            .db
            .query("SELECT VALUE id FROM (DELETE client_file WHERE id = $id AND client = $client AND issuer = $issuer RETURN BEFORE)")
            .bind(("id", file.clone()))
            .bind(("issuer", issuer.clone()))
            .bind(("client", client.clone()))
            .await?
            .take(0)?;
        Ok(!gone.is_empty())
    }
}
