//! Record data between presentation text and wire form, one codec per
//! type, following BIND's reading and printing rules (RFC 1035 §5 and the
//! type's RFC). The presentation form printed here is the *canonical* text
//! of a record: what `named-compilezone` prints for it (hex and base64
//! fields unsplit).

mod basic;
mod keys;
mod strings;
mod svcb;

use crate::master::dname::{self, Name};
use crate::master::encoding;
use crate::master::lexer::{Lexeme, Lexer, Token};
use crate::master::number::parse_decimal;
use crate::master::{Syntax, SyntaxResult};
use crate::rtype::RecordType;

/// Longest RDATA on the wire (RDLENGTH is 16 bits).
pub(crate) const MAX_RDATA: usize = 65535;

/// Reads the words of one record's data from a lexer.
pub(crate) struct Reader<'l, 'a> {
    lexer: &'l mut Lexer<'a>,
    peeked: Option<Lexeme<'a>>,
    origin: Option<&'l Name>,
}

impl<'l, 'a> Reader<'l, 'a> {
    pub(crate) fn new(lexer: &'l mut Lexer<'a>, origin: Option<&'l Name>) -> Self {
        Reader {
            lexer,
            peeked: None,
            origin,
        }
    }

    fn peek(&mut self) -> SyntaxResult<Lexeme<'a>> {
        if let Some(lexeme) = self.peeked {
            return Ok(lexeme);
        }
        let lexeme = self.lexer.next_lexeme()?;
        self.peeked = Some(lexeme);
        Ok(lexeme)
    }

    /// The next word of the data; the line must not have ended.
    pub(crate) fn word(&mut self) -> SyntaxResult<Token<'a>> {
        match self.peek()? {
            Lexeme::Word(token) => {
                self.peeked = None;
                Ok(token)
            }
            Lexeme::Eol | Lexeme::Eof => Err(Syntax::new("unexpected end of record data")),
        }
    }

    /// The next word, which must not be quoted.
    pub(crate) fn bare_word(&mut self) -> SyntaxResult<Token<'a>> {
        let token = self.word()?;
        if token.quoted {
            return Err(Syntax::owned(format!(
                "unexpected quoted string \"{}\"",
                token.lossy()
            )));
        }
        Ok(token)
    }

    /// The next word if it is a quoted string written right after the
    /// previous one (as in `alpn="h2,h3"`).
    pub(crate) fn adjacent_quoted(&mut self) -> SyntaxResult<Option<Token<'a>>> {
        match self.peek()? {
            Lexeme::Word(token) if token.quoted && !token.spaced => {
                self.peeked = None;
                Ok(Some(token))
            }
            _ => Ok(None),
        }
    }

    /// Has the record data ended (end of line or input)?
    pub(crate) fn at_end(&mut self) -> SyntaxResult<bool> {
        Ok(!matches!(self.peek()?, Lexeme::Word(_)))
    }

    /// All remaining words of the data.
    pub(crate) fn rest(&mut self) -> SyntaxResult<Vec<Token<'a>>> {
        let mut words = Vec::new();
        while !self.at_end()? {
            words.push(self.word()?);
        }
        Ok(words)
    }

    /// Consumes the end of the record's line; more words are an error.
    pub(crate) fn finish(&mut self) -> SyntaxResult<()> {
        match self.peek()? {
            Lexeme::Word(token) => Err(Syntax::owned(format!(
                "unexpected text after the record data: {}",
                token.lossy()
            ))),
            Lexeme::Eol | Lexeme::Eof => {
                self.peeked = None;
                Ok(())
            }
        }
    }

    /// An unsigned decimal field of at most `max`.
    pub(crate) fn number(&mut self, max: u64) -> SyntaxResult<u64> {
        let token = self.bare_word()?;
        parse_decimal(token.raw, max)
            .ok_or_else(|| Syntax::owned(format!("bad number {} (0-{max})", token.lossy())))
    }

    pub(crate) fn u8_into(&mut self, out: &mut Vec<u8>) -> SyntaxResult<()> {
        out.push(self.number(u64::from(u8::MAX))? as u8);
        Ok(())
    }

    pub(crate) fn u16_into(&mut self, out: &mut Vec<u8>) -> SyntaxResult<()> {
        out.extend_from_slice(&(self.number(u64::from(u16::MAX))? as u16).to_be_bytes());
        Ok(())
    }

    /// A domain name field, relative names completed with the origin.
    pub(crate) fn name_into(&mut self, out: &mut Vec<u8>) -> SyntaxResult<()> {
        let token = self.bare_word()?;
        dname::parse_into(token.raw, self.origin, out)
    }
}

/// Bounds-checked reading of wire RDATA.
pub(crate) struct Wire<'b> {
    buf: &'b [u8],
    pos: usize,
}

impl<'b> Wire<'b> {
    pub(crate) fn new(buf: &'b [u8]) -> Self {
        Wire { buf, pos: 0 }
    }

    pub(crate) fn bytes(&mut self, n: usize) -> SyntaxResult<&'b [u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.buf.len());
        let end = end.ok_or_else(|| Syntax::new("truncated record data"))?;
        let slice = &self.buf[self.pos..end];
        self.pos = end;
        Ok(slice)
    }

    pub(crate) fn u8(&mut self) -> SyntaxResult<u8> {
        Ok(self.bytes(1)?[0])
    }

    pub(crate) fn u16(&mut self) -> SyntaxResult<u16> {
        let b = self.bytes(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    pub(crate) fn u32(&mut self) -> SyntaxResult<u32> {
        let b = self.bytes(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// An uncompressed name, printed to `out`.
    pub(crate) fn name_text(&mut self, out: &mut String) -> SyntaxResult<()> {
        let (name, _) = dname::split_name(&self.buf[self.pos..])?;
        self.pos += name.len();
        dname::write_text(name, out);
        Ok(())
    }

    /// A length-prefixed character string.
    pub(crate) fn char_string(&mut self) -> SyntaxResult<&'b [u8]> {
        let len = usize::from(self.u8()?);
        self.bytes(len)
    }

    pub(crate) fn rest(&mut self) -> &'b [u8] {
        let slice = &self.buf[self.pos..];
        self.pos = self.buf.len();
        slice
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.pos >= self.buf.len()
    }

    /// Fails unless every byte was read.
    pub(crate) fn done(&self) -> SyntaxResult<()> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(Syntax::new("trailing bytes in record data"))
        }
    }
}

/// Reads the data of one `rtype` record from `reader` into wire form,
/// including RFC 3597 generic data (`\# <length> <hex>`). The caller checks
/// that the line ends there.
pub(crate) fn parse(
    rtype: RecordType,
    reader: &mut Reader<'_, '_>,
    out: &mut Vec<u8>,
) -> SyntaxResult<()> {
    let start = out.len();
    if let Lexeme::Word(token) = reader.peek()?
        && !token.quoted
        && token.raw == b"\\#"
    {
        reader.word()?;
        parse_generic(reader, out)?;
        check_generic(rtype, &out[start..])?;
    } else {
        parse_typed(rtype, reader, out)?;
    }
    if out.len() - start > MAX_RDATA {
        return Err(Syntax::new("record data longer than 65535 octets"));
    }
    Ok(())
}

/// Generic data must be data the type's own syntax could have produced:
/// printed and read back, it must give the same bytes (so every rule of
/// the typed reader applies to it too).
fn check_generic(rtype: RecordType, wire: &[u8]) -> SyntaxResult<()> {
    let mut text = String::new();
    format(rtype, wire, &mut text)?;
    let mut lexer = Lexer::new(&text);
    let mut reader = Reader::new(&mut lexer, None);
    let mut again = Vec::with_capacity(wire.len());
    parse_typed(rtype, &mut reader, &mut again)?;
    reader.finish()?;
    if again != wire {
        return Err(Syntax::new(
            "generic data is not canonical data of its type",
        ));
    }
    Ok(())
}

/// `\# <length> <hex…>` (RFC 3597 §5).
fn parse_generic(reader: &mut Reader<'_, '_>, out: &mut Vec<u8>) -> SyntaxResult<()> {
    let length = reader.number(MAX_RDATA as u64)? as usize;
    let start = out.len();
    let words = reader.rest()?;
    encoding::hex_into(words.iter().map(|t| t.raw), out)?;
    if out.len() - start != length {
        return Err(Syntax::new("generic data length does not match"));
    }
    Ok(())
}

fn parse_typed(rtype: RecordType, r: &mut Reader<'_, '_>, out: &mut Vec<u8>) -> SyntaxResult<()> {
    match rtype {
        RecordType::A => basic::parse_a(r, out),
        RecordType::AAAA => basic::parse_aaaa(r, out),
        RecordType::CNAME | RecordType::NS | RecordType::PTR => r.name_into(out),
        RecordType::MX => basic::parse_mx(r, out),
        RecordType::SRV => basic::parse_srv(r, out),
        RecordType::SOA => basic::parse_soa(r, out),
        RecordType::TXT | RecordType::SPF => strings::parse_txt(r, out),
        RecordType::CAA => strings::parse_caa(r, out),
        RecordType::NAPTR => strings::parse_naptr(r, out),
        RecordType::SSHFP => keys::parse_sshfp(r, out),
        RecordType::TLSA => keys::parse_tlsa(r, out),
        RecordType::CERT => keys::parse_cert(r, out),
        RecordType::SVCB | RecordType::HTTPS => svcb::parse(r, out),
    }
}

/// Appends the presentation form of wire RDATA of `rtype` to `out`.
pub(crate) fn format(rtype: RecordType, wire: &[u8], out: &mut String) -> SyntaxResult<()> {
    let mut w = Wire::new(wire);
    match rtype {
        RecordType::A => basic::format_a(&mut w, out)?,
        RecordType::AAAA => basic::format_aaaa(&mut w, out)?,
        RecordType::CNAME | RecordType::NS | RecordType::PTR => w.name_text(out)?,
        RecordType::MX => basic::format_mx(&mut w, out)?,
        RecordType::SRV => basic::format_srv(&mut w, out)?,
        RecordType::SOA => basic::format_soa(&mut w, out)?,
        RecordType::TXT | RecordType::SPF => strings::format_txt(&mut w, out)?,
        RecordType::CAA => strings::format_caa(&mut w, out)?,
        RecordType::NAPTR => strings::format_naptr(&mut w, out)?,
        RecordType::SSHFP => keys::format_sshfp(&mut w, out)?,
        RecordType::TLSA => keys::format_tlsa(&mut w, out)?,
        RecordType::CERT => keys::format_cert(&mut w, out)?,
        RecordType::SVCB | RecordType::HTTPS => svcb::format(&mut w, out)?,
    }
    w.done()
}

/// RFC 3597 generic presentation of any RDATA: `\# <length> <hex>`.
pub(crate) fn format_generic(wire: &[u8]) -> String {
    let mut out = format!("\\# {}", wire.len());
    if !wire.is_empty() {
        out.push(' ');
        encoding::push_hex_upper(wire, &mut out);
    }
    out
}
