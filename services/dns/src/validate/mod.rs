//! The record-data grammars of domain-rules §4: the accept/refuse decision
//! Designate's API makes for every record string of a recordset.
//!
//! These rules are Designate's, quirks included (Python's `int()` accepts
//! `+5` and `1_0`, CAA flags stop at 1, a lone `"` is a valid TXT record…);
//! they are deliberately *not* the RFC or BIND grammar, which
//! [`crate::wire`] applies when a record is turned into wire form.

mod caa;
mod cert;
mod naptr;
mod simple;
mod svcb;
mod text;

use std::borrow::Cow;

use crate::rtype::RecordType;

/// A record string refused by its type's grammar.
///
/// The API reports it as `{path: ["records", i], validator: "format",
/// validator_value: [type], message: "'<data>' is not a '<type>' Record"}`
/// — see [`RdataError::api_message`], [`RdataError::VALIDATOR`] and
/// [`RdataError::rtype`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{data}' is not a '{rtype}' Record ({reason})")]
pub struct RdataError {
    rtype: RecordType,
    data: String,
    reason: Cow<'static, str>,
}

impl RdataError {
    /// The JSON-schema validator name Designate reports for these errors.
    pub const VALIDATOR: &'static str = "format";

    pub(crate) fn new(rtype: RecordType, data: &str, reason: impl Into<Cow<'static, str>>) -> Self {
        RdataError {
            rtype,
            data: data.to_owned(),
            reason: reason.into(),
        }
    }

    /// The record type whose grammar refused the data (the error's
    /// `validator_value` is `[rtype]`).
    pub fn rtype(&self) -> RecordType {
        self.rtype
    }

    /// The refused record text, verbatim.
    pub fn data(&self) -> &str {
        &self.data
    }

    /// Which rule refused it, for logs (not part of the API body).
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// The API error message: `'<data>' is not a '<type>' Record`.
    pub fn api_message(&self) -> String {
        format!("'{}' is not a '{}' Record", self.data, self.rtype)
    }
}

/// Why a grammar refused a value (internal; becomes an [`RdataError`]).
pub(crate) type Check = Result<(), Cow<'static, str>>;

/// Refuses with `reason` unless `ok`.
pub(crate) fn ensure(ok: bool, reason: &'static str) -> Check {
    if ok {
        Ok(())
    } else {
        Err(Cow::Borrowed(reason))
    }
}

/// Applies the §4 grammar of `rtype` to one record string, as the API does
/// before a recordset reaches central. Record data are then stored
/// verbatim.
pub fn validate_rdata(rtype: RecordType, data: &str) -> Result<(), RdataError> {
    check(rtype, data).map_err(|reason| RdataError::new(rtype, data, reason))
}

/// [`validate_rdata`] plus the rules that depend on the recordset name:
/// an SVCB record at a name containing `_dns` must carry `alpn`, and with
/// `h2`/`h3` in it also `dohpath` (domain-rules §3.1). Both refusals take
/// the same per-record error shape.
pub fn validate_record(rtype: RecordType, owner: &str, data: &str) -> Result<(), RdataError> {
    validate_rdata(rtype, data)?;
    if rtype == RecordType::SVCB && owner.contains("_dns") {
        svcb::check_dns_binding(data).map_err(|reason| RdataError::new(rtype, data, reason))?;
    }
    Ok(())
}

fn check(rtype: RecordType, data: &str) -> Check {
    match rtype {
        RecordType::A => simple::a(data),
        RecordType::AAAA => simple::aaaa(data),
        RecordType::CNAME | RecordType::NS | RecordType::PTR => simple::domain(data),
        RecordType::MX => simple::mx(data),
        RecordType::SRV => simple::srv(data),
        RecordType::SSHFP => simple::sshfp(data),
        RecordType::SOA => simple::soa(data),
        RecordType::TLSA => simple::tlsa(data),
        RecordType::TXT => text::txt(data),
        RecordType::SPF => text::spf(data),
        RecordType::CAA => caa::caa(data),
        RecordType::CERT => cert::cert(data),
        RecordType::NAPTR => naptr::naptr(data),
        RecordType::SVCB => svcb::svcb(data, svcb::Flavour::Svcb),
        RecordType::HTTPS => svcb::svcb(data, svcb::Flavour::Https),
    }
}

/// Python's `int(text)` within `min..=max` (an `IntegerFields` check).
pub(crate) fn int_in(text: &str, min: i128, max: i128, what: &'static str) -> Check {
    match crate::pycompat::int(text) {
        Some(v) if (min..=max).contains(&v) => Ok(()),
        Some(_) => Err(Cow::Owned(format!("{what} out of range"))),
        None => Err(Cow::Owned(format!("{what} is not an integer"))),
    }
}

/// A `DomainField(maxLength=255)` value.
pub(crate) fn domain_field(text: &str) -> Check {
    crate::name::check_domain_field(text, "data", Some(255)).map_err(|e| Cow::Owned(e.0))
}

/// Python's `str.split(' ')` into exactly `N` fields.
pub(crate) fn split_exact<const N: usize>(data: &str) -> Result<[&str; N], Cow<'static, str>> {
    let fields: Vec<&str> = data.split(' ').collect();
    fields
        .try_into()
        .map_err(|_| Cow::Owned(format!("expected {N} fields separated by single spaces")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_carries_what_the_api_needs() {
        let err = validate_rdata(RecordType::TXT, "hello world").unwrap_err();
        assert_eq!(err.api_message(), "'hello world' is not a 'TXT' Record");
        assert_eq!(err.rtype(), RecordType::TXT);
        assert_eq!(err.data(), "hello world");
        assert_eq!(RdataError::VALIDATOR, "format");
        assert!(!err.reason().is_empty());
    }
}
