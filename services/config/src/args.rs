//! The `--config-file` command-line option every binary shares.

use std::path::{Path, PathBuf};

use crate::{Config, ConfigError};

/// Used when no `--config-file` is given, if it exists.
pub const DEFAULT_CONFIG_FILE: &str = "/etc/delegate/delegate.conf";

/// `--config-file PATH`, repeatable; binaries `#[command(flatten)]` it.
#[derive(Debug, Clone, Default, PartialEq, Eq, clap::Args)]
pub struct ConfigArgs {
    /// Configuration file (designate.conf's INI format). Repeat to layer files:
    /// later ones override earlier ones. Default: /etc/delegate/delegate.conf
    /// if it exists. DELEGATE_{SECTION}__{OPTION} environment variables
    /// override every file.
    #[arg(long = "config-file", value_name = "PATH")]
    pub config_file: Vec<PathBuf>,
}

impl ConfigArgs {
    /// The files to read: those given, else the default file if it exists, else none.
    pub fn paths(&self) -> Vec<PathBuf> {
        if !self.config_file.is_empty() {
            return self.config_file.clone();
        }
        let default = Path::new(DEFAULT_CONFIG_FILE);
        if default.is_file() {
            vec![default.to_path_buf()]
        } else {
            Vec::new()
        }
    }

    /// Loads the configuration from [`ConfigArgs::paths`] and the environment.
    pub fn load(&self) -> Result<Config, ConfigError> {
        Config::load(&self.paths())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        config: ConfigArgs,
    }

    #[test]
    fn config_file_repeats_in_order() {
        let cli = Cli::parse_from(["x", "--config-file", "/a.conf", "--config-file=/b.conf"]);
        assert_eq!(
            cli.config.paths(),
            vec![PathBuf::from("/a.conf"), PathBuf::from("/b.conf")]
        );
    }

    #[test]
    fn no_config_file_uses_the_default_only_if_present() {
        let cli = Cli::parse_from(["x"]);
        let expected: Vec<PathBuf> = if Path::new(DEFAULT_CONFIG_FILE).is_file() {
            vec![DEFAULT_CONFIG_FILE.into()]
        } else {
            Vec::new()
        };
        assert_eq!(cli.config.paths(), expected);
    }
}
