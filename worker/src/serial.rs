//! `get_serial_number(zone, host, port)` (spec/services.md §5.3
//! GetZoneSerial): the serial one server serves for a zone, as
//! `[status, serial]`.

use delegate_config::Worker;
use delegate_model::{Action, Zone};
use delegate_rpc::SerialReport;
use hickory_proto::op::{Message, ResponseCode};
use hickory_proto::rr::{DNSClass, Name, RData, RecordType};

use crate::dns_exchange::{Transport, exchange, soa_query_message, zone_name};

/// What one SOA response says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SoaVerdict {
    /// The zone is served with this serial.
    Serial(i64),
    /// NXDOMAIN, REFUSED, SERVFAIL or an empty answer: the server lacks the zone.
    NoZone,
    /// Not authoritative: asking again will not help.
    NotAuthoritative,
    /// Some other answer: try again.
    Unusable,
}

/// Reads one response to an SOA query for `zone`.
pub fn judge(response: &Message, zone: &Name) -> SoaVerdict {
    let rcode = response.metadata.response_code;
    if matches!(
        rcode,
        ResponseCode::NXDomain | ResponseCode::Refused | ResponseCode::ServFail
    ) || response.answers.is_empty()
    {
        return SoaVerdict::NoZone;
    }
    if !response.metadata.authoritative {
        return SoaVerdict::NotAuthoritative;
    }
    if rcode != ResponseCode::NoError {
        return SoaVerdict::Unusable;
    }
    // Exactly one RRset: the zone's SOA, class IN.
    let one_rrset = response.answers.iter().all(|r| {
        r.name == *zone && r.dns_class == DNSClass::IN && r.record_type() == RecordType::SOA
    });
    match (&response.answers[0].data, one_rrset) {
        (RData::SOA(soa), true) => SoaVerdict::Serial(i64::from(soa.serial)),
        _ => SoaVerdict::Unusable,
    }
}

/// Up to `serial_max_retries` unsigned SOA queries of `serial_timeout`,
/// `serial_retry_delay` apart.
pub async fn get_serial_number(zone: &Zone, host: &str, port: u16, cfg: &Worker) -> SerialReport {
    let report = |status: &str, serial| SerialReport {
        status: status.to_owned(),
        serial,
    };
    let Ok(name) = zone_name(&zone.name) else {
        return report("ERROR", None);
    };
    let mut status = "ERROR";
    let transport = Transport::from_all_tcp(cfg.all_tcp);
    for attempt in 0..cfg.serial_max_retries {
        if attempt > 0 {
            tokio::time::sleep(cfg.serial_retry_delay).await;
        }
        let response = match exchange(
            &soa_query_message(&name),
            host,
            port,
            transport,
            cfg.serial_timeout,
        )
        .await
        {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(zone = %zone.name, host, port, error = %e, "SOA query failed");
                continue;
            }
        };
        match judge(&response, &name) {
            SoaVerdict::Serial(serial) => return report("SUCCESS", Some(serial)),
            SoaVerdict::NoZone => {
                status = "NO_ZONE";
                // A zone that is meant to be gone is confirmed gone.
                if zone.serial == 0 && matches!(zone.action, Action::Delete | Action::None) {
                    return report(status, Some(0));
                }
            }
            SoaVerdict::NotAuthoritative => {
                tracing::warn!(zone = %zone.name, host, port, "SOA answer is not authoritative");
                break;
            }
            SoaVerdict::Unusable => {}
        }
    }
    tracing::warn!(zone = %zone.name, host, port, "unable to get the serial");
    report(status, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::op::OpCode;
    use hickory_proto::rr::Record;
    use hickory_proto::rr::rdata::{A, SOA};

    fn name(s: &str) -> Name {
        zone_name(s).expect("name")
    }

    fn soa(owner: &str, serial: u32) -> Record {
        let rdata = SOA::new(
            name("ns1.example.com."),
            name("admin.example.com."),
            serial,
            1,
            1,
            1,
            1,
        );
        Record::from_rdata(name(owner), 60, RData::SOA(rdata))
    }

    fn response(rcode: ResponseCode, aa: bool, answers: Vec<Record>) -> Message {
        let mut m = Message::response(1, OpCode::Query);
        m.metadata.response_code = rcode;
        m.metadata.authoritative = aa;
        m.add_answers(answers);
        m
    }

    #[test]
    fn verdicts_follow_designate() {
        let zone = name("example.com.");
        let ok = response(ResponseCode::NoError, true, vec![soa("example.com.", 42)]);
        assert_eq!(judge(&ok, &zone), SoaVerdict::Serial(42));
        assert_eq!(
            judge(&response(ResponseCode::Refused, false, vec![]), &zone),
            SoaVerdict::NoZone
        );
        assert_eq!(
            judge(&response(ResponseCode::NoError, true, vec![]), &zone),
            SoaVerdict::NoZone
        );
        let not_aa = response(ResponseCode::NoError, false, vec![soa("example.com.", 42)]);
        assert_eq!(judge(&not_aa, &zone), SoaVerdict::NotAuthoritative);
        let other_owner = response(ResponseCode::NoError, true, vec![soa("other.com.", 42)]);
        assert_eq!(judge(&other_owner, &zone), SoaVerdict::Unusable);
        let a = Record::from_rdata(name("example.com."), 60, RData::A(A::new(192, 0, 2, 1)));
        assert_eq!(
            judge(&response(ResponseCode::NoError, true, vec![a]), &zone),
            SoaVerdict::Unusable
        );
    }
}
