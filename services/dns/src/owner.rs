//! Rules on a recordset's name (owner) that depend on its type
//! (domain-rules §3.1, api-v2 §8.2).

use crate::name::{FieldValueError, check_domain_field, check_host_field, check_srv_field};
use crate::rtype::RecordType;

/// Longest recordset name the API accepts.
pub const MAX_RECORDSET_NAME: usize = 255;

/// Why a recordset name was refused; each variant maps to a different API
/// error, in the order the API checks them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OwnerError {
    /// A TLSA name not of the form `_<port>._<proto>.…` (port ≤ 65535):
    /// the API answers `400 bad_request` with this message.
    #[error("{0}")]
    BadTlsaName(String),
    /// Not a host name at all (the generic `name` field check): the API
    /// answers `400 invalid_object` "Provided object is not valid. Got a
    /// ValueError error with message `<message>`".
    #[error("{0}")]
    InvalidHostName(FieldValueError),
    /// A host name, but not one this type allows (NS needs a domain name —
    /// no wildcard; SRV an SRV owner name): `400 invalid_object` with
    /// message "name is invalid".
    #[error("name is invalid")]
    NameIsInvalid,
}

/// Checks a recordset name for a recordset of type `rtype`.
pub fn validate_owner(rtype: RecordType, name: &str) -> Result<(), OwnerError> {
    if rtype == RecordType::TLSA {
        check_tlsa_owner(name).map_err(|m| OwnerError::BadTlsaName(m.to_owned()))?;
    }
    check_host_field(name, "name", Some(MAX_RECORDSET_NAME))
        .map_err(OwnerError::InvalidHostName)?;
    let specific = match rtype {
        RecordType::NS => check_domain_field(name, "name", Some(MAX_RECORDSET_NAME)),
        RecordType::SRV => check_srv_field(name, "name", Some(MAX_RECORDSET_NAME)),
        _ => Ok(()),
    };
    specific.map_err(|_| OwnerError::NameIsInvalid)
}

/// `_<1–5 digits>._<letters>.` at the start, port at most 65535 (RFC 6698
/// §3 owner form).
fn check_tlsa_owner(name: &str) -> Result<(), &'static str> {
    const FORM: &str = "TLSA record name must be in the format _<port>._<protocol>.<host>";
    let mut labels = name.splitn(3, '.');
    let (Some(port), Some(proto), Some(_)) = (labels.next(), labels.next(), labels.next()) else {
        return Err(FORM);
    };
    let digits = port.strip_prefix('_').ok_or(FORM)?;
    let letters = proto.strip_prefix('_').ok_or(FORM)?;
    let digits_ok = (1..=5).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
    let letters_ok = !letters.is_empty() && letters.bytes().all(|b| b.is_ascii_alphabetic());
    if !digits_ok || !letters_ok {
        return Err(FORM);
    }
    match digits.parse::<u32>() {
        Ok(port) if port <= 65535 => Ok(()),
        _ => Err("TLSA record port must be between 0 and 65535"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ns_owner_cannot_be_a_wildcard() {
        assert_eq!(
            validate_owner(RecordType::NS, "*.example.com."),
            Err(OwnerError::NameIsInvalid)
        );
        assert!(validate_owner(RecordType::NS, "sub.example.com.").is_ok());
        assert!(validate_owner(RecordType::A, "*.example.com.").is_ok());
    }

    #[test]
    fn srv_owner_needs_service_and_protocol() {
        assert_eq!(
            validate_owner(RecordType::SRV, "sip.golden-rdata.test."),
            Err(OwnerError::NameIsInvalid)
        );
        assert!(validate_owner(RecordType::SRV, "_sip._udp.golden-rdata.test.").is_ok());
    }

    #[test]
    fn generic_host_name_errors_carry_designates_text() {
        let err = validate_owner(RecordType::A, "www").unwrap_err();
        assert_eq!(err.to_string(), "Host name www does not end with a dot");
        assert!(matches!(err, OwnerError::InvalidHostName(_)));
    }

    #[test]
    fn tlsa_owner_rule_is_a_bad_request() {
        assert!(validate_owner(RecordType::TLSA, "_443._tcp.www.example.com.").is_ok());
        assert!(validate_owner(RecordType::TLSA, "_25._tcp.example.com.").is_ok());
        for bad in [
            "www.example.com.",
            "_https._tcp.example.com.",
            "_443.tcp.example.com.",
            "_443._tcp1.example.com.",
            "_123456._tcp.example.com.",
        ] {
            assert!(
                matches!(
                    validate_owner(RecordType::TLSA, bad),
                    Err(OwnerError::BadTlsaName(_))
                ),
                "{bad}"
            );
        }
        assert_eq!(
            validate_owner(RecordType::TLSA, "_65536._tcp.example.com."),
            Err(OwnerError::BadTlsaName(
                "TLSA record port must be between 0 and 65535".into()
            ))
        );
    }
}
