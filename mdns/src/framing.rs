//! DNS over TCP framing (RFC 1035 §4.2.2): every message is preceded by its
//! length as a two-byte big-endian integer.

use std::io;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// How long one message may take to leave: a client that stops reading must
/// not hold a connection (and, during a transfer, a database cursor) forever.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// Writes `message` with its length prefix in one write, so that the prefix
/// never waits alone for an ACK (Nagle's algorithm against delayed ACKs).
/// `frame` is scratch space, reused between calls.
pub async fn write_frame<W>(out: &mut W, message: &[u8], frame: &mut Vec<u8>) -> io::Result<()>
where
    W: AsyncWrite + Unpin,
{
    let len = u16::try_from(message.len()).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "DNS message longer than 65535 bytes",
        )
    })?;
    frame.clear();
    frame.extend_from_slice(&len.to_be_bytes());
    frame.extend_from_slice(message);
    match tokio::time::timeout(WRITE_TIMEOUT, out.write_all(frame)).await {
        Ok(result) => result,
        Err(_) => Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "client stopped reading",
        )),
    }
}

/// Reads the next message into `buf`. `Ok(false)` at a clean end of stream
/// (EOF before a length prefix); a stream that ends inside a message, or stays
/// silent for `idle` between or within messages, is an error.
pub async fn read_frame<R>(input: &mut R, buf: &mut Vec<u8>, idle: Duration) -> io::Result<bool>
where
    R: AsyncRead + Unpin,
{
    let mut prefix = [0u8; 2];
    let first = timed(idle, input.read(&mut prefix)).await?;
    if first == 0 {
        return Ok(false);
    }
    if first == 1 {
        timed(idle, input.read_exact(&mut prefix[1..])).await?;
    }
    buf.clear();
    buf.resize(usize::from(u16::from_be_bytes(prefix)), 0);
    timed(idle, input.read_exact(buf)).await?;
    Ok(true)
}

async fn timed<T>(limit: Duration, op: impl Future<Output = io::Result<T>>) -> io::Result<T> {
    match tokio::time::timeout(limit, op).await {
        Ok(result) => result,
        Err(_) => Err(io::Error::new(io::ErrorKind::TimedOut, "idle connection")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn frames_round_trip_and_eof_is_clean() {
        let mut wire = Vec::new();
        let mut scratch = Vec::new();
        write_frame(&mut wire, b"hello", &mut scratch)
            .await
            .unwrap();
        write_frame(&mut wire, b"", &mut scratch).await.unwrap();
        assert_eq!(&wire[..2], &[0, 5]);
        let mut input = wire.as_slice();
        let mut buf = Vec::new();
        let idle = Duration::from_millis(100);
        assert!(read_frame(&mut input, &mut buf, idle).await.unwrap());
        assert_eq!(buf, b"hello");
        assert!(read_frame(&mut input, &mut buf, idle).await.unwrap());
        assert!(buf.is_empty());
        assert!(!read_frame(&mut input, &mut buf, idle).await.unwrap());
    }

    #[tokio::test]
    async fn a_stream_cut_inside_a_message_is_an_error() {
        let mut input: &[u8] = &[0, 10, 1, 2, 3];
        let mut buf = Vec::new();
        assert!(
            read_frame(&mut input, &mut buf, Duration::from_millis(100))
                .await
                .is_err()
        );
    }
}
