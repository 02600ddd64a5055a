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
//! to [`ZoneFileWriter`], and no panics on any input.

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
