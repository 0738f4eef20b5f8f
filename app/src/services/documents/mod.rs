//! The documents an issuer sends its clients: the printable certificate (PDF, A4) and the QR code that points
//! at the client's verified page.

pub mod pdf;
pub mod qr;
