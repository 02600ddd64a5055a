//! oslo.policy's rule language: parsing a check string into a [`Check`] tree
//! and evaluating it against credentials and a target.
//!
//! ```text
//! (role:admin) or (role:member and project_id:%(project_id)s)
//! 'PRIMARY':%(zone_type)s      True:%(all_tenants)s      rule:admin_or_owner
//! not role:reader      @ (always)      ! (never)      is_admin:True
//! ```
//!
//! Semantics follow oslo.policy's `_checks.py` / `_parser.py`: `and` binds
//! tighter than `or`; `not` applies to the check that follows; a check is
//! `kind:match` split at the first `:`; `%(key)s` in `match` is replaced by
//! the target's value (a missing key makes the check false); `role:` compares
//! case-insensitively; a kind that is a Python literal (`'PRIMARY'`, `True`,
//! `None`, `1`) is compared with the interpolated match as text; any other
//! kind is a dotted path into the credentials (a list matches when any
//! element does). Where oslo.policy logs an unparsable rule and denies it,
//! Delegate refuses it with its position, so an operator's typo stops the
//! service at start-up instead of silently denying requests.

use serde_json::{Map, Value};

/// A parsed check string.
#[derive(Debug, Clone, PartialEq)]
pub enum Check {
    /// `@`.
    Always,
    /// `!`.
    Never,
    /// `rule:<name>`: another rule of the policy.
    Rule(String),
    /// `role:<match>`.
    Role(String),
    /// `<kind>:<match>`, for any other kind.
    Generic {
        kind: String,
        value: String,
    },
    Not(Box<Check>),
    And(Vec<Check>),
    Or(Vec<Check>),
}

/// Why a check string does not parse: what, and where (0-based character offset).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} at position {position}")]
pub struct SyntaxError {
    pub position: usize,
    pub message: String,
}

/// Evaluates `rule:<name>` references.
pub trait Rules {
    /// The rule named `name`, or the policy's default rule when undefined
    /// (oslo.policy's `Rules.__missing__`); `None` when neither exists.
    fn lookup(&self, name: &str) -> Option<&Check>;
}

/// Nesting limit for `rule:` references, so that a cycle in an operator's
/// file denies instead of recursing forever.
const MAX_DEPTH: usize = 32;

impl Check {
    /// Parses a check string; the empty string allows everything, as in oslo.policy.
    pub fn parse(text: &str) -> Result<Check, SyntaxError> {
        let tokens = tokenize(text)?;
        if tokens.is_empty() {
            return Ok(Check::Always);
        }
        let mut parser = Parser {
            tokens: &tokens,
            next: 0,
            end: text.chars().count(),
        };
        let check = parser.or_expr()?;
        match parser.tokens.get(parser.next) {
            None => Ok(check),
            Some(t) => Err(t.error("unexpected token")),
        }
    }

    /// The old list-of-lists form of JSON policy files: the outer list is
    /// joined by `or`, each inner list (or bare string) by `and`.
    pub fn from_list(list: &[Value]) -> Result<Check, SyntaxError> {
        if list.is_empty() {
            return Ok(Check::Always);
        }
        let mut any = Vec::new();
        for inner in list {
            let items: Vec<&Value> = match inner {
                Value::Array(items) => items.iter().collect(),
                other => vec![other],
            };
            if items.is_empty() {
                continue;
            }
            let mut all = Vec::new();
            for item in items {
                let text = item.as_str().ok_or_else(|| SyntaxError {
                    position: 0,
                    message: "a list rule holds strings only".into(),
                })?;
                all.push(single(text, 0)?);
            }
            any.push(if all.len() == 1 {
                all.remove(0)
            } else {
                Check::And(all)
            });
        }
        Ok(match any.len() {
            0 => Check::Never,
            1 => any.remove(0),
            _ => Check::Or(any),
        })
    }

    /// Every `rule:` name this check refers to.
    pub fn references<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Check::Rule(name) => out.push(name),
            Check::Not(c) => c.references(out),
            Check::And(cs) | Check::Or(cs) => cs.iter().for_each(|c| c.references(out)),
            _ => {}
        }
    }

    /// True when the check allows `creds` to act on `target`.
    pub fn allows(
        &self,
        target: &Map<String, Value>,
        creds: &Map<String, Value>,
        rules: &dyn Rules,
    ) -> bool {
        self.eval(target, creds, rules, 0)
    }

    fn eval(
        &self,
        target: &Map<String, Value>,
        creds: &Map<String, Value>,
        rules: &dyn Rules,
        depth: usize,
    ) -> bool {
        match self {
            Check::Always => true,
            Check::Never => false,
            Check::Rule(name) => {
                if depth >= MAX_DEPTH {
                    tracing::warn!(rule = %name, "policy rules refer to each other in a cycle; denying");
                    return false;
                }
                rules
                    .lookup(name)
                    .is_some_and(|c| c.eval(target, creds, rules, depth + 1))
            }
            Check::Role(pattern) => {
                let Some(wanted) = interpolate(pattern, target) else {
                    return false;
                };
                let wanted = wanted.to_lowercase();
                creds
                    .get("roles")
                    .and_then(Value::as_array)
                    .is_some_and(|roles| {
                        roles
                            .iter()
                            .filter_map(Value::as_str)
                            .any(|r| r.to_lowercase() == wanted)
                    })
            }
            Check::Generic { kind, value } => {
                let Some(wanted) = interpolate(value, target) else {
                    return false;
                };
                match literal(kind) {
                    Some(lit) => lit == wanted,
                    None => {
                        let mut path = kind.split('.');
                        let first = path.next().and_then(|k| creds.get(k));
                        let rest: Vec<&str> = path.collect();
                        first.is_some_and(|v| find_from(v, &rest, &wanted))
                    }
                }
            }
            Check::Not(c) => !c.eval(target, creds, rules, depth),
            Check::And(cs) => cs.iter().all(|c| c.eval(target, creds, rules, depth)),
            Check::Or(cs) => cs.iter().any(|c| c.eval(target, creds, rules, depth)),
        }
    }
}

/// Python's `str()` of a JSON value, as `%s` and `str(test_value)` render it.
pub fn py_str(value: &Value) -> String {
    match value {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `match % target`: `%(key)s` replaced by the target's value, `%%` by `%`.
/// `None` when a key is missing (the check is then false).
fn interpolate(pattern: &str, target: &Map<String, Value>) -> Option<String> {
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix('%') {
            out.push('%');
            rest = tail;
        } else if let Some(spec) = after.strip_prefix('(') {
            let close = spec.find(')')?;
            let key = &spec[..close];
            let tail = spec[close + 1..].strip_prefix('s')?;
            out.push_str(&py_str(lookup_target(target, key)?));
            rest = tail;
        } else {
            out.push('%');
            rest = after;
        }
    }
    out.push_str(rest);
    Some(out)
}

/// The target's value for `key`: the key itself (targets are flat, as
/// Designate's are), else a dotted path into nested objects
/// (`%(target.zone.project_id)s` when a caller passes a nested target).
fn lookup_target<'a>(target: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    if let Some(v) = target.get(key) {
        return Some(v);
    }
    let mut parts = key.split('.');
    let mut value = target.get(parts.next()?)?;
    for part in parts {
        value = value.as_object()?.get(part)?;
    }
    Some(value)
}

/// A kind that Python's `ast.literal_eval` accepts, rendered by `str()`.
fn literal(kind: &str) -> Option<String> {
    let quoted = |q: char| kind.len() >= 2 && kind.starts_with(q) && kind.ends_with(q);
    if quoted('\'') || quoted('"') {
        return Some(kind[1..kind.len() - 1].to_owned());
    }
    match kind {
        "True" | "False" | "None" => return Some(kind.to_owned()),
        _ => {}
    }
    if let Ok(n) = kind.parse::<i64>() {
        return Some(n.to_string());
    }
    None
}

/// oslo.policy's `_find_in_dict`, from a value already found: a list matches
/// when any element does; then follow the rest of the path; the end value
/// compares as `str()`.
fn find_from(value: &Value, path: &[&str], wanted: &str) -> bool {
    if let Value::Array(items) = value {
        return items.iter().any(|v| find_from_item(v, path, wanted));
    }
    find_from_item(value, path, wanted)
}

fn find_from_item(value: &Value, path: &[&str], wanted: &str) -> bool {
    match path.split_first() {
        None => py_str(value) == wanted,
        Some((key, rest)) => value
            .as_object()
            .and_then(|o| o.get(*key))
            .is_some_and(|next| find_from(next, rest, wanted)),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Open,
    Close,
    And,
    Or,
    Not,
    Check(Check),
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    position: usize,
}

impl Token {
    fn error(&self, message: &str) -> SyntaxError {
        SyntaxError {
            position: self.position,
            message: message.into(),
        }
    }
}

/// oslo.policy's tokenizer: split on whitespace, then peel leading `(` and
/// trailing `)` off each word.
fn tokenize(text: &str) -> Result<Vec<Token>, SyntaxError> {
    let mut tokens = Vec::new();
    let chars: Vec<(usize, char)> = text.chars().enumerate().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].1.is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && !chars[i].1.is_whitespace() {
            i += 1;
        }
        let word: String = chars[start..i].iter().map(|c| c.1).collect();
        let clean = word.trim_start_matches('(');
        let opens = word.len() - clean.len();
        for position in start..start + opens {
            tokens.push(Token {
                tok: Tok::Open,
                position,
            });
        }
        let pos = start + opens;
        let body = clean.trim_end_matches(')');
        let trail = clean.len() - body.len();
        if !body.is_empty() {
            let tok = match body.to_lowercase().as_str() {
                "and" => Tok::And,
                "or" => Tok::Or,
                "not" => Tok::Not,
                _ => Tok::Check(single(body, pos)?),
            };
            tokens.push(Token { tok, position: pos });
        }
        let close = pos + body.chars().count();
        for position in close..close + trail {
            tokens.push(Token {
                tok: Tok::Close,
                position,
            });
        }
    }
    Ok(tokens)
}

/// One `kind:match` word (or `@`, `!`).
fn single(word: &str, position: usize) -> Result<Check, SyntaxError> {
    match word {
        "@" => return Ok(Check::Always),
        "!" => return Ok(Check::Never),
        _ => {}
    }
    let quoted = word.len() >= 2
        && ((word.starts_with('\'') && word.ends_with('\''))
            || (word.starts_with('"') && word.ends_with('"')));
    let Some((kind, value)) = word.split_once(':').filter(|_| !quoted) else {
        return Err(SyntaxError {
            position,
            message: format!("'{word}' is not a check (expected kind:value, @ or !)"),
        });
    };
    if kind.is_empty() {
        return Err(SyntaxError {
            position,
            message: format!("'{word}' has no kind before ':'"),
        });
    }
    Ok(match kind {
        "rule" => Check::Rule(value.to_owned()),
        "role" => Check::Role(value.to_owned()),
        _ => Check::Generic {
            kind: kind.to_owned(),
            value: value.to_owned(),
        },
    })
}

/// Recursive descent with oslo.policy's precedence: `not` > `and` > `or`.
struct Parser<'t> {
    tokens: &'t [Token],
    next: usize,
    end: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.next).map(|t| &t.tok)
    }

    fn or_expr(&mut self) -> Result<Check, SyntaxError> {
        let mut any = vec![self.and_expr()?];
        while self.peek() == Some(&Tok::Or) {
            self.next += 1;
            any.push(self.and_expr()?);
        }
        Ok(if any.len() == 1 {
            any.remove(0)
        } else {
            Check::Or(any)
        })
    }

    fn and_expr(&mut self) -> Result<Check, SyntaxError> {
        let mut all = vec![self.unary()?];
        while self.peek() == Some(&Tok::And) {
            self.next += 1;
            all.push(self.unary()?);
        }
        Ok(if all.len() == 1 {
            all.remove(0)
        } else {
            Check::And(all)
        })
    }

    fn unary(&mut self) -> Result<Check, SyntaxError> {
        let Some(token) = self.tokens.get(self.next) else {
            return Err(SyntaxError {
                position: self.end,
                message: "the rule ends where a check is expected".into(),
            });
        };
        self.next += 1;
        match &token.tok {
            Tok::Not => Ok(Check::Not(Box::new(self.unary()?))),
            Tok::Check(c) => Ok(c.clone()),
            Tok::Open => {
                let inner = self.or_expr()?;
                match self.tokens.get(self.next) {
                    Some(Token {
                        tok: Tok::Close, ..
                    }) => {
                        self.next += 1;
                        Ok(inner)
                    }
                    Some(t) => Err(t.error("expected ')'")),
                    None => Err(token.error("'(' is never closed")),
                }
            }
            Tok::Close => Err(token.error("unexpected ')'")),
            Tok::And | Tok::Or => Err(token.error("an operator where a check is expected")),
        }
    }
}
