//! The compiled site (Wasm, JS, CSS and `public/`), embedded in the binary by `rust-embed`.
//! cargo-leptos writes it to `target/site` before it builds this crate (see build.rs).

use axum::body::Body;
use axum::http::{header, HeaderValue, Response, StatusCode};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "../target/site"]
struct Site;

/// The embedded file at `path`, if there is one.
pub fn file(path: &str) -> Option<Response<Body>> {
    let path = path.trim_start_matches('/');
    if path.is_empty() {
        return None;
    }
    let file = Site::get(path)?;
    let mime = file.metadata.mimetype();
    let mut response = Response::new(Body::from(file.data.into_owned()));
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(mime) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    // File names are not hashed, so browsers revalidate; the ETag makes that cheap.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", hex(&file.metadata.sha256_hash()[..16]))) {
        headers.insert(header::ETAG, v);
    }
    Some(response)
}

/// Whether the embedded site contains the Wasm bundle (false if the binary was built without cargo-leptos).
pub fn has_wasm() -> bool {
    Site::iter().any(|f| f.ends_with(".wasm"))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
