//! Errors of configuration loading. Every message names where the bad value
//! came from (file and line, or environment variable), the section and the
//! option, so an operator can fix it without reading code.

use std::fmt;
use std::path::PathBuf;

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Origin {
    /// A line of a configuration file.
    File { path: PathBuf, line: usize },
    /// An environment variable (`DELEGATE_<SECTION>__<OPTION>`).
    Env { var: String },
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File { path, line } => write!(f, "{}:{line}", path.display()),
            Origin::Env { var } => write!(f, "environment {var}"),
        }
    }
}

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{}:{line}: {message}", path.display())]
    Syntax {
        path: PathBuf,
        line: usize,
        message: String,
    },

    /// A value that does not parse as its option's type.
    #[error("{0}")]
    BadValue(Box<BadValue>),

    #[error("environment variable {var} is not valid UTF-8")]
    EnvNotUnicode { var: String },

    /// A required option that is set nowhere.
    #[error("[{section}] {option} is not set (set it in the config file or in {env})")]
    Missing {
        section: String,
        option: String,
        env: String,
    },

    /// Options that are each valid but contradict each other.
    #[error("{0}")]
    Inconsistent(String),
}

/// A value that does not parse as its option's type; displays as e.g.
/// `/etc/delegate/delegate.conf:12: [service:worker] poll_retry_interval = "abc": expected a number of seconds`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{origin}: [{section}] {option} = {value:?}: expected {expected}")]
pub struct BadValue {
    pub origin: Origin,
    pub section: String,
    pub option: String,
    pub value: String,
    /// Completes "expected …", e.g. "a number of seconds".
    pub expected: String,
}
