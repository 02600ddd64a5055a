//! DNS over UDP: each datagram handled on its own task, the answer sent back
//! to its source (spec/services.md §4.1).

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::UdpSocket;
use tokio::sync::{Semaphore, watch};

use crate::handler::{Handler, Outcome};
use crate::response::Transport;
use crate::source::ZoneSource;

/// The receive buffer: larger datagrams are cut (and then fail to parse).
const UDP_BUFFER: usize = 8192;

/// Datagrams handled at once; beyond this, new ones are dropped, as a full
/// socket buffer would, instead of queueing without bound under a flood.
const MAX_IN_FLIGHT: usize = 4096;

pub(super) async fn serve<S: ZoneSource>(
    socket: UdpSocket,
    handler: Arc<Handler<S>>,
    mut stop: watch::Receiver<bool>,
) {
    let socket = Arc::new(socket);
    let slots = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
    let mut buf = vec![0u8; UDP_BUFFER];
    loop {
        let (len, peer) = tokio::select! {
            received = socket.recv_from(&mut buf) => match received {
                Ok(received) => received,
                Err(e) => {
                    // E.g. an ICMP error reported on the socket: nothing to do.
                    tracing::debug!(error = %e, "UDP receive failed");
                    continue;
                }
            },
            _ = stop.changed() => return,
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            tracing::debug!(%peer, "busy, UDP request dropped");
            continue;
        };
        let packet = buf[..len].to_vec();
        let (socket, handler) = (socket.clone(), handler.clone());
        tokio::spawn(async move {
            answer(&socket, &handler, &packet, peer).await;
            drop(slot);
        });
    }
}

async fn answer<S: ZoneSource>(
    socket: &UdpSocket,
    handler: &Handler<S>,
    packet: &[u8],
    peer: SocketAddr,
) {
    match handler.handle(packet, Transport::Udp).await {
        Outcome::Silent => {}
        Outcome::Reply(bytes) => {
            if let Err(e) = socket.send_to(&bytes, peer).await {
                tracing::debug!(%peer, error = %e, "UDP answer not sent");
            }
        }
        // The handler answers transfer requests over UDP with a single message.
        Outcome::Transfer(_) => {
            tracing::error!(%peer, "zone transfer requested over UDP was not refused")
        }
    }
}
