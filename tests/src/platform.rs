//! A whole platform on loopback, isolated per run: its own database, RabbitMQ
//! vhost and `control_exchange`, BIND 9 and ports.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::process::{Proc, free_port, run};

/// The services started, in start order (stopped in reverse).
const SERVICES: &[&str] = &["central", "worker", "mdns", "producer", "sink", "api"];

/// What to start.
#[derive(Debug, Clone, Default)]
pub struct PlatformOptions {
    /// Extra lines appended to the generated delegate.conf.
    pub extra_config: String,
    /// Instances of central (at least one).
    pub centrals: usize,
    /// Instances of the worker (at least one).
    pub workers: usize,
}

impl PlatformOptions {
    fn instances(&self, service: &str) -> usize {
        match service {
            "central" => self.centrals.max(1),
            "worker" => self.workers.max(1),
            _ => 1,
        }
    }
}

/// A running platform. Dropping it stops every process it started and removes
/// its database and vhost; logs stay in [`Platform::dir`].
pub struct Platform {
    pub id: String,
    pub dir: PathBuf,
    pub api_url: String,
    pub api_port: u16,
    pub mdns_port: u16,
    pub bind_port: u16,
    pub rndc_port: u16,
    pub database: String,
    pub vhost: String,
    pub config_file: PathBuf,
    procs: Vec<Proc>,
    bind_pid: Option<u32>,
}

/// Where the built binaries are: `$DELEGATE_BIN_DIR`, else the cargo profile
/// directory the running executable was built into.
pub fn bin_dir() -> Result<PathBuf> {
    if let Ok(dir) = std::env::var("DELEGATE_BIN_DIR") {
        return Ok(PathBuf::from(dir));
    }
    let exe = std::env::current_exe()?;
    let mut dir = exe
        .parent()
        .context("executable has no directory")?
        .to_path_buf();
    if dir.ends_with("deps") {
        dir.pop();
    }
    Ok(dir)
}

/// The repository root (for `deploy/` scripts).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

impl Platform {
    /// Starts everything and waits until the API answers and central and the
    /// worker have sent their first heartbeat.
    pub fn start(opts: PlatformOptions) -> Result<Platform> {
        let id = uuid::Uuid::new_v4().simple().to_string()[..12].to_owned();
        let bins = bin_dir()?;
        let dir = bins.join("e2e").join(&id);
        std::fs::create_dir_all(&dir)?;
        let mut p = Platform {
            api_port: free_port()?,
            mdns_port: free_port()?,
            bind_port: free_port()?,
            rndc_port: free_port()?,
            api_url: String::new(),
            database: format!("delegate_e2e_{id}"),
            vhost: format!("delegate_e2e_{id}"),
            config_file: dir.join("delegate.conf"),
            dir,
            id,
            procs: Vec::new(),
            bind_pid: None,
        };
        p.api_url = format!("http://127.0.0.1:{}", p.api_port);
        p.create_backing_stores()?;
        p.start_bind()?;
        p.write_config(&opts)?;
        p.manage(&["database", "sync"])?;
        let pools = p.dir.join("pools.yaml").display().to_string();
        p.manage(&["pool", "update", "--file", &pools])?;
        for service in SERVICES {
            for instance in 1..=opts.instances(service) {
                p.spawn(service, instance, &bins)?;
            }
        }
        p.wait_ready(Duration::from_secs(60))?;
        Ok(p)
    }

    fn create_backing_stores(&self) -> Result<()> {
        mysql(&format!(
            "CREATE DATABASE {} CHARACTER SET utf8mb3",
            self.database
        ))?;
        run(Command::new("rabbitmqctl").args(["-q", "add_vhost", &self.vhost]))?;
        run(Command::new("rabbitmqctl").args([
            "-q",
            "set_permissions",
            "-p",
            &self.vhost,
            "guest",
            ".*",
            ".*",
            ".*",
        ]))?;
        Ok(())
    }

    fn start_bind(&mut self) -> Result<()> {
        let script = repo_root().join("deploy/bind/start-bind.sh");
        let bind_dir = self.dir.join("bind");
        run(Command::new("bash")
            .arg(script)
            .arg(&bind_dir)
            .arg(self.bind_port.to_string())
            .arg(self.rndc_port.to_string()))?;
        let pid = std::fs::read_to_string(bind_dir.join("named.pid"))?;
        self.bind_pid = Some(pid.trim().parse().context("named.pid")?);
        Ok(())
    }

    fn write_config(&self, opts: &PlatformOptions) -> Result<()> {
        let conf = format!(
            "[DEFAULT]\nhost = e2e-{id}\ntransport_url = rabbit://guest:guest@127.0.0.1:5672/{vhost}\n\
             control_exchange = delegate_e2e_{id}\nrpc_response_timeout = 20\n\n\
             [storage:sqlalchemy]\nconnection = mysql://root@127.0.0.1:3306/{db}\n\n\
             [service:api]\nlisten = 127.0.0.1:{api}\nauth_strategy = noauth\n\n\
             [service:mdns]\nlisten = 127.0.0.1:{mdns}\n\n\
             [heartbeat_emitter]\nheartbeat_interval = 2\n\n{extra}\n",
            id = self.id,
            vhost = self.vhost,
            db = self.database,
            api = self.api_port,
            mdns = self.mdns_port,
            extra = opts.extra_config,
        );
        std::fs::write(&self.config_file, conf)?;
        std::fs::write(self.dir.join("pools.yaml"), self.pools_yaml()?)?;
        Ok(())
    }

    /// deploy/pools.yaml.in with this platform's ports: the same pool an
    /// operator gets from deploy/platform.sh.
    fn pools_yaml(&self) -> Result<String> {
        let template = std::fs::read_to_string(repo_root().join("deploy/pools.yaml.in"))?;
        Ok(template
            .replace("@BIND_PORT@", &self.bind_port.to_string())
            .replace("@MDNS_PORT@", &self.mdns_port.to_string())
            .replace("@RNDC_PORT@", &self.rndc_port.to_string())
            .replace(
                "@RNDC_CONF@",
                &self.dir.join("bind/rndc.conf").display().to_string(),
            ))
    }

    /// Runs `delegate-manage` with this platform's config.
    pub fn manage(&self, args: &[&str]) -> Result<String> {
        let bin = bin_dir()?.join("delegate-manage");
        run(Command::new(bin)
            .arg("--config-file")
            .arg(&self.config_file)
            .args(args))
    }

    /// Starts instance `instance` (1-based) of `service`; instances after the
    /// first get their own host name and log (`worker-2.log`).
    fn spawn(&mut self, service: &str, instance: usize, bins: &Path) -> Result<()> {
        let bin = bins.join(format!("delegate-{service}"));
        let name = match instance {
            1 => service.to_owned(),
            n => format!("{service}-{n}"),
        };
        let log = self.dir.join(format!("{name}.log"));
        let mut cmd = Command::new(&bin);
        cmd.arg("--config-file")
            .arg(&self.config_file)
            .env("RUST_LOG", "info,lapin=error");
        if instance > 1 {
            cmd.env(
                "DELEGATE_DEFAULT__HOST",
                format!("e2e-{}-{instance}", self.id),
            );
        }
        self.procs.push(Proc::spawn(&name, &mut cmd, &log)?);
        Ok(())
    }

    /// Appends lines to delegate.conf: instances started afterwards read
    /// them (e.g. `[handler:nova_fixed] zone_id` once the zone exists).
    pub fn add_config(&self, text: &str) -> Result<()> {
        use std::io::Write;
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&self.config_file)?;
        writeln!(file, "\n{text}")?;
        Ok(())
    }

    /// Starts one more instance of `service` (`sink-2`, `sink-3`, …, or the
    /// name of an instance killed before); returns its name.
    pub fn start_instance(&mut self, service: &str) -> Result<String> {
        let running = |name: &str| self.procs.iter().any(|p| p.name == name);
        let instance = (2..)
            .find(|n| !running(&format!("{service}-{n}")))
            .context("instance numbers exhausted")?;
        self.spawn(service, instance, &bin_dir()?)?;
        Ok(format!("{service}-{instance}"))
    }

    /// SIGKILLs an instance started by this platform (no clean stop: what it
    /// held unacknowledged goes back to its queue) and waits until it is gone.
    pub fn kill_instance(&mut self, name: &str) -> Result<()> {
        let at = self
            .procs
            .iter()
            .position(|p| p.name == name)
            .with_context(|| format!("no instance named {name}"))?;
        let mut proc = self.procs.remove(at);
        crate::process::signal(proc.pid(), "KILL");
        let deadline = Instant::now() + Duration::from_secs(10);
        while proc.is_running() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(())
    }

    /// Stops BIND (SIGTERM) and waits until it is gone.
    pub fn stop_bind(&mut self) -> Result<()> {
        let pid = self.bind_pid.take().context("BIND is not running")?;
        crate::process::signal(pid, "TERM");
        let deadline = Instant::now() + Duration::from_secs(10);
        while Path::new(&format!("/proc/{pid}")).exists() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(())
    }

    /// Starts BIND again on the same directory and ports: the zones added
    /// with rndc come back from its zone database.
    pub fn restart_bind(&mut self) -> Result<()> {
        let bind_dir = self.dir.join("bind");
        let conf = bind_dir.join("named.conf");
        run(Command::new("named").arg("-c").arg(&conf).arg("-4"))?;
        let deadline = Instant::now() + Duration::from_secs(10);
        let pid_file = bind_dir.join("named.pid");
        while Instant::now() < deadline {
            if let Ok(pid) = std::fs::read_to_string(&pid_file)
                && let Ok(pid) = pid.trim().parse::<u32>()
                && Path::new(&format!("/proc/{pid}")).exists()
            {
                self.bind_pid = Some(pid);
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        bail!("BIND did not start again; see {}", bind_dir.display())
    }

    fn wait_ready(&mut self, limit: Duration) -> Result<()> {
        let deadline = Instant::now() + limit;
        let sql = format!(
            "SELECT COUNT(DISTINCT service_name) FROM {}.service_statuses WHERE status = 'UP' AND service_name IN ('central','worker','mdns','api')",
            self.database
        );
        while Instant::now() < deadline {
            if let Some(dead) = self
                .procs
                .iter_mut()
                .find_map(|p| (!p.is_running()).then_some(p))
            {
                bail!(
                    "{} exited during start-up; see {}",
                    dead.name,
                    self.dir.join(format!("{}.log", dead.name)).display()
                );
            }
            if mysql(&sql).map(|n| n.trim() == "4").unwrap_or(false) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        bail!(
            "platform not ready after {limit:?}; logs in {}",
            self.dir.display()
        )
    }

    /// Stops every service with SIGTERM; returns the names of those that did not
    /// exit cleanly (status 0) within the grace period.
    pub fn stop_services(&mut self) -> Vec<String> {
        let mut unclean = Vec::new();
        while let Some(mut p) = self.procs.pop() {
            match p.stop(Duration::from_secs(10)) {
                Some(status) if status.success() => {}
                _ => unclean.push(p.name.clone()),
            }
        }
        unclean
    }

    /// The last lines of a service's log, for failure messages.
    pub fn log_tail(&self, service: &str, lines: usize) -> String {
        let text =
            std::fs::read_to_string(self.dir.join(format!("{service}.log"))).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    /// Runs a SQL statement against this platform's database.
    pub fn sql(&self, statement: &str) -> Result<String> {
        mysql(&format!("USE {}; {statement}", self.database))
    }
}

impl Drop for Platform {
    fn drop(&mut self) {
        self.stop_services();
        if let Some(pid) = self.bind_pid.take() {
            crate::process::signal(pid, "TERM");
        }
        let _ = mysql(&format!("DROP DATABASE IF EXISTS {}", self.database));
        let _ = run(Command::new("rabbitmqctl").args(["-q", "delete_vhost", &self.vhost]));
    }
}

/// Runs SQL with the `mysql` client as root on 127.0.0.1; tab-separated output.
pub fn mysql(statement: &str) -> Result<String> {
    run(Command::new("mysql").args([
        "-uroot",
        "-h127.0.0.1",
        "-P3306",
        "-N",
        "-B",
        "-e",
        statement,
    ]))
}
