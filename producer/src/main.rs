//! delegate-producer: periodic jobs, sharded across producers (spec/services.md §6).
//!
//! This first version starts, serves its RPC topic, heartbeats and stops
//! cleanly on SIGTERM; the periodic tasks and the Raft group membership that
//! shards them come next.

use std::sync::Arc;

use anyhow::Result;
use clap::Parser;
use delegate_config::ConfigArgs;
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
    let handler = Arc::new(delegate_producer::rpc::ProducerEndpoint);
    service
        .bus
        .serve(
            &service.config.producer.topic,
            delegate_producer::rpc::VERSION,
            handler,
            shutdown_signal(),
        )
        .await?;
    service.stop().await;
    Ok(())
}
