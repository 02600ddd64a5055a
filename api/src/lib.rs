//! delegate-api
