//! delegate-worker: see the crate docs ([`delegate_worker`]).

use clap::Parser;
use delegate_config::ConfigArgs;

#[derive(Parser)]
#[command(
    name = "delegate-worker",
    version,
    about = "Delegate worker: pushes zones to the DNS backends"
)]
struct Cli {
    #[command(flatten)]
    config: ConfigArgs,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    delegate_runtime::telemetry::init("worker");
    let config = delegate_runtime::load_config(&cli.config)?;
    delegate_worker::run(config).await
}
