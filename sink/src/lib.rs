//! delegate-sink
