//! delegate-api: serves the Designate v2 REST API on `[service:api] listen`,
//! reaching central over the bus, until SIGTERM/SIGINT (in-flight requests finish).

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context as _;
use axum::ServiceExt as _;
use clap::Parser;
use delegate_api::{ApiSettings, AppService, Auth, AuthStrategy, Keystone, KeystoneSettings};
use delegate_config::{Config, ConfigArgs, HostPort};
use delegate_policy::Policy;
use delegate_rpc::CentralClient;
use delegate_runtime::shutdown_signal;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// The name heartbeats report.
const SERVICE_NAME: &str = "api";

#[derive(Parser)]
#[command(
    name = "delegate-api",
    version,
    about = "Delegate DNS API (OpenStack Designate v2 compatible)"
)]
struct Args {
    #[command(flatten)]
    config: ConfigArgs,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    // The policy and the auth options are checked before anything connects.
    let auth = auth(&args.config.load().context("reading the configuration")?)?;
    let svc = delegate_runtime::start(SERVICE_NAME, &args.config).await?;
    let central = CentralClient::new(svc.bus.clone());
    let app = delegate_api::app_with_auth(
        Arc::new(central),
        ApiSettings::from_config(&svc.config),
        auth,
    );
    let served = serve(&svc.config.api.listen, app).await;
    svc.stop().await;
    served
}

/// The auth strategy and the policy; a policy file that does not parse, or
/// keystone without its `[keystone_authtoken]` options, stops the start-up.
fn auth(config: &Config) -> anyhow::Result<Auth> {
    let policy = Policy::from_oslo(&config.oslo_policy)?;
    let keystone = match config.api.auth_strategy {
        AuthStrategy::Noauth => None,
        AuthStrategy::Keystone => {
            let settings = KeystoneSettings::from_config(&config.keystone_authtoken)
                .map_err(anyhow::Error::msg)?;
            Some(Keystone::new(settings).map_err(anyhow::Error::msg)?)
        }
    };
    Ok(Auth { policy, keystone })
}

/// Serves `app` on every listen address until the shutdown signal.
async fn serve(listen: &[HostPort], app: AppService) -> anyhow::Result<()> {
    let (stop_tx, stop_rx) = watch::channel(false);
    tokio::spawn(async move {
        shutdown_signal().await;
        let _ = stop_tx.send(true);
    });
    let mut servers = JoinSet::new();
    for addr in listen {
        let listener = TcpListener::bind((addr.host.as_str(), addr.port))
            .await
            .with_context(|| format!("cannot listen on {}:{}", addr.host, addr.port))?;
        tracing::info!(address = %listener.local_addr()?, "listening");
        let mut stop = stop_rx.clone();
        let service = app
            .clone()
            .into_make_service_with_connect_info::<SocketAddr>();
        servers.spawn(async move {
            axum::serve(listener, service)
                .with_graceful_shutdown(async move {
                    let _ = stop.wait_for(|stopped| *stopped).await;
                })
                .await
        });
    }
    while let Some(finished) = servers.join_next().await {
        finished
            .context("server task failed")?
            .context("server failed")?;
    }
    Ok(())
}
