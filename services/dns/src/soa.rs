//! The managed SOA record's text (domain-rules §5.2) and the e-mail ↔ RNAME
//! mapping used to build it and to read it back on import (§11.1).

/// The SOA record text Delegate stores for a zone:
/// `<mname> <rname> <serial> <refresh> <retry> <expire> <minimum>`, with
/// the RNAME derived from the zone e-mail by [`email_to_rname`].
pub fn soa_text(
    mname: &str,
    email: &str,
    serial: u32,
    refresh: u32,
    retry: u32,
    expire: u32,
    minimum: u32,
) -> String {
    format!(
        "{mname} {} {serial} {refresh} {retry} {expire} {minimum}",
        email_to_rname(email)
    )
}

/// The SOA RNAME for a zone e-mail (RFC 1035 §8): dots of the local part
/// escaped as `\.`, the `@` replaced by `.`, a final `.` appended —
/// `first.last@example.com` → `first\.last.example.com.`.
pub fn email_to_rname(email: &str) -> String {
    let (local, domain) = email.split_once('@').unwrap_or(("", email));
    let mut out = String::with_capacity(email.len() + 4);
    if !local.is_empty() {
        out.push_str(&local.replace('.', "\\."));
        out.push('.');
    }
    out.push_str(domain);
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

/// The zone e-mail for an imported SOA RNAME (presentation form): the
/// first unescaped `.` becomes `@`, `\.` becomes `.`, the final dot goes —
/// `first\.last.example.com.` → `first.last@example.com`.
pub fn rname_to_email(rname: &str) -> String {
    let body = rname.strip_suffix('.').unwrap_or(rname);
    let mut out = String::with_capacity(body.len());
    let mut at_placed = false;
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('.') => out.push('.'),
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push('\\'),
            },
            '.' if !at_placed => {
                out.push('@');
                at_placed = true;
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soa_text_follows_the_spec() {
        assert_eq!(
            soa_text(
                "ns1.anchor.test.",
                "hostmaster@golden-export.test",
                1795299448,
                3548,
                600,
                86400,
                3600
            ),
            "ns1.anchor.test. hostmaster.golden-export.test. 1795299448 3548 600 86400 3600"
        );
    }

    #[test]
    fn email_and_rname_map_both_ways() {
        assert_eq!(
            email_to_rname("first.last@example.com"),
            r"first\.last.example.com."
        );
        assert_eq!(
            email_to_rname("admin@golden-import.test"),
            "admin.golden-import.test."
        );
        assert_eq!(
            rname_to_email(r"first\.last.example.com."),
            "first.last@example.com"
        );
        assert_eq!(
            rname_to_email("admin.golden-import.test."),
            "admin@golden-import.test"
        );
        for email in ["a.b.c@d.e.f", "x@y", "host_master@ex-ample.org"] {
            assert_eq!(rname_to_email(&email_to_rname(email)), email);
        }
    }
}
