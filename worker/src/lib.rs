//! delegate-worker
