//! Identifiers: UUIDs and shards (spec/storage.md §1).

use uuid::Uuid;

/// A new random (v4) id, as Designate generates them.
pub fn new_id() -> Uuid {
    Uuid::new_v4()
}

/// Accepts any UUID-like string: hyphenated or 32 hex digits (spec/domain-rules.md §1).
pub fn parse_uuid(text: &str) -> Option<Uuid> {
    Uuid::try_parse(text).ok()
}

/// The storage form: 32 lowercase hex digits without hyphens.
pub fn to_db(id: &Uuid) -> String {
    id.simple().to_string()
}

/// The zone shard: the integer value of the first three hex digits of the id (0–4095).
pub fn shard_of(id: &Uuid) -> u16 {
    let b = id.as_bytes();
    (u16::from(b[0]) << 4) | (u16::from(b[1]) >> 4)
}

/// The number of shards zones are spread over.
pub const SHARDS: u16 = 4096;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_is_first_three_hex_digits() {
        let id = parse_uuid("794ccc2c-d751-44fe-b57f-8894c9f5c842").expect("uuid");
        assert_eq!(shard_of(&id), 0x794);
        let id = parse_uuid("fff4ccc2cd75144feb57f8894c9f5c842").map(|_| ());
        assert!(id.is_none(), "33 hex digits is not a uuid");
    }

    #[test]
    fn db_form_has_no_hyphens() {
        let id = parse_uuid("794CCC2C-D751-44FE-B57F-8894C9F5C842").expect("uuid");
        assert_eq!(to_db(&id), "794ccc2cd75144feb57f8894c9f5c842");
        assert_eq!(parse_uuid("794ccc2cd75144feb57f8894c9f5c842"), Some(id));
    }
}
