//! Building and encoding response messages.

use hickory_proto::op::{Edns, Message, Metadata, ResponseCode};

/// The UDP payload mdns advertises in EDNS: the size of its receive buffer
/// (spec/services.md §4.1), as designate-mdns does.
pub const UDP_PAYLOAD: u16 = 8192;

/// The largest UDP response a client without EDNS accepts (RFC 1035 §4.2.1).
const CLASSIC_UDP_LIMIT: usize = 512;

/// How a message reached mdns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Udp,
    Tcp,
}

/// A response to `request` with `rcode` and nothing but the question echoed:
/// id, opcode, RD and CD copied (RFC 6895 §2), AA clear, and an OPT record
/// when the request had one (RFC 6891 §6.1.1).
pub fn reply(request: &Message, rcode: ResponseCode) -> Message {
    let mut message = Message::response(request.id, request.op_code);
    message.metadata = Metadata::response_from_request(&request.metadata);
    message.metadata.response_code = rcode;
    message.queries = request.queries.clone();
    if request.edns.is_some() {
        let mut edns = Edns::new();
        edns.set_max_payload(UDP_PAYLOAD);
        message.edns = Some(edns);
    }
    message
}

/// An authoritative NOERROR response to `request` (answers to be added).
pub fn authoritative(request: &Message) -> Message {
    let mut message = reply(request, ResponseCode::NoError);
    message.metadata.authoritative = true;
    message
}

/// The wire form of `response` for `transport`. Over UDP a response larger
/// than the client accepts is replaced by an empty one with TC set, telling it
/// to retry over TCP (RFC 1035 §4.2.1, RFC 6891 §7). A response that cannot be
/// encoded becomes SERVFAIL.
pub fn encode(request: &Message, response: &Message, transport: Transport) -> Option<Vec<u8>> {
    let bytes = match response.to_vec() {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::error!(error = %e, id = request.id, "response cannot be encoded, answering SERVFAIL");
            return reply(request, ResponseCode::ServFail).to_vec().ok();
        }
    };
    if transport == Transport::Udp && bytes.len() > udp_limit(request) {
        let mut truncated = reply(request, response.response_code);
        truncated.metadata.authoritative = response.authoritative;
        truncated.metadata.truncation = true;
        return truncated.to_vec().ok();
    }
    Some(bytes)
}

/// The largest UDP response `request`'s sender accepts.
fn udp_limit(request: &Message) -> usize {
    let advertised = request
        .edns
        .as_ref()
        .map(|e| usize::from(e.max_payload()))
        .unwrap_or(0);
    advertised.max(CLASSIC_UDP_LIMIT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::op::{MessageType, OpCode, Query};
    use hickory_proto::rr::rdata::TXT;
    use hickory_proto::rr::{Name, RData, Record, RecordType};

    fn request(edns_payload: Option<u16>) -> Message {
        let mut m = Message::new(4242, MessageType::Query, OpCode::Query);
        m.metadata.recursion_desired = true;
        m.add_query(Query::query(
            Name::from_ascii("example.org.").unwrap(),
            RecordType::TXT,
        ));
        if let Some(payload) = edns_payload {
            let mut edns = Edns::new();
            edns.set_max_payload(payload);
            m.edns = Some(edns);
        }
        m
    }

    fn big_answer(req: &Message) -> Message {
        let mut m = authoritative(req);
        for i in 0..40 {
            let txt = TXT::new(vec![format!("{i:-<60}")]);
            m.add_answer(Record::from_rdata(
                Name::from_ascii("example.org.").unwrap(),
                60,
                RData::TXT(txt),
            ));
        }
        m
    }

    #[test]
    fn reply_echoes_question_id_rd_and_edns() {
        let req = request(Some(4096));
        let m = Message::from_vec(&reply(&req, ResponseCode::Refused).to_vec().unwrap()).unwrap();
        assert_eq!(m.id, 4242);
        assert_eq!(m.message_type, MessageType::Response);
        assert_eq!(m.response_code, ResponseCode::Refused);
        assert!(m.recursion_desired && !m.authoritative && !m.recursion_available);
        assert_eq!(m.queries, req.queries);
        assert_eq!(m.edns.as_ref().map(Edns::max_payload), Some(UDP_PAYLOAD));
        assert!(reply(&request(None), ResponseCode::Refused).edns.is_none());
    }

    #[test]
    fn oversized_udp_answers_are_truncated_but_not_over_tcp() {
        let req = request(None);
        let resp = big_answer(&req);
        let udp = Message::from_vec(&encode(&req, &resp, Transport::Udp).unwrap()).unwrap();
        assert!(udp.truncation && udp.authoritative);
        assert!(udp.answers.is_empty());
        let tcp = Message::from_vec(&encode(&req, &resp, Transport::Tcp).unwrap()).unwrap();
        assert!(!tcp.truncation);
        assert_eq!(tcp.answers.len(), 40);
        // An EDNS client that accepts 4096 bytes gets the whole answer over UDP.
        let req = request(Some(4096));
        let udp =
            Message::from_vec(&encode(&req, &big_answer(&req), Transport::Udp).unwrap()).unwrap();
        assert_eq!(udp.answers.len(), 40);
    }
}
