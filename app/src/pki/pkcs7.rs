//! A certs-only PKCS#7 bundle (.p7b): SignedData with certificates and no signers (RFC 2315 / RFC 5652),
//! the form Windows and Java import a chain from.

use yasna::models::ObjectIdentifier;
use yasna::Tag;

const OID_SIGNED_DATA: [u64; 7] = [1, 2, 840, 113549, 1, 7, 2];
const OID_DATA: [u64; 7] = [1, 2, 840, 113549, 1, 7, 1];

/// DER of a degenerate SignedData holding `certificates` (each DER), leaf first.
pub fn certs_only(certificates: &[Vec<u8>]) -> Vec<u8> {
    yasna::construct_der(|w| {
        w.write_sequence(|w| {
            w.next().write_oid(&ObjectIdentifier::from_slice(&OID_SIGNED_DATA));
            w.next().write_tagged(Tag::context(0), |w| {
                w.write_sequence(|w| {
                    w.next().write_u8(1);
                    w.next().write_set(|_| {});
                    w.next().write_sequence(|w| w.next().write_oid(&ObjectIdentifier::from_slice(&OID_DATA)));
                    w.next().write_tagged_implicit(Tag::context(0), |w| {
                        w.write_set_of(|w| {
                            for c in certificates {
                                w.next().write_der(c);
                            }
                        })
                    });
                    w.next().write_set(|_| {});
                })
            });
        })
    })
}
