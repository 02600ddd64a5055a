//! Hand-over time of the producer group: 3 producers (lease 1 s), `kill -9`
//! of the Raft leader, time until the two survivors hold leases covering all
//! 4096 shards; the killed one is restarted with its data directory before
//! the next round. Prints p50 and max over the rounds (`ROUNDS`, default 10).
//! Needs RabbitMQ on 127.0.0.1:5672 and rabbitmqctl.
//!
//! `cargo bench --profile dev -p delegate-producer --bench handover` measures
//! the debug build without a release build (hand-over is timer-bound, not
//! CPU-bound). Measured here that way: p50 1548 ms, max 1611 ms, 10 rounds.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::Group;

fn main() {
    let rounds: usize = std::env::var("ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(10);
    let mut group = Group::start(3, 1);
    group.wait_owned(3, Duration::from_secs(30));
    let mut times = Vec::new();
    for round in 1..=rounds {
        let Some(leader) = group.leader() else {
            eprintln!("round {round}: no leader");
            std::process::exit(1);
        };
        group.producers[leader].kill();
        let killed = Instant::now();
        while group.owned_by_running() != Some(2) {
            if killed.elapsed() > Duration::from_secs(30) {
                eprintln!("round {round}: no hand-over within 30 s");
                std::process::exit(1);
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let took = killed.elapsed();
        println!("round {round}: hand-over {} ms", took.as_millis());
        times.push(took);
        group.restart(leader);
        group.wait_owned(3, Duration::from_secs(30));
    }
    times.sort();
    let p50 = times[times.len() / 2];
    let max = times[times.len() - 1];
    println!(
        "hand-over after kill -9 of the leader, {rounds} rounds: p50 {} ms, max {} ms",
        p50.as_millis(),
        max.as_millis()
    );
}
