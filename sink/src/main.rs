//! delegate-sink: turns nova/neutron notifications into records
//! (spec/services.md §7).
//!
//! This first version starts, connects, heartbeats and stops cleanly on
//! SIGTERM; the notification handlers come next.

use anyhow::Result;
use clap::Parser;
use delegate_config::ConfigArgs;
use delegate_runtime::shutdown_signal;

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
    let handlers = &service.config.sink.enabled_notification_handlers;
    if handlers.is_empty() {
        tracing::warn!(
            "[service:sink] enabled_notification_handlers is empty: no notifications are consumed"
        );
    } else {
        tracing::warn!(
            ?handlers,
            "notification handlers are not implemented yet: nothing is consumed"
        );
    }
    shutdown_signal().await;
    service.stop().await;
    Ok(())
}
