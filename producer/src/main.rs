//! delegate-producer: periodic jobs, sharded across producers (spec/services.md §6).
//!
//! This first version starts, serves its RPC topic, heartbeats and stops
//! cleanly on SIGTERM; the periodic tasks and the Raft group membership that
//! shards them come next.

use std::sync::Arc;

use anyhow::Result;
use clap::Parser;
use delegate_config::ConfigArgs;
use delegate_runtime::{connect_bus, load_config, shutdown_signal, start_heartbeat, telemetry};

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
    telemetry::init("producer");
    let config = load_config(&args.config)?;
    let bus = connect_bus(&config).await?;
    let heartbeat = start_heartbeat(&bus, &config, "producer");
    let handler = Arc::new(delegate_producer::rpc::ProducerEndpoint);
    bus.serve(
        &config.producer.topic,
        delegate_producer::rpc::VERSION,
        handler,
        shutdown_signal(),
    )
    .await?;
    heartbeat.stop().await;
    bus.close().await;
    tracing::info!("stopped");
    Ok(())
}
