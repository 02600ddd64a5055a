//! A producer cut off from the other two (TCP proxies between the Raft
//! peers): it stops running sharded tasks within one lease, the other two
//! take its shards, and after healing it rejoins; no shard runs twice in an
//! interval. Needs RabbitMQ on 127.0.0.1:5672 and rabbitmqctl.

mod common;

use std::time::{Duration, Instant};

use common::{Group, coverage, current_slot};

const INTERVAL_S: u32 = 1;
const LEASE: Duration = Duration::from_secs(1);

#[test]
fn a_partitioned_producer_stops_and_the_majority_takes_over() {
    let group = Group::start_with(3, INTERVAL_S, true);
    group.wait_owned(3, Duration::from_secs(20));
    let proxies = group.proxies.clone().expect("proxied group");

    // Cut off the leader: the hardest case, it must notice it lost the quorum.
    let cut = group.leader().expect("a leader");
    let others: Vec<usize> = (0..3).filter(|i| *i != cut).collect();
    proxies.cut(cut, group.listen[cut].ip());
    let at = Instant::now();

    // It holds no lease (and so runs nothing) within one lease.
    let deadline = at + Duration::from_secs(5);
    loop {
        let status = group.producers[cut]
            .status()
            .expect("status of the cut producer");
        if status["owned"].is_null() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the cut producer still holds {}",
            status["owned"]
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let stopped = at.elapsed();
    println!("cut-off producer stopped after {} ms", stopped.as_millis());
    // Its last renewal was sent before the cut: the lease ends within LEASE
    // of it (plus this loop's polling).
    assert!(
        stopped <= LEASE + Duration::from_millis(250),
        "stopped after {stopped:?}"
    );

    // The majority owns everything.
    let deadline = at + Duration::from_secs(10);
    while group.owned_by(&others) != Some(2) {
        assert!(Instant::now() < deadline, "the majority did not take over");
        std::thread::sleep(Duration::from_millis(20));
    }
    println!("majority took over after {} ms", at.elapsed().as_millis());

    // A few intervals apart, then heal: it rejoins.
    let slot = current_slot(INTERVAL_S);
    while current_slot(INTERVAL_S) < slot + 3 {
        std::thread::sleep(Duration::from_millis(50));
    }
    let cut_member = group.producers[cut].status().expect("status")["member"].clone();
    let isolated_runs = group.producers[cut]
        .runs()
        .into_iter()
        .filter(|r| r.slot > slot && Some(r.member.as_str()) == cut_member.as_str())
        .count();
    assert_eq!(isolated_runs, 0, "the cut producer ran tasks while cut off");
    proxies.heal();
    group.wait_owned(3, Duration::from_secs(15));

    let end = current_slot(INTERVAL_S) + 2;
    while current_slot(INTERVAL_S) < end {
        std::thread::sleep(Duration::from_millis(50));
    }
    let slots = coverage(&group.runs());
    let doubles: Vec<_> = slots
        .iter()
        .filter(|(_, counts)| counts.iter().any(|c| *c > 1))
        .map(|(slot, _)| *slot)
        .collect();
    assert!(doubles.is_empty(), "shards ran twice in slots {doubles:?}");
}
