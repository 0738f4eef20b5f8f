//! Whatever a customer pastes or uploads as a CSR goes through decoding, parsing, signature verification and
//! every check. None of it may panic.
#![no_main]

use app::model::{KeyType, Organisation};
use app::pki::csr::{self, Expectations};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parsed = csr::parse(data);
    if let Ok(p) = &parsed {
        let _ = p.names();
        let _ = p.pem();
    }
    let names = vec!["shop.example.com".to_string(), "*.example.com".to_string()];
    let org = Organisation { name: "Žutić & Sons d.o.o.".into(), city: "Split".into(), country: "HR".into(), ..Default::default() };
    let _ = csr::check(
        &parsed,
        &Expectations { names: &names, key_types: &[KeyType::Rsa, KeyType::P256, KeyType::P384], organisation: Some(&org), key_seen_in: None },
    );
});
