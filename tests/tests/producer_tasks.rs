//! The producer's service-status tasks on a whole platform (spec/services.md
//! §6.2, §9): a silent service is marked DOWN, STOPPED rows and long-DOWN
//! rows are deleted, live services stay UP.

use std::time::Duration;

use anyhow::{Result, ensure};
use delegate_tests::dns::wait_until;
use delegate_tests::{Platform, PlatformOptions};

#[test]
fn service_statuses_are_aged_by_the_producer() -> Result<()> {
    let extra = "[producer_task:periodic_check_service_status]\ninterval = 1\ntime_threshold = 600\n\
                 [producer_task:periodic_cleanup_stopped_service_status]\ninterval = 1\n\
                 time_threshold = 7200\n";
    let p = Platform::start(PlatformOptions {
        extra_config: extra.into(),
    })?;
    let row = |host: &str, status: &str, age_s: u32| {
        format!(
            "INSERT INTO service_statuses (id, created_at, service_name, hostname, heartbeated_at, \
             status, stats, capabilities) VALUES (REPLACE(UUID(), '-', ''), NOW(), 'worker', '{host}', \
             UTC_TIMESTAMP() - INTERVAL {age_s} SECOND, '{status}', '{{}}', '{{}}');"
        )
    };
    p.sql(
        &[
            row("silent", "UP", 3600),
            row("quitter", "STOPPED", 10),
            row("long-dead", "DOWN", 3 * 3600),
            row("just-down", "DOWN", 60),
        ]
        .concat(),
    )?;
    let statuses = || {
        p.sql("SELECT hostname, status FROM service_statuses WHERE service_name = 'worker' ORDER BY hostname")
            .unwrap_or_default()
    };
    // A call sent before central declared its queue is lost and times out
    // (rpc_response_timeout 20 s): the first runs may end that way.
    let aged = wait_until(Duration::from_secs(45), || {
        let s = statuses();
        s.contains("silent\tDOWN") && !s.contains("quitter") && !s.contains("long-dead")
    });
    ensure!(
        aged.is_some(),
        "statuses not aged:\n{}\nproducer log:\n{}",
        statuses(),
        p.log_tail("producer", 20)
    );
    let s = statuses();
    ensure!(
        s.contains("just-down\tDOWN"),
        "a recent DOWN row stays: {s}"
    );
    let live = p.sql("SELECT DISTINCT status FROM service_statuses WHERE hostname LIKE 'e2e-%'")?;
    ensure!(live.trim() == "UP", "live services stay UP: {live}");
    Ok(())
}
