//! delegate-runtime
