//! X.509 work that needs no database: CSR intake and checks, certificate profiles and their lint, PKCS#7,
//! what a certificate says (`facts`), and the OCSP encoding.
//! Built with the `pki` feature (part of `ssr`), so the CSR fuzz target links it without the server.

pub mod bundle;
pub mod csr;
pub mod facts;
pub mod ocsp;
pub mod pkcs7;
pub mod profile;

#[cfg(test)]
mod tests;
