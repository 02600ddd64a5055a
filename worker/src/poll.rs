//! Polling the pool's nameservers for the zone's serial, and the outcome the
//! worker reports to central (spec/services.md §5.2 steps 5–6,
//! domain-rules §7.4).

use std::future::Future;

use delegate_config::Worker;
use delegate_model::{Action, PoolNameserver, ReportStatus};
use futures::future::join_all;
use hickory_proto::rr::Name;

use crate::dns_exchange::{Transport, exchange, polled_serial, soa_query_message};
use crate::limits::Limits;

/// One round of answers: per nameserver, the serial it serves (0 = it does
/// not have the zone) or `None` when it gave no usable answer.
pub type Answers = [Option<i64>];

/// The counts of one polling round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    /// Nameservers where the change is visible.
    pub positives: usize,
    /// Nameservers answering "no zone" (serial 0).
    pub no_zones: usize,
    /// The smallest serial ≥ the expected one (0 when none, and for DELETE).
    pub consensus: i64,
    pub total: usize,
}

/// Counts a round. CREATE/UPDATE: a serial ≥ `expected` is positive, 0 is "no
/// zone". DELETE: 0 is both positive and "no zone". Unanswered polls count in
/// the total only.
pub fn tally(answers: &Answers, action: Action, expected: i64) -> Tally {
    let mut t = Tally {
        positives: 0,
        no_zones: 0,
        consensus: 0,
        total: answers.len(),
    };
    for serial in answers.iter().flatten().copied() {
        if action == Action::Delete {
            if serial == 0 {
                t.no_zones += 1;
                t.positives += 1;
            }
        } else if serial >= expected {
            t.positives += 1;
            if t.consensus == 0 || serial < t.consensus {
                t.consensus = serial;
            }
        } else if serial == 0 {
            t.no_zones += 1;
        }
    }
    t
}

/// `part / total × 100 ≥ threshold`; with nothing to count only a 0 %
/// threshold is met (Designate counts 0 of 0 as 0 %).
pub fn meets(part: usize, total: usize, threshold: u32) -> bool {
    let threshold = u64::from(threshold);
    if total == 0 {
        return threshold == 0;
    }
    (part as u64) * 100 >= threshold * (total as u64)
}

/// What the worker reports to central `update_status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    pub status: ReportStatus,
    pub serial: i64,
    pub action: Action,
}

/// The outcome of polling (step 6): too many nameservers without the zone
/// → NO_ZONE as a CREATE (not for DELETE); too few positives → ERROR with
/// the expected serial; else SUCCESS with the consensus serial.
pub fn outcome(t: &Tally, action: Action, expected: i64, threshold: u32) -> Report {
    if action != Action::Delete && !meets(t.total - t.no_zones, t.total, threshold) {
        return Report {
            status: ReportStatus::NoZone,
            serial: expected,
            action: Action::Create,
        };
    }
    if !meets(t.positives, t.total, threshold) {
        return Report {
            status: ReportStatus::Error,
            serial: expected,
            action,
        };
    }
    Report {
        status: ReportStatus::Success,
        serial: t.consensus,
        action,
    }
}

/// What polling needs to know.
pub struct PollPlan<'a> {
    pub zone: &'a Name,
    pub action: Action,
    /// The serial to wait for; 0 for DELETE.
    pub expected: i64,
    pub nameservers: &'a [PoolNameserver],
    /// Caps the exchanges with each nameserver.
    pub limits: &'a Limits,
}

/// Polls until enough nameservers show the change, up to `poll_max_retries`
/// rounds (at least one), waiting `poll_retry_delay(round)` between rounds.
/// After each failed round `still_wanted` is asked whether the change still
/// matters (the zone may have moved on); if not, polling stops: `None`.
pub async fn poll<F, Fut>(plan: &PollPlan<'_>, cfg: &Worker, mut still_wanted: F) -> Option<Tally>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let rounds = cfg.poll_max_retries.max(1);
    let mut round = 0;
    loop {
        let answers = poll_round(plan, cfg).await;
        let t = tally(&answers, plan.action, plan.expected);
        tracing::debug!(zone = %plan.zone, round, ?answers, ?t, "polled nameservers");
        round += 1;
        if meets(t.positives, t.total, cfg.threshold_percentage) || round >= rounds {
            return Some(t);
        }
        tokio::time::sleep(cfg.poll_retry_delay(round - 1)).await;
        if !still_wanted().await {
            return None;
        }
    }
}

async fn poll_round(plan: &PollPlan<'_>, cfg: &Worker) -> Vec<Option<i64>> {
    let transport = Transport::from_all_tcp(cfg.all_tcp);
    let queries = plan
        .nameservers
        .iter()
        .map(|ns| query_serial(plan.zone, ns, transport, plan.limits, cfg));
    join_all(queries).await
}

/// One SOA query. Every failure is an unusable answer (`None`), logged.
async fn query_serial(
    zone: &Name,
    ns: &PoolNameserver,
    transport: Transport,
    limits: &Limits,
    cfg: &Worker,
) -> Option<i64> {
    let request = soa_query_message(zone);
    let _slot = limits.dns(&ns.host, ns.port).await;
    match exchange(&request, &ns.host, ns.port, transport, cfg.serial_timeout).await {
        Ok(response) => {
            let serial = polled_serial(&response);
            if serial.is_none() {
                tracing::info!(%zone, host = %ns.host, port = ns.port, "SOA answer without an SOA record");
            }
            serial
        }
        Err(e) => {
            tracing::info!(%zone, host = %ns.host, port = ns.port, error = %e, "SOA poll failed");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::{Create, Delete, Update};
    use ReportStatus::{Error, NoZone, Success};

    fn report(answers: &Answers, action: Action, expected: i64, threshold: u32) -> Report {
        outcome(
            &tally(answers, action, expected),
            action,
            expected,
            threshold,
        )
    }

    fn r(status: ReportStatus, serial: i64, action: Action) -> Report {
        Report {
            status,
            serial,
            action,
        }
    }

    #[test]
    fn outcomes_follow_the_spec_table() {
        // (answers, action, expected serial, threshold) → report
        let cases: &[(&Answers, Action, i64, u32, Report)] = &[
            // All nameservers serve the new serial or newer: consensus = smallest.
            (
                &[Some(12), Some(10), Some(11)],
                Update,
                10,
                100,
                r(Success, 10, Update),
            ),
            (
                &[Some(12), Some(11)],
                Create,
                10,
                100,
                r(Success, 11, Create),
            ),
            // One lags behind: below 100 % → ERROR with the expected serial…
            (&[Some(10), Some(9)], Update, 10, 100, r(Error, 10, Update)),
            // …but enough at a 50 % threshold.
            (&[Some(10), Some(9)], Update, 10, 50, r(Success, 10, Update)),
            // A timeout counts against the threshold, not as "no zone".
            (&[Some(10), None], Create, 10, 100, r(Error, 10, Create)),
            (&[None, None], Update, 10, 100, r(Error, 10, Update)),
            // Nameservers without the zone: NO_ZONE, reported as a CREATE.
            (&[Some(0), Some(0)], Update, 10, 100, r(NoZone, 10, Create)),
            (&[Some(10), Some(0)], Update, 10, 100, r(NoZone, 10, Create)),
            // One of four missing is fine at 75 % for "no zone", but then
            // positives are 3/4 = 75 %: success.
            (
                &[Some(10), Some(10), Some(10), Some(0)],
                Update,
                10,
                75,
                r(Success, 10, Update),
            ),
            // DELETE: "no zone" everywhere is success, with serial 0.
            (&[Some(0), Some(0)], Delete, 0, 100, r(Success, 0, Delete)),
            // DELETE: a nameserver still serving it → ERROR, never NO_ZONE.
            (&[Some(0), Some(10)], Delete, 0, 100, r(Error, 0, Delete)),
            (&[None, Some(0)], Delete, 0, 100, r(Error, 0, Delete)),
            (&[None, Some(0)], Delete, 0, 50, r(Success, 0, Delete)),
            // No nameservers: 0 of 0 is 0 %.
            (&[], Update, 10, 100, r(NoZone, 10, Create)),
            (&[], Delete, 0, 100, r(Error, 0, Delete)),
            (&[], Update, 10, 0, r(Success, 0, Update)),
        ];
        for (answers, action, expected, threshold, want) in cases {
            assert_eq!(
                report(answers, *action, *expected, *threshold),
                *want,
                "answers {answers:?} {action} expected {expected} threshold {threshold}"
            );
        }
    }

    #[test]
    fn tally_counts_positives_and_no_zones() {
        let t = tally(&[Some(5), Some(0), None, Some(7)], Update, 5);
        assert_eq!(
            t,
            Tally {
                positives: 2,
                no_zones: 1,
                consensus: 5,
                total: 4
            }
        );
        let t = tally(&[Some(5), Some(0), None], Delete, 0);
        assert_eq!(
            t,
            Tally {
                positives: 1,
                no_zones: 1,
                consensus: 0,
                total: 3
            }
        );
    }

    #[test]
    fn threshold_is_a_percentage_of_the_total() {
        assert!(meets(2, 3, 66));
        assert!(!meets(2, 3, 67));
        assert!(meets(0, 0, 0));
        assert!(!meets(0, 0, 1));
        assert!(meets(1, 1, 100));
    }
}
