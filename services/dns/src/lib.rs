//! DNS record knowledge shared by every Delegate service: the 17 record
//! types of domain-rules §4, their API grammars, their wire form, and BIND
//! zone files.
//!
//! Two grammars live here, on purpose:
//!
//! * [`validate_rdata`] / [`validate_record`] / [`validate_owner`] and the
//!   [`name`] and [`ttl`] checks decide what the API accepts, exactly as
//!   Designate decides it (quirks included, see the spec);
//! * [`wire`] reads stored text with master-file syntax and the RFC/BIND
//!   rules to build wire data ([`to_hickory_record`] for mdns) and prints
//!   the canonical presentation form ([`presentation`],
//!   [`from_hickory_rdata`]), which equals what BIND's `named-compilezone`
//!   prints.
//!
//! Zone files: [`parse_zone_file`] for imports (§11.1) and
//! [`ZoneFileWriter`] for exports (§11.2). The SOA text Delegate manages is
//! built by [`soa_text`] (§5.2).
//!
//! Everything here is pure computation: no I/O except the writer you hand
//! to [`ZoneFileWriter`], and no panics on any input (the parsers are
//! fuzzed, see `fuzz/` at the repository root).
//!
//! # Where Delegate differs from Designate, and why
//!
//! * Canonical record text follows BIND, not dnspython (upper-case hex in
//!   SSHFP/TLSA, CERT mnemonics such as `NSEC3DSA`): BIND is what serves
//!   the zones. SVCB key 7 prints as `dohpath` (RFC 9461, BIND ≥ 9.19) so
//!   the API grammar accepts it back; key 8 prints as `key8` because BIND
//!   9.18 does not know `ohttp`.
//! * Wire conversion refuses data a secondary or hickory-proto would
//!   refuse (SSHFP SHA-1/SHA-256 fingerprints of the wrong length, CAA tags
//!   over 15 characters, NAPTR flags that are not letters/digits, non-UTF-8
//!   alpn ids, badly padded base64), so mdns skips one record instead of a
//!   secondary dropping the whole transfer.
//! * Zone import: CRLF line ends are accepted; blank lines before `$ORIGIN`
//!   are ignored (dnspython fails them as "no origin"); names are taken as
//!   bytes, not IDNA-encoded; `$GENERATE` is refused as malformed
//!   (dnspython expands it).
//! * Python's `int()` accepts non-ASCII decimal digits; Delegate does not.

pub mod inet;
mod master;
pub mod name;
mod owner;
pub mod pycompat;
mod rdata;
mod rtype;
pub mod soa;
pub mod ttl;
mod validate;
pub mod wire;
pub mod zonefile;

pub use owner::{MAX_RECORDSET_NAME, OwnerError, validate_owner};
pub use rtype::{RecordType, UnknownRecordType};
pub use soa::{email_to_rname, rname_to_email, soa_text};
pub use validate::{RdataError, validate_rdata, validate_record};
pub use wire::{
    from_hickory_rdata, presentation, rdata_to_wire, to_hickory_rdata, to_hickory_record,
};
pub use zonefile::{
    ImportError, ParsedRecord, ParsedRecordSet, ParsedZone, SoaFields, ZoneFileWriter,
    parse_zone_file,
};
