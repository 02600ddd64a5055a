//! delegate-central
