//! delegate-manage
