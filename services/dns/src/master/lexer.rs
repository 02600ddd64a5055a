//! Tokenizer for master-file text (RFC 1035 §5.1), with the conventions
//! BIND and dnspython share: `;` comments, parentheses that join lines,
//! quoted strings, and backslash escapes kept undecoded in the token (a name
//! needs to tell `a\.b` from `a.b`, so decoding is up to the reader).
//!
//! The lexer never allocates and never recurses: nesting depth is a
//! counter, so hostile input costs time linear in its length.

use super::{Syntax, SyntaxResult};

/// One word of the input: a run of ordinary characters or a quoted string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token<'a> {
    /// The bytes, escapes undecoded; for a quoted string, without the quotes.
    pub raw: &'a [u8],
    /// Written as `"…"`.
    pub quoted: bool,
    /// Blank space (or a parenthesis) separates it from what came before.
    pub spaced: bool,
}

impl Token<'_> {
    /// An unquoted word equal to `word` (ASCII case-insensitive).
    pub(crate) fn is_word(&self, word: &str) -> bool {
        !self.quoted && self.raw.eq_ignore_ascii_case(word.as_bytes())
    }

    /// The raw bytes as text, for error messages.
    pub(crate) fn lossy(&self) -> String {
        String::from_utf8_lossy(self.raw).into_owned()
    }
}

/// What the lexer found next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lexeme<'a> {
    Word(Token<'a>),
    /// End of a logical line (a newline outside parentheses).
    Eol,
    /// End of the input.
    Eof,
}

/// Splits master-file text into [`Lexeme`]s.
pub(crate) struct Lexer<'a> {
    input: &'a [u8],
    pos: usize,
    depth: u32,
    line: usize,
}

impl<'a> Lexer<'a> {
    pub(crate) fn new(input: &'a str) -> Self {
        Lexer {
            input: input.as_bytes(),
            pos: 0,
            depth: 0,
            line: 1,
        }
    }

    /// The line number (1-based) of the next unread byte.
    pub(crate) fn line(&self) -> usize {
        self.line
    }

    /// At the start of a line: does it begin with blank space? (An owner
    /// field left blank repeats the previous owner.)
    pub(crate) fn line_starts_blank(&self) -> bool {
        matches!(self.input.get(self.pos), Some(b' ' | b'\t'))
    }

    /// Reads the next lexeme.
    pub(crate) fn next_lexeme(&mut self) -> SyntaxResult<Lexeme<'a>> {
        let mut spaced = false;
        loop {
            let Some(&byte) = self.input.get(self.pos) else {
                if self.depth > 0 {
                    return Err(Syntax::new("end of input inside parentheses"));
                }
                return Ok(Lexeme::Eof);
            };
            match byte {
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'\n' => {
                    self.pos += 1;
                    self.line += 1;
                    if self.depth == 0 {
                        return Ok(Lexeme::Eol);
                    }
                }
                b';' => self.skip_comment(),
                b'(' => {
                    self.depth = self.depth.saturating_add(1);
                    self.pos += 1;
                }
                b')' => {
                    if self.depth == 0 {
                        return Err(Syntax::new("unbalanced ')'"));
                    }
                    self.depth -= 1;
                    self.pos += 1;
                }
                b'"' => return self.quoted(spaced).map(Lexeme::Word),
                _ => return self.word(spaced).map(Lexeme::Word),
            }
            spaced = true;
        }
    }

    /// Skips everything up to the end of the logical line (used to step
    /// over a record that is ignored).
    pub(crate) fn skip_line(&mut self) -> SyntaxResult<()> {
        loop {
            match self.next_lexeme()? {
                Lexeme::Word(_) => {}
                Lexeme::Eol | Lexeme::Eof => return Ok(()),
            }
        }
    }

    fn skip_comment(&mut self) {
        let rest = &self.input[self.pos..];
        self.pos += rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
    }

    fn word(&mut self, spaced: bool) -> SyntaxResult<Token<'a>> {
        let start = self.pos;
        while let Some(&byte) = self.input.get(self.pos) {
            match byte {
                b' ' | b'\t' | b'\r' | b'\n' | b';' | b'(' | b')' | b'"' => break,
                b'\\' => self.skip_escaped()?,
                _ => self.pos += 1,
            }
        }
        Ok(Token {
            raw: &self.input[start..self.pos],
            quoted: false,
            spaced,
        })
    }

    fn quoted(&mut self, spaced: bool) -> SyntaxResult<Token<'a>> {
        self.pos += 1;
        let start = self.pos;
        loop {
            match self.input.get(self.pos) {
                None => return Err(Syntax::new("end of input inside a quoted string")),
                Some(b'"') => break,
                Some(b'\n') => return Err(Syntax::new("newline in a quoted string")),
                Some(b'\\') => self.skip_escaped()?,
                Some(_) => self.pos += 1,
            }
        }
        let raw = &self.input[start..self.pos];
        self.pos += 1;
        Ok(Token {
            raw,
            quoted: true,
            spaced,
        })
    }

    /// Steps over a backslash and the byte it escapes.
    fn skip_escaped(&mut self) -> SyntaxResult<()> {
        match self.input.get(self.pos + 1) {
            None => Err(Syntax::new("escape at end of input")),
            Some(escaped) => {
                if *escaped == b'\n' {
                    self.line += 1;
                }
                self.pos += 2;
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex(text: &str) -> Result<Vec<String>, Syntax> {
        let mut lexer = Lexer::new(text);
        let mut out = Vec::new();
        loop {
            match lexer.next_lexeme()? {
                Lexeme::Eof => return Ok(out),
                Lexeme::Eol => out.push("<eol>".to_owned()),
                Lexeme::Word(t) => {
                    let q = if t.quoted { "q:" } else { "" };
                    out.push(format!("{q}{}", t.lossy()));
                }
            }
        }
    }

    #[test]
    fn words_comments_and_lines() {
        assert_eq!(
            lex("www 300 IN A 192.0.2.1 ; comment\n\n").unwrap(),
            ["www", "300", "IN", "A", "192.0.2.1", "<eol>", "<eol>"]
        );
    }

    #[test]
    fn parentheses_join_lines() {
        assert_eq!(
            lex("@ SOA a. b. ( 1 ; serial\n 2 3 )\nx").unwrap(),
            ["@", "SOA", "a.", "b.", "1", "2", "3", "<eol>", "x"]
        );
        assert!(lex("a ( b").is_err());
        assert!(lex("a ) b").is_err());
    }

    #[test]
    fn quoted_strings_and_escapes() {
        assert_eq!(
            lex(r#"TXT "a b;c" x\ y "q\"q""#).unwrap(),
            ["TXT", "q:a b;c", r"x\ y", r#"q:q\"q"#]
        );
        assert!(lex("\"open").is_err());
        assert!(lex("\"new\nline\"").is_err());
        assert!(lex("a\\").is_err());
    }

    #[test]
    fn a_quote_ends_a_word_and_spacing_is_recorded() {
        let mut lexer = Lexer::new("alpn=\"h2\" x");
        let Lexeme::Word(first) = lexer.next_lexeme().unwrap() else {
            panic!("word expected")
        };
        let Lexeme::Word(second) = lexer.next_lexeme().unwrap() else {
            panic!("word expected")
        };
        let Lexeme::Word(third) = lexer.next_lexeme().unwrap() else {
            panic!("word expected")
        };
        assert_eq!(first.raw, b"alpn=");
        assert!(second.quoted && !second.spaced);
        assert!(third.spaced);
    }

    #[test]
    fn carriage_returns_are_blank() {
        assert_eq!(lex("a\r\nb").unwrap(), ["a", "<eol>", "b"]);
    }
}
