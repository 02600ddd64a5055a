//! delegate-bus
