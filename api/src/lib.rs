//! delegate-api: the OpenStack Designate v2 REST API (spec/api-v2.md).
//!
//! It authenticates a request (`keystone` tokens or `noauth` headers, see
//! `context` and `keystone`), checks the policy of the context flags (the
//! resource rules are central's), validates the body by Designate's rules, asks central over the bus and renders Designate's
//! JSON byte for byte. It never touches the database.
//!
//! Layout: [`app`] builds the router; `v2/` holds the thin handlers;
//! extractors live in `context` (who asks), `path` (ids), `body` (JSON
//! bodies) and `links` (base URL); `input` turns bodies into domain objects,
//! `paging` validates collection queries, `render` shapes the responses and
//! `error` is the one error type.

mod accept;
mod app;
mod body;
mod central;
mod context;
mod error;
mod health;
mod input;
mod json_error;
mod keystone;
mod links;
mod paging;
mod path;
mod pyjson;
mod query;
mod render;
mod request_id;
mod settings;
mod v2;
mod versions;

pub use app::{AppService, app, app_with_auth};
pub use central::Central;
pub use context::Auth;
pub use keystone::{Keystone, KeystoneSettings};
pub use settings::{ApiSettings, AuthStrategy};
