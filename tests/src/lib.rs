//! delegate-tests
