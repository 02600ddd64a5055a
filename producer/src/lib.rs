//! delegate-producer
