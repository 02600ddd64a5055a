//! delegate-mdns: serves the zones of the database over DNS (see the crate docs).

use std::sync::Arc;

use anyhow::{Context, Result};
use clap::Parser;
use delegate_config::ConfigArgs;
use delegate_mdns::{DbSource, Handler, Server, Settings};
use delegate_runtime::shutdown_signal;
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
    let svc = delegate_runtime::start("mdns", &args.config).await?;
    let settings = Settings::from_config(&svc.config)?;
    let url = svc.config.storage.require_url().context("configuration")?;
    let storage = Storage::connect(url)
        .await
        .context("connect to the database")?;

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
