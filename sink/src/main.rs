//! delegate-sink: listens for nova/neutron notifications and keeps their
//! managed records in central (spec/services.md §7).

use std::sync::Arc;

use anyhow::{Context, Result};
use clap::Parser;
use delegate_config::ConfigArgs;
use delegate_rpc::CentralClient;
use delegate_runtime::shutdown_signal;
use delegate_sink::listener::Sink;

#[derive(Parser)]
#[command(
    name = "delegate-sink",
    version,
    about = "Delegate's notification handlers"
)]
struct Args {
    #[command(flatten)]
    config: ConfigArgs,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let service = delegate_runtime::start("sink", &args.config).await?;
    let cfg = &service.config.sink;
    let handlers = Sink::handlers(cfg).context("configuration")?;
    let sink = Sink::new(handlers, CentralClient::new(service.bus.clone()));
    let targets = sink.targets();
    if targets.is_empty() {
        tracing::warn!(
            "[service:sink] enabled_notification_handlers is empty: no notifications are consumed"
        );
        shutdown_signal().await;
    } else {
        let pool = cfg.listener_pool_name.as_deref();
        service
            .bus
            .listen_notifications(&targets, pool, Arc::new(sink), shutdown_signal())
            .await
            .context("notification listener")?;
    }
    service.stop().await;
    Ok(())
}
