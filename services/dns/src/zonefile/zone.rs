//! The result of parsing a zone file, and the grouping of its records into
//! recordsets the way dnspython (and so Designate's import) groups them.

use std::collections::{HashMap, HashSet};

use crate::rtype::RecordType;

/// One record of an imported zone file, in canonical form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedRecord {
    /// Owner, absolute, in presentation form (case as written).
    pub name: String,
    /// TTL after `$TTL`/inheritance rules.
    pub ttl: u32,
    /// Record type.
    pub rtype: RecordType,
    /// Record data in canonical presentation form, names absolute.
    pub data: String,
}

/// An imported zone file: origin and records in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedZone {
    /// The zone name, from the first `$ORIGIN` (absolute).
    pub origin: String,
    /// Records at or below the origin (others are ignored, as dnspython
    /// ignores them).
    pub records: Vec<ParsedRecord>,
}

/// Records of one name and type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedRecordSet {
    /// Owner as first written.
    pub name: String,
    /// Record type.
    pub rtype: RecordType,
    /// The smallest TTL of the records (how dnspython merges them).
    pub ttl: u32,
    /// Distinct record data, first occurrence order.
    pub records: Vec<String>,
}

/// The SOA of an imported zone, from which central builds the zone
/// (§11.1 step 3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoaFields {
    /// MNAME, presentation form.
    pub mname: String,
    /// RNAME, presentation form.
    pub rname: String,
    /// The zone e-mail derived from RNAME ([`crate::soa::rname_to_email`]).
    pub email: String,
    pub serial: u32,
    pub refresh: u32,
    pub retry: u32,
    pub expire: u32,
    pub minimum: u32,
    /// TTL of the SOA RRset (the zone's TTL; central maps 0 to `min_ttl`).
    pub ttl: u32,
}

impl ParsedZone {
    /// Is `name` the zone apex (ASCII case-insensitive)?
    pub fn is_apex(&self, name: &str) -> bool {
        name.eq_ignore_ascii_case(&self.origin)
    }

    /// The records grouped into recordsets, as dnspython builds its zone:
    /// names in order of first appearance, each name's sets in the order
    /// they were created; identical data collapsed; SOA and CNAME keep only
    /// their last record; a CNAME replaces the other sets of its name and
    /// any other set replaces a CNAME (dnspython's node kinds).
    pub fn recordsets(&self) -> Vec<ParsedRecordSet> {
        let mut names: Vec<Vec<Building<'_>>> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        for record in &self.records {
            let slot = *index
                .entry(record.name.to_ascii_lowercase())
                .or_insert_with(|| {
                    names.push(Vec::new());
                    names.len() - 1
                });
            add_to_node(&mut names[slot], record);
        }
        names.into_iter().flatten().map(Building::finish).collect()
    }

    /// The SOA at the origin, if there is one.
    pub fn soa(&self) -> Option<SoaFields> {
        // Only the apex matters: group its records alone (a later CNAME
        // there would replace the SOA, as in `recordsets`).
        let mut apex: Vec<Building<'_>> = Vec::new();
        for record in self.records.iter().filter(|r| self.is_apex(&r.name)) {
            add_to_node(&mut apex, record);
        }
        let set = apex
            .into_iter()
            .map(Building::finish)
            .find(|s| s.rtype == RecordType::SOA)?;
        let data = set.records.last()?;
        let fields: Vec<&str> = data.split(' ').collect();
        let [mname, rname, serial, refresh, retry, expire, minimum] = fields.as_slice() else {
            return None;
        };
        Some(SoaFields {
            mname: (*mname).to_owned(),
            rname: (*rname).to_owned(),
            email: crate::soa::rname_to_email(rname),
            serial: serial.parse().ok()?,
            refresh: refresh.parse().ok()?,
            retry: retry.parse().ok()?,
            expire: expire.parse().ok()?,
            minimum: minimum.parse().ok()?,
            ttl: set.ttl,
        })
    }
}

/// A recordset being assembled, borrowing from the parsed records. Large
/// sets get an index of their data so deduplication stays linear; small
/// ones (nearly all) scan.
struct Building<'z> {
    first: &'z ParsedRecord,
    ttl: u32,
    data: Vec<&'z str>,
    seen: Option<HashSet<&'z str>>,
}

/// Sets smaller than this are deduplicated by scanning.
const INDEX_FROM: usize = 16;

impl<'z> Building<'z> {
    fn new(record: &'z ParsedRecord) -> Self {
        Building {
            first: record,
            ttl: record.ttl,
            data: vec![record.data.as_str()],
            seen: None,
        }
    }

    /// Adds `data` unless the set already holds it.
    fn insert(&mut self, data: &'z str) {
        let fresh = match &mut self.seen {
            Some(seen) => seen.insert(data),
            None => !self.data.contains(&data),
        };
        if fresh {
            self.data.push(data);
            if self.seen.is_none() && self.data.len() >= INDEX_FROM {
                self.seen = Some(self.data.iter().copied().collect());
            }
        }
    }

    fn clear(&mut self) {
        self.data.clear();
        self.seen = None;
    }

    fn finish(self) -> ParsedRecordSet {
        ParsedRecordSet {
            name: self.first.name.clone(),
            rtype: self.first.rtype,
            ttl: self.ttl,
            records: self.data.into_iter().map(str::to_owned).collect(),
        }
    }
}

/// Adds one record to the sets of its name.
fn add_to_node<'z>(node: &mut Vec<Building<'z>>, record: &'z ParsedRecord) {
    let is_cname = record.rtype == RecordType::CNAME;
    node.retain(|b| (b.first.rtype == RecordType::CNAME) == is_cname);
    match node.iter_mut().find(|b| b.first.rtype == record.rtype) {
        Some(building) => {
            building.ttl = building.ttl.min(record.ttl);
            if matches!(record.rtype, RecordType::SOA | RecordType::CNAME) {
                building.clear();
            }
            building.insert(&record.data);
        }
        None => node.push(Building::new(record)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(name: &str, ttl: u32, rtype: RecordType, data: &str) -> ParsedRecord {
        ParsedRecord {
            name: name.into(),
            ttl,
            rtype,
            data: data.into(),
        }
    }

    #[test]
    fn large_sets_deduplicate() {
        let records = (0..100)
            .map(|i| {
                rec(
                    "big.example.test.",
                    300 - i,
                    RecordType::A,
                    &format!("192.0.2.{}", i % 40),
                )
            })
            .collect();
        let zone = ParsedZone {
            origin: "example.test.".into(),
            records,
        };
        let sets = zone.recordsets();
        assert_eq!(sets.len(), 1);
        assert_eq!(sets[0].records.len(), 40);
        assert_eq!(sets[0].records[39], "192.0.2.39");
        assert_eq!(sets[0].ttl, 201);
    }

    #[test]
    fn grouping_follows_dnspython() {
        let zone = ParsedZone {
            origin: "example.test.".into(),
            records: vec![
                rec("example.test.", 3600, RecordType::SOA, "a. b. 1 2 3 4 5"),
                rec("www.example.test.", 600, RecordType::A, "192.0.2.1"),
                rec("mail.example.test.", 300, RecordType::A, "192.0.2.9"),
                rec("WWW.example.test.", 300, RecordType::A, "192.0.2.2"),
                rec("www.example.test.", 900, RecordType::A, "192.0.2.1"),
                rec("example.test.", 3600, RecordType::SOA, "a. b. 2 2 3 4 5"),
                rec("c.example.test.", 60, RecordType::TXT, "\"x\""),
                rec(
                    "c.example.test.",
                    60,
                    RecordType::CNAME,
                    "www.example.test.",
                ),
            ],
        };
        let sets = zone.recordsets();
        let summary: Vec<(&str, RecordType, u32, usize)> = sets
            .iter()
            .map(|s| (s.name.as_str(), s.rtype, s.ttl, s.records.len()))
            .collect();
        assert_eq!(
            summary,
            [
                ("example.test.", RecordType::SOA, 3600, 1),
                ("www.example.test.", RecordType::A, 300, 2),
                ("mail.example.test.", RecordType::A, 300, 1),
                ("c.example.test.", RecordType::CNAME, 60, 1),
            ]
        );
        let soa = zone.soa().unwrap();
        assert_eq!(soa.serial, 2);
        assert_eq!(soa.email, "b");
    }
}
