//! delegate-producer: periodic jobs, sharded across producers (spec/services.md §6).
//!
//! Starts the coordination (alone, or as a member of the Raft group of
//! `[service:producer] raft_peers`), a loop per enabled task, serves its RPC
//! topic and heartbeats; on SIGTERM it leaves the group so that its shards
//! move at once.

use std::sync::Arc;

use anyhow::Result;
use clap::Parser;
use delegate_config::{ConfigArgs, PRODUCER_TASK_NAMES};
use delegate_producer::runner::{self, Counters};
use delegate_producer::tasks::{IMPLEMENTED, Notifier, Tasks};
use delegate_rpc::{CentralClient, WorkerClient};
use delegate_runtime::shutdown_signal;

#[derive(Parser)]
#[command(
    name = "delegate-producer",
    version,
    about = "Delegate's periodic jobs"
)]
struct Args {
    #[command(flatten)]
    config: ConfigArgs,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let service = delegate_runtime::start("producer", &args.config).await?;
    let config = &service.config;
    let counters = Arc::new(Counters::default());
    let (coordination, member) = delegate_producer::coordinate(config, counters.clone()).await?;
    let mut loops = member.as_ref().map(|m| m.spawn_loops()).unwrap_or_default();

    let enabled: Vec<&'static str> = PRODUCER_TASK_NAMES
        .iter()
        .copied()
        .filter(|t| config.producer.is_enabled(t))
        .collect();
    if enabled.is_empty() {
        anyhow::bail!("[service:producer] enabled_tasks names no task (unset it to run them all)");
    }
    let (run, missing): (Vec<&'static str>, Vec<&'static str>) =
        enabled.iter().partition(|t| IMPLEMENTED.contains(t));
    if !missing.is_empty() {
        tracing::warn!(tasks = ?missing, "periodic tasks not implemented yet: not run");
    }
    let notifier = config.notifications.enabled().then(|| Notifier {
        bus: service.bus.clone(),
        topics: config.notifications.topics.clone(),
        publisher_id: format!("producer.{}", config.default.host),
    });
    let tasks = Arc::new(Tasks::new(
        CentralClient::new(service.bus.clone()),
        WorkerClient::new(service.bus.clone()),
        notifier,
        config.producer.tasks.clone(),
    ));
    loops.extend(runner::spawn(&run, tasks, coordination, counters));

    let handler = Arc::new(delegate_producer::rpc::ProducerEndpoint);
    service
        .bus
        .serve(
            &config.producer.topic,
            delegate_producer::rpc::VERSION,
            handler,
            shutdown_signal(),
        )
        .await?;
    for l in &loops {
        l.abort();
    }
    if let Some(member) = member {
        member.leave().await;
    }
    service.stop().await;
    Ok(())
}
