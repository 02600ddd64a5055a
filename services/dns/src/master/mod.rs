//! Master-file (zone-file) presentation syntax, RFC 1035 §5.1: the lexer,
//! domain names, character strings and the number/hex/base64 fields that
//! record data are written with.
//!
//! Both the zone-file parser and the conversion of stored record text to
//! wire form read text through this module, so a record means the same
//! thing whether it arrives in an imported zone file or through the API.

pub(crate) mod dname;
pub(crate) mod encoding;
pub(crate) mod lexer;
pub(crate) mod number;
pub(crate) mod text;

use std::borrow::Cow;

/// Why a piece of presentation text could not be read; the reason is for
/// logs and error details, never matched on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Syntax(pub Cow<'static, str>);

impl Syntax {
    pub(crate) fn new(reason: &'static str) -> Self {
        Syntax(Cow::Borrowed(reason))
    }

    pub(crate) fn owned(reason: String) -> Self {
        Syntax(Cow::Owned(reason))
    }
}

impl std::fmt::Display for Syntax {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Shorthand for results of this module.
pub(crate) type SyntaxResult<T> = Result<T, Syntax>;
