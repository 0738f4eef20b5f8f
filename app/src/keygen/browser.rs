//! The browser's side of key generation: WebCrypto for the key pair, the page's event loop, downloads.
//!
//! Key generation is the one slow step (an RSA 4096 key can take seconds). WebCrypto's `generateKey` runs
//! in the browser's own native code off the main thread, so the page stays responsive while it works; the
//! key is then exported (as PKCS#8, into this page's memory only) and everything else — CSR, signature,
//! encrypted key file, PKCS#12 — is the Rust code of this module. Where WebCrypto is missing (a page served
//! over plain HTTP from another host than localhost has no `crypto.subtle`), the Rust key generator is used
//! instead. `?engine=wasm` on the page forces it, for the benchmark that compares the two.

use super::{KeyAlgorithm, KeygenError, PrivateKey};
use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Who makes the key pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    WebCrypto,
    Wasm,
}

impl Engine {
    /// WebCrypto unless it is missing or the page asks for the Rust generator (`?engine=wasm`).
    pub fn for_this_page() -> Engine {
        let forced =
            web_sys::window().and_then(|w| w.location().search().ok()).is_some_and(|q| q.contains("engine=wasm"));
        if forced || subtle().is_none() {
            Engine::Wasm
        } else {
            Engine::WebCrypto
        }
    }
}

fn subtle() -> Option<web_sys::SubtleCrypto> {
    let crypto = web_sys::window()?.crypto().ok()?;
    // `crypto.subtle` is undefined outside secure contexts; web-sys would hand back an invalid object.
    let subtle = Reflect::get(&crypto, &JsValue::from_str("subtle")).ok()?;
    if subtle.is_undefined() || subtle.is_null() {
        return None;
    }
    Some(subtle.unchecked_into())
}

fn js_error(e: JsValue) -> KeygenError {
    let text = e
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown error".into());
    KeygenError::Invalid(format!("The browser could not make the key: {text}"))
}

/// A new key pair, made by `engine`.
pub async fn generate(algorithm: KeyAlgorithm, engine: Engine) -> Result<PrivateKey, KeygenError> {
    match (engine, subtle()) {
        (Engine::WebCrypto, Some(subtle)) => generate_webcrypto(&subtle, algorithm).await,
        _ => PrivateKey::generate(algorithm),
    }
}

async fn generate_webcrypto(
    subtle: &web_sys::SubtleCrypto,
    algorithm: KeyAlgorithm,
) -> Result<PrivateKey, KeygenError> {
    let params = Object::new();
    let set = |k: &str, v: JsValue| Reflect::set(&params, &JsValue::from_str(k), &v).map(|_| ());
    match algorithm.rsa_bits() {
        Some(bits) => {
            set("name", "RSASSA-PKCS1-v1_5".into()).map_err(js_error)?;
            set("modulusLength", (bits as u32).into()).map_err(js_error)?;
            set("publicExponent", Uint8Array::from(&[1u8, 0, 1][..]).into()).map_err(js_error)?;
            set("hash", "SHA-256".into()).map_err(js_error)?;
        }
        None => {
            set("name", "ECDSA".into()).map_err(js_error)?;
            let curve = if algorithm == KeyAlgorithm::P384 { "P-384" } else { "P-256" };
            set("namedCurve", curve.into()).map_err(js_error)?;
        }
    }
    let usages = Array::of1(&JsValue::from_str("sign"));
    // Extractable: the key has to reach this page's memory to be written into the user's key file.
    let promise = subtle.generate_key_with_object(&params, true, &usages).map_err(js_error)?;
    let pair = JsFuture::from(promise).await.map_err(js_error)?;
    let private: web_sys::CryptoKey =
        Reflect::get(&pair, &JsValue::from_str("privateKey")).map_err(js_error)?.unchecked_into();
    let exported = JsFuture::from(subtle.export_key("pkcs8", &private).map_err(js_error)?).await.map_err(js_error)?;
    let mut der = Uint8Array::new(&exported).to_vec();
    let key = PrivateKey::from_pkcs8_der(&der);
    der.iter_mut().for_each(|b| *b = 0);
    key
}

/// Lets the browser paint (the progress text) and handle input before the next step.
pub async fn next_frame() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// Milliseconds on the page's monotonic clock.
pub fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or(0.0)
}

/// Hands `bytes` to the browser as a file download, from memory (a Blob URL): nothing is sent anywhere.
pub fn save_file(file_name: &str, bytes: &[u8], mime: &str) -> Result<(), KeygenError> {
    let parts = Array::of1(&Uint8Array::from(bytes).into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(js_error)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(js_error)?;
    let document =
        web_sys::window().and_then(|w| w.document()).ok_or_else(|| KeygenError::Invalid("No page".into()))?;
    let a: web_sys::HtmlAnchorElement = document.create_element("a").map_err(js_error)?.unchecked_into();
    a.set_href(&url);
    a.set_download(file_name);
    a.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// The text of a same-origin URL (the issued chain for the PKCS#12), with the session cookie.
pub async fn fetch_text(url: &str) -> Result<String, KeygenError> {
    let window = web_sys::window().ok_or_else(|| KeygenError::Invalid("No page".into()))?;
    let response: web_sys::Response =
        JsFuture::from(window.fetch_with_str(url)).await.map_err(js_error)?.unchecked_into();
    if !response.ok() {
        return Err(KeygenError::Invalid(format!(
            "The certificate chain could not be loaded ({}).",
            response.status()
        )));
    }
    let text = JsFuture::from(response.text().map_err(js_error)?).await.map_err(js_error)?;
    Ok(text.as_string().unwrap_or_default())
}

/// The text of a file the user picked.
pub async fn read_text(file: &web_sys::File) -> Result<String, KeygenError> {
    let text = JsFuture::from(file.text()).await.map_err(js_error)?;
    Ok(text.as_string().unwrap_or_default())
}

// --- The lazily loaded work ----------------------------------------------------------------------------------------
//
// The arithmetic (RSA, P-256, P-384), scrypt, AES and the PKCS#12 assembly are most of this module's weight.
// Each action below is a `#[lazy]` function: built with `cargo leptos --split`, its code (and everything only
// it reaches) goes into a separate Wasm file that the browser loads the first time the action runs, so the
// pages that never make a key do not download it.

/// What "Generate key and CSR" produces.
#[derive(Clone)]
pub struct MadeKey {
    pub csr: String,
    pub key_file: String,
    /// Milliseconds from the click to the signed CSR, and for the key file's encryption.
    pub csr_ms: f64,
    pub encrypt_ms: f64,
}

/// Key pair, CSR and encrypted key file. `step` is told when each of the three steps starts.
#[leptos::lazy]
pub async fn make_key_and_csr(
    algorithm: KeyAlgorithm,
    engine: Engine,
    subject: super::Subject,
    names: Vec<String>,
    password: String,
    step: leptos::prelude::Callback<usize>,
) -> Result<MadeKey, KeygenError> {
    use leptos::prelude::*;
    let start = now_ms();
    let key = generate(algorithm, engine).await?;
    step.run(1);
    next_frame().await;
    let csr = super::make_csr(&key, &subject, &names)?;
    let csr_done = now_ms();
    step.run(2);
    next_frame().await;
    let key_file = key.to_encrypted_pem(&password)?;
    Ok(MadeKey { csr, key_file, csr_ms: csr_done - start, encrypt_ms: now_ms() - csr_done })
}

/// Key pair, self-signed certificate and encrypted key file: (certificate PEM, key file).
#[leptos::lazy]
pub async fn make_self_signed_pair(
    algorithm: KeyAlgorithm,
    engine: Engine,
    subject: super::Subject,
    names: Vec<String>,
    not_before: time::OffsetDateTime,
    not_after: time::OffsetDateTime,
    password: String,
    step: leptos::prelude::Callback<usize>,
) -> Result<(String, String), KeygenError> {
    use leptos::prelude::*;
    let key = generate(algorithm, engine).await?;
    step.run(1);
    next_frame().await;
    let cert = super::make_self_signed(&key, &subject, &names, not_before, not_after)?;
    step.run(2);
    next_frame().await;
    Ok((cert, key.to_encrypted_pem(&password)?))
}

/// A .p12 from a key file (with its password) and the issued chain.
#[leptos::lazy]
pub fn make_pkcs12(
    key_file: String,
    password: String,
    chain_pem: String,
    name: String,
    export_password: String,
) -> Result<Vec<u8>, KeygenError> {
    let key = PrivateKey::from_pem(&key_file, &password)?;
    super::build_pkcs12(&key, &chain_pem, &name, &export_password)
}
