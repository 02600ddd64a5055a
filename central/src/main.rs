//! delegate-central: see the crate documentation.

use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    delegate_central::run(delegate_central::Cli::parse()).await
}
