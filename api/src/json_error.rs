//! The `invalid_json` message in Python's words.
//!
//! Designate reports a body that does not parse with the message of Python's
//! `json` module, e.g. `Expecting property name enclosed in double quotes:
//! line 1 column 35 (char 34)` (transcripts/errors.md). serde_json stops at
//! the same places; this module turns its error into Python's phrase and
//! `line/column/char` position (column 1-based, char a 0-based code-point index).

use serde_json::error::Category;

/// Python's `JSONDecodeError` text for a serde_json parse error of `input`.
pub fn python_message(err: &serde_json::Error, input: &[u8]) -> String {
    let text = String::from_utf8_lossy(input);
    let (phrase, pos) = match err.classify() {
        Category::Eof => at_end(&text),
        _ => {
            // serde's column is 1-based at the offending byte.
            let pos = floor_boundary(
                &text,
                (line_offset(&text, err.line()) + err.column()).saturating_sub(1),
            );
            syntax(&err.to_string(), &text, pos)
        }
    };
    let before = &text[..floor_boundary(&text, pos)];
    let char_pos = before.chars().count();
    let line = before.matches('\n').count() + 1;
    let column = match before.rfind('\n') {
        Some(nl) => before[nl + 1..].chars().count() + 1,
        None => char_pos + 1,
    };
    format!("{phrase}: line {line} column {column} (char {char_pos})")
}

/// The phrase for an error in the middle of the input, at byte `pos`.
fn syntax(description: &str, text: &str, pos: usize) -> (&'static str, usize) {
    let has = |s: &str| description.starts_with(s);
    let phrase = if has("expected `:`") {
        "Expecting ':' delimiter"
    } else if has("expected `,`") {
        "Expecting ',' delimiter"
    } else if has("key must be a string") {
        "Expecting property name enclosed in double quotes"
    } else if has("trailing characters") {
        "Extra data"
    } else if has("invalid escape") {
        "Invalid \\escape"
    } else if has("control character") {
        "Invalid control character at"
    } else if has("trailing comma") && text[pos..].starts_with('}') {
        "Expecting property name enclosed in double quotes"
    } else if has("expected ident") {
        // Python points at the start of the misspelt literal (`tru`).
        let start = text[..pos]
            .trim_end_matches(|c: char| c.is_ascii_alphabetic())
            .len();
        return ("Expecting value", start);
    } else {
        "Expecting value"
    };
    (phrase, pos)
}

/// The phrase for input that ends too early: what Python expected next.
fn at_end(text: &str) -> (&'static str, usize) {
    let scan = Scan::of(text);
    if let Some(start) = scan.open_string {
        return ("Unterminated string starting at", start);
    }
    let last = text.trim_end().chars().last();
    let in_object = scan.containers.last() == Some(&'{');
    let phrase = match last {
        None | Some('[' | ':') => "Expecting value",
        Some('{') => "Expecting property name enclosed in double quotes",
        Some(',') if in_object => "Expecting property name enclosed in double quotes",
        Some(',') => "Expecting value",
        Some('"') if in_object && scan.last_string_is_key => "Expecting ':' delimiter",
        _ => "Expecting ',' delimiter",
    };
    (phrase, text.len())
}

/// The structure of a truncated document: open containers and strings.
struct Scan {
    containers: Vec<char>,
    open_string: Option<usize>,
    last_string_is_key: bool,
}

impl Scan {
    fn of(text: &str) -> Scan {
        let mut scan = Scan {
            containers: Vec::new(),
            open_string: None,
            last_string_is_key: false,
        };
        let mut escaped = false;
        for (i, c) in text.char_indices() {
            if scan.open_string.is_some() {
                match (escaped, c) {
                    (true, _) => escaped = false,
                    (false, '\\') => escaped = true,
                    (false, '"') => scan.open_string = None,
                    _ => {}
                }
                continue;
            }
            match c {
                '{' | '[' => scan.containers.push(c),
                '}' | ']' => {
                    scan.containers.pop();
                }
                '"' => {
                    scan.open_string = Some(i);
                    let before = text[..i].trim_end().chars().last();
                    scan.last_string_is_key =
                        scan.containers.last() == Some(&'{') && matches!(before, Some('{' | ','));
                }
                _ => {}
            }
        }
        scan
    }
}

/// Byte offset where 1-based `line` starts.
fn line_offset(text: &str, line: usize) -> usize {
    if line <= 1 {
        return 0;
    }
    text.match_indices('\n')
        .nth(line - 2)
        .map_or(text.len(), |(i, _)| i + 1)
}

fn floor_boundary(text: &str, mut pos: usize) -> usize {
    pos = pos.min(text.len());
    while !text.is_char_boundary(pos) {
        pos -= 1;
    }
    pos
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(input: &str) -> String {
        let err = serde_json::from_str::<serde_json::Value>(input).expect_err("invalid");
        python_message(&err, input.as_bytes())
    }

    #[test]
    fn matches_python_for_common_mistakes() {
        let cases = [
            (
                r#"{"name": "golden-errors-2.test.", "#,
                "Expecting property name enclosed in double quotes: line 1 column 35 (char 34)",
            ),
            (
                r#"{"a" 1}"#,
                "Expecting ':' delimiter: line 1 column 6 (char 5)",
            ),
            (
                r#"{"a": 1 "b": 2}"#,
                "Expecting ',' delimiter: line 1 column 9 (char 8)",
            ),
            ("{} x", "Extra data: line 1 column 4 (char 3)"),
            (" ", "Expecting value: line 1 column 2 (char 1)"),
            (
                "{\n\"a\": tru}",
                "Expecting value: line 2 column 6 (char 7)",
            ),
            (
                r#"{"a": "b"#,
                "Unterminated string starting at: line 1 column 7 (char 6)",
            ),
            (
                r#"{"a""#,
                "Expecting ':' delimiter: line 1 column 5 (char 4)",
            ),
            (
                r#"{"a": 1,}"#,
                "Expecting property name enclosed in double quotes: line 1 column 9 (char 8)",
            ),
            ("[1,]", "Expecting value: line 1 column 4 (char 3)"),
            ("[1", "Expecting ',' delimiter: line 1 column 3 (char 2)"),
            (r#"{"a":"#, "Expecting value: line 1 column 6 (char 5)"),
        ];
        for (input, python) in cases {
            assert_eq!(message(input), python, "input {input:?}");
        }
    }
}
