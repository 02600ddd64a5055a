//! The name, e-mail and TLD grammars of domain-rules §1, as Designate checks
//! them (its `RE_ZONENAME`, `RE_HOSTNAME`, `RE_SRV_HOST_NAME`, `RE_TLDNAME`
//! patterns and the field classes that apply them).
//!
//! The `is_*` predicates answer yes/no. The `check_*_field` functions also
//! reproduce the order of checks and the exact `ValueError` text Designate
//! reports for an object field, which the API renders as
//! `Provided object is not valid. Got a ValueError error with message …`.

/// Longest name the patterns accept, in characters (`(?!.{255,})`).
const MAX_NAME_CHARS: usize = 254;
/// Longest label, in characters.
const MAX_LABEL_CHARS: usize = 63;

/// A label: 1–63 characters from `[A-Za-z0-9_-]`, not starting or ending
/// with `-`.
pub fn is_label(label: &str) -> bool {
    let bytes = label.as_bytes();
    (1..=MAX_LABEL_CHARS).contains(&bytes.len())
        && bytes
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        && bytes[0] != b'-'
        && bytes[bytes.len() - 1] != b'-'
}

/// A domain name (zone names, name targets, SOA names): labels each
/// followed by `.`, at most 254 characters, no wildcard.
pub fn is_domain_name(name: &str) -> bool {
    absolute_labels(name).is_some_and(|mut labels| labels.all(is_label))
}

/// A host name (recordset names): a domain name whose *first* label may be
/// exactly `*`.
pub fn is_host_name(name: &str) -> bool {
    let Some(mut labels) = absolute_labels(name) else {
        return false;
    };
    let first_ok = labels.next().is_some_and(|l| l == "*" || is_label(l));
    first_ok && labels.all(is_label)
}

/// An SRV owner name: `_<x>._<y>.` then at least one label, where `x` and
/// `y` are 1–63 characters of `[A-Za-z0-9_-]` (hyphens anywhere — the
/// pattern allows them), e.g. `_sip._tcp.example.com.`.
pub fn is_srv_owner_name(name: &str) -> bool {
    let mut parts = name.splitn(3, '.');
    let (Some(service), Some(proto), Some(rest)) = (parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    is_underscore_label(service) && is_underscore_label(proto) && is_domain_name(rest)
}

fn is_underscore_label(label: &str) -> bool {
    label.strip_prefix('_').is_some_and(|tail| {
        (1..=MAX_LABEL_CHARS).contains(&tail.len())
            && tail
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    })
}

/// A TLD name: labels separated by `.`, **no** trailing dot (`com`,
/// `co.uk`), at most 254 characters.
pub fn is_tld_name(name: &str) -> bool {
    name.len() <= MAX_NAME_CHARS && name.split('.').all(is_label)
}

/// An e-mail address: exactly one `@`, and replacing it by `.` and
/// appending `.` gives a domain name (so `+` is not allowed, dots are).
pub fn is_email(email: &str) -> bool {
    email.matches('@').count() == 1 && is_domain_name(&format!("{}.", email.replace('@', ".")))
}

/// The labels of an absolute name of acceptable length, or `None`.
fn absolute_labels(name: &str) -> Option<std::str::Split<'_, char>> {
    if name.len() > MAX_NAME_CHARS {
        return None;
    }
    name.strip_suffix('.').map(|body| body.split('.'))
}

/// The `ValueError` a Designate object field raises for a bad value; its
/// text is what the API puts after "Got a ValueError error with message".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FieldValueError(pub String);

/// Designate's `DomainField` (zone names, SRV/NAPTR/SVCB targets…):
/// length, then label length, then trailing dot, then the pattern.
pub fn check_domain_field(
    value: &str,
    attr: &str,
    max_len: Option<usize>,
) -> Result<(), FieldValueError> {
    check_common(value, attr, max_len)?;
    if !value.ends_with('.') {
        return Err(FieldValueError(format!(
            "Domain {value} does not end with a dot"
        )));
    }
    if !is_domain_name(value) {
        return Err(FieldValueError(format!("Domain {value} is invalid")));
    }
    Ok(())
}

/// Designate's `HostField` (recordset names).
pub fn check_host_field(
    value: &str,
    attr: &str,
    max_len: Option<usize>,
) -> Result<(), FieldValueError> {
    check_common(value, attr, max_len)?;
    if !value.ends_with('.') {
        return Err(FieldValueError(format!(
            "Host name {value} does not end with a dot"
        )));
    }
    if !is_host_name(value) {
        return Err(FieldValueError(format!("Host name {value} is invalid")));
    }
    Ok(())
}

/// Designate's `SRVField` (the name of an SRV recordset).
pub fn check_srv_field(
    value: &str,
    attr: &str,
    max_len: Option<usize>,
) -> Result<(), FieldValueError> {
    check_common(value, attr, max_len)?;
    if !value.ends_with('.') {
        return Err(FieldValueError(format!(
            "Host name {value} does not end with a dot"
        )));
    }
    if !is_srv_owner_name(value) {
        return Err(FieldValueError(format!(
            "Host name {value} is not a SRV record"
        )));
    }
    Ok(())
}

/// Designate's `EmailField` (zone e-mail).
pub fn check_email_field(
    value: &str,
    attr: &str,
    max_len: Option<usize>,
) -> Result<(), FieldValueError> {
    check_max_len(value, attr, max_len)?;
    if value.matches('@').count() != 1 {
        return Err(FieldValueError(format!("{value} is not an email")));
    }
    if !is_email(value) {
        return Err(FieldValueError(format!("Email {value} is invalid")));
    }
    Ok(())
}

/// Designate's `TldField` (TLD names).
pub fn check_tld_field(
    value: &str,
    attr: &str,
    max_len: Option<usize>,
) -> Result<(), FieldValueError> {
    check_max_len(value, attr, max_len)?;
    if !is_tld_name(value) {
        return Err(FieldValueError(format!("{value} is not a TLD")));
    }
    Ok(())
}

/// The checks every name field starts with: `maxLength`, then labels of
/// more than 63 characters (reported by the first one found).
fn check_common(value: &str, attr: &str, max_len: Option<usize>) -> Result<(), FieldValueError> {
    check_max_len(value, attr, max_len)?;
    match value
        .split('.')
        .find(|l| l.chars().count() > MAX_LABEL_CHARS)
    {
        Some(long) => Err(FieldValueError(format!("Host {long} is too long"))),
        None => Ok(()),
    }
}

/// `StringFields(maxLength=…)`: length in characters, as Python counts.
fn check_max_len(value: &str, attr: &str, max_len: Option<usize>) -> Result<(), FieldValueError> {
    match max_len {
        Some(max) if value.chars().count() > max => {
            Err(FieldValueError(format!("Value too long for {attr}")))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert!(is_label("a"));
        assert!(is_label("_dmarc"));
        assert!(is_label("a-b"));
        assert!(is_label(&"a".repeat(63)));
        assert!(!is_label(&"a".repeat(64)));
        assert!(!is_label("-a"));
        assert!(!is_label("a-"));
        assert!(!is_label(""));
        assert!(!is_label("a b"));
        assert!(!is_label("*"));
        assert!(!is_label("\u{e9}"));
    }

    #[test]
    fn domain_names() {
        assert!(is_domain_name("example.com."));
        assert!(is_domain_name("WWW.Example.ORG."));
        assert!(is_domain_name("a."));
        assert!(!is_domain_name("example.com"));
        assert!(!is_domain_name("."));
        assert!(!is_domain_name("*.example.com."));
        assert!(!is_domain_name("a..b."));
        assert!(!is_domain_name("a.b.\n"));
        let at_limit = format!("{}.", vec!["a".repeat(63); 4].join(".")[..253].to_owned());
        assert_eq!(at_limit.len(), 254);
        assert!(is_domain_name(&at_limit));
        let over = format!("b{at_limit}");
        assert!(!is_domain_name(&over));
    }

    #[test]
    fn host_names_allow_a_leading_wildcard_only() {
        assert!(is_host_name("*.example.com."));
        assert!(is_host_name("*."));
        assert!(is_host_name("www.example.com."));
        assert!(!is_host_name("www.*.example.com."));
        assert!(!is_host_name("**.example.com."));
        assert!(!is_host_name("*a.example.com."));
    }

    #[test]
    fn srv_owner_names() {
        assert!(is_srv_owner_name("_sip._tcp.example.com."));
        assert!(is_srv_owner_name("_sip._udp.golden-rdata.test."));
        assert!(is_srv_owner_name("_-a-._t_.x."));
        assert!(!is_srv_owner_name("sip.golden-rdata.test."));
        assert!(!is_srv_owner_name("_sip._tcp."));
        assert!(!is_srv_owner_name("_sip.tcp.example.com."));
        assert!(!is_srv_owner_name("_._tcp.example.com."));
        assert!(!is_srv_owner_name("_sip._tcp.example.com"));
    }

    #[test]
    fn tlds_and_emails() {
        assert!(is_tld_name("com"));
        assert!(is_tld_name("co.uk"));
        assert!(!is_tld_name("golden."));
        assert!(!is_tld_name("not valid"));
        assert!(is_email("hostmaster@example.org"));
        assert!(is_email("first.last@example.org"));
        assert!(!is_email("first+tag@example.org"));
        assert!(!is_email("not-an-email"));
        assert!(!is_email("a@b@example.org"));
    }

    #[test]
    fn field_messages_match_designate() {
        let msg = |r: Result<(), FieldValueError>| r.unwrap_err().0;
        assert_eq!(
            msg(check_domain_field("not a zone", "name", Some(255))),
            "Domain not a zone does not end with a dot"
        );
        let long_label = "a".repeat(64);
        assert_eq!(
            msg(check_domain_field(
                &format!("{long_label}.test."),
                "name",
                Some(255)
            )),
            format!("Host {long_label} is too long")
        );
        let huge = format!("{}golden.test.", "a".repeat(60).repeat(5));
        assert_eq!(
            msg(check_domain_field(&huge, "name", Some(255))),
            "Value too long for name"
        );
        assert_eq!(
            msg(check_host_field("www", "name", Some(255))),
            "Host name www does not end with a dot"
        );
        assert_eq!(
            msg(check_host_field("a b.", "name", Some(255))),
            "Host name a b. is invalid"
        );
        assert_eq!(
            msg(check_srv_field("sip.example.com.", "name", Some(255))),
            "Host name sip.example.com. is not a SRV record"
        );
        assert_eq!(
            msg(check_email_field("not-an-email", "email", Some(255))),
            "not-an-email is not an email"
        );
        assert_eq!(
            msg(check_email_field("a+b@example.org", "email", Some(255))),
            "Email a+b@example.org is invalid"
        );
        assert_eq!(
            msg(check_tld_field("golden.", "name", Some(255))),
            "golden. is not a TLD"
        );
        assert!(check_domain_field("example.com.", "name", Some(255)).is_ok());
    }
}
