//! TCP proxies between Raft peers that a test can cut: one proxy in front of
//! each producer; a cut node gets no connection in (its proxy refuses) and
//! none out (the others' proxies refuse its source address), and open
//! connections are shut down.

use std::io::{Read, Write};
use std::net::{IpAddr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Default)]
struct State {
    /// The node cut off, by its index and source address.
    cut: Option<(usize, IpAddr)>,
    /// Open connections: (source address, target node, both sockets).
    open: Vec<(IpAddr, usize, TcpStream, TcpStream)>,
}

/// The proxies of one group.
#[derive(Clone, Default)]
pub struct Proxies {
    state: Arc<Mutex<State>>,
}

impl Proxies {
    /// Starts a proxy for node `index` on `listen`, forwarding to `upstream`.
    pub fn add(&self, index: usize, listen: SocketAddr, upstream: SocketAddr) {
        let listener = TcpListener::bind(listen).expect("proxy listen");
        let state = self.state.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let Ok(peer) = client.peer_addr() else {
                    continue;
                };
                let blocked = {
                    let s = state.lock().unwrap_or_else(|e| e.into_inner());
                    s.cut.is_some_and(|(k, ip)| k == index || ip == peer.ip())
                };
                if blocked {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                let Ok(server) = TcpStream::connect_timeout(&upstream, Duration::from_millis(500))
                else {
                    continue;
                };
                let (Ok(c2), Ok(s2)) = (client.try_clone(), server.try_clone()) else {
                    continue;
                };
                if let (Ok(c3), Ok(s3)) = (client.try_clone(), server.try_clone()) {
                    let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
                    s.open.push((peer.ip(), index, c3, s3));
                }
                std::thread::spawn(move || pipe(client, server));
                std::thread::spawn(move || pipe(s2, c2));
            }
        });
    }

    /// Cuts node `index` (whose connections come from `ip`) off the others.
    pub fn cut(&self, index: usize, ip: IpAddr) {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        s.cut = Some((index, ip));
        s.open.retain(|(source, target, client, server)| {
            let hit = *target == index || *source == ip;
            if hit {
                let _ = client.shutdown(Shutdown::Both);
                let _ = server.shutdown(Shutdown::Both);
            }
            !hit
        });
    }

    pub fn heal(&self) {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).cut = None;
    }
}

fn pipe(mut from: TcpStream, mut to: TcpStream) {
    let mut buf = [0u8; 16 * 1024];
    loop {
        match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}
