//! The DNS listeners: one UDP and one TCP socket per `listen` address
//! (spec/services.md §4.1), and their clean stop.

mod tcp;
mod udp;

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::handler::Handler;
use crate::settings::ServerSettings;
use crate::source::ZoneSource;

/// Running listeners.
pub struct Server {
    stop: watch::Sender<bool>,
    tasks: JoinSet<()>,
    addrs: Vec<SocketAddr>,
}

impl Server {
    /// Binds every address of `settings.listen` over UDP and TCP and starts serving.
    pub async fn start<S: ZoneSource>(
        settings: &ServerSettings,
        handler: Arc<Handler<S>>,
    ) -> io::Result<Server> {
        let (stop, stopped) = watch::channel(false);
        let mut tasks = JoinSet::new();
        let mut addrs = Vec::new();
        for addr in &settings.listen {
            let (tcp, udp) = bind_pair(*addr, settings.tcp_backlog)?;
            addrs.push(tcp.local_addr()?);
            let tcp_settings = tcp::TcpSettings::from(settings);
            tasks.spawn(tcp::serve(
                tcp,
                handler.clone(),
                tcp_settings,
                stopped.clone(),
            ));
            tasks.spawn(udp::serve(udp, handler.clone(), stopped.clone()));
        }
        Ok(Server { stop, tasks, addrs })
    }

    /// The bound addresses (UDP and TCP share each one).
    pub fn local_addrs(&self) -> &[SocketAddr] {
        &self.addrs
    }

    /// Stops accepting requests, lets transfers in progress finish for a
    /// while, then stops.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        while self.tasks.join_next().await.is_some() {}
    }
}

/// The TCP listener and UDP socket of one address. With port 0 the TCP socket
/// picks a free port and the UDP socket takes the same one.
fn bind_pair(addr: SocketAddr, backlog: u32) -> io::Result<(TcpListener, UdpSocket)> {
    let tcp = bind(addr, Type::STREAM, Protocol::TCP)?;
    tcp.listen(i32::try_from(backlog).unwrap_or(i32::MAX))?;
    let tcp = TcpListener::from_std(tcp.into())?;
    let udp = bind(tcp.local_addr()?, Type::DGRAM, Protocol::UDP)?;
    let udp = UdpSocket::from_std(udp.into())?;
    Ok((tcp, udp))
}

/// A non-blocking socket bound to `addr` with SO_REUSEADDR and SO_REUSEPORT, so
/// that a restarted mdns binds at once and several instances may share a port.
/// A free port (0) is asked for without SO_REUSEPORT, which could let the
/// kernel hand out a port another process already shares.
fn bind(addr: SocketAddr, ty: Type, protocol: Protocol) -> io::Result<Socket> {
    let socket = Socket::new(Domain::for_address(addr), ty, Some(protocol))?;
    socket.set_reuse_address(true)?;
    if addr.port() != 0 {
        socket.set_reuse_port(true)?;
    }
    socket.set_nonblocking(true)?;
    socket
        .bind(&addr.into())
        .map_err(|e| io::Error::new(e.kind(), format!("cannot bind {addr}: {e}")))?;
    Ok(socket)
}
