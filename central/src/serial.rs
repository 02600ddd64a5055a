//! Serials and the managed SOA (spec/domain-rules.md §5–§6).
//!
//! Delegate does not wait for the producer's periodic `increment_serial`:
//! every change bumps the serial in its own transaction, rebuilds the SOA
//! record and is pushed to the workers after commit. A bump never goes
//! backwards: `serial = max(old + 1, now)` (design.md, compatibility policy),
//! so two changes in one second still get two serials, and a date-style
//! serial (2026041301) stays ahead of the clock instead of dropping to it.

use delegate_model::{Action, Error, ErrorKind, Status, Zone, ZoneType, time};
use delegate_storage::{MySqlConnection, records, recordsets, zones};

use crate::txn::OpError;

/// The serial after a change.
pub(crate) fn next(old: i64, now: i64) -> i64 {
    (old + 1).max(now)
}

/// Marks a zone changed, in memory: UPDATE/PENDING and, unless SECONDARY (whose
/// serial is its master's), a new serial. Returns the serial that carries the
/// change (the record `serial`).
pub(crate) fn bump(zone: &mut Zone) -> i64 {
    zone.action = Action::Update;
    zone.status = Status::Pending;
    if zone.zone_type != ZoneType::Secondary {
        zone.serial = next(zone.serial, time::unix_now());
    }
    zone.serial
}

/// Saves a zone changed by [`bump`] and rebuilds its SOA record with the new
/// serial (never for SECONDARY zones: their SOA comes from the master).
pub(crate) async fn save_bumped(
    conn: &mut MySqlConnection,
    zone: &mut Zone,
) -> Result<(), OpError> {
    zones::update(conn, zone).await?;
    if zone.zone_type != ZoneType::Secondary {
        rebuild_soa(conn, zone).await?;
    }
    Ok(())
}

/// Rewrites the zone's SOA record from the zone row: UPDATE/PENDING, carried
/// by the zone's serial.
async fn rebuild_soa(conn: &mut MySqlConnection, zone: &Zone) -> Result<(), OpError> {
    let (Some(zone_id), Some(pool_id)) = (zone.id, zone.pool_id) else {
        return Err(Error::internal("zone without id or pool").into());
    };
    let mname = zones::soa_mname(conn, pool_id)
        .await?
        .ok_or_else(|| Error::bare(ErrorKind::NoServersConfigured))?;
    let mut soa = recordsets::soa_of(conn, zone_id).await?;
    let Some(record) = soa.records.first_mut() else {
        return Err(Error::internal(format!(
            "zone {zone_id} has an SOA recordset without a record"
        ))
        .into());
    };
    record.data = soa_text(&mname, zone);
    record.action = Action::Update;
    record.status = Status::Pending;
    record.serial = zone.serial;
    records::update(conn, record).await?;
    Ok(())
}

/// `<mname> <rname> <serial> <refresh> <retry> <expire> <minimum>`
/// (spec/domain-rules.md §5.2).
pub(crate) fn soa_text(mname: &str, zone: &Zone) -> String {
    // Stored timers are non-negative INTs (checked on the way in); a negative
    // one read from a foreign database renders as 0 rather than wrapping.
    let n = |v: i64| u32::try_from(v).unwrap_or(0);
    delegate_dns::soa_text(
        mname,
        &zone.email,
        n(zone.serial),
        n(zone.refresh.into()),
        n(zone.retry.into()),
        n(zone.expire.into()),
        n(zone.minimum.into()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_only_go_up() {
        assert_eq!(
            next(100, 1_800_000_000),
            1_800_000_000,
            "an old serial jumps to now"
        );
        assert_eq!(
            next(1_800_000_000, 1_800_000_000),
            1_800_000_001,
            "two bumps in one second differ"
        );
        assert_eq!(
            next(2_026_041_301, 1_800_000_000),
            2_026_041_302,
            "a date-style serial keeps counting"
        );
    }

    #[test]
    fn soa_text_escapes_the_local_part() {
        let zone = Zone {
            email: "first.last@example.com".into(),
            serial: 1_795_299_035,
            refresh: 3506,
            retry: 600,
            expire: 86400,
            minimum: 3600,
            ..Zone::default()
        };
        assert_eq!(
            soa_text("ns1.anchor.test.", &zone),
            "ns1.anchor.test. first\\.last.example.com. 1795299035 3506 600 86400 3600"
        );
    }

    #[test]
    fn bump_leaves_secondary_serials_alone() {
        let mut zone = Zone {
            zone_type: ZoneType::Secondary,
            serial: 7,
            ..Zone::default()
        };
        assert_eq!(bump(&mut zone), 7);
        assert_eq!(
            (zone.action, zone.status),
            (Action::Update, Status::Pending)
        );
        let mut zone = Zone {
            serial: 7,
            ..Zone::default()
        };
        assert!(bump(&mut zone) >= time::unix_now());
    }
}
