//! The real `openstack` CLI (python-openstackclient + python-designateclient
//! from PyPI) in a virtualenv the harness creates once under the target dir.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, Result};

use crate::platform::bin_dir;
use crate::process::run;

/// The `openstack` executable, installing it into `<target>/openstack-venv` if missing.
pub fn openstack() -> Result<PathBuf> {
    let venv = bin_dir()?.join("..").join("openstack-venv");
    let exe = venv.join("bin/openstack");
    if exe.exists() {
        return Ok(exe);
    }
    run(Command::new("python3").arg("-m").arg("venv").arg(&venv))
        .context("create the CLI virtualenv")?;
    run(Command::new(venv.join("bin/pip")).args([
        "install",
        "--quiet",
        "python-openstackclient",
        "python-designateclient",
    ]))
    .context("pip install python-openstackclient python-designateclient")?;
    Ok(exe)
}

/// Runs `openstack` against a noauth endpoint (design.md: `--os-auth-type none
/// --os-endpoint http://HOST:PORT/v2`), returning stdout.
pub fn run_openstack(api_url: &str, args: &[&str]) -> Result<String> {
    let exe = openstack()?;
    let endpoint = format!("{api_url}/v2");
    run(Command::new(exe)
        .args(["--os-auth-type", "none", "--os-endpoint", &endpoint])
        .args(args)
        .env_remove("OS_CLOUD"))
}

/// Runs `openstack` as a Keystone user: a clouds.yaml (cloud `delegate`) in
/// `dir` with password auth against `keystone_url`, the API found through
/// the catalog's `dns` endpoint; returns stdout.
pub fn run_openstack_keystone(
    dir: &std::path::Path,
    keystone_url: &str,
    user: &str,
    password: &str,
    project: &str,
    args: &[&str],
) -> Result<String> {
    let exe = openstack()?;
    let clouds = dir.join(format!("clouds-{user}-{project}.yaml"));
    std::fs::write(
        &clouds,
        format!(
            "clouds:\n  delegate:\n    auth:\n      auth_url: {keystone_url}\n      \
             username: {user}\n      password: {password}\n      project_name: {project}\n      \
             user_domain_name: Default\n      project_domain_name: Default\n    \
             region_name: RegionOne\n    interface: public\n    identity_api_version: 3\n"
        ),
    )?;
    run(Command::new(exe)
        .args(["--os-cloud", "delegate"])
        .args(args)
        .env("OS_CLIENT_CONFIG_FILE", &clouds)
        .env_remove("OS_CLOUD")
        .env_remove("OS_AUTH_URL"))
}
