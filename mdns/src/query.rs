//! Ordinary queries (spec/services.md §4.6): one stored RRset, or REFUSED.
//!
//! mdns is no general-purpose nameserver: it answers exactly the recordset
//! asked for. There is no NXDOMAIN or NODATA, no wildcard expansion and no
//! CNAME processing; anything it does not hold is REFUSED, as designate-mdns does.

use hickory_proto::op::{Message, Query, ResponseCode};
use hickory_proto::rr::{Name, Record};

use crate::records::{self, effective_ttl, stored_type};
use crate::response::{authoritative, reply};
use crate::source::{ServedZone, SourceError, ZoneScope, ZoneSource};

/// The response to a QUERY for anything but a zone transfer.
pub async fn answer<S: ZoneSource>(
    source: &S,
    request: &Message,
    query: &Query,
    scope: ZoneScope,
) -> Result<Message, SourceError> {
    let refused = || Ok(reply(request, ResponseCode::Refused));
    let Some(rtype) = stored_type(query.query_type()) else {
        return refused();
    };
    let qname = query.name();
    let Some(zone) = source.find_zone(&zone_candidates(qname), scope).await? else {
        return refused();
    };
    let Some(rrset) = source.recordset(&zone, &qname.to_ascii(), rtype).await? else {
        return refused();
    };
    let mut response = authoritative(request);
    response.answers = rrset_records(&zone, qname, rtype, rrset.ttl, &rrset.data);
    Ok(response)
}

/// The name and its parents down to the TLD, longest first: the names of the
/// zones that could contain it (spec/services.md §4.6 step 1).
pub fn zone_candidates(name: &Name) -> Vec<String> {
    let labels = name.iter().count();
    (1..=labels)
        .rev()
        .map(|n| name.trim_to(n).to_ascii())
        .collect()
}

/// The RRset's records, owned by the query name as asked (its case kept);
/// records whose stored text does not convert are left out and logged.
fn rrset_records(
    zone: &ServedZone,
    owner: &Name,
    rtype: &str,
    ttl: Option<i32>,
    data: &[String],
) -> Vec<Record> {
    let ttl = match effective_ttl(ttl, zone.ttl) {
        Ok(ttl) => ttl,
        Err(e) => {
            tracing::warn!(zone = %zone.name, name = %owner, rtype, error = %e, "recordset not served");
            return Vec::new();
        }
    };
    data.iter()
        .filter_map(
            |text| match records::to_record(owner.clone(), ttl, rtype, text) {
                Ok(record) => Some(record),
                Err(e) => {
                    tracing::warn!(zone = %zone.name, name = %owner, error = %e, "record skipped");
                    None
                }
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_run_from_the_name_to_the_tld() {
        let name = Name::from_ascii("www.Example.org.").unwrap();
        assert_eq!(
            zone_candidates(&name),
            ["www.Example.org.", "Example.org.", "org."]
        );
        assert!(zone_candidates(&Name::root()).is_empty());
    }
}
