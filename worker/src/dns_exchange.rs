//! The worker's own DNS exchanges: NOTIFY to backends (RFC 1996) and SOA
//! queries to nameservers (RFC 1035), one request and its response over UDP,
//! or over TCP with the 2-byte length prefix (RFC 1035 §4.2.2, RFC 7766).
//!
//! Messages are built and parsed with hickory-proto; the sockets are plain
//! tokio ones. (hickory-net's client is avoided on purpose, see design.md.)

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use hickory_proto::op::{Message, MessageType, OpCode, Query};
use hickory_proto::rr::{DNSClass, Name, RData, RecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket, lookup_host};

/// UDP or TCP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Udp,
    Tcp,
}

impl Transport {
    /// `[service:worker] all_tcp`.
    pub fn from_all_tcp(all_tcp: bool) -> Transport {
        if all_tcp {
            Transport::Tcp
        } else {
            Transport::Udp
        }
    }
}

/// Why an exchange produced no response.
#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    #[error("no response within {0:?}")]
    Timeout(Duration),
    #[error("cannot resolve {0}")]
    Resolve(String),
    #[error("{0}")]
    Io(#[from] io::Error),
    #[error("cannot encode the request: {0}")]
    Encode(String),
    #[error("undecodable response: {0}")]
    Decode(String),
    #[error("{0:?} is not a valid zone name")]
    BadName(String),
}

/// A zone name as a DNS name (always fully qualified).
pub fn zone_name(text: &str) -> Result<Name, ExchangeError> {
    let mut name = Name::from_ascii(text).map_err(|_| ExchangeError::BadName(text.to_owned()))?;
    name.set_fqdn(true);
    Ok(name)
}

/// A NOTIFY for `zone` (RFC 1996 §3.7): opcode NOTIFY, AA set, question `<zone> IN SOA`.
pub fn notify_message(zone: &Name) -> Message {
    let mut msg = Message::new(rand::random(), MessageType::Query, OpCode::Notify);
    msg.metadata.authoritative = true;
    msg.add_query(soa_question(zone));
    msg
}

/// An SOA query for `zone`, without recursion.
pub fn soa_query_message(zone: &Name) -> Message {
    let mut msg = Message::new(rand::random(), MessageType::Query, OpCode::Query);
    msg.metadata.recursion_desired = false;
    msg.add_query(soa_question(zone));
    msg
}

fn soa_question(zone: &Name) -> Query {
    let mut q = Query::query(zone.clone(), RecordType::SOA);
    q.set_query_class(DNSClass::IN);
    q
}

/// The serial a poll reads from an SOA response (spec/services.md §5.2 step 5):
/// the first answer record's SOA serial, 0 when the answer section is empty
/// (whatever the rcode: REFUSED, NOTAUTH… mean "no such zone here"), `None`
/// when the first answer is not an SOA.
pub fn polled_serial(response: &Message) -> Option<i64> {
    match response.answers.first() {
        None => Some(0),
        Some(record) => match &record.data {
            RData::SOA(soa) => Some(i64::from(soa.serial)),
            _ => None,
        },
    }
}

/// Sends `request` to `host:port` and returns the response with the same id.
/// A UDP response with TC set is retried over TCP. `timeout` bounds the whole
/// exchange, name resolution included.
pub async fn exchange(
    request: &Message,
    host: &str,
    port: u16,
    transport: Transport,
    timeout: Duration,
) -> Result<Message, ExchangeError> {
    let attempt = async {
        let addr = resolve(host, port).await?;
        let wire = request
            .to_vec()
            .map_err(|e| ExchangeError::Encode(e.to_string()))?;
        let response = match transport {
            Transport::Udp => udp_exchange(&wire, addr, request.metadata.id).await?,
            Transport::Tcp => tcp_exchange(&wire, addr, request.metadata.id).await?,
        };
        if response.metadata.truncation && transport == Transport::Udp {
            return tcp_exchange(&wire, addr, request.metadata.id).await;
        }
        Ok(response)
    };
    tokio::time::timeout(timeout, attempt)
        .await
        .map_err(|_| ExchangeError::Timeout(timeout))?
}

async fn resolve(host: &str, port: u16) -> Result<SocketAddr, ExchangeError> {
    // A bracketed IPv6 literal (`[::1]`) is accepted as well as a bare one.
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let mut addrs = lookup_host((host, port))
        .await
        .map_err(|_| ExchangeError::Resolve(host.to_owned()))?;
    addrs
        .next()
        .ok_or_else(|| ExchangeError::Resolve(host.to_owned()))
}

async fn udp_exchange(wire: &[u8], addr: SocketAddr, id: u16) -> Result<Message, ExchangeError> {
    let local: SocketAddr = if addr.is_ipv4() {
        ([0, 0, 0, 0], 0).into()
    } else {
        ([0u16; 8], 0).into()
    };
    let socket = UdpSocket::bind(local).await?;
    socket.connect(addr).await?;
    socket.send(wire).await?;
    let mut buf = vec![0u8; 65_535];
    loop {
        let n = socket.recv(&mut buf).await?;
        // Stray or forged datagrams (wrong id, not a response) are ignored.
        if let Some(response) = matching_response(&buf[..n], id) {
            return Ok(response);
        }
    }
}

async fn tcp_exchange(wire: &[u8], addr: SocketAddr, id: u16) -> Result<Message, ExchangeError> {
    let len =
        u16::try_from(wire.len()).map_err(|_| ExchangeError::Encode("request too large".into()))?;
    let mut stream = TcpStream::connect(addr).await?;
    let mut framed = Vec::with_capacity(wire.len() + 2);
    framed.extend_from_slice(&len.to_be_bytes());
    framed.extend_from_slice(wire);
    stream.write_all(&framed).await?;
    loop {
        let len = stream.read_u16().await?;
        let mut buf = vec![0u8; usize::from(len)];
        stream.read_exact(&mut buf).await?;
        if let Some(response) = matching_response(&buf, id) {
            return Ok(response);
        }
    }
}

fn matching_response(bytes: &[u8], id: u16) -> Option<Message> {
    let msg = Message::from_vec(bytes).ok()?;
    (msg.metadata.id == id && msg.metadata.message_type == MessageType::Response).then_some(msg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::op::ResponseCode;
    use hickory_proto::rr::Record;
    use hickory_proto::rr::rdata::{A, SOA};

    fn name(text: &str) -> Name {
        zone_name(text).expect("name")
    }

    #[test]
    fn notify_is_opcode_notify_with_aa_and_an_soa_question() {
        let msg = notify_message(&name("example.com."));
        let wire = msg.to_vec().expect("encode");
        // Header flags (RFC 1035 §4.1.1): QR=0, opcode 4 (NOTIFY), AA=1.
        assert_eq!(wire[2] & 0x80, 0, "a request");
        assert_eq!((wire[2] >> 3) & 0x0f, 4, "opcode NOTIFY");
        assert_eq!(wire[2] & 0x04, 0x04, "AA set");
        let back = Message::from_vec(&wire).expect("decode");
        assert_eq!(back.metadata.op_code, OpCode::Notify);
        assert_eq!(back.queries.len(), 1);
        let q = &back.queries[0];
        assert_eq!(
            (q.name.to_ascii(), q.query_type, q.query_class),
            ("example.com.".into(), RecordType::SOA, DNSClass::IN)
        );
        assert!(back.answers.is_empty());
    }

    #[test]
    fn soa_query_asks_for_the_soa_without_recursion() {
        let msg = soa_query_message(&name("example.com"));
        let back = Message::from_vec(&msg.to_vec().expect("encode")).expect("decode");
        assert_eq!(back.metadata.op_code, OpCode::Query);
        assert!(!back.metadata.recursion_desired);
        assert_eq!(
            back.queries[0].name.to_ascii(),
            "example.com.",
            "made fully qualified"
        );
        assert_eq!(back.queries[0].query_type, RecordType::SOA);
    }

    fn response_with(answers: Vec<Record>, rcode: ResponseCode) -> Message {
        let mut msg = Message::response(7, OpCode::Query);
        msg.metadata.response_code = rcode;
        msg.add_answers(answers);
        msg
    }

    #[test]
    fn polled_serial_reads_the_soa_or_zero_when_empty() {
        let soa = SOA::new(
            name("ns1.example.com."),
            name("admin.example.com."),
            1_700_000_123,
            3600,
            600,
            86400,
            300,
        );
        let rec = Record::from_rdata(name("example.com."), 300, RData::SOA(soa));
        assert_eq!(
            polled_serial(&response_with(vec![rec], ResponseCode::NoError)),
            Some(1_700_000_123)
        );
        assert_eq!(
            polled_serial(&response_with(vec![], ResponseCode::Refused)),
            Some(0)
        );
        assert_eq!(
            polled_serial(&response_with(vec![], ResponseCode::NoError)),
            Some(0)
        );
        let a = Record::from_rdata(name("example.com."), 300, RData::A(A::new(192, 0, 2, 1)));
        assert_eq!(
            polled_serial(&response_with(vec![a], ResponseCode::NoError)),
            None
        );
    }

    #[test]
    fn bad_zone_names_are_errors() {
        assert!(matches!(zone_name("a..b."), Err(ExchangeError::BadName(_))));
    }
}
