//! delegate-manage: see the crate docs ([`delegate_manage`]).

use std::process::ExitCode;

use clap::Parser;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    delegate_manage::main_with(delegate_manage::Cli::parse()).await
}
