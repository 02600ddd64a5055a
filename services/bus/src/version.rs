//! RPC API version compatibility (oslo.messaging `utils.version_is_compatible`).

/// True when a server implementing `server` can handle a message sent as
/// `requested`: same major, and (minor, revision) not newer than the server's.
pub(crate) fn is_compatible(server: &str, requested: &str) -> bool {
    let (Some(server), Some(requested)) = (parse(server), parse(requested)) else {
        return false;
    };
    server[0] == requested[0] && requested[1..] <= server[1..]
}

/// `"6.12"` → `[6, 12, 0]`; a missing minor or revision counts as 0.
fn parse(version: &str) -> Option<[u64; 3]> {
    let mut parts = [0u64; 3];
    for (i, piece) in version.split('.').enumerate() {
        *parts.get_mut(i)? = piece.parse().ok()?;
    }
    Some(parts)
}

#[cfg(test)]
mod tests {
    use super::is_compatible;

    #[test]
    fn same_major_and_older_or_equal_minor_is_accepted() {
        assert!(is_compatible("6.12", "6.12"));
        assert!(is_compatible("6.12", "6.0"));
        assert!(is_compatible("6.12", "6"));
        assert!(is_compatible("1.2", "1.1.5"));
    }

    #[test]
    fn other_major_or_newer_minor_or_garbage_is_refused() {
        assert!(!is_compatible("6.12", "6.13"));
        assert!(!is_compatible("6.12", "5.0"));
        assert!(!is_compatible("6.12", "7.0"));
        assert!(!is_compatible("6.12", "6.12.1"));
        assert!(!is_compatible("6.12", "six"));
        assert!(!is_compatible("6.12", ""));
        assert!(!is_compatible("6.12", "6.1.2.3"));
    }
}
