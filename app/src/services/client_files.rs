//! A client's own files: uploaded once on the client's page (the type checked from the content, the size
//! limited), listed and removable there, and attached to the client's e-mails when ticked.

use super::{audit, clients, Actor, AppState};
use crate::error::{AppError, AppResult};
use crate::model::ClientFile;
use crate::store::{ClientFileId, ClientId, IssuerId, MailAttachment, NewClientFile};

/// The largest file a client can have (it goes through a server function as a data URL, base64 in JSON).
pub const MAX_FILE_BYTES: usize = 1024 * 1024;
/// The most files one client keeps.
pub const MAX_FILES: usize = 20;

/// The types an e-mail to a client may carry, by what the content is (the `infer` crate reads the magic
/// numbers); a program or an archive of unknown content is refused.
const ALLOWED: [&str; 8] = [
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text",
];

/// The name kept: the last path part, without control characters, at most 120 characters.
fn clean_name(name: &str) -> AppResult<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("").trim();
    let clean: String = base.chars().filter(|c| !c.is_control() && *c != '"').take(120).collect();
    if clean.is_empty() || clean.starts_with('.') {
        return Err(AppError::field("file", "The file needs a name."));
    }
    Ok(clean)
}

/// The bytes of a `data:` URL as the browser reads a file.
fn decode(data_url: &str) -> AppResult<Vec<u8>> {
    use base64::Engine;
    let payload = data_url.split_once(";base64,").map(|(_, b)| b).unwrap_or("");
    base64::engine::general_purpose::STANDARD
        .decode(payload.trim())
        .map_err(|_| AppError::field("file", "The file could not be read; choose it again."))
}

fn kind_of(bytes: &[u8]) -> AppResult<&'static str> {
    let found = infer::get(bytes).map(|t| t.mime_type());
    match found {
        Some(t) if ALLOWED.contains(&t) => Ok(ALLOWED.into_iter().find(|a| *a == t).unwrap_or("application/pdf")),
        Some(t) => Err(AppError::field(
            "file",
            format!("Files of type {t} cannot be attached; use PDF, an image or an office document."),
        )),
        None => {
            Err(AppError::field("file", "The file's type is not recognised; use PDF, an image or an office document."))
        }
    }
}

pub async fn list(state: &AppState, issuer: &IssuerId, client: &str) -> AppResult<Vec<ClientFile>> {
    clients::get(state, issuer, client).await?;
    files_of(state, issuer, client).await
}

/// The files of a client the caller has already found to be the issuer's.
async fn files_of(state: &AppState, issuer: &IssuerId, client: &str) -> AppResult<Vec<ClientFile>> {
    let rows = state.store().client_files(issuer, &ClientId::new(client)).await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

pub async fn upload(
    state: &AppState,
    actor: &Actor,
    issuer: &IssuerId,
    client: &str,
    filename: &str,
    data_url: &str,
) -> AppResult<Vec<ClientFile>> {
    let c = clients::get(state, issuer, client).await?;
    let filename = clean_name(filename)?;
    let bytes = decode(data_url)?;
    if bytes.is_empty() {
        return Err(AppError::field("file", "The file is empty."));
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(AppError::field("file", format!("The file is larger than {} MB.", MAX_FILE_BYTES / (1024 * 1024))));
    }
    let content_type = kind_of(&bytes)?;
    if files_of(state, issuer, client).await?.len() >= MAX_FILES {
        return Err(AppError::field("file", format!("A client keeps at most {MAX_FILES} files; remove one first.")));
    }
    let size = bytes.len();
    state
        .store()
        .add_client_file(NewClientFile {
            issuer: issuer.clone(),
            client: ClientId::new(client),
            filename: filename.clone(),
            content_type: content_type.to_string(),
            size: size as i64,
            data: bytes.into(),
            uploaded_by: actor.email.clone(),
            created_at: state.now(),
        })
        .await?;
    audit::record_about(
        state,
        actor,
        Some(issuer),
        Some(client),
        "client.file_add",
        &c.name,
        format!("{filename} ({size} bytes)"),
    )
    .await?;
    files_of(state, issuer, client).await
}

pub async fn remove(
    state: &AppState,
    actor: &Actor,
    issuer: &IssuerId,
    client: &str,
    file: &str,
) -> AppResult<Vec<ClientFile>> {
    let c = clients::get(state, issuer, client).await?;
    let files = files_of(state, issuer, client).await?;
    let name = files.iter().find(|f| f.id == file).map(|f| f.filename.clone()).ok_or(AppError::NotFound)?;
    state.store().delete_client_file(issuer, &ClientId::new(client), &ClientFileId::new(file)).await?;
    audit::record_about(state, actor, Some(issuer), Some(client), "client.file_remove", &c.name, name).await?;
    files_of(state, issuer, client).await
}

/// The ticked files of the client, ready to attach; an id that is not one of its files is refused.
pub async fn attachments(
    state: &AppState,
    issuer: &IssuerId,
    client: &str,
    ids: &[String],
) -> AppResult<Vec<MailAttachment>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let wanted: Vec<ClientFileId> = ids.iter().map(ClientFileId::new).collect();
    let files = state.store().client_file_attachments(issuer, &ClientId::new(client), wanted).await?;
    if files.len() != ids.len() {
        return Err(AppError::field("files", "One of the ticked files was removed; reload the page."));
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_type_comes_from_the_content_and_names_lose_their_paths() {
        assert_eq!(kind_of(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n").unwrap(), "application/pdf");
        assert_eq!(kind_of(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap(), "image/png");
        assert!(kind_of(b"MZ\x90\0\x03\0\0\0\x04\0\0\0")
            .unwrap_err()
            .for_field("file")
            .unwrap()
            .contains("cannot be attached"));
        assert!(kind_of(b"just some text").is_err());
        assert_eq!(clean_name("C:\\Users\\ana\\Upute za instalaciju.pdf").unwrap(), "Upute za instalaciju.pdf");
        assert!(clean_name("../").is_err());
    }
}
