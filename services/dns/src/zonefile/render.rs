//! Zone export rendering (domain-rules §11.2), written record by record so
//! a zone of any size streams out without being held in memory.

use std::io::{self, Write};

use crate::rtype::RecordType;

/// Writes the export format:
///
/// ```text
/// $ORIGIN <zone name>
/// $TTL <zone ttl>
///
/// <name> <ttl or empty> IN <type> <data>
/// ```
///
/// one line per record, data verbatim as stored, a null TTL leaving the
/// field empty (two consecutive spaces), every line ending in a newline,
/// and two empty lines at the end (Designate's template ends that way; the
/// captured export's `Content-Length` counts them). Call
/// [`ZoneFileWriter::finish`] to write them. Wrap unbuffered writers (sockets, files) in a [`std::io::BufWriter`];
/// the writer issues several small writes per record.
pub struct ZoneFileWriter<W: Write> {
    out: W,
}

impl<W: Write> ZoneFileWriter<W> {
    /// Starts the file: writes the `$ORIGIN` and `$TTL` lines and the blank
    /// line after them.
    pub fn new(mut out: W, origin: &str, ttl: u32) -> io::Result<Self> {
        write!(out, "$ORIGIN {origin}\n$TTL {ttl}\n\n")?;
        Ok(ZoneFileWriter { out })
    }

    /// Writes one record line.
    pub fn write_record(
        &mut self,
        name: &str,
        ttl: Option<u32>,
        rtype: RecordType,
        data: &str,
    ) -> io::Result<()> {
        self.out.write_all(name.as_bytes())?;
        self.out.write_all(b" ")?;
        if let Some(ttl) = ttl {
            write_decimal(&mut self.out, ttl)?;
        }
        self.out.write_all(b" IN ")?;
        self.out.write_all(rtype.as_str().as_bytes())?;
        self.out.write_all(b" ")?;
        self.out.write_all(data.as_bytes())?;
        self.out.write_all(b"\n")
    }

    /// Ends the file (two empty lines), flushes and returns the writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.write_all(b"\n\n")?;
        self.out.flush()?;
        Ok(self.out)
    }
}

/// Writes `value` in decimal without going through `fmt`.
fn write_decimal(out: &mut impl Write, mut value: u32) -> io::Result<()> {
    let mut buf = [0u8; 10];
    let mut pos = buf.len();
    loop {
        pos -= 1;
        buf[pos] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    out.write_all(&buf[pos..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_golden_export_byte_for_byte() {
        let mut writer = ZoneFileWriter::new(Vec::new(), "golden-export.test.", 3600).unwrap();
        let rows = [
            (
                "txt.golden-export.test.",
                None,
                RecordType::TXT,
                "\"hello world\"",
            ),
            (
                "www.golden-export.test.",
                Some(300),
                RecordType::A,
                "192.0.2.10",
            ),
            (
                "www.golden-export.test.",
                Some(300),
                RecordType::A,
                "192.0.2.11",
            ),
            (
                "golden-export.test.",
                None,
                RecordType::MX,
                "10 mail.golden-export.test.",
            ),
            (
                "golden-export.test.",
                None,
                RecordType::NS,
                "ns1.anchor.test.",
            ),
            (
                "golden-export.test.",
                None,
                RecordType::SOA,
                "ns1.anchor.test. hostmaster.golden-export.test. 1795299448 3548 600 86400 3600",
            ),
        ];
        for (name, ttl, rtype, data) in rows {
            writer.write_record(name, ttl, rtype, data).unwrap();
        }
        let text = String::from_utf8(writer.finish().unwrap()).unwrap();
        let expected = "$ORIGIN golden-export.test.\n$TTL 3600\n\n\
            txt.golden-export.test.  IN TXT \"hello world\"\n\
            www.golden-export.test. 300 IN A 192.0.2.10\n\
            www.golden-export.test. 300 IN A 192.0.2.11\n\
            golden-export.test.  IN MX 10 mail.golden-export.test.\n\
            golden-export.test.  IN NS ns1.anchor.test.\n\
            golden-export.test.  IN SOA ns1.anchor.test. hostmaster.golden-export.test. 1795299448 3548 600 86400 3600\n\n\n";
        assert_eq!(text, expected);
        assert_eq!(text.len(), 381, "Content-Length of the captured export");
    }

    #[test]
    fn decimal_writer() {
        for value in [0, 7, 10, 4_294_967_295] {
            let mut out = Vec::new();
            write_decimal(&mut out, value).unwrap();
            assert_eq!(out, value.to_string().into_bytes());
        }
    }
}
