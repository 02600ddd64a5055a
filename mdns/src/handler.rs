//! One request in, what to send back out (spec/services.md §4.3).

use std::sync::Arc;

use hickory_proto::op::{Message, MessageType, OpCode, ResponseCode};
use hickory_proto::rr::{DNSClass, RecordType};
use uuid::Uuid;

use crate::axfr::{self, Transfer};
use crate::query;
use crate::response::{Transport, encode, reply};
use crate::source::{SourceError, ZoneScope, ZoneSource};

/// The settings that decide what a request may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// `[service:central] default_pool_id`: the zones unsigned requests see.
    pub default_pool_id: Uuid,
    /// `[service:mdns] query_enforce_tsig`: refuse unsigned requests.
    pub enforce_tsig: bool,
}

/// What to do with a request.
#[derive(Debug)]
pub enum Outcome {
    /// Nothing: the packet was not a request mdns can parse (spec/services.md §4.1).
    Silent,
    /// One message to send back.
    Reply(Vec<u8>),
    /// A zone transfer to stream (TCP only).
    Transfer(Box<Transfer>),
}

/// A decided answer, before encoding.
#[derive(Debug)]
pub enum Answer {
    Message(Message),
    Transfer(Box<Transfer>),
}

/// Answers DNS requests from a [`ZoneSource`].
pub struct Handler<S> {
    source: Arc<S>,
    policy: Policy,
}

impl<S: ZoneSource> Handler<S> {
    pub fn new(source: Arc<S>, policy: Policy) -> Self {
        Handler { source, policy }
    }

    pub fn source(&self) -> &S {
        &self.source
    }

    /// Handles one packet received over `transport`. Never panics, whatever the bytes.
    pub async fn handle(&self, packet: &[u8], transport: Transport) -> Outcome {
        let request = match Message::from_vec(packet) {
            Ok(request) => request,
            Err(e) => {
                tracing::debug!(error = %e, "unparsable packet ignored");
                return Outcome::Silent;
            }
        };
        // Answering a response could start a loop between two servers.
        if request.message_type != MessageType::Query {
            return Outcome::Silent;
        }
        let answer = match self.dispatch(&request, transport).await {
            Ok(answer) => answer,
            Err(e) => {
                tracing::error!(error = %e, id = request.id, "zone data unavailable, answering SERVFAIL");
                Answer::Message(reply(&request, ResponseCode::ServFail))
            }
        };
        match answer {
            Answer::Message(response) => match encode(&request, &response, transport) {
                Some(bytes) => Outcome::Reply(bytes),
                None => Outcome::Silent,
            },
            Answer::Transfer(transfer) => Outcome::Transfer(transfer),
        }
    }

    async fn dispatch(
        &self,
        request: &Message,
        transport: Transport,
    ) -> Result<Answer, SourceError> {
        let refused = || Ok(Answer::Message(reply(request, ResponseCode::Refused)));
        // Only EDNS version 0 exists (RFC 6891 §6.1.3).
        if request.edns.as_ref().is_some_and(|edns| edns.version() > 0) {
            return Ok(Answer::Message(reply(request, ResponseCode::BADVERS)));
        }
        match request.op_code {
            OpCode::Query => {}
            OpCode::Notify => return Ok(Answer::Message(notify(request))),
            _ => return refused(),
        }
        let [question] = request.queries.as_slice() else {
            return refused();
        };
        if question.query_class() != DNSClass::IN {
            return refused();
        }
        let Some(scope) = self.scope(request) else {
            return refused();
        };
        match question.query_type() {
            RecordType::AXFR | RecordType::IXFR => {
                axfr::prepare(self.source.as_ref(), request, question, scope, transport).await
            }
            _ => Ok(Answer::Message(
                query::answer(self.source.as_ref(), request, question, scope).await?,
            )),
        }
    }

    /// The zones `request` may see (spec/services.md §4.2), `None` if none.
    /// Unsigned requests see the default pool; TSIG-signed ones will see what
    /// their key's scope allows once TSIG is supported.
    fn scope(&self, _request: &Message) -> Option<ZoneScope> {
        if self.policy.enforce_tsig {
            return None;
        }
        Some(ZoneScope::Pool(self.policy.default_pool_id))
    }
}

/// NOTIFY (spec/services.md §4.7) concerns secondary zones, which Delegate does
/// not transfer in yet: with no secondary zone to match, the answer is the one
/// for "no such secondary zone" (NOTAUTH), or FORMERR without exactly one question.
fn notify(request: &Message) -> Message {
    if request.queries.len() != 1 {
        return reply(request, ResponseCode::FormErr);
    }
    reply(request, ResponseCode::NotAuth)
}
