//! DNS over TCP: length-prefixed messages (RFC 1035 §4.2.2), several queries
//! per connection answered in turn (RFC 7766 §6.2.1), zone transfers streamed.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use socket2::{SockRef, TcpKeepalive};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

use crate::axfr::{self, Transfer};
use crate::framing::{read_frame, write_frame};
use crate::handler::{Handler, Outcome};
use crate::response::Transport;
use crate::settings::ServerSettings;
use crate::source::ZoneSource;

/// How long a stop waits for transfers in progress before cutting them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Connections served at once; more are closed on accept.
const MAX_CONNECTIONS: usize = 1024;

/// Pause after a failed accept (e.g. out of file descriptors), so the loop does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

#[derive(Debug, Clone, Copy)]
pub(super) struct TcpSettings {
    keepidle: Option<Duration>,
    recv_timeout: Duration,
    max_message_size: u16,
}

impl From<&ServerSettings> for TcpSettings {
    fn from(s: &ServerSettings) -> Self {
        TcpSettings {
            keepidle: s.tcp_keepidle,
            recv_timeout: s.tcp_recv_timeout,
            max_message_size: s.max_message_size,
        }
    }
}

/// Accepts connections until `stop` turns true, then gives those still open
/// [`SHUTDOWN_GRACE`] to finish.
pub(super) async fn serve<S: ZoneSource>(
    listener: TcpListener,
    handler: Arc<Handler<S>>,
    settings: TcpSettings,
    mut stop: watch::Receiver<bool>,
) {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let Ok(slot) = slots.clone().try_acquire_owned() else {
                        tracing::warn!(%peer, "too many TCP connections, closing a new one");
                        continue;
                    };
                    let handler = handler.clone();
                    connections.spawn(async move {
                        serve_connection(stream, peer, &handler, settings).await;
                        drop(slot);
                    });
                }
                Err(e) => {
                    tracing::warn!(error = %e, "TCP accept failed");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            _ = stop.changed() => break,
        }
    }
    drop(listener);
    let drained = tokio::time::timeout(SHUTDOWN_GRACE, async {
        while connections.join_next().await.is_some() {}
    });
    if drained.await.is_err() {
        tracing::warn!(
            open = connections.len(),
            "cutting TCP connections still open at shutdown"
        );
        connections.shutdown().await;
    }
}

/// Answers the queries of one connection in turn until EOF, an error, or
/// `recv_timeout` of silence.
async fn serve_connection<S: ZoneSource>(
    mut stream: TcpStream,
    peer: SocketAddr,
    handler: &Handler<S>,
    settings: TcpSettings,
) {
    configure(&stream, settings.keepidle);
    let mut request = Vec::new();
    let mut frame = Vec::new();
    loop {
        match read_frame(&mut stream, &mut request, settings.recv_timeout).await {
            Ok(true) => {}
            Ok(false) => return,
            Err(e) => {
                tracing::debug!(%peer, error = %e, "TCP connection closed");
                return;
            }
        }
        let sent = match handler.handle(&request, Transport::Tcp).await {
            Outcome::Silent => Ok(()),
            Outcome::Reply(bytes) => write_frame(&mut stream, &bytes, &mut frame)
                .await
                .map_err(Into::into),
            Outcome::Transfer(transfer) => {
                transfer_zone(&transfer, handler, &mut stream, peer, settings).await
            }
        };
        if let Err(e) = sent {
            tracing::warn!(%peer, error = %e, "TCP connection aborted");
            return;
        }
    }
}

async fn transfer_zone<S: ZoneSource>(
    transfer: &Transfer,
    handler: &Handler<S>,
    stream: &mut TcpStream,
    peer: SocketAddr,
    settings: TcpSettings,
) -> Result<(), axfr::TransferError> {
    let started = Instant::now();
    let zone = &transfer.zone().name;
    let stats = axfr::send(
        transfer,
        handler.source(),
        stream,
        settings.max_message_size,
    )
    .await?;
    tracing::info!(
        %peer, zone, messages = stats.messages, records = stats.records, skipped = stats.skipped,
        elapsed_ms = started.elapsed().as_millis(), "zone transferred"
    );
    Ok(())
}

/// Small messages leave at once (no Nagle delay); keepalive as configured.
fn configure(stream: &TcpStream, keepidle: Option<Duration>) {
    if let Err(e) = stream.set_nodelay(true) {
        tracing::debug!(error = %e, "TCP_NODELAY not set");
    }
    if let Some(idle) = keepidle {
        let keepalive = TcpKeepalive::new().with_time(idle);
        if let Err(e) = SockRef::from(stream).set_tcp_keepalive(&keepalive) {
            tracing::debug!(error = %e, "TCP keepalive not set");
        }
    }
}
