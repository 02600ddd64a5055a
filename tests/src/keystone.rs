//! A real Keystone (keystone==30.0.0 from PyPI) on loopback for tests:
//! SQLite, fernet keys, `keystone-manage bootstrap`, served by gunicorn on a
//! free port. The virtualenv is made once by `deploy/keystone/install-keystone.sh`
//! under the target directory and reused; each [`Keystone`] has its own
//! directory, database and port, and is stopped (by pid) when dropped.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use crate::platform::{bin_dir, repo_root};
use crate::process::{Proc, free_port, run};

/// The bootstrap administrator's password.
pub const ADMIN_PASSWORD: &str = "admin-secret";
/// Every user the tests create has this password.
pub const PASSWORD: &str = "user-secret";

/// A running Keystone.
pub struct Keystone {
    pub port: u16,
    /// `http://127.0.0.1:<port>/v3`.
    pub url: String,
    pub dir: PathBuf,
    venv: PathBuf,
    proc: Option<Proc>,
    http: reqwest::Client,
}

/// The virtualenv with keystone and gunicorn, installed by the project's script.
pub fn venv() -> Result<PathBuf> {
    let venv = bin_dir()?.join("..").join("keystone-venv");
    run(Command::new("bash")
        .arg(repo_root().join("deploy/keystone/install-keystone.sh"))
        .arg(&venv))
    .context("installing keystone (deploy/keystone/install-keystone.sh)")?;
    Ok(venv)
}

impl Keystone {
    /// Sets up and starts a Keystone on a free port; returns once it answers.
    pub fn start() -> Result<Keystone> {
        Keystone::start_on(free_port()?)
    }

    /// The identity URL a Keystone on `port` has (to configure the API
    /// while Keystone is still being set up).
    pub fn url_of(port: u16) -> String {
        format!("http://127.0.0.1:{port}/v3")
    }

    /// [`Keystone::start`] on a given port.
    pub fn start_on(port: u16) -> Result<Keystone> {
        let venv = venv()?;
        let id = uuid::Uuid::new_v4().simple().to_string()[..12].to_owned();
        let dir = bin_dir()?.join("keystone").join(&id);
        std::fs::create_dir_all(&dir)?;
        let url = Keystone::url_of(port);
        let conf = dir.join("keystone.conf");
        std::fs::write(
            &conf,
            format!(
                "[DEFAULT]\npublic_endpoint = http://127.0.0.1:{port}\n\
                 [database]\nconnection = sqlite:///{d}/keystone.db\n\
                 [token]\nprovider = fernet\nexpiration = 3600\n\
                 [fernet_tokens]\nkey_repository = {d}/fernet-keys\n\
                 [fernet_receipts]\nkey_repository = {d}/fernet-keys\n\
                 [credential]\nkey_repository = {d}/credential-keys\n\
                 [identity]\npassword_hash_rounds = 4\n\
                 [cache]\nenabled = false\n",
                d = dir.display()
            ),
        )?;
        // Keystone's config parser reads sys.argv; gunicorn's arguments must not reach it.
        std::fs::write(
            dir.join("keystone_wsgi.py"),
            "import sys\nsys.argv = sys.argv[:1]\nfrom keystone.wsgi.api import application  # noqa\n",
        )?;
        let manage = |args: &[&str]| {
            run(Command::new(venv.join("bin/keystone-manage"))
                .arg("--config-file")
                .arg(&conf)
                .args(args))
        };
        let user = run(Command::new("id").arg("-un"))?.trim().to_owned();
        let group = run(Command::new("id").arg("-gn"))?.trim().to_owned();
        manage(&["db_sync"])?;
        manage(&[
            "fernet_setup",
            "--keystone-user",
            &user,
            "--keystone-group",
            &group,
        ])?;
        manage(&[
            "credential_setup",
            "--keystone-user",
            &user,
            "--keystone-group",
            &group,
        ])?;
        manage(&[
            "bootstrap",
            "--bootstrap-username",
            "admin",
            "--bootstrap-password",
            ADMIN_PASSWORD,
            "--bootstrap-project-name",
            "admin",
            "--bootstrap-admin-url",
            &url,
            "--bootstrap-internal-url",
            &url,
            "--bootstrap-public-url",
            &url,
            "--bootstrap-region-id",
            "RegionOne",
        ])?;
        let mut keystone = Keystone {
            port,
            url,
            dir,
            venv,
            proc: None,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()?,
        };
        keystone.resume()?;
        Ok(keystone)
    }

    /// Starts gunicorn (again, on the same port and data after [`Keystone::pause`]).
    pub fn resume(&mut self) -> Result<()> {
        let mut cmd = Command::new(self.venv.join("bin/gunicorn"));
        cmd.args(["--workers", "1", "--bind"])
            .arg(format!("127.0.0.1:{}", self.port))
            .arg("--chdir")
            .arg(&self.dir)
            .arg("keystone_wsgi:application")
            .env("OS_KEYSTONE_CONFIG_FILES", self.dir.join("keystone.conf"));
        let log = self.dir.join("keystone.log");
        self.proc = Some(Proc::spawn("keystone", &mut cmd, &log)?);
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            let up = std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok();
            if up && run(Command::new("curl").args(["-sf", &self.url])).is_ok() {
                return Ok(());
            }
            if let Some(p) = self.proc.as_mut()
                && !p.is_running()
            {
                bail!("keystone exited; see {}", log.display());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        bail!("keystone did not answer within 60 s; see {}", log.display())
    }

    /// Stops gunicorn (the data stays), to see how the API copes.
    pub fn pause(&mut self) {
        if let Some(mut p) = self.proc.take() {
            p.stop(Duration::from_secs(10));
        }
    }

    /// A token for `user` scoped to `project` (names, Default domain).
    pub async fn project_token(&self, user: &str, password: &str, project: &str) -> Result<String> {
        self.token(
            user,
            password,
            json!({"project": {"name": project, "domain": {"id": "default"}}}),
        )
        .await
    }

    /// A system-scoped token (`{"system": {"all": true}}`).
    pub async fn system_token(&self, user: &str, password: &str) -> Result<String> {
        self.token(user, password, json!({"system": {"all": true}}))
            .await
    }

    /// A domain-scoped token for the Default domain.
    pub async fn domain_token(&self, user: &str, password: &str) -> Result<String> {
        self.token(user, password, json!({"domain": {"id": "default"}}))
            .await
    }

    async fn token(&self, user: &str, password: &str, scope: Value) -> Result<String> {
        let body = json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": user, "password": password, "domain": {"id": "default"}}}}, "scope": scope}});
        let response = self
            .http
            .post(format!("{}/auth/tokens", self.url))
            .json(&body)
            .send()
            .await?;
        if response.status() != reqwest::StatusCode::CREATED {
            bail!("token for {user}: {}", response.text().await?);
        }
        Ok(response
            .headers()
            .get("x-subject-token")
            .and_then(|v| v.to_str().ok())
            .context("no X-Subject-Token")?
            .to_owned())
    }

    /// Revokes a token.
    pub async fn revoke(&self, admin: &str, token: &str) -> Result<()> {
        let response = self
            .http
            .delete(format!("{}/auth/tokens", self.url))
            .header("X-Auth-Token", admin)
            .header("X-Subject-Token", token)
            .send()
            .await?;
        if !response.status().is_success() {
            bail!("revoke: {}", response.status());
        }
        Ok(())
    }

    /// An admin call: `POST/GET/PUT <path>` with the bootstrap admin's token.
    pub async fn admin_call(
        &self,
        admin: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value> {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.url))
            .header("X-Auth-Token", admin);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let response = req.send().await?;
        let status = response.status();
        let text = response.text().await?;
        if !status.is_success() {
            bail!("{path}: {status} {text}");
        }
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Creates a project and returns its id.
    pub async fn create_project(&self, admin: &str, name: &str) -> Result<String> {
        let v = self
            .admin_call(
                admin,
                reqwest::Method::POST,
                "/projects",
                Some(json!({"project": {"name": name, "domain_id": "default"}})),
            )
            .await?;
        v["project"]["id"]
            .as_str()
            .map(str::to_owned)
            .context("project id")
    }

    /// Creates a user with [`PASSWORD`] holding `role` on `project_id`; returns its id.
    pub async fn create_user(
        &self,
        admin: &str,
        name: &str,
        project_id: &str,
        role: &str,
    ) -> Result<String> {
        let v = self
            .admin_call(
                admin,
                reqwest::Method::POST,
                "/users",
                Some(json!({"user": {"name": name, "password": PASSWORD, "domain_id": "default"}})),
            )
            .await?;
        let user = v["user"]["id"].as_str().context("user id")?.to_owned();
        self.grant(admin, &user, project_id, role).await?;
        Ok(user)
    }

    /// Grants `role` (by name) to a user on a project.
    pub async fn grant(&self, admin: &str, user: &str, project_id: &str, role: &str) -> Result<()> {
        let roles = self
            .admin_call(
                admin,
                reqwest::Method::GET,
                &format!("/roles?name={role}"),
                None,
            )
            .await?;
        let role_id = roles["roles"][0]["id"].as_str().context("role id")?;
        self.admin_call(
            admin,
            reqwest::Method::PUT,
            &format!("/projects/{project_id}/users/{user}/roles/{role_id}"),
            None,
        )
        .await?;
        Ok(())
    }
}

impl Drop for Keystone {
    fn drop(&mut self) {
        self.pause();
    }
}
