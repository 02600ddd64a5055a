//! delegate-mdns
