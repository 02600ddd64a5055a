//! Zone-file import (domain-rules §11.1), with the rules of dnspython's
//! zone reader that Designate's import relies on:
//!
//! * names are absolute; the origin comes from `$ORIGIN`, which must come
//!   before the first record — there is no default origin;
//! * `$TTL`, TTL units (`1h`, `1w`), an optional class (`IN` only), TTL and
//!   class in either order, a blank owner repeating the previous one, `@`,
//!   parentheses, comments, quoted strings and escapes;
//! * a record without TTL takes `$TTL`, else the SOA minimum if no `$TTL`
//!   came before the SOA, else the last explicit TTL;
//! * records outside the origin are ignored; `$INCLUDE` (and any other
//!   directive) is refused.
//!
//! Record data come out in canonical presentation form. Carriage returns
//! count as blank space, so CRLF files read as their LF twins.

use super::ImportError;
use super::zone::{ParsedRecord, ParsedZone};
use crate::master::Syntax;
use crate::master::dname::Name;
use crate::master::lexer::{Lexeme, Lexer, Token};
use crate::rdata::{self, Reader};
use crate::rtype::{RecordType, strip_prefix_ignore_case};
use crate::ttl::parse_zone_ttl;

/// Record types dnspython knows but Delegate does not implement; such a
/// record fails the import the way Designate's does (its record type is
/// not a valid field value) instead of as a syntax error.
const OTHER_TYPES: [&str; 58] = [
    "AFSDB",
    "AMTRELAY",
    "ANY",
    "APL",
    "AVC",
    "AXFR",
    "CDNSKEY",
    "CDS",
    "CSYNC",
    "DHCID",
    "DLV",
    "DNAME",
    "DNSKEY",
    "DS",
    "EUI48",
    "EUI64",
    "GPOS",
    "HINFO",
    "HIP",
    "IPSECKEY",
    "ISDN",
    "IXFR",
    "KEY",
    "KX",
    "L32",
    "L64",
    "LOC",
    "LP",
    "MAILA",
    "MAILB",
    "MB",
    "MD",
    "MF",
    "MG",
    "MINFO",
    "MR",
    "NID",
    "NINFO",
    "NSAP",
    "NSAP-PTR",
    "NSEC",
    "NSEC3",
    "NSEC3PARAM",
    "NULL",
    "NXT",
    "OPENPGPKEY",
    "PX",
    "RESINFO",
    "RP",
    "RRSIG",
    "RT",
    "SIG",
    "SMIMEA",
    "TA",
    "URI",
    "WALLET",
    "WKS",
    "ZONEMD",
];

/// Parses a zone file for import: the whole file must read cleanly, have an
/// SOA at the origin, and hold only the 17 implemented types.
pub fn parse_zone_file(text: &str) -> Result<ParsedZone, ImportError> {
    let mut reader = ZoneReader::new(text);
    let mut records = Vec::new();
    while let Some(record) = reader.next_record()? {
        records.push(record);
    }
    let origin = reader
        .zone_origin
        .map(|o| o.to_text())
        .ok_or(ImportError::NoSoa)?;
    let zone = ParsedZone { origin, records };
    if zone.soa().is_none() {
        return Err(ImportError::NoSoa);
    }
    if let Some(other) = reader.unsupported {
        return Err(ImportError::Undefined(format!(
            "Field value {other} is invalid"
        )));
    }
    Ok(zone)
}

/// The reading state across lines.
struct ZoneReader<'a> {
    lexer: Lexer<'a>,
    origin: Option<Name>,
    zone_origin: Option<Name>,
    default_ttl: Option<u32>,
    last_ttl: Option<u32>,
    last_name: Option<Name>,
    /// First record type seen that Delegate does not implement.
    unsupported: Option<String>,
}

/// The fields before the record data.
struct Header {
    ttl: Option<u32>,
    rtype: Option<RecordType>,
}

impl<'a> ZoneReader<'a> {
    fn new(text: &'a str) -> Self {
        ZoneReader {
            lexer: Lexer::new(text),
            origin: None,
            zone_origin: None,
            default_ttl: None,
            last_ttl: None,
            last_name: None,
            unsupported: None,
        }
    }

    fn malformed(&self, reason: impl Into<String>) -> ImportError {
        ImportError::Malformed {
            line: self.lexer.line(),
            reason: reason.into(),
        }
    }

    fn syntax(&self) -> impl Fn(Syntax) -> ImportError + '_ {
        move |e: Syntax| self.malformed(e.0.into_owned())
    }

    /// The next record, or `None` at the end of the file.
    fn next_record(&mut self) -> Result<Option<ParsedRecord>, ImportError> {
        loop {
            let blank_owner = self.lexer.line_starts_blank();
            let first = self.lexer.next_lexeme().map_err(self.syntax())?;
            let first = match first {
                Lexeme::Eof => return Ok(None),
                Lexeme::Eol => continue,
                Lexeme::Word(token) => token,
            };
            if !blank_owner && !first.quoted && first.raw.starts_with(b"$") {
                self.directive(first)?;
                continue;
            }
            if self.origin.is_none() {
                return Err(ImportError::NoOrigin {
                    line: self.lexer.line(),
                });
            }
            if let Some(record) = self.record(blank_owner, first)? {
                return Ok(Some(record));
            }
        }
    }

    fn directive(&mut self, name: Token<'_>) -> Result<(), ImportError> {
        if name.is_word("$ORIGIN") {
            let token = self.word()?;
            let origin = Name::parse(token.raw, self.origin.as_ref()).map_err(self.syntax())?;
            self.end_of_line()?;
            self.zone_origin.get_or_insert_with(|| origin.clone());
            self.origin = Some(origin);
            Ok(())
        } else if name.is_word("$TTL") {
            let token = self.word()?;
            let ttl = bare_ttl(&token).ok_or_else(|| self.malformed("bad $TTL"))?;
            self.end_of_line()?;
            self.default_ttl = Some(ttl);
            Ok(())
        } else {
            Err(self.malformed(format!("unsupported directive {}", name.lossy())))
        }
    }

    /// Reads one record line; `None` when the line is skipped.
    fn record(
        &mut self,
        blank_owner: bool,
        first: Token<'a>,
    ) -> Result<Option<ParsedRecord>, ImportError> {
        let (owner, field) = if blank_owner {
            let owner = self
                .last_name
                .clone()
                .ok_or_else(|| self.malformed("no previous owner"))?;
            (owner, first)
        } else {
            let owner = self.owner(first)?;
            (owner, self.word()?)
        };
        let zone = self.zone_origin.as_ref().ok_or(ImportError::NoOrigin {
            line: self.lexer.line(),
        })?;
        if !owner.is_subdomain_of(zone) {
            self.lexer.skip_line().map_err(self.syntax())?;
            return Ok(None);
        }
        let header = self.header(field)?;
        let Some(rtype) = header.rtype else {
            self.lexer.skip_line().map_err(self.syntax())?;
            return Ok(None);
        };
        let mut wire = Vec::new();
        let mut reader = Reader::new(&mut self.lexer, self.origin.as_ref());
        let parsed = rdata::parse(rtype, &mut reader, &mut wire).and_then(|()| reader.finish());
        parsed.map_err(self.syntax())?;
        let ttl = self.resolve_ttl(header.ttl, rtype, &wire)?;
        let mut data = String::with_capacity(wire.len() * 2);
        rdata::format(rtype, &wire, &mut data).map_err(self.syntax())?;
        Ok(Some(ParsedRecord {
            name: owner.to_text(),
            ttl,
            rtype,
            data,
        }))
    }

    fn owner(&mut self, token: Token<'_>) -> Result<Name, ImportError> {
        if token.quoted {
            return Err(self.malformed("quoted owner name"));
        }
        let owner = Name::parse(token.raw, self.origin.as_ref()).map_err(self.syntax())?;
        self.last_name = Some(owner.clone());
        Ok(owner)
    }

    /// `[ttl] [class] type` or `[class] [ttl] type`, starting at `field`.
    fn header(&mut self, mut field: Token<'a>) -> Result<Header, ImportError> {
        let mut ttl = bare_ttl(&field);
        if ttl.is_some() {
            field = self.word()?;
        }
        if self.is_class(&field)? {
            field = self.word()?;
        }
        if ttl.is_none() {
            ttl = bare_ttl(&field);
            if ttl.is_some() {
                field = self.word()?;
            }
        }
        if ttl.is_some() {
            self.last_ttl = ttl;
        }
        let rtype = self.record_type(&field)?;
        Ok(Header { ttl, rtype })
    }

    /// Is the field a class? `IN` (or `CLASS1`) is; another class is an
    /// error, since the zone is of class IN.
    fn is_class(&self, field: &Token<'_>) -> Result<bool, ImportError> {
        if field.quoted {
            return Ok(false);
        }
        let text = String::from_utf8_lossy(field.raw);
        let code = match strip_prefix_ignore_case(&text, "CLASS") {
            Some(digits) => crate::master::number::parse_decimal(digits.as_bytes(), 65535),
            None => ["IN", "CH", "CHAOS", "HS", "HESIOD", "NONE", "ANY"]
                .iter()
                .position(|c| c.eq_ignore_ascii_case(&text))
                .map(|i| if i == 0 { 1 } else { 3 }),
        };
        match code {
            None => Ok(false),
            Some(1) => Ok(true),
            Some(_) => Err(self.malformed("record class is not IN")),
        }
    }

    /// The record type; `None` for a type Delegate does not implement
    /// (remembered, the line skipped).
    fn record_type(&mut self, field: &Token<'_>) -> Result<Option<RecordType>, ImportError> {
        let text = String::from_utf8_lossy(field.raw);
        if field.quoted {
            return Err(self.malformed(format!("unknown record type {text}")));
        }
        if let Some(rtype) = RecordType::from_zone_token(&text) {
            return Ok(Some(rtype));
        }
        let upper = text.to_ascii_uppercase();
        let generic = strip_prefix_ignore_case(&text, "TYPE")
            .and_then(|d| crate::master::number::parse_decimal(d.as_bytes(), 65535));
        if OTHER_TYPES.contains(&upper.as_str()) || generic.is_some() {
            self.unsupported.get_or_insert(upper);
            return Ok(None);
        }
        Err(self.malformed(format!("unknown record type {text}")))
    }

    /// The TTL of a record without one of its own (see the module docs).
    fn resolve_ttl(
        &mut self,
        explicit: Option<u32>,
        rtype: RecordType,
        wire: &[u8],
    ) -> Result<u32, ImportError> {
        let mut ttl = explicit.or(self.default_ttl).or(self.last_ttl);
        if rtype == RecordType::SOA && self.default_ttl.is_none() {
            let minimum = soa_minimum(wire).ok_or_else(|| self.malformed("short SOA"))?;
            self.default_ttl = Some(minimum);
            ttl = ttl.or(Some(minimum));
        }
        ttl.ok_or_else(|| self.malformed("missing default TTL value"))
    }

    fn word(&mut self) -> Result<Token<'a>, ImportError> {
        match self.lexer.next_lexeme().map_err(self.syntax())? {
            Lexeme::Word(token) => Ok(token),
            Lexeme::Eol | Lexeme::Eof => Err(self.malformed("unexpected end of line")),
        }
    }

    fn end_of_line(&mut self) -> Result<(), ImportError> {
        match self.lexer.next_lexeme().map_err(self.syntax())? {
            Lexeme::Word(token) => Err(self.malformed(format!("unexpected {}", token.lossy()))),
            Lexeme::Eol | Lexeme::Eof => Ok(()),
        }
    }
}

/// An unquoted word that reads as a TTL.
fn bare_ttl(token: &Token<'_>) -> Option<u32> {
    if token.quoted {
        return None;
    }
    parse_zone_ttl(std::str::from_utf8(token.raw).ok()?)
}

/// The MINIMUM field: the last four octets of SOA RDATA.
fn soa_minimum(wire: &[u8]) -> Option<u32> {
    let tail: [u8; 4] = wire.get(wire.len().checked_sub(4)?..)?.try_into().ok()?;
    Some(u32::from_be_bytes(tail))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOA: &str = "@ IN SOA ns1.example.org. admin.example.test. 1 7200 900 1209600 300\n";

    fn parse(text: &str) -> Result<ParsedZone, ImportError> {
        parse_zone_file(text)
    }

    fn lines(zone: &ParsedZone) -> Vec<String> {
        zone.records
            .iter()
            .map(|r| format!("{} {} {} {}", r.name, r.ttl, r.rtype, r.data))
            .collect()
    }

    #[test]
    fn the_golden_import_parses_as_designate_stored_it() {
        let text = "$ORIGIN golden-import.test.\n$TTL 1800\n\
            golden-import.test. IN SOA ns1.example.org. admin.golden-import.test. 1 7200 900 1209600 300\n\
            golden-import.test. IN NS ns1.example.org.\n\
            www 600 IN A 192.0.2.20\nwww IN AAAA 2001:db8::20\nmail IN A 192.0.2.25\n\
            @ IN MX 10 mail\ntxt IN TXT \"imported text\"\n";
        let zone = parse(text).unwrap();
        assert_eq!(zone.origin, "golden-import.test.");
        assert_eq!(
            lines(&zone),
            [
                "golden-import.test. 1800 SOA ns1.example.org. admin.golden-import.test. 1 7200 900 1209600 300",
                "golden-import.test. 1800 NS ns1.example.org.",
                "www.golden-import.test. 600 A 192.0.2.20",
                "www.golden-import.test. 1800 AAAA 2001:db8::20",
                "mail.golden-import.test. 1800 A 192.0.2.25",
                "golden-import.test. 1800 MX 10 mail.golden-import.test.",
                "txt.golden-import.test. 1800 TXT \"imported text\"",
            ]
        );
        let soa = zone.soa().unwrap();
        assert_eq!(
            (soa.email.as_str(), soa.serial, soa.ttl),
            ("admin@golden-import.test", 1, 1800)
        );
    }

    #[test]
    fn origin_must_come_first() {
        let err = parse("this is not a zone file\n").unwrap_err();
        assert_eq!(
            err.task_message(),
            "The $ORIGIN statement is required and must be the first statement in the zonefile."
        );
        assert!(matches!(
            parse("www A 192.0.2.1\n$ORIGIN x.\n"),
            Err(ImportError::NoOrigin { .. })
        ));
        assert!(matches!(parse(""), Err(ImportError::NoSoa)));
    }

    #[test]
    fn syntax_errors_are_malformed() {
        for text in [
            "$ORIGIN example.test.\n$INCLUDE other.zone\n",
            "$ORIGIN example.test.\n$GENERATE 1-2 a$ A 192.0.2.$\n",
            "$ORIGIN example.test.\n$TTL 1x\n",
            "$ORIGIN example.test.\n$TTL 300\nwww A 192.0.2.300\n",
            "$ORIGIN example.test.\n$TTL 300\nwww FOO data\n",
            "$ORIGIN example.test.\n$TTL 300\nwww CH A 192.0.2.1\n",
            "$ORIGIN example.test.\n$TTL 300\nwww A ( 192.0.2.1\n",
            "$ORIGIN example.test.\nwww A 192.0.2.1\n",
            "$ORIGIN example.test.\n$TTL 300\nwww A 192.0.2.1 extra\n",
        ] {
            let err = parse(text).unwrap_err();
            assert_eq!(err.task_message(), "Malformed zonefile.", "{text}");
        }
    }

    #[test]
    fn soa_is_required_at_the_origin() {
        let err = parse("$ORIGIN example.test.\n$TTL 300\nwww A 192.0.2.1\n").unwrap_err();
        assert_eq!(err.task_message(), "An SOA record is required.");
        let below = "$ORIGIN example.test.\n$TTL 300\nsub SOA a. b. 1 2 3 4 5\n";
        assert_eq!(parse(below).unwrap_err(), ImportError::NoSoa);
    }

    #[test]
    fn other_record_types_fail_like_designate() {
        let text = format!("$ORIGIN example.test.\n$TTL 300\n{SOA}ds DS 1 2 3 AAAA\n");
        assert_eq!(
            parse(&text).unwrap_err().task_message(),
            "An undefined error occurred. Field value DS is invalid"
        );
    }

    #[test]
    fn ttl_rules_follow_dnspython() {
        let text = "$ORIGIN example.test.\n\
            @ SOA ns1.example.org. admin.example.test. ( 1 2 3 4\n 1h ) ; minimum\n\
            a A 192.0.2.1\n\
            b 60 A 192.0.2.2\n\
            c IN 2w A 192.0.2.3\n\
            $TTL 1m\n\
            d A 192.0.2.4\n";
        let zone = parse(text).unwrap();
        let ttls: Vec<u32> = zone.records.iter().map(|r| r.ttl).collect();
        assert_eq!(ttls, [3600, 3600, 60, 1_209_600, 60]);
        let no_default =
            "$ORIGIN example.test.\nx 30 A 192.0.2.1\ny A 192.0.2.2\n@ SOA a. b. 1 2 3 4 5\n";
        let zone = parse(no_default).unwrap();
        let ttls: Vec<u32> = zone.records.iter().map(|r| r.ttl).collect();
        assert_eq!(ttls, [30, 30, 30]);
    }

    #[test]
    fn blank_owners_relative_names_and_foreign_names() {
        let text = format!(
            "$ORIGIN example.test.\n$TTL 300\n{SOA}www A 192.0.2.1\n  A 192.0.2.2\n\
             other.org. A 192.0.2.3\n$ORIGIN sub.example.test.\nhost A 192.0.2.4\n\
             ; comment line\n   \n"
        );
        let zone = parse(&text).unwrap();
        let names: Vec<&str> = zone.records.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "example.test.",
                "www.example.test.",
                "www.example.test.",
                "host.sub.example.test."
            ]
        );
        assert_eq!(zone.origin, "example.test.");
    }

    #[test]
    fn crlf_files_read_like_lf_files() {
        let text = format!(
            "$ORIGIN example.test.\r\n$TTL 300\r\n{}www A 192.0.2.1\r\n",
            SOA.replace('\n', "\r\n")
        );
        assert_eq!(parse(&text).unwrap().records.len(), 2);
    }
}
