//! Key and certificate material: SSHFP (RFC 4255), TLSA (RFC 6698) and
//! CERT (RFC 4398).

use std::fmt::Write as _;

use super::{Reader, Wire};
use crate::master::encoding::{base64_into, hex_into, push_base64, push_hex_upper};
use crate::master::{Syntax, SyntaxResult};

/// `algorithm fp_type fingerprint…`. Like BIND (which also refuses such
/// records in transfers), SHA-1 and SHA-256 fingerprints must have their
/// exact length, so a bad one is dropped here instead of failing a
/// secondary's whole transfer.
pub(super) fn parse_sshfp(r: &mut Reader<'_, '_>, out: &mut Vec<u8>) -> SyntaxResult<()> {
    r.u8_into(out)?;
    let fp_type = r.number(255)? as u8;
    out.push(fp_type);
    let start = out.len();
    hex_into(r.rest()?.iter().map(|t| t.raw), out)?;
    let expected = match fp_type {
        1 => Some(20),
        2 => Some(32),
        _ => None,
    };
    if expected.is_some_and(|len| out.len() - start != len) {
        return Err(Syntax::new("fingerprint length does not match its type"));
    }
    Ok(())
}

pub(super) fn format_sshfp(w: &mut Wire<'_>, out: &mut String) -> SyntaxResult<()> {
    let _ = write!(out, "{} {}", w.u8()?, w.u8()?);
    let fingerprint = w.rest();
    if !fingerprint.is_empty() {
        out.push(' ');
        push_hex_upper(fingerprint, out);
    }
    Ok(())
}

/// `usage selector matching_type data…` (data: at least one hex digit pair).
pub(super) fn parse_tlsa(r: &mut Reader<'_, '_>, out: &mut Vec<u8>) -> SyntaxResult<()> {
    for _ in 0..3 {
        r.u8_into(out)?;
    }
    hex_required(r, out)
}

pub(super) fn format_tlsa(w: &mut Wire<'_>, out: &mut String) -> SyntaxResult<()> {
    let _ = write!(out, "{} {} {} ", w.u8()?, w.u8()?, w.u8()?);
    let data = w.rest();
    if data.is_empty() {
        return Err(Syntax::new("TLSA without association data"));
    }
    push_hex_upper(data, out);
    Ok(())
}

fn hex_required(r: &mut Reader<'_, '_>, out: &mut Vec<u8>) -> SyntaxResult<()> {
    let start = out.len();
    hex_into(r.rest()?.iter().map(|t| t.raw), out)?;
    if out.len() == start {
        return Err(Syntax::new("missing hex data"));
    }
    Ok(())
}

/// Certificate types with mnemonics (RFC 4398 §2.1), as BIND prints them.
const CERT_TYPES: [(u16, &str); 10] = [
    (1, "PKIX"),
    (2, "SPKI"),
    (3, "PGP"),
    (4, "IPKIX"),
    (5, "ISPKI"),
    (6, "IPGP"),
    (7, "ACPKIX"),
    (8, "IACPKIX"),
    (253, "URI"),
    (254, "OID"),
];

/// DNSSEC algorithm mnemonics as BIND prints them, then the aliases BIND
/// or dnspython (and so Designate's stored data) also accept.
const ALGORITHMS: [(u8, &str); 21] = [
    (1, "RSAMD5"),
    (2, "DH"),
    (3, "DSA"),
    (5, "RSASHA1"),
    (6, "NSEC3DSA"),
    (7, "NSEC3RSASHA1"),
    (8, "RSASHA256"),
    (10, "RSASHA512"),
    (12, "ECCGOST"),
    (13, "ECDSAP256SHA256"),
    (14, "ECDSAP384SHA384"),
    (15, "ED25519"),
    (16, "ED448"),
    (252, "INDIRECT"),
    (253, "PRIVATEDNS"),
    (254, "PRIVATEOID"),
    (13, "ECDSA256"),
    (14, "ECDSA384"),
    (6, "DSA-NSEC3-SHA1"),
    (7, "RSASHA1-NSEC3-SHA1"),
    (12, "ECC-GOST"),
];

/// `type key_tag algorithm certificate…` (base64, at least one quantum).
pub(super) fn parse_cert(r: &mut Reader<'_, '_>, out: &mut Vec<u8>) -> SyntaxResult<()> {
    let cert_type = mnemonic_or_number(r, &CERT_TYPES, u64::from(u16::MAX))? as u16;
    out.extend_from_slice(&cert_type.to_be_bytes());
    r.u16_into(out)?;
    let algorithms = ALGORITHMS.map(|(code, name)| (u16::from(code), name));
    out.push(mnemonic_or_number(r, &algorithms, 255)? as u8);
    let start = out.len();
    base64_into(r.rest()?.iter().map(|t| t.raw), out)?;
    if out.len() == start {
        return Err(Syntax::new("missing certificate data"));
    }
    Ok(())
}

/// A mnemonic from `table` (any case) or a decimal number up to `max`.
fn mnemonic_or_number(
    r: &mut Reader<'_, '_>,
    table: &[(u16, &str)],
    max: u64,
) -> SyntaxResult<u64> {
    let token = r.bare_word()?;
    if let Some((code, _)) = table.iter().find(|(_, name)| token.is_word(name)) {
        return Ok(u64::from(*code));
    }
    crate::master::number::parse_decimal(token.raw, max)
        .ok_or_else(|| Syntax::owned(format!("unknown mnemonic {}", token.lossy())))
}

pub(super) fn format_cert(w: &mut Wire<'_>, out: &mut String) -> SyntaxResult<()> {
    let cert_type = w.u16()?;
    match CERT_TYPES.iter().find(|(code, _)| *code == cert_type) {
        Some((_, name)) => out.push_str(name),
        None => {
            let _ = write!(out, "{cert_type}");
        }
    }
    let _ = write!(out, " {} ", w.u16()?);
    let algorithm = w.u8()?;
    match ALGORITHMS.iter().find(|(code, _)| *code == algorithm) {
        Some((_, name)) => out.push_str(name),
        None => {
            let _ = write!(out, "{algorithm}");
        }
    }
    let certificate = w.rest();
    if certificate.is_empty() {
        return Err(Syntax::new("CERT without certificate data"));
    }
    out.push(' ');
    push_base64(certificate, out);
    Ok(())
}
