//! delegate-mdns: serves the zones of the database over DNS (see the crate docs).

use std::sync::Arc;

use anyhow::{Context, Result};
use clap::Parser;
use delegate_config::ConfigArgs;
use delegate_mdns::{DbSource, Handler, Server, Settings};
use delegate_runtime::{connect_bus, load_config, shutdown_signal, start_heartbeat, telemetry};
use delegate_storage::Storage;

#[derive(Parser)]
#[command(
    name = "delegate-mdns",
    version,
    about = "Delegate's mini-DNS: serves zones to the pools' nameservers"
)]
struct Args {
    #[command(flatten)]
    config: ConfigArgs,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    telemetry::init("mdns");
    let config = load_config(&args.config)?;
    let settings = Settings::from_config(&config)?;
    let url = config.storage.require_url().context("configuration")?;
    let storage = Storage::connect(url)
        .await
        .context("connect to the database")?;
    let bus = connect_bus(&config).await?;
    let heartbeat = start_heartbeat(&bus, &config, "mdns");

    let handler = Arc::new(Handler::new(
        Arc::new(DbSource::new(storage.clone())),
        settings.policy,
    ));
    let server = Server::start(&settings.server, handler)
        .await
        .context("open the DNS listeners")?;
    tracing::info!(listen = ?server.local_addrs(), "serving DNS");

    shutdown_signal().await;
    server.shutdown().await;
    heartbeat.stop().await;
    bus.close().await;
    storage.close().await;
    tracing::info!("stopped");
    Ok(())
}
