//! Zone transfers (spec/services.md §4.4; RFC 5936).
//!
//! A transfer is SOA, every other record of the zone (ordered by recordset, so
//! the records of an RRset travel together), SOA again. Records are read from
//! the database as a stream and encoded as they arrive: each message is filled
//! until the next record does not fit (at most `max_message_size`, 65,535
//! bytes), then written to the TCP stream and the buffer reused. Memory stays
//! at one message whatever the size of the zone.
//!
//! mdns writes the messages itself instead of going through hickory-server,
//! whose catalog sends one message only and whose TCP channel has no
//! back-pressure (design.md, known traps).
//!
//! A record whose stored text does not convert, or that cannot be encoded, is
//! skipped and logged; it never aborts the transfer (Designate does the same
//! since its AXFR DoS fix). Unlike Designate, a record too large for any
//! message is skipped the same way instead of failing the whole transfer.

use std::io;
use std::iter;

use futures::StreamExt;
use futures::stream::BoxStream;
use hickory_proto::ProtoError;
use hickory_proto::op::{Edns, Header, HeaderCounts, Message, Metadata, Query, ResponseCode};
use hickory_proto::rr::{Name, Record, RecordType};
use hickory_proto::serialize::binary::{BinEncodable, BinEncoder, Place};
use tokio::io::AsyncWrite;

use crate::framing::write_frame;
use crate::handler::Answer;
use crate::records::{self, ConvertError, effective_ttl, owner_name};
use crate::response::{Transport, authoritative, reply};
use crate::source::{ServedRecord, ServedZone, SourceError, ZoneScope, ZoneSource};

/// Encoded size of an OPT record without options (RFC 6891 §6.1.2).
const OPT_LEN: u16 = 11;

/// A transfer ready to be sent over TCP.
#[derive(Debug, Clone)]
pub struct Transfer {
    /// Header of every message: the request's id, RD and CD; AA set.
    metadata: Metadata,
    /// The question, echoed in every message.
    query: Query,
    /// The labels of the question name, the zone apex (see [`ZoneRecord`]).
    apex: Vec<Vec<u8>>,
    /// Whether the request had EDNS: the first message then carries an OPT record.
    edns: Option<Edns>,
    zone: ServedZone,
    soa: Record,
}

impl Transfer {
    pub fn zone(&self) -> &ServedZone {
        &self.zone
    }
}

/// What one transfer sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TransferStats {
    pub messages: usize,
    pub records: usize,
    pub skipped: usize,
}

/// Why a transfer stopped before its end; the connection is then closed, which
/// tells the client the transfer failed.
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    #[error("reading the zone failed: {0}")]
    Source(#[from] SourceError),
    #[error("encoding a message failed: {0}")]
    Encode(#[from] ProtoError),
    #[error("writing to the client failed: {0}")]
    Io(#[from] io::Error),
}

/// Handles AXFR and IXFR questions. IXFR is answered with a full transfer
/// (spec/services.md §4.3). Over UDP, which cannot carry a transfer, AXFR is
/// FORMERR (RFC 5936 §4.2 leaves it undefined; BIND answers so) and IXFR gets
/// the zone's SOA alone, the RFC 1995 §4 answer telling the client to use TCP.
pub async fn prepare<S: ZoneSource>(
    source: &S,
    request: &Message,
    query: &Query,
    scope: ZoneScope,
    transport: Transport,
) -> Result<Answer, SourceError> {
    if transport == Transport::Udp && query.query_type() == RecordType::AXFR {
        return Ok(Answer::Message(reply(request, ResponseCode::FormErr)));
    }
    let Some(zone) = source.find_zone(&[query.name().to_ascii()], scope).await? else {
        return Ok(Answer::Message(reply(request, ResponseCode::Refused)));
    };
    let Some(soa) = zone_soa(source, &zone).await? else {
        return Ok(Answer::Message(reply(request, ResponseCode::ServFail)));
    };
    let mut response = authoritative(request);
    if transport == Transport::Udp {
        response.answers.push(soa);
        return Ok(Answer::Message(response));
    }
    Ok(Answer::Transfer(Box::new(Transfer {
        metadata: response.metadata,
        query: query.clone(),
        apex: query.name().iter().map(<[u8]>::to_vec).collect(),
        edns: response.edns,
        zone,
        soa,
    })))
}

/// The zone's SOA record, if it has one that can be served.
async fn zone_soa<S: ZoneSource>(
    source: &S,
    zone: &ServedZone,
) -> Result<Option<Record>, SourceError> {
    let rows = source.soa(zone).await?;
    let Some(row) = rows.first() else {
        tracing::error!(zone = %zone.name, "zone has no SOA record, cannot transfer it");
        return Ok(None);
    };
    // Checked now: a transfer without its SOA would be worse than SERVFAIL.
    let soa = convert(zone, row)
        .map_err(|e| e.to_string())
        .and_then(|soa| soa.to_bytes().map(|_| soa).map_err(|e| e.to_string()));
    match soa {
        Ok(soa) => Ok(Some(soa)),
        Err(error) => {
            tracing::error!(zone = %zone.name, %error, "zone SOA cannot be served");
            Ok(None)
        }
    }
}

fn convert(zone: &ServedZone, row: &ServedRecord) -> Result<Record, ConvertError> {
    let ttl = effective_ttl(row.ttl, zone.ttl)?;
    records::to_record(owner_name(&row.name)?, ttl, &row.rtype, &row.data)
}

/// Sends the whole transfer as length-prefixed messages of at most
/// `max_message_size` bytes.
pub async fn send<S, W>(
    transfer: &Transfer,
    source: &S,
    out: &mut W,
    max_message_size: u16,
) -> Result<TransferStats, TransferError>
where
    S: ZoneSource,
    W: AsyncWrite + Unpin,
{
    let mut feed = RecordFeed::new(source.records(&transfer.zone), transfer);
    let mut carry = None;
    let mut buf = Vec::with_capacity(usize::from(max_message_size));
    let mut frame = Vec::with_capacity(usize::from(max_message_size) + 2);
    let mut stats = TransferStats::default();
    loop {
        let with_opt = stats.messages == 0 && transfer.edns.is_some();
        match fill(
            &mut buf,
            transfer,
            &mut feed,
            &mut carry,
            with_opt,
            max_message_size,
        )
        .await?
        {
            Filled::Nothing => continue,
            Filled::Message { len, answers, more } => {
                write_frame(out, &buf[..len], &mut frame).await?;
                stats.messages += 1;
                stats.records += answers;
                if !more {
                    break;
                }
            }
        }
    }
    stats.skipped = feed.skipped;
    Ok(stats)
}

/// What [`fill`] left in the buffer.
enum Filled {
    /// A message of `len` bytes; `more` records follow.
    Message {
        len: usize,
        answers: usize,
        more: bool,
    },
    /// Nothing worth sending (the only record met could not be encoded).
    Nothing,
}

/// Encodes one message into `buf`: the records of `carry` and `feed` until one
/// does not fit (it is carried to the next message) or the feed ends.
async fn fill<'a>(
    buf: &mut Vec<u8>,
    transfer: &Transfer,
    feed: &mut RecordFeed<'a>,
    carry: &mut Option<Record>,
    with_opt: bool,
    max_message_size: u16,
) -> Result<Filled, TransferError> {
    let limit = max_message_size.saturating_sub(if with_opt { OPT_LEN } else { 0 });
    let mut packet = Packet::open(buf, transfer.metadata, &transfer.query, limit)?;
    let more = loop {
        let record = match carry.take() {
            Some(record) => record,
            None => match feed.next().await? {
                Some(record) => record,
                None => break false,
            },
        };
        match packet.push(&record, &transfer.apex) {
            Push::Added => {}
            Push::Full if packet.answers == 0 => feed.skip(&record, "larger than a message"),
            Push::Full => {
                *carry = Some(record);
                break true;
            }
            Push::Unencodable(e) => {
                feed.skip(&record, &e.to_string());
                // The encoder's compression table may point into the discarded
                // bytes: this message ends here, the next one starts clean.
                if packet.answers == 0 {
                    return Ok(Filled::Nothing);
                }
                break true;
            }
        }
    };
    let answers = usize::from(packet.answers);
    let len = packet.close(with_opt.then_some(transfer.edns.as_ref()).flatten())?;
    Ok(Filled::Message { len, answers, more })
}

/// One message being encoded.
struct Packet<'b> {
    encoder: BinEncoder<'b>,
    header: Place<Header>,
    metadata: Metadata,
    answers: u16,
}

enum Push {
    Added,
    /// The record does not fit in what is left of the message.
    Full,
    /// The record cannot be encoded at all.
    Unencodable(ProtoError),
}

impl<'b> Packet<'b> {
    /// Header placeholder and question, with `limit` bytes in all for the message.
    fn open(
        buf: &'b mut Vec<u8>,
        metadata: Metadata,
        query: &Query,
        limit: u16,
    ) -> Result<Self, ProtoError> {
        buf.clear();
        let mut encoder = BinEncoder::new(buf);
        encoder.set_max_size(limit);
        let header = encoder.place::<Header>()?;
        query.emit(&mut encoder)?;
        Ok(Packet {
            encoder,
            header,
            metadata,
            answers: 0,
        })
    }

    /// Adds `record` to the answer section if it fits; otherwise the message
    /// is left as it was (the encoder rolls back a record that overflows).
    fn push(&mut self, record: &Record, apex: &[Vec<u8>]) -> Push {
        let start = self.encoder.offset();
        match self
            .encoder
            .emit_all(iter::once(&ZoneRecord { record, apex }))
        {
            Ok(_) => {
                self.answers += 1;
                Push::Added
            }
            Err(ProtoError::NotAllRecordsWritten { .. }) => Push::Full,
            Err(e) => {
                self.encoder.set_offset(start);
                Push::Unencodable(e)
            }
        }
    }

    /// Appends the OPT record if given, writes the header; returns the length.
    fn close(mut self, edns: Option<&Edns>) -> Result<usize, ProtoError> {
        let mut additionals = 0;
        if let Some(edns) = edns {
            // Room for it was kept out of the limit.
            self.encoder.set_max_size(u16::MAX);
            Record::from(edns).emit(&mut self.encoder)?;
            additionals = 1;
        }
        let len = self.encoder.offset();
        let counts = HeaderCounts {
            queries: 1,
            answers: self.answers,
            authorities: 0,
            additionals,
        };
        self.header.replace(
            &mut self.encoder,
            Header {
                metadata: self.metadata,
                counts,
            },
        )?;
        Ok(len)
    }
}

/// The records of a transfer in order: SOA, the zone's records, SOA.
struct RecordFeed<'a> {
    rows: BoxStream<'a, Result<ServedRecord, SourceError>>,
    zone: &'a ServedZone,
    soa: &'a Record,
    stage: Stage,
    /// The last owner name parsed: consecutive records of an RRset share it.
    owner: Option<(String, Name)>,
    skipped: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    OpeningSoa,
    Body,
    Done,
}

impl<'a> RecordFeed<'a> {
    fn new(rows: BoxStream<'a, Result<ServedRecord, SourceError>>, transfer: &'a Transfer) -> Self {
        RecordFeed {
            rows,
            zone: &transfer.zone,
            soa: &transfer.soa,
            stage: Stage::OpeningSoa,
            owner: None,
            skipped: 0,
        }
    }

    async fn next(&mut self) -> Result<Option<Record>, SourceError> {
        match self.stage {
            Stage::OpeningSoa => {
                self.stage = Stage::Body;
                Ok(Some(self.soa.clone()))
            }
            Stage::Body => {
                while let Some(row) = self.rows.next().await {
                    let row = row?;
                    match self.convert(&row) {
                        Ok(record) => return Ok(Some(record)),
                        Err(e) => self.skip_row(&row, &e),
                    }
                }
                // The closing SOA.
                self.stage = Stage::Done;
                Ok(Some(self.soa.clone()))
            }
            Stage::Done => Ok(None),
        }
    }

    fn convert(&mut self, row: &ServedRecord) -> Result<Record, ConvertError> {
        let ttl = effective_ttl(row.ttl, self.zone.ttl)?;
        let owner = match &self.owner {
            Some((text, name)) if *text == row.name => name.clone(),
            _ => {
                let name = owner_name(&row.name)?;
                self.owner = Some((row.name.clone(), name.clone()));
                name
            }
        };
        records::to_record(owner, ttl, &row.rtype, &row.data)
    }

    fn skip_row(&mut self, row: &ServedRecord, error: &ConvertError) {
        self.skipped += 1;
        tracing::warn!(zone = %self.zone.name, name = %row.name, rtype = %row.rtype, %error, "record skipped in transfer");
    }

    fn skip(&mut self, record: &Record, reason: &str) {
        self.skipped += 1;
        tracing::warn!(zone = %self.zone.name, name = %record.name, rtype = %record.record_type(), reason, "record skipped in transfer");
    }
}

/// Offset of the question name in every message: right after the header.
const QUESTION_OFFSET: u16 = 12;

/// A record whose owner name is compressed against the question, the zone
/// apex (RFC 1035 §4.1.4). hickory-proto compresses only the first 120 names
/// of a message (a guard against quadratic compression costs, as in Unbound's
/// fix of CVE-2024-8508), which would leave most owners of a full transfer
/// message uncompressed: 5,000 A records would take 4 messages instead of 3.
/// Pointing each owner's zone suffix at the question costs nothing to find.
struct ZoneRecord<'r> {
    record: &'r Record,
    apex: &'r [Vec<u8>],
}

impl BinEncodable for ZoneRecord<'_> {
    /// As `Record::emit`, but for the owner name.
    fn emit(&self, encoder: &mut BinEncoder<'_>) -> Result<(), ProtoError> {
        let record = self.record;
        match labels_below(&record.name, self.apex) {
            Some(prefix) => {
                for label in prefix {
                    encoder.emit_character_data(label)?;
                }
                encoder.emit_u16(0xC000 | QUESTION_OFFSET)?;
            }
            None => record.name.emit(encoder)?,
        }
        record.record_type().emit(encoder)?;
        record.dns_class.emit(encoder)?;
        encoder.emit_u32(record.ttl)?;
        let rdlength = encoder.place::<u16>()?;
        record.data.emit(encoder)?;
        let len = u16::try_from(encoder.len_since_place(&rdlength))
            .map_err(|_| ProtoError::Message("record data longer than 65535 bytes"))?;
        rdlength.replace(encoder, len)
    }
}

/// The labels of `name` in front of `apex`, if `name` is `apex` or below it
/// (labels compare case-insensitively, RFC 4343).
fn labels_below<'n>(name: &'n Name, apex: &[Vec<u8>]) -> Option<Vec<&'n [u8]>> {
    let labels: Vec<&[u8]> = name.iter().collect();
    let split = labels.len().checked_sub(apex.len())?;
    let below = labels[split..]
        .iter()
        .zip(apex)
        .all(|(a, b)| a.eq_ignore_ascii_case(b));
    below.then(|| labels[..split].to_vec())
}
