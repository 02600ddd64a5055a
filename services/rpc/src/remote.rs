//! Domain errors across the bus: an [`Error`] becomes oslo's failure
//! (class, module, message) on the server and comes back as the same
//! [`ErrorKind`] in the caller, so the API renders what central raised.
//! The clients' `call`/`cast` and the dispatchers' `answer` live here too.

use std::future::Future;

use delegate_bus::{Bus, CallError, RemoteError, Request, Retry};
use delegate_model::Context;
use delegate_model::error::{EXCEPTION_MODULE, Error, ErrorKind};
use serde_json::Value;

use crate::args::ArgsBuilder;

/// Modules whose exception classes a caller re-raises as themselves
/// (spec/services.md §2); anything else is an unexpected remote error.
const ALLOWED_MODULES: &[&str] = &[
    EXCEPTION_MODULE,
    "designate.backend.impl_dynect",
    "builtins",
];

/// The failure a server sends back for a domain error.
pub fn to_remote(err: &Error) -> RemoteError {
    let mut remote = RemoteError::new(
        err.kind.class(),
        EXCEPTION_MODULE,
        err.message.clone().unwrap_or_default(),
    );
    if err.message.is_none() {
        remote.args.clear();
    }
    remote
}

/// How a failed cast is retried (the mechanism is `delegate_bus::redelivery`):
/// transient kinds ([`ErrorKind::is_transient`]) for a long time, unexpected
/// failures (panics, unknown classes, foreign modules) a few times before
/// parking, and a refusal by a domain rule never.
pub fn retry_for(err: &RemoteError) -> Retry {
    if !ALLOWED_MODULES.contains(&err.module.as_str()) {
        return Retry::Bounded;
    }
    match ErrorKind::from_class(&err.class) {
        kind if kind.is_transient() => Retry::Transient,
        ErrorKind::Unknown => Retry::Bounded,
        _ => Retry::Never,
    }
}

/// The context of a request; an unreadable one is a bad request.
fn request_context(req: &Request) -> Result<Context, Error> {
    Context::from_map(&req.context).map_err(|e| Error::bad_request(e.to_string()))
}

/// What a dispatcher answers: `dispatch` run with the request's context, a
/// domain error turned into oslo's failure.
pub(crate) async fn answer<Fut>(
    req: Request,
    dispatch: impl FnOnce(Context, Request) -> Fut,
) -> Result<Value, RemoteError>
where
    Fut: Future<Output = Result<Value, Error>>,
{
    let ctx = request_context(&req).map_err(|e| to_remote(&e))?;
    dispatch(ctx, req).await.map_err(|e| to_remote(&e))
}

/// Calls `method` of `topic` and waits for the reply.
pub(crate) async fn call(
    bus: &Bus,
    (topic, version): (&str, &str),
    ctx: &Context,
    method: &str,
    args: ArgsBuilder,
) -> Result<Value, Error> {
    bus.call(topic, version, &ctx.to_map(), method, args.build())
        .await
        .map_err(from_call_error)
}

/// Casts `method` to `topic` (no reply).
pub(crate) async fn cast(
    bus: &Bus,
    (topic, version): (&str, &str),
    ctx: &Context,
    method: &str,
    args: ArgsBuilder,
) -> Result<(), Error> {
    bus.cast(topic, version, &ctx.to_map(), method, args.build())
        .await
        .map_err(|e| Error::new(ErrorKind::CommunicationFailure, e.to_string()))
}

/// The domain error a caller sees for a failed call.
pub fn from_call_error(err: CallError) -> Error {
    match err {
        CallError::Remote(remote) => from_remote(remote),
        CallError::Timeout => Error::bare(ErrorKind::Timeout),
        CallError::Bus(e) => Error::new(ErrorKind::CommunicationFailure, e.to_string()),
    }
}

fn from_remote(remote: RemoteError) -> Error {
    if !ALLOWED_MODULES.contains(&remote.module.as_str()) {
        return Error::new(
            ErrorKind::Unknown,
            format!("{}.{}: {}", remote.module, remote.class, remote.message),
        );
    }
    let kind = ErrorKind::from_class(&remote.class);
    // Python rebuilds the exception as Class(*args): the message is args[0].
    let message = remote
        .args
        .first()
        .and_then(|a| a.as_str())
        .map(str::to_owned)
        .or_else(|| Some(remote.message.clone()).filter(|m| !m.is_empty()));
    Error {
        kind,
        message,
        errors: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_errors_survive_the_hop() {
        let err = Error::not_found(ErrorKind::ZoneNotFound, "Zone");
        let back = from_call_error(CallError::Remote(to_remote(&err)));
        assert_eq!(back, err);
        let bare = Error::bare(ErrorKind::Forbidden);
        assert_eq!(from_call_error(CallError::Remote(to_remote(&bare))), bare);
    }

    #[test]
    fn failed_casts_are_retried_by_class() {
        let retry = |e: &Error| retry_for(&to_remote(e));
        assert_eq!(
            retry(&Error::unavailable("1040: Too many connections")),
            Retry::Transient
        );
        assert_eq!(retry(&Error::bare(ErrorKind::Timeout)), Retry::Transient);
        assert_eq!(
            retry(&Error::new(ErrorKind::CommunicationFailure, "broker")),
            Retry::Transient
        );
        assert_eq!(retry(&Error::internal("bad row")), Retry::Bounded);
        assert_eq!(
            retry_for(&RemoteError::internal("handler panicked")),
            Retry::Bounded
        );
        assert_eq!(
            retry_for(&RemoteError::new("X", "somewhere.else", "x")),
            Retry::Bounded
        );
        assert_eq!(
            retry(&Error::not_found(ErrorKind::ZoneNotFound, "Zone")),
            Retry::Never
        );
        assert_eq!(retry(&Error::bad_request("no")), Retry::Never);
    }

    #[test]
    fn foreign_modules_become_unknown() {
        let remote = RemoteError::new("ZoneNotFound", "somewhere.else", "x");
        assert_eq!(
            from_call_error(CallError::Remote(remote)).kind,
            ErrorKind::Unknown
        );
        assert_eq!(from_call_error(CallError::Timeout).kind, ErrorKind::Timeout);
    }
}
