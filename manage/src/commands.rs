//! The commands: each loads the configuration, connects to the database and
//! prints what it did.

use std::ops::DerefMut;
use std::path::Path;

use anyhow::{Context as _, anyhow, bail};
use delegate_config::Config;
use delegate_model::ids::parse_uuid;
use delegate_storage::pools::{self, PoolApplied};
use delegate_storage::{MySqlConnection, Resource, Storage, StorageError};

use crate::pools_yaml::{self, PoolConfig};
use crate::{Cli, Command, DatabaseCommand, PoolCommand};

/// Runs one command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = cli.config.load().context("cannot load the configuration")?;
    match cli.command {
        Command::Database(DatabaseCommand::Sync) => database_sync(&config).await,
        Command::Pool(PoolCommand::Update {
            file,
            dry_run,
            skip_verify_drivers,
        }) => pool_update(&config, &file, dry_run, !skip_verify_drivers).await,
        Command::Pool(PoolCommand::Show { pool_id, all_pools }) => {
            pool_show(&config, pool_id, all_pools).await
        }
        Command::Pool(PoolCommand::GenerateFile { file }) => generate_file(&config, &file).await,
    }
}

async fn connect(config: &Config) -> anyhow::Result<Storage> {
    let url = config.storage.require_url()?;
    Storage::connect(url)
        .await
        .context("cannot connect to the database")
}

/// One connection to the configured database, for the commands that only read.
async fn connection(config: &Config) -> anyhow::Result<impl DerefMut<Target = MySqlConnection>> {
    let storage = connect(config).await?;
    storage
        .pool()
        .acquire()
        .await
        .context("cannot connect to the database")
}

async fn database_sync(config: &Config) -> anyhow::Result<()> {
    let storage = connect(config).await?;
    let report = storage.migrate().await.context("database sync failed")?;
    if report.adopted_designate_schema {
        println!("Adopted the existing Designate schema.");
    }
    if report.applied.is_empty() {
        println!("Database is up to date.");
    } else {
        let versions: Vec<String> = report.applied.iter().map(i64::to_string).collect();
        println!("Applied migrations: {}", versions.join(", "));
    }
    Ok(())
}

/// `pool update`: every entry is checked (file, then database, in a
/// rolled-back pass) before the first one is written, so a bad file changes
/// nothing.
async fn pool_update(
    config: &Config,
    file: &Path,
    dry_run: bool,
    verify_drivers: bool,
) -> anyhow::Result<()> {
    let entries = pools_yaml::load(file, verify_drivers)?;
    let storage = connect(config).await?;
    println!("Updating Pools Configuration");
    println!("****************************");
    for entry in &entries {
        warn_unsupported(entry);
        apply(&storage, entry, true).await?;
    }
    if dry_run {
        println!("The following changes will occur:");
        println!("*********************************");
    }
    for entry in &entries {
        let applied = apply(&storage, entry, dry_run).await?;
        println!("{}", describe(entry, &applied));
    }
    Ok(())
}

async fn apply(
    storage: &Storage,
    entry: &PoolConfig,
    dry_run: bool,
) -> anyhow::Result<PoolApplied> {
    pools::apply_pool_config(storage.pool(), &entry.pool, dry_run)
        .await
        .with_context(|| format!("pool {:?} not updated", entry.pool.name))
}

fn warn_unsupported(entry: &PoolConfig) {
    if entry.has_catalog_zone {
        eprintln!(
            "warning: pool {:?}: catalog_zone is not supported yet; it is ignored",
            entry.pool.name
        );
    }
}

fn describe(entry: &PoolConfig, applied: &PoolApplied) -> String {
    let what = match (applied.created, applied.changed) {
        (true, _) => "Create Pool",
        (false, true) => "Update Pool",
        (false, false) => "Unchanged Pool",
    };
    format!("{what}: {} ({})", entry.pool.name, applied.id.hyphenated())
}

/// `pool show`: "Pool Configuration:" and the YAML, as `designate-manage pool show_config`.
async fn pool_show(
    config: &Config,
    pool_id: Option<String>,
    all_pools: bool,
) -> anyhow::Result<()> {
    let mut conn = connection(config).await?;
    let pools = if all_pools {
        pools::list_pools(&mut conn).await?
    } else {
        let id = match pool_id {
            Some(text) => parse_uuid(&text)
                .ok_or_else(|| anyhow!("{text:?} is not a valid pool id (UUID)"))?,
            None => config.central.default_pool_id,
        };
        match pools::get_pool(&mut conn, id).await {
            Ok(pool) => vec![pool],
            Err(StorageError::NotFound(Resource::Pool)) => bail!("Pool not found"),
            Err(e) => return Err(e.into()),
        }
    };
    println!("Pool Configuration:");
    println!("-------------------");
    for pool in &pools {
        println!("{}", pools_yaml::render_pool(pool)?);
    }
    Ok(())
}

async fn generate_file(config: &Config, file: &Path) -> anyhow::Result<()> {
    let mut conn = connection(config).await?;
    let pools = pools::list_pools(&mut conn).await?;
    let text = pools_yaml::render_pools(&pools)?;
    std::fs::write(file, text).with_context(|| format!("cannot write {}", file.display()))?;
    println!("Wrote {} pool(s) to {}", pools.len(), file.display());
    Ok(())
}
