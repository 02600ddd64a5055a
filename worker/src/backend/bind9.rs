//! `bind9`: drives BIND 9 with `rndc` (spec/services.md §5.4). The zone is
//! added as a secondary (`type slave`) that transfers from the target's
//! masters (the mdns servers); its content arrives by AXFR after NOTIFY.
//!
//! The commands are exactly Designate's, so a BIND set up for Designate
//! works unchanged: `rndc -s <rndc_host> -p <rndc_port> [-c <rndc_config_file>]
//! [-k <rndc_key_file>] <op> <args>`, run directly (no shell), each argument
//! one argv element. BIND needs `allow-new-zones yes;` for addzone/delzone.
//!
//! Options: `rndc_host` (127.0.0.1), `rndc_port` (953), `rndc_config_file`,
//! `rndc_key_file`, `rndc_bin_path` (`rndc`), `rndc_timeout` (seconds;
//! unset or 0 = none), `view`, `clean_zonefile` (false).

use std::process::Stdio;
use std::time::Duration;

use delegate_config::{parse_bool, parse_seconds};
use delegate_model::{HostPort, PoolTarget, Zone};
use rand::seq::SliceRandom;
use tokio::process::Command;

use super::{Backend, BackendError, BackendFuture};

/// One BIND 9 server, reached with rndc.
#[derive(Debug, Clone)]
pub struct Bind9 {
    /// `rndc -s HOST -p PORT [-c FILE] [-k FILE]`.
    base: Vec<String>,
    view: Option<String>,
    clean_zonefile: bool,
    timeout: Option<Duration>,
    masters: Vec<HostPort>,
}

impl Bind9 {
    pub fn from_target(target: &PoolTarget) -> Result<Bind9, BackendError> {
        let opt = |key: &str| target.option(key).filter(|v| !v.is_empty());
        let port = opt("rndc_port").unwrap_or("953");
        let port: u16 = port.trim().parse().map_err(|_| BackendError::BadOption {
            option: "rndc_port",
            value: port.to_owned(),
            why: "expected a port number".into(),
        })?;
        let mut base = vec![
            opt("rndc_bin_path").unwrap_or("rndc").to_owned(),
            "-s".into(),
            opt("rndc_host").unwrap_or("127.0.0.1").to_owned(),
            "-p".into(),
            port.to_string(),
        ];
        if let Some(file) = opt("rndc_config_file") {
            base.extend(["-c".to_owned(), file.to_owned()]);
        }
        if let Some(file) = opt("rndc_key_file") {
            base.extend(["-k".to_owned(), file.to_owned()]);
        }
        let clean = opt("clean_zonefile").unwrap_or("false");
        let clean_zonefile = parse_bool(clean).map_err(|why| BackendError::BadOption {
            option: "clean_zonefile",
            value: clean.to_owned(),
            why,
        })?;
        let timeout = match opt("rndc_timeout") {
            None => None,
            Some(t) => Some(parse_seconds(t).map_err(|why| BackendError::BadOption {
                option: "rndc_timeout",
                value: t.to_owned(),
                why,
            })?),
        };
        Ok(Bind9 {
            base,
            view: opt("view").map(str::to_owned),
            clean_zonefile,
            timeout: timeout.filter(|t| !t.is_zero()),
            masters: target.masters.clone(),
        })
    }

    /// `in <view>`, or empty.
    fn view_clause(&self) -> String {
        self.view
            .as_ref()
            .map(|v| format!("in {v}"))
            .unwrap_or_default()
    }

    /// `<name> <view> { type slave; masters { <h> port <p>; …;}; file "slave.<name.><id>"; };`
    fn zone_config(&self, zone: &Zone, masters: &[HostPort]) -> Result<String, BackendError> {
        let name = checked_name(zone)?;
        let id = zone
            .id
            .ok_or_else(|| BackendError::BadZoneName(format!("{name} (no zone id)")))?;
        let masters: Vec<String> = masters
            .iter()
            .map(|m| format!("{} port {}", m.host, m.port))
            .collect();
        Ok(format!(
            "{} {} {{ type slave; masters {{ {};}}; file \"slave.{}{}\"; }};",
            name.trim_end_matches('.'),
            self.view_clause(),
            masters.join("; "),
            name,
            id.hyphenated()
        ))
    }

    /// The full argv of `rndc addzone`, masters in the given order.
    pub fn addzone_argv(
        &self,
        zone: &Zone,
        masters: &[HostPort],
    ) -> Result<Vec<String>, BackendError> {
        Ok(self.argv(["addzone".to_owned(), self.zone_config(zone, masters)?]))
    }

    /// The full argv of `rndc modzone`, masters in the given order.
    pub fn modzone_argv(
        &self,
        zone: &Zone,
        masters: &[HostPort],
    ) -> Result<Vec<String>, BackendError> {
        Ok(self.argv(["modzone".to_owned(), self.zone_config(zone, masters)?]))
    }

    /// The full argv of `rndc showzone`.
    pub fn showzone_argv(&self, zone: &Zone) -> Result<Vec<String>, BackendError> {
        let name = checked_name(zone)?;
        Ok(self.argv([
            "showzone".to_owned(),
            format!("{} {}", name.trim_end_matches('.'), self.view_clause()),
        ]))
    }

    /// The full argv of `rndc delzone`; `-clean` removes the zone file too.
    pub fn delzone_argv(
        &self,
        zone: &Zone,
        hard_delete: bool,
    ) -> Result<Vec<String>, BackendError> {
        let name = checked_name(zone)?;
        let target = format!("{} {}", name.trim_end_matches('.'), self.view_clause());
        if self.clean_zonefile || hard_delete {
            Ok(self.argv(["delzone".to_owned(), "-clean".to_owned(), target]))
        } else {
            Ok(self.argv(["delzone".to_owned(), target]))
        }
    }

    fn argv<const N: usize>(&self, op: [String; N]) -> Vec<String> {
        self.base.iter().cloned().chain(op).collect()
    }

    /// The masters in random order, so that secondaries spread their
    /// transfers over the mdns instances.
    fn shuffled_masters(&self) -> Vec<HostPort> {
        let mut masters = self.masters.clone();
        masters.shuffle(&mut rand::rng());
        masters
    }

    async fn add(&self, zone: &Zone) -> Result<(), BackendError> {
        let argv = self.addzone_argv(zone, &self.shuffled_masters())?;
        match run_rndc(&argv, self.timeout).await {
            Err(f) if f.output.contains("already exists") => Ok(()),
            other => other.map(drop).map_err(BackendError::from),
        }
    }

    async fn update(&self, zone: &Zone) -> Result<(), BackendError> {
        let shown = match run_rndc(&self.showzone_argv(zone)?, self.timeout).await {
            Err(f) if f.output.contains("not found") => return self.add(zone).await,
            other => other?,
        };
        // The zone exists: refresh its masters. Delegate skips the modzone
        // when BIND already transfers from exactly these masters (Designate
        // always runs it): modzone takes BIND's exclusive lock and rewrites
        // its zone database, for every recordset change otherwise.
        if same_masters(&shown, &self.masters) {
            return Ok(());
        }
        let argv = self.modzone_argv(zone, &self.shuffled_masters())?;
        if let Err(f) = run_rndc(&argv, self.timeout).await {
            tracing::warn!(zone = %zone.name, error = %f.message, "rndc modzone failed");
        }
        Ok(())
    }

    async fn delete(&self, zone: &Zone, hard_delete: bool) -> Result<(), BackendError> {
        match run_rndc(&self.delzone_argv(zone, hard_delete)?, self.timeout).await {
            Err(f) if f.output.contains("not found") => Ok(()),
            other => other.map(drop).map_err(BackendError::from),
        }
    }
}

impl Backend for Bind9 {
    fn create_zone<'a>(&'a self, zone: &'a Zone) -> BackendFuture<'a> {
        Box::pin(self.add(zone))
    }

    fn update_zone<'a>(&'a self, zone: &'a Zone) -> BackendFuture<'a> {
        Box::pin(self.update(zone))
    }

    fn delete_zone<'a>(&'a self, zone: &'a Zone, hard_delete: bool) -> BackendFuture<'a> {
        Box::pin(self.delete(zone, hard_delete))
    }
}

/// The zone name, refused if it could break out of the zone statement that
/// named parses from the rndc arguments (zone names are validated by central;
/// this guards the config syntax all the same).
fn checked_name(zone: &Zone) -> Result<&str, BackendError> {
    let name = zone.name.as_str();
    let safe = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'*' | b'/'));
    if safe {
        Ok(name)
    } else {
        Err(BackendError::BadZoneName(name.to_owned()))
    }
}

/// True when `rndc showzone` output names exactly `masters` (as a set) in
/// its `primaries { … }` (9.18) or `masters { … }` (older) clause.
fn same_masters(showzone: &str, masters: &[HostPort]) -> bool {
    let Some(start) = ["primaries {", "masters {"]
        .iter()
        .find_map(|clause| showzone.find(clause).map(|at| at + clause.len()))
    else {
        return false;
    };
    let Some(len) = showzone[start..].find('}') else {
        return false;
    };
    let mut shown: Vec<String> = showzone[start..start + len]
        .split(';')
        .map(|m| m.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|m| !m.is_empty())
        .collect();
    let mut wanted: Vec<String> = masters
        .iter()
        .map(|m| format!("{} port {}", m.host, m.port))
        .collect();
    shown.sort();
    wanted.sort();
    shown == wanted
}

/// A failed rndc run.
#[derive(Debug)]
struct RndcFailure {
    /// What rndc printed (stderr, then stdout); matched for "already exists" / "not found".
    output: String,
    /// The whole story, for logs and errors.
    message: String,
    /// rndc did not run, timed out, or could not reach named.
    unreachable: bool,
}

impl RndcFailure {
    fn not_run(message: String) -> Self {
        RndcFailure {
            output: String::new(),
            message,
            unreachable: true,
        }
    }
}

/// What rndc prints when it cannot talk to named (as opposed to named
/// refusing the command).
const UNREACHABLE: &[&str] = &[
    "connect failed",
    "connection refused",
    "timed out",
    "end of file",
    "connection reset",
    "shutting down",
];

impl From<RndcFailure> for BackendError {
    fn from(f: RndcFailure) -> Self {
        if f.unreachable {
            BackendError::Unreachable(f.message)
        } else {
            BackendError::Command(f.message)
        }
    }
}

/// Runs rndc; its standard output on success.
async fn run_rndc(argv: &[String], timeout: Option<Duration>) -> Result<String, RndcFailure> {
    let Some((program, args)) = argv.split_first() else {
        return Err(RndcFailure::not_run("empty rndc command".into()));
    };
    tracing::debug!(?argv, ?timeout, "running rndc");
    let mut cmd = Command::new(program);
    cmd.args(args).stdin(Stdio::null()).kill_on_drop(true);
    let run = cmd.output();
    let output = match timeout {
        Some(t) => tokio::time::timeout(t, run).await.map_err(|_| {
            RndcFailure::not_run(format!(
                "{program} {}: timed out after {t:?}",
                args.join(" ")
            ))
        })?,
        None => run.await,
    }
    .map_err(|e| RndcFailure::not_run(format!("cannot run {program}: {e}")))?;
    if output.status.success() {
        return Ok(String::from_utf8_lossy(&output.stdout).into_owned());
    }
    let printed = format!(
        "{} {}",
        String::from_utf8_lossy(&output.stderr).trim(),
        String::from_utf8_lossy(&output.stdout).trim()
    );
    let message = format!(
        "{program} {} failed ({}): {}",
        args.join(" "),
        output.status,
        printed.trim()
    );
    let lower = printed.to_ascii_lowercase();
    Err(RndcFailure {
        unreachable: UNREACHABLE.iter().any(|u| lower.contains(u)),
        output: printed,
        message,
    })
}

#[cfg(test)]
#[path = "bind9_tests.rs"]
mod tests;
