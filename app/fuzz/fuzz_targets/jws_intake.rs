//! Every ACME request body a stranger sends goes through the JWS intake: parsing, the key in the header, the
//! signature check, the external account binding inside a payload, and a payload read as JSON. None of it may
//! panic.
#![no_main]

use app::pki::jws::{self, AccountKey};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(request) = jws::parse(data) else { return };
    let key = match &request.protected.jwk {
        Some(jwk) => AccountKey::from_jwk(jwk),
        None => return,
    };
    let Ok(key) = key else { return };
    let _ = request.verify(&key);
    let _ = key.thumbprint();
    let _ = request.json::<serde_json::Value>();
    if let Ok(payload) = serde_json::from_slice::<serde_json::Value>(&request.payload) {
        if let Some(eab) = payload.get("externalAccountBinding") {
            if let Ok(binding) = jws::binding_of(eab, &request.protected.url, &key) {
                let _ = binding.verify(b"fuzz");
            }
        }
    }
});
