//! The name rules of zone creation (spec/domain-rules.md §2.2 steps 6 and 8):
//! length, labels, TLDs, and the zones of other projects above and below.

use delegate_model::{Error, ErrorKind};
use delegate_storage::zones::ZoneSummary;
use delegate_storage::{MySqlConnection, tlds, zones};

use crate::txn::OpError;

fn invalid_name(message: &str) -> Error {
    Error::new(ErrorKind::InvalidZoneName, message)
}

/// Length and label count.
pub(crate) fn check_shape(name: &str, max_len: usize) -> Result<(), Error> {
    if name.chars().count() > max_len {
        return Err(invalid_name("Name too long"));
    }
    if labels(name).len() < 2 {
        return Err(invalid_name("More than one label is required"));
    }
    Ok(())
}

fn labels(name: &str) -> Vec<&str> {
    name.strip_suffix('.').unwrap_or(name).split('.').collect()
}

/// When TLDs are configured: the name must end in one (compared
/// case-sensitively, as Designate does in memory) and must not be one.
pub(crate) async fn check_tlds(conn: &mut MySqlConnection, name: &str) -> Result<(), OpError> {
    if !tlds::any(conn).await? {
        return Ok(());
    }
    let labels = labels(name);
    let suffixes: Vec<String> = (0..labels.len()).map(|i| labels[i..].join(".")).collect();
    let known = tlds::matching(conn, &suffixes).await?;
    if !suffixes.iter().any(|s| known.contains(s)) {
        return Err(invalid_name("Invalid TLD").into());
    }
    // `suffixes[0]` is the whole name, so `known` already holds any TLD the
    // name equals (the database matched case-insensitively).
    let bare = name.strip_suffix('.').unwrap_or(name).to_lowercase();
    if known.iter().any(|t| t.to_lowercase() == bare) {
        return Err(invalid_name("Zone name cannot be the same as a TLD").into());
    }
    Ok(())
}

/// The names above `name`, nearest first (`a.b.c.` → `b.c.`, `c.`).
pub(crate) fn ancestors(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = name;
    while let Some((_, parent)) = rest.split_once('.') {
        if parent.is_empty() {
            break;
        }
        out.push(parent.to_owned());
        rest = parent;
    }
    out
}

/// The zones of the nearest ancestor name that exists (the database matched
/// case-insensitively, so the grouping does too).
pub(crate) fn nearest<'a>(ancestors: &[String], found: &'a [ZoneSummary]) -> Vec<&'a ZoneSummary> {
    ancestors
        .iter()
        .map(|a| {
            found
                .iter()
                .filter(|z| z.name.eq_ignore_ascii_case(a))
                .collect::<Vec<_>>()
        })
        .find(|group| !group.is_empty())
        .unwrap_or_default()
}

/// Step 8: zones of other projects at, above or below the name, in every pool.
pub(crate) async fn check_other_projects(
    conn: &mut MySqlConnection,
    name: &str,
    owner: &str,
) -> Result<(), OpError> {
    let foreign = |z: &&ZoneSummary| z.tenant_id.as_deref() != Some(owner);
    let same = zones::live_by_names(conn, &[name.to_owned()]).await?;
    if same.iter().any(|z| foreign(&z)) {
        return Err(Error::new(
            ErrorKind::DuplicateZone,
            "Zone already exists, owned by a different tenant",
        )
        .into());
    }
    let above = ancestors(name);
    let found = zones::live_by_names(conn, &above).await?;
    if nearest(&above, &found).iter().any(foreign) {
        return Err(illegal_child().into());
    }
    if zones::live_subzones(conn, name)
        .await?
        .iter()
        .any(|z| foreign(&z))
    {
        return Err(Error::new(
            ErrorKind::IllegalParentZone,
            "Unable to create zone because another tenant owns a subzone of the zone",
        )
        .into());
    }
    Ok(())
}

pub(crate) fn illegal_child() -> Error {
    Error::new(
        ErrorKind::IllegalChildZone,
        "Unable to create subzone in another tenants zone",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_rules() {
        assert_eq!(check_shape("example.com.", 255), Ok(()));
        assert_eq!(
            check_shape("com.", 255).map_err(|e| e.message),
            Err(Some("More than one label is required".into()))
        );
        let long = format!("{}.com.", "a".repeat(60));
        assert_eq!(
            check_shape(&long, 20).map_err(|e| e.message),
            Err(Some("Name too long".into()))
        );
    }

    #[test]
    fn ancestors_nearest_first() {
        assert_eq!(ancestors("a.b.c."), ["b.c.", "c."]);
        assert!(ancestors("c.").is_empty());
    }
}
