//! `delegate-manage`: the operator's command line (spec/config.md §10).
//!
//! | command | does |
//! |---|---|
//! | `database sync` | brings the schema up to date (adopting a Designate database) |
//! | `pool update [--file F] [--dry-run] [--skip-verify-drivers]` | creates/updates the pools of a pools.yaml |
//! | `pool show [--pool-id ID] [--all-pools]` | prints pools as YAML |
//! | `pool generate-file [--file F]` | writes every pool as a pools.yaml |
//!
//! Designate's spellings (`show_config`, `generate_file`, `--pool_id`,
//! `--dry_run`, …) are accepted too, so operators' scripts keep working.
//!
//! Unlike `designate-manage`, which goes through central over RPC, these
//! commands talk to the database directly: pools are configuration, and an
//! operator can set them up before any service runs. Known gap: Designate's
//! `pool update` also rewrites the apex NS records and masters of the zones
//! already in an updated pool (through central); Delegate does not yet.

pub mod commands;
pub mod pools_yaml;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use delegate_config::ConfigArgs;

/// The default pools.yaml path.
pub const DEFAULT_POOLS_FILE: &str = "/etc/delegate/pools.yaml";

#[derive(Debug, Parser)]
#[command(
    name = "delegate-manage",
    version,
    about = "Manage a Delegate installation"
)]
pub struct Cli {
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Database schema.
    #[command(subcommand)]
    Database(DatabaseCommand),
    /// Pools (pools.yaml).
    #[command(subcommand)]
    Pool(PoolCommand),
}

#[derive(Debug, Subcommand)]
pub enum DatabaseCommand {
    /// Upgrade the schema to the latest version.
    Sync,
}

#[derive(Debug, Subcommand)]
pub enum PoolCommand {
    /// Create or update the pools described in a pools.yaml file.
    Update {
        #[arg(long, default_value = DEFAULT_POOLS_FILE)]
        file: PathBuf,
        /// Print what would change, change nothing.
        #[arg(long, alias = "dry_run")]
        dry_run: bool,
        /// Accept backend types this worker cannot drive.
        #[arg(long, alias = "skip_verify_drivers")]
        skip_verify_drivers: bool,
    },
    /// Print a pool's configuration as YAML.
    #[command(alias = "show_config", alias = "show-config")]
    Show {
        /// Default: `[service:central] default_pool_id`.
        #[arg(long, alias = "pool_id")]
        pool_id: Option<String>,
        #[arg(long, alias = "all_pools", conflicts_with = "pool_id")]
        all_pools: bool,
    },
    /// Write every pool to a pools.yaml file.
    #[command(alias = "generate_file")]
    GenerateFile {
        #[arg(long, default_value = DEFAULT_POOLS_FILE)]
        file: PathBuf,
    },
}

/// Runs the command line; errors are printed, with exit status 1.
pub async fn main_with(cli: Cli) -> ExitCode {
    match commands::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", describe(&e));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes on one line, leaving out a cause whose text the
/// line already holds (many errors repeat their source in their message).
fn describe(e: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line
}
