//! X.509 work that needs no database: CSR intake and checks, certificate profiles and their lint, PKCS#7,
//! what a certificate says (`facts`), the OCSP encoding, and ACME's JWS intake with its problem documents.
//! Built with the `pki` feature (part of `ssr`), so the CSR fuzz target links it without the server.

pub mod acme_problem;
pub mod bundle;
pub mod csr;
pub mod facts;
pub mod jws;
pub mod ocsp;
pub mod pkcs7;
pub mod profile;

#[cfg(test)]
mod tests;
