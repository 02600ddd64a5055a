//! The producer's RPC topic. Designate's producer API (1.0) has no methods; a
//! consumer is still there so that nothing sent to the topic sits unread.

use delegate_bus::{Handler, RemoteError, Request};
use serde_json::Value;

/// The producer RPC API version (spec/services.md §2).
pub const VERSION: &str = "1.0";

/// Answers every method with oslo's `NoSuchMethod`.
pub struct ProducerEndpoint;

impl Handler for ProducerEndpoint {
    async fn handle(&self, request: Request) -> Result<Value, RemoteError> {
        Err(RemoteError::no_such_method(&request.method))
    }
}
