//! delegate-storage
