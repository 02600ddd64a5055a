//! Table-driven accept/refuse cases for the record grammars of
//! domain-rules §4 and §4.1, the owner rules of §3.1, and the name, e-mail
//! and TTL grammars of §1 — one or more cases per rule, including the
//! quirks Delegate keeps from Designate. Each case names its rule, so a
//! failure says which rule broke.

use delegate_dns::name::{is_domain_name, is_email, is_host_name, is_srv_owner_name, is_tld_name};
use delegate_dns::ttl::check_ttl;
use delegate_dns::{OwnerError, RecordType, validate_owner, validate_rdata, validate_record};

use RecordType::*;

const OK: bool = true;
const NO: bool = false;

struct Case {
    rtype: RecordType,
    data: String,
    accept: bool,
    rule: &'static str,
}

fn case(rtype: RecordType, data: impl Into<String>, accept: bool, rule: &'static str) -> Case {
    Case {
        rtype,
        data: data.into(),
        accept,
        rule,
    }
}

fn hex(n: usize) -> String {
    "0123456789abcdef".chars().cycle().take(n).collect()
}

fn run(cases: Vec<Case>) {
    let mut wrong = Vec::new();
    for c in &cases {
        let got = validate_rdata(c.rtype, &c.data);
        if got.is_ok() != c.accept {
            let verdict = if c.accept { "refused" } else { "accepted" };
            wrong.push(format!(
                "{} {:?} {verdict} — rule: {} ({got:?})",
                c.rtype, c.data, c.rule
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} case(s) wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn a_records() {
    run(vec![
        case(A, "192.0.2.1", OK, "four decimal octets"),
        case(A, "0.0.0.0", OK, "zero octets"),
        case(A, "255.255.255.255", OK, "octets up to 255"),
        case(A, "192.0.2.300", NO, "octet over 255"),
        case(A, "0192.0.2.1", NO, "no leading zeros"),
        case(A, "01.2.3.4", NO, "no leading zeros"),
        case(A, "192.0.2.1 ", NO, "digits only (trailing space)"),
        case(A, "+1.2.3.4", NO, "digits only (sign)"),
        case(A, "192.0.2", NO, "exactly four octets"),
        case(A, "1.2.3.4.5", NO, "exactly four octets"),
        case(A, "1..2.3", NO, "no empty octet"),
        case(A, "not-an-ip", NO, "digits only"),
        case(A, "::1", NO, "IPv4 only"),
        case(A, "", NO, "empty"),
    ]);
}

#[test]
fn aaaa_records() {
    run(vec![
        case(AAAA, "2001:DB8::1", OK, "compressed, upper case"),
        case(
            AAAA,
            "2001:0db8:0000:0000:0000:0000:0000:0001",
            OK,
            "full form",
        ),
        case(AAAA, "::", OK, "all zeros"),
        case(AAAA, "::1", OK, "leading ::"),
        case(AAAA, "1::", OK, "trailing ::"),
        case(AAAA, "::ffff:192.0.2.1", OK, "embedded IPv4"),
        case(AAAA, "64:ff9b::192.0.2.33", OK, "embedded IPv4"),
        case(AAAA, "1:2:3:4:5:6:7:8", OK, "eight groups"),
        case(AAAA, "192.0.2.1", NO, "IPv4 is not IPv6"),
        case(AAAA, "2001:db8::g", NO, "hex digits only"),
        case(AAAA, "1:::2", NO, "one :: only"),
        case(AAAA, "1::2::3", NO, "one :: only"),
        case(AAAA, "12345::", NO, "groups of up to 4 digits"),
        case(AAAA, "1:2:3:4:5:6:7:8:9", NO, "at most eight groups"),
        case(AAAA, "1:2:3:4:5:6:7", NO, "eight groups without ::"),
        case(AAAA, "fe80::1%eth0", NO, "no zone index"),
        case(AAAA, " ::1", NO, "no blanks"),
        case(
            AAAA,
            "::ffff:192.0.2.01",
            NO,
            "embedded IPv4 without leading zeros",
        ),
    ]);
}

#[test]
fn name_target_records() {
    let label63 = "a".repeat(63);
    let long = format!(
        "{}.",
        [
            "b".repeat(63),
            "c".repeat(63),
            "d".repeat(63),
            "e".repeat(62)
        ]
        .join(".")
    );
    assert_eq!(long.len(), 255);
    for rtype in [CNAME, NS, PTR] {
        run(vec![
            case(rtype, "WWW.Example.ORG.", OK, "domain name, case kept"),
            case(rtype, "a.", OK, "single label"),
            case(rtype, "a_b.example.org.", OK, "underscore allowed"),
            case(
                rtype,
                format!("{label63}.example."),
                OK,
                "63-character label",
            ),
            case(rtype, "www", NO, "must end with a dot"),
            case(rtype, "host.example.org", NO, "must end with a dot"),
            case(rtype, "*.example.org.", NO, "no wildcard"),
            case(rtype, "a..b.", NO, "no empty label"),
            case(rtype, ".", NO, "at least one label"),
            case(rtype, "-a.example.", NO, "label may not start with -"),
            case(rtype, "a-.example.", NO, "label may not end with -"),
            case(rtype, format!("a{label63}.example."), NO, "label over 63"),
            case(rtype, long.clone(), NO, "total over 254"),
            case(rtype, "a b.example.", NO, "label characters"),
            case(rtype, "caf\u{e9}.example.", NO, "no IDN conversion"),
        ]);
    }
}

#[test]
fn mx_records() {
    let long_exchange = format!("{}.", "x".repeat(255));
    run(vec![
        case(MX, "10 mail.example.org.", OK, "priority exchange"),
        case(MX, "0 .", OK, "root exchange (transcript)"),
        case(MX, "65535 x.", OK, "priority up to 65535"),
        case(
            MX,
            "10 -not_a_host-.",
            OK,
            "exchange: only the trailing dot is checked",
        ),
        case(
            MX,
            "10 mail",
            NO,
            "exchange must end with a dot (transcript)",
        ),
        case(
            MX,
            "mail.example.org.",
            NO,
            "exactly two fields (transcript)",
        ),
        case(MX, "10 a. b.", NO, "exactly two fields"),
        case(MX, "10  a.", NO, "single spaces only"),
        case(MX, "010 a.", NO, "canonical priority (leading zero)"),
        case(MX, "+10 a.", NO, "canonical priority (sign)"),
        case(MX, "1_0 a.", NO, "canonical priority (underscore)"),
        case(MX, "65536 a.", NO, "priority over 65535"),
        case(MX, "-1 a.", NO, "negative priority"),
        case(MX, format!("10 {long_exchange}"), NO, "exchange over 255"),
    ]);
}

#[test]
fn srv_records() {
    run(vec![
        case(
            SRV,
            "10 60 5060 sip.example.org.",
            OK,
            "priority weight port target",
        ),
        case(SRV, "65535 65535 65535 a.", OK, "numbers up to 65535"),
        case(SRV, "+1 0 0 a.", OK, "quirk: Python int() accepts a sign"),
        case(
            SRV,
            "0_1 2 3 a.",
            OK,
            "quirk: Python int() accepts underscores",
        ),
        case(
            SRV,
            "010 2 3 a.",
            OK,
            "leading zeros allowed (not canonical-checked)",
        ),
        case(
            SRV,
            "10 60 5060 sip",
            NO,
            "target is a domain name (transcript)",
        ),
        case(
            SRV,
            "10 60 5060 .",
            NO,
            "target is a domain name (root refused)",
        ),
        case(SRV, "65536 0 0 a.", NO, "priority over 65535"),
        case(SRV, "0 65536 0 a.", NO, "weight over 65535"),
        case(SRV, "0 0 65536 a.", NO, "port over 65535"),
        case(SRV, "-1 0 0 a.", NO, "negative"),
        case(SRV, "x 0 0 a.", NO, "integers"),
        case(SRV, "1 2 3", NO, "exactly four fields"),
        case(SRV, "1 2 3 a. b.", NO, "exactly four fields"),
    ]);
}

#[test]
fn sshfp_records() {
    run(vec![
        case(
            SSHFP,
            format!("1 1 {}", hex(40)),
            OK,
            "SHA-1 fingerprint (transcript form)",
        ),
        case(SSHFP, format!("4 2 {}", hex(64)), OK, "64 hex digits"),
        case(SSHFP, format!("0 0 {}", hex(10)), OK, "10 hex digits"),
        case(SSHFP, "2 1 ABCDEF0123", OK, "upper-case hex"),
        case(SSHFP, format!("5 1 {}", hex(40)), NO, "algorithm 0-4"),
        case(
            SSHFP,
            format!("1 3 {}", hex(40)),
            NO,
            "fingerprint type 0-2",
        ),
        case(
            SSHFP,
            format!("01 1 {}", hex(40)),
            NO,
            "canonical algorithm",
        ),
        case(SSHFP, format!("1 +1 {}", hex(40)), NO, "canonical type"),
        case(
            SSHFP,
            format!("1 1 {}", hex(9)),
            NO,
            "at least 10 hex digits",
        ),
        case(SSHFP, format!("1 1 {}", hex(41)), NO, "10-40 or 64 digits"),
        case(SSHFP, format!("1 1 {}", hex(63)), NO, "10-40 or 64 digits"),
        case(SSHFP, format!("1 1 {}", hex(65)), NO, "10-40 or 64 digits"),
        case(SSHFP, "1 1 xyz0123456", NO, "hex only"),
        case(SSHFP, "1 1", NO, "exactly three fields"),
    ]);
}

#[test]
fn txt_records() {
    let x = |n: usize| "x".repeat(n);
    run(vec![
        case(TXT, "\"v=spf1 -all\"", OK, "quoted string (transcript)"),
        case(TXT, "v=spf1", OK, "unquoted without blanks (transcript)"),
        case(
            TXT,
            "\"hello world\"",
            OK,
            "blanks inside quotes (transcript)",
        ),
        case(TXT, "\"a\\\"b\"", OK, "escaped inner quote (transcript)"),
        case(TXT, x(255), OK, "255 characters (transcript)"),
        case(
            TXT,
            "\"v=DMARC1; p=none\"",
            OK,
            "semicolon inside quotes (transcript)",
        ),
        case(TXT, "\"", OK, "quirk: a lone quote counts as quoted"),
        case(
            TXT,
            "\"a\\\\\"b\"",
            OK,
            "quirk: any backslash before an inner quote",
        ),
        case(
            TXT,
            format!("\"{}\" \"{}\"", x(250), x(250)),
            OK,
            "long values as several quoted strings",
        ),
        case(
            TXT,
            format!("\"{}\"", x(253)),
            OK,
            "quoted string of 255 with quotes",
        ),
        case(TXT, "hello world", NO, "no blanks unquoted (transcript)"),
        case(
            TXT,
            "\"two\" \"strings\"",
            NO,
            "short value: inner quotes unescaped (transcript)",
        ),
        case(TXT, x(256), NO, "over 255 must be split (transcript)"),
        case(
            TXT,
            format!("\"{}\"", x(300)),
            NO,
            "each string at most 255",
        ),
        case(
            TXT,
            format!("\"{}\" \"{}\"", x(254), x(10)),
            NO,
            "each piece at most 255 with quotes",
        ),
        case(TXT, "abc\\", NO, "must not end with a backslash"),
        case(TXT, "\"abc", NO, "quote at both ends or neither"),
        case(TXT, "abc\"", NO, "quote at both ends or neither"),
        case(TXT, "\"a\nb\"", NO, "no newline"),
        case(TXT, "a\tb", NO, "no white space unquoted"),
        case(TXT, "a\u{1c}b", NO, "Python's isspace() counts U+001C"),
        case(TXT, "\"a\"b\"", NO, "inner quote must be escaped"),
    ]);
}

#[test]
fn spf_records() {
    run(vec![
        case(SPF, "\"v=spf1 -all\"", OK, "quoted (transcript)"),
        case(SPF, "v=spf1", OK, "unquoted without blanks"),
        case(SPF, "\"a\\\"b\"", OK, "escaped inner quote"),
        case(SPF, "x".repeat(300), OK, "no length limit"),
        case(SPF, "\"abc", OK, "quoted rules when either end has a quote"),
        case(SPF, "v=spf1 -all", NO, "no blanks unquoted"),
        case(SPF, "\"a\"b\"", NO, "inner quote must be escaped"),
        case(SPF, "abc\"def\"", NO, "inner quote must be escaped"),
        case(SPF, "\"a\nb\"", NO, "no newline"),
    ]);
}

#[test]
fn soa_records() {
    let ok = "ns1.example.org. hostmaster.example.org. 1 7200 900 1209600 300";
    run(vec![
        case(SOA, ok, OK, "seven fields"),
        case(SOA, "a. b. 4294967295 0 0 0 0", OK, "serial up to 2^32-1"),
        case(SOA, "a. b. 0 1 1 1 1", NO, "serial from 1"),
        case(SOA, "a. b. 4294967296 1 1 1 1", NO, "serial up to 2^32-1"),
        case(SOA, "a. b. 1 2147483648 1 1 1", NO, "refresh up to 2^31-1"),
        case(SOA, "a. b. 1 1 -1 1 1", NO, "retry not negative"),
        case(SOA, "a. b. 1 1 1 2147483648 1", NO, "expire up to 2^31-1"),
        case(SOA, "a. b. 1 1 1 1 2147483648", NO, "minimum up to 2^31-1"),
        case(SOA, "a b. 1 1 1 1 1", NO, "mname is a domain name"),
        case(
            SOA,
            "a. first\\.last.b. 1 1 1 1 1",
            NO,
            "rname is a domain name",
        ),
        case(SOA, "a. b. 1 1 1 1", NO, "exactly seven fields"),
    ]);
}

#[test]
fn caa_records() {
    run(vec![
        case(
            CAA,
            "0 issue letsencrypt.org",
            OK,
            "issuer domain (transcript)",
        ),
        case(CAA, "1 issue letsencrypt.org", OK, "flags 0-1"),
        case(CAA, "0 issuewild ca.example.net", OK, "issuewild"),
        case(
            CAA,
            "0 issue ca.example.net; account=230123",
            OK,
            "key=value parameters",
        ),
        case(
            CAA,
            "0 issue ca.example.net; a=b; c=d",
            OK,
            "several parameters",
        ),
        case(
            CAA,
            "0 issue ca.example.net; account=1 trailing",
            OK,
            "quirk: parameters prefix-matched",
        ),
        case(
            CAA,
            "0 iodef https://example.org/report",
            OK,
            "https iodef (transcript)",
        ),
        case(CAA, "0 iodef http://example.org/", OK, "http iodef"),
        case(
            CAA,
            "0 iodef mailto:security@example.org",
            OK,
            "mailto iodef",
        ),
        case(
            CAA,
            "0 iodef mailto:sec+tag@example.org",
            OK,
            "mailto with +tag",
        ),
        case(CAA, "+1 issue a.example", OK, "quirk: Python int() flags"),
        case(
            CAA,
            "0 issue \"letsencrypt.org\"",
            NO,
            "quoted issuer fails (transcript)",
        ),
        case(
            CAA,
            "128 iodef mailto:security@example.org",
            NO,
            "flags only 0-1 (transcript)",
        ),
        case(CAA, "2 issue a.example", NO, "flags only 0-1"),
        case(CAA, "0 issuewild ;", NO, "empty issuer fails (transcript)"),
        case(CAA, "0 issue -bad.example", NO, "issuer is a domain name"),
        case(
            CAA,
            "0 issue ca.example.net;account=1",
            NO,
            "parameter needs leading blank",
        ),
        case(
            CAA,
            "0 issue ca.example.net; account=",
            NO,
            "parameter value alphanumeric",
        ),
        case(
            CAA,
            "0 issue ca.example.net; =x",
            NO,
            "parameter key alphanumeric",
        ),
        case(CAA, "0 tbs x", NO, "only issue, issuewild, iodef"),
        case(CAA, "0 ISSUE a.example", NO, "tags are case-sensitive"),
        case(
            CAA,
            "0 iodef https://example.org",
            NO,
            "a / after the host is required",
        ),
        case(
            CAA,
            "0 iodef ftp://example.org/",
            NO,
            "mailto or http(s) only",
        ),
        case(
            CAA,
            "0 iodef mailto:first.last@example.org",
            NO,
            "mailto local part [A-Za-z0-9_-]",
        ),
        case(
            CAA,
            "0 iodef mailto:sec@-bad",
            NO,
            "mailto domain is a domain name",
        ),
        case(CAA, "0 issue", NO, "value required"),
        case(CAA, "0", NO, "tag required"),
    ]);
}

#[test]
fn cert_records() {
    run(vec![
        case(CERT, "1 2 3 AAAA", OK, "numbers (transcript)"),
        case(CERT, "PKIX 1 RSASHA256 AAAA", OK, "mnemonics"),
        case(
            CERT,
            "DPKIX 0 ED448 AAAA",
            OK,
            "quirk: Designate's DPKIX mnemonic",
        ),
        case(CERT, "65535 65535 255 AAAA", OK, "ranges"),
        case(
            CERT,
            "URI 1 DSA-NSEC3-SHA1 AAAA BBBB",
            OK,
            "certificate may contain spaces",
        ),
        case(
            CERT,
            "1 2 3 A!A!A!A",
            OK,
            "quirk: lenient base64 ignores non-alphabet",
        ),
        case(CERT, "1 +5 3 AAAA", OK, "quirk: key tag via Python int()"),
        case(
            CERT,
            "01 1 1 AAAA",
            OK,
            "type digits (leading zero allowed)",
        ),
        case(CERT, "1 1 1 ", OK, "quirk: empty certificate decodes"),
        case(CERT, "pkix 1 1 AAAA", NO, "mnemonics upper case"),
        case(CERT, "FOO 1 1 AAAA", NO, "unknown type mnemonic"),
        case(CERT, "65536 1 1 AAAA", NO, "type up to 65535"),
        case(CERT, "+1 1 1 AAAA", NO, "type all digits"),
        case(CERT, "1 65536 1 AAAA", NO, "key tag up to 65535"),
        case(CERT, "1 1 256 AAAA", NO, "algorithm up to 255"),
        case(
            CERT,
            "1 1 rsasha256 AAAA",
            NO,
            "algorithm mnemonic upper case",
        ),
        case(
            CERT,
            "1 1 ECCGOST AAAA",
            NO,
            "algorithm mnemonic from Designate's list",
        ),
        case(CERT, "1 1 1 AAA", NO, "base64 padding"),
        case(CERT, "1 1 1 AAAA\nBBBB", NO, "no newline"),
        case(CERT, "1 1 1", NO, "four fields"),
    ]);
}

#[test]
fn naptr_records() {
    run(vec![
        case(
            NAPTR,
            "100 10 \"S\" \"SIP+D2U\" \"!^.*$!sip:info@example.org!\" _sip._udp.example.org.",
            OK,
            "quoted fields (transcript)",
        ),
        case(
            NAPTR,
            "100 10 \"\" \"\" \"\" example.org.",
            OK,
            "empty flags, service, regexp",
        ),
        case(
            NAPTR,
            "1 2 ap E2U+sip !^.*$!\\1!i example.org.",
            OK,
            "lower-case flags, case-insensitive regexp",
        ),
        case(
            NAPTR,
            "1 2 \" \" \" example.org.",
            OK,
            "quirk: a lone quote unquotes to empty",
        ),
        case(
            NAPTR,
            "1 2 X \"\" \"\" example.org.",
            NO,
            "flags only A, P, S, U",
        ),
        case(
            NAPTR,
            "1 2 S +sip \"\" example.org.",
            NO,
            "service starts with a letter",
        ),
        case(
            NAPTR,
            "1 2 S sip+ \"\" example.org.",
            NO,
            "service segment after +",
        ),
        case(
            NAPTR,
            "1 2 S 1sip \"\" example.org.",
            NO,
            "service starts with a letter",
        ),
        case(
            NAPTR,
            "1 2 S sip 1a1b1 example.org.",
            NO,
            "regexp delimiter not a digit",
        ),
        case(
            NAPTR,
            "1 2 S sip iaibi example.org.",
            NO,
            "regexp delimiter not i",
        ),
        case(
            NAPTR,
            "1 2 S sip !! example.org.",
            NO,
            "regexp needs three delimiters",
        ),
        case(
            NAPTR,
            "1 2 S sip !a!b!x example.org.",
            NO,
            "only i after the last delimiter",
        ),
        case(
            NAPTR,
            "1 2 S sip \"\" .",
            NO,
            "replacement is a domain name",
        ),
        case(NAPTR, "1 2 S sip \"\" example", NO, "replacement absolute"),
        case(
            NAPTR,
            "65536 2 S sip \"\" example.org.",
            NO,
            "order up to 65535",
        ),
        case(NAPTR, "1 2 S sip \"\"", NO, "exactly six fields"),
        case(
            NAPTR,
            format!("1 2 {} sip \"\" example.org.", "S".repeat(256)),
            NO,
            "flags at most 255",
        ),
    ]);
}

fn svcb_common(rtype: RecordType) -> Vec<Case> {
    let t = "svc.example.org.";
    vec![
        case(rtype, format!("1 {t} alpn=h2,h3"), OK, "alpn list"),
        case(rtype, format!("0 {t}"), OK, "alias form"),
        case(
            rtype,
            format!("1 {t} alpn=h2 no-default-alpn"),
            OK,
            "no-default-alpn with alpn",
        ),
        case(
            rtype,
            format!("1 {t} ipv4hint=192.0.2.1,192.0.2.2"),
            OK,
            "ipv4hint list",
        ),
        case(
            rtype,
            format!("1 {t} ipv6hint=2001:db8::1,::1"),
            OK,
            "ipv6hint list",
        ),
        case(rtype, format!("1 {t} port=443"), OK, "port digits"),
        case(
            rtype,
            format!("1 {t} port=65536"),
            OK,
            "quirk: port not range-checked",
        ),
        case(rtype, format!("1 {t} ech=AAAA"), OK, "ech base64"),
        case(rtype, format!("1 {t} ech=AA=="), OK, "ech with padding"),
        case(
            rtype,
            format!("1 {t} alpn=h2 mandatory=alpn"),
            OK,
            "mandatory keys present",
        ),
        case(
            rtype,
            format!("1 {t} foo=a=b"),
            OK,
            "quirk: several '=' drop the parameter",
        ),
        case(rtype, format!("+1 {t}"), OK, "quirk: Python int() priority"),
        case(
            rtype,
            format!("1 {t} alpn=h4"),
            NO,
            "alpn ids from h3, h2, h2c, http/1.1, http/1.0",
        ),
        case(
            rtype,
            format!("1 {t} no-default-alpn"),
            NO,
            "no-default-alpn requires alpn",
        ),
        case(rtype, format!("1 {t} alpn"), NO, "missing ="),
        case(rtype, format!("1 {t} foo=bar"), NO, "unknown key"),
        case(rtype, format!("1 {t} port=44a"), NO, "port digits only"),
        case(
            rtype,
            format!("1 {t} port=123456"),
            NO,
            "port field at most 10 characters",
        ),
        case(rtype, format!("1 {t} ech=AAA"), NO, "ech base64 padding"),
        case(
            rtype,
            format!("1 {t} ech=AA\\AA"),
            NO,
            "no backslash in ech",
        ),
        case(
            rtype,
            format!("1 {t} mandatory=port"),
            NO,
            "mandatory keys must be present",
        ),
        case(
            rtype,
            format!("1 {t} ipv4hint=192.0.2.01"),
            NO,
            "ipv4hint addresses",
        ),
        case(
            rtype,
            format!("1 {t} ipv6hint=::g"),
            NO,
            "ipv6hint addresses",
        ),
        case(rtype, format!("1 {t}  alpn=h2"), NO, "single spaces only"),
        case(rtype, "1 .", NO, "target is a domain name"),
        case(rtype, "1 svc.example.org", NO, "target absolute"),
        case(rtype, format!("65536 {t}"), NO, "priority up to 65535"),
        case(rtype, "1", NO, "priority and target"),
    ]
}

#[test]
fn svcb_records() {
    let t = "svc.example.org.";
    let mut cases = svcb_common(SVCB);
    cases.extend([
        case(
            SVCB,
            format!("1 {t} alpn=h2 dohpath=/dns-query{{?dns}}"),
            OK,
            "dohpath",
        ),
        case(
            SVCB,
            format!("1 {t} dohpath=/{{?dns}}"),
            OK,
            "dohpath of 7 characters",
        ),
        case(
            SVCB,
            format!("1 {t} dohpath=/dns-query"),
            NO,
            "dohpath contains {?dns}",
        ),
        case(
            SVCB,
            format!("1 {t} dohpath=dns{{?dns}}"),
            NO,
            "dohpath starts with /",
        ),
    ]);
    run(cases);
}

#[test]
fn https_records() {
    let mut cases = svcb_common(HTTPS);
    cases.push(case(
        HTTPS,
        "1 svc.example.org. dohpath=/dns-query{?dns}",
        NO,
        "no dohpath for HTTPS",
    ));
    run(cases);
}

#[test]
fn svcb_at_dns_names_needs_alpn_and_dohpath() {
    let owner = "_dns.resolver.example.";
    let t = "svc.example.org.";
    let check = |rtype, data: &str| validate_record(rtype, owner, data).is_ok();
    assert!(check(SVCB, &format!("1 {t} alpn=h2 dohpath=/q{{?dns}}")));
    assert!(
        check(SVCB, &format!("1 {t} alpn=h2c")),
        "no h2/h3: no dohpath needed"
    );
    assert!(!check(SVCB, &format!("1 {t} alpn=h2")), "h2 needs dohpath");
    assert!(
        !check(SVCB, &format!("1 {t} alpn=h3,h2c")),
        "h3 needs dohpath"
    );
    assert!(!check(SVCB, &format!("1 {t} port=53")), "alpn required");
    assert!(check(HTTPS, &format!("1 {t} port=53")), "rule is SVCB-only");
    assert!(validate_record(SVCB, "www.example.", &format!("1 {t} port=53")).is_ok());
}

#[test]
fn tlsa_records() {
    run(vec![
        case(TLSA, format!("3 1 1 {}", hex(64)), OK, "SHA-256 data"),
        case(TLSA, format!("2 0 2 {}", hex(128)), OK, "SHA-512 data"),
        case(
            TLSA,
            "3 0 0 30820122300d06092a864886f70d01010105000382010f003082010a",
            OK,
            "full data",
        ),
        case(
            TLSA,
            format!("3 1 1 ( {}\n {} )", hex(32), hex(32)),
            OK,
            "parentheses and any white space",
        ),
        case(TLSA, "0 0 0 00", OK, "minimal"),
        case(TLSA, "255 255 255 ab", OK, "fields up to 255"),
        case(
            TLSA,
            format!("+3 1 1 {}", hex(64)),
            OK,
            "quirk: Python int() fields",
        ),
        case(
            TLSA,
            format!("3 1 1 {}", hex(62)),
            NO,
            "matching type 1 needs 64 digits",
        ),
        case(
            TLSA,
            format!("3 1 2 {}", hex(64)),
            NO,
            "matching type 2 needs 128 digits",
        ),
        case(TLSA, "3 1 0 abc", NO, "even length"),
        case(TLSA, "3 1 0 zz", NO, "hex only"),
        case(TLSA, "256 0 0 00", NO, "usage up to 255"),
        case(TLSA, "0 256 0 00", NO, "selector up to 255"),
        case(TLSA, "0 0 256 00", NO, "matching type up to 255"),
        case(TLSA, "a 0 0 00", NO, "integers"),
        case(TLSA, "3 1 1", NO, "at least four fields"),
    ]);
}

#[test]
fn transcript_messages() {
    let err = validate_rdata(MX, "10 mail").unwrap_err();
    assert_eq!(err.api_message(), "'10 mail' is not a 'MX' Record");
    let err = validate_rdata(CAA, "0 issue \"letsencrypt.org\"").unwrap_err();
    assert_eq!(
        err.api_message(),
        "'0 issue \"letsencrypt.org\"' is not a 'CAA' Record"
    );
    let err = validate_rdata(A, "192.0.2.1 ").unwrap_err();
    assert_eq!(err.api_message(), "'192.0.2.1 ' is not a 'A' Record");
    assert_eq!(err.rtype(), A);
}

#[test]
fn owner_rules() {
    assert_eq!(
        validate_owner(NS, "*.example.com."),
        Err(OwnerError::NameIsInvalid),
        "NS: no wildcard"
    );
    assert!(validate_owner(NS, "sub.example.com.").is_ok());
    assert_eq!(
        validate_owner(SRV, "sip.golden-rdata.test."),
        Err(OwnerError::NameIsInvalid),
        "SRV owner name (transcript)"
    );
    assert!(validate_owner(SRV, "_sip._udp.golden-rdata.test.").is_ok());
    assert!(matches!(
        validate_owner(TLSA, "www.example.com."),
        Err(OwnerError::BadTlsaName(_))
    ));
    assert!(matches!(
        validate_owner(TLSA, "_70000._tcp.example.com."),
        Err(OwnerError::BadTlsaName(_))
    ));
    assert!(validate_owner(TLSA, "_443._tcp.www.example.com.").is_ok());
    assert!(
        validate_owner(A, "*.wild.golden-rrsets.test.").is_ok(),
        "wildcards elsewhere"
    );
    let err = validate_owner(A, "www.golden-errors.test").unwrap_err();
    assert_eq!(
        err.to_string(),
        "Host name www.golden-errors.test does not end with a dot"
    );
}

#[test]
fn primitive_grammars() {
    assert!(is_domain_name("example.com."));
    assert!(!is_domain_name("*.example.com."));
    assert!(is_host_name("*.example.com."));
    assert!(!is_host_name("a.*.example.com."));
    assert!(is_srv_owner_name("_sip._tcp.example.com."));
    assert!(!is_srv_owner_name("_sip._tcp."));
    assert!(is_tld_name("co.uk"));
    assert!(!is_tld_name("com."));
    assert!(is_email("first.last@example.org"));
    assert!(!is_email("first+last@example.org"));
    assert!(!is_email("a@b@c.org"));
    assert!(check_ttl(0, "ttl").is_ok());
    assert!(check_ttl(2_147_483_647, "ttl").is_ok());
    assert_eq!(
        check_ttl(-5, "ttl").unwrap_err().0,
        "Value must be >= 0 for field ttl"
    );
    assert_eq!(
        check_ttl(2_147_483_648, "ttl").unwrap_err().0,
        "Value too high for ttl"
    );
}
