//! The INI dialect of oslo.config (`oslo_config/iniparser.py`), which every
//! designate.conf is written in. Hand-written rather than rust-ini because
//! error messages need the line of each value and multi-valued options need
//! every repetition of a key, in order.
//!
//! Rules, as oslo.config applies them:
//! * `[section]` starts a section; `#` or `;` in the first column starts a comment;
//!   there are no trailing comments (`a = b # c` has the value `b # c`).
//! * `key = value` or `key: value`, split at whichever of `=` and `:` comes
//!   first; key and value are trimmed; one pair of matching quotes around the
//!   whole value is removed.
//! * A line starting with a space or tab continues the previous value (joined
//!   with a newline); a blank line ends it.

/// One `key = value` assignment, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub section: String,
    pub key: String,
    pub value: String,
    /// 1-based line of the key.
    pub line: usize,
}

/// A syntax error: 1-based line and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub line: usize,
    pub message: String,
}

/// Parses a whole file into its assignments.
pub(crate) fn parse(text: &str) -> Result<Vec<Entry>, SyntaxError> {
    let mut parser = Parser::default();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (index, line) in text.lines().enumerate() {
        parser.line(index + 1, line.trim_end())?;
    }
    parser.flush();
    Ok(parser.entries)
}

#[derive(Default)]
struct Parser {
    section: Option<String>,
    pending: Option<Entry>,
    entries: Vec<Entry>,
}

impl Parser {
    fn line(&mut self, number: usize, line: &str) -> Result<(), SyntaxError> {
        let error = |message: &str| SyntaxError {
            line: number,
            message: message.to_owned(),
        };
        if line.is_empty() {
            self.flush();
        } else if line.starts_with([' ', '\t']) {
            let Some(pending) = self.pending.as_mut() else {
                return Err(error("continuation line without an option before it"));
            };
            pending.value.push('\n');
            pending.value.push_str(line.trim_start());
        } else {
            self.flush();
            if line.starts_with('[') {
                self.section = Some(section_name(line).map_err(error)?);
            } else if !line.starts_with(['#', ';']) {
                let (key, value) = split_assignment(line).map_err(error)?;
                let Some(section) = self.section.clone() else {
                    return Err(error("option outside any [section]"));
                };
                self.pending = Some(Entry {
                    section,
                    key,
                    value,
                    line: number,
                });
            }
        }
        Ok(())
    }

    fn flush(&mut self) {
        if let Some(entry) = self.pending.take() {
            self.entries.push(entry);
        }
    }
}

fn section_name(line: &str) -> Result<String, &'static str> {
    let Some(inner) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) else {
        return Err("section header without a closing ']'");
    };
    let name = inner.trim();
    if name.is_empty() {
        return Err("empty section name");
    }
    Ok(name.to_owned())
}

fn split_assignment(line: &str) -> Result<(String, String), &'static str> {
    let Some(at) = line.find(['=', ':']) else {
        return Err("expected 'option = value'");
    };
    let key = line[..at].trim();
    if key.is_empty() {
        return Err("empty option name");
    }
    Ok((key.to_owned(), unquote(line[at + 1..].trim()).to_owned()))
}

fn unquote(value: &str) -> &str {
    for quote in ['"', '\''] {
        if value.len() >= 2 && value.starts_with(quote) && value.ends_with(quote) {
            return &value[1..value.len() - 1];
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(section: &str, key: &str, value: &str, line: usize) -> Entry {
        Entry {
            section: section.into(),
            key: key.into(),
            value: value.into(),
            line,
        }
    }

    #[test]
    fn parses_sections_keys_comments_and_quotes() {
        let text = "# comment\n[DEFAULT]\nhost = a\n; other\n[service:api]\nlisten: 0.0.0.0:9001\nx = \"quoted\"\ny = b # not a comment\n";
        assert_eq!(
            parse(text).unwrap(),
            vec![
                entry("DEFAULT", "host", "a", 3),
                entry("service:api", "listen", "0.0.0.0:9001", 6),
                entry("service:api", "x", "quoted", 7),
                entry("service:api", "y", "b # not a comment", 8),
            ]
        );
    }

    #[test]
    fn equals_before_colon_splits_at_equals() {
        let entries = parse("[DEFAULT]\ntransport_url = rabbit://u:p@h:5672/\n").unwrap();
        assert_eq!(entries[0].value, "rabbit://u:p@h:5672/");
    }

    #[test]
    fn continuation_lines_join_with_newline_until_blank_line() {
        let entries = parse("[s]\na = one\n  two\n\tthree\n\nb = x\n").unwrap();
        assert_eq!(entries[0], entry("s", "a", "one\ntwo\nthree", 2));
        assert_eq!(entries[1], entry("s", "b", "x", 6));
    }

    #[test]
    fn repeated_keys_are_all_kept() {
        let entries = parse("[s]\nf = 1\nf = 2\n").unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[1].value, "2");
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let cases = [
            ("host = a\n", 1, "option outside any [section]"),
            ("[DEFAULT\n", 1, "section header without a closing ']'"),
            ("[]\n", 1, "empty section name"),
            ("[s]\njust words\n", 2, "expected 'option = value'"),
            (
                "[s]\n = v\n",
                2,
                "continuation line without an option before it",
            ),
            ("[s]\n\n= v\n", 3, "empty option name"),
        ];
        for (text, line, message) in cases {
            assert_eq!(
                parse(text),
                Err(SyntaxError {
                    line,
                    message: message.into()
                }),
                "{text:?}"
            );
        }
    }

    #[test]
    fn crlf_and_bom_are_tolerated() {
        let entries = parse("\u{feff}[s]\r\na = 1\r\n").unwrap();
        assert_eq!(entries, vec![entry("s", "a", "1", 2)]);
    }
}
