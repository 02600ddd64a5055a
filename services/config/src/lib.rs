//! delegate-config
