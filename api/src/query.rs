//! The query string as an ordered list of pairs, as WebOb sees it: decoded
//! (`+` is a space), order and repeats kept. Links are rebuilt from it with
//! Python's `urlencode` (spec/api-v2.md §6.1), so `*` becomes `%2A` and a
//! space `+`, exactly as Designate's links show them.

use std::fmt::Write;

/// Decoded `(key, value)` pairs in request order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryPairs(pub Vec<(String, String)>);

impl QueryPairs {
    /// Parses a raw query string (`None` when the URI has none).
    pub fn parse(raw: Option<&str>) -> Self {
        let pairs = raw
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default();
        QueryPairs(pairs)
    }

    /// The first value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Removes every pair named `key`, returning the first value.
    pub fn take(&mut self, key: &str) -> Option<String> {
        let first = self.get(key).map(str::to_owned);
        self.0.retain(|(k, _)| k != key);
        first
    }

    /// Replaces `key` by one pair appended last (how WebOb's `MultiDict`
    /// assignment orders `marker` in `links.next`).
    pub fn set_last(&mut self, key: &str, value: &str) {
        self.0.retain(|(k, _)| k != key);
        self.0.push((key.to_owned(), value.to_owned()));
    }

    /// Python's `urllib.parse.urlencode` of the pairs.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        for (i, (k, v)) in self.0.iter().enumerate() {
            if i > 0 {
                out.push('&');
            }
            quote_plus(&mut out, k);
            out.push('=');
            quote_plus(&mut out, v);
        }
        out
    }
}

/// Python's `quote_plus`: only `A-Za-z0-9_.-~` stay, a space becomes `+`.
fn quote_plus(out: &mut String, text: &str) {
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'.' | b'-' | b'~' => {
                out.push(char::from(b))
            }
            b' ' => out.push('+'),
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn re_encodes_like_python_urlencode() {
        let q = QueryPairs::parse(Some(
            "name=*zones-b*&email=admin@example.org&description=zone%20A",
        ));
        assert_eq!(
            q.encode(),
            "name=%2Azones-b%2A&email=admin%40example.org&description=zone+A"
        );
    }

    #[test]
    fn marker_moves_to_the_end() {
        let mut q = QueryPairs::parse(Some("limit=1&marker=a&sort_dir=desc"));
        q.set_last("marker", "b");
        assert_eq!(q.encode(), "limit=1&sort_dir=desc&marker=b");
        assert_eq!(q.take("limit").as_deref(), Some("1"));
        assert_eq!(q.encode(), "sort_dir=desc&marker=b");
    }
}
