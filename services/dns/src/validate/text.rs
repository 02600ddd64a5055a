//! TXT (domain-rules §4.1) and SPF grammars.

use std::borrow::Cow;

use super::{Check, ensure};
use crate::pycompat::is_space;

/// Longest single string, quotes included.
const MAX_STRING_CHARS: usize = 255;

/// TXT: no trailing backslash; values over 255 characters must be several
/// quoted strings (`"…" "…"`), each checked on its own.
pub(super) fn txt(data: &str) -> Check {
    ensure(!data.ends_with('\\'), "ends with a backslash")?;
    if data.chars().count() <= MAX_STRING_CHARS {
        return single_string(data);
    }
    let stripped = data.trim_matches('"');
    if !is_wrapped(data) && !stripped.contains("\" \"") {
        return Err(Cow::Borrowed(
            "over 255 characters and not split into quoted strings",
        ));
    }
    stripped
        .split("\" \"")
        .try_for_each(|piece| single_string(&format!("\"{piece}\"")))
}

/// One TXT string: at most 255 characters, no newline, quoted on both
/// sides or neither; unquoted without white space, quoted with every
/// inner `"` escaped.
fn single_string(value: &str) -> Check {
    ensure(
        value.chars().count() <= MAX_STRING_CHARS,
        "string over 255 characters",
    )?;
    ensure(!value.contains('\n'), "newline in the value")?;
    ensure(
        value.starts_with('"') == value.ends_with('"'),
        "quote at one end only",
    )?;
    if is_wrapped(value) {
        inner_quotes_escaped(value)
    } else {
        ensure(!value.chars().any(is_space), "white space outside quotes")
    }
}

/// SPF: no newline; unquoted values without white space, quoted values
/// (a quote at either end) with every inner `"` escaped.
pub(super) fn spf(data: &str) -> Check {
    ensure(!data.contains('\n'), "newline in the value")?;
    if !data.starts_with('"') && !data.ends_with('"') {
        ensure(!data.chars().any(is_space), "white space outside quotes")
    } else {
        inner_quotes_escaped(data)
    }
}

/// Python's `value.startswith('"') and value.endswith('"')` (true for a
/// lone `"`, a quirk Delegate keeps).
fn is_wrapped(value: &str) -> bool {
    value.starts_with('"') && value.ends_with('"')
}

/// After stripping all outer quotes, every `"` follows a backslash.
fn inner_quotes_escaped(value: &str) -> Check {
    let inner = value.trim_matches('"');
    let mut previous = None;
    for c in inner.chars() {
        if c == '"' && previous != Some('\\') {
            return Err(Cow::Borrowed("unescaped quote inside the value"));
        }
        previous = Some(c);
    }
    Ok(())
}
