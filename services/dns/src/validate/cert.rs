//! CERT grammar (domain-rules §4, RFC 4398 presentation with Designate's
//! mnemonic lists).

use std::borrow::Cow;

use super::{Check, ensure, int_in};

/// Certificate type mnemonics Designate accepts (its list, `DPKIX` and
/// `DPTR` included although no registry defines them).
const CERT_TYPES: [&str; 12] = [
    "PKIX", "SPKI", "PGP", "IPKIX", "ISPKI", "IPGP", "ACPKIX", "IACPKIX", "URI", "OID", "DPKIX",
    "DPTR",
];

/// Algorithm mnemonics Designate accepts (dnspython's spellings).
const ALGORITHMS: [&str; 12] = [
    "RSAMD5",
    "DSA",
    "RSASHA1",
    "DSA-NSEC3-SHA1",
    "RSASHA1-NSEC3-SHA1",
    "RSASHA256",
    "RSASHA512",
    "ECC-GOST",
    "ECDSAP256SHA256",
    "ECDSAP384SHA384",
    "ED25519",
    "ED448",
];

/// `type key_tag algorithm certificate`, split on the first three spaces.
pub(super) fn cert(data: &str) -> Check {
    let fields: Vec<&str> = data.splitn(4, ' ').collect();
    let [cert_type, key_tag, algorithm, certificate] = fields.as_slice() else {
        return Err(Cow::Borrowed(
            "expected type, key tag, algorithm and certificate",
        ));
    };
    mnemonic_or_number(cert_type, &CERT_TYPES, 65535, "certificate type")?;
    ensure(
        is_upper_word(cert_type) || is_digits(cert_type),
        "certificate type must be upper-case letters or digits",
    )?;
    int_in(key_tag, 0, 65535, "key tag")?;
    mnemonic_or_number(algorithm, &ALGORITHMS, 255, "algorithm")?;
    ensure(
        is_algorithm_word(algorithm) || is_digits(algorithm),
        "bad algorithm mnemonic",
    )?;
    ensure(!certificate.contains('\n'), "newline in the certificate")?;
    let joined: Vec<u8> = certificate.split(' ').flat_map(str::bytes).collect();
    ensure(
        crate::pycompat::b64decode_ok(&joined),
        "certificate is not base64",
    )
}

/// A listed mnemonic, or Python's `int()` within `0..=max`.
fn mnemonic_or_number(value: &str, mnemonics: &[&str], max: i128, what: &'static str) -> Check {
    if mnemonics.contains(&value) {
        return Ok(());
    }
    int_in(value, 0, max, what)
}

/// `^[A-Z]+\Z`
fn is_upper_word(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|b| b.is_ascii_uppercase())
}

/// `^[0-9]+\Z`
fn is_digits(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit())
}

/// `^[A-Z]+[A-Z0-9\-]+[A-Z0-9]\Z`
fn is_algorithm_word(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.len() >= 3
        && bytes[0].is_ascii_uppercase()
        && bytes
            .iter()
            .all(|&b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
        && bytes[bytes.len() - 1] != b'-'
}
