//! Three real producers sharing the shards through their Raft group: every
//! shard exactly once per interval, hand-over after `kill -9` of the leader,
//! restart with the data directory, a fresh member with an empty one.
//! Needs RabbitMQ on 127.0.0.1:5672 (guest/guest) and rabbitmqctl.

mod common;

use std::time::{Duration, Instant};

use common::{Group, Run, coverage, current_slot};

const INTERVAL_S: u32 = 1;

/// Slots in which some shard ran more than once, with the offending runs.
fn double_runs(runs: &[Run]) -> Vec<(u64, usize, Vec<Run>)> {
    coverage(runs)
        .into_iter()
        .filter_map(|(slot, counts)| {
            let shard = counts.iter().position(|c| *c > 1)?;
            let culprits = runs
                .iter()
                .filter(|r| r.slot == slot && (r.first..=r.last).contains(&(shard as u16)))
                .cloned()
                .collect();
            Some((slot, shard, culprits))
        })
        .collect()
}

/// Waits until the wall clock is in `slot`.
fn wait_for_slot(slot: u64) {
    while current_slot(INTERVAL_S) < slot {
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn three_producers_share_the_shards_and_survive_the_leader() {
    let mut group = Group::start(3, INTERVAL_S);
    group.wait_owned(3, Duration::from_secs(20));

    // 10 full intervals: every shard once in each, from the producers' logs.
    let first = current_slot(INTERVAL_S) + 2;
    wait_for_slot(first + 11);
    let runs = group.runs();
    let slots = coverage(&runs);
    for slot in first..first + 10 {
        let counts = slots
            .get(&slot)
            .unwrap_or_else(|| panic!("no runs in slot {slot}"));
        assert!(
            counts.iter().all(|c| *c == 1),
            "slot {slot}: shard counts {:?}",
            counts
                .iter()
                .enumerate()
                .filter(|(_, c)| **c != 1)
                .take(5)
                .collect::<Vec<_>>()
        );
    }
    let members: std::collections::BTreeSet<_> = runs.iter().map(|r| r.member.clone()).collect();
    assert_eq!(members.len(), 3, "all three producers ran shards");
    assert!(
        runs.iter().all(|r| r.outcome == "success"),
        "casts to the worker succeed"
    );

    // kill -9 of the Raft leader: the survivors own everything again.
    let leader = group.leader().expect("a leader");
    group.producers[leader].kill();
    let killed = Instant::now();
    let deadline = killed + Duration::from_secs(10);
    while group.owned_by_running() != Some(2) {
        assert!(
            Instant::now() < deadline,
            "survivors did not take the shards over"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let handover = killed.elapsed();
    println!(
        "hand-over after kill -9 of the leader: {} ms",
        handover.as_millis()
    );
    assert!(
        handover < Duration::from_secs(2),
        "hand-over took {handover:?}"
    );

    // The survivors cover every shard in the following intervals.
    let after = current_slot(INTERVAL_S) + 1;
    wait_for_slot(after + 3);
    let slots = coverage(&group.runs());
    for slot in after..after + 2 {
        assert!(
            slots[&slot].iter().all(|c| *c == 1),
            "slot {slot} after the hand-over"
        );
    }

    // The killed member comes back with its data directory: same node id, its log kept.
    let old = group.producers[(leader + 1) % 3].status().expect("status");
    let node_id = std::fs::read_to_string(group.producers[leader].data_dir().join("node_id"))
        .expect("node_id file");
    group.restart(leader);
    group.wait_owned(3, Duration::from_secs(15));
    let status = group.producers[leader].status().expect("status");
    assert_eq!(status["node_id"].to_string(), node_id.trim());
    assert_eq!(
        status["voters"], old["voters"],
        "no membership change for a restart"
    );

    // A member whose disk was wiped joins as a new node; its old id is removed.
    let wiped = (leader + 1) % 3;
    let old_id = group.producers[wiped].status().expect("status")["node_id"].clone();
    group.producers[wiped].stop();
    std::fs::remove_dir_all(group.producers[wiped].data_dir()).expect("wipe");
    group.restart(wiped);
    group.wait_owned(3, Duration::from_secs(15));
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let status = group.producers[(wiped + 1) % 3].status().expect("status");
        let voters: Vec<_> = status["voters"].as_array().cloned().unwrap_or_default();
        let new_id = group.producers[wiped].status().expect("status")["node_id"].clone();
        if voters.len() == 3 && voters.contains(&new_id) && !voters.contains(&old_id) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "voters {voters:?}, old {old_id}, new {new_id}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    // Retiring a producer for good: stop it, then remove it from the voters.
    let retired = (wiped + 1) % 3;
    let kept: Vec<usize> = (0..3).filter(|i| *i != retired).collect();
    let retired_id = group.producers[retired].status().expect("status")["node_id"].clone();
    group.producers[retired].stop();
    let answer = common::http_post(
        group.listen[kept[0]],
        "/group/retire",
        &format!("{{\"node_id\":{retired_id}}}"),
    );
    assert_eq!(answer.as_deref(), Some("{\"Ok\":null}"));
    let voters = group.producers[kept[1]].status().expect("status")["voters"].clone();
    let voters = voters.as_array().cloned().unwrap_or_default();
    assert!(
        voters.len() == 2 && !voters.contains(&retired_id),
        "voters {voters:?}"
    );
    let deadline = Instant::now() + Duration::from_secs(3);
    while group.owned_by(&kept) != Some(2) {
        assert!(
            Instant::now() < deadline,
            "the shards of a stopped producer did not move"
        );
        std::thread::sleep(Duration::from_millis(20));
    }

    // Through all of it, no shard ran twice in one interval.
    wait_for_slot(current_slot(INTERVAL_S) + 2);
    let doubles = double_runs(&group.runs());
    assert!(doubles.is_empty(), "shards ran twice: {doubles:?}");
}
