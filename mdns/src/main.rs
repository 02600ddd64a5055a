//! delegate-mdns: serves the zones of the database over DNS (see the crate docs).

use std::sync::Arc;

use anyhow::{Context, Result};
use clap::Parser;
use delegate_config::ConfigArgs;
use delegate_mdns::{DbSource, Handler, Server, Settings};
use delegate_runtime::shutdown_signal;

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
    let svc = delegate_runtime::start("mdns", &args.config).await?;
    let settings = Settings::from_config(&svc.config)?;
    let storage = delegate_runtime::connect_storage(&svc.config).await?;

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
    storage.close().await;
    svc.stop().await;
    Ok(())
}
